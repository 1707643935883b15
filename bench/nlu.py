"""Benchmark of the embedded NLU against Rasa 3.6 on the public sets of ../shared/data/nlu-bench.

Run from the repository root::

    python -m bench.nlu [--quick] [--rasa stored|live|off] [--runs banking77/train ...]

For every run ``DATASET/TRAIN`` (each set with its full and its 10-shot training file) the
embedded classifier is trained in a fresh process, and the saved model is loaded in
another fresh process that parses every test example, as the service would: that
process's peak memory is the service's. Test examples are ``test.yml`` plus
``test_oos.yml`` where it exists (an ``nlu_fallback`` answer is right for those).

The out-of-scope rule is the one training chose from the training data alone, as the
service runs it (its threshold is in the table). Then :mod:`bench.nlu_oos` measures
out-of-scope detection on the sets with out-of-scope test data, under both protocols
(training data, valid files), with its ablation and Rasa's figures.

Rasa's figures come from ``bench.rasa_nlu`` run now (``--rasa live``: needs Python 3.10 and
a few minutes per small set) or from ``bench/results/rasa.json`` (``stored``: measured once
on this machine, marked so in the table). Speed ratios are only meaningful from a live run.
``--quick`` keeps the small sets: both Spanish SNIPS runs and the two 10-shot runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.nlu_oos import BENCH_DATA, OOS_RUNS, ROOT, peak_rss_mb, run_all

RASA_RESULTS = ROOT / "bench" / "results" / "rasa.json"
QUICK_RUNS = (
    "snips_es/train",
    "snips_es/train_10shot",
    "banking77/train_10shot",
    "clinc150/train_10shot",
)
FULL_RUNS = (*QUICK_RUNS, "banking77/train", "clinc150/train")


@dataclass(frozen=True)
class Figures:
    """One system's scores and costs on one run (Rasa's ``RasaFigures`` field names)."""

    macro_f1: float
    accuracy: float
    top1_accuracy: float | None
    """In-scope accuracy of the best-ranked intent, before the fallback (published figures)."""
    in_scope_accuracy: float | None
    oos_recall: float | None
    train_seconds: float | None
    parse_p50_ms: float
    parse_p99_ms: float
    peak_rss_mb: float
    threshold: float | None = None
    source: str = "live"


def run_files(bench_data: Path, run: str) -> tuple[Path, list[Path], list[Path]]:
    """Training file, test files and validation files (in-scope first) of a run."""
    dataset, _, train = run.partition("/")
    folder = bench_data / dataset
    optional = [folder / "test_oos.yml"] if (folder / "test_oos.yml").exists() else []
    valid = [folder / "valid.yml", folder / "valid_oos.yml"]
    return (
        folder / f"{train}.yml",
        [folder / "test.yml", *optional],
        [v for v in valid if v.exists()],
    )


def _train_child(train: Path, model: Path) -> tuple[float, float]:
    """In a fresh process: train (the out-of-scope rule included) and save; (seconds,
    the rule's threshold)."""
    from nlu.embedded import EmbeddedBackend
    from nlu.embedded.encoder import default_encoder
    from nlu.training_data import load_training_data

    data = load_training_data(train)
    started = time.perf_counter()
    default_encoder()  # counted: a fresh process loads it once before training
    backend = EmbeddedBackend.train(data)
    seconds = time.perf_counter() - started
    backend.save(model)
    return seconds, backend.rule.threshold


def _serve_child(model: Path, tests: list[Path]) -> dict[str, Any]:
    """In a fresh process: load the model, parse every test example; scores and costs."""
    from nlu.embedded import EmbeddedBackend
    from nlu.report import IntentPrediction, intent_report
    from nlu.training_data import load_training_data

    examples = load_training_data(tests).examples
    started = time.perf_counter()
    backend = EmbeddedBackend.load(model)
    load_seconds = time.perf_counter() - started
    for example in examples[:20]:  # warm-up
        backend.parse_sync(example.text)
    predictions, latencies, top = [], [], []
    for example in examples:
        began = time.perf_counter()
        result = backend.parse_sync(example.text)
        latencies.append((time.perf_counter() - began) * 1000)
        predictions.append(IntentPrediction(example.text, example.intent, result.intent.name, 0.0))
        if example.intent != "out_of_scope":
            top.append(result.intent_ranking[0].name == example.intent)
    report = intent_report(predictions)
    inside = [p.correct for p in predictions if p.intent != "out_of_scope"]
    outside = [p.correct for p in predictions if p.intent == "out_of_scope"]
    ordered = sorted(latencies)
    return {
        "macro_f1": report["macro avg"]["f1-score"],
        "accuracy": report["accuracy"],
        "top1_accuracy": sum(top) / len(top),
        "in_scope_accuracy": sum(inside) / len(inside) if outside else None,
        "oos_recall": sum(outside) / len(outside) if outside else None,
        "parse_p50_ms": statistics.median(ordered),
        "parse_p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "peak_rss_mb": peak_rss_mb(),
        "load_seconds": load_seconds,
    }


def measure_embedded(run: str, bench_data: Path) -> tuple[Figures, float]:
    """The embedded classifier's figures on one run, and its model's load time."""
    train, tests, _ = run_files(bench_data, run)
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.joblib"
        with context.Pool(1) as pool:
            seconds, threshold = pool.apply(_train_child, (train, model))
        with context.Pool(1) as pool:
            served = pool.apply(_serve_child, (model, tests))
    load_seconds = served.pop("load_seconds")
    return Figures(train_seconds=seconds, threshold=threshold, **served), load_seconds


def rasa_figures(run: str, bench_data: Path, mode: str) -> Figures | None:
    """Rasa's figures: measured now (``live``), stored, or none (``off`` / not stored)."""
    if mode == "live":
        from bench.rasa_nlu import evaluate_rasa, rasa_available

        if rasa_available():
            train, tests, _ = run_files(bench_data, run)
            return _from_rasa(asdict(evaluate_rasa([train], tests)), "live")
        print("Rasa's environment cannot be made here: using the stored figures")
    if mode == "off" or not RASA_RESULTS.exists():
        return None
    stored = json.loads(RASA_RESULTS.read_text()).get("runs", {}).get(run)
    return _from_rasa(stored, "stored") if stored else None


def _from_rasa(raw: dict[str, Any], source: str) -> Figures:
    return Figures(
        macro_f1=raw["macro_f1"],
        accuracy=raw["accuracy"],
        top1_accuracy=None,
        in_scope_accuracy=raw.get("in_scope_accuracy"),
        oos_recall=raw.get("oos_recall"),
        train_seconds=raw.get("train_seconds"),
        parse_p50_ms=raw["parse_p50_ms"],
        parse_p99_ms=raw["parse_p99_ms"],
        peak_rss_mb=raw.get("server_peak_rss_mb", raw.get("peak_rss_mb", 0.0)),
        source=source,
    )


def _cell(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


def _ratio(theirs: float | None, ours: float | None) -> str:
    if not theirs or not ours:
        return "–"
    return f"{theirs / ours:,.0f}×" if theirs / ours >= 10 else f"{theirs / ours:.1f}×"


def figures_table(rows: list[tuple[str, Figures, Figures | None]]) -> Table:
    """One line per run and system, then a line of Rasa/embedded ratios."""
    table = Table(
        "run", "system", "macro-F1", "accuracy", "top-1 acc.", "in-scope acc.", "OOS recall",
        "threshold",
        "train s", "p50 ms", "p99 ms", "peak MB", title="Intent classification",
    )  # fmt: skip
    for run, ours, rasa in rows:
        for name, f in (("embedded", ours), (f"Rasa ({rasa.source})" if rasa else "", rasa)):
            if f is None:
                continue
            table.add_row(
                run if name == "embedded" else "", name, f"{f.macro_f1:.3f}",
                f"{f.accuracy:.3f}", _cell(f.top1_accuracy, "{:.3f}"),
                _cell(f.in_scope_accuracy, "{:.3f}"),
                _cell(f.oos_recall, "{:.3f}"), _cell(f.threshold, "{:.2f}"),
                _cell(f.train_seconds, "{:.1f}"), f"{f.parse_p50_ms:.2f}",
                f"{f.parse_p99_ms:.2f}", f"{f.peak_rss_mb:.0f}",
            )  # fmt: skip
        if rasa is not None:
            gain = f"{100 * (ours.macro_f1 - rasa.macro_f1):+.1f} pt"
            table.add_row(
                "", "Rasa ÷ embedded", gain, "", "", "", "", "",
                _ratio(rasa.train_seconds, ours.train_seconds),
                _ratio(rasa.parse_p50_ms, ours.parse_p50_ms),
                _ratio(rasa.parse_p99_ms, ours.parse_p99_ms),
                _ratio(rasa.peak_rss_mb, ours.peak_rss_mb), end_section=True,
            )  # fmt: skip
    return table


def main() -> None:
    """Measure every run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small sets only")
    parser.add_argument("--rasa", choices=("stored", "live", "off"), default="stored")
    parser.add_argument("--runs", nargs="+", help="DATASET/TRAIN runs (default: all)")
    parser.add_argument("--bench-data", type=Path, default=BENCH_DATA)
    args = parser.parse_args()
    runs = args.runs or (QUICK_RUNS if args.quick else FULL_RUNS)
    console = Console(width=max(Console().width, 150))
    rows = []
    for run in runs:
        ours, load_seconds = measure_embedded(run, args.bench_data)
        console.print(f"{run}: embedded done (model loads in {load_seconds:.2f} s)")
        rows.append((run, ours, rasa_figures(run, args.bench_data, args.rasa)))
        print(json.dumps({"run": run, "embedded": asdict(ours)}), flush=True)
    console.print(figures_table(rows))
    oos_runs = [r for r in OOS_RUNS if not args.quick or r.endswith("10shot")]
    if not args.runs:
        run_all(oos_runs, args.bench_data, args.rasa, console)


if __name__ == "__main__":
    main()
