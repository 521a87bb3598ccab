"""The largest input each command and format accepts: its time and peak memory.

    python benchmarks/limits.py

Every limit is in src/induction_demo/base/inputs.py; this runs, in its own
process, the largest input each limit lets through (tokens as long as a token
may be, all distinct, so d = 2(V + N) is as large as it gets) and prints the
wall time and the peak resident memory. None may exceed 2 GB.
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from induction_demo.base import inputs

# Children run as on a user's machine, with Python's bytecode cache: where the environment turns it off
# (PYTHONDONTWRITEBYTECODE), each run compiled the tool's modules again (0.1 to 0.2 s), and a checkout
# without its cache looked that much slower than another
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
LIMIT_MIB = 2048


def tokens(n: int, distinct: int | None = None) -> str:
    """n tokens of the longest length, ``distinct`` of them different (default: all)."""
    distinct = n if distinct is None else distinct
    return " ".join("x" * (inputs.MAX_TOKEN_CHARS - 5) + f"{i % distinct:05d}" for i in range(n))


def trigram_tokens(n: int) -> str:
    """n distinct tokens whose character trigrams number just under similar.MAX_FEATURES."""
    from induction_demo.core.similar import MAX_FEATURES

    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    words, seen = [], set()
    for k in range(n):
        word = letters[k % 36] + letters[k // 36 % 36] + letters[k // 1296 % 36] + "x" * 3
        marked = f"<{word}>"
        grams = {marked[i:i + 3] for i in range(len(marked) - 2)}
        if len(seen | grams) > MAX_FEATURES:
            word = words[k % len(words)]  # a repeat adds no trigram
        else:
            seen |= grams
        words.append(word)
    return " ".join(words)


def run(command: list[str], text: str | None, out_dir: str) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory (MiB) and exit status of one run (output to a file)."""
    with tempfile.TemporaryFile() as given, open(os.path.join(out_dir, "out"), "wb") as out:
        given.write((text or "").encode())
        given.seek(0)
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=given, stdout=out, stderr=subprocess.PIPE, env=ENV, cwd=out_dir)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if status:
            print(process.stderr.read().decode().strip(), file=sys.stderr)
        return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    beside = Path(sys.executable).with_name("induction-demo")
    tool = str(beside) if beside.exists() else shutil.which("induction-demo")
    most, full, handout = inputs.MAX_TOKENS, inputs.FULL_TOKENS, inputs.FORMAT_TOKENS["html"]
    latex_n = inputs.LATEX_MAX_D // 4  # N = V = 30: d = 120
    trial = inputs.BENCH_MAX_TRIAL_TOKENS
    arrays = inputs.bench_arrays(8, 4)  # the heads of --context 4 --skip 16, and the context-1 run beside
    wide = (math.isqrt(inputs.BENCH_MAX_TRIAL_BYTES // (8 * arrays)) - 1) // 2
    length = (trial - 1) // 2
    trials = inputs.BENCH_MAX_CELLS // (1 + 2 * length) ** 2
    cases = [
        (f"show, table, {most} tokens", ["show", "-"], tokens(most)),
        (f"show --format json, {most} tokens", ["show", "-", "--format", "json"], tokens(most)),
        (f"show --format svg, {most} tokens", ["show", "-", "--format", "svg"], tokens(most)),
        (f"show --full, {full} tokens", ["show", "-", "--full"], tokens(full)),
        (f"show --full --format svg, {full} tokens", ["show", "-", "--full", "--format", "svg"], tokens(full)),
        (f"show -o .md, {handout} tokens", ["show", "-", "-o", "w.md"], tokens(handout)),
        (f"show -o .html, {handout} tokens", ["show", "-", "-o", "w.html"], tokens(handout)),
        (f"show -o .png, {handout} tokens", ["show", "-", "-o", "w.png"], tokens(handout)),
        (f"show -o .tex, {latex_n} tokens (d = 120)", ["show", "-", "-o", "w.tex"], tokens(latex_n)),
        (f"weights, {most} tokens", ["weights", "-"], tokens(most)),
        (f"weights --full, {full} tokens", ["weights", "-", "--full"], tokens(full)),
        (f"weights --format json, {most} tokens", ["weights", "-", "--format", "json"], tokens(most)),
        (f"sweep, {most} tokens, {inputs.MAX_SCALES} scales",
         ["sweep", "-", "--scale", ",".join(str(1 + k) for k in range(inputs.MAX_SCALES))], tokens(most, 500)),
        (f"show --context {inputs.MAX_CONTEXT} --skip {inputs.MAX_SKIP}, {most} tokens (7 layer-1 heads)",
         ["show", "-", "--context", str(inputs.MAX_CONTEXT), "--skip", str(inputs.MAX_SKIP)], tokens(most)),
        (f"show --format json --context {inputs.MAX_CONTEXT} --skip {inputs.MAX_SKIP}, {most} tokens",
         ["show", "-", "--format", "json", "--context", str(inputs.MAX_CONTEXT), "--skip", str(inputs.MAX_SKIP)],
         tokens(most)),
        (f"circuits --format json --context {inputs.MAX_CONTEXT} --skip {inputs.MAX_SKIP}, {most} tokens",
         ["circuits", "-", "--format", "json", "--context", str(inputs.MAX_CONTEXT), "--skip",
          str(inputs.MAX_SKIP)], tokens(most)),
        (f"show --format json --similar subword, {most} tokens (4096 trigrams)",
         ["show", "-", "--format", "json", "--similar", "subword"], trigram_tokens(most)),
        (f"bench, {trials} trials of {1 + 2 * length} tokens",
         ["bench", "--length", str(length), "--trials", str(trials), "--vocab", str(inputs.BENCH_MAX_VOCAB),
          "--format", "json"], None),
        (f"bench --context 4 --skip 16, 1 trial of {1 + 2 * wide} tokens (8 heads)",
         ["bench", "--context", "4", "--skip", "16", "--length", str(wide), "--trials", "1", "--vocab", "5000",
          "--format", "json"], None),
    ]
    print(f"{'largest accepted input':52} {'time':>8} {'peak':>10}")
    worst = 0.0
    only = sys.argv[1:]  # names containing any of these words (default: all)
    cases = [c for c in cases if not only or any(word in c[0] for word in only)]
    with tempfile.TemporaryDirectory() as out_dir:
        for name, args, text in cases:
            seconds, peak, status = run([tool, *args], text, out_dir)
            worst = max(worst, peak)
            flag = "" if status == 0 else f"  exit {status}"
            print(f"{name:52} {seconds:7.2f}s {peak:7.0f} MiB{flag}")
    print(f"largest peak: {worst:.0f} MiB (limit {LIMIT_MIB} MiB)")
    if worst > LIMIT_MIB:
        sys.exit(1)


if __name__ == "__main__":
    main()
