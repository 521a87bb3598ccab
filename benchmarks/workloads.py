"""Time and peak memory of the heavy commands, each in its own process:

    python benchmarks/workloads.py

- `induction-demo bench --vocab 50 --length 100 --trials 100`
- `induction-demo show <1000 tokens> --format json`

and, in this process, where a 1000-token run of the model spends its time:
the matrix products of the forward pass against the whole of `model.run`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
THOUSAND = " ".join(f"t{i % 97}" for i in range(1000))


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{command[:3]} failed: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def forward_share() -> None:
    import numpy as np

    from induction_demo import model

    tokens = tuple(THOUSAND.split())
    start = time.perf_counter()
    trace = model.run(tokens)
    total = time.perf_counter() - start
    y0, y1 = trace.embedding, trace.layers[0].output
    start = time.perf_counter()
    for y, layer in ((y0, trace.layers[0]), (y1, trace.layers[1])):
        _ = y @ layer.A @ y.T  # the logits
        _ = layer.weights @ y @ layer.V  # the weighted values
    products = time.perf_counter() - start
    d = trace.basis.d
    print(f"model.run, 1000 tokens (d = {d}): {total:.2f} s, of which the four matrix products "
          f"{products:.2f} s ({100 * products / total:.0f}%); numpy {np.__version__}")


def main() -> None:
    beside = Path(sys.executable).with_name("induction-demo")
    tool = str(beside) if beside.exists() else shutil.which("induction-demo")
    runs = {
        "bench --vocab 50 --length 100 --trials 100": [tool, "bench", "--vocab", "50", "--length", "100",
                                                       "--trials", "100"],
        "show <1000 tokens> --format json": [tool, "show", THOUSAND, "--format", "json"],
    }
    for name, command in runs.items():
        seconds, peak = measure(command)
        print(f"{name:45} {seconds:6.2f} s   peak {peak:7.1f} MiB")
    forward_share()


if __name__ == "__main__":
    main()
