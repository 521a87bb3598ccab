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

import numpy as np

from . import text as fmt
from . import mechanism
from .sentences import LISTED, Lazy, Sentence, at, code, say, series, weight
from .readout import TIE_TOLERANCE
from .trace import Layer, Trace
from .weights import half
from .describe import after_match, back, scheme

EVEN = 1e-9  # weights closer than this are equal ("evenly")
TOP = 1e-6  # keys within this of the row's largest weight share the top


def _kept(trace: Trace, i: int) -> np.ndarray:
    return np.flatnonzero(trace.induction.mask[i])


def _even(w: np.ndarray, kept: np.ndarray) -> bool:
    """Every kept key weighs the same."""
    return len(kept) > 0 and float(np.ptp(w[kept])) <= EVEN


def _top(w: np.ndarray) -> list[int]:
    return [int(j) for j in np.flatnonzero(w >= w.max() - TOP)]


def _spread(lo: float, hi: float) -> str:
    return weight(lo) if weight(lo) == weight(hi) else f"{weight(lo)} to {weight(hi)}"


def _position_0(trace: Trace, layer: Layer) -> Sentence:
    """What position 0 does: nothing (strict mask), or attend to itself (inclusive)."""
    first = at(trace, 0)
    looks_back = layer.heads[0].head.looks_back
    if not layer.mask[0, 0]:
        end = " and attends nowhere." if looks_back else ", attends nowhere and predicts nothing."
        return say("nothing-before", f"{first} is at position 0: it has nothing to look back to{end}")
    if looks_back:
        return say("self", f"{first} is at position 0: the inclusive mask keeps only itself, so it attends to itself "
                            f"(weight {weight(layer.heads[0].weights[0, 0])}) and writes its own token and "
                            "position into its " + ", ".join(half(o) for o in trace.construction.offsets)
                            + " half: the lecture's a_00 ≈ 1, where i = j = 0.")
    logit = fmt.number(float(layer.logits[0, 0]), fmt.LOGIT_DECIMALS)
    return say("self", f"{first} keeps only itself under the inclusive mask (a_00 = {logit}: since layer 1 its "
                        f"earlier halves hold its own token), so it attends to itself with weight "
                        f"{weight(layer.weights[0, 0])} and its output is its own token: not a prediction, "
                        "since nothing came before it.")


def _similarity(trace: Trace, a: int, b: int) -> float:
    """cos(x_a, x_b) of the dense token vectors."""
    index = {t: k for k, t in enumerate(trace.vocab)}
    return trace.words.cosine(index[trace.tokens[a]], index[trace.tokens[b]])


def _vectors(trace: Trace) -> list[Sentence]:
    """Where the token vectors come from, and which tokens have a direction of their own."""
    words = trace.words
    kind = words.similarity.kind
    if kind == "subword":
        lead = ("Each token is the normalised bag of its character trigrams (case folded, with < and > at its "
                f"ends; m = {len(words.features)}), so tokens that share trigrams are similar.")
    elif kind == "case":
        lead = f"Each token is its case-folded form (m = {len(words.features)}): only case differences are similar."
    else:
        lead = (f"Each token is its vector from {words.similarity.source} (dimension {words.similarity.dimension}), "
                "scaled to length 1.")
    out = [say("vectors", lead)]
    if words.own:
        own = series([code(t) for t in words.own])
        out.append(say("own", f"{own} {'is' if len(words.own) == 1 else 'are'} not in "
                               f"{words.similarity.source}: each gets a direction of its own, orthogonal to every "
                               "other token, so it is similar only to itself."))
    return out


def _spreads(trace: Trace, run) -> bool:
    """The head spreads evenly over the keys each query keeps, some query keeping more than one."""
    rows = [i for i in range(trace.n) if len(_kept(trace, i))]
    return any(len(_kept(trace, i)) > 1 for i in rows) and all(_even(run.weights[i], _kept(trace, i)) for i in rows)


def look_back(trace: Trace, layer: Layer) -> list[Sentence]:
    """Each layer-1 head: where it looks (read off its weights), what leaks,
    which queries have no key at its offset, and what it writes."""
    c = trace.construction
    several = len(layer.heads) > 1
    out = (_vectors(trace) if trace.words is not None else []) + [_position_0(trace, layer)]
    for run in layer.heads:
        o, w = run.head.offset, run.weights
        name = f"The {run.head.name}: " if several else ""
        reach = [i for i in range(o, trace.n) if len(_kept(trace, i))]
        if reach and _spreads(trace, run):
            even = Lazy(reach, lambda i: f"{at(trace, i)}: {weight(w[i, i - o])} × {len(_kept(trace, i))}")
            ties = all(np.ptp(run.logits[i][_kept(trace, i)]) == 0 for i in reach)
            zero = "every logit is 0" if not run.logits[layer.mask].any() else "every logit ties" if ties \
                else "the logits are too close to tell apart"
            out.append(say("look-back", f"{name or 'Layer 1: '}with {scheme(c).words.split(' (')[0]} {zero}, so "
                                         "each token spreads evenly over the keys it keeps (weight × how many) and "
                                         f"writes their mean into its {half(o) if o > 1 else 'previous'} half: "
                                         + series(even) + "."))
        elif reach:
            targets = w.argmax(axis=1)
            looks = Lazy(reach, lambda i: f"{at(trace, i)} to {at(trace, int(targets[i]))}")
            on = run.on_offset()
            where = " on the previous position" if o == 1 else ""
            subject = "every other token" if o == 1 and not layer.mask[0, 0] else f"every token from @{o} on"
            if all(targets[i] == i - o for i in reach):
                lead = f"{subject} looks back to the position {back(o)} it"
            else:
                lead = f"{subject} looks back to the key it weighs most"
            out.append(say("look-back", f"{name}{lead[0].upper() if not name else lead[0]}{lead[1:]} (weight "
                                         f"{_spread(min(on), max(on))}{where}): " + series(looks) + "."))
            off = w * layer.mask
            off[np.arange(o, trace.n), np.arange(trace.n - o)] = 0.0
            if scheme(c).leak and off[o:].max() > 0.0005:
                i, j = np.unravel_index(int(off.argmax()), off.shape)
                out.append(say("leak", f"{name or 'Layer 1: '}the rest leaks to the positions just before, "
                                        f"because {scheme(c).leak}: at most {weight(off[i, j])}, from {at(trace, int(i))} to "
                                        f"{at(trace, int(j))}."))
        short = [i for i in range(min(o, trace.n)) if len(_kept(trace, i)) and o > 1]
        if short:
            out.append(say("too-early", f"{name or 'Layer 1: '}" + series([at(trace, i) for i in short])
                            + f" {'has' if len(short) == 1 else 'have'} no token {back(o)} "
                            f"{'it' if len(short) == 1 else 'them'}: every logit ties, so the head spreads "
                            f"evenly over the keys kept and its {half(o)} half holds their mean."))
    if layer.ablated:
        what = "the previous half of every representation" if not several else "every earlier half"
        out.append(say("ablated", f"{'This head' if not several else 'Layer 1'} is ablated: its output is replaced "
                                   f"by zeros, so {what} stays empty."))
        return out
    if c.model is not None:  # a file's V_1: where its write lands, read off the output
        return out + [_file_write(layer)]
    what = scheme(c).written
    written = []
    for run in layer.heads:
        o = run.head.offset
        if _spreads(trace, run):
            written.append(f"the mean of the tokens before it into its {'previous' if o == 1 else half(o)} half")
        elif o == 1:
            written.append(f"each token's previous {what} into the previous half of its representation")
        else:
            written.append(f"the {what} {back(o)} it into its {half(o)} half")
    lead = "Its output writes " if written[0].startswith("each") else "Its output writes, for each token, "
    out.append(say("output", lead + series(written) + "."))
    return out


def _file_write(layer: Layer) -> Sentence:
    """Which subspaces a model file's layer writes into (any nonzero entry of its heads' writes)."""
    names = [name for name in layer.output.basis.names if any(r.output.nonzero(name) for r in layer.heads)]
    lecture = " (the previous half, where the lecture's layer 1 writes)" if names == ["prev tok", "prev pos"] else ""
    where = "nothing" if not names else "the " + series(names) + (" blocks" if len(names) > 1 else " block")
    return say("output", f"Its output writes into {where}{lecture}: see Y^({layer.index}).")


def _predicts(p) -> str:
    """What a copy predicts, and how far ahead."""
    told = fmt.tied(p.candidates, " or ", code) + (" (a tie)" if len(p.candidates) > 1 else "")
    return told if p.horizon == 1 else f"{told}, {p.horizon} ahead (for @{p.position + p.horizon})"


def _why(trace: Trace, i: int, j: int) -> str:
    """Why query i's induction head weighs key j: what the key's earlier halves hold."""
    c = trace.construction
    if j == i:
        return "the query itself, which the inclusive mask keeps"
    source = j - c.horizon
    if source < 0:
        return "whose earlier halves hold its own token (position 0 attended to itself under the inclusive mask)"
    if c.context == 1:
        where = "which followed" if c.horizon == 1 else f"{c.horizon} after"
        if trace.words is not None and trace.tokens[source] != trace.tokens[i]:
            return (f"{where} {code(trace.tokens[source])} (@{source}), similar to {code(trace.tokens[i])} "
                    f"(similarity {weight(_similarity(trace, i, source))})")
        if trace.tokens[source] != trace.tokens[i]:
            return f"{where} {code(trace.tokens[source])} (@{source}), not the query's token"
        return f"{where} the earlier {code(trace.tokens[i])} (@{source})"
    matched = sum(source - m >= 0 and trace.tokens[source - m] == trace.tokens[i - m] for m in range(c.context))
    ending = "just before it" if c.horizon == 1 else f"ending {c.horizon} before it"
    return (f"whose tokens {ending}, {_context(trace, source, c.context)}, match {matched} of the query's last "
            f"{c.context}, {_context(trace, i, c.context)}")


def _context(trace: Trace, start: int, k: int) -> str:
    """The tokens at start - k + 1 .. start that exist, in order, as code."""
    return " ".join(code(trace.tokens[p]) for p in range(start - k + 1, start + 1) if p >= 0)


def _repeat(trace: Trace, i: int) -> str:
    """Where the query's token stood ``horizon`` before it: the key after that is the query, which it cannot see."""
    h = trace.construction.horizon
    if i >= h and trace.tokens[i - h] == trace.tokens[i] and not trace.induction.mask[i, i]:
        where = "just before it" if h == 1 else f"{h} before it"
        return f"; its occurrence {where} (@{i - h}) is followed by the query itself, which it cannot see"
    return ""


def copy_sentence(trace: Trace, i: int) -> Sentence:
    """A copy: the keys holding the row's largest weight, why each, and the
    prediction (kind "copy", or "split" when the weight is shared): the
    story's sentence, and the quiz's answer."""
    w, p = trace.induction.weights[i], trace.predictions[i]
    keys = _top(w)
    if len(keys) == 1:
        j = keys[0]
        return say("copy", f"{at(trace, i)} attends to {at(trace, j)} (weight {weight(w[j])}), {_why(trace, i, j)}"
                            f"{_repeat(trace, i)}, so it predicts {_predicts(p)}.")
    sources = [j - trace.construction.horizon for j in keys]
    plain = trace.construction.context == 1 and all(
        s >= 0 and j != i and trace.tokens[s] == trace.tokens[i] for j, s in zip(keys, sources))
    weights = sorted({weight(w[k]) for k in keys})
    share = f"{weights[0]} each" if len(weights) == 1 else "weights " + ", ".join(weights)
    if plain:  # every key follows an earlier copy of the query's token: say how often it was seen
        seen = sum(t == trace.tokens[i] for t in trace.tokens[:i])
        where = "which followed" if trace.construction.horizon == 1 else f"{trace.construction.horizon} after"
        return say("split", f"{at(trace, i)} has been seen {seen} times before, so it splits its attention "
                             f"between {series([at(trace, k) for k in keys])} ({share}), {where} its earlier "
                             f"occurrences at {series([f'@{s}' for s in sources])}{_repeat(trace, i)}, so it "
                             f"predicts {_predicts(p)}.")
    return say("split", f"{at(trace, i)} splits its attention between {series([at(trace, j) for j in keys])} "
                         f"({share}): " + "; ".join(f"@{j}, {_why(trace, i, j)}" for j in keys)
                         + f"; so it predicts {_predicts(p)}.")


def _blends(trace: Trace) -> str:
    """Each blend an ablated previous-token head leaves where there was something to copy, with its share."""
    return series([f"{at(trace, p.position)} gets " + fmt.tied(p.output, " or ", code)
                    + f" ({weight(p.score)}" + ("" if len(p.output) == 1 else " each, a tie" if weight(p.score) == weight(p.low)
                                            else f" to {weight(p.low)}, a tie") + ")"
                    for p in trace.predictions if p.output and not p.copy and p.copyable])


def induction(trace: Trace, layer: Layer) -> list[Sentence]:
    """The induction head: each query's case, read off its weights and the prediction."""
    first, c = trace.look_back, trace.construction
    out = [_position_0(trace, layer)]
    file = c.model is not None  # a model file's heads: only what the run shows, position by position
    if first.ablated and file:
        out.append(say("ablated", "Layer 1 is ablated: its output is replaced by zeros, so "
                                   + ("Y^(1) = Y^(0) and every key's previous half is empty." if first.residual
                                      else "Y^(1) is all zero.")))
    elif first.ablated:
        zero = not layer.logits[layer.mask].any()  # read off: no earlier half holds anything to match
        out.append(say("ablated", "The previous-token head is ablated, so no key carries a previous token: "
                                   + ("every logit is 0, each query spreads its attention evenly over the past, "
                                      "and the induction head" if zero else "the induction head")
                                   + " has nothing to match; what it outputs is a blend of "
                                   + ("all " if zero else "") + "earlier tokens, not a copy."))
    if layer.ablated:
        out.append(say("ablated", "This head is ablated: its output is replaced by zeros, so nothing is "
                                   "copied and no position predicts anything."))
    if first.ablated and not layer.ablated and not file:
        if any(p.copyable and p.output and not p.copy for p in trace.predictions):
            out.append(say("blend", "So what looks like a prediction is a blend, the most frequent earlier "
                                     "token with its share of Y^(2), not a copy: " + _blends(trace) + "."))
    if first.ablated and not file or layer.ablated:
        return out
    note = scheme(c).copy_note
    if note:
        out.append(say("positions", note))
    w = layer.weights
    firsts, uneven, repeats, copies, blends = [], [], [], [], []
    for i in range(1, trace.n):
        p, kept = trace.predictions[i], _kept(trace, i)
        if p.copy:
            copies.append(i)
        elif p.copyable:
            blends.append(i)
        elif _repeat(trace, i) and trace.tokens[i] not in trace.tokens[:i - c.horizon]:
            repeats.append(i)
        elif _even(w[i], kept):
            firsts.append(i)
        else:
            uneven.append(i)
    if firsts:
        fresh = all(trace.tokens[i] not in trace.tokens[:i] for i in firsts)
        over = "the earlier positions" if not layer.mask[0, 0] else "the positions it keeps, itself included"
        lead = ("A first occurrence has nothing to copy" if fresh else
                f"Where no key it keeps comes {after_match(c, cosine=True)}, there is nothing to copy")
        listed = Lazy(firsts, lambda i: f"{at(trace, i)}: {weight(w[i, 0])} × {len(_kept(trace, i))}")
        out.append(say("first-occurrence", f"{lead}, so its attention spreads evenly over {over} (weight × how "
                                            "many): " + series(listed) + "."))
    if uneven:
        def leans(i: int) -> str:
            keys = _top(w[i])
            return f"{at(trace, i)} to {series([at(trace, j) for j in keys])} ({weight(w[i, keys[0]])}" \
                + (" each)" if len(keys) > 1 else ")")
        out.append(say("uneven", f"Where no key it keeps comes {after_match(c, cosine=True)}, there is nothing to "
                                  "copy, but the logits differ, so the attention goes to the kept keys with the "
                                  "largest logit: " + series(Lazy(uneven, leans)) + "."))
    for i in repeats:
        h = c.horizon
        where = "just before it" if h == 1 else f"{h} before it"
        after = "after" if h == 1 else f"{h} after"
        spread = (f"its attention spreads evenly over the past ({weight(w[i, 0])} × {len(_kept(trace, i))})"
                  if _even(w[i], _kept(trace, i)) else
                  f"its attention goes to {series([at(trace, j) for j in _top(w[i])])} ({weight(w[i].max())}"
                  + (" each)" if len(_top(w[i])) > 1 else ")"))
        out.append(say("consecutive-repeat",
                        f"{at(trace, i)} repeats the token {where}: the token {after} that earlier "
                        f"{code(trace.tokens[i])} (@{i - h}) is the query itself, which it cannot see, "
                        f"so there is nothing to copy yet and {spread}."))
    if blends:
        cells = mechanism.cells(trace, layer) & layer.mask  # the keys each query's head is built for, once

        def blend(i: int) -> str:
            p, job = trace.predictions[i], cells[i]
            return (f"{at(trace, i)} puts {weight(float((w[i] * job).sum()))} on "
                    f"{series([at(trace, int(j)) for j in np.flatnonzero(job)])} and outputs "
                    + fmt.tied(p.output, " or ", code) + f" ({weight(p.score)})")
        most = [i for i in blends if float((w[i] * cells[i]).sum()) >= 0.5 - 1e-9]  # (a model file's V_2)
        less = [i for i in blends if i not in most]
        if less:
            out.append(say("blend", "Where a key it keeps comes " + after_match(c, cosine=True) + " but holds "
                                     "less than half the weight, the output is a blend, not a copy: "
                                     + series(Lazy(less, blend)) + "."))
        if most:
            out.append(say("blend", "Where most of the weight is on keys " + after_match(c, cosine=True)
                                     + " but what comes out is not the token they hold, the output is not a copy: "
                                     + series(Lazy(most, blend)) + "."))
    copies_told = Lazy(copies, lambda i: copy_sentence(trace, i))
    differs = "what followed the earlier occurrences" if c.context == 1 and trace.words is None \
        else "what the matched keys hold"
    return out + _copies_then_ties(trace, copies_told, differs) + _against_plain(trace, copies)


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
    return [say("pattern", "Against the plain induction head (no skip), which predicts only the next token, from the "
                            "token just before each slot: " + series(Lazy(slots, against)) + ".")]


def _copies_then_ties(trace: Trace, copies, differs: str) -> list[Sentence]:
    """The copy sentences (past LISTED, counted), then the tie sentence where there is a tie."""
    if len(copies) > LISTED + 1:  # (one more is told, not counted)
        copies = copies[:LISTED] + [say(copies[LISTED].kind,
                                         f"… and {len(copies) - LISTED} more positions copy the same way.")]
    else:
        copies = copies[:]
    ties = [p for p in trace.predictions if len(p.candidates) > 1]
    if any(p.score - p.low <= TIE_TOLERANCE for p in ties):
        copies = copies + [say("tie", f"Where {differs} differs and no token wins, the prediction is a tie, and "
                                       "every tied token is listed.")]
    if any(p.score - p.low > TIE_TOLERANCE for p in ties):
        copies = copies + [say("tie", f"At T = {fmt.parameter(trace.temperature, fmt.WEIGHT_DECIMALS)}, tokens "
                                       "of different scores come out equally probable, so the prediction is a tie "
                                       "of every such token, not only the copy.")]
    return copies


TELLERS = {"look-back": look_back, "induction": induction}
"""Who tells a layer, by its heads' role."""


def story(trace: Trace) -> dict[int, list[Sentence]]:
    """The sentences told after each layer, by the teller of its heads' role."""
    return {layer.index: TELLERS[layer.heads[0].head.role.kind](trace, layer) for layer in trace.layers}
