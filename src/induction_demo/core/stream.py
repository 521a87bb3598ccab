"""The residual stream as named parts, and the three products a head needs.

A ``Stream`` holds Y (N x d) as one part per subspace of the basis: an
[N, size] array, a ``OneHot`` (row i is the unit vector e_index[i], as every
part of Y^(0) is), or None (all zero, as the previous half of Y^(0) is).
The model never makes Y or a weight matrix d x d: a head reads and writes
subspaces through its blocks' relations (``weights.Relation``), with

    compare(q, R, k)  = q R k^T     [N, N]  one block's share of the logits y_i A y_j^T
    carry(y, R)       = y R                 one block of the value map Y V
    mix(W, y)         = W y                 the attention-weighted sum of the values

Where a part is one-hot and a relation gives each row one column (every
block of the lecture's heads), these are gathers and scatters, O(N^2) for N
positions, instead of matrix products over d; they give the same numbers as
the products (tests/test_stream.py checks them against ``dense``).
"""
from __future__ import annotations

from typing import NamedTuple, Union

import numpy as np

from .basis import Basis
from .weights import Relation


class OneHot(NamedTuple):
    """Rows of an identity: row i is the unit vector e_index[i] of ``width``,
    or all zero where index[i] is -1 (the ideal stream's empty halves)."""

    index: np.ndarray  # [N] int
    width: int

    def dense(self) -> np.ndarray:  # -> [N, width]
        out = np.zeros((len(self.index), self.width))
        rows = np.flatnonzero(self.index >= 0)
        out[rows, self.index[rows]] = 1.0
        return out


Part = Union[np.ndarray, OneHot, None]


def dense(part: Part, n: int, width: int) -> np.ndarray:  # -> [N, width]
    if part is None:
        return np.zeros((n, width))
    return as_array(part)


def as_array(part: np.ndarray | OneHot) -> np.ndarray:
    return part.dense() if isinstance(part, OneHot) else part


def shape(part: np.ndarray | OneHot) -> tuple[int, int]:
    return (len(part.index), part.width) if isinstance(part, OneHot) else part.shape


def compare(q: Part, rel: Relation, k: Part, n: int) -> np.ndarray:  # -> [N, N]
    """sum over the relation's entries (r, c, v) of q[i, r] v k[j, c]."""
    if q is None or k is None:
        return np.zeros((n, n))
    if isinstance(q, OneHot) and rel.partner is not None:
        value = np.zeros(len(rel.partner))
        value[rel.rows] = rel.values
        col, v = rel.partner[q.index], value[q.index]  # the one key direction each query looks for
        col[q.index < 0] = -1  # a zero row looks for nothing
        if isinstance(k, OneHot):
            out = (k.index[None, :] == col[:, None]) * v[:, None]
        else:
            out = k[:, col].T * v[:, None]
        out[col < 0] = 0.0
        return out
    if rel.table is not None:  # a dense block (a model file's): two matrix products
        return as_array(q) @ rel.table @ as_array(k).T
    if isinstance(q, OneHot) and isinstance(k, OneHot):  # R[q_i, k_j]: one lookup per cell
        table = np.zeros((q.width, k.width))
        np.add.at(table, (rel.rows, rel.cols), rel.values)
        out = table[q.index[:, None], k.index[None, :]]
        out[q.index < 0] = 0.0
        out[:, k.index < 0] = 0.0
        return out
    return (as_array(q)[:, rel.rows] * rel.values) @ as_array(k)[:, rel.cols].T


def carry(part: Part, rel: Relation, width: int) -> Part:
    """part R: what a value block writes into its output subspace (``width`` wide)."""
    if part is None or rel.identity:
        return part
    source = as_array(part)
    if rel.table is not None:  # a dense block: one matrix product
        return source @ rel.table
    out = np.zeros((source.shape[0], width))
    np.add.at(out.T, rel.cols, (source[:, rel.rows] * rel.values).T)
    return out


def mix(w: np.ndarray, part: Part) -> Part:
    """W part: each query's weighted sum of the keys' values."""
    if part is None:
        return None
    if not isinstance(part, OneHot):
        return w @ part
    if part.width == len(part.index) and (part.index == np.arange(part.width)).all():
        return w  # W I = W: the positions, each at its own key
    order = np.argsort(part.index, kind="stable")
    ordered = part.index[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # where each present direction begins
    present = ordered[starts]
    out = np.zeros((w.shape[0], part.width))
    out[:, present] = np.add.reduceat(w[:, order], starts, axis=1)
    return out


def add(a: Part, b: Part, n: int, width: int) -> Part:
    if a is None or b is None:
        return b if a is None else a
    return dense(a, n, width) + dense(b, n, width)


class Stream:
    """Y, N x d, as one read-only part per subspace of ``basis`` (absent: zero).
    N is the basis's positions, or ``n`` of them: a model file's basis has a
    direction for each of its N positions, and a string may be shorter."""

    def __init__(self, basis: Basis, parts: dict[str, Part], n: int | None = None):
        unknown = set(parts) - set(basis.names)
        if unknown:
            raise ValueError(f"no subspace named {sorted(unknown)}")
        self.basis, self.n = basis, basis.n_positions if n is None else n
        self._dense: np.ndarray | None = None
        self.parts = {}
        for name, part in parts.items():
            if part is None:
                continue
            rows, width = shape(part)
            if (rows, width) != (self.n, basis.size(name)):
                raise ValueError(f"part {name!r} is {rows} x {width}, expected {self.n} x {basis.size(name)}")
            (part.index if isinstance(part, OneHot) else part).setflags(write=False)
            self.parts[name] = part

    @staticmethod
    def total(streams: list[Stream], basis: Basis) -> Stream:
        """The sum of ``streams`` (at least one), part by part."""
        parts: dict[str, Part] = {}
        n = streams[0].n
        for stream in streams:
            for name, part in stream.parts.items():
                parts[name] = add(parts.get(name), part, n, basis.size(name))
        return Stream(basis, parts, n)

    def __getitem__(self, name: str) -> Part:
        return self.parts.get(name)

    def block(self, name: str) -> np.ndarray:  # -> [N, size]
        """Subspace ``name`` of Y as an array."""
        return dense(self.parts.get(name), self.n, self.basis.size(name))

    def nonzero(self, name: str) -> bool:
        part = self.parts.get(name)
        return part is not None and (isinstance(part, OneHot) or bool(part.any()))

    def same(self, other: Stream, name: str) -> bool:
        """Whether subspace ``name`` of Y is ``other``'s, cell for cell."""
        return self.parts.get(name) is other.parts.get(name) or bool(np.array_equal(self.block(name),
                                                                                    other.block(name)))

    def dense(self) -> np.ndarray:  # -> [N, d]
        """Y as one N x d array, for a view (made once, then kept)."""
        if self._dense is None:
            self._dense = self.rows(0, self.n)
            self._dense.setflags(write=False)
        return self._dense

    def rows(self, start: int, stop: int) -> np.ndarray:  # -> [stop - start, d]
        """Rows ``start`` to ``stop`` of Y as an array (a large Y, a slice at a time)."""
        out = np.zeros((stop - start, self.basis.d))
        for name, part in self.parts.items():
            where = self.basis.block(name)
            if isinstance(part, OneHot):  # (index -1: a zero row, as OneHot.dense makes it)
                index = part.index[start:stop]
                rows = np.flatnonzero(index >= 0)
                out[rows, where.start + index[rows]] = 1.0
            else:
                out[:, where] = part[start:stop]
        return out
