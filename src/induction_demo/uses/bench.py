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

from ..base import inputs
from ..core.runs import run
from ..base.errors import InputError
from ..core.readout import log_probs
from ..core.weights import Construction, checked, context_of
from ..words.describe import ablated_list

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
    mask: str = "strict"
    context: int = 1
    skip: int = 0
    positions: str = "one-hot"
    frequencies: int = 16
    circuit: str = "lecture"

    @property
    def construction(self) -> Construction:
        """The model to bench (the virtual circuit's context is 2 where left at 1: weights.context_of)."""
        return Construction(self.mask, context_of(self.circuit, self.context, self.context != 1), self.skip, None,
                            self.positions, self.frequencies, circuit=self.circuit)


def check(config: Config) -> Config:
    """The config, when every trial it asks for can run (inputs.bench); else InputError."""
    built = checked(config.construction)
    # each layer-1 head and each model run (--context also runs context 1) costs one N x N pass more
    cost = (len(built.offsets) + 1) / 2 * (2 if built.context > 1 else 1)
    inputs.bench(config.vocab, config.length, config.repeats, config.trials, config.seed, config.gap, cost,
                 inputs.bench_arrays(len(built.offsets) + 1, built.context))
    if built.context > 1 and config.vocab < config.length:
        raise InputError(f"--context segments draw up to {config.length} distinct tokens: --vocab must be at least "
                         f"--length ({config.length})")
    if config.length < config.skip + 2:
        raise InputError(f"--length must be at least --skip + 2 ({config.skip + 2}): a query is scored where it and "
                         "the token it predicts lie in the same copy")
    inputs.positive("scale", config.scale)
    inputs.positive("temperature", config.temperature)
    inputs.ablation(config.ablate)
    return config


def ambiguous_segment(rng: np.random.Generator, vocab: int, length: int, k: int) -> np.ndarray:
    """A segment in which single tokens repeat (drawn from about length / 3 of
    them) but no k tokens in a row occur twice: a single-token match is
    ambiguous, a k-token match is not. Built a token at a time, each drawn
    among those that make no k-gram seen before (a fresh token if none)."""
    alphabet = list(rng.choice(vocab, size=max(2, -(-length // 3)), replace=False))
    out: list[int] = []
    seen: set[tuple] = set()
    for _ in range(length):
        tail = tuple(out[-(k - 1):]) if k > 1 else ()
        free = [t for t in alphabet if tail + (t,) not in seen] if len(out) >= k - 1 else alphabet
        if not free:
            fresh = int(rng.integers(0, vocab))
            while fresh in alphabet:
                fresh = int(rng.integers(0, vocab))
            alphabet.append(fresh)
            free = [fresh]
        out.append(int(free[rng.integers(len(free))]))
        if len(out) >= k:
            seen.add(tuple(out[-k:]))
    return np.array(out)


def sequence(rng: np.random.Generator, config: Config) -> tuple[list[int], list[int]]:
    """Token ids (-1 is BOS) and the start of each copy."""
    segment = ambiguous_segment(rng, config.vocab, config.length, config.context) if config.context > 1 \
        else rng.integers(0, config.vocab, config.length)
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


def accidental(ids: np.ndarray, starts: list[int], context: int = 1) -> np.ndarray:  # [N] -> [N] bool
    """At each position inside copy c, whether its last ``context`` tokens
    occurred (ending at some k <= i - 2) other than the c planned times (once
    per earlier copy, at the same offset): a repeat inside the segment or a
    filler token that happens to match, which gives the induction head more
    than one thing to copy, or a context that runs back past the copy's start."""
    same = ids[:, None] == ids[None, :]
    for m in range(1, context):  # the tokens m back match too (none before position 0)
        back = np.zeros_like(same)
        back[m:, m:] = same[:-m, :-m]
        same &= back
    earlier = np.tril(same, k=-2).sum(axis=1)
    copy = np.searchsorted(starts, np.arange(len(ids)), side="right") - 1
    return earlier != np.maximum(copy, 0)


def detection_pattern(kind: str, ids: np.ndarray) -> np.ndarray:  # [N] -> [N, N] bool
    """TransformerLens' head-detector pattern (transformer_lens/head_detector.py), as it builds it, as a
    boolean mask: "previous_token", 1 at (i, i - 1); "duplicate_token", 1 where x_j = x_i, j < i;
    "induction", the duplicate pattern shifted one column right, so 1 where x_(j-1) = x_i, j <= i."""
    n = len(ids)
    if kind == "previous_token":
        return np.eye(n, k=-1, dtype=bool)
    duplicate = np.tril(ids[:, None] == ids[None, :], k=-1)
    if kind == "duplicate_token":
        return duplicate
    induction = np.zeros((n, n), dtype=bool)
    induction[:, 1:] = duplicate[:, :-1]
    return induction


def detect(weights: np.ndarray, pattern: np.ndarray) -> float:
    """TransformerLens' detect_head score with its default error_measure "mul" (no BOS or current token
    excluded): sum(W * pattern) / sum(W), the pattern 0 or 1 (summed where it is 1: no N x N product made)."""
    total = weights.sum()
    return float(np.add.reduce(weights, axis=None, where=pattern) / total) if total else 0.0


def induction_cells(starts: list[int], length: int, skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(queries, keys): each later-copy query and the key right after (with
    ``skip`` n: n + 1 after) its token's place in every earlier copy, where
    the induction head should look."""
    queries, keys = [], []
    offsets = np.arange(length - skip)
    for c in range(1, len(starts)):
        for earlier in starts[:c]:
            queries.append(starts[c] + offsets)
            keys.append(earlier + offsets + 1 + skip)
    return np.concatenate(queries), np.concatenate(keys)


def bench(config: Config, progress: Callable[[int], None] | None = None) -> dict:
    """Run the trials; return the figures (see ``Config`` and the module docstring)."""
    config = check(config)
    start = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    first, later = Tally(), Tally()
    induction, unique_induction, previous = [], [], []
    detected: dict[str, list[float]] = {"induction": [], "previous_token": []}
    built, ahead = config.construction, config.skip + 1  # the token scored is ``ahead`` after the query
    context_1, ambiguous = Tally(), []
    for trial in range(config.trials):
        ids, starts = sequence(rng, config)
        tokens = tuple(BOS if i < 0 else f"t{i}" for i in ids)
        options = dict(temperature=config.temperature, ablate=config.ablate, unseen=config.vocab + 1 - len(set(ids)))
        trace = run(tokens, config.scale, construction=built, beside=False, **options)
        column = {t: k for k, t in enumerate(trace.vocab)}
        model_ids = np.array([column[t] for t in tokens])
        repeated = accidental(model_ids, starts, config.context)
        offsets = np.arange(config.length - ahead)  # queries whose target token is in the same copy
        unseen_probs = trace.unseen_probs if trace.unseen else np.zeros(len(tokens))

        def score(tally: Tally, trace, queries: np.ndarray, repeated: np.ndarray) -> None:
            targets = model_ids[queries + ahead]
            tally.add(trace.probs[queries], unseen_probs[queries], trace.unseen, targets, repeated[queries],
                      log_probs(trace.scores, config.temperature, trace.unseen, queries, targets))
        for c, s in enumerate(starts):
            score(first if c == 0 else later, trace, s + offsets, repeated)
        if config.context > 1:  # the same sequences, matched on the query's token alone
            single = run(tokens, config.scale, construction=built._replace(context=1), beside=False, **options)
            for s in starts[1:]:
                score(context_1, single, s + offsets, repeated)
            segment = model_ids[starts[0]:starts[0] + config.length]
            ambiguous.append((np.bincount(segment)[segment] > 1)[offsets])
            del single
        w2 = trace.induction.weights
        n = len(ids)
        cell_queries, cell_keys = induction_cells(starts, config.length, config.skip)
        on_cells = np.zeros(n)
        np.add.at(on_cells, cell_queries, w2[cell_queries, cell_keys])
        rows = np.unique(cell_queries)  # the queries of later copies
        on_expected = on_cells[rows]
        induction.append(on_expected)
        unique_induction.append(on_expected[~repeated[rows]])
        looking = [r for layer in trace.layers[:-1] for r in layer.heads if r.head.looks_back]  # (none: pointer)
        previous += [r.on_offset() for r in looking]
        detected["induction"].append(detect(w2, detection_pattern("induction", model_ids)))
        detected["previous_token"] += [detect(r.weights, detection_pattern("previous_token", model_ids))
                                       for r in looking if r.head.offset == 1]
        ablated = ablated_list(trace.layers)  # (the same heads in every trial)
        del trace, w2  # one trial's arrays at a time (a 4095-token trial's are about 800 MB)
        if progress is not None:
            progress(trial + 1)
    first_copies, later_copies = first.summary(), later.summary()
    clean = np.concatenate(unique_induction)
    result = {
        "config": {k: v for k, v in config._asdict().items() if k != "circuit" or v != "lecture"},
        "baseline_loss": math.log(config.vocab + 1),
        "chance": 1 / (config.vocab + 1),
        "first_copies": first_copies,
        "later_copies": later_copies,
        "induction_score": float(np.concatenate(induction).mean()),
        "induction_score_without_accidental_repeats": float(clean.mean()) if clean.size else None,
        "previous_token_score": float(np.concatenate(previous).mean()) if previous else None,
        "detector": {name: float(np.mean(values)) if values else None for name, values in detected.items()},
        "seconds": time.perf_counter() - start,
    }
    if config.ablate:
        result["ablated_heads"] = [{"layer": index, "name": name} for name, index in ablated]
    if config.context > 1:
        result["context_1_later_copies"] = context_1.summary()
        result["ambiguous_single_token_share"] = float(np.concatenate(ambiguous).mean())
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
    if result["previous_token_score"] is None:
        reasons["previous_token_score"] = "the model has no look-back head (--circuit pointer)"
    if result["detector"]["previous_token"] is None:
        reasons["detector.previous_token"] = ("the model has no look-back head (--circuit pointer)"
                                              if result["previous_token_score"] is None else
                                              "layer 1 has no head one position back (--skip without --context)")
    if result["induction_score_without_accidental_repeats"] is None:
        reasons["induction_score_without_accidental_repeats"] = "every later-copy query is an accidental repeat"
    return reasons
