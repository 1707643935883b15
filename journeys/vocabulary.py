"""The few words the core itself must read: references back to products already discussed.

These are the language, not the shop (a shop names its specs, needs, colours and
categories in its own files), so they live here: "the other one", "the second one",
"both". A language missing here reads with the English words only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from journeys.text import Phrase

_ORDINALS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        ("the first", "first one", "1st"),
        ("the second", "second one", "2nd"),
        ("the third", "third one", "3rd"),
    ),
    "es": (
        ("el primero", "la primera", "el primer", "primera opcion", "del primero", "al primero"),
        ("el segundo", "la segunda", "segunda opcion", "del segundo", "al segundo"),
        ("el tercero", "la tercera", "el tercer", "tercera opcion", "del tercero", "al tercero"),
    ),
    "it": (
        (
            "il primo",
            "la prima",
            "prima opzione",
            "del primo",
            "della prima",
            "al primo",
            "sul primo",
            "sulla prima",
        ),
        (
            "il secondo",
            "la seconda",
            "seconda opzione",
            "del secondo",
            "della seconda",
            "al secondo",
            "sul secondo",
            "sulla seconda",
        ),
        (
            "il terzo",
            "la terza",
            "terza opzione",
            "del terzo",
            "della terza",
            "al terzo",
            "sul terzo",
            "sulla terza",
        ),
    ),
}
_LAST = {
    "en": ("the last", "last one"),
    "es": ("el ultimo", "la ultima"),
    "it": ("l ultimo", "l ultima"),
}
_OTHER = {
    "en": ("the other", "other one", "the others"),
    "es": ("el otro", "la otra", "los otros", "las otras"),
    "it": ("l altro", "l altra", "gli altri", "le altre", "quell altro"),
}
_ALL = {
    "en": ("both", "them", "all three", "each", "these", "those"),
    "es": ("ambos", "ambas", "los dos", "las dos", "los tres", "cada uno"),
    "it": ("entrambi", "entrambe", "tutti e due", "tutte e due", "tutti e tre", "ciascuno"),
}


@cache
def _phrases(table: tuple[tuple[str, ...], ...]) -> tuple[Phrase, ...]:
    return tuple(Phrase.parse(text) for texts in table for text in texts)


def _in(table: Mapping[str, tuple[str, ...]], language: str, text_words: tuple[str, ...]) -> bool:
    own = table.get(language, ())
    options = own + (() if language == "en" else table["en"])
    return any(p.found_in(text_words) for p in _phrases((options,)))


def ordinal(text_words: tuple[str, ...], language: str) -> int | None:
    """0, 1 or 2 for "the first/second/third one", -1 for "the last one", else None."""
    tables = [_ORDINALS.get(language, ())]
    if language != "en":
        tables.append(_ORDINALS["en"])
    for table in tables:
        for number, texts in enumerate(table):
            if any(p.found_in(text_words) for p in _phrases((texts,))):
                return number
    return -1 if _in(_LAST, language, text_words) else None


def says_other(text_words: tuple[str, ...], language: str) -> bool:
    """True for "the other one" / "el otro" / "l'altro"."""
    return _in(_OTHER, language, text_words)


def says_all(text_words: tuple[str, ...], language: str) -> bool:
    """True for "both" / "ambos" / "entrambi" and the like."""
    return _in(_ALL, language, text_words)
