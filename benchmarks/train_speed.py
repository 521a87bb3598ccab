"""How long `induction-demo train` takes at its defaults, and its peak memory.

    python benchmarks/train_speed.py [--runs 3] [extra train options ...]

Runs the command (JSON to a pipe, so no progress bar) in a fresh process per
run and prints, per run, the wall time, the peak resident memory of the
process (getrusage of the child) and what the report found: the phase
change's step and the circuit (README, "Learning it").
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    args = sys.argv[1:]
    runs = 3
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    for k in range(runs):
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run([sys.executable, "-c", "from induction_demo.cli import main; main()", "train",
                               "--format", "json", *args], capture_output=True, check=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the largest child so far
        report = json.loads(done.stdout)
        print(f"run {k + 1}: {seconds:.1f} s wall ({report['seconds']:.1f} s training), peak "
              f"{max(peak, before) / 1024:.0f} MiB, phase change at step {report['phase_change_step']}, "
              f"circuit {report['circuit']}")


if __name__ == "__main__":
    main()
