"""How long `induction-demo show "! a b a c b"` takes next to importing its
dependencies: `python -c "import numpy, rich, click"`.

    python benchmarks/startup.py [--runs 20]

Prints the median and best wall time of each over the runs, and their ratio
(median over median), run interleaved and with the bytecode cache on. The
target is a ratio of at most 1.3: the show imports what it needs when it
needs it.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(Path(__file__).parent))
from limits import ENV  # noqa: E402  (as a user's machine runs them: with Python's bytecode cache)


def wall_times(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    # The script beside this Python, not a version manager's shim (pyenv's
    # shims run bash first), so both commands start the same interpreter.
    beside = Path(sys.executable).with_name("induction-demo")
    tool = str(beside) if beside.exists() else shutil.which("induction-demo")
    if tool is None:
        sys.exit("induction-demo is not installed: pip install -e '.[test]'")
    commands = {
        "imports": [sys.executable, "-c", "import numpy, rich, click"],
        "show": [tool, "show", "! a b a c b"],
    }
    for command in commands.values():  # warm the file cache
        wall_times(command, 2)
    times = {name: [] for name in commands}
    for _ in range(args.runs):  # interleaved, so that drift in the machine's load hits both alike
        for name, command in commands.items():
            times[name] += wall_times(command, 1)
    medians = {}
    for name, runs in times.items():
        medians[name] = statistics.median(runs)
        print(f"{name:8} median {medians[name] * 1000:7.1f} ms  best {min(runs) * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"ratio    {medians['show'] / medians['imports']:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
