"""The embedded backend trained on the small fixture shop: intents, fallback, entities, cache."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlu.embedded import EmbeddedBackend
from nlu.embedded.classifier import IntentClassifier
from nlu.embedded.encoder import default_encoder
from nlu.embedded.features import CompiledFeatures, PatternFeatures, build_features
from nlu.embedded.store import CACHE_PREFIX, CACHE_SUFFIX, KEEP_CACHED
from nlu.errors import NluError, TrainingDataError
from nlu.training_data import Example, RegexPattern, TrainingData, load_training_data
from nlu.types import FALLBACK_INTENT, EntityLookup

SHOP = Path(__file__).parent / "fixtures" / "shop"
CATALOGUE = EntityLookup(
    "product",
    {"macbook air": "macbook-air-m2", "xps 13": "xps-13", "thinkpad x1": "thinkpad-x1"},
)

# Paraphrases that are in none of the fixture files.
UNSEEN = [
    ("greet", "hey hello there"),
    ("greet", "hola buenos días a todos"),
    ("greet", "ciao a tutti"),
    ("goodbye", "ok bye, have a good day"),
    ("goodbye", "adiós, hasta mañana"),
    ("goodbye", "arrivederci e grazie"),
    ("ask_price", "how much does the MacBook Air cost?"),
    ("ask_price", "¿cuánto cuesta este portátil?"),
    ("ask_price", "quanto costa questo computer?"),
    ("ask_shipping", "do you deliver to Spain and how long does it take?"),
    ("ask_shipping", "¿hacen envíos a Argentina?"),
    ("ask_shipping", "fate spedizioni in Francia?"),
    ("order_status", "my order still has not arrived"),
    ("order_status", "¿dónde está mi paquete?"),
    ("order_status", "dove si trova il mio pacco?"),
    ("buy_product", "I want to buy the XPS 13 today"),
    ("buy_product", "quiero comprar este portátil"),
    ("buy_product", "voglio comprare il MacBook Air"),
]


@pytest.fixture(scope="module")
def shop_data() -> TrainingData:
    return load_training_data(SHOP)


@pytest.fixture(scope="module")
def backend(shop_data: TrainingData) -> EmbeddedBackend:
    return EmbeddedBackend.train(shop_data, lookups=[CATALOGUE])


@pytest.mark.parametrize(("intent", "text"), UNSEEN)
def test_unseen_paraphrases_get_the_right_intent(
    backend: EmbeddedBackend, intent: str, text: str
) -> None:
    result = backend.parse_sync(text)
    assert result.intent.name == intent
    assert result.intent.confidence >= 0.45


async def test_parse_is_the_async_form_of_parse_sync(backend: EmbeddedBackend) -> None:
    assert await backend.parse("where is my order", "en") == backend.parse_sync(
        "where is my order", "en"
    )


@pytest.mark.parametrize("text", ["qwerty zxcv", "lkjh asd", "zxqv wprt mmkl"])
def test_gibberish_falls_back_but_keeps_the_ranking(backend: EmbeddedBackend, text: str) -> None:
    result = backend.parse_sync(text)
    assert result.intent.name == FALLBACK_INTENT
    assert result.is_fallback
    assert result.intent_ranking[0].name in backend.intents
    assert result.intent_ranking[0].confidence < 0.45


def test_fallback_threshold_is_a_separate_setting(shop_data: TrainingData) -> None:
    strict = EmbeddedBackend.train(shop_data, threshold=0.999)
    result = strict.parse_sync("quanto costa questo computer?")
    assert (result.intent.name, result.intent.confidence) == (FALLBACK_INTENT, 0.999)
    assert result.intent_ranking[0].name == "ask_price"


def test_ranking_holds_every_intent_best_first_with_confidences_summing_to_at_most_one(
    backend: EmbeddedBackend,
) -> None:
    ranking = backend.parse_sync("how much is shipping to Rome?").intent_ranking
    assert {s.name for s in ranking} == backend.intents
    assert [s.confidence for s in ranking] == sorted((s.confidence for s in ranking), reverse=True)
    assert 0.9 < sum(s.confidence for s in ranking) <= 1.0  # the rest: "none of them"


def test_a_message_no_intent_claims_leaves_most_probability_to_none(
    backend: EmbeddedBackend,
) -> None:
    ranking = backend.parse_sync("zxqv wprt mmkl").intent_ranking
    assert sum(s.confidence for s in ranking) < 0.9


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_text_is_a_fallback_with_zero_confidence(backend: EmbeddedBackend, text: str) -> None:
    result = backend.parse_sync(text, "es")
    assert (result.intent.name, result.intent.confidence) == (FALLBACK_INTENT, 0.0)
    assert result.language == "es"
    assert result.intent_ranking == ()


def test_products_are_found_through_the_catalogue_lookup(backend: EmbeddedBackend) -> None:
    result = backend.parse_sync("how much is the macbok air?")
    assert result.intent.name == "ask_price"
    assert result.entity_values("product") == ("macbook-air-m2",)
    (entity,) = result.entities
    assert result.text[entity.start : entity.end] == "macbok air"


def test_payloads_skip_the_classifier(backend: EmbeddedBackend) -> None:
    result = backend.parse_sync('/buy_product{"product": "xps-13"}', "it")
    assert (result.intent.name, result.intent.confidence) == ("buy_product", 1.0)
    assert result.entity_values("product") == ("xps-13",)
    assert result.language == "it"


def test_language_is_detected_and_the_hint_decides_short_texts(backend: EmbeddedBackend) -> None:
    assert backend.parse_sync("¿cuánto cuesta el envío a Madrid?", "en").language == "es"
    assert backend.parse_sync("XPS 13", "it").language == "it"
    assert backend.parse_sync("ok", "es").language == "es"


def test_intents_lists_the_trained_intents(backend: EmbeddedBackend) -> None:
    assert backend.intents == {
        "greet",
        "goodbye",
        "ask_price",
        "ask_shipping",
        "order_status",
        "buy_product",
    }


def test_training_needs_two_intents() -> None:
    data = TrainingData((Example("hi", "greet", "en"), Example("hello", "greet", "en")))
    with pytest.raises(TrainingDataError, match="at least two intents"):
        EmbeddedBackend.train(data)


def test_two_intents_are_enough(shop_data: TrainingData) -> None:
    kept = tuple(e for e in shop_data.examples if e.intent in {"greet", "goodbye"})
    backend = EmbeddedBackend.train(TrainingData(kept))
    assert backend.parse_sync("see you later, bye").intent.name == "goodbye"


def test_saved_model_loads_and_answers_the_same(backend: EmbeddedBackend, tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    backend.save(path)
    loaded = EmbeddedBackend.load(path, lookups=[CATALOGUE])
    for text in ["quanto costa il macbook air?", "bye", "qwerty"]:
        assert loaded.parse_sync(text) == backend.parse_sync(text)


def test_loading_something_else_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    path.write_bytes(b"not a model")
    with pytest.raises(NluError, match="not a readable NLU model"):
        EmbeddedBackend.load(path)


def copy_shop(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHOP, tmp_path / "data"))


def cached_models(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{CACHE_PREFIX}*"))


def test_second_train_or_load_uses_the_cache(tmp_path: Path) -> None:
    data, cache = copy_shop(tmp_path), tmp_path / "cache"
    first = EmbeddedBackend.train_or_load(data, cache, lookups=[CATALOGUE])
    (model_file,) = cached_models(cache)
    written = model_file.stat().st_mtime_ns
    second = EmbeddedBackend.train_or_load(data, cache, lookups=[CATALOGUE])
    assert (first.from_cache, second.from_cache) == (False, True)
    assert model_file.stat().st_mtime_ns == written
    assert cached_models(cache) == [model_file]
    assert second.parse_sync("dove si trova il mio pacco?") == first.parse_sync(
        "dove si trova il mio pacco?"
    )


def test_changed_training_data_trains_a_new_model(tmp_path: Path) -> None:
    data, cache = copy_shop(tmp_path), tmp_path / "cache"
    EmbeddedBackend.train_or_load(data, cache)
    with (data / "en.yml").open("a", encoding="utf-8") as stream:
        stream.write("\n- intent: thanks\n  examples: |\n    - thank you\n    - thanks a lot\n")
    backend = EmbeddedBackend.train_or_load(data, cache)
    assert not backend.from_cache
    assert "thanks" in backend.intents
    assert len(cached_models(cache)) == 2


def test_only_the_newest_cached_models_are_kept(tmp_path: Path) -> None:
    data, cache = copy_shop(tmp_path), tmp_path / "cache"
    cache.mkdir()
    stale = [cache / f"{CACHE_PREFIX}old{n}{CACHE_SUFFIX}" for n in range(KEEP_CACHED)]
    for age, path in enumerate(stale):
        path.write_bytes(b"an older model")
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    unrelated = cache / "notes.txt"
    unrelated.write_text("not a model")

    EmbeddedBackend.train_or_load(data, cache)

    kept = cached_models(cache)
    assert len(kept) == KEEP_CACHED
    assert stale[0] not in kept  # the oldest went
    assert unrelated.exists()


def test_broken_cache_file_is_retrained_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data, cache = copy_shop(tmp_path), tmp_path / "cache"
    EmbeddedBackend.train_or_load(data, cache)
    (model_file,) = cached_models(cache)
    model_file.write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING, logger="nlu.embedded.backend"):
        backend = EmbeddedBackend.train_or_load(data, cache)
    assert not backend.from_cache
    assert "retraining" in caplog.text
    assert EmbeddedBackend.train_or_load(data, cache).from_cache
    assert not list(cache.glob("*.tmp"))


def test_compiled_features_equal_scikit_learn_features(shop_data: TrainingData) -> None:
    texts = [e.text for e in shop_data.examples] + ["something never seen", "¿¿??", ""]
    union = build_features([RegexPattern("order", r"\d{5}")]).fit(texts)
    compiled = CompiledFeatures.from_fitted(union)
    expected = union.transform(texts).toarray()
    for text, row in zip(texts, expected, strict=True):
        indices, values = compiled.sparse_row(text)
        actual = np.zeros(compiled.size)
        actual[indices] = values
        np.testing.assert_allclose(actual, row, atol=1e-12)


def test_regex_blocks_become_binary_features() -> None:
    features = PatternFeatures([r"\b[A-Z]{2}\d{6}\b"]).fit(["x"])
    assert features.transform(["order AB123456", "order 42"]).toarray().tolist() == [[1.0], [0.0]]


def test_training_is_deterministic(shop_data: TrainingData) -> None:
    encoder = default_encoder()
    one = IntentClassifier.train(shop_data, encoder=encoder)
    two = IntentClassifier.train(
        TrainingData(tuple(reversed(shop_data.examples)), sources=shop_data.sources),
        encoder=encoder,
    )
    for text in ["where is my parcel", "greetings", "I am off now"]:
        assert one.rank(text, None, encoder) == two.rank(text, None, encoder)
