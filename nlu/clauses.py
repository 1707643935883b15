"""Several questions in one message: "how much is the XPS 13 and does it have 16 GB RAM?".

``split_clauses`` cuts a message after each question mark or sentence end and at the words
that join two questions (``nlu/lexicon/clauses.yml``, per language), keeping only pieces of
at least two words. ``with_parts`` interprets each piece with the same backend and keeps
them as the message's ``parts`` when at least two are understood with confidence; a message
not understood whole whose one understood piece is a question takes that piece's intent;
otherwise the message stays one question. Whether the parts ask different things is the
dialogue's call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import cache
from pathlib import Path

import yaml

from nlu.base import NluBackend
from nlu.types import FALLBACK_INTENT, Interpretation

LEXICON = Path(__file__).parent / "lexicon" / "clauses.yml"
MAX_PARTS = 3
PART_CONFIDENCE = 0.7
"""A piece counts as a question of its own when the NLU is at least this sure of it."""
_WORD = re.compile(r"\S+")
_SENTENCES = re.compile(r"(?<=\?)\s*|(?<=[.!])\s+|\s*[;¿]\s*")
"""After a question mark, after a full stop or exclamation mark and a space, at ; and ¿."""


@cache
def joining_words(path: Path = LEXICON) -> dict[str, frozenset[str]]:
    """Language → the folded words that join two questions."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {lang: frozenset(w.lower() for w in words) for lang, words in data.items()}


def split_clauses(text: str, language: str) -> list[str]:
    """The pieces of ``text`` that may each be a question (one piece: nothing to split).

    Question marks and sentence ends split first; only a message with none of them is cut
    at joining words.
    """
    joins = joining_words().get(language, frozenset()) | joining_words().get("en", frozenset())
    sentences = [s for s in _SENTENCES.split(text) if _words(s, joins)]
    if len(sentences) >= 2:
        pieces = [" ".join(_words(s, joins)) for s in sentences]
    else:
        pieces = _cut_at_joins(text, joins)
    pieces = [p.strip(" ,") for p in pieces if len(p.split()) >= 2]
    return pieces if 2 <= len(pieces) <= MAX_PARTS else [text]


def _words(sentence: str, joins: frozenset[str]) -> list[str]:
    """The words of a sentence without a joining word in front ("and is it in stock?")."""
    tokens = _WORD.findall(sentence)
    while tokens and _fold(tokens[0].strip(",.!")) in joins:
        tokens = tokens[1:]
    return tokens


def _cut_at_joins(text: str, joins: frozenset[str]) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for token in _WORD.findall(text):
        if _fold(token.strip(",.!")) in joins and len(current) >= 2:
            pieces.append(" ".join(current))
            current = []
        else:
            current.append(token)
    if current:
        pieces.append(" ".join(current))
    return pieces


async def with_parts(backend: NluBackend, whole: Interpretation) -> Interpretation:
    """``whole`` with ``parts`` when its text asks several different things; a message not
    understood whole whose one understood clause is a question takes that clause's intent."""
    if not whole.available:
        return whole
    pieces = split_clauses(whole.text, whole.language)
    if len(pieces) < 2:
        return whole
    parts = [await backend.parse(piece, language_hint=whole.language) for piece in pieces]
    understood = [
        p
        for p in parts
        if p.available
        and p.intent.name != FALLBACK_INTENT
        and p.intent.confidence >= PART_CONFIDENCE
    ]
    if len(understood) == 1 and whole.intent.name == FALLBACK_INTENT:
        # "too bad. how much would it have been": the one clause understood is the question
        only = understood[0]
        return replace(whole, intent=only.intent, intent_ranking=only.intent_ranking)
    if len(understood) < 2:
        return whole
    return replace(whole, parts=tuple(understood))


def _fold(word: str) -> str:
    """Lower case, accents kept: the Italian "è" (is) is not the joining "e" (and)."""
    return unicodedata.normalize("NFC", word.lower())
