"""The HTML handout: one self-contained page, printable, readable offline.

Inline CSS only: no JavaScript, no network, no external fonts. Cells are
shaded with a single blue hue (light to dark as the value grows, which reads
the same to colour-blind readers, and every value is printed too); masked
cells are hatched grey with a cross; where a head does its job is bold
with an orange frame; all-zero blocks are faded. Every piece of text is
escaped, so a token ``<script>`` is text.
"""
from __future__ import annotations

from html import escape
from typing import Iterator

from ...base import text as fmt
from ...base.text import Token
from ..views import (Answer, Document, Heading, Math, Paragraph, Table, column_names, column_starts, equal_spans,
                     header_lines, masked_rows, notes_column, range_name, row_names, row_starts, shade,
                     with_columns)
from .math import to_html

LIGHT, DARK = (247, 251, 255), (8, 48, 107)  # the ends of ColorBrewer's Blues

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #111;
       max-width: 100%; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
figure { margin: 1.2rem 0; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.math { font-family: "Times New Roman", Times, serif; font-style: italic; white-space: nowrap; }
table { border-collapse: collapse; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
        font-size: 14px; }
th, td { padding: 1px 5px; text-align: right; }
th { font-weight: normal; color: #444; white-space: pre-line; vertical-align: bottom; }
th.label, td.label { text-align: left; color: #444; white-space: pre; }
thead tr:last-child th { border-bottom: 1px solid #888; }
.block { border-left: 1px solid #888; }
tr.group td { border-top: 1px solid #888; }
td.center { text-align: center; } td.left { text-align: left; }
td.masked { background: repeating-linear-gradient(45deg, #eee 0 3px, #fff 3px 6px); color: #999; }
td.top { font-weight: bold; outline: 2px solid #d95f02; outline-offset: -2px; }
td.faint { opacity: .45; }
.legend { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; font-size: .9rem; margin: 1rem 0; }
.legend .ramp { display: inline-block; width: 10rem; height: .9rem; vertical-align: middle;
                background: linear-gradient(to right, rgb(247, 251, 255), rgb(8, 48, 107)); border: 1px solid #888; }
.legend .sample { display: inline-block; padding: 0 .4rem; border: 1px solid #ccc; font-family: monospace; }
footer { margin-top: 2rem; font-size: .85rem; color: #555; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.print { display: none; }
@page { margin: 0; }  /* no room for a browser's own header and footer: the page's margin is the body's */
@media print {
  body { margin: 0; padding: 12mm; font-size: 10pt; box-decoration-break: clone;
         -webkit-box-decoration-break: clone; }
  td.masked { background: #eee; }  /* flat, not hatched: the hatching made a printed page megabytes */
  td.faint { opacity: 1; color: #8a8a8a; }  /* grey, not transparent: each transparent cell is a PDF group */
  figure { break-inside: avoid; overflow: visible; }
  h2, h2 + p { break-after: avoid; }  /* a heading and its summary stay with the table after them */
  table { font-size: 8pt; --cell: 8pt; zoom: var(--print-zoom, 1); }  /* a wide table shrinks to the page, to 7 pt */
  /* a wide table's ranges, printed at 7 pt and closer: two of 40 rows on a page (at 1.1 lines apart, with
     their captions, most ranges of 40 rows stood alone on a page half full: 20 pages for 40 tokens, not 15) */
  figure:has(> table.range) { margin: .6rem 0; }
  table.range th, table.range td { padding: 0 3px; line-height: 1; }
  .screen { display: none; }  /* a table too wide for that prints as ranges of columns */
  .print { display: block; }
  /* a zero cell's text printed as generated content, the same characters: Chromium's PDF of a long handout's
     tens of thousands of zero cells was megabytes as text nodes (8.6 MB at 40 tokens), 3.5 MB this way */
  td.z0, td.z1, td.z2 { font-size: 0; }
  td.z0::after, td.z1::after, td.z2::after { font-size: var(--cell); }
  td.z0::after { content: "\\b7"; } td.z1::after { content: "0.0"; } td.z2::after { content: "0.00"; }
}
"""

LEGEND = (
    '<div class="legend">'
    '<span>shade: 0 <span class="ramp"></span> largest (1 for weights and outputs, the scale s for logits'
    ' and A)</span>'
    '<span><span class="sample" style="background: repeating-linear-gradient(45deg, #eee 0 3px, #fff 3px 6px)">'
    "×</span> masked: the key is not earlier than the query</span>"
    '<span><span class="sample" style="font-weight: bold; outline: 2px solid #d95f02; outline-offset: -2px">'
    "[1.00]</span> where the head does its job; each prediction</span>"
    '<span><span class="sample" style="opacity: .45">nothing to copy</span> a quiet row</span>'
    "<span>· exactly 0</span></div>"
)


def text(words: str) -> str:
    """Words as an element's content: escaped, and each run written right to
    left (Hebrew, Arabic: text.right_to_left) isolated in a <bdi>, so the
    browser's bidirectional ordering keeps it in its place: "שלום (@0)" was
    shown as "(0@) שלום" and a cell "שלום 0.33" as "0.33 שלום". (Not for a
    <title> or an attribute.)"""
    return fmt.isolated(words, escape, ("<bdi>", "</bdi>"))


def _math(expr: str) -> str:
    """A formula, unbroken, but for a list of a stream's subspaces ("[tok(x_i) | pos(i) | prev tok | ...]",
    16 of them under --context 4 --skip 16, ran past the page), which may break after each bar."""
    terms = expr.split(" | ")
    return " ".join(f'<span class="math">{to_html(term)}{" |" if k < len(terms) - 1 else ""}</span>'
                    for k, term in enumerate(terms))


def inline(parts: tuple) -> str:
    out = "".join(_math(p.expr) if isinstance(p, Math)
                  else f"<code>{text(p.text)}</code>" if isinstance(p, Token) else text(p) for p in parts)
    return out.replace("\n", "<br>\n")


def _background(shade: float) -> str:
    r, g, b = (round(lo + (hi - lo) * shade) for lo, hi in zip(LIGHT, DARK))
    colour = "; color: #fff" if shade > 0.55 else ""
    return f' style="background: rgb({r}, {g}, {b}){colour}"'


ZEROS = {fmt.ZERO: "z0", "0.0": "z1", "0.00": "z2"}
"""The zero cells' texts, each a class whose printed text is generated content (CSS, above)."""


def _cell(cell, vmax: float, block: bool, align: str) -> str:
    classes = [name for name, on in (("masked", cell.masked), ("top", cell.top), ("faint", cell.faint),
                                      ("block", block), (align, align != "right")) if on]
    if cell.text in ZEROS and not cell.masked:
        classes.append(ZEROS[cell.text])
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    dark = shade(cell, vmax)
    if dark > 0:  # a zero keeps the page's background: most cells are 0, and bytes add up
        attrs += _background(dark)
    return f"<td{attrs}>{text(cell.text)}</td>"


PRINT_WIDTH_PX = 700  # an A4 page's text width at 96 px an inch, less the browser's margins
CHAR_PX, CELL_PX = 6.4, 10  # at 8 pt: a monospace character, and a cell's padding
RANGE_CELL_PX = 6  # ... a printed range's (table.range)


def _widths(block: Table, cell: float = CELL_PX) -> tuple[float, list[float]]:
    """About how wide, in px when printed, the label columns and each data column are (``cell``: a cell's
    padding)."""
    n_labels = len(block.rows[0].labels) if block.rows else 0
    labels = sum(max([len(r.labels[k]) for r in block.rows], default=0) * CHAR_PX + cell for k in range(n_labels))
    return labels, [max([len(h) for h in col] + [len(r.cells[c].text) for r in block.rows]) * CHAR_PX + cell
                    for c, col in enumerate(block.columns)]


def print_zoom(block: Table, cell: float = CELL_PX) -> float:
    """How much a printed table must shrink to fit the page's width (1: not at all; ``cell``: a cell's
    padding)."""
    labels, columns = _widths(block, cell)
    width = labels + sum(columns)
    return min(1.0, round(PRINT_WIDTH_PX / width, 2)) if width else 1.0


MIN_ZOOM = 7 / 8  # printed tables are set at 8 pt: shrunk no further than 7 pt


def print_pieces(block: Table) -> list[Table]:
    """A table too wide to print at 7 pt, as ranges of columns that each fit
    the page at 7 pt or more (a margin of notes goes with every range), as
    few as that allows and of about equal size (no range of a few columns
    alone), each caption naming its columns as the LaTeX handout's do."""
    data = len(block.columns) - notes_column(block)
    names = column_names(block)

    def part(a: int, b: int) -> Table:
        cols = list(range(a, b)) + list(range(data, len(block.columns)))  # the notes with every range
        where = f"columns {range_name(names, a, b, data)}"
        first, total = masked_rows(block, a, b), len(block.rows)
        if first:  # (past the first range, the rows masked in it are named, not set, as in LaTeX)
            rows = row_names(block)
            where += (f"; rows {range_name(rows, first, total, total)}; rows {range_name(rows, 0, first, total)}: "
                      "every cell masked, left out")
        piece = with_columns(block._replace(rows=block.rows[first:]), cols)
        return piece._replace(title=block.title + (f" [{where}]",))

    labels, columns = _widths(block, RANGE_CELL_PX)
    spans = equal_spans(columns[:data], PRINT_WIDTH_PX / MIN_ZOOM - labels - sum(columns[data:]))
    return [part(a, b) for a, b in spans]


def table(block: Table) -> list[str]:
    """The table; one too wide to print at 7 pt is shown whole on a screen and
    printed as ranges of columns instead (``print_pieces``)."""
    if print_zoom(block) < MIN_ZOOM and len(block.columns) > 1:
        return (['<div class="screen">'] + _table(block, screen=True) + ["</div>", '<div class="print">']
                + [line for piece in print_pieces(block) for line in _table(piece)] + ["</div>"])
    return _table(block)


def _table(block: Table, screen: bool = False) -> list[str]:
    n_labels = len(block.rows[0].labels)
    starts, rules = column_starts(block), row_starts(block)
    piece = not screen and str(block.title[-1]).startswith(" [columns ")  # a printed range: no second id
    zoom = 1.0 if screen else MIN_ZOOM if piece else max(print_zoom(block), MIN_ZOOM)  # (ranges at 7 pt: two
    # of 40 rows to a page)
    lines = ["<figure>" if piece else f'<figure id="{escape(block.key)}">',
             f"<figcaption>{inline(block.title)}</figcaption>",
             f'<table class="range" style="--print-zoom: {zoom}">' if piece
             else f'<table style="--print-zoom: {zoom}">' if zoom < 1 else "<table>", "<thead>"]
    for corner, columns in header_lines(block):
        cells = [f'<th class="label" colspan="{n_labels}">{text(corner)}</th>']
        cells += [("<th class=\"block\">" if c in starts else "<th>") + f"{text(words)}</th>"
                  for c, words in enumerate(columns)]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</thead>", "<tbody>"]
    for r, row in enumerate(block.rows):
        group = r in rules
        cells = [f'<td class="label">{text(label)}</td>' for label in row.labels]
        cells += [_cell(c, block.vmax, k in starts, block.align) for k, c in enumerate(row.cells)]
        lines.append(("<tr class=\"group\">" if group else "<tr>") + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>", "</figure>"]
    return lines


def render(document: Document) -> str:
    return "".join(chunks(document))


def chunks(document: Document) -> Iterator[str]:
    """The page as text chunks, a block at a time: a 200-token handout under --context 4 --skip 16 is 160 MB
    of HTML, and as one list of lines, then one string, it took 1.3 GB to write."""
    yield "\n".join(["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
                     '<meta name="viewport" content="width=device-width, initial-scale=1">',
                     f"<title>{escape(document.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
                     f"<h1>{text(document.title)}</h1>"]) + "\n"
    for lines in _blocks(document):
        if lines:
            yield "\n".join(lines) + "\n"
    yield "\n".join(["<footer>Made with induction-demo: every number comes from one run of the model.</footer>",
                     "</body>", "</html>"]) + "\n"


def blocks_html(document: Document) -> list[str]:
    """A document's blocks as HTML elements (the page's body, or a deck's slide)."""
    return [line for lines in _blocks(document) for line in lines]


def _blocks(document: Document) -> Iterator[list[str]]:
    """Each block of a document as its HTML lines."""
    for k, block in enumerate(document.blocks):
        if isinstance(block, Heading):
            yield [f"<h2>{text(block.text)}</h2>"]
        elif isinstance(block, Paragraph):
            yield [f"<p>{inline(block.text)}</p>"] + ([LEGEND] if k == 0 and document.legend else [])
        elif isinstance(block, Answer):  # ruled lines to write on, on screen and on paper
            yield ['<div class="answer" role="presentation" style="margin: 0 0 1.2em 1.5em; break-before: '
                   'avoid-page; break-inside: avoid">'
                   + '<div style="height: 2em; border-bottom: 1px solid #888"></div>' * block.lines + "</div>"]
        elif isinstance(block, Table):
            yield table(block)
