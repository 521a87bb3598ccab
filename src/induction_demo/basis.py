"""The residual stream's named directions.

A token's representation at every layer is one row vector of d = 2(V + N)
numbers, laid out in four blocks (V distinct tokens, N positions):

    y_i = [ tok(x_i) | pos(i) | prev tok | prev pos ]
           `--- current half ---' `--- previous half ---'

At layer 0 the current half is one-hot (token and position) and the previous
half is zero; layer 1 writes the previous token and position into it.
Every column is a ``Direction`` with a label (``a``, ``@3``, ``prev a``,
``prev @2``), so every matrix comes with its row and column names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

BLOCKS = ("tok", "pos", "prev tok", "prev pos")
"""The four blocks of the residual stream, in order."""


class Direction(NamedTuple):
    """One basis vector: a block and the token or position it stands for."""

    block: str
    value: str | int

    @property
    def label(self) -> str:
        name = f"@{self.value}" if self.block.endswith("pos") else str(self.value)
        return f"prev {name}" if self.block.startswith("prev") else name


@dataclass(frozen=True)
class Basis:
    """The d directions for a vocabulary of V tokens and N positions."""

    vocab: tuple[str, ...]
    n_positions: int

    def __post_init__(self) -> None:
        if len(set(self.vocab)) != len(self.vocab) or not self.vocab:
            raise ValueError("the vocabulary must be non-empty and without repeats")
        if self.n_positions < 1:
            raise ValueError("there must be at least one position")

    @property
    def d(self) -> int:
        return 2 * (len(self.vocab) + self.n_positions)

    def values(self, block: str) -> tuple:
        """The tokens (tok blocks) or positions (pos blocks) a block stands for."""
        return self.vocab if block.endswith("tok") else tuple(range(self.n_positions))

    def block(self, name: str) -> slice:
        """Where block ``name`` lies among the d columns."""
        start = 0
        for block in BLOCKS:
            width = len(self.values(block))
            if block == name:
                return slice(start, start + width)
            start += width
        raise KeyError(name)

    @property
    def directions(self) -> tuple[Direction, ...]:
        return tuple(Direction(b, v) for b in BLOCKS for v in self.values(b))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(direction.label for direction in self.directions)
