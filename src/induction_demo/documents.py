"""The documents: the walkthrough (for the terminal), the handout (the
walkthrough with the model's equations, for Markdown, LaTeX and HTML) and the
weights, each a sequence of ``views`` in the lecture's order.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

from . import inputs, mechanism
from . import text as fmt
from .story import Sentence
from .trace import Layer, Trace
from .tables import (attention, halves, next_token, predictions, stream, subspaces, weight_matrix, write_a,
                     write_v)
from .views import Build, Document, Heading, Heatmaps, Math, Panel, Paragraph, Slide, Split, Table, count

Told = Optional[Dict[int, List[Sentence]]]
"""The story of a run, told once per trace (story.story), or None for none."""


LAYER_SUMMARY = {
    1: (Math("A_1"), " scores key position i-1 for query i; ", Math("V_1"),
        " copies the key's token and position into the previous half."),
    2: (Math("A_2"), " scores keys whose previous token is the query's (", Math("a_ij = s [x_i = x_(j-1)]"), "); ",
        Math("V_2"), " keeps the key's current half."),
}

JOB = {
    1: "[ ] = where the head does its job: the key just before the query",
    2: "[ ] = where the head does its job: the key right after an earlier copy of the query's token",
}

EQUATIONS = (
    ("Representation of token i: ", Math("y_i = [tok(x_i) | pos(i) | prev tok | prev pos]"),
     ", d = 2(V + N); at layer 0 the previous half is empty."),
    ("Attention logits: ", Math("a_ij = y_i A_l y_j^T"), " (rows: queries i, columns: keys j)."),
    ("Masked attention: a query keeps only the keys ", Math("j < i"), "."),
    ("Weights: ", Math("w_ij = exp(a_ij) / sum_(k<i) exp(a_ik)"),
     " over the kept keys; position 0 keeps none and attends nowhere."),
    ("Layer 1 (previous-token head): ", Math("A_1 = s [pos(key) = pos(query) - 1]"), ", ",
     Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1"), ", so ", Math("y_i^(1) = [x_i, i | x_(i-1), i-1]"), "."),
    ("Layer 2 (induction head): ", Math("A_2 = s [tok(query) = prev tok(key)]"), ", so ",
     Math("a_ij = s [x_i = x_(j-1)]"), "; ", Math("Y^(2) = W^(2) Y^(1) V_2"), "."),
    ("Prediction at i: the token with the largest share of ", Math("Y^(2)"),
     "'s token columns, where ", Math("x_i"), " occurred at some ", Math("k <= i - 2"), "."),
    ("Next-token probabilities: ", Math("P = softmax(Y^(2) W_U / T)"), " with the unembedding ",
     Math("W_U = E^T"), " (the transpose of the token embedding) and temperature T."),
)


def summary(trace: Trace, run_details: bool = True) -> Paragraph:
    return Paragraph((
        count(trace.n, "token") + ": " + " ".join(fmt.token(t) for t in trace.tokens)
        + f"\nV = {count(len(trace.vocab), 'distinct token')}, N = {count(trace.n, 'position')}, "
        f"d = 2(V + N) = {trace.basis.d}, scale s = {fmt.parameter(trace.scale, fmt.LOGIT_DECIMALS)}"
        + (f", temperature T = {fmt.parameter(trace.temperature, fmt.WEIGHT_DECIMALS)}" if run_details else "")
        + (f"\nAblated: the {trace.ablate} head (its output is replaced by zeros)" if trace.ablate else ""),
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
    l, previous = layer.index, f"Y^({layer.index - 1})"
    ablated = " (ablated: its output is replaced by zeros)" if layer.ablated else ""
    out: list = [Heading(f"Layer {l}: {layer.name}{ablated}"), Paragraph(LAYER_SUMMARY[l])]
    if matrices:
        out += fit(matrix(
            trace, f"layer{l}.A",
            (Math(f"A_{l}"), " (d x d; s = scale, · = 0; rows: query directions, columns: key directions)"),
            layer.only.head.qk, write_a(layer.scale), layer.scale, compact))
    update = f"{previous} + W^(1) {previous} V_1" if l == 1 else f"W^(2) {previous} V_2"
    job = mechanism.cells(trace, layer)
    for table in (
        fit(lambda shown: attention(
            trace, f"layer{l}.logits",
            ("Attention logits ", Math(f"a_ij = y_i A_{l} y_j^T"), f" (rows: queries i, columns: keys j; {JOB[l]})"),
            layer.logits, fmt.LOGIT_DECIMALS, job=job, shown=shown, vmax=layer.scale)),
        fit(quieted(lambda shown, notes: attention(
            trace, f"layer{l}.masked",
            ("Masked attention: query i keeps keys ", Math("j < i"), f" (× = masked; {JOB[l]})"),
            layer.logits, fmt.LOGIT_DECIMALS, mask=layer.mask, job=job, quiet=True, shown=shown, vmax=layer.scale,
            notes=notes))),
        fit(quieted(lambda shown, notes: attention(
            trace, f"layer{l}.weights",
            ("Attention weights ", Math(f"W^({l})"), f": softmax over each row's kept keys ({JOB[l]})"),
            layer.weights, fmt.WEIGHT_DECIMALS, mask=layer.mask, job=job, quiet=True, shown=shown, notes=notes))),
        fit(streamed(trace, f"layer{l}.output", ("Layer output ", Math(f"Y^({l}) = {update}"), " (· = exactly 0)"),
                     layer.output, compact)),
    ):
        out += table
    if sentences:
        out.append(Paragraph((f"What layer {l} did on this string:",)))
        out += [Paragraph(("• ",) + sentence.parts) for sentence in sentences]
    return out


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
    y, about = (trace.embedding, ": one-hot token and position; the previous half is empty (· = exactly 0)") \
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
    model = [Heading("The model")] + [Paragraph(line) for line in EQUATIONS]
    return Document(walk.title, walk.blocks[:1] + tuple(model) + walk.blocks[1:])


def title(trace: Trace) -> str:
    return "Induction heads, step by step: " + " ".join(fmt.token(t) for t in trace.tokens)


def weights(trace: Trace, fit: Fit = whole, compact: bool = False) -> Document:
    """A_1, V_1, A_2, V_2 as labelled tables (``compact``: their nonzero blocks only)."""
    blocks: list = [summary(trace, run_details=False)]
    for layer in trace.layers:
        l = layer.index
        blocks += fit(matrix(trace, f"A_{l}", (Math(f"A_{l}"), f", {layer.name} (s = scale, · = 0)"),
                             layer.only.head.qk, write_a(layer.scale), layer.scale, compact))
        blocks += fit(matrix(trace, f"V_{l}",
                             (Math(f"V_{l}"), f", {layer.name} (rows: input directions, columns: output directions)"),
                             layer.only.head.ov, write_v, 1.0, compact))
    return Document(title(trace), tuple(blocks))


def slide(trace: Trace, told: Told = None) -> Slide:
    """The lecture's point on one 16:9 picture: the induction head's weights,
    its job marked, the predictions beside them and its story."""
    layer = trace.layers[-1]
    job = mechanism.cells(trace, layer)
    weights = attention(trace, "slide.weights",
                        ("Attention weights ", Math(f"W^({layer.index})"), f" of the {layer.name} ({JOB[layer.index]})"),
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
        panels=tuple(Panel(layer.index, f"Layer {layer.index}: {layer.name}", layer.weights, layer.mask,
                           tuple("".join(p if isinstance(p, str) else f"‘{p.text}’" for p in s.parts)
                                 for s in (told or {}).get(layer.index, ())),
                           mechanism.cells(trace, layer) & layer.mask, JOB[layer.index])
                     for layer in trace.layers if layer.index in layers))
