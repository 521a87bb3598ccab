"""The heads, each declared as a few blocks between named subspaces (tracr's
craft, the pieces in blocks.py), and the Construction that says which model
to build: the lecture's, or a variant (mask, context, skip, similar words,
a position scheme from schemes.py). Names from blocks.py are re-exported
here, where the rest of the package has always found them."""
from __future__ import annotations

import math
import sys
from typing import Any, NamedTuple

from .basis import Subspace
from .blocks import (DUPLICATE, INDUCTION, LOOK_BACK, Block, Head, LayerSpec, Relation, Role, Rope, Rule,  # noqa: F401
                     ahead, back, dense, entries, frequencies, half, offset_of, one_before, part_name, relation, rotated_back, same,
                     sinusoid, sinusoid_labels, subspace, too_early, unembedding)
from ..base import inputs
from ..base.errors import InputError
from ..base.inputs import FREQUENCIES
from ..base.text import part as fraction
from .schemes import check, scheme
from .similar import Similarity

__all__ = ["CIRCUITS", "Construction", "LECTURE", "checked", "context_of", "described", "duplicate_token_head", "induction_head",
           "lecture", "pointer_head", "previous_token_head", "shifting_head",
           # the pieces, from blocks.py, where the rest of the package has always found them
           "Block", "Head", "LayerSpec", "Relation", "Role", "Rope", "Rule", "back", "dense", "entries", "frequencies",
           "half", "offset_of", "one_before", "part_name", "relation", "rotated_back", "same", "sinusoid", "sinusoid_labels",
           "subspace", "too_early", "unembedding"]


def look_back_name(offset: int) -> str:
    """A look-back head's name: "previous-token head", "2-back head", ..."""
    return "previous-token head" if offset == 1 else f"{offset}-back head"


def previous_token_head(scale: float, offset: int = 1, positions: str = "one-hot", k: int = FREQUENCIES) -> Head:
    """A look-back head, attending from query i to key i - ``offset``, built
    by the position scheme ``positions`` (schemes.py: one-hot directions,
    a sinusoidal code, a relative bias, RoPE, or nothing at all). Its value
    copies the key's token (and, where the stream has one, its position
    block) into its half o back."""
    record = scheme(positions)
    half_tok = subspace(offset, "tok")
    ov = (Block("tok", half_tok, same, 1.0, f"tok:t -> {half_tok}:t"),)
    if record.block is not None:
        ov += (Block("pos", subspace(offset, "pos"), same, 1.0, f"pos:p -> {subspace(offset, 'pos')}:p"),)
    built = record.build(scale, offset, k)
    return Head(look_back_name(offset), built.qk, ov, bias=built.bias, rope=built.rope, offset=offset, role=LOOK_BACK)


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
        if not math.isfinite(weight):
            raise InputError(f"at --scale {scale:g} the induction head weighs the query's own token {context} s, past "
                             f"the largest float: use a --scale of at most {sys.float_info.max / context:.3g}")
        qk += (Block(subspace(m, "tok"), subspace(o, "tok"), same, weight,
                     f"[{subspace(m, 'tok')}(query) = {subspace(o, 'tok')}(key)]"),)
        if m == 0 and o > 1 and scheme(positions).directions:
            qk += (Block("pos", "pos", too_early(o), -weight, f"-[0 < pos(key) < {o}]"),)
    ov = (Block("tok", "tok", same, 1.0, "tok:t -> tok:t"),)
    if scheme(positions).block is not None:
        ov += (Block("pos", "pos", same, 1.0, "pos:p -> pos:p"),)
    return Head("induction head", qk=qk, ov=ov, role=INDUCTION)


def shifting_head(scale: float, positions: str = "one-hot", k: int = FREQUENCIES) -> Head:
    """The virtual circuit's layer 2: a previous-token head whose value reads
    the key's previous half, not its current one, and writes it into the
    query's prev2 half. With layer 1's previous-token head before it, the two
    make a virtual 2-back head (V-composition: Elhage et al.'s exercise 1):
    the key just before the query holds, in its previous half, the token two
    before the query."""
    record = scheme(positions)
    ov = (Block("prev tok", "prev2 tok", same, 1.0, "prev tok:t -> prev2 tok:t"),)
    if record.block is not None:
        ov += (Block("prev pos", "prev2 pos", same, 1.0, "prev pos:p -> prev2 pos:p"),)
    built = record.build(scale, 1, k)
    return Head("previous-token head", built.qk, ov, bias=built.bias, rope=built.rope, offset=1, role=LOOK_BACK)


def duplicate_token_head(scale: float, inclusive: bool = False, pointer: str = "ptr pos") -> Head:
    """The pointer circuit's layer 1: A = s [tok(query) = tok(key)], so a
    query attends to the earlier copies of its token (evenly over the past
    where there is none); V copies the key's position into the query's
    pointer block, ``ptr pos``: where the earlier copy stands. Under the
    inclusive mask a query keeps itself, its own copy: a block -s [pos(query)
    = pos(key)] takes that match away."""
    qk = (Block("tok", "tok", same, scale, "[tok(query) = tok(key)]"),)
    if inclusive:
        qk += (Block("pos", "pos", same, -scale, "-[pos(query) = pos(key)]"),)
    ov = (Block("pos", pointer, same, 1.0, f"pos:p -> {pointer}:p"),)
    return Head("duplicate-token head", qk, ov, role=DUPLICATE)


def pointer_head(scale: float, skip: int = 0, pointer: str = "ptr pos") -> Head:
    """The pointer circuit's layer 2, an induction head by pointer arithmetic
    (Q-composition: Elhage et al.'s exercise 2): its query is the pointer
    layer 1 wrote, and A = s [pos(key) = ptr(query) + 1 + skip] asks for the
    position right after the earlier copy (skip more with --skip), so a_ij =
    s times the weight layer 1 put on key j - 1 - skip. V keeps the key's
    current half, as the lecture's induction head does. ``pointer``: the
    subspace that holds the pointer (``ptr pos``; train's stream has only the
    lecture's four subspaces, and a learned pointer sits in ``prev pos``)."""
    qk = (Block(pointer, "pos", ahead(skip + 1), scale, f"[pos(key) = {pointer}(query) + {skip + 1}]"),)
    ov = (Block("tok", "tok", same, 1.0, "tok:t -> tok:t"), Block("pos", "pos", same, 1.0, "pos:p -> pos:p"))
    return Head("induction head", qk=qk, ov=ov, role=INDUCTION)


CIRCUITS = ("lecture", "pointer", "virtual")
"""The induction circuits built by hand: the lecture's (K-composition: the
key's previous token against the query's token), pointer arithmetic
(Q-composition: the query asks for the position after an earlier copy) and
a three-layer one whose 2-back half is written by a virtual head made of two
previous-token heads (V-composition), read by an induction head over two
tokens of context."""


class Construction(NamedTuple):
    """Which model to build: the lecture's (the defaults) or a variant.

    ``mask``: "strict" (j < i, the lecture's table) or "inclusive" (j <= i,
    the textbook's and GPT's). ``context``: how many tokens the induction
    head matches (1: the query's own). ``skip``: how many tokens past the
    match it copies from (0: the next one). ``similar``: where dense token
    vectors come from (one-hot tokens when None): the same blocks then
    compare and copy m-dimensional vectors, so a_ij = s cos(x_i, x_(j-1)).
    ``model``: a model file's heads, run on the lecture's stream with the
    file's vocabulary, positions and mask (the other knobs at the lecture's)."""

    mask: str = "strict"
    context: int = 1
    skip: int = 0
    similar: Similarity | None = None  # dense token vectors (similar.py); None: one-hot tokens
    positions: str = "one-hot"  # how layer 1 knows positions: one of POSITIONS
    frequencies: int = FREQUENCIES  # K, for sinusoidal and rope
    model: Any = None  # a modelfile.Model: a model file's heads in place of the built ones
    circuit: str = "lecture"  # one of CIRCUITS

    @property
    def offsets(self) -> tuple[int, ...]:
        """The layer-1 heads' offsets: the query's context (1 .. k-1) and the
        key's (n+1 .. n+k)."""
        return tuple(sorted(set(range(1, self.context)) | set(range(self.skip + 1, self.skip + self.context + 1))))

    @property
    def horizon(self) -> int:
        """How far ahead a prediction is: the induction head copies the token
        skip + 1 after the match, which stands skip + 1 after the query's own
        (a model file's: the horizon it was written with, 1 if it says none)."""
        return self.skip + 1 if self.model is None else self.model.horizon

    @property
    def halves(self) -> int:
        """The residual stream's halves: the current one and one per layer-1 head (a model file's: its layout's,
        [tok | pos | prev tok | prev pos | prev2 tok | prev2 pos] in three)."""
        if self.model is not None:
            return len({name.rpartition(" ")[0] for name in self.model.layout})
        return 1 + len(self.offsets)

    def part(self, plural: bool = False) -> str:
        """The word for one of the stream's ``halves`` (or, by their count, thirds, quarters, ...)."""
        return fraction(self.halves, plural)

    def earlier(self) -> str:
        """The stream's parts past its current one: "previous half" (the lecture's; "prev4 half" under --skip 3),
        "earlier thirds", ..."""
        if self.halves != 2:
            return f"earlier {self.part(True)}"
        return f"{part_name(half(self.offsets[0]))} half"

    @property
    def subspaces(self) -> tuple[Subspace, ...]:
        """The residual stream's subspaces: the current half, then one half per
        offset; a position block only where positions are in the stream
        (one-hot directions, or a sinusoidal code of kind ``sin``)."""
        block = scheme(self.positions).block
        if self.model is not None:  # a model file's own layout
            return self.model.subspaces
        if self.circuit == "pointer":  # the current half, and the pointer layer 1 writes
            return (Subspace("tok", "tok"), Subspace("pos", "pos"), Subspace("ptr pos", "pos"))
        kinds = ("tok",) if block is None else ("tok", block)
        return tuple(Subspace(subspace(o, "pos" if kind == "sin" else kind), kind)
                     for o in (0,) + self.offsets for kind in kinds)

    def layers(self, scale: float, induction_scale: float | None = None) -> tuple[LayerSpec, ...]:
        """Layer 1 one previous-token head per offset (with a residual), then
        the induction head, whose output is Y^(2) itself. The induction head's
        scale defaults to the previous-token heads'. A model file's heads are
        its own, whatever the scale."""
        if self.model is not None:
            return self.model.layers()
        s2 = scale if induction_scale is None else induction_scale
        if self.circuit == "pointer":
            return (LayerSpec((duplicate_token_head(scale, self.mask == "inclusive"),), residual=True),
                    LayerSpec((pointer_head(s2, self.skip),), residual=False))
        if self.circuit == "virtual":
            return (LayerSpec((previous_token_head(scale, 1, self.positions, self.frequencies),), residual=True),
                    LayerSpec((shifting_head(scale, self.positions, self.frequencies),), residual=True),
                    LayerSpec((induction_head(s2, self.context, self.skip, self.positions),), residual=False))
        return (LayerSpec(tuple(previous_token_head(scale, o, self.positions, self.frequencies)
                                for o in self.offsets), residual=True),
                LayerSpec((induction_head(scale if induction_scale is None else induction_scale,
                                          self.context, self.skip, self.positions),), residual=False))


LECTURE = Construction()


def context_of(circuit: str, context: int, given: bool) -> int:
    """A construction's context: the virtual circuit's induction head matches two tokens, so its context is 2
    unless one is given (and inputs.construction refuses any other)."""
    return 2 if circuit == "virtual" and not given else context


def checked(c: Construction) -> Construction:
    """The construction, when its settings are in range (inputs.construction)
    and its position scheme takes its tokens (schemes.check); else InputError."""
    c = inputs.construction(c)
    check(c.positions, dense_tokens=c.similar is not None)
    return c


def described(c: Construction) -> dict:
    """The construction for a JSON document (the similarity's source, not its rows)."""
    similar = None if c.similar is None else {"kind": c.similar.kind, "source": c.similar.source or None}
    return ({"circuit": c.circuit} if c.circuit != "lecture" else {}) | {"mask": c.mask, "context": c.context, "skip": c.skip, "similar": similar, "positions": c.positions,
            "frequencies": c.frequencies if scheme(c.positions).frequencies else None} \
        | ({} if c.model is None else {"model": c.model.name})


def lecture(scale: float, induction_scale: float | None = None) -> tuple[LayerSpec, ...]:
    """The lecture's model: a previous-token head with a residual, then an
    induction head whose output is Y^(2) itself. The induction head's scale
    defaults to the previous-token head's."""
    return LECTURE.layers(scale, induction_scale)

