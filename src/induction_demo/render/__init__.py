"""Renderers: each takes a Trace (or views of it) and formats it; none
computes a number. ``output`` picks the renderer for a format.
"""
from __future__ import annotations

FORMATS = ("table", "json", "markdown", "latex", "html", "svg", "png")
EXTENSIONS = {".txt": "table", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".tex": "latex",
              ".html": "html", ".htm": "html", ".svg": "svg", ".png": "png"}
LIMITS = {"table": 1000, "json": 1000, "svg": 1000, "markdown": 200, "html": 200, "png": 200, "latex": 59}
"""The most tokens each format takes: the terminal view and SVG show a window
of a long input, and documents show every cell (a 200-token HTML page has
about a million)."""
LATEX_MAX_D = 120
"""pdflatex builds each table in memory: a d x d matrix over d = 2(V + N) =
160 directions exceeds TeX's main memory, d = 120 compiles whatever the mix
of V and N (tests/test_formats.py compiles one at the limit)."""


def check_size(form: str, tokens: tuple[str, ...]) -> None:
    """Raise InputError when ``tokens`` are more than format ``form`` takes."""
    from ..errors import InputError

    if len(tokens) > LIMITS[form]:
        raise InputError(f"{len(tokens)} tokens is more than the {LIMITS[form]} the {form} format takes")
    d = 2 * (len(set(tokens)) + len(tokens))
    if form == "latex" and d > LATEX_MAX_D:
        raise InputError(f"a LaTeX handout holds at most d = 2(V + N) = {LATEX_MAX_D} directions and this input "
                         f"has d = {d} (pdflatex runs out of memory): use fewer tokens, or -o FILE.html or .md")


def output(trace, form: str, layers, matrices: bool, full: bool, width: int, styled: bool, story: bool = True):
    """The trace in format ``form``: text, bytes (png) or rich Text lines (styled table)."""
    from .. import documents

    if form == "json":
        from . import json as render_json

        return render_json.render(trace, layers, story)
    if form in ("table", "svg"):
        from . import terminal

        fit = documents.whole if full else terminal.fitter(trace, width)
        document = terminal.with_notice(documents.walkthrough(trace, layers, matrices, fit, story), width)
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
