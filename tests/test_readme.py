"""README's examples of the big picture are the tool's output, as printed:
each block after an `<!-- output: ARGS -->` comment is a run of lines of
`induction-demo ARGS`."""
import re
import shlex
from pathlib import Path

import pytest

from cli_runner import invoke

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"<!-- output: (.+?) -->\n((?:    .*\n|\n)+)", README)


def test_readme_has_an_example_of_each_part_of_the_big_picture():
    commands = " ".join(args for args, _ in EXAMPLES)
    for option in ("--mask inclusive", "--factored", "--context 2", "--skip 4", "--similar subword", "circuits"):
        assert option in commands


@pytest.mark.parametrize("args, block", EXAMPLES, ids=[f"{k}: {a[:50]}" for k, (a, _) in enumerate(EXAMPLES)])
def test_each_readme_example_is_printed_as_shown(args, block):
    lines = [line[4:] for line in block.rstrip("\n").split("\n")]
    result = invoke(shlex.split(args))
    assert result.exit_code == 0, result.stderr
    printed = result.stdout.split("\n")
    starts = [k for k, line in enumerate(printed) if line == lines[0]]
    assert any(printed[k:k + len(lines)] == lines for k in starts), "\n".join(lines)
