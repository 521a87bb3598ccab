"""What happened, in words, read off a Trace.

Every sentence is derived from this run: which key each query attended to and
with what weight, which earlier occurrence a copy came from, what it
predicts. Special cases are named only where they occur: position 0 (nothing
to look back to), a first occurrence (nothing to copy: attention spreads
evenly), a token seen several times (attention splits), a consecutive repeat
(the token after the earlier occurrence is the query itself), a tie, and an
ablated head. Long inputs list the first few positions of a kind, then count
the rest.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import text as fmt
from . import mechanism
from .tokens import earlier_occurrences
from .trace import Trace
from .weights import LECTURE, half
from .describe import after_match, back

LISTED = 12  # positions listed by name in one sentence before "and N more"


class Sentence(NamedTuple):
    kind: str  # nothing-before, look-back, output, first-occurrence, copy, split, consecutive-repeat, tie, ablated,
    #            blend; for a variant also self, too-early, vectors, own, leak, positions
    text: str  # plain: each token in backticks
    parts: tuple = ()  # the same, as text and text.Token parts, for each format's code style


OPEN, CLOSE = "\x00", "\x01"  # around a token while a sentence is built: text.token never yields them


def _code(token: str) -> str:
    return f"{OPEN}{fmt.token(token)}{CLOSE}"


def _say(kind: str, marked: str) -> Sentence:
    """A sentence from text with its tokens marked by ``_code``."""
    pieces = marked.split(OPEN)
    parts: list = [pieces[0]] if pieces[0] else []
    for piece in pieces[1:]:
        token, _, rest = piece.partition(CLOSE)
        parts += [fmt.Token(token)] + ([rest] if rest else [])
    return Sentence(kind, marked.replace(OPEN, "`").replace(CLOSE, "`"), tuple(parts))


def _at(trace: Trace, i: int) -> str:
    return f"{_code(trace.tokens[i])} (@{i})"


def _w(x: float) -> str:
    return fmt.number(x, fmt.WEIGHT_DECIMALS)


class Lazy:
    """A list of ``count`` items made only when read (``item(k)``): a long
    input's sentences name the first LISTED and count the rest, so the rest
    are never written."""

    def __init__(self, indices, item):
        self.indices, self.item = list(indices), item

    def __len__(self) -> int:
        return len(self.indices)

    def __bool__(self) -> bool:
        return bool(self.indices)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self.item(i) for i in self.indices[k]]
        return self.item(self.indices[k])


def _series(items, rest: str = "") -> str:
    """"a", "a and b", "a, b and c"; past LISTED items, "and N more"."""
    if len(items) > LISTED:
        return ", ".join(items[:LISTED]) + f" and {len(items) - LISTED} more{rest}"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def layer1(trace: Trace) -> list[Sentence]:
    layer = trace.layers[0]
    out = [_say("nothing-before", f"{_at(trace, 0)} is at position 0: it has nothing to look back to "
                                      "and attends nowhere.")]
    if trace.n > 1:
        targets = layer.weights.argmax(axis=1)
        looks = Lazy(range(1, trace.n), lambda i: f"{_at(trace, i)} to {_at(trace, int(targets[i]))}")
        on_previous = layer.only.on_offset()
        all_previous = all(targets[i] == i - 1 for i in range(1, trace.n))
        lo, hi = min(on_previous), max(on_previous)
        spread = _w(lo) if _w(lo) == _w(hi) else f"{_w(lo)} to {_w(hi)}"
        lead = "Every other token looks back to the position just before it" if all_previous \
            else "Each other token looks back to the key it weighs most"
        out.append(_say("look-back", f"{lead} (weight {spread} on the previous position): "
                            + _series(looks) + "."))
    if layer.ablated:
        out.append(_say("ablated", "This head is ablated: its output is replaced by zeros, so the previous "
                                       "half of every representation stays empty."))
    else:
        out.append(_say("output", "Its output writes each token's previous token and position into the "
                                      "previous half of its representation."))
    return out


def _copy(trace: Trace, i: int) -> Sentence:
    w = trace.layers[1].weights[i]
    earlier = earlier_occurrences(trace.tokens, i)
    keys = [k + 1 for k in earlier]
    p = trace.predictions[i]
    predicts = " or ".join(_code(c) for c in p.candidates) + (" (a tie)" if len(p.candidates) > 1 else "")
    repeat = ""
    if i > 0 and trace.tokens[i - 1] == trace.tokens[i]:
        repeat = (f"; its occurrence just before it (@{i - 1}) is followed by the query itself, "
                  "which it cannot see")
    if len(keys) == 1:
        return _say("copy", f"{_at(trace, i)} attends to {_at(trace, keys[0])} (weight {_w(w[keys[0]])}), "
                                f"which followed the earlier {_code(trace.tokens[i])} (@{earlier[0]}){repeat}, "
                                f"so it predicts {predicts}.")
    weights = sorted({_w(w[k]) for k in keys})
    share = f"{weights[0]} each" if len(weights) == 1 else "weights " + ", ".join(weights)
    return _say("split", f"{_at(trace, i)} has been seen {len(earlier)} times before, so it splits its "
                             f"attention between {_series([_at(trace, k) for k in keys])} ({share}), which "
                             f"followed its earlier occurrences at "
                             f"{_series([f'@{k}' for k in earlier])}{repeat}, so it predicts {predicts}.")


def layer2(trace: Trace) -> list[Sentence]:
    layer, first = trace.layers[1], trace.layers[0]
    out = [_say("nothing-before", f"{_at(trace, 0)} is at position 0: it has nothing to look back to, "
                                      "attends nowhere and predicts nothing.")]
    if first.ablated:
        out.append(_say("ablated", "The previous-token head is ablated, so no key carries a previous token: "
                                       "every logit is 0, each query spreads its attention evenly over the past, "
                                       "and the induction head has nothing to match; what it outputs is a blend "
                                       "of all earlier tokens, not a copy."))
    if layer.ablated:
        out.append(_say("ablated", "This head is ablated: its output is replaced by zeros, so nothing is "
                                       "copied and no position predicts anything."))
    if first.ablated and not layer.ablated:
        copied = mechanism.copies(trace)
        blends = [f"{_at(trace, p.position)} gets " + " or ".join(_code(c) for c in p.candidates)
                  + f" ({_w(trace.scores[p.position, trace.vocab.index(p.next)])}"
                  + (" each, a tie)" if len(p.candidates) > 1 else ")")
                  for p in trace.predictions if p.next is not None and not copied[p.position]]
        if blends:
            out.append(_say("blend", "So what looks like a prediction is a blend, the most frequent earlier "
                                         "token with its share of Y^(2), not a copy: " + _series(blends) + "."))
    if first.ablated or layer.ablated:
        return out
    firsts, repeats, copies = [], [], []
    seen = {trace.tokens[0]}
    for i in range(1, trace.n):
        token = trace.tokens[i]
        if token not in seen:
            firsts.append(i)
            seen.add(token)
        elif trace.predictions[i].next is None:
            repeats.append(i)
        else:
            copies.append(i)
    firsts = Lazy(firsts, lambda i: f"{_at(trace, i)}: {_w(layer.weights[i, 0])} × {i}")
    copies = Lazy(copies, lambda i: _copy(trace, i))
    if firsts:
        out.append(_say("first-occurrence", "A first occurrence has nothing to copy, so its attention spreads "
                                                "evenly over the earlier positions (weight × how many): "
                                                + _series(firsts) + "."))
    for i in repeats:
        out.append(_say("consecutive-repeat",
                            f"{_at(trace, i)} repeats the token just before it: the token after that earlier "
                            f"{_code(trace.tokens[i])} (@{i - 1}) is the query itself, which it cannot see, "
                            "so there is nothing to copy yet and its attention spreads evenly over the past "
                            f"({_w(layer.weights[i, 0])} × {i})."))
    return out + _copies_then_ties(trace, copies, "what followed the earlier occurrences")


def _copies_then_ties(trace: Trace, copies, differs: str) -> list[Sentence]:
    """The copy sentences (past LISTED, counted), then the tie sentence where there is a tie."""
    if len(copies) > LISTED:
        copies = copies[:LISTED] + [_say(copies[LISTED].kind,
                                         f"… and {len(copies) - LISTED} more positions copy the same way.")]
    else:
        copies = copies[:]
    if any(len(p.candidates) > 1 for p in trace.predictions):
        copies = copies + [_say("tie", f"Where {differs} differs and no token wins, the prediction is a tie, and "
                                       "every tied token is listed.")]
    return copies


# --- a variant of the lecture's model: --mask inclusive, --context k, --skip n ---

def _kept(trace: Trace, i: int) -> int:
    return int(trace.layers[0].mask[i].sum())


def _position_0(trace: Trace, layer: int) -> Sentence:
    """What position 0 does: nothing (strict), or attend to itself (inclusive)."""
    at = _at(trace, 0)
    if trace.construction.mask == "strict":
        end = " and attends nowhere." if layer == 1 else ", attends nowhere and predicts nothing."
        return _say("nothing-before", f"{at} is at position 0: it has nothing to look back to{end}")
    if layer == 1:
        return _say("self", f"{at} is at position 0: the inclusive mask keeps only itself, so it attends to itself "
                            "(weight 1.00) and writes its own token and position into its "
                            + ", ".join(f"{half(o)}" for o in trace.construction.offsets)
                            + " half: the lecture's a_00 ≈ 1, where i = j = 0.")
    logit = fmt.number(float(trace.layers[1].logits[0, 0]), fmt.LOGIT_DECIMALS)
    return _say("self", f"{at} keeps only itself under the inclusive mask (a_00 = {logit}: since layer 1 its "
                        "earlier halves hold its own token), so it attends to itself with weight 1.00 and its "
                        "output is its own token: not a prediction, since nothing came before it.")


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
    out = [_say("vectors", lead)]
    if words.own:
        own = _series([_code(t) for t in words.own])
        out.append(_say("own", f"{own} {'is' if len(words.own) == 1 else 'are'} not in "
                               f"{words.similarity.source}: each gets a direction of its own, orthogonal to every "
                               "other token, so it is similar only to itself."))
    return out


def _variant_layer1(trace: Trace) -> list[Sentence]:
    layer, c = trace.layers[0], trace.construction
    out = (_vectors(trace) if trace.words is not None else []) + [_position_0(trace, 1)]
    for run in layer.heads:
        o = run.head.offset
        w = run.weights
        name = f"The {run.head.name}" if len(layer.heads) > 1 else "Layer 1"
        reach = [i for i in range(trace.n) if i >= o]
        if reach and c.positions == "none":
            even = Lazy(reach, lambda i: f"{_at(trace, i)}: {_w(w[i, 0])} × {_kept(trace, i)}")
            out.append(_say("look-back", f"{name}: with no position encoding every logit is 0, so each token spreads "
                                         "evenly over the keys it keeps (weight × how many) and writes their mean "
                                         "into its previous half: " + _series(even) + "."))
        elif reach:
            targets = w.argmax(axis=1)
            looks = Lazy(reach, lambda i: f"{_at(trace, i)} to {_at(trace, int(targets[i]))}")
            on = run.on_offset()
            lo, hi = min(on), max(on)
            spread = _w(lo) if _w(lo) == _w(hi) else f"{_w(lo)} to {_w(hi)}"
            out.append(_say("look-back", f"{name}: every token from @{o} on looks back to the position "
                                         f"{back(o)} it (weight {spread}): " + _series(looks) + "."))
            off = w * layer.mask
            off[np.arange(o, trace.n), np.arange(trace.n - o)] = 0.0
            if c.positions in ("sinusoidal", "rope") and off[o:].max() > 0.0005:
                i, j = np.unravel_index(int(off.argmax()), off.shape)
                out.append(_say("leak", f"{name}: the rest leaks to the positions just before, because their codes "
                                        f"are close to the previous one's: at most {_w(off[i, j])}, from "
                                        f"{_at(trace, int(i))} to {_at(trace, int(j))}."))
        short = [i for i in range(1 if c.mask == "strict" else 0, min(o, trace.n)) if _kept(trace, i) and o > 1]
        if short:
            out.append(_say("too-early", f"{name}: " + _series([_at(trace, i) for i in short])
                            + f" {'has' if len(short) == 1 else 'have'} no token {back(o)} "
                            f"{'it' if len(short) == 1 else 'them'}: every logit ties, so the head spreads "
                            f"evenly over the keys kept and its {half(o)} half holds their mean."))
    if layer.ablated:
        out.append(_say("ablated", "Layer 1 is ablated: its output is replaced by zeros, so every earlier half "
                                   "stays empty."))
    else:
        what = {"one-hot": "token and position", "sinusoidal": "token and position code"}.get(c.positions, "token")
        if c.positions == "none":
            halves = "the mean of the tokens before it into its previous half"
        else:
            halves = _series([f"the {what} {back(o)} it into its {half(o)} half" for o in c.offsets])
        out.append(_say("output", f"Its output writes, for each token, {halves}."))
    return out


def _context(trace: Trace, start: int, k: int) -> str:
    """The tokens at start - k + 1 .. start that exist, in order, as code."""
    return " ".join(_code(trace.tokens[p]) for p in range(start - k + 1, start + 1) if p >= 0)


def _variant_copy(trace: Trace, i: int) -> Sentence:
    c, w = trace.construction, trace.layers[1].weights[i]
    p = trace.predictions[i]
    predicts = " or ".join(_code(t) for t in p.candidates) + (" (a tie)" if len(p.candidates) > 1 else "")
    keys = [int(j) for j in np.flatnonzero(w >= w.max() - 1e-6)]
    def why(j: int) -> str:
        if j == i:
            return "the query itself, which the inclusive mask keeps"
        source = j - 1 - c.skip
        if c.context == 1:
            where = "which followed" if c.skip == 0 else f"{c.skip + 1} after"
            if trace.words is not None and trace.tokens[source] != trace.tokens[i]:
                return (f"{where} {_code(trace.tokens[source])} (@{source}), similar to {_code(trace.tokens[i])} "
                        f"(similarity {_w(_similarity(trace, i, source))})")
            return f"{where} the earlier {_code(trace.tokens[i])} (@{source})"
        matched = sum(source - m >= 0 and trace.tokens[source - m] == trace.tokens[i - m] for m in range(c.context))
        ending = "just before it" if c.skip == 0 else f"ending {c.skip + 1} before it"
        return (f"whose tokens {ending}, {_context(trace, source, c.context)}, match {matched} of the query's last "
                f"{c.context}, {_context(trace, i, c.context)}")
    if len(keys) == 1:
        j = keys[0]
        return _say("copy", f"{_at(trace, i)} attends to {_at(trace, j)} (weight {_w(w[j])}), {why(j)}, "
                            f"so it predicts {predicts}.")
    return _say("split", f"{_at(trace, i)} splits its attention between {_series([_at(trace, j) for j in keys])} "
                         f"({_w(w[keys[0]])} each): " + "; ".join(f"@{j}, {why(j)}" for j in keys)
                         + f"; so it predicts {predicts}.")


def _variant_layer2(trace: Trace) -> list[Sentence]:
    layer, first = trace.layers[1], trace.layers[0]
    out = [_position_0(trace, 2)]
    if first.ablated or layer.ablated:
        return out + [s for s in layer2(trace) if s.kind in ("ablated", "blend")]
    nothing, copies = [], []
    if trace.construction.positions == "none":
        out.append(_say("positions", "With no position encoding, each key's previous half holds the mean of the "
                                     "tokens before it: the key right after an earlier copy of the query's token, at "
                                     "k + 1, holds it with share 1/(k + 1), more than any later key does, so the "
                                     "induction head still leans towards it, by a logit of s/(k + 1) rather than s: "
                                     "the copy half-survives."))
    for i in range(1, trace.n):
        (copies if trace.predictions[i].next is not None else nothing).append(i)

    def spread(i: int) -> str:
        w = layer.weights[i]
        return f"{_at(trace, i)}: {_w(w.max())} × {int((w >= w.max() - 1e-9).sum())}"
    nothing, copies = Lazy(nothing, spread), Lazy(copies, lambda i: _variant_copy(trace, i))
    if nothing:
        out.append(_say("first-occurrence", f"Where no key it keeps comes {after_match(trace.construction, cosine=True)}, there is "
                                            "nothing to copy, and the attention spreads evenly over the kept keys "
                                            "with the largest logit (weight × how many): " + _series(nothing) + "."))
    return out + _copies_then_ties(trace, copies, "what the matched keys hold")


def story(trace: Trace) -> dict[int, list[Sentence]]:
    """The sentences told after each layer."""
    if trace.construction == LECTURE:
        return {1: layer1(trace), 2: layer2(trace)}
    return {1: _variant_layer1(trace), 2: _variant_layer2(trace)}
