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

from .basis import Basis, Subspace
from .inputs import FREQUENCIES
from .similar import Similarity

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


class Rope(NamedTuple):
    """Rotary position embedding (RoPE, seed 001's R_t) for one head: a query
    q = (sum of the token block) ``query`` and a key k = (the same) ``key``,
    2K numbers, K planes; before the dot product, plane m of the query at
    position i is rotated by the angle w_m i and of the key at j by w_m j, so
    <R_i q, R_j k> depends on i - j only."""

    frequencies: np.ndarray  # [K] w_m
    query: np.ndarray  # [2K]
    key: np.ndarray  # [2K]


class Head(NamedTuple):
    """One attention head: its logits a_ij = y_i A y_j^T with A the sum of the
    ``qk`` blocks (plus ``bias`` b_(i-j), a relative position bias, or with
    ``rope``, the rotated dot product), and its write W Y V with V the sum of
    the ``ov`` blocks. ``offset``: for a previous-token head, how far back its
    job is (0 for the induction head)."""

    name: str
    qk: tuple[Block, ...]
    ov: tuple[Block, ...]
    bias: tuple[tuple[int, float], ...] = ()  # (i - j, b_(i-j)) for each nonzero b
    rope: Rope | None = None
    offset: int = 0

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


def previous_token_head(scale: float, offset: int = 1, positions: str = "one-hot", k: int = FREQUENCIES) -> Head:
    """A previous-token head built for the position scheme ``positions``
    (seed 001), each attending from query i to key i - ``offset``:

    - one-hot: A = s [pos(key) = pos(query) - o] on one-hot position directions;
    - sinusoidal: the position block holds [sin w_m p, cos w_m p] for K
      frequencies; A rotates the query's code back by w_m o in each plane, so
      a_ij = (s/K) sum_m cos(w_m (i - o - j)), s at j = i - o;
    - relative: no position in the stream; the logit gets b_(i-j), b_o = s;
    - rope: no position in the stream; a query and key the same for every token,
      rotated by their positions, with the key turned by w_m o, so
      <R_i q, R_j k> = (s/K) sum_m cos(w_m (i - o - j));
    - none (NoPE): nothing tells positions apart: every logit is 0, and the head
      spreads evenly over the keys it keeps.

    Its value copies the key's token (and, where the stream has one, its
    position code) into its half o back."""
    half_tok = subspace(offset, "tok")
    ov = (Block("tok", half_tok, same, 1.0, f"tok:t -> {half_tok}:t"),)
    if positions in ("one-hot", "sinusoidal"):
        ov += (Block("pos", subspace(offset, "pos"), same, 1.0, f"pos:p -> {subspace(offset, 'pos')}:p"),)
    name = "previous-token head" if offset == 1 else f"{offset}-back head"
    if positions == "one-hot":
        return Head(name, (Block("pos", "pos", back(offset), scale, f"[pos(key) = pos(query) - {offset}]"),), ov,
                    offset=offset)
    if positions == "sinusoidal":
        return Head(name, (Block("pos", "pos", rotated_back(offset, k), scale,
                                 f"(1/K) sum_m cos(w_m (pos(query) - {offset} - pos(key)))"),), ov, offset=offset)
    if positions == "relative":
        return Head(name, (), ov, bias=((offset, scale),), offset=offset)
    if positions == "rope":
        w = frequencies(k)
        query = np.zeros(2 * k)
        query[0::2] = scale / k
        key = np.zeros(2 * k)
        key[0::2], key[1::2] = np.cos(w * offset), np.sin(w * offset)
        return Head(name, (), ov, rope=Rope(w, query, key), offset=offset)
    if positions == "none":
        return Head(name, (), ov, offset=offset)
    raise ValueError(f"no position scheme {positions!r}")


def induction_head(scale: float, context: int = 1, skip: int = 0, positions: str = "one-hot") -> Head:
    """Layer 2. A_2 = s [tok(query) = prev tok(key)]: the query's current token
    against the key's previous token, so a_ij = s [x_i = x_(j-1)]. V_2 keeps
    the key's current half (token and position) and zeroes its previous half.

    ``context`` k > 1 (similar contexts) adds a block per earlier token of the
    query's context: the query's token m back against the key's token m + 1
    back, at scale s, and weighs the query's own token k s, so that

        a_ij = s (k [x_i = x_(j-1)] + sum_(1<=m<k) [x_(i-m) = x_(j-1-m)]).

    The own token outweighs the whole context (k > k - 1): among the keys
    after an earlier copy of the query's token, the one whose k tokens before
    it match the query's last k wins, by e^s per extra match; a key that
    matches only the context never beats one that matches the token.

    ``skip`` n (copying with patterns) moves the key's side n further back:
    a_ij = s [x_i = x_(j-1-n)], so the key selected is the token n + 1 after
    an earlier copy of the query's token: the pattern that makes the ends of
    lines rhyme, when n + 1 is a line's length. Layer 1 then needs a head at
    offset n + 1 (``Construction.offsets``).

    With ``skip``, a key j with no token n + 1 back (0 < j < n + 1) is
    discounted by the token block's weight, whatever the query: without a key
    at that offset, its (n+1)-back head spread over the keys it had and wrote
    a blend of the first tokens into that half, which would otherwise match
    like a real token (a head cannot attend nowhere; real models keep a BOS
    token for this). Key 0 has no earlier key and an empty half (strict mask),
    or itself (inclusive). The context blocks are not discounted: a key
    within k of the start keeps its real token match, and its context, a
    blend of the first tokens, can only reorder keys that match the token."""
    qk: tuple[Block, ...] = ()
    for m in range(context):
        weight, o = scale * (context if m == 0 else 1), skip + 1 + m
        qk += (Block(subspace(m, "tok"), subspace(o, "tok"), same, weight,
                     f"[{subspace(m, 'tok')}(query) = {subspace(o, 'tok')}(key)]"),)
        if m == 0 and o > 1 and positions == "one-hot":
            qk += (Block("pos", "pos", too_early(o), -weight, f"-[0 < pos(key) < {o}]"),)
    ov = (Block("tok", "tok", same, 1.0, "tok:t -> tok:t"),)
    if positions in ("one-hot", "sinusoidal"):
        ov += (Block("pos", "pos", same, 1.0, "pos:p -> pos:p"),)
    return Head("induction head", qk=qk, ov=ov)


class Construction(NamedTuple):
    """Which model to build: the lecture's (the defaults) or a variant.

    ``mask``: "strict" (j < i, the lecture's table) or "inclusive" (j <= i,
    the textbook's and GPT's). ``context``: how many tokens the induction
    head matches (1: the query's own). ``skip``: how many tokens past the
    match it copies from (0: the next one). ``similar``: where dense token
    vectors come from (one-hot tokens when None): the same blocks then
    compare and copy m-dimensional vectors, so a_ij = s cos(x_i, x_(j-1))."""

    mask: str = "strict"
    context: int = 1
    skip: int = 0
    similar: Similarity | None = None  # dense token vectors (similar.py); None: one-hot tokens
    positions: str = "one-hot"  # how layer 1 knows positions: one of POSITIONS
    frequencies: int = FREQUENCIES  # K, for sinusoidal and rope

    @property
    def offsets(self) -> tuple[int, ...]:
        """The layer-1 heads' offsets: the query's context (1 .. k-1) and the
        key's (n+1 .. n+k)."""
        return tuple(sorted(set(range(1, self.context)) | set(range(self.skip + 1, self.skip + self.context + 1))))

    @property
    def horizon(self) -> int:
        """How far ahead a prediction is: the induction head copies the token
        skip + 1 after the match, which stands skip + 1 after the query's own."""
        return self.skip + 1

    @property
    def halves(self) -> int:
        """The residual stream's halves: the current one and one per layer-1 head."""
        return 1 + len(self.offsets)

    @property
    def subspaces(self) -> tuple[Subspace, ...]:
        """The residual stream's subspaces: the current half, then one half per
        offset; a position block only where positions are in the stream
        (one-hot directions, or a sinusoidal code of kind ``sin``)."""
        kinds = {"one-hot": ("tok", "pos"), "sinusoidal": ("tok", "sin")}.get(self.positions, ("tok",))
        return tuple(Subspace(subspace(o, "pos" if kind == "sin" else kind), kind)
                     for o in (0,) + self.offsets for kind in kinds)

    def layers(self, scale: float, induction_scale: float | None = None) -> tuple[LayerSpec, ...]:
        """Layer 1 one previous-token head per offset (with a residual), then
        the induction head, whose output is Y^(2) itself. The induction head's
        scale defaults to the previous-token heads'."""
        return (LayerSpec(tuple(previous_token_head(scale, o, self.positions, self.frequencies)
                                for o in self.offsets), residual=True),
                LayerSpec((induction_head(scale if induction_scale is None else induction_scale,
                                          self.context, self.skip, self.positions),), residual=False))


LECTURE = Construction()


def described(c: Construction) -> dict:
    """The construction for a JSON document (the similarity's source, not its rows)."""
    similar = None if c.similar is None else {"kind": c.similar.kind, "source": c.similar.source or None}
    return {"mask": c.mask, "context": c.context, "skip": c.skip, "similar": similar, "positions": c.positions,
            "frequencies": c.frequencies if c.positions in ("sinusoidal", "rope") else None}


def lecture(scale: float, induction_scale: float | None = None) -> tuple[LayerSpec, ...]:
    """The lecture's model: a previous-token head with a residual, then an
    induction head whose output is Y^(2) itself. The induction head's scale
    defaults to the previous-token head's."""
    return LECTURE.layers(scale, induction_scale)


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
