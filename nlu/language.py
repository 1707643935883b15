"""Language detection for short chat messages (English, Spanish, Italian and the like).

A character n-gram naive Bayes model trained on the training examples gives the evidence;
its weight grows with the amount of text, so "ok" or "XPS 13" stay near a uniform guess
with a low confidence. A small prior of function words, accents and apostrophe forms
that belong to one language only is added on top. Callers that know the customer's
language pass it as ``hint`` to :meth:`LanguageDetector.resolve`.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer

from nlu.errors import TrainingDataError
from nlu.training_data import load_training_data
from nlu.types import LANGUAGES, Entity

logger = logging.getLogger(__name__)

PACKAGED_DATA = Path(__file__).parent / "data"

NGRAMS = (1, 4)
SMOOTHING = 0.1
FULL_EVIDENCE_LETTERS = 24
"""Messages with this many letters get the model's full weight; shorter ones less."""
EVIDENCE_SCALE = 4.0
"""Log-odds per unit of average n-gram evidence at full weight."""
WORD_PRIOR = 1.2
MARK_PRIOR = 1.0
HINT_KEEPS_BELOW = 0.85
"""A hinted language is kept unless another one is detected with at least this confidence."""

_WORDS: dict[str, str] = {
    # Frequent words of one language only (not "la", "con", "per", "no": they are shared).
    "en": (
        "the is are my you your what how it's do does can to of and with this that "
        "have want order please thanks thank hello hi yes where when which much would "
        "there about need buy get will"
    ),
    "es": (
        "el los las es está qué cómo quiero puedo tienen tiene para por hola "
        "gracias y pero muy dónde cuándo cuánto cuesta sí también usted pedido envío "
        "necesito comprar hay algún alguna esto este estoy tengo quería"
    ),
    "it": (
        "il gli è che mio mia voglio posso avete della dello degli ciao grazie ma "
        "molto dove quando quanto costa sì anche ordine spedizione ho bisogno comprare "
        "c'è sono vorrei qualche non fai buona buono questo questa sembra"
    ),
}
_MARKS: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"\b\w+'(?:s|t|m|re|ll|ve|d)\b"),
    "es": re.compile(r"[ñ¿¡áíóú]"),
    "it": re.compile(r"[àèìòù]|\b(?:l|un|dell|all|nell|c|dov|com|quest)'\w"),
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


class LanguageGuess(NamedTuple):
    """A detected language and the detector's confidence in it (0..1)."""

    language: str
    confidence: float


def normalise(text: str) -> str:
    """Lower-case letters and apostrophes only: digits, symbols and product codes go."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return " ".join(_TOKEN.findall(text))


@dataclass(frozen=True, slots=True)
class LanguageDetector:
    """Detects the language of a message among the languages it was trained on."""

    languages: tuple[str, ...]
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    log_probs: Any  # (n-grams × languages): log P(n-gram | language)

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> LanguageDetector:
        """Train on (text, language) pairs; needs at least one pair."""
        pairs = [(normalise(text), language) for text, language in samples]
        languages = tuple(sorted({language for _, language in pairs}))
        if not languages:
            raise ValueError("language detection needs examples with a known language")
        vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=NGRAMS, lowercase=False)
        counts = vectorizer.fit_transform([text for text, _ in pairs])
        labels = np.array([languages.index(language) for _, language in pairs])
        rows = [np.asarray(counts[labels == i].sum(axis=0)).ravel() for i in range(len(languages))]
        totals = np.vstack(rows) + SMOOTHING
        log_probs = np.log(totals / totals.sum(axis=1, keepdims=True))
        analyzer = clone(vectorizer).build_analyzer()  # unfitted copy: no vocabulary inside
        vocabulary = dict(vectorizer.vocabulary_)
        return cls(languages, analyzer, vocabulary, np.ascontiguousarray(log_probs.T))

    @classmethod
    def prior_only(cls, languages: Sequence[str] = LANGUAGES) -> LanguageDetector:
        """A detector that knows only the function words and accents of each language."""
        return cls(tuple(languages), str.split, {}, np.zeros((0, len(languages))))

    def detect(self, text: str) -> LanguageGuess:
        """The most likely language of ``text`` and the confidence in it."""
        scores = self.scores(text)
        best = max(scores, key=scores.__getitem__)
        return LanguageGuess(best, scores[best])

    def resolve(self, text: str, hint: str | None = None) -> LanguageGuess:
        """Like :meth:`detect`, but the customer's known language wins unless clearly wrong."""
        scores = self.scores(text)
        best = max(scores, key=scores.__getitem__)
        if hint and best != hint and scores[best] < HINT_KEEPS_BELOW:
            return LanguageGuess(hint, scores.get(hint, 0.0))
        return LanguageGuess(best, scores[best])

    def scores(self, text: str) -> dict[str, float]:
        """Confidence for every known language, summing to 1."""
        clean = normalise(text)
        logits = self._model_logits(clean) + self._prior_logits(clean)
        logits -= logits.max()
        weights = np.exp(logits)
        probabilities = weights / weights.sum()
        return {lang: float(p) for lang, p in zip(self.languages, probabilities, strict=True)}

    def _model_logits(self, clean: str) -> Any:
        letters = sum(ch.isalpha() for ch in clean)
        if not letters:
            return np.zeros(len(self.languages))
        counts = Counter(g for g in self.analyzer(clean) if g in self.vocabulary)
        if not counts:
            return np.zeros(len(self.languages))
        columns = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64)
        weights = np.fromiter(counts.values(), dtype=np.float64)
        log_likelihood = weights @ self.log_probs[columns] / weights.sum()
        weight = min(letters, FULL_EVIDENCE_LETTERS) / FULL_EVIDENCE_LETTERS
        return (
            (log_likelihood - log_likelihood.max())
            * EVIDENCE_SCALE
            * weight
            * _length_gain(letters)
        )

    def _prior_logits(self, clean: str) -> Any:
        tokens = clean.split()
        logits = np.zeros(len(self.languages))
        for i, language in enumerate(self.languages):
            words = _function_words(language)
            logits[i] += WORD_PRIOR * sum(token in words for token in tokens)
            mark = _MARKS.get(language)
            if mark is not None and mark.search(clean):
                logits[i] += MARK_PRIOR
        return logits


@functools.cache
def _function_words(language: str) -> frozenset[str]:
    return frozenset(_WORDS.get(language, "").split())


def blank_entities(text: str, entities: Iterable[Entity]) -> str:
    """``text`` with entity spans blanked: product names say nothing of the language."""
    chars = list(text)
    for entity in entities:
        if 0 <= entity.start <= entity.end <= len(text):
            chars[entity.start : entity.end] = " " * (entity.end - entity.start)
    return "".join(chars)


def _length_gain(letters: int) -> float:
    """Longer messages carry more evidence than their per-n-gram average shows."""
    return 1.0 + math.log1p(max(letters - FULL_EVIDENCE_LETTERS, 0) / FULL_EVIDENCE_LETTERS)


def samples_from(examples: Sequence[Any]) -> list[tuple[str, str]]:
    """(text, language) pairs of the examples whose language is known."""
    return [(e.text, e.language) for e in examples if e.language]


@functools.cache
def default_detector() -> LanguageDetector:
    """A detector trained on the packaged training data, built on first use.

    For backends that are not trained here (the Rasa server); falls back to
    :meth:`LanguageDetector.prior_only` if the packaged data cannot be read.
    """
    try:
        samples = samples_from(load_training_data(PACKAGED_DATA).examples)
    except TrainingDataError as exc:
        logger.warning("language detection without training data: %s", exc)
        return LanguageDetector.prior_only()
    return LanguageDetector.train(samples) if samples else LanguageDetector.prior_only()
