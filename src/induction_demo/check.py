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
- the prediction: at those queries, the top-scored token is one the
  lecture's model predicts.

A row "attends to" keys when at least ``TOLERANCE`` of its weight is on them.
"""
from __future__ import annotations

import json
import os
import random
from typing import NamedTuple

import numpy as np

from . import inputs, mechanism
from . import text as fmt
from .errors import InputError

TOLERANCE = 0.5  # "attends to": at least half of the row's weight on the keys named
STRINGS = 200  # random strings a check runs, beside the lecture's
LONGEST = 24  # tokens in a random string at most (and at most n_positions)
MAX_D = 4000  # directions a checked model may have: four d x d arrays of 128 MB at most
MAX_FILE_BYTES = 1 << 30  # a model file's size at most (JSON of d = 4000 is about 1 GB)
LECTURE = ("!", "a", "b", "a", "c", "b")
PROPERTIES = ("layer 1: the previous token", "layer 2: the token after an earlier copy", "the prediction")


class Model(NamedTuple):
    a1: np.ndarray
    v1: np.ndarray
    a2: np.ndarray
    v2: np.ndarray
    vocab: tuple[str, ...]
    n_positions: int
    inclusive: bool


class Finding(NamedTuple):
    kind: int  # index into PROPERTIES
    tokens: tuple[str, ...]
    text: str


def load(path: str) -> Model:
    """The model in ``path`` (.npz, or .json with the same keys), or one line naming what is wrong."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a file")
    try:
        if path.endswith(".json"):
            if os.path.getsize(path) > MAX_FILE_BYTES:
                raise InputError(f"{path}: more than {MAX_FILE_BYTES >> 20} MiB, more than a model a check runs")
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
            if not isinstance(raw, dict):
                raise InputError(f"{path}: not a JSON object with the keys A1, V1, A2, V2, vocab, n_positions")
        else:
            import zipfile

            if not zipfile.is_zipfile(path):
                raise InputError(f"{path}: not an .npz (a zip of .npy arrays) nor a .json model file")
            raw = np.load(path, allow_pickle=False)  # read key by key: vocab and N are checked before d x d
    except InputError:
        raise
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a model file (.npz, or .json with the same keys): "
                         f"{str(error).splitlines()[0] if str(error) else type(error).__name__}") from None
    if not path.endswith(".json") and os.path.getsize(path) > MAX_FILE_BYTES:
        raise InputError(f"{path}: more than {MAX_FILE_BYTES >> 20} MiB, more than a model a check runs")
    keys = set(raw.files) if hasattr(raw, "files") else set(raw)
    missing = [k for k in ("A1", "V1", "A2", "V2", "vocab", "n_positions") if k not in keys]
    if missing:
        raise InputError(f"{path}: no key {', '.join(missing)} (a model file holds A1, V1, A2, V2, vocab, "
                         "n_positions)")
    vocab = tuple(str(t) for t in np.asarray(raw["vocab"]).reshape(-1))
    try:
        n = int(np.asarray(raw["n_positions"]))
    except (TypeError, ValueError):
        raise InputError(f"{path}: n_positions is not a whole number") from None
    if not vocab or len(set(vocab)) != len(vocab) or n < 1:
        raise InputError(f"{path}: vocab must be distinct tokens and n_positions at least 1")
    longest = max(vocab, key=len)
    if not all(vocab) or len(longest) > inputs.MAX_TOKEN_CHARS:
        raise InputError(f"{path}: every token in vocab must have 1 to {inputs.MAX_TOKEN_CHARS} characters")
    d = 2 * (len(vocab) + n)
    if d > MAX_D:
        raise InputError(f"{path}: d = 2(V + N) = {d} directions is more than the {MAX_D} a check runs "
                         f"(V = {len(vocab)}, N = {n})")
    arrays = []
    for key in ("A1", "V1", "A2", "V2"):
        try:
            array = np.asarray(raw[key], dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{path}: {key} is not an array of numbers") from None
        if array.shape != (d, d):
            raise InputError(f"{path}: {key} has shape {array.shape}; with V = {len(vocab)} tokens and N = {n} "
                             f"positions it must be d x d = {d} x {d} ([tok | pos | prev tok | prev pos])")
        if not np.isfinite(array).all():
            raise InputError(f"{path}: {key} holds NaN or infinity")
        arrays.append(array)
    mask = str(np.asarray(raw["mask"])) if "mask" in keys else "strict"
    if mask not in ("strict", "inclusive"):
        raise InputError(f"{path}: mask is {mask!r}; use strict or inclusive")
    return Model(*arrays, vocab, n, mask == "inclusive")


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
        y1 = y + w1 @ y @ model.v1
        w2 = masked_softmax(y1 @ model.a2 @ y1.T, keep)
        y2 = w2 @ y1 @ model.v2
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


def findings(model: Model, tokens: tuple[str, ...]) -> list[Finding]:
    """What the model does otherwise than the lecture's on ``tokens``, one finding per property at most."""
    from .model import run

    ref = run(tokens)
    w1, w2, scores = forward(model, tokens)
    out: list[Finding] = []
    for i in range(1, len(tokens)):
        if w1[i, i - 1] < TOLERANCE:
            j = int(w1[i].argmax())
            out.append(Finding(0, tokens, f"on {_said(tokens)}, layer 1 at @{i} attends to @{j} (weight "
                                          f"{w1[i, j]:.2f}); the lecture's previous-token head attends to @{i - 1}, "
                                          "the position just before it"))
            break
    job = mechanism.cells(ref, ref.induction) & (ref.induction.weights > 0)
    for p in ref.predictions:
        if not p.copy:
            continue
        i, keys = p.position, np.flatnonzero(job[p.position])
        if w2[i, keys].sum() < TOLERANCE and not any(f.kind == 1 for f in out):
            j = int(w2[i].argmax())
            earlier = ", ".join(f"@{k - 1}" for k in keys)
            out.append(Finding(1, tokens, f"on {_said(tokens)}, layer 2 at @{i} attends to @{j} (weight "
                                          f"{w2[i, j]:.2f}); the lecture's induction head attends to "
                                          f"{', '.join(f'@{k}' for k in keys)}, the token after the earlier "
                                          f"`{fmt.token(tokens[i])}` ({earlier})"))
        top = model.vocab[int(scores[i].argmax())]
        if top not in p.output and not any(f.kind == 2 for f in out):
            out.append(Finding(2, tokens, f"on {_said(tokens)}, at @{i} the model predicts `{fmt.token(top)}`; "
                                          "the lecture's model predicts " + " or ".join(
                                              f"`{fmt.token(t)}`" for t in p.output)))
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
