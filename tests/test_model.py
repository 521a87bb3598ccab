import numpy as np
import pytest

from induction_demo.base.errors import InputError
from induction_demo.core.model import causal_mask, embed, masked_softmax
from induction_demo.core.runs import run
from induction_demo.core.basis import Basis
from induction_demo.core.weights import Construction

LECTURE = tuple("! a b a c b".split())

# The lecture's layer-2 logit table for "! a b a c b" (rows are queries).
LECTURE_LAYER2_LOGITS = [
    [0.0, 100.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 100.0, 0.0, 100.0, 0.0],
    [0.0, 0.0, 0.0, 100.0, 0.0, 0.0],
    [0.0, 0.0, 100.0, 0.0, 100.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 100.0],
    [0.0, 0.0, 0.0, 100.0, 0.0, 0.0],
]


def test_layer2_logits_are_the_lecture_table():
    logits = run(LECTURE).layers[1].logits
    assert np.round(logits, 1).tolist() == LECTURE_LAYER2_LOGITS


def test_lecture_predictions_copy_the_token_after_the_earlier_occurrence():
    assert [p.next for p in run(LECTURE).predictions] == [None, None, None, "b", None, "a"]


def test_layer1_output_holds_the_previous_token_and_position():
    trace = run(LECTURE)
    y1, basis = trace.layers[0].output.dense(), trace.basis
    prev_tok = y1[:, basis.block("prev tok")]
    prev_pos = y1[:, basis.block("prev pos")]
    assert not prev_tok[0].any() and not prev_pos[0].any()
    for i in range(1, 6):
        assert trace.vocab[prev_tok[i].argmax()] == LECTURE[i - 1]
        assert prev_pos[i].argmax() == i - 1
    # the current half is unchanged from the embedding (the residual)
    half = basis.block("prev tok").start
    assert np.array_equal(y1[:, :half], trace.embedding.dense()[:, :half])


def test_embedding_is_one_hot_token_and_position_with_an_empty_previous_half():
    basis = Basis(("a", "b"), 3)
    y = embed(basis, np.array([0, 1, 0])).dense()
    assert y.tolist() == [
        [1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 1, 0, 0, 0, 0, 0, 0],
        [1, 0, 0, 0, 1, 0, 0, 0, 0, 0],
    ]


def test_causal_mask_keeps_strictly_earlier_keys():
    assert causal_mask(3).tolist() == [[False] * 3, [True, False, False], [True, True, False]]


def test_masked_softmax_gives_position_0_an_all_zero_row():
    w = masked_softmax(np.zeros((3, 3)), causal_mask(3))
    assert w.tolist() == [[0, 0, 0], [1, 0, 0], [0.5, 0.5, 0]]


def test_masked_softmax_ignores_masked_logits_however_large():
    logits = np.array([[0.0, 1e300], [5.0, 1e300]])
    assert masked_softmax(logits, causal_mask(2)).tolist() == [[0, 0], [1, 0]]


def test_masked_softmax_survives_huge_logits():
    w = masked_softmax(np.array([[0, 0, 0], [1e308, 0, 0], [1e308, 1e308, 0]]), causal_mask(3))
    assert w.tolist() == [[0, 0, 0], [1, 0, 0], [0.5, 0.5, 0]]


def test_trace_arrays_are_read_only():
    trace = run(LECTURE)
    with pytest.raises(ValueError):
        trace.layers[1].weights[1, 0] = 0.5


def test_one_token_attends_nowhere_and_predicts_nothing():
    trace = run(("a",))
    assert trace.layers[1].weights.tolist() == [[0.0]]
    assert trace.predictions[0].next is None


def test_consecutive_repeat_has_nothing_to_copy_until_its_successor_is_earlier():
    # "a a": the a at @1 follows @0, but the token after @0 is @1 itself.
    assert [p.next for p in run(tuple("a a a b a".split())).predictions] == [None, None, "a", None, "a"]


def test_a_tie_between_successors_lists_both_candidates():
    p = run(tuple("a b a c a".split())).predictions[4]
    assert p.candidates == ("b", "c") and p.next == "b"


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), float("inf"), "100"])
def test_a_bad_scale_is_an_input_error(scale):
    with pytest.raises(InputError, match="scale"):
        run(LECTURE, scale)


@pytest.mark.parametrize("built", [Construction(), Construction(mask="inclusive", context=2, skip=1),
                                   Construction(positions="sinusoidal", frequencies=4),
                                   Construction(positions="relative"), Construction(positions="rope", frequencies=4),
                                   Construction(positions="none")])
def test_the_dense_handout_pass_equals_the_block_pass(built):
    from induction_demo.core.model import dense_forward

    tokens = tuple("the cat sat on the mat the cat".split())
    trace = run(tokens, construction=built)
    dense_layers = dense_forward(built.layers(trace.scale), trace.embedding.dense(), trace.basis,
                                 built.mask == "inclusive")
    for layer, (logits, weights, y) in zip(trace.layers, dense_layers):
        for head, a, w in zip(layer.heads, logits, weights):
            assert np.allclose(head.logits, a, atol=1e-9) and np.allclose(head.weights, w, atol=1e-12)
        assert np.allclose(layer.output.dense(), y, atol=1e-12)
