"""The heads in the textbook's form (seed 003, eqs. 9.14-9.18): W^Q, W^K, W^V, W^O.

The lecture writes a head as two d x d matrices, A (the bilinear form of the
logits, a_ij = y_i A y_j^T) and V (the value map, y -> y V). The textbook
writes it with queries, keys and values in smaller spaces:

    q_i = y_i W^Q,  k_j = y_j W^K,  a_ij = q_i . k_j / sqrt(d_k)      (9.14, 9.15)
    head_i = sum_j w_ij y_j W^V,  a_i = (head^1 (+) ... (+) head^h) W^O  (9.17, 9.18)

Both describe the same head when A = W^Q (W^K)^T / sqrt(d_k) and, for head c,
V_c = W^V_c W^O_c, where W^O_c is the rows of W^O that head c's part of the
concatenation meets. This module builds such a factorisation from the
head's blocks, exactly:

- Each A block (query subspace r, key subspace c, rule R, scale s) gets one
  query/key coordinate per direction of c. W^K copies the key's c
  directions into them (entries 1); W^Q holds sqrt(d_k) s R, so that
  q_i . k_j / sqrt(d_k) = s y_i R y_j^T. d_k is the number of those
  coordinates, padded with zero coordinates to a power of 4 (as GPT-2's
  d_k = 64), so that sqrt(d_k) is a power of 2 and multiplying and dividing
  by it is exact in floating point: A equals W^Q (W^K)^T / sqrt(d_k) to the bit.
- Each V block (input subspace r, output subspace c, rule R) gets one value
  coordinate per direction of c: W^V holds R, and W^O writes each coordinate
  back into its direction of c (entries 1). d_v is the number of those.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..base.errors import InputError

from .basis import Basis
from .weights import Block, Head, relation


class Sparse(NamedTuple):
    """A matrix as its nonzero entries (each (row, col) once): W^Q alone would
    be d x d_k, 16000 x 16384 for --context 4 --skip 16 at 1000 tokens."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    def dense(self) -> np.ndarray:
        out = np.zeros(self.shape)
        out[self.rows, self.cols] = self.values
        return out


def _sparse(rows: list, cols: list, values: list, shape: tuple[int, int]) -> Sparse:
    """The entries summed where two land on one cell, zeros dropped."""
    if not rows:
        return Sparse(np.zeros(0, int), np.zeros(0, int), np.zeros(0), shape)
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
    cell, where = np.unique(r * shape[1] + c, return_inverse=True)
    total = np.zeros(len(cell))
    np.add.at(total, where, v)
    kept = total != 0
    return Sparse(cell[kept] // shape[1], cell[kept] % shape[1], total[kept], shape)


class Factored(NamedTuple):
    """One head as W^Q, W^K (d x d_k), W^V (d x d_v) and its rows of W^O (d_v x d)."""

    head: Head
    d_k: int
    query: Sparse  # W^Q [d, d_k]
    key: Sparse  # W^K [d, d_k]
    key_directions: np.ndarray  # [d_k] the key direction each query/key coordinate reads (-1: padding)
    value: Sparse  # W^V [d, d_v]
    out: Sparse  # W^O_c [d_v, d]
    value_directions: np.ndarray  # [d_v] the output direction each value coordinate writes

    @property
    def d_v(self) -> int:
        return len(self.value_directions)


def padded(width: int) -> int:
    """The smallest power of 4 at least ``width``: d_k, with sqrt(d_k) a power of 2."""
    d_k = 1
    while d_k < width:
        d_k *= 4
    return d_k


def _coordinates(blocks: tuple[Block, ...], basis: Basis):
    """For each block, its relation and the first coordinate of its column subspace."""
    start, out = 0, []
    for b in blocks:
        out.append((b, relation(b, basis), start))
        start += basis.size(b.cols)
    return out, start


def factor(head: Head, basis: Basis) -> Factored:
    """The head in the textbook's form, as sparse matrices."""
    d = basis.d
    qk, width = _coordinates(head.qk, basis)
    d_k = padded(width)
    root = float(np.sqrt(d_k))  # a power of 2: exact
    q, k = ([], [], []), ([], [], [])
    key_directions = np.full(d_k, -1)
    for b, rel, start in qk:
        rows, cols = basis.block(b.rows).start, basis.block(b.cols).start
        with np.errstate(over="ignore"):
            scaled = root * rel.values
        if not np.isfinite(scaled).all():
            raise InputError(f"the textbook form of the {head.name} holds sqrt(d_k) s = {root:g} x {b.scale:g}, past "
                             f"the largest float: use a --scale of at most {np.finfo(float).max / root:.3g}")
        size = basis.size(b.cols)
        for part, piece in zip(q, (rows + rel.rows, start + rel.cols, scaled)):
            part.append(piece)
        for part, piece in zip(k, (cols + np.arange(size), start + np.arange(size), np.ones(size))):
            part.append(piece)
        key_directions[start:start + size] = cols + np.arange(size)
    ov, d_v = _coordinates(head.ov, basis)
    v, o = ([], [], []), ([], [], [])
    value_directions = np.full(d_v, -1)
    for b, rel, start in ov:
        rows, cols = basis.block(b.rows).start, basis.block(b.cols).start
        size = basis.size(b.cols)
        for part, piece in zip(v, (rows + rel.rows, start + rel.cols, rel.values)):
            part.append(piece)
        for part, piece in zip(o, (start + np.arange(size), cols + np.arange(size), np.ones(size))):
            part.append(piece)
        value_directions[start:start + size] = cols + np.arange(size)
    return Factored(head, d_k, _sparse(*q, (d, d_k)), _sparse(*k, (d, d_k)), key_directions,
                    _sparse(*v, (d, d_v)), _sparse(*o, (d_v, d)), value_directions)


def labels(directions: np.ndarray, basis: Basis) -> list[str]:
    """Each coordinate's label: the direction it reads or writes ("" for padding)."""
    return [basis.labels[k] if k >= 0 else "" for k in directions.tolist()]


def attention_matrix(f: Factored) -> np.ndarray:  # -> [d, d]
    """W^Q (W^K)^T / sqrt(d_k): the lecture's A."""
    return f.query.dense() @ f.key.dense().T / np.sqrt(f.d_k)


def stacked(heads: list[Factored]) -> Sparse:  # [h d_v, d]
    """W^O of a layer: each head's rows, stacked in the order of the concatenation."""
    starts = np.cumsum([0] + [f.d_v for f in heads])
    return Sparse(np.concatenate([f.out.rows + s for f, s in zip(heads, starts)]),
                  np.concatenate([f.out.cols for f in heads]), np.concatenate([f.out.values for f in heads]),
                  (int(starts[-1]), heads[0].out.shape[1]))


def layer_out(heads: list[Factored]) -> np.ndarray:  # -> [h d_v, d]
    """W^O of a layer, dense."""
    return stacked(heads).dense()
