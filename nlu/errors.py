"""Errors of the NLU package.

NluError
├── TrainingDataError      a training file is broken (names file, line and problem)
└── BackendUnavailable     a remote backend (Rasa server) could not answer
"""

from __future__ import annotations


class NluError(Exception):
    """Base of every NLU error."""


class TrainingDataError(NluError):
    """A training data file is broken; the message names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class BackendUnavailable(NluError):
    """The NLU backend could not be reached or answered nonsense."""
