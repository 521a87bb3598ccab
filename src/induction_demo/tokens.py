"""Text to tokens, and the vocabulary.

Tokens are whitespace-separated words by default; ``chars`` splits into
characters; ``auto`` splits into characters only when the text has no
whitespace at all (so ``abcab`` is five tokens and ``a b c`` three).
The vocabulary is the distinct tokens in order of first appearance.
"""
from __future__ import annotations

from .errors import InputError

TOKENIZE_MODES = ("auto", "space", "chars")
MAX_TOKENS = 1000
"""The most tokens one run accepts: d = 2(V + N) <= 4000, so each d x d matrix
of the run stays under 128 MB and a run under a few seconds."""


def tokenize(text: str, mode: str = "auto") -> tuple[str, ...]:
    """Split ``text`` into tokens; raise InputError when there are none or too many.

    In ``chars`` mode the text is stripped at both ends and every remaining
    character is a token, inner spaces included (they are shown as ``␣``).
    """
    if mode not in TOKENIZE_MODES:
        raise InputError(f"unknown tokenize mode {mode!r}: use one of {', '.join(TOKENIZE_MODES)}")
    if mode == "auto":
        mode = "space" if any(c.isspace() for c in text) else "chars"
    tokens = tuple(text.split()) if mode == "space" else tuple(text.strip())
    if not tokens:
        raise InputError("no tokens: the input is empty or only whitespace; try \"! a b a c b\"")
    if len(tokens) > MAX_TOKENS:
        raise InputError(f"{len(tokens)} tokens is more than the {MAX_TOKENS} this tool runs at once")
    return tokens


def vocabulary(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct tokens, in order of first appearance."""
    return tuple(dict.fromkeys(tokens))


def earlier_occurrences(tokens: tuple[str, ...], i: int) -> list[int]:
    """The positions k <= i - 2 where tokens[i] occurred before: those whose
    successor (at k + 1 < i) is a key query i can see, so something to copy."""
    return [k for k in range(i - 1) if tokens[k] == tokens[i]]
