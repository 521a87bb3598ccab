"""Run the two heads on a token string and keep every intermediate.

Conventions, stated once:
- Representations are row vectors; Y is [N, d], row i is position i.
- Logits are the bilinear form a_ij = y_i A y_j^T: rows are queries i,
  columns keys j.
- The mask is strict: a query keeps only keys j < i (the lecture's "if i > j,
  0 otherwise"). A query never sees itself, so the induction head cannot
  match a token with itself, and position 0, which has no earlier key, gets
  an all-zero row of weights (it attends nowhere) rather than a softmax over
  an empty set.
- ``scale`` multiplies both attention matrices; it is the sharpness of the
  softmax (the lecture's 100.0 logits).
- There is no feed-forward layer and no layer norm.
"""
from __future__ import annotations

import math

import numpy as np

from . import weights as W
from .basis import Basis
from .errors import InputError
from .tokens import vocabulary
from .trace import Layer, Prediction, Trace

TIE_TOLERANCE = 1e-6
"""Shares of Y^(2)'s token columns closer than this count as a tie. Two
successors that each got half the attention differ only by layer 1's leakage
(about N e^-scale), which is far below what any view prints."""


def embed(basis: Basis, ids: np.ndarray) -> np.ndarray:  # [N] -> [N, d]
    """Y^(0): one-hot token and one-hot position; the previous half is zero."""
    n = len(ids)
    y = np.zeros((n, basis.d))
    y[np.arange(n), basis.block("tok").start + ids] = 1.0
    y[np.arange(n), basis.block("pos").start + np.arange(n)] = 1.0
    return y


def causal_mask(n: int) -> np.ndarray:  # -> [N, N] bool
    """True where key j is strictly earlier than query i."""
    return np.tri(n, k=-1, dtype=bool)


def attention_logits(y: np.ndarray, a: np.ndarray) -> np.ndarray:  # [N, d], [d, d] -> [N, N]
    return y @ a @ y.T


def masked_softmax(logits: np.ndarray, mask: np.ndarray) -> np.ndarray:  # [N, N] -> [N, N]
    """Softmax over the kept entries of each row; a row with none is all zero."""
    kept = np.where(mask, logits, -np.inf)
    top = kept.max(axis=1, keepdims=True)
    e = np.where(mask, np.exp(kept - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = e.sum(axis=1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def attend(y: np.ndarray, a: np.ndarray, v: np.ndarray, values: np.ndarray):
    """One head: logits, mask, weights, and the weighted values W (values V)."""
    logits = attention_logits(y, a)
    mask = causal_mask(len(y))
    weights = masked_softmax(logits, mask)
    return logits, mask, weights, weights @ values @ v


def has_successor_before(ids: np.ndarray) -> np.ndarray:  # [N] -> [N] bool
    """True at i when x_i occurred at some k <= i - 2, so that the token after
    it (at k + 1 < i) is a key the query can see: there is something to copy."""
    same = ids[:, None] == ids[None, :]
    return np.tril(same, k=-2).any(axis=1)


def predict(tokens, vocab, ids, y2: np.ndarray, basis: Basis) -> tuple[Prediction, ...]:
    """The token whose column of Y^(2)'s token block is largest, where there is
    something to copy; None elsewhere."""
    shares = y2[:, basis.block("tok")]
    tied = shares >= shares.max(axis=1, keepdims=True) - TIE_TOLERANCE
    copies = has_successor_before(ids)
    out = []
    for i, token in enumerate(tokens):
        candidates = tuple(vocab[t] for t in np.flatnonzero(tied[i])) if copies[i] else ()
        out.append(Prediction(i, token, candidates[0] if candidates else None, candidates))
    return tuple(out)


def check_scale(scale: float) -> float:
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise InputError(f"the scale must be a finite number greater than 0, not {scale!r}")
    return float(scale)


def run(tokens: tuple[str, ...], scale: float = 100.0) -> Trace:
    """Run layer 1 (previous-token head) and layer 2 (induction head).

    Y^(1) = Y^(0) + W^(1) Y^(0) V_1   (residual: keep the current half, add the previous)
    Y^(2) = W^(2) Y^(1) V_2           (no residual: the copied current half only)
    """
    scale = check_scale(scale)
    if not tokens:
        raise InputError("no tokens to run")
    vocab = vocabulary(tokens)
    index = {t: k for k, t in enumerate(vocab)}
    ids = np.array([index[t] for t in tokens])
    basis = Basis(vocab, len(tokens))
    w = W.build(basis, scale)

    y0 = embed(basis, ids)
    l1, m1, w1, head1 = attend(y0, w.A_1, w.V_1, y0)
    y1 = y0 + head1
    l2, m2, w2, y2 = attend(y1, w.A_2, w.V_2, y1)

    layers = (
        Layer(1, "previous-token head", w.A_1, w.V_1, l1, m1, w1, y1),
        Layer(2, "induction head", w.A_2, w.V_2, l2, m2, w2, y2),
    )
    return Trace(tuple(tokens), vocab, scale, basis, y0, layers,
                 predict(tokens, vocab, ids, y2, basis))
