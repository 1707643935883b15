"""Text as the core compares it: accent- and case-folded words, phrases and n-grams."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents, every run of other characters one space: ``¿Cuánto?`` →
    ``cuanto``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``."""
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words to find in a row; a last word written ``light*`` also matches ``lighter``."""

    words: tuple[str, ...]
    prefix: bool = False

    @classmethod
    def parse(cls, text: str) -> Phrase:
        """``"battery life"`` → two words; ``"light*"`` → a prefix."""
        stripped = text.strip()
        return cls(words(stripped), prefix=stripped.endswith("*"))

    def position(self, text_words: tuple[str, ...]) -> int | None:
        """Where the phrase first starts in ``text_words`` (None when absent)."""
        size = len(self.words)
        if size == 0:
            return None
        for i in range(len(text_words) - size + 1):
            if text_words[i : i + size - 1] != self.words[:-1]:
                continue
            last = text_words[i + size - 1]
            if last == self.words[-1] or (self.prefix and last.startswith(self.words[-1])):
                return i
        return None

    def found_in(self, text_words: tuple[str, ...]) -> bool:
        """True when the phrase occurs in ``text_words``."""
        return self.position(text_words) is not None


def first_position(phrases: Iterable[Phrase], text_words: tuple[str, ...]) -> int | None:
    """Where the earliest of ``phrases`` starts in ``text_words`` (None: none occurs)."""
    found = first_span(phrases, text_words)
    return None if found is None else found[0]


def first_span(phrases: Iterable[Phrase], text_words: tuple[str, ...]) -> tuple[int, int] | None:
    """(start, -length) of the earliest, then longest, of ``phrases`` (None: none occurs)."""
    found = [
        (p, -len(phrase.words))
        for phrase in phrases
        if (p := phrase.position(text_words)) is not None
    ]
    return min(found) if found else None


def char_ngrams(word: str, sizes: tuple[int, ...] = (3, 4)) -> list[str]:
    """The character n-grams of one word padded with spaces (``ship`` → `` sh``, ``shi``...)."""
    padded = f" {word} "
    grams: list[str] = []
    for size in sizes:
        grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


@dataclass(frozen=True, slots=True)
class Words:
    """Phrases per language that mean one thing (a spec, a need, a colour, a category)."""

    by_language: tuple[tuple[str, tuple[Phrase, ...]], ...] = ()

    @classmethod
    def from_texts(cls, table: dict[str, tuple[str, ...]]) -> Words:
        """``{"en": ("light*", "travel")}`` → phrases per language."""
        return cls(
            tuple((lang, tuple(Phrase.parse(t) for t in texts)) for lang, texts in table.items())
        )

    def phrases(self, language: str) -> tuple[Phrase, ...]:
        """The phrases of ``language`` and the English ones (customers mix them)."""
        table = dict(self.by_language)
        own = table.get(language, ())
        return own if language == "en" else own + table.get("en", ())

    def position(self, text_words: tuple[str, ...], language: str) -> int | None:
        """Where the earliest phrase starts in ``text_words`` (None: absent)."""
        return first_position(self.phrases(language), text_words)

    def span(self, text_words: tuple[str, ...], language: str) -> tuple[int, int] | None:
        """(start, -length) of the earliest, longest phrase (None: absent)."""
        return first_span(self.phrases(language), text_words)

    def position_any(self, text_words: tuple[str, ...]) -> int | None:
        """Like ``position``, with the phrases of every language."""
        every = [phrase for _, phrases in self.by_language for phrase in phrases]
        return first_position(every, text_words)
