"""The JSON view: one document holding the whole trace.

``next_token_probs`` is N x V: row i is position i's distribution over
``vocab``. ``story`` holds each shown layer's sentences. Numbers carry 12 significant digits (stable bytes across machines; the last
bits of exp() differ between CPUs). Masked cells are null. Each matrix row is
written on one line so the file reads like the tables.
"""
from __future__ import annotations

import json

import numpy as np

from ..trace import Layer, Trace
from . import format as fmt

SCHEMA_VERSION = 1


class Raw(str):
    """JSON text already encoded (a matrix row), written as is by ``dumps``."""


def _matrix(matrix: np.ndarray, mask: np.ndarray | None = None) -> list[Raw]:
    """Each row as JSON text, null where masked. A trace repeats few distinct
    values (a 1000-token trace has millions of entries and a few hundred
    values), so each distinct value is rounded and encoded once."""
    values, inverse = np.unique(matrix, return_inverse=True)
    encoded = np.array([json.dumps(fmt.json_number(v)) for v in values.tolist()] + ["null"], dtype=object)
    index = inverse.reshape(matrix.shape)
    if mask is not None:
        index = np.where(mask, index, len(values))
    return [Raw("[" + ", ".join(encoded[row]) + "]") for row in index]


def _layer(layer: Layer) -> dict:
    return {
        "index": layer.index,
        "name": layer.name,
        "scale": fmt.json_number(layer.scale),
        "ablated": layer.ablated,
        "logits": _matrix(layer.logits),
        "masked": _matrix(layer.logits, layer.mask),
        "weights": _matrix(layer.weights),
        "output": _matrix(layer.output),
    }


def document(trace: Trace, layers=(1, 2), story: bool = True) -> dict:
    from ..story import story as tell

    told = tell(trace) if story else {}
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tokens": list(trace.tokens),
        "vocab": list(trace.vocab),
        "scale": fmt.json_number(trace.scale),
        "basis": list(trace.basis.labels),
        "layers": [_layer(layer) for layer in trace.layers if layer.index in layers],
        "predictions": [
            {"position": p.position, "token": p.token, "next": p.next, "candidates": list(p.candidates)}
            for p in trace.predictions
        ],
        "temperature": fmt.json_number(trace.temperature),
        "ablate": trace.ablate,
        "next_token_probs": _matrix(trace.probs),
    }
    if story:
        doc["story"] = {str(l): [{"kind": s.kind, "text": s.text} for s in told[l]] for l in layers}
    return doc


def numbers(value):
    """Every float in a nested result to JSON_DIGITS significant digits."""
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [numbers(v) for v in value]
    if isinstance(value, float):
        return fmt.json_number(value)
    return value


def _chunks(value, indent: int):
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, Raw):
        yield value
    elif isinstance(value, dict) and value:
        yield "{\n"
        for k, (key, item) in enumerate(value.items()):
            yield f"{',' if k else ''}{inner if not k else chr(10) + inner}{json.dumps(key)}: "
            yield from _chunks(item, indent + 1)
        yield "\n" + pad + "}"
    elif isinstance(value, list) and value and all(isinstance(v, (dict, list, Raw)) for v in value):
        yield "[\n"
        for k, item in enumerate(value):
            yield ("," + "\n" if k else "") + inner
            yield from _chunks(item, indent + 1)
        yield "\n" + pad + "]"
    else:
        yield json.dumps(value, ensure_ascii=False)


def dumps(value, indent: int = 0) -> str:
    """JSON with two-space indentation, except that a list of numbers (a matrix
    row) stays on one line. Written as chunks joined once: a 1000-token
    document is about 100 MB."""
    return "".join(_chunks(value, indent))


def render(trace: Trace, layers=(1, 2), story: bool = True) -> str:
    return dumps(document(trace, layers, story)) + "\n"
