"""How long the PNG picture of a walkthrough takes to draw: a heatmap a head,
as `show -o x.png` makes it, for the lecture's string, 40 tokens (panels one
a row), and 40 and 20 tokens under --context 3 (panels in a grid, whose rows
are set apart by measuring their labels).

    python benchmarks/pictures.py [--runs 5]
    python benchmarks/pictures.py --against /tmp/old --runs 5

Each case is drawn in one process (matplotlib imported and warmed up first,
so only the drawing is timed), the median of --runs. With --against DIR (a
checkout of older code: `git worktree add /tmp/old COMMIT`), each case is
drawn by both, alternated, each in a process of its own with its checkout's
src first on the path, and the ratio of their times given.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from limits import ENV  # noqa: E402  (each child with the bytecode cache)

TEXT = ("the cat sat on the mat and the dog ran to the log while the cat sat on the mat and then the dog sat on "
        "the log too as the cat ran off and the dog sat on the")
CASES = [("the lecture's string, 6 tokens", "! a b a c b", 1), ("40 tokens", TEXT, 1),
         ("40 tokens, --context 3", TEXT, 3), ("20 tokens, --context 3", " ".join(TEXT.split()[:20]), 3)]
# run in a child: draws each case `runs` times after one unmeasured draw, prints each case's median seconds
CHILD = """
import json, sys, time
from induction_demo.cli import built
from induction_demo.core.runs import run
from induction_demo.views import documents
from induction_demo.views.render import png
from induction_demo.words.story import story
cases, runs = json.loads(sys.argv[1]), int(sys.argv[2])
out = []
for _, text, context in cases:
    tokens = tuple(text.split())
    trace = run(tokens, construction=built(tokens, context=context))
    view = documents.heatmaps(trace, story(trace))
    png.render(view)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        png.render(view)
        times.append(time.perf_counter() - start)
    out.append(sorted(times)[len(times) // 2])
print(json.dumps(out))
"""


def drawn(cases: list, runs: int, checkout: Path) -> list[float]:
    """Each case's median seconds to draw, by ``checkout``'s code."""
    env = dict(ENV, PYTHONPATH=str(checkout / "src"))
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps([list(c) for c in cases]), str(runs)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, help="another checkout, run alternately with this one")
    parser.add_argument("--runs", type=int, default=5, help="draws of each case; the median is given")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    if args.against is None:
        print("| picture | time |")
        print("| --- | --- |")
        for (what, *_), seconds in zip(CASES, drawn(CASES, args.runs, here)):
            print(f"| {what} | {seconds:.2f} s |")
        return
    print(f"| picture | this checkout | {args.against} | ratio |")
    print("| --- | --- | --- | --- |")
    for case in CASES:  # alternated, case by case
        ours, theirs = drawn([case], args.runs, here)[0], drawn([case], args.runs, args.against)[0]
        print(f"| {case[0]} | {ours:.2f} s | {theirs:.2f} s | {theirs / ours:.2f} |")


if __name__ == "__main__":
    main()
