"""How warm or cross customers' messages sound, in English, Spanish and Italian."""

from __future__ import annotations

import pytest

from journeys.sentiment import score


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Perfect, thank you so much!", "en"),
        ("I love it, delivery was really fast", "en"),
        ("¡Genial! Llegó rapidísimo, muchas gracias", "es"),
        ("Ottimo prodotto, grazie mille", "it"),
        ("Consegna velocissima, sono molto soddisfatto", "it"),
    ],
)
def test_a_happy_customer_scores_positive(text: str, language: str) -> None:
    assert score(text, language) > 0.3


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The laptop arrived broken and two weeks late", "en"),
        ("Useless support, this is terrible", "en"),
        ("El pedido llegó tarde y roto, fatal", "es"),
        ("Il pacco è arrivato in ritardo e rotto", "it"),
        ("Assistenza pessima, che schifo", "it"),
    ],
)
def test_an_unhappy_customer_scores_negative(text: str, language: str) -> None:
    assert score(text, language) < -0.3


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("not good", "en"),
        ("the charger doesn't work", "en"),
        ("no es bueno", "es"),
        ("no funciona bien", "es"),
        ("non è buono", "it"),
        ("never happy with the courier", "en"),
    ],
)
def test_negation_turns_praise_into_complaint(text: str, language: str) -> None:
    assert score(text, language) < 0


@pytest.mark.parametrize(
    ("negated", "complaint", "language"),
    [("not bad at all", "bad", "en"), ("no está mal", "mal", "es"), ("non è male", "male", "it")],
)
def test_a_negated_complaint_reads_as_faint_praise(
    negated: str, complaint: str, language: str
) -> None:
    """Negation turns the word round and softens it, as VADER does."""
    assert 0 < score(negated, language) < -score(complaint, language)


@pytest.mark.parametrize(
    ("plain", "stronger", "language"),
    [
        ("good", "very good", "en"),
        ("bueno", "muy bueno", "es"),
        ("bene", "molto bene", "it"),
        ("great service", "great service!!!", "en"),
        ("terrible service", "TERRIBLE service", "en"),
        ("servizio pessimo", "servizio pessimo!!!", "it"),
    ],
)
def test_emphasis_makes_the_score_more_extreme(plain: str, stronger: str, language: str) -> None:
    assert abs(score(stronger, language)) > abs(score(plain, language))
    assert (score(stronger, language) > 0) == (score(plain, language) > 0)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how much is the XPS 13?", "en"),
        ("¿cuánto cuesta?", "es"),
        ("quanto costa?", "it"),
        ("¿Pueden entregarlo por la tarde?", "es"),
        ("", "en"),
        ("!!!", "en"),
    ],
)
def test_a_neutral_question_scores_zero(text: str, language: str) -> None:
    assert score(text, language) == 0.0


@pytest.mark.parametrize(
    ("text", "positive"),
    [("👍", True), ("thanks ❤️", True), ("👎", False), ("still waiting 😡", False)],
)
def test_emoji_count(text: str, positive: bool) -> None:
    assert (score(text, "en") > 0) is positive


def test_emoji_strengthen_the_words_beside_them() -> None:
    assert score("the box arrived damaged 😞", "en") < score("the box arrived damaged", "en")


def test_an_unknown_language_reads_as_english() -> None:
    assert score("terrible, broken", "fr") == score("terrible, broken", "en") < 0


@pytest.mark.parametrize(
    "text",
    [
        "PERFECT PERFECT PERFECT amazing love love love!!!!!!!! 😍😍😍😍",
        "TERRIBLE AWFUL USELESS scam, worst ever, NEVER AGAIN!!!!!! 😡😡😡👎👎",
    ],
)
def test_the_score_never_leaves_minus_one_to_one(text: str) -> None:
    assert -1.0 <= score(text, "en") <= 1.0
    assert abs(score(text, "en")) > 0.9
