"""The journey map: what a valid file gives, and what a wrong one is refused with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest

from journeys.errors import JourneyMapError
from journeys.journey_map import JourneyMap
from journeys.policies import parse_duration
from tests.unit.journeys.content import journey_map_data


def test_a_valid_map_keeps_the_stage_order_and_the_signals_of_each_stage() -> None:
    journey_map = JourneyMap.from_mapping(journey_map_data())

    assert journey_map.stage_names == (
        "awareness",
        "consideration",
        "purchase",
        "retention",
        "advocacy",
    )
    assert journey_map.initial_stage == "awareness"
    assert journey_map.stage_for_signal("ask_price") == "consideration"
    assert journey_map.stage_for_signal("checkout_started") == "purchase"
    assert journey_map.stage_for_signal("greet") is None
    assert journey_map.is_purchase_signal("order_placed")
    assert not journey_map.is_purchase_signal("cart_updated")
    assert journey_map.stage("retention").requires_purchase
    assert "cart_updated" in journey_map.events
    assert {"greet", "ask_price", "praise"} <= journey_map.intents


def test_cadences_and_policies_are_parsed_into_values() -> None:
    journey_map = JourneyMap.from_mapping(journey_map_data())

    cart = journey_map.follow_up("cart_recovery")
    assert cart is not None
    assert cart.delays == (timedelta(hours=1), timedelta(hours=24), timedelta(hours=72))
    assert journey_map.policies.max_proactive_per_week == 3
    assert journey_map.reviews.policy == "invite_all"
    assert journey_map.reviews.min_interval == timedelta(days=30)
    assert journey_map.fallback.hand_off_after == 2
    assert journey_map.handoff.expected_wait == timedelta(minutes=15)
    quiet = journey_map.policies.quiet_hours
    assert quiet is not None
    assert quiet.contains(time(23, 30))
    assert quiet.contains(time(8, 59))
    assert not quiet.contains(time(9, 0))
    assert not quiet.contains(time(14, 0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90m", timedelta(minutes=90)), ("1h", timedelta(hours=1)), ("3d", timedelta(days=3))],
)
def test_durations_accept_minutes_hours_days(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["3x", "0h", "h", "1.5h", 3, ""])
def test_durations_refuse_anything_else(text: Any) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to a mapping: ``stages[1].intents`` style path → value."""

    def change(data: dict[str, Any]) -> None:
        target: Any = data
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        target[int(last) if last.isdigit() else last] = value

    return change


def _without_purchase_signals(data: dict[str, Any]) -> None:
    del data["purchase_signals"]


BAD_MAPS = [
    ("unknown initial stage", _set("initial_stage", "onboarding"), "initial_stage", "onboarding"),
    (
        "initial stage needs a purchase",
        _set("initial_stage", "retention"),
        "initial_stage",
        "retention",
    ),
    (
        "new cycle from an unknown stage",
        _set("repeat_cycle_from", "evaluation"),
        "repeat_cycle_from",
        "evaluation",
    ),
    (
        "intent in two stages",
        _set("stages.3.intents", ["order_status", "change_order", "ask_price"]),
        "stages.retention.intents[2]",
        "ask_price",
    ),
    (
        "general intent also in a stage",
        _set("stages.0.intents", ["browse_products", "greet"]),
        "stages.awareness.intents[1]",
        "greet",
    ),
    (
        "bad duration",
        _set("follow_ups.cart_recovery", ["1h", "3x"]),
        "follow_ups.cart_recovery[1]",
        "3x",
    ),
    (
        "shrinking cadence",
        _set("follow_ups.cart_recovery", ["24h", "1h"]),
        "follow_ups.cart_recovery[1]",
        "1h",
    ),
    ("bad quiet hours", _set("policies.quiet_hours", "21-9"), "policies.quiet_hours", "21-9"),
    (
        "quiet hours out of range",
        _set("policies.quiet_hours", "25:00-09:00"),
        "policies.quiet_hours",
        "25:00-09:00",
    ),
    (
        "unknown review policy",
        _set("reviews.policy", "sometimes"),
        "reviews.policy",
        "sometimes",
    ),
    (
        "bad review interval",
        _set("reviews.min_interval", "a month"),
        "reviews.min_interval",
        "a month",
    ),
    (
        "review url not a url",
        _set("reviews.review_url", "trustpilot"),
        "reviews.review_url",
        "trustpilot",
    ),
    (
        "referral url without its code",
        _set("reviews.referral_url", "https://shop.example/invite"),
        "reviews.referral_url",
        "https://shop.example/invite",
    ),
    (
        "negative cap",
        _set("policies.max_proactive_per_week", -1),
        "policies.max_proactive_per_week",
        -1,
    ),
    (
        "unknown time zone",
        _set("policies.timezone", "Mars/Olympus"),
        "policies.timezone",
        "Mars/Olympus",
    ),
    (
        "coupon without a code",
        _set("policies.coupon", {"min_total": 10}),
        "policies.coupon.code",
        None,
    ),
    (
        "negative coupon minimum",
        _set("policies.coupon", {"code": "X", "min_total": -5}),
        "policies.coupon.min_total",
        -5,
    ),
    ("unknown top key", _set("stage", []), "stage", "stage"),
    ("unknown stage key", _set("stages.2.intent", []), "stages.purchase.intent", "intent"),
    (
        "flag not a boolean",
        _set("stages.4.requires_purchase", "yes"),
        "stages.advocacy.requires_purchase",
        "yes",
    ),
    (
        "stage needing a purchase nobody can make",
        _without_purchase_signals,
        "stages.retention.requires_purchase",
        True,
    ),
    (
        "unknown purchase signal",
        _set("purchase_signals", ["order_paid"]),
        "purchase_signals[0]",
        "order_paid",
    ),
    ("default language not offered", _set("default_language", "de"), "default_language", "de"),
    ("no stages", _set("stages", []), "stages", []),
    ("stage without a name", _set("stages.1.name", ""), "stages[1].name", ""),
    ("stage twice", _set("stages.1.name", "awareness"), "stages[1].name", "awareness"),
    ("fallback never", _set("fallback.hand_off_after", 0), "fallback.hand_off_after", 0),
    (
        "office hours backwards",
        _set("handoff.office_hours", "Mon-Fri 18:00-09:00"),
        "handoff.office_hours",
        "Mon-Fri 18:00-09:00",
    ),
    ("wait not a duration", _set("handoff.expected_wait", "soon"), "handoff.expected_wait", "soon"),
]


@pytest.mark.parametrize(
    ("change", "key", "value"), [case[1:] for case in BAD_MAPS], ids=[case[0] for case in BAD_MAPS]
)
def test_a_bad_map_is_refused_naming_file_key_and_value(
    change: Callable[[dict[str, Any]], None], key: str, value: Any
) -> None:
    data = journey_map_data()
    change(data)

    with pytest.raises(JourneyMapError) as caught:
        JourneyMap.from_mapping(data, source="shops/acme/journey_map.yml")

    error = caught.value
    assert (error.source, error.key, error.value) == ("shops/acme/journey_map.yml", key, value)
    assert str(error).startswith(f"shops/acme/journey_map.yml: {key}: ")
    assert repr(value) in str(error)


def test_a_map_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(
        JourneyMapError, match=r"journey_map.yml: \(top level\): expected a mapping"
    ):
        JourneyMap.from_mapping(["awareness"])


def test_a_business_can_declare_its_own_stages() -> None:
    data = {
        "initial_stage": "discover",
        "stages": [
            {"name": "discover", "description": "Finding us", "intents": ["ask_menu"]},
            {"name": "book", "description": "Booking a table", "events": ["booking_made"]},
            {"name": "return", "description": "Coming back", "requires_purchase": True},
        ],
        "purchase_signals": ["booking_made"],
    }

    journey_map = JourneyMap.from_mapping(data)

    assert journey_map.stage_names == ("discover", "book", "return")
    assert journey_map.stage_for_signal("booking_made") == "book"
    assert journey_map.default_language == "en"
