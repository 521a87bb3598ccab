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
from .trace import Layer, Trace
from .weights import relation


def ideal(trace: Trace) -> Stream:
    """Y with each position's previous half exactly the token and position before it."""
    n, v = trace.n, len(trace.vocab)
    index = {t: k for k, t in enumerate(trace.vocab)}
    ids = np.array([index[t] for t in trace.tokens])
    prev_tok, prev_pos = np.zeros((n, v)), np.zeros((n, n))
    prev_tok[np.arange(1, n), ids[:-1]] = 1.0
    prev_pos[np.arange(1, n), np.arange(n - 1)] = 1.0
    parts = {"tok": OneHot(ids, v), "pos": OneHot(np.arange(n), n), "prev tok": prev_tok, "prev pos": prev_pos}
    return Stream(trace.basis, {name: part for name, part in parts.items() if name in trace.basis.names})


def cells(trace: Trace, layer: Layer) -> np.ndarray:  # -> [N, N] bool, rows queries, columns keys
    """Where the layer's heads' rules hold on the ideal stream (the mask not applied)."""
    y = ideal(trace)
    selected = np.zeros((trace.n, trace.n), dtype=bool)
    for run in layer.heads:
        selected |= sum(compare(y[b.rows], relation(b, trace.basis), y[b.cols], trace.n) for b in run.head.qk) > 0
    return selected


def copies(trace: Trace) -> np.ndarray:  # -> [N] bool
    """Where the last layer's prediction is a copy: most of the query's weight
    sits on the cells its head is built for. Elsewhere a predicted token is a
    blend (with the previous-token head ablated, every key weighs the same and
    the top token is just the most frequent earlier one)."""
    layer = trace.layers[-1]
    return (layer.weights * (cells(trace, layer) & layer.mask)).sum(axis=1) > 0.5
