"""The SVG picture: the terminal view, styled, recorded by rich, for slides.

Rich's default SVG template loads the Fira Code font from a CDN and carries a
credit comment with a web address; this one (written here, so nothing
depends on rich's private template) names local monospace fonts, so the
picture needs no network. The id is fixed, so the same input gives the same
bytes. The placeholders are the ones ``Console.export_svg`` fills.
"""
from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console

from ..views import Document
from . import terminal

TEMPLATE = """<svg class="rich-terminal" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">
    <style>
    .{unique_id}-matrix {{
        font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
        font-size: {char_height}px;
        line-height: {line_height}px;
        font-variant-east-asian: full-width;
    }}

    .{unique_id}-title {{
        font-size: 18px;
        font-weight: bold;
        font-family: arial;
    }}

    {styles}
    </style>

    <defs>
    <clipPath id="{unique_id}-clip-terminal">
      <rect x="0" y="0" width="{terminal_width}" height="{terminal_height}" />
    </clipPath>
    {lines}
    </defs>

    {chrome}
    <g transform="translate({terminal_x}, {terminal_y})" clip-path="url(#{unique_id}-clip-terminal)">
    {backgrounds}
    <g class="{unique_id}-matrix">
    {matrix}
    </g>
    </g>
</svg>
"""


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
