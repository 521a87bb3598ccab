"""The proof at scale: random token segments repeated, as in the
induction-head literature (Olsson et al.; TransformerLens' demo; ARENA).

Each trial is a BOS token, then a segment of ``length`` tokens drawn
uniformly from a vocabulary of ``vocab``, repeated ``repeats`` times, with
``gap`` > 0 putting 0 to ``gap`` random tokens between copies (so no fixed
offset could stand in for induction). The model's vocabulary is all of them
(BOS and t0 ... t(V-1)), so its next-token distribution spans V + 1 tokens:
chance is 1/(V + 1) and the uniform loss ln(V + 1), a hair above ln V. Its
residual stream spans only the tokens a trial holds: every other token scores
exactly 0 and shares one closed-form probability (readout.softmax), so a
trial at GPT-2's 50,257 tokens costs what one at 1,000 does.

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

from . import inputs
from .model import run
from .readout import log_probs

BOS = "<bos>"


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
    """The config, when every trial it asks for can run (inputs.bench); else InputError."""
    inputs.bench(config.vocab, config.length, config.repeats, config.trials, config.seed, config.gap)
    inputs.positive("scale", config.scale)
    inputs.positive("temperature", config.temperature)
    inputs.ablation(config.ablate)
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

    def add(self, probs: np.ndarray, unseen_probs: np.ndarray, unseen: int, targets: np.ndarray,
            repeated: np.ndarray, log_probs: np.ndarray) -> None:
        """probs [Q, V'] over the V' tokens of the trial, unseen_probs [Q] the
        probability of each of the ``unseen`` other vocabulary tokens, targets
        [Q] (columns of probs), repeated [Q]: the query's token also occurred
        by accident (see ``accidental``), log_probs [Q]: log P(target). A tie
        earns 1/k, k counting the tied unseen tokens too."""
        top = probs.max(axis=1)
        if unseen:
            top = np.maximum(top, unseen_probs)
        tied = probs >= top[:, None] * (1 - 1e-9)
        count = tied.sum(axis=1) + (unseen * (unseen_probs >= top * (1 - 1e-9)) if unseen else 0)
        hit = tied[np.arange(len(targets)), targets]
        credit = np.where(hit, 1.0 / count, 0.0)
        self.queries += len(targets)
        self.credit += credit.sum()
        self.loss += -log_probs.sum()
        self.misses += int((credit < 1).sum())
        self.misses_at_repeats += int(((credit < 1) & repeated).sum())
        self.clean_queries += int((~repeated).sum())
        self.clean_credit += float(credit[~repeated].sum())

    def summary(self) -> dict:
        loss = float(self.loss / self.queries)
        return {"queries": self.queries, "accuracy": float(self.credit / self.queries),
                "loss": loss if math.isfinite(loss) else None, "misses": self.misses,
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


def induction_cells(starts: list[int], length: int) -> tuple[np.ndarray, np.ndarray]:
    """(queries, keys): each later-copy query and the key right after its
    token's place in every earlier copy, where the induction head should look."""
    queries, keys = [], []
    for c in range(1, len(starts)):
        for earlier in starts[:c]:
            queries.append(starts[c] + np.arange(length))
            keys.append(earlier + np.arange(length) + 1)
    return np.concatenate(queries), np.concatenate(keys)


def bench(config: Config, progress: Callable[[int], None] | None = None) -> dict:
    """Run the trials; return the figures (see ``Config`` and the module docstring)."""
    config = check(config)
    start = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    first, later = Tally(), Tally()
    induction, unique_induction, previous = [], [], []
    det_induction, det_previous = [0.0, 0.0], [0.0, 0.0]
    for trial in range(config.trials):
        ids, starts = sequence(rng, config)
        tokens = tuple(BOS if i < 0 else f"t{i}" for i in ids)
        trace = run(tokens, config.scale, temperature=config.temperature, ablate=config.ablate,
                    unseen=config.vocab + 1 - len(set(ids)))
        column = {t: k for k, t in enumerate(trace.vocab)}
        model_ids = np.array([column[t] for t in tokens])
        repeated = accidental(model_ids, starts)
        offsets = np.arange(config.length - 1)  # queries whose next token is in the same copy
        unseen_probs = trace.unseen_probs if trace.unseen else np.zeros(len(tokens))
        for c, s in enumerate(starts):
            queries = s + offsets
            tally = first if c == 0 else later
            tally.add(trace.probs[queries], unseen_probs[queries], trace.unseen, model_ids[queries + 1],
                      repeated[queries], log_probs(trace.scores, config.temperature, trace.unseen, queries,
                                                   model_ids[queries + 1]))
        w1, w2 = trace.layers[0].weights, trace.layers[1].weights
        n = len(ids)
        cell_queries, cell_keys = induction_cells(starts, config.length)
        on_cells = np.zeros(n)
        np.add.at(on_cells, cell_queries, w2[cell_queries, cell_keys])
        rows = np.unique(cell_queries)  # the queries of later copies
        on_expected = on_cells[rows]
        induction.append(on_expected)
        unique_induction.append(on_expected[~repeated[rows]])
        on_previous = w1[np.arange(1, n), np.arange(n - 1)]
        previous.append(on_previous)
        det_induction[0] += on_expected.sum()
        det_induction[1] += w2.sum()
        det_previous[0] += on_previous.sum()
        det_previous[1] += w1.sum()
        del trace, w1, w2  # one trial's arrays at a time
        if progress is not None:
            progress(trial + 1)
    first_copies, later_copies = first.summary(), later.summary()
    clean = np.concatenate(unique_induction)
    result = {
        "config": dict(config._asdict()),
        "baseline_loss": math.log(config.vocab + 1),
        "chance": 1 / (config.vocab + 1),
        "first_copies": first_copies,
        "later_copies": later_copies,
        "induction_score": float(np.concatenate(induction).mean()),
        "induction_score_without_accidental_repeats": float(clean.mean()) if clean.size else None,
        "previous_token_score": float(np.concatenate(previous).mean()),
        "detector": {"induction": float(det_induction[0] / det_induction[1]) if det_induction[1] else 0.0,
                     "previous_token": float(det_previous[0] / det_previous[1]) if det_previous[1] else 0.0},
        "seconds": time.perf_counter() - start,
    }
    result["undefined"] = undefined(result)
    return result


def undefined(result: dict) -> dict[str, str]:
    """Why each figure that is null has no value (JSON has no NaN or infinity)."""
    reasons = {}
    for key in ("first_copies", "later_copies"):
        if result[key]["accuracy_without_accidental_repeats"] is None:
            reasons[f"{key}.accuracy_without_accidental_repeats"] = "every query is an accidental repeat"
        if result[key]["loss"] is None:
            reasons[f"{key}.loss"] = ("too large for a float: at this temperature some right token has a "
                                      "probability below e^-1.8e308")
    if result["induction_score_without_accidental_repeats"] is None:
        reasons["induction_score_without_accidental_repeats"] = "every later-copy query is an accidental repeat"
    return reasons
