"""The Markdown handout: title, tokens, the model's equations, every table.

Tables are GitHub-flavoured pipe tables; formulas are ``$...$`` (GitHub and
pandoc both render them). Every piece of text is escaped: a backslash goes before
each character that Markdown, GitHub or pandoc could read as syntax anywhere
in a line and would change what is shown (emphasis, code, links, HTML,
tables, math, pandoc's attributes and smart quotes), and before ``-`` or
``.`` next to another of the same (pandoc's dashes and ellipses), so a token
is shown as typed. ``@`` is left bare, so that the raw file reads well
(``@3``, not ``\\@3``): pandoc reads ``@3`` as a citation, but without
--citeproc shows it as typed.
"""
from __future__ import annotations

from typing import Iterator

from ...base.text import LRM, Token, isolated
from ..views import Answer, Document, Heading, Math, Paragraph, Table
from .math import latex

_SPECIAL = set("\\`*_[]<>&|~$^#{}'\"")
_REPEATED = set("-.")


def ltr(block: str) -> str:
    """A block (a paragraph, a heading, a table cell) whose first letter is right to left, led by a
    left-to-right mark: GitHub sets each one's direction by its first letter (isolates not skipped), so
    "• `שלום` (@0) is at position 0" was set right to left, as ".is at position 0 ... (0@) שלום"."""
    if block.isascii():
        return block
    import unicodedata

    first = next((kind for kind in map(unicodedata.bidirectional, block) if kind in ("L", "R", "AL")), "L")
    return block if first == "L" else LRM + block


def _escaped(text: str) -> str:
    out = []
    for k, c in enumerate(text):
        repeated = c in _REPEATED and c in (text[k - 1:k] + text[k + 1:k + 2])
        out.append("\\" + c if c in _SPECIAL or repeated else c)
    return "".join(out)


def escape(text: str) -> str:
    return isolated(text, _escaped)


def code(text: str) -> str:
    """A code span that holds ``text`` as typed: fenced by one more backtick
    than its longest run of them (code spans take no escapes); a right-to-left run isolated."""
    import re

    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{isolated(text)}{pad}{fence}"


def inline(parts: tuple) -> str:
    """Text parts: escaped text, formulas as $...$, tokens as code spans; a newline is a hard break."""
    out = "".join(f"${latex(p.expr)}$" if isinstance(p, Math) else code(p.text) if isinstance(p, Token)
                  else escape(p) for p in parts)
    return out.replace("\n", "\\\n")


def _cell(text: str, top: bool = False) -> str:
    text = escape(text)
    return ltr(f"**{text}**" if top and text else text)


def table(block: Table) -> list[str]:
    n_labels = len(block.rows[0].labels)
    corner = " ".join(c for c in block.corner if c)
    header = [_cell(corner)] + [""] * (n_labels - 1) + [_cell(" ".join(h for h in col if h)) for col in block.columns]
    data_align = {"right": "---:", "center": ":---:", "left": ":---"}[block.align]
    rule = [":---"] * n_labels + [data_align] * len(block.columns)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    for row in block.rows:
        cells = [_cell(label) for label in row.labels] + [_cell(c.text, c.top) for c in row.cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(document: Document) -> str:
    return "".join(chunks(document))


def chunks(document: Document) -> Iterator[str]:
    """The handout as text chunks, a block at a time (written as it is made: a 200-token handout of every
    matrix is tens of MB)."""
    yield f"# {ltr(escape(document.title))}\n\n"
    for block in document.blocks:
        if isinstance(block, Heading):
            out = [f"## {ltr(escape(block.text))}", ""]
        elif isinstance(block, Paragraph):
            out = [ltr(inline(block.text)), ""]
        elif isinstance(block, Answer):  # a box of blank lines to write in, once printed
            out = ["```text", "Answer:"] + [" "] * block.lines + ["```", ""]
        elif isinstance(block, Table):
            out = [ltr(f"**{inline(block.title)}**"), ""] + table(block) + [""]
        else:
            continue
        yield "\n".join(out) + "\n"
    yield ("Made with induction-demo. · is exactly 0; × is masked (the key is not earlier than the query);"
           " [ ] and bold mark where each head does its job, and each prediction." if document.legend else
           "Made with induction-demo." + (" × is masked (the key is not earlier than the query)."
                                          if any(isinstance(b, Table) for b in document.blocks) else "")) + "\n"
