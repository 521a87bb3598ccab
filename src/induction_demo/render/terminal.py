"""The terminal view: lays out ``views`` as aligned text tables.

The layout is done here rather than by rich's Table: the walkthrough has a
few thousand cells, which rich's Table takes 100-200 ms to lay out, more
than the whole budget of a ``show`` (benchmarks/startup.py). Widths are
measured in terminal cells (rich.cells), so CJK and emoji tokens keep the
columns aligned. ``lines`` gives plain text; ``styled`` gives rich ``Text``
lines with styles (largest weight, masked cells, zero blocks), and only it
imports rich.text.
"""
from __future__ import annotations

from rich.cells import cell_len

from ..views import Cell, Document, Heading, Paragraph, Table

STYLE = {"faint": "dim", "masked": "bright_black", "top": "bold cyan", "title": "bold", "heading": "bold"}
RULE, BAR = "─", "│"


def _pad(text: str, width: int, align: str) -> str:
    gap = width - cell_len(text)
    if align == "left":
        return text + " " * gap
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return " " * gap + text


def _style(cell: Cell) -> str:
    if cell.masked:
        return STYLE["masked"]
    if cell.top:
        return STYLE["top"]
    return STYLE["faint"] if cell.faint else ""


def table_lines(table: Table) -> list[list[tuple[str, str]]]:
    """The table as lines, each a list of (text, style) pieces."""
    n_labels = len(table.rows[0].labels) if table.rows else 0
    label_widths = [max(cell_len(r.labels[k]) for r in table.rows) for k in range(n_labels)]
    label_width = max(sum(label_widths) + max(n_labels - 1, 0), *(cell_len(c) for c in table.corner))
    widths = [
        max([cell_len(h) for h in header] + [cell_len(r.cells[c].text) for r in table.rows])
        for c, header in enumerate(table.columns)
    ]
    groups = table.column_groups or (0,) * len(table.columns)
    bars = {c for c in range(1, len(groups)) if groups[c] != groups[c - 1]}

    def line(label: str, cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
        pieces = [(_pad(label, label_width, "left"), "")]
        for c, (text, style) in enumerate(cells):
            if c in bars:
                pieces.append((" " + BAR, ""))
            pieces += [(" ", ""), (_pad(text, widths[c], table.align), style)]
        return pieces

    height = max([len(table.corner)] + [len(h) for h in table.columns])
    out = []
    for k in range(height):
        def at(lines: tuple[str, ...]) -> str:  # header lines sit at the bottom
            offset = k - (height - len(lines))
            return lines[offset] if offset >= 0 else ""
        out.append(line(at(table.corner), [(at(h), "") for h in table.columns]))
    total = sum(cell_len(text) for text, _ in out[0])
    out.append([(RULE * total, "")])
    for r, row in enumerate(table.rows):
        if r and row.group != table.rows[r - 1].group:
            out.append([(RULE * total, "")])
        label = " ".join(_pad(text, w, "left") for text, w in zip(row.labels, label_widths))
        out.append(line(label, [(cell.text, _style(cell)) for cell in row.cells]))
    return out


def document_lines(document: Document, width: int) -> list[list[tuple[str, str]]]:
    """Every line of the document; a heading is a rule ``width`` cells wide."""
    out: list[list[tuple[str, str]]] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            text = f"{RULE * 2} {block.text} "
            out += [[("", "")], [(text + RULE * max(width - cell_len(text), 0), STYLE["heading"])]]
        elif isinstance(block, Paragraph):
            out += [[(line, "")] for line in block.text.split("\n")]
        elif isinstance(block, Table):
            out += [[("", "")], [(block.title, STYLE["title"])]]
            out += table_lines(block)
    return out


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
