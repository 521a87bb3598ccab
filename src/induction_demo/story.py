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


from . import text as fmt
from . import mechanism
from .tokens import earlier_occurrences
from .trace import Trace

LISTED = 12  # positions listed by name in one sentence before "and N more"


class Sentence(NamedTuple):
    kind: str  # nothing-before, look-back, output, first-occurrence, copy, split, consecutive-repeat, tie, ablated, blend
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


def _series(items: list[str], rest: str = "") -> str:
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
        looks = [f"{_at(trace, i)} to {_at(trace, int(targets[i]))}" for i in range(1, trace.n)]
        on_previous = [layer.weights[i, i - 1] for i in range(1, trace.n)]
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
    for i in range(1, trace.n):
        token = trace.tokens[i]
        if token not in trace.tokens[:i]:
            firsts.append(f"{_at(trace, i)}: {_w(layer.weights[i, 0])} × {i}")
        elif trace.predictions[i].next is None:
            repeats.append(i)
        else:
            copies.append(_copy(trace, i))
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
    if len(copies) > LISTED:
        copies = copies[:LISTED] + [_say(copies[LISTED].kind,
                                             f"… and {len(copies) - LISTED} more positions copy the same way.")]
    out += copies
    if any(len(p.candidates) > 1 for p in trace.predictions):
        out.append(_say("tie", "Where what followed the earlier occurrences differs and no token wins, the "
                                   "prediction is a tie, and every tied token is listed."))
    return out


def story(trace: Trace) -> dict[int, list[Sentence]]:
    """The sentences told after each layer."""
    return {1: layer1(trace), 2: layer2(trace)}
