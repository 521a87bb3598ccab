"""The trace: every intermediate of one run, with its labels, frozen.

Renderers read a Trace and format it; they never compute a number of their
own. Arrays are made read-only when the trace is built, and their shapes are
checked against the basis, so a trace that exists is consistent. (Layer and
Prediction are named tuples, immutable and cheaper to define at start-up than
dataclasses; the Trace that holds them validates them.)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .basis import Basis


def _freeze(name: str, array: np.ndarray, shape: tuple[int, int]) -> None:
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    array.setflags(write=False)


class Layer(NamedTuple):
    """One attention layer: its weights and everything it computed.

    ``mask[i, j]`` is True where query i may attend to key j (j < i); the
    masked logits are ``logits`` where the mask holds (masked cells have no
    value) and ``weights`` are 0 on masked cells.
    """

    index: int  # 1 or 2
    name: str  # "previous-token head", "induction head"
    scale: float  # the sharpness: A's nonzero entries
    ablated: bool  # the head's output was replaced by zeros
    A: np.ndarray  # [d, d] the bilinear form of the logits
    V: np.ndarray  # [d, d] the value map
    logits: np.ndarray  # [N, N] a_ij = y_i A y_j^T, rows are queries
    mask: np.ndarray  # [N, N] bool, j < i
    weights: np.ndarray  # [N, N] softmax over the kept keys of each row
    output: np.ndarray  # [N, d] Y^(l) (with the head's output zeroed when ablated)


class Prediction(NamedTuple):
    """What position ``position`` says comes next.

    ``next`` is None where the token has not occurred earlier with a successor
    before the query (nothing to copy). ``candidates`` lists every token tied
    for the largest share of Y^(2)'s token columns (usually just ``next``,
    which is the first of them in vocabulary order).
    """

    position: int
    token: str
    next: str | None
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class Trace:
    tokens: tuple[str, ...]
    vocab: tuple[str, ...]
    scale: float
    basis: Basis
    embedding: np.ndarray  # [N, d] Y^(0)
    layers: tuple[Layer, ...]
    predictions: tuple[Prediction, ...]
    temperature: float  # of the next-token softmax
    unembedding: np.ndarray  # [d, V] W_U = E^T
    scores: np.ndarray  # [N, V] Y^(2) W_U, a score per vocabulary token
    probs: np.ndarray  # [N, V] softmax(scores / temperature), each row sums to 1
    ablate: str | None = None  # "previous-token", "induction" or None

    def __post_init__(self) -> None:
        n, d = len(self.tokens), self.basis.d
        _freeze("Y^(0)", self.embedding, (n, d))
        for layer in self.layers:
            for name in ("A", "V"):
                _freeze(f"{name}_{layer.index}", getattr(layer, name), (d, d))
            for name in ("logits", "mask", "weights"):
                _freeze(f"layer {layer.index} {name}", getattr(layer, name), (n, n))
            _freeze(f"Y^({layer.index})", layer.output, (n, d))
        if len(self.predictions) != n:
            raise ValueError("one prediction per position")
        v = len(self.vocab)
        _freeze("W_U", self.unembedding, (d, v))
        _freeze("scores", self.scores, (n, v))
        _freeze("probs", self.probs, (n, v))

    @property
    def n(self) -> int:
        return len(self.tokens)
