"""The forward pass of the lecture's attention-only transformer.

Rows are positions: Y is N x d, row i the representation y_i; in each N x N
matrix, rows are queries i and columns keys j.

    Y^(0) = [tok(x_i) | pos(i) | 0 | 0]           one-hot token and position   embed
    a_ij  = y_i A y_j^T                           a head's logits              attend
    w_ij  = exp(a_ij) / sum_(k<i) exp(a_ik)       kept keys j < i only         masked_softmax
    Y^(1) = Y^(0) + W^(1) Y^(0) V_1               previous-token head          forward
    Y^(2) = W^(2) Y^(1) V_2                       induction head (no residual) forward
    P     = softmax(Y^(2) W_U / T)                next-token probabilities     runs.run, readout.py

The mask is strict, j < i (the lecture's "if i > j, 0 otherwise"): a query
never sees itself, so the induction head cannot match a token with itself,
and position 0, with no earlier key, gets an all-zero row of weights (it
attends nowhere) rather than a softmax over an empty set. The scale s (the
lecture's 100.0 logits) is the entry of each A: the sharpness of the softmax.
No feed-forward layer, no layer norm. A and V are sums of blocks between
named subspaces (weights.py), and a head computes with the blocks
(stream.py): nothing here is d x d.

One pass, ``forward``, runs any number of layers of any number of heads (the
hand-built circuits' and a model file's): runs.py assembles a run around it
(the predictions, the runs set beside an ablation or a skip, the sweep), and
``dense_forward`` is the same equations over d x d matrices, with or without
a batch axis (train's forward, and the tests' reference).

The same pass runs every variant a ``weights.Construction`` builds: the
inclusive mask (j <= i), a layer 1 of several heads (--context, --skip),
dense token vectors (--similar: the scores are then Y^(2)'s token block
times E^T), and the position schemes of seed 001: a sinusoidal code in the
position block, or no position in the stream at all, with a relative bias
b_(i-j) or RoPE's rotated dot product added to the logits (``logits_of``).
"""
from __future__ import annotations

import numpy as np

from .basis import Basis
from ..base.errors import InputError
from .similar import Embedding
from .stream import OneHot, Stream, add, carry, compare, mix
from .trace import HeadRun, Layer
from .weights import Head, LayerSpec, relation, sinusoid


def embed(basis: Basis, ids: np.ndarray, words: Embedding | None = None) -> Stream:  # [N] token ids -> Y^(0)
    """One-hot token and position; with dense ``words``, each token's vector;
    with a sinusoidal position block, each position's code; with no position
    block (relative, rope, none), the tokens alone."""
    n = len(ids)
    parts = {"tok": OneHot(ids, len(basis.vocab)) if words is None else words.vectors[ids]}
    if "pos" in basis.names:
        kind = basis.subspaces[basis.names.index("pos")].kind
        parts["pos"] = OneHot(np.arange(n), basis.n_positions) if kind == "pos" else sinusoid(np.arange(n), basis.size("pos") // 2)
    return Stream(basis, parts, n)


def rotated(vectors: np.ndarray, frequencies: np.ndarray) -> np.ndarray:  # [N, 2K] -> [N, 2K]
    """RoPE: plane m of row p turned by the angle w_m p."""
    angles = np.arange(len(vectors))[:, None] * frequencies[None, :]
    cos, sin = np.cos(angles), np.sin(angles)
    a, b = vectors[:, 0::2], vectors[:, 1::2]
    out = np.empty_like(vectors)
    out[:, 0::2], out[:, 1::2] = a * cos - b * sin, a * sin + b * cos
    return out


def logits_of(head: Head, y: Stream) -> np.ndarray:  # -> [N, N]
    """a_ij: y_i A y_j^T from the head's blocks, plus its relative bias b_(i-j),
    or its rotated dot product <R_i q_i, R_j k_j> (RoPE)."""
    n = y.n
    logits = None
    for b in head.qk:
        part = compare(y[b.rows], relation(b, y.basis), y[b.cols], n)
        logits = part if logits is None else logits + part
    logits = np.zeros((n, n)) if logits is None else logits
    if head.bias or head.rope is not None:  # (the token block made dense only for these)
        logits = logits + positional(head, y.block("tok"))
    return logits


def positional(head: Head, tokens: np.ndarray) -> np.ndarray | float:  # [N, m] token block -> [N, N] or 0
    """What a head adds to y_i A y_j^T for positions: its relative bias b_(i-j),
    or its rotated dot product <R_i q_i, R_j k_j> (RoPE), with q_i = (the sum
    of y_i's token block) times its query: the same for every one-hot token."""
    n, out = len(tokens), 0.0
    if head.bias:
        out = out + head.bias_table(n)
    if head.rope is not None:
        present = tokens.sum(axis=1, keepdims=True)
        q = rotated(present * head.rope.query[None, :], head.rope.frequencies)
        k = rotated(present * head.rope.key[None, :], head.rope.frequencies)
        out = out + q @ k.T
    return out


def causal_mask(n: int, inclusive: bool = False) -> np.ndarray:  # -> [N, N] bool
    """Key j is kept by query i when j < i (strict), or j <= i (inclusive)."""
    return np.tri(n, k=0 if inclusive else -1, dtype=bool)


def masked_softmax(logits: np.ndarray, mask: np.ndarray) -> np.ndarray:  # [..., N, N] -> [..., N, N]
    """Softmax over the kept entries of each row; a row with none is all zero
    (also over a batch of N x N logits, train's, with one N x N mask)."""
    kept = np.where(mask, logits, -np.inf)
    top = kept.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore"):  # a logit near -1.8e308 below a top near +1.8e308: exp(-inf) = 0, as it should
        e = np.where(mask, np.exp(kept - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def attention(head: Head, y: Stream, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # -> logits, W
    """A head's logits y_i A y_j^T and its weights, the masked softmax of each row."""
    with np.errstate(over="ignore", invalid="ignore"):
        logits = logits_of(head, y)  # y_i A y_j^T
    if not np.isfinite(logits).all():  # a sum of terms each up to s: past the largest float at an extreme scale
        raise InputError(f"at scale {head.scale:g} the {head.name}'s logits overflow the largest float "
                         f"({np.finfo(float).max:.3g}): use a smaller --scale")
    return logits, masked_softmax(logits, mask)


def attend(head: Head, y: Stream, mask: np.ndarray, ablated: bool = False) -> HeadRun:
    basis, n = y.basis, y.n
    logits, weights = attention(head, y, mask)
    write: dict = {}
    for b in head.ov:  # W Y V, one block of V at a time
        part = mix(weights, carry(y[b.rows], relation(b, basis), basis.size(b.cols)))
        write[b.cols] = add(write.get(b.cols), part, n, basis.size(b.cols))
    return HeadRun(head=head, logits=logits, weights=weights, output=Stream(basis, {} if ablated else write, n),
                   ablated=ablated)


def times(x: np.ndarray, m: np.ndarray) -> np.ndarray:  # [..., N, d] @ [d, e] -> [..., N, e]
    """x m as one matrix product over every row, a batch's too (numpy loops a batched product)."""
    return (x.reshape(-1, x.shape[-1]) @ m).reshape(x.shape[:-1] + (m.shape[-1],))


def dense_layers(layers, y: np.ndarray, mask: np.ndarray, patched: dict | None = None) -> list:
    """The lecture's equations over d x d matrices, with or without a batch
    axis (y: [N, d] or [B, N, d]): ``layers`` is [(heads, residual)], each head
    (A, V) or (A, V, a term added to its logits). Each head's logits y A y^T,
    its weights (``masked_softmax``) and its write W Y V; Y^(l) their sum, plus
    Y^(l-1) with a residual. ``patched`` feeds the last layer's "queries",
    "keys" or "values" another stream (path ablation). Returns (logits,
    weights, Y^(l)) per layer."""
    out = []
    for k, (heads, residual) in enumerate(layers):
        reads = {"queries": y, "keys": y, "values": y} | ((patched or {}) if k == len(layers) - 1 else {})
        logits, weights, writes = [], [], []
        for a_matrix, v_matrix, *term in heads:
            a = times(reads["queries"], a_matrix) @ np.swapaxes(reads["keys"], -1, -2) + (term[0] if term else 0.0)
            w = masked_softmax(a, mask)
            logits.append(a)
            weights.append(w)
            writes.append(w @ times(reads["values"], v_matrix))
        y = (y if residual else 0.0) + sum(writes)
        out.append((logits, weights, y))
    return out


def dense_forward(layers: tuple[LayerSpec, ...], y: np.ndarray, basis: Basis,
                  inclusive: bool = False) -> list[tuple[list, list, np.ndarray]]:  # [N, d] -> per layer
    """The handout's pass, as the lecture writes it, every matrix d x d: each
    head's A and V made dense (plus its bias or RoPE term, as ``logits_of``
    adds them) and run by ``dense_layers``. A reference for the block pass
    (``forward``), which tests hold equal to it; slow past a few hundred
    tokens. Returns (logits, weights, Y^(l)) per layer."""
    from .weights import dense

    tokens = y[:, basis.block("tok")]
    return dense_layers([([(dense(h.qk, basis), dense(h.ov, basis), positional(h, tokens)) for h in spec.heads],
                          spec.residual) for spec in layers], y, causal_mask(len(y), inclusive))


def layers_of(layers: tuple[LayerSpec, ...], y: Stream, ablate: str | None = None, inclusive: bool = False):
    """Each layer in turn: every head attends over Y^(l-1); Y^(l) is the sum
    of their writes, plus Y^(l-1) where the layer has a residual. ``ablate``:
    the heads whose role goes by that --ablate name have their writes
    replaced by zeros."""
    mask = causal_mask(y.n, inclusive)
    for index, spec in enumerate(layers, 1):
        runs = tuple(attend(h, y, mask, ablated=h.role.ablation == ablate) for h in spec.heads)
        y = Stream.total(([y] if spec.residual else []) + [run.output for run in runs], y.basis)
        yield Layer(index=index, heads=runs, mask=mask, output=y, residual=spec.residual)


def forward(layers: tuple[LayerSpec, ...], y: Stream, ablate: str | None = None,
            inclusive: bool = False) -> tuple[Layer, ...]:
    """Every layer (``layers_of``), kept for the trace."""
    return tuple(layers_of(layers, y, ablate, inclusive))
