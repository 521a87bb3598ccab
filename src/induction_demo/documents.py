"""The documents: the walkthrough (for the terminal), the handout (the
walkthrough with the model's equations, for Markdown, LaTeX and HTML) and the
weights, each a sequence of ``views`` in the lecture's order.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

from . import describe, inputs, mechanism
from . import text as fmt
from .story import Sentence
from .trace import Layer, Trace
from .tables import (attention, halves, next_token, predictions, stream, subspaces, weight_matrix, write_a,
                     write_v)
from .views import Build, Document, Heading, Heatmaps, Math, Panel, Paragraph, Slide, Split, Table, count

Told = Optional[Dict[int, List[Sentence]]]
"""The story of a run, told once per trace (story.story), or None for none."""


def summary(trace: Trace, run_details: bool = True) -> Paragraph:
    return Paragraph((
        count(trace.n, "token") + ": " + " ".join(fmt.token(t) for t in trace.tokens)
        + f"\nV = {count(len(trace.vocab), 'distinct token')}, N = {count(trace.n, 'position')}, "
        f"d = {len(trace.basis.names) // 2}(V + N) = {trace.basis.d}, "
        f"scale s = {fmt.parameter(trace.scale, fmt.LOGIT_DECIMALS)}"
        + (f", temperature T = {fmt.parameter(trace.temperature, fmt.WEIGHT_DECIMALS)}" if run_details else "")
        + (f"\nAblated: the {trace.ablate} head (its output is replaced by zeros)" if trace.ablate else "")
        + (f"\nModel: the lecture's, with {describe.variant(trace.construction)}"
           if describe.variant(trace.construction) else ""),
    ))


Fit = Callable[["Build | Split"], List[Table]]
"""Chooses how a table is shown: whole, in the parts of a Split, or as a window."""


def whole(build: Build | Split) -> list[Table]:
    return [(build.whole if isinstance(build, Split) else build)(None)]


def streamed(trace: Trace, key: str, title: tuple, y, compact: bool) -> Split:
    """Y whole, or (on a narrow screen) half by half, or subspace by subspace."""
    def part(where):
        return lambda shown: stream(trace, f"{key}.{where[1][0]}", title, y, shown, compact, where)
    return Split(lambda shown: stream(trace, key, title, y, shown, compact),
                 (tuple(map(part, halves(trace))), tuple(map(part, subspaces(trace)))))


def quieted(build) -> Split:
    """An attention table with its margin notes, or (on a narrow screen) without them."""
    return Split(lambda shown: build(shown, True), ((lambda shown: build(shown, False),),))


def matrix(trace: Trace, key: str, title: tuple, blocks, write, vmax: float, compact: bool) -> Split:
    """A d x d matrix whole, or (on a narrow screen) its nonzero blocks."""
    return Split(lambda shown: weight_matrix(trace, key, title, blocks, write, shown, vmax, compact),
                 () if compact else ((lambda shown: weight_matrix(trace, key, title, blocks, write, shown, vmax,
                                                                  True),),))


def layer_blocks(trace: Trace, layer: Layer, matrices: bool = True, fit: Fit = whole,
                 sentences: list | None = None, compact: bool = False) -> list:
    l, previous, c = layer.index, f"Y^({layer.index - 1})", trace.construction
    ablated = " (ablated: its output is replaced by zeros)" if layer.ablated else ""
    out: list = [Heading(f"Layer {l}: {layer.name}{ablated}"), Paragraph(describe.layer_summary(c, l))]
    several = len(layer.heads) > 1
    for run in layer.heads:
        of = f" of the {run.head.name}" if several else ""
        legend = describe.job(c, l, run.head)
        if matrices:
            out += fit(matrix(
                trace, f"layer{l}.A" + _key(run, several),
                (Math(f"A_{l}"), f"{of} (d x d; s = scale, · = 0; rows: query directions, columns: key directions)"),
                run.head.qk, write_a(run.head.unit), run.head.scale, compact))
        job = mechanism.cells(trace, (run,))
        for table in (
            fit(lambda shown: attention(
                trace, f"layer{l}.logits" + _key(run, several),
                ("Attention logits ", Math(f"a_ij = y_i A_{l} y_j^T"),
                 f"{of} (rows: queries i, columns: keys j; {legend})"),
                run.logits, fmt.LOGIT_DECIMALS, job=job, shown=shown, vmax=run.head.scale)),
            fit(quieted(lambda shown, notes: attention(
                trace, f"layer{l}.masked" + _key(run, several),
                ("Masked attention" + of + ": query i keeps keys ", Math(describe.kept(c)),
                 f" (× = masked; {legend})"),
                run.logits, fmt.LOGIT_DECIMALS, mask=layer.mask, job=job, quiet=True, shown=shown,
                vmax=run.head.scale, notes=notes))),
            fit(quieted(lambda shown, notes: attention(
                trace, f"layer{l}.weights" + _key(run, several),
                ("Attention weights ", Math(f"W^({l})"), f"{of}: softmax over each row's kept keys ({legend})"),
                run.weights, fmt.WEIGHT_DECIMALS, mask=layer.mask, job=job, quiet=True, shown=shown,
                notes=notes))),
        ):
            out += table
    if l == 1 and several:
        update = f"{previous} + sum_o W^(o) {previous} V_o"
    else:
        update = f"{previous} + W^(1) {previous} V_1" if l == 1 else f"W^(2) {previous} V_2"
    out += fit(streamed(trace, f"layer{l}.output", ("Layer output ", Math(f"Y^({l}) = {update}"),
                                                     " (· = exactly 0)"), layer.output, compact))
    if sentences:
        out.append(Paragraph((f"What layer {l} did on this string:",)))
        out += [Paragraph(("• ",) + sentence.parts) for sentence in sentences]
    return out


def _key(run, several: bool) -> str:
    """A table's key suffix for one head of a layer with several."""
    return f".{run.head.name.split()[0]}" if several else ""


def walkthrough(trace: Trace, told: Told = None, layers=(1, 2), matrices: bool = True,
                fit: Fit = whole, compact: bool = False, intact: Trace | None = None) -> Document:
    """Input, each chosen layer in the lecture's order (with ``told``, its
    story, unless None), the predictions and the next-token probabilities.

    ``fit(build)`` chooses how each table is shown: ``build(shown)`` builds
    it for the positions ``shown`` (None: all), and a ``Split`` offers
    narrower parts too; the default shows every table whole.
    ``compact`` shows each A_l as its nonzero blocks only and leaves out the
    all-zero column blocks of each Y. ``intact``, the same input run with
    nothing ablated, puts its predictions beside an ablated run's."""
    first = min(layers)  # a layer's view starts from its own input, Y^(first - 1)
    empty = "the previous half is empty" if len(trace.basis.names) == 4 else "the earlier halves are empty"
    y, about = (trace.embedding, f": one-hot token and position; {empty} (· = exactly 0)") \
        if first == 1 else (trace.layers[first - 2].output, f": the output of layer {first - 1} (· = exactly 0)")
    blocks: list = [summary(trace), *fit(streamed(trace, "input", ("Input ", Math(f"Y^({first - 1})"), about), y,
                                                  compact))]
    for layer in trace.layers:
        if layer.index in layers:
            blocks += layer_blocks(trace, layer, matrices, fit, (told or {}).get(layer.index), compact)
    # A row per position, whatever the width: never a window.
    source = "" if trace.layers[-1].index in layers else (
        f"; read off layer {trace.layers[-1].index}'s output, which this view does not show")
    copies = mechanism.copies(trace)
    short = 6  # a narrow screen: tokens cut to 6 cells, before anything else; never a window
    blocks += fit(Split(lambda shown: predictions(trace, source, copies, intact),
                        ((lambda shown: predictions(trace, source, copies, intact, short),),), window=False))
    blocks += fit(Split(lambda shown: next_token(trace), ((lambda shown: next_token(trace, cells=short),),),
                        window=False))
    return Document(title(trace), tuple(blocks))


def handout(trace: Trace, told: Told = None, layers=(1, 2), matrices: bool = True,
            intact: Trace | None = None, compact_d: int = inputs.COMPACT_D) -> Document:
    """The walkthrough with the model's equations first: for documents.
    Past d = ``compact_d``, each A_l shows only its nonzero blocks."""
    walk = walkthrough(trace, told, layers, matrices, compact=trace.basis.d > compact_d, intact=intact)
    model = [Heading("The model")] + [Paragraph(line) for line in describe.equations(trace.construction)]
    return Document(walk.title, walk.blocks[:1] + tuple(model) + walk.blocks[1:])


def title(trace: Trace) -> str:
    return "Induction heads, step by step: " + " ".join(fmt.token(t) for t in trace.tokens)


def weights(trace: Trace, fit: Fit = whole, compact: bool = False) -> Document:
    """A_1, V_1, A_2, V_2 as labelled tables (``compact``: their nonzero blocks only)."""
    blocks: list = [summary(trace, run_details=False)]
    for layer in trace.layers:
        l, several = layer.index, len(layer.heads) > 1
        for run in layer.heads:
            head = run.head
            blocks += fit(matrix(trace, f"A_{l}" + _key(run, several),
                                 (Math(f"A_{l}"), f", {head.name} (s = scale, · = 0)"),
                                 head.qk, write_a(head.unit), head.scale, compact))
            blocks += fit(matrix(trace, f"V_{l}" + _key(run, several),
                                 (Math(f"V_{l}"), f", {head.name} (rows: input directions, columns: output directions)"),
                                 head.ov, write_v, 1.0, compact))
    return Document(title(trace), tuple(blocks))


def slide(trace: Trace, told: Told = None) -> Slide:
    """The lecture's point on one 16:9 picture: the induction head's weights,
    its job marked, the predictions beside them and its story."""
    layer = trace.layers[-1]
    job = mechanism.cells(trace, layer)
    weights = attention(trace, "slide.weights",
                        ("Attention weights ", Math(f"W^({layer.index})"),
                         f" of the {layer.name} ({describe.job(trace.construction, layer.index)})"),
                        layer.weights, fmt.WEIGHT_DECIMALS, mask=layer.mask, job=job, quiet=True, notes=False)
    story = tuple("".join(p if isinstance(p, str) else f"‘{p.text}’" for p in s.parts)
                  for s in (told or {}).get(layer.index, ()))
    return Slide(title(trace), weights, predictions(trace, copies=mechanism.copies(trace)), story,
                 heatmaps(trace, told, (layer.index,)).panels[0],
                 tuple(f"{fmt.token(t)} @{i}" for i, t in enumerate(trace.tokens)))


def heatmaps(trace: Trace, told: Told = None, layers=(1, 2)) -> Heatmaps:
    """Each chosen layer's attention weights, with its story, for a picture."""
    return Heatmaps(
        labels=tuple(f"{fmt.token(t)} @{i}" for i, t in enumerate(trace.tokens)),
        panels=tuple(Panel(layer.index, f"Layer {layer.index}: {run.head.name}", run.weights, layer.mask,
                           tuple("".join(p if isinstance(p, str) else f"‘{p.text}’" for p in s.parts)
                                 for s in (told or {}).get(layer.index, ()) if run is layer.heads[-1]),
                           mechanism.cells(trace, (run,)) & layer.mask,
                           describe.job(trace.construction, layer.index, run.head))
                     for layer in trace.layers if layer.index in layers for run in layer.heads))
