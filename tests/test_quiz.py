"""quiz TOKENS: questions on one run, and an answer key whose every number is the trace's."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.uses import quiz
from induction_demo.core.runs import run

LECTURE = "! a b a c b"
AT = re.compile(r"@(\d+)")


def check_answers(trace) -> set[str]:
    """Hold each answer's numbers against the trace; the kinds asked."""
    asked = quiz.questions(trace)
    for q in asked:
        answer = q.answer.text
        if q.kind == "copy":
            i = int(AT.search(q.ask.text).group(1))
            j, w = re.search(r"attends to `[^`]*` \(@(\d+)\) \(weight ([\d.]+)\)", answer).groups()
            assert int(j) == int(np.argmax(trace.induction.weights[i]))
            assert w == f"{trace.induction.weights[i].max():.2f}"
            assert trace.predictions[i].copy and f"predicts `{trace.predictions[i].next}`" in answer
        elif q.kind == "write":
            i = int(AT.search(q.ask.text).group(1))
            tok, tv, pos, pv = re.search(r"the token `([^`]*)` \(prev tok ([\d.]+)\) and the position @(\d+) "
                                         r"\(prev pos ([\d.]+)\)", answer).groups()
            y = trace.look_back.output
            assert tok == trace.vocab[int(np.argmax(y.block("prev tok")[i]))] == trace.tokens[i - 1]
            assert int(pos) == i - 1 and tv == f"{y.block('prev tok')[i].max():.2f}" and pv == tv
        elif q.kind == "nothing":
            named = [int(k) for k in re.findall(r"@(\d+) \(`", answer)]
            assert named == [p.position for p in trace.predictions if not p.copyable]
        elif q.kind == "predict":
            i = int(AT.search(q.ask.text).group(1))
            tokens = re.findall(r"`([^`]*)`", answer.split(" with probability")[0])
            prob = re.search(r"with probability ([\d.]+)", answer).group(1)
            assert set(tokens) == set(trace.predictions[i].output)
            assert prob == f"{trace.probs[i, trace.vocab.index(tokens[0])]:.2f}"
        elif q.kind == "split":
            i = int(AT.search(answer).group(1))
            top = np.flatnonzero(np.isclose(trace.induction.weights[i], trace.induction.weights[i].max()))
            assert len(top) > 1 and "split" in answer
    return {q.kind for q in asked}


def test_the_lecture_s_key_is_the_trace_s():
    kinds = check_answers(run(tuple(LECTURE.split())))
    assert kinds == {"copy", "write", "nothing", "predict"}  # no split in the lecture's string


@given(st.lists(st.sampled_from(list("abcd")), min_size=2, max_size=14))
@settings(max_examples=60, deadline=None)
def test_every_answer_on_random_strings_is_the_trace_s(tokens):
    check_answers(run(("!",) + tuple(tokens)))


@pytest.mark.parametrize("seed", range(8))
def test_a_seed_draws_a_string_with_a_copy_a_split_and_nothing_to_copy(seed):
    tokens = quiz.drawn(seed)
    assert tokens == quiz.drawn(seed)  # the same sheet for the same seed
    assert {"copy", "split", "nothing"} <= check_answers(run(tokens))


def test_the_sheet_has_no_story_and_the_key_the_same_numbering(tmp_path):
    sheet = invoke(["quiz", LECTURE, "--format", "markdown"]).stdout
    key = invoke(["quiz", LECTURE, "--key", "--format", "markdown"]).stdout
    assert "What layer" not in sheet and "predicts" not in sheet and "[" not in sheet.split("## Questions")[0]
    asked = re.findall(r"^(\d+)\. (.*)$", sheet, re.M)
    answered = re.findall(r"^(\d+)\. (.*)$", key, re.M)
    assert asked == answered and len(asked) == 4 and key.count("Answer: ") == 4


def test_seed_and_tokens_are_one_or_the_other():
    assert invoke(["quiz"]).exit_code == 2
    assert invoke(["quiz", LECTURE, "--seed", "1"]).exit_code == 2
    result = invoke(["quiz", LECTURE, "-o", "quiz.json"])
    assert result.exit_code == 2 and "a quiz is a handout" in result.stderr
    assert invoke(["quiz", "--seed", "4", "--key"]).exit_code == 0


def test_a_long_quiz_fits_80_columns_and_user_tokens_are_escaped():
    text = " ".join("abcdefg"[i % 7] for i in range(40))
    result = invoke(["quiz", text], env={"COLUMNS": "80"})
    assert result.exit_code == 0 and max(len(line) for line in result.stdout.splitlines()) <= 80
    html = invoke(["quiz", "<b> & <b> x", "--key", "--format", "html"]).stdout
    assert "<b>" not in html and "&lt;b&gt;" in html
