"""The out-of-scope rule: chosen from the training data alone and stored with the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded import DEFAULT_THRESHOLD, EmbeddedBackend
from nlu.embedded.scope import RejectionRule
from nlu.training_data import Example, TrainingData, load_training_data
from nlu.types import FALLBACK_INTENT

SHOP = Path(__file__).parent / "fixtures" / "shop"
OFF_TOPIC = [
    "who won the football match last night",
    "can you book me a flight to Lisbon",
    "what's the capital of Australia",
    "give me a recipe for lasagne",
    "do you repair washing machines",
]
IN_SCOPE = ["where is my order?", "how much is shipping to Spain?", "hello there"]


@pytest.fixture(scope="module")
def shop_data() -> TrainingData:
    return load_training_data(SHOP)


@pytest.fixture(scope="module")
def backend(shop_data: TrainingData) -> EmbeddedBackend:
    return EmbeddedBackend.train(shop_data)


def _answers(backend: EmbeddedBackend, texts: list[str]) -> list[str]:
    return [backend.parse_sync(text).intent.name for text in texts]


def test_the_rule_is_chosen_by_holding_whole_intents_out(backend: EmbeddedBackend) -> None:
    rule = backend.rule
    assert rule.kind == "scope"
    assert 0.0 < rule.threshold < 1.0
    assert "whole intents held out" in rule.describe()


def test_off_topic_messages_fall_back_and_shop_questions_do_not(
    backend: EmbeddedBackend,
) -> None:
    assert _answers(backend, OFF_TOPIC) == [FALLBACK_INTENT] * len(OFF_TOPIC)
    assert FALLBACK_INTENT not in _answers(backend, IN_SCOPE)


def test_the_chosen_rule_rejects_what_the_old_default_answered(
    backend: EmbeddedBackend,
) -> None:
    old = EmbeddedBackend(backend.model, threshold=DEFAULT_THRESHOLD)
    assert _answers(old, OFF_TOPIC).count(FALLBACK_INTENT) < len(OFF_TOPIC)


def test_the_rule_is_saved_with_the_model(backend: EmbeddedBackend, tmp_path: Path) -> None:
    backend.save(tmp_path / "model.joblib")
    loaded = EmbeddedBackend.load(tmp_path / "model.joblib")
    assert loaded.rule.describe() == backend.rule.describe()
    assert _answers(loaded, OFF_TOPIC + IN_SCOPE) == _answers(backend, OFF_TOPIC + IN_SCOPE)


def test_a_threshold_overrides_the_models_rule(backend: EmbeddedBackend) -> None:
    lenient = EmbeddedBackend(backend.model, threshold=0.0)
    assert lenient.rule.kind == "confidence"
    assert "JOURNEYBOT_NLU_THRESHOLD" in lenient.rule.describe()
    assert FALLBACK_INTENT not in _answers(lenient, OFF_TOPIC)


def test_an_intent_with_a_single_example_still_trains(shop_data: TrainingData) -> None:
    single = Example("could you gift-wrap it for me", "gift_wrap", "en")
    data = TrainingData((*shop_data.examples, single))
    backend = EmbeddedBackend.train(data)
    assert "gift_wrap" in backend.intents
    assert backend.rule.kind == "scope"
    assert backend.parse_sync("where is my order?").intent.name == "order_status"


def test_two_examples_per_intent_keep_the_default_and_say_why(
    shop_data: TrainingData,
) -> None:
    kept: dict[str, list[Example]] = {}
    for example in shop_data.examples:
        if example.language == "en" and len(kept.setdefault(example.intent, [])) < 2:
            kept[example.intent].append(example)
    data = TrainingData(tuple(e for pair in kept.values() for e in pair))
    backend = EmbeddedBackend.train(data)
    rule = backend.rule
    assert (rule.kind, rule.threshold) == ("confidence", DEFAULT_THRESHOLD)
    assert rule.how.startswith("default;")
    assert "needed on each side" in rule.how
    assert backend.parse_sync("hello").intent_ranking


def test_too_few_intents_to_hold_any_out_keep_the_default(shop_data: TrainingData) -> None:
    intents = sorted(shop_data.intents)[:3]
    data = TrainingData(tuple(e for e in shop_data.examples if e.intent in intents))
    rule = EmbeddedBackend.train(data).rule
    assert rule.kind == "confidence"
    assert "3 intents" in rule.how and "at least 4" in rule.how


def test_a_rule_refuses_impossible_thresholds() -> None:
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        RejectionRule("confidence", 1.5, "typed by hand")
    with pytest.raises(ValueError, match="scope model"):
        RejectionRule("scope", 0.5, "no model")


def test_a_model_file_of_an_older_format_is_refused_with_a_retrain_hint(
    backend: EmbeddedBackend, tmp_path: Path
) -> None:
    import joblib

    from nlu.embedded.store import load_model
    from nlu.errors import NluError

    model = backend.model

    class Older:
        """Pickles as a model written before its last fields existed (format 2)."""

        def __reduce__(self) -> tuple[object, ...]:
            state = [model.fingerprint, model.classifier, model.detector, model.entity_data]
            return (object.__new__, (type(model),), [*state, model.sklearn_version])

    joblib.dump(Older(), tmp_path / "old.joblib")
    with pytest.raises(NluError, match="retrain it"):
        load_model(tmp_path / "old.joblib")


def test_a_scope_rule_never_turns_away_what_it_is_nine_times_in_ten_sure_of(
    backend: EmbeddedBackend,
) -> None:
    from nlu.embedded.scope_search import scope_ceiling

    assert scope_ceiling(0.25, 0.9) == pytest.approx(0.75)
    assert scope_ceiling(0.5, 0.9) == pytest.approx(0.9)
    assert backend.rule.threshold <= scope_ceiling()
