"""The LaTeX handout: a standalone article that pdflatex compiles with
standard packages only (amsmath, booktabs, xcolor with colortbl, graphicx,
geometry; lmodern when installed).

Each table is shaded by value (a single blue hue, darker is larger; the
cells where a head does its job in bold), masked cells are grey with a cross, and
a table wider than the page is scaled down to the page. Every piece of text
is escaped: LaTeX's special characters, the characters that form ligatures
(``--``, ``<<``, ``!``` ...), and any character outside ASCII and Latin-1,
which is written as its code point (``<U+732B>``) so pdflatex never stops on it.
"""
from __future__ import annotations

from ..views import Document, Heading, Math, Paragraph, Table, column_starts, header_lines, row_starts, shade
from .. import text as fmt
from .math import latex as math

_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", '"': r"\textquotedbl{}", "'": r"\textquotesingle{}", "`": r"\textasciigrave{}",
    "-": "{-}", "!": "{!}", "?": "{?}", ",": "{,}", "[": "{[}", "]": "{]}",  # ligatures; \\[ and \midrule[
    # the marks the views use
    "·": r"$\cdot$", "×": r"$\times$", "—": "---", "␣": r"\textvisiblespace{}",
    "…": r"\dots{}", "⋮": r"$\vdots$", "│": r"$|$", "•": r"\textbullet{}",
}


def escape(text: str) -> str:
    out = []
    for c in text:
        if c in _TEXT:
            out.append(_TEXT[c])
        elif " " <= c <= "~" or ("\u00c0" <= c <= "\u00ff" and c not in "\u00d7\u00f7"):
            out.append(c)  # ASCII, and the Latin-1 letters inputenc sets
        else:
            out.append(r"\texttt{\textless{}U+%04X\textgreater{}}" % ord(c))
    return "".join(out)


def inline(parts: tuple) -> str:
    """Text parts: escaped text, formulas as $...$; a newline is a line break."""
    def text(part: str) -> str:
        return "\\\\\n".join(escape(line) for line in part.split("\n"))
    return "".join(f"${math(p.expr)}$" if isinstance(p, Math)
                   else r"\texttt{" + escape(p.text) + "}" if isinstance(p, fmt.Token) else text(p) for p in parts)


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage[a4paper,margin=15mm]{geometry}
\usepackage{amsmath}
\usepackage{booktabs}
\usepackage{graphicx}
\usepackage[table]{xcolor}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\setlength{\tabcolsep}{3pt}
\newcommand{\fitwidth}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{#1}}
\newcommand{\masked}{\cellcolor{black!10}\textcolor{black!45}{$\times$}}
\newcommand{\z}{$\cdot$}
\newcommand{\shade}[2]{\cellcolor{blue!#1}#2}
\newcommand{\dark}[2]{\cellcolor{blue!#1}\color{white}#2}
"""


def _cell(cell, vmax: float) -> str:
    """A cell, through short macros: a d x d matrix has tens of thousands."""
    if cell.masked:
        return r"\masked"
    if cell.text == fmt.ZERO:
        return r"\z"
    if cell.faint:  # a quiet row: grey, unshaded
        return r"\textcolor{black!45}{" + escape(cell.text) + "}"
    text = escape(cell.text)
    if cell.top:
        text = r"\textbf{" + text + "}"
    dark = shade(cell, vmax)
    if dark > 0:
        text = "\\%s{%d}{%s}" % ("dark" if dark > 0.55 else "shade", round(10 + 60 * dark), text)
    return text


def table(block: Table) -> list[str]:
    n_labels = len(block.rows[0].labels)
    data_align = {"right": "r", "center": "c", "left": "l"}[block.align]
    starts, rules = column_starts(block), row_starts(block)
    spec = "l" * n_labels + "".join(("|" if c in starts else "") + data_align for c in range(len(block.columns)))
    lines = [r"\fitwidth{%", r"\begin{tabular}{" + spec + "}", r"\toprule"]
    for corner, columns in header_lines(block):
        cells = [escape(corner)] + [""] * (n_labels - 1) + [escape(text) for text in columns]
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\midrule")
    for r, row in enumerate(block.rows):
        if r in rules:
            lines.append(r"\midrule")
        cells = [escape(label) for label in row.labels] + [_cell(c, block.vmax) for c in row.cells]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}}"]
    return lines


LEGEND = [r"{\small " + escape("Made with induction-demo. · is exactly 0; × is masked (the key is not earlier than "
                                "the query); shading grows with the value (a cell that prints as zero is not "
                                "shaded); [ ] and bold mark where each head does its job, and each prediction; grey "
                                "rows have nothing to copy.") + "}", ""]
"""The legend, under the summary: at the end it could fill a page of its own."""


def render(document: Document) -> str:
    """The article. A table is set with its caption in one unbreakable box,
    and a heading with its first paragraph joins the table that follows them,
    so no page falls between a heading or a caption and its table."""
    out = [PREAMBLE, r"\begin{document}", r"\section*{" + escape(document.title) + "}", ""]
    held: list[str] = []  # a heading (and its first paragraph), waiting for the next table
    for block in document.blocks:
        if isinstance(block, Heading):
            out += held
            held = [r"\subsection*{" + escape(block.text) + "}", ""]
        elif isinstance(block, Paragraph):
            text = [inline(block.text), ""] + (LEGEND if block is document.blocks[0] else [])
            if len(held) == 2:  # the heading's first paragraph
                held += text
            else:
                out += held + text
                held = []
        elif isinstance(block, Table):
            out += [r"\par\medskip\noindent\begin{minipage}{\linewidth}\setlength{\parskip}{4pt}"] + held
            out += [r"\textbf{" + inline(block.title) + r"}\par", r"\noindent"] + table(block)
            out += [r"\end{minipage}\par", ""]
            held = []
    out += held + ["", r"\end{document}"]
    return "\n".join(out) + "\n"
