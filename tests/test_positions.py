"""Positional encodings (seed 001): the previous-token head built five ways,
each held to the plain-Python rule in reference.py on random strings."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.core.runs import run
from induction_demo.base.inputs import POSITIONS
from induction_demo.core.weights import Construction, frequencies, sinusoid
from reference import predicted, predicted_with_positions, previous_weights

token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "!"]), min_size=1, max_size=20).map(tuple)
TOLERANCE = 1e-9  # the schemes compute what the rule says; floats differ only in rounding


@pytest.mark.parametrize("positions", POSITIONS)
@given(tokens=token_strings, scale=st.sampled_from([100.0, 10.0, 3.0]))
@settings(max_examples=200, deadline=None)
def test_layer1_weights_are_the_rules(positions, tokens, scale):
    w = run(tokens, scale, construction=Construction(positions=positions)).layers[0].weights
    for i in range(len(tokens)):
        for j, expected in previous_weights(tokens, i, positions, scale).items():
            assert abs(w[i, j] - expected) < TOLERANCE


@pytest.mark.parametrize("positions", POSITIONS)
@given(tokens=token_strings)
@settings(max_examples=200, deadline=None)
def test_predictions_are_the_rules(positions, tokens):
    trace = run(tokens, construction=Construction(positions=positions))
    for p in trace.predictions:
        expected = predicted_with_positions(tokens, p.position, positions)
        if expected:  # something to copy: the model outputs what the rule says
            assert set(p.output) == expected, p
        # a copy needs something to copy; NoPE's diluted match may leave only a blend
        assert not p.copy or expected, p
        assert set(p.candidates) == (set(p.output) if p.copy else set())


@given(token_strings)
def test_relative_bias_gives_the_lecture_s_predictions_with_no_position_in_the_stream(tokens):
    trace = run(tokens, construction=Construction(positions="relative"))
    assert trace.basis.names == ("tok", "prev tok")
    for p in trace.predictions:
        assert set(p.candidates) == predicted(tokens, p.position)


def test_sinusoidal_codes_and_rope_rotations_give_the_same_logits():
    tokens = tuple("! a b a c b".split())
    sin = run(tokens, construction=Construction(positions="sinusoidal")).layers[0].logits
    rope = run(tokens, construction=Construction(positions="rope")).layers[0].logits
    assert np.allclose(sin, rope, atol=1e-9)
    assert np.allclose(np.diag(sin, -1), 100.0)  # s at the previous position


def test_the_sinusoidal_code_is_sin_and_cos_of_each_frequency():
    code = sinusoid(np.arange(3), 2)
    w = frequencies(2)
    assert np.allclose(code[2], [np.sin(2 * w[0]), np.cos(2 * w[0]), np.sin(2 * w[1]), np.cos(2 * w[1])])
    assert w[0] == 1.0 and w[1] == pytest.approx(0.01)


def test_nope_spreads_evenly_and_the_story_gives_each_copy_s_share_and_logit():
    trace = run(tuple("! a b a c b".split()), construction=Construction(positions="none"))
    w = trace.layers[0].weights
    assert all(np.allclose(w[i, :i], 1 / i) for i in range(1, 6))
    assert trace.predictions[3].next == "b" and trace.predictions[5].next == "a"
    story = " ".join(s.text for s in __import__("induction_demo.words.story", fromlist=["story"]).story(trace)[2])
    # the key after the earlier copy holds the query's token with share c/m, and its logit is s times that:
    # @3 `a` at @2 (`b`'s previous half: the mean of `!` and `a`, share 1/2), @5 `b` at @3 (share 1/3)
    assert "`a` (@3) at `b` (@2), share 0.50, logit 50.0, weight 1.00" in story
    assert "`b` (@5) at `a` (@3), share 0.33, logit 33.3, weight 1.00" in story
    assert "half-survives" not in story  # the weights are 1.00: nothing half-survived (issue 25, defect 12)


def test_bench_reports_each_scheme_and_nope_half_survives():
    doc = json.loads(invoke(["bench", "--positions", "none", "--format", "json"]).stdout)
    assert doc["config"]["positions"] == "none"
    assert 0.7 < doc["later_copies"]["accuracy"] < 0.9  # the copy half-survives (one-hot: 0.96)
    assert doc["induction_score"] < 0.3
    relative = json.loads(invoke(["bench", "--positions", "relative", "--format", "json"]).stdout)
    lecture = json.loads(invoke(["bench", "--format", "json"]).stdout)
    assert relative["later_copies"] == lecture["later_copies"]


def test_sweep_layer_1_meets_its_closed_form():
    for positions in POSITIONS:
        doc = json.loads(invoke(["sweep", "! a b a c b", "--positions", positions, "--layer", "1", "--format",
                                 "json"]).stdout)
        assert doc["layer"] == 1
        assert np.allclose(doc["measured"], doc["closed_form"], atol=1e-9)


@pytest.mark.parametrize("positions", POSITIONS)
@pytest.mark.parametrize("command", ["show", "weights", "circuits"])
def test_every_scheme_in_every_format(positions, command):
    # show's table, JSON and Markdown are golden cases (cases/positions-*)
    forms = {"show": ["latex", "html", "svg"], "weights": ["table", "json"],
             "circuits": ["table", "json", "markdown", "latex", "html", "svg"]}[command]
    for form in forms:
        result = invoke([command, "! a b a c b", "--positions", positions, "--format", form])
        assert result.exit_code == 0, (form, result.stderr)


def test_rope_with_dense_token_vectors_is_refused_in_one_line():
    result = invoke(["show", "a b a", "--positions", "rope", "--similar", "case"])
    assert result.exit_code == 2 and "rope needs one-hot tokens" in result.stderr


def test_the_positions_command_sets_every_scheme_side_by_side():
    doc = json.loads(invoke(["positions", "! a b a c b", "--format", "json"]).stdout)
    assert [s["positions"] for s in doc["schemes"]] == list(POSITIONS)
    by = {s["positions"]: s["previous_weight"] for s in doc["schemes"]}
    assert by["one-hot"] == by["relative"] and min(by["one-hot"]) > 0.999
    assert by["none"] == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    for form in ("table", "markdown", "latex", "html", "svg"):
        result = invoke(["positions", "! a b a c b", "--format", form])
        assert result.exit_code == 0 and "sinusoidal" in result.stdout, form


def test_the_positions_picture(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "p.png"
    assert invoke(["positions", "! a b a c b", "-o", str(out)]).exit_code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_positions_says_where_its_five_schemes_come_from_in_a_reader_s_words():
    """The opening read "built five ways (seed 001)": the name of a file of the project's lecture notes, which a
    reader takes for a random seed (nothing in `positions` is random)."""
    out = " ".join(invoke(["positions", "a b a c b", "--width", "1000"]).stdout.split())
    assert "seed" not in out
    assert "built with each of the five position schemes of the lecture on positional encodings" in out


def test_no_help_names_a_file_of_the_project_s_notes():
    """`positions --help` said "each position encoding of seed 001": the notes' file name, not a reader's word."""
    for command in ("show", "lecture", "weights", "circuits", "positions", "bench", "sweep", "train", "quiz", "check"):
        assert "seed 00" not in invoke([command, "--help"]).stdout, command
