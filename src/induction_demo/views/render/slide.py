"""One slide design, laid out once for SVG and PNG alike (1920 x 1080).

The slide holds, top to bottom: the title (the tokens) and the model it
shows, the induction head's attention weights with the cells where it does
its job marked, each query's prediction at the right of its row, and as
much of the story as fits, in whole sentences. Everything is one monospace
font, at the largest size from 30 px down to 18 px at which the table fits
the width; the title is set 1.3 times larger. The layout is lines of
(text, style) pieces at columns of one cell each: ``svg.slide`` writes
them as text elements, ``png.slide`` draws them with matplotlib, at the same
places.
"""
from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len

from ...base.text import Token
from ..views import Slide, Table
from . import terminal

SIZE, MARGIN = (1920, 1080), 48
LARGEST, SMALLEST = 30, 18  # px
CELL, LINE, TITLE = 0.6, 1.3, 1.3  # a cell's width and a line's height in font sizes; the title's size
TITLE_LINES = 2  # the most lines the title takes


class Laid(NamedTuple):
    """The slide's lines: ``title`` lines at ``TITLE`` times the font, then
    ``body`` lines; ``story`` sentences told (of ``told``)."""

    font: float  # px
    title: list[str]
    body: list[list[tuple[str, str]]]  # (text, style): "" plain, or terminal styles (bold, dim, cyan)
    told: int  # the story's sentences on the slide
    sentences: int  # the story's sentences in all
    fits: bool = True  # the title and the table fit the height

    @property
    def cell(self) -> float:
        return CELL * self.font

    @property
    def line(self) -> float:
        return LINE * self.font

    @property
    def title_line(self) -> float:
        return LINE * TITLE * self.font


def _table_lines(table: Table) -> list[list[tuple[str, str]]]:
    return [[(text, style) for text, style in line] for line in terminal.table_lines(table)]


def _width(lines: list[list[tuple[str, str]]]) -> int:
    return max((sum(cell_len(text) for text, _ in line) for line in lines), default=0)


def layout(view: Slide) -> Laid:
    """The weights (as wide as given, else with short labels, else with fewer
    decimals) at the largest font that fits the width and tells the whole
    story under them; else at the font that tells the most of it, in whole
    sentences."""
    room_w = SIZE[0] - 2 * MARGIN
    best = None
    for table in [view.weights, terminal.narrowed(view.weights)] + [terminal.narrowed(t, cells)
                                                                      for t, cells in view.narrow]:
        lines = _table_lines(table)
        widest = LARGEST
        while widest >= SMALLEST and _width(lines) * CELL * widest > room_w:
            widest -= 1
        for font in range(widest, SMALLEST - 1, -1):
            laid = _at(view, table, lines, font)
            if not laid.fits:  # the title and the table alone are too tall at this size
                continue
            if best is None or laid.told > best.told:
                best = laid
            if laid.told == laid.sentences:
                return laid
        if best is not None:
            return best
    return best if best is not None else _at(view, view.weights, _table_lines(view.weights), SMALLEST)


def _at(view: Slide, table: Table, lines: list, font: int) -> Laid:
    """The slide at ``font`` px: the title, the model, the table, and the
    story's whole sentences while they fit (then a line saying how many were left out)."""
    room_w, room_h = SIZE[0] - 2 * MARGIN, SIZE[1] - 2 * MARGIN
    chars = int(room_w / (CELL * font))
    title = terminal.wrap(view.title, int(chars / TITLE) - 2)  # (room for " …")
    if len(title) > TITLE_LINES:  # the tokens are all in the table: the title keeps its first lines
        title = title[:TITLE_LINES - 1] + [title[TITLE_LINES - 1] + " …"]
    title += [""]
    body = [[(line, "bold")] for line in terminal.wrap(view.subtitle, chars)] + [[("", "")]] + \
        terminal.paragraph_lines(tuple(table.title), chars, marks=False, base="bold") + lines  # formulas: math
    used = len(title) * LINE * TITLE * font + len(body) * LINE * font
    told, story = 0, [[("", "")]]
    for sentence in view.story:  # whole sentences while they fit, never one cut short
        quoted = tuple(f"‘{p.text}’" if isinstance(p, Token) else p for p in sentence)  # formulas stay maths
        wrapped = terminal.paragraph_lines(("• ",) + quoted, chars, marks=False)
        if used + (len(story) + len(wrapped) + 1) * LINE * font > room_h:
            break
        story += wrapped
        told += 1
    if told < len(view.story) and used + (len(story) + 1) * LINE * font <= room_h:
        story.append([(f"(and {len(view.story) - told} more sentences: see the walkthrough)", "dim")])
    return Laid(float(font), title, body + (story if view.story else []), told, len(view.story), used <= room_h)
