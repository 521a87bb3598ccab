"""Time and peak memory of reading and checking the largest model files the
tool accepts (README, Limits): `check` at d = 4000 (V = N = 1000, and
V = 1997, N = 3: the most coverage strings), `show --model` at the views'
largest, and a JSON file just under its 32 MiB; and `check` of a file of
another shape than the lecture's (a `--context 2` file of 1000 positions, d = 3060),
which runs every string through the one forward pass and each later layer
again on the hand-built ones; and `check` of the files a student makes at the
lecture's size (its 12 tokens; `--context 2`), where the thousands of small
passes are the cost, and such a file with a student's mistake (V_2 negated),
whose likely mistakes and mends are each tried out on the strings again. Each runs as its own process; the peak is the child's
own resident set (resource); with --runs K, the median of K runs. With
--against DIR (another checkout, `git worktree add /tmp/old COMMIT`), each is
run with both, alternated, and the ratio of their times given.

    python benchmarks/model_files.py --against /tmp/old --runs 5
    python benchmarks/model_files.py --only "lecture's size" --runs 5  # the cases whose name holds the words
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from limits import ENV  # noqa: E402  (each child with the bytecode cache)

TOOL = [sys.executable, "-c", "from induction_demo.cli import main; main()"]


WRAPPER = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.DEVNULL); print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measured(*args: str, checkout: Path | None = None) -> tuple[int, float, float]:
    """Exit status, seconds and peak resident MiB of one command (its own process, measured by a wrapper),
    run from ``checkout``'s src (None: this one's)."""
    env = dict(ENV, PYTHONPATH=str(checkout / "src")) if checkout is not None else ENV
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *TOOL, *args], capture_output=True, text=True,
                         env=env).stdout
    seconds = time.perf_counter() - start
    code, peak = out.split()
    return int(code), seconds, int(peak) / 1024


def dense(path: Path, v: int, n: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    d = 2 * (v + n)
    np.savez(path, **{k: rng.normal(size=(d, d)) for k in ("A1", "V1", "A2", "V2")},
             vocab=np.array([f"t{i}" for i in range(v)]), n_positions=np.array(n))
    return path


def shaped(path: Path, tokens: int, *options: str) -> Path:
    """A file (a `--context 2` one unless ``options`` say) of ``tokens`` positions over 20 tokens."""
    rng = np.random.default_rng(1)
    text = " ".join(f"w{k}" for k in rng.integers(0, 20, tokens))
    subprocess.run([*TOOL, "weights", text, *(options or ("--context", "2")), "-o", str(path)], check=True,
                   capture_output=True)
    return path


def negated(path: Path, key: str) -> Path:
    """The file at ``path`` with its array ``key`` times -1, beside it (a V of the wrong sign)."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays[key] = -arrays[key]
    out = path.with_name(path.stem + "-negated.npz")
    np.savez(out, **arrays)
    return out


def median(each: list[tuple[int, float, float]]) -> tuple[int, float, float]:
    """Runs of ``measured``: the largest exit status, the median time, the largest peak."""
    return max(e[0] for e in each), sorted(e[1] for e in each)[len(each) // 2], max(e[2] for e in each)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, help="another checkout, run alternately with this one")
    parser.add_argument("--runs", type=int, default=1, help="runs of each command; the median time is given")
    parser.add_argument("--only", default="", help="only the cases whose name holds these words")
    args = parser.parse_args()
    against, runs = args.against, args.runs
    folder = Path(tempfile.mkdtemp())
    cases = []
    for v, n in ((1000, 1000), (1997, 3)):
        path = dense(folder / f"d{v}.npz", v, n)
        cases.append((f"check, d = 4000 (V = {v}, N = {n}), dense", ("check", str(path))))
    doc = {"vocab": ["a", "b", "c"], "n_positions": 6}
    d = 1400  # a flat 1400 x 1400 A1: about 30 MiB of text (refused: its shape is not d x d)
    doc["A1"] = [[0.123456789012] * d for _ in range(d)]
    text = json.dumps(doc)
    path = folder / "big.json"
    path.write_text(text)
    cases.append((f"check, a {len(text) / 2**20:.0f} MiB JSON file", ("check", str(path))))
    cases.append(("check, a --context 2 file, d = 3(V + N) = 3060 (V = 20, N = 1000)",
                  ("check", str(shaped(folder / "context2.npz", 1000)))))
    for what, options in (("the lecture's model", ("--scale", "100")), ("a --context 2 model", ())):
        cases.append((f"check, {what} at the lecture's size (12 positions)",
                      ("check", str(shaped(folder / f"small{len(cases)}.npz", 12, *options)))))
    cases.append(("check, a --context 2 model at the lecture's size whose V_2 has the wrong sign",
                  ("check", str(negated(shaped(folder / "mistake.npz", 12), "V2.0")))))
    cases = [(what, case) for what, case in cases if args.only in what]
    for checkout in [Path(__file__).resolve().parent.parent] + ([against] if against is not None else []):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "src")], check=True,
                       capture_output=True)  # (each checkout's cache made before any run is timed)
    if against is None:
        print("| what | exit | time | peak memory |")
        print("| --- | --- | --- | --- |")
        for what, args in cases:
            code, seconds, peak = median([measured(*args) for _ in range(runs)])
            print(f"| {what} | {code} | {seconds:.1f} s | {peak:.0f} MiB |")
        return
    print(f"| what | this checkout | {against} | ratio |")
    print("| --- | --- | --- | --- |")
    for what, args in cases:
        pairs = [(measured(*args), measured(*args, checkout=against)) for _ in range(runs)]  # alternated
        ours, theirs = median([p[0] for p in pairs]), median([p[1] for p in pairs])
        print(f"| {what} | {ours[1]:.1f} s, {ours[2]:.0f} MiB (exit {ours[0]}) | {theirs[1]:.1f} s, "
              f"{theirs[2]:.0f} MiB (exit {theirs[0]}) | {theirs[1] / ours[1]:.2f} |")


if __name__ == "__main__":
    main()
