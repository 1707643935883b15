"""Word-level phrase matching with one typo allowed in long words.

Text and phrases are cut into lower-case word tokens; a phrase matches a run of tokens
when every word is equal, or — for alphabetic words of at least ``TYPO_MIN_LETTERS``
letters — at most one edit apart (insertion, deletion, substitution or swap of two
neighbours). Candidate words for a typo are found through a table of one-letter deletions
(the "symmetric delete" trick), so a lookup costs a few dictionary probes per word.

Two more ways people write names are understood: words run together (``xps13``,
``macbookair`` for ``XPS 13``, ``MacBook Air``) and one filler word between the words of a
name (``el XPS de 13``, ``l'XPS da 13``, ``the XPS of 13``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TYPO_MIN_LETTERS = 5
FILLERS = frozenset({"de", "del", "di", "da", "of"})
"""Words that may stand between two words of a name (``el XPS de 13``)."""
MAX_JOINED = 4
"""Names of up to this many words are also found written as one word."""
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Token:
    """A lower-case word and where it is in the text."""

    word: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """A phrase found in the text; ``typos`` counts the words matched with one edit."""

    phrase: tuple[str, ...]
    start: int
    end: int
    typos: int


def tokenize(text: str) -> list[Token]:
    """The words of ``text``, lower-cased, with their character offsets."""
    return [Token(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The lower-case words of a phrase, as :func:`tokenize` would cut them."""
    return tuple(token.word for token in tokenize(phrase))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _typo_eligible(word: str) -> bool:
    return len(word) >= TYPO_MIN_LETTERS and word.isalpha()


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    prefix = 0
    while prefix < len(a) and a[prefix] == b[prefix]:
        prefix += 1
    if len(a) < len(b):
        return a[prefix:] == b[prefix + 1 :]
    if a[prefix + 1 :] == b[prefix + 1 :]:
        return True
    return (
        prefix + 1 < len(a)
        and a[prefix] == b[prefix + 1]
        and a[prefix + 1] == b[prefix]
        and a[prefix + 2 :] == b[prefix + 2 :]
    )


class PhraseIndex:
    """Finds known phrases in texts, longest and exact matches first, without overlaps."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        vocabulary: set[str] = set()
        for phrase in set(phrases):
            if phrase:
                self._by_first.setdefault(phrase[0], []).append(phrase)
                vocabulary.update(phrase)
        for candidates in self._by_first.values():
            candidates.sort(key=len, reverse=True)
        self._vocabulary = frozenset(vocabulary)
        self._joined = {
            "".join(phrase): phrase for phrase in set(phrases) if 1 < len(phrase) <= MAX_JOINED
        }
        self._deleted: dict[str, set[str]] = {}
        for word in vocabulary:
            if _typo_eligible(word):
                for variant in _deletions(word) | {word}:
                    self._deleted.setdefault(variant, set()).add(word)

    def find(self, tokens: list[Token]) -> list[PhraseMatch]:
        """Non-overlapping matches: longer spans win, then fewer typos, then earlier ones."""
        candidates = sorted(
            self._candidates(tokens), key=lambda m: (m.start - m.end, m.typos, m.start)
        )
        taken: list[PhraseMatch] = []
        for match in candidates:
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
        return sorted(taken, key=lambda m: m.start)

    def _candidates(self, tokens: list[Token]) -> Iterator[PhraseMatch]:
        for i, token in enumerate(tokens):
            for first, typo in self._similar(token.word):
                for phrase in self._by_first.get(first, ()):
                    matched = self._match_rest(phrase, tokens, i)
                    if matched is not None:
                        typos, last = matched
                        yield PhraseMatch(phrase, token.start, tokens[last].end, typos + typo)
            yield from self._joined_at(tokens, i)

    def _joined_at(self, tokens: list[Token], i: int) -> Iterator[PhraseMatch]:
        """Names written with fewer spaces than words: ``xps13``, ``macbookair m3``."""
        joined = ""
        for last in range(i, min(i + MAX_JOINED, len(tokens))):
            joined += tokens[last].word
            phrase = self._joined.get(joined)
            if phrase is not None and last - i + 1 < len(phrase):
                yield PhraseMatch(phrase, tokens[i].start, tokens[last].end, 0)

    def _similar(self, word: str) -> list[tuple[str, int]]:
        """Known words equal to ``word`` (0 typos) or one edit away (1 typo)."""
        found = [(word, 0)] if word in self._vocabulary else []
        if not _typo_eligible(word):
            return found
        near: set[str] = set()
        for variant in _deletions(word) | {word}:
            near |= self._deleted.get(variant, set())
        found.extend((w, 1) for w in sorted(near) if w != word and within_one_edit(w, word))
        return found

    def _match_rest(
        self, phrase: tuple[str, ...], tokens: list[Token], i: int
    ) -> tuple[int, int] | None:
        """Typos and index of the last token when ``phrase`` matches from token ``i``."""
        typos, j = 0, i
        for expected in phrase[1:]:
            j += 1
            if j < len(tokens) - 1 and tokens[j].word in FILLERS and tokens[j + 1].word == expected:
                j += 1
            if j >= len(tokens):
                return None
            word = tokens[j].word
            if word == expected:
                continue
            if _typo_eligible(expected) and within_one_edit(expected, word):
                typos += 1
                continue
            return None
        return typos, j
