"""The trained model as one file: what is saved, cached and loaded.

Model files are pickles (joblib): load only files this program wrote, from a folder
only it can write to. A cached model is named after the training data's fingerprint, the
model format version, the scikit-learn version and the sentence encoder's package version,
so any change retrains.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import joblib
import sklearn

from nlu.embedded.classifier import IntentClassifier
from nlu.embedded.encoder import PACKAGE
from nlu.embedded.scope import RejectionRule
from nlu.errors import NluError
from nlu.language import LanguageDetector
from nlu.training_data import TrainingData

MODEL_VERSION = "3"
"""Bump when the model's shape or features change: cached models then retrain."""
CACHE_PREFIX = "nlu-model-"
CACHE_SUFFIX = ".joblib"


@dataclass(frozen=True, slots=True)
class TrainedModel:
    """Everything learnt from the training data."""

    fingerprint: str
    classifier: IntentClassifier
    detector: LanguageDetector | None
    entity_data: TrainingData
    """The training data minus the examples without entities (for entity extraction)."""
    sklearn_version: str
    rejection: RejectionRule
    """When a message is out of scope, chosen from the training data at training time."""
    version: str = MODEL_VERSION


def cache_key(fingerprint: str) -> str:
    """The name part of a cached model for training data with this fingerprint."""
    encoder = metadata.version(PACKAGE)
    material = f"{fingerprint}:{MODEL_VERSION}:{sklearn.__version__}:{encoder}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def cache_path(cache_dir: Path, fingerprint: str) -> Path:
    """Where the model for this training data lives in ``cache_dir``."""
    return cache_dir / f"{CACHE_PREFIX}{cache_key(fingerprint)}{CACHE_SUFFIX}"


KEEP_CACHED = 5
"""Cached models kept per folder: the newest ones (data being edited, several services)."""


def prune_cache(cache_dir: Path, keep: int = KEEP_CACHED) -> list[Path]:
    """Delete all but the ``keep`` most recently written cached models; return the deleted."""
    cached = sorted(
        cache_dir.glob(f"{CACHE_PREFIX}*{CACHE_SUFFIX}"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in cached[keep:]:
        old.unlink(missing_ok=True)
    return cached[keep:]


def save_model(model: TrainedModel, path: Path) -> None:
    """Write atomically: readers see the old file or the complete new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            joblib.dump(model, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_model(path: Path) -> TrainedModel:
    """Read a model file; ``NluError`` when it is missing, unreadable or of another version."""
    try:
        model = joblib.load(path)
    except FileNotFoundError as exc:
        raise NluError(f"{path}: no such model file") from exc
    except Exception as exc:  # unpickling raises many types; a broken file is all we learn
        raise NluError(f"{path}: not a readable NLU model ({exc.__class__.__name__})") from exc
    if not isinstance(model, TrainedModel):
        raise NluError(f"{path}: not an NLU model file")
    # a file of another format may lack the fields this one reads
    version = getattr(model, "version", "older")
    trained_with = getattr(model, "sklearn_version", "unknown")
    if version != MODEL_VERSION or trained_with != sklearn.__version__:
        raise NluError(
            f"{path}: model format {version} / scikit-learn {trained_with}, "
            f"expected {MODEL_VERSION} / {sklearn.__version__}: retrain it"
        )
    return model
