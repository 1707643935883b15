"""`journeybot nlu train` and `journeybot nlu test` as a user runs them, in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SHOP = Path(__file__).parents[1] / "unit" / "nlu" / "fixtures" / "shop"
REPORT_FILES = {
    "intent_report.json",
    "intent_errors.json",
    "intent_successes.json",
    "intent_confusion_matrix.png",
    "intent_histogram.png",
}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("nlu-cli")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYBOT_")}
    clean.update(
        JOURNEYBOT_NLU_CACHE_DIR=str(home / "nlu-cache"),
        JOURNEYBOT_LOG_LEVEL="WARNING",
        COLUMNS="120",
    )
    return clean


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "nlu", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def model(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "shop.joblib"
    trained = run(env, "train", "--data", str(SHOP), "--out", str(path))
    assert trained.returncode == 0, trained.stderr
    assert path.exists()
    summary = trained.stdout
    for line in ("examples", "180", "intents", "6", "languages", "en, es, it", str(path)):
        assert line in summary
    assert "out of scope" in summary and "whole intents held out" in summary
    return path


def test_train_then_test_writes_rasas_report_files(
    env: dict[str, str], model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    tested = run(
        env, "test", "--data", str(SHOP / "en.yml"), "--model", str(model), "--out", str(out)
    )
    assert tested.returncode == 0, tested.stderr
    assert {p.name for p in out.iterdir()} >= REPORT_FILES
    report = json.loads((out / "intent_report.json").read_text())
    assert {"accuracy", "macro avg", "weighted avg", "greet"} <= set(report)
    assert report["accuracy"] > 0.9  # it saw these examples in training
    successes = json.loads((out / "intent_successes.json").read_text())
    assert set(successes[0]) == {"text", "intent", "intent_prediction"}
    assert "macro F1" in tested.stdout and "en" in tested.stdout
    rules = json.loads((out / "fallback_rule.json").read_text())["rules"]
    assert len(rules) == 1 and rules[0].startswith("scope score ≥ ")
    assert "out of scope: scope score" in " ".join(tested.stdout.split())


def test_out_of_scope_test_examples_get_their_own_figures(
    env: dict[str, str], model: Path, tmp_path: Path
) -> None:
    off_topic = tmp_path / "off_topic.yml"
    off_topic.write_text(
        'version: "3.1"\nnlu:\n- intent: out_of_scope\n  examples: |\n'
        "    - who won the match last night\n    - give me a recipe for lasagne\n",
        encoding="utf-8",
    )
    tested = run(
        env,
        "test",
        "--data",
        str(SHOP / "en.yml"),
        str(off_topic),
        "--model",
        str(model),
        "--out",
        str(tmp_path / "results"),
    )
    assert tested.returncode == 0, tested.stderr
    for column in ("in-scope", "OOS", "MCC"):
        assert column in tested.stdout


def test_the_threshold_setting_overrides_the_models_rule(
    env: dict[str, str], model: Path, tmp_path: Path
) -> None:
    tested = run(
        {**env, "JOURNEYBOT_NLU_THRESHOLD": "0.3"},
        "test",
        "--data",
        str(SHOP / "en.yml"),
        "--model",
        str(model),
        "--out",
        str(tmp_path / "results"),
    )
    assert tested.returncode == 0, tested.stderr
    assert "top confidence ≥ 0.30: set by JOURNEYBOT_NLU_THRESHOLD" in tested.stdout


def test_cross_validation_reports_every_language(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "cv"
    tested = run(
        env, "test", "--cross-validation", "--folds", "3", "--data", str(SHOP), "--out", str(out)
    )
    assert tested.returncode == 0, tested.stderr
    assert {p.name for p in (out / "by_language").iterdir()} == {"en", "es", "it"}
    assert {p.name for p in (out / "by_language" / "es").iterdir()} >= REPORT_FILES
    errors = json.loads((out / "intent_errors.json").read_text())
    successes = json.loads((out / "intent_successes.json").read_text())
    assert len(errors) + len(successes) == 180


def test_a_broken_training_file_is_refused_with_its_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n", encoding="utf-8"
    )
    trained = run(env, "train", "--data", str(broken), "--out", str(tmp_path / "m.joblib"))
    assert trained.returncode == 1
    assert f"{broken}:5" in trained.stdout + trained.stderr
    assert not (tmp_path / "m.joblib").exists()


def test_test_without_data_says_what_to_give(env: dict[str, str]) -> None:
    tested = run(env, "test")
    assert tested.returncode == 2
    assert "--data" in tested.stderr
