"""The SVG picture: the terminal view, styled, recorded by rich, for slides.

Rich's default SVG template loads the Fira Code font from a CDN; this one
names local monospace fonts instead, so the picture needs no network (and it
drops rich's credit comment, the only other web address). The
id is fixed, so the same input gives the same bytes.
"""
from __future__ import annotations

import io

from rich._export_format import CONSOLE_SVG_FORMAT
from rich.cells import cell_len
from rich.console import Console

from ..views import Document
from . import terminal

_FONT_START = CONSOLE_SVG_FORMAT.index("    @font-face")
_FONT_END = CONSOLE_SVG_FORMAT.index("    .{unique_id}-matrix")
TEMPLATE = (
    (CONSOLE_SVG_FORMAT[:_FONT_START] + CONSOLE_SVG_FORMAT[_FONT_END:])
    .replace("font-family: Fira Code, monospace;", 'font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;')
    .replace("    <!-- Generated with Rich https://www.textualize.io -->\n", "")
)


def render(document: Document, width: int) -> str:
    lines = terminal.styled(document, width)
    # Both width and height: without a height, rich takes 80 columns on TERM=dumb.
    console = Console(file=io.StringIO(), record=True, width=max(cell_len(line.plain) for line in lines),
                      height=len(lines),
                      force_terminal=True, color_system="truecolor", markup=False, emoji=False, highlight=False,
                      legacy_windows=False)
    for line in lines:
        console.print(line, soft_wrap=True)
    return console.export_svg(title=document.title, code_format=TEMPLATE, unique_id="induction-demo")
