"""Format-neutral views: headings, paragraphs, labelled tables, matrices
and heatmaps, and the helpers every renderer lays them out with.

``tables`` builds the tables of a trace, ``documents`` puts them in the
lecture's order, ``data`` makes the JSON documents; a renderer (terminal,
Markdown, LaTeX, HTML, SVG, JSON, PNG) only lays views out. Views are named
tuples (immutable, and cheap to define at start-up, unlike dataclasses).

Text is a tuple of parts: plain strings, ``Math`` (written in the plain
notation of ``render.math``) and ``text.Token`` (a token in running text).
Cells carry their printed text, the number behind it and the table's
``vmax`` (for shading), and marks: ``masked`` (removed by the causal mask),
``top`` (where a head does its job, or a prediction), ``faint`` (inside an
all-zero block, or a row with nothing to copy), ``gap`` (stands for hidden
rows or columns of a windowed table).
"""
from __future__ import annotations

import re
from math import ceil
from typing import Callable, NamedTuple, Sequence

import numpy as np

from ..base import text as fmt
from ..base.text import Math  # noqa: F401  (views hand out formulas in running text)
from ..core.stream import Stream


class Cell(NamedTuple):
    text: str
    value: float | None = None
    masked: bool = False
    top: bool = False
    faint: bool = False
    gap: bool = False


def shade(cell: Cell, vmax: float) -> float:
    """How dark a cell is drawn, 0 to 1: its value over the table's ``vmax``
    (0 for a cell without a value, such as a masked one, and for one that
    prints as zero: layer 1's e^-100 leak would otherwise tint a 0.00)."""
    if cell.value is None or vmax <= 0 or _prints_zero(cell.text):
        return 0.0
    return min(max(cell.value / vmax, 0.0), 1.0)


def _prints_zero(text: str) -> bool:
    try:
        return float(text.strip("[]")) == 0
    except ValueError:
        return text == fmt.ZERO


class Row(NamedTuple):
    labels: tuple[str, ...]
    cells: tuple[Cell, ...]
    group: int = 0  # rows of different groups are separated by a rule
    gap: bool = False  # stands for hidden rows
    name: str = ""  # in a caption, where its first label is not its position: a direction's ("prev pos @3")


class Table(NamedTuple):
    """``columns`` holds each column's header lines (top to bottom); columns of
    different ``column_groups`` are separated by a rule. ``corner`` heads the
    label columns. ``vmax`` is the value of the darkest shade."""

    key: str
    title: tuple
    corner: tuple[str, ...]
    columns: tuple[tuple[str, ...], ...]
    rows: tuple[Row, ...]
    column_groups: tuple[int, ...] = ()
    align: str = "right"  # of the data columns: right (numbers) or center
    vmax: float = 1.0
    shown: int = 0  # positions shown, when the table is a window (0: all)
    names: tuple[str, ...] = ()  # each column's in a caption, a direction's ("tok the"); (): by position
    copies: tuple[int, ...] = ()  # (copying queries among its rows, all of them): a window that leaves some out


def with_columns(table: Table, columns: Sequence[int]) -> Table:
    """The table with only ``columns`` (data column indices, in order): a
    range of a wide table, for a narrow screen or a printed page."""
    groups = table.column_groups or (0,) * len(table.columns)
    return table._replace(columns=tuple(table.columns[c] for c in columns),
                          column_groups=tuple(groups[c] for c in columns) if table.column_groups else (),
                          names=tuple(table.names[c] for c in columns if c < len(table.names)),
                          rows=tuple(r._replace(cells=tuple(r.cells[c] for c in columns if c < len(r.cells)))
                                     for r in table.rows))


def masked_rows(table: Table, a: int, b: int) -> int:
    """How many rows to leave out of a printed range of columns a..b past the
    first: those before its first kept cell, every cell masked (keys after
    their query), a row of "⋮" among them going with them. A caption names
    them; every row stands, with its note, in the first range (a = 0: none)."""
    first = 0
    for k, row in enumerate(table.rows if a > 0 else ()):
        cells = row.cells[a:b]  # (a "…" stands for columns left out)
        if not (row.gap or any(c.masked for c in cells) and all(c.masked or c.gap for c in cells)):
            break
        first = first if row.gap else k + 1
    return first


def notes_column(table: Table) -> int:
    """1 when the table's last column is a margin of notes (nothing to copy),
    which a range of its columns keeps beside its rows; else 0."""
    return 1 if table.columns and table.columns[-1] == ("", "") and any(
        r.cells and r.cells[-1].text for r in table.rows) else 0


def column_starts(table: Table) -> set[int]:
    """The data columns that start a new column group (a rule stands before them)."""
    groups = table.column_groups or (0,) * len(table.columns)
    return {c for c in range(1, len(groups)) if groups[c] != groups[c - 1]}


def row_starts(table: Table) -> set[int]:
    """The rows that start a new row group (a rule stands above them)."""
    return {r for r in range(1, len(table.rows)) if table.rows[r].group != table.rows[r - 1].group}


def header_lines(table: Table) -> list[tuple[str, list[str]]]:
    """The header as lines, top to bottom: (the corner's text, each column's
    text). Headers of different heights sit at the bottom."""
    height = max([len(table.corner)] + [len(h) for h in table.columns])

    def at(lines: tuple[str, ...], k: int) -> str:
        offset = k - (height - len(lines))
        return lines[offset] if offset >= 0 else ""

    lines = [(at(table.corner, k), [at(h, k) for h in table.columns]) for k in range(height)]
    return [line for line in lines if line[0] or any(line[1])] or lines[-1:]  # no line with nothing in it


def ranges(count: int, most: int) -> list[tuple[int, int]]:
    """``count`` rows (or columns) in ranges of at most ``most``, as few as that allows and of about equal
    size (so no page or slide holds a few alone): [(start, end)]."""
    pieces = max(1, -(-count // max(most, 1)))
    size = max(1, -(-count // pieces))
    return [(a, min(a + size, count)) for a in range(0, count, size)] or [(0, 0)]


POSITION = re.compile(r"@\d+")


def column_names(table: Table) -> list[str | None]:
    """Each data column's name for a caption: a direction's, by its subspace ("tok the", "prev pos @3": a
    token's column is headed "the" alone); else its position, the header's last line ("@7": the first is
    the key's token, which may look like one); else None."""
    if table.names:
        return [n or None for n in table.names] + [None] * (len(table.columns) - len(table.names))
    return [h[-1] if h and POSITION.fullmatch(h[-1]) else None for h in table.columns]


def row_names(table: Table) -> list[str | None]:
    """Each row's name for a caption: a direction's, by its subspace; else its position, its first label
    ("@7", before the token); else None."""
    return [r.name or (r.labels[0] if r.labels and POSITION.fullmatch(r.labels[0]) else None) for r in table.rows]


def equal_spans(columns: list[float], room: float) -> list[tuple[int, int]]:
    """Ranges of columns of these widths, none wider than ``room`` (but a single column), as few as that
    allows, of about equal width (so no page holds a few columns alone): [(start, end)]."""
    total, widest = sum(columns), max(columns, default=0.0)
    for count in range(max(1, ceil(total / room)) if room > 0 else len(columns), len(columns) + 1):
        limit = min(room, total / count + widest)
        spans, start, width = [], 0, 0.0
        for c, w in enumerate(columns):
            if c > start and width + w > limit:
                spans.append((start, c))
                start, width = c, 0.0
            width += w
        spans.append((start, len(columns)))
        if len(spans) <= count:
            return spans
    return [(c, c + 1) for c in range(len(columns))]


def range_name(names: Sequence[str | None], a: int, b: int, total: int) -> str:
    """A range of rows or columns by the names of its first and last (``column_names``, ``row_names``):
    "@20 to @39", "tok the to pos @10"; with none, by count, "21 to 40 of 40"."""
    named = [n for n in names[a:b] if n]  # (a window's gap, "…", has no name)
    return f"{named[0]} to {named[-1]}" if named else f"{a + 1} to {b} of {total}"


class Heading(NamedTuple):
    text: str


class Paragraph(NamedTuple):
    text: tuple


class Answer(NamedTuple):
    """Room to write an answer (a quiz sheet's): ``lines`` ruled lines."""

    lines: int = 3


class Document(NamedTuple):
    title: str
    blocks: tuple = ()
    legend: bool = True  # the HTML handout's key to masked cells, the job and quiet rows (not for train's report)


class Matrix(NamedTuple):
    """Numbers for the JSON document, unformatted: ``rows(start, stop)`` gives
    rows start to stop as an array (a large matrix is read a slice at a
    time); where ``mask`` is False a cell has no value (null)."""

    n_rows: int
    rows: Callable[[int, int], np.ndarray]
    mask: np.ndarray | None = None
    source: np.ndarray | None = None  # the array read, when one is (a masked copy of it reads the same)


def matrix(array: np.ndarray, mask: np.ndarray | None = None) -> Matrix:
    return Matrix(len(array), lambda start, stop: array[start:stop], mask, array)


def stream_matrix(y: Stream) -> Matrix:
    return Matrix(y.n, y.rows)


class Panel(NamedTuple):
    """One heatmap: a layer's attention weights, query rows, key columns."""

    index: int  # the layer
    title: str
    weights: np.ndarray  # [N, N]
    mask: np.ndarray  # [N, N] bool: False where masked
    story: tuple[tuple, ...]  # the layer's sentences, each its parts (text, text.Token, Math)
    job: np.ndarray  # [N, N] bool: where the head does its job (mechanism.cells), marked
    legend: str  # what the mark means
    symbol: str = ""  # its weights' name, as mathtext: W^{(1)}, or W^{(1,2)} for a layer's second head


class Heatmaps(NamedTuple):
    labels: tuple[str, ...]  # each position: token and @i
    panels: tuple[Panel, ...]
    title: str = ""  # the picture's title: what ran, on which tokens


class Slide(NamedTuple):
    """One 16:9 picture of the mechanism (``render/slide.py`` lays it out):
    the title with the tokens, the model it shows, the last layer's weights
    with the cells where it does its job marked and each row's prediction at
    its right (``narrow``: the same with fewer decimals, for a long input),
    and the story."""

    title: str
    subtitle: str
    weights: Table
    narrow: tuple[tuple[Table, int], ...]  # (table, cells a label keeps), narrower and narrower
    story: tuple[tuple, ...]  # sentences, each its parts (text, text.Token, Math)


GAP_COLUMN, GAP_ROW = "…", "⋮"
Build = Callable[["Sequence[int] | None"], Table]


class Split(NamedTuple):
    """A table, and ways to show all of it in narrower tables, for a screen
    too narrow for the whole, coarsest first: a stream's halves, then its
    subspaces; a matrix's nonzero blocks. Each is built for a window of
    positions (None: all)."""

    whole: Build
    parts: tuple[tuple[Build, ...], ...]
    window: bool = True  # False: a table whose width does not grow with N is never windowed


def plain(parts: tuple) -> str:
    """Text parts as plain text (formulas in their plain notation, tokens in backticks)."""
    return "".join(p.expr if isinstance(p, Math) else f"`{p.text}`" if isinstance(p, fmt.Token) else p
                   for p in parts)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


class Exact(list):
    """Numbers a loader rebuilds the model from (weights, frequencies, token
    vectors): JSON writes them at full precision, not rounded like a view's."""
