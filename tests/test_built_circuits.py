"""The other induction circuits, built by hand: pointer arithmetic
(--circuit pointer, Q-composition) and three layers whose 2-back half is a
virtual head (--circuit virtual, V-composition). Each is held to a plain-Python
rule (reference.py) for what each position attends to and predicts, to the
dense handout pass, and to the verifier on random strings."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke, one_line_error
from induction_demo.base.errors import InputError
from induction_demo.core.circuits import compositions
from induction_demo.core.model import dense_forward
from induction_demo.core.runs import run
from induction_demo.core.weights import Construction
from reference import pointer, pointer_logits, predicted_by, predicted_pointer, virtual_held

token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "!"]), min_size=1, max_size=24).map(tuple)
masks = st.sampled_from(["strict", "inclusive"])
LECTURE = tuple("! a b a c b".split())


@given(token_strings, masks, st.integers(0, 3))
@settings(max_examples=200, deadline=None)
def test_the_pointer_circuit_attends_and_predicts_as_the_plain_rule_says(tokens, mask, skip):
    built = Construction(mask=mask, skip=skip, circuit="pointer")
    trace = run(tokens, construction=built, beside=False)
    inclusive = mask == "inclusive"
    first, second = trace.layers
    for i in range(len(tokens)):
        for j, w in pointer(tokens, i, inclusive).items():  # layer 1: the earlier copies, or evenly
            assert first.heads[0].weights[i, j] == pytest.approx(w, abs=1e-9)
        for k, a in pointer_logits(tokens, i, skip, inclusive).items():  # layer 2: s times the pointer, shifted
            assert second.heads[0].logits[i, k] == pytest.approx(a, abs=1e-7)
        p = trace.predictions[i]
        expected = predicted_pointer(tokens, i, skip, inclusive)
        if expected:
            assert set(p.output) == expected, (i, p, expected)
        assert not p.copy or expected


@given(token_strings)
@settings(max_examples=150, deadline=None)
def test_pointer_arithmetic_predicts_what_the_lecture_s_circuit_predicts_where_it_copies(tokens):
    """Both circuits are induction heads: where the lecture's copies one token, so does the pointer circuit
    (under the strict mask: the inclusive one gives the lecture's key 0 its own token as a previous one)."""
    pointed = run(tokens, construction=Construction(circuit="pointer"), beside=False)
    lecture = run(tokens, construction=Construction(), beside=False)
    for p, q in zip(pointed.predictions, lecture.predictions):
        if q.copy and len(q.candidates) == 1:
            assert p.copy and p.candidates == q.candidates


@given(token_strings, masks)
@settings(max_examples=150, deadline=None)
def test_the_virtual_circuit_writes_two_back_and_predicts_as_the_plain_rule_says(tokens, mask):
    built = Construction(mask=mask, context=2, circuit="virtual")
    trace = run(tokens, construction=built, beside=False)
    inclusive = mask == "inclusive"
    assert len(trace.layers) == 3
    prev2 = trace.layers[1].output.block("prev2 tok")
    for p in range(len(tokens)):  # layer 2's write: the token two back (a virtual 2-back head)
        held = virtual_held(tokens, p, 2, inclusive)
        for t, token in enumerate(trace.vocab):
            assert prev2[p, t] == pytest.approx(held.get(token, 0.0), abs=1e-9)
    for p in trace.predictions:
        expected = predicted_by(tokens, p.position, 2, 0, inclusive, held=virtual_held)
        if expected:
            assert set(p.output) == expected, (p, expected)
        assert not p.copy or expected


@pytest.mark.parametrize("built", [Construction(circuit="pointer"), Construction(mask="inclusive", skip=2,
                                                                                 circuit="pointer"),
                                   Construction(context=2, circuit="virtual"),
                                   Construction(mask="inclusive", context=2, positions="relative", circuit="virtual"),
                                   Construction(context=2, positions="sinusoidal", frequencies=4, circuit="virtual")])
def test_the_dense_handout_pass_equals_the_block_pass_for_each_circuit(built):
    tokens = tuple("the cat sat on the mat the cat sat".split())
    trace = run(tokens, construction=built)
    dense = dense_forward(built.layers(trace.scale), trace.embedding.dense(), trace.basis, built.mask == "inclusive")
    assert len(dense) == len(trace.layers)
    for layer, (logits, weights, y) in zip(trace.layers, dense):
        for head, a, w in zip(layer.heads, logits, weights):
            assert np.allclose(head.logits, a, atol=1e-9) and np.allclose(head.weights, w, atol=1e-12)
        assert np.allclose(layer.output.dense(), y, atol=1e-12)


def _scores(built: Construction) -> dict:
    trace = run(LECTURE, construction=built)
    return {c.kind: c.score for c in compositions(trace) if c.reader.startswith("induction head")}


def test_pointer_arithmetic_is_q_composition_and_the_lecture_s_circuit_k_composition():
    pointed, lecture = _scores(Construction(circuit="pointer")), _scores(Construction())
    assert pointed["Q"] > pointed["K"] and lecture["K"] > lecture["Q"]


def test_the_virtual_circuit_s_second_layer_composes_with_the_first_through_its_values():
    trace = run(tuple("b c d . x c e . b c".split()), construction=Construction(context=2, circuit="virtual"))
    found = {(c.reader, c.writer, c.kind): c.score for c in compositions(trace)}
    v = found["previous-token head (layer 2)", "previous-token head (layer 1)", "V"]
    assert v > 0 and found["previous-token head (layer 2)", "previous-token head (layer 1)", "K"] == 0


@pytest.mark.parametrize("args, message", [
    (["--circuit", "pointer", "--positions", "rope"], "one-hot positions"),
    (["--circuit", "pointer", "--context", "2"], "--context"),
    (["--circuit", "pointer", "--similar", "subword"], "--similar"),
    (["--circuit", "virtual", "--skip", "1"], "--skip"),
    (["--circuit", "virtual", "--context", "3"], "--context 3"),
    (["--circuit", "pointer", "--ablate", "previous-token"], "no previous-token head"),
    (["--ablate", "duplicate-token"], "no duplicate-token head"),
    (["--circuit", "pointer", "--layer", "3"], "this model has 2 layers"),
])
def test_a_knob_a_circuit_does_not_take_is_a_one_line_error(args, message):
    assert message in one_line_error(invoke(["show", "a b a b"] + args), 2)


def test_the_api_takes_a_circuit_and_refuses_an_unknown_one():
    from induction_demo import api

    assert len(api.run("a b a b", circuit="virtual").layers) == 3
    with pytest.raises(InputError, match="circuit"):
        api.run("a b a b", circuit="loop")


def test_the_virtual_circuit_shows_its_third_layer_and_reads_the_prediction_off_y3():
    result = invoke(["show", "b c d . x c e . b c", "--circuit", "virtual", "--no-matrices", "--layer", "3"],
                    env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "Layer 3: induction head" in result.output and "softmax(Y^(3) W_U / T)" in result.output
    assert "Layer 1:" not in result.output


def test_an_ablated_duplicate_token_head_leaves_no_pointer_and_nothing_to_copy():
    trace = run(LECTURE, construction=Construction(circuit="pointer"), ablate="duplicate-token")
    assert not trace.layers[0].output.block("ptr pos").any()
    assert not any(p.copy for p in trace.predictions)


def test_the_pointer_circuit_s_sweep_matches_its_closed_form_and_refuses_a_layer_1_sweep():
    result = invoke(["sweep", "! a b a a c b a a", "--circuit", "pointer", "--format", "json"])
    doc = __import__("json").loads(result.stdout)
    assert np.allclose(doc["measured"], doc["closed_form"], atol=1e-9)
    assert "not a previous-token head" in one_line_error(invoke(["sweep", "! a b a", "--circuit", "pointer",
                                                                 "--layer", "1"]), 2)


@pytest.mark.parametrize("circuit", ["pointer", "virtual"])
def test_each_circuit_benches_as_an_induction_head(circuit):
    result = invoke(["bench", "--circuit", circuit, "--trials", "2", "--length", "20", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    doc = __import__("json").loads(result.stdout)
    assert doc["config"]["circuit"] == circuit and doc["later_copies"]["accuracy"] > 0.9
    assert (doc["previous_token_score"] is None) == (circuit == "pointer")


def test_an_ablated_layer_names_the_half_it_leaves_empty():
    """The virtual circuit's layer 2 writes the prev2 third: ablated, that is the third left empty (its stream is
    in three parts, [current | prev | prev2], which the story called halves)."""
    from induction_demo.words.story import story

    trace = run(tuple("b c d . x c e . b c".split()), construction=Construction(context=2, circuit="virtual"),
                ablate="previous-token")
    told = story(trace)
    assert any("so the previous third of every representation stays empty" in s.text for s in told[1])
    assert any("so the prev2 third of every representation stays empty" in s.text for s in told[2])
