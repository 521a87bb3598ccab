"""The documents: the walkthrough (for the terminal), the handout (the
walkthrough with the model's equations, for Markdown, LaTeX and HTML) and the
weights, each a sequence of ``views`` in the lecture's order.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

import numpy as np

from ..words import describe
from ..base import inputs
from ..core import mechanism
from ..base import text as fmt
from ..words.story import Sentence
from ..core.trace import Layer, Trace
from .tables import (attention, circuit, composition_table, halves, next_token, pieces, planes, predictions,
                     priority, rope_table, similarities, stream, subspaces, textbook_matrix, token_vectors,
                     weight_matrix, a_legend, a_writer, write_a, write_v, idle)
from .views import Build, Cell, Document, Heading, Heatmaps, Math, Panel, Paragraph, Row, Slide, Split, Table, count

Told = Optional[Dict[int, List[Sentence]]]
"""The story of a run, told once per trace (story.story), or None for none."""


def summary(trace: Trace, run_details: bool = True) -> Paragraph:
    file = trace.construction.model
    head = (count(trace.n, "token") + ": " + " ".join(fmt.token(t) for t in trace.tokens)
            + f"\nV = {count(len(trace.vocab), 'distinct token' if file is None else 'token')}, "
            + f"N = {count(trace.basis.n_positions, 'position')}, "
            + ("" if trace.words is None else f"m = {len(trace.basis.features)} token features, ")
            + f"d = {describe.width(trace.construction, trace.words is not None)} = {trace.basis.d}, ")
    heads = (f"scale s = {fmt.parameter(trace.scale, fmt.LOGIT_DECIMALS)}",) if file is None else \
        describe.file_heads(file) + (f" from {file.name}",)
    tail = ((f", temperature T = {fmt.parameter(trace.temperature, fmt.WEIGHT_DECIMALS)}" if run_details else "")
            + (f"\nAblated: {describe.ablated_heads(trace.layers)} ({describe.replaced(trace.layers)})"
               if trace.ablate else "")
            + (f"\nModel: {describe.model_line(trace.construction)}"
               if describe.variant(trace.construction) and file is None else ""))
    return Paragraph((head,) + heads + ((tail,) if tail else ()))


Fit = Callable[["Build | Split"], List[Table]]
"""Chooses how a table is shown: whole, in the parts of a Split, or as a window."""


def whole(build: Build | Split) -> list[Table]:
    return [(build.whole if isinstance(build, Split) else build)(None)]


def streamed(trace: Trace, key: str, title: tuple, y, compact: bool, same: dict | None = None) -> Split:
    """Y whole, or (on a narrow screen) half by half, or subspace by subspace:
    the parts that hold a nonzero entry, each saying which columns are all 0
    and left out (a table of dots for each empty part took two screens of
    `lecture` under --context 2). Whole, Y leaves out the subspaces ``same``
    names (``unchanged``)."""
    held = [name for name in trace.basis.names if y.nonzero(name)] or list(trace.basis.names[:1])

    def parts(where: list) -> tuple:
        return tuple((lambda shown, w=w: stream(trace, f"{key}.{w[1][0]}", title, y, shown, True, w))
                     for w in where if any(name in held for name in w[1]))
    levels = (parts(halves(trace)), parts(subspaces(trace)))
    if any(s.kind == "sin" for s in trace.basis.subspaces):  # then a position code in pieces
        levels += (parts(pieces(trace)),)
    return Split(lambda shown: stream(trace, key, title, y, shown, compact, same=same), levels)


def quieted(build) -> Split:
    """An attention table with its margin notes, or (on a narrow screen) without them."""
    return Split(lambda shown: build(shown, True), ((lambda shown: build(shown, False),),))


def matrix(trace: Trace, key: str, title: tuple, blocks, write, vmax: float, compact: bool) -> Split:
    """A d x d matrix whole, or (on a narrow screen) its nonzero blocks; a
    rotation block on a sinusoidal position code, then plane by plane."""
    levels = () if compact else ((lambda shown: weight_matrix(trace, key, title, blocks, write, shown, vmax,
                                                              True),),)
    pairs = list(dict.fromkeys((b.rows, b.cols) for b in blocks))
    if len(pairs) > 1:  # then each nonzero block alone (the blocks on one pair of subspaces together)
        levels += (tuple((lambda shown, p=p: weight_matrix(
            trace, f"{key}.{p[0]}.{p[1]}", title, tuple(b for b in blocks if (b.rows, b.cols) == p), write, shown,
            vmax, True)) for p in pairs),)
    if any(trace.basis.subspaces[trace.basis.names.index(b.rows)].kind == "sin" for b in blocks):
        levels += ((lambda shown: planes(trace, key + ".planes", title, blocks),),)
    return Split(lambda shown: weight_matrix(trace, key, title, blocks, write, shown, vmax, compact), levels)


def layer_opening(trace: Trace, layer: Layer) -> list:
    """A layer's heading (saying when it is ablated) and its one-line summary."""
    cut = describe.ablated_in(layer)
    note = f" ({cut}: {describe.replaced((layer,))})" if cut else ""
    return [Heading(f"Layer {layer.index}: {layer.name}{note}"),
            Paragraph(describe.layer_summary(trace.construction, tuple(run.head for run in layer.heads), layer.index))]


def unchanged(trace: Trace, layer: Layer, shown_in: dict, compact: bool) -> dict:
    """The subspaces a layer that adds to its input leaves as they were, cell for cell, each with the
    symbol of the Y it was printed in last (``shown_in``): a long handout does not print them again. Only the
    subspaces its table would print (``compact``: the nonzero ones), and none where that would leave it
    none (an ablated layer's output is its input)."""
    if not layer.residual:
        return {}
    printed = [name for name in trace.basis.names if layer.output.nonzero(name) or not compact]
    same = {name: shown_in[name] for name in printed if layer.output.same(trace.stream(layer.index - 1), name)}
    return same if len(same) < len(printed) else {}


def layer_blocks(trace: Trace, layer: Layer, matrices: bool = True, fit: Fit = whole,
                 sentences: list | None = None, compact: bool = False, repeats: bool = True,
                 same: dict | None = None) -> list:
    """A layer's opening, its heads' A and tables, its output Y^(l) and (``sentences``) its story. With
    ``repeats`` False (a long handout's, which leaves out the tables that repeat cells printed before) the
    masked logits are said in the logits' caption and not printed; Y^(l) leaves out the subspaces ``same``
    names (``unchanged``)."""
    l, previous, c = layer.index, f"Y^({layer.index - 1})", trace.construction
    heads = tuple(run.head for run in layer.heads)
    out: list = layer_opening(trace, layer)
    note = describe.positions_note(c, heads, l) if any(h.looks_back for h in heads) else ()
    if note:
        out.append(Paragraph(note))
    several = len(layer.heads) > 1
    for run in layer.heads:
        of = f" of the {run.head.name}" if several else ""
        legend = describe.job(c, run.head)
        if matrices:
            out += positional(trace, run, f"layer{l}", of, fit, compact)
        job = mechanism.cells(trace, (run,))
        masked = [] if not repeats else fit(quieted(lambda shown, notes: attention(
                trace, f"layer{l}.masked" + head_suffix(run, several),
                ("Masked attention" + of + ": query i keeps keys ", Math(describe.kept(c)),
                 f" (× = masked; {legend})"),
                run.logits, fmt.LOGIT_DECIMALS, mask=layer.mask, job=job, quiet=run.head.held, shown=shown,
                idle=idle(run.head), vmax=run.head.scale, notes=notes)))
        out += fit(lambda shown: logits_table(trace, layer, run, job, shown, said=not repeats))
        out += masked
        out += fit(quieted(lambda shown, notes: weights_table(trace, layer, run, job, shown, notes)))
    writes = f"sum_o W^(o) {previous} V_o" if several else f"W^({l}) {previous} V_{l}"
    update = f"{previous} + {writes}" if layer.residual else writes
    out += fit(streamed(trace, f"layer{l}.output", ("Layer output ", Math(f"Y^({l}) = {update}"),
                                                     " (· = exactly 0)"), layer.output, compact, same))
    if sentences:
        out.append(Paragraph((f"What layer {l} did on this string:",)))
        out += [Paragraph(("• ",) + sentence.parts) for sentence in sentences]
    return out


def logits_table(trace: Trace, layer: Layer, run, job, shown, focused: bool = False, said: bool = False) -> Table:
    """A head's attention logits, its job marked: the walkthrough's and (``focused``) the focused handout's;
    ``said``: saying the masked attention, which is not printed."""
    several, c, l = len(layer.heads) > 1, trace.construction, layer.index
    of = f" of the {run.head.name}" if several else ""
    masked = ("; the masked attention, these logits on the keys ", Math(describe.kept(c)),
              " only, is not printed again: the weights below mark the other keys ×") if said else ()
    return attention(trace, f"layer{l}.logits" + head_suffix(run, several), (
        "Attention logits ", Math(describe.logit_formula(c, l, run.head)),
        f"{of} (rows: queries i, columns: keys j; {describe.job(c, run.head)}", *masked, ")"),
        run.logits, fmt.LOGIT_DECIMALS, job=job, shown=shown, vmax=run.head.scale, focused=focused)


def weights_table(trace: Trace, layer: Layer, run, job, shown, notes: bool = True, focused: bool = False) -> Table:
    """A head's attention weights, its job marked and quiet rows noted."""
    several, l = len(layer.heads) > 1, layer.index
    of = f" of the {run.head.name}" if several else ""
    return attention(trace, f"layer{l}.weights" + head_suffix(run, several), (
        "Attention weights ", Math(f"W^({l})"),
        f"{of}: softmax over each row's kept keys ({describe.job(trace.construction, run.head)})"),
        run.weights, fmt.WEIGHT_DECIMALS, mask=layer.mask, job=job, quiet=run.head.held, shown=shown, notes=notes,
        idle=idle(run.head), focused=focused)


DENSE_BLOCKS = 4
"""A model file's A with more nonzero blocks than this (a learned A_2 has
all 16) is shown on the screen as its block shares and largest entries,
not as a table per block (1,200 lines at 80 columns); --full shows it whole."""
LARGEST = 8  # entries a dense matrix's summary lists


def dense_summary(trace: Trace, key: str, symbol: str, of: str, head, shares: dict) -> list:
    """A dense A (a learned or a stranger's file) as two small tables: each
    block's share of the sum of squared entries (``shares``, the file's own:
    modelfile.Model.shares), and its largest entries."""
    from ..core.weights import dense

    matrix_ = dense(head.qk, trace.basis)
    names = trace.basis.names
    top = float(np.abs(matrix_).max(initial=0.0))
    rows = tuple(Row((r,), tuple(Cell(f"{shares.get((r, c), 0.0):.0%}", shares.get((r, c), 0.0)) for c in names))
                 for r in names)
    shares = Table(key + ".shares", (Math(symbol), f"{of}: its weight by block, each block's share of the sum of "
                                     "squared entries (rows: the query's subspace, columns: the key's); dense, so "
                                     "shown as its blocks and largest entries (--full: every entry)"),
                   ("query \\ key",), tuple((c,) for c in names), rows, vmax=1.0)
    flat = np.argsort(-np.abs(matrix_), axis=None, kind="stable")[:LARGEST]
    labels = trace.basis.labels
    entries = tuple(Row((f"{labels[int(k) // trace.basis.d]} · {labels[int(k) % trace.basis.d]}",),
                        (Cell(fmt.number(float(matrix_.flat[k]), fmt.LOGIT_DECIMALS), abs(float(matrix_.flat[k]))),))
                    for k in flat if matrix_.flat[k] != 0)
    largest = Table(key + ".largest", (Math(symbol), f"{of}: its {len(entries)} largest entries in absolute value"),
                    ("query · key direction",), (("entry",),), entries, vmax=top or 1.0)
    return [shares, largest]


NOTHING_TO_READ = "with no position encoding it has nothing to read"  # (a NoPE head's A, in either form)
READS = {"A": ("its ", Math("A")), "bias": ("its relative position bias",), "rope": ("its rotary query and key",)}
"""What ``positional`` shows of a head, by its tables' key (``{prefix}.A``, ``.bias``, ``.rope``): a step's title."""


def positional(trace: Trace, run, prefix: str, of: str, fit: Fit, compact: bool) -> list:
    """A head's A as a d x d table; for a head that reads positions another way,
    its relative bias b_(i-j), its RoPE query and key, or (NoPE) nothing."""
    head, l = run.head, prefix[-1]
    several = of != ""
    out: list = []
    if head.qk and fit is not whole and trace.construction.model is not None and \
            len({(b.rows, b.cols) for b in head.qk}) > DENSE_BLOCKS:
        from ..core.modelfile import symbol  # (a file's only: off show's start-up path)

        layer = trace.layers[int(l) - 1]
        file_key = symbol(layer.index, next(h for h, r in enumerate(layer.heads) if r is run), len(layer.heads))
        shares = {(r, c): share for r, c, share in trace.construction.model.shares(file_key)}
        return out + dense_summary(trace, f"{prefix}.A" + head_suffix(run, several), f"A_{l}", of, head, shares)
    if head.qk:
        out += fit(matrix(
            trace, f"{prefix}.A" + head_suffix(run, several),
            (Math(f"A_{l}"), f"{of} (d x d; {a_legend(head)}; rows: query directions, columns: key directions)"),
            head.qk, a_writer(head), head.scale, compact))
    if head.bias:
        b = head.bias_table(trace.n)
        out += fit(lambda shown: attention(
            trace, f"{prefix}.bias" + head_suffix(run, several),
            ("Relative position bias ", Math("b_(i-j)"), f"{of}, added to every logit (rows: queries i, columns: "
             "keys j; ", *[part for k, (o, v) in enumerate(head.bias) for part in (", " if k else "", Math(
                 f"b_{o} = {fmt.parameter(v, fmt.LOGIT_DECIMALS)}")) if part], ", 0 elsewhere)"),
            b, fmt.LOGIT_DECIMALS, shown=shown, vmax=head.scale))
    if head.rope is not None:
        out += fit(Split(lambda shown: rope_table(
            f"{prefix}.rope" + head_suffix(run, several),
            ("Rotary query q and key k", of, ", the same for every token, per plane m "
             f"(K = {len(head.rope.frequencies)}"
             "): at position p each plane is turned by the angle ", Math("w_m p"), ", so ", Math("<R_i q, R_j k>"),
             " depends on ", Math("i - j"), " only; the key starts turned by ", Math("w_m"), " times the offset. "
             "Columns: ", Math("w_m"), ", the query ", Math("q = (q_1, q_2)"), " and the key ", Math("k = (k_1, k_2)")),
            head.rope), (), window=False))
    if not (head.qk or head.bias or head.rope is not None):
        out.append(Paragraph((Math(f"A_{l}"), f"{of} is 0: every logit is 0.") if trace.construction.model is not None
                             else (Math(f"A_{l}"), f"{of} is 0: {NOTHING_TO_READ}, and every logit is 0.")))
    return out


def head_suffix(run, several: bool) -> str:
    """A table's key suffix for one head of a layer with several: its name ("previous-token", "head-1.0";
    a file's heads are "head 1.0", "head 1.1", which their first word would not tell apart)."""
    return "." + run.head.name.removesuffix(" head").replace(" ", "-") if several else ""


def walkthrough(trace: Trace, told: Told = None, layers=None, matrices: bool = True,
                fit: Fit = whole, compact: bool = False, repeats: bool = True) -> Document:
    """Input, each chosen layer in the lecture's order (with ``told``, its
    story, unless None), the predictions and the next-token probabilities.

    ``fit(build)`` chooses how each table is shown: ``build(shown)`` builds
    it for the positions ``shown`` (None: all), and a ``Split`` offers
    narrower parts too; the default shows every table whole.
    ``compact`` shows each A_l as its nonzero blocks only and leaves out the
    all-zero column blocks of each Y. ``repeats`` False leaves out the
    tables that repeat cells printed before them (a long handout's): the
    masked logits (the logits on the keys kept, which the weights mark) are
    said in the logits' caption, not printed, and each Y leaves out the
    subspaces it holds unchanged from the Y printed before it.
    An ablated run's predictions have the intact model's beside them
    (``Trace.intact``)."""
    layers = trace.shown(layers)
    first = min(layers)  # a layer's view starts from its own input, Y^(first - 1)
    empty = describe.empty(trace.construction)
    start = describe.layer0(trace.construction, trace.words is not None)
    y, about = (trace.embedding, f": {start}; {empty} (· = exactly 0)") \
        if first == 1 else (trace.stream(first - 1), f": the output of layer {first - 1} (· = exactly 0)")
    blocks: list = [summary(trace)]
    if trace.words is not None:  # dense token vectors: how similar each pair is
        blocks += fit(Split(lambda shown: similarities(trace, shown), ()))
    blocks += fit(streamed(trace, "input", ("Input ", Math(f"Y^({first - 1})"), about), y, compact))
    shown_in = dict.fromkeys(trace.basis.names, f"Y^({first - 1})")  # where each subspace was printed last
    for layer in trace.layers:
        if layer.index in layers:
            same = None if repeats else unchanged(trace, layer, shown_in, compact)
            blocks += layer_blocks(trace, layer, matrices, fit, (told or {}).get(layer.index), compact, repeats,
                                   same)
            shown_in.update((name, f"Y^({layer.index})") for name in trace.basis.names if name not in (same or {}))
    # A row per position, whatever the width: never a window.
    source = "" if trace.layers[-1].index in layers else (
        f"; read off layer {trace.layers[-1].index}'s output, which this view does not show")
    short = 6  # a narrow screen: tokens cut to 6 cells, before anything else; never a window
    blocks += fit(Split(lambda shown: predictions(trace, source),
                        ((lambda shown: predictions(trace, source, cells=short),),), window=False))
    blocks += fit(Split(lambda shown: next_token(trace), ((lambda shown: next_token(trace, cells=short),),),
                        window=False))
    return Document(title(trace), tuple(blocks))


def handout(trace: Trace, told: Told = None, layers=None, matrices: bool = True,
            compact_d: int = inputs.COMPACT_D) -> Document:
    """The walkthrough with the model's equations first: for documents.
    Past d = ``compact_d``, each A_l shows only its nonzero blocks. Past
    inputs.FOCUS_TOKENS (``--full``: the lecture's walkthrough is short),
    the repeats are left out (``walkthrough``'s ``repeats``)."""
    layers = trace.shown(layers)
    walk = walkthrough(trace, told, layers, matrices, compact=trace.basis.d > compact_d,
                       repeats=trace.n <= inputs.FOCUS_TOKENS)
    model = [Heading("The model")] + [Paragraph(line) for line in describe.equations(trace.construction)]
    return Document(walk.title, walk.blocks[:1] + tuple(model) + walk.blocks[1:])


def focused(trace: Trace, told: Told = None, layers=None) -> Document:
    """A long input's handout (past inputs.FOCUS_TOKENS; ``--full`` gives
    ``handout``): the model's equations, each layer's summary and story, the
    induction head's logits and weights on its copying queries (the rows) and
    every key they attend to, then the earlier copies and other positions up
    to FOCUS_COLUMNS (the columns: ``focus_columns``), and the predictions."""
    layers = trace.shown(layers)
    keys = marked_keys(trace)
    shown = focus_columns(trace, keys)
    model = [Heading("The model")] + [Paragraph(line) for line in describe.equations(trace.construction)]
    copying = sum(1 for p in trace.predictions if p.copy)
    horizon = trace.predictions[0].horizon  # (a key copied from stands this far after its earlier copy)
    earlier = {k - horizon for k in keys if k >= horizon}
    held = len(earlier & set(shown))
    blocks: list = [summary(trace), *model, Paragraph((
        f"A focused handout for {trace.n} tokens: layer {trace.layers[-1].index}'s logits and weights on its "
        f"{copying} copying {'query' if copying == 1 else 'queries'} (the rows) and every key they copy from, "
        + ("with the earlier copies" if held == len(earlier) else
           f"with {held} of the {len(earlier)} earlier copies")
        + f" (the columns, {len(shown)} of {trace.n}); ⋮ and … stand for the rows and columns left out. Every "
        "matrix: the same command with --full.",))]
    for layer in trace.layers:
        if layer.index not in layers:
            continue
        l = layer.index
        blocks += layer_opening(trace, layer)
        if layer is trace.layers[-1]:
            for run in layer.heads:
                job = mechanism.cells(trace, (run,))
                blocks += [logits_table(trace, layer, run, job, shown, focused=True),
                           weights_table(trace, layer, run, job, shown, focused=True)]
        sentences = (told or {}).get(l)
        if sentences:
            blocks.append(Paragraph((f"What layer {l} did on this string:",)))
            blocks += [Paragraph(("• ",) + sentence.parts) for sentence in sentences]
    blocks += [predictions(trace), next_token(trace)]
    return Document(title(trace), tuple(blocks))


FOCUS_COLUMNS = 16  # keys a focused handout's tables show, unless its copying rows mark more


def focus_columns(trace: Trace, marked: list[int]) -> list[int]:
    """A focused handout's key columns: every key a copying row marks (where
    the last layer does its job, with weight), so no copy is hidden; then, up
    to FOCUS_COLUMNS, the rest by interest (``priority``: earlier copies first).
    ``marked``: those keys (``marked_keys``)."""
    rest = [k for k in priority(trace) if k not in set(marked)]
    return marked + rest[:max(FOCUS_COLUMNS - len(marked), 0)]


def marked_keys(trace: Trace) -> list[int]:
    """Every key a copying row of the last layer marks (where it does its job, with weight), in order."""
    layer = trace.layers[-1]
    job = mechanism.cells(trace, layer.heads) & (sum(run.weights for run in layer.heads) > 0)
    return list(dict.fromkeys(int(k) for p in trace.predictions if p.copy for k in np.flatnonzero(job[p.position])))


def title(trace: Trace) -> str:
    return "Induction heads, step by step: " + " ".join(fmt.token(t) for t in trace.tokens)


def weights(trace: Trace, fit: Fit = whole, compact: bool = False) -> Document:
    """A_1, V_1, A_2, V_2 as labelled tables (``compact``: their nonzero blocks only)."""
    blocks: list = [summary(trace, run_details=False)]
    if trace.words is not None:  # the token embedding, with word labels
        blocks += fit(Split(lambda shown: token_vectors(trace, shown), ()))
    for layer in trace.layers:
        l, several = layer.index, len(layer.heads) > 1
        for run in layer.heads:
            head = run.head
            if head.qk:
                blocks += fit(matrix(trace, f"A_{l}" + head_suffix(run, several),
                                     (Math(f"A_{l}"), f", {head.name} ({a_legend(head)})"),
                                     head.qk, a_writer(head), head.scale, compact))
            else:
                blocks += positional(trace, run, f"A_{l}", f" of the {head.name}", fit, compact)
            if not head.ov:  # (a file's V of zeros, as its A of zeros: its nonzero blocks, none, a table of no row)
                blocks.append(Paragraph((Math(f"V_{l}"), f" of the {head.name} is 0: it writes nothing.")))
                continue
            blocks += fit(matrix(trace, f"V_{l}" + head_suffix(run, several),
                                 (Math(f"V_{l}"),
                                  f", {head.name} (rows: input directions, columns: output directions)"),
                                 head.ov, write_v, 1.0, compact))
    return Document(title(trace), tuple(blocks))


def factored(trace: Trace, fit: Fit = whole) -> Document:
    """Each head as W^Q, W^K, W^V and each layer's W^O (the textbook's form), with
    how they give back the lecture's A and V."""
    from ..core import factored as textbook

    blocks: list = [summary(trace, run_details=False), Paragraph((
        "The textbook's form (eqs. 9.14-9.18): ", Math("q_i = y_i W^Q"), ", ", Math("k_j = y_j W^K"), ", ",
        Math("a_ij = q_i . k_j / sqrt(d_k)"), ", so ", Math("A = W^Q (W^K)^T / sqrt(d_k)"), " exactly; each head's "
        "values ", Math("y_j W^V"), " are concatenated and ", Math("W^O"), " maps them back, so head c's ",
        Math("V_c = W^V_c W^O_c"), " (the rows of ", Math("W^O"), " its part meets). Each A block gets one "
        "query/key coordinate per key direction: ", Math("W^K"), " copies the key's direction into it and ",
        Math("W^Q"), " holds ", Math("sqrt(d_k)"), " times the block's rule and scale. ", Math("d_k"), " is padded "
        "with zero coordinates to a power of 4 (as GPT-2's 64), so that ", Math("sqrt(d_k)"), " is a power of 2 and "
        "the product is exact to the bit; the tables leave out all-zero rows and columns."))]
    d = np.arange(trace.basis.d)
    for layer in trace.layers:
        l, heads = layer.index, [textbook.factor(run.head, trace.basis) for run in layer.heads]
        blocks.append(Heading(f"Layer {l}: {layer.name}"))
        for c, f in enumerate(heads, 1):
            name = f.head.name
            used = int((f.key_directions >= 0).sum())
            blocks.append(Paragraph((f"{name}: ", Math(f"d_k = {f.d_k}"), f" ({count(used, 'coordinate')}, one per "
                                     f"key direction its A reads, and {f.d_k - used} of zero padding; ",
                                     Math(f"sqrt(d_k) = {int(np.sqrt(f.d_k))}"), "); ", Math(f"d_v = {f.d_v}"), ".")))
            if not used:  # A is 0: W^Q and W^K have no coordinate to hold, and tables of them would be empty
                blocks.append(Paragraph((Math("W^Q"), " and ", Math("W^K"), f" of the {name} are 0: its ",
                                         Math(f"A_{l}"), " is 0, ") + _reads_instead(trace, f.head)))
                used_tables = ()
            elif not len(f.query.values):  # its blocks read directions, but no query meets them here (one position)
                blocks.append(Paragraph((Math("W^Q"), f" of the {name} is 0, as its ", Math(f"A_{l}"), " is on this "
                                         "input: every logit is 0.")))
                used_tables = (("W^K", f.key, 1.0),)
            else:
                used_tables = (("W^Q", f.query, f.head.scale * np.sqrt(f.d_k)), ("W^K", f.key, 1.0))
            for sym, matrix, vmax in used_tables:
                blocks += fit(Split(lambda shown, sym=sym, matrix=matrix, vmax=vmax, f=f: textbook_matrix(
                    trace, f"layer{l}.{name.split()[0]}.{sym}", (Math(f"{sym}"), f", {name} (", Math("d x d_k"),
                                                                 "; rows: directions, columns: query/key "
                                                                 "coordinates, named by the key direction each "
                                                                 "reads)"),
                    matrix, d, f.key_directions, fmt_factor, vmax, shown, every_column=True), ()))
            if not len(f.value.values):  # V is 0 (a file's zeros): a table of W^V would have no row
                blocks.append(Paragraph((Math("W^V"), f" of the {name} is 0 (", Math(f"d_v = {f.d_v}"), "): its ",
                                         Math(f"V_{l}"), " is 0, so it writes nothing.")))
                continue
            blocks += fit(Split(lambda shown, f=f, name=name: textbook_matrix(
                trace, f"layer{l}.{name.split()[0]}.W^V", (Math("W^V"), f", {name} (", Math("d x d_v"), "; columns: "
                                                            "value coordinates, named by the direction ", Math("W^O"),
                                                            " writes each into)"),
                f.value, d, f.value_directions, fmt_factor, 1.0, shown), ()))
        w_o = textbook.stacked(heads)
        if not len(w_o.values):
            blocks.append(Paragraph((Math("W^O"), f" of layer {l} has no nonzero entry: no head of it writes "
                                                  "anything.",)))
            continue
        head_of = [c for c, f in enumerate(heads) for _ in range(f.d_v)]
        prefix = [f"h{c + 1} " if len(heads) > 1 else "" for c in head_of]
        concat = " (+) ".join(f"head^{c}" for c in range(1, len(heads) + 1))
        if len(heads) > 1:
            blocks.append(Paragraph(("Concatenation ", Math(concat), f": {' + '.join(str(f.d_v) for f in heads)} = "
                                     f"{w_o.shape[0]} coordinates; ", Math(f"a_i = ({concat}) W^O"), ".")))
        else:
            blocks.append(Paragraph(("One head: ", Math("a_i = head^1 W^O"), ", ", Math("W^O"),
                                     f" its {w_o.shape[0]} rows.")))
        value_directions = np.concatenate([f.value_directions for f in heads])
        if len(heads) > 1 and inputs.compact(trace.basis.d):
            # past d = COMPACT_D, W^O head by head: each head's rows meet only the columns it writes
            for c, f in enumerate(heads, 1):
                if not len(f.out.values):  # (a head that writes nothing: said above)
                    continue
                blocks += fit(Split(lambda shown, c=c, f=f: textbook_matrix(trace, f"layer{l}.W^O.h{c}", (
                    Math("W^O"), f" of layer {l}, the {f.d_v} rows of head {c} ({f.head.name}; columns: the "
                                 "directions it writes; every other entry of these rows is 0)"),
                    f.out, f.value_directions, d, fmt_factor, 1.0, shown, column_rules=True), ()))
        else:
            blocks += fit(Split(lambda shown, w_o=w_o, prefix=prefix, head_of=head_of, rows=value_directions:
                                textbook_matrix(trace, f"layer{l}.W^O", (
                                    Math("W^O"), f" of layer {l} (", Math("h d_v x d"), "; rows: each head's "
                                                 "value coordinates, in the order of the concatenation; columns: "
                                                 "directions)"),
                                    w_o, rows, d, fmt_factor, 1.0, shown, row_prefix=prefix, row_groups=head_of,
                                    column_rules=True), ()))
    return Document(title(trace) + " (textbook form)", tuple(blocks))


def circuit_document(trace: Trace, fit: Fit = whole) -> Document:
    """Every head as circuits in the vocabulary and position spaces (circuits.py)."""
    from ..core import circuits as build

    blocks: list = [summary(trace, run_details=False), Paragraph((
        "Each head read through the embeddings that feed it and the unembedding that reads it (Elhage et al., "
        "\"A Mathematical Framework for Transformer Circuits\"): ", Math("P A P^T"), " over positions (P the "
        "position embedding), ", Math("S_q A_2 S_k^T"), " between tokens, where S is the token embedding E or ",
        Math("E V_1"), " (a token as layer 1 wrote it: K-composition), and each head's OV circuit ",
        Math("E V W_U"), " with its eigenvalues, its copying score ", Math("sum l / sum |l|"),
        " (1.00: it copies every token; -1.00: it suppresses every token) and its positive share ",
        Math("sum max(Re l, 0) / sum |l|"), ". Composition scores (Frobenius norms): K ",
        Math("|A_2 V_1^T| / (|A_2| |V_1|)"), ", Q ", Math("|V_1 A_2| / (|A_2| |V_1|)"), ", V ",
        Math("|V_1 V_2| / (|V_1| |V_2|)"), ": how much layer 2 reads what layer 1 wrote through its keys, its "
        "queries and its values."))]
    found = build.circuits(trace)
    for layer in trace.layers:
        blocks.append(Heading(f"Layer {layer.index}: {layer.name}"))
        for c in (c for c in found if c.layer == layer.index):
            if trace.words is not None or describe.scheme(trace.construction).graded or \
                    trace.construction.model is not None:
                # dense vectors or position codes: every entry a number (cosines, times s for QK)
                write = (lambda x: fmt.cell(x, fmt.LOGIT_DECIMALS)) if c.kind != "ov" \
                    else (lambda x: fmt.cell(x, fmt.WEIGHT_DECIMALS))
            else:
                write = write_a(trace.scale) if c.kind != "ov" else fmt_factor
            blocks += fit(Split(lambda shown, c=c, write=write: circuit(trace, c, shown, write), ()))
            if c.kind == "ov":
                score = "undefined (every eigenvalue is 0)" if c.copying is None else \
                    f"{fmt.number(c.copying, 2)}, positive share {fmt.number(c.positive, 2)}"
                blocks.append(Paragraph(("Eigenvalues of ", Math(c.formula), ": " + eigenvalues(c.eigenvalues)
                                         + f"; copying score {score}.",)))
    blocks.append(Heading("Composition scores"))
    found = build.compositions(trace)
    blocks += fit(Split(lambda shown: composition_table(found), ((lambda shown: composition_table(found, True),),),
                        window=False))
    return Document(title(trace) + " (circuits)", tuple(blocks))


def eigenvalues(values: np.ndarray) -> str:
    """The eigenvalues, equal ones counted once: "1.00 (x4), 0.50-0.87i"."""
    out: dict[str, int] = {}
    for v in values:
        re, im = fmt.number(float(v.real), 2), abs(float(v.imag))
        text = re if round(im, 2) == 0 else f"{re}{'+' if v.imag > 0 else '-'}{fmt.number(im, 2)}i"
        out[text] = out.get(text, 0) + 1
    return ", ".join(t + (f" (x{k})" if k > 1 else "") for t, k in out.items())


def _reads_instead(trace: Trace, head) -> tuple:
    """Why a head's A is 0, for the textbook form (which has no place for what the head reads instead); a
    file's head: no reason, its arrays give none."""
    if trace.construction.model is not None:
        return ("so every logit is 0.",)
    if head.bias:
        return ("and it reads positions through its relative position bias ", Math("b_(i-j)"), ", added to every "
                "logit, which the textbook's ", Math("q_i . k_j"), " does not hold (show and weights print it).")
    if head.rope is not None:
        return ("and it reads positions by turning its query and key with the position (RoPE), which ",
                Math("W^Q"), " and ", Math("W^K"), ", the same at every position, do not hold (show and weights "
                "print them).")
    return (f"so every logit is 0: {NOTHING_TO_READ}.",)


def fmt_factor(x: float) -> str:
    """An entry of W^Q, W^K, W^V or W^O: 1, 0 (·) or a number."""
    return "1" if x == 1 else fmt.cell(x, fmt.LOGIT_DECIMALS)


def slide(trace: Trace, told: Told = None) -> Slide:
    """The lecture's point on one 16:9 picture: the induction head's weights,
    its job marked, each row's prediction at its right, and its story."""
    layer = trace.layers[-1]
    job = mechanism.cells(trace, layer)
    one = "; no copy: a single token, not a copy" if any(describe.unmixed(p) for p in trace.predictions) \
        else ""

    def weights(decimals: int, cells: int = SLIDE_TOKEN, hundredths: bool = False) -> Table:
        unit = " in hundredths (25 = 0.25)" if hundredths else ""
        table = attention(trace, "slide.weights", (
            f"Attention weights of layer {layer.index}, the {layer.name}{',' if unit else ''}{unit} "
            f"({describe.job(trace.construction, layer.heads[0].head)}); at the right, what each position outputs"
            + ("" if trace.construction.horizon == 1 else f" as the token {trace.construction.horizon} ahead")
            + f" (→ a copy; blend: no copy, a mix of earlier tokens{one}; {fmt.NONE}: nothing)",),
            layer.weights * (100.0 if hundredths else 1.0), 0 if hundredths else decimals, mask=layer.mask, job=job,
            quiet=layer.heads[0].head.held, notes=False, vmax=100.0 if hundredths else 1.0)
        marks = []
        for p in trace.predictions:
            if p.copy:
                shown = fmt.named(len(p.output))
                names = "/".join(fmt.token(t, cells) for t in p.output[:min(shown, 2)])
                more = len(p.output) - min(shown, 2)
                marks.append(Cell("→ " + names + (f" +{more}" if more else ""), 1.0, top=True))
            else:
                marks.append(Cell(("no copy" if describe.unmixed(p) else "blend") if p.output else fmt.NONE,
                                  faint=True))
        return table._replace(columns=table.columns + (("", "out"),),
                              rows=tuple(r._replace(cells=r.cells + (m,)) for r, m in zip(table.rows, marks)))

    subtitle = "Model: " + describe.model_line(trace.construction) + (
        f"; ablated: {describe.ablated_heads(trace.layers)}" if trace.ablate else "")
    return Slide(title(trace), subtitle, weights(fmt.WEIGHT_DECIMALS),
                 ((weights(0, hundredths=True), SLIDE_TOKEN), (weights(0, 4, True), 4), (weights(1), SLIDE_TOKEN),
                  (weights(1, 4), 4)),
                 pictured(copy_early((told or {}).get(layer.index, ()))))


COPIES = ("copy", "split")


def copy_early(sentences) -> list:
    """A slide's story: the first sentence, then the first copy (so that a
    slide with room for a few sentences shows how a copy is made), then the rest in order."""
    sentences = list(sentences)
    first_copy = next((k for k, s in enumerate(sentences) if s.kind in COPIES), None)
    if first_copy is None or first_copy <= 1:
        return sentences
    return sentences[:1] + [sentences[first_copy]] + sentences[1:first_copy] + sentences[first_copy + 1:]


SLIDE_TOKEN = 6  # cells a token keeps in a slide's prediction


def axis_labels(trace: Trace) -> tuple[str, ...]:
    """Each position on a picture's axes: its token and @i."""
    return tuple(f"{fmt.token(t)} @{i}" for i, t in enumerate(trace.tokens))


def pictured(sentences) -> tuple[tuple, ...]:
    """Sentences for a picture: each its parts (text, tokens, formulas), for the picture to set."""
    return tuple(s.parts for s in sentences)


def heatmaps(trace: Trace, told: Told = None, layers=None) -> Heatmaps:
    """Each chosen layer's attention weights, with its story, for a picture."""
    layers = trace.shown(layers)
    model = describe.model_line(trace.construction)
    return Heatmaps(
        labels=axis_labels(trace),
        panels=tuple(Panel(layer.index, f"Layer {layer.index}: {run.head.name}"
                           + (" (ablated)" if run.ablated else ""), run.weights, layer.mask,
                           pictured((told or {}).get(layer.index, ()) if run is layer.heads[-1] else ()),
                           mechanism.cells(trace, (run,)) & layer.mask,
                           describe.job(trace.construction, run.head),
                           f"W^{{({layer.index})}}" if len(layer.heads) == 1 else f"W^{{({layer.index},{h + 1})}}")
                     for layer in trace.layers if layer.index in layers for h, run in enumerate(layer.heads)),
        title=title(trace) + f" \N{EM DASH} model: {model}"  # (not in parentheses: a variant's words hold theirs)
        + (f"; ablated: {describe.ablated_heads(trace.layers)}" if trace.ablate else ""))


def compared(traces: list[Trace], fit: Fit = whole) -> Document:
    """Layer 1 built under each position scheme, side by side: its weights
    (the previous position marked) and how much of them sit there. ``fit``
    chooses how each table is shown (on a screen, a window of positions)."""
    first = traces[0]
    blocks: list = [Paragraph((
        count(first.n, "token") + ": " + " ".join(fmt.token(t) for t in first.tokens)
        + f"\nLayer 1 (the previous-token head) built with each of the five position schemes of the lecture on "
        f"positional encodings, scale s = "
        f"{fmt.parameter(first.scale, fmt.LOGIT_DECIMALS)}, K = {first.construction.frequencies} frequencies "
        "for sinusoidal and rope; [ ] marks the previous position.",))]
    for trace in traces:
        layer, c = trace.look_back, trace.construction
        blocks.append(Heading(f"{c.positions}: {describe.scheme(c).words}"))
        blocks.append(Paragraph(describe.scores_positions(c) + (". " + previous_share(trace),)))
        job = mechanism.cells(trace, layer)
        blocks += fit(lambda shown, trace=trace, layer=layer, c=c, job=job: attention(
            trace, f"{c.positions}.weights", ("Attention weights ", Math("W^(1)"),
                                               f" with {describe.scheme(c).words} ([ ] = the previous position; "
                                               "× = masked)"),
            layer.weights, fmt.WEIGHT_DECIMALS, mask=layer.mask, job=job, quiet=True, notes=False, shown=shown))
    return Document(compared_title(first), tuple(blocks))


def compared_title(trace: Trace) -> str:
    """What `positions` shows, and on which tokens: its document's title and its picture's."""
    return "Layer 1 under each position scheme: " + " ".join(fmt.token(t) for t in trace.tokens)


def previous_share(trace: Trace) -> str:
    """How much of layer 1's weight sits on the previous position, from @1 on."""
    on = trace.look_back.heads[0].on_offset()
    if not on.size:
        return "One token: no previous position."
    lo, hi = fmt.number(float(on.min()), fmt.WEIGHT_DECIMALS), fmt.number(float(on.max()), fmt.WEIGHT_DECIMALS)
    return f"Weight on the previous position: {lo}" + ("" if lo == hi else f" to {hi}") + " (from @1 on)"


def compared_heatmaps(traces: list[Trace]) -> Heatmaps:
    first = traces[0]
    return Heatmaps(
        labels=axis_labels(first),
        panels=tuple(Panel(1, f"positions: {t.construction.positions}", t.look_back.weights, t.look_back.mask,
                           (previous_share(t),), mechanism.cells(t, t.look_back) & t.look_back.mask,
                           "[ ] = the previous position")
                     for t in traces),
        title=compared_title(first) + f" (scale s = {fmt.parameter(first.scale, fmt.LOGIT_DECIMALS)})")


DIFFERS = 0.1  # a row's largest |difference| of weight at least this: told under "where they differ"


def beside(trace: Trace, built: Trace, fit: Fit = whole) -> Document:
    """A model file's run beside the hand-built model's on the same string
    (show --model FILE --beside): for each layer both, head by head, their
    weights, the difference, and the rows where they differ by at least
    DIFFERS; then both predictions."""
    file = trace.construction.model
    blocks: list = [summary(trace), Paragraph((
        f"Beside it, the hand-built model it is held to ({describe.model_line(built.construction)}), on the same "
        "string: each layer's weights, the file's first, the hand-built's, then the file's minus the hand-built's; "
        f"the rows where they differ by {DIFFERS:.2f} or more are named.",))]
    for layer, other in zip(trace.layers, built.layers):
        blocks.append(Heading(f"Layer {layer.index}: {layer.name} beside the hand-built {other.name}"))
        for h, (run, ref) in enumerate(zip(layer.heads, other.heads)):
            of = "" if len(layer.heads) == 1 else f" (head {h})"
            job = mechanism.cells(built, (ref,)) & other.mask
            key = f"beside{layer.index}.{h}"
            w = f"W^({layer.index})"
            blocks += fit(lambda shown, run=run: attention(
                trace, key + ".file", ("Weights ", Math(w), f"{of} of {file.name} ([ ] = where the hand-built "
                                                            f"{ref.head.name} does its job)"), run.weights,
                fmt.WEIGHT_DECIMALS, layer.mask, job, shown=shown))
            blocks += fit(lambda shown, ref=ref: attention(
                built, key + ".built", ("Weights ", Math(w), f"{of} of the hand-built {ref.head.name} "
                                        f"([ ] = {describe.job(built.construction, ref.head)[6:]})"),
                ref.weights, fmt.WEIGHT_DECIMALS, other.mask, job, shown=shown))
            difference = run.weights - ref.weights
            blocks += fit(lambda shown, difference=difference: attention(
                trace, key + ".difference", ("The file's minus the hand-built's", of, " (shaded by its size)"),
                difference, fmt.WEIGHT_DECIMALS, layer.mask, shown=shown, vmax=1.0))
            blocks.append(Paragraph((_differs(trace, run.weights, ref.weights, layer.mask),)))
    if len(trace.layers) != len(built.layers):
        blocks.append(Paragraph((f"The file has {len(trace.layers)} layers and the hand-built model "
                                 f"{len(built.layers)}: only the first {min(len(trace.layers), len(built.layers))} "
                                 "are set beside each other.",)))
    blocks.append(Heading("Predictions, both ways"))
    blocks.append(Paragraph((_outputs(trace, built),)))
    return Document(title(trace) + " beside the hand-built model", tuple(blocks))


def _differs(trace: Trace, mine: np.ndarray, theirs: np.ndarray, mask: np.ndarray) -> str:
    """The rows whose weights differ by DIFFERS or more, each with the key where they differ most."""
    rows = []
    for i in range(trace.n):
        gap = np.abs(mine[i] - theirs[i]) * mask[i]
        j = int(gap.argmax())
        if gap[j] >= DIFFERS:
            rows.append(f"@{i} on @{j}: {mine[i, j]:.2f} against {theirs[i, j]:.2f}")
    if not rows:
        return f"No row differs by {DIFFERS:.2f} or more: on this string the file's head does what the hand-built does."
    shown = rows[:12]
    more = f", and {len(rows) - len(shown)} more rows" if len(rows) > len(shown) else ""
    return (f"{len(rows)} of {trace.n} rows differ by {DIFFERS:.2f} or more (the key where most, the file's weight "
            "against the hand-built's): " + "; ".join(shown) + more + ".")


def _outputs(trace: Trace, built: Trace) -> str:
    """Where the two models output different tokens."""
    differ = [(p, q) for p, q in zip(trace.predictions, built.predictions) if set(p.output) != set(q.output)]
    if not differ:
        return "Both output the same tokens at every position."

    def said(p) -> str:
        return fmt.tied(p.output, " or ", lambda t: f"`{fmt.token(t)}`") if p.output else "nothing"
    return (f"They output different tokens at {len(differ)} of {trace.n} positions: "
            + "; ".join(f"@{p.position} the file {said(p)}, the hand-built {said(q)}" for p, q in differ[:12])
            + (f", and {len(differ) - 12} more" if len(differ) > 12 else "") + ".")
