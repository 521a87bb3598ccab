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

from ..base.errors import InputError
from ..base import inputs
import numpy as np

from ..core import mechanism
from ..core.model import logits_of
from ..core.runs import run, swept
from ..base.tokens import earlier_occurrences
from ..core.weights import LECTURE, Construction, described


class Query(NamedTuple):
    position: int
    token: str
    keys: tuple[int, ...]  # the matched keys
    kept: int  # k: the keys the query may see (positions 0 .. i-1)
    gaps: tuple[float, ...] = ()  # each other kept key's logit below the matched keys', in units of s


def closed_form(s: float, matched: int, kept: int, gaps: tuple[float, ...] = ()) -> float:
    """The matched keys' share of a softmax in which they score s and the
    other kept keys 0 (or, with ``gaps``, each that many s below them)."""
    others = sum(math.exp(-s * g) for g in gaps) if gaps else (kept - matched) * math.exp(-s)
    return matched / (matched + others)


def queries(tokens: tuple[str, ...], construction: Construction = LECTURE, layer1_scale: float = 100.0) -> list[Query]:
    """The queries with something to copy, their matched keys and, for a
    variant, how far below those each other kept key's logit lies on the
    ideal stream. The pointer circuit's layer-2 logit is s times the weight
    its layer 1 put on the key before: read off the run itself (layer 1 at
    ``layer1_scale``, layer 2 at s = 1), the pointer split 1/k over k earlier copies."""
    if construction == LECTURE:
        found = ((i, earlier_occurrences(tokens, i)) for i in range(len(tokens)))
        return [Query(i, tokens[i], tuple(k + 1 for k in earlier), i) for i, earlier in found if earlier]
    if construction.circuit == "pointer":
        trace = run(tokens, layer1_scale, induction_scale=1.0, construction=construction, beside=False)
        logits, mask = trace.induction.logits, trace.induction.mask
    else:
        trace = run(tokens, 1.0, construction=construction, beside=False)  # logits in units of s
        ideal, mask = mechanism.ideal(trace.basis, trace.ids, trace.words), trace.induction.mask
        logits = logits_of(trace.induction.only.head, ideal)
    out = []
    for p in trace.predictions:
        if not p.copyable:
            continue
        kept = np.flatnonzero(mask[p.position])
        top = logits[p.position, kept].max()
        matched = kept[logits[p.position, kept] >= top]
        gaps = tuple(float(top - logits[p.position, j]) for j in kept if logits[p.position, j] < top)
        out.append(Query(p.position, p.token, tuple(int(j) for j in matched), len(kept), gaps))
    return out


SHOWN = 8  # layer-1 queries shown: positions spread from @1 to the last


def previous(tokens: tuple[str, ...], scales: list[float], construction: Construction = LECTURE) -> dict:
    """Layer 1's weight on the previous position as its scale grows, for each
    position scheme, beside the closed form: every layer-1 logit is s times
    its value at s = 1, so the weight on key i - 1 is 1 / (1 + sum_j e^(-s g_j)),
    g_j how far key j's unit logit lies below key i - 1's (for one-hot
    positions and a relative bias, e^s / (e^s + i - 1); for none, 1/i)."""
    scales = inputs.scales(scales)
    n = len(tokens)
    if n < 2:
        raise InputError("one token has no previous position: give at least two")
    step = max(1, -(-(n - 1) // SHOWN))
    shown = sorted(set(range(1, n, step)) | {n - 1})
    traced = run(tokens, 1.0, construction=construction, beside=False)
    if not any(layer.heads[0].head.looks_back for layer in traced.layers[:-1]):
        raise InputError(f"--circuit {construction.circuit}'s layer 1 is a duplicate-token head, not a previous-token "
                         "head: sweep its induction head (--layer 2)")
    unit = traced.look_back
    head = unit.heads[0]  # the head looking one back (or the one of --skip)
    o = head.head.offset
    shown = [i for i in shown if i >= o]
    found = [Query(i, tokens[i], (i - o,), int(unit.mask[i].sum()),
                   tuple(float(head.logits[i, i - o] - head.logits[i, j]) for j in np.flatnonzero(unit.mask[i])
                         if j != i - o)) for i in shown]
    measured, closed = [], []
    for s, weights in zip(scales, swept(tokens, scales, 1, construction=construction)):
        measured.append([float(weights[q.position, q.keys[0]]) for q in found])
        closed.append([closed_form(s, 1, q.kept, q.gaps) for q in found])
    return {"tokens": list(tokens), "layer": 1, "scales": scales,
            "queries": [{k: v for k, v in q._asdict().items() if k != "gaps"} for q in found],
            "measured": measured, "closed_form": closed, "construction": described(construction)}


def sweep(tokens: tuple[str, ...], scales: list[float], layer1_scale: float = 100.0,
          construction: Construction = LECTURE) -> dict:
    """The measured weight and the closed form for each scale and query."""
    found = queries(tokens, construction, layer1_scale)
    if not found:
        raise InputError("no token occurs again after the token that followed it: nothing to copy, "
                         "so nothing to sweep (try \"! a b a c b\")")
    scales = inputs.scales(scales)
    measured, closed = [], []
    for s, weights in zip(scales, swept(tokens, scales, 2, layer1_scale, construction)):
        measured.append([float(weights[q.position, list(q.keys)].sum()) for q in found])
        closed.append([closed_form(s, len(q.keys), q.kept, q.gaps) for q in found])
    return {"tokens": list(tokens), "layer1_scale": layer1_scale, "scales": scales,
            "queries": [{k: v for k, v in q._asdict().items() if k != "gaps"} for q in found],
            "measured": measured, "closed_form": closed, "construction": described(construction)}
