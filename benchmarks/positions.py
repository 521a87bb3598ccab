"""The five position schemes side by side: layer 1's weight on the previous
position and later-copy accuracy, and the scale each scheme needs.

    python benchmarks/positions.py

For each scheme (one-hot, sinusoidal, relative, rope, none) and segment
length 10, 50 (the default), 100 and 1000, one `bench` run (seed 0, vocabulary 1000, two
copies; trials 20, 20, 20 and 5) gives the previous-token score (the mean weight
a query puts on the position just before it), the induction score and the
later-copy accuracy. Then, at N = 1000 positions, the smallest scale s (to
3 figures) that keeps at least 0.99 of every query's layer-1 weight on the
previous position, for K = 1 .. 64 frequencies where the scheme has them.
The figures in README's table come from this script.
"""
from __future__ import annotations

import numpy as np

from induction_demo.uses.bench import Config, bench
from induction_demo.core.runs import run
from induction_demo.base.inputs import POSITIONS
from induction_demo.core.weights import Construction

LENGTHS = ((10, 20), (50, 20), (100, 20), (1000, 5))
TARGET = 0.99
N = 1000


def worst_previous_weight(positions: str, scale: float, k: int = 16) -> float:
    """The smallest weight any query (from @1 on) puts on the position just before it, N = 1000."""
    tokens = tuple(f"t{i % 50}" for i in range(N))
    w = run(tokens, scale, construction=Construction(positions=positions, frequencies=k)).layers[0].heads[0].weights
    return float(w[np.arange(1, N), np.arange(N - 1)].min())


def needed_scale(positions: str, k: int = 16) -> float | None:
    """The smallest s with worst_previous_weight >= TARGET (None: none up to 1e6)."""
    low, high = 0.1, 1e6
    if worst_previous_weight(positions, high, k) < TARGET:
        return None
    for _ in range(40):
        mid = (low * high) ** 0.5
        low, high = (mid, high) if worst_previous_weight(positions, mid, k) < TARGET else (low, mid)
    return high


def main() -> None:
    print("| positions | length | previous-token score | induction score | later-copy accuracy |")
    print("| --- | --- | --- | --- | --- |")
    for positions in POSITIONS:
        for length, trials in LENGTHS:
            r = bench(Config(length=length, trials=trials, positions=positions))
            print(f"| {positions} | {length} | {r['previous_token_score']:.4f} | {r['induction_score']:.4f} | "
                  f"{r['later_copies']['accuracy']:.4f} |")
    print()
    print(f"smallest scale keeping >= {TARGET} on the previous position for every query, N = {N}:")
    for positions in POSITIONS:
        if positions in ("sinusoidal", "rope"):
            for k in (1, 2, 4, 8, 16, 32, 64):
                s = needed_scale(positions, k)
                print(f"  {positions:10} K = {k:2}: " + (f"s = {s:.3g}" if s else "none up to 1e6"))
        else:
            s = needed_scale(positions)
            print(f"  {positions:10}       : " + (f"s = {s:.3g}" if s else "none: the weight is 1/i whatever s"))


if __name__ == "__main__":
    main()
