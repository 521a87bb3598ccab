"""Text to tokens, and the vocabulary.

Tokens are whitespace-separated words by default; ``chars`` splits into
characters; ``auto`` splits into characters only when the text has no
whitespace at all (so ``abcab`` is five tokens and ``a b c`` three).
The vocabulary is the distinct tokens in order of first appearance.

Text is normalised to Unicode NFC first (unless ``normalize`` is False), so
``é`` typed as one code point and as ``e`` with a combining accent, which look
the same, are one token; a byte-order mark at the start is dropped.
"""
from __future__ import annotations

import unicodedata

from . import inputs
from .errors import InputError

TOKENIZE_MODES = ("auto", "space", "chars")


def tokenize(text: str, mode: str = "auto", normalize: bool = True) -> tuple[str, ...]:
    """Split ``text`` into tokens; raise InputError when there are none or
    more than ``inputs.MAX_TOKENS``.

    In ``chars`` mode the text is stripped at both ends and every remaining
    character is a token, inner spaces included (they are shown as ``␣``).
    """
    if mode not in TOKENIZE_MODES:
        raise InputError(f"unknown tokenize mode {mode!r}: use one of {', '.join(TOKENIZE_MODES)}")
    text = inputs.text(text).removeprefix("\ufeff")
    if normalize:
        text = unicodedata.normalize("NFC", text)
    if mode == "auto":
        mode = "space" if any(c.isspace() for c in text) else "chars"
    tokens = tuple(text.split()) if mode == "space" else tuple(text.strip())
    return inputs.tokens(tokens)


def vocabulary(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct tokens, in order of first appearance."""
    return tuple(dict.fromkeys(tokens))


def earlier_occurrences(tokens: tuple[str, ...], i: int) -> list[int]:
    """The positions k <= i - 2 where tokens[i] occurred before: those whose
    successor (at k + 1 < i) is a key query i can see, so something to copy."""
    return [k for k in range(i - 1) if tokens[k] == tokens[i]]
