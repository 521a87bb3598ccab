"""Which training data teaches the lecture's circuit: ``train``'s free model
(``--blocks free``, every entry of V_1, A_2 and V_2 learned; 1500 steps, the
default when these were measured; the rest at the defaults) with each other way of drawing the sequences tried for issue 28,
over seeds.

    python benchmarks/train_data.py [--seeds 10] [--jobs 2] [--only NAME,...]

Each line: how many seeds learned the lecture's circuit (named by path
ablation, as ``train`` names it), the medians of the previous-token score,
of the induction score as a share of the best possible on the same held-out
sequences, and of the accuracy on the repeated half, then each seed's
circuit / previous-token / induction share. README ("What training finds")
quotes these lines.
"""
from __future__ import annotations

import argparse
import statistics
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from induction_demo.uses import learned, training

DEFAULT = (training.sequences, training.repeated_targets, training.free, training.MIN_REPEAT, training.MAX_REPEAT)


def at_the_end(rng, c, count, every_length=False):
    """The data before this round: every sequence N long, its repeat ending at N - 1."""
    return DEFAULT[0](rng, c, count)


def adjacent(rng, c, count, every_length=False):
    """Every length, but the repeat always right after its segment (the defaults before the gaps)."""
    ids = rng.integers(0, c.vocab, size=(count, c.length))
    lengths = rng.integers(2 * training.MIN_REPEAT, c.length + 1, size=count) if every_length else \
        np.full(count, c.length)
    repeats = np.array([rng.integers(training.MIN_REPEAT, min(training.MAX_REPEAT, n // 2) + 1) for n in lengths])
    for row, r, n in zip(ids, repeats, lengths):
        segment = rng.permutation(c.vocab)[:r]
        row[n - 2 * r:n - r] = segment
        row[n - r:n] = segment
        row[n:] = training.PAD
    return ids, repeats


def random_segment(rng, c, count, every_length=False):
    """The data two rounds ago: N long, the segment's tokens drawn at random (a token may occur in it twice)."""
    ids = rng.integers(0, c.vocab, size=(count, c.length))
    repeats = rng.integers(training.MIN_REPEAT, c.longest_repeat + 1, size=count)
    for row, r in zip(ids, repeats):
        row[c.length - r:] = row[c.length - 2 * r:c.length - r]
    return ids, repeats


def distinct_prefix(rng, c, count, every_length=False):
    """The default data, and the tokens before the segment drawn from the rest of the vocabulary."""
    ids, repeats = DEFAULT[0](rng, c, count)
    for row, r in zip(ids, repeats):
        rest = np.setdiff1d(np.arange(c.vocab), row[c.length - r:])
        row[:c.length - 2 * r] = rng.choice(rest, size=c.length - 2 * r)
    return ids, repeats


def anywhere(rng, c, count, every_length=False):
    """A distinct segment and its repeat anywhere in the sequence, random tokens around; each
    sequence's repeat coded as L + 100 b, b where its second copy starts."""
    ids = rng.integers(0, c.vocab, size=(count, c.length))
    code = np.zeros(count, dtype=int)
    for k, row in enumerate(ids):
        r = int(rng.integers(training.MIN_REPEAT, c.longest_repeat + 1))
        start = int(rng.integers(0, c.length - 2 * r + 1))
        segment = rng.permutation(c.vocab)[:r]
        row[start:start + r] = segment
        row[start + r:start + 2 * r] = segment
        code[k] = r + 100 * (start + r)
    return ids, code


def anywhere_targets(c, code):
    r, b = code % 100, code // 100
    i = np.arange(c.length - 1)[None, :]
    return (i >= b[:, None]) & (i <= (b + r - 2)[:, None])


SETTINGS = {
    "the defaults (every length from 6 to N; a distinct segment repeated at its end; half right after it)": {},
    "every length; the repeat right after its segment": {"sequences": adjacent},
    "every sequence N long; the repeat at its end (the data before)": {"sequences": at_the_end},
    "a random segment (the data before this round)": {"sequences": random_segment},
    "a distinct segment, the tokens before it from the rest": {"sequences": distinct_prefix},
    "a distinct segment anywhere": {"sequences": anywhere, "targets": anywhere_targets},
    "repeats of 3 to 12 tokens": {"repeats": (3, 12)},
    "repeats of 6 to 12 tokens": {"repeats": (6, 12)},
    "the whole sequence repeated (L = N / 2)": {"repeats": (12, 12)},
    "every sequence N long; --layer1 positions (the defaults before)": {"sequences": at_the_end, "layer1": "positions"},
    "A_1 learned 5 times faster": {"boost": 5.0},
    "A_1 5 times faster, a distinct segment anywhere": {"boost": 5.0, "sequences": anywhere,
                                                        "targets": anywhere_targets},
}


def one(job: tuple[str, int]) -> tuple[str, int, str, dict, dict]:
    name, seed = job
    setting = SETTINGS[name]
    training.sequences = setting.get("sequences", DEFAULT[0])
    training.repeated_targets = setting.get("targets", DEFAULT[1])
    training.MIN_REPEAT, training.MAX_REPEAT = setting.get("repeats", DEFAULT[3:5])
    boost = setting.get("boost")
    training.free = (lambda c: DEFAULT[2](c) * boost) if boost else DEFAULT[2]  # Adam's step times the mask
    run = training.train(training.Config(seed=seed, layer1=setting.get("layer1", training.Config().layer1),
                                         blocks="free", steps=1500))  # as measured before
    found = learned.analysed(run)
    return name, seed, found["circuit"], run.history[-1], found["best_scores"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated setting names (default: all)")
    args = parser.parse_args()
    names = [n for n in SETTINGS if not args.only or n in args.only.split(",")]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, [(n, seed) for n in names for seed in range(args.seeds)]))
    for name in names:
        rows = [r for r in results if r[0] == name]
        circuits = [r[2] for r in rows]
        previous = [r[3]["previous_token_score"] for r in rows]
        share = [r[3]["induction_score"] / r[4]["induction_score"] for r in rows]
        accuracy = [r[3]["accuracy"] for r in rows]
        print(f"{name}: the lecture's circuit {circuits.count('lecture')} of {len(rows)}; medians: previous-token "
              f"{statistics.median(previous):.2f}, induction {statistics.median(share):.2f} of the best, accuracy "
              f"{statistics.median(accuracy):.2f}; per seed: "
              + " ".join(f"{c[:3]}/{p:.2f}/{s:.2f}" for c, p, s in zip(circuits, previous, share)))


if __name__ == "__main__":
    main()
