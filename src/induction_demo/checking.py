"""``check FILE``: does a student's model do the lecture's job?

The file holds the model file's keys (modelfile.py): ``A1``, ``V1``, ``A2``,
``V2`` (d x d over [tok | pos | prev tok | prev pos]), ``vocab`` and
``n_positions`` (``mask`` optional, strict by default), as an ``.npz`` or as
JSON with the arrays as nested lists. The model runs, in plain numpy, on the
lecture's string (when its vocabulary allows) and on seeded random strings
over its vocabulary, and each run is held against the hand-built
construction (``model.run``) on the same string:

- layer 1: every query from @1 on attends to the position just before it;
- layer 2: every query the lecture's model copies for attends to the keys
  its induction head attends to (the token after an earlier copy);
- the prediction: at those queries, every token the model outputs (its
  most probable ones, a near-tie included) is one the lecture's model predicts.

A row "attends to" keys when at least ``TOLERANCE`` of its weight is on them.
"""
from __future__ import annotations

import random
from typing import NamedTuple

import numpy as np

from . import mechanism
from . import text as fmt
from .modelfile import Model

TOLERANCE = 0.5  # "attends to": at least half of the row's weight on the keys named
STRINGS = 200  # random strings a check runs, beside the lecture's
LONGEST = 24  # tokens in a random string at most (and at most n_positions)
LECTURE = ("!", "a", "b", "a", "c", "b")
PROPERTIES = ("layer 1: the previous token", "layer 2: the token after an earlier copy", "the prediction")


class Finding(NamedTuple):
    kind: int  # index into PROPERTIES
    tokens: tuple[str, ...]
    text: str
    premises: tuple = ()  # what the text says of the file's run (claims.py), verifiable on model.run's trace

    @property
    def claim(self):
        """The finding as a sentence with its premises, for verify.py (run on the file's own trace)."""
        from .sentences import say

        return say("check-prediction" if self.kind == 2 else "check-layer", self.text, self.premises)


def forward(model: Model, tokens: tuple[str, ...]):
    """Layer 1's and layer 2's weights and each position's token scores: the
    lecture's dense equations over the file's arrays, with model.py's mask and softmax."""
    from .model import causal_mask, masked_softmax

    v, n = len(model.vocab), len(tokens)
    y = np.zeros((n, model.a1.shape[0]))
    y[np.arange(n), [model.vocab.index(t) for t in tokens]] = 1.0
    y[np.arange(n), v + np.arange(n)] = 1.0
    keep = causal_mask(n, model.inclusive)  # the model's own mask and softmax: the same as every run's
    with np.errstate(over="ignore", invalid="ignore"):
        w1 = masked_softmax(y @ model.a1 @ y.T, keep)
        y1 = (y if model.residual[0] else 0.0) + w1 @ y @ model.v1
        w2 = masked_softmax(y1 @ model.a2 @ y1.T, keep)
        y2 = (y1 if model.residual[1] else 0.0) + w2 @ y1 @ model.v2
    return w1, w2, y2[:, :v]


def strings(vocab: tuple[str, ...], n_max: int, seed: int = 0, count: int = STRINGS) -> list[tuple[str, ...]]:
    """The lecture's string when the vocabulary and positions allow, then
    ``count`` seeded random strings: a third plain, a third a segment and its
    repeat (splits, where a token recurs inside it), a third with a token
    repeated at once."""
    rng = random.Random(seed)
    out = [LECTURE] if set(LECTURE) <= set(vocab) and len(LECTURE) <= n_max else []
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


def _where(row: np.ndarray, layer: int, i: int) -> tuple[str, list]:
    """Where a row's weight went: the key it attends to (at least TOLERANCE),
    or, where no key has that much, its largest weights (near-ties named);
    with the premises of the file's run that say so."""
    from .claims import NEAR_WEIGHT, Top, Weight

    j = int(row.argmax())
    if row[j] >= TOLERANCE:
        return f"it attends to @{j} (weight {row[j]:.2f})", [Weight(layer, 0, i, (j,), float(row[j]))]
    top = [int(k) for k in np.flatnonzero(row >= row[j] - NEAR_WEIGHT)]
    named = ", ".join(f"@{k}" for k in top[:-1]) + (" and " if len(top) > 1 else "") + f"@{top[-1]}"
    each = " each" if len(top) > 1 else ""
    return (f"no key has {TOLERANCE:.2f} of its weight (the most: {named}, {row[j]:.2f}{each})",
            [Top(layer, 0, i, tuple(top)), Weight(layer, 0, i, (j,), float(row[j]))])


def findings(model: Model, tokens: tuple[str, ...]) -> list[Finding]:
    """What the model does otherwise than the lecture's on ``tokens``, one finding per property at most."""
    from .model import run

    ref = run(tokens)
    w1, w2, scores = forward(model, tokens)
    out: list[Finding] = []
    from .claims import Outputs, Weight
    from .readout import TIE_TOLERANCE

    for i in range(1, len(tokens)):
        if w1[i, i - 1] < TOLERANCE:
            where, premises = _where(w1[i], 1, i)
            out.append(Finding(0, tokens, f"on {_said(tokens)}, layer 1 at @{i} puts {w1[i, i - 1]:.2f} on @{i - 1}, "
                                          f"the position just before it, where the lecture's previous-token head "
                                          f"puts 1.00 ({TOLERANCE:.2f} needed); {where}",
                               tuple([Weight(1, 0, i, (i - 1,), float(w1[i, i - 1]))] + premises)))
            break
    job = mechanism.cells(ref, ref.induction) & (ref.induction.weights > 0)
    for p in ref.predictions:
        if not p.copy:
            continue
        i, keys = p.position, np.flatnonzero(job[p.position])
        if w2[i, keys].sum() < TOLERANCE and not any(f.kind == 1 for f in out):
            earlier = ", ".join(f"@{k - 1}" for k in keys)
            where, premises = _where(w2[i], 2, i)
            out.append(Finding(1, tokens, f"on {_said(tokens)}, layer 2 at @{i} puts {w2[i, keys].sum():.2f} on "
                                          f"{', '.join(f'@{k}' for k in keys)}, the token after the earlier "
                                          f"`{fmt.token(tokens[i])}` ({earlier}), where the lecture's induction head "
                                          f"puts {ref.induction.weights[i, keys].sum():.2f} ({TOLERANCE:.2f} needed); "
                                          f"{where}",
                               tuple([Weight(2, 0, i, tuple(int(k) for k in keys), float(w2[i, keys].sum()))]
                                     + premises)))
        e = np.exp(scores[i] - scores[i].max())  # the file's next-token probabilities at T = 1
        tied = tuple(model.vocab[t] for t in np.flatnonzero(e >= (1 - TIE_TOLERANCE) * 1.0) if scores[i].any())
        if not set(tied) <= set(p.output) and not any(f.kind == 2 for f in out):
            near = " (a near-tie)" if len(tied) > 1 else ""
            said = " or ".join(f"`{fmt.token(t)}`" for t in tied) + near if tied else "nothing (every token scores 0)"
            out.append(Finding(2, tokens, f"on {_said(tokens)}, at @{i} the model predicts {said}; "
                                          "the lecture's model predicts " + " or ".join(
                                              f"`{fmt.token(t)}`" for t in p.output), (Outputs(i, tied),)))
    return out


def check(model: Model, seed: int = 0) -> dict:
    """Every run's findings: per property, the strings that fail and the smallest one's words."""
    runs = strings(model.vocab, model.n_positions, seed)
    failed: list[list[Finding]] = [[] for _ in PROPERTIES]
    for tokens in runs:
        for f in findings(model, tokens):
            failed[f.kind].append(f)
    tests = []
    for k, name in enumerate(PROPERTIES):
        smallest = min(failed[k], key=lambda f: (len(f.tokens), f.tokens), default=None)
        tests.append({"name": name, "score": 0 if failed[k] else 1, "max_score": 1,
                      "output": (f"{len(failed[k])} of {len(runs)} strings fail; the smallest: {smallest.text}."
                                 if smallest else f"all {len(runs)} strings pass")})
    return {"score": sum(t["score"] for t in tests), "max_score": len(tests), "tests": tests,
            "strings": len(runs), "tolerance": TOLERANCE, "seed": seed}


def report(result: dict) -> str:
    """The check in words, for the terminal."""
    passed = result["score"] == result["max_score"]
    lines = [("PASS: the model does the lecture's job" if passed else "FAIL: the model does not do the lecture's job")
             + f" on {result['strings']} strings (seed {result['seed']}; a row attends to keys when at least "
             f"{result['tolerance']:.2f} of its weight is on them)."]
    lines += [f"- {t['name']}: {'pass' if t['score'] else 'FAIL'}: {t['output']}" for t in result["tests"]]
    return "\n".join(lines) + "\n"
