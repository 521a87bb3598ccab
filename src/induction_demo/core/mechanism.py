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
        if s.name == "ptr pos":  # the pointer circuit's: where the token occurs, each 1 (every cell: the mask not applied)
            part = np.zeros((n, basis.size(s.name)))
            part[:, :n] = ids[:, None] == ids[None, :]
            parts[s.name] = part
            continue
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
    return Stream(basis, parts, n)


def selected(heads, y: Stream, horizon: int = 1) -> np.ndarray:  # -> [N, N] bool
    """Where the heads' rules hold on ``y``, the mask not applied. A
    previous-token head's job is the key its offset o back (j = i - o), by
    construction, whatever encodes positions (one-hot directions, a
    sinusoidal code, a relative bias, rotations, or nothing at all). The
    induction head's: its main block (its largest, the query's own token
    against the key's, which --context adds to and --similar makes a cosine)
    gives a positive logit. A model file's head is held to the lecture's head
    in its place: the key its offset back, or the key ``horizon`` after an
    earlier copy of the query's token (the file's own horizon)."""
    out = np.zeros((y.n, y.n), dtype=bool)
    for head in heads:
        if not head.held:  # a model file's head the file gives no role: held to no job
            continue
        if head.role.kind == "duplicate-token":  # another copy of the query's token, wherever it stands
            ids = y["tok"].index
            out |= (ids[:, None] == ids[None, :]) & ~np.eye(y.n, dtype=bool)
            continue
        if head.reference is not None and not head.looks_back:
            ids = y["tok"].index  # the ideal stream's one-hot tokens
            h = horizon
            out[:, h:] |= ids[:, None] == ids[None, :max(y.n - h, 0)]
            continue
        head = head if head.reference is None else head.reference  # a model file's: the lecture's job
        if head.looks_back:
            out |= np.eye(y.n, k=-head.offset, dtype=bool)
            continue
        main = max(head.qk, key=lambda b: b.scale)
        out |= compare(y[main.rows], relation(main, y.basis), y[main.cols], y.n) > 1e-9 * main.scale
    return out


def _ideal(trace: Trace) -> Stream:
    return ideal(trace.basis, trace.ids, trace.words)


def cells(trace: Trace, runs) -> np.ndarray:  # -> [N, N] bool, rows queries, columns keys
    """Where the heads of ``runs`` (a Layer, or some of its HeadRuns) do their
    job on the ideal stream, the mask not applied."""
    runs = runs.heads if isinstance(runs, Layer) else runs
    return selected([run.head for run in runs], _ideal(trace), trace.construction.horizon)


def copied(layer: Layer, job: np.ndarray) -> np.ndarray:  # -> [N] bool
    """Where the layer's output is a copy: its heads matched something (a
    positive logit on a kept cell of ``job``, the cells they are built for)
    and put at least half their weight there (summed over its heads, out of 1
    per head; for a model file's head, whose logit's sign says nothing of a
    match, the weight alone).
    Elsewhere its output is a blend: with the previous-token head
    ablated, every logit is 0 and every key weighs the same, and the top token
    is just the most frequent earlier one."""
    kept = job & layer.mask
    matched = np.zeros(len(kept), dtype=bool)
    on = np.zeros(len(kept))
    for run in layer.heads:  # (no N x N float made: the bench runs 4095 tokens)
        matched |= ((run.logits > 0) & kept).any(axis=1) if run.head.reference is None else kept.any(axis=1)
        on += np.add.reduce(run.weights, axis=1, where=kept)
    return matched & (on >= 0.5 * len(layer.heads) - 1e-9)
