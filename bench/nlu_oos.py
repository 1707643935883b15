"""Out-of-scope detection on the public sets with out-of-scope test data, against Rasa 3.6.

Run from the repository root (``python -m bench.nlu`` runs it too, after its own table)::

    python -m bench.nlu_oos [--rasa stored|live|off] [--runs banking77_oos/train ...]

For every run ``DATASET/TRAIN`` a fresh process trains the embedded model (its
out-of-scope rule chosen from the training data, timed as ``journeybot nlu train`` does)
and simulates the rule's variants of the ablation; another fresh process loads the saved
model, parses every test example as the service would (timed) and scores each variant.

Two protocols choose each variant's threshold:

* **training data**: the rule as training chose it (held-out intents, no validation data):
  what a shop owner gets;
* **valid files**: the threshold with the best MCC on the set's ``valid*`` files (in-scope
  plus out-of-scope), as the published figures do; test data never chooses anything.

Figures: in-scope accuracy, recall of in-domain (``*_id_oos``) and out-of-domain
(``*_ood_oos``, CLINC150's ``*_oos``) out-of-scope examples, macro-F1 with out of scope as
a class, and MCC over every label (out of scope one class). Rasa (DIET +
FallbackClassifier, ambiguity 0.1) is scored from its stored rankings
(``bench/results/rasa_oos.json``, made by ``--rasa live``) at its default threshold of 0.3
and at the valid-files threshold.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from nlu.embedded.scope import DEFAULT_FEATURES

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATA = ROOT.parent / "shared" / "data" / "nlu-bench"
RASA_OOS = ROOT / "bench" / "results" / "rasa_oos.json"
OOS_RUNS = (
    "banking77_oos/train",
    "banking77_oos/train_10shot",
    "clinc150/train",
    "clinc150/train_10shot",
)
VARIANTS = {
    "top confidence 0.45": None,
    "top confidence": (),
    "scope, no neighbours": ("confidence", "margin", "claimed"),
    "scope, all features": ("confidence", "margin", "claimed", "nearest_same", "nearest_any"),
    "scope": DEFAULT_FEATURES,
}
"""The ablation: rule name → scope-score features (``()``: the top confidence; None: the
old fixed threshold). The last one is what training chooses (``DEFAULT_FEATURES``)."""
RASA_THRESHOLD = 0.3
RASA_AMBIGUITY = 0.1
OUT = "out_of_scope"


def split_files(folder: Path, split: str) -> dict[str, Path]:
    """The files of ``split`` (test or valid) by kind: in, id (in-domain OOS), ood."""
    files = {"in": folder / f"{split}.yml", "id": folder / f"{split}_id_oos.yml"}
    files["ood"] = folder / f"{split}_ood_oos.yml"
    if not files["ood"].exists():
        files["ood"] = folder / f"{split}_oos.yml"
    return {kind: path for kind, path in files.items() if path.exists()}


def _train_child(train: Path, model: Path, variants: Path) -> float:
    """In a fresh process: train and save (timed), then the ablation's rules."""
    import joblib

    from nlu.embedded import EmbeddedBackend
    from nlu.embedded.encoder import default_encoder
    from nlu.embedded.scope import confidence_rule
    from nlu.embedded.scope_search import MemoEncoder, neighbours_of, rule_from, simulate
    from nlu.training_data import load_training_data

    data = load_training_data(train)
    started = time.perf_counter()
    default_encoder()
    backend = EmbeddedBackend.train(data)
    seconds = time.perf_counter() - started
    backend.save(model)
    encoder = MemoEncoder(default_encoder())
    classifier = backend.model.classifier
    simulated = simulate(data, encoder, like=classifier)
    neighbours = neighbours_of(classifier, data.examples, encoder)
    rules = {
        name: confidence_rule(0.45, "fixed")
        if features is None
        else rule_from(simulated, neighbours, features)
        for name, features in VARIANTS.items()
    }
    joblib.dump(rules, variants)
    return seconds


def _serve_child(model: Path, variants: Path, folder: Path) -> dict[str, Any]:
    """In a fresh process: parse the test examples (timed), score every variant."""
    import joblib

    from nlu.embedded import EmbeddedBackend
    from nlu.training_data import load_training_data

    backend = EmbeddedBackend.load(model)
    rules = joblib.load(variants)
    classifier, encoder = backend.model.classifier, backend.encoder
    records: dict[str, list[Any]] = {}
    latencies = []
    for split in ("valid", "test"):
        records[split] = []
        for kind, path in split_files(folder, split).items():
            for example in load_training_data(path).examples:
                began = time.perf_counter()
                result = backend.parse_sync(example.text)
                latencies.append((time.perf_counter() - began) * 1000)
                assessment = classifier.assess(example.text, encoder)
                scores = {name: rule.score(assessment) for name, rule in rules.items()}
                top = result.intent_ranking[0].name
                records[split].append((kind, example.intent, top, scores))
    ordered = sorted(latencies[20:])
    return {
        "records": records,
        "thresholds": {name: rule.threshold for name, rule in rules.items()},
        "how": rules["scope"].how,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "peak_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (0 where /proc has none)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class Row:
    """One rule under one protocol on one run's test data."""

    name: str
    protocol: str
    threshold: float
    in_scope: float
    id_recall: float | None
    ood_recall: float | None
    macro_f1: float
    mcc: float


def score_rows(
    records: list[Any], threshold: float, *, ambiguity: float = 0.0
) -> tuple[float, float | None, float | None, float, float]:
    """In-scope accuracy, ID/OOD recall, macro-F1 and MCC at ``threshold``.

    A record is (kind, truth, best intent, score[, second score]); with ``ambiguity``
    (Rasa's FallbackClassifier) a best score closer than that to the second falls back.
    """
    from nlu.report import IntentPrediction, out_of_scope_figures
    from nlu.types import FALLBACK_INTENT

    predictions, kinds = [], []
    for kind, truth, top, score, *second in records:
        close = bool(second) and score - second[0] < ambiguity
        answer = top if score >= threshold and not close else FALLBACK_INTENT
        predictions.append(IntentPrediction("", truth, answer, score))
        kinds.append(kind)
    figures = out_of_scope_figures(predictions)
    assert figures is not None

    def recall(kind: str) -> float | None:
        chosen = [p.correct for p, k in zip(predictions, kinds, strict=True) if k == kind]
        return sum(chosen) / len(chosen) if chosen else None

    return figures.in_scope_accuracy, recall("id"), recall("ood"), figures.macro_f1, figures.mcc


def valid_threshold(records: list[Any], ambiguity: float = 0.0) -> float:
    """The threshold with the best MCC on validation records (every record weighs alike)."""
    from nlu.embedded.scope_search import OUT as SIMULATED_OUT
    from nlu.embedded.scope_search import Simulated, best_threshold

    simulated, scores = [], []
    for _, truth, top, score, *second in records:
        close = bool(second) and score - second[0] < ambiguity
        label = SIMULATED_OUT if truth == OUT else truth
        simulated.append(Simulated(label, top, score, None))
        scores.append(-1.0 if close else score)
    return best_threshold(simulated, scores, share=None)[0]


def embedded_rows(served: dict[str, Any]) -> list[Row]:
    """Every variant under both protocols."""
    rows = []
    for name, trained in served["thresholds"].items():
        valid = [(k, t, top, s[name]) for k, t, top, s in served["records"]["valid"]]
        test = [(k, t, top, s[name]) for k, t, top, s in served["records"]["test"]]
        protocols = [("training data", trained)]
        if name != "top confidence 0.45":
            protocols.append(("valid files", valid_threshold(valid)))
        for protocol, threshold in protocols:
            rows.append(Row(name, protocol, threshold, *score_rows(test, threshold)))
    return rows


def kind_of(file_name: str) -> str:
    """in, id or ood, from a file name of :func:`split_files`."""
    if file_name.endswith("_id_oos.yml"):
        return "id"
    return "ood" if file_name.endswith("_oos.yml") else "in"


def rasa_rows(stored: dict[str, Any]) -> list[Row]:
    """Rasa at its default threshold and at the valid-files one."""
    valid, test = ([(kind_of(r[0]), *r[1:]) for r in stored[split]] for split in ("valid", "test"))
    chosen = valid_threshold(valid, RASA_AMBIGUITY)
    rows = []
    for protocol, threshold in (("Rasa's default", RASA_THRESHOLD), ("valid files", chosen)):
        figures = score_rows(test, threshold, ambiguity=RASA_AMBIGUITY)
        rows.append(Row("Rasa DIET + Fallback", protocol, threshold, *figures))
    return rows


def measure(run: str, bench_data: Path) -> tuple[float, dict[str, Any]]:
    """Train and serve the embedded model of one run in fresh processes."""
    dataset, _, train = run.partition("/")
    folder = bench_data / dataset
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        model, variants = Path(tmp) / "model.joblib", Path(tmp) / "variants.joblib"
        with context.Pool(1) as pool:
            seconds = pool.apply(_train_child, (folder / f"{train}.yml", model, variants))
        with context.Pool(1) as pool:
            served = pool.apply(_serve_child, (model, variants, folder))
    return seconds, served


def store_rasa(run: str, bench_data: Path, out: Path = RASA_OOS) -> None:
    """Train and serve Rasa for ``run`` now and keep its rankings in ``out``."""
    from bench.rasa_nlu import rasa_rankings

    dataset, _, train = run.partition("/")
    folder = bench_data / dataset
    groups = {split: list(split_files(folder, split).values()) for split in ("valid", "test")}
    entry = rasa_rankings([folder / f"{train}.yml"], groups)
    entry["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    stored = json.loads(out.read_text()) if out.exists() else {}
    stored[run] = entry
    out.write_text(json.dumps(dict(sorted(stored.items())), ensure_ascii=False) + "\n")


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def oos_table(results: list[tuple[str, float, dict[str, Any], list[Row]]]) -> Table:
    """One line per run, rule and protocol."""
    table = Table(
        "run",
        "rule",
        "threshold from",
        "threshold",
        "in-scope acc.",
        "ID-OOS recall",
        "OOD-OOS recall",
        "macro-F1",
        "MCC",
        title="Out-of-scope detection (test data)",
    )
    for run, _, _, rows in results:
        for i, row in enumerate(rows):
            table.add_row(
                run if i == 0 else "",
                row.name,
                row.protocol,
                f"{row.threshold:.3f}",
                _cell(row.in_scope),
                _cell(row.id_recall),
                _cell(row.ood_recall),
                _cell(row.macro_f1),
                _cell(row.mcc),
                end_section=i == len(rows) - 1,
            )
    return table


def costs_table(results: list[tuple[str, float, dict[str, Any], list[Row]]]) -> Table:
    """Training time (rule search included), parse latency and memory of each run."""
    table = Table("run", "train s", "p50 ms", "p99 ms", "peak MB", title="Costs")
    for run, seconds, served, _ in results:
        table.add_row(
            run,
            f"{seconds:.1f}",
            f"{served['p50']:.2f}",
            f"{served['p99']:.2f}",
            f"{served['peak_mb']:.0f}",
        )
    return table


def run_all(runs: list[str], bench_data: Path, rasa: str, console: Console) -> None:
    """Measure ``runs`` and print both tables."""
    stored = json.loads(RASA_OOS.read_text()) if RASA_OOS.exists() else {}
    results = []
    for run in runs:
        if rasa == "live":
            store_rasa(run, bench_data)
            stored = json.loads(RASA_OOS.read_text())
        seconds, served = measure(run, bench_data)
        rows = embedded_rows(served)
        if rasa != "off" and run in stored:
            rows += rasa_rows(stored[run])
        console.print(f"{run}: {served['how']}")
        results.append((run, seconds, served, rows))
        print(json.dumps({"run": run, "rows": [r.__dict__ for r in rows]}), flush=True)
    console.print(oos_table(results))
    console.print(costs_table(results))


def main() -> None:
    """Measure every out-of-scope run and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", choices=("stored", "live", "off"), default="stored")
    parser.add_argument("--runs", nargs="+", default=list(OOS_RUNS))
    parser.add_argument("--bench-data", type=Path, default=BENCH_DATA)
    args = parser.parse_args()
    console = Console(width=max(Console().width, 150))
    run_all(args.runs, args.bench_data, args.rasa, console)


if __name__ == "__main__":
    main()
