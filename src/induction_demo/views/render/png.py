"""The PNG picture: the attention weights of each layer as heatmaps, side by
side, tokens on both axes (matplotlib, from the ``plot`` extra).

The same single-hue scale as the HTML page; masked cells are grey with a
cross; each cell's value is printed where the matrix is small enough to read
it; the first lines of each layer's story stand under its heatmap. A
character the font cannot draw (CJK with matplotlib's DejaVu Sans) is
written as its code point, U+732B, and a line says so (the title's last, or
the foot's); text is wrapped by the font's measured widths, and a slide laid
out with the code points.
"""
from __future__ import annotations

import io
import re
import textwrap
import warnings
from functools import lru_cache

import numpy as np

from ...base import text as fmt
from ...base.errors import MissingExtra
from ...base.text import listed
from .math import to_mathtext, to_tspans
from ..views import Heatmaps, Slide

ANNOTATE_UP_TO = 16  # positions; beyond this the numbers would not be legible
LABEL_UP_TO = 60  # tick labels per axis; a longer input labels every k-th position
PANEL_INCHES = 12.0  # the largest heatmap: a 200-token picture stays a few megapixels
STACK_PAST = 30  # positions past which the panels stand one a row, so that every position is labelled


CODE_POINTS = "U+XXXX: a character this font cannot draw, by its code point"


MONO = "DejaVu Sans Mono"  # a slide's font
MARKS = dict.fromkeys(map(ord, (fmt.LRM, fmt.FSI, fmt.PDI)))


@lru_cache(maxsize=1)
def bidirectional() -> bool:
    """Whether matplotlib lays text out bidirectionally (with libraqm: 3.11 here; 3.7 draws as typed)."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", ""))


def ltr(text: str) -> str:
    """Text matplotlib lays out left to right with each right-to-left word (Hebrew, Arabic) isolated, each line
    opening with a left-to-right mark: its bidirectional layout set "• 'שלום' (@0) is at position 0" as
    "is at position 0 (0@) 'שלום' •" (a line whose first letter is Hebrew is read right to left) and the tick
    "@0 שלום" as "0@ שלום". Text with no such letter, or for a matplotlib that does not reorder text, is
    returned as it is."""
    bare = text.translate(MARKS)
    if not fmt.right_to_left(bare) or not bidirectional():  # (a matplotlib that lays text out as typed draws
        return text                                          # the marks as boxes)
    return "\n".join(fmt.LRM + line for line in fmt.isolated(bare).split("\n"))


class Drawable:
    """Text the figure's font can draw: each character it has no glyph for
    becomes its code point (``U+732B``), and ``replaced`` records that one was."""

    def __init__(self, family: str | None = None):
        """``family``: the font the text is drawn in (matplotlib's default, else that one)."""
        from matplotlib import font_manager
        from matplotlib.ft2font import FT2Font

        self.font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=family)))
        self.replaced = False

    def __call__(self, text: str) -> str:
        """Text for a matplotlib label: ``$`` would start mathtext; a right-to-left word isolated (``ltr``)."""
        return ltr(self.literal(text))

    def literal(self, text: str) -> str:
        """``text`` expanded, with ``$`` escaped (before ``ltr``'s marks, which a label's length leaves out)."""
        return self.expand(text).replace("$", r"\$")

    def expand(self, text: str) -> str:
        """``text`` with each character the font has no glyph for written as its code point."""
        out = []
        for c in text:
            if c.isprintable() and c != " " and self.font.get_char_index(ord(c)) == 0:
                out.append(f"U+{ord(c):04X}")
                self.replaced = True
            else:
                out.append(c)
        return "".join(out)

    def slide(self, view: Slide) -> Slide:
        """The slide with its characters expanded before it is laid out, so that each word's column counts
        the code points drawn (a CJK character's two cells held a six-letter U+732B, over the next word)."""
        from ...base.text import Math, Token

        def parts(items: tuple) -> tuple:
            return tuple(p if isinstance(p, Math) else Token(self.expand(p.text)) if isinstance(p, Token)
                         else self.expand(p) for p in items)

        def table(t):
            return t._replace(title=parts(t.title), corner=tuple(map(self.expand, t.corner)),
                              columns=tuple(tuple(map(self.expand, c)) for c in t.columns),
                              rows=tuple(r._replace(labels=tuple(map(self.expand, r.labels)),
                                                    cells=tuple(c._replace(text=self.expand(c.text)) for c in r.cells))
                                         for r in t.rows))
        return view._replace(title=self.expand(view.title), subtitle=self.expand(view.subtitle),
                             weights=table(view.weights), narrow=tuple((table(t), k) for t, k in view.narrow),
                             story=tuple(parts(sentence) for sentence in view.story))

    def label(self, text: str, most: int = 16) -> str:
        """A tick's label, drawable and at most ``most`` characters: a token of CJK characters is three times
        as long as code points, and labels of 50 characters left the heatmaps no room. An ending " @7" stays."""
        drawn = self.literal(text)
        if len(drawn) <= most:
            return ltr(drawn)
        at = re.search(r" @\d+$", drawn)
        end = at[0] if at else ""
        return ltr(fmt.elide(list(drawn[:len(drawn) - len(end)]), most - len(end)) + end)

    def fit(self, text: str, width_pt: float, size_pt: float, letter: float, least: int = 20) -> list[str]:
        """``text`` (drawable already) in lines at most ``width_pt`` wide at ``size_pt``: wrapped at about
        ``letter`` em a character, then at fewer characters until every line, measured with the font, fits
        (code points such as U+732B are wider than the letters the guess is made for)."""
        chars = max(least, int(width_pt / (letter * size_pt)))
        while True:
            lines = textwrap.wrap(text, chars)
            if chars <= least or all(self.points(line, size_pt) <= width_pt for line in lines):
                return [ltr(line) for line in lines]  # (a line it wrapped starts left to right too)
            chars = max(least, int(chars * 0.9))

    def points(self, line: str, size_pt: float) -> float:
        """About how wide ``line`` is set at ``size_pt`` in the figure's font (mathtext counted by its letters)."""
        plain = re.sub(r"\$([^$]*)\$", lambda m: re.sub(r"\\[A-Za-z]+|[{}^_]|\\;", "", m[1]), line)
        plain = plain.translate(MARKS)  # (drawn with no width)
        self.font.set_size(size_pt, 72)
        self.font.set_text(plain)
        return self.font.get_width_height()[0] / 64



def mathtext(formula: str) -> str:
    """A formula in the plain notation as matplotlib mathtext (render/math.py)."""
    return to_mathtext(formula)



def drawn(parts: tuple, drawable: Drawable) -> str:
    """A sentence's parts as one matplotlib string: each token in quotes, each
    formula as mathtext (its spaces thin spaces, so a line never breaks inside it)."""
    from ...base.text import Math, Token

    return "".join(mathtext(p.expr).replace("\\ ", "\\;") if isinstance(p, Math)
                   else "‘" + drawable(p.text) + "’" if isinstance(p, Token) else drawable(p) for p in parts)


def _story_text(sentences: tuple[tuple, ...], drawable: Drawable, chars: int, size_pt: float) -> str:
    """The sentences, a bullet each, in lines of about ``chars`` characters of 0.6 em at ``size_pt``."""
    lines = [line for s in sentences  # (a story starts 2% into its panel's width: 0.94 of the width, measured)
             for line in drawable.fit("• " + drawn(s, drawable), 0.94 * chars * 0.6 * size_pt, size_pt, 0.94 * 0.6,
                                      least=min(chars, 30))]
    return "\n".join(lines)  # in full: a band under the heatmaps is made to hold it


def _with_pyplot(draw, view, form: str = "png", extra: str = "plot") -> bytes:
    """``draw(view, matplotlib, plt)`` with matplotlib from the plot extra, no warning reaching stderr."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.patches  # noqa: F401  (Rectangle)
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtra(f"the {form} format needs matplotlib, from the {extra} extra: "
                           f"pip install 'induction-demo[{extra}]'") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nothing reaches stderr for an accepted input
        return draw(view, matplotlib, plt)


def _heatmap(ax, panel, matplotlib, frame: float, values_pt: float | None):
    """A layer's weights, masked cells grey, where the head does its job
    framed; with ``values_pt``, each kept value printed (its job as [x])."""
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad="#eeeeee")
    image = ax.imshow(np.ma.masked_array(panel.weights, mask=~panel.mask), cmap=cmap, vmin=0.0, vmax=1.0)
    job = panel.job & panel.mask
    for i, j in np.argwhere(job & (panel.weights >= WEIGHT_SHOWN)):  # a frame only where there is weight
        ax.add_patch(matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d95f02",
                                                  linewidth=frame))
    for i in np.flatnonzero(panel.mask.any(axis=1) & ~job.any(axis=1)):
        # a row with nothing to copy is a blend, not a prediction: faded, as the tables and the SVG show it
        ax.add_patch(matplotlib.patches.Rectangle((-0.5, i - 0.5), len(panel.weights), 1, color="white",
                                                  alpha=QUIET_FADE, linewidth=0))
    if values_pt is not None:
        for i, j in np.argwhere(panel.mask):
            value = panel.weights[i, j]
            text = fmt.number(value, fmt.WEIGHT_DECIMALS)
            marked = panel.job[i, j] and value >= WEIGHT_SHOWN
            ax.text(j, i, f"[{text}]" if marked else text, ha="center", va="center", fontsize=values_pt,
                    color="white" if value > 0.55 else "black")
    return image


WEIGHT_SHOWN = 0.005  # the least weight printed as more than 0.00
QUIET_FADE = 0.6  # how much of a quiet row's colour is washed out


def _png(fig, plt, cropped: bool = False) -> bytes:
    """The figure at 120 dots an inch (``cropped``: its empty margins cut off, to 0.1 in)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=120, metadata={"Software": None},
                **({"bbox_inches": "tight", "pad_inches": 0.1} if cropped else {}))
    plt.close(fig)
    return out.getvalue()


def render(view: Heatmaps) -> bytes:
    return _with_pyplot(_draw, view)


FIGURE_INCHES = 16.0  # the widest picture: 1920 px at 120 dots an inch, a slide's width
SLIDE_PX = 18.0  # the smallest text on a slide 1920 px wide


def legible(width_inches: float) -> float:
    """The smallest font, in pt, that a picture this wide may use: 18 px once it is scaled to 1920 px."""
    return SLIDE_PX * 72 / 120 * min(width_inches, FIGURE_INCHES) / FIGURE_INCHES


def layout(view: Heatmaps) -> tuple[bool, bool, int, float, int]:
    """How the panels stand: (grid: three a row; stacked: one a row, so that
    every position of a long input is labelled (both: the stories under them all);
    columns; each panel's size in inches; every how many positions an axis is
    labelled, its labels at least 1.2 lines of the tick font apart)."""
    n = len(view.labels)
    grid = len(view.panels) > 3
    stacked = not grid and n > STACK_PAST and len(view.panels) > 1
    columns = 3 if grid else 1 if stacked else len(view.panels)
    size = min(PANEL_INCHES, FIGURE_INCHES / columns, max(4.5, 2.0 + 0.35 * n))
    tick_pt = max(7.0 if n > 20 else 10.0, legible(size * columns))
    step = -(-n // max(1, min(LABEL_UP_TO, int(0.7 * size * 72 / (1.2 * tick_pt)))))
    return grid, stacked, columns, size, step


def _apart(fig, column) -> None:
    """Rows of panels kept apart: tight_layout, with the colorbars beside them, can leave a row's titles over
    the labels of the row above (a negative hspace: under --context 2 --skip 1, "Layer 2: induction head" stood
    on the first row's "key j"); the gap is then the least that clears them, to half a pixel (found by false
    position, which the overlap, smooth and falling as the gap grows, lets close in a few measures: each takes
    every label's extent; halving took eight)."""
    if len(column) < 2:
        return
    renderer = fig.canvas.get_renderer()

    def overlap(hspace: float) -> float:
        fig.subplots_adjust(hspace=hspace)
        return max(lower.get_tightbbox(renderer).y1 + 6 - upper.get_tightbbox(renderer).y0  # (a title takes its
                   for upper, lower in zip(column[:-1], column[1:]))  # place when measured so, not when drawn)
    low = fig.subplotpars.hspace
    over = overlap(low)
    if over <= 0:
        return
    tall = column[0].get_subplotspec().get_position(fig).height * fig.bbox.height  # hspace: a share of a slot
    high = low + 2 * over / tall
    while (under := overlap(high)) > 0:
        low, over, high = high, under, high + over / tall
    side = 0  # (Illinois: the end kept twice running has its overlap halved, so that it too moves)
    for _ in range(12):
        if under >= -0.5:  # clear, by half a pixel at most
            break
        middle = high - under * (high - low) / (under - over)
        measured = overlap(middle)
        if measured > 0:
            low, over = middle, measured
            under, side = (under / 2 if side == -1 else under), -1
        else:
            high, under = middle, measured
            over, side = (over / 2 if side == 1 else over), 1
    fig.subplots_adjust(hspace=high)


def _closed(fig, rows: list[list]) -> None:
    """Rows of panels (each its heatmaps and their colorbars, top to bottom) moved up to stand 6 px under the
    row above: a square heatmap stands at the top of a slot taller than it, and the slot's spare room stood
    empty between the rows (228 px between 40 tokens' two)."""
    renderer = fig.canvas.get_renderer()
    edges = [(min(ax.get_tightbbox(renderer).y0 for ax in row), max(ax.get_tightbbox(renderer).y1 for ax in row))
             for row in rows]
    up = 0.0
    for (bottom, _), (_, top), row in zip(edges, edges[1:], rows[1:]):
        up += max(0.0, bottom - 6 - top)
        for ax in row:
            box = ax.get_position(original=True)
            ax.set_position([box.x0, box.y0 + up / fig.bbox.height, box.width, box.height], which="both")


def _draw(view: Heatmaps, matplotlib, plt) -> bytes:
    drawable = Drawable()
    n = len(view.labels)
    grid, stacked, columns, size, step = layout(view)
    floor = legible(size * columns)  # no text smaller: 18 px when the picture fills a 1920 px slide
    tick_pt, story_pt, title_pt = max(7.0 if n > 20 else 10.0, floor), max(7.0, floor), max(10.0, floor)
    room = 0.7 * size * 72  # pt along an axis for its labels
    ticks = range(0, n, step)
    cell_pt = room / max(n, 1)
    values_pt = max(7.0, floor)
    values = values_pt if n <= ANNOTATE_UP_TO and 6 * 0.6 * values_pt <= cell_pt else None  # "[0.50]" fits a cell
    story = any(panel.story for panel in view.panels)
    under = stacked or grid  # every story under all the panels, one after another, as wide as the picture
    width = max(size * columns, 1.0)
    chars = max(30, int(((width - 0.4) if under else size) * 72 / (0.6 * story_pt)))  # a letter: 0.6 em at most
    # a layer's story spans its panels (a layer of several heads tells it under the last): where it starts
    first = [next(j for j, p in enumerate(view.panels) if p.index == panel.index) for panel in view.panels]
    span = [1 if under else k - first[k] + 1 for k in range(len(view.panels))]
    texts = [_story_text(panel.story, drawable, chars * span[k], story_pt) for k, panel in enumerate(view.panels)]
    line = story_pt * 1.45 / 72  # inches
    heights = [text.count("\n") + 1 for text in texts]
    told = [h + 2 for h, panel in zip(heights, view.panels) if panel.story]  # its name, its lines, a space
    below = (0.3 + line * (sum(told) if under else max(heights))) if story else 0.0
    rows = -(-len(view.panels) // columns)
    labels = [drawable.label(label) for label in view.labels]
    # a panel's title stands centred over its heatmap, which long labels push right: narrower by what they
    # take past a short label's 40 pt (tokens of CJK characters, as code points, ran the legend off the picture)
    legend_pt = size * 72 - max([0.0] + [drawable.points(label, tick_pt) - 40.0 for label in labels])
    titles = [f"{drawable(panel.title)}\nattention weights ${panel.symbol or f'W^{{({panel.index})}}'}$\n"
              + "\n".join(drawable.fit(drawable(panel.legend), legend_pt, title_pt, 0.55, least=30))
              for panel in view.panels]
    # the room over a row of panels for its tallest title (a legend of three lines, under --context 2 --skip 1,
    # ran over the x labels of the row above, the room made for one of a line)
    head = 0.6 + max(3, max(t.count("\n") + 1 for t in titles)) * title_pt * 1.3 / 72 - 0.45
    heading_pt = title_pt * 1.15  # the picture's own title: its lines as wide as the picture at most (a wide
    heading = drawable.fit(drawable(view.title or ""), (width - 0.3) * 72, heading_pt, 0.62)
    if drawable.replaced:  # (a line of the title's own: at its top right it ran over the title's first line)
        heading.append(CODE_POINTS)
    top = (0.3 + len(heading) * heading_pt * 1.3 / 72) if heading else 0.0  # letter of DejaVu Sans, 0.62 em)
    fig, axes = plt.subplots(rows, columns, figsize=(width, (size + head) * rows + below + top), squeeze=False)
    for ax in axes.flat[len(view.panels):]:
        ax.axis("off")
    bars = {}  # each heatmap's colorbar
    for ax, panel, title in zip(axes.flat, view.panels, titles):
        ax.set_title(title, fontsize=title_pt)
        image = _heatmap(ax, panel, matplotlib, 2.0 if n <= LABEL_UP_TO else 0.8, values)
        ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=90, fontsize=tick_pt)
        ax.set_yticks(ticks, [labels[i] for i in ticks], fontsize=tick_pt)
        ax.set_xlabel("key j", fontsize=title_pt)
        ax.set_ylabel("query i", fontsize=title_pt)
        if n <= LABEL_UP_TO:  # white lines between the cells (one collection each way, not a tick a line)
            edges = np.arange(-0.5, n)
            ax.vlines(edges, -0.5, n - 0.5, color="white", linewidth=0.5)
            ax.hlines(edges, -0.5, n - 0.5, color="white", linewidth=0.5)
        masked = np.argwhere(~panel.mask)
        if n <= ANNOTATE_UP_TO:
            ax.scatter(masked[:, 1], masked[:, 0], marker="x", s=12, color="#aaaaaa", linewidths=0.8)
        bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        bar.ax.tick_params(labelsize=tick_pt)
        # a square heatmap, narrower than its slot is tall, stood in the slot's middle: the room left over
        # stood empty above it, under the picture's title, and below it; at its top, the rest goes below the
        # stories, where the picture is cropped
        ax.set_anchor((1.0, 1.0))
        bar.ax.set_anchor((0.0, 1.0))
        bars[ax] = bar.ax
    height = (size + head) * rows + below + top
    suptitle = fig.suptitle("\n".join(heading), fontsize=heading_pt, x=0.01, y=1 - 0.15 / height, ha="left",
                            va="top") if heading else None
    fig.tight_layout(rect=(0, below / height, 1, 1 - top / height))
    if suptitle:  # the panels' titles up to 0.8 of a line under the picture's (tight_layout pads the rect too)
        renderer = fig.canvas.get_renderer()
        gap = suptitle.get_window_extent(renderer).y0 - heading_pt * 0.8 / 72 * fig.dpi \
            - max(ax.get_tightbbox(renderer).y1 for ax in axes.flat[:len(view.panels)])
        if gap > 0:
            fig.subplots_adjust(top=fig.subplotpars.top + gap / fig.bbox.height)
    _apart(fig, axes[:, 0])
    _closed(fig, [[part for ax in row if ax in bars for part in (ax, bars[ax])] for row in axes])
    renderer = fig.canvas.get_renderer()  # the stories start under the panels' lowest label, which tight_layout
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in axes.flat[:len(view.panels)])  # may leave below its rect
    start = lowest / fig.bbox.height - 0.1 / height
    if story and under:  # every story under the panels, one after another, each named by its layer
        y = start
        for k, panel in enumerate(view.panels):
            if not panel.story:
                continue
            alike = sum(1 for p in view.panels if p.story and p.index == panel.index) > 1  # positions' five models
            named = f" ({drawable(panel.title)})" if alike else ""  # (their five stories all read "layer 1")
            fig.text(0.02, y, f"What layer {panel.index} did{named}:\n{texts[k]}", fontsize=story_pt, va="top",
                     ha="left", linespacing=1.45)  # (the lines the room was made for)
            y -= line * (heights[k] + 2) / height
    elif story:  # each story right under its layer's panels (from the top of the room left for them, not the
        for k, panel in enumerate(view.panels):  # page's foot)
            fig.text((first[k] + 0.02) / len(view.panels), start, texts[k], fontsize=story_pt, va="top", ha="left",
                     wrap=False)
    return _png(fig, plt, cropped=True)




def slide(view: Slide) -> bytes:
    """The 16:9 slide (1920 x 1080), as ``render/slide.py`` lays it out: the
    same design as the SVG slide, each word at its column."""
    return _with_pyplot(_slide, view)


COLOURS = {"title": "#000000", "text": "#1b1b1b", "accent": "#0b6e99"}  # the SVG's light theme


def _slide(view: Slide, matplotlib, plt) -> bytes:
    from rich.cells import cell_len

    from . import slide as design

    drawable = Drawable(MONO)  # (the slide's font: a letter DejaVu Sans has and its Mono lacks, Hebrew, was a box)
    laid = design.layout(drawable.slide(view))
    width, height = design.SIZE
    fig = plt.figure(figsize=(width / 120, height / 120), dpi=120)
    points = 72 / 120  # pt per px at 120 dots an inch

    def put(x: float, y: float, text: str, size: float, style: str) -> None:
        shown = text if text.startswith("$") else drawable(text)  # (mathtext is drawn as is)
        fig.text(x / width, 1 - y / height, shown, fontsize=size * points, family=MONO,
                 weight="bold" if "bold" in style else "normal", va="baseline", ha="left",
                 color=COLOURS["accent"] if "cyan" in style else COLOURS["title" if style == "title" else "text"],
                 alpha=0.55 if "dim" in style else 1.0)

    y = design.MARGIN
    for text in laid.title:
        y += laid.title_line
        if text:
            put(design.MARGIN, y - 0.3 * laid.title_line, text, design.TITLE * laid.font, "bold title")
    for k, pieces in enumerate(laid.body):
        baseline = y + laid.line * (k + 1) - 0.3 * laid.line
        column, shift = 0, 0.0  # as svg._place: a formula's smaller scripts close up the words after it
        for text, style in pieces:
            math = "math" in style.split()
            for word in re.finditer(r"\S+", text):
                x = design.MARGIN + (column + cell_len(text[:word.start()]) - shift) * laid.cell
                put(x, baseline, mathtext(word.group()) if math else word.group(), laid.font, style)
                if math:
                    shift += to_tspans(word.group())[1]  # the cells its smaller scripts save, as in the SVG
            column += cell_len(text)
    if drawable.replaced:  # in the margin under the story, at the slide's smallest size
        fig.text((width - design.MARGIN) / width, 1 - (height - design.MARGIN / 3) / height, CODE_POINTS,
                 fontsize=design.SMALLEST * points, family=MONO, ha="right", va="baseline",
                 color=COLOURS["text"], alpha=0.55)
    return _png(fig, plt)


def circuits(found, title: str) -> bytes:
    """Each circuit as a heatmap in units of its largest entry, values printed
    where small enough, a diverging scale (a circuit can be negative)."""
    return _with_pyplot(lambda view, matplotlib, plt: _circuits(view, title, matplotlib, plt), found)


def zero_note(zero: list, drawable=str) -> str:
    """The line under the circuits' picture naming those all 0, not drawn, each with its reason: an OV
    circuit's head writes only where the unembedding does not read; any other says its own words (NoPE's
    position circuit: every key scores 0). It said "these heads write only into the  and previous half" of
    NoPE's position circuit too."""
    writes = [c for c in zero if c.into]
    reasons = [f"{mathtext(c.formula)}, {drawable(c.head)}: {drawable(c.about)}" for c in zero if not c.into]
    if writes:
        reasons.append("; ".join(f"{mathtext(c.formula)}, {drawable(c.head)}" for c in writes)
                       + (": this head writes" if len(writes) == 1 else ": these heads write") + " only into the "
                       + listed(dict.fromkeys(c.into for c in writes)))
    return "Every entry 0 (not drawn): " + "; ".join(reasons) + "."


def _circuits(found, title: str, matplotlib, plt) -> bytes:
    drawable = Drawable()
    zero = [c for c in found if not c.matrix.any()]  # said in a line, not drawn as a blank panel
    found = [c for c in found if c.matrix.any()] or found[:1]
    n = max(len(c.rows) for c in found)
    columns = 2 if len(found) == 4 else min(3, len(found))  # 4 panels as 2 x 2, not 3 + 1
    size = min(PANEL_INCHES / 2, (FIGURE_INCHES - 1) / columns, max(3.5, 1.5 + 0.3 * n))
    floor = legible(size * columns + 1)  # 18 px once the picture is scaled to a 1920 px slide

    def pt(x: float) -> float:
        return max(x, floor)
    rows = -(-len(found) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns + 1, (size + 1.2) * rows + 0.5), squeeze=False)
    for ax in axes.flat[len(found):]:
        ax.axis("off")
    for ax, c in zip(axes.flat, found):
        top = float(np.abs(c.matrix).max()) or 1.0
        image = ax.imshow(c.matrix / top, cmap="RdBu_r", vmin=-1.0, vmax=1.0)
        room = 0.7 * size * 72  # pt along an axis for its labels, each at least 1.2 lines from the next (as
        step = -(-len(c.rows) // max(1, min(LABEL_UP_TO, int(room / (1.2 * pt(7))))))  # the heatmaps')
        ticks = range(0, len(c.rows), step)
        ax.set_xticks(ticks, [drawable.label(c.cols[i]) for i in ticks], rotation=90, fontsize=pt(7))
        ax.set_yticks(ticks, [drawable.label(c.rows[i]) for i in ticks], fontsize=pt(7))
        unit = fmt.number(top, fmt.LOGIT_DECIMALS)
        extra = "" if c.copying is None else f"\ncopying score ({mathtext('sum l / sum |l|')}) {fmt.number(c.copying, 2)}"
        if not c.matrix.any():
            extra = f"\n= 0: the head writes only into the {c.into}"
        ax.set_title(f"{mathtext(c.formula)}, {drawable(c.head)}\n(in units of {unit}){extra}", fontsize=pt(9))
        if len(c.rows) <= ANNOTATE_UP_TO and 5 * 0.6 * pt(6) <= room / len(c.rows):  # "-1.00" fits a cell
            for i, j in np.argwhere(c.matrix != 0):
                value = c.matrix[i, j] / top
                ax.text(j, i, fmt.number(value, fmt.WEIGHT_DECIMALS), ha="center", va="center", fontsize=pt(6),
                        color="white" if abs(value) > 0.55 else "black")
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04).ax.tick_params(labelsize=pt(7))
    width_pt = (size * columns + 1) * 72
    fig.suptitle("\n".join(drawable.fit(drawable(title), width_pt, pt(11), 0.6, least=30)), fontsize=pt(11))
    footer = drawable.fit(zero_note(zero, drawable), width_pt - 14, pt(8), 0.55) if zero else []
    tall_pt = ((size + 1.2) * rows + 0.5) * 72
    fig.tight_layout(rect=(0, (len(footer) * 1.35 * pt(8) + 6) / tall_pt if footer else 0, 1, 1))
    if footer:
        fig.text(0.01, 0.01, "\n".join(footer), fontsize=pt(8), ha="left", va="bottom")
    if drawable.replaced:
        fig.text(0.99, 0.005, CODE_POINTS, fontsize=pt(7),
                 ha="right", va="bottom", color="#555555")
    return _png(fig, plt)


def training(history: list[dict], found: dict, title: str, shares: str, form: str = "png") -> bytes:
    """train's picture: the learning curve (accuracy, loss and the three
    detector scores, the phase change marked) beside the learned and
    hand-built block shares of A_1, V_1, A_2, V_2, with ``shares`` (what
    their numbers are) under them; PNG, or SVG (``form``)."""
    return _with_pyplot(lambda view, matplotlib, plt: _training(history, found, title, shares, form, matplotlib, plt),
                        None, form, "train")


def _training(history, found, title, shares, form, matplotlib, plt) -> bytes:
    names = ("tok", "pos", "prev tok", "prev pos")
    plt.rcParams.update({"font.size": 13, "svg.hashsalt": "induction-demo"})
    fig = plt.figure(figsize=(FIGURE_INCHES, 12.5))
    grid = fig.add_gridspec(4, 6, width_ratios=[3.2, 0.45, 1, 1, 1, 1], height_ratios=[1, 1, 0.42, 1.25],
                            wspace=0.3, hspace=0.45, bottom=0.06, top=0.93, left=0.05, right=0.98)
    ax = fig.add_subplot(grid[0:2, 0])
    steps = [h["step"] for h in history]
    for key, label, style in (("accuracy", "accuracy (repeated half)", "-"), ("previous_token_score",
                              "previous-token (layer 1)", "--"), ("duplicate_token_score", "duplicate-token (layer 1)",
                              ":"), ("induction_score", "induction (layer 2)", "-.")):
        ax.plot(steps, [h[key] for h in history], style, label=label, linewidth=2)
    loss = ax.twinx()
    loss.plot(steps, [h["loss"] for h in history], color="#999999", linewidth=1.5, label="loss (right)")
    loss.set_ylabel("loss")
    loss.ticklabel_format(axis="y", useOffset=False)  # (a short run's loss ticks read "0.0003" under "+1.386")
    p = found["phase_change"]
    if p["step"] is not None:
        ax.axvspan(p["from_step"], p["to_step"], color="#d95f02", alpha=0.15, label="phase change")
    ax.set_ylim(0, 1)
    ax.set_xlabel("step")
    ax.set_ylabel("accuracy and detector scores")
    lines = ax.get_legend_handles_labels()
    more = loss.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", bbox_to_anchor=(0.0, -0.12), ncol=2,
              fontsize=11, frameon=False)
    fig.suptitle(title, fontsize=15, x=0.05, ha="left")
    cmap = matplotlib.colormaps["Blues"]
    panels = []
    for row, who in enumerate(("learned", "hand_built")):
        for col, key in enumerate(("A1", "V1", "A2", "V2")):
            panel = fig.add_subplot(grid[row, col + 2])
            panels.append(panel)
            share = np.zeros((4, 4))
            for r, c, s in found["shares"][who][key]:
                share[names.index(r), names.index(c)] = s
            panel.imshow(share, cmap=cmap, vmin=0.0, vmax=1.0)
            for i, j in np.argwhere(share >= 0.005):
                panel.text(j, i, f"{share[i, j]:.2f}", ha="center", va="center", fontsize=10,
                           color="white" if share[i, j] > 0.55 else "black")
            panel.set_xticks(range(4), names, fontsize=10, rotation=45, ha="right")
            panel.set_yticks(range(4), names if col == 0 else [], fontsize=10)
            panel.set_title(f"{mathtext(f'{key[0]}_{key[1]}')} {'learned' if who == 'learned' else 'hand-built'}",
                            fontsize=12)
    under = grid[2, 2:].get_position(fig)  # what the panels' numbers are, in lines as wide as the panels, just
    size = legible(FIGURE_INCHES)          # under their lowest tick label
    lines = Drawable().fit(shares, under.width * FIGURE_INCHES * 72, size, 0.55)
    renderer = fig.canvas.get_renderer()
    top = min(panel.get_tightbbox(renderer).y0 for panel in panels) / fig.bbox.height - 0.01
    fig.text(under.x0, top, "\n".join(lines), fontsize=size, ha="left", va="top")
    _by_position(fig, grid, history, found)
    out = io.BytesIO()
    fig.savefig(out, format=form, dpi=120, metadata={"Software": None} if form == "png" else {"Date": None})
    plt.close(fig)
    return out.getvalue()


def _by_position(fig, grid, history, found) -> None:
    """Olsson et al.'s two pictures: each token's loss by its position over
    training (a heatmap) and the in-context-learning score by step, with
    where each head forms."""
    steps = [h["step"] for h in history]
    losses = np.array([h["loss_by_position"] for h in history])
    heat = fig.add_subplot(grid[3, 0])
    shown = heat.imshow(losses.T, aspect="auto", origin="lower", cmap="viridis",
                        extent=(steps[0], steps[-1], 0.5, losses.shape[1] + 0.5))
    heat.set_xlabel("step")
    heat.set_ylabel("token index")
    heat.set_title("each token's loss by its position (held-out sequences)", fontsize=12)
    fig.colorbar(shown, ax=heat, fraction=0.04, pad=0.01, label="loss")
    icl = fig.add_subplot(grid[3, 2:])
    icl.plot(steps, [h["icl_score"] for h in history], linewidth=2, color="#1b9e77", label="in-context-learning score")
    formed = found.get("formation", {})
    for key, label, style in (("previous_token", "layer 1 forms (previous-token)", "--"),
                              ("induction", "induction head forms", "-.")):
        if formed.get(key) is not None:
            icl.axvline(formed[key], linestyle=style, color="#555555", label=f"{label}, step {formed[key]}")
    icl.axhline(0.0, color="#bbbbbb", linewidth=1)
    icl.set_xlabel("step (not the paper's tokens: a step is one batch)")
    icl.set_ylabel("late token's loss minus early's")
    icl.legend(loc="best", fontsize=10, frameon=False)  # (lower left lay over a curve that rose)
