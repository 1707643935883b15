"""A small TF-IDF cosine index over short texts, in pure Python.

Each text becomes a sparse vector of folded words (weight 1) and of their character 3- and
4-grams (weight ``CHAR_WEIGHT``), so "shipping", "ship" and "shipped" or "envío" and
"envio" still meet; tf is sublinear (1 + log n), idf smoothed, vectors unit length. A query
is scored against every text that shares a feature with it through an inverted index, so a
search costs time in proportion to the postings it touches, not to the number of texts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from journeys.text import char_ngrams, words

CHAR_WEIGHT = 0.5
"""How much the character n-grams weigh next to whole words."""
_MAX_DF_SHARE = 0.1
"""Features found in more than this share of texts (and at least ``_MIN_DF_CUT`` texts)
are left out of queries: they can hardly tell texts apart and cost the most postings."""
_MIN_DF_CUT = 40


def features(text: str) -> Counter[str]:
    """The weighted feature counts of a text (words prefixed ``w:``, n-grams ``c:``)."""
    counts: Counter[str] = Counter()
    for word in words(text):
        counts[f"w:{word}"] += 1
        for gram in char_ngrams(word):
            counts[f"c:{gram}"] += 1
    return counts


def _weight(feature: str, count: int, idf: float) -> float:
    family = CHAR_WEIGHT if feature.startswith("c:") else 1.0
    return family * (1.0 + math.log(count)) * idf


@dataclass(frozen=True, slots=True)
class TfIdfIndex:
    """Texts by number (their position in the sequence given to ``build``)."""

    size: int
    idf: dict[str, float] = field(repr=False)
    postings: dict[str, list[tuple[int, float]]] = field(repr=False)

    @classmethod
    def build(cls, texts: Sequence[str]) -> TfIdfIndex:
        """Index ``texts``."""
        counted = [features(t) for t in texts]
        df: Counter[str] = Counter()
        for counts in counted:
            df.update(counts.keys())
        n = len(texts)
        idf = {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items()}
        postings: dict[str, list[tuple[int, float]]] = {}
        for number, counts in enumerate(counted):
            vector = {f: _weight(f, c, idf[f]) for f, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
            for feature, weight in vector.items():
                postings.setdefault(feature, []).append((number, weight / norm))
        return cls(size=n, idf=idf, postings=postings)

    def scores(self, query: str) -> dict[int, float]:
        """Cosine similarity (0..1) of ``query`` with every text it shares a feature with."""
        unseen = math.log(1 + self.size) + 1.0
        vector = {f: _weight(f, c, self.idf.get(f, unseen)) for f, c in features(query).items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm:
            return {}
        cut = max(_MIN_DF_CUT, self.size * _MAX_DF_SHARE)
        totals: dict[int, float] = {}
        for feature, weight in vector.items():
            posting = self.postings.get(feature, ())
            if len(posting) > cut:
                continue
            scaled = weight / norm
            for number, doc_weight in posting:
                totals[number] = totals.get(number, 0.0) + scaled * doc_weight
        return totals
