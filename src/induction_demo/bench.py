"""The proof at scale: random token segments repeated, as in the
induction-head literature (Olsson et al.; TransformerLens' demo; ARENA).

Each trial is a BOS token, then a segment of ``length`` tokens drawn
uniformly from a vocabulary of ``vocab``, repeated ``repeats`` times, with
``gap`` > 0 putting 0 to ``gap`` random tokens between copies (so no fixed
offset could stand in for induction). The model's vocabulary is all of them
(BOS and t0 ... t(V-1)), so its next-token distribution spans V + 1 tokens:
chance is 1/(V + 1) and the uniform loss ln(V + 1), a hair above ln V.

A query is scored where it and its next token lie in the same copy: first
copies (nothing to copy yet: chance) against later copies (induction). Ties
earn fractional credit: 1/k when the right token is among k tied at the top,
so a uniform guess scores exactly chance.
"""
from __future__ import annotations

import math
import time
from typing import Callable, NamedTuple

import numpy as np

from .errors import InputError
from .model import ABLATIONS, check_positive, run

BOS = "<bos>"
MAX_TOKENS = 2000  # per trial: d = 2(V + N) stays a few thousand


class Config(NamedTuple):
    vocab: int = 1000
    length: int = 50
    repeats: int = 2
    trials: int = 20
    seed: int = 0
    scale: float = 100.0
    temperature: float = 1.0
    gap: int = 0
    ablate: str | None = None


def check(config: Config) -> Config:
    for name in ("vocab", "length", "trials"):
        if getattr(config, name) < 1:
            raise InputError(f"--{name} must be at least 1")
    if config.repeats < 2:
        raise InputError("--repeats must be at least 2: induction needs a later copy")
    if config.gap < 0:
        raise InputError("--gap must be 0 or more")
    if config.vocab > 5000:
        raise InputError("--vocab is at most 5000 (the model's d grows with it)")
    longest = 1 + config.repeats * config.length + (config.repeats - 1) * config.gap
    if longest > MAX_TOKENS:
        raise InputError(f"a trial of up to {longest} tokens is more than the {MAX_TOKENS} a run takes")
    check_positive("scale", config.scale)
    check_positive("temperature", config.temperature)
    if config.ablate not in (None,) + ABLATIONS:
        raise InputError(f"unknown head to ablate {config.ablate!r}")
    return config


def sequence(rng: np.random.Generator, config: Config) -> tuple[list[int], list[int]]:
    """Token ids (-1 is BOS) and the start of each copy."""
    segment = rng.integers(0, config.vocab, config.length)
    ids, starts = [-1], []
    for c in range(config.repeats):
        if c and config.gap:
            ids += rng.integers(0, config.vocab, rng.integers(0, config.gap + 1)).tolist()
        starts.append(len(ids))
        ids += segment.tolist()
    return ids, starts


class Tally:
    """Sums over queries of one kind (first or later copies)."""

    def __init__(self):
        self.queries = 0
        self.credit = 0.0
        self.clean_queries = 0
        self.clean_credit = 0.0
        self.loss = 0.0
        self.misses = 0
        self.misses_at_repeats = 0

    def add(self, probs: np.ndarray, targets: np.ndarray, repeated: np.ndarray) -> None:
        """probs [Q, V+1], targets [Q] (model vocabulary ids), repeated [Q]: the
        query's token also occurred by accident (see ``accidental``)."""
        top = probs.max(axis=1, keepdims=True)
        tied = probs >= top * (1 - 1e-9)
        hit = tied[np.arange(len(targets)), targets]
        credit = np.where(hit, 1.0 / tied.sum(axis=1), 0.0)
        self.queries += len(targets)
        self.credit += credit.sum()
        self.loss += -np.log(probs[np.arange(len(targets)), targets]).sum()
        self.misses += int((credit < 1).sum())
        self.misses_at_repeats += int(((credit < 1) & repeated).sum())
        self.clean_queries += int((~repeated).sum())
        self.clean_credit += float(credit[~repeated].sum())

    def summary(self) -> dict:
        return {"queries": self.queries, "accuracy": float(self.credit / self.queries),
                "loss": float(self.loss / self.queries), "misses": self.misses,
                "accidental_repeats": self.queries - self.clean_queries,
                "misses_at_accidental_repeats": self.misses_at_repeats,
                "accuracy_without_accidental_repeats":
                    self.clean_credit / self.clean_queries if self.clean_queries else None}


def accidental(ids: np.ndarray, starts: list[int]) -> np.ndarray:  # [N] -> [N] bool
    """At each position inside copy c, whether its token occurred at some
    k <= i - 2 more often than the c planned times (once per earlier copy, at
    the same offset): a repeat inside the segment or a filler token that
    happens to match, which gives the induction head more than one thing to
    copy."""
    earlier = np.tril(ids[:, None] == ids[None, :], k=-2).sum(axis=1)
    copy = np.searchsorted(starts, np.arange(len(ids)), side="right") - 1
    return earlier > np.maximum(copy, 0)


def bench(config: Config, progress: Callable[[int], None] | None = None) -> dict:
    """Run the trials; return the figures (see ``Config`` and the module docstring)."""
    config = check(config)
    start = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    vocab = (BOS,) + tuple(f"t{k}" for k in range(config.vocab))
    first, later = Tally(), Tally()
    induction, unique_induction, previous = [], [], []
    det_induction, det_previous = [0.0, 0.0], [0.0, 0.0]
    for trial in range(config.trials):
        ids, starts = sequence(rng, config)
        trace = run(tuple(vocab[i + 1] for i in ids), config.scale, temperature=config.temperature,
                    ablate=config.ablate, vocab=vocab)
        model_ids = np.asarray(ids) + 1  # BOS is 0 in the model's vocabulary
        repeated = accidental(model_ids, starts)
        offsets = np.arange(config.length - 1)  # queries whose next token is in the same copy
        for c, s in enumerate(starts):
            queries = s + offsets
            tally = first if c == 0 else later
            tally.add(trace.probs[queries], model_ids[queries + 1], repeated[queries])
        w1, w2 = trace.layers[0].weights, trace.layers[1].weights
        n = len(ids)
        expected = np.zeros((n, n))  # the induction head's cells: the key right after each earlier copy
        for c in range(1, len(starts)):
            queries = starts[c] + np.arange(config.length)
            for earlier in starts[:c]:
                expected[queries, earlier + np.arange(config.length) + 1] = 1.0
        rows = np.flatnonzero(expected.any(axis=1))  # the queries of later copies
        on_expected = (w2 * expected).sum(axis=1)[rows]
        induction.append(on_expected)
        unique_induction.append(on_expected[~repeated[rows]])
        on_previous = w1[np.arange(1, n), np.arange(n - 1)]
        previous.append(on_previous)
        det_induction[0] += on_expected.sum()
        det_induction[1] += w2.sum()
        det_previous[0] += on_previous.sum()
        det_previous[1] += w1.sum()
        if progress is not None:
            progress(trial + 1)
    return {
        "config": dict(config._asdict()),
        "baseline_loss": math.log(config.vocab + 1),
        "chance": 1 / (config.vocab + 1),
        "first_copies": first.summary(),
        "later_copies": later.summary(),
        "induction_score": float(np.concatenate(induction).mean()),
        "induction_score_without_accidental_repeats": float(np.concatenate(unique_induction).mean())
        if np.concatenate(unique_induction).size else None,
        "previous_token_score": float(np.concatenate(previous).mean()),
        "detector": {"induction": float(det_induction[0] / det_induction[1]) if det_induction[1] else 0.0,
                     "previous_token": float(det_previous[0] / det_previous[1]) if det_previous[1] else 0.0},
        "seconds": time.perf_counter() - start,
    }
