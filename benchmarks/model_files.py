"""Time and peak memory of reading and checking the largest model files the
tool accepts (README, Limits): `check` at d = 4000 (V = N = 1000, and
V = 1997, N = 3: the most coverage strings), `show --model` at the views'
largest, and a JSON file just under its 32 MiB. Each runs as its own
process; the peak is the child's own resident set (resource)."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TOOL = [sys.executable, "-c", "from induction_demo.cli import main; main()"]


WRAPPER = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.DEVNULL); print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measured(*args: str) -> tuple[int, float, float]:
    """Exit status, seconds and peak resident MiB of one command (its own process, measured by a wrapper)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *TOOL, *args], capture_output=True, text=True).stdout
    seconds = time.perf_counter() - start
    code, peak = out.split()
    return int(code), seconds, int(peak) / 1024


def dense(path: Path, v: int, n: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    d = 2 * (v + n)
    np.savez(path, **{k: rng.normal(size=(d, d)) for k in ("A1", "V1", "A2", "V2")},
             vocab=np.array([f"t{i}" for i in range(v)]), n_positions=np.array(n))
    return path


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    rows = []
    for v, n in ((1000, 1000), (1997, 3)):
        path = dense(folder / f"d{v}.npz", v, n)
        rows.append((f"check, d = 4000 (V = {v}, N = {n}), dense", *measured("check", str(path))))
    doc = {"vocab": ["a", "b", "c"], "n_positions": 6}
    d = 1400  # a flat 1400 x 1400 A1: about 30 MiB of text (refused: its shape is not d x d)
    doc["A1"] = [[0.123456789012] * d for _ in range(d)]
    text = json.dumps(doc)
    path = folder / "big.json"
    path.write_text(text)
    rows.append((f"check, a {len(text) / 2**20:.0f} MiB JSON file", *measured("check", str(path))))
    print("| what | exit | time | peak memory |")
    print("| --- | --- | --- | --- |")
    for what, code, seconds, peak in rows:
        print(f"| {what} | {code} | {seconds:.1f} s | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()
