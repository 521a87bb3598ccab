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


TWENTY_FOUR = "! a b c d e f a b c d e f g h a b c d i j k a b c"


def test_every_question_of_a_sheet_has_room_to_answer_in_every_format_and_the_key_none(tmp_path):
    """Issue 30, item 9: ruled lines under each question (a boxed blank in Markdown), at 24 tokens too."""
    count = len(quiz.questions(run(tuple(TWENTY_FOUR.split()))))
    lines = quiz.ANSWER_LINES
    found = {form: invoke(["quiz", TWENTY_FOUR, "--format", form, "--width", "80"]).stdout
             for form in ("table", "markdown", "latex", "html")}
    assert found["table"].count("   " + "_" * 69) == count * lines
    assert found["markdown"].count("```text\nAnswer:\n" + " \n" * lines + "```") == count
    assert found["latex"].count(r"\hrulefill") == count * lines
    assert len(re.findall(r'class="answer"[^>]*>(?:<div style="height: 2em; border-bottom[^>]*></div>){3}</div>',
                          found["html"])) == count
    for form in ("markdown", "latex", "html"):
        key = invoke(["quiz", TWENTY_FOUR, "--key", "--format", form]).stdout
        assert "hrulefill" not in key and 'class="answer"' not in key and "```text" not in key


def test_a_question_and_its_lines_stay_on_one_printed_page(tmp_path):
    """Each question is set with its answer lines in one unbreakable box (LaTeX), compiled where pdflatex is."""
    import shutil
    import subprocess

    tex = invoke(["quiz", TWENTY_FOUR, "--format", "latex"]).stdout
    boxes = re.findall(r"\\begin\{minipage\}\{\\linewidth\}(\d+)\. .*?\\end\{minipage\}", tex)
    assert boxes == [str(k) for k in range(1, len(boxes) + 1)] and len(boxes) >= 4
    if shutil.which("pdflatex"):
        (tmp_path / "q.tex").write_text(tex)
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "q.tex"], cwd=tmp_path,
                              capture_output=True, timeout=600)
        assert done.returncode == 0, done.stdout[-1500:]
