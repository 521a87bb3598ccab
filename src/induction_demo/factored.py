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

from .errors import InputError

from .basis import Basis
from .weights import Block, Head, relation


class Factored(NamedTuple):
    """One head as W^Q, W^K (d x d_k), W^V (d x d_v) and its rows of W^O (d_v x d)."""

    head: Head
    d_k: int
    query: np.ndarray | None  # W^Q [d, d_k] (None: only the shapes and labels were asked for)
    key: np.ndarray | None  # W^K [d, d_k]
    key_labels: tuple[str, ...]  # each query/key coordinate: the key direction it reads ("" for padding)
    value: np.ndarray | None  # W^V [d, d_v]
    out: np.ndarray | None  # W^O_c [d_v, d]
    value_labels: tuple[str, ...]  # each value coordinate: the output direction it writes

    @property
    def d_v(self) -> int:
        return len(self.value_labels)


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


def factor(head: Head, basis: Basis, arrays: bool = True) -> Factored:
    """The head in the textbook's form; with ``arrays`` False, only d_k, d_v and
    the labels (a JSON document past d = COMPACT_D carries no matrices, and
    W^Q alone would be d x d_k: gigabytes for --context 4 --skip 16 at 1000
    tokens)."""
    d = basis.d
    qk, width = _coordinates(head.qk, basis)
    d_k = padded(width)
    root = float(np.sqrt(d_k))  # a power of 2: exact
    query, key = (np.zeros((d, d_k)), np.zeros((d, d_k))) if arrays else (None, None)
    labels = [""] * d_k
    for b, rel, start in qk:
        rows, cols = basis.block(b.rows).start, basis.block(b.cols).start
        with np.errstate(over="ignore"):
            scaled = root * rel.values
        if not np.isfinite(scaled).all():
            raise InputError(f"the textbook form of the {head.name} holds sqrt(d_k) s = {root:g} x {b.scale:g}, past "
                             f"the largest float: use a --scale of at most {np.finfo(float).max / root:.3g}")
        size = basis.size(b.cols)
        if arrays:
            np.add.at(query, (rows + rel.rows, start + rel.cols), scaled)
            key[cols + np.arange(size), start + np.arange(size)] = 1.0
        labels[start:start + size] = basis.labels[cols:cols + size]
    ov, d_v = _coordinates(head.ov, basis)
    value, out = (np.zeros((d, d_v)), np.zeros((d_v, d))) if arrays else (None, None)
    value_labels = [""] * d_v
    for b, rel, start in ov:
        rows, cols = basis.block(b.rows).start, basis.block(b.cols).start
        size = basis.size(b.cols)
        if arrays:
            np.add.at(value, (rows + rel.rows, start + rel.cols), rel.values)
            out[start + np.arange(size), cols + np.arange(size)] = 1.0
        value_labels[start:start + size] = basis.labels[cols:cols + size]
    return Factored(head, d_k, query, key, tuple(labels), value, out, tuple(value_labels))


def attention_matrix(f: Factored) -> np.ndarray:  # -> [d, d]
    """W^Q (W^K)^T / sqrt(d_k): the lecture's A."""
    return f.query @ f.key.T / np.sqrt(f.d_k)


def layer_out(heads: list[Factored]) -> np.ndarray:  # -> [h d_v, d]
    """W^O of a layer: each head's rows, stacked in the order of the concatenation."""
    return np.concatenate([f.out for f in heads], axis=0)
