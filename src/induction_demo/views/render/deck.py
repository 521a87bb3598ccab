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

from ..views import Heading, Paragraph, Table
from . import html, latex

CSS = html.CSS + """
body { margin: 0; font-size: 20px; background: #fff; }
table { font-size: 18px; }
.legend { font-size: 18px; }
section.slide { box-sizing: border-box; width: 100vw; height: 56.25vw; max-height: 100vh; max-width: 177.78vh;
                margin: 0 auto; padding: 2.5vh 3vw; overflow: auto; display: none; }
section.slide.current { display: block; }
section.slide h1 { font-size: 28px; margin: 0 0 .4rem; }
section.slide .step { font-size: 18px; color: #555; }
section.slide sup, section.slide sub { font-size: 18px; }
nav { position: fixed; bottom: .5rem; right: 1rem; font-size: 18px; color: #777; }
@page { size: 16in 9in; margin: 0; }
@media print {
  body { font-size: 20px; padding: 0; }  /* a slide is the page: no handout margin */
  nav { display: none; }
  section.slide { display: block; width: 16in; height: 9in; max-width: none; max-height: none; overflow: hidden;
                  break-after: page; page-break-after: always; }
  section.slide:last-of-type { break-after: auto; page-break-after: auto; }
  table { font-size: 18px; zoom: 1; }
  .screen { display: block; } .print { display: none; }
}
"""

SCRIPT = """
(function () {
  var slides = document.querySelectorAll("section.slide");
  var current = 0;
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
  show(parseInt(location.hash.slice(1), 10) - 1 || 0);
})();
"""


def render(title: str, steps) -> str:
    """The deck: a slide per step (its title, then its blocks)."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
    for k, step in enumerate(steps, 1):
        out += [f'<section class="slide" id="slide-{k}" aria-label="{escape(step.title, quote=True)}">',
                f"<h1>{escape(step.title)}</h1>", f'<p class="step">{escape(title)} · step {k} of {len(steps)}</p>']
        out += html.blocks_html(step.document)
        out.append("</section>")
    out += ['<nav class="screen">← → <span id="where"></span></nav>', f"<script>{SCRIPT}</script>", "</body>",
            "</html>"]
    return "\n".join(out) + "\n"


BEAMER = latex.PREAMBLE.replace(r"\documentclass[10pt]{article}", r"\documentclass[xcolor=table,aspectratio=169,11pt]{beamer}") \
    .replace(r"\usepackage[a4paper,margin=15mm]{geometry}", "").replace(r"\usepackage[table]{xcolor}", "") \
    .replace(r"\usepackage{pdflscape}", "") + r"""\setbeamertemplate{navigation symbols}{}
\setbeamertemplate{footline}[frame number]
"""


def _title(text: str) -> str:
    """A frame's title, escaped, its Y^(l) set as maths."""
    import re

    parts = re.split(r"(Y\^\(\d+\))", text)
    return "".join(f"$Y^{{({part[3:-1]})}}$" if part.startswith("Y^(") else latex.escape(part) for part in parts)


def beamer(title: str, steps) -> str:
    """The deck as a beamer file (``lecture TOKENS -o deck.tex``): a frame per
    step, its tables set as the LaTeX handout sets them, each frame shrunk to
    fit the 16:9 page; pdflatex makes a page a step."""
    out = [BEAMER, r"\begin{document}"]
    for k, step in enumerate(steps, 1):
        out += [r"\begin{frame}[shrink]{" + _title(step.title) + "}",
                r"{\small " + latex.escape(f"{title} · step {k} of {len(steps)}") + r"}\par\medskip"]
        for block in step.document.blocks:
            if isinstance(block, Heading):
                out.append(r"\textbf{" + latex.escape(block.text) + r"}\par")
            elif isinstance(block, Paragraph):
                out.append(latex.inline(block.text) + r"\par\smallskip")
            elif isinstance(block, Table):
                out += [r"\textbf{" + latex.inline(block.title) + r"}\par", r"\noindent"] + latex.table(block) \
                    + [r"\par\smallskip"]
        out += [r"\end{frame}", ""]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
