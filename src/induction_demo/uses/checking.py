"""``check FILE``: does a student's model do the lecture's job?

The file holds the model file's keys (modelfile.py): ``A1``, ``V1``, ``A2``,
``V2`` (d x d over [tok | pos | prev tok | prev pos]), ``vocab`` and
``n_positions`` (``mask`` optional, strict by default), as an ``.npz`` or as
JSON with the arrays as nested lists. The model runs, in plain numpy, on the
lecture's string (when its vocabulary allows) and on seeded random strings
over its vocabulary, and each run is held against the hand-built
construction (``runs.run``) on the same string:

- layer 1: every query from @1 on attends to the position just before it;
- layer 2: every query the lecture's model copies for attends to the keys
  its induction head attends to (the token after an earlier copy);
- the prediction: at those queries, every token the model outputs (its
  most probable ones, a near-tie included) is one the lecture's model predicts.

A row "attends to" keys when at least ``TOLERANCE`` of its weight is on them.
"""
from __future__ import annotations

import functools
import random
import re
from typing import NamedTuple

import numpy as np

from ..core import mechanism
from ..base import text as fmt
from ..base.errors import InputError
from ..core.modelfile import Model
from ..words.sentences import series

TOLERANCE = 0.5  # "attends to": at least half of the row's weight on the keys named
STRINGS = 200  # random strings a check runs, beside the lecture's
LONGEST = 24  # tokens in a random string at most (and at most n_positions)
LECTURE = ("!", "a", "b", "a", "c", "b")
PROPERTIES = ("layer 1: the previous token", "layer 2: the token after an earlier copy", "the prediction",
              "layer 2 on the lecture's layer 1: the token after an earlier copy")
"""What a check holds, each a test of the report: the last runs the file's layer 2 on the output the
lecture's layer 1 would give, so a mistake in layer 1 does not fail layer 2 too."""


class Finding(NamedTuple):
    kind: int  # index into PROPERTIES
    tokens: tuple[str, ...]
    text: str
    premises: tuple = ()  # what the text says of the file's run (claims.py), verifiable on runs.run's trace
    said: str = "check-layer"  # the claim's kind: check-layer, check-prediction, check-given (claims.py)

    @property
    def claim(self):
        """The finding as a sentence with its premises, for verify.py (run on the file's own trace; a
        "check-given" one on the run of the lecture's, or hand-built, layers before the file's)."""
        from ..words.sentences import say

        return say(self.said, self.text, self.premises)


class Products(NamedTuple):
    """The products of a model's matrices that every run of a check shares:
    with one-hot Y^(0), y_i A is a sum of two rows of A (token and position),
    so only V_1 A_2 and V_1 V_2 need a product of d x d matrices, once."""

    v1a2: np.ndarray  # [d, d] V_1 A_2
    v1v2: np.ndarray  # [d, d] V_1 V_2
    own: bool = False  # V_1 writes the previous token in a code of its own (``own_code``): layer 2 is tested on
    # the lecture's layer-1 attention through the file's V_1, not on the lecture's layer-1 output


def products(model: Model) -> Products:
    code, read = own_code(model), own_code(model, "A2")
    with np.errstate(over="ignore", invalid="ignore"):
        return Products(model.v1 @ model.a2, model.v1 @ model.v2,
                        code is not None and code < CODE and read is not None and read < CODE)


def one_hot_rows(m: np.ndarray, tok: np.ndarray, pos: np.ndarray) -> np.ndarray:  # -> [len(tok), d]
    """y^(0) M for one-hot rows: row tok(x_i) plus row pos(i) of M."""
    return m[tok] + m[pos]


def embedded(model: Model, tokens: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y^(0) on the file's stream (each row one-hot in its token and its position), and each row's token and
    position direction."""
    n = len(tokens)
    tok = np.array([model.vocab.index(t) for t in tokens], dtype=int)
    pos = len(model.vocab) + np.arange(n)
    y0 = np.zeros((n, model.a1.shape[0]))
    y0[np.arange(n), tok] = 1.0
    y0[np.arange(n), pos] = 1.0
    return y0, tok, pos


def forward(model: Model, tokens: tuple[str, ...], shared: Products | None = None):
    """Layer 1's and layer 2's weights and each position's token scores: the
    lecture's dense equations over the file's arrays, with model.py's mask
    and softmax. Y^(0) is one-hot, so y^(0) M is row tok(x_i) plus row pos(i)
    of M (``rows``), and Y^(1) A_2 = Y^(0) A_2 + W^(1) Y^(0) (V_1 A_2): a run
    costs N^2 d, not N d^2 (a check runs hundreds of strings)."""
    from ..core.model import causal_mask, masked_softmax

    shared = shared or products(model)
    n = len(tokens)
    y0, tok, pos = embedded(model, tokens)

    def rows(m: np.ndarray) -> np.ndarray:  # [N, d] y^(0) M, row by row
        return one_hot_rows(m, tok, pos)
    r1, r2 = (1.0 if model.residual[0] else 0.0), (1.0 if model.residual[1] else 0.0)
    keep = causal_mask(n, model.inclusive)  # the model's own mask and softmax: the same as every run's
    with np.errstate(over="ignore", invalid="ignore"):
        a1 = rows(model.a1)
        w1 = masked_softmax(a1[:, tok] + a1[:, pos], keep)                   # y A_1 y^T
        y1 = r1 * y0 + w1 @ rows(model.v1)                                     # Y^(1)
        w2 = masked_softmax((r1 * rows(model.a2) + w1 @ rows(shared.v1a2)) @ y1.T, keep)   # Y^(1) A_2 Y^(1)T
        y2 = r2 * y1 + w2 @ (r1 * rows(model.v2) + w1 @ rows(shared.v1v2))    # Y^(2)
    return w1, w2, y2[:, :len(model.vocab)]


MIN_POSITIONS = 3
"""A check needs a copy: a token, what follows it, and the token again."""


def coverage(vocab: tuple[str, ...], n: int) -> list[tuple[str, ...]]:
    """Strings that exercise every position and every token, whatever the
    seed: one of n tokens alternating two of the vocabulary (every position
    from @1 a query of layer 1, from @2 one that copies), and segments of the
    vocabulary each followed by itself, once as they come and once rotated
    (every token repeated, and copied as what followed it)."""
    if n < MIN_POSITIONS:
        return []
    size = len(vocab)
    out = [tuple(vocab[k % 2 % size] for k in range(n))]
    k = min(size, n // 2)
    for start in range(0, size, max(k, 1)):
        chunk = tuple(vocab[(start + m) % size] for m in range(k))
        for seg in (chunk, chunk[1:] + chunk[:1]):
            if k >= 2:
                out.append(seg + seg)
            else:  # one token a segment: t u t, every token repeated and, as u, copied
                out.append((seg[0], vocab[(start + 1) % size], seg[0]))
    return list(dict.fromkeys(out))


def strings(vocab: tuple[str, ...], n_max: int, seed: int = 0, count: int = STRINGS) -> list[tuple[str, ...]]:
    """The lecture's string when the vocabulary and positions allow, the
    coverage strings (every position, every token: ``coverage``), then
    ``count`` seeded random strings of at most LONGEST tokens: a third plain,
    a third a segment and its repeat (splits, where a token recurs inside
    it), a third with a token repeated at once."""
    rng = random.Random(seed)
    out = [LECTURE] if set(LECTURE) <= set(vocab) and len(LECTURE) <= n_max else []
    out += coverage(vocab, n_max)
    n_max = min(n_max, LONGEST)
    for k in range(count):
        n = rng.randint(2, max(2, n_max))
        if k % 3 == 0 or n < 4:
            s = [rng.choice(vocab) for _ in range(min(n, n_max))]
        elif k % 3 == 1:
            half = [rng.choice(vocab) for _ in range(min(n, n_max) // 2)]
            s = half + half
        else:
            s = [rng.choice(vocab) for _ in range(min(n, n_max) - 1)]
            at = rng.randrange(len(s))
            s.insert(at, s[at])
        out.append(tuple(s[:n_max]) or (rng.choice(vocab),))  # (one position: one token)
    return out


def _said(tokens: tuple[str, ...]) -> str:
    return "`" + " ".join(fmt.token(t) for t in tokens) + "`"


def lecture_layer1(model: Model, tokens: tuple[str, ...]) -> np.ndarray:  # -> [N, d]
    """Y^(1) as the lecture's layer 1 writes it, on the file's stream: the
    ideal stream (mechanism.ideal), each position's token and position and, in
    the previous half, the token and position before it."""
    from ..core.basis import Basis
    from ..core.weights import Construction

    basis = Basis(model.vocab, model.n_positions, Construction().subspaces)
    return mechanism.ideal(basis, np.array([model.vocab.index(t) for t in tokens])).dense()


def given_layer1(model: Model, tokens: tuple[str, ...], shared: Products) -> tuple[np.ndarray, np.ndarray]:
    """The Y^(1) layer 2 is tested on alone, and Y^(1) A_2 (its queries): the
    lecture's layer-1 output (``lecture_layer1``); or, where the file's V_1
    writes a code of its own (``shared.own``), the lecture's layer-1 attention
    (each query all on the position before it, @0 on none) through the file's
    own V_1: Y^(0) + W Y^(0) V_1, whose row i adds y^(0)_(i-1) V_1 (a sum of
    two rows of V_1, as ``forward``'s; its queries use the shared V_1 A_2)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if not shared.own:
            y1 = lecture_layer1(model, tokens)  # its few one-hot directions: y_i A_2 is a sum of rows
            return y1, np.array([model.a2[np.flatnonzero(row)].sum(axis=0) for row in y1])
        y0, tok, pos = embedded(model, tokens)
        r1 = 1.0 if model.residual[0] else 0.0
        y1, query = r1 * y0, r1 * one_hot_rows(model.a2, tok, pos)
        y1[1:] += one_hot_rows(model.v1, tok[:-1], pos[:-1])
        query[1:] += one_hot_rows(shared.v1a2, tok[:-1], pos[:-1])
        return y1, query


def _under(weight: float) -> str:
    """A weight under TOLERANCE written so that it reads as under: as many
    decimals as that takes (0.4999, not 0.50, which a student reads as enough)."""
    for digits in range(2, 13):
        text = f"{weight:.{digits}f}"
        if float(text) < TOLERANCE:
            return text
    return repr(float(weight))  # within 1e-12 of it (or not a number): the float's shortest exact form


def _where(row: np.ndarray, layer: int, i: int, head: int = 0) -> tuple[str, list]:
    """Where a row's weight went: the key it attends to (at least TOLERANCE),
    or the two it splits it between (a near-tie: `c a c c`'s 0.50 and 0.50
    was told as "it attends to @0"), or, where no key has that much, its
    largest weights (near-ties named); with the premises of the file's run
    that say so."""
    from ..words.claims import NEAR_WEIGHT, Top, Weight

    if not np.isfinite(row).all():
        return "its weights are not numbers (its logits overflow)", []
    j = int(row.argmax())
    top = [int(k) for k in np.flatnonzero(row >= row[j] - NEAR_WEIGHT)]
    named = ", ".join(f"@{k}" for k in top[:-1]) + (" and " if len(top) > 1 else "") + f"@{top[-1]}"
    if row[j] >= TOLERANCE:
        premises = [Top(layer, head, i, tuple(top)), Weight(layer, head, i, tuple(top), float(row[top].sum()))]
        if len(top) == 1:
            return f"it attends to @{j} (weight {row[j]:.2f})", premises
        shares = [f"{row[k]:.2f}" for k in top]
        return (f"it splits its weight between {named} ("
                + (f"{shares[0]} each" if len(set(shares)) == 1 else " and ".join(shares)) + ")", premises)
    each = " each" if len(top) > 1 else ""
    return (f"no key has {TOLERANCE:.2f} of its weight (the most: {named}, {_under(row[j])}{each})",
            [Top(layer, head, i, tuple(top)), Weight(layer, head, i, (j,), float(row[j]))])


def _lecture(tokens: tuple[str, ...]) -> tuple:
    """What the hand-built construction does on ``tokens``, as much as a
    check needs: each copying query, the keys its induction head puts weight on
    (the token after an earlier copy), that weight, and its output (read off
    ``_held_to``'s run, which is kept: a check's hints run the same strings again)."""
    from ..core.weights import LECTURE as BUILT

    told, job, weights = _held_to(tokens, BUILT)
    out = []
    for p in told:
        if p.copy:
            keys = tuple(int(k) for k in np.flatnonzero(job[p.position]))
            out.append((p.position, keys, float(weights[p.position, list(keys)].sum()), p.output))
    return tuple(out)


def findings(model: Model, tokens: tuple[str, ...], shared: Products | None = None) -> list[Finding]:
    """What the model does otherwise than the lecture's on ``tokens``, one
    finding per property at most (a weight or score that is not a number,
    from logits past the largest float, fails)."""
    from ..words.claims import Outputs, Weight
    from ..core.readout import EXACT_TIE, TIE_TOLERANCE

    copies = _lecture(tokens)
    shared = shared or products(model)
    w1, w2, scores = forward(model, tokens, shared)
    out: list[Finding] = []
    for i in range(1, len(tokens)):
        if not w1[i, i - 1] >= TOLERANCE:  # (NaN fails too)
            where, premises = _where(w1[i], 1, i)
            out.append(Finding(0, tokens, f"on {_said(tokens)}, layer 1 at @{i} puts {_under(w1[i, i - 1])} on @{i - 1}, "
                                          f"the position just before it, where the lecture's previous-token head "
                                          f"puts 1.00 ({TOLERANCE:.2f} needed); {where}",
                               tuple([Weight(1, 0, i, (i - 1,), float(w1[i, i - 1]))] + premises), "check-layer"))
            break
    given = None  # layer 2's weights on the lecture's Y^(1), made at the first copy
    for i, keys, lecture_weight, output in copies:
        keys = np.array(keys, dtype=int)
        if not w2[i, keys].sum() >= TOLERANCE and not any(f.kind == 1 for f in out):
            earlier = ", ".join(f"@{k - 1}" for k in keys)
            where, premises = _where(w2[i], 2, i)
            out.append(Finding(1, tokens, f"on {_said(tokens)}, layer 2 at @{i} puts {_under(w2[i, keys].sum())} on "
                                          f"{', '.join(f'@{k}' for k in keys)}, the token after the earlier "
                                          f"`{fmt.token(tokens[i])}` ({earlier}), where the lecture's induction head "
                                          f"puts {lecture_weight:.2f} ({TOLERANCE:.2f} needed); "
                                          f"{where}",
                               tuple([Weight(2, 0, i, tuple(int(k) for k in keys), float(w2[i, keys].sum()))]
                                     + premises), "check-layer"))
        if not any(f.kind == 3 for f in out):  # layer 2 on its own: given the lecture's layer-1 output
            if given is None:
                from ..core.model import causal_mask, masked_softmax

                y1, query = given_layer1(model, tokens, shared)
                with np.errstate(over="ignore", invalid="ignore"):
                    given = masked_softmax(query @ y1.T, causal_mask(len(tokens), model.inclusive))
            if not given[i, keys].sum() >= TOLERANCE:
                earlier = ", ".join(f"@{k - 1}" for k in keys)
                where, premises = _where(given[i], 2, i)
                lecture = "the lecture's layer-1 attention and its own V_1" if shared.own else "the lecture's layer 1"
                out.append(Finding(3, tokens, f"on {_said(tokens)}, given {lecture}, layer 2 at @{i} "
                                              f"puts {_under(given[i, keys].sum())} on "
                                              f"{', '.join(f'@{k}' for k in keys)}, the token after the earlier "
                                              f"`{fmt.token(tokens[i])}` ({earlier}) ({TOLERANCE:.2f} needed); "
                                              f"{where}",
                                   tuple([Weight(2, 0, i, tuple(int(k) for k in keys), float(given[i, keys].sum()))]
                                         + premises), "check-given"))
        finite = bool(np.isfinite(scores[i]).all())
        e = np.exp(scores[i] - scores[i].max()) if finite else np.zeros(len(model.vocab))  # P / max P at T = 1
        close = np.flatnonzero(e >= 1 - TIE_TOLERANCE)  # the most probable tokens, a near-tie included
        tied = tuple(model.vocab[t] for t in close if scores[i].any())
        if (not finite or not tied or not set(tied) <= set(output)) and not any(f.kind == 2 for f in out):
            near = "" if len(tied) < 2 else " (a tie)" if (e[close] >= 1 - EXACT_TIE).all() else " (a near-tie)"
            said = " or ".join(f"`{fmt.token(t)}`" for t in tied) + near if tied else \
                "nothing (every token scores 0)" if finite else "nothing: its scores are not numbers (they overflow)"
            out.append(Finding(2, tokens, f"on {_said(tokens)}, at @{i} the model predicts {said}; "
                                          "the lecture's model predicts " + " or ".join(
                                              f"`{fmt.token(t)}`" for t in output),
                               (Outputs(i, tied),), "check-prediction"))
    return out


def properties(model: Model, spliceable: bool = False) -> list[tuple[str, int, tuple, str]]:
    """What a file of any shape is held to, head by head by its role: (name,
    layer, ((head, role),), role); with ``spliceable`` (the hand-built layers
    can take the file's place), each later layer with a held head again on
    the hand-built layers before it (role "given"); then the prediction
    (layer 0). A head of unknown role is held to nothing."""
    out, alone = [], []
    for l, layer in enumerate(model.layers(), 1):
        held = []
        for h, head in enumerate(layer.heads):
            kind = head.role.kind
            if kind not in ("look-back", "duplicate-token", "induction"):
                continue
            who = f"layer {l}" + (f" head {h}" if len(layer.heads) > 1 else "")
            out.append((f"{who}: {_role_job(model, kind, head)}", l, ((h, kind),), kind))
            held.append((h, kind))
        if spliceable and l > 1 and held:
            jobs = series(list(dict.fromkeys(_role_job(model, kind, layer.heads[h]) for h, kind in held)))
            alone.append((f"layer {l} on the hand-built {_before(l)}: {jobs}", l,
                          tuple(held), "given"))
    return out + alone + [("the prediction", 0, (), "prediction")]


def _general_findings(model: Model, tokens: tuple[str, ...], held: list, splices: dict | None = None) -> list[Finding]:
    """A file of any shape on ``tokens``, run by the one forward pass (runs.run),
    against the hand-built construction it is held to: one finding per property at most.
    A layer's property "on the hand-built layers before it" runs ``splices[layer]``: the file's layers from
    it on after the hand-built ones (``spliced``, made once a check: a model caches what its matrices give)."""
    from ..core.runs import run
    from ..core.weights import Construction
    from ..words.claims import Outputs
    from ..words.story import near_tie

    def traced(m: Model):
        with np.errstate(over="ignore", invalid="ignore"):
            return run(tokens, construction=Construction(mask=m.mask, model=m), beside=False)

    trace = traced(model)
    told, job, _ = _held_to(tokens, model.held_to())
    out: list[Finding] = []
    for k, (name, l, heads, kind) in enumerate(held):
        if kind == "prediction":
            for p, q in zip(trace.predictions, told):
                if q.copy and not (p.output and set(p.output) <= set(q.output)):
                    said = " or ".join(f"`{fmt.token(t)}`" for t in p.output) or "nothing"
                    if len(p.output) > 1:  # as the lecture-shaped check says it
                        said += " (a near-tie)" if near_tie(trace, p.position) else " (a tie)"
                    out.append(Finding(k, tokens, f"on {_said(tokens)}, at @{p.position} the model predicts {said}; "
                                                  "the hand-built model predicts " + " or ".join(
                                                      f"`{fmt.token(t)}`" for t in q.output),
                                       (Outputs(p.position, p.output),), "check-prediction"))
                    break
            continue
        given = kind == "given"
        on = traced(splices[l]) if given else trace
        for h, role in heads:
            found = _head_finding(on, told, job, l, h, role, tokens,
                                  f"given the hand-built {_before(l)}, layer {l}"
                                  + (f" head {h}" if len(model.matrices[l - 1]) > 1 else "") if given
                                  else name.split(":")[0], _role_job(model, role, on.layers[l - 1].heads[h].head))
            if found:
                out.append(Finding(k, tokens, found[0], found[1], "check-given" if given else "check-layer"))
                break
    return out


@functools.lru_cache(maxsize=4096)
def _held_to(tokens: tuple[str, ...], construction) -> tuple[tuple, np.ndarray, np.ndarray]:
    """What the hand-built ``construction`` a file is held to does on ``tokens``, as much as a check needs: its
    predictions, the cells its last layer's first head does its job on with weight there, and that head's
    weights (both read-only). Cached: a check's hints and mends run the same strings again (a check of a file
    whose V_2 has the wrong sign ran the hand-built model 567 times on its 201 strings)."""
    from ..core.runs import run

    ref = run(tokens, construction=construction, beside=False)
    weights = ref.layers[-1].heads[0].weights.copy()
    job = mechanism.cells(ref, ref.layers[-1]) & (weights > 0)
    job.setflags(write=False)
    weights.setflags(write=False)
    return tuple(ref.predictions), job, weights


def _before(layer: int) -> str:
    """The layers before ``layer``: "layer 1", "layers 1 and 2", "layers 1 to 3"."""
    return "layer 1" if layer == 2 else "layers 1 and 2" if layer == 3 else f"layers 1 to {layer - 1}"


def _role_job(model: Model, kind: str, head) -> str:
    """What a head of ``kind`` is held to, in words."""
    if kind == "look-back":
        return "the previous token" if head.offset == 1 else f"the token {head.offset} back"
    if kind == "duplicate-token":
        return "the earlier copies of its token"
    return "the token after an earlier copy" if model.horizon == 1 else \
        f"the token {model.horizon} after an earlier copy"  # (under a skip the token it copies is further on)


def _head_finding(trace, told, job, l: int, h: int, kind: str, tokens, who: str, what: str):
    """Where head h of layer l of ``trace`` fails its role's job (the cells mechanism names: the key its offset
    back, the earlier copies; for the induction head, the keys the hand-built one attends to at the queries it
    copies for): the first such row's words and premises, or None."""
    from ..words.claims import Weight

    layer = trace.layers[l - 1]
    w = layer.heads[h].weights
    cells = job if kind == "induction" else mechanism.cells(trace, (layer.heads[h],)) & layer.mask
    for i in range(trace.n):
        keys = [int(j) for j in np.flatnonzero(cells[i])] if kind != "induction" or told[i].copy else []
        if not keys or w[i, keys].sum() >= TOLERANCE:
            continue
        where, premises = _where(w[i], l, i, h)
        return (f"on {_said(tokens)}, {who} at @{i} puts {_under(w[i, keys].sum())} on "
                f"{', '.join(f'@{j}' for j in keys)}, {what} ({TOLERANCE:.2f} needed); {where}",
                tuple([Weight(l, h, i, tuple(keys), float(w[i, keys].sum()))] + premises))
    return None


def hand_built(model: Model, construction=None) -> Model | None:
    """The hand-built construction the file is held to (``Model.held_to``; or ``construction``: the lecture's
    for a lecture-shaped file), its heads' matrices over the file's vocabulary, positions and layout; None
    where the file's layers could not take its layers' place (another number of layers or of heads in a
    layer, or a subspace its heads read or write that the file lacks)."""
    from ..core.basis import Basis
    from ..core.modelfile import of_heads

    specs = (construction or model.held_to()).layers(100.0)
    used = {b.rows for spec in specs for h in spec.heads for b in h.qk} | \
        {b.cols for spec in specs for h in spec.heads for b in h.qk + h.ov} | \
        {b.rows for spec in specs for h in spec.heads for b in h.ov}
    if [len(spec.heads) for spec in specs] != [len(layer) for layer in model.matrices] or \
            not used <= set(model.layout) or any(h.bias or h.rope is not None for spec in specs for h in spec.heads):
        return None
    basis = Basis(model.vocab, model.n_positions, model.subspaces)
    return of_heads(tuple(spec.heads for spec in specs), basis, model.mask, tuple(spec.residual for spec in specs),
                    model.name, model.offset, model.horizon, model.circuit, model.context)


def spliced(model: Model, built: Model, layer: int) -> Model:
    """The file's layers from ``layer`` on, after the hand-built ones before it (their residuals too)."""
    from dataclasses import replace

    heads = model.head_number(layer)
    return replace(model, matrices=built.matrices[:layer - 1] + model.matrices[layer - 1:],
                   residual=built.residual[:layer - 1] + model.residual[layer - 1:],
                   roles=built.kinds[:heads] + model.kinds[heads:],
                   offsets=built.head_offsets[:heads] + model.head_offsets[heads:])


def _tally(names, runs: list[tuple[str, ...]], found_on, seed: int) -> tuple[dict, list[list[Finding]]]:
    """Every run's findings (``found_on(tokens)``) tallied per property (``names``): the results document
    (score, tests with the smallest failing string's words, the lecture's own string) and the findings."""
    failed: list[list[Finding]] = [[] for _ in names]
    lecture = None
    for tokens in runs:
        found = found_on(tokens)
        if tokens == LECTURE and lecture is None:  # the lecture's own string: a line of its own in the report
            lecture = {"tokens": list(LECTURE), "passed": not found, "findings": [f.text for f in found]}
        for f in found:
            failed[f.kind].append(f)
    tests = []
    for k, name in enumerate(names):
        smallest = min(failed[k], key=lambda f: (len(f.tokens), f.tokens), default=None)
        tests.append({"name": name, "score": 0 if failed[k] else 1, "max_score": 1,
                      "output": (f"{len(failed[k])} of {len(runs)} strings fail; the smallest: {smallest.text}."
                                 if smallest else f"all {len(runs)} strings pass")})
    return {"score": sum(t["score"] for t in tests), "max_score": len(tests), "tests": tests,
            "strings": len(runs), "tolerance": TOLERANCE, "seed": seed, "lecture": lecture}, failed


def _general(model: Model, seed: int) -> dict:
    """check for a file of any shape: each head held to its role's job, the
    prediction to the hand-built circuit's (``Model.held_to``)."""
    built = hand_built(model)
    held = properties(model, built is not None)
    splices = {l: spliced(model, built, l) for _, l, _, kind in held if kind == "given"}
    every = strings(model.vocab, model.n_positions, seed)
    result, failed = _tally([name for name, *_ in held], every,
                            lambda tokens: _general_findings(model, tokens, held, splices), seed)
    mended = _general_mend(model, built, held, result, failed[-1], every)
    hints = _general_hints(model, held, result, failed, every) + _general_blocks(model, built, held, result, failed,
                                                                                every)
    unheld = []  # a layer all of whose heads have no role, or each such head of a layer of roles besides
    for l, layer in enumerate(model.layers(), 1):
        unknown = [h for h, head in enumerate(layer.heads) if not head.held]
        unheld += [f"layer {l}"] if len(unknown) == len(layer.heads) else [f"layer {l} head {h}" for h in unknown]
    settings = [f"context {model.context}"] * (model.context > 1 and model.circuit == "lecture") \
        + [f"skip {model.horizon - 1}"] * (model.horizon > 1) + ["the inclusive mask"] * model.inclusive
    return result | {"hints": hints, "verdict": _which_layer(held, result, mended, built is not None).strip(),
                     "mended_by": mended,
                     "held_to": f"the hand-built {model.held_to().circuit} circuit"
                                + (f" with {series(settings)}" if settings else ""),
                     "unheld": unheld}


def failing_first(failing: list[tuple[str, ...]], every: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The strings a mend is tried on: the failing ones first, smallest first (a wrong mend fails at once),
    then every other."""
    first = sorted(set(failing), key=lambda t: (len(t), t))
    return first + [t for t in every if t not in set(first)]


def _general_hints(model: Model, held: list, result: dict, failed: list[list[Finding]],
                   every: list[tuple[str, ...]]) -> list[str]:
    """A file of any shape's likely mistakes, head by head, each tried out as the lecture-shaped check's are:
    a head's A that passes its test transposed, at 100 times its entries, or negated; two heads of a layer
    whose A's pass each other's tests (swapped: `--context 2`'s previous-token and 2-back heads)."""
    from ..core.modelfile import symbol

    out = [] if result["score"] == result["max_score"] else _all_zero(
        [(symbol(l, h, len(layer), m), matrix) for l, layer in enumerate(model.matrices, 1)
         for h, head in enumerate(layer) for m, matrix in zip("AV", head)])
    tests = {(l, heads[0][0]): k for k, (_, l, heads, kind) in enumerate(held) if kind not in ("given", "prediction")}

    def passes(k: int, changed: np.ndarray) -> bool:
        """Whether test k passes with its head's A as ``changed`` (on the strings that failed first)."""
        _, l, ((h, _),), _ = held[k]
        tried = model.with_matrices({f"A{l}.{h}": changed})
        with np.errstate(over="ignore", invalid="ignore"):
            return not any(_general_findings(tried, tokens, [held[k]])
                           for tokens in failing_first([f.tokens for f in failed[k]], every))
    swapped: set = set()
    for k, (name, l, heads, kind) in enumerate(held):
        if kind in ("given", "prediction") or result["tests"][k]["score"]:
            continue
        (h, _), = heads
        layer = model.matrices[l - 1]
        a = layer[h][0]
        key = symbol(l, h, len(layer))
        who = name.split(":")[0]
        other = next((g for g in range(len(layer)) if g != h and (l, g) in tests and passes(k, layer[g][0])
                      and passes(tests[(l, g)], a)), None)
        if other is not None:
            if frozenset((h, other)) not in swapped:
                swapped.add(frozenset((h, other)))
                out.append(f"{key} and {symbol(l, other, len(layer))} look swapped: each passes the other's test "
                           f"(the heads of layer {l} are held to their jobs in the order of the file's offsets).")
        elif passes(k, a.T):
            out.append(f"{key} looks transposed: its transpose passes {who}'s test. Rows of A are the query's "
                       "directions and columns the key's (a_ij = y_i A y_j^T).")
        elif passes(k, a * 100.0):
            out.append(f"{key} is too soft: at 100 times its entries it passes {who}'s test; is the scale s (the "
                       "lecture's 100) missing?")
        elif passes(k, -a):
            out.append(f"{key} has the wrong sign: at -1 times its entries it passes {who}'s test (a negative logit "
                       "pushes weight away from its key).")
        elif (found := _look_back_head(model, l, h, a)) and passes(k, found[2]):
            out.append(looks_back_words(key, *found[:2], found[3], model.inclusive, "its job is the key",
                                        f"it passes {who}'s test"))
    return out + ([] if swapped or result["score"] == result["max_score"] else _swapped_writes(model, held, failed, every))


def _general_blocks(model: Model, built: Model | None, held: list, result: dict, failed: list[list[Finding]],
                    every: list[tuple[str, ...]]) -> list[str]:
    """A file of any shape's mistakes that its blocks show, as the lecture-shaped check names them: an induction
    head whose A compares the query's token with the key's own token (tok x tok, where the hand-built one has no
    weight), and, where every head does its job and the prediction alone fails, a last layer's V that writes
    nothing into the token block the scores read, writes it negated (tried: at -1 times its entries the
    prediction passes) or too faintly (tried at 100 times)."""
    from ..core.modelfile import symbol

    if built is None or result["score"] == result["max_score"]:
        return []
    out = []
    for k, (name, l, heads, kind) in enumerate(held):
        if kind in ("given", "prediction") or result["tests"][k]["score"]:
            continue
        (h, _), = heads
        key = symbol(l, h, len(model.matrices[l - 1]))
        top = model.shares(f"A{l}.{h}")[:1]
        hand = [(r, c) for r, c, _ in built.shares(f"A{l}.{h}")]  # (largest first)
        if top and top[0][:2] == ("tok", "tok") and ("tok", "tok") not in hand and \
                model.kinds[model.head_number(l, h)] == "induction":
            out.append(_own_token(key, top[0][2], "the hand-built induction head compares it with the key's earlier "
                                  "tokens (" + series([f"{r} x {c}" for r, c in hand]) + ")"))
    out += _missing_writes(model, built, held, result, failed, every) + _residual(model, built, held, result, failed,
                                                                                 every)
    if result["tests"][-1]["score"] or any(not t["score"] for t in result["tests"][:-1]):
        return out
    last = len(model.matrices)
    predicts = [("the prediction", 0, (), "prediction")]
    runs = failing_first([f.tokens for f in failed[-1]], every)
    for h, (_, v) in enumerate(model.matrices[-1]):
        key = symbol(last, h, len(model.matrices[-1]), "V")
        if ("tok", "tok") not in {(r, c) for r, c, _ in built.shares(f"V{last}.{h}")}:
            continue

        def passes(changed: np.ndarray) -> bool:
            tried = model.with_matrices({f"V{last}.{h}": changed})
            with np.errstate(over="ignore", invalid="ignore"):
                return not any(_general_findings(tried, tokens, predicts) for tokens in runs)
        out += _last_writes(key, v, model.shares(f"V{last}.{h}"), "the hand-built induction head's V",
                            lambda: passes(-v), lambda: passes(v * 100.0))
    return out


def _own_token(key: str, share: float, held_to: str) -> str:
    """An induction head's A with ``share`` of its weight on tok x tok, the key's own token; ``held_to``: what
    the head it is held to compares instead."""
    return (f"{key} has {share:.0%} of its weight on tok x tok: it compares the query's token with the key's own "
            f"token; {held_to}.")


def _last_writes(key: str, v: np.ndarray, shares, whose: str, negated, louder) -> list[str]:
    """The last layer's V that fails the prediction: writing next to nothing into the token block the scores
    read (its ``shares``), or, where ``negated()`` (the prediction passes at -1 times its entries) or
    ``louder()`` (at 100 times, an entry under 1), the wrong sign or too faint; ``whose``: the V it is held to."""
    if not shares:
        return []
    copied = sum(share for r, c, share in shares if (r, c) == ("tok", "tok"))
    if copied < 0.05:
        r, c, share = shares[0]
        return [f"{key} writes {copied:.0%} of its weight on tok -> tok and {share:.0%} on {r} -> {c}: {whose} "
                "copies the key's token into the token block (tok -> tok), the only block the scores read."]
    if negated():
        return [f"{key} has the wrong sign: at -1 times its entries the prediction passes (the token it copies "
                "scores lowest)."]
    top = float(np.abs(v).max())
    if top < 1.0 and louder():  # (under the hand-built 1)
        return [f"{key} is too small: its largest entry is {top:.3g}, so the token it copies scores barely above the "
                "others and the prediction is a near-tie; at 100 times its entries it passes. "
                f"{whose[0].upper()}{whose[1:]} copies with 1."]
    return []


def _residual(model: Model, built: Model, held: list, result: dict, failed: list[list[Finding]],
              every: list[tuple[str, ...]]) -> list[str]:
    """A file whose layers add their input to their output otherwise than the hand-built ones, said where the
    hand-built residual makes every failing test (but the hand-built-layer ones) pass."""
    if model.residual == built.residual:
        return []
    later = [k for k, entry in enumerate(held) if entry[3] != "given" and not result["tests"][k]["score"]]
    tests = [held[k] for k in later]
    runs = failing_first([f.tokens for k in later for f in failed[k]], every)
    tried = model.replaced(residual=built.residual)
    with np.errstate(over="ignore", invalid="ignore"):
        if not later or any(_general_findings(tried, tokens, tests) for tokens in runs):
            return []
    pairs = enumerate(zip(model.residual, built.residual), 1)
    layers = [f"layer {l} {'adds' if mine else 'does not add'} its input to its output (the hand-built layer {l} "
              f"{'does' if hand else 'does not'})" for l, (mine, hand) in pairs if mine != hand]
    return ["The file's " + series(layers) + "; with the hand-built residual, every test that failed passes."]


def _missing_writes(model: Model, built: Model, held: list, result: dict, failed: list[list[Finding]],
                    every: list[tuple[str, ...]]) -> list[str]:
    """A V of a layer before the last with a block all 0 where the hand-built head writes (a previous-token head
    that writes the position but not the token), said where the hand-built block put there makes every failing
    test of the later layers and the prediction pass."""
    from ..core.modelfile import symbol
    from ..core.weights import look_back_name

    later = [k for k, (_, l, _, kind) in enumerate(held) if kind != "given" and not result["tests"][k]["score"]]
    if not later:
        return []
    tests = [held[k] for k in later]
    runs = failing_first([f.tokens for k in later for f in failed[k]], every)
    cut = model.slices()
    out = []
    for l, layer in enumerate(model.matrices[:-1], 1):
        for h, (_, v) in enumerate(layer):
            if not np.any(v) or any(held[k][1] <= l and held[k][3] != "prediction" for k in later):
                continue  # (a V of zeros is named as such; a test of this layer or one before fails: not its writes)
            hand = built.matrices[l - 1][h][1]
            for r, c, _ in built.shares(f"V{l}.{h}"):
                if np.any(v[cut[r], cut[c]]):
                    continue
                mended = v.copy()
                mended[cut[r], cut[c]] = hand[cut[r], cut[c]]
                tried = model.with_matrices({f"V{l}.{h}": mended})
                with np.errstate(over="ignore", invalid="ignore"):
                    if not any(_general_findings(tried, tokens, tests) for tokens in runs):
                        k = model.head_number(l, h)
                        name = look_back_name(model.head_offsets[k]) if model.kinds[k] == "look-back" else \
                            f"{model.kinds[k]} head"
                        out.append(f"{symbol(l, h, len(layer), 'V')}'s {r} -> {c} block is all 0, where the hand-built "
                                   f"{name} writes; with the hand-built block there, every test that failed passes.")
    return out


def _swapped_writes(model: Model, held: list, failed: list[list[Finding]], every: list[tuple[str, ...]]) -> list[str]:
    """Two heads of a layer whose V's, each put in the other's place, make each head's test and the prediction
    pass (each head writes into the part its offset names: the previous-token head into prev, the 2-back head
    into prev2); not tried where a pair's A's already look swapped (the two go together)."""
    from ..core.modelfile import symbol

    tests = [entry for entry in held if entry[3] != "given"]
    runs = failing_first([f.tokens for found in failed for f in found], every)
    out = []
    for l, layer in enumerate(model.matrices, 1):
        for h in range(len(layer)):
            for g in range(h + 1, len(layer)):
                tried = model.with_matrices({f"V{l}.{h}": layer[g][1], f"V{l}.{g}": layer[h][1]})
                with np.errstate(over="ignore", invalid="ignore"):
                    if not any(_general_findings(tried, tokens, tests) for tokens in runs):
                        out.append(f"{symbol(l, h, len(layer), 'V')} and {symbol(l, g, len(layer), 'V')} look "
                                   "swapped: with each in the other's place, each head's test and the prediction pass "
                                   f"(each head of layer {l} writes into the part its offset names).")
    return out


def _all_zero(named: list[tuple[str, np.ndarray]]) -> list[str]:
    """A hint naming the matrices that are all 0, as a template is before it is filled in, and what such a
    matrix does; none where every matrix has an entry."""
    zero = [name for name, matrix in named if not np.any(matrix)]
    if not zero:
        return []
    does = (["an A of zeros gives every key a query keeps the same weight"] if any(n[0] == "A" for n in zero) else []) \
        + (["a V of zeros writes nothing"] if any(n[0] == "V" for n in zero) else [])
    return [f"{series(zero)} {'is' if len(zero) == 1 else 'are'} all 0, as a template is before it is filled in: "
            + " and ".join(does) + "."]


def _general_mend(model: Model, built: Model | None, held: list, result: dict, failing: list[Finding],
                  every: list[tuple[str, ...]]) -> str | None:
    """Where every head does its job and the prediction alone fails: what, put in the file's place, makes it
    pass: "V" (the hand-built last layer's V), "layers before" (the hand-built layers before the last), or
    None (neither, or another case). Tried on the failing strings first, then on every string."""
    if built is None or [t["score"] for t in result["tests"]][:-1].count(0) or result["tests"][-1]["score"]:
        return None
    last = len(model.matrices)
    runs = failing_first([f.tokens for f in failing], every)
    predicts = [("the prediction", 0, (), "prediction")]
    written = model.with_matrices({f"V{last}.{h}": v for h, (_, v) in enumerate(built.matrices[-1])})
    for name, tried in (("V", written), ("layers before", spliced(model, built, last))):
        if not any(_general_findings(tried, tokens, predicts) for tokens in runs):
            return name
    return None


def _which_layer(held: list, result: dict, mended: str | None = None, tried: bool = True) -> str:
    """Which layer is wrong, for a file of any shape, read off its tests: the first layer a head of which fails
    its role's job; where that layer also runs on the hand-built layers before it, whether it does its job
    there (then what the layers before it write is wrong, or it is itself); and for layer 1, whether the next
    layer does its job on the hand-built layer 1."""
    if result["score"] == result["max_score"]:
        return ""
    passed = {}
    for (name, l, heads, kind), test in zip(held, result["tests"]):
        key = ("given", l) if kind == "given" else ("own", l) if kind != "prediction" else ("prediction", 0)
        passed[key] = passed.get(key, True) and bool(test["score"])
    own = sorted(l for kind, l in passed if kind == "own" and not passed[(kind, l)])
    if not own:
        last = max(l for _, l, _, _ in held)
        return {"V": f" The layers attend as the hand-built ones do, but the prediction fails, and passes with the "
                     f"hand-built V of layer {last}: look at what layer {last} writes.",
                "layers before": f" {_before(last).capitalize()} {'is' if last == 2 else 'are'} "
                                 f"wrong, though the layers attend as the hand-built ones do: the prediction fails, "
                                 f"and passes with the hand-built {_before(last)}: look at what "
                                 f"{'it writes' if last == 2 else 'they write'}."}.get(
            mended, " The layers attend as the hand-built ones do, but the prediction fails" + (
                f", and neither the hand-built V of layer {last} nor the hand-built {_before(last)} alone mends "
                "it." if tried else " (the hand-built layers cannot run in this file's place, so what would mend "
                                    "it is not tried)."))
    first = own[0]
    alone = passed.get(("given", first))
    if first > 1 and alone:
        before = _before(first)
        return (f" {before.capitalize()} {'is' if first == 2 else 'are'} wrong, though "
                f"{'its' if first == 2 else 'their'} heads attend as the hand-built ones do: layer {first} does its "
                f"job on the hand-built {before} and not on this file's, so what {before} "
                f"write{'s' if first == 2 else ''} is not what layer {first} reads.")
    if first > 1 and alone is False:
        return f" Layer {first} is wrong: it fails even on the hand-built {_before(first)}."
    if first > 1:  # (the hand-built layers cannot take this file's place: whether they are to blame is untested)
        return (f" Layer {first} is the first to fail; the hand-built {_before(first)} cannot run in this file's "
                "place, so whether the layers before it are to blame is not tested.")
    after = passed.get(("given", first + 1))
    if after is None:
        return f" Layer {first} is wrong."
    return (f" Layer {first} is wrong: layer {first + 1} does its job on the hand-built layer {first}'s output."
            if after else f" Layers {first} and {first + 1} are wrong: layer {first + 1} fails even on the "
                          f"hand-built layer {first}'s output.")


def check(model: Model, seed: int = 0) -> dict:
    """Every run's findings: per property, the strings that fail and the
    smallest one's words. A model of fewer than MIN_POSITIONS positions is
    refused: no string it takes has a copy to test. A file of another shape
    than the lecture's (more layers or heads, another layout, a circuit)
    is held head by head to its roles (``_general``)."""
    if model.n_positions < MIN_POSITIONS:
        raise InputError(f"{model.name} has {model.n_positions} position{'s' if model.n_positions != 1 else ''}; "
                         f"check needs at least {MIN_POSITIONS} (a token, what follows it, and the token again) "
                         "to test the induction head")
    if not model.shaped or model.circuit != "lecture" or model.kinds != ("look-back", "induction"):
        return _summed(_general(model, seed))
    shared = products(model)
    result, failed = _tally(PROPERTIES, strings(model.vocab, model.n_positions, seed),
                            lambda tokens: findings(model, tokens, shared), seed)
    result["hints"] = hints(model, result, seed, {k: [f.tokens for f in found] for k, found in enumerate(failed)},
                            shared)
    result["own_code"] = own_code(model) if shared.own else None
    result["mended_by"] = mended_by(model, result, failed, seed, shared)
    return _summed(result)


def _summed(result: dict) -> dict:
    """The result with its ``output``: what the report says before its tests (the verdict, the likely
    mistakes, the notes), which Gradescope shows above the tests, as the terminal does."""
    result.setdefault("verdict", wrong(result).strip())  # (a file of any shape's is its layers')
    result["output"] = "\n".join(summary(result))
    return result


LECTURE_RESIDUAL = (True, False)
"""The lecture's residual: layer 1 adds its input back, layer 2 does not (a try changes one layer's only)."""


def mended_by(model: Model, result: dict, failed: list[list[Finding]], seed: int = 0,
              shared: Products | None = None) -> str | None:
    """Where layer 1 attends to the previous token and layer 2 does its job on the lecture's layer-1 output,
    yet layer 2 fails on the file's own (or, layer 2 passing too, the prediction fails): what, put in the
    file's place, makes that test pass. Layer 2 on this layer 1: "V_1" (the lecture's V_1), "residual" (the
    lecture's residual after layer 1); the prediction: "V_2", "residual" (after layer 2), "layer 1" (the
    lecture's A_1 and V_1); None: none of these, or no such case. The verdict blames only what this tries
    out. (Where the file's V_1 writes a code of its own, layer 2 alone runs through it: only the attention
    differs, and nothing is tried.)"""
    scores = [t["score"] for t in result["tests"]]
    if not (scores[0] and scores[3]) or all(scores[1:3]) or (shared or products(model)).own and not scores[1]:
        return None
    from ..core.weights import LECTURE

    prop = 1 if not scores[1] else 2
    lecture = hand_built(model, LECTURE)  # (a lecture-shaped file: the lecture's four subspaces)
    if lecture is None:
        return None
    runs = failing_first([f.tokens for f in failed[prop]], strings(model.vocab, model.n_positions, seed))
    layer = prop - 1  # the layer whose residual the test reads past: layer 1's for layer 2, layer 2's for the scores
    residual = tuple(LECTURE_RESIDUAL[k] if k == layer else r for k, r in enumerate(model.residual))
    tries = (("V_1", {"v1": lecture.v1}),) if prop == 1 else (("V_2", {"v2": lecture.v2}),)
    tries += (("residual", {"residual": residual}),) if residual != model.residual else ()
    tries += (("layer 1", {"a1": lecture.a1, "v1": lecture.v1}),) if prop == 2 else ()
    for name, changes in tries:
        mended = model.replaced(**changes)
        if not _fails(mended, prop, runs, products(mended)):
            return name
    return None


def _fails(model: Model, prop: int, runs: list[tuple[str, ...]], shared: Products) -> bool:
    return any(f.kind == prop for tokens in runs for f in findings(model, tokens, shared))


def hints(model: Model, result: dict, seed: int = 0, failing: dict | None = None,
          shared: Products | None = None) -> list[str]:
    """The likely mistakes the numbers show, each tried out: a matrix that
    passes transposed, a head that passes at 100 times its scale, an A_1
    looking back the wrong number of positions (or at itself), a V_1 that
    writes each token to another's direction (or none) where A_2 reads its own, layer
    2's weight on the key's own token, V_2 writing another block, too faintly
    or negated, an A of the wrong sign, the inclusive mask. Each is said only
    where the failing test passes once it is mended (or, for a block, where
    the file's own shares show it)."""
    failed = {k for k, t in enumerate(result["tests"]) if not t["score"]}
    if not failed:
        return []
    shared = shared or products(model)
    out = _all_zero([("A_1", model.a1), ("V_1", model.v1), ("A_2", model.a2), ("V_2", model.v2)])

    every = strings(model.vocab, model.n_positions, seed)

    def tried(prop: int) -> list[tuple[str, ...]]:  # the failing strings first (a wrong mend fails at once), then all
        return failing_first((failing or {}).get(prop, []), every)
    strict = model.replaced(inclusive=False)  # which failing tests the strict mask, the lecture's, mends
    mends = {prop: not _fails(strict, prop, tried(prop), shared) for prop in failed} if model.inclusive else {}
    if mends and all(mends.values()):
        return out + [MASK_HINT]  # one switch mends every failing test: a scale that passes by a tie would blur it
    inclusive = MASK_HINT if mends.get(min(failed)) else None
    def mended(key: str, factor: float, prop: int, runs: list) -> bool:
        """The failing test ``prop`` passes with the file's ``key`` matrix times ``factor`` (the shared
        products scaled with it: A_2 enters V_1 A_2, V_2 enters V_1 V_2, A_1 neither)."""
        with np.errstate(over="ignore", invalid="ignore"):
            products = {"a1": {}, "a2": {"v1a2": shared.v1a2 * factor}, "v2": {"v1v2": shared.v1v2 * factor}}[key]
            return not _fails(model.replaced(**{key: getattr(model, key) * factor}), prop, runs,
                              shared._replace(**products))

    for layer, prop, key in ((1, 0, "a1"), (2, 3, "a2")):
        if prop not in failed:
            continue
        runs = tried(prop)
        a = getattr(model, key)
        with np.errstate(over="ignore", invalid="ignore"):  # (A_1 enters no shared product; A_2 enters V_1 A_2)
            turned = shared if key == "a1" else shared._replace(v1a2=model.v1 @ a.T)
        if not _fails(model.replaced(**{key: a.T}), prop, runs, turned):
            out.append(f"A_{layer} looks transposed: its transpose passes layer {layer}'s test. Rows of A are the "
                       "query's directions and columns the key's (a_ij = y_i A y_j^T).")
        elif mended(key, 100.0, prop, runs):
            out.append(f"A_{layer} is too soft: its weights fall on the right keys but under "
                       f"{TOLERANCE:.2f}, and at 100 times its entries it passes; is the scale s (the lecture's "
                       "100) missing?")
        elif mended(key, -1.0, prop, runs):
            out.append(f"A_{layer} has the wrong sign: at -1 times its entries it passes (a negative logit "
                       "pushes weight away from its key).")
        elif key == "a1" and (found := looking_back(model.a1, model.slices()["pos"], model.offset)) and \
                not _fails(model.replaced(a1=found[2]), 0, runs, shared):
            out.append(looks_back_words("A_1", found[0], found[1], model.offset, model.inclusive,
                                        "the lecture's A_1 looks", "layer 1 passes"))
    code, read = own_code(model), own_code(model, "A2")
    if 1 in failed and 3 not in failed and (code is None or code < CODE) and read is not None and read >= CODE:
        cut = model.slices()  # V_1 copying each token to its own prev-tok direction, as A_2 reads it
        v1 = model.v1.copy()
        v1[cut["tok"], cut["prev tok"]] = np.eye(len(model.vocab))
        copying = model.replaced(v1=v1)
        if not _fails(copying, 1, tried(1), products(copying)):
            mend = "with V_1 copying each token to its own prev-tok direction, layer 2 passes."
            out.append("V_1's tok -> prev tok block is all 0: layer 1 writes no previous token, where A_2 reads it "
                       f"(tok x prev tok); {mend}" if code is None else
                       f"V_1 writes {code:.0%} of its tok -> prev tok block on the diagonal: it writes each token "
                       "to another token's prev-tok direction, where A_2 reads each token's own (the lecture's "
                       f"code); {mend}")
    on_positions = sum(share for r, c, share in model.shares("A1") if (r, c) == ("pos", "pos"))
    if 0 in failed and model.shares("A1") and on_positions < 0.05:  # (its test is where the query looks back)
        r, c, share = model.shares("A1")[0]
        out.append(f"A_1 has {on_positions:.0%} of its weight on pos x pos and {share:.0%} on {r} x {c}: the "
                   "lecture's A_1 compares the query's position with the key's (pos x pos, the key "
                   + ("one position back" if model.offset == 1 else f"{model.offset} positions back")
                   + "), which tells where that token is.")
    top = model.shares("A2")[:1]
    if 3 in failed and top and top[0][:2] == ("tok", "tok"):
        out.append(_own_token("A_2", top[0][2], "the lecture's compares it with the key's previous token (tok x prev "
                                                "tok)"))
    if 2 in failed:
        out += _last_writes("V_2", model.v2, model.shares("V2"), "the lecture's V_2",
                            lambda: mended("v2", -1.0, 2, tried(2)), lambda: mended("v2", 100.0, 2, tried(2)))
    return out + ([inclusive] if inclusive else [])


def looking_back(a: np.ndarray, pos: slice, offset: int) -> tuple[int, float, np.ndarray] | None:
    """An A whose pos x pos block holds most of its weight (its sum of squares) on one diagonal other than
    ``offset``'s: each query position matched with the key ``k`` before it (0: itself). Returns k, that
    diagonal's share, and the A with its pos x pos block moved along each row onto ``offset``'s diagonal (to
    try out); None for another A."""
    block = a[pos, pos]
    n = block.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        top = float(np.abs(block).max(initial=0.0))
        squared = (block / top) ** 2 if top > 0 and np.isfinite(top) else None
    if squared is None or not np.isfinite(squared).all():
        return None
    shares = [float(np.trace(squared, offset=-k)) for k in range(n)]  # k: the key k positions before the query
    k = int(np.argmax(shares))
    if k == offset or shares[k] < 0.5 * float(squared.sum()):
        return None
    moved = np.zeros_like(block)  # moved[i, j] = block[i, j + shift]: row i's key i - k moved to i - offset
    shift = offset - k
    if shift >= 0:
        moved[:, :n - shift] = block[:, shift:]
    else:
        moved[:, -shift:] = block[:, :n + shift]
    out = a.copy()
    out[pos, pos] = moved
    return k, shares[k] / float(squared.sum()), out


def _look_back_head(model: Model, l: int, h: int, a: np.ndarray) -> tuple[int, float, np.ndarray, int] | None:
    """``looking_back`` for head h of layer l of a file of any shape, where it is a look-back head over
    one-hot positions; its offset last."""
    k = model.head_number(l, h)
    pos = model.slices().get("pos")
    if model.kinds[k] != "look-back" or pos is None:
        return None
    found = looking_back(a, pos, model.head_offsets[k])
    return found and (*found, model.head_offsets[k])


def looks_back_words(key: str, k: int, share: float, offset: int, inclusive: bool, job: str, passes: str) -> str:
    """The hint for ``looking_back``'s A (``key``), whose ``job`` ("the lecture's A_1 looks", "its job is the
    key") is ``offset`` back; ``passes``: what passes with its weight moved there."""
    back = f"{job} {'one position' if offset == 1 else f'{offset} positions'} back (pos @i x pos @(i-{offset}))"
    on = f"{share:.0%} of its pos x pos block"
    if k == 0:
        mask = ("so each query attends to itself (the file's mask is inclusive)" if inclusive else
                "and the strict mask never lets a query keep itself")
        return (f"{key} matches each position with itself ({on} on pos @i x pos @i), {mask}; {back}, and with "
                f"its weight moved there {passes}.")
    looks = "one position" if k == 1 else f"{k} positions"
    return f"{key} looks {looks} back ({on} on pos @i x pos @(i-{k})), where {back}; with its weight moved " \
           f"there, {passes}."


MASK_HINT = ("The file's mask is inclusive (a query keeps itself), and under the strict mask, the lecture's, it "
             "passes: is its mask meant to be strict?")


CODE = 0.5
"""V_1 writes the lecture's code for the previous token (A_2 reads it) when
at least this share of its tok -> prev tok (tok x prev tok) block's sum of
squares is on the diagonal."""


def own_code(model: Model, matrix: str = "V1") -> float | None:
    """The share of V_1's tok -> prev tok block's sum of squares on its
    diagonal, each token written to its own prev-tok direction (the lecture's:
    1); of A_2's tok x prev tok block, each query token matched with its own
    prev-tok direction; None when the block is all zeros. A V_1 in a code of
    its own with an A_2 that reads the lecture's is a layer 1 whose output
    layer 2 does not read (a student's V_1 writing each token to its
    neighbour's direction), not a code layer 2 reads."""
    cut = model.slices()
    block = (model.v1 if matrix == "V1" else model.a2)[cut["tok"], cut["prev tok"]]
    total = float((block ** 2).sum())
    return float((np.diag(block) ** 2).sum()) / total if total > 0 and np.isfinite(total) else None


def refused(reason: str) -> dict:
    """The results document of a file that could not be checked: score 0, every test failed with the reason."""
    return {"score": 0, "max_score": len(PROPERTIES), "output": reason,
            "tests": [{"name": name, "score": 0, "max_score": 1, "output": reason} for name in PROPERTIES],
            "strings": 0, "tolerance": TOLERANCE, "seed": None, "lecture": None, "hints": []}


def wrong(result: dict) -> str:
    """Which layer is wrong, read off the tests: layer 1's own, layer 2's on the lecture's layer 1 (its
    attention through the file's V_1, where that writes a code of its own)."""
    tests = {t["name"]: t["score"] for t in result["tests"]}
    if set(tests) != set(PROPERTIES) or result["score"] == result["max_score"]:
        return ""
    one, two, predicts, alone = (tests[p] for p in PROPERTIES)
    own = result.get("own_code") is not None
    given = "layer-1 attention" if own else "layer-1 output"
    if not one and alone:
        return f" Layer 1 is wrong: layer 2 does its job on the lecture's {given}."
    if one and not alone:
        return f" Layer 2 is wrong: it fails even on the lecture's {given}."
    if not one and not alone:
        return f" Both layers are wrong: layer 2 fails even on the lecture's {given}."
    mended = result.get("mended_by")
    if not two:  # layer 1 attends as it should, and layer 2 works on the lecture's: what layer 1 gives it differs
        head = (f" Layer 1 is wrong, though it attends to the previous token: layer 2 does its job on the "
                f"lecture's {given} and not on this one's")
        if own:  # (layer 2 alone ran through the file's V_1: only the attention differs)
            return head + ", so layer 1's attention is not sharp enough."
        return head + {"V_1": ", and passes with the lecture's V_1: what layer 1 writes (V_1) is not what layer 2 "
                              "reads.",
                       "residual": ", and passes with layer 1 adding its input back, as the lecture's does "
                                   "(Y^(1) = Y^(0) + W^(1) Y^(0) V_1): this file's does not."}.get(
            mended, "; neither the lecture's V_1 nor its residual after layer 1 alone mends it.")
    if not predicts:
        return {"V_2": " Layer 2's output is wrong: both layers attend as the lecture's do, but the prediction "
                       "fails, and passes with the lecture's V_2: look at what layer 2 writes (V_2).",
                "residual": " Both layers attend as the lecture's do, but the prediction fails, and passes with "
                            "layer 2 not adding its input back, as the lecture's does not: this file's layer 2 adds "
                            "it to its output.",
                "layer 1": " Layer 1 is wrong, though both layers attend as the lecture's do: the prediction fails, "
                           "and passes with the lecture's layer 1 (its A_1 and V_1): look at how sharply layer 1 "
                           "attends to the previous token and what it writes (V_1)."}.get(
            mended, " Both layers attend as the lecture's do, but the prediction fails, and neither the lecture's "
                    "V_2, nor its residual after layer 2, nor its layer 1 alone mends it.")
    return ""


def code_note(result: dict) -> str:
    """What layer 2 alone is tested on, where the file's V_1 writes a code of its own."""
    code = result.get("own_code")
    if code is None:
        return ""
    return (f"V_1 writes the previous token in a code of its own: {code:.0%} of its tok -> prev tok block is on the "
            "diagonal, where the lecture's V_1 copies each token to its own prev-tok direction (100%). Its layer 2 "
            f"reads a code too (under {CODE:.0%} of A_2's tok x prev tok block is on its diagonal), so layer 2 "
            "alone is tested on the lecture's layer-1 attention (each query all on the "
            "position before it) through the file's own V_1. A learned model does this (train's); a file written "
            "by hand may copy the token itself.")


def report(result: dict, width: int = 120) -> str:
    """The check in words, for the terminal, no line wider than ``width``:
    the verdict, the lecture's own string (where the vocabulary has its
    tokens), then each property."""
    from ..views.render.terminal import wrap

    lines = summary(result)
    lecture = result.get("lecture")
    if lecture is not None:  # each finding a line of its own, the string named once
        named = _said(tuple(lecture["tokens"]))
        lines.append(f"- the lecture's string {named}: " + ("pass" if lecture["passed"] else "FAIL:"))
        lines += [f"  - {f.removeprefix(f'on {named}, ')}." for f in lecture["findings"] if not lecture["passed"]]
    lines += [f"- {t['name']}: {'pass' if t['score'] else 'FAIL'}: {t['output']}" for t in result["tests"]]
    wrapped = ["\n".join(wrap(_formulas_whole(line), width, cut=True,
                              indent=" " * (len(line) - len(line.lstrip(" -"))) if line.lstrip().startswith("- ")
                              else "")).replace(NO_BREAK, " ")
               for line in lines]
    return "\n".join(wrapped) + "\n"


NO_BREAK = "\u00a0"  # lines break at spaces only


def _formulas_whole(line: str) -> str:
    """``line`` with the spaces of each short bracketed equation made unbreakable: "(a_ij = y_i A y_j^T)" was
    cut after "A" at 80 columns."""
    return re.sub(r"\([^()]{1,40}=[^()]{1,40}\)", lambda m: m[0].replace(" ", NO_BREAK), line)


def summary(result: dict) -> list[str]:
    """The report's lines before its tests: the verdict (and which layer is wrong), the likely mistakes, the
    notes, the heads held to nothing."""
    passed = result["score"] == result["max_score"]
    job = f"the job of {result['held_to']}" if result.get("held_to") else "the lecture's job"
    lines = [(f"PASS: the model does {job}" if passed else f"FAIL: the model does not do {job}")
             + f" on {result['strings']} strings (seed {result['seed']}; a row attends to keys when at least "
             f"{result['tolerance']:.2f} of its weight is on them)." + (" " + result.get("verdict", "")).rstrip()]
    lines += [f"Likely mistake: {hint}" for hint in result.get("hints", ())]
    lines += [f"Note: {note}" for note in (code_note(result),) if note]
    if result.get("unheld"):
        layers = [u.removeprefix("layer ") for u in result["unheld"] if " head " not in u]
        named = ([f"the heads of layer{'s' if len(layers) > 1 else ''} {series(layers)}"] if layers else []) \
            + [u for u in result["unheld"] if " head " in u]
        lines.append(f"Not held to anything: {'; '.join(named)}, whose role the file does not give (a head is "
                     "held to the job of the role the file names for it: look-back, duplicate-token or induction).")
    return lines
