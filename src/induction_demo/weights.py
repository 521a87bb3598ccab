"""The weight matrices, each built by a rule between named blocks.

Conventions (as in the lecture): representations are row vectors y_i, so an
attention logit is the bilinear form a_ij = y_i A y_j^T (rows of A index the
query's directions, columns the key's) and a value map is y -> y V (rows of V
index input directions, columns output directions). All four matrices are
d x d; entries are 0 except where a rule between two blocks holds.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .basis import Basis

Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]


def block(basis: Basis, rows: str, cols: str, rule: Rule) -> np.ndarray:  # -> [d, d]
    """A d x d matrix: 1 at (row direction r of block ``rows``, column direction c
    of block ``cols``) wherever ``rule(r, c)`` holds, 0 elsewhere.

    A direction is named here by its index within its block: the position
    itself in a pos block, the token's index in the vocabulary in a tok block
    (the vocabulary has no repeats, so equal indices mean equal tokens).
    ``rule`` is applied to whole arrays at once (``q[:, None]`` against
    ``k[None, :]``), so it is written with array operators (``==``, ``-``).
    """
    matrix = np.zeros((basis.d, basis.d))
    q = np.arange(len(basis.values(rows)))[:, None]
    k = np.arange(len(basis.values(cols)))[None, :]
    matrix[basis.block(rows), basis.block(cols)] = np.asarray(rule(q, k), dtype=float)
    return matrix


def same(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    return q == k


def one_before(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    return k == q - 1


def previous_token_qk(basis: Basis, scale: float) -> np.ndarray:  # -> [d, d]
    """A_1 = scale * [pos(key) = pos(query) - 1] on the current-position block,
    so a_ij = scale when j = i - 1 and 0 otherwise."""
    return scale * block(basis, rows="pos", cols="pos", rule=one_before)


def previous_token_ov(basis: Basis) -> np.ndarray:  # -> [d, d]
    """V_1 copies the key's current half into the previous half:
    tok:t -> prev tok:t and pos:p -> prev pos:p."""
    return block(basis, rows="tok", cols="prev tok", rule=same) + block(
        basis, rows="pos", cols="prev pos", rule=same
    )


def induction_qk(basis: Basis, scale: float) -> np.ndarray:  # -> [d, d]
    """A_2 = scale * [tok(query) = prev tok(key)]: the query's current token
    against the key's previous token, so a_ij = scale * [x_i = x_(j-1)]."""
    return scale * block(basis, rows="tok", cols="prev tok", rule=same)


def induction_ov(basis: Basis) -> np.ndarray:  # -> [d, d]
    """V_2 keeps the key's current half (token and position) and zeroes its
    previous half: the identity on tok and pos, 0 on prev tok and prev pos."""
    return block(basis, rows="tok", cols="tok", rule=same) + block(
        basis, rows="pos", cols="pos", rule=same
    )


def unembedding(basis: Basis) -> np.ndarray:  # -> [d, V]
    """W_U = E^T, the transpose of the token embedding E (V x d, row t the
    direction tok:t): a representation's score for token t is its tok:t entry."""
    u = np.zeros((basis.d, len(basis.vocab)))
    u[basis.block("tok"), :] = np.eye(len(basis.vocab))
    return u


class Weights(NamedTuple):
    """A_1, V_1 (previous-token head), A_2, V_2 (induction head), W_U."""

    A_1: np.ndarray
    V_1: np.ndarray
    A_2: np.ndarray
    V_2: np.ndarray
    W_U: np.ndarray


def build(basis: Basis, scale: float, induction_scale: float | None = None) -> Weights:
    """The weights; the induction head's scale defaults to the previous-token head's."""
    return Weights(
        A_1=previous_token_qk(basis, scale),
        V_1=previous_token_ov(basis),
        A_2=induction_qk(basis, scale if induction_scale is None else induction_scale),
        V_2=induction_ov(basis),
        W_U=unembedding(basis),
    )
