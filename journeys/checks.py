"""Validation helpers shared by the content loaders.

A ``Checker`` knows the file it reads and the error class to raise, so every ``check_*``
call only names the key path and the value: the error then says file, key and value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from journeys.errors import ContentError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Checker:
    """Raises ``error`` (a ContentError subclass) for ``source`` when a check fails."""

    error: type[ContentError]
    source: str

    def fail(self, key: str, value: Any, problem: str) -> NoReturn:
        """Raise the error for ``key``."""
        raise self.error(self.source, key, value, problem)

    def check_mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        """A mapping with string keys."""
        if not isinstance(value, Mapping):
            self.fail(key, value, "expected a mapping")
        for name in value:
            if not isinstance(name, str):
                self.fail(f"{key}.{name}", name, "keys must be strings")
        return value

    def check_keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        """Refuse keys outside ``allowed`` (a typo would otherwise be ignored silently)."""
        for key in data:
            if key not in allowed:
                self.fail(
                    f"{prefix}{key}", key, f"unknown key; expected one of {', '.join(allowed)}"
                )

    def check_list(self, value: Any, key: str) -> list[Any]:
        """A list (YAML sequence)."""
        if not isinstance(value, list):
            self.fail(key, value, "expected a list")
        return value

    def check_text(self, value: Any, key: str) -> str:
        """A non-empty string, stripped."""
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "expected a non-empty string")
        return value.strip()

    def check_url(self, value: Any, key: str) -> str:
        """An ``http(s)://`` address without spaces."""
        url = self.check_text(value, key)
        if not url.startswith(("https://", "http://")) or " " in url:
            self.fail(key, value, "expected an http(s) address")
        return url

    def check_name(self, value: Any, key: str) -> str:
        """A lower-case identifier such as a stage, intent or event name."""
        text = self.check_text(value, key)
        if not _NAME.match(text):
            self.fail(key, value, "expected a lower-case name (letters, digits, _)")
        return text

    def check_names(self, value: Any, key: str) -> tuple[str, ...]:
        """A list of distinct names (a missing key is an empty list)."""
        if value is None:
            return ()
        names: list[str] = []
        for i, item in enumerate(self.check_list(value, key)):
            name = self.check_name(item, f"{key}[{i}]")
            if name in names:
                self.fail(f"{key}[{i}]", item, "listed twice")
            names.append(name)
        return tuple(names)

    def check_language(self, value: Any, key: str) -> str:
        """A two-letter language code."""
        if not isinstance(value, str) or not _LANGUAGE.match(value):
            self.fail(key, value, "expected a two-letter language code such as 'en'")
        return value

    def check_int(self, value: Any, key: str, minimum: int = 0) -> int:
        """An integer ≥ ``minimum`` (booleans refused)."""
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(key, value, f"expected a whole number ≥ {minimum}")
        return value

    def check_bool(self, value: Any, key: str) -> bool:
        """true or false."""
        if not isinstance(value, bool):
            self.fail(key, value, "expected true or false")
        return value

    def check_localized(self, value: Any, key: str) -> dict[str, str]:
        """A mapping language → non-empty text that includes English."""
        texts = {
            self.check_language(lang, f"{key}.{lang}"): self.check_text(text, f"{key}.{lang}")
            for lang, text in self.check_mapping(value, key).items()
        }
        if "en" not in texts:
            self.fail(key, value, "an English ('en') text is required")
        return texts

    def check_words(self, value: Any, key: str) -> dict[str, tuple[str, ...]]:
        """A mapping language → list of words or phrases (a missing key is empty)."""
        if value is None:
            return {}
        table: dict[str, tuple[str, ...]] = {}
        for lang, items in self.check_mapping(value, key).items():
            self.check_language(lang, f"{key}.{lang}")
            texts = self.check_list(items, f"{key}.{lang}")
            table[lang] = tuple(
                self.check_text(text, f"{key}.{lang}[{i}]") for i, text in enumerate(texts)
            )
        return table

    def check_number(self, value: Any, key: str) -> float:
        """An int or float (booleans refused)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, value, "expected a number")
        return float(value)

    def check_price(self, value: Any, key: str) -> Decimal:
        """A positive price with at most two decimals (a number or a numeric string)."""
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.fail(key, value, "expected a price such as 1299.00")
        try:
            price = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(key, value, "expected a price such as 1299.00")
        if not price.is_finite() or price <= 0 or price != price.quantize(_CENT):
            self.fail(key, value, "expected a positive price with at most two decimals")
        return price.quantize(_CENT)
