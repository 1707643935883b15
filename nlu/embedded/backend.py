"""The embedded NLU backend: payloads, then classifier + fallback, entities and language.

Training takes a second or two for a few thousand examples; :meth:`EmbeddedBackend.train_or_load`
keeps the trained model in a cache folder so that a restart loads it instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import sklearn

from nlu.embedded.classifier import Encoder, IntentClassifier
from nlu.embedded.encoder import default_encoder
from nlu.embedded.entities import EntityExtractor
from nlu.embedded.fallback import DEFAULT_THRESHOLD, FallbackPolicy
from nlu.embedded.scope import confidence_rule
from nlu.embedded.scope_search import MemoEncoder
from nlu.embedded.scope_search import choose_rule as choose_rejection_rule
from nlu.embedded.store import TrainedModel, cache_path, load_model, prune_cache, save_model
from nlu.errors import NluError
from nlu.language import LanguageDetector, LanguageGuess, blank_entities, samples_from
from nlu.payload import parse_payload
from nlu.training_data import TrainingData, load_training_data
from nlu.types import FALLBACK_INTENT, EntityLookup, IntentScore, Interpretation

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
TRAINING_STEPS = (
    "intent features",
    "confidence calibration",
    "intent model",
    "language model",
    "out-of-scope rule",
)
"""The steps :meth:`EmbeddedBackend.train` reports to its ``on_step`` callback, in order."""


class EmbeddedBackend:
    """Interprets messages in-process with a model trained from Rasa-format YAML."""

    def __init__(
        self,
        model: TrainedModel,
        *,
        lookups: Sequence[EntityLookup] = (),
        threshold: float | None = None,
        default_language: str = DEFAULT_LANGUAGE,
        from_cache: bool = False,
        encoder: Encoder | None = None,
    ) -> None:
        self.model = model
        if encoder is None and model.classifier.uses_encoder:
            encoder = default_encoder()
        self.encoder = encoder
        """Embeds the messages the fast path is unsure of (None for a model without it)."""
        self.rule = model.rejection
        """Decides when a message is none of the intents: the model's, or ``threshold``'s."""
        if threshold is not None:
            self.rule = confidence_rule(threshold, "set by JOURNEYBOT_NLU_THRESHOLD")
        self.fallback = FallbackPolicy(self.rule.threshold)
        self.default_language = default_language
        self.from_cache = from_cache
        """True when the model was loaded from the cache rather than trained now."""
        self._entities = EntityExtractor(lookups, model.entity_data)
        self._intents = frozenset(model.classifier.intents)

    @classmethod
    def train(
        cls,
        data: TrainingData,
        *,
        lookups: Sequence[EntityLookup] = (),
        threshold: float | None = None,
        on_step: Callable[[str], None] | None = None,
        use_encoder: bool = True,
        choose_rule: bool = True,
    ) -> EmbeddedBackend:
        """Train a model on ``data`` (``TrainingDataError`` if it has under two intents).

        The out-of-scope rule is chosen from ``data`` (:mod:`nlu.embedded.scope_search`);
        ``choose_rule=False`` keeps the default instead, and ``threshold`` overrides
        either for this backend. ``on_step`` is called with the name of each of
        :data:`TRAINING_STEPS` once done; ``use_encoder=False`` trains on words and
        character n-grams alone.
        """
        report = on_step or _ignore
        shared = default_encoder() if use_encoder else None
        encoder = None if shared is None else MemoEncoder(shared)
        classifier = IntentClassifier.train(data, encoder=encoder, on_step=report)
        samples = samples_from(data.examples)
        detector = LanguageDetector.train(samples) if samples else None
        report(TRAINING_STEPS[3])
        rule = confidence_rule(DEFAULT_THRESHOLD, "default; not chosen from the data")
        if choose_rule:
            rule = choose_rejection_rule(data, classifier, encoder)
        report(TRAINING_STEPS[4])
        model = TrainedModel(
            fingerprint=data.fingerprint(),
            classifier=classifier,
            detector=detector,
            entity_data=_entity_data(data),
            sklearn_version=sklearn.__version__,
            rejection=rule,
        )
        return cls(
            model,
            lookups=lookups,
            threshold=threshold,
            encoder=shared,
        )

    @classmethod
    def train_or_load(
        cls,
        data_paths: str | Path | Iterable[str | Path],
        cache_dir: str | Path,
        *,
        lookups: Sequence[EntityLookup] = (),
        threshold: float | None = None,
    ) -> EmbeddedBackend:
        """Load the cached model for the data at ``data_paths``, training it if missing."""
        data = load_training_data(data_paths)
        path = cache_path(Path(cache_dir), data.fingerprint())
        if path.exists():
            try:
                model = load_model(path)
            except NluError as exc:
                logger.warning("retraining the NLU model: %s", exc)
            else:
                logger.info("NLU model loaded from %s", path)
                return cls(model, lookups=lookups, threshold=threshold, from_cache=True)
        backend = cls.train(data, lookups=lookups, threshold=threshold)
        save_model(backend.model, path)
        logger.info("NLU model trained on %d examples, saved to %s", len(data.examples), path)
        for old in prune_cache(path.parent):
            logger.info("removed an old cached NLU model: %s", old.name)
        return backend

    def save(self, path: str | Path) -> None:
        """Write the trained model to ``path`` (atomically)."""
        save_model(self.model, Path(path))

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        lookups: Sequence[EntityLookup] = (),
        threshold: float | None = None,
    ) -> EmbeddedBackend:
        """Read a model written by :meth:`save`; ``NluError`` if it is not one."""
        return cls(load_model(Path(path)), lookups=lookups, threshold=threshold, from_cache=True)

    @property
    def intents(self) -> frozenset[str]:
        """The intents the model was trained on."""
        return self._intents

    async def parse(self, text: str, language_hint: str | None = None) -> Interpretation:
        """Interpret ``text`` (under a millisecond of CPU, so it runs inline)."""
        return self.parse_sync(text, language_hint)

    def parse_sync(self, text: str, language_hint: str | None = None) -> Interpretation:
        """The synchronous form of :meth:`parse`, for the command line and benchmarks."""
        if not text.strip():
            return Interpretation(
                text=text,
                intent=IntentScore(FALLBACK_INTENT, 0.0),
                language=language_hint or self.default_language,
                language_confidence=0.0,
            )
        payload = parse_payload(
            text,
            self._intents,
            language_hint or self.default_language,
            language_confidence=1.0 if language_hint else 0.0,
        )
        if payload is not None:
            return payload
        entities = self._entities.extract(text)
        language = self._language(blank_entities(text, entities), language_hint)
        classifier = self.model.classifier
        assessment = classifier.assess(text, self.encoder)
        intent, ranking = self.fallback.apply(
            classifier.ranking(assessment.probabilities, self.fallback.ranking_size),
            self.rule.in_scope(assessment),
        )
        return Interpretation(
            text=text,
            intent=intent,
            language=language.language,
            intent_ranking=ranking,
            entities=entities,
            language_confidence=language.confidence,
        )

    def _language(self, text: str, hint: str | None) -> LanguageGuess:
        detector = self.model.detector
        if detector is None:
            return LanguageGuess(hint or self.default_language, 0.0)
        return detector.resolve(text, hint)


def _ignore(step: str) -> None:
    """The default ``on_step``: nobody is watching."""


def _entity_data(data: TrainingData) -> TrainingData:
    examples = tuple(e for e in data.examples if e.entities)
    return TrainingData(examples, data.synonyms, data.regexes, data.lookups, data.sources)
