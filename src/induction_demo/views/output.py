"""One trace in any format: the story told once, the view the format shows,
then its renderer (``render/``).

``produce`` returns text, bytes (png), rich Text lines (the styled terminal
view) or, for JSON, an iterator of text chunks (a 1000-token document is
about 100 MB, written as it is made).
"""
from __future__ import annotations

from importlib import import_module

from . import data, documents
from ..base import inputs
from ..base.errors import InputError
from ..words.story import story as tell
from ..core.trace import Trace
from .tables import priority

EXTENSIONS = {".txt": "table", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".tex": "latex",
              ".html": "html", ".htm": "html", ".svg": "svg", ".png": "png", ".npz": "npz"}


def produce(trace: Trace, form: str, layers=None, matrices: bool = True, full: bool = False, width: int = 120,
            styled: bool = False, story: bool = True, theme: str = "light", slide: bool = False):
    """The trace in format ``form`` (checked against the format's limits)."""
    layers = trace.shown(layers)
    focus = form in ("markdown", "latex", "html") and trace.n > inputs.FOCUS_TOKENS and not full and matrices
    # (a focused handout has no d x d table: no limit on d)
    inputs.format_size(form, trace.tokens, trace.basis.d, d_formula(trace), d_tables=not focus)
    told = tell(trace) if story else None
    if slide:  # one 16:9 picture of the mechanism
        inputs.slide(trace.n)
        if len(trace.layers[-1].heads) > 1:
            raise InputError(f"--slide shows the last layer's one head, and this model's has "
                             f"{len(trace.layers[-1].heads)}: leave --slide out for every head")
        if form == "svg":
            from .render import svg

            return svg.slide(documents.slide(trace, told), theme)
        from .render import png

        return png.slide(documents.slide(trace, told))
    if form == "json":
        from .render import json as render_json

        return render_json.chunks(data.data(trace, told, layers))
    if form in ("table", "svg"):
        from .render import terminal

        fit = documents.whole if full else terminal.fitter(priority(trace), width)
        compact = full and inputs.compact(trace.basis.d)  # every cell, as a handout shows them
        document = documents.walkthrough(trace, told, layers, matrices, fit, compact)
        if form == "svg":  # a picture: no terminal instructions in it (its windows are marked in their titles)
            from .render import svg

            return svg.render(document, width, theme)
        document = terminal.with_notice(document, width)
        return terminal.styled(document, width) if styled else terminal.plain(document, width)
    if form == "png":
        from .render import png

        return png.render(documents.heatmaps(trace, told, layers))
    return handout_text(documents.focused(trace, told, layers) if focus else
                        documents.handout(trace, told, layers, matrices, inputs.HANDOUT_WHOLE_D), form)


def handout_text(document, form: str):
    """A document as Markdown, LaTeX or HTML: the first two as text chunks, written as they are made (a
    200-token HTML page of every matrix is 160 MB), LaTeX as one text (its tables are small: d <= 120)."""
    module = import_module(f".render.{form}", __package__)
    return module.chunks(document) if form in ("html", "markdown") else module.render(document)


def d_formula(trace: Trace) -> str:
    """The trace's d as a formula, for a refusal."""
    from ..words import describe

    return describe.width(trace.construction, trace.words is not None)


def weights(trace: Trace, form: str, full: bool = False, width: int = 120, textbook: bool = False,
            theme: str = "light", screen: bool = False):
    """The weights (``textbook``: as W^Q, W^K, W^V and W^O) in format ``form``:
    JSON text chunks; with ``screen``, the table document itself, for the
    console to style; else rendered (a text table, SVG, Markdown, LaTeX,
    HTML; a handout shows every cell, as --full does)."""
    inputs.format_size(form, trace.tokens, trace.basis.d, d_formula(trace))
    if form == "json":
        from .render import json as render_json

        return render_json.chunks(data.weights_data(trace))
    if form == "npz":  # the model file (modelfile.py)
        from ..core import modelfile

        return modelfile.npz(trace)
    from .render import terminal

    windowed = form in ("table", "svg") and not full
    fit = terminal.fitter(priority(trace), width) if windowed else documents.whole
    # every cell: a handout past d = HANDOUT_WHOLE_D, --full on the screen past COMPACT_D, as nonzero blocks
    compact = not windowed and (trace.basis.d > inputs.HANDOUT_WHOLE_D if form != "table"
                                else inputs.compact(trace.basis.d))
    document = documents.factored(trace, fit) if textbook else documents.weights(trace, fit, compact)
    if form == "table":
        document = terminal.with_notice(document, width, see_all="--full, or write a handout: -o weights.html "
                                                                 "(or .md, .tex)")
        return document if screen else terminal.plain(document, width)
    return rendered(document, form, width, theme)


def circuits(trace: Trace, form: str, full: bool = False, width: int = 120, theme: str = "light"):
    """The circuits document in format ``form`` (its tables are over tokens and positions, not d)."""
    inputs.format_size(form, trace.tokens, trace.basis.d, d_formula(trace), d_tables=False)
    if form == "json":
        from .render import json as render_json

        return render_json.chunks(data.circuits_data(trace))
    if form == "png":
        from ..core.circuits import circuits as build
        from .render import png

        return png.circuits(build(trace), title=documents.title(trace) + " (circuits)")
    fit = _screen_fit(form, trace.n, width) if not full else documents.whole
    return rendered(documents.circuit_document(trace, fit), form, width, theme,
                     notice="--full, or write a document: -o circuits.html (or .md, .tex)")


def beside(trace: Trace, built: Trace, form: str, width: int = 120, theme: str = "light"):
    """A model file's run beside the hand-built model's (show --model FILE --beside)."""
    if form in ("json", "png"):
        raise InputError(f"--beside is a view for the terminal and the handouts, not {form}: use --format table, "
                         "markdown, latex, html or svg")
    inputs.format_size(form, trace.tokens)
    return rendered(documents.beside(trace, built, _screen_fit(form, trace.n, width)), form, width, theme,
                    notice="write a document: -o beside.html (or .md, .tex)")


def positions(traces: list, form: str, width: int = 120, theme: str = "light"):
    """Layer 1 under each position scheme (``traces``, one per scheme) in format ``form``."""
    inputs.format_size(form, traces[0].tokens)
    if form == "json":
        from .render import json as render_json

        return render_json.chunks(data.positions_data(traces))
    if form == "png":
        from .render import png

        return png.render(documents.compared_heatmaps(traces))
    return rendered(documents.compared(traces, _screen_fit(form, traces[0].n, width)), form, width, theme,
                     notice="write a document: -o positions.html (or .md, .tex)")


def _screen_fit(form: str, n: int, width: int):
    """How a table of ``n`` positions is shown: on a screen (table, SVG), a
    window of the first positions that fits ``width``; in a document, whole."""
    if form not in ("table", "svg"):
        return documents.whole
    from .render import terminal

    return terminal.fitter(list(range(n)), width)


def rendered(document, form: str, width: int, theme: str, notice: str | None = None):
    """A document of views as a terminal table (with ``notice``, how to see
    everything, saying that a window shows the first positions), an SVG
    picture or a handout (Markdown, LaTeX, HTML)."""
    if form == "svg":
        from .render import svg

        return svg.render(document, width, theme)
    if form == "table":
        from .render import terminal

        if notice:
            document = terminal.with_notice(document, width, see_all=notice, shows="the first positions")
        return terminal.plain(document, width)
    return handout_text(document, form)
