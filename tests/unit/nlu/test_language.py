"""Language detection on chat messages the detector has never seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.language import LanguageDetector, blank_entities, samples_from
from nlu.training_data import load_training_data
from nlu.types import Entity

SHOP = Path(__file__).parent / "fixtures" / "shop"

SENTENCES = {
    "en": [
        "I would like to know when my laptop will be delivered",
        "can I pay with a credit card?",
        "the screen of my new computer is broken",
        "thanks a lot for your help",
        "do you have any discounts for students?",
    ],
    "es": [
        "quisiera saber cuándo me llega el portátil",
        "¿puedo pagar con tarjeta de crédito?",
        "la pantalla de mi ordenador nuevo está rota",
        "muchas gracias por tu ayuda",
        "¿tienen descuentos para estudiantes?",
    ],
    "it": [
        "vorrei sapere quando mi arriva il portatile",
        "posso pagare con la carta di credito?",
        "lo schermo del mio computer nuovo è rotto",
        "grazie mille per il tuo aiuto",
        "avete sconti per gli studenti?",
    ],
}
CASES = [(language, text) for language, texts in SENTENCES.items() for text in texts]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector.train(samples_from(load_training_data(SHOP).examples))


@pytest.mark.parametrize(("language", "text"), CASES)
def test_real_sentences_are_detected_with_confidence(
    detector: LanguageDetector, language: str, text: str
) -> None:
    guess = detector.detect(text)
    assert guess.language == language
    assert guess.confidence > 0.85


@pytest.mark.parametrize("text", ["ok", "XPS 13", "👍", "?", ""])
def test_short_ambiguous_texts_get_low_confidence(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).confidence < 0.5


@pytest.mark.parametrize("text", ["ok", "XPS 13", "👍"])
def test_the_customers_language_wins_when_the_text_says_nothing(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.resolve(text, "it").language == "it"


def test_a_clear_message_in_another_language_overrides_the_hint(
    detector: LanguageDetector,
) -> None:
    guess = detector.resolve("¿dónde está mi pedido? no ha llegado todavía", "it")
    assert guess.language == "es"


@pytest.mark.parametrize(("text", "language"), [("hola", "es"), ("grazie", "it"), ("thanks", "en")])
def test_single_telling_words_lean_the_right_way(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.detect(text).language == language


def test_scores_cover_every_trained_language_and_sum_to_one(detector: LanguageDetector) -> None:
    scores = detector.scores("where is my order")
    assert set(scores) == {"en", "es", "it"}
    assert sum(scores.values()) == pytest.approx(1.0)


def test_prior_only_detector_still_uses_accents_and_function_words() -> None:
    detector = LanguageDetector.prior_only()
    assert detector.detect("¿dónde está el pedido?").language == "es"
    assert detector.detect("perché il pacco non è arrivato").language == "it"


def test_blanking_entities_removes_product_names() -> None:
    text = "quanto costa il MacBook Air?"
    blanked = blank_entities(text, [Entity("product", "air", 16, 27, "MacBook Air")])
    assert blanked == "quanto costa il            ?"
