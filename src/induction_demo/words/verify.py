"""The verifier: every premise of every sentence (claims.py) re-derived from
the trace, by code of its own, before the sentence is trusted.

The story computes its words from the run; this module does not call the
story's helpers, nor ``mechanism``: it re-reads the trace's matrices, tokens,
mask and construction, with a plain rule for which cells each head is built
for, dense matrix products for what each key carries, and the tolerances of
claims.py. ``problems(trace, sentences)`` lists what fails (empty when all
holds); ``check`` raises VerificationError. The tests run it on every
sentence they render; ``INDUCTION_DEMO_VERIFY=1`` runs it on every story the
tool tells.
"""
from __future__ import annotations

import numpy as np

from . import claims as c
from ..core.readout import EXACT_TIE, TIE_TOLERANCE

SWITCH = c.SWITCH


class VerificationError(AssertionError):
    """A sentence whose premise does not hold on its trace."""


enabled = c.verifying


def _head(trace, layer: int, head: int):
    return trace.layers[layer - 1].heads[head]


def _kept(trace, layer: int, i: int) -> np.ndarray:
    return np.flatnonzero(trace.layers[layer - 1].mask[i])


def _horizon(trace) -> int:
    return trace.construction.horizon


def _similarity(trace, a: int, b: int) -> float:
    index = {t: k for k, t in enumerate(trace.vocab)}
    return trace.words.cosine(index[trace.tokens[a]], index[trace.tokens[b]])


def job(trace, layer: int, i: int, j: int, head: int = 0) -> bool:
    """The plain rule for a head's job: a look-back head's key is ``offset``
    back; an induction head's key stands ``horizon`` after a copy of the
    query's token (a positive cosine with dense token vectors)."""
    head = trace.layers[layer - 1].heads[head].head
    head = head.reference or head
    if head.role.kind == "unknown":
        return False
    if head.role.kind == "duplicate-token":
        return j != i and trace.tokens[j] == trace.tokens[i]
    if head.looks_back:
        return j == i - head.offset
    s = j - _horizon(trace)
    if s < 0:
        return False
    if trace.words is not None:
        return _similarity(trace, i, s) > 1e-9
    return trace.tokens[s] == trace.tokens[i]


def _near(probs: np.ndarray, tolerance: float) -> np.ndarray:
    return np.flatnonzero(probs >= probs.max() * (1 - tolerance))


def contributions(trace, layer: int, i: int, token: str) -> tuple[np.ndarray, float]:
    """What each key gives ``token``'s score at query i, w_ij (y_j V)[token]
    summed over the layer's heads, and what the residual gives: dense
    products over the previous layer's output."""
    spec = trace.layers[layer - 1]
    previous = trace.stream(layer - 1).dense()
    basis = trace.basis
    column = basis.block("tok")
    t = trace.vocab.index(token)
    read = (lambda rows: rows[..., column] @ trace.words.vectors[t]) if trace.words is not None \
        else (lambda rows: rows[..., column][..., t])
    from ..core.weights import dense

    out = np.zeros(trace.n)
    for run in spec.heads:
        if run.ablated:
            continue
        values = read(previous @ dense(run.head.ov, basis))
        out += run.weights[i] * values
    return out, float(read(previous[i])) if spec.residual else 0.0


def copies(trace, i: int) -> bool:
    """The last layer copies at i: at least half its weight on kept cells it is
    built for, a positive logit on one of them (a model file's head: the token
    of a key at the top of its weight there, near-ties included, is what comes
    out), and something output."""
    layer = len(trace.layers)
    spec = trace.layers[-1]
    if not trace.predictions[i].output or all(run.ablated for run in spec.heads):  # an ablated head copies nothing
        return False
    cells = [j for j in _kept(trace, layer, i) if job(trace, layer, i, j)]
    if not cells:
        return False
    on = sum(float(run.weights[i, cells].sum()) for run in spec.heads)
    if on < 0.5 * len(spec.heads) - 1e-9:
        return False
    if spec.heads[0].head.reference is None:
        return any(run.logits[i, j] > 0 for run in spec.heads for j in cells)
    w = spec.heads[0].weights[i]
    top = max(w[j] for j in cells)  # the keys of the job at the top weight, a near-tie included
    return any(trace.tokens[j] in trace.predictions[i].output for j in cells if w[j] >= top - c.NEAR_WEIGHT)


def _predicts(trace, p: c.Predicts) -> bool:
    row = trace.probs[p.position]
    empty = not trace.scores[p.position].any()
    tokens = () if empty else tuple(trace.vocab[t] for t in _near(row, TIE_TOLERANCE))
    near = len(tokens) > 1 and tuple(trace.vocab[t] for t in _near(row, EXACT_TIE)) != tokens
    return tokens == p.tokens and copies(trace, p.position) == p.copy and near == p.near


def _top(trace, p: c.Top) -> bool:
    w, kept = _head(trace, p.layer, p.head).weights[p.query], _kept(trace, p.layer, p.query)
    if not len(kept):
        return False
    top = w[kept].max()
    return tuple(int(j) for j in kept if w[j] >= top - c.NEAR_WEIGHT) == tuple(sorted(p.keys))


def _even(trace, p: c.Even) -> bool:
    w, kept = _head(trace, p.layer, p.head).weights[p.query], _kept(trace, p.layer, p.query)
    return len(kept) == p.count and bool(len(kept)) and float(np.ptp(w[kept])) <= c.EVEN \
        and abs(w[kept[0]] - p.value) <= 1e-9


def _logits(trace, p: c.Logits) -> bool:
    a, mask = _head(trace, p.layer, p.head).logits, trace.layers[p.layer - 1].mask
    rows = [i for i in p.rows if mask[i].any()]
    if p.kind == "zero":
        return not any(a[i][mask[i]].any() for i in rows)
    ties = [float(np.ptp(a[i][mask[i]])) == 0 for i in rows]
    return all(ties) if p.kind == "tie" else not all(ties)


def _logit_range(trace, p: c.LogitRange) -> bool:
    a = _head(trace, p.layer, p.head).logits[:, list(p.keys)]
    return abs(a.min() - p.low) <= 1e-9 * max(1.0, abs(p.low)) and abs(a.max() - p.high) <= 1e-9 * max(1.0, abs(p.high))


def _follows(trace, p: c.Follows) -> bool:
    if p.key - p.source != _horizon(trace) or p.source < 0:
        return False
    same = trace.tokens[p.source] == trace.tokens[p.query]
    if p.similarity is not None:
        return trace.words is not None and abs(_similarity(trace, p.query, p.source) - p.similarity) <= 1e-9
    return same == p.same


def _context(trace, p: c.Context) -> bool:
    k, s = trace.construction.context, p.key - _horizon(trace)
    matched = sum(s - m >= 0 and p.query - m >= 0 and trace.tokens[s - m] == trace.tokens[p.query - m]
                  for m in range(k))
    if p.similarities is not None:
        pairs = [(p.query - m, s - m) for m in reversed(range(k)) if s - m >= 0 and p.query - m >= 0]
        if trace.words is None or len(pairs) != len(p.similarities) or any(
                abs(_similarity(trace, a, b) - x) > 1e-9 for (a, b), x in zip(pairs, p.similarities)):
            return False
    return matched == p.matched


def _carried(trace, p: c.Carried) -> bool:
    """The keys named carry the token by the rule, given the row's top keys (re-derived here)."""
    layer = len(trace.layers)
    w, kept = trace.layers[-1].heads[0].weights[p.position], _kept(trace, layer, p.position)
    attended = [int(j) for j in kept if w[j] >= w[kept].max() - c.NEAR_WEIGHT] if len(kept) else []
    gives, residual = contributions(trace, layer, p.position, p.token)
    keys, share = c.carriers(gives, residual, attended)
    return keys == tuple(sorted(p.keys)) and abs(share - p.share) <= 1e-9


def _nothing(trace, p: c.NothingToCopy) -> bool:
    layer = len(trace.layers)
    return not any(job(trace, layer, p.query, j) for j in _kept(trace, layer, p.query))


def _writes(trace, p: c.Writes) -> bool:
    spec = trace.layers[p.layer - 1]
    names = tuple(n for n in trace.basis.names if any(r.output.nonzero(n) for r in spec.heads))
    return names == p.names


def _holds(trace, p: c.Holds) -> bool:
    y = trace.stream(p.layer)
    row = y.block(p.subspace)[p.position]
    direction = p.token if isinstance(p.token, int) else trace.vocab.index(p.token)
    return abs(row[direction] - p.share) <= 1e-9


def _leak(trace, p: c.Leak) -> bool:
    run, mask = _head(trace, p.layer, p.head), trace.layers[p.layer - 1].mask
    off = run.weights * mask
    o = run.head.offset
    off[np.arange(o, trace.n), np.arange(trace.n - o)] = 0.0
    off[:o] = 0.0  # a query with no key ``o`` back has no job: what it weighs is no leak
    return p.query >= o and abs(off.max() - p.value) <= 1e-12 and off[p.query, p.key] == off.max()


def _setting(trace, p: c.Setting) -> bool:
    con = trace.construction
    value = {"similar": None if con.similar is None else con.similar.kind}.get(p.name, getattr(con, p.name, None))
    return value == p.value


def _outputs(trace, p: c.Outputs) -> bool:
    row = trace.probs[p.position]
    empty = not trace.scores[p.position].any()
    tokens = () if empty else tuple(trace.vocab[t] for t in _near(row, TIE_TOLERANCE))
    return tokens == p.tokens and tuple(trace.predictions[p.position].output) == p.tokens


def _other_scores(trace, p: c.OtherScores) -> bool:
    rest = [trace.scores[p.position, k] for k, t in enumerate(trace.vocab) if t not in p.besides]
    if not rest:
        return p.low == p.high == 0.0
    return abs(min(rest) - p.low) <= 1e-12 and abs(max(rest) - p.high) <= 1e-12


def _tie(trace, p: c.Tie) -> bool:
    gaps = [q.score - q.low for q in trace.predictions if len(q.candidates) > 1]
    return any((g <= EXACT_TIE) == p.exact for g in gaps)


def _against(trace, p: c.Against) -> bool:
    other = trace.plain[p.position]
    return tuple(other.candidates) == p.tokens and other.copy == bool(p.tokens)


CHECKS = {
    c.Weight: lambda t, p: abs(float(_head(t, p.layer, p.head).weights[p.query, list(p.keys)].sum()) - p.value) <= 1e-9,
    c.Top: _top,
    c.Even: _even,
    c.Logits: _logits,
    c.LogitRange: _logit_range,
    c.Logit: lambda t, p: _head(t, p.layer, p.head).logits[p.query, p.key] == p.value,
    c.Predicts: _predicts,
    c.Carried: _carried,
    c.Follows: _follows,
    c.Job: lambda t, p: job(t, p.layer, p.query, p.key) == p.on,
    c.Context: _context,
    c.Occurrences: lambda t, p: tuple(k for k in range(p.query) if t.tokens[k] == t.tokens[p.query]) == p.at,
    c.FirstOccurrence: lambda t, p: t.tokens[p.position] not in t.tokens[:p.position],
    c.NothingToCopy: _nothing,
    c.Kept: lambda t, p: bool(t.layers[p.layer - 1].mask[p.query, p.key]) == p.kept,
    c.Mask: lambda t, p: t.construction.mask == p.kind and bool(t.layers[0].mask[0, 0]) == (p.kind == "inclusive"),
    c.Built: lambda t, p: (t.construction.model is None) == p.built,
    c.Setting: _setting,
    c.Ablated: lambda t, p: t.layers[p.layer - 1].ablated == p.ablated,
    c.Output: lambda t, p: (tuple(t.predictions[p.position].output) == p.tokens
                            and t.predictions[p.position].score == p.score and t.predictions[p.position].low == p.low),
    c.Writes: _writes,
    c.Holds: _holds,
    c.Before: lambda t, p: all(i < p.offset for i in p.positions),
    c.Leak: _leak,
    c.Against: _against,
    c.Outputs: _outputs,
    c.Probability: lambda t, p: abs(t.probs[p.position, t.vocab.index(p.token)] - p.value) <= 1e-12,
    c.Score: lambda t, p: abs(t.scores[p.position, t.vocab.index(p.token)] - p.value) <= 1e-12,
    c.OtherScores: _other_scores,
    c.Temperature: lambda t, p: t.temperature == p.value,
    c.Tie: _tie,
}


def marks(trace) -> list[str]:
    """Each layer whose marked cells (the ``[ ]`` of its tables, mechanism.cells)
    are not the cells its legend names: the key its offset back, or the key
    ``horizon`` after an occurrence of the query's token (masked cells too)."""
    from ..core.mechanism import cells

    out = []
    for layer in trace.layers:
        for h, run in enumerate(layer.heads):
            marked = cells(trace, [run])
            wrong = [(i, j) for i in range(trace.n) for j in range(trace.n)
                     if bool(marked[i, j]) != job(trace, layer.index, i, j, h)]
            if wrong:
                out.append(f"layer {layer.index}'s {run.head.name}: its legend does not fit its marks at {wrong[0]}")
    return out


def problems(trace, sentences) -> list[str]:
    """Each sentence whose kind is unknown, that lacks a premise its kind
    needs, or one of whose premises fails on ``trace``."""
    out = []
    for s in sentences:
        needed = c.REQUIRED.get(s.kind)
        if needed is None:
            out.append(f"{s.kind}: no verifier for this kind of sentence: {s.text}")
            continue
        have = {type(p) for p in s.premises}
        missing = [t.__name__ for t in needed if t not in have]
        if missing:
            out.append(f"{s.kind}: no {', '.join(missing)} premise: {s.text}")
        for p in s.premises:
            check = CHECKS.get(type(p))
            if check is None:
                out.append(f"{s.kind}: no check for {type(p).__name__}: {s.text}")
            elif not check(trace, p):
                out.append(f"{s.kind}: {p} does not hold: {s.text}")
    return out


def check(trace, sentences) -> None:
    found = problems(trace, sentences) + marks(trace)
    if found:
        raise VerificationError("; ".join(found))
