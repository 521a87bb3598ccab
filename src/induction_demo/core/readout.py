"""Reading the prediction off Y^(2): next-token scores, probabilities, ties.

- Scores: the unembedding W_U = E^T gives token t the tok:t entry of a
  representation, so the scores are Y^(2)'s token part, each between 0 and 1.
- Probabilities: softmax(scores / T). A vocabulary may hold ``unseen``
  tokens that never occur (the bench draws from GPT-2's 50,257): nothing ever
  writes their directions, so each scores exactly 0 and its probability is
  exp(-top / T) / Z, computed once instead of once per token.
- The output: every token whose probability is within TIE_TOLERANCE (a
  share) of the top one (none where every token scores 0: Y^(2)'s row is empty).
- The prediction: that output, where it is a copy (``copies``: the
  induction head put most of its weight on the keys it is built for, as
  mechanism.copied says); elsewhere the output is a blend of earlier tokens
  and the prediction is None.
"""
from __future__ import annotations

import numpy as np

from .trace import Prediction

TIE_TOLERANCE = 1e-3
"""Probabilities within this share of the top one are a near-tie: every such
token is output, and the story names them all ("a near-tie"), never one of
them as the prediction. A near-tie comes from soft heads (a sinusoidal code,
RoPE, a learned file): three keys at 0.333326, 0.333326 and 0.333348 give
probabilities 2e-5 apart, which no view tells apart. At T = 1 this is a
score gap of about 0.001; a temperature far below 1 magnifies such a gap,
and then the probabilities, and so the prediction, tell the tokens apart."""
NEAR_WEIGHT = 0.01
"""Keys within this of a row's largest weight share the top: a near-tie of weights is a tie (the story's, the
page's, a file's copy)."""

EXACT_TIE = 1e-6
"""Within this share of the top, a tie is exact (said "a tie"): two successors
that each got half the attention differ only by layer 1's leakage (about
N e^-scale)."""


def _shifted(scores: np.ndarray, temperature: float, unseen: int):  # [N, V] -> [N, V], [N]
    """(score - top) / T for each named token, and the same for an unseen one
    (score 0): the exponents of a softmax that cannot overflow."""
    top = scores.max(axis=1)
    if unseen:
        top = np.maximum(top, 0.0)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):  # T -> 0: -inf, so exp gives 0
        return (scores - top[:, None]) / temperature, -top / temperature


def softmax(scores: np.ndarray, temperature: float, unseen: int = 0):  # [N, V] -> [N, V], [N]
    """softmax(scores / T) over each row and ``unseen`` more tokens of score 0:
    the probabilities of the named tokens, and that of each unseen one.
    Stable for any T > 0 (a tiny T is one-hot on the top score, ties shared;
    a huge T is uniform)."""
    z, rest = _shifted(scores, temperature, unseen)
    with np.errstate(over="ignore", under="ignore"):
        e, rest = np.exp(z), np.exp(rest)
    total = e.sum(axis=1) + unseen * rest if unseen else e.sum(axis=1)
    return e / total[:, None], rest / total


def log_probs(scores: np.ndarray, temperature: float, unseen: int, rows: np.ndarray,
              targets: np.ndarray) -> np.ndarray:  # -> [Q]
    """log P(targets[k] at rows[k]), computed as a log-softmax, so that a
    probability too small for a float (a low T) still has a finite log."""
    z, rest = _shifted(scores[rows], temperature, unseen)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        total = np.exp(z).sum(axis=1) + (unseen * np.exp(rest) if unseen else 0.0)
    return z[np.arange(len(rows)), targets] - np.log(total)


def most_probable(probs: np.ndarray) -> np.ndarray:  # [N, V] -> [N, V] bool
    """Each row's most probable tokens: every one within a factor 1 - TIE_TOLERANCE of the top (a near-tie)."""
    return probs >= probs.max(axis=1, keepdims=True) * (1 - TIE_TOLERANCE)


def predict(tokens: tuple[str, ...], vocab: tuple[str, ...], scores: np.ndarray, probs: np.ndarray,
            copies: np.ndarray, copyable: np.ndarray, horizon: int = 1,
            weights: np.ndarray | None = None) -> tuple[Prediction, ...]:
    """Each position's output (its most probable tokens: every one within a
    factor 1 - TIE_TOLERANCE of the top probability, so the predictions and
    the probabilities give one answer at any temperature; none where every
    token scores 0) and, where that output is a copy (``copies``), its
    prediction, ``horizon`` tokens ahead; ``copyable``: where there was
    something to copy. With ``weights`` (the last head's, a built model's,
    which copies each key's token), ``others`` is the weight on keys of other
    tokens than the first output; else the largest |score| of another token."""
    top = scores.max(axis=1, keepdims=True)
    tied = most_probable(probs)
    empty = ~scores.any(axis=1)  # Y^(2)'s row is 0: every token scores 0, nothing is output
    index = {t: k for k, t in enumerate(vocab)}
    ids = np.array([index[t] for t in tokens])
    out = []
    for i, token in enumerate(tokens):
        columns = np.flatnonzero(tied[i])
        output = () if empty[i] else tuple(vocab[t] for t in columns)
        copy = bool(copies[i]) and bool(output)
        first = int(columns[0])
        if weights is not None:
            others = float(weights[i][ids != first].sum())
        else:
            others = float(np.abs(np.delete(scores[i], first)).max(initial=0.0))
        out.append(Prediction(i, token, output[0] if copy else None, output if copy else (), output, copy, horizon,
                              float(top[i, 0]), float(scores[i, columns].min()), bool(copyable[i]), others))
    return tuple(out)
