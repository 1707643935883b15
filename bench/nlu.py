"""Benchmark of the embedded NLU on the real training data.

Run from the repository root: ``python -m bench.nlu [--folds 5] [--data nlu/data]``.

Prints k-fold intent accuracy per language, language-detection accuracy, calibration,
the effect of the fallback threshold, training time and parse latency. Times come with a
floor measured in the same run (fitting the TF-IDF features alone; computing one text's
features alone), so the ratios stay comparable across machines.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from nlu.embedded import DEFAULT_THRESHOLD, EmbeddedBackend
from nlu.embedded.features import build_features
from nlu.evaluate import cross_validate
from nlu.training_data import TrainingData, load_training_data

THRESHOLDS = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def main() -> None:
    """Parse the arguments and print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", default=[Path("nlu/data")])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = load_training_data(args.data)
    print_summary(data)
    print_cross_validation(data, args.folds, args.seed)
    backend = print_training_time(data)
    print_latency(data, backend)


def print_summary(data: TrainingData) -> None:
    """Examples per language and intents."""
    per_language = Counter(e.language or "?" for e in data.examples)
    print(f"training data: {len(data.examples)} examples, {len(data.intents)} intents")
    print("  per language: " + ", ".join(f"{k} {v}" for k, v in sorted(per_language.items())))


def print_cross_validation(data: TrainingData, folds: int, seed: int) -> None:
    """Held-out accuracy, language detection, calibration and the threshold table."""
    started = time.perf_counter()
    report = cross_validate(data, folds=folds, seed=seed)
    elapsed = time.perf_counter() - started
    print(f"\n{folds}-fold cross-validation ({elapsed:.1f} s)")
    for language, accuracy in report.intent_accuracy().items():
        print(f"  intent accuracy {language:>3}: {accuracy:.3f}")
    print(f"  language detection accuracy: {report.language_accuracy():.3f}")
    print(f"  expected calibration error: {report.calibration_error():.3f}")
    print("  threshold  answered  accuracy-of-answered  wrong-answered  right-minus-wrong")
    for row in report.threshold_table(THRESHOLDS):
        mark = "  <- default" if row.threshold == DEFAULT_THRESHOLD else ""
        net = row.coverage * row.accuracy_answered - row.wrong_answered
        print(
            f"  {row.threshold:9.2f}  {row.coverage:8.3f}  {row.accuracy_answered:20.3f}"
            f"  {row.wrong_answered:14.3f}  {net:17.3f}{mark}"
        )
    print("  most frequent confusions (annotated -> predicted):")
    for truth, predicted, count in report.confusions(8):
        print(f"    {count:3d}  {truth} -> {predicted}")


def print_training_time(data: TrainingData) -> EmbeddedBackend:
    """Full training time against fitting the features alone."""
    texts = [e.text for e in data.examples]
    started = time.perf_counter()
    build_features(data.regexes, data.lookups).fit_transform(texts)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    backend = EmbeddedBackend.train(data)
    elapsed = time.perf_counter() - started
    print(f"\ntraining on all {len(texts)} examples: {elapsed:.2f} s")
    print(f"  floor (TF-IDF features alone): {floor:.2f} s, ratio {elapsed / floor:.1f}x")
    return backend


def print_latency(data: TrainingData, backend: EmbeddedBackend) -> None:
    """Median parse time per message against computing its features alone."""
    texts = [e.text for e in data.examples]
    features = backend.model.classifier.features
    for text in texts[:200]:  # warm-up
        backend.parse_sync(text)
    parse_times = _timings(texts, backend.parse_sync)
    floor_times = _timings(texts, features.sparse_row)
    parse_median, floor_median = statistics.median(parse_times), statistics.median(floor_times)
    print(f"\nparse latency over {len(texts)} messages")
    print(f"  median {parse_median:.0f} µs, 95th percentile {_percentile(parse_times, 95):.0f} µs")
    print(f"  floor (features alone): median {floor_median:.0f} µs")
    print(f"  ratio {parse_median / floor_median:.1f}x")


def _timings(texts: list[str], call: Callable[[str], object]) -> list[float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        call(text)
        timings.append((time.perf_counter() - started) * 1e6)
    return timings


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100)[percent - 1]


if __name__ == "__main__":
    main()
