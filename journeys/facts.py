"""The shop's facts (shipping, returns, payment, warranty, support hours) and the placeholders
that state them in the shop's texts.

A fact lives once, in ``facts.yml`` (validated by ``journeys.facts_schema``); a reply
template, an FAQ answer or a product policy that states it writes a placeholder such as
``{free_shipping_over}`` instead. ``ShopFacts.fill`` replaces those placeholders when the
content loads (once, not per message), each written the customer's way: amounts in the
catalogue's currency through ``format_amount`` (``€99``, ``99 €``), ranges of days as
``1–3``, options joined with the locale's "or", country and day names from the locale. The
support hours are the journey map's ``handoff.office_hours``, worded by ``support.hours``.

``PLACEHOLDERS`` lists every placeholder with the facts it reads. A text that asks for a fact
the shop does not give is refused, naming the text's file and key and the missing fact.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.lists import format_list

from journeys.checks import Checker
from journeys.facts_schema import FactParts, read_facts
from journeys.formatting import format_amount, format_number, locale_for
from journeys.handoff_settings import OfficeHours
from journeys.products import Localized, localized

FACTS_SOURCE = "facts.yml"
OFFICE_HOURS = "journey_map.yml handoff.office_hours"

_SIMPLE: Mapping[str, str] = {
    "free_shipping_over": "shipping.free_over",
    "shipping_fee": "shipping.fee",
    "order_by": "shipping.order_by",
    "delivery_days": "shipping.delivery_days",
    "delivery_days_eu": "shipping.delivery_days_eu",
    "express_fee": "shipping.express_fee",
    "express_days_eu": "shipping.express_days_eu",
    "return_days": "returns.days",
    "refund_days": "returns.refund_days",
    "payment_methods": "payment.methods",
    "instalment_provider": "payment.instalment_provider",
    "instalments": "payment.instalments",
    "financing_over": "payment.financing_over",
    "financing_min_months": "payment.financing_min_months",
    "financing_max_months": "payment.financing_max_months",
    "warranty_years": "warranty.years",
}
PLACEHOLDERS: Mapping[str, tuple[str, ...]] = {
    **{name: (key,) for name, key in _SIMPLE.items()},
    "warranty_countries": ("warranty.countries", "warranty.country_wording"),
    "extended_warranty_years": ("warranty.extended",),
    "extended_warranty_prices": ("warranty.extended",),
    "support_hours": ("support.hours", OFFICE_HOURS),
}
"""Placeholder → the facts it is written from."""

_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class ShopFacts:
    """A shop's facts, ready to fill placeholders. Build it with ``from_mapping``; the empty
    one stands for a shop without a facts file."""

    parts: FactParts = field(default_factory=FactParts)
    currency: str = "EUR"
    """The catalogue's currency, which the amounts are in."""
    office_hours: OfficeHours | None = None
    source: str | None = None
    """The facts file; None when the shop has none."""
    _values: dict[str, Mapping[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_values", {})  # language → placeholder → text, on demand

    @classmethod
    def from_mapping(
        cls,
        data: Any,
        *,
        currency: str,
        office_hours: OfficeHours | None = None,
        source: str = FACTS_SOURCE,
    ) -> ShopFacts:
        """Validate an already-parsed facts file; raise FactsError when it is wrong."""
        return cls(read_facts(data, source), currency, office_hours, source)

    def values(self, language: str) -> Mapping[str, str]:
        """Placeholder → its text in ``language``, for every placeholder the facts can fill."""
        found = self._values.get(language)
        if found is None:
            found = self._values[language] = _render(self, language)
        return found

    def fill(self, text: str, language: str, check: Checker, key: str, *, final: bool) -> str:
        """``text`` (at ``key`` of ``check``'s file) with its fact placeholders filled.

        A template (``final`` False) keeps its other placeholders and doubled braces for the
        reply renderer; a final text (an FAQ answer, a product policy) may hold no other
        placeholder, and its doubled braces become single ones.
        """
        if "{" not in text and "}" not in text:
            return text
        try:
            parsed = list(_FORMATTER.parse(text))
        except ValueError as error:
            check.fail(key, text, f"malformed braces ({error}); write a literal brace as {{{{")
        keep = (lambda s: s) if final else _escape
        out: list[str] = []
        for literal, name, spec, conversion in parsed:
            out.append(keep(literal))
            if name is None:
                continue
            if name in PLACEHOLDERS:
                out.append(keep(self._value(name, spec, conversion, language, check, key, text)))
            elif final:
                known = ", ".join(sorted(PLACEHOLDERS))
                check.fail(key, text, f"{{{name}}} is not a fact (the facts: {known})")
            else:
                out.append(_field(name, spec, conversion))
        return "".join(out)

    def _value(
        self,
        name: str,
        spec: str | None,
        conversion: str | None,
        language: str,
        check: Checker,
        key: str,
        text: str,
    ) -> str:
        if spec or conversion:
            check.fail(key, text, f"the fact {{{name}}} takes no format or conversion")
        value = self.values(language).get(name)
        if value is None:
            check.fail(key, text, self._missing(name))
        return value

    def _missing(self, name: str) -> str:
        needs = PLACEHOLDERS[name]
        if self.source is None:
            return f"{{{name}}} needs {needs[0]} of {FACTS_SOURCE}, and the shop has none"
        for need in needs:
            if need == OFFICE_HOURS and self.office_hours is None:
                return f"{{{name}}} needs handoff.office_hours in journey_map.yml, which is unset"
            if need != OFFICE_HOURS and not self.parts.has(need):
                return f"{{{name}}} needs {need} in {self.source}, which does not give it"
        return f"{{{name}}} cannot be filled"  # pragma: no cover - every need is listed above


def _render(facts: ShopFacts, language: str) -> dict[str, str]:
    parts = facts.parts
    values: dict[str, str] = {}
    for name, key in _SIMPLE.items():
        text = _simple(facts, key, language)
        if text is not None:
            values[name] = text
    wording = parts.localized.get("warranty.country_wording")
    if parts.countries and wording is not None:
        territories = locale_for(language).territories
        rules = [
            localized(wording, language).format(
                years=format_number(years, language), country=territories.get(code, code)
            )
            for code, years in parts.countries
        ]
        values["warranty_countries"] = format_list(rules, locale=locale_for(language))
    if parts.extended:
        years = [format_number(option.years, language) for option in parts.extended]
        prices = [format_amount(o.price, facts.currency, language) for o in parts.extended]
        values["extended_warranty_years"] = _either(years, language)
        values["extended_warranty_prices"] = _either(prices, language)
    hours = parts.localized.get("support.hours")
    if facts.office_hours is not None and hours is not None:
        values["support_hours"] = _support_hours(facts.office_hours, hours, language)
    return values


def _simple(facts: ShopFacts, key: str, language: str) -> str | None:
    parts = facts.parts
    if key in parts.amounts:
        return format_amount(parts.amounts[key], facts.currency, language)
    if key in parts.counts:
        return format_number(parts.counts[key], language)
    if key in parts.ranges:
        return str(parts.ranges[key])
    if key in parts.localized:
        return localized(parts.localized[key], language)
    return parts.texts.get(key)


def _either(items: list[str], language: str) -> str:
    """``1 or 2`` (``1 o 2``) in ``language``."""
    return format_list(items, style="or", locale=locale_for(language))


def _support_hours(office: OfficeHours, wording: Localized, language: str) -> str:
    days = locale_for(language).days["format"]["wide"]
    return localized(wording, language).format(
        first_day=days[office.first_day],
        last_day=days[office.last_day],
        opens=f"{office.opens.hour}:{office.opens.minute:02d}",
        closes=f"{office.closes.hour}:{office.closes.minute:02d}",
    )


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _field(name: str, spec: str | None, conversion: str | None) -> str:
    """A placeholder written back as it was (``{product}``, ``{total!s:>8}``)."""
    return (
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )
