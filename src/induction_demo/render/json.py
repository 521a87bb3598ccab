"""JSON: the data documents (``data.py``), bench and sweep results, as text.

Numbers carry 12 significant digits (stable bytes across machines; the last
bits of exp() differ between CPUs), with -0.0 written 0.0. Indentation is two
spaces, except that a list of numbers (a matrix row) stays on one line, so
the file reads like the tables. A ``views.Matrix`` is written a slice of rows
at a time, null where its mask is False: ``chunks`` yields the text as it is
made, so a 100 MB document is never held whole.
"""
from __future__ import annotations

import json

import numpy as np

from .. import text as fmt
from ..views import Matrix

ROWS_AT_ONCE = 64  # rows of a matrix encoded together: a few MB of text at most


def _number(x):
    return fmt.json_number(x) if isinstance(x, float) else x


def numbers(value):
    """Every float in a nested result to 12 significant digits."""
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [numbers(v) for v in value]
    return _number(value)


def _rows(m: Matrix, inner: str):
    """Each row as JSON text. A run repeats few distinct values (a 1000-token
    walkthrough has millions of entries and a few thousand values), so each
    distinct value of a slice is rounded and encoded once."""
    for start in range(0, m.n_rows, ROWS_AT_ONCE):
        stop = min(start + ROWS_AT_ONCE, m.n_rows)
        block = np.asarray(m.rows(start, stop), dtype=float)
        values, inverse = np.unique(block, return_inverse=True)
        encoded = np.array([json.dumps(fmt.json_number(v)) for v in values.tolist()] + ["null"], dtype=object)
        index = inverse.reshape(block.shape)
        if m.mask is not None:
            index = np.where(m.mask[start:stop], index, len(values))
        yield (",\n" + inner).join("[" + ", ".join(encoded[row]) + "]" for row in index)
        if stop < m.n_rows:
            yield ",\n" + inner


def _chunks(value, indent: int):
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, Matrix):
        yield "[\n" + inner
        yield from _rows(value, inner)
        yield "\n" + pad + "]"
    elif isinstance(value, dict) and value:
        yield "{\n"
        for k, (key, item) in enumerate(value.items()):
            yield f"{',' if k else ''}{inner if not k else chr(10) + inner}{json.dumps(key)}: "
            yield from _chunks(item, indent + 1)
        yield "\n" + pad + "}"
    elif isinstance(value, list) and value and all(isinstance(v, (dict, list, Matrix)) for v in value):
        yield "[\n"
        for k, item in enumerate(value):
            yield ("," + "\n" if k else "") + inner
            yield from _chunks(item, indent + 1)
        yield "\n" + pad + "]"
    else:
        yield json.dumps(numbers(value), ensure_ascii=False)


def chunks(value):
    """The document as pieces of JSON text, ending with a newline."""
    yield from _chunks(value, 0)
    yield "\n"


def dumps(value) -> str:
    """The whole document as one string (for small results: bench, sweep)."""
    return "".join(chunks(value))
