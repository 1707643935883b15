"""Button payloads in Rasa's syntax are understood without a classifier."""

from __future__ import annotations

import logging

import pytest

from nlu.payload import parse_payload

INTENTS = frozenset({"greet", "ask_price", "faq/shipping"})


def test_bare_payload_names_its_intent_with_full_confidence() -> None:
    result = parse_payload("/greet", INTENTS, "es")
    assert result is not None
    assert (result.intent.name, result.intent.confidence) == ("greet", 1.0)
    assert result.language == "es"
    assert result.entities == ()
    assert not result.is_fallback


def test_payload_entities_become_entities() -> None:
    text = '/ask_price{"product": "xps-13"}'
    result = parse_payload(text, INTENTS, "en")
    assert result is not None
    assert result.intent.name == "ask_price"
    assert result.entity_values("product") == ("xps-13",)
    (entity,) = result.entities
    assert text[entity.start : entity.end] == '{"product": "xps-13"}'


def test_list_values_give_one_entity_each_and_numbers_become_text() -> None:
    result = parse_payload('/ask_price{"product": ["xps-13", "air-m2"], "qty": 2}', INTENTS, "en")
    assert result is not None
    assert result.entity_values("product") == ("xps-13", "air-m2")
    assert result.entity_values("qty") == ("2",)


def test_retrieval_intents_and_explicit_confidence_are_understood() -> None:
    result = parse_payload("/faq/shipping@0.8", INTENTS, "en")
    assert result is not None
    assert (result.intent.name, result.intent.confidence) == ("faq/shipping", 0.8)


@pytest.mark.parametrize(
    "text",
    ["/unknown_intent", "greet", "how much is /greet", "/", "/greet please", "hello /greet"],
)
def test_text_that_is_not_a_known_payload_is_left_to_the_classifier(text: str) -> None:
    assert parse_payload(text, INTENTS, "en") is None


def test_malformed_entity_json_keeps_the_intent_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="nlu.payload"):
        result = parse_payload('/ask_price{"product": xps}', INTENTS, "en")
    assert result is not None
    assert result.intent.name == "ask_price"
    assert result.entities == ()
    assert "malformed entities" in caplog.text
