"""The layer rules of DESIGN.md are enforced: lint-imports passes on the tree and fails as soon
as the pure core imports an I/O framework."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tree), "PATH": str(LINT_IMPORTS.parent)},
    )


def _copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for package in ("bot", "nlu", "journeys", "storage"):
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_contracts_hold_and_break_on_a_forbidden_import(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    kept = _lint(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    model = tree / "journeys" / "model.py"
    model.write_text(model.read_text() + "\nimport sqlalchemy  # noqa\n")
    broken = _lint(tree)
    assert broken.returncode != 0
    assert "journeys is pure" in broken.stdout
    assert "BROKEN" in broken.stdout
