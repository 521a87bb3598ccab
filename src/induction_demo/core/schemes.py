"""How layer 1 knows positions (seed 001): each scheme one record, beside
its builder, that every view, the story, the circuits and the CLI ask
instead of branching on its name.

A record says what the scheme puts in the residual stream (one-hot position
directions, a sinusoidal code of 2K numbers, or nothing), how it builds a
head that looks ``o`` back (its ``qk`` blocks, a relative bias b_(i-j), or
RoPE's query and key), and how it is said: its name in a sentence, layer 1's
logit as an equation, what layer 1's value copies, why its weight leaks off
the target, what the circuits show, what Y^(0) holds.

A new scheme is one record here (its builder and its words) plus its tests;
``inputs.POSITIONS`` lists the names the command line offers.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..base import inputs
from .blocks import Block, Rope, back, frequencies, rotated_back
from ..base.errors import InputError
from ..base.text import Math


class Logits(NamedTuple):
    """A look-back head's logit terms: A's blocks, a relative bias, RoPE."""

    qk: tuple[Block, ...] = ()
    bias: tuple[tuple[int, float], ...] = ()
    rope: Rope | None = None


def _one_hot(scale: float, o: int, k: int) -> Logits:
    return Logits(qk=(Block("pos", "pos", back(o), scale, f"[pos(key) = pos(query) - {o}]"),))


def _sinusoidal(scale: float, o: int, k: int) -> Logits:
    return Logits(qk=(Block("pos", "pos", rotated_back(o, k), scale,
                            f"(1/K) sum_m cos(w_m (pos(query) - {o} - pos(key)))"),))


def _relative(scale: float, o: int, k: int) -> Logits:
    return Logits(bias=((o, scale),))


def _rope(scale: float, o: int, k: int) -> Logits:
    w = frequencies(k)
    query, key = np.zeros(2 * k), np.zeros(2 * k)
    query[0::2] = scale / k
    key[0::2], key[1::2] = np.cos(w * o), np.sin(w * o)
    return Logits(rope=Rope(w, query, key))


def _none(scale: float, o: int, k: int) -> Logits:
    return Logits()


class Scheme(NamedTuple):
    """A position scheme: what it puts in the stream, how it builds a
    look-back head, and its words.

    ``block``: the kind of the stream's position block ("pos": one-hot
    directions, "sin": a sinusoidal code) or None (no position in the
    stream). ``graded``: layer 1's logits fall off around the target (a
    cosine of positions) rather than being s or 0. ``one_hot_tokens``: the
    scheme needs one-hot tokens (``refusal`` says why otherwise)."""

    name: str
    words: str  # its name in a sentence
    build: Callable[[float, int, int], Logits]  # (scale s, offset o, frequencies K) -> a look-back head's logits
    block: str | None
    frequencies: bool  # it uses K frequencies
    graded: bool
    scores: Callable  # (K, o) -> layer 1's logit, as parts (text and Math), after "scores key j for query i by"
    logit: str  # layer 1's logits as one formula, for a table's title
    circuit: str  # layer 1's QK circuit over positions, as a formula
    about: str  # what that circuit shows ({where}: the diagonal, {o}: the offset)
    layer0: str  # what Y^(0) holds ({token}: each token's representation; {own}: "its one-hot " for vectors)
    written: str = "token and position"  # what layer 1's value copies into a half
    leak: str = ""  # why layer 1's weight leaks to the positions before its target ("": it does not)
    copy_note: bool = False  # the story gives each copy's share of the query's token in the key's previous half
    note: tuple = ()  # the handout's note on layer 1's previous half under it, its words by the offsets (describe.py)
    one_hot_tokens: bool = False
    refusal: str = ""

    @property
    def directions(self) -> bool:
        """Positions are the lecture's one-hot directions in the stream."""
        return self.block == "pos"

    def per_half(self, tokens: str) -> str:
        """A half's width as a formula: token directions plus position directions."""
        return {"pos": f"({tokens} + N)", "sin": f"({tokens} + 2K)"}.get(self.block, tokens)


SINUSOID = ("Layer {layer} puts nearly all its weight on {position}, the rest on {beside}: its {where} holds {token}, "
            "plus a little of {beyond}. Layer {reader} matches the query's token against it as before; the leak only "
            "lowers a match from s to s times the weight layer {layer} put on {position}.",)
CLOSE = "their codes are close to {target}"  # (the previous one's; that of i - o)
TURNED = "their keys are turned by angles close to {target}"  # RoPE's: no code in the stream, a rotation
AROUND = "where each query position looks: the most on {where} (key i - {o}), a little less around it"

SCHEMES = {s.name: s for s in (
    Scheme("one-hot", "one-hot position directions", _one_hot, "pos", False, False,
           lambda k, o: (Math(f"a_ij = s [j = i - {o}]"),), "a_ij = y_i A_1 y_j^T", "P A_1 P^T",
           "where each query position looks: the scale on {where} (key i - {o})", "{token} and {own}position"),
    Scheme("sinusoidal", "sinusoidal position codes", _sinusoidal, "sin", True, True,
           lambda k, o: (Math(f"a_ij = (s/K) sum_m cos(w_m (i - {o} - j))"), f", K = {k} frequencies ",
                         Math("w_m = 10000^(-(m-1)/K)"), ", from the codes ", Math("[sin w_m p, cos w_m p]"),
                         " in the position block: s at ", Math(f"j = i - {o}"), ", a little less at its neighbours"),
           "a_ij = y_i A_1 y_j^T", "P A_1 P^T",
           "where each query position looks: the most on {where} (key i - {o}), a little less around it, as the "
           "codes of nearby positions are alike", "{token} and its position's sinusoidal code",
           written="token and position code", leak=CLOSE, note=SINUSOID),
    Scheme("relative", "a relative position bias", _relative, None, False, False,
           lambda k, o: (Math("a_ij = b_(i-j)"), ", ", Math(f"b_{o} = s"), " and 0 elsewhere: no position in the "
                         "stream, a bias added to the logit by how far back the key is"),
           "a_ij = y_i A_1 y_j^T + b_(i-j) = b_(i-j)", "b_(i-j)",
           "where each query position looks: a bias of s on {where}",
           "{token}; no position (layer 1 adds a relative bias instead)", written="token",
           note=("The bias ", Math("b_{o} = s"), " does what the one-hot position block did: layer {layer}'s logits, "
                 "weights and {where} are {same}, but the stream holds no position at all (d = {halves}V), so the "
                 "{where} holds {token} only.",)),
    Scheme("rope", "rotary position embeddings (RoPE)", _rope, None, True, True,
           lambda k, o: (Math("a_ij = <R_i q, R_j k>"), " = ", Math(f"(s/K) sum_m cos(w_m (i - {o} - j))"),
                         ": no position in the stream; the same query and key for every token, plane m turned by ",
                         Math("w_m"), f" per position (K = {k}), the key starting {o} position"
                         f"{'' if o == '1' else 's'} further on"),
           "a_ij = <R_i q_i, R_j k_j>", "<R_i q, R_j k>", AROUND,
           "{token}; no position (layer 1 rotates its queries and keys instead)", written="token", leak=TURNED,
           note=SINUSOID, one_hot_tokens=True,
           refusal="--positions rope needs one-hot tokens: its query and key are the same for every token, which "
                   "dense token vectors cannot give; leave out --similar or --embeddings"),
    Scheme("none", "no position encoding (NoPE)", _none, None, False, False,
           lambda k, o: (Math("a_ij = 0"), ": nothing tells positions apart, so every key scores the same"),
           "a_ij = 0", "a_ij = 0", "every key scores 0 (NoPE: nothing tells positions apart), and the head spreads "
           "evenly",
           "{token}; no position encoding at all (NoPE)", written="token",
           copy_note=True,
           note=("NoPE: layer {layer} cannot single out {token}: each query spreads evenly over the keys it keeps and "
                 "writes their mean into its {where}. That mean still carries position, leaked by the causal mask: "
                 "the key {after} an earlier copy of the query's token holds that token with share "
                 "c/m, c its copies among the m keys that key kept in layer {layer}, {logit}",)),
)}
assert tuple(SCHEMES) == inputs.POSITIONS  # the command line offers exactly the schemes built here


def scheme(name: str) -> Scheme:
    """The record of a position scheme, by name."""
    if name not in SCHEMES:
        raise InputError(f"unknown position scheme {name!r}: use {', '.join(SCHEMES)}")
    return SCHEMES[name]


def check(positions: str, dense_tokens: bool) -> None:
    """Refuse a scheme that cannot take dense token vectors, when they are asked for."""
    record = scheme(positions)
    if dense_tokens and record.one_hot_tokens:
        raise InputError(record.refusal)
