"""The tables of a trace: format-neutral ``views`` built from its numbers.

Each builder reads the trace and decides what is shown and how each number
is written (``text``); renderers only lay the tables out. Every table over
positions can be built for a window of them (a screen too narrow for all);
``priority`` orders the positions by interest. ``documents`` puts these
tables in the lecture's order.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..base import text as fmt
from ..core.basis import Direction
from ..core.stream import Stream
from ..core.trace import Trace
from .views import GAP_COLUMN, GAP_ROW, Cell, Math, Row, Table
from ..words.describe import unmixed
from ..core.readout import EXACT_TIE
from ..core.weights import Block, Head, entries, part_name


def halves(trace: Trace) -> list[tuple[str, tuple[str, ...]]]:
    """The residual stream's halves (thirds, ... by their count): (label, subspace names), the current one first;
    the pointer circuit's, token and position then its pointer block (once labelled "current half" and
    "half  back"); a part named as the story names it ("prev2 third", once "half 2 back")."""
    groups: dict[str, list[str]] = {}
    for name in trace.basis.names:
        groups.setdefault(name.rpartition(" ")[0], []).append(name)
    word = fmt.part(len(groups))
    label = {"": "token and position", "ptr": "pointer block"} if "ptr" in groups else {}
    return [(label.get(prefix, f"{part_name(prefix)} {word}"), tuple(names)) for prefix, names in groups.items()]


def subspaces(trace: Trace) -> list[tuple[str, tuple[str, ...]]]:
    """Each subspace of the residual stream on its own: (label, (name,))."""
    return [("subspace", (name,)) for name in trace.basis.names]


PIECE = 8  # directions of a position code shown together on a narrow screen (4 frequencies)


def pieces(trace: Trace) -> list[tuple]:
    """Each subspace on its own, a sinusoidal position code (2K directions,
    which no window of positions narrows) cut into pieces of PIECE
    directions: (label, (name,), range of directions within the subspace)."""
    out: list[tuple] = []
    for subspace in trace.basis.subspaces:
        size = trace.basis.size(subspace.name)
        if subspace.kind != "sin" or size <= PIECE:
            out.append(("subspace", (subspace.name,), range(size)))
            continue
        for start in range(0, size, PIECE):
            stop = min(start + PIECE, size)
            labels = trace.basis.values(subspace.name)
            out.append((f"{labels[start]} to {labels[stop - 1]} of", (subspace.name,), range(start, stop)))
    return out


# --- windows ---------------------------------------------------------------

def priority(trace: Trace) -> list[int]:
    """Positions by interest, for a window's columns: for each query that
    copies (in order), the earlier occurrence and the key it attends to; then
    the queries themselves; then every other position from the start. (A
    window's rows keep every copying query: ``_rows``.)"""
    w2 = sum(run.weights for run in trace.layers[-1].heads)  # (a file's last layer may have several heads)
    keys: list[int] = []
    for p in trace.predictions:
        if p.copy:
            key = int(w2[p.position].argmax())
            keys += [k for k in (key - 1, key) if k >= 0]  # key 0 has no key before it
    return list(dict.fromkeys(keys + copying(trace) + list(range(trace.n))))


def copying(trace: Trace) -> list[int]:
    """The queries whose prediction is a copy, in order."""
    return [p.position for p in trace.predictions if p.copy]


MAX_ROWS = 40  # rows a window of positions shows at most, the copying queries among them


def _rows(trace: Trace, shown: Sequence[int] | None, focused: bool = False) -> list[int | None]:
    """A window's rows (None: a gap): its positions, and every copying query
    (rows cost no width), up to MAX_ROWS in all. ``focused`` (a focused
    handout, whose rows are the copying queries): every copying query, then
    the window's positions while fewer than MAX_ROWS."""
    if shown is None:
        return list(range(trace.n))
    first, then = (copying(trace), shown) if focused else (shown, copying(trace))
    rows = set(first)
    for q in then:
        if len(rows) >= MAX_ROWS:
            break
        rows.add(q)
    return _with_gaps(sorted(rows), trace.n)


def _copies(trace: Trace, rows: Sequence[int | None]) -> tuple[int, ...]:
    """A window's (copying queries among its ``rows``, all of them) where it leaves some out, else ()."""
    copies = copying(trace)
    among = len(set(copies) & set(rows))
    return (among, len(copies)) if among < len(copies) else ()


def _with_gaps(shown: Sequence[int], n: int) -> list[int | None]:
    """Sorted positions with None wherever hidden ones lie between or around them."""
    out: list[int | None] = []
    previous = -1
    for i in sorted(shown):
        if i != previous + 1:
            out.append(None)
        out.append(i)
        previous = i
    if previous != n - 1:
        out.append(None)
    return out


def _positions(trace: Trace, shown: Sequence[int] | None) -> list[int | None]:
    return list(range(trace.n)) if shown is None else _with_gaps(shown, trace.n)


FEATURES_PER_POSITION = 3  # features of dense token vectors a window shows per token it shows


def _features(trace: Trace, shown: Sequence[int]) -> list[int | None]:
    """The token features a window of positions shows (None: a gap for the
    rest): those its tokens use (a trigram bag uses a few of a thousand), at
    most FEATURES_PER_POSITION per token shown (a word2vec file's 3000
    dimensions are all in use)."""
    rows = sorted({trace.vocab.index(trace.tokens[i]) for i in shown if i is not None})
    used = np.flatnonzero(np.abs(trace.words.vectors[rows]).sum(axis=0) > 0)
    kept = used[:FEATURES_PER_POSITION * max(len(rows), 1)].tolist()
    return kept + ([None] if len(kept) < len(trace.basis.features) else [])


def _tokens(trace: Trace, shown: Sequence[int] | None) -> list[int | None]:
    """The vocabulary tokens a window of positions shows, in vocabulary order (None: a gap for the rest)."""
    if shown is None:
        return list(range(len(trace.vocab)))
    tokens = {trace.tokens[i] for i in shown if i is not None}
    kept = [k for k, t in enumerate(trace.vocab) if t in tokens]
    return kept + ([None] if len(kept) < len(trace.vocab) else [])


def _directions(trace: Trace, shown: Sequence[int] | None) -> list[tuple[int | None, int]]:
    """(index among the d directions or None for a gap, subspace number) of
    each column to show: with a window, the tokens and positions of the shown
    positions, in every subspace; with dense token vectors, the features the
    shown positions' tokens use (``_features``)."""
    out: list[tuple[int | None, int]] = []
    features = _features(trace, shown) if shown is not None and trace.basis.features else None
    for b, subspace in enumerate(trace.basis.subspaces):
        start = trace.basis.block(subspace.name).start
        if features is not None and subspace.kind == "tok":
            out += [(None if k is None else start + k, b) for k in features]
        elif shown is None or subspace.kind == "sin":
            # every direction: all of them, or a position code, which no window picks out
            out += [(start + k, b) for k in range(trace.basis.size(subspace.name))]
        elif subspace.kind == "tok":
            out += [(None if k is None else start + k, b) for k in _tokens(trace, shown)]
        else:
            out += [(None if i is None else start + i, b) for i in _with_gaps(shown, trace.n)]
    return out


def _past_the_end(trace: Trace) -> set[int]:
    """The directions of one-hot positions at or past the string's end (a model file of N positions run on a
    shorter string): no position is there, so Y^(0) is 0 in each; a layer's V may still write into them."""
    out: set[int] = set()
    for subspace in trace.basis.subspaces:
        if subspace.kind == "pos":
            block = trace.basis.block(subspace.name)
            out |= set(range(block.start + trace.n, block.stop))
    return out


# --- tables ------------------------------------------------------------------

def _direction_name(direction: Direction) -> str:
    if direction.block.endswith("pos"):  # a position, or a direction of its sinusoidal code (sin w1)
        return f"@{direction.value}" if isinstance(direction.value, int) else str(direction.value)
    return fmt.token(direction.value)


def _direction_header(direction: Direction) -> tuple[str, str]:
    """``prev`` over the previous half (``prev2`` over the half two back, ...),
    then the token or position."""
    return (direction.block.rpartition(" ")[0], _direction_name(direction))


def _direction_label(direction: Direction) -> str:
    return " ".join(_direction_header(direction)).strip()


def _direction_caption(direction: Direction) -> str:
    """A direction as a caption names it, by its subspace: "tok the", "prev pos @3", "pos sin w1"."""
    return f"{direction.block} {_direction_name(direction)}"


def _captions(trace: Trace, indices) -> tuple[str, ...]:
    """Each column's name in a caption (``_direction_caption``; a gap's, "")."""
    return tuple("" if c is None else _direction_caption(trace.basis.directions[c]) for c in indices)


def _position_labels(trace: Trace, i: int, cells: int = fmt.TOKEN_CELLS) -> tuple[str, str]:
    return (f"@{i}", fmt.token(trace.tokens[i], cells))


def _gap_row(width: int, n_labels: int, group: int = 0) -> Row:
    return Row((GAP_ROW,) + ("",) * (n_labels - 1), (Cell(GAP_ROW, gap=True),) * width, group, gap=True)


def _subspace_of(trace: Trace, index: np.ndarray) -> np.ndarray:
    """The subspace number of each of the d directions in ``index``."""
    starts = [trace.basis.block(name).start for name in trace.basis.names]
    return np.searchsorted(starts, index, side="right") - 1


def _names(trace: Trace, kept: set[int]) -> str:
    return fmt.listed(trace.basis.names[b] for b in sorted(kept)) or "none"


def weight_matrix(trace: Trace, key: str, title: tuple, blocks: tuple[Block, ...], write,
                  shown: Sequence[int] | None = None, vmax: float = 1.0, nonzero_only: bool = False) -> Table:
    """The d x d matrix that is the sum of ``blocks``, rows and columns labelled
    with the basis; only the shown directions are made. With
    ``nonzero_only``, only the row and column subspaces that hold a nonzero
    entry (the title says so): a handout's d x d matrix can have a million
    cells, nearly all of them 0."""
    rows_at, cols_at, values = entries(blocks, trace.basis)
    nonzero = values != 0
    pairs = set(zip(_subspace_of(trace, rows_at[nonzero]).tolist(), _subspace_of(trace, cols_at[nonzero]).tolist()))
    directions = _directions(trace, shown)
    row_dirs, col_dirs = directions, directions
    if nonzero_only:
        rows_kept, cols_kept = {r for r, _ in pairs}, {c for _, c in pairs}
        if not pairs:  # every entry 0 for this input (an o-back head with o >= N): show its declared blocks
            rows_kept = {trace.basis.names.index(b.rows) for b in blocks}
            cols_kept = {trace.basis.names.index(b.cols) for b in blocks}
        row_dirs = [(k, b) for k, b in directions if b in rows_kept]
        col_dirs = [(k, b) for k, b in directions if b in cols_kept]
        title = title + ((f"; only its nonzero blocks (rows: {_names(trace, rows_kept)}; columns: "
                          f"{_names(trace, cols_kept)}), every other entry is 0",) if pairs else
                         (f"; every entry is 0 for this input (its blocks: rows {_names(trace, rows_kept)}, "
                          f"columns {_names(trace, cols_kept)})",))
    indices, groups = (zip(*col_dirs) if col_dirs else ((), ()))
    # The shown part of the matrix: row r, column c of the d x d matrix at (where[r], where[c]).
    row_where, col_where = np.full(trace.basis.d, -1), np.full(trace.basis.d, -1)
    shown_rows = [r for r, _ in row_dirs if r is not None]
    shown_cols = [c for c in indices if c is not None]
    row_where[shown_rows], col_where[shown_cols] = np.arange(len(shown_rows)), np.arange(len(shown_cols))
    inside = (row_where[rows_at] >= 0) & (col_where[cols_at] >= 0)
    part = np.zeros((len(shown_rows), len(shown_cols)))
    np.add.at(part, (row_where[rows_at[inside]], col_where[cols_at[inside]]), values[inside])
    rows = []
    gap = Cell(GAP_COLUMN, gap=True)
    zero = {faint: Cell(write(0.0), 0.0, faint=faint) for faint in (False, True)}  # shared: most cells are 0
    for r, b in row_dirs:
        if r is None:
            rows.append(_gap_row(len(indices), 1, b))
            continue
        values = part[row_where[r]].tolist()
        rows.append(Row((_direction_label(trace.basis.directions[r]),), tuple(
            gap if c is None
            else Cell(write(x), x, faint=(b, g) not in pairs) if (x := values[col_where[c]])
            else zero[(b, g) not in pairs]
            for c, g in zip(indices, groups)
        ), group=b, name=_direction_caption(trace.basis.directions[r])))
    columns = tuple(("", GAP_COLUMN) if c is None else _direction_header(trace.basis.directions[c]) for c in indices)
    return Table(key, title, ("", "row \\ col"), columns, tuple(rows), tuple(groups), vmax=vmax,
                 shown=0 if shown is None else len(shown), names=_captions(trace, indices))


def stream(trace: Trace, key: str, title: tuple, y: Stream, shown: Sequence[int] | None = None,
           nonzero_only: bool = False, half: tuple[str, tuple[str, ...]] | None = None,
           same: dict | None = None) -> Table:
    """An N x d representation Y: a row per position, a column per direction.
    With ``nonzero_only``, only the subspaces holding a nonzero entry. With
    ``half`` (a label and its subspaces), only those, with 1 written ``1``.
    ``same`` maps subspaces Y holds unchanged from a Y printed before it to
    that Y's symbol ("Y^(0)"): they are left out and named (a long handout's
    Y^(1): its current half is Y^(0)'s)."""
    directions = _directions(trace, shown)
    if half is not None:
        label, names = half[:2]
        directions = [(k, b) for k, b in directions if trace.basis.names[b] in names]
        if len(half) > 2:  # a piece of a subspace: these directions of it only
            start = trace.basis.block(names[0]).start
            directions = [(k, b) for k, b in directions if k is None or k - start in half[2]]
            title = title + (f"; {label} {names[0]}",)
        else:
            title = title + (f"; {label} {', '.join(names)}" if label == "subspace" else
                             f"; {label}: {', '.join(names)}",)
    past = _past_the_end(trace)
    if past:  # a model file's positions past the string's end: no row is there; the columns all 0 are left out
        matrix = y.dense()
        here = {k for k, _ in directions if k in past}
        zero = {k for k in here if not matrix[:, k].any()}
        directions = [(k, b) for k, b in directions if k is None or k not in zero]
        last = trace.basis.n_positions - 1
        where = (f"the position past the string's end (@{last})" if last == trace.n else
                 f"the positions past the string's end (@{trace.n} to @{last})")
        are = "is" if last == trace.n else "are"
        title = title + ((f"; {where} {are} all 0 and left out",) if zero and zero == here else
                         (f"; of {where}, the columns all 0 are left out",) if zero else ())
    kept = {b for b, name in enumerate(trace.basis.names) if y.nonzero(name)}
    if nonzero_only:
        kept = kept or {0}  # all zero (an ablated head's output): show the token columns, each 0
        directions = [(k, b) for k, b in directions if b in kept]
        if len(kept) < len(trace.basis.names):
            title = title + ("; the " + fmt.listed(name for b, name in enumerate(trace.basis.names)
                                                  if b not in kept) + " columns are all 0 and left out",)
    if same:
        directions = [(k, b) for k, b in directions if k is None or trace.basis.names[b] not in same]
        for symbol in dict.fromkeys(same.values()):
            names = [name for name in trace.basis.names if same.get(name) == symbol]
            title = title + (f"; the {fmt.listed(names)} columns are ", Math(symbol), "'s, unchanged, and left out")
    indices, groups = zip(*directions)
    matrix = y.dense()
    queries = _rows(trace, shown)
    rows = tuple(
        _gap_row(len(indices), 2) if i is None else Row(_position_labels(trace, i), tuple(
            Cell(GAP_COLUMN, gap=True) if c is None
            else Cell("1" if half is not None and matrix[i, c] == 1 else fmt.cell(matrix[i, c], fmt.WEIGHT_DECIMALS),
                      float(matrix[i, c]), faint=b not in kept)
            for c, b in zip(indices, groups)
        ))
        for i in queries
    )
    columns = tuple(("", GAP_COLUMN) if c is None else _direction_header(trace.basis.directions[c]) for c in indices)
    return Table(key, title, ("", ""), columns, rows, groups,
                 shown=0 if shown is None else len(shown), names=_captions(trace, indices), copies=_copies(trace, queries))


NOTHING_BEFORE, NOTHING_TO_COPY, ONLY_ITSELF = "nothing before", "nothing to copy", "only itself"


def idle(head) -> str:
    """Why a quiet row does nothing: a look-back head has no key its offset back, an induction head nothing to copy."""
    return f"nothing {head.offset} back" if head.looks_back else NOTHING_TO_COPY


def quiet_note(kept: np.ndarray, i: int, idle: str) -> str:
    """Why query ``i``'s row (its kept keys ``kept``) has no cell where its head does its job."""
    return NOTHING_BEFORE if not kept.any() else ONLY_ITSELF if kept.sum() == 1 and kept[i] else idle
NOT_A_COPY = "a blend, not a copy"  # something to copy, but the head's weight is not on it
ONE_TOKEN = "not a copy"  # ... and what it mixed is all one token (see ``unmixed``)
NOTHING_WRITTEN = "nothing written"  # something to copy, but the head wrote nothing (ablated)


def attention(trace: Trace, key: str, title: tuple, matrix: np.ndarray, decimals: int,
              mask: np.ndarray | None = None, job: np.ndarray | None = None, quiet: bool = False,
              shown: Sequence[int] | None = None, vmax: float = 1.0, notes: bool = True,
              idle: str = NOTHING_TO_COPY, focused: bool = False) -> Table:
    """An N x N attention matrix: rows are queries i, columns keys j. With
    ``mask``, cells outside it are masked. With ``job`` (mechanism.cells),
    the cells where the head does its job are written ``[x]`` and marked.
    With ``quiet``, a row with no such cell among its kept keys is faint and
    says why in the right margin (unless not ``notes``): nothing before it, or
    ``idle`` (nothing to copy; a look-back head's: no key that far back).
    ``focused``: a focused handout's rows (``_rows``)."""
    positions = _positions(trace, shown)
    margin = (Cell(""),) if quiet and notes else ()
    rows = []
    queries = _rows(trace, shown, focused)
    for i in queries:
        if i is None:
            rows.append(_gap_row(len(positions) + len(margin), 2))
            continue
        kept = np.ones(trace.n, dtype=bool) if mask is None else mask[i]
        marked = np.zeros(trace.n, dtype=bool) if job is None else job[i] & kept
        faint = quiet and not marked.any()
        note = () if not margin else (Cell(quiet_note(kept, i, idle), faint=True),) if faint else margin
        rows.append(Row(_position_labels(trace, i), tuple(
            Cell(GAP_COLUMN, gap=True) if j is None
            else Cell(f"[{fmt.number(matrix[i, j], decimals)}]" if marked[j] else fmt.number(matrix[i, j], decimals),
                      float(matrix[i, j]), top=bool(marked[j]), faint=faint)
            if kept[j] else Cell(fmt.MASKED, masked=True)
            for j in positions
        ) + note))
    columns = tuple(("", GAP_COLUMN) if j is None else (fmt.token(trace.tokens[j]), f"@{j}") for j in positions)
    return Table(key, title, ("query \\ key", ""), columns + (("", ""),) * len(margin), tuple(rows), vmax=vmax,
                 shown=0 if shown is None else len(shown), copies=_copies(trace, queries))


def ahead(horizon: int) -> str:
    """Where a prediction stands: "next", or "5 ahead"."""
    return "next" if horizon == 1 else f"{horizon} ahead"


def predictions(trace: Trace, source: str = "", intact: bool = True, cells: int = fmt.TOKEN_CELLS) -> Table:
    """A row per position: the token it says comes ``horizon`` ahead (every
    tied one) where its output is a copy; elsewhere what it outputs, marked
    as a blend with its share of Y^(2)'s token block, or — where it outputs
    nothing (Y^(2)'s row is 0). With ``intact`` and an ablated trace, the same
    construction's predictions with nothing ablated stand beside. Never
    windowed: its width does not grow with the input."""
    def cell(p):
        if not p.output:
            return Cell(fmt.NONE)
        text = fmt.tied(p.output, " / ", lambda c: fmt.token(c, cells))
        if p.copy:
            return Cell(text, top=True)
        if unmixed(p):
            return Cell(f"{text} ({ONE_TOKEN})", faint=True)
        share, low = fmt.number(p.score, fmt.WEIGHT_DECIMALS), fmt.number(p.low, fmt.WEIGHT_DECIMALS)
        each = "" if len(p.output) == 1 else " each" if share == low else f" to {low}"
        return Cell(f"{text} (blend {share}{each})", faint=True)

    beside = trace.intact if intact else None
    rows = tuple(Row(_position_labels(trace, p.position, cells), (cell(p),) + (
        (cell(beside[p.position]),) if beside is not None else ())) for p in trace.predictions)
    horizon = trace.predictions[0].horizon
    what = "comes next" if horizon == 1 else f"comes {horizon} ahead (not next: the token {horizon} after it)"
    score = "share" if trace.shares else "score"
    shown = tuple(trace.predictions) + tuple(beside if beside is not None else ())
    one = f"; {ONE_TOKEN} = all it mixed is that one token" if any(unmixed(p) for p in shown) else ""
    title = (f"Predictions: the token each position says {what}, where it copies one (blend = no copy: the top "
             f"token of what the head mixed, with its {score}{one}; {fmt.NONE} = every token scores 0)" + source)
    columns = ((ahead(horizon),),) + ((("intact model",),) if beside is not None else ())
    return Table("predictions", (title,), ("", ""), columns, rows, align="left")


TOP = 3  # choices shown per position


def _tied_past(probs: np.ndarray, order: np.ndarray) -> int:
    """How many tokens left out of ``order`` (the most probable, ties in vocabulary order) are as probable as
    the last in it: the 3rd of four tokens at 0.14 is no more probable than the 4th."""
    rest = np.delete(probs, order)
    return int((rest >= probs[order[-1]] * (1 - EXACT_TIE)).sum())


def next_token(trace: Trace, shown: Sequence[int] | None = None, cells: int = fmt.TOKEN_CELLS) -> Table:
    """Each position's most probable next tokens, with their probabilities."""
    top = min(TOP, len(trace.vocab))
    tied = False
    judged = any(run.head.held for run in trace.layers[-1].heads)  # (else no key is one to copy: none is missing)
    rows = []
    queries = _rows(trace, shown)
    for i in queries:
        if i is None:
            rows.append(_gap_row(top + 1, 2))
            continue
        order = np.argsort(-trace.probs[i], kind="stable")[:top]  # most probable first, ties in vocabulary order
        copies = trace.predictions[i].copy
        why = "" if copies or not judged else NOTHING_TO_COPY if not trace.predictions[i].copyable \
            else (ONE_TOKEN if unmixed(trace.predictions[i]) else NOT_A_COPY) if trace.predictions[i].output \
            else NOTHING_WRITTEN
        # A row with nothing to copy is a blend, not a prediction: faint and unshaded, so nobody reads it as one.
        choices = [Cell(f"{fmt.token(trace.vocab[t], cells)} {fmt.number(trace.probs[i, t], fmt.WEIGHT_DECIMALS)}",
                      float(trace.probs[i, t]) if copies else None, faint=not copies) for t in order]
        more = _tied_past(trace.probs[i], order)  # (the first in vocabulary order shown, the rest counted)
        if more:
            cut = choices[-1]
            choices[-1] = cut._replace(text=f"{cut.text} +{more}")
            tied = True
        rows.append(Row(_position_labels(trace, i, cells), tuple(choices) + (Cell(why, faint=not copies),)))
    ordinals = ("1st", "2nd", "3rd")[:top]
    horizon = trace.construction.horizon
    title = (("Next-token probabilities " if horizon == 1 else f"Probabilities of the token {horizon} ahead "),
             Math(f"P = softmax({trace.final} W_U / T)"),
             f", T = {fmt.parameter(trace.temperature, fmt.WEIGHT_DECIMALS)}: "
             + ("the most probable token " if top == 1 else f"the {top} most probable tokens ")
             + "of each position (", Math("W_U = E^T"), " scores a token by its "
             + ("share of " if trace.shares else
                "dot product with the token block of " if trace.words is not None else "entry in the token block of "),
             Math(trace.final), ")" + ("; +k: k more tokens as probable as the last shown" if tied else ""))
    return Table("next_token_probs", title, ("",), tuple((o,) for o in ordinals) + (("",),), tuple(rows),
                 align="left", shown=0 if shown is None else len(shown), copies=_copies(trace, queries))


def write_a(scale: float):
    """A's entries are 0 or a whole multiple of the layer's scale s (--context
    weighs the query's own token k s): written ``·``, ``s``, ``2s``, ..."""
    def write(x: float) -> str:
        if x == scale and x != 0:
            return "s"
        if x == -scale:
            return "-s"
        if x and float(x / scale).is_integer() and abs(x / scale) < 10:
            return f"{int(x / scale)}s"
        return fmt.cell(x, fmt.LOGIT_DECIMALS)
    return write


def a_writer(head: Head):
    """How a head's A is written: a built head's entries as multiples of its
    scale s (``write_a``), a model file's as the numbers they are."""
    return write_a(head.unit) if head.reference is None else (lambda x: fmt.cell(x, fmt.LOGIT_DECIMALS))


def a_legend(head: Head) -> str:
    """The A table's legend of symbols."""
    return "s = scale, · = 0" if head.reference is None else "· = 0"


def write_v(x: float) -> str:
    return "1" if x == 1 else fmt.cell(x, fmt.WEIGHT_DECIMALS)


def window_directions(trace: Trace, shown: Sequence[int] | None) -> np.ndarray | None:
    """The d directions a window of positions shows, ascending (None: all)."""
    if shown is None:
        return None
    return np.array(sorted({k for k, _ in _directions(trace, shown) if k is not None}), dtype=int)


def textbook_matrix(trace: Trace, key: str, title: tuple, matrix, row_directions: np.ndarray,
                    col_directions: np.ndarray, write, vmax: float = 1.0, shown: Sequence[int] | None = None,
                    every_column: bool = False, row_prefix: Sequence[str] | None = None,
                    row_groups: Sequence[int] | None = None, column_rules: bool = False) -> Table:
    """W^Q, W^K, W^V or W^O (``factored.Sparse``): each row and column stands
    for one of the d directions (``row_directions``, ``col_directions``; -1:
    zero padding, never shown). Only rows holding a nonzero entry, and
    columns too unless ``every_column``; with a window, only the directions
    it shows. Rows are grouped by subspace (or ``row_groups``); columns too
    with ``column_rules`` (W^O's, which are directions, not coordinates).
    Only the kept cells are made: the whole of W^O is (h d_v) x d."""
    seen = window_directions(trace, shown)

    def kept(directions: np.ndarray, used: np.ndarray | None) -> np.ndarray:
        ok = directions >= 0
        if used is not None:
            ok &= np.isin(np.arange(len(directions)), used)
        if seen is not None:
            ok &= np.isin(directions, seen)
        return np.flatnonzero(ok)

    rows_kept = kept(row_directions, matrix.rows)
    cols_kept = kept(col_directions, None if every_column else matrix.cols)
    row_at, col_at = np.full(matrix.shape[0], -1), np.full(matrix.shape[1], -1)
    row_at[rows_kept], col_at[cols_kept] = np.arange(len(rows_kept)), np.arange(len(cols_kept))
    inside = (row_at[matrix.rows] >= 0) & (col_at[matrix.cols] >= 0)
    part = np.zeros((len(rows_kept), len(cols_kept)))
    part[row_at[matrix.rows[inside]], col_at[matrix.cols[inside]]] = matrix.values[inside]
    directions = trace.basis.directions
    col_dirs = col_directions[cols_kept]
    groups = _subspace_of(trace, col_dirs).tolist() if column_rules else [0] * len(col_dirs)
    rgroups = _subspace_of(trace, row_directions[rows_kept]).tolist() if row_groups is None \
        else [row_groups[r] for r in rows_kept.tolist()]
    zero = Cell(write(0.0), 0.0)  # one cell for every 0: nearly all of them, and a million at d = 3200
    prefix = [""] * len(row_directions) if row_prefix is None else row_prefix
    rows = tuple(Row((prefix[r] + _direction_label(directions[k]),),
                     tuple(Cell(write(x), x) if x else zero for x in part[i].tolist()), group=g,
                     name=prefix[r] + _direction_caption(directions[k]))
                 for i, (r, k, g) in enumerate(zip(rows_kept.tolist(), row_directions[rows_kept].tolist(), rgroups)))
    return Table(key, title, ("", "row \\ col"), tuple(_direction_header(directions[k]) for k in col_dirs.tolist()),
                 rows, tuple(groups), vmax=vmax, shown=0 if shown is None else len(shown),
                 names=_captions(trace, col_dirs.tolist()))


def circuit(trace: Trace, c, shown: Sequence[int] | None = None, write=None) -> Table:
    """One circuit (circuits.Circuit) as a table: positions or tokens on both
    axes; with ``shown``, only the shown positions (or their tokens)."""
    if c.rows[:1] and c.rows[0].startswith("@") and c.kind == "qk-positions":
        index = _positions(trace, shown)
        names = [None if i is None else f"@{i}" for i in index]
        captions = names
    else:
        wanted = None if shown is None else {trace.tokens[i] for i in shown}
        index = [k for k, t in enumerate(trace.vocab) if wanted is None or t in wanted]
        if wanted is not None and len(index) < len(trace.vocab):
            index.append(None)
        names = [None if k is None else fmt.token(trace.vocab[k]) for k in index]
        captions = [None if n is None else f"tok {n}" for n in names]  # (a token may look like "@3")
    write = write or (lambda x: fmt.cell(x, fmt.WEIGHT_DECIMALS))
    rows = tuple(
        _gap_row(len(index), 1) if i is None else Row((names[r],), tuple(
            Cell(GAP_COLUMN, gap=True) if j is None else Cell(write(c.matrix[i, j]), float(c.matrix[i, j]))
            for j in index), name=captions[r])
        for r, i in enumerate(index))
    columns = tuple(("", GAP_COLUMN) if j is None else ("", names[k]) for k, j in enumerate(index))
    vmax = float(np.abs(c.matrix).max()) or 1.0
    return Table(f"circuit.{c.key}", (Math(c.formula), f", {c.head}: {c.about}"), ("", "query \\ key"
                 if c.kind != "ov" else "attended \\ scored"), columns, rows, vmax=vmax,
                 shown=0 if shown is None else len(shown), names=tuple(n or "" for n in captions))


def token_vectors(trace: Trace, shown: Sequence[int] | None = None, key: str = "embedding") -> Table:
    """E: each vocabulary token's unit vector, a column per feature (a trigram,
    a case-folded word, or a file's dimension); with a window, the shown
    positions' tokens and the features they use (``_features``)."""
    words = trace.words
    title = (Math("E"), f" (V x m = {len(trace.vocab)} x {len(words.features)}): each token's vector, a row of "
             "length 1 (· = 0)")
    tokens = _tokens(trace, shown)
    features = list(range(len(words.features))) if shown is None else _features(trace, shown)
    return _gapped(key, title, words.vectors, tokens, features, [fmt.token(t) for t in trace.vocab],
                   [fmt.token(f) for f in words.features], ("", "token \\ feature"), shown)


def similarities(trace: Trace, shown: Sequence[int] | None = None) -> Table:
    """cos(x, y) = e(x) . e(y) for every pair of vocabulary tokens (E E^T); with a window, of the shown tokens."""
    title = ("Similarities ", Math("cos(x, y) = e(x) . e(y)"), " (", Math("E E^T"), "): what the induction head's "
             "logit is, over s, where the query is x and the key follows y")
    names = [fmt.token(t) for t in trace.vocab]
    tokens = _tokens(trace, shown)
    kept = [k for k in tokens if k is not None]
    at = {k: i for i, k in enumerate(kept)}
    cos = trace.words.similarities(kept)
    rows = [None if k is None else at[k] for k in tokens]
    return _gapped("similarities", title, cos, rows, rows, [names[k] for k in kept], [names[k] for k in kept],
                   ("", ""), shown)


def _gapped(key: str, title: tuple, matrix, rows: list[int | None], cols: list[int | None], row_names: Sequence[str],
            col_names: Sequence[str], corner: tuple[str, ...], shown: Sequence[int] | None) -> Table:
    """The entries of ``matrix`` at ``rows`` x ``cols`` (None: a gap row or column), each row and column named."""
    table_rows = tuple(
        _gap_row(len(cols), 1) if r is None else Row((row_names[r],), tuple(
            Cell(GAP_COLUMN, gap=True) if c is None else Cell(_number(matrix[r, c]), float(matrix[r, c]))
            for c in cols))
        for r in rows)
    columns = tuple(("", GAP_COLUMN) if c is None else ("", col_names[c]) for c in cols)
    return Table(key, title, corner, columns, table_rows, shown=0 if shown is None else len(shown))


def _number(x: float) -> str:
    return fmt.cell(x, fmt.WEIGHT_DECIMALS)


def rope_table(key: str, title: tuple, rope) -> Table:
    """A RoPE head's K planes: each frequency w_m, its query and key before rotation."""
    rows = tuple(Row((f"plane {m + 1}",), (
        Cell(fmt.cell(float(rope.frequencies[m]), 6)),
        Cell(fmt.cell(float(rope.query[2 * m]), 2)), Cell(fmt.cell(float(rope.query[2 * m + 1]), 2)),
        Cell(fmt.cell(float(rope.key[2 * m]), 4)), Cell(fmt.cell(float(rope.key[2 * m + 1]), 4))))
        for m in range(len(rope.frequencies)))
    return Table(key, title, ("",), (("w",), ("q1",), ("q2",), ("k1",), ("k2",)), rows)


def planes(trace: Trace, key: str, title: tuple, blocks: tuple[Block, ...]) -> Table:
    """A rotation block on a sinusoidal position code, plane by plane: the
    2 x 2 entries each frequency's (sin, cos) pair maps to (sin, cos); every
    entry between two planes is 0."""
    rows_at, cols_at, values = entries(blocks, trace.basis)
    dense: dict = {}
    for r, c, v in zip(rows_at.tolist(), cols_at.tolist(), values.tolist()):
        dense[(r, c)] = dense.get((r, c), 0.0) + v
    start = trace.basis.block(blocks[0].rows).start
    k = trace.basis.size(blocks[0].rows) // 2
    rows = tuple(Row((f"w{m + 1}",), tuple(
        Cell(fmt.cell(dense.get((start + 2 * m + a, start + 2 * m + b), 0.0), fmt.WEIGHT_DECIMALS))
        for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)))) for m in range(k))
    return Table(key, title + ("; plane by plane (every entry between two planes is 0)",), ("plane",),
                 (("sin→sin",), ("sin→cos",), ("cos→sin",), ("cos→cos",)), rows)


def composition_table(found, stacked: bool = False) -> Table:
    """The composition scores, a row per (layer-2 head, layer-1 head): K, Q, V.
    ``stacked`` (a narrow screen, where the pair's name as a row label would
    not fit): the pair a column of text of its own, which wraps."""
    pairs = list(dict.fromkeys((c.reader, c.writer) for c in found))
    score = {(c.reader, c.writer, c.kind): c.score for c in found}
    scores = {pair: tuple(Cell(fmt.NONE) if score[(*pair, k)] is None
                          else Cell(fmt.number(score[(*pair, k)], 2), score[(*pair, k)]) for k in "KQV")
              for pair in pairs}
    title = ("Composition scores (Frobenius norms; — = a norm is 0): K ", Math("|A_2 V_1^T| / (|A_2| |V_1|)"),
             ", Q ", Math("|V_1 A_2| / (|A_2| |V_1|)"), ", V ", Math("|V_1 V_2| / (|V_1| |V_2|)"))
    if stacked:
        rows = tuple(Row(("",), (Cell(f"{reader} with the {writer}"),) + scores[reader, writer])
                     for reader, writer in pairs)
        return Table("composition", title, ("",), (("heads",), ("K",), ("Q",), ("V",)), rows, align="left",
                     vmax=1.0)
    rows = tuple(Row((f"{reader} with the {writer}",), scores[reader, writer]) for reader, writer in pairs)
    return Table("composition", title, ("",), (("K",), ("Q",), ("V",)), rows, vmax=1.0)
