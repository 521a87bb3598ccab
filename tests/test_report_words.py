"""train's report obeys the story's rule (issue 28, item 6): each claim is
read off measured numbers. This reader parses every kind of sentence the
report makes (the phase change or its absence, where the heads form, the
in-context-learning score, the circuit found and why) out of the Markdown
report and re-derives each number it names from the run's own history and
path ablation, with its own code."""
from __future__ import annotations

import re

import numpy as np
import pytest

from induction_demo.uses import learned, training

NUMBER = r"(-?\d+\.\d+)"


def report(c: training.Config, params: dict | None = None):
    """A run (trained, or hand-set ``params`` measured as if trained) and its Markdown report as one line."""
    if params is None:
        run = training.train(c)
    else:
        held, repeats = training.sequences(np.random.default_rng([c.seed, 2]), c, training.EVAL_BATCH)
        first = {"step": 0, **training.measured({k: v * 0.0 for k, v in params.items()}, c, held, repeats)}
        run = training.Run(c, params, [first, {"step": c.steps, **training.measured(params, c, held, repeats)}],
                           0.0, False)
    found = learned.analysed(run)
    text = learned.produce(run, found, "markdown")
    text = "".join(text) if not isinstance(text, str) else text
    return run, found, " ".join(text.replace("\\'", "'").split())  # (Markdown writes an apostrophe \\')


def two(x: float) -> str:
    """Two decimals, as the report writes them: a value that rounds to 0 has no sign."""
    text = f"{x:.2f}"
    return text[1:] if text == "-0.00" else text


def check_phase(text: str, run) -> None:
    acc = [h["accuracy"] for h in run.history]
    steps = [h["step"] for h in run.history]
    found = re.search(r"Phase change at step (\d+): the accuracy on the repeated half rose from " + NUMBER + " to "
                      + NUMBER + r" between steps (\d+) and (\d+), (\d+)% of its whole rise \(" + NUMBER
                      + r" at the start, " + NUMBER + r" at best\)", text)
    if found is None:
        found = re.search(r"No phase change: the steepest window \(steps (\d+) to (\d+)\) holds (\d+)% of its "
                          r"whole rise( \(more than all of it: the accuracy first fell below its start\))?, from "
                          + NUMBER + " to " + NUMBER, text)
        assert found, text[:400]
        a, b = int(found[1]), int(found[2])
        assert two(acc[0]) == found[5] and two(max(acc)) == found[6]
        share = (acc[steps.index(b)] - acc[steps.index(a)]) / (max(acc) - acc[0]) if max(acc) > acc[0] else 0.0
        assert f"{share:.0%}" == found[3] + "%"
        assert (found[4] is not None) == (share > 1)
        if share > 1:  # the reason's premise: the window starts below the first accuracy
            assert acc[steps.index(a)] < acc[0]
        return
    step, lo, hi, a, b, share, first, best = found.groups()
    a, b = int(a), int(b)
    assert two(acc[steps.index(a)]) == lo and two(acc[steps.index(b)]) == hi
    assert two(acc[0]) == first and two(max(acc)) == best
    assert f"{(acc[steps.index(b)] - acc[steps.index(a)]) / (max(acc) - acc[0]):.0%}" == share + "%"
    middle = (acc[steps.index(a)] + acc[steps.index(b)]) / 2  # the step: the first in the window past half its rise
    assert int(step) == next(s for s, x in zip(steps, acc) if a <= s <= b and x >= middle)


def check_formation(text: str, run) -> None:
    found = re.search(r"previous-token (step \d+|no step[^,]*), duplicate-token (step \d+|no step[^,]*), induction "
                      r"(step \d+|no step[^.]*)\.", text)
    assert found, text[:400]
    for said, key in zip(found.groups(), ("previous_token_score", "duplicate_token_score", "induction_score")):
        values = [h[key] for h in run.history]
        rise = max(values) - values[0]
        if rise < 0.1:
            assert said.startswith("no step")
        else:
            half = next(h["step"] for h in run.history if h[key] - values[0] >= rise / 2)
            assert said == f"step {half}"


def check_icl(text: str, run) -> None:
    early, late = training.icl_tokens(run.config.length)
    found = re.search(r"here token (\d+) minus token (\d+) of (\d+)[^:]*: " + NUMBER + " at step 0, " + NUMBER
                      + r" at the end( \(negative)?", text)
    assert found, text[:400]
    assert (int(found[1]), int(found[2]), int(found[3])) == (late, early, run.config.length)
    scores = [h["loss_by_position"][late - 1] - h["loss_by_position"][early - 1] for h in (run.history[0],
                                                                                          run.history[-1])]
    assert (found[4], found[5]) == (two(scores[0]), two(scores[1]))
    assert (found[6] is not None) == two(scores[1]).startswith("-")  # the reason only where its premise shows


def check_circuit(text: str, found: dict) -> None:
    cut = found["paths"]
    for path in training.PATHS:
        said = re.search(rf"cutting its {path} from layer 1 leaves induction {NUMBER} and accuracy {NUMBER}", text)
        assert said, path
        assert (said[1], said[2]) == (two(cut[path]["induction_score"]), two(cut[path]["accuracy"]))
    keys = 1 - cut["keys"]["induction_score"] / cut["intact"]["induction_score"]
    queries = 1 - cut["queries"]["induction_score"] / cut["intact"]["induction_score"]
    if "the key path carries it" in text:
        assert keys >= learned.DROP and keys > queries
    if "the query path carries it" in text:
        assert queries >= learned.DROP and queries > keys


@pytest.mark.parametrize("kind", ["lecture", "pointer", "even"])
def test_every_kind_of_report_sentence_is_read_off_the_numbers_of_a_hand_set_model(kind):
    from test_train import _params

    c = training.Config(vocab=8, length=16, steps=100)
    run, found, text = report(c, _params(c, kind))
    check_phase(text, run)
    check_formation(text, run)
    check_icl(text, run)
    check_circuit(text, found)


@pytest.mark.parametrize("seed, mask", [(0, "strict"), (3, "inclusive")])
def test_every_kind_of_report_sentence_is_read_off_the_numbers_of_a_short_training(seed, mask):
    c = training.Config(vocab=8, length=16, steps=150, batch=16, seed=seed, mask=mask)
    run, found, text = report(c)
    check_phase(text, run)
    check_formation(text, run)
    check_icl(text, run)
    check_circuit(text, found)
