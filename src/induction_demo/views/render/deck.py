"""The lecture as a slide deck: one self-contained HTML file (``lecture
TOKENS -o deck.html``), every step a 16:9 slide.

No network and no build step: the styles and a few lines of plain
JavaScript are inline. On screen one slide shows at a time: → (or space,
Page Down) goes on, ← (or Page Up) back, Home and End to the ends; the slide
shown is in the address's fragment (``#3``), so a link opens a moment of the
lecture. Printed, each slide is one page (16:9). No text is under 18 px.
Every piece of text is escaped (the HTML handout's renderer draws the tables).
"""
from __future__ import annotations

from html import escape

from ..views import Document, Heading, Paragraph, Table, header_lines, plain, range_name, ranges, row_names
from . import html, latex

CANVAS = (1536, 864)  # px: a slide's design size, 16 x 9 inches at 96 px an inch (the printed page)
CHARS = 118  # cells of the monospace tables a slide's width holds at 18 px (10.8 px a cell, with the padding)
ROOM = 720  # px of a slide's height for its blocks, under its title and step line (842 - 104 measured, less a margin)

CSS = html.CSS + """
body { margin: 0; font-size: 20px; background: #fff; overflow: hidden; }
table { font-size: 18px; }
.legend { font-size: 18px; }
section.slide { box-sizing: border-box; width: 1536px; height: 864px; padding: 22px 46px; overflow: hidden;
                display: none; transform-origin: 0 0; position: absolute; left: 0; top: 0; }
section.slide.current { display: block; }
section.slide h1 { font-size: 28px; margin: 0 0 .4rem; }
section.slide .step { font-size: 18px; color: #555; }
section.slide sup, section.slide sub { font-size: 18px; }
nav { position: fixed; bottom: .5rem; right: 1rem; font-size: 18px; color: #777; }
@page { size: 16in 9in; margin: 0; }
@media print {
  body { font-size: 20px; padding: 0; overflow: visible; }  /* a slide is the page: no handout margin */
  nav, nav.screen { display: none; }  /* (the tables' .screen shows in print below; the navigation does not) */
  section.slide { display: block; position: static; transform: none !important; break-after: page;
                  page-break-after: always; }
  section.slide:last-of-type { break-after: auto; page-break-after: auto; }
  table { font-size: 18px; --cell: 18px; zoom: 1; }
  .screen { display: block; } .print { display: none; }
}
"""

SCRIPT = """
(function () {
  var slides = document.querySelectorAll("section.slide");
  var current = 0;
  function fit() {  /* the 1536 x 864 canvas, scaled to the window as a whole */
    var s = Math.min(window.innerWidth / 1536, window.innerHeight / 864);
    var left = (window.innerWidth - 1536 * s) / 2, top = (window.innerHeight - 864 * s) / 2;
    for (var i = 0; i < slides.length; i++) {
      slides[i].style.transform = "translate(" + left + "px," + top + "px) scale(" + s + ")";
    }
  }
  function show(k) {
    current = Math.max(0, Math.min(slides.length - 1, k));
    for (var i = 0; i < slides.length; i++) {
      slides[i].classList.toggle("current", i === current);
      slides[i].setAttribute("aria-hidden", i === current ? "false" : "true");
    }
    document.getElementById("where").textContent = (current + 1) + " / " + slides.length;
    if (location.hash !== "#" + (current + 1)) { history.replaceState(null, "", "#" + (current + 1)); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === " " || e.key === "PageDown") { show(current + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { show(current - 1); e.preventDefault(); }
    else if (e.key === "Home") { show(0); } else if (e.key === "End") { show(slides.length - 1); }
  });
  window.addEventListener("hashchange", function () { show(parseInt(location.hash.slice(1), 10) - 1 || 0); });
  window.addEventListener("resize", fit);
  fit();
  show(parseInt(location.hash.slice(1), 10) - 1 || 0);
})();
"""

ROW_PX, LINE_PX, PROSE_CHARS, CAPTION_CHARS = 22, 24, 130, 118  # at the slide's sizes (a table row measured 21.5 px)


def _height(block) -> int:
    """About how many px a block takes on a slide."""
    if isinstance(block, Heading):
        return 70
    if isinstance(block, Paragraph):
        text = plain(block.text)
        return 24 + LINE_PX * sum(max(1, -(-len(line) // PROSE_CHARS)) for line in text.split("\n"))
    if isinstance(block, Table):
        caption = max(1, -(-len(plain(tuple(block.title))) // CAPTION_CHARS))
        return 44 + LINE_PX * caption + ROW_PX * (len(header_lines(block)) + len(block.rows))
    return 0


def pages(step) -> list[list]:
    """A step's blocks on as many slides as they need (each within ROOM); a
    table taller than a slide cut into ranges of rows of about equal size,
    each range named by its @ labels."""
    out: list[list] = [[]]
    used = 0
    for block in step.document.blocks:
        pieces = [block]
        if isinstance(block, Table) and _height(block) > ROOM and len(block.rows) > 1:
            names = row_names(block)
            pieces = [block._replace(rows=block.rows[a:b], title=tuple(block.title) + (
                f" [rows {range_name(names, a, b, len(block.rows))}]",))
                for a, b in ranges(len(block.rows), (ROOM - _height(block._replace(rows=())) - LINE_PX) // ROW_PX)]
        for piece in pieces:
            h = _height(piece)
            if out[-1] and used + h > ROOM:
                out.append([])
                used = 0
            out[-1].append(piece)
            used += h
    return [page for page in out if page] or [[]]


def render(title: str, steps) -> str:
    """The deck: a slide per step (its title, then its blocks), a step too
    long for one slide over several ("part 2 of 3")."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
    slides = []
    for k, step in enumerate(steps, 1):
        parted = pages(step)
        slides += [(step, k, j, len(parted), blocks) for j, blocks in enumerate(parted, 1)]
    for n, (step, k, j, parts, blocks) in enumerate(slides, 1):
        name = step.title + ((f" (part {j} of {parts})",) if parts > 1 else ())
        out += [f'<section class="slide" id="slide-{n}" aria-label="{escape(plain(name), quote=True)}">',
                f"<h1>{html.inline(name)}</h1>",
                f'<p class="step">{html.text(title)} · step {k} of {len(steps)}, slide {n} of {len(slides)}</p>']
        out += html.blocks_html(Document(step.document.title, tuple(blocks), legend=False))
        out.append("</section>")
    out += ['<nav class="screen">← → <span id="where"></span></nav>', f"<script>{SCRIPT}</script>", "</body>",
            "</html>"]
    return "\n".join(out) + "\n"


BEAMER = latex.PREAMBLE.replace(r"\documentclass[10pt]{article}", r"\documentclass[xcolor=table,aspectratio=169,11pt]{beamer}") \
    .replace(r"\usepackage[a4paper,margin=15mm]{geometry}", "").replace(r"\usepackage[table]{xcolor}", "") \
    .replace(r"\usepackage{pdflscape}", "") + r"""\setbeamertemplate{navigation symbols}{}
"""
# beamer's [frame number] footline, with the number of frames written in: \inserttotalframenumber is read
# from the .aux file, so one pdflatex run (as a lecturer gives it) printed "5 / 1" on every frame
FOOTLINE = (r"\setbeamertemplate{footline}{\hfill\usebeamercolor[fg]{page number in head/foot}"
            r"\usebeamerfont{page number in head/foot}\insertframenumber\,/\,%d\kern1em\vskip2pt}")


def beamer(title: str, steps) -> str:
    """The deck as a beamer file (``lecture TOKENS -o deck.tex``): a frame per
    slide of the HTML deck (a long step over several, ``pages``), its tables
    set as the LaTeX handout sets them, each frame shrunk to fit the 16:9
    page where it must."""
    parted_steps = [pages(step) for step in steps]
    out = [BEAMER + FOOTLINE % sum(map(len, parted_steps)), r"\begin{document}"]
    for k, (step, parted) in enumerate(zip(steps, parted_steps), 1):
        for j, blocks in enumerate(parted, 1):
            name = step.title + ((f" (part {j} of {len(parted)})",) if len(parted) > 1 else ())
            out += [r"\begin{frame}[shrink]{" + latex.inline(name) + "}",
                    r"{\small " + latex.escape(f"{title} · step {k} of {len(steps)}") + r"}\par\medskip"]
            for block in blocks:
                if isinstance(block, Heading):
                    out.append(r"\textbf{" + latex.escape(block.text) + r"}\par")
                elif isinstance(block, Paragraph):
                    out.append(latex.inline(block.text) + r"\par\smallskip")
                elif isinstance(block, Table):
                    out += latex.captioned(block) + [r"\par\smallskip"]
            out += [r"\end{frame}", ""]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
