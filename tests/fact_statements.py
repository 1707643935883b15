"""What a text states about the shop's facts, for the tests that make texts agree.

``statements`` reads a text sentence by sentence and finds the amounts, days, years,
instalment counts and times of day it states next to the words of shipping, returns,
refunds, warranty, extra cover and financing (English, Spanish, Italian). ``expected``
says which values the shop's facts allow for each kind of statement. A rendered text agrees
with the facts when every statement's value is allowed (``disagreements``); a text as the
shop writes it copies a fact when one of its statements has a fact's value
(``literal_copies``): it should have written the placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from journeys.facts import ShopFacts

_TOPICS: dict[str, dict[str, str]] = {
    "shipping": {
        "en": r"\b(shipping|ship|ships|delivery|arrives?)\b",
        "es": r"\b(envío|envíos|entrega|llega)\b",
        "it": r"\b(spedizione|spedito|consegna|arriva)\b",
    },
    "returns": {
        "en": r"\b(returns?|send it back)\b",
        "es": r"\b(devolver\w*|devuelv\w*|devoluci\w+)\b",
        "it": r"\b(reso|resi|restitui\w+)\b",
    },
    "refund": {"en": r"\brefund", "es": r"\b(reembols|devolvemos el dinero)", "it": r"\brimbors"},
    "warranty": {"en": r"\b(warranty|guarantee)\b", "es": r"\bgarantía\b", "it": r"\bgaranzia\b"},
    "cover": {"en": r"\bcover\b", "es": r"\bcobertura\b", "it": r"\bcopertura\b"},
    "financing": {"en": r"\bfinanc", "es": r"\bfinanc", "it": r"\bfinanzi"},
}
_FREE = {
    "en": r"\bfree\b",
    "es": r"\b(gratis|gratuit\w*|sin coste)\b",
    "it": r"\b(gratis|gratuit\w*)\b",
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
_NUMBER = r"\d[\d.,]*\d|\d"
_MONEY = re.compile(rf"€\s?({_NUMBER})|({_NUMBER})\s?€")
_DAYS = re.compile(
    r"(\d+)(?:\s*[–-]\s*(\d+))?(?:[\s-]+(?:working|business))?[\s-]+"
    r"(?:days?|días?|giorni|giorno)\b"
)
_YEARS = re.compile(r"(\d+)(?:[\s-]+(?:extra))?[\s-]+(?:years?|años?|anni|anno)\b")
_INSTALMENTS = re.compile(
    r"(\d+)\s+(?:interest-free\s+)?(?:instalments|installments|plazos|rate)\b(?!\s+mensili)"
)
_MONTHS = re.compile(r"(\d+)\s*(?:to|a|–|-)\s*(\d+)\s+(?:monthly|cuotas|rate mensili)")
_RANGE = re.compile(r"(?<![\d:])(\d+)–(\d+)(?![\d:])")
_TIME = re.compile(r"\b(\d{1,2}:\d{2})\b")


@dataclass(frozen=True, slots=True)
class Statement:
    """One value a sentence states: ``kind`` (``amount``, ``days``, ...) and the topics it
    is stated next to."""

    kind: str
    value: str
    topics: frozenset[str]
    sentence: str


def statements(text: str, language: str) -> Iterator[Statement]:
    """Every fact-like value ``text`` states, sentence by sentence."""
    for sentence in _SENTENCE.split(text):
        topics = frozenset(
            topic
            for topic, words in _TOPICS.items()
            if re.search(words.get(language, words["en"]), sentence, re.IGNORECASE)
        )
        found = [("amount", _amount(m[1] or m[2], language)) for m in _MONEY.finditer(sentence)]
        found += [("days", f"{m[1]}–{m[2]}" if m[2] else m[1]) for m in _DAYS.finditer(sentence)]
        found += [("range", f"{m[1]}–{m[2]}") for m in _RANGE.finditer(sentence)]
        found += [("years", m[1]) for m in _YEARS.finditer(sentence)]
        found += [("instalments", m[1]) for m in _INSTALMENTS.finditer(sentence)]
        found += [("months", f"{m[1]}–{m[2]}") for m in _MONTHS.finditer(sentence)]
        found += [("time", m[1]) for m in _TIME.finditer(sentence)]
        for kind, value in found:
            yield Statement(kind, value, topics, sentence)


def expected(facts: ShopFacts) -> dict[tuple[str, str], set[str]]:
    """(kind, topic) → the values the facts allow; ``*`` stands for any topic."""
    parts = facts.parts
    amounts, counts = parts.amounts, parts.counts
    ranges = {key: str(value) for key, value in parts.ranges.items()}
    office = facts.office_hours
    hours = set()
    if office is not None:
        hours = {f"{t.hour}:{t.minute:02d}" for t in (office.opens, office.closes)}
    legal = {str(counts["warranty.years"])} | {str(years) for _, years in parts.countries}
    money = {
        "shipping": {"shipping.free_over", "shipping.fee", "shipping.express_fee"},
        "financing": {"payment.financing_over"},
    }
    allowed = {
        ("amount", topic): {_money(amounts[k]) for k in keys} for topic, keys in money.items()
    }
    allowed |= {
        ("amount", "cover"): {_money(option.price) for option in parts.extended},
        ("days", "returns"): {str(counts["returns.days"])},
        ("days", "refund"): {str(counts["returns.refund_days"])},
        ("days", "shipping"): set(ranges.values()),
        ("range", "shipping"): set(ranges.values()),
        ("years", "warranty"): legal,
        ("years", "cover"): {str(option.years) for option in parts.extended},
        ("instalments", "*"): {str(counts["payment.instalments"])},
        ("months", "*"): {
            f"{counts['payment.financing_min_months']}–{counts['payment.financing_max_months']}"
        },
        ("time", "*"): {parts.texts["shipping.order_by"], *hours},
    }
    return allowed


def disagreements(text: str, language: str, facts: ShopFacts) -> list[str]:
    """What ``text`` (as the customer reads it) states that the facts do not say."""
    allowed = expected(facts)
    problems: list[str] = []
    for said in statements(text, language):
        rules = [
            v
            for (kind, topic), v in allowed.items()
            if kind == said.kind and topic in {*said.topics, "*"}
        ]
        if rules and not any(said.value in values for values in rules):
            problems.append(f"{said.kind} {said.value} in {said.sentence!r}")
    problems += _partial_warranty(text, language, facts)
    if facts.parts.flags.get("returns.free") is False:
        problems += [
            f"free returns in {s!r}, but returns.free is false"
            for s in _SENTENCE.split(text)
            if re.search(_TOPICS["returns"][language], s, re.I)
            and re.search(_FREE[language], s, re.I)
        ]
    return problems


def literal_copies(text: str, language: str, facts: ShopFacts) -> list[str]:
    """The facts ``text`` (as the shop writes it, with placeholders) repeats literally."""
    bare = re.sub(r"\{[a-z_]+\}", "", text)
    allowed = expected(facts)
    copies = [
        f"{said.kind} {said.value} in {said.sentence!r}"
        for said in statements(bare, language)
        if any(
            said.value in values
            for (kind, topic), values in allowed.items()
            if kind == said.kind and topic in {*said.topics, "*"}
        )
    ]
    values = facts.values(language)
    for name in ("instalment_provider", "payment_methods", "support_hours"):
        if name in values and values[name] in bare:
            copies.append(f"{{{name}}} written out: {values[name]!r}")
    return copies


def _partial_warranty(text: str, language: str, facts: ShopFacts) -> list[str]:
    """A sentence that states the default warranty must also state every country's."""
    default = str(facts.parts.counts["warranty.years"])
    countries = facts.values(language).get("warranty_countries", "(no country rules)")
    problems: list[str] = []
    for sentence in _SENTENCE.split(text):
        years = {s.value for s in statements(sentence, language) if s.kind == "years"}
        warranty = re.search(_TOPICS["warranty"][language], sentence, re.I)
        if default in years and warranty and countries not in sentence:
            problems.append(f"warranty of {default} years without the country rules: {sentence!r}")
    return problems


def _amount(text: str, language: str) -> str:
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    return _money(Decimal(text.replace(thousands, "").replace(decimal, ".")))


def _money(amount: Decimal) -> str:
    """``99.00`` and ``99`` alike: ``99``; ``4.90``: ``4.9``."""
    return format(amount.normalize(), "f")
