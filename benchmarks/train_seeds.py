"""Which settings lead to the lecture's circuit, and how often: ``train`` over
seeds, for each setting, with everything else at the defaults.

    python benchmarks/train_seeds.py [--seeds 10] [--steps N] [--jobs 2]

(train runs numpy's BLAS on one thread by itself.)

Prints a Markdown table (README, "Learning it"): per setting, how many seeds
gave each circuit and a phase change, and the median of the final scores.
"""
from __future__ import annotations

import argparse
import statistics
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from induction_demo.uses import checking, learned, training

SETTINGS = {
    "the defaults (--blocks lecture, --layer1 relative, --weight-decay 0.01)": {},
    "--weight-decay 0": {"weight_decay": 0.0},
    "--layer1 positions": {"layer1": "positions"},
    "--layer1 free": {"layer1": "free"},
    "--mask inclusive": {"mask": "inclusive"},
    "--blocks free": {"blocks": "free"},
    "--blocks free --steps 1500 (the defaults before)": {"blocks": "free", "steps": 1500},
    "--blocks free --weight-decay 0": {"blocks": "free", "weight_decay": 0.0},
    "--blocks free --layer1 positions": {"blocks": "free", "layer1": "positions"},
    "--blocks free --layer1 free": {"blocks": "free", "layer1": "free"},
    "--blocks free --mask inclusive": {"blocks": "free", "mask": "inclusive"},
    "--blocks free --layer1 free --mask inclusive": {"blocks": "free", "layer1": "free", "mask": "inclusive"},
}


def rule_accuracy(c: training.Config) -> float:
    """The lecture's rule itself on the held-out sequences, in plain Python: at each query of the repeated
    half, the tokens that most often followed an earlier copy of the query's token (a key before the
    query), a tie shared; the share of the next tokens it names (what "accuracy" measures of a model)."""
    ids, repeats = training.sequences(np.random.default_rng([c.seed, 2]), c, training.EVAL_BATCH)
    where = training.repeated_targets(c, repeats)
    right = total = 0.0
    for row, marks in zip(ids.tolist(), where):
        for i in np.flatnonzero(marks):
            after = Counter(row[j + 1] for j in range(i - 1) if row[j] == row[i])  # key j + 1 before query i
            total += 1
            if after:
                most = max(after.values())
                best = [t for t, k in after.items() if k == most]
                right += (row[i + 1] in best) / len(best)
    return right / total


def one(job: tuple[str, int, int]) -> tuple[str, int, dict, dict]:
    setting, seed, steps = job
    run = training.train(training.Config(seed=seed, **({"steps": steps} if steps else {}) | SETTINGS[setting]))
    found = learned.analysed(run)
    checked = checking.check(learned.model_of(run))  # check's verdict on the saved model, property by property
    return setting, seed, run.history[-1], found | {"check": [t["score"] for t in checked["tests"]],
                                                    "rule": rule_accuracy(run.config)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=None,
                        help="steps of every run but a setting's own (default: train's, or the setting's)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = [(s, seed, args.steps) for s in SETTINGS for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, jobs))
    print(f"{args.seeds} seeds, {args.steps or training.Config().steps} steps each unless the setting says\n")
    print("| setting | lecture's circuit | Q-composition | neither | phase change | accuracy | previous-token "
          "| duplicate-token | induction | induction of the best | keys cut | queries cut | K | Q "
          "| check passes layer 1, layer 2, the prediction, layer 2 on the lecture's layer 1 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for setting in SETTINGS:
        rows = [(h, a) for s, _, h, a in results if s == setting]
        count = {name: sum(a["circuit"] == name for _, a in rows) for name in learned.NAMES}
        phase = sum(a["phase_change"]["step"] is not None for _, a in rows)

        def median(key):
            return f"{statistics.median(h[key] for h, _ in rows):.2f}"

        def comp(kind):
            return f"{statistics.median(a['composition']['learned'][kind] or 0.0 for _, a in rows):.2f}"

        def cut(path):  # the induction score left with that path cut from layer 1
            return f"{statistics.median(a['paths'][path]['induction_score'] for _, a in rows):.2f}"

        share = statistics.median(h["induction_score"] / a["best_scores"]["induction_score"] for h, a in rows)
        passes = ", ".join(str(sum(a["check"][k] for _, a in rows)) for k in range(len(checking.PROPERTIES)))
        print(f"| {setting} | {count['lecture']} | {count['q-composition']} | {count['neither']} | {phase} | "
              f"{median('accuracy')} | {median('previous_token_score')} | {median('duplicate_token_score')} | "
              f"{median('induction_score')} | {share:.2f} | {cut('keys')} | {cut('queries')} | {comp('K')} | "
              f"{comp('Q')} | {passes} |")
    rule = [a["rule"] for s, _, _, a in results if s == next(iter(SETTINGS))]
    print(f"\nThe lecture's rule itself on the same held-out sequences (accuracy on the repeated half): "
          f"{min(rule):.2f} to {max(rule):.2f}, median {statistics.median(rule):.2f}\n")
    for setting, seed, h, a in results:
        print(f"# {setting} seed {seed}: {a['circuit']}; phase change {a['phase_change']['step']}; previous-token "
              f"{h['previous_token_score']:.2f}; check {a['check']}; {a['why']}")


if __name__ == "__main__":
    main()
