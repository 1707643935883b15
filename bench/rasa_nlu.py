"""Rasa 3.6's figures on an NLU benchmark set, measured on this machine.

:func:`evaluate_rasa` trains Rasa (``nlu/rasa/config.yml``: DIET, 100 epochs,
FallbackClassifier at 0.45) on the given training files with ``scripts/rasa-server.sh``,
serves the model on a loopback port, sends every test example to ``POST /model/parse`` over
one kept-alive connection, and returns macro-F1, accuracy, out-of-scope recall, training
seconds, parse latency and the server's peak memory. Models are cached by a hash of config
and data, and the training time measured when the model was trained is kept beside it.

Command line (figures are merged into the JSON file, one entry per run name)::

    python -m bench.rasa_nlu snips_es/train_10shot clinc150/train_10shot \\
        [--bench-data ../shared/data/nlu-bench] [--out bench/results/rasa.json]

A run name is ``DATASET/TRAIN``: Rasa trains on ``DATASET/TRAIN.yml`` and is tested on
``DATASET/test.yml`` plus ``DATASET/test_oos.yml`` where it exists.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score

from nlu.training_data import load_training_data

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "rasa-server.sh"
CONFIG = ROOT / "nlu" / "rasa" / "config.yml"
BENCH_DATA = ROOT.parent / "shared" / "data" / "nlu-bench"
RESULTS = ROOT / "bench" / "results" / "rasa.json"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
WARM_UP = 5


@dataclass(frozen=True)
class Prediction:
    """One test example: its text, its label and what Rasa predicted."""

    text: str
    intent: str
    predicted: str
    confidence: float
    top: str = FALLBACK
    """The best real intent of the ranking (under Rasa's FallbackClassifier too)."""
    top_confidence: float = 0.0
    second_confidence: float = 0.0


@dataclass(frozen=True)
class RasaFigures:
    """Rasa's scores and costs on one train/test pair.

    ``accuracy`` and ``macro_f1`` are over every test example, out-of-scope ones included
    (an ``nlu_fallback`` prediction is right for them); ``in_scope_accuracy`` and
    ``oos_recall`` are given when the test set has out-of-scope examples.
    """

    train: tuple[str, ...]
    test: tuple[str, ...]
    train_examples: int
    test_examples: int
    macro_f1: float
    accuracy: float
    in_scope_accuracy: float | None
    oos_recall: float | None
    train_seconds: float | None
    parse_p50_ms: float
    parse_p99_ms: float
    server_peak_rss_mb: float
    predictions: tuple[Prediction, ...] = field(default=(), repr=False)


def rasa_available() -> bool:
    """True when ``scripts/rasa-server.sh setup`` can make (or has made) Rasa's environment."""
    return _script("setup", check=False).returncode == 0


def evaluate_rasa(
    train: Sequence[Path], test: Sequence[Path], *, port: int | None = None
) -> RasaFigures:
    """Train Rasa on ``train``, predict ``test`` through its server, and score it."""
    _script("setup")
    model = Path(_script("train", *map(str, train)).stdout.strip())
    seconds = model.with_name(model.name.removesuffix(".tar.gz") + ".seconds")
    train_seconds = float(seconds.read_text()) if seconds.exists() else None
    examples = load_training_data(test).examples
    port = port or _free_port()
    pid = int(_script("start", "--port", str(port), "--model", str(model)).stdout.strip())
    try:
        predictions, latencies = _predict(port, [(e.text, e.intent) for e in examples])
        peak_rss_mb = _peak_rss_mb(pid)
    finally:
        _script("stop", "--port", str(port))
    return _score(
        predictions,
        latencies,
        train=tuple(map(str, train)),
        test=tuple(map(str, test)),
        train_examples=len(load_training_data(train).examples),
        train_seconds=train_seconds,
        peak_rss_mb=peak_rss_mb,
    )


def rasa_rankings(
    train: Sequence[Path], groups: Mapping[str, Sequence[Path]], *, port: int | None = None
) -> dict[str, Any]:
    """Train Rasa on ``train`` and keep, for every example of each group of files, its
    label, file, best real intent and the two best confidences (to apply any threshold)."""
    _script("setup")
    model = Path(_script("train", *map(str, train)).stdout.strip())
    seconds = model.with_name(model.name.removesuffix(".tar.gz") + ".seconds")
    port = port or _free_port()
    _script("start", "--port", str(port), "--model", str(model))
    records: dict[str, list[list[object]]] = {}
    try:
        for group, files in groups.items():
            records[group] = []
            for file in files:
                examples = [(e.text, e.intent) for e in load_training_data(file).examples]
                for p in _predict(port, examples)[0]:
                    records[group].append(
                        [
                            file.name,
                            p.intent,
                            p.top,
                            round(p.top_confidence, 4),
                            round(p.second_confidence, 4),
                        ]
                    )
    finally:
        _script("stop", "--port", str(port))
    return {
        "train_seconds": float(seconds.read_text()) if seconds.exists() else None,
        "columns": ["file", "intent", "top", "confidence", "second"],
        **records,
    }


def _predict(
    port: int, examples: Sequence[tuple[str, str]]
) -> tuple[list[Prediction], list[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for text, _ in examples[:WARM_UP]:
        _parse(connection, text)
    predictions, latencies = [], []
    for text, intent in examples:
        started = time.perf_counter()
        answer = _parse(connection, text)
        latencies.append((time.perf_counter() - started) * 1000)
        predicted = answer.get("intent") or {}
        ranking = [r for r in answer.get("intent_ranking") or () if r.get("name") != FALLBACK]
        confidences = [float(r.get("confidence") or 0.0) for r in ranking[:2]] + [0.0, 0.0]
        predictions.append(
            Prediction(
                text,
                intent,
                str(predicted.get("name") or FALLBACK),
                float(predicted.get("confidence") or 0.0),
                str(ranking[0]["name"]) if ranking else FALLBACK,
                confidences[0],
                confidences[1],
            )
        )
    connection.close()
    return predictions, latencies


def _parse(connection: http.client.HTTPConnection, text: str) -> dict[str, Any]:
    body = json.dumps({"text": text})
    connection.request("POST", "/model/parse", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status} from Rasa: {payload[:200]!r}")
    answer: dict[str, Any] = json.loads(payload)
    return answer


def _score(
    predictions: list[Prediction],
    latencies: list[float],
    *,
    train: tuple[str, ...],
    test: tuple[str, ...],
    train_examples: int,
    train_seconds: float | None,
    peak_rss_mb: float,
) -> RasaFigures:
    truth = [p.intent for p in predictions]
    guess = [_as_label(p.predicted, p.intent) for p in predictions]
    right = [t == g for t, g in zip(truth, guess, strict=True)]
    in_scope = [r for r, t in zip(right, truth, strict=True) if t != OUT_OF_SCOPE]
    oos = [r for r, t in zip(right, truth, strict=True) if t == OUT_OF_SCOPE]
    labels = sorted(set(truth))
    ordered = sorted(latencies)
    return RasaFigures(
        train=train,
        test=test,
        train_examples=train_examples,
        test_examples=len(predictions),
        macro_f1=round(
            float(f1_score(truth, guess, labels=labels, average="macro", zero_division=0)), 4
        ),
        accuracy=round(sum(right) / len(right), 4),
        in_scope_accuracy=round(sum(in_scope) / len(in_scope), 4) if oos else None,
        oos_recall=round(sum(oos) / len(oos), 4) if oos else None,
        train_seconds=train_seconds,
        parse_p50_ms=round(statistics.median(ordered), 2),
        parse_p99_ms=round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        server_peak_rss_mb=round(peak_rss_mb, 1),
        predictions=tuple(predictions),
    )


def _as_label(predicted: str, truth: str) -> str:
    """``nlu_fallback`` is the right answer to an out-of-scope example."""
    return OUT_OF_SCOPE if predicted == FALLBACK and truth == OUT_OF_SCOPE else predicted


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def _script(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"rasa-server.sh {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _files(bench_data: Path, run: str) -> tuple[list[Path], list[Path]]:
    dataset, _, train = run.partition("/")
    folder = bench_data / dataset
    tests = [folder / "test.yml"] + (
        [folder / "test_oos.yml"] if (folder / "test_oos.yml").exists() else []
    )
    return [folder / f"{train or 'train'}.yml"], tests


def _merge(out: Path, entries: dict[str, dict[str, object]]) -> None:
    stored = json.loads(out.read_text()) if out.exists() else {}
    runs = stored.get("runs", {})
    runs.update(entries)
    stored.update(
        {
            "what": "Rasa 3.6.21 (nlu/rasa/config.yml) trained and tested on this machine",
            "rasa_config": str(CONFIG.relative_to(ROOT)),
            "runs": dict(sorted(runs.items())),
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    """Measure the named runs and merge them into the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="DATASET/TRAIN, e.g. snips_es/train_10shot")
    parser.add_argument("--bench-data", type=Path, default=BENCH_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "bench.rasa_nlu", *(argv or sys.argv[1:])])
    for run in args.runs:
        train, test = _files(args.bench_data, run)
        load = os.getloadavg()[0]
        figures = evaluate_rasa(train, test)
        entry = asdict(figures)
        entry.pop("predictions")
        entry.update(
            train=[p.name for p in train],
            test=[p.name for p in test],
            command=command,
            date=datetime.now(UTC).isoformat(timespec="seconds"),
            cpus=os.cpu_count(),
            load_average_at_start=round(load, 2),
        )
        _merge(args.out, {run: entry})
        print(f"{run}: " + ", ".join(f"{k}={v}" for k, v in entry.items() if k not in ("command",)))


if __name__ == "__main__":
    main()
