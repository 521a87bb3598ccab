"""The SVG picture: the terminal view, for slides and handouts.

Written from the laid-out lines of the terminal view (``terminal.document_lines``),
each word placed at its own column: alignment never depends on how a viewer
treats spaces (rsvg-convert, which many slide and document tools use, drops
leading ones), so the picture is the same in rsvg-convert and a browser. A
light theme by default, ``dark`` for a dark slide; local monospace fonts, no
network, no script; the title wraps to the picture's width. The same input
gives the same bytes.
"""
from __future__ import annotations

import re
from html import escape

from rich.cells import cell_len

from ..views import Document, Slide
from . import terminal
from .math import to_tspans

CELL, LINE, FONT = 8.4, 18, 14  # px: a terminal cell, a line, the font size
MARGIN, TITLE_LINE, TITLE_FONT = 16, 22, 18
TITLE_CHAR = 0.7  # the widest a bold sans character runs, in font sizes (DejaVu Sans Bold: 0.5 to 0.7 on average)
THEMES = {
    "light": {"background": "#ffffff", "text": "#1b1b1b", "accent": "#0b6e99", "title": "#000000"},
    "dark": {"background": "#1e1e1e", "text": "#e4e4e4", "accent": "#4fc1ff", "title": "#ffffff"},
}
WORD = re.compile(r"\S+")


def _class(style: str) -> str:
    """A terminal style (``bold cyan``, ``dim``) as CSS classes."""
    return " ".join(sorted(set(style.split()) & {"bold", "dim", "cyan"}))


def _style(colours: dict, font: float, title_font: float) -> list[str]:
    return ["<style>",
            f"text {{ font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: {font:g}px; "
            f"fill: {colours['text']}; }}",
            f".title {{ font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; font-size: {title_font:g}px; "
            f"font-weight: bold; fill: {colours['title']}; }}",
            f".bold {{ font-weight: bold; }} .dim {{ opacity: 0.55; }} .cyan {{ fill: {colours['accent']}; }}",
            "</style>"]


def _place(lines: list, x0: float, y0: float, cell: float, line: float, lift: float) -> list[str]:
    """Each word of each line of (text, style) pieces as a text element at
    its column (no leading spaces to lose), its baseline ``lift`` above the
    line's foot."""
    out = []
    for k, pieces in enumerate(lines):
        y = y0 + line * (k + 1) - lift
        column, shift = 0, 0.0  # shift: the cells a formula's smaller scripts saved, closed up after it
        for text, style in pieces:
            cls, math = _class(style), "math" in style.split()
            for word in WORD.finditer(text):
                x = x0 + (column + cell_len(text[:word.start()]) - shift) * cell
                attr = f' class="{cls}"' if cls else ""
                body, saved = to_tspans(word.group()) if math else (escape(word.group()), 0.0)
                out.append(f'<text x="{x:g}" y="{y:g}"{attr}>{body}</text>')
                shift += saved
            column += cell_len(text)
    return out


def slide(view: Slide, theme: str = "light") -> str:
    """The 16:9 slide, as ``render/slide.py`` lays it out."""
    from . import slide as design

    colours, laid = THEMES[theme], design.layout(view)
    width, height = design.SIZE
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">', f"<title>{escape(view.title)}</title>"]
    out += _style(colours, laid.font, design.TITLE * laid.font) + [
        f'<rect width="100%" height="100%" fill="{colours["background"]}"/>',
        "<style>.title { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; }</style>"]
    y = design.MARGIN
    for text in laid.title:
        y += laid.title_line
        if text:
            out.append(f'<text class="title" x="{design.MARGIN}" y="{y - 0.3 * laid.title_line:g}">'
                       f"{escape(text)}</text>")
    out += _place(laid.body, design.MARGIN, y, laid.cell, laid.line, 0.3 * laid.line)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render(document: Document, width: int, theme: str = "light") -> str:
    colours = THEMES[theme]
    lines = list(terminal.document_lines(document, width, marks=False))  # tokens in colour, not backticks
    columns = max([sum(cell_len(text) for text, _ in line) for line in lines] + [40])
    # the title's bold sans is wider than a mono cell: wrapped to the picture's width in its own characters
    title = terminal.wrap(document.title, int(columns * CELL / (TITLE_CHAR * TITLE_FONT)))
    top = MARGIN + TITLE_LINE * len(title) + 8
    size = (round(2 * MARGIN + columns * CELL), top + LINE * len(lines) + MARGIN)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size[0]}" height="{size[1]}" '
           f'viewBox="0 0 {size[0]} {size[1]}">', f"<title>{escape(document.title)}</title>"]
    out += _style(colours, FONT, TITLE_FONT) + [f'<rect width="100%" height="100%" fill="{colours["background"]}"/>']
    for k, line in enumerate(title):
        out.append(f'<text class="title" x="{MARGIN}" y="{MARGIN + TITLE_LINE * (k + 1) - 4}">{escape(line)}</text>')
    out += _place(lines, MARGIN, top, CELL, LINE, 5)
    out.append("</svg>")
    return "\n".join(out) + "\n"
