"""Format-neutral views of a Trace: headings, paragraphs and labelled tables.

A view decides what is shown and how each number is written (through
``render.format``); a renderer (terminal, JSON, ...) only lays views out.
Views are named tuples (immutable, and cheap to define at start-up, unlike
dataclasses). Cells carry their printed text, the number behind it (for
shading) and marks:
``masked`` (removed by the causal mask), ``top`` (the largest weight of its
row), ``faint`` (inside a block that is all zero).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .basis import BLOCKS, Direction
from .render import format as fmt
from .trace import Layer, Trace


class Cell(NamedTuple):
    text: str
    value: float | None = None
    masked: bool = False
    top: bool = False
    faint: bool = False


class Row(NamedTuple):
    labels: tuple[str, ...]
    cells: tuple[Cell, ...]
    group: int = 0  # rows of different groups are separated by a rule


class Table(NamedTuple):
    """``columns`` holds each column's header lines (top to bottom); columns of
    different ``column_groups`` are separated by a rule. ``corner`` heads the
    label columns."""

    key: str
    title: str
    corner: tuple[str, ...]
    columns: tuple[tuple[str, ...], ...]
    rows: tuple[Row, ...]
    column_groups: tuple[int, ...] = ()
    align: str = "right"  # of the data columns: right (numbers) or center


class Heading(NamedTuple):
    text: str


class Paragraph(NamedTuple):
    text: str


class Document(NamedTuple):
    blocks: tuple = ()


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _direction_name(direction: Direction) -> str:
    return fmt.token(direction.value) if direction.block.endswith("tok") else f"@{direction.value}"


def _direction_header(direction: Direction) -> tuple[str, str]:
    """``prev`` over the previous half, then the token or position."""
    return ("prev" if direction.block.startswith("prev") else "", _direction_name(direction))


def _direction_label(direction: Direction) -> str:
    return ("prev " if direction.block.startswith("prev") else "") + _direction_name(direction)


def _blocks(trace: Trace) -> tuple[int, ...]:
    """The block (0-3) of each of the d directions."""
    return tuple(BLOCKS.index(d.block) for d in trace.basis.directions)


def _faint(matrix: np.ndarray, row_blocks: tuple[int, ...], col_blocks: tuple[int, ...]) -> np.ndarray:
    """True on every cell whose (row block, column block) is all zero."""
    rows, cols = np.asarray(row_blocks), np.asarray(col_blocks)
    faint = np.zeros(matrix.shape, dtype=bool)
    for rb in set(row_blocks):
        for cb in set(col_blocks):
            where = np.ix_(rows == rb, cols == cb)
            faint[where] = not matrix[where].any()
    return faint


def _position_labels(trace: Trace, i: int) -> tuple[str, str]:
    return (f"@{i}", fmt.token(trace.tokens[i]))


def weight_matrix(trace: Trace, key: str, title: str, matrix: np.ndarray, write) -> Table:
    """A d x d matrix, rows and columns labelled with the basis."""
    blocks = _blocks(trace)
    faint = _faint(matrix, blocks, blocks)
    rows = tuple(
        Row((_direction_label(direction),),
            tuple(Cell(write(x), float(x), faint=bool(f)) for x, f in zip(matrix[r], faint[r])),
            group=blocks[r])
        for r, direction in enumerate(trace.basis.directions)
    )
    columns = tuple(_direction_header(d) for d in trace.basis.directions)
    return Table(key, title, ("", "row ╲ col"), columns, rows, blocks)


def stream(trace: Trace, key: str, title: str, matrix: np.ndarray) -> Table:
    """An N x d representation Y: a row per position, a column per direction."""
    blocks = _blocks(trace)
    faint = _faint(matrix, (0,) * trace.n, blocks)
    rows = tuple(
        Row(_position_labels(trace, i),
            tuple(Cell(fmt.cell(x, fmt.WEIGHT_DECIMALS), float(x), faint=bool(f)) for x, f in zip(matrix[i], faint[i])))
        for i in range(trace.n)
    )
    columns = tuple(_direction_header(d) for d in trace.basis.directions)
    return Table(key, title, ("", ""), columns, rows, blocks)


def attention(trace: Trace, key: str, title: str, matrix: np.ndarray, decimals: int,
              mask: np.ndarray | None = None, mark_top: bool = False) -> Table:
    """An N x N attention matrix: rows are queries i, columns keys j; with
    ``mask``, cells outside it are masked; with ``mark_top``, each row's
    largest kept value is marked."""
    rows = []
    for i in range(trace.n):
        kept = np.ones(trace.n, dtype=bool) if mask is None else mask[i]
        top = matrix[i][kept].max() if mark_top and kept.any() else None
        rows.append(Row(_position_labels(trace, i), tuple(
            Cell(fmt.number(x, decimals), float(x), top=x == top) if kept[j] else Cell(fmt.MASKED, masked=True)
            for j, x in enumerate(matrix[i])
        )))
    columns = tuple((fmt.token(t), f"@{j}") for j, t in enumerate(trace.tokens))
    return Table(key, title, ("query ╲ key", ""), columns, tuple(rows))


def predictions(trace: Trace) -> Table:
    columns = tuple((f"@{p.position}",) for p in trace.predictions)
    rows = (
        Row(("token",), tuple(Cell(fmt.token(p.token)) for p in trace.predictions)),
        Row(("next",), tuple(
            Cell(" / ".join(fmt.token(c) for c in p.candidates) or fmt.NONE, top=p.next is not None)
            for p in trace.predictions
        )),
    )
    return Table("predictions", "Predictions: the token each position says comes next (— = nothing to copy)",
                 ("",), columns, rows, align="center")


def write_a(trace: Trace):
    """A's entries are 0 or the scale: written ``s`` and ``·``."""
    return lambda x: "s" if x == trace.scale else fmt.cell(x, fmt.LOGIT_DECIMALS)


def write_v(x: float) -> str:
    return "1" if x == 1 else fmt.cell(x, fmt.WEIGHT_DECIMALS)


LAYER_SUMMARY = {
    1: "A_1 scores key position i-1 for query i; V_1 copies the key's token and position into the previous half.",
    2: "A_2 scores keys whose previous token is the query's (a_ij = s [x_i = x_(j-1)]); V_2 keeps the key's current half.",
}


def summary(trace: Trace) -> Paragraph:
    return Paragraph(
        count(trace.n, "token") + ": " + " ".join(fmt.token(t) for t in trace.tokens)
        + f"\nV = {count(len(trace.vocab), 'distinct token')}, N = {count(trace.n, 'position')}, "
        f"d = 2(V + N) = {trace.basis.d}, scale s = {fmt.number(trace.scale, fmt.LOGIT_DECIMALS)}"
    )


def layer_blocks(trace: Trace, layer: Layer, matrices: bool = True) -> list:
    l, previous = layer.index, f"Y^({layer.index - 1})"
    out: list = [Heading(f"Layer {l}: {layer.name}"), Paragraph(LAYER_SUMMARY[l])]
    if matrices:
        out.append(weight_matrix(
            trace, f"layer{l}.A", f"A_{l} (d x d; s = scale, · = 0; rows: query directions, columns: key directions)",
            layer.A, write_a(trace)))
    update = f"{previous} + W^(1) {previous} V_1" if l == 1 else f"W^(2) {previous} V_2"
    out += [
        attention(trace, f"layer{l}.logits",
                  f"Attention logits a_ij = y_i A_{l} y_j^T (rows: queries i, columns: keys j)",
                  layer.logits, fmt.LOGIT_DECIMALS),
        attention(trace, f"layer{l}.masked", "Masked attention: query i keeps keys j < i (× = masked)",
                  layer.logits, fmt.LOGIT_DECIMALS, mask=layer.mask),
        attention(trace, f"layer{l}.weights",
                  f"Attention weights W^({l}): softmax over each row's kept keys (largest highlighted)",
                  layer.weights, fmt.WEIGHT_DECIMALS, mask=layer.mask, mark_top=True),
        stream(trace, f"layer{l}.output", f"Layer output Y^({l}) = {update} (· = exactly 0)", layer.output),
    ]
    return out


def walkthrough(trace: Trace, layers=(1, 2), matrices: bool = True) -> Document:
    """Input, each chosen layer in the lecture's order, the predictions."""
    blocks: list = [summary(trace), stream(
        trace, "input", "Input Y^(0): one-hot token and position; the previous half is empty (· = exactly 0)",
        trace.embedding)]
    for layer in trace.layers:
        if layer.index in layers:
            blocks += layer_blocks(trace, layer, matrices)
    blocks.append(predictions(trace))
    return Document(tuple(blocks))


def weights(trace: Trace) -> Document:
    """A_1, V_1, A_2, V_2 as labelled tables."""
    blocks: list = [summary(trace)]
    for layer in trace.layers:
        l = layer.index
        blocks += [
            weight_matrix(trace, f"A_{l}", f"A_{l}, {layer.name} (s = scale, · = 0)", layer.A, write_a(trace)),
            weight_matrix(trace, f"V_{l}",
                          f"V_{l}, {layer.name} (rows: input directions, columns: output directions)",
                          layer.V, write_v),
        ]
    return Document(tuple(blocks))
