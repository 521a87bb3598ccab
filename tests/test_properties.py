"""The model's invariants on random token strings (hypothesis)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from induction_demo.core.runs import run
from reference import predicted

# Few distinct tokens, so that repeats (the interesting case) are common.
token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "!", "é", "猫"]), min_size=1, max_size=30).map(tuple)
scales = st.floats(min_value=20.0, max_value=1e4)
# Layer 1 leaks about e^-scale of its weight to each key other than i - 1,
# so exact equalities downstream hold to N * scale * e^-scale.
sharp_scales = st.floats(min_value=30.0, max_value=1e4)


def leakage(n, scale):
    return n * scale * np.exp(-scale)


@given(token_strings, scales)
def test_no_weight_reaches_the_future_or_the_diagonal(tokens, scale):
    for layer in run(tokens, scale).layers:
        assert not np.triu(layer.weights).any()


@given(token_strings, scales)
def test_every_row_but_position_0_sums_to_one(tokens, scale):
    for layer in run(tokens, scale).layers:
        sums = layer.weights.sum(axis=1)
        assert sums[0] == 0
        assert np.allclose(sums[1:], 1.0, rtol=0, atol=1e-12)


@given(token_strings, scales)
def test_layer1_puts_nearly_all_weight_on_the_previous_position(tokens, scale):
    w = run(tokens, scale).layers[0].weights
    assert all(w[i, i - 1] >= 0.99 for i in range(1, len(tokens)))


@given(token_strings, scales)
def test_layer2_logits_are_scale_times_token_equals_previous_token(tokens, scale):
    logits = run(tokens, scale).layers[1].logits
    n = len(tokens)
    expected = np.array([[scale * (j > 0 and tokens[i] == tokens[j - 1]) for j in range(n)] for i in range(n)])
    assert np.allclose(logits, expected, rtol=1e-12, atol=leakage(n, scale) + 1e-12 * scale)


@given(token_strings)
def test_a_repeated_token_splits_its_weight_evenly_over_what_followed_it(tokens):
    w = run(tokens).layers[1].weights
    for i, x in enumerate(tokens):
        keys = [k + 1 for k in range(i - 1) if tokens[k] == x]
        if keys:
            expected = np.zeros(len(tokens))
            expected[keys] = 1 / len(keys)
            assert np.allclose(w[i], expected, atol=1e-9)


@given(token_strings)
def test_a_first_occurrence_spreads_its_weight_evenly_over_the_past(tokens):
    w = run(tokens).layers[1].weights
    for i, x in enumerate(tokens):
        if i > 0 and x not in tokens[:i]:
            assert np.allclose(w[i, :i], 1 / i, atol=1e-12)


@given(token_strings, sharp_scales)
@settings(max_examples=200)
def test_the_prediction_is_the_token_that_followed(tokens, scale):
    for p in run(tokens, scale).predictions:
        expected = predicted(tokens, p.position)
        assert set(p.candidates) == expected
        assert (p.next is None) == (not expected)
