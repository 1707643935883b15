"""Reading a satisfaction score from what the customer typed, in English, Spanish and Italian.

``read_score`` accepts a digit from 1 to 5 ("5", "4/5", "4 stars", "un 4", "voto 5"), one to
five stars ("★★★★", "⭐⭐⭐⭐⭐") or a word or phrase ("terrible", "muy bien", "ottimo", "not
good", "così così"), alone or at the start of the message followed by a comment ("terrible,
the screen arrived broken"). Anything else is not a score, so a question typed while a
score is awaited is answered as usual.

``says_reviewed`` tells "I left you a review" from "I'd like to leave a review".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeys.text import Phrase, fold

MIN_SCORE, MAX_SCORE = 1, 5

_SCORE_WORDS: dict[int, tuple[str, ...]] = {
    1: ("terrible", "awful", "horrible", "very bad", "the worst", "worst", "pesimo", "fatal",
        "malisimo", "muy mal", "muy malo", "un desastre", "terribile", "pessimo", "orribile",
        "molto male", "malissimo", "uno schifo", "disastroso", "un disastro"),
    2: ("bad", "poor", "not good", "not great", "disappointing", "mal", "malo", "no muy bien",
        "no bien", "decepcionante", "male", "non bene", "non molto bene", "scarso",
        "deludente"),
    3: ("ok", "okay", "average", "fine", "so so", "meh", "not bad", "regular", "normal",
        "asi asi", "mas o menos", "correcto", "no esta mal", "cosi cosi", "normale", "discreto",
        "non male", "nella media"),
    4: ("good", "very good", "pretty good", "quite good", "bien", "bueno", "muy bien",
        "muy bueno", "bastante bien", "bene", "buono", "molto bene", "abbastanza bene"),
    5: ("great", "excellent", "amazing", "perfect", "fantastic", "awesome", "superb",
        "outstanding", "love it", "excelente", "genial", "perfecto", "fantastico", "estupendo",
        "increible", "de diez", "ottimo", "eccellente", "perfetto", "benissimo", "stupendo",
        "splendido"),
}  # fmt: skip
_PHRASES = sorted(
    ((tuple(text.split()), score) for score, texts in _SCORE_WORDS.items() for text in texts),
    key=lambda pair: -len(pair[0]),
)
_LEAD = frozenset((
    "i", "d", "say", "it", "was", "its", "is", "a", "an", "the", "un", "una", "uno", "el",
    "la", "il", "lo", "me", "my", "mi", "rating", "score", "voto", "nota", "punteggio",
    "puntuacion", "puntaje", "give", "le", "doy", "do", "ti", "te", "gli", "really", "very",
    "so", "just",
))  # fmt: skip
# "very" before a listed phrase ("very bad") is matched with it first.
_UNITS = sorted(
    (tuple(u.split()) for u in ("5", "of 5", "out of 5", "de 5", "sobre 5", "su 5", "star",
                                "stars", "estrella", "estrellas", "stella", "stelle")),
    key=len, reverse=True,
)  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+")
_STARS = re.compile(r"^\s*(?:[★⭐🌟]\ufe0f?\s*){1,5}$")
_SEPARATOR = re.compile(r"^\s*[,.;:!?()\-–—]+\s*")
_CONNECTORS = frozenset({"but", "because", "pero", "porque", "ma", "perche", "though"})
_THANKS = frozenset({"thanks", "thank", "you", "thx", "gracias", "muchas", "grazie", "mille"})
_DECIMAL = re.compile(r"\d[.,]\d")


@dataclass(frozen=True, slots=True)
class TypedScore:
    """A score read from a message, and the comment written after it (if any)."""

    score: int
    comment: str | None = None


def read_score(text: str) -> TypedScore | None:
    """The score ``text`` gives, with any comment after it; None when it gives none."""
    if _STARS.match(text):
        return TypedScore(sum(text.count(star) for star in "★⭐🌟"))
    if _DECIMAL.search(text):
        return None
    tokens = [(fold(m.group()), m.end()) for m in _TOKEN.finditer(text)]
    words = [word for word, _ in tokens]
    at = 0
    while at < len(words) and words[at] in _LEAD and not _score_at(words, at):
        at += 1
    found = _score_at(words, at)
    if found is None:
        return None
    score, used = found
    at += used
    at += next((len(unit) for unit in _UNITS if tuple(words[at : at + len(unit)]) == unit), 0)
    rest = text[tokens[at - 1][1] :]
    if all(word in _THANKS for word in words[at:]):
        return TypedScore(score)
    separator = _SEPARATOR.match(rest)
    if separator is not None:
        return TypedScore(score, rest[separator.end() :].strip() or None)
    if words[at] in _CONNECTORS:
        return TypedScore(score, rest.strip())
    return None


def _score_at(words: list[str], at: int) -> tuple[int, int] | None:
    """(score, words used) for a digit or a score phrase starting at ``words[at]``."""
    if at >= len(words):
        return None
    if words[at].isdigit():
        value = int(words[at])
        return (value, 1) if MIN_SCORE <= value <= MAX_SCORE else None
    for phrase, score in _PHRASES:
        if tuple(words[at : at + len(phrase)]) == phrase:
            return score, len(phrase)
    return None


_REVIEWED = tuple(
    Phrase.parse(text)
    for text in (
        "i left", "i ve left", "i have left", "i just left", "i posted", "i ve posted",
        "i have posted", "i just posted", "i wrote", "i ve written", "i have written",
        "i just wrote", "i gave you", "i ve given", "i have given", "i already", "i rated",
        "i reviewed", "already left", "already reviewed", "done it", "he dejado", "os he dejado",
        "te he dejado", "ya os", "ya te", "ya he", "deje", "os deje", "te deje", "escribi",
        "he escrito", "puse", "he puesto", "ho lasciato", "ho scritto", "ho messo", "ho dato",
        "vi ho lasciato", "ti ho lasciato", "gia lasciato", "gia fatto", "ho appena",
        "ho recensito", "ya lo hice", "ya esta hecho",
    )
)  # fmt: skip


def says_reviewed(text: str) -> bool:
    """True when ``text`` says a review was already written ("I left you 5 stars", "ya os
    he dejado una reseña", "ho lasciato una recensione")."""
    folded = tuple(fold(text).split())
    return any(phrase.found_in(folded) for phrase in _REVIEWED)
