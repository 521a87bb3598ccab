"""Every variant at 1000 tokens against the lecture's model: time and peak memory.

    python benchmarks/variants.py [REPEATS]

Runs `induction-demo show - --format json` (stdout to /dev/null) on the same
1000 tokens (50 distinct words, repeating) for the lecture's model and each
variant, alone and with --ablate (which also runs the intact model), each
REPEATS times (default 3) in a fresh process, and prints the median wall
time and the peak resident memory (the child's ru_maxrss), with each ratio
to the lecture's. The issue's floor: every variant within 3x of the
default's time and memory. README's table comes from this script.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

TOKENS = " ".join(f"w{i % 50}" for i in range(1000))
VARIANTS = [
    [],
    ["--mask", "inclusive"],
    ["--context", "4", "--skip", "16"],
    ["--positions", "sinusoidal"],
    ["--positions", "relative"],
    ["--positions", "rope"],
    ["--positions", "none"],
    ["--similar", "subword"],
    ["--ablate", "previous-token"],
    ["--context", "4", "--skip", "16", "--ablate", "previous-token"],
]


def once(args: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from induction_demo.cli import main; main()", "show", "-", "--format",
                    "json"] + args,
                   input=TOKENS.encode(), stdout=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows = []
    for args in VARIANTS:
        runs = []
        for _ in range(repeats):
            # ru_maxrss of children is the largest child so far: measure each variant in its own interpreter
            out = subprocess.run([sys.executable, __file__, "--one"] + args, capture_output=True, text=True,
                                 check=True).stdout.split()
            runs.append((float(out[0]), float(out[1])))
        rows.append((" ".join(args) or "(the lecture's model)", statistics.median(r[0] for r in runs),
                     max(r[1] for r in runs)))
    base_time, base_memory = rows[0][1], rows[0][2]
    print("| options | time | peak memory | x time | x memory |")
    print("| --- | --- | --- | --- | --- |")
    for name, seconds, memory in rows:
        print(f"| `{name}` | {seconds:.2f} s | {memory:.0f} MiB | {seconds / base_time:.2f} | "
              f"{memory / base_memory:.2f} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        seconds, memory = once(sys.argv[2:])
        print(seconds, memory)
    else:
        main()
