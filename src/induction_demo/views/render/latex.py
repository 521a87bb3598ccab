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

from math import ceil

from ..views import (Answer, Document, Heading, Math, Paragraph, Table, column_names, column_starts, header_lines,
                     equal_spans, masked_rows, notes_column, plain, range_name, ranges, row_names, row_starts, shade,
                     with_columns)
from ...base import text as fmt
from .math import latex as math

_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", '"': r"\textquotedbl{}", "'": r"\textquotesingle{}", "`": r"\textasciigrave{}",
    "-": "{-}", "!": "{!}", "?": "{?}", ",": "{,}", "[": "{[}", "]": "{]}",  # ligatures; \\[ and \midrule[
    # the marks the views use
    "·": r"$\cdot$", "×": r"$\times$", "—": "---", "␣": r"\textvisiblespace{}",
    "…": r"\dots{}", "⋮": r"\vgap{}", "│": r"$|$", "•": r"\textbullet{}",
    "≈": r"$\approx$", "→": r"$\rightarrow$", "←": r"$\leftarrow$",  # (the story's a_00 ≈ 1 was <U+2248>)
}


def escape(text: str) -> str:
    out = []
    for c in text:
        if c in _TEXT:
            out.append(_TEXT[c])
        elif _sets(c):
            out.append(c)
        else:
            out.append(r"\texttt{\textless{}U+%04X\textgreater{}}\allowbreak{}" % ord(c))  # (a word of them,
            # 40 characters of type, may break in a caption or a title; a table's cell does not)
    return "".join(out)


def _sets(c: str) -> bool:
    """Whether pdflatex sets the character as it is: ASCII, and the Latin-1 letters inputenc sets (any other
    is written as its code point, ``<U+732B>``)."""
    return " " <= c <= "~" or ("\u00c0" <= c <= "\u00ff" and c not in "\u00d7\u00f7")


def _breakable(formula: str) -> str:
    """A formula whose lists may break after a separator outside braces (not in a subscript): a stream's
    subspaces, "[tok(x_i) | pos(i) | ...]", 16 under --context 4 --skip 16, and a sinusoidal code's
    entries, "[sin w_1 p, cos w_1 p, ...]", which ran 70 pt past the margin under --context 2."""
    out, depth = [], 0
    for k, c in enumerate(formula):
        depth += (c == "{") - (c == "}")
        out.append(c)
        if depth == 0 and c == " " and formula[k - 1:k] in (",", "|"):
            out.append(r"\allowbreak ")
    return "".join(out)


def inline(parts: tuple) -> str:
    """Text parts: escaped text, formulas as $...$; a newline is a line break."""
    def text(part: str) -> str:
        return "\\\\\n".join(escape(line) for line in part.split("\n"))
    return "".join("$" + _breakable(math(p.expr)) + "$" if isinstance(p, Math)
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
\setlength{\emergencystretch}{3em}  % a long formula moves to the next line rather than past the margin
\usepackage{pdflscape}
% A table wider than the line shrinks to it, and says so in the log (tests/test_formats.py reads it).
% Each says the size it set the table at, in percent, in \tablescale (\fitrest reads it).
\newcount\tablescale
\newcommand{\fitwidth}[1]{\sbox0{#1}\ifdim\wd0>\linewidth
  \global\tablescale=\numexpr\linewidth/(\wd0/100)\relax
  \typeout{induction-demo: a table set at \the\tablescale\space percent}%
  \resizebox{\linewidth}{!}{\usebox0}\else\global\tablescale=100 \usebox0\fi}
% A turned page's table shrinks to the line and to the height it is given (#1), and says so too.
\newsavebox{\fitted}\newsavebox{\shrunk}\newlength{\fullwidth}  % (graphicx's \resizebox uses box 0)
\newcommand{\fitpage}[2]{\sbox{\fitted}{#2}\setlength{\fullwidth}{\wd\fitted}%
  \ifdim\wd\fitted>\linewidth\sbox{\shrunk}{\resizebox{\linewidth}{!}{\usebox{\fitted}}}%
  \sbox{\fitted}{\usebox{\shrunk}}\fi
  \ifdim\dimexpr\ht\fitted+\dp\fitted\relax>#1\sbox{\shrunk}{\resizebox*{!}{#1}{\usebox{\fitted}}}%
  \sbox{\fitted}{\usebox{\shrunk}}\fi
  \global\tablescale=100 \ifdim\wd\fitted<\fullwidth\global\tablescale=\numexpr\wd\fitted/(\fullwidth/100)\relax
  \typeout{induction-demo: a table set at \the\tablescale\space percent}\fi\usebox{\fitted}}
% What is left of the page is measured after the page builder has seen all that came before: a table just
% set that ran past the page's foot is still counted on it until a break is offered (\pagetotal past
% \pagegoal: the story after a table's last range went to the turned page, its page half empty).
\newcommand{\measured}{\par\penalty0 }
% An upright table just before turned pages goes on the first of them when it would start a page alone
% (it does not fit on this one, or this one is empty); one just after them, with the text before it, stays
% on the last when they fit there. Each is set in the orientation it is placed in (#1 again when it moves:
% its text then breaks across pages as any text). It fits with the last line's depth and the glue above it
% (the last paragraph of a story, measured without them, went to a page of its own).
\newsavebox{\pending}
\newcommand{\roomfor}[1]{\measured\sbox{\pending}{\begin{minipage}{\linewidth}\setlength{\parskip}{4pt}#1\end{minipage}}%
  \def\fits{1}\ifdim\pagegoal=\maxdimen\def\fits{0}\else
  \ifdim\dimexpr\pagegoal-\pagetotal-\pagedepth-\parskip-\lineskip\relax<\dimexpr\ht\pending+\dp\pending\relax
  \def\fits{0}\fi\fi}
\newcommand{\beforeturned}[1]{\roomfor{#1}\if1\fits\def\next{\noindent\usebox{\pending}\par\begin{landscape}}%
  \else\def\next{\begin{landscape}\noindent#1\par}\fi\next}
\newcommand{\afterturned}[1]{\roomfor{#1}\if1\fits\def\next{\noindent\usebox{\pending}\par\end{landscape}}%
  \else\def\next{\end{landscape}\noindent#1\par}\fi\next}
% A table that does not fit in what is left of its page shrinks to fit there, caption and all, when that sets
% it at 7 pt or more (else it starts the next page, as it was): an upright one set at 10 pt, or the first on a
% turned page below text that went there (\leadpar).
% (\restfit{limit}{table}: so, where the page holds less than limit; the size it set, in \restscale, or 0)
\newcount\restscale
\newcommand{\restfit}[2]{\measured\sbox{\pending}{#2}\global\restscale=0
  \dimen0=\dimexpr\pagegoal-\pagetotal-\parskip\relax
  \ifdim\pagegoal<\maxdimen\ifdim\pagetotal<#1\ifdim\dimexpr\ht\pending+\dp\pending\relax>\dimen0
  \ifdim\dimexpr(\ht\pending+\dp\pending)*70/\tablescale\relax<\dimen0
  \global\restscale=\numexpr\tablescale*\dimen0/(\ht\pending+\dp\pending)\relax
  \typeout{induction-demo: a table set at \the\restscale\space percent}%
  \sbox{\pending}{\resizebox*{!}{\dimen0}{\usebox{\pending}}}\fi\fi\fi\fi\noindent\usebox{\pending}}
\newcommand{\fitrest}[1]{\restfit{\maxdimen}{#1}}
% A paragraph of the text before a turned table: on this page while it fits, else it and the rest go on the
% turned page, before the table (two lines of the story stood alone on an upright page, 8% full).
\newif\ifledturned
\newcommand{\leadpar}[1]{\ifledturned\def\next{\noindent#1\par}\else\roomfor{#1}\if1\fits
  \def\next{\noindent\usebox{\pending}\par}\else\def\next{\begin{landscape}\global\ledturnedtrue\noindent#1\par}%
  \fi\fi\next}
\newcommand{\turnhere}{\ifledturned\global\ledturnedfalse\else\begin{landscape}\fi}
% The last range of a table set in ranges one under another, with text (#1 tall) after it that cannot go on
% the turned page that follows: where the range fits on this page but the text after it does not, it starts
% the next page, with the text, when this page is 40% full without it (the text stood alone, 23% full).
\newcommand{\keepwith}[2]{\measured\sbox{\pending}{#2}\dimen0=\dimexpr\pagegoal-\pagetotal\relax
  \ifdim\pagegoal<\maxdimen\ifdim\dimexpr\ht\pending+\dp\pending\relax<\dimen0
  \ifdim\dimexpr\ht\pending+\dp\pending+#1\relax>\dimen0\ifdim\pagetotal>0.4\textheight
  \newpage\fi\fi\fi\fi\noindent\usebox{\pending}}
% The first range of a table set in ranges one under another (a flow of them), after text on a page it would
% leave under 40% full: \fitrest's rule (shrunk to the room left, where that keeps 7 pt or more), and the
% ranges after it in the flow at the size it set (\flowed); else as planned (a circuits handout of 45
% tokens left its opening alone on a page, 33% full).
\newcount\flowscale\flowscale=100 \newsavebox{\flowbox}
\newcommand{\flowfirst}[1]{\restfit{0.4\textheight}{#1}%
  \ifnum\restscale>0 \global\flowscale=\restscale\else\global\flowscale=100 \fi}
\newcommand{\flowed}[1]{\sbox{\flowbox}{#1}\ifnum\tablescale>\flowscale
  \typeout{induction-demo: a table set at \the\flowscale\space percent}%
  \sbox{\flowbox}{\resizebox*{!}{\dimexpr(\ht\flowbox+\dp\flowbox)*\flowscale/\tablescale\relax}{\usebox{\flowbox}}}\fi
  \noindent\usebox{\flowbox}}
% The last two ranges of a flow, a turned page after them: where the last would start a page alone (nothing
% can join it there) and this page, 40% full without them, cannot hold both, both start the next page, which
% holds them (the last 12 rows of 45 tokens' weights stood alone, 25% full; the page count is the same).
\newsavebox{\widowbox}
\newcommand{\widowless}[2]{\measured\sbox{\pending}{#1}\sbox{\widowbox}{#2}%
  \dimen0=\dimexpr\ht\pending+\dp\pending+\ht\widowbox+\dp\widowbox+\medskipamount+2\parskip\relax
  \ifdim\pagegoal<\maxdimen\ifdim\dimen0>\dimexpr\pagegoal-\pagetotal\relax\ifdim\dimen0<\textheight
  \ifdim\pagetotal>0.4\textheight\newpage\fi\fi\fi\fi
  \noindent\usebox{\pending}\par\medskip\noindent\usebox{\widowbox}}
\newcommand{\masked}{\cellcolor{black!10}\textcolor{black!45}{$\times$}}
\newcommand{\z}{$\cdot$}
% A vertical ellipsis no taller than a line: $\vdots$ (its dots 4 pt apart over a 6 pt kern) made a row of them
% 18.7 pt tall, not 12, and a table planned for 7.5 pt was set at 68%.
\newcommand{\vgap}{\vbox{\baselineskip=3pt\lineskiplimit=0pt\hbox{.}\hbox{.}\hbox{.}}}
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
    if cell.top:  # bold; its brackets stand in the cell's padding, so a column is no wider for them
        text = r"\llap{[}\textbf{" + escape(cell.text[1:-1]) + r"}\rlap{]}" if _hung(cell.text) \
            else r"\textbf{" + text + "}"
    dark = shade(cell, vmax)
    if dark > 0:
        text = "\\%s{%d}{%s}" % ("dark" if dark > 0.55 else "shade", round(10 + 60 * dark), text)
    return text


# Widths at 10 pt Latin Modern, in points: what a cell's text is made of (the rest about 5.5).
CHAR_PT = {**dict.fromkeys("0123456789abcdeghknopqsuvxyz", 5.0), ".": 2.8, ",": 2.8, "[": 2.8, "]": 2.8,
           "@": 9.2, "·": 7.8, "×": 7.8, "≈": 7.8, "→": 10.0, "←": 10.0, "—": 10.0, " ": 3.3, "i": 2.8, "l": 2.8,
           "j": 3.1, "f": 3.1, "t": 3.9, "r": 3.9, "m": 8.3, "w": 7.2, "…": 13.3, "⋮": 2.8, "\\": 5.0}
CODE_PT = 5.25  # a character of a code point, <U+732B>, in typewriter type
CELL_PT, ROW_PT = 6.0, 12.0  # a cell's padding, a row's height
RULES_PT = 16.0  # a table's three rules (booktabs' top, mid and bottom) with the space around them
PORTRAIT_PT, LANDSCAPE_PT = 510.0, 757.0  # A4's text width with 15 mm margins, upright and turned
LANDSCAPE_HEIGHT_PT = 430.0  # a turned page's height for a table, its caption above it
UPRIGHT_TEXT_PT = 757.0  # an upright page's text height (A4's less 15 mm margins)
UPRIGHT_HEIGHT_PT = 620.0  # ... for a table's rows, with a caption and a heading above
HELD_PT = 60.0  # what a heading and its paragraph take above a turned page's table
SMALLEST = 0.7  # no table is set smaller than 7 pt ...
PLANNED = 0.75  # ... so ranges of columns are planned for 7.5 pt: the widths above are estimates (rows, at 7)
PLANNED_STACKED = 0.72  # ... and for 7.2 pt one under another (the estimates are within 2%; rows, at 7)


def _hung(text: str) -> bool:
    """Whether a cell's text is a number marked with brackets, which hang into its padding."""
    return len(text) > 2 and text[0] == "[" and text[-1] == "]"


def _cell_pt(cell) -> float:
    """About how wide a data cell's text is set, at 10 pt: bold is wider, and hung brackets take no room."""
    text = cell.text[1:-1] if cell.top and _hung(cell.text) else cell.text
    return _text_pt(text) * (1.15 if cell.top else 1.0)


def _width_pt(block: Table) -> float:
    """About how wide a table is set at 10 pt."""
    labels, columns = _widths(block)
    return labels + sum(columns)


def _text_pt(text: str) -> float:
    return sum(CHAR_PT.get(c, 5.5) if c in CHAR_PT or _sets(c) else CODE_PT * len("<U+%04X>" % ord(c))
               for c in text)


def _widths(block: Table) -> tuple[float, list[float]]:
    """About how wide, in points at 10 pt, the label columns and each data column are set."""
    n_labels = len(block.rows[0].labels) if block.rows else 0
    corner = max([_text_pt(text) for text in block.corner], default=0.0)  # "query \ key", over the labels
    labels = sum(max([_text_pt(r.labels[k]) for r in block.rows], default=0) + CELL_PT for k in range(n_labels))
    labels = max(labels, corner + CELL_PT)
    columns = [max([_text_pt(h) for h in col] + [_cell_pt(r.cells[c]) for r in block.rows]) + CELL_PT
               for c, col in enumerate(block.columns)]
    return labels, columns


def pieces(block: Table, room: float = LANDSCAPE_HEIGHT_PT) -> list[tuple[Table, bool]]:
    """The table as it is printed: whole and upright when it fits at 7.2 pt
    or more (in ranges of rows when it is taller than a page); else cut into
    ranges of columns (and of rows, for a tall one, in ranges of about equal
    size), every cell kept, either each range on a landscape page or the
    ranges one under another on upright pages, whichever takes fewer pages
    (the ranges of a 35 x 35 table took a turned page each; upright, two
    stand on one page), shrunk to the page's height where they must be. Each
    piece says which rows and columns it holds, by their @ labels where they
    have them. ``room``: a turned page's height for the rows, less where a
    heading and its paragraph stand above the table (45 rows under one were
    set at 64%, below the 7 pt floor)."""
    upright = _cut(block, False, UPRIGHT_HEIGHT_PT)
    if len({piece.columns for piece, _ in upright}) == 1:  # no wider than an upright page at 7.2 pt
        return upright
    turned = _cut(block, True, room)
    held = room < LANDSCAPE_HEIGHT_PT  # a heading and its paragraph above it
    fills = _fills(turned)
    fewer = _stacked_pages(upright, held) < len(fills) - 1 + fills[-1]
    return upright if fewer else turned


STACKED_PT = 14.0  # the space above a range of a table set under another (\par\medskip and the caption's \par)
TIGHT = 0.9  # ranges one under another are set with rows this much of a line apart (\arraystretch)


def _stack(cut: list[tuple[Table, bool]], held: bool = False) -> list[tuple[int, float]]:
    """Ranges of a table one under another on upright pages: for each, the
    page it goes on (counted from its first) and the height, in points, its
    rows are given there. The ranges are put on a page while they fit at
    7 pt, rows ``TIGHT`` apart (a 40 x 40 table's two ranges, on two turned
    pages, fit on one), and all are set at one size, the largest at which
    each page's fit: so ranges that follow text, and start a page later
    than planned, still stand as many to a page. ``held``: a heading and
    its paragraph stand above the first."""
    pages, left = [], 0.0  # each page: [(range, its rows' height at 7 pt, its caption's)]
    for k, (piece, _) in enumerate(cut):
        tall = _tall_pt(piece, TIGHT) * SMALLEST
        caption = _caption_pt(piece, PORTRAIT_PT) + STACKED_PT + (HELD_PT if held and not k else 0.0)
        if not pages or tall + caption > left:
            pages.append([])
            left = UPRIGHT_TEXT_PT
        pages[-1].append((k, tall, caption))
        left -= tall + caption
    scale = min((UPRIGHT_TEXT_PT - sum(c for _, _, c in page)) / sum(t for _, t, _ in page) for page in pages)
    return [(p, tall * scale) for p, page in enumerate(pages) for _, tall, _ in page]


def _stacked_pages(cut: list[tuple[Table, bool]], held: bool = False) -> float:
    """About how many upright pages ranges one under another take (``_stack``), the last as the share of it
    they fill; ``held``: a heading and its paragraph stand above the first."""
    plan = _stack(cut, held)
    last = [min(height, _set_pt(piece, PORTRAIT_PT, TIGHT, False)) + _caption_pt(piece, PORTRAIT_PT) + STACKED_PT
            for (piece, _), (p, height) in zip(cut, plan) if p == plan[-1][0]]
    return plan[-1][0] + sum(last) / UPRIGHT_TEXT_PT


def _cut(block: Table, turned: bool, height: float) -> list[tuple[Table, bool]]:
    """The table in ranges of columns as wide as a turned page's line at 7.5 pt (an upright one's at 7.2:
    ``PLANNED_STACKED``), and of rows no taller than ``height`` points at 7."""
    labels, columns = _widths(block)
    margin = notes_column(block)  # a margin of notes stays beside its rows: it goes with every range
    data = len(columns) - margin
    line = LANDSCAPE_PT / PLANNED if turned else PORTRAIT_PT / PLANNED_STACKED
    spans = equal_spans(columns[:data], line - labels - (columns[-1] if margin else 0.0)) \
        if _width_pt(block) > PORTRAIT_PT / PLANNED else [(0, data)]
    out = []
    keep = list(range(data, len(columns)))  # the margin's column, in every piece
    most = int((height / SMALLEST - RULES_PT) / ROW_PT) - len(header_lines(block))  # rows at 7 pt: heights are
    for a, b in spans:                                                              # measured, not estimated
        cols = list(range(a, b)) + keep
        first = masked_rows(block, a, b)  # (a focused handout's rows @4 to @29 against columns @26 to @51 was
        # a page of 3 kept cells among the x)
        if out and first == len(block.rows):  # a range of keys no query keeps (the last, narrow upright): named
            piece, where = out[-1]               # in the caption before it, not set (it was a table of no rows)
            name = range_name(column_names(block), a, b, data)
            last = f"column {name.split(' to ')[0]}" if b - a == 1 else f"columns {name}"
            last += ": every cell masked, left out"
            out[-1] = (piece._replace(title=piece.title[:-1] + (piece.title[-1][:-1] + f"; {last}]",)), where)
            continue
        rows = [(first + r0, first + r1) for r0, r1 in ranges(len(block.rows) - first, most)]
        if len(spans) == 1 and len(rows) == 1:
            return [(block, turned)]
        kept, masked = [], [f"rows {range_name(row_names(block), 0, first, len(block.rows))}"] if first else []
        for r0, r1 in rows:
            piece = with_columns(block._replace(rows=block.rows[r0:r1]), cols)
            if len(rows) > 1 and all(c.masked for row in piece.rows for c in row.cells[:b - a]):
                masked.append(f"rows {range_name(row_names(block), r0, r1, len(block.rows))}")
                continue
            where = [f"columns {range_name(column_names(block), a, b, data)}"] \
                if len(spans) > 1 else []
            where += [f"rows {range_name(row_names(block), r0, r1, len(block.rows))}"] \
                if len(rows) > 1 or first else []
            kept.append((piece, where))
        for piece, where in kept:
            left = [f"{', '.join(masked)}: every cell masked, left out"] if masked else []
            out.append((piece._replace(title=block.title + (" [" + "; ".join(where + left) + "]",)), turned))
    return out


def captioned(block: Table, height: float | None = None, tight: bool = False) -> list[str]:
    """The table under its caption (``table``)."""
    return [r"\textbf{" + inline(block.title) + r"}\par", r"\noindent"] + table(block, height, tight)


def table(block: Table, height: float | None = None, tight: bool = False) -> list[str]:
    """The table's tabular, shrunk to the line (and to ``height`` points where it is given); ``tight``: its
    rows ``TIGHT`` apart."""
    n_labels = len(block.rows[0].labels)
    data_align = {"right": "r", "center": "c", "left": "l"}[block.align]
    starts, rules = column_starts(block), row_starts(block)
    spec = "l" * n_labels + "".join(("|" if c in starts else "") + data_align for c in range(len(block.columns)))
    fit = r"\fitwidth{%" if height is None else r"\fitpage{%dpt}{%%" % height
    lines = [fit] + ([r"\renewcommand{\arraystretch}{%s}%%" % TIGHT] if tight else []) + [
        r"\begin{tabular}{" + spec + "}", r"\toprule"]
    for corner, columns in header_lines(block):
        cells = ([r"\multicolumn{%d}{l}{%s}" % (n_labels, escape(corner))] if n_labels > 1 and corner
                 else [escape(corner)] + [""] * (n_labels - 1)) + [escape(text) for text in columns]
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\midrule")
    for r, row in enumerate(block.rows):
        if r in rules:
            lines.append(r"\midrule")
        cells = [escape(label) for label in row.labels] + [_cell(c, block.vmax) for c in row.cells]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}}"]
    return lines


LEGEND_TEXT = ("Made with induction-demo. · is exactly 0; × is masked (the key is not earlier than the query); "
               "shading grows with the value (a cell that prints as zero is not shaded); [ ] and bold mark where "
               "each head does its job, and each prediction; grey rows have nothing to copy.")
LEGEND = [r"{\small " + escape(LEGEND_TEXT) + "}", ""]
"""The legend, under the summary: at the end it could fill a page of its own."""

TURNED_TEXT_PT = 510.0  # a turned page's text height (A4's width less 15 mm margins), its line LANDSCAPE_PT


def _lines_pt(text: str, size: float, line: float, width: float = LANDSCAPE_PT) -> float:
    """About how tall ``text`` is set on a line ``width`` points wide (a turned page's) at ``size`` times the
    body's type, ``line`` points a line (a newline starts a line)."""
    return sum(max(1, ceil(_text_pt(part) * size / width)) for part in text.split("\n")) * line


def _opening_pt(document: Document, first: int, width: float = LANDSCAPE_PT) -> float | None:
    """About how tall the title and the text before block ``first`` are set on lines ``width`` points wide.
    None: more than text stands before it."""
    tall = 30.0 + _lines_pt(document.title, 1.6, 18.0, width)  # the title, \Large bold, with the space around it
    for block in document.blocks[:first]:
        if isinstance(block, Heading):
            tall += 26.0
        elif isinstance(block, Paragraph):
            tall += _lines_pt(plain(block.text), 1.0, 12.0, width) + 4.0
            if block is document.blocks[0] and document.legend:
                tall += _lines_pt(LEGEND_TEXT, 0.9, 11.0, width) + 4.0
        else:
            return None
    return tall


def _opening(document: Document, cut: dict) -> tuple[int, float] | None:
    """The first table and the height, in points, left for its first piece
    on its turned page below the title and the text before it (and its
    caption). None: that table is not turned, or more than text stands
    before it."""
    first = next((k for k, b in enumerate(document.blocks) if isinstance(b, Table)), None)
    if first is None or not cut[first][0][1] or (tall := _opening_pt(document, first)) is None:
        return None
    return first, TURNED_TEXT_PT - 20.0 - tall - 10.0 - _caption_pt(cut[first][0][0])


def _opens_turned(document: Document, cut: dict) -> float | None:
    """The height, in points, that the first table's first piece is given on
    its turned page when the title and the text before it go there too: when
    that table is turned and they fit on its page with it, the table shrunk to
    the room left but to no less than 7 pt (else the opening would take an
    upright page alone: `positions` on 24 tokens printed a first page 19%
    full). None: they do not."""
    found = _opening(document, cut)
    if found is None:
        return None
    first, room = found
    return min(room, LANDSCAPE_HEIGHT_PT) if room >= _tall_pt(cut[first][0][0]) * SMALLEST else None


def _cut_to_open(document: Document, cut: dict) -> dict:
    """``cut``, with the first table's first range of columns cut into
    ranges of rows the first of which fits below the title and the text
    before it, where it does not whole, the title and that text would fill
    less than about 40% of a page of their own, and each range after the
    first fills more of its page than they would: `positions` on 40 tokens
    of eight printed a first page 16% full, the title and its paragraph
    alone (where 12 rows of 24 would fill a page as little, it stays). Its
    other ranges of columns stay as they were."""
    found = _opening(document, cut)
    if found is None or _opens_turned(document, cut) is not None:
        return cut
    first, room = found
    alone = _opening_pt(document, first, PORTRAIT_PT) / UPRIGHT_TEXT_PT
    if alone >= 0.45 or room < 0.3 * LANDSCAPE_HEIGHT_PT:  # (an estimate, about 0.05 over what pdflatex sets;
        return cut                                           # and ranges of a few rows each are no better)
    was = cut[first]
    now = [p for p in _cut(document.blocks[first], True, room - 14.0) if p[0].columns == was[0][0].columns]
    recut = {**cut, first: now + [p for p in was if p[0].columns != was[0][0].columns]}
    if _opens_turned(document, recut) is None or min(_fills(now[1:]), default=0.0) <= alone:
        return cut
    return recut


def _fills(turned: list[tuple[Table, bool]]) -> list[float]:
    """About how full (a share of the page) each turned page is that the pieces take, set one after
    another while they fit."""
    fills, page = [], TURNED_TEXT_PT - 20.0
    for piece, _ in turned:
        tall = (_set_pt(piece) + 10.0) / page
        if not fills or fills[-1] + tall > 1.0:
            fills.append(0.0)
        fills[-1] += tall
    return fills


def _set_pt(piece: Table, line: float = LANDSCAPE_PT, stretch: float = 1.0, caption: bool = True) -> float:
    """About how tall a table is set on a line ``line`` points wide (a turned page's), its caption with it
    (unless not ``caption``): at 10 pt, or smaller if it is wider than the line; rows ``stretch`` apart."""
    return _tall_pt(piece, stretch) * min(1.0, line / _width_pt(piece)) + (_caption_pt(piece, line) if caption else 0.0)


def _caption_pt(piece: Table, line: float = LANDSCAPE_PT) -> float:
    """About how tall a table's caption is set on a line ``line`` points wide."""
    return _lines_pt(plain(piece.title), 1.1, 12.0, line)


def _tall_pt(piece: Table, stretch: float = 1.0) -> float:
    """How tall a table is set at 10 pt: its header and rows, 12 pt a line (times ``stretch``), and its
    rules."""
    return (len(piece.rows) + len(header_lines(piece))) * ROW_PT * stretch + RULES_PT


def _flowing(cut: dict, held_before: set[int], beside: set[int]) -> dict[int, list[float]]:
    """For each table whose ranges stand one under another (``_stack``), the
    height each range is given. Such tables that follow one another with
    nothing between them are planned as one flow: a table's first ranges
    fill the page the table before it left half empty (the 40-token
    handout's layer-2 logits ended on a page of their own, 48% full, and
    the masked attention began the next), all of them at one size."""
    runs: list[list[int]] = []
    for k in sorted(cut):
        if len(cut[k]) < 2 or cut[k][0][1] or k in beside or k - 1 in beside:
            continue
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    out = {}
    for run in runs:
        heights = [height for _, height in _stack([p for k in run for p in cut[k]], run[0] in held_before)]
        for k in run:
            out[k], heights = heights[:len(cut[k])], heights[len(cut[k]):]
    return out


BESIDE_PT = 16.0  # the space between two tables side by side


def _table_ahead(document: Document, cut: dict, k: int) -> int | None:
    """The table that the text from block k on leads to, if only text stands before it."""
    for j in range(k, len(document.blocks)):
        if j in cut:
            return j
        if not isinstance(document.blocks[j], (Heading, Paragraph)):
            return None
    return None


def _lead(document: Document, first: int, cut: dict) -> tuple[list, int] | None:
    """The text from block ``first`` on, when it leads to a turned table, and that table: the text less the
    table's heading and the paragraph after it (they go in its box); else None."""
    j = _table_ahead(document, cut, first)
    if j is None or not cut[j][0][1] or j == first:
        return None
    blocks = list(document.blocks[first:j])
    if isinstance(blocks[-1], Heading):
        blocks = blocks[:-1]
    elif len(blocks) > 1 and isinstance(blocks[-2], Heading):
        blocks = blocks[:-2]
    return (blocks, j) if blocks else None


HEADING_SPACE = r"\vspace{3.25ex}"  # a subsection's space above it, which it leaves out at the top of a minipage


def _lead_paragraphs(lines: list[str]) -> list[str]:
    """Text's lines (a paragraph or a heading each, blank lines between), each paragraph put where it fits
    (``\\leadpar``): a heading goes with the paragraph after it (alone, it could end a page)."""
    out, heading = [], None
    for line in lines:
        if not line:
            out.append(line)
        elif line.startswith(r"\subsection*"):
            if heading is not None:
                out += [heading, ""]
            heading = line
        else:
            out.append(r"\leadpar{%s}" % (line if heading is None else HEADING_SPACE + heading + "\n\n" + line))
            heading = None
    return out + ([heading] if heading is not None else [])


def _below(text: list, held: bool, piece: Table) -> float | None:
    """The height a turned table's first piece is given below ``text`` on its page (``held``: under its
    heading and paragraph too), where it is set there at 7 pt or more; else None."""
    room = TURNED_TEXT_PT - 30.0 - _text_blocks_pt(text) - (HELD_PT if held else 0.0) - _caption_pt(piece)
    return room if room >= _tall_pt(piece) * SMALLEST else None


def _text_blocks_pt(blocks: list, width: float = LANDSCAPE_PT) -> float:
    """About how tall headings and paragraphs are set on a line ``width`` points wide (a turned page's)."""
    return sum(26.0 if isinstance(b, Heading) else _lines_pt(plain(b.text), 1.0, 12.0, width) + 4.0 for b in blocks)


def _beside(document: Document, cut: dict) -> set[int]:
    """The tables set side by side with the table after them: two narrow
    tables, one after the other, of the same rows (the predictions and the
    next-token probabilities), each whole and upright, that fit on one line
    at 10 pt: each row then reads across both."""
    blocks = document.blocks
    return {k for k in range(len(blocks) - 1)
            if isinstance(blocks[k], Table) and isinstance(blocks[k + 1], Table)
            and len(cut[k]) == len(cut[k + 1]) == 1 and not cut[k][0][1] and not cut[k + 1][0][1]
            and [r.labels for r in blocks[k].rows] == [r.labels for r in blocks[k + 1].rows]
            and len(header_lines(blocks[k])) == len(header_lines(blocks[k + 1]))
            and _width_pt(blocks[k]) + _width_pt(blocks[k + 1]) <= PORTRAIT_PT - BESIDE_PT
            and _tall_pt(blocks[k]) <= UPRIGHT_HEIGHT_PT}


def render(document: Document) -> str:
    """The article. A table is set with its caption in one unbreakable box,
    and a heading with its first paragraph joins the table that follows them,
    so no page falls between a heading or a caption and its table. Tables on
    turned pages follow one another on the same page while they fit (a wide
    table of few rows takes a part of a page, not a page); an upright table
    next to them joins their pages where it would otherwise stand on a page
    of its own (pdflatex decides, by the room left: \\beforeturned,
    \\afterturned)."""
    blocks = document.blocks
    held_before = {k for k, b in enumerate(blocks) if isinstance(b, Table) and (  # a heading waits for it
        k >= 1 and isinstance(blocks[k - 1], Heading)
        or k >= 2 and isinstance(blocks[k - 1], Paragraph) and isinstance(blocks[k - 2], Heading))}
    cut = _cut_to_open(document, {k: pieces(b, LANDSCAPE_HEIGHT_PT - (HELD_PT if k in held_before else 0.0))
                                  for k, b in enumerate(blocks) if isinstance(b, Table)})
    opening = _opens_turned(document, cut)  # the height the first table is given below the title, or None
    turned_pages = opening is not None  # inside a landscape environment, its pages turned
    out = [PREAMBLE, r"\begin{document}"] + ([r"\begin{landscape}"] if turned_pages else []) + [
        r"\section*{" + escape(document.title) + "}", ""]
    held: list[str] = []  # a heading (and its first paragraph), waiting for the next table
    beside, paired = _beside(document, cut), set()  # tables that may stand beside the next; those that do
    stacked = _flowing(cut, held_before, beside)  # each range's height, where ranges stand one under another
    unit: int | None = None  # where the text after turned pages begins that goes with the upright table after it
    lead: int | None = None  # where upright text begins (in ``out``) that leads to a turned table

    def upright() -> None:
        nonlocal turned_pages
        if turned_pages:
            out.extend([r"\end{landscape}", ""])
            turned_pages = False

    def turned_ahead(k: int) -> bool:
        """Whether the text from block k on leads to a table on a turned page."""
        j = _table_ahead(document, cut, k)
        return j is not None and cut[j][0][1]

    def turned_soon(k: int) -> bool:
        """Whether upright table k, and any after it before a turned table with only text between them, may
        stand on turned pages: all of them, whole, fit on one at 7 pt (two 6-row tables between turned ones
        each took an upright page 38% full; three OV circuits of 13 rows filled an upright page, and would
        take two turned ones)."""
        room = TURNED_TEXT_PT - 30.0
        for j in range(k, len(blocks)):
            if isinstance(blocks[j], (Heading, Paragraph)):
                continue
            if j not in cut or j in beside or j - 1 in beside:
                return False
            if cut[j][0][1]:
                return True
            room -= _tall_pt(blocks[j]) * SMALLEST + _caption_pt(blocks[j]) + 10.0
            if len(cut[j]) > 1 or room < 0:
                return False
        return False

    def place(k: int) -> None:
        """Text between turned tables stays on their turned page; text after them that leads to an upright
        table goes with it (see \\afterturned); else it is upright."""
        nonlocal unit, lead
        if turned_pages and _table_ahead(document, cut, k) is not None:
            if not turned_ahead(k) and unit is None:
                unit = len(out)
        else:
            upright()
            if turned_ahead(k):
                lead = len(out) if lead is None else lead
    for k, block in enumerate(document.blocks):
        if isinstance(block, Heading):
            place(k)
            out += held
            held = [r"\subsection*{" + escape(block.text) + "}", ""]
        elif isinstance(block, Paragraph):
            place(k)
            text = [inline(block.text), ""] + (LEGEND if block is document.blocks[0] and document.legend else [])
            if len(held) == 2:  # the heading's first paragraph
                held += text
            else:
                out += held + text
                held = []
        elif isinstance(block, Answer):  # ruled lines to write on, on one page with the question above them
            upright()
            last = held if held else out  # the question: the paragraph just written (or held with its heading)
            question = last.pop(-2) if len(last) >= 2 and last[-1] == "" else ""
            if question:
                last.pop()
            rules = "".join(r"\rule{0pt}{2.2em}\hrulefill\par\noindent" for _ in range(block.lines))
            out += held + [r"\par\noindent\begin{minipage}{\linewidth}" + question + r"\par\noindent" + rules
                           + r"\end{minipage}\par\medskip", ""]
            held = []
        elif isinstance(block, Table) and k - 1 in paired:
            continue  # set beside the table before it
        elif isinstance(block, Table) and k in beside and not turned_pages:
            paired.add(k)
            other = document.blocks[k + 1]
            share = (PORTRAIT_PT - BESIDE_PT) / (_width_pt(block) + _width_pt(other))
            box = [r"\begin{minipage}{\linewidth}\setlength{\parskip}{4pt}"] + held
            for t, end in ((block, r"\hfill"), (other, "")):
                box += [r"\begin{minipage}[b]{%dpt}\setlength{\parskip}{4pt}" % (_width_pt(t) * share)] \
                    + captioned(t) + [r"\end{minipage}" + end]
            held = []
            out += [r"\par\medskip\noindent\fitrest{%"] + box + [r"\end{minipage}}\par", ""]
        elif isinstance(block, Table):
            leading = lead is not None and cut[k][0][1] and not turned_pages
            if leading:  # text before a turned table, after upright pages (not the opening's: _opens_turned):
                # each paragraph on this page while it fits, the rest on the turned page (\leadpar), the table
                # shrunk to the room left there where that sets it at 7 pt or more (two lines of the story
                # stood alone on an upright page, 8% full); a heading as it is, where the text then stands
                out[lead:] = _lead_paragraphs(out[lead:])
                out.append(r"\turnhere")
                turned_pages = True
            lead = None
            tight = k in stacked  # ranges one under another, on upright pages
            keep = None  # the height of text after the last range that cannot go on the turned page after it
            widowed, waiting = False, []  # the flow's last two ranges set together (\widowless), a turned
            if tight:  # page right after them; the first of them, waiting for the second
                upright()
                found = _lead(document, k + 1, cut) if k + 1 not in stacked else None
                if found and _below(found[0], found[1] in held_before, cut[found[1]][0][0]) is None:
                    keep = _text_blocks_pt(found[0], PORTRAIT_PT)
                widowed = keep is None and k + 1 not in stacked and k + 1 in cut and cut[k + 1][0][1] \
                    and len(cut[k]) > 1  # (a flow's ranges all take the branch below: none is left waiting)
            for piece, turned in cut[k]:
                if turned and not turned_pages:
                    out.append(r"\begin{landscape}")
                    turned_pages = True
                height = LANDSCAPE_HEIGHT_PT - (HELD_PT if held else 0.0)
                if opening is not None:  # the first piece, below the title on its turned page
                    height, opening = min(height, opening), None
                tall = (len(piece.rows) + len(header_lines(piece)) + 2) * ROW_PT
                # an upright table between turned ones stays on their page where it fits there at 7 pt (and
                # is shrunk to its height: 45 rows ran 73 pt past its foot); else it goes upright
                among = not turned and turned_pages and turned_soon(k) and _tall_pt(piece) * SMALLEST \
                    <= TURNED_TEXT_PT - 30.0 - (HELD_PT if held else 0.0) - _caption_pt(piece)
                if tight:
                    height = stacked[k].pop(0)
                elif not turned:  # a table of 59 rows is a page tall: it shrinks to the page less its caption
                    room = (TURNED_TEXT_PT if among else UPRIGHT_TEXT_PT) - 30.0 - (HELD_PT if held else 0.0) \
                        - _caption_pt(piece, LANDSCAPE_PT if among else PORTRAIT_PT)
                    height = room if tall > room - 2 * ROW_PT else None
                box = [r"\begin{minipage}{\linewidth}\setlength{\parskip}{4pt}"] + held \
                    + captioned(piece, height, tight) + [r"\end{minipage}"]
                held = []
                if turned or among:  # (between turned tables: as they are)
                    move = None
                elif turned_pages:  # just after turned pages: on the last of them if it fits there
                    move, turned_pages = r"\afterturned", False
                elif turned_ahead(k + 1) and height is None and tall <= LANDSCAPE_HEIGHT_PT:  # just before them:
                    move, turned_pages = r"\beforeturned", True  # on the first if it would be alone and fits there
                else:
                    move = None
                at_ten = not (turned or turned_pages or tight) and height is None and _width_pt(piece) <= PORTRAIT_PT
                if move is None and (at_ten or leading and piece is cut[k][0][0]):  # an upright table set at
                    # 10 pt, or a turned one below text moved onto its page: it may shrink to the room left
                    out += [r"\par\medskip\noindent\fitrest{%"] + box[:-1] + [box[-1] + r"}\par", ""]
                elif move is None and keep is not None and piece is cut[k][-1][0]:
                    out += [r"\par\medskip\keepwith{%dpt}{\flowed{%%" % keep] + box[:-1] + [box[-1] + r"}}\par", ""]
                elif move is None and tight:  # a flow's first range may fill the page text left (\flowfirst)
                    flow = r"\flowfirst" if piece is cut[k][0][0] and k - 1 not in stacked else r"\flowed"
                    if widowed and piece is cut[k][-2][0] and flow == r"\flowed":  # set with the last (\widowless)
                        waiting = [r"\par\medskip\widowless{\flowed{%"] + box[:-1] + [box[-1] + r"}}{\flowed{%"]
                    elif waiting and piece is cut[k][-1][0]:
                        out += waiting + box[:-1] + [box[-1] + r"}}\par", ""]
                        waiting = []
                    else:
                        out += [r"\par\medskip\noindent" + flow + "{%"] + box[:-1] + [box[-1] + r"}\par", ""]
                elif move is None:
                    out += [r"\par\medskip\noindent" + box[0]] + box[1:-1] + [box[-1] + r"\par", ""]
                else:
                    text = out[unit:] if unit is not None and move == r"\afterturned" else []
                    del out[len(out) - len(text):]
                    out += [r"\par\medskip" + move + "{%"] + text + box + ["}", ""]
                unit = None
    upright()
    out += held + ["", r"\end{document}"]
    return "\n".join(out) + "\n"
