"""Entities every shop needs, recognised without training examples: order numbers, quantities.

* ``order_id``: a number of 4 to 12 digits written as ``#10234`` or after a word for order
  (``order 10234``, ``order number: 10234``, ``pedido nº 10234``, ``il mio ordine è il
  10234``); the value is the digits.
* ``quantity``: how many items, as digits (``2 of them``, ``3 units``) or words
  in English, Spanish and Italian (``two``, ``dos``, ``tre``, ``a couple``, ``un par``,
  ``un paio``); the value is the number as digits. Numbers followed by a unit or a
  currency (``16 GB``, ``800€``, ``2 days``) are not quantities.

The extractor runs after the catalogue and training-data lookups, so ``13`` in
``XPS 13`` stays part of the product name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlu.types import Entity

EXTRACTOR = "builtin"

_ORDER_WORD = r"(?:orders?|pedidos?|ordine|ordini|ordenes|orden|purchase|compra)"
_ORDER = re.compile(
    r"(?:(?<![\w#])#\s?(?P<hashed>\d{4,12})\b)"
    rf"|(?:\b{_ORDER_WORD}\b(?:[\s:,#.º°]+(?!\d)[^\W\d]{{1,8}}\.?){{0,3}}[\s:#º°.]+(?P<named>\d{{4,12}})\b)",
    re.IGNORECASE,
)

_WORD_NUMBERS: dict[str, int] = {
    # English
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple": 2, "a pair": 2, "a dozen": 12,
    # Spanish
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "un par": 2, "una docena": 12,
    # Italian
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8,
    "nove": 9, "dieci": 10, "un paio": 2, "una dozzina": 12,
}  # fmt: skip
_UNITS = (
    r"(?:gb|tb|mb|kg|g|gr|mm|cm|m|km|in|inch|inches|pulgadas|pollici|hz|mhz|ghz|w|wh|mah|"
    r"v|h|hrs?|hours?|horas?|ore|days?|días?|dias?|giorni|giorno|weeks?|semanas?|settimane?|"
    r"months?|meses|mesi|mese|years?|años?|anni|anno|minutes?|minutos?|minuti|"
    r"%|€|\$|£|eur|euros?|usd|dollars?|dólares?|dollari|pounds?|libras?|sterline|k|x\d)"
)
_NUMBER_WORDS = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?:(?<![\w#.,/€$£-])(?P<digits>\d{{1,2}})(?![\w.,/%€$£:-]|\s*{_UNITS}\b|\s*[%€$£\"'])(?!\s*x\s?\d))"
    rf"|(?:\b(?P<words>{_NUMBER_WORDS})\b(?!\s*{_UNITS}\b))",
    re.IGNORECASE,
)


def order_ids(text: str) -> Iterator[Entity]:
    """The order numbers written in ``text``."""
    for match in _ORDER.finditer(text):
        group = "hashed" if match.group("hashed") else "named"
        start, end = match.span(group)
        if group == "hashed":
            start = text.rindex("#", 0, start)
        yield Entity("order_id", match.group(group), start, end, text[start:end], 1.0, EXTRACTOR)


def quantities(text: str) -> Iterator[Entity]:
    """The quantities of items written in ``text`` (digits or number words)."""
    for match in _QUANTITY.finditer(text):
        group = "digits" if match.group("digits") else "words"
        raw = match.group(group)
        value = _WORD_NUMBERS[raw.lower()] if group == "words" else int(raw)
        if value <= 0:
            continue
        start, end = match.span(group)
        yield Entity("quantity", str(value), start, end, text[start:end], 1.0, EXTRACTOR)


def builtin_entities(text: str) -> list[Entity]:
    """Order numbers, then quantities that do not overlap them."""
    found = list(order_ids(text))
    for entity in quantities(text):
        if not any(entity.start < e.end and e.start < entity.end for e in found):
            found.append(entity)
    return found
