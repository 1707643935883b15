"""Scores typed in answer to the satisfaction question, in English, Spanish and Italian."""

from __future__ import annotations

import pytest

from journeys.csat import TypedScore, read_score, says_reviewed


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5), ("4/5", 4), ("3 out of 5", 3), ("4 stars", 4), ("I'd say 4", 4),
        ("★★★★", 4), ("⭐⭐⭐⭐⭐", 5), ("1", 1),
        ("terrible", 1), ("Awful!", 1), ("not good", 2), ("ok", 3), ("good", 4),
        ("very good", 4), ("excellent", 5), ("5, thanks!", 5),
        ("muy bien", 4), ("pésimo", 1), ("no muy bien", 2), ("regular", 3), ("excelente", 5),
        ("un 4", 4), ("2 estrellas", 2), ("de diez", 5),
        ("ottimo", 5), ("così così", 3), ("non male", 3), ("molto bene grazie", 4),
        ("pessimo", 1), ("voto 5", 5), ("deludente", 2),
    ],
)  # fmt: skip
def test_a_typed_score_is_read(text: str, score: int) -> None:
    assert read_score(text) == TypedScore(score)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("terrible, the screen arrived broken", TypedScore(1, "the screen arrived broken")),
        ("2 estrellas, llegó tarde", TypedScore(2, "llegó tarde")),
        ("Ottimo! consegna velocissima", TypedScore(5, "consegna velocissima")),
        ("4 but the box was damaged", TypedScore(4, "but the box was damaged")),
    ],
)
def test_a_comment_after_the_score_is_kept_with_it(text: str, expected: TypedScore) -> None:
    assert read_score(text) == expected


@pytest.mark.parametrize(
    "text",
    ["how much is the XPS 13?", "good morning", "10", "0", "4.5", "6 stars", "where is order 4",
     "¿cuánto cuesta?", "bene o male arriva domani?", "hello"],
)  # fmt: skip
def test_other_messages_are_not_scores(text: str) -> None:
    assert read_score(text) is None


@pytest.mark.parametrize(
    ("text", "reviewed"),
    [
        ("I left you a review on Google", True),
        ("I just posted a review", True),
        ("I gave you 5 stars", True),
        ("ya os he dejado una reseña", True),
        ("os dejé 5 estrellas", True),
        ("ho lasciato una recensione", True),
        ("I'd like to leave a review", False),
        ("¿dónde puedo dejar una opinión?", False),
        ("dove posso lasciare una recensione?", False),
    ],
)
def test_saying_a_review_was_left_is_told_from_wanting_to(text: str, reviewed: bool) -> None:
    assert says_reviewed(text) is reviewed
