"""How long `induction-demo train` takes at its defaults, and its peak memory,
on a quiet machine and beside two busy processes; and the thread cap's
speed-up, as a ratio in the same run (one BLAS thread, train's default,
against INDUCTION_DEMO_THREADS=0: a thread per core, numpy's own choice).

    python benchmarks/train_speed.py [--runs 1] [--ratio-steps 300]

Each run is a fresh process (JSON to a pipe, so no progress bar); per run:
the wall time, the peak resident memory (getrusage of the child, through a
wrapper), the phase change's step and the circuit (README, "Learning it").
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time

WRAPPER = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
           "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n' + "
           "p.stdout.decode()); sys.exit(p.returncode)")
TRAIN = [sys.executable, "-c", "from induction_demo.cli import main; main()", "train", "--format", "json"]


def timed(*args: str, threads: str | None = None) -> tuple[float, float, dict]:
    env = dict(os.environ)
    if threads is not None:
        env["INDUCTION_DEMO_THREADS"] = threads
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *TRAIN, *args], capture_output=True, check=True, env=env)
    seconds = time.perf_counter() - start
    peak, out = done.stdout.decode().split("\n", 1)
    return seconds, int(peak) / 1024, json.loads(out)


@contextlib.contextmanager
def busy(count: int = 2):
    workers = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for w in workers:
            w.kill()


def report(label: str, seconds: float, peak: float, doc: dict) -> None:
    print(f"{label}: {seconds:.1f} s wall ({doc['seconds']:.1f} s training), peak {peak:.0f} MiB, "
          f"phase change at step {doc['phase_change_step']}, circuit {doc['circuit']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--ratio-steps", type=int, default=300, help="steps of the capped/uncapped comparison")
    args = parser.parse_args()
    for k in range(args.runs):
        report(f"defaults, quiet, run {k + 1}", *timed())
    with busy():
        for k in range(args.runs):
            report(f"defaults, beside two busy processes, run {k + 1}", *timed())
        steps = ["--steps", str(args.ratio_steps)]
        one = timed(*steps)[0]
        every = timed(*steps, threads="0")[0]
        print(f"{args.ratio_steps} steps beside two busy processes: one BLAS thread {one:.1f} s, a thread per core "
              f"{every:.1f} s: {every / one:.1f} times faster capped", flush=True)
    one = timed(*steps)[0]
    every = timed(*steps, threads="0")[0]
    print(f"{args.ratio_steps} steps, quiet: one BLAS thread {one:.1f} s, a thread per core {every:.1f} s: "
          f"{every / one:.2f} times faster capped", flush=True)


if __name__ == "__main__":
    main()
