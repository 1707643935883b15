"""Numbers as a customer reads them in their language (prices for now)."""

from __future__ import annotations

from decimal import Decimal

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_SEPARATORS = {"en": (",", "."), "es": (".", ","), "it": (".", ",")}
"""language → (thousands separator, decimal separator)."""
_SYMBOL_FIRST = frozenset({"en"})


def format_price(amount: Decimal, currency: str, language: str) -> str:
    """``1299`` EUR → ``€1,299.00`` (en) or ``1.299,00 €`` (es, it)."""
    thousands, decimal = _SEPARATORS.get(language, _SEPARATORS["en"])
    whole, cents = f"{amount:,.2f}".split(".")
    number = f"{whole.replace(',', thousands)}{decimal}{cents}"
    symbol = _SYMBOLS.get(currency, currency)
    if language in _SYMBOL_FIRST or language not in _SEPARATORS:
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol} {number}"
    return f"{number} {symbol}"
