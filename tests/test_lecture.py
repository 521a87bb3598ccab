"""induction-demo lecture: the walkthrough one step at a time (issue 29, item 1)."""
from __future__ import annotations

import re
import sys

import pytest

from cli_runner import invoke

LECTURE = "! a b a c b"
TITLES = ["The input and Y^(0)", "Layer 1: previous-token head, its A", "Layer 1: the attention logits, the job marked",
          "Layer 1: the masked logits", "Layer 1: the attention weights", "Layer 1: what it writes",
          "Layer 2: induction head, its A", "Layer 2: the attention logits, the job marked",
          "Layer 2: the masked logits", "Layer 2: the attention weights", "Layer 2: what it writes",
          "The predictions", "Now tell the story", "The story of layer 1", "The story of layer 2"]


def titles(out: str) -> list[str]:
    return [m[2] for m in re.findall(r"── Step (\d+) of (\d+): (.+?) ─", out)]


def test_without_a_terminal_it_prints_every_step_in_the_lecture_s_order_the_story_last():
    result = invoke(["lecture", LECTURE, "--width", "80"])
    assert result.exit_code == 0, result.stderr
    assert titles(result.stdout) == TITLES
    assert max(map(len, result.stdout.splitlines())) <= 80
    before, story = result.stdout.split("Now tell the story", 1)
    assert "so it predicts" not in before and "so it predicts `b`" in story  # the outputs first, then the story


@pytest.mark.parametrize("args, count", [
    (["--circuit", "virtual", "b c d . x c e . b c"], 3), (["--circuit", "pointer", LECTURE], 2),
    (["--context", "2", "--ablate", "previous-token", "b c d . x c e . b c"], 2)])
def test_every_knob_of_show_steps_through_each_layer(args, count):
    *options, text = args
    result = invoke(["lecture", text, *options, "--width", "100"])
    assert result.exit_code == 0, result.stderr
    found = titles(result.stdout)
    assert [t for t in found if t.endswith("what it writes")] == [f"Layer {k}: what it writes"
                                                                   for k in range(1, count + 1)]
    assert found[-1] == f"The story of layer {count}"


def test_on_a_terminal_a_key_steps_on_the_left_arrow_back_and_q_quits():
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-c", "from induction_demo.cli import main; main()", "lecture", LECTURE],
                          dimensions=(24, 80), encoding="utf-8", timeout=60, env={"TERM": "xterm", "NO_COLOR": "1",
                                                                                   "PATH": "/usr/bin:/bin"})
    child.expect("Step 1 of 15: The input")
    child.send(" ")
    child.expect("Step 2 of 15: Layer 1")
    child.send("\x1b[C")  # →
    child.expect("Step 3 of 15")
    child.send("\x1b[D")  # ←
    child.expect("Step 2 of 15")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
