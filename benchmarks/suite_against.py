"""The whole suite of this checkout against another's (an older commit, say
`git worktree add /tmp/old COMMIT`), run alternately in one session, each
with its own `src` first on the path: wall time and CPU time (the suite's
processes, all of them) of each run, and the ratios. With --busy, beside
that many busy processes (`python -c "while 1: pass"`).

    python benchmarks/suite_against.py /tmp/old --runs 2
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def suite(checkout: Path) -> tuple[int, float, float, str]:
    """Exit status, wall seconds, CPU seconds and pytest's last line of one run of the suite in ``checkout``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"],
                          cwd=checkout, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return done.returncode, wall, cpu, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="the other checkout")
    parser.add_argument("--runs", type=int, default=2, help="runs of each, alternated")
    parser.add_argument("--busy", type=int, default=0, help="busy processes beside the suite")
    args = parser.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(args.busy)]
    totals = {"other": [0.0, 0.0], "this": [0.0, 0.0]}
    try:
        for k in range(1, args.runs + 1):
            for name, checkout in (("other", args.other.resolve()), ("this", HERE)):
                code, wall, cpu, last = suite(checkout)
                totals[name][0] += wall
                totals[name][1] += cpu
                print(f"run {k}, {name} ({checkout}): exit {code}, wall {wall:.0f} s, CPU {cpu:.0f} s ({last})",
                      flush=True)
    finally:
        for process in busy:
            process.kill()
    (ow, oc), (tw, tc) = totals["other"], totals["this"]
    print(f"this checkout against the other: wall {ow / tw:.2f} times faster, CPU {oc / tc:.2f} times less")


if __name__ == "__main__":
    main()
