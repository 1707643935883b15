"""Numbers as a customer reads them in their language, through Babel's locale data.

Prices use the catalogue's currency and the customer's locale (``€1,299.00`` in English,
``1.299,00 €`` in Spanish and Italian); decimals inside spec texts such as ``52.6 Wh`` or
``13.4"`` take the locale's decimal sign. A language Babel does not know reads as English.
Babel's no-break spaces become plain spaces, so texts read the same in every chat client.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_decimal_symbol

FALLBACK_LANGUAGE = "en"

_LOCALES = {"en": "en_IE", "es": "es_ES", "it": "it_IT"}
"""Language → the locale whose conventions the shop's customers expect (euro area)."""
_UNIT = r"(?=\s?(?:\"|”|″|Wh|kWh|kg|g\b|h\b|GHz|MHz|L\b|mm|cm|in\b|inch|TB|GB|W\b))"
_DECIMAL_WITH_UNIT = re.compile(r"(?<![\d.])(\d+)\.(\d+)" + _UNIT)
_SPACES = str.maketrans({"\xa0": " ", "\u202f": " "})


@cache
def locale_for(language: str) -> Locale:
    """The Babel locale for a two-letter language (English when unknown)."""
    try:
        return Locale.parse(_LOCALES.get(language, language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_LOCALES[FALLBACK_LANGUAGE])


@cache
def _whole_pattern(language: str) -> str:
    pattern = locale_for(language).currency_formats["standard"].pattern
    return str(pattern).split(";")[0].replace("0.00", "0")


@lru_cache(maxsize=8192)
def format_price(amount: Decimal, currency: str, language: str) -> str:
    """``1299`` EUR → ``€1,299.00`` (en) or ``1.299,00 €`` (es, it)."""
    text = format_currency(amount, currency, locale=locale_for(language))
    return text.translate(_SPACES)


def format_amount(amount: Decimal, currency: str, language: str) -> str:
    """A budget-like amount, without cents when whole: ``€900`` / ``900 €``."""
    if amount != amount.to_integral_value():
        return format_price(amount, currency, language)
    text = format_currency(
        amount,
        currency,
        format=_whole_pattern(language),
        locale=locale_for(language),
        currency_digits=False,
    )
    return text.translate(_SPACES)


def format_number(value: float | Decimal, language: str) -> str:
    """A plain number in the locale (``1,5`` in Spanish)."""
    return format_decimal(value, locale=locale_for(language)).translate(_SPACES)


def localize_numbers(text: str, language: str) -> str:
    """Write the decimals of measured values (``52.6 Wh``) with the locale's decimal sign."""
    sign = get_decimal_symbol(locale_for(language))
    if sign == ".":
        return text
    return _DECIMAL_WITH_UNIT.sub(lambda m: f"{m.group(1)}{sign}{m.group(2)}", text)
