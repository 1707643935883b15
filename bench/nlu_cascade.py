"""How the classifier's cascade and head mix were chosen, on training and validation data only.

For each pair (``CASCADE``, ``SPARSE_SHARE``) of :mod:`nlu.embedded.classifier`, prints:

* Banking77, 10-shot: top-1 accuracy by 5-fold cross-validation on ``train_10shot.yml``;
* CLINC150, trained on ``train_10shot.yml``: on ``valid.yml`` + ``valid_oos.yml``, the best
  in-scope accuracy among fallback thresholds that reject at least 75 % of the out-of-scope
  examples (the rule ``bench/nlu.py`` uses), with that threshold;
* the share of messages the sparse head answers alone (the ones that skip the encoder).

Test files are never read. Run from the repository root::

    python -m bench.nlu_cascade [--bench-data ../shared/data/nlu-bench]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.model_selection import StratifiedKFold

from bench.nlu import BENCH_DATA
from nlu.embedded.classifier import DENSE_WEIGHT, IntentClassifier
from nlu.embedded.encoder import SentenceEncoder, default_encoder
from nlu.training_data import Example, TrainingData, load_training_data

OOS_TARGET = 0.75
"""Out-of-scope recall the cascade's CLINC150 comparison holds fixed."""
GRID = tuple(round(0.05 * i, 2) for i in range(1, 19))

CASCADES = (0.8, 0.85, 0.9, 0.95)
SHARES = (0.0, 0.15, 0.3)
FOLDS = 5


@dataclasses.dataclass(frozen=True)
class HeadScores:
    """Both heads' probabilities for some examples, and the examples' intents."""

    fast: Any  # (examples × intents)
    slow: Any
    truth: Any
    intents: Any

    def combined(self, cascade: float, share: float) -> tuple[Any, float]:
        """The classifier's answer for each example under these settings; fast-path share."""
        alone = self.fast.max(axis=1) >= cascade
        mixed = (1 - share) * self.slow + share * self.fast
        return np.where(alone[:, None], self.fast, mixed), float(alone.mean())


def head_scores(
    classifier: IntentClassifier, examples: list[Example], encoder: SentenceEncoder
) -> HeadScores:
    """Score ``examples`` with the sparse and the joint head of ``classifier``."""
    fast, slow = [], []
    sparse, joint = classifier.sparse_head, classifier.joint_head
    assert joint is not None
    size = classifier.features.size
    for example in examples:
        indices, values = classifier.features.sparse_row(example.text)
        fast.append(sparse.probabilities(values @ sparse.weights[indices] + sparse.bias)[0])
        dense = encoder.encode([example.text])[0] * DENSE_WEIGHT
        scores = values @ joint.weights[indices] + dense @ joint.weights[size:] + joint.bias
        slow.append(joint.probabilities(scores)[0])
    truth = np.array([e.intent for e in examples])
    return HeadScores(np.array(fast), np.array(slow), truth, np.array(classifier.intents))


def cross_validated(data: TrainingData, encoder: SentenceEncoder) -> list[HeadScores]:
    """Scores of each held-out fold, by a model trained on the other folds."""
    examples = list(data.examples)
    labels = [e.intent for e in examples]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(examples, labels)
    scored = []
    for train, held_out in folds:
        part = dataclasses.replace(data, examples=tuple(examples[i] for i in train))
        classifier = IntentClassifier.train(part, encoder=encoder)
        scored.append(head_scores(classifier, [examples[i] for i in held_out], encoder))
    return scored


def top1(scores: HeadScores, cascade: float, share: float) -> tuple[float, float]:
    """Top-1 accuracy and fast-path share."""
    answer, alone = scores.combined(cascade, share)
    return float((scores.intents[answer.argmax(axis=1)] == scores.truth).mean()), alone


def in_scope_at_target(scores: HeadScores, cascade: float, share: float) -> tuple[float, float]:
    """Best in-scope accuracy among thresholds reaching ``OOS_TARGET``, and that threshold."""
    answer, _ = scores.combined(cascade, share)
    confidence = answer.max(axis=1)
    right = scores.intents[answer.argmax(axis=1)] == scores.truth
    outside = scores.truth == "out_of_scope"
    best = (0.0, GRID[-1])
    for threshold in GRID:
        if (confidence[outside] < threshold).mean() >= OOS_TARGET:
            accuracy = float((right & (confidence >= threshold))[~outside].mean())
            best = max(best, (accuracy, threshold), key=lambda pair: pair[0])
    return best


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-data", type=Path, default=BENCH_DATA)
    folder = parser.parse_args().bench_data
    encoder = default_encoder()
    banking = cross_validated(load_training_data([folder / "banking77/train_10shot.yml"]), encoder)
    clinc = IntentClassifier.train(
        load_training_data([folder / "clinc150/train_10shot.yml"]), encoder=encoder
    )
    valid = load_training_data([folder / "clinc150/valid.yml", folder / "clinc150/valid_oos.yml"])
    clinc_valid = head_scores(clinc, list(valid.examples), encoder)
    table = Table(title="Cascade and head mix (training and validation data only)")
    for column in ("CASCADE", "SPARSE_SHARE", "Banking77 CV top-1", "fast path",
                   "CLINC150 valid in-scope", "at threshold", "fast path"):  # fmt: skip
        table.add_column(column, justify="right")
    for cascade, share in itertools.product(CASCADES, SHARES):
        folds = [top1(fold, cascade, share) for fold in banking]
        accuracy, threshold = in_scope_at_target(clinc_valid, cascade, share)
        table.add_row(
            f"{cascade}", f"{share}",
            f"{np.mean([a for a, _ in folds]):.4f}", f"{np.mean([s for _, s in folds]):.2f}",
            f"{accuracy:.4f}", f"{threshold}", f"{clinc_valid.combined(cascade, share)[1]:.2f}",
        )  # fmt: skip
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
