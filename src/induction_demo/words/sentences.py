"""How the story's sentences are made: tokens marked as code (each format
sets them in its code style), positions as `token` (@i), weights at two
decimals, and lists that name the first few and count the rest."""
from __future__ import annotations

import re
from typing import NamedTuple

from ..base import text as fmt
from ..core.trace import Trace

LISTED = 12  # positions listed by name in one sentence before "and N more"


class Sentence(NamedTuple):
    kind: str  # one of claims.REQUIRED: nothing-before, self, look-back, copy, split, blend, tie, ...
    text: str  # plain: each token in backticks
    parts: tuple = ()  # the same, as text and text.Token parts, for each format's code style
    premises: tuple = ()  # what it rests on (claims.py), each re-derived from the trace by verify.py


OPEN, CLOSE = "\x00", "\x01"  # around a token while a sentence is built: text.token never yields them
MATH_OPEN, MATH_CLOSE = "\x04", "\x05"  # around a formula (text.token never yields them either)
_MARKED = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}|{MATH_OPEN}([^{MATH_CLOSE}]*){MATH_CLOSE}")


def code(token: str) -> str:
    return f"{OPEN}{fmt.token(token)}{CLOSE}"


def maths(expr: str) -> str:
    """A formula in the plain notation (render/math.py), set as maths where a format can."""
    return f"{MATH_OPEN}{expr}{MATH_CLOSE}"


def say(kind: str, marked: str, premises=()) -> Sentence:
    """A sentence from text with its tokens marked by ``code`` and its
    formulas by ``maths``, and the premises (claims.py) it rests on."""
    parts: list = []
    at = 0
    for m in _MARKED.finditer(marked):
        if m.start() > at:
            parts.append(marked[at:m.start()])
        parts.append(fmt.Token(m[1]) if m[1] is not None else fmt.Math(m[2]))
        at = m.end()
    if at < len(marked):
        parts.append(marked[at:])
    text = marked.replace(OPEN, "`").replace(CLOSE, "`").replace(MATH_OPEN, "").replace(MATH_CLOSE, "")
    return Sentence(kind, text, tuple(parts), tuple(premises))


def at(trace: Trace, i: int) -> str:
    return f"{code(trace.tokens[i])} (@{i})"


def weight(x: float) -> str:
    return fmt.number(x, fmt.WEIGHT_DECIMALS)


class Lazy:
    """A list of ``count`` items made only when read (``item(k)``): a long
    input's sentences name the first LISTED and count the rest, so the rest
    are never written."""

    def __init__(self, indices, item):
        self.indices, self.item = list(indices), item

    def __len__(self) -> int:
        return len(self.indices)

    def __bool__(self) -> bool:
        return bool(self.indices)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self.item(i) for i in self.indices[k]]
        return self.item(self.indices[k])


def series(items, rest: str = "") -> str:
    """"a", "a and b", "a, b and c"; past LISTED items, "and N more" (N at least 2: one more is named)."""
    if len(items) > LISTED + 1:
        return ", ".join(items[:LISTED]) + f" and {len(items) - LISTED} more{rest}"
    return fmt.listed(items)
