"""Where each head does its job: the cells its rule is built to select.

The previous-token head selects key i - 1 for query i; the induction head
selects each key j right after an earlier copy of the query's token
(x_(j-1) = x_i). Both are read off the heads' declared blocks, not written
down again: a cell is selected where the head's logit is positive on the
lecture's ideal residual stream, in which the current half is the one-hot
token and position and the previous half holds exactly the token and
position before (nothing at position 0). The views mark these cells; the
numbers in them are the run's, unchanged.
"""
from __future__ import annotations

import numpy as np

from .stream import OneHot, Stream, compare
from .basis import Basis
from .similar import Embedding
from .trace import Layer, Trace
from .weights import offset_of, relation, sinusoid


def ideal(basis: Basis, ids: np.ndarray, words: Embedding | None = None) -> Stream:
    """Y with each half exactly the token and position its offset back (nothing
    where there is none: the half of position i < o, o back, is empty); with
    dense ``words``, each token half holds the token's vector, and a
    sinusoidal position block the position's code."""
    n = len(ids)
    parts: dict = {}
    for s in basis.subspaces:
        o, width = offset_of(s.name), basis.size(s.name)
        if s.kind == "tok" and words is None or s.kind == "pos":
            source = ids if s.kind == "tok" else np.arange(n)
            back = np.full(n, -1)  # -1: a zero row, where there is nothing o back
            back[o:] = source[:max(n - o, 0)]
            parts[s.name] = OneHot(back, width)
            continue
        else:  # dense rows: token vectors, or sinusoidal position codes
            rows = words.vectors[ids] if s.kind == "tok" else sinusoid(np.arange(n), width // 2)
            part = np.zeros((n, width))
            part[o:] = rows[:max(n - o, 0)]
        parts[s.name] = part
    return Stream(basis, parts)


def selected(heads, y: Stream) -> np.ndarray:  # -> [N, N] bool
    """Where the heads' rules hold on ``y``, the mask not applied. A
    previous-token head's job is the key its offset o back (j = i - o), by
    construction, whatever encodes positions (one-hot directions, a
    sinusoidal code, a relative bias, rotations, or nothing at all). The
    induction head's: its main block (its largest, the query's own token
    against the key's, which --context adds to and --similar makes a cosine)
    gives a positive logit."""
    out = np.zeros((y.n, y.n), dtype=bool)
    for head in heads:
        if head.offset:
            out |= np.eye(y.n, k=-head.offset, dtype=bool)
            continue
        main = max(head.qk, key=lambda b: b.scale)
        out |= compare(y[main.rows], relation(main, y.basis), y[main.cols], y.n) > 1e-9 * main.scale
    return out


def copyable(heads, y: Stream, mask: np.ndarray) -> np.ndarray:  # -> [N] bool
    """Where a query has something to copy: a key it keeps that its head selects
    on the ideal stream ``y`` (for the lecture's model: x_i occurred at some
    k <= i - 2, so the token after it, at k + 1 < i, is a key the query sees)."""
    return (selected(heads, y) & mask).any(axis=1)


def _ideal(trace: Trace) -> Stream:
    return ideal(trace.basis, trace.ids, trace.words)


def cells(trace: Trace, runs) -> np.ndarray:  # -> [N, N] bool, rows queries, columns keys
    """Where the heads of ``runs`` (a Layer, or some of its HeadRuns) do their
    job on the ideal stream, the mask not applied."""
    runs = runs.heads if isinstance(runs, Layer) else runs
    return selected([run.head for run in runs], _ideal(trace))


def copies(trace: Trace) -> np.ndarray:  # -> [N] bool
    """Where the last layer's prediction is a copy: most of the query's weight
    sits on the cells its head is built for. Elsewhere a predicted token is a
    blend (with the previous-token head ablated, every key weighs the same and
    the top token is just the most frequent earlier one)."""
    layer = trace.layers[-1]
    return (layer.weights * (cells(trace, layer) & layer.mask)).sum(axis=1) > 0.5
