"""The intent classifier: words, character n-grams and sentence embeddings, linear SVMs.

Two calibrated linear SVMs (:mod:`nlu.embedded.linear`) share the TF-IDF features of
:mod:`nlu.embedded.features`:

* the *sparse* head sees the TF-IDF features only; it costs tens of microseconds;
* the *joint* head sees them next to the message's sentence embedding
  (:mod:`nlu.embedded.encoder`, weighted by ``DENSE_WEIGHT``), which knows that "refund"
  and "money back" mean the same; it costs a couple of milliseconds more.

A message is answered by the sparse head when it is at least ``CASCADE`` sure, else by
the average of both heads (``SPARSE_SHARE`` of the sparse one, the rest joint): most
messages are plain and take the fast path, the hard ones get the better model. The
average tempers the joint head, whose embedding of a short nonsense string ("asdf") can
sit close to a greeting. One model serves every language. Without an encoder the joint
head is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from nlu.embedded.features import CompiledFeatures, build_features
from nlu.embedded.linear import LinearHead, fit_temperature
from nlu.embedded.scope import Assessment
from nlu.errors import TrainingDataError
from nlu.training_data import TrainingData
from nlu.types import IntentScore

DENSE_WEIGHT = 2.0
"""Scale of the (unit-length) sentence embedding next to the unit-length TF-IDF blocks."""
CASCADE = 0.95
"""The sparse head answers alone when its best intent has at least this confidence.

Chosen on training and validation data only: among 0.8, 0.85, 0.9 and 0.95, 0.95 gave the
best top-1 accuracy by 5-fold cross-validation on Banking77's 10-shot training set and the
best in-scope accuracy at 75 % out-of-scope recall on CLINC150's validation sets (10-shot
training)."""
SPARSE_SHARE = 0.3
"""Weight of the sparse head in the average of the two heads, on the slow path."""


class Encoder(Protocol):
    """Anything that embeds texts as rows of a matrix (see :mod:`nlu.embedded.encoder`)."""

    def encode(self, texts: list[str]) -> Any:
        """One row per text."""
        ...


@dataclass(frozen=True, slots=True)
class IntentClassifier:
    """A trained classifier; :meth:`rank` scores every intent for one text."""

    features: CompiledFeatures
    sparse_head: LinearHead
    joint_head: LinearHead | None
    intents: tuple[str, ...]

    @classmethod
    def train(
        cls,
        data: TrainingData,
        *,
        encoder: Encoder | None = None,
        seed: int = 0,
        on_step: Callable[[str], None] | None = None,
        like: IntentClassifier | None = None,
    ) -> IntentClassifier:
        """Fit on ``data`` (at least two intents); deterministic for the same content.

        ``on_step`` hears "intent features", "confidence calibration" and "intent model".
        ``like`` lends its softmax temperatures instead of fitting new ones (a model of
        part of the same data, as the out-of-scope search trains).
        """
        report = on_step or (lambda step: None)
        examples = sorted(data.examples, key=lambda e: (e.intent, e.text, e.language or ""))
        y = np.array([e.intent for e in examples])
        if len(set(y.tolist())) < 2:
            where = ", ".join(data.sources) or "training data"
            raise TrainingDataError(where, None, "needs examples of at least two intents")
        texts = [e.text for e in examples]
        features = build_features(data.regexes, data.lookups)
        matrix = features.fit_transform(texts)
        dense = None if encoder is None else encoder.encode(texts) * DENSE_WEIGHT
        joint = None
        if dense is not None:
            joint = sparse.hstack([matrix, sparse.csr_matrix(dense)], format="csr")
        report("intent features")
        if like is not None:
            temperatures = [like.sparse_head.temperature]
            temperatures += [] if like.joint_head is None else [like.joint_head.temperature]
        else:
            temperatures = [fit_temperature(m, y, seed) for m in (matrix, joint) if m is not None]
        report("confidence calibration")
        sparse_head = LinearHead.fit(matrix, y, temperatures[0], seed)
        joint_head = None if joint is None else LinearHead.fit(joint, y, temperatures[1], seed)
        report("intent model")
        intents = tuple(str(c) for c in np.unique(y))
        return cls(CompiledFeatures.from_fitted(features), sparse_head, joint_head, intents)

    @property
    def uses_encoder(self) -> bool:
        """True when hard messages are embedded by the sentence encoder."""
        return self.joint_head is not None

    def assess(self, text: str, encoder: Encoder | None = None) -> Assessment:
        """Calibrated probability of every intent (order of ``intents``), and the embedding.

        The embedding is None when the sparse head answered alone (the cascade).
        """
        indices, values = self.features.sparse_row(text)
        head = self.sparse_head
        fast = head.probabilities(values @ head.weights[indices] + head.bias)[0]
        joint = self.joint_head
        if joint is None or encoder is None or fast.max() >= CASCADE:
            return Assessment(fast, None)
        embedding = encoder.encode([text])[0]
        dense = embedding * DENSE_WEIGHT
        size = self.features.size
        scores = values @ joint.weights[indices] + dense @ joint.weights[size:] + joint.bias
        slow = joint.probabilities(scores)[0]
        return Assessment((1 - SPARSE_SHARE) * slow + SPARSE_SHARE * fast, embedding)

    def probabilities(self, text: str, encoder: Encoder | None = None) -> Any:
        """Calibrated probability of every intent (order of ``intents``)."""
        return self.assess(text, encoder).probabilities

    def rank(
        self, text: str, limit: int | None = None, encoder: Encoder | None = None
    ) -> tuple[IntentScore, ...]:
        """The intents with their confidences, best first (the ``limit`` best ones)."""
        return self.ranking(self.probabilities(text, encoder), limit)

    def ranking(self, probabilities: Any, limit: int | None = None) -> tuple[IntentScore, ...]:
        """``probabilities`` (from :meth:`assess`) as intents with confidences, best first."""
        order = np.argsort(-probabilities, kind="stable")[:limit]
        return tuple(IntentScore(self.intents[i], float(probabilities[i])) for i in order)
