"""JSON: the data documents (``data.py``), bench and sweep results, as text.

Numbers carry 12 significant digits (stable bytes across machines; the last
bits of exp() differ between CPUs), with -0.0 written 0.0; a ``views.Exact``
list (the weights a loader rebuilds the model from) keeps every digit. Indentation is two
spaces, except that a list of numbers (a matrix row) stays on one line, so
the file reads like the tables. A ``views.Matrix`` is written a slice of rows
at a time, null where its mask is False: ``chunks`` yields the text as it is
made, so a 100 MB document is never held whole.
"""
from __future__ import annotations

import json

import numpy as np

from ...base import text as fmt
from ..views import Exact, Matrix

ROWS_AT_ONCE = 64  # rows of a matrix encoded together: a few MB of text at most
OWN_CODES = 4096  # a block with more new values than this is encoded on its own, not merged into the book
BOOK_SIZE = 65536  # nor, past this many, is any: each merge sorts the book again


def texts(values: np.ndarray, after: str = "") -> list[str]:
    """Each finite value as JSON, to 12 significant digits, as fmt.json_number
    and json.dumps write it: "%.12g" (one formatting call for them all), then
    ".0" where Python's repr adds it (to the few values within 12 digits of a
    whole number, which alone "%.12g" writes with no point); the few values
    whose repr differs from "%.12g" (1e12 <= |x| < 1e16, written out in full;
    subnormals, with fewer digits) one by one. ``after``: a separator after each."""
    if not np.isfinite(values).all():
        raise ValueError("Out of range float values are not JSON compliant")
    values = values + 0.0  # -0.0 is written 0.0
    joined = ("%.12g\0" * len(values)) % tuple(values.tolist())
    out = (joined.replace("\0", after + "\0") if after else joined).split("\0")[:-1]
    size = np.abs(values)
    whole = np.flatnonzero((np.abs(values - np.round(values)) <= size * 1e-11) & (size < 1e16)).tolist()
    cut = len(after)
    for k in whole:
        text = out[k][:len(out[k]) - cut]
        if "." not in text and "e" not in text:
            out[k] = text + ".0" + after
    for k in np.flatnonzero((size >= 1e12) & (size < 1e16) | (size > 0) & (size < np.finfo(float).tiny)).tolist():
        out[k] = json.dumps(fmt.json_number(float(values[k]))) + after
    return out


def _number(x):
    return fmt.json_number(x) if isinstance(x, float) else x


def numbers(value):
    """Every float in a nested result to 12 significant digits."""
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [numbers(v) for v in value]
    return _number(value)


class Codebook:
    """The JSON text of every distinct value met so far, sorted by value, with
    "null" last. A run repeats few distinct values (a 1000-token walkthrough
    has millions of entries and about a thousand values), so each is rounded
    and encoded once, and a matrix is written by looking its values up."""

    def __init__(self):
        self.values = np.zeros(1)  # 0 first: most entries of a run are 0, looked up without a search
        self.text = np.array(["0.0", "null"], dtype=object)
        self.items = ["0.0, ", "null, "]  # each text with its separator
        self.recent: dict = {}  # the last array's codes by first row: its masked copy, next, reuses them

    def codes(self, block: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The index of each entry of ``block`` in the texts returned with it
        (the book's, or, for a block of many new values, its own: a
        sinusoidal code's logits take as many values as cells, and merging
        each into the book would sort it again and again). Zeros are coded
        at once; only the other entries are searched for."""
        nonzero = block != 0
        values = block[nonzero]
        at = np.searchsorted(self.values, values)
        known = self.values[np.minimum(at, len(self.values) - 1)] == values
        if not np.all(known):
            new = np.unique(values[~known])
            if len(new) > OWN_CODES or len(self.values) + len(new) > BOOK_SIZE:
                own, inverse = np.unique(block, return_inverse=True)
                return inverse.reshape(block.shape), texts(own, ", ") + ["null, "]
            merged = np.concatenate([self.values, new])
            order = np.argsort(merged, kind="stable")
            text = np.concatenate([self.text[:-1], texts(new)])
            self.values = merged[order]
            self.text = np.concatenate([text[order], ["null"]]).astype(object)
            self.items = [t + ", " for t in self.text.tolist()]
            at = np.searchsorted(self.values, values)
        out = np.full(block.shape, int(np.searchsorted(self.values, 0.0)))
        out[nonzero] = at
        return out, self.items

    @staticmethod
    def rows(codes: np.ndarray, items: list[str]) -> list[str]:
        """Each row of ``codes`` as a JSON list. A row is written run by run
        (a run of equal values is one string repeated): the rows of a run
        are mostly long runs of 0, of layer 1's e^-100 or of an even split."""
        n_rows, width = codes.shape
        starts = np.ones(codes.shape, dtype=bool)
        starts[:, 1:] = codes[:, 1:] != codes[:, :-1]
        row, col = np.nonzero(starts)
        stop = np.append(col[1:], width)
        stop[np.append(row[1:] != row[:-1], True)] = width
        if len(row) > codes.size // 4:  # mostly distinct values: runs would not pay
            table = np.array(items, dtype=object)
            return ["[" + "".join(line)[:-2] + "]" for line in table[codes].tolist()]
        runs = [items[c] * n for c, n in zip(codes[row, col].tolist(), (stop - col).tolist())]
        bounds = np.searchsorted(row, np.arange(n_rows + 1)).tolist()
        return ["[" + "".join(runs[a:b])[:-2] + "]" for a, b in zip(bounds, bounds[1:])]


def _rows(m: Matrix, inner: str, book: Codebook):
    """Each row as JSON text, a slice of rows at a time (the codes of the
    array just written reused for its masked copy: the logits, then the
    masked logits)."""
    source = None if m.source is None else id(m.source)
    if source not in book.recent:
        book.recent = {source: {}}
    for start in range(0, m.n_rows, ROWS_AT_ONCE):
        stop = min(start + ROWS_AT_ONCE, m.n_rows)
        known = book.recent[source].get(start) if source is not None else None
        codes, items = known or book.codes(np.asarray(m.rows(start, stop), dtype=float))
        if source is not None:
            book.recent[source][start] = (codes, items)
        if m.mask is not None:
            codes = np.where(m.mask[start:stop], codes, len(items) - 1)
        yield (",\n" + inner).join(book.rows(codes, items))
        if stop < m.n_rows:
            yield ",\n" + inner


def _chunks(value, indent: int, book: Codebook):
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, Matrix):
        yield "[\n" + inner
        yield from _rows(value, inner, book)
        yield "\n" + pad + "]"
    elif isinstance(value, dict) and value:
        yield "{\n"
        for k, (key, item) in enumerate(value.items()):
            yield f"{',' if k else ''}{inner if not k else chr(10) + inner}{json.dumps(key)}: "
            yield from _chunks(item, indent + 1, book)
        yield "\n" + pad + "}"
    elif isinstance(value, list) and value and all(isinstance(v, (dict, list, Matrix)) for v in value):
        exact = isinstance(value, Exact)  # its rows are exact too
        if all(isinstance(v, list) and not any(isinstance(x, (dict, list, Matrix)) for x in v) for v in value):
            # rows of numbers (a block's entries): each on its own line, written at once
            write = (lambda row: json.dumps(row, allow_nan=False)) if exact else \
                (lambda row: json.dumps(numbers(row), ensure_ascii=False, allow_nan=False))
            yield "[\n" + inner + (",\n" + inner).join(write(row) for row in value) + "\n" + pad + "]"
            return
        yield "[\n"
        for k, item in enumerate(value):
            yield ("," + "\n" if k else "") + inner
            yield from _chunks(item, indent + 1, book)
        yield "\n" + pad + "]"
    elif isinstance(value, Exact):  # full precision, each float as Python writes it back exactly
        yield json.dumps(value, allow_nan=False)
    else:
        yield json.dumps(numbers(value), ensure_ascii=False, allow_nan=False)  # strict JSON: no NaN


def chunks(value):
    """The document as pieces of JSON text, ending with a newline."""
    yield from _chunks(value, 0, Codebook())
    yield "\n"


def dumps(value) -> str:
    """The whole document as one string (for small results: bench, sweep)."""
    return "".join(chunks(value))
