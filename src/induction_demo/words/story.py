"""What happened, in words, read off a Trace: one narrator for the lecture's
model and every variant.

Every sentence is derived from this run, and each claim from the numbers it
names: "attends to X" means X holds the row's largest weight; "evenly" means
every kept key weighs the same; a count is a count of the tokens; "predicts"
is the trace's own prediction, with how far ahead it stands. Special cases
are named only where they occur: position 0 (nothing to look back to, or
itself under the inclusive mask), a first occurrence (nothing to copy), a
query that leans on some keys with nothing to copy, a token seen several
times (attention splits), a consecutive repeat (the token after the earlier
occurrence is the query itself), a copy that did not win the weight (a
blend), a tie, and an ablated head. What a variant adds (dense token
vectors, a position scheme's leak) is told where its numbers show it. Long
inputs list the first few positions of a kind, then count the rest.
"""
from __future__ import annotations

import functools
import weakref

import numpy as np

from . import claims as cl
from ..base import text as fmt
from ..core import mechanism
from .sentences import LISTED, Lazy, Sentence, at, code, maths, say, series, weight
from ..core.readout import EXACT_TIE
from ..core.stream import carry, dense
from ..core.trace import Layer, Trace
from ..core.weights import half, part_name, relation, subspace
from .describe import ablated_count, ablated_heads, after_match, back, replaced, scheme, unmixed

def _kept(trace: Trace, i: int) -> np.ndarray:
    return np.flatnonzero(trace.induction.mask[i])


def _even(w: np.ndarray, kept: np.ndarray) -> bool:
    """Every kept key weighs the same."""
    return len(kept) > 0 and float(np.ptp(w[kept])) <= cl.EVEN


def _top(w: np.ndarray, kept: np.ndarray | None = None) -> list[int]:
    """The kept keys within NEAR_WEIGHT of the row's largest weight: a near-tie is told as a tie."""
    kept = np.flatnonzero(w >= 0) if kept is None else kept
    if not len(kept):
        return []
    return [int(j) for j in kept[w[kept] >= w[kept].max() - cl.NEAR_WEIGHT]]


def _spread(lo: float, hi: float) -> str:
    return weight(lo) if weight(lo) == weight(hi) else f"{weight(lo)} to {weight(hi)}"


def _position_0(trace: Trace, layer: Layer) -> Sentence:
    """What position 0 does: nothing (strict mask), or attend to itself (inclusive)."""
    first, n = at(trace, 0), layer.index
    looks_back = layer is not trace.layers[-1]  # an earlier layer's head looks back, or for a copy
    built = trace.construction.model is None
    if not layer.mask[0, 0]:
        p = trace.predictions[0]
        if looks_back:
            return say("nothing-before", f"{first} is at position 0: it has nothing to look back to and attends "
                                         "nowhere.", [cl.Kept(n, 0, 0, False)])
        if not p.output:
            return say("nothing-before", f"{first} is at position 0: it has nothing to look back to, attends "
                                         "nowhere and predicts nothing.",
                       [cl.Kept(n, 0, 0, False), cl.Predicts(0, (), False)])
        return say("nothing-before", f"{first} is at position 0: it has nothing to look back to and attends "
                                     "nowhere; what it outputs, " + fmt.tied(p.output, " or ", code)
                                     + ", comes from its layer's residual alone, not a copy.",
                   [cl.Kept(n, 0, 0, False), cl.Predicts(0, p.output, False, near_tie(trace, 0))])
    w00 = float(layer.heads[0].weights[0, 0])
    premises = [cl.Mask("inclusive"), cl.Weight(n, 0, 0, (0,), w00), cl.Kept(n, 0, 0, True)]
    if looks_back:
        into = _into(layer)
        what = "position" if into == ["ptr"] else scheme(trace.construction).written  # (no position under NoPE)
        wrote = (f"and writes its own {what} into its " + fmt.listed(map(part_name, into))
                 + (" block" if into == ["ptr"] else " " + trace.construction.part(len(into) > 1))
                 + (f": the lecture's {maths('a_00')} ≈ 1, where {maths('i = j = 0')}." if trace.construction.circuit == "lecture" else "."))\
            if built else "."
        return say("self", f"{first} is at position 0: the inclusive mask keeps only itself, so it attends to itself "
                           f"(weight {weight(w00)}){' ' if built else ''}{wrote}", premises + [cl.Built(built)])
    p = trace.predictions[0]
    logit = fmt.number(float(layer.logits[0, 0]), fmt.LOGIT_DECIMALS)
    feeding = trace.layers[:-1]
    reason = built and all(run.head.looks_back for f in feeding for run in f.heads) \
        and not any(f.ablated for f in feeding)
    # (only look-back heads write earlier halves, as a duplicate-token head's pointer does not; an ablated one
    # left them empty)
    layers_before = "layer 1" if len(feeding) == 1 else "layers 1 and 2" if len(feeding) == 2 else \
        f"layers 1 to {len(feeding)}"
    c = trace.construction
    since = f": since {layers_before} its {c.earlier()} hold{'s' if c.halves == 2 else ''} its own token" \
        if reason else ""
    out = "it outputs nothing" if not p.output else "its output is its own token" \
        if p.output == (trace.tokens[0],) else "its output is " + fmt.tied(p.output, " or ", code)
    return say("self", f"{first} keeps only itself under the inclusive mask ({maths(f'a_00 = {logit}')}{since}), so it "
                       f"attends to itself with weight {weight(w00)} and {out}: not a prediction, since nothing "
                       "came before it.",
               premises + [cl.Logit(n, 0, 0, 0, float(layer.logits[0, 0])), cl.Built(built),
                           cl.Predicts(0, p.output, False, near_tie(trace, 0))]
               + ([cl.Ablated(f.index, False) for f in feeding] if reason else []))


def _into(layer: Layer) -> list[str]:
    """The halves (prev, prev2, ...) or blocks (ptr) a layer's heads write into, in order."""
    return list(dict.fromkeys(b.cols.rpartition(" ")[0] for run in layer.heads for b in run.head.ov))


def near_tie(trace: Trace, i: int) -> bool:
    """The output at i is a near-tie, not an exact one."""
    p = trace.predictions[i]
    if len(p.output) < 2:
        return False
    row = trace.probs[i]
    exact = {trace.vocab[t] for t in np.flatnonzero(row >= row.max() * (1 - EXACT_TIE))}
    return exact != set(p.output)


def _similarity(trace: Trace, a: int, b: int) -> float:
    """cos(x_a, x_b) of the dense token vectors."""
    index = {t: k for k, t in enumerate(trace.vocab)}
    return trace.words.cosine(index[trace.tokens[a]], index[trace.tokens[b]])


def _vectors(trace: Trace) -> list[Sentence]:
    """Where the token vectors come from, and which tokens have a direction of their own."""
    words = trace.words
    kind = words.similarity.kind
    premise = [cl.Setting("similar", kind)]
    if kind == "subword":
        lead = ("Each token is the normalised bag of its character trigrams (case folded, with < and > at its "
                f"ends; m = {len(words.features)}), so tokens that share trigrams are similar.")
    elif kind == "case":
        lead = f"Each token is its case-folded form (m = {len(words.features)}): only case differences are similar."
    else:
        lead = (f"Each token is its vector from {words.similarity.source} (dimension {words.similarity.dimension}), "
                "scaled to length 1.")
    out = [say("vectors", lead, premise)]
    if words.own:
        own = series([code(t) for t in words.own])
        out.append(say("own", f"{own} {'is' if len(words.own) == 1 else 'are'} not in "
                              f"{words.similarity.source}: each gets a direction of its own, orthogonal to every "
                              "other token, so it is similar only to itself.", premise))
    return out


def _spreads(trace: Trace, layer: Layer, run) -> bool:
    """The head spreads evenly over the keys each query keeps, some query keeping more than one."""
    rows = [i for i in range(trace.n) if layer.mask[i].any()]
    return any(layer.mask[i].sum() > 1 for i in rows) and all(_even(run.weights[i], np.flatnonzero(layer.mask[i]))
                                                             for i in rows)


def _evens(layer: Layer, h: int, rows) -> list:
    """An Even premise for each row: its kept keys' count and their weight."""
    run = layer.heads[h]
    return [cl.Even(layer.index, h, i, int(layer.mask[i].sum()), float(run.weights[i][layer.mask[i]][0]))
            for i in rows]


def look_back(trace: Trace, layer: Layer) -> list[Sentence]:
    """Each layer-1 head: where it looks (read off its weights), what leaks,
    which queries have no key at its offset, and what it writes. A model
    file's head gets no reason that rests on how a construction is built."""
    c, n = trace.construction, layer.index
    built = c.model is None
    several = len(layer.heads) > 1
    first = layer is trace.layers[0]  # (the virtual circuit's layer 2 is a look-back head too: said once)
    out = (_vectors(trace) if trace.words is not None and first else []) + [_position_0(trace, layer)]
    for h, run in enumerate(layer.heads):
        o, w = run.head.offset, run.weights
        name = f"The {run.head.name}: " if several else ""
        dest = run.head.destination if built else ""  # a file's V writes where it will: said once, read off the output
        where = part_name(dest)
        reach = [i for i in range(o, trace.n) if layer.mask[i].any()]
        if reach and _spreads(trace, layer, run):
            even = Lazy(reach, lambda i: f"{at(trace, i)}: {weight(w[i, i - o])} × {int(layer.mask[i].sum())}")
            ties = all(np.ptp(run.logits[i][layer.mask[i]]) == 0 for i in reach)
            kind = "zero" if not run.logits[layer.mask].any() else "tie" if ties else "differ"
            zero = {"zero": "every logit is 0", "tie": "every logit ties",
                    "differ": "the logits are too close to tell apart"}[kind]
            scheme_words = f"with {scheme(c).words.split(' (')[0]} " if built else ""
            premises = [cl.Logits(n, h, tuple(reach), kind)] + _evens(layer, h, reach) \
                + [cl.Weight(n, h, i, (i - o,), float(w[i, i - o])) for i in reach[:1]] \
                + ([cl.Setting("positions", c.positions)] if built else [])
            out.append(say("look-back", f"{name or 'Layer 1: '}{scheme_words}{zero}, so each token spreads evenly "
                                        "over the keys it keeps (weight × how many)"
                                        + (f" and writes their mean into its {where} {c.part()}" if built else "")
                                        + ": " + series(even) + ".",
                           premises))
        elif reach:
            tops = {i: _top(w[i], np.flatnonzero(layer.mask[i])) for i in reach}
            on_reach = [float(w[i, i - o]) for i in reach]
            lo, hi = reach[int(np.argmin(on_reach))], reach[int(np.argmax(on_reach))]
            premises = [cl.Top(n, h, i, tuple(tops[i])) for i in reach] + \
                [cl.Weight(n, h, i, (i - o,), float(w[i, i - o])) for i in dict.fromkeys((lo, hi))]
            where_on = " on the previous position" if o == 1 else ""
            subject = "every other token" if o == 1 and not layer.mask[0, 0] else f"every token from @{o} on"
            if all(tops[i] == [i - o] for i in reach):
                lead = f"{subject} looks back to the position {back(o)} it"
                looks = Lazy(reach, lambda i: f"{at(trace, i)} to {at(trace, i - o)}")
            else:
                lead = f"{subject} looks back to the key it weighs most"

                def looked(i: int) -> str:
                    keys = tops[i]
                    return f"{at(trace, i)} to {series([at(trace, j) for j in keys])}" \
                        + (f" ({weight(w[i, keys[0]])} each)" if len(keys) > 1 else "")
                looks = Lazy(reach, looked)
            out.append(say("look-back", f"{name}{lead[0].upper() if not name else lead[0]}{lead[1:]} (weight "
                                        f"{_spread(w[lo, lo - o], w[hi, hi - o])}{where_on}): " + series(looks) + ".",
                           premises))
            off = w * layer.mask
            off[np.arange(o, trace.n), np.arange(trace.n - o)] = 0.0
            off[:o] = 0.0  # (a row with no key that far back has no job to leak from: it spreads, said below)
            i, j = (int(x) for x in np.unravel_index(int(off.argmax()), off.shape))
            if built and scheme(c).leak and weight(off[i, j]) != weight(0.0):  # (a leak the tables show)
                near, target = ("just before", "the previous one's") if o == 1 and j < i - 1 else \
                    (f"next to i - {o}", f"that of i - {o}")  # (the inclusive mask keeps i, next to i - 1 too)
                out.append(say("leak", f"{name or 'Layer 1: '}the rest leaks to the positions {near}, because "
                                       f"{scheme(c).leak.format(target=target)}: at most {weight(off[i, j])}, from "
                                       f"{at(trace, i)} to {at(trace, j)}.",
                               [cl.Leak(n, h, i, j, float(off[i, j])), cl.Setting("positions", c.positions)]))
        short = [i for i in range(min(o, trace.n)) if layer.mask[i].any() and o > 1]
        if short:
            them = f"{'has' if len(short) == 1 else 'have'} no token {back(o)} {'it' if len(short) == 1 else 'them'}"
            ties = all(np.ptp(run.logits[i][layer.mask[i]]) == 0 for i in short)
            if ties:
                out.append(say("too-early", f"{name or 'Layer 1: '}" + series([at(trace, i) for i in short])
                               + f" {them}: every logit ties, so the head spreads evenly over the keys kept"
                               + (f" and its {where} {c.part()} holds their mean." if built else "."),
                               [cl.Before(tuple(short), o), cl.Logits(n, h, tuple(short), "tie")]
                               + _evens(layer, h, short)))
            else:
                out.append(say("too-early", f"{name or 'Layer 1: '}" + series([at(trace, i) for i in short])
                               + f" {them}: the head weighs the keys kept by their logits"
                               + (f", and its {where} {c.part()} holds that blend of them." if built else "."),
                               [cl.Before(tuple(short), o), cl.Logits(n, h, tuple(short), "differ")]))
    if layer.ablated:
        dest = layer.heads[0].head.destination
        stays = (f"the {part_name(dest)} {c.part()} of every representation stays"
                 if not several else f"every earlier {c.part()} stays")
        if not built:  # a file's: the blocks its V writes, read off its arrays
            stays = _blocks(_v_writes(layer)) + " of every representation " + \
                ("stays" if len(_v_writes(layer)) == 1 else "stay")
        out.append(say("ablated", f"{'This head' if not several else 'Layer 1'} is ablated: its output is replaced "
                                  f"by zeros, so {stays} empty.", [cl.Ablated(n, True), cl.Writes(n, ())]))
        return out
    names = _written(layer)
    if not built:  # a file's V_1: where its write lands, read off the output
        lecture = f" (the previous {c.part()}, where the lecture's layer 1 writes)" \
            if names == ("prev tok", "prev pos") and layer.heads[0].head.offset == 1 else ""
        where = _blocks(names)
        return out + [say("output", f"Its output writes into {where}{lecture}: see {maths(f'Y^({n})')}.", [cl.Writes(n, names)])]
    what = scheme(c).written
    written = []
    for h, run in enumerate(layer.heads):
        o, dest = run.head.offset, run.head.destination
        where = part_name(dest)
        shifted = run.head.ov[0].rows != "tok"  # it reads the key's previous half: a token one more back
        if _spreads(trace, layer, run):  # (under the inclusive mask a query keeps itself too)
            kept = "before it" if c.mask == "strict" else "it keeps (itself and those before it)"
            before = f"what the keys {kept} hold in their previous {c.part(True)}" if shifted else f"the tokens {kept}"
            written.append(f"the mean of {before} into its {where} {c.part()}")
        elif shifted:
            written.append(f"the {what} two before it (the previous {c.part()} of the key just before it) into its "
                           f"{where} {c.part()}: with layer {n - 1}, a virtual 2-back head")
        elif o == 1:
            written.append(f"each token's previous {what} into the previous {c.part()} of its representation")
        else:
            written.append(f"the {what} {back(o)} it into its {half(o)} {c.part()}")
    lead = "Its output writes " if written[0].startswith("each") else "Its output writes, for each token, "
    out.append(say("output", lead + series(written) + ".", [cl.Writes(n, names), cl.Setting("positions", c.positions)]))
    return out


def _v_writes(layer: Layer) -> tuple[str, ...]:
    """The subspaces a layer's heads' V write into (its blocks: a file's, read off its arrays)."""
    return tuple(dict.fromkeys(b.cols for run in layer.heads for b in run.head.ov))


def _blocks(names: tuple[str, ...]) -> str:
    """Subspaces as the blocks they are: "the prev tok block", "the prev tok and prev pos blocks"."""
    return "nothing" if not names else "the " + series(list(names)) + (" blocks" if len(names) > 1 else " block")


def _written(layer: Layer) -> tuple[str, ...]:
    """The subspaces a layer's heads write into (any nonzero entry)."""
    return tuple(name for name in layer.output.basis.names if any(r.output.nonzero(name) for r in layer.heads))


def _predicts(trace: Trace, p) -> str:
    """What a copy predicts, and how far ahead: every token of a near-tie."""
    tie = "" if len(p.candidates) < 2 else " (a near-tie)" if near_tie(trace, p.position) else " (a tie)"
    told = fmt.tied(p.candidates, " or ", code) + tie
    return told if p.horizon == 1 else f"{told}, {p.horizon} ahead (for @{p.position + p.horizon})"


def _gives(trace: Trace, layer: Layer, i: int, token: str) -> tuple[np.ndarray, float]:
    """What each key gives ``token``'s score at query i, w_ij (y_j V)[token],
    summed over the layer's heads, and what the layer's residual gives: read
    through the heads' value blocks into the token block."""
    previous = trace.stream(layer.index - 1)
    basis, t = trace.basis, trace.vocab.index(token)
    width = basis.size("tok")

    def read(rows: np.ndarray) -> np.ndarray:
        return rows @ trace.words.vectors[t] if trace.words is not None else rows[..., t]
    out = np.zeros(trace.n)
    for run in layer.heads:
        if run.ablated:
            continue
        for b in run.head.ov:
            if b.cols == "tok":
                out += run.weights[i] * read(dense(carry(previous[b.rows], relation(b, basis), width), trace.n, width))
    return out, float(read(previous.block("tok")[i])) if layer.residual else 0.0


def carried(trace: Trace, i: int, token: str, attended: list[int]) -> tuple[tuple[int, ...], float]:
    """The keys that carry ``token``'s score at query i (claims.carriers'
    rule: the ``attended`` keys that give it some, every other key giving at
    least CARRIER_SHARE of it, and more until they carry more than half),
    and their share of it."""
    gives, residual = _gives(trace, trace.induction, i, token)
    return cl.carriers(gives, residual, attended)


_LAST: list = [None, None]  # (a weak reference to the last trace, its induction head's cells): one story's copies


def _cells(trace: Trace) -> np.ndarray:
    """The cells the induction head is built for (mechanism.cells), once per trace told."""
    if _LAST[0] is None or _LAST[0]() is not trace:
        _LAST[:] = [weakref.ref(trace), mechanism.cells(trace, trace.induction)]
    return _LAST[1]


def _why(trace: Trace, i: int, j: int) -> tuple[str, list]:
    """Why query i's induction head weighs key j, and the premises of that
    reason: what the key's earlier halves hold, each reason said only where
    it holds (a model file's head gets only what its tokens show)."""
    n = trace.induction.index
    if j == i:  # kept by the mask, and weighed, as any key, by what its earlier halves hold
        reason, premises = _held(trace, i, j)
        return (f"the query itself (the inclusive mask keeps it), {reason}",
                [cl.Kept(n, i, i, True), cl.Mask("inclusive")] + premises)
    return _held(trace, i, j)


def _held(trace: Trace, i: int, j: int) -> tuple[str, list]:
    """Why query i's induction head weighs key j by what the key's earlier halves hold (``_why``)."""
    c, n = trace.construction, trace.induction.index
    source = j - c.horizon
    on = bool(_cells(trace)[i, j])
    if source < 0:
        if c.mask == "inclusive" and c.model is None and j == 0:
            return (f"whose {c.earlier()} hold{'s' if c.halves == 2 else ''} its own token (position 0 attended to "
                    "itself under the inclusive mask)", [cl.Mask("inclusive"), cl.Kept(1, 0, 0, True), cl.Built(True)])
        return (f"which has no token {back(c.horizon) if c.horizon > 1 else 'before'} it: not a key the head is "
                "built for", [cl.Job(n, i, j, False)])
    if c.context == 1:
        where = "which followed" if c.horizon == 1 else f"{c.horizon} after"
        if trace.words is not None and trace.tokens[source] != trace.tokens[i]:
            sim = _similarity(trace, i, source)
            return (f"{where} {code(trace.tokens[source])} (@{source}), {'similar' if on else 'not similar'} to "
                    f"{code(trace.tokens[i])} (similarity {weight(sim)})",
                    [cl.Follows(i, j, source, False, sim), cl.Job(n, i, j, on)])
        if trace.tokens[source] != trace.tokens[i]:
            return (f"{where} {code(trace.tokens[source])} (@{source}), not the query's token",
                    [cl.Follows(i, j, source, False), cl.Job(n, i, j, False)])
        return f"{where} the earlier {code(trace.tokens[i])} (@{source})", [cl.Follows(i, j, source, True)]
    matched = sum(source - m >= 0 and trace.tokens[source - m] == trace.tokens[i - m] for m in range(c.context))
    ending = "just before it" if c.horizon == 1 else f"ending {c.horizon} before it"
    if trace.words is not None:  # (similar words match by their cosine, not by being the same token: `The` and
        pairs = [(i - m, source - m) for m in reversed(range(c.context)) if source - m >= 0]  # `THE` under case)
        sims = tuple(_similarity(trace, a, b) for a, b in pairs)
        return (f"whose tokens {ending}, {_context(trace, source, c.context)}, have "
                f"{'similarity' if len(sims) == 1 else 'similarities'} {series([weight(x) for x in sims])} with the "
                f"query's last {c.context}, {_context(trace, i, c.context)}", [cl.Context(i, j, matched, sims)])
    blend, premises = _blended(trace, i, j)
    return (f"whose tokens {ending}, {_context(trace, source, c.context)}, match {matched} of the query's last "
            f"{c.context}, {_context(trace, i, c.context)}{blend}", [cl.Context(i, j, matched)] + premises)


def _blended(trace: Trace, i: int, j: int) -> tuple[str, list]:
    """What scores key j for query i beyond its matched tokens (a built head over one-hot tokens): each earlier
    part of the key with no token that far back holds a blend of tokens, and where the blend holds the query's
    token at that place, that share matches too (`a a b a a`, --context 2: key @1 holds `a` (@0) in its prev2
    third, and scored as a match of 2 for query @4, told as "match 1")."""
    c = trace.construction
    if c.model is not None or trace.words is not None:
        return "", []
    source, before = j - c.horizon, trace.induction.index - 1  # (the stream the induction head reads)
    y = trace.stream(before)
    said, premises = [], []
    for m in range(c.context):
        name = subspace(c.horizon + m, "tok")
        if source - m >= 0 or i - m < 0 or name not in trace.basis.names:
            continue
        token = trace.tokens[i - m]
        share = float(y.block(name)[j][trace.vocab.index(token)])
        if weight(share) == weight(0.0):
            continue
        said.append(f"its {part_name(half(c.horizon + m))} {c.part()}, with no token {back(c.horizon + m)} it, "
                    f"holds a blend with {code(token)} at {weight(share)}, which the query's {code(token)} "
                    f"(@{i - m}) matches too")
        premises += [cl.Before((j,), c.horizon + m), cl.Holds(before, j, name, token, share)]
    return "".join(f", and {x}" for x in said), premises


def _context(trace: Trace, start: int, k: int) -> str:
    """The tokens at start - k + 1 .. start that exist, in order, as code."""
    return " ".join(code(trace.tokens[p]) for p in range(start - k + 1, start + 1) if p >= 0)


def _repeat(trace: Trace, i: int) -> tuple[str, list]:
    """Where the query's token stood ``horizon`` before it: the key after that
    is the query, which it cannot see (with the premises)."""
    h, n = trace.construction.horizon, trace.induction.index
    if i >= h and trace.tokens[i - h] == trace.tokens[i] and not trace.induction.mask[i, i]:
        where = "just before it" if h == 1 else f"{h} before it"
        return (f"; its occurrence {where} (@{i - h}) is followed by the query itself, which it cannot see",
                [cl.Follows(i, i, i - h, True), cl.Kept(n, i, i, False)])
    return "", []


def copy_sentence(trace: Trace, i: int) -> Sentence:
    """A copy: the keys holding the row's largest weight (near-ties told as a
    tie), why each, and the prediction with the keys that carry it where
    they are not those (kind "copy", or "split" when the weight is shared):
    the story's sentence, and the quiz's answer."""
    layer = trace.induction
    n, w, p = layer.index, layer.weights[i], trace.predictions[i]
    keys = _top(w, np.flatnonzero(layer.mask[i]))
    premises: list = [cl.Top(n, 0, i, tuple(keys)), cl.Predicts(i, p.candidates, True, near_tie(trace, i))] \
        + [cl.Weight(n, 0, i, (j,), float(w[j])) for j in keys]
    sources: dict[int, None] = {}
    for token in p.candidates:
        by, share = carried(trace, i, token, keys)
        premises.append(cl.Carried(i, token, by, share))
        sources.update(dict.fromkeys(by))
    carriers = sorted(sources)
    if carriers == keys or not carriers:
        told = _predicts(trace, p)
    else:
        told = f"{_predicts(trace, p)}, carried by {series([at(trace, j) for j in carriers])}"
    repeat, also = _repeat(trace, i)
    premises += also
    if len(keys) == 1:
        j = keys[0]
        why, because = _why(trace, i, j)
        return say("copy", f"{at(trace, i)} attends to {at(trace, j)} (weight {weight(w[j])}), {why}{repeat}, so it "
                           f"predicts {told}.", premises + because)
    h = trace.construction.horizon
    sources_of = [j - h for j in keys]
    plain = trace.construction.context == 1 and all(
        s >= 0 and j != i and trace.tokens[s] == trace.tokens[i] for j, s in zip(keys, sources_of))
    weights = sorted({weight(w[k]) for k in keys})
    share = f"{weights[0]} each" if len(weights) == 1 else "weights " + ", ".join(weights)
    if plain:  # every key follows an earlier copy of the query's token
        occurrences = tuple(k for k in range(i) if trace.tokens[k] == trace.tokens[i])
        told_of = set(sources_of) | ({i - h} if repeat else set())
        seen = ""
        if told_of == set(occurrences):  # a count, only where every occurrence counted is accounted for
            seen = f" has been seen {len(occurrences)} times before, so it"
            premises.append(cl.Occurrences(i, occurrences))
        where = "which followed" if h == 1 else f"{h} after"
        premises += [cl.Follows(i, j, s, True) for j, s in zip(keys, sources_of)]
        return say("split", f"{at(trace, i)}{seen} splits its attention between {series([at(trace, k) for k in keys])} "
                            f"({share}), {where} its earlier occurrences at {series([f'@{s}' for s in sources_of])}"
                            f"{repeat}, so it predicts {told}.", premises)
    whys = [_why(trace, i, j) for j in keys]
    for _, because in whys:
        premises += because
    return say("split", f"{at(trace, i)} splits its attention between {series([at(trace, j) for j in keys])} "
                        f"({share}): " + "; ".join(f"@{j}, {why}" for j, (why, _) in zip(keys, whys))
                        + f"{repeat}; so it predicts {told}.", premises)


def _blend_premises(trace: Trace, positions) -> list:
    return [cl.Output(i, p.output, p.score, p.low) for i in positions for p in (trace.predictions[i],)]


def _blends(trace: Trace, positions: list[int]) -> str:
    """Each blend an ablated previous-token head leaves where there was something to copy, with its share."""
    return series(Lazy(positions, lambda i: f"{at(trace, i)} gets " + fmt.tied(trace.predictions[i].output, " or ", code)
                       + _shares(trace.predictions[i])))


def _shares(p) -> str:
    return f" ({weight(p.score)}" + ("" if len(p.output) == 1 else " each, a tie" if weight(p.score) == weight(p.low)
                                     else f" to {weight(p.low)}, a tie") + ")"


def _ablated(trace: Trace, layer: Layer) -> list[Sentence]:
    """What an ablation leaves for the induction head to say."""
    c, n = trace.construction, layer.index
    cut = [f for f in trace.layers[:-1] if f.ablated]
    first = cut[0] if cut else trace.layers[0]
    out = []
    everyone = list(range(trace.n))
    inclusive = c.mask == "inclusive"  # (each query keeps itself too: its own token is in what it mixes)
    if first.ablated and c.model is not None and ablated_count((first,)) < len(first.heads):
        out.append(say("ablated", _some_ablated(first), [cl.Ablated(first.index, True)]))
    elif first.ablated and c.model is not None:
        empty = [name for name in _v_writes(first) if name not in ("tok", "pos")]  # (Y^(0) fills tok and pos)
        held = f" and {_blocks(tuple(empty))} of every key {'is' if len(empty) == 1 else 'are'} empty" if empty else ""
        out.append(say("ablated", "Layer 1 is ablated: its output is replaced by zeros, so "
                                  + (maths("Y^(1) = Y^(0)") + held + "." if first.residual
                                     else maths("Y^(1)") + " is all zero."), [cl.Ablated(first.index, True),
                                                                    cl.Writes(first.index, ())]))
    elif first.ablated:
        zero = not layer.logits[layer.mask].any()  # read off: no earlier half holds anything to match
        pointer = first.heads[0].head.role.kind == "duplicate-token"
        names = ablated_heads(cut)  # (--context 2: two heads; --skip: a k-back head)
        lead = ("The duplicate-token head is ablated, so no query holds a pointer to an earlier copy: " if pointer
                else "The previous-token head is ablated, so no key carries a previous token: "
                if names == "the previous-token head"
                else names[0].upper() + names[1:] + (" are" if ablated_count(cut) > 1 else " is")
                + " ablated, so no key carries an earlier token: ")
        out.append(say("ablated", lead
                                  + ("every logit is 0, each query spreads its attention evenly over "
                                     + ("the keys it keeps, itself included, " if inclusive else "the past, ")
                                     + "and the induction head" if zero else "the induction head")
                                  + " has nothing to match; what it outputs is a blend of "
                                  + (("all their tokens" if inclusive else "all earlier tokens") if zero else
                                     "the tokens it keeps, itself included" if inclusive else "earlier tokens")
                                  + ", not a copy.",
                       [cl.Ablated(f.index, True) for f in cut]
                       + [cl.Logits(n, 0, tuple(everyone), "zero" if zero else "differ"), cl.Mask(c.mask)]
                       + [cl.Predicts(i, trace.predictions[i].output, False, near_tie(trace, i)) for i in everyone]))
    if layer.ablated:
        outputs = [i for i in everyone if trace.predictions[i].output]
        rest = ("no position predicts anything" if not outputs else
                "what a position outputs comes from its layer's residual alone, not a copy")
        out.append(say("ablated", f"This head is ablated: its output is replaced by zeros, so nothing is copied and "
                                  f"{rest}.", [cl.Ablated(n, True)]
                       + [cl.Predicts(i, trace.predictions[i].output, False, near_tie(trace, i)) for i in everyone]))
    if first.ablated and not layer.ablated and c.model is None:
        blends = [p.position for p in trace.predictions if p.copyable and p.output and not p.copy]
        if blends:
            zero = not layer.logits[layer.mask].any()
            if trace.shares:  # (a token's score is its share of what the head mixed)
                most = "the most frequent token among the keys it keeps, itself included," \
                    if inclusive else "the most frequent earlier token"
                what = f"{most} with its share of {maths(trace.final)}" if zero else \
                    f"the top token of what the head mixed, with its share of {maths(trace.final)}"
            else:  # dense vectors: a token scores by its vector's dot product with what was mixed, not by count
                source = "the mean of the vectors of the keys it keeps" if zero else "what the head mixed"
                what = (f"the token whose vector has the largest dot product with {source} (the token block of "
                        f"{maths(trace.final)}), with that score")
            mixed = "" if any(unmixed(trace.predictions[i]) for i in blends) else "a blend, "
            out.append(say("blend", f"So what looks like a prediction is {mixed}{what}, not a copy: "
                                    + _blends(trace, blends) + ".",
                           _blend_premises(trace, blends) + [cl.Logits(n, 0, tuple(everyone), "zero" if zero
                                                                       else "differ"), cl.Mask(c.mask),
                                                             cl.Setting("similar", c.similar and c.similar.kind)]))
    return out


def _nope(trace: Trace, layer: Layer, copies: list[int]) -> list[Sentence]:
    """With no position encoding: the key after an earlier copy holds the
    query's token only in part (its share of the mean layer 1 wrote there),
    and the induction head's logit for it is s times that share, row by row."""
    n, c = layer.index, trace.construction
    if not copies or c.context != 1 or trace.words is not None:  # (else the logit has more terms than the share)
        return []
    half_tok = subspace(c.horizon, "tok")
    cells = _cells(trace)
    premises: list = [cl.Setting("positions", "none")]

    def row(i: int) -> str:
        keys = np.flatnonzero(cells[i] & layer.mask[i])  # the keys after an earlier copy: the heaviest told
        j = int(keys[np.argmax(layer.weights[i, keys])])
        share = float(trace.layers[-2].output.block(half_tok)[j][trace.vocab.index(trace.tokens[i])])
        premises.extend([cl.Holds(len(trace.layers) - 1, j, half_tok, trace.tokens[i], share),
                         cl.Logit(n, 0, i, j, float(layer.logits[i, j])),
                         cl.Weight(n, 0, i, (j,), float(layer.weights[i, j])), cl.Job(n, i, j, True)])
        return (f"{at(trace, i)} at {at(trace, j)}, share {weight(share)}, logit "
                f"{fmt.number(float(layer.logits[i, j]), fmt.LOGIT_DECIMALS)}, weight {weight(layer.weights[i, j])}")
    listed = series(Lazy(copies, row))
    where = part_name(half(c.horizon))
    return [say("positions", f"With no position encoding, layer 1 writes into each key's {where} {c.part()} the mean of the "
                             "tokens it keeps, so the key after an earlier copy of the query's token holds that token "
                             "with a share of that mean, and the induction head's logit for it is s times the share: "
                             + listed + ".", premises)]


def _discount(trace: Trace, layer: Layer) -> list[Sentence]:
    """With a skip: the keys with no token that far back, which the induction head discounts."""
    c, head = trace.construction, layer.heads[0].head
    o = c.horizon
    keys = tuple(range(1, min(o, trace.n)))
    if c.model is not None or not keys or not any(b.cols == "pos" and b.scale < 0 for b in head.qk):
        return []
    a = layer.logits[:, list(keys)]
    lo, hi = float(a.min()), float(a.max())
    span = (fmt.number(lo, fmt.LOGIT_DECIMALS) if fmt.number(lo, fmt.LOGIT_DECIMALS) ==
            fmt.number(hi, fmt.LOGIT_DECIMALS) else f"{fmt.number(lo, fmt.LOGIT_DECIMALS)} to "
            f"{fmt.number(hi, fmt.LOGIT_DECIMALS)}")
    which = series([f"@{j}" for j in keys])
    return [say("discount", f"{'Key' if len(keys) == 1 else 'Keys'} {which} {'has' if len(keys) == 1 else 'have'} no "
                            f"token {back(o)} {'it' if len(keys) == 1 else 'them'}: layer 1 wrote a blend of the first "
                            f"tokens into {'its' if len(keys) == 1 else 'their'} {half(o)} {c.part()}, so the induction head "
                            f"discounts {'it' if len(keys) == 1 else 'them'} for every query, lest that blend pass for "
                            "a match "
                            f"(logits {span} in {'that column' if len(keys) == 1 else 'those columns'}).",
                [cl.LogitRange(layer.index, 0, keys, lo, hi), cl.Setting("skip", c.skip)])]


def induction(trace: Trace, layer: Layer) -> list[Sentence]:
    """The induction head: each query's case, read off its weights and the prediction."""
    c, n = trace.construction, layer.index
    out = [_position_0(trace, layer)] + _ablated(trace, layer)
    if any(f.ablated for f in trace.layers[:-1]) and c.model is None or layer.ablated:
        return out
    out += _discount(trace, layer)
    w = layer.weights
    firsts, uneven, repeats, copies, blends = [], [], [], [], []
    for i in range(1, trace.n):
        p, kept = trace.predictions[i], _kept(trace, i)
        if p.copy:
            copies.append(i)
        elif p.copyable:
            blends.append(i)
        elif _repeat(trace, i)[0] and trace.tokens[i] not in trace.tokens[:i - c.horizon]:
            repeats.append(i)
        elif _even(w[i], kept):
            firsts.append(i)
        else:
            uneven.append(i)
    if scheme(c).copy_note and c.model is None:
        out += _nope(trace, layer, copies)
    if firsts:
        fresh = c.similar is None and all(trace.tokens[i] not in trace.tokens[:i] for i in firsts)
        over = "the earlier positions" if not layer.mask[0, 0] else "the positions it keeps, itself included"
        lead = ("A first occurrence has nothing to copy" if fresh else
                f"Where no key it keeps comes {after_match(c, cosine=True)}, there is nothing to copy")
        listed = Lazy(firsts, lambda i: f"{at(trace, i)}: {weight(w[i, 0])} × {len(_kept(trace, i))}")
        out.append(say("first-occurrence", f"{lead}, so its attention spreads evenly over {over} (weight × how "
                                           "many): " + series(listed) + ".",
                       _evens(layer, 0, firsts) + [cl.NothingToCopy(i) for i in firsts]
                       + ([cl.FirstOccurrence(i) for i in firsts] + [cl.Setting("similar", None)] if fresh else [])))
    if uneven:
        tops = {i: _top(w[i], _kept(trace, i)) for i in uneven}

        def leans(i: int) -> str:
            keys = tops[i]
            return f"{at(trace, i)} to {series([at(trace, j) for j in keys])} ({weight(w[i, keys[0]])}" \
                + (" each)" if len(keys) > 1 else ")")
        out.append(say("uneven", f"Where no key it keeps comes {after_match(c, cosine=True)}, there is nothing to "
                                 "copy, but the logits differ, so the attention goes to the kept keys with the "
                                 "largest logits: " + series(Lazy(uneven, leans)) + ".",
                       [cl.Top(n, 0, i, tuple(tops[i])) for i in uneven] + [cl.NothingToCopy(i) for i in uneven]
                       + [cl.Logits(n, 0, (i,), "differ") for i in uneven]
                       + [cl.Weight(n, 0, i, (tops[i][0],), float(w[i, tops[i][0]])) for i in uneven]))
    for i in repeats:
        h = c.horizon
        where = "just before it" if h == 1 else f"{h} before it"
        after = "after" if h == 1 else f"{h} after"
        kept = _kept(trace, i)
        premises = [cl.Follows(i, i, i - h, True), cl.Kept(n, i, i, False), cl.NothingToCopy(i)]
        if _even(w[i], kept):
            spread = f"its attention spreads evenly over the past ({weight(w[i, 0])} × {len(kept)})"
            premises += _evens(layer, 0, [i])
        else:
            keys = _top(w[i], kept)
            spread = (f"its attention goes to {series([at(trace, j) for j in keys])} ({weight(w[i, keys[0]])}"
                      + (" each)" if len(keys) > 1 else ")"))
            premises += [cl.Top(n, 0, i, tuple(keys)), cl.Weight(n, 0, i, (keys[0],), float(w[i, keys[0]]))]
        out.append(say("consecutive-repeat",
                       f"{at(trace, i)} repeats the token {where}: the token {after} that earlier "
                       f"{code(trace.tokens[i])} (@{i - h}) is the query itself, which it cannot see, "
                       f"so there is nothing to copy yet and {spread}.", premises))
    if blends:
        cells = _cells(trace) & layer.mask  # the keys each query's head is built for

        def on(i: int) -> float:
            return float((w[i] * cells[i]).sum())

        @functools.cache  # (each row's, made once: for its words and its premises)
        def rest(i: int) -> tuple[str, list]:
            """Where most of the weight went instead, and why: the key off the head's job that holds half or
            more (`x y z x` under the inclusive mask and rope: 0.94 on @0, whose earlier thirds hold its own
            token), or nothing."""
            off = np.flatnonzero(layer.mask[i] & ~cells[i])
            j = int(off[np.argmax(w[i, off])]) if len(off) else -1
            if j < 0 or w[i, j] < 0.5:
                return "", []
            why, premises = _why(trace, i, j)
            return (f", {weight(w[i, j])} on {at(trace, j)}, {why},",
                    [cl.Weight(n, 0, i, (j,), float(w[i, j])), cl.Job(n, i, j, False)] + premises)

        def blend(i: int) -> str:
            p, job = trace.predictions[i], cells[i]
            return (f"{at(trace, i)} puts {weight(on(i))} on "
                    f"{series([at(trace, int(j)) for j in np.flatnonzero(job)])}{rest(i)[0]} and outputs "
                    + fmt.tied(p.output, " or ", code) + f" ({weight(p.score)})")

        def premises(rows) -> list:
            return _blend_premises(trace, rows) + [x for i in rows for x in rest(i)[1]] \
                + [cl.Weight(n, 0, i, tuple(int(j) for j in np.flatnonzero(cells[i])), on(i)) for i in rows] \
                + [cl.Job(n, i, int(j), True) for i in rows for j in np.flatnonzero(cells[i])] \
                + [cl.Predicts(i, trace.predictions[i].output, False, near_tie(trace, i)) for i in rows]
        most = [i for i in blends if on(i) >= 0.5 - 1e-9]  # (a model file's V_2)
        less = [i for i in blends if i not in most]
        if less:
            mixed = "" if any(unmixed(trace.predictions[i]) for i in less) else "a blend, "
            out.append(say("blend", "Where a key it keeps comes " + after_match(c, cosine=True) + " but holds "
                                    f"less than half the weight, the output is {mixed}not a copy: "
                                    + series(Lazy(less, blend)) + ".", premises(less)))
        if most:
            out.append(say("blend", "Where most of the weight is on keys " + after_match(c, cosine=True)
                                    + " but what comes out is not the token they hold, the output is not a copy: "
                                    + series(Lazy(most, blend)) + ".", premises(most)))
    copies_told = Lazy(copies, lambda i: copy_sentence(trace, i))
    differs = "what followed the earlier occurrences" if c.context == 1 and trace.words is None \
        else "what the matched keys hold"
    return out + _copies_then_ties(trace, copies, copies_told, differs) + _against_plain(trace, copies)


def _against_plain(trace: Trace, copies: list[int]) -> list[Sentence]:
    """With a skip: each copy's slot (the position it predicts) against what
    the plain induction head (skip 0) predicts there, from the token just
    before the slot (``Trace.plain``, the same run without the skip)."""
    if trace.plain is None:
        return []
    h = trace.construction.horizon
    slots = [i for i in copies if i + h - 1 < trace.n]

    def against(i: int) -> str:
        k, mine, plain = i + h - 1, trace.predictions[i], trace.plain[i + h - 1]
        said = fmt.tied(plain.candidates, " or ", code) if plain.copy else "no copy"
        same = " too" if plain.copy and set(plain.candidates) == set(mine.candidates) else ""
        return (f"for @{i + h}, the skip head at {at(trace, i)} predicts {fmt.tied(mine.candidates, ' or ', code)}, "
                f"the plain head at {at(trace, k)} {said}{same}")
    if not slots:
        return []
    premises = [cl.Against(i + h - 1, tuple(trace.plain[i + h - 1].candidates)) for i in slots] \
        + [cl.Predicts(i, trace.predictions[i].candidates, True, near_tie(trace, i)) for i in slots]
    return [say("pattern", "Against the plain induction head (no skip), which predicts only the next token, from the "
                           "token just before each slot: " + series(Lazy(slots, against)) + ".", premises)]


def _copies_then_ties(trace: Trace, positions: list[int], copies, differs: str) -> list[Sentence]:
    """The copy sentences (past LISTED, counted), then the tie sentence where there is a tie."""
    if len(copies) > LISTED + 1:  # (one more is told, not counted)
        rest = positions[LISTED:]
        copies = copies[:LISTED] + [say("more", f"… and {len(rest)} more positions copy the same way.",
                                        [cl.Predicts(i, trace.predictions[i].candidates, True, near_tie(trace, i))
                                         for i in rest])]
    else:
        copies = copies[:]
    ties = [p for p in trace.predictions if len(p.candidates) > 1]
    if any(p.score - p.low <= EXACT_TIE for p in ties):
        copies = copies + [say("tie", f"Where {differs} differs and no token wins, the prediction is a tie, and "
                                      "every tied token is listed.", [cl.Tie(True)])]
    if any(p.score - p.low > EXACT_TIE for p in ties):
        copies = copies + [say("tie", f"At T = {fmt.parameter(trace.temperature, fmt.WEIGHT_DECIMALS)}, tokens "
                                      "whose probabilities lie within 0.1% of the top one count as a near-tie, so "
                                      "the prediction lists every such token, not only the copy.",
                               [cl.Tie(False), cl.Temperature(trace.temperature)])]
    return copies


def duplicate(trace: Trace, layer: Layer) -> list[Sentence]:
    """The duplicate-token head (the pointer circuit's layer 1): the queries
    that attend to the earlier copies of their token, the first occurrences
    that spread evenly, and the pointer it writes."""
    n, run = layer.index, layer.heads[0]
    w = run.weights
    out = [_position_0(trace, layer)]
    found, fresh, other = [], [], []
    for i in range(1, trace.n):
        kept = np.flatnonzero(layer.mask[i])
        copies = [int(j) for j in kept if j != i and trace.tokens[j] == trace.tokens[i]]
        (found if copies else fresh if _even(w[i], kept) else other).append(i)
    if found:
        tops = {i: _top(w[i], np.flatnonzero(layer.mask[i])) for i in found}
        earlier = {i: tuple(k for k in range(i) if trace.tokens[k] == trace.tokens[i]) for i in found}
        on_copies = all(tuple(tops[i]) == earlier[i] for i in found)

        def looked(i: int) -> str:
            keys = tops[i]
            return f"{at(trace, i)} to {series([at(trace, j) for j in keys])}" \
                + (f" ({weight(w[i, keys[0]])} each)" if len(keys) > 1 else f" ({weight(w[i, keys[0]])})")
        lead = "A token seen before attends to its earlier copies" if on_copies else \
            "A token seen before attends to the keys it weighs most"
        premises = [cl.Top(n, 0, i, tuple(tops[i])) for i in found] \
            + [cl.Weight(n, 0, i, (j,), float(w[i, j])) for i in found for j in tops[i]] \
            + [cl.Job(n, i, j, True) for i in found for j in tops[i] if on_copies] \
            + ([cl.Occurrences(i, earlier[i]) for i in found] if on_copies else [])
        out.append(say("duplicate" if on_copies else "attends", f"{lead}: " + series(Lazy(found, looked)) + ".",
                       premises))  # (off its copies, a claim of where it looks alone: no job in it)
    if fresh:
        listed = Lazy(fresh, lambda i: f"{at(trace, i)}: {weight(w[i, layer.mask[i]][0])} × {int(layer.mask[i].sum())}")
        out.append(say("duplicate-first", "A first occurrence has no earlier copy, so its attention spreads evenly "
                                          "over the keys it keeps (weight × how many): " + series(listed) + ".",
                       _evens(layer, 0, fresh) + [cl.FirstOccurrence(i) for i in fresh]))
    if other:
        tops = {i: _top(w[i], np.flatnonzero(layer.mask[i])) for i in other}
        out.append(say("duplicate-uneven", "A first occurrence has no earlier copy, but the logits differ, so the attention "
                                 "goes to the kept keys with the largest logits: "
                                 + series(Lazy(other, lambda i: f"{at(trace, i)} to "
                                                              f"{series([at(trace, j) for j in tops[i]])}")) + ".",
                       [cl.Top(n, 0, i, tuple(tops[i])) for i in other] + [cl.FirstOccurrence(i) for i in other]
                       + [cl.Weight(n, 0, i, (tops[i][0],), float(w[i, tops[i][0]])) for i in other]))
    if layer.ablated:
        return out + [say("ablated", "This head is ablated: its output is replaced by zeros, so every pointer stays "
                                     "empty.", [cl.Ablated(n, True), cl.Writes(n, ())])]
    names = _written(layer)
    return out + [say("output", "Its output writes into each token's pointer block (ptr pos) the positions it "
                                "attends to, weighted: where its earlier copy stands, or, at a first occurrence, the "
                                "mean of the positions it keeps.", [cl.Writes(n, names)])]


def unknown(trace: Trace, layer: Layer) -> list[Sentence]:
    """A model file's layer whose heads the file gives no role: where each
    query looks (its heaviest keys, near-ties named) and what it writes,
    with no word on what it is for."""
    n = layer.index
    out = [_position_0(trace, layer)]
    several = len(layer.heads) > 1
    for h, run in enumerate(layer.heads):
        rows = [i for i in range(1, trace.n) if layer.mask[i].any()]
        if not rows:
            continue
        tops = {i: _top(run.weights[i], np.flatnonzero(layer.mask[i])) for i in rows}

        def looked(i: int) -> str:
            keys = tops[i]
            return f"{at(trace, i)} to {series([at(trace, j) for j in keys])} ({weight(run.weights[i, keys[0]])}" \
                + (" each)" if len(keys) > 1 else ")")
        name = f"The {run.head.name}: e" if several else "E"
        out.append(say("attends", f"{name}ach token attends most to: " + series(Lazy(rows, looked)) + ".",
                       [cl.Top(n, h, i, tuple(tops[i])) for i in rows]
                       + [cl.Weight(n, h, i, (tops[i][0],), float(run.weights[i, tops[i][0]])) for i in rows]))
    if layer.ablated and ablated_count((layer,)) == len(layer.heads):
        return out + [say("ablated", "This layer is ablated: its output is replaced by zeros.",
                          [cl.Ablated(n, True), cl.Writes(n, ())])]
    if layer.ablated:  # some of its heads (a file's, of another role than the rest)
        out.append(say("ablated", _some_ablated(layer), [cl.Ablated(n, True)]))
    names = _written(layer)
    return out + [say("output", f"Its output writes into {_blocks(names)}: see {maths(f'Y^({n})')}.", [cl.Writes(n, names)])]


def _some_ablated(layer: Layer) -> str:
    """Some of a layer's heads ablated, not all: which, with no word on what the rest write."""
    names = ablated_heads((layer,))
    return (f"In layer {layer.index}, {names} {'are' if ablated_count((layer,)) > 1 else 'is'} ablated: "
            f"{replaced((layer,))}.")


TELLERS = {"look-back": look_back, "duplicate-token": duplicate, "induction": induction, "unknown": unknown}


def _teller(trace: Trace, layer: Layer) -> str:
    """Who tells a layer: its heads' role; a last layer of several heads (a model file's) is told head by
    head, where each looks and what they write, as a head of unknown role is (the copies are the
    predictions table's)."""
    if layer is trace.layers[-1] and len(layer.heads) > 1:
        return "unknown"
    kinds = {run.head.role.kind for run in layer.heads}
    return kinds.pop() if len(kinds) == 1 else "unknown"  # (a file's layer of heads of several roles: each alone)
"""Who tells a layer, by its heads' role."""


def story(trace: Trace) -> dict[int, list[Sentence]]:
    """The sentences told after each layer, by the teller of its heads' role;
    with INDUCTION_DEMO_VERIFY=1, each checked by verify.py before it is said."""
    told = {layer.index: TELLERS[_teller(trace, layer)](trace, layer) for layer in trace.layers}
    if cl.verifying():  # (the verifier is imported only when the switch is on)
        from . import verify

        verify.check(trace, [s for sentences in told.values() for s in sentences])
    return told
