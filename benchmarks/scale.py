"""How the model's cost grows with N, against the floor, and the heavy commands.

    python benchmarks/scale.py [--quick]

1. ``runs.run`` at N = 100, 300, 1000, 3000 tokens (drawn from 442 distinct
   ones, as a 1000-token English text has): best wall time of a few runs and
   peak memory (tracemalloc: every numpy allocation), beside the floor, a
   direct numpy formulation of the same computation (below: one-hot tables,
   two masked softmaxes and three products, nothing else), and the growth
   exponent fitted to log(time) and log(memory) against log(N).
2. Whole commands, each in its own process (wall time, peak resident memory):
   ``show <1000 tokens> --format json``, ``bench`` with its defaults, and
   ``bench --vocab 50257 --length 1024 --trials 10`` (GPT-2's vocabulary,
   2 x 1024 repeated tokens), with its later-copy accuracy.

``--quick`` skips N = 3000 and the GPT-2 bench.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from induction_demo.core.model import masked_softmax
from induction_demo.core.runs import run
from induction_demo.core.readout import softmax

sys.path.insert(0, str(Path(__file__).parent))
from limits import ENV  # noqa: E402  (each child with the bytecode cache)

DISTINCT = 442


def tokens(n: int) -> tuple[str, ...]:
    rng = np.random.default_rng(n)
    return tuple(f"t{i}" for i in rng.integers(0, DISTINCT, n))


def direct(ids: np.ndarray, v: int, s: float = 100.0):
    """The floor: the lecture's two heads written straight in numpy."""
    n = len(ids)
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    mask = j < i
    onehot = np.eye(v)[ids]  # [N, V] tok(x_j)
    w1 = masked_softmax(np.where(j == i - 1, s, 0.0), mask)  # a_ij = s [j = i - 1]
    prev_tok = w1 @ onehot  # Y^(1)'s previous token (its previous position is w1 itself)
    w2 = masked_softmax(s * prev_tok[:, ids].T, mask)  # a_ij = s y_j[prev tok: x_i]
    tok2 = w2 @ onehot  # Y^(2)'s token part (its position part is w2 itself)
    return w1, w2, tok2, softmax(tok2, 1.0)[0]


def best(f, runs: int) -> tuple[float, float]:
    """Best wall time of ``runs`` calls, and the peak traced memory of one (MiB)."""
    f()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    f()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return min(times), peak


def exponent(ns: list[int], values: list[float]) -> float:
    return float(np.polyfit(np.log(ns), np.log(values), 1)[0])


def scaling(sizes: list[int]) -> None:
    print("\nruns.run against the direct numpy floor (best time; peak traced memory)")
    print(f"{'N':>6} {'d':>6} {'run':>9} {'floor':>9} {'ratio':>6} {'run MiB':>8} {'floor MiB':>9}")
    times, peaks = [], []
    for n in sizes:
        toks = tokens(n)
        trace = run(toks)
        vocab = {t: k for k, t in enumerate(trace.vocab)}
        ids = np.array([vocab[t] for t in toks])
        w1, w2, tok2, probs = direct(ids, len(trace.vocab))
        assert np.allclose(trace.layers[1].weights, w2, atol=1e-12) and np.allclose(trace.probs, probs, atol=1e-12)
        runs = 5 if n <= 1000 else 2
        t_run, m_run = best(lambda: run(toks), runs)
        t_floor, m_floor = best(lambda: direct(ids, len(trace.vocab)), runs)
        times.append(t_run)
        peaks.append(m_run)
        print(f"{n:>6} {trace.basis.d:>6} {t_run:>8.3f}s {t_floor:>8.3f}s {t_run / t_floor:>6.2f} "
              f"{m_run:>8.1f} {m_floor:>9.1f}")
    print(f"growth exponent, N = {sizes[0]} to {sizes[-1]}: time N^{exponent(sizes, times):.2f}, "
          f"memory N^{exponent(sizes, peaks):.2f}")


def commands(quick: bool) -> None:
    beside = Path(sys.executable).with_name("induction-demo")
    tool = str(beside) if beside.exists() else shutil.which("induction-demo")
    thousand = " ".join(tokens(1000))
    runs = [("show <1000 tokens> --format json", [tool, "show", "-", "--format", "json"], thousand),
            ("bench (defaults)", [tool, "bench", "--format", "json"], None)]
    if not quick:
        runs.append(("bench --vocab 50257 --length 1024 --trials 10",
                     [tool, "bench", "--vocab", "50257", "--length", "1024", "--trials", "10", "--format", "json"],
                     None))
    print("commands (wall time; peak resident memory of the process)")
    for name, command, stdin in runs:
        seconds, peak, out = timed(command, stdin)
        note = f"{out / 1e6:.0f} MB of JSON" if name.startswith("show") else ""
        if name.startswith("bench"):
            later = json.loads(out)["later_copies"]
            note = (f"later copies: accuracy {later['accuracy']:.4f}, without accidental repeats "
                    f"{later['accuracy_without_accidental_repeats']:.4f}")
        print(f"{name:48} {seconds:6.2f} s {peak:8.1f} MiB   {note}")


def timed(command: list[str], stdin: str | None) -> tuple[float, float, bytes | int]:
    """Wall seconds, peak resident memory (MiB) and standard output of one run
    of ``command`` (its size alone past 1 MB: read into this process, it would
    count in the next child's peak); the output goes to a file, as ``>`` would."""
    import tempfile

    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out:
        given.write((stdin or "").encode())
        given.seek(0)
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=given, stdout=out, stderr=subprocess.PIPE, env=ENV)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if status != 0:
            sys.exit(f"{command[1:3]} failed: {process.stderr.read().decode()}")
        size = out.tell()
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read() if size < 1e6 else size  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip N = 3000 and the GPT-2 bench")
    args = parser.parse_args()
    commands(args.quick)  # first: a child's peak memory counts the parent's at fork
    scaling([100, 300, 1000] if args.quick else [100, 300, 1000, 3000])


if __name__ == "__main__":
    main()
