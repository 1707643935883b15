"""FallbackBackend: the second backend answers while the first is unavailable, counted."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import CollectorRegistry

from nlu.fallback_backend import FallbackBackend, fallback_counter
from tests.fakes import FakeNluBackend

PRIMARY = {"price": "ask_price", "order": "order_status"}
SECONDARY = {"price": "ask_price", "hello": "greet"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


def fallbacks(registry: CollectorRegistry) -> float:
    value = registry.get_sample_value("journeybot_nlu_fallbacks_total", {"backend": "rasa"})
    return value or 0.0


def make(
    registry: CollectorRegistry, *, primary_up: bool = True, secondary_up: bool = True
) -> tuple[FallbackBackend, FakeNluBackend, FakeNluBackend, Clock]:
    primary = FakeNluBackend(PRIMARY, available=primary_up)
    secondary = FakeNluBackend(SECONDARY, available=secondary_up)
    clock = Clock()
    backend = FallbackBackend(
        primary, secondary, counter=fallback_counter(registry), cooldown=10.0, clock=clock
    )
    return backend, primary, secondary, clock


async def test_the_primary_answers_while_it_is_up(registry: CollectorRegistry) -> None:
    backend, _, secondary, _ = make(registry)
    result = await backend.parse("how much is the price?")
    assert (result.intent.name, result.backend, result.available) == ("ask_price", "rasa", True)
    assert secondary.calls == []
    assert fallbacks(registry) == 0


async def test_an_outage_is_answered_by_the_secondary_logged_and_counted(
    registry: CollectorRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    backend, _, _, _ = make(registry, primary_up=False)
    with caplog.at_level(logging.WARNING, logger="nlu.fallback_backend"):
        result = await backend.parse("hello there", "en")
    assert (result.intent.name, result.backend, result.available) == ("greet", "embedded", True)
    assert "rasa unavailable (fake outage); embedded answers instead" in caplog.text
    assert fallbacks(registry) == 1


async def test_a_failed_primary_is_left_alone_for_the_cooldown_then_retried(
    registry: CollectorRegistry,
) -> None:
    backend, primary, _, clock = make(registry, primary_up=False)
    await backend.parse("where is my order")
    clock.now += 5
    during = await backend.parse("where is my order")
    assert len(primary.calls) == 1
    assert during.backend == "embedded"
    primary.available = True
    clock.now += 6
    after = await backend.parse("where is my order")
    assert (after.intent.name, after.backend) == ("order_status", "rasa")
    assert len(primary.calls) == 2
    assert fallbacks(registry) == 2


async def test_when_both_are_down_the_answer_says_so(registry: CollectorRegistry) -> None:
    backend, _, _, _ = make(registry, primary_up=False, secondary_up=False)
    result = await backend.parse("how much is it?")
    assert not result.available
    assert result.is_fallback
    assert result.backend == "embedded"
    assert fallbacks(registry) == 1


async def test_it_knows_the_intents_of_both(registry: CollectorRegistry) -> None:
    backend, _, _, _ = make(registry)
    assert backend.intents == {"ask_price", "order_status", "greet"}


async def test_aclose_closes_the_backends_that_hold_connections(
    registry: CollectorRegistry,
) -> None:
    closed: list[str] = []

    class Closing(FakeNluBackend):
        async def aclose(self) -> None:
            closed.append("primary")

    backend = FallbackBackend(
        Closing(PRIMARY), FakeNluBackend(SECONDARY), counter=fallback_counter(registry)
    )
    await backend.aclose()
    assert closed == ["primary"]
