"""Formulas in the views' plain notation, rewritten for LaTeX, HTML, SVG and matplotlib.

The views write formulas as a reader types them in a terminal:
``a_ij = y_i A_2 y_j^T``, ``Y^(1) = Y^(0) + W^(1) Y^(0) V_1``,
``x_(j-1)``, ``e^-100``, ``sum_(k<i)``. The rules:
- ``_`` then ``(...)``: a subscript without the parentheses; ``_`` then a
  run of letters or digits: that run as the subscript;
- ``^`` then ``(...)``: a superscript with the parentheses (the layer index);
  ``^T``: the transpose; ``^`` then an optional ``-`` and digits: that number;
- ``sum``, ``exp``, ``<=``, ``!=``: the operators;
- ``<a, b>`` (a ``<`` before a letter, closed by ``>``): angle brackets, an inner product;
- ``(+)``: concatenation, the textbook's (seed 003's) circled plus.
Anything else is copied, escaped for the target.
"""
from __future__ import annotations

import html
import re

_SCRIPT = re.compile(r"(?P<op>[_^])(?:\((?P<group>(?:[^()]|\([^()]*\))*)\)|(?P<run>-?[A-Za-z0-9]+))")
_WORDS = {"sum": (r"\sum", "&sum;"), "exp": (r"\exp", "exp"), "<=": (r"\le", "&le;"), "!=": (r"\ne", "&ne;")}
# "<" gets spaces: "k<i" in Markdown could be read as the HTML tag <i>.
_LATEX_SPECIAL = {"{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "~": r"\sim",
                  "\\": r"\backslash", "<": " < "}


def _parts(expr: str):
    """(kind, text) pieces: 'text', 'sub', 'sup' (group keeps its parentheses for ^)."""
    pos = 0
    for m in _SCRIPT.finditer(expr):
        if m.start() > pos:
            yield "text", expr[pos:m.start()]
        if m.group("group") is not None:
            body = m.group("group") if m.group("op") == "_" else f"({m.group('group')})"
        else:
            body = m.group("run")
        yield ("sub" if m.group("op") == "_" else "sup"), body
        pos = m.end()
    if pos < len(expr):
        yield "text", expr[pos:]


def _words(text: str, which: int, escape) -> str:
    out = escape(text)
    for word, forms in _WORDS.items():
        out = out.replace(escape(word), forms[which] + ("" if which else " "))
    return out


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


_WORD_RUN = re.compile(r"\b[A-Za-z]{2,}[0-9]*(?: [A-Za-z]{2,}[0-9]*)*\b")  # words, and names like prev2


def _upright(run: str) -> str:
    """A run of words upright (``\0...\1``), each operator word (``sum``) left out of it."""
    out, words = [], []
    for word in run.split(" ") + [None]:
        if word is None or word in _WORDS:
            if words:
                out.append("\0" + " ".join(words) + "\1")
                words = []
            if word is not None:
                out.append(word)
        else:
            words.append(word)
    return " ".join(out)


def _latex_text(text: str) -> str:
    """Escaped math text; words (``prev tok``) upright, as \\text{...}."""
    out = _WORD_RUN.sub(lambda w: _upright(w.group(0)), text)
    out = _words(out, 0, _latex_escape)
    return out.replace("\0", r"\text{").replace("\1", "}")


_ANGLE = re.compile(r"<(?=[A-Za-z])([^<>=]*)>")
OPEN, CLOSE = "\x02", "\x03"  # an inner product's brackets, while the rest is rewritten
ROOT, UNROOT, TIMES = "\x06", "\x07", "\x08"  # a square root's argument, and a product's x, likewise
CONCAT = "\x0e"  # and a concatenation's (+)
_ROOT = re.compile(r"sqrt\(([^()]*)\)")


def _angles(expr: str) -> str:
    """Inner products, square roots (``sqrt(d_k)``), products of sizes (``d x d_k``; a picture sets a
    formula word by word, so a lone ``x`` too) and concatenations (``(+)``) marked for each target."""
    if expr == "x":
        return TIMES
    expr = _ROOT.sub(lambda m: ROOT + m.group(1) + UNROOT, expr.replace("(+)", CONCAT))
    return _ANGLE.sub(lambda m: OPEN + m.group(1) + CLOSE, expr).replace(" x ", TIMES)


def _marked(out: str, forms: tuple[str, str, str, str, str, str]) -> str:
    """The marks of ``_angles`` as the target writes them: (open, close, root, unroot, times, concat)."""
    for mark, form in zip((OPEN, CLOSE, ROOT, UNROOT, TIMES, CONCAT), forms):
        out = out.replace(mark, form)
    return out


def latex(expr: str) -> str:
    """``a_ij = y_i A_2 y_j^T`` -> ``a_{ij} = y_{i} A_{2} y_{j}^{\\top}`` (inside $...$)."""
    out = []
    for kind, text in _parts(_angles(expr)):
        if kind == "text":
            out.append(_latex_text(text))
        elif kind == "sup" and text == "T":
            out.append(r"^{\top}")
        else:
            out.append(("_" if kind == "sub" else "^") + "{" + _words(text, 0, _latex_escape) + "}")
    return _marked("".join(out).replace(r"\sum ", r"\sum"), (r"\langle ", r"\rangle ", r"\sqrt{", "}", r" \times ",
                                                                   r"\oplus "))


def to_html(expr: str) -> str:
    """``a_ij = y_i A_2 y_j^T`` -> ``a<sub>ij</sub> = ...<sup>T</sup>``, escaped."""
    out = []
    for kind, text in _parts(_angles(expr)):
        body = _words(text, 1, html.escape)
        out.append(body if kind == "text" else f"<{kind}>{body}</{kind}>")
    return _marked("".join(out), ("&lang;", "&rang;", "&radic;(", ")", " &times; ", "&oplus;"))


def to_mathtext(expr: str) -> str:
    """``E A_2 (E V_1)^T`` -> ``$E\\ A_{2}\\ (E\\ V_{1})^{T}$``: matplotlib's mathtext, spaces kept."""
    return "$" + _marked("".join(re.sub(r"\bsum\b", r"\\sum", text).replace(" ", r"\ ") if kind == "text"
                                 else ("_" if kind == "sub" else "^") + "{" + text + "}"
                                 for kind, text in _parts(_angles(expr))),
                         (r"\langle ", r"\rangle ", r"\sqrt{", "}", r"\ \times\ ", r"\oplus")) + "$"


def to_tspans(expr: str) -> tuple[str, float]:
    """A word of a formula as SVG text, its sub- and superscripts as smaller
    tspans shifted down or up; and how many cells that saves against the plain
    notation (each ``_`` or ``^``, a subscript's parentheses, 30% of each
    script character), so the words after it can close up."""
    out, width = [], 0.0
    marks = ("⟨", "⟩", "√(", ")", " × " if expr != "x" else "×", "⊕")
    for kind, text in _parts(_angles(expr)):
        text = re.sub(r"\bsum\b", "Σ", _marked(text, marks))
        if kind == "text":
            out.append(html.escape(text))
            width += len(text)
        else:
            shift = "sub" if kind == "sub" else "super"
            out.append(f'<tspan baseline-shift="{shift}" font-size="70%">{html.escape(text)}</tspan>')
            width += 0.7 * len(text)
    return "".join(out), len(expr) - width
