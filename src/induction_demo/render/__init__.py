"""Renderers: each takes a Trace (or views of it) and formats it; none
computes a number. ``output`` picks the renderer for a format.
"""
from __future__ import annotations

FORMATS = ("table", "json", "markdown", "latex", "html", "svg", "png")
EXTENSIONS = {".txt": "table", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".tex": "latex",
              ".html": "html", ".htm": "html", ".svg": "svg", ".png": "png"}
LIMITS = {"table": 1000, "json": 1000, "svg": 1000, "markdown": 200, "html": 200, "png": 200, "latex": 60}
"""The most tokens each format takes: the terminal view and SVG show a window
of a long input, documents show every cell (a 200-token HTML page has about
a million), and a LaTeX table wider than about 60 columns no longer fits a
page legibly."""


def output(trace, form: str, layers, matrices: bool, full: bool, width: int, styled: bool, story: bool = True):
    """The trace in format ``form``: text, bytes (png) or rich Text lines (styled table)."""
    from .. import documents

    if form == "json":
        from . import json as render_json

        return render_json.render(trace, layers, story)
    if form in ("table", "svg"):
        from . import terminal

        fit = documents.whole if full else terminal.fitter(trace, width)
        document = documents.walkthrough(trace, layers, matrices, fit, story)
        notice = None if full else terminal.window_notice(document, width)
        if notice is not None:
            document = document._replace(blocks=document.blocks[:1] + (notice,) + document.blocks[1:])
        if form == "svg":
            from . import svg

            return svg.render(document, width)
        return terminal.styled(document, width) if styled else terminal.plain(document, width)
    if form == "png":
        from . import png

        return png.render(trace, layers, story)
    from importlib import import_module

    module = import_module(f".{form}", __package__)
    return module.render(documents.handout(trace, layers, matrices, story))
