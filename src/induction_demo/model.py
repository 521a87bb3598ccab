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
  softmax (the lecture's 100.0 logits). ``induction_scale`` sets layer 2's
  alone (the sweep varies it with layer 1 kept sharp).
- There is no feed-forward layer and no layer norm.
- Next-token probabilities: the unembedding W_U = E^T scores each vocabulary
  token (its share of Y^(2)'s token block, between 0 and 1), and a softmax at
  ``temperature`` T turns the scores into a distribution: T < 1 sharpens it,
  T > 1 flattens it.
- Ablation replaces a head's output by zeros: without the previous-token head
  the previous half stays empty and the induction head has nothing to match;
  without the induction head Y^(2) is zero and nothing is copied.
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


def predict(tokens, vocab, ids, shares: np.ndarray) -> tuple[Prediction, ...]:
    """The token whose column of Y^(2)'s token block is largest (``shares`` =
    Y^(2) W_U, [N, V]), where there is something to copy (and Y^(2) holds
    anything); None elsewhere."""
    top = shares.max(axis=1, keepdims=True)
    tied = shares >= top - TIE_TOLERANCE
    copies = has_successor_before(ids) & (top[:, 0] > 0)
    out = []
    for i, token in enumerate(tokens):
        candidates = tuple(vocab[t] for t in np.flatnonzero(tied[i])) if copies[i] else ()
        out.append(Prediction(i, token, candidates[0] if candidates else None, candidates))
    return tuple(out)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:  # [N, V] -> [N, V]
    """softmax(scores / T) over each row; stable for any T > 0 (a tiny T gives
    one-hot on the largest score, ties shared; a huge T gives uniform)."""
    e = np.exp((scores - scores.max(axis=1, keepdims=True)) / temperature)
    return e / e.sum(axis=1, keepdims=True)


ABLATIONS = ("previous-token", "induction")


def check_positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise InputError(f"the {name} must be a finite number greater than 0, not {value!r}")
    return float(value)


def check_scale(scale: float) -> float:
    return check_positive("scale", scale)


def run(tokens: tuple[str, ...], scale: float = 100.0, *, temperature: float = 1.0,
        ablate: str | None = None, induction_scale: float | None = None,
        vocab: tuple[str, ...] | None = None) -> Trace:
    """Run layer 1 (previous-token head) and layer 2 (induction head).

    Y^(1) = Y^(0) + W^(1) Y^(0) V_1   (residual: keep the current half, add the previous)
    Y^(2) = W^(2) Y^(1) V_2           (no residual: the copied current half only)
    P = softmax(Y^(2) W_U / T)        (next-token probabilities)

    ``vocab`` (default: the distinct tokens in order of first appearance) may
    hold tokens that do not occur, so that the unembedding covers them.
    """
    scale = check_scale(scale)
    scale_2 = scale if induction_scale is None else check_scale(induction_scale)
    temperature = check_positive("temperature", temperature)
    if ablate not in (None,) + ABLATIONS:
        raise InputError(f"unknown head to ablate {ablate!r}: use {' or '.join(ABLATIONS)}")
    if not tokens:
        raise InputError("no tokens to run")
    vocab = vocabulary(tokens) if vocab is None else tuple(vocab)
    index = {t: k for k, t in enumerate(vocab)}
    if len(index) != len(vocab) or any(t not in index for t in tokens):
        raise InputError("the vocabulary must hold every token once")
    ids = np.array([index[t] for t in tokens])
    basis = Basis(vocab, len(tokens))
    w = W.build(basis, scale, scale_2)

    y0 = embed(basis, ids)
    l1, m1, w1, head1 = attend(y0, w.A_1, w.V_1, y0)
    y1 = y0 + (np.zeros_like(head1) if ablate == "previous-token" else head1)
    l2, m2, w2, head2 = attend(y1, w.A_2, w.V_2, y1)
    y2 = np.zeros_like(head2) if ablate == "induction" else head2
    scores = y2 @ w.W_U

    layers = (
        Layer(1, "previous-token head", scale, ablate == "previous-token", w.A_1, w.V_1, l1, m1, w1, y1),
        Layer(2, "induction head", scale_2, ablate == "induction", w.A_2, w.V_2, l2, m2, w2, y2),
    )
    return Trace(tuple(tokens), vocab, scale, basis, y0, layers, predict(tokens, vocab, ids, scores),
                 temperature, w.W_U, scores, softmax(scores, temperature), ablate)
