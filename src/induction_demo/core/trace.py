"""The trace: every intermediate of one run, with its labels, frozen.

Renderers read a Trace and format it; they never compute a number of their
own. Arrays are made read-only when the trace is built, and their shapes are
checked against the basis, so a trace that exists is consistent. Records are
named tuples, built with keywords (``Layer(index=1, heads=..., ...)``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .basis import Basis
from .stream import Stream
from .similar import Embedding
from .weights import LECTURE, Construction, Head
from ..base import text as fmt


def _freeze(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    array.setflags(write=False)


class HeadRun(NamedTuple):
    """What one head computed: its logits a_ij = y_i A y_j^T (rows: queries),
    its weights (0 on masked cells) and its write W Y V."""

    head: Head
    logits: np.ndarray  # [N, N]
    weights: np.ndarray  # [N, N]
    output: Stream  # the head's write, before the residual
    ablated: bool = False  # its write was replaced by zeros

    def on_offset(self) -> np.ndarray:  # -> [N - o]
        """The weight each query from @o on puts on the key its offset o back
        (a previous-token head's job; o = 1 for the lecture's)."""
        o, n = self.head.offset, len(self.weights)
        return self.weights[np.arange(o, n), np.arange(max(n - o, 0))]


class Layer(NamedTuple):
    """One attention layer: its heads and its output Y^(l).

    ``mask[i, j]`` is True where query i may attend to key j (j < i).
    """

    index: int  # 1, 2, ...
    heads: tuple[HeadRun, ...]
    mask: np.ndarray  # [N, N] bool
    output: Stream  # Y^(l)
    residual: bool  # Y^(l) = Y^(l-1) + the heads' writes, or the writes alone

    @property
    def name(self) -> str:
        return fmt.listed(run.head.name for run in self.heads)  # "previous-token head, 2-back head and 3-back head"

    @property
    def ablated(self) -> bool:
        return any(run.ablated for run in self.heads)

    @property
    def only(self) -> HeadRun:
        """The layer's only head (the lecture's layers have one each)."""
        if len(self.heads) != 1:
            raise ValueError(f"layer {self.index} has {len(self.heads)} heads")
        return self.heads[0]

    @property
    def logits(self) -> np.ndarray:
        return self.only.logits

    @property
    def weights(self) -> np.ndarray:
        return self.only.weights

    @property
    def scale(self) -> float:
        """The largest entry of its heads' A."""
        return max(run.head.scale for run in self.heads)


class Prediction(NamedTuple):
    """What position ``position`` says comes ``horizon`` tokens ahead (1: next).

    ``output`` is every token tied for the top score of Y^(2) W_U: what the
    model outputs, whatever it is (empty where Y^(2)'s row is 0 and every
    token scores the same). ``copyable``: there is something to copy (a key
    the query keeps is one the induction head is built for, however sharply
    it attends). ``copy``: that output is a copy, most of the
    induction head's weight on the keys it is built for; elsewhere it is a
    blend of earlier tokens. ``next`` and ``candidates`` are the copy (the
    first of ``output`` in vocabulary order, and all of it), None and ()
    where there is nothing to copy.
    """

    position: int
    token: str
    next: str | None
    candidates: tuple[str, ...]
    output: tuple[str, ...] = ()
    copy: bool = False
    horizon: int = 1
    score: float = 0.0  # the output's score: its share of Y^(2)'s token block (a dot product with --similar)
    low: float = 0.0  # the lowest score among ``output`` (below ``score`` where the temperature ties them)
    copyable: bool = False  # something to copy: a key the query keeps is one the last layer is built for
    others: float = 0.0  # how much of what it outputs is tokens other than its first: a built model's last
    # head copies each key's token, so its weight on keys of other tokens; a file's V_2 writes what it will,
    # so the largest score of another token. Printed 0.00 beside no copy: "not a copy" (all one token), no blend


@dataclass(frozen=True)
class Trace:
    tokens: tuple[str, ...]
    vocab: tuple[str, ...]  # the tokens that occur: the residual stream's token directions
    scale: float
    basis: Basis
    embedding: Stream  # Y^(0)
    layers: tuple[Layer, ...]
    predictions: tuple[Prediction, ...]
    temperature: float  # of the next-token softmax
    scores: np.ndarray  # [N, V] Y^(2) W_U, a score per vocabulary token
    probs: np.ndarray  # [N, V] softmax(scores / temperature) over the vocabulary
    ablate: str | None = None  # "previous-token", "induction" or None
    unseen: int = 0  # vocabulary tokens that do not occur: each scores 0 (the bench's large vocabularies)
    unseen_probs: np.ndarray | None = None  # [N] the probability of each unseen token
    construction: Construction = LECTURE  # the model built: mask, context, skip, similar
    words: Embedding | None = None  # dense token vectors (--similar), else one-hot tokens
    intact: tuple[Prediction, ...] | None = None  # with --ablate: the same construction's predictions, nothing ablated
    plain: tuple[Prediction, ...] | None = None  # with --skip: the same construction's with skip 0, nothing ablated

    def __post_init__(self) -> None:
        n, v = len(self.tokens), len(self.vocab)
        if self.embedding.basis != self.basis or any(l.output.basis != self.basis for l in self.layers):
            raise ValueError("every stream must be on the trace's basis")
        for layer in self.layers:
            _freeze(f"layer {layer.index} mask", layer.mask, (n, n))
            for run in layer.heads:
                _freeze(f"layer {layer.index} logits", run.logits, (n, n))
                _freeze(f"layer {layer.index} weights", run.weights, (n, n))
        if len(self.predictions) != n or any(p is not None and len(p) != n for p in (self.intact, self.plain)):
            raise ValueError("one prediction per position")
        _freeze("scores", self.scores, (n, v))
        _freeze("probs", self.probs, (n, v))
        if self.unseen_probs is not None:
            _freeze("unseen probs", self.unseen_probs, (n,))

    @property
    def n(self) -> int:
        return len(self.tokens)

    def shown(self, layers=None) -> tuple[int, ...]:
        """The layers a view shows: ``layers`` (1, 2, ...), or every layer."""
        return tuple(layers) if layers else tuple(layer.index for layer in self.layers)

    def stream(self, l: int) -> Stream:
        """Y^(l): the embedding Y^(0), or layer l's output."""
        return self.layers[l - 1].output if l else self.embedding

    @property
    def final(self) -> str:
        """The last layer's output, which the prediction is read off: "Y^(2)" (or "Y^(3)")."""
        return f"Y^({len(self.layers)})"

    @property
    def shares(self) -> bool:
        """A token's score is its share of the last layer's token block (one-hot tokens, a built model): with
        dense vectors it is a dot product with that block, in a file an entry of it."""
        return self.words is None and self.construction.model is None

    def layer_of(self, kind: str) -> Layer:
        """The layer whose heads have the role ``kind`` ("look-back": layer 1's
        previous-token and k-back heads; "induction": layer 2's head)."""
        return next(layer for layer in self.layers if layer.heads[0].head.role.kind == kind)

    @property
    def look_back(self) -> Layer:
        return self.layer_of("look-back")

    @property
    def induction(self) -> Layer:
        return self.layer_of("induction")

    @property
    def ids(self) -> np.ndarray:  # [N] each token's index in the vocabulary
        index = {t: k for k, t in enumerate(self.vocab)}
        return np.array([index[t] for t in self.tokens])
