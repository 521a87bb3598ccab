"""The terminal view: lays out ``views`` as aligned text tables.

The layout is done here rather than by rich's Table: the walkthrough has a
few thousand cells, which rich's Table takes 100-200 ms to lay out, more
than the whole budget of a ``show`` (benchmarks/startup.py). Widths are
measured in terminal cells (rich.cells), so CJK and emoji tokens keep the
columns aligned. ``lines`` gives plain text; ``styled`` gives rich ``Text``
lines with styles (where a head does its job, masked cells, quiet rows, zero blocks), and only it
imports rich.text.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from rich.cells import cell_len, get_character_cell_size

from ...base.text import Token, elide

from ..views import (Answer, Build, Cell, Document, Heading, Math, Paragraph, Split, Table, column_names, column_starts,
                     count, header_lines, plain as plain_text, row_starts, with_columns)

# Styles that read on dark and light themes alike: bright_black, the usual grey,
# is the background colour of Solarized Dark.
STYLE = {"faint": "dim", "masked": "dim", "top": "bold cyan", "title": "bold", "heading": "bold", "token": "bold cyan"}
RULE, BAR = "─", "│"


def _pad(text: str, width: int, align: str) -> str:
    gap = width - cell_len(text)
    if align == "left":
        return text + " " * gap
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return " " * gap + text


def _style(cell: Cell) -> str:
    if cell.masked or cell.gap:
        return STYLE["masked"]
    if cell.top:
        return STYLE["top"]
    return STYLE["faint"] if cell.faint else ""


def _measure(table: Table) -> tuple[list[int], int, list[int], set[int]]:
    """Label column widths, the label area's width, data column widths, and
    the columns that start a new group (a rule stands before them)."""
    n_labels = len(table.rows[0].labels) if table.rows else 0
    label_widths = [max(cell_len(r.labels[k]) for r in table.rows) for k in range(n_labels)]
    label_width = max(sum(label_widths) + max(n_labels - 1, 0), *(cell_len(c) for c in table.corner))
    widths = [
        max([cell_len(h) for h in header] + [cell_len(r.cells[c].text) for r in table.rows])
        for c, header in enumerate(table.columns)
    ]
    return label_widths, label_width, widths, column_starts(table)


def table_width(table: Table) -> int:
    """The width of the table's lines, in cells."""
    _, label_width, widths, bars = _measure(table)
    return label_width + sum(widths) + len(widths) + 2 * len(bars)


MIN_TEXT = 12  # cells a wrapped text column keeps


def _text_widths(table: Table, widths: list[int], room: int) -> list[int]:
    """The widths of a table of text (align left: predictions, notes, what a
    score measures) within ``room`` cells for its data columns: the widest
    columns are capped, evenly, until they fit (not below MIN_TEXT, unless
    even that is too wide, nor below a header's longest word); their cells wrap."""
    if table.align != "left" or sum(widths) <= room:
        return widths
    words = [max([1] + [cell_len(word) for h in header for word in h.split(" ")]) for header in table.columns]
    for least in (MIN_TEXT, 1):
        floor = [min(w, max(least, word)) for w, word in zip(widths, words)]
        cap = max(widths)
        while cap > least and sum(max(min(w, cap), f) for w, f in zip(widths, floor)) > room:
            cap -= 1
        capped = [max(min(w, cap), f) for w, f in zip(widths, floor)]
        if sum(capped) <= room:
            break
    return capped


def table_lines(table: Table, width: int | None = None) -> Iterator[list[tuple[str, str]]]:
    """The table's lines, one at a time, each a list of (text, style) pieces
    (a --full table can hold millions of cells: no list of all its pieces).
    Given a ``width``, a table of text too wide for it wraps its cells."""
    label_widths, label_width, widths, bars = _measure(table)
    if width is not None:
        widths = _text_widths(table, widths, width - label_width - len(widths) - 2 * len(bars))

    def line(label: str, cells: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        pieces = [(_pad(label, label_width, "left"), "")]
        for c, (text, style) in enumerate(cells):
            if c in bars:
                pieces.append((" " + BAR, ""))
            pieces += [(" ", ""), (_pad(text, widths[c], table.align), style)]
        return pieces

    headed = table if table.align != "left" else table._replace(  # a capped column of text wraps its header too
        columns=tuple(tuple(part for h in header for part in wrap(h, widths[c])) for c, header in enumerate(table.columns)))
    for corner, columns in header_lines(headed):
        yield line(corner, [(text, "") for text in columns])
    total = label_width + sum(widths) + len(widths) + 2 * len(bars)  # table_width, measured once
    yield [(RULE * total, "")]
    rules = row_starts(table)
    for r, row in enumerate(table.rows):
        if r in rules:
            yield [(RULE * total, "")]
        label = " ".join(_pad(text, w, "left") for text, w in zip(row.labels, label_widths))
        if any(cell_len(cell.text) > widths[c] for c, cell in enumerate(row.cells)):
            pieces = [wrap(cell.text, widths[c], cut=True) for c, cell in enumerate(row.cells)]  # (a word past
            # the column's width goes on over lines: "TransformerLens'" ran 5 cells past --width 40)
            for k in range(max(map(len, pieces))):
                yield line(label if k == 0 else "", ((p[k] if k < len(p) else "", _style(cell))
                                                      for p, cell in zip(pieces, row.cells)))
        else:
            yield line(label, ((cell.text, _style(cell)) for cell in row.cells))


def wrap(text: str, width: int, indent: str = "", cut: bool = False) -> list[str]:
    """Words of ``text`` in lines of at most ``width`` terminal cells (a wide
    character takes two), a paragraph's later lines after ``indent``; a word
    longer than a line keeps a line of its own, or with ``cut`` goes on over
    as many as it fills."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.lstrip(" ")
        line = paragraph[:len(paragraph) - len(words)]  # its first line keeps the spaces it starts with
        for word in _held(words.split(" ")):
            if line.strip() and cell_len(line) + 1 + cell_len(word) > width:
                lines.append(line)
                line = indent + word
            else:
                line = f"{line} {word}" if line.strip() else line + word
            while cut and cell_len(line) > width:
                head = _first_cells(line, max(width, cell_len(indent) + 2))
                lines.append(head)
                line = indent + line[len(head):]
        lines.append(line)
    return lines


OPERATORS = frozenset(("-", "+", "=", "->", "x", "×"))  # a formula's operators in running text: "position i - 2"


def _held(words: list[str]) -> list[str]:
    """The words, each operator held to the words on its sides ("i - 2" one unit, and the mark "[ ]"), so that a
    line does not end or begin at one: "position i" / "- 2." read as a minus sign at the start of a line."""
    out: list[str] = []
    glue = False
    for word in words:
        if out and (glue or word in OPERATORS or (out[-1].endswith("[") and word.startswith("]"))) and word:
            out[-1] += " " + word
            glue = word in OPERATORS
        else:
            out.append(word)
            glue = False
    return out


def _first_cells(text: str, width: int) -> str:
    """The longest start of ``text`` at most ``width`` cells wide (at least its first character)."""
    total = 0
    for k, character in enumerate(text):
        total += get_character_cell_size(character)
        if total > width:
            return text[:max(k, 1)]
    return text


ANSWER_WIDTH = 72  # cells: an answer's ruled line at most


def document_lines(document: Document, width: int, marks: bool = True) -> Iterator[list[tuple[str, str]]]:
    """Every line of the document, one at a time; a heading is a rule ``width``
    cells wide; tokens in paragraphs in backticks unless not ``marks``."""
    previous = None
    for block in document.blocks:
        if isinstance(block, Heading):  # a rule, the heading wrapped into it when it is longer than a line
            *first, last = wrap(f"{RULE * 2} {block.text}", width - 1)
            yield [("", "")]
            for line in first:
                yield [(line, STYLE["heading"])]
            yield [(f"{last} " + RULE * max(width - cell_len(last) - 1, 0), STYLE["heading"])]
        elif isinstance(block, Paragraph):
            if isinstance(previous, Table):
                yield [("", "")]
            yield from paragraph_lines(block.text, width, marks)
        elif isinstance(block, Answer):  # ruled lines to write on
            for _ in range(block.lines):
                yield [("", "")]
                yield [("   " + "_" * max(min(width, ANSWER_WIDTH) - 3, 1), STYLE["faint"])]
            yield [("", "")]
        elif isinstance(block, Table):
            yield [("", "")]
            if marks:
                for line in wrap(plain_text(block.title) + _window_note(block), width):
                    yield [(line, STYLE["title"])]
            else:  # a picture: the title's formulas marked for sub- and superscripts
                yield from paragraph_lines(tuple(block.title) + (_window_note(block),), width, False, STYLE["title"])
            yield from table_lines(block, width)
        previous = block


def paragraph_lines(parts: tuple, width: int, marks: bool = True, base: str = "") -> list[list[tuple[str, str]]]:
    """A paragraph's text parts wrapped to ``width`` cells, in style ``base``:
    each token (a ``text.Token`` part) in the token style, and in backticks
    with ``marks`` (plain text needs them; a picture's colour says it);
    without ``marks``, each formula (a ``Math`` part) styled ``math`` too, for
    a picture to set its sub- and superscripts."""
    text, spans = "", []
    for part in parts:
        shown = part.text if isinstance(part, Token) and not marks else plain_text((part,))
        if isinstance(part, Token):
            spans.append((len(text), len(text) + len(shown), STYLE["token"]))
        elif isinstance(part, Math) and not marks:
            spans.append((len(text), len(text) + len(shown), "math"))
        text += shown
    lines, cursor = [], 0
    for line in wrap(text, width):  # each line is the next stretch of the text
        start = text.index(line, cursor) if line else cursor
        cuts = sorted({0, len(line)} | {min(max(edge - start, 0), len(line)) for s, e, _ in spans for edge in (s, e)})

        def style(a: int, b: int) -> str:
            found = [kind for s, e, kind in spans if s <= start + a and start + b <= e]
            return " ".join(filter(None, [base] + found[:1]))

        lines.append([(line[a:b], style(a, b)) for a, b in zip(cuts, cuts[1:]) if b > a] or [("", "")])
        cursor = start + len(line)
    return lines


def _window_note(table: Table) -> str:
    """A window's notice, on a table that hides some of its rows or columns (a
    window that happens to hold every row and column is the table whole)."""
    hides = any(row.gap or any(cell.gap for cell in row.cells) for row in table.rows)
    copies = f"; {table.copies[0]} of the {table.copies[1]} copying queries" if table.copies else ""
    return f" [window: {count(table.shown, 'position')}{copies}]" if table.shown and hides else ""


def fitter(order: list[int], width: int):
    """A ``fit`` for ``documents.walkthrough``: each table whole if it fits
    ``width`` cells; else its parts (a stream's halves, a matrix's nonzero
    blocks), whole, if each fits; else the largest window of the first
    positions of ``order`` (``tables.priority``: the most interesting first)
    that fits, of the whole table or, when that holds fewer than ENOUGH
    positions, of each of its parts."""

    def fit(choice: Build | Split) -> list[Table]:
        return [piece for table in chosen(choice) for piece in last_resort(table, width)]

    def chosen(choice: Build | Split) -> list[Table]:
        build, parts = (choice.whole, choice.parts) if isinstance(choice, Split) else (choice, ())
        n = len(order)
        if isinstance(choice, Split) and not choice.window:  # a row per position: its best, never a window
            levels = [[build(None)]] + [[part(None) for part in level] for level in parts]
            for tables in levels + [[narrowed(t) for t in levels[-1]]]:
                if all(table_width(table) <= width for table in tables):
                    return tables
            return tables
        # Every table over positions has at least n columns of at least 2 cells:
        # when that cannot fit, do not build the whole (it may be huge).
        if 2 * n < width:
            whole = build(None)
            if table_width(whole) <= width:
                return [whole]
            levels = [[whole]] + [[part(None) for part in level] for level in parts]
            for narrow in (False, True):  # every cell still: in parts, then with short labels
                for tables in levels[0 if narrow else 1:]:
                    tables = [narrowed(t) for t in tables] if narrow else tables
                    if all(table_width(table) <= width for table in tables):
                        return tables

        def largest(level: list[Build], shown) -> int:
            """The largest k whose windows of order[:k], one per table of
            ``level``, all fit, shown as ``shown`` does (0: none fits)."""
            def fits(k: int) -> bool:
                return all(table_width(shown(part(order[:k]))) <= width for part in level)

            # Double k while the window fits (cheap: windows stay small), then
            # bisect between the last k that fit and the first that did not.
            good, k = 0, 1
            while k < n and fits(k):
                good, k = k, min(2 * k, n)
            bad = k
            while bad - good > 1:
                mid = (good + bad) // 2
                good, bad = (mid, bad) if fits(mid) else (good, mid)
            return good

        # The whole table as a window; if that holds fewer than ENOUGH
        # positions, its parts (halves, subspaces, blocks), each a window of
        # the same positions: the coarsest level that holds ENOUGH, else the
        # one that holds the most; labels cut short only when no level fits.
        enough, best = min(ENOUGH, n), None
        for level in [[build]] + [list(level) for level in parts if level]:
            for shown in (lambda table: table, narrowed):
                k = largest(level, shown)
                if k and (best is None or k > best[0]):
                    best = (k, level, shown)
                if k:
                    break
            if best is not None and best[0] >= enough:
                break
        if best is None:
            level = [list(level) for level in parts if level][-1] if any(parts) else [build]
            best = (1, level, narrowed)
        k, level, shown = best
        if k < enough:  # too few positions fit: ENOUGH of them (all, for a short input), their columns in pieces
            return [shown(part(None if enough == n else order[:enough])) for part in level]
        return [shown(part(order[:k])) for part in level]

    return fit


def fitted(document: Document, width: int) -> Document:
    """``document`` with each table wider than ``width`` cells in pieces of its columns (a table of
    numbers then with short labels, as a walkthrough's last resort, ``fitter``): for reports built whole
    (bench, train), which printed tables of 79 cells at --width 40."""
    def over(table: Table) -> bool:  # (a table of text wraps its cells, but not past its longest word)
        return any(sum(cell_len(text) for text, _ in line) > width for line in table_lines(table, width))

    blocks = []
    for block in document.blocks:
        if isinstance(block, Table) and over(block):
            blocks += last_resort(block, width, text_too=True)
        else:
            blocks.append(block)
    return document._replace(blocks=tuple(blocks))


def last_resort(table: Table, width: int, text_too: bool = False) -> list[Table]:
    """A table still too wide for ``width`` cells: its columns in pieces, then (a table of numbers) its
    labels cut short; a table of text wraps its cells instead, or with ``text_too`` goes in pieces too."""
    if table.align == "left" and not text_too:
        return [table]
    return [t if t.align == "left" or table_width(t) <= width else narrowed(t) for t in column_pieces(table, width)]


def column_pieces(table: Table, width: int) -> list[Table]:
    """The table as it is if it fits ``width``; else its columns in pieces
    that each fit beside the row labels, cut where a column group starts when
    one does (the first piece keeps the title; the rest say they continue it)."""
    if table_width(table) <= width or len(table.columns) < 2:
        return [table]
    groups = table.column_groups or (0,) * len(table.columns)
    pieces, start = [], 0
    while start < len(table.columns):
        end = start + 1
        while end < len(table.columns) and table_width(with_columns(table, range(start, end + 1))) <= width:
            end += 1
        if end < len(table.columns):  # cut at the last group start inside the piece, when there is one
            cut = max((c for c in range(start + 1, end + 1) if groups[c] != groups[c - 1]), default=end)
            end = cut
        pieces.append(with_columns(table, range(start, end)))
        start = end
    return [p if k == 0 else p._replace(title=(f"(continued: columns {_first(p)} on)",))
            for k, p in enumerate(pieces)]


def _first(table: Table) -> str:
    return column_names(table)[0] or " ".join(h for h in table.columns[0] if h) or "…"


SHORT = 6  # cells a label or header keeps in a narrowed table
ENOUGH = 8  # positions a window should hold before a table is shown in parts instead


def _short(text: str, cells: int = SHORT) -> str:
    """Each word cut to ``cells`` cells: ``prev2 0000x…`` keeps its subspace."""
    return " ".join(elide(list(word), cells) for word in text.split(" "))


def narrowed(table: Table, cells: int = SHORT) -> Table:
    """The table with each label and header longer than SHORT cells cut to it
    (…): long tokens as headers are what make a narrow table too wide."""
    def short(text: str) -> str:
        return _short(text, cells)

    return table._replace(corner=tuple(table.corner), columns=tuple(tuple(map(short, h)) for h in table.columns),
                          rows=tuple(r._replace(labels=tuple(map(short, r.labels))) for r in table.rows))


SEE_ALL = "--full, or write a document: -o walkthrough.html (or .md, .tex)"


SHOWS = "the copies the induction head makes{some}, what they copy, and the start"
"""What a walkthrough's window shows (tables.priority orders its positions)."""
SOME = " (a table that holds only some of them says how many)"  # where one leaves copies out (tables._copies)


def with_notice(document: Document, width: int, see_all: str = SEE_ALL, shows: str = SHOWS,
                among: tuple = (), slide: bool = False) -> Document:
    """The document with, after its first block, a paragraph saying what a
    window shows and how to see everything, when any of its tables is one (or
    any of the blocks ``among``: a lecture's later steps). With ``slide``, a
    deck's: its tables are windowed to a slide, and unmarked."""
    if not any(isinstance(b, Table) and b.shown for b in document.blocks + among):
        return document
    lead = "Too wide for a slide: tables" if slide else \
        f"Too wide for {width} columns: tables marked [window: k positions]"
    some = "" if not any(isinstance(b, Table) and b.copies for b in document.blocks + among) else \
        " (some of them, where a slide cannot hold all)" if slide else SOME  # (a slide's tables are unmarked)
    notice = Paragraph((
        f"{lead} show {shows.format(some=some)} (… and ⋮ stand for hidden columns and rows).\n"
        f"To see everything: {see_all}.",
    ))
    return document._replace(blocks=document.blocks[:1] + (notice,) + document.blocks[1:])


def plain(document: Document, width: int) -> str:
    """The document as plain text: no styles, no escape codes."""
    return "".join("".join(text for text, _ in line).rstrip() + "\n" for line in document_lines(document, width))


def styled(document: Document, width: int) -> list:
    """The document as rich Text lines, styled, never wrapped."""
    from rich.text import Text

    lines = []
    for line in document_lines(document, width):
        text = Text(no_wrap=True, overflow="ignore", end="\n")
        for piece, style in line:
            text.append(piece, style=style or None)
        text.rstrip()
        lines.append(text)
    return lines
