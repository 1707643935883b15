"""Specs as numbers, and the words customers use to ask about them.

``quantity`` reads the first measured number of a spec text in a common unit (``1.5 kg`` →
1500 g, ``1 TB SSD`` → 1000 GB), so specs can be compared and ranked. ``SpecVocabulary``
comes from ``replies.yml``: ``spec_words`` (what customers say: ``weight: {it: [pes*,
leggero]}``) and ``spec_comparatives`` (which value is better and how to say it:
``weight: {better: lower, en: "{product} is lighter"}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journeys.checks import Checker
from journeys.text import Words

PRICE = "price"
"""The pseudo-spec under which prices are compared and ranked."""

_NUMBER = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(kg|g|tb|gb|mb|kwh|wh|mah|h|hz|w|l|dpi|mm|cm|\"|”|″|in)?(?![\w])",
    re.IGNORECASE,
)
_UNITS = {
    "kg": ("g", 1000.0),
    "g": ("g", 1.0),
    "tb": ("gb", 1000.0),
    "gb": ("gb", 1.0),
    "mb": ("gb", 0.001),
    "kwh": ("wh", 1000.0),
    "”": ('"', 1.0),
    "″": ('"', 1.0),
    "in": ('"', 1.0),
}
_BETTER = ("lower", "higher")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured value in a common unit (``g``, ``gb``, ``wh``, ``"``...; ``""``: none)."""

    value: float
    unit: str


def quantity(text: str) -> Quantity | None:
    """The first measured number of a spec text (None when it has none)."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "").lower()
    common, factor = _UNITS.get(unit, (unit, 1.0))
    return Quantity(value * factor, common)


def numbers(text: str) -> tuple[float, ...]:
    """Every standalone number of a spec text, in common units: ``14" OLED 2880×1800`` →
    (14, 2880, 1800); ``16 GB LPDDR5x`` → (16,); ``1 TB`` → (1000,)."""
    found: list[float] = []
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", "."))
        _, factor = _UNITS.get((match.group(2) or "").lower(), ("", 1.0))
        found.append(value * factor)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Comparative:
    """Which value of a spec is better and how a winner is announced, per language."""

    higher_is_better: bool
    phrases: tuple[tuple[str, str], ...]

    def phrase(self, language: str) -> str:
        """The announcement (with ``{product}``) in ``language``, else English."""
        table = dict(self.phrases)
        return table.get(language) or table["en"]


@dataclass(frozen=True, slots=True)
class SpecVocabulary:
    """The spec words and comparatives of a shop."""

    words: Mapping[str, Words] = field(default_factory=dict)
    comparatives: Mapping[str, Comparative] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, check: Checker, words: Any, comparatives: Any) -> SpecVocabulary:
        """Read ``spec_words`` and ``spec_comparatives`` (either may be missing)."""
        table = {
            check.check_name(key, f"spec_words.{key}"): Words.from_texts(
                check.check_words(value, f"spec_words.{key}")
            )
            for key, value in (check.check_mapping(words or {}, "spec_words")).items()
        }
        compared = {
            check.check_name(key, f"spec_comparatives.{key}"): _read_comparative(
                check, value, f"spec_comparatives.{key}"
            )
            for key, value in (check.check_mapping(comparatives or {}, "spec_comparatives")).items()
        }
        return cls(words=table, comparatives=compared)

    def asked(self, text_words: tuple[str, ...], language: str) -> tuple[str, ...]:
        """The spec keys the words name, in the order they appear in the text (at the same
        place, the longer phrase first: "battery life" before "battery")."""
        found = [
            (span, key)
            for key, words in self.words.items()
            if (span := words.span(text_words, language)) is not None
        ]
        return tuple(key for _, key in sorted(found))


def _read_comparative(check: Checker, value: Any, key: str) -> Comparative:
    raw = dict(check.check_mapping(value, key))
    better = raw.pop("better", None)
    if better not in _BETTER:
        check.fail(f"{key}.better", better, "expected 'lower' or 'higher'")
    phrases = check.check_localized(raw, key)
    for lang, text in phrases.items():
        if "{product}" not in text:
            check.fail(f"{key}.{lang}", text, "the phrase must contain {product}")
    return Comparative(higher_is_better=better == "higher", phrases=tuple(phrases.items()))
