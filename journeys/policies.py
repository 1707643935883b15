"""Follow-up cadences and proactive-message policies declared in the journey map.

These are data for the recovery logic: the journey map parses and validates
them (``read_follow_ups``, ``read_policies``) so a bad cadence or window is refused when the
file loads, not when the first follow-up is due.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journeys.checks import Checker

_POLICY_KEYS = (
    "timezone", "quiet_hours", "max_proactive_per_week", "max_proactive_per_day",
    "coupon",
)  # fmt: skip
_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_QUIET_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class FollowUpCadence:
    """The delays, counted from the triggering moment, of one kind of follow-up."""

    kind: str
    delays: tuple[timedelta, ...]


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window with no proactive messages; may wrap midnight (21:00-09:00)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """True when ``moment`` (local time of day) falls inside the window."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True, slots=True)
class Coupon:
    """A code the last cart reminder may offer, for carts of at least ``min_total``."""

    code: str
    min_total: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Policies:
    """Limits on proactive messages and the last reminder's coupon."""

    timezone: str = "UTC"
    quiet_hours: QuietHours | None = None
    max_proactive_per_week: int | None = None
    max_proactive_per_day: int | None = None
    coupon: Coupon | None = None


def parse_duration(text: Any) -> timedelta:
    """``"90m"``, ``"1h"``, ``"3d"``, ``"2w"`` → timedelta; ValueError for anything else."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def read_durations(
    check: Checker, raw: Mapping[str, Any], keys: tuple[str, ...], section: str
) -> dict[str, timedelta]:
    """The durations under ``keys`` that ``raw`` (the ``section`` of the map) sets."""
    durations: dict[str, timedelta] = {}
    for key in keys:
        if key in raw:
            try:
                durations[key] = parse_duration(raw[key])
            except ValueError:
                check.fail(
                    f"{section}.{key}", raw[key], "expected a duration such as 10m, 1h or 7d"
                )
    return durations


def read_amount(check: Checker, value: Any, key: str) -> Decimal:
    """An amount of money ≥ 0."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        check.fail(key, value, "expected an amount ≥ 0")
    return amount


def read_follow_ups(check: Checker, value: Any) -> tuple[FollowUpCadence, ...]:
    """Validate ``follow_ups``: kind → list of growing durations."""
    if value is None:
        return ()
    cadences: list[FollowUpCadence] = []
    for kind, raw in check.check_mapping(value, "follow_ups").items():
        check.check_name(kind, f"follow_ups.{kind}")
        delays: list[timedelta] = []
        for i, item in enumerate(check.check_list(raw, f"follow_ups.{kind}")):
            key = f"follow_ups.{kind}[{i}]"
            try:
                delay = parse_duration(item)
            except ValueError:
                check.fail(key, item, "expected a duration such as 30m, 1h, 3d or 2w")
            if delays and delay <= delays[-1]:
                check.fail(key, item, "delays must grow: each one later than the previous")
            delays.append(delay)
        cadences.append(FollowUpCadence(kind=kind, delays=tuple(delays)))
    return tuple(cadences)


def read_policies(check: Checker, value: Any) -> Policies:
    """Validate ``policies`` (every key optional)."""
    if value is None:
        return Policies()
    raw = check.check_mapping(value, "policies")
    check.check_keys(raw, _POLICY_KEYS, "policies.")
    quiet, coupon = raw.get("quiet_hours"), raw.get("coupon")
    return Policies(
        timezone=_read_timezone(check, raw.get("timezone", "UTC")),
        quiet_hours=None if quiet is None else _read_quiet_hours(check, quiet),
        max_proactive_per_week=_read_cap(check, raw, "max_proactive_per_week"),
        max_proactive_per_day=_read_cap(check, raw, "max_proactive_per_day"),
        coupon=None if coupon is None else _read_coupon(check, coupon),
    )


def _read_cap(check: Checker, raw: Mapping[str, Any], name: str) -> int | None:
    value = raw.get(name)
    return None if value is None else check.check_int(value, f"policies.{name}")


def _read_timezone(check: Checker, value: Any) -> str:
    name = check.check_text(value, "policies.timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        check.fail("policies.timezone", value, "expected a time zone such as 'Europe/Rome'")
    return name


def _read_coupon(check: Checker, value: Any) -> Coupon:
    raw = check.check_mapping(value, "policies.coupon")
    check.check_keys(raw, ("code", "min_total"), "policies.coupon.")
    code = check.check_text(raw.get("code"), "policies.coupon.code")
    return Coupon(code, read_amount(check, raw.get("min_total", 0), "policies.coupon.min_total"))


def _read_quiet_hours(check: Checker, value: Any) -> QuietHours:
    key = "policies.quiet_hours"
    match = _QUIET_HOURS.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        check.fail(key, value, "expected a window such as '21:00-09:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        check.fail(key, value, "expected two different times of day between 00:00 and 23:59")
    return QuietHours(start=time(h1, m1), end=time(h2, m2))
