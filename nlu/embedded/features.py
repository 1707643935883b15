"""Features of a message for the intent classifier.

Word 1–2-grams (accents kept) and character 2–5-grams inside word boundaries with accents
stripped (``perche`` and ``perché`` then share most features, which helps typos), TF-IDF
with sublinear term frequency, lower-cased. A second character block with the accents kept
was measured to add nothing on the benchmark sets while doubling the features, so it went.
The training data's ``regex`` and ``lookup`` blocks add one binary feature each, like
Rasa's RegexFeaturizer.

scikit-learn fits the features; :class:`CompiledFeatures` then computes the same vector for
one message without scikit-learn's per-call checks (tens of microseconds instead of
milliseconds).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from nlu.training_data import LookupTable, RegexPattern

WORD_TOKEN = r"(?u)\b\w+\b"


class PatternFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """One binary column per pattern: 1 when the pattern occurs in the text."""

    def __init__(self, patterns: Sequence[str] = ()) -> None:
        self.patterns = patterns

    def fit(self, texts: Iterable[str], y: Any = None) -> PatternFeatures:
        """Compile the patterns (nothing is learnt from the texts)."""
        self.compiled_ = [re.compile(p, re.IGNORECASE) for p in self.patterns]
        return self

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """A (texts × patterns) matrix of 0/1."""
        rows = [[1.0 if p.search(t) else 0.0 for p in self.compiled_] for t in texts]
        if not self.compiled_:
            return sparse.csr_matrix((len(rows), 0))
        return sparse.csr_matrix(np.array(rows))


def lookup_pattern(table: LookupTable) -> str:
    """One regular expression matching any element of a lookup table as whole words."""
    alternatives = sorted((re.escape(e) for e in table.elements if e), key=len, reverse=True)
    return r"\b(?:" + "|".join(alternatives) + r")\b"


def build_features(
    regexes: Sequence[RegexPattern] = (), lookups: Sequence[LookupTable] = ()
) -> FeatureUnion:
    """A fresh, unfitted feature extractor for the classifier."""
    parts: list[tuple[str, Any]] = [
        (
            "words",
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=WORD_TOKEN),
        ),
        (
            "chars_unaccented",
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 5),
                sublinear_tf=True,
                strip_accents="unicode",
            ),
        ),
    ]
    patterns = [r.pattern for r in regexes] + [lookup_pattern(t) for t in lookups if t.elements]
    if patterns:
        parts.append(("patterns", PatternFeatures(tuple(patterns))))
    return FeatureUnion(parts)


@dataclass(frozen=True, slots=True)
class _TfidfBlock:
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: Any
    sublinear: bool
    offset: int

    def add(self, text: str, indices: list[int], values: list[float]) -> None:
        vocabulary = self.vocabulary
        counts = Counter(self.analyzer(text))
        known = [(vocabulary[t], n) for t, n in counts.items() if t in vocabulary]
        if not known:
            return
        pairs = np.array(known, dtype=np.int64)
        columns, tf = pairs[:, 0], pairs[:, 1].astype(np.float64)
        weights = (1.0 + np.log(tf) if self.sublinear else tf) * self.idf[columns]
        weights /= np.sqrt(np.dot(weights, weights))
        indices.extend((columns + self.offset).tolist())
        values.extend(weights.tolist())


@dataclass(frozen=True, slots=True)
class CompiledFeatures:
    """The feature vector of one text, equal to the fitted ``FeatureUnion``'s, computed fast."""

    blocks: tuple[_TfidfBlock, ...]
    patterns: tuple[re.Pattern[str], ...]
    patterns_offset: int
    size: int

    @classmethod
    def from_fitted(cls, union: FeatureUnion) -> CompiledFeatures:
        """Take over a ``FeatureUnion`` built by :func:`build_features` and fitted."""
        blocks: list[_TfidfBlock] = []
        patterns: tuple[re.Pattern[str], ...] = ()
        patterns_offset = offset = 0
        for _, part in union.transformer_list:
            if isinstance(part, PatternFeatures):
                patterns, patterns_offset = tuple(part.compiled_), offset
                offset += len(patterns)
                continue
            analyzer = clone(part).build_analyzer()  # unfitted copy: no vocabulary inside
            blocks.append(
                _TfidfBlock(analyzer, dict(part.vocabulary_), part.idf_, part.sublinear_tf, offset)
            )
            offset += len(part.vocabulary_)
        return cls(tuple(blocks), patterns, patterns_offset, offset)

    def sparse_row(self, text: str) -> tuple[Any, Any]:
        """Column indices and values of the non-zero features of ``text``."""
        indices: list[int] = []
        values: list[float] = []
        for block in self.blocks:
            block.add(text, indices, values)
        for i, pattern in enumerate(self.patterns):
            if pattern.search(text):
                indices.append(self.patterns_offset + i)
                values.append(1.0)
        return np.array(indices, dtype=np.int64), np.array(values, dtype=np.float64)
