"""What the sentence encoder adds to the classifier, and the language of short messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlu.embedded import EmbeddedBackend
from nlu.embedded.encoder import SentenceEncoder, cache_file, load_encoder
from nlu.training_data import TrainingData, load_training_data
from nlu.types import FALLBACK_INTENT, EntityLookup

SHOP = Path(__file__).parent / "fixtures" / "shop"
CATALOGUE = EntityLookup("product", {"xps 13": "xps-13", "macbook air": "macbook-air-m2"})

# Paraphrases that share no telling word with the fixture examples of their intent.
ONLY_MEANING = [
    ("greet", "greetings"),
    ("goodbye", "I am off now"),
    ("ask_shipping", "what is the fee to send it to Rome"),
]


@pytest.fixture(scope="module")
def shop_data() -> TrainingData:
    return load_training_data(SHOP)


@pytest.fixture(scope="module")
def backend(shop_data: TrainingData) -> EmbeddedBackend:
    return EmbeddedBackend.train(shop_data, lookups=[CATALOGUE])


@pytest.fixture(scope="module")
def words_only(shop_data: TrainingData) -> EmbeddedBackend:
    return EmbeddedBackend.train(shop_data, lookups=[CATALOGUE], use_encoder=False)


@pytest.mark.parametrize(("intent", "text"), ONLY_MEANING)
def test_the_encoder_understands_paraphrases_words_alone_miss(
    backend: EmbeddedBackend, words_only: EmbeddedBackend, intent: str, text: str
) -> None:
    # the best-ranked intent: whether to act on it is the out-of-scope rule's business
    assert backend.parse_sync(text).intent_ranking[0].name == intent
    assert words_only.parse_sync(text).intent.name != intent


def test_a_model_without_the_encoder_still_classifies(words_only: EmbeddedBackend) -> None:
    assert not words_only.model.classifier.uses_encoder
    assert words_only.encoder is None
    assert words_only.parse_sync("how much is the XPS 13?").intent.name == "ask_price"


def test_a_saved_model_with_the_encoder_answers_the_same_after_loading(
    backend: EmbeddedBackend, tmp_path: Path
) -> None:
    backend.save(tmp_path / "model.joblib")
    loaded = EmbeddedBackend.load(tmp_path / "model.joblib", lookups=[CATALOGUE])
    for _, text in ONLY_MEANING:
        assert loaded.parse_sync(text) == backend.parse_sync(text)


@pytest.mark.parametrize(
    ("text", "hint"),
    [("ok", "it"), ("👍", "es"), ("XPS 13", "it"), ("xps13", "es"), ("ok", "en"), ("sí", "es")],
)
def test_short_messages_keep_the_conversations_language(
    backend: EmbeddedBackend, text: str, hint: str
) -> None:
    assert backend.parse_sync(text, hint).language == hint


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("¿cuánto cuesta el envío a Madrid?", "it", "es"),
        ("quanto costa la spedizione in Spagna?", "es", "it"),
        ("how much is shipping to Rome?", "es", "en"),
    ],
)
def test_a_clear_message_in_another_language_switches(
    backend: EmbeddedBackend, text: str, hint: str, language: str
) -> None:
    assert backend.parse_sync(text, hint).language == language


def test_gibberish_is_not_passed_off_as_an_intent(backend: EmbeddedBackend) -> None:
    assert backend.parse_sync("zxqv wprt mmkl").intent.name == FALLBACK_INTENT


def test_the_encoder_is_rebuilt_over_a_broken_cache_and_loads_the_same(tmp_path: Path) -> None:
    cache_file(tmp_path).write_bytes(b"garbage")
    built = load_encoder(tmp_path)  # slow: builds from the package, then keeps it
    loaded = SentenceEncoder.load(cache_file(tmp_path))
    texts = ["where is my order?", "¿dónde está mi pedido?", "I love pizza"]
    vectors = loaded.encode(texts)
    np.testing.assert_allclose(vectors, built.encode(texts), atol=1e-6)
    assert vectors.shape == (3, 512)
    # the same question in two languages is closer than another subject in the same one
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3
    assert loaded.encode([]).shape == (0, 512)
