"""The heads, each declared as a few blocks between named subspaces (tracr's craft).

Conventions (as in the lecture): representations are row vectors y_i, so an
attention logit is the bilinear form a_ij = y_i A y_j^T (rows of A index the
query's directions, columns the key's) and a value map is y -> y V (rows of V
index input directions, columns output directions).

A head's A and V are each a sum of ``Block``s. A block is a rule between two
named subspaces with a scale: its entry at (row direction r, column
direction c) is ``scale * rule(r, c)``, every other entry of the d x d matrix
is 0. The model computes with the blocks (``stream.compare`` and
``stream.carry``); ``dense`` makes the d x d matrix only when a view shows one.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .basis import Basis

Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]


def same(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The same token, or the same position."""
    return q == k


def one_before(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The column's position is one before the row's."""
    return k == q - 1


class Block(NamedTuple):
    """``scale * rule`` between subspace ``rows`` and subspace ``cols``.

    In A, ``rows`` is the query's subspace and ``cols`` the key's; in V,
    ``rows`` is what is read from a key and ``cols`` where it is written.
    A direction is named by its index within its subspace: the position
    itself, or the token's index in the vocabulary (which has no repeats, so
    equal indices mean equal tokens). ``rule`` is applied to whole arrays at
    once (``q[:, None]`` against ``k[None, :]``). ``equation`` says it in the
    lecture's words, for the views.
    """

    rows: str
    cols: str
    rule: Rule
    scale: float = 1.0
    equation: str = ""


class Relation(NamedTuple):
    """A block's nonzero entries on one basis: ``values[p]`` at (``rows[p]``,
    ``cols[p]``), indices within the two subspaces. ``partner[r]`` is the one
    column of row r (-1: none) when no row has two, else None; ``identity``:
    the block is the identity between two subspaces of the same size."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    partner: np.ndarray | None
    identity: bool


def relation(block: Block, basis: Basis) -> Relation:
    n_rows, n_cols = basis.size(block.rows), basis.size(block.cols)
    holds = np.asarray(block.rule(np.arange(n_rows)[:, None], np.arange(n_cols)[None, :]), dtype=float)
    rows, cols = np.nonzero(holds)
    values = block.scale * holds[rows, cols]
    partner = None
    if not (rows[1:] == rows[:-1]).any():  # no row twice (np.nonzero sorts the rows)
        partner = np.full(n_rows, -1)
        partner[rows] = cols
    identity = (n_rows == n_cols == len(rows) and bool((rows == cols).all()) and bool((values == 1).all()))
    return Relation(rows, cols, values, partner, identity)


class Head(NamedTuple):
    """One attention head: its logits a_ij = y_i A y_j^T with A the sum of the
    ``qk`` blocks, and its write W Y V with V the sum of the ``ov`` blocks."""

    name: str
    qk: tuple[Block, ...]
    ov: tuple[Block, ...]

    @property
    def scale(self) -> float:
        """The sharpness: the largest entry of A."""
        return max(abs(b.scale) for b in self.qk)


class LayerSpec(NamedTuple):
    """A layer's heads, and whether its output adds to its input (the
    residual stream) or replaces it."""

    heads: tuple[Head, ...]
    residual: bool


def previous_token_head(scale: float) -> Head:
    """Layer 1. A_1 = s [pos(key) = pos(query) - 1], so a_ij = s when j = i - 1;
    V_1 copies the key's current half into the previous half:
    tok:t -> prev tok:t and pos:p -> prev pos:p."""
    return Head("previous-token head",
                qk=(Block("pos", "pos", one_before, scale, "[pos(key) = pos(query) - 1]"),),
                ov=(Block("tok", "prev tok", same, 1.0, "tok:t -> prev tok:t"),
                    Block("pos", "prev pos", same, 1.0, "pos:p -> prev pos:p")))


def induction_head(scale: float) -> Head:
    """Layer 2. A_2 = s [tok(query) = prev tok(key)]: the query's current token
    against the key's previous token, so a_ij = s [x_i = x_(j-1)]. V_2 keeps
    the key's current half (token and position) and zeroes its previous half."""
    return Head("induction head",
                qk=(Block("tok", "prev tok", same, scale, "[tok(query) = prev tok(key)]"),),
                ov=(Block("tok", "tok", same, 1.0, "tok:t -> tok:t"),
                    Block("pos", "pos", same, 1.0, "pos:p -> pos:p")))


def lecture(scale: float, induction_scale: float | None = None) -> tuple[LayerSpec, ...]:
    """The lecture's model: a previous-token head with a residual, then an
    induction head whose output is Y^(2) itself. The induction head's scale
    defaults to the previous-token head's."""
    return (LayerSpec((previous_token_head(scale),), residual=True),
            LayerSpec((induction_head(scale if induction_scale is None else induction_scale),), residual=False))


def entries(blocks: tuple[Block, ...], basis: Basis) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The nonzero entries of the sum of ``blocks`` as (rows, cols, values) among
    the d directions (an entry two blocks share appears twice: add them)."""
    found = [(basis.block(b.rows).start + r.rows, basis.block(b.cols).start + r.cols, r.values)
             for b in blocks for r in [relation(b, basis)]]
    return tuple(np.concatenate([f[k] for f in found]) if found else np.zeros(0, int) for k in range(3))


def dense(blocks: tuple[Block, ...], basis: Basis) -> np.ndarray:  # -> [d, d]
    """The d x d matrix that is the sum of ``blocks``: for a view, never for the model."""
    matrix = np.zeros((basis.d, basis.d))
    rows, cols, values = entries(blocks, basis)
    np.add.at(matrix, (rows, cols), values)
    return matrix


def unembedding(basis: Basis) -> np.ndarray:  # -> [d, V]
    """W_U = E^T, the transpose of the token embedding E (V x d, row t the
    direction tok:t): a representation's score for token t is its tok:t entry."""
    u = np.zeros((basis.d, len(basis.vocab)))
    u[basis.block("tok"), :] = np.eye(len(basis.vocab))
    return u
