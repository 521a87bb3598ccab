"""Every command and format under every variant, at the largest input each accepts.

    python benchmarks/commands.py [WORD ...]

README's table "Largest input per command and variant" comes from this
script. Each cell runs one command in its own process, on the largest input
its limits let through (src/induction_demo/base/inputs.py): 1000 distinct
100-character tokens on a screen, in JSON and in the other screen commands;
200 for --full and the Markdown and HTML handouts (focused past 20 tokens;
--full: every matrix) (a sweep: 500 tokens, twice, for something to copy); for LaTeX, and wherever
a limit on d refuses 200, the most tokens accepted (found by bisection, and
shown as "N = k"). It prints the wall time and the peak resident memory, and
a Markdown table to paste. None may exceed 2 GiB.

The variants: the lecture's model; --context 4 --skip 16 (7 layer-1 heads,
the widest stream); --similar subword on tokens with 4096 distinct
trigrams; --embeddings, a file of a 3000-dimension vector for each token;
sinusoidal and rope positions with --frequencies 256; relative positions.
(--mask inclusive, --positions none and --ablate cost what the lecture's
model costs, within 1.3x: benchmarks/variants.py.) WORD arguments keep only
the rows or columns whose name contains one of them.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from limits import LIMIT_MIB, run, tokens, trigram_tokens  # noqa: E402

from induction_demo.base import inputs  # noqa: E402

MOST, FULL = inputs.MAX_TOKENS, inputs.FULL_TOKENS
DIMENSIONS = 3000


def vector_file(path: str, words: list[str]) -> None:
    """A word2vec text file: each word and DIMENSIONS numbers (a seeded pattern, not all alike)."""
    with open(path, "w") as out:
        for k, word in enumerate(words):
            out.write(word + " " + " ".join(f"{((k * 7919 + j * 104729) % 2001 - 1000) / 1000:.3f}"
                                            for j in range(DIMENSIONS)) + "\n")


def variants(folder: str) -> list[tuple[str, list[str], object]]:
    """(name, options, tokens for n) of each variant."""
    vectors = os.path.join(folder, "vectors.txt")
    vector_file(vectors, tokens(MOST).split())
    return [
        ("lecture", [], tokens),
        ("--context 4 --skip 16", ["--context", "4", "--skip", "16"], tokens),
        ("--similar subword", ["--similar", "subword"], lambda n: " ".join(trigram_tokens(MOST).split()[:n])),
        (f"--embeddings ({DIMENSIONS} dim.)", ["--embeddings", vectors], tokens),
        ("sinusoidal, K = 256", ["--positions", "sinusoidal", "--frequencies", "256"], tokens),
        ("rope, K = 256", ["--positions", "rope", "--frequencies", "256"], tokens),
        ("relative", ["--positions", "relative"], tokens),
    ]


SCALES = ",".join(str(1 + k) for k in range(inputs.MAX_SCALES))
COMMANDS = [  # (name, arguments, most tokens, whether a limit on d may refuse fewer)
    ("show (table)", ["show", "-"], MOST, False),
    ("show --format json", ["show", "-", "--format", "json"], MOST, False),
    ("show --format svg", ["show", "-", "--format", "svg"], MOST, False),
    ("show --full", ["show", "-", "--full"], FULL, True),
    ("show -o .md", ["show", "-", "-o", "w.md"], FULL, True),
    ("show -o .html", ["show", "-", "-o", "w.html"], FULL, True),
    ("show -o .md --full", ["show", "-", "-o", "w.md", "--full"], FULL, True),
    ("show -o .html --full", ["show", "-", "-o", "w.html", "--full"], FULL, True),
    ("show -o .png", ["show", "-", "-o", "w.png"], FULL, False),
    ("show -o .tex", ["show", "-", "-o", "w.tex"], inputs.FORMAT_TOKENS["latex"], True),
    ("weights", ["weights", "-"], MOST, False),
    ("weights --factored", ["weights", "-", "--factored"], MOST, False),
    ("weights --full", ["weights", "-", "--full"], FULL, True),
    ("weights --full --factored", ["weights", "-", "--full", "--factored"], FULL, True),
    ("weights --format json", ["weights", "-", "--format", "json"], MOST, False),
    ("circuits", ["circuits", "-"], MOST, False),
    ("circuits --format json", ["circuits", "-", "--format", "json"], MOST, False),
    ("circuits -o .html", ["circuits", "-", "-o", "c.html"], FULL, False),
    (f"sweep, {inputs.MAX_SCALES} scales", ["sweep", "-", "--scale", SCALES], MOST, False),
]


def largest(tool: str, args: list[str], text, most: int, out_dir: str) -> tuple[int, float, float, int]:
    """(tokens, seconds, MiB, status) of the largest accepted input up to ``most`` tokens (0 tokens: refused)."""
    seconds, peak, status = run([tool, *args], text(most), out_dir)
    if status != 2:
        return most, seconds, peak, status
    good, bad = 0, most  # bisect on the number of tokens: a limit on d refused ``most``
    while bad - good > 1:
        mid = (good + bad) // 2
        seconds, peak, status = run([tool, *args], text(mid), out_dir)
        good, bad = (mid, bad) if status != 2 else (good, mid)
    if not good:
        return 0, 0.0, 0.0, 2
    seconds, peak, status = run([tool, *args], text(good), out_dir)
    return good, seconds, peak, status


def main() -> None:
    beside = Path(sys.executable).with_name("induction-demo")
    tool = str(beside) if beside.exists() else shutil.which("induction-demo")
    only = sys.argv[1:]
    worst, table = 0.0, {}
    with tempfile.TemporaryDirectory() as folder:
        found = variants(folder)
        found = [v for v in found if not only or any(w in v[0] for w in only)] or found
        commands = [c for c in COMMANDS if not only or any(w in c[0] for w in only)] or COMMANDS
        for name, args, most, bounded_by_d in commands:
            for variant, options, given in found:
                def text(n, given=given, twice=name.startswith("sweep")):
                    # (a sweep needs something to copy: the first half, twice)
                    return " ".join(given(n // 2).split() * 2) if twice else given(n)
                n, seconds, peak, status = largest(tool, [*args, *options], text, most, folder) if bounded_by_d \
                    else (most, *run([tool, *args, *options], text(most), folder))
                worst = max(worst, peak)
                if status == 2 and not n:
                    cell = "refused (d)"
                elif status:
                    cell = f"exit {status}"
                else:
                    cell = (f"N = {n}: " if n != most else "") + f"{seconds:.1f} s, {peak:.0f} MiB"
                table[name, variant] = cell
                print(f"{name:28} {variant:26} {cell}", flush=True)
    names = [v[0] for v in found]
    print("\n| command (tokens) | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for name, _, most, _ in commands:
        print(f"| {name} ({most}) | " + " | ".join(table[name, v] for v in names) + " |")
    print(f"\nlargest peak: {worst:.0f} MiB (limit {LIMIT_MIB} MiB)")
    if worst > LIMIT_MIB:
        sys.exit(1)


if __name__ == "__main__":
    main()
