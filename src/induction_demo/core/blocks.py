"""The pieces every head is made of (tracr's craft): blocks between named
subspaces, the rules they hold, and the head that sums them.

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

from functools import lru_cache
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
    table: np.ndarray | None = None  # the whole block as an array, where most of it is nonzero (a model file's)


DENSE = 0.1  # of a block's entries nonzero, past which products use the whole block (not its entries one by one)
DENSE_SIZE = 1024  # entries a block has at least for that (the built heads' small blocks keep their entry path)


KEPT = 1 << 12  # entries a block has at most for its relation to be kept for the next pass (``relation``): 64 x 64


def relation(block: Block, basis: Basis) -> Relation:
    """The block's nonzero entries on ``basis`` (``Relation``). Every pass
    asks again for each block of each head (``check`` makes thousands of
    passes): the answer for a block of up to ``KEPT`` entries is kept, its
    arrays read-only, and the last few hundred such answers are held."""
    n_rows, n_cols = basis.size(block.rows), basis.size(block.cols)
    if n_rows * n_cols > KEPT:
        return _relation(block, n_rows, n_cols)
    try:
        return _kept(block, n_rows, n_cols)
    except TypeError:  # a rule that cannot be a key (an API user's callable object without a hash)
        return _relation(block, n_rows, n_cols)


def _relation(block: Block, n_rows: int, n_cols: int) -> Relation:
    holds = np.asarray(block.rule(np.arange(n_rows)[:, None], np.arange(n_cols)[None, :]), dtype=float)
    rows, cols = np.nonzero(holds)
    values = block.scale * holds[rows, cols]
    partner = None
    if not (rows[1:] == rows[:-1]).any():  # no row twice (np.nonzero sorts the rows)
        partner = np.full(n_rows, -1)
        partner[rows] = cols
    identity = (n_rows == n_cols == len(rows) and bool((rows == cols).all()) and bool((values == 1).all()))
    table = None
    if partner is None and len(rows) > DENSE * holds.size and holds.size >= DENSE_SIZE:
        table = np.zeros_like(holds)
        table[rows, cols] = values  # the same numbers as ``values``, in place
    return Relation(rows, cols, values, partner, identity, table)


# 256: a model file's four matrices have up to 64 blocks, and check runs the hand-built ones beside them. At
# most 256 x 2^12 entries x 40 bytes (the entries, rows, columns, values, and the file's own block the rule
# holds) = 40 MiB, were every block dense and full size; the built ones hold about N entries each.
@lru_cache(maxsize=256)
def _kept(block: Block, n_rows: int, n_cols: int) -> Relation:
    out = _relation(block, n_rows, n_cols)
    for array in (out.rows, out.cols, out.values, out.partner, out.table):
        if array is not None:
            array.setflags(write=False)
    return out


class Rope(NamedTuple):
    """Rotary position embedding (RoPE, seed 001's R_t) for one head: a query
    q = (sum of the token block) ``query`` and a key k = (the same) ``key``,
    2K numbers, K planes; before the dot product, plane m of the query at
    position i is rotated by the angle w_m i and of the key at j by w_m j, so
    <R_i q, R_j k> depends on i - j only."""

    frequencies: np.ndarray  # [K] w_m
    query: np.ndarray  # [2K]
    key: np.ndarray  # [2K]


class Role(NamedTuple):
    """What a head is for, which views, the story and the command line ask
    rather than branching on its layer: ``kind`` "look-back" (it copies the
    token ``offset`` back into a half of its own: the previous-token head, a
    k-back head, a skip's head), "duplicate-token" (it attends to the earlier
    copies of the query's token and writes where they stand: the pointer
    circuit's layer 1) or "induction" (it copies what came after an earlier
    match of the query); ``ablation``, the --ablate name of its heads."""

    kind: str
    ablation: str


LOOK_BACK = Role("look-back", "previous-token")
DUPLICATE = Role("duplicate-token", "duplicate-token")
INDUCTION = Role("induction", "induction")
UNKNOWN = Role("unknown", "unknown")  # a model file's head whose role the file does not give
ROLES = (LOOK_BACK, DUPLICATE, INDUCTION)


class Head(NamedTuple):
    """One attention head: its logits a_ij = y_i A y_j^T with A the sum of the
    ``qk`` blocks (plus ``bias`` b_(i-j), a relative position bias, or with
    ``rope``, the rotated dot product), and its write W Y V with V the sum of
    the ``ov`` blocks. ``offset``: for a look-back head, how far back its job
    is (0 for the induction head). ``role``: what it is for. ``reference``:
    for a head read from a model file, the lecture's head in its place, whose
    cells are its job (mechanism.selected)."""

    name: str
    qk: tuple[Block, ...]
    ov: tuple[Block, ...]
    bias: tuple[tuple[int, float], ...] = ()  # (i - j, b_(i-j)) for each nonzero b
    rope: Rope | None = None
    offset: int = 0
    role: Role = INDUCTION
    reference: Head | None = None  # a model file's head: the hand-built head whose job it is held to

    @property
    def held(self) -> bool:
        """Held to a job: built, or a model file's head whose role the file gives (one of unknown role is
        held to none: no row of it is off a job, and no key is one to copy)."""
        return self.role.kind != "unknown"

    @property
    def destination(self) -> str:
        """The half (prev, prev2, ...) or block (ptr) its value writes into ("" for none, or the current half)."""
        return self.ov[0].cols.rpartition(" ")[0] if self.ov else ""

    @property
    def looks_back(self) -> bool:
        """Its job is the key ``offset`` back, whatever the tokens."""
        return self.role.kind == "look-back"

    @property
    def scale(self) -> float:
        """The sharpness: the largest logit it can give (0: it attends evenly)."""
        return max([abs(b.scale) for b in self.qk] + [abs(v) for _, v in self.bias]
                   + ([float(np.abs(self.rope.query).sum() * np.abs(self.rope.key).max())] if self.rope else [])
                   + [0.0])

    def bias_table(self, n: int) -> np.ndarray:  # -> [N, N]
        """B_ij = b_(i-j): the relative position bias added to every logit."""
        table = np.zeros((n, n))
        for offset, value in self.bias:
            table += value * np.eye(n, k=-offset)
        return table

    @property
    def unit(self) -> float:
        """The scale s the entries of A are multiples of (the smallest)."""
        return min([abs(b.scale) for b in self.qk] or [self.scale])


class LayerSpec(NamedTuple):
    """A layer's heads, and whether its output adds to its input (the
    residual stream) or replaces it."""

    heads: tuple[Head, ...]
    residual: bool


def back(offset: int) -> Rule:
    """The column's position is ``offset`` before the row's."""
    if offset == 1:
        return one_before

    def rule(q: np.ndarray, k: np.ndarray) -> np.ndarray:
        return k == q - offset
    rule.__doc__ = f"The column's position is {offset} before the row's."
    return rule


def ahead(offset: int) -> Rule:
    """The column's position is ``offset`` after the row's (the pointer
    circuit's layer 2: the key just after the position a query points to)."""
    def rule(q: np.ndarray, k: np.ndarray) -> np.ndarray:
        return k == q + offset
    rule.__doc__ = f"The column's position is {offset} after the row's."
    return rule


def too_early(offset: int) -> Rule:
    """The key's position is after 0 but before ``offset``, whatever the query's."""
    def rule(q: np.ndarray, k: np.ndarray) -> np.ndarray:
        return (k > 0) & (k < offset) & (q >= 0)
    rule.__doc__ = f"The key's position is 1 to {offset - 1}."
    return rule


def half(offset: int) -> str:
    """The prefix of the subspaces that hold the token ``offset`` back: ``prev``
    for the lecture's previous half, then ``prev2``, ``prev3``, ...; "" for
    the current half (offset 0)."""
    return "" if offset == 0 else "prev" if offset == 1 else f"prev{offset}"


def part_name(prefix: str) -> str:
    """A part of the stream said by its subspaces' prefix: "previous" for ``prev``, "current" for none, else
    the prefix itself (``prev2``, ``ptr``), before its word: "previous half", "prev2 third"."""
    return "current" if not prefix else "previous" if prefix == "prev" else prefix


def subspace(offset: int, kind: str) -> str:
    return f"{half(offset)} {kind}".strip()


def offset_of(name: str) -> int:
    """How far back a subspace's token or position is: 0 for ``tok``, 1 for
    ``prev tok``, o for ``prev<o> tok`` (the inverse of ``subspace``)."""
    prefix = name.rpartition(" ")[0]
    return 0 if not prefix else int(prefix[4:] or 1)




def frequencies(k: int) -> np.ndarray:
    """w_m = 10000^(-(m-1)/K) for m = 1 .. K, radians per position: the
    geometric series of "Attention Is All You Need" (there 1/10000^(2i/d)),
    from one radian per position (which tells neighbours apart) to a
    wavelength of about 60,000 positions (which never repeats within an
    input). No w_m is a rational multiple of 2 pi, so no two positions get the
    same code."""
    return 10000.0 ** (-np.arange(k) / k)


def sinusoid(positions: np.ndarray, k: int) -> np.ndarray:  # [N] -> [N, 2K]
    """[sin w_1 p, cos w_1 p, ..., sin w_K p, cos w_K p] for each position p."""
    angles = positions[:, None] * frequencies(k)[None, :]
    out = np.empty((len(positions), 2 * k))
    out[:, 0::2], out[:, 1::2] = np.sin(angles), np.cos(angles)
    return out


def sinusoid_labels(k: int) -> tuple[str, ...]:
    return tuple(f"{f} w{m}" for m in range(1, k + 1) for f in ("sin", "cos"))


def rotated_back(offset: int, k: int) -> Rule:
    """The 2K x 2K block that rotates each plane of a query's code back by
    w_m offset and divides by K: (p_i A) . p_j = (1/K) sum_m cos(w_m (i - offset - j)),
    which is 1 at j = i - offset and less elsewhere."""
    w = frequencies(k)
    c, s_ = np.cos(w * offset) / k, np.sin(w * offset) / k
    table = np.zeros((2 * k, 2 * k))
    table[0::2, 0::2] = np.diag(c)  # sin -> sin
    table[1::2, 1::2] = np.diag(c)  # cos -> cos
    table[0::2, 1::2] = np.diag(s_)  # sin -> cos
    table[1::2, 0::2] = np.diag(-s_)  # cos -> sin

    def rule(q: np.ndarray, k_: np.ndarray) -> np.ndarray:
        return table[q, k_]
    rule.__doc__ = f"Rotate each plane back by w_m {offset}, divided by K = {k}."
    return rule


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
