"""The journey map's ``handoff`` section: office hours, the expected wait, when to nudge.

``office_hours`` is ``"Mon-Fri 09:00-18:00"`` in the shop's time zone (unset: people answer
at any time); ``expected_wait`` is what the customer is told; ``unclaimed_update_after`` is
when a customer nobody has claimed gets a polite update; ``high_value_cart`` is the cart total
from which a stalled cart also goes to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from journeys.checks import Checker
from journeys.policies import read_amount, read_durations

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OFFICE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)-(mon|tue|wed|thu|fri|sat|sun)\s+"
                     r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")  # fmt: skip
_KEYS = ("office_hours", "expected_wait", "unclaimed_update_after", "high_value_cart")


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The days (0 = Monday) and the hours a person can answer, in the shop's time zone."""

    first_day: int
    last_day: int
    opens: time
    closes: time

    def contains(self, local: datetime) -> bool:
        """True when ``local`` (the shop's wall-clock time) is inside office hours."""
        day = local.weekday()
        days = (
            self.first_day <= day <= self.last_day
            if self.first_day <= self.last_day
            else day >= self.first_day or day <= self.last_day
        )
        return days and self.opens <= local.time().replace(tzinfo=None) < self.closes


@dataclass(frozen=True, slots=True)
class HandoffSettings:
    """The ``handoff`` section of the journey map."""

    office_hours: OfficeHours | None = None
    """None: a person may answer at any time."""
    expected_wait: timedelta = timedelta(minutes=15)
    unclaimed_update_after: timedelta = timedelta(minutes=10)
    high_value_cart: Decimal | None = None


def read_handoff(check: Checker, value: Any) -> HandoffSettings:
    """Validate the ``handoff`` section (every key optional)."""
    if value is None:
        return HandoffSettings()
    raw = check.check_mapping(value, "handoff")
    check.check_keys(raw, _KEYS, "handoff.")
    durations = read_durations(check, raw, ("expected_wait", "unclaimed_update_after"), "handoff")
    cart = None
    if "high_value_cart" in raw:
        cart = read_amount(check, raw["high_value_cart"], "handoff.high_value_cart")
    hours = raw.get("office_hours")
    office = None if hours is None else _read_office_hours(check, hours)
    return HandoffSettings(office_hours=office, high_value_cart=cart, **durations)


def _read_office_hours(check: Checker, value: Any) -> OfficeHours:
    match = _OFFICE.match(value.strip().lower()) if isinstance(value, str) else None
    if match is None:
        check.fail(
            "handoff.office_hours", value, "expected days and hours such as 'Mon-Fri 09:00-18:00'"
        )
    first, last, h1, m1, h2, m2 = match.groups()
    opens, closes = (int(h1), int(m1)), (int(h2), int(m2))
    if max(opens[0], closes[0]) > 23 or max(opens[1], closes[1]) > 59 or opens >= closes:
        check.fail(
            "handoff.office_hours", value, "expected an opening time before the closing time"
        )
    return OfficeHours(_DAYS.index(first), _DAYS.index(last), time(*opens), time(*closes))
