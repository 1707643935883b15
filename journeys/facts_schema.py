"""Validation of an already-parsed ``facts.yml`` into typed values (see ``journeys.facts``).

The file has two levels: a section (``shipping``, ``returns``, ``payment``, ``warranty``,
``support``) and its facts, each of one kind (``LAYOUT``). Every fact is optional, since a
text that needs a missing one is refused when it loads; an unknown key is refused here (a
typo would otherwise leave a fact unset). Every error names the file, the key and the value.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from journeys.checks import Checker
from journeys.errors import FactsError
from journeys.formatting import locale_for
from journeys.products import Localized

LAYOUT: Mapping[str, Mapping[str, str]] = {
    "shipping": {
        "free_over": "amount",
        "fee": "amount",
        "order_by": "time",
        "delivery_days": "days",
        "delivery_days_eu": "days",
        "express_fee": "amount",
        "express_days_eu": "days",
    },
    "returns": {"days": "count", "free": "flag", "refund_days": "count"},
    "payment": {
        "methods": "localized",
        "instalment_provider": "text",
        "instalments": "count",
        "financing_over": "amount",
        "financing_min_months": "count",
        "financing_max_months": "count",
    },
    "warranty": {
        "years": "count",
        "countries": "countries",
        "country_wording": "localized",
        "extended": "extended",
    },
    "support": {"hours": "localized"},
}
"""Section → fact → kind of value."""

WORDING_FIELDS: Mapping[str, frozenset[str]] = {
    "warranty.country_wording": frozenset({"years", "country"}),
    "support.hours": frozenset({"first_day", "last_day", "opens", "closes"}),
}
"""Facts that are wording, with the values they are filled with; other texts take none."""

_DAYS = re.compile(r"^(\d{1,3})\s*[-–]\s*(\d{1,3})$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class DayRange:
    """A number of days, or a range of them: ``1-3`` in the file reads ``1–3``."""

    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True, slots=True)
class ExtendedWarranty:
    """Extra years of cover sold at checkout, and their price."""

    years: int
    price: Decimal


@dataclass(frozen=True, slots=True)
class FactParts:
    """The facts of a file by kind, each keyed by its ``section.fact`` path."""

    amounts: Mapping[str, Decimal] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    ranges: Mapping[str, DayRange] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)
    localized: Mapping[str, Localized] = field(default_factory=dict)
    countries: tuple[tuple[str, int], ...] = ()
    """``warranty.countries``: (ISO country code, years) where the law gives more."""
    extended: tuple[ExtendedWarranty, ...] = ()
    """``warranty.extended``, in file order."""

    def has(self, key: str) -> bool:
        """True when the file gives the fact ``key`` (``shipping.fee``)."""
        if key == "warranty.countries":
            return bool(self.countries)
        if key == "warranty.extended":
            return bool(self.extended)
        tables: tuple[Mapping[str, object], ...] = (
            self.amounts, self.counts, self.ranges, self.texts, self.flags, self.localized,
        )  # fmt: skip
        return any(key in table for table in tables)


def read_facts(data: Any, source: str = "facts.yml") -> FactParts:
    """Validate a parsed facts file; raise FactsError naming file, key and value."""
    check = Checker(FactsError, source)
    top = check.check_mapping(data, "(top level)")
    check.check_keys(top, tuple(LAYOUT), "")
    found: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
    for section, raw in top.items():
        facts = check.check_mapping(raw, section)
        check.check_keys(facts, tuple(LAYOUT[section]), f"{section}.")
        for name, value in facts.items():
            kind = LAYOUT[section][name]
            found[kind][f"{section}.{name}"] = _KINDS[kind](check, value, f"{section}.{name}")
    parts = FactParts(
        amounts=found["amount"],
        counts=found["count"],
        ranges=found["days"],
        texts=found["time"] | found["text"],
        flags=found["flag"],
        localized=found["localized"],
        countries=found["countries"].get("warranty.countries", ()),
        extended=found["extended"].get("warranty.extended", ()),
    )
    _check_together(check, parts)
    return parts


def _check_together(check: Checker, parts: FactParts) -> None:
    least = parts.counts.get("warranty.years")
    for code, years in parts.countries:
        if least is not None and years < least:
            check.fail(
                f"warranty.countries.{code}",
                years,
                f"shorter than warranty.years ({least}), which the texts call the least",
            )
    low = parts.counts.get("payment.financing_min_months")
    high = parts.counts.get("payment.financing_max_months")
    if low is not None and high is not None and low > high:
        check.fail("payment.financing_max_months", high, f"less than financing_min_months ({low})")


def _read_days(check: Checker, value: Any, key: str) -> DayRange:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return DayRange(value, value)
    match = _DAYS.match(value.strip()) if isinstance(value, str) else None
    if match is None or not 0 < int(match[1]) < int(match[2]):
        check.fail(key, value, "expected a number of days, or a range such as 1-3")
    return DayRange(int(match[1]), int(match[2]))


def _read_time(check: Checker, value: Any, key: str) -> str:
    if not isinstance(value, str) or not _TIME.match(value.strip()):
        check.fail(key, value, 'expected a time of day in quotes, such as "14:00"')
    return value.strip()


def _read_localized(check: Checker, value: Any, key: str) -> Localized:
    texts = check.check_localized(value, key)
    allowed = WORDING_FIELDS.get(key, frozenset())
    for lang, text in texts.items():
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as error:
            check.fail(f"{key}.{lang}", text, f"malformed braces ({error})")
        if not names <= allowed:
            wanted = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
            check.fail(f"{key}.{lang}", text, f"unknown placeholder (available: {wanted})")
    return tuple(texts.items())


def _read_countries(check: Checker, value: Any, key: str) -> tuple[tuple[str, int], ...]:
    rules: list[tuple[str, int]] = []
    for code, years in check.check_mapping(value, key).items():
        if not _COUNTRY.match(code) or code not in locale_for("en").territories:
            check.fail(f"{key}.{code}", code, "expected an ISO 3166 country code such as ES")
        rules.append((code, check.check_int(years, f"{key}.{code}", minimum=1)))
    return tuple(rules)


def _read_extended(check: Checker, value: Any, key: str) -> tuple[ExtendedWarranty, ...]:
    options: list[ExtendedWarranty] = []
    for i, item in enumerate(check.check_list(value, key)):
        raw = check.check_mapping(item, f"{key}[{i}]")
        check.check_keys(raw, ("years", "price"), f"{key}[{i}].")
        years = check.check_int(raw.get("years"), f"{key}[{i}].years", minimum=1)
        price = check.check_price(raw.get("price"), f"{key}[{i}].price")
        options.append(ExtendedWarranty(years, price))
    return tuple(options)


def _read_count(check: Checker, value: Any, key: str) -> int:
    return check.check_int(value, key, minimum=1)


_KINDS: Mapping[str, Callable[[Checker, Any, str], Any]] = {
    "amount": Checker.check_price,
    "count": _read_count,
    "days": _read_days,
    "time": _read_time,
    "text": Checker.check_text,
    "flag": Checker.check_bool,
    "localized": _read_localized,
    "countries": _read_countries,
    "extended": _read_extended,
}
"""Kind → reader ``(check, value, key) → value``."""
