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


def _matrix(matrix: np.ndarray, mask: np.ndarray | None = None) -> list[list[float | None]]:
    return [
        [None if mask is not None and not mask[i, j] else fmt.json_number(x) for j, x in enumerate(row)]
        for i, row in enumerate(matrix)
    ]


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


def dumps(value, indent: int = 0) -> str:
    """JSON with two-space indentation, except that a list of numbers (a matrix
    row) stays on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}" if items else "{}"
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def render(trace: Trace, layers=(1, 2), story: bool = True) -> str:
    return dumps(document(trace, layers, story)) + "\n"
