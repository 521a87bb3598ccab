"""The whole suite beside two busy processes (`python -c "while 1: pass"`
twice, as a lecturer's laptop with other work), run several times in a row:
each run's exit status and wall time. README's figure comes from here:
`python benchmarks/suite_under_load.py --runs 3`."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=int, default=2, help="busy processes beside the suite")
    args = parser.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(args.busy)]
    try:
        for k in range(1, args.runs + 1):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"],
                                  capture_output=True, text=True)
            last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            print(f"run {k}: exit {done.returncode}, {time.perf_counter() - start:.0f} s ({last})", flush=True)
    finally:
        for process in busy:
            process.kill()


if __name__ == "__main__":
    main()
