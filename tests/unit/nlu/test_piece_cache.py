"""The one-message pass of the sentence encoder gives the package's embeddings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nlu.embedded.encoder import SentenceEncoder, default_encoder
from nlu.embedded.piece_cache import PieceCache

MESSAGES = [
    "where is my order?",
    "¿dónde está mi pedido 10234?",
    "vorrei restituire le cuffie, non funzionano più",
    "ok",
    "👍",
    "a",
    "the the the the the the the",  # one piece repeated: each window sees itself
    "I still have not received my new card and it has been two weeks, how long does it "
    "usually take to arrive in Spain, and can I track it somewhere in the app?",
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return default_encoder()


def _package(encoder: SentenceEncoder, text: str) -> Any:
    return np.asarray(encoder._backend._encode([text]))[0]


def _ids(encoder: SentenceEncoder, text: str) -> list[int]:
    return list(encoder._backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True))


def test_one_message_gets_the_package_embedding(encoder: SentenceEncoder) -> None:
    for text in MESSAGES:
        single = encoder.encode([text])[0]
        assert float(single @ _package(encoder, text)) > 0.9999, text
        assert abs(float(np.linalg.norm(single)) - 1.0) < 1e-5


def test_a_full_table_is_emptied_and_answers_stay_right(encoder: SentenceEncoder) -> None:
    cache = PieceCache(encoder._backend, capacity=24)
    for _ in range(2):  # the second round starts from a table refilled by the first
        for text in MESSAGES:
            ids = _ids(encoder, text)
            if len(set(ids)) > 24:
                continue
            assert float(cache.embed(ids) @ _package(encoder, text)) > 0.9999, text
            assert len(cache) <= 24


def test_pieces_seen_before_are_not_worked_out_again(encoder: SentenceEncoder) -> None:
    cache = PieceCache(encoder._backend)
    first = cache.embed(_ids(encoder, "where is my order?"))
    known = len(cache)
    again = cache.embed(_ids(encoder, "where is my order?"))
    assert len(cache) == known
    np.testing.assert_array_equal(first, again)


def test_a_message_with_more_pieces_than_the_table_is_embedded_without_keeping_them(
    encoder: SentenceEncoder,
) -> None:
    cache = PieceCache(encoder._backend, capacity=8)
    text = MESSAGES[-1]
    assert float(cache.embed(_ids(encoder, text)) @ _package(encoder, text)) > 0.9999
    assert len(cache) == 0
