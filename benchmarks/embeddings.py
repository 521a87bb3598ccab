"""Reading a large word-vector file: time and peak memory of --embeddings.

    python benchmarks/embeddings.py [--mib 400]

Writes a GloVe-style text file of about MIB mebibytes (300 numbers per row,
a header line) to a temporary directory, then runs `induction-demo show` on a
sentence whose words are spread through the file, with --embeddings, in its
own process, and prints the wall time and the peak resident memory. The file
is read as a stream and only the input's rows are kept, so memory stays near
that of a run without it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from limits import run  # noqa: E402

DIMENSION = 300
SENTENCE = "the cat sat on the mat . the cats"


def tool() -> str:
    beside = Path(sys.executable).with_name("induction-demo")
    return str(beside) if beside.exists() else shutil.which("induction-demo")


def write(path: str, mib: int) -> int:
    """A header, then rows of DIMENSION numbers (each row a rotation of one list,
    so rows differ), the sentence's words spread through the file."""
    numbers = [f"{(k * 7919 % 2000 - 1000) / 1000:.5f}" for k in range(DIMENSION)]
    rows = mib * 2**20 // (len(" ".join(numbers)) + 10)
    words = sorted(set(SENTENCE.split()))
    every = rows // (len(words) + 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"{rows} {DIMENSION}\n")
        for k in range(rows):
            word = words[k // every - 1] if k % every == 0 and 0 < k // every <= len(words) else f"w{k}"
            turn = k % DIMENSION
            out.write(word + " " + " ".join(numbers[turn:] + numbers[:turn]) + "\n")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        path = os.path.join(where, "vectors.txt")
        rows = write(path, args.mib)
        size = os.path.getsize(path) / 2**20
        command = [tool(), "show", SENTENCE, "--format", "json"]
        plain = run(command, None, where)
        seconds, mib, status = run(command + ["--embeddings", path], None, where)
        print(f"file: {size:.0f} MiB, {rows} rows of {DIMENSION} numbers")
        print(f"show --embeddings: {seconds:.1f} s, peak {mib:.0f} MiB (exit {status})")
        print(f"show without it:   {plain[0]:.1f} s, peak {plain[1]:.0f} MiB")


if __name__ == "__main__":
    main()
