"""Customer needs the shop recommends for, read from ``catalogue.yml``'s ``needs``.

A need has the words that signal it per language (``travel: {en: [light*, travel*]}``), a
label, the categories it applies to, requirements (``gpu`` present, ``ram >= 16``,
``gpu ~ RTX``), a ranking (``weight`` lowest first, ``-battery`` highest first, ``price``)
and a short reason per language with spec placeholders (``"only {weight}"``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journeys.checks import Checker
from journeys.products import Localized, Product, localized
from journeys.specs import PRICE, Quantity
from journeys.text import Words, fold

_REQUIREMENT = re.compile(r"^([a-z][a-z0-9_]*)\s*(?:(>=|<=|~)\s*(.+))?$")
_RANK = re.compile(r"^(-?)([a-z][a-z0-9_]*)$")
Measure = Callable[[Product, str], Quantity | None]
"""Reads a spec of a product as a number (the catalogue's precomputed ``quantity``)."""
_KEYS = ("label", "words", "categories", "require", "rank", "reason")


@dataclass(frozen=True, slots=True)
class Requirement:
    """A spec the product must have: present, at least/most a number, or containing a text."""

    key: str
    operator: str = ""
    operand: str = ""

    def met_by(self, product: Product, measure: Measure) -> bool:
        """True when ``product`` meets it (``measure`` reads a spec as a number)."""
        if self.operator in ("", "~"):
            value = product.spec(self.key)
            return value is not None and (not self.operator or fold(self.operand) in fold(value))
        amount = measure(product, self.key)
        if amount is None:
            return False
        limit = float(self.operand)
        return amount.value >= limit if self.operator == ">=" else amount.value <= limit


@dataclass(frozen=True, slots=True)
class Need:
    """What a customer may want a product for (see the module docstring)."""

    name: str
    words: Words
    labels: Localized
    categories: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    ranking: tuple[tuple[str, bool], ...] = ()
    """(spec key or ``price``, True when the highest value is best)."""
    reasons: Localized = ()

    def label(self, language: str) -> str:
        """How the need is named in ``language``."""
        return localized(self.labels, language) or self.name

    def fits(self, product: Product, measure: Measure) -> bool:
        """True when the product is in the need's categories and meets its requirements."""
        if self.categories and product.category not in self.categories:
            return False
        return all(r.met_by(product, measure) for r in self.requirements)

    def reason(self, product: Product, language: str, values: dict[str, str]) -> str | None:
        """The short reason for this product, None when it lacks a spec the reason names."""
        template = localized(self.reasons, language)
        if not template:
            return None
        try:
            return template.format_map(values)
        except KeyError:
            return None


def read_needs(check: Checker, value: Any, categories: tuple[str, ...]) -> tuple[Need, ...]:
    """The ``needs`` mapping (missing: none)."""
    if value is None:
        return ()
    return tuple(
        _read_need(check, check.check_name(name, f"needs.{name}"), raw, categories)
        for name, raw in check.check_mapping(value, "needs").items()
    )


def _read_need(check: Checker, name: str, value: Any, categories: tuple[str, ...]) -> Need:
    key = f"needs.{name}"
    raw = check.check_mapping(value, key)
    check.check_keys(raw, _KEYS, f"{key}.")
    words = check.check_words(raw.get("words"), f"{key}.words")
    if not words:
        check.fail(f"{key}.words", raw.get("words"), "at least one word is required")
    in_categories = check.check_names(raw.get("categories"), f"{key}.categories")
    for i, category in enumerate(in_categories):
        if categories and category not in categories:
            check.fail(f"{key}.categories[{i}]", category, f"not one of {list(categories)}")
    raw_reasons = raw.get("reason")
    reasons = {} if raw_reasons is None else check.check_localized(raw_reasons, f"{key}.reason")
    for lang, text in reasons.items():
        _check_reason(check, text, f"{key}.reason.{lang}")
    return Need(
        name=name,
        words=Words.from_texts(words),
        labels=tuple(check.check_localized(raw.get("label", {"en": name}), f"{key}.label").items()),
        categories=in_categories,
        requirements=_read_requirements(check, raw.get("require"), f"{key}.require"),
        ranking=_read_ranking(check, raw.get("rank"), f"{key}.rank"),
        reasons=tuple(reasons.items()),
    )


def _read_requirements(check: Checker, value: Any, key: str) -> tuple[Requirement, ...]:
    if value is None:
        return ()
    found: list[Requirement] = []
    for i, item in enumerate(check.check_list(value, key)):
        match = _REQUIREMENT.match(check.check_text(item, f"{key}[{i}]"))
        if match is None:
            check.fail(
                f"{key}[{i}]", item, "expected 'spec', 'spec >= 16', 'spec <= 2' or 'spec ~ text'"
            )
        spec, operator, operand = (
            match.group(1),
            match.group(2) or "",
            (match.group(3) or "").strip(),
        )
        if operator in (">=", "<=") and not _is_number(operand):
            check.fail(f"{key}[{i}]", item, "expected a number after >= or <=")
        found.append(Requirement(spec, operator, operand))
    return tuple(found)


def _read_ranking(check: Checker, value: Any, key: str) -> tuple[tuple[str, bool], ...]:
    if value is None:
        return ((PRICE, False),)
    ranking: list[tuple[str, bool]] = []
    for i, item in enumerate(check.check_list(value, key)):
        match = _RANK.match(check.check_text(item, f"{key}[{i}]"))
        if match is None:
            check.fail(f"{key}[{i}]", item, "expected a spec key or price, '-' first for highest")
        ranking.append((match.group(2), match.group(1) == "-"))
    return tuple(ranking)


def _check_reason(check: Checker, text: str, key: str) -> None:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as error:
        check.fail(key, text, f"malformed braces ({error})")
    for name in names:
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            check.fail(key, text, f"placeholder {{{name}}} must be a spec key or price")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
