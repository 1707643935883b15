"""The ``amount`` entity: budgets and prices in English, Spanish and Italian.

An amount is a number with a currency (``900€``, ``€1,299.99``, ``800 euros``, ``2.000
euro``, ``1.5k``) or a number after a budget word (``under 900``, ``menos de 800``,
``sotto i 1000``, ``budget of 700``). Thousands and decimals are read either way
(``1.299,99`` and ``1,299.99``). The value says which bound the words set:

* ``..900``  at most 900 ("under", "up to", "menos de", "hasta", "sotto i", "fino a")
* ``1000..`` at least 1000 ("over", "more than", "más de", "desde", "oltre", "più di")
* ``500..900`` a range ("between 500 and 900", "entre 500 y 900", "tra 500 e 900",
  "500-900 €")
* ``~800``   about 800 ("around", "alrededor de", "circa")
* ``900``    a plain amount

Without a currency, a number needs a budget word and must be at least ``MIN_BARE`` (so
"more than 2 USB ports" is no budget).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from nlu.types import Entity

ENTITY = "amount"
EXTRACTOR = "money"
MIN_BARE = 50

_CURRENCY_BEFORE = r"(?:€|\$|£|eur\s?|usd\s?)"
_CURRENCY_AFTER = (
    r"(?:€|\$|£|eur(?:os?)?\b|euros?\b|usd\b|dollars?\b|d[oó]lares\b|dollari\b|"
    r"gbp\b|pounds?\b|libras?\b|sterline\b|bucks\b|pavos\b)"
)
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?P<before>{_CURRENCY_BEFORE})?(?P<number>{_NUMBER})(?P<k>\s?k\b)?"
    rf"(?:\s?(?P<after>{_CURRENCY_AFTER}))?",
    re.IGNORECASE,
)
_ARTICLES = r"(?:\s+(?:the|a|los|las|unos|unas|i|ai|gli|a\s+los))?"
_AT_MOST = (
    r"under|below|less\s+than|up\s+to|max(?:imum)?|at\s+most|no\s+more\s+than|within|"
    r"budget(?:\s+(?:of|is|around))?|cheaper\s+than|menos\s+de|por\s+debajo\s+de|hasta|"
    r"como\s+m[aá]ximo|m[aá]ximo|no\s+m[aá]s\s+de|presupuesto(?:\s+(?:de|es))?|sotto|"
    r"meno\s+di|fino\s+a|al\s+massimo|massimo|non\s+pi[uù]\s+di|entro"
)
_AT_LEAST = (
    r"over|above|more\s+than|at\s+least|from|starting\s+at|m[aá]s\s+de|por\s+encima\s+de|"
    r"al\s+menos|desde|a\s+partir\s+de|pi[uù]\s+di|sopra|oltre|almeno|a\s+partire\s+da"
)
_ABOUT = (
    r"around|about|roughly|approximately|alrededor\s+de|unos|sobre|aproximadamente|"
    r"circa|intorno\s+a|pi[uù]\s+o\s+meno|sui"
)
_CUES = {
    "max": re.compile(rf"\b(?:{_AT_MOST}){_ARTICLES}\s*$", re.IGNORECASE),
    "min": re.compile(rf"\b(?:{_AT_LEAST}){_ARTICLES}\s*$", re.IGNORECASE),
    "about": re.compile(rf"(?:\b(?:{_ABOUT}){_ARTICLES}|~)\s*$", re.IGNORECASE),
}
_RANGE_START = re.compile(
    rf"\b(?:between|entre|tra|fra|from|de|da|dai){_ARTICLES}\s*$", re.IGNORECASE
)
_RANGE_JOIN = re.compile(rf"^\s*(?:and|y|e|to|a|-|–){_ARTICLES}\s*", re.IGNORECASE)
_LOOK_BACK = 40


def amounts(text: str) -> Iterator[Entity]:
    """The budgets and prices written in ``text``."""
    matches = list(_AMOUNT.finditer(text))
    skip: set[int] = set()
    for i, match in enumerate(matches):
        if i in skip:
            continue
        following = matches[i + 1] if i + 1 < len(matches) else None
        ranged = _range(text, match, following)
        if ranged is not None:
            skip.add(i + 1)
            yield ranged
            continue
        entity = _single(text, match)
        if entity is not None:
            yield entity


def _single(text: str, match: re.Match[str]) -> Entity | None:
    value = _value(match)
    if value is None:
        return None
    before = text[max(0, match.start() - _LOOK_BACK) : match.start()]
    cue = next((name for name, pattern in _CUES.items() if pattern.search(before)), None)
    if not _has_currency(match) and (cue is None or value < MIN_BARE):
        return None
    shown = _show(value)
    written = {"max": f"..{shown}", "min": f"{shown}..", "about": f"~{shown}"}
    return _entity(text, match.start(), match.end(), written.get(cue or "", shown))


def _range(text: str, first: re.Match[str], second: re.Match[str] | None) -> Entity | None:
    if second is None:
        return None
    joint = _RANGE_JOIN.match(text[first.end() : second.start()])
    if joint is None or first.end() + joint.end() != second.start():
        return None
    low, high = _value(first), _value(second)
    if low is None or high is None or low >= high:
        return None
    before = text[max(0, first.start() - _LOOK_BACK) : first.start()]
    currency = _has_currency(first) or _has_currency(second)
    if not currency and (not _RANGE_START.search(before) or low < MIN_BARE):
        return None
    return _entity(text, first.start(), second.end(), f"{_show(low)}..{_show(high)}")


def _has_currency(match: re.Match[str]) -> bool:
    return bool(match.group("before") or match.group("after") or match.group("k"))


def _value(match: re.Match[str]) -> Decimal | None:
    number = _number(match.group("number"))
    if number is None:
        return None
    return number * 1000 if match.group("k") else number


def _number(raw: str) -> Decimal | None:
    """``1.299,99`` / ``1,299.99`` / ``1.000`` / ``899,99`` → a Decimal."""
    text = raw.replace(" ", "")
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    decimal_at = max(last_dot, last_comma)
    only_one_kind = last_dot < 0 or last_comma < 0
    if decimal_at >= 0 and only_one_kind and len(text) - decimal_at - 1 == 3:
        decimal_at = -1  # "1.000" or "1,000": a thousands separator
    whole = text if decimal_at < 0 else text[:decimal_at]
    cents = "" if decimal_at < 0 else text[decimal_at + 1 :]
    digits = re.sub(r"[.,]", "", whole)
    try:
        return Decimal(f"{digits}.{cents}" if cents else digits)
    except InvalidOperation:
        return None


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def _entity(text: str, start: int, end: int, value: str) -> Entity:
    while end > start and text[end - 1].isspace():
        end -= 1
    return Entity(ENTITY, value, start, end, text[start:end], 1.0, EXTRACTOR)
