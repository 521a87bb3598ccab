"""The residual stream's named subspaces and directions (as tracr's craft/bases.py).

A token's representation at every layer is one row vector of d numbers, laid
out in named subspaces. The lecture's model has four, each spanned by one-hot
directions for a token (V of them) or a position (N of them), so d = 2(V + N):

    y_i = [ tok(x_i) | pos(i) | prev tok | prev pos ]
           `--- current half ---' `--- previous half ---'

At layer 0 the current half is one-hot (token and position) and the previous
half is zero; layer 1 writes the previous token and position into it.
Every column is a ``Direction`` with a label (``a``, ``@3``, ``prev a``,
``prev @2``), so every matrix comes with its row and column names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple


class Subspace(NamedTuple):
    """A named block of the residual stream: one direction per vocabulary
    token (kind ``tok``) or per position (kind ``pos``)."""

    name: str
    kind: str


LECTURE = (Subspace("tok", "tok"), Subspace("pos", "pos"), Subspace("prev tok", "tok"), Subspace("prev pos", "pos"))
BLOCKS = tuple(s.name for s in LECTURE)
"""The lecture's four subspaces, in order."""


class Direction(NamedTuple):
    """One basis vector: its subspace and the token or position it stands for."""

    block: str
    value: str | int

    @property
    def label(self) -> str:
        name = f"@{self.value}" if self.block.endswith("pos") and isinstance(self.value, int) else str(self.value)
        prefix = self.block.rpartition(" ")[0]
        return f"{prefix} {name}" if prefix else name


@dataclass(frozen=True)
class Basis:
    """The d directions for a vocabulary of V tokens and N positions."""

    vocab: tuple[str, ...]
    n_positions: int
    subspaces: tuple[Subspace, ...] = field(default=LECTURE)
    features: tuple[str, ...] = ()  # dense token vectors (--similar): the token block's m directions
    codes: tuple[str, ...] = ()  # a sinusoidal position code (kind "sin"): its 2K directions (sin w1, cos w1, ...)

    def __post_init__(self) -> None:
        if len(set(self.vocab)) != len(self.vocab) or not self.vocab:
            raise ValueError("the vocabulary must be non-empty and without repeats")
        if self.n_positions < 1:
            raise ValueError("there must be at least one position")
        if len({s.name for s in self.subspaces}) != len(self.subspaces):
            raise ValueError("subspace names must be distinct")

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.subspaces)

    def values(self, name: str) -> tuple:
        """The tokens (tok subspaces; with dense vectors, their features) or
        positions (pos subspaces) a subspace stands for."""
        return self._values[name]

    @cached_property
    def _values(self) -> dict[str, tuple]:
        out = {}
        for s in self.subspaces:
            if s.kind == "tok":
                out[s.name] = self.features or self.vocab
            else:
                out[s.name] = self.codes if s.kind == "sin" else tuple(range(self.n_positions))
        return out

    def size(self, name: str) -> int:
        return self._sizes[name]

    @cached_property
    def _sizes(self) -> dict[str, int]:  # asked for on every block of every pass: once, not each time
        return {name: len(values) for name, values in self._values.items()}

    @cached_property
    def _slices(self) -> dict[str, slice]:
        out, start = {}, 0
        for name in self.names:
            out[name] = slice(start, start + self.size(name))
            start += self.size(name)
        return out

    def block(self, name: str) -> slice:
        """Where subspace ``name`` lies among the d columns."""
        return self._slices[name]

    @property
    def d(self) -> int:
        return sum(self.size(name) for name in self.names)

    @cached_property
    def directions(self) -> tuple[Direction, ...]:
        return tuple(Direction(name, v) for name in self.names for v in self.values(name))

    @cached_property
    def labels(self) -> tuple[str, ...]:
        return tuple(direction.label for direction in self.directions)
