"""How every view and renderer writes numbers and tokens.

One place decides the precision of each kind of number, the marks for zero,
masked and missing cells, and how a token is made safe to show: user tokens
are data, so anything that is not a visible character is written as an escape.
"""
from __future__ import annotations

from functools import lru_cache

from typing import NamedTuple

from . import inputs

LOGIT_DECIMALS = 1  # like the lecture's 100.0
WEIGHT_DECIMALS = 2  # attention weights and layer outputs
JSON_DIGITS = 12  # significant digits kept in JSON: stable bytes, honest values

ZERO = "·"  # exactly 0
MASKED = "×"  # the mask removed this cell (key not earlier than the query)
NONE = "—"  # no prediction: nothing to copy
SPACE = "␣"  # a space token (characters mode)
ELIDED = "…"  # the rest of a long token
TOKEN_CELLS = inputs.TOKEN_CELLS  # the most terminal cells a token takes in a view


class Token(NamedTuple):
    """A token inside running text (the story), shown in each format's code
    style: backticks in plain text, a code span in Markdown, ``\\texttt`` in
    LaTeX, ``<code>`` in HTML."""

    text: str


class Math(NamedTuple):
    """A formula inside running text (a title, a sentence), set as math where
    a format can: plain in the terminal, $...$ in LaTeX, <var> in HTML."""

    expr: str


TIED = 4
"""Tied tokens named in one cell or clause before "and N more": an even spread
over the first occurrences of many distinct tokens ties them all."""


def tied(tokens, sep: str, write) -> str:
    """The first TIED of ``tokens`` (each through ``write``), joined by ``sep``,
    then "and N more" for the rest (N at least 2: one more is named)."""
    shown = sep.join(write(t) for t in tokens[:named(len(tokens))])
    return shown if named(len(tokens)) == len(tokens) else f"{shown} and {len(tokens) - TIED} more"


def named(n: int) -> int:
    """How many of n tied tokens are named: all, unless more than TIED + 1 ("and 1 more" names the last)."""
    return n if n <= TIED + 1 else TIED


def number(x: float, decimals: int) -> str:
    """Fixed-point ``x``; a value that rounds to zero is written without a sign."""
    text = f"{x:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def signed(x: float, decimals: int) -> str:
    """``number`` with a + before a positive value: "+0.25", "-1.04", and "0.00" for one that rounds to 0."""
    text = number(x, decimals)
    return text if text.startswith("-") or float(text) == 0 else "+" + text


def parameter(x: float, decimals: int) -> str:
    """A setting (scale, temperature) as typed back: fixed-point when that
    gives the same number in a dozen characters (100.0, 1.00), else the
    shortest text that does (0.01, 1e+308, 1e-320)."""
    text = number(x, decimals)
    return text if float(text) == x and len(text) <= 12 else repr(float(x))


def rate(x: float, decimals: int = 4) -> str:
    """A rate or probability: fixed-point, or two significant digits in
    scientific notation when it is nonzero but rounds to 0 (chance is
    2.0e-05 at GPT-2's vocabulary, not 0.0000)."""
    return f"{x:.1e}" if 0 < abs(x) < 0.5 * 10.0 ** -decimals else number(x, decimals)


def cell(x: float, decimals: int) -> str:
    """A matrix cell: ``·`` for exactly 0, else fixed-point."""
    return ZERO if x == 0 else number(x, decimals)


def json_number(x: float) -> float:
    """``x`` to JSON_DIGITS significant digits, with -0.0 as 0.0."""
    return float(f"{x:.{JSON_DIGITS}g}") + 0.0


RESERVED = frozenset(NONE + SPACE + ELIDED)
"""The marks a view writes where a token could stand: a token holding one is
written with it escaped (a token ``—`` as ``\\u2014``), so no token can be
mistaken for "nothing", a space or an elision."""


@lru_cache(maxsize=1 << 14)  # a view names each token many times: 1000 of them in every table of a long input
def token(text: str, cells: int = TOKEN_CELLS) -> str:
    """A token as shown: spaces as ``␣``, invisible or control characters and
    the RESERVED marks as Python escapes (``\\t``, ``\\x1b``, ``\\u200b``,
    ``\\u2014``), everything else as is; a token wider than ``cells`` terminal
    cells keeps what fits in one cell less, then ``…``."""
    return elide([SPACE if c == " " else c if c.isprintable() and c not in RESERVED
                   else c.encode("unicode_escape").decode("ascii") for c in text], cells)


def listed(items) -> str:
    """Every item, as a list is written: "a", "a and b", "a, b and c"."""
    *most, last = list(items) or [""]
    return f"{', '.join(most)} and {last}" if most else last


FRACTIONS = ("half", "third", "quarter", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def part(count: int, plural: bool = False) -> str:
    """The word for one of ``count`` equal parts of the residual stream: half (of 2), third, quarter, ...
    tenth; "part" past ten (under --context 3 the stream holds four parts, not "halves")."""
    word = FRACTIONS[count - 2] if 2 <= count <= len(FRACTIONS) + 1 else "part"
    return ("halves" if word == "half" else word + "s") if plural else word


def right_to_left(text: str) -> list[tuple[bool, str]]:
    """``text`` in runs, each (written right to left, its characters): a run
    of Hebrew or Arabic letters with their accents is one, what stands around
    it (quotes, brackets, digits, spaces) another; [] for no such letter. A
    renderer isolates each right-to-left run, so that a page's or a picture's
    bidirectional layout keeps it in its place ("שלום (@0)", not "(0@) שלום")."""
    import unicodedata

    if text.isascii() or not any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return []
    runs: list[tuple[bool, str]] = []
    for c in text:
        kind = unicodedata.bidirectional(c)
        rtl = kind in ("R", "AL") or kind == "NSM" and bool(runs) and runs[-1][0]  # (an accent goes with its letter)
        if runs and runs[-1][0] == rtl:
            runs[-1] = (rtl, runs[-1][1] + c)
        else:
            runs.append((rtl, c))
    return runs


LRM, FSI, PDI = "\u200e", "\u2068", "\u2069"  # Unicode's left-to-right mark, first-strong isolate and its end


def isolated(text: str, each=lambda run: run, marks: tuple[str, str] = (FSI, PDI)) -> str:
    """``text`` (each run as ``each`` writes it) with each right-to-left run
    (``right_to_left``) between ``marks``: Unicode's FSI and PDI, or an HTML
    page's <bdi> and </bdi>. The bidirectional layout of a page or a picture
    moved what follows such a word before it ("(0@) שלום", not "שלום (@0)")."""
    runs = right_to_left(text)
    start, end = marks
    return "".join(start + each(run) + end if rtl else each(run) for rtl, run in runs) if runs else each(text)


def printable(text: str) -> str:
    """Text for one line (a file name in a message): what is not a visible
    character (a newline, a control character) as a Python escape."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def elide(pieces: list[str], cells: int) -> str:
    """The pieces (characters, or escapes kept whole) joined, when they take
    at most ``cells`` terminal cells; else what fits in one cell less, then ``…``."""
    if sum(map(_cells, pieces)) <= cells:
        return "".join(pieces)
    kept, width = [], 0
    for piece in pieces:
        width += _cells(piece)
        if width > cells - 1:
            break
        kept.append(piece)
    return "".join(kept) + ELIDED


def _cells(text: str) -> int:
    """Terminal cells: 2 for wide (CJK, emoji) characters, 0 for combining ones."""
    if text.isascii():  # (escapes and plain words: one cell a character)
        return len(text)
    import unicodedata

    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)
