"""How the induction head's attention on the matched key sharpens with its scale.

For each query that has something to copy (its token occurred at k <= i - 2),
the model's weight on the m matched keys (those right after the earlier
occurrences) is measured at each scale s of layer 2, with layer 1 kept sharp
(its own scale, default 100), and set beside the closed form: the matched
keys have logit s and the other k - m kept keys logit 0, so together they get

    m e^s / (m e^s + k - m)      (m = 1: e^s / (e^s + k - 1))

written here as m / (m + (k - m) e^-s), which does not overflow.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from .errors import InputError
from . import inputs
from .model import run
from .tokens import earlier_occurrences


class Query(NamedTuple):
    position: int
    token: str
    keys: tuple[int, ...]  # the matched keys
    kept: int  # k: the keys the query may see (positions 0 .. i-1)


def closed_form(s: float, matched: int, kept: int) -> float:
    return matched / (matched + (kept - matched) * math.exp(-s))


def queries(tokens: tuple[str, ...]) -> list[Query]:
    found = ((i, earlier_occurrences(tokens, i)) for i in range(len(tokens)))
    return [Query(i, tokens[i], tuple(k + 1 for k in earlier), i) for i, earlier in found if earlier]


def sweep(tokens: tuple[str, ...], scales: list[float], layer1_scale: float = 100.0) -> dict:
    """The measured weight and the closed form for each scale and query."""
    found = queries(tokens)
    if not found:
        raise InputError("no token occurs again after the token that followed it: nothing to copy, "
                         "so nothing to sweep (try \"! a b a c b\")")
    scales = inputs.scales(scales)
    measured, closed = [], []
    for s in scales:
        weights = run(tokens, layer1_scale, induction_scale=s).layers[1].weights
        measured.append([float(weights[q.position, list(q.keys)].sum()) for q in found])
        closed.append([closed_form(s, len(q.keys), q.kept) for q in found])
    return {"tokens": list(tokens), "layer1_scale": layer1_scale, "scales": scales,
            "queries": [q._asdict() for q in found], "measured": measured, "closed_form": closed}
