"""The read-out: the softmax with unseen tokens in closed form, ties, nothing to copy."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from induction_demo.uses.bench import Config, bench
from induction_demo.core.readout import softmax

scores = arrays(float, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(0, 1))


@given(scores, st.integers(0, 10_000), st.floats(1e-3, 1e3))
@settings(max_examples=80)
def test_unseen_tokens_get_what_an_explicit_softmax_over_the_whole_vocabulary_gives_them(s, unseen, t):
    probs, rest = softmax(s, t, unseen)
    whole = np.concatenate([s, np.zeros((len(s), unseen))], axis=1)  # every unseen token scores 0
    e = np.exp((whole - whole.max(axis=1, keepdims=True)) / t)
    explicit = e / e.sum(axis=1, keepdims=True)
    assert np.allclose(probs, explicit[:, :s.shape[1]], rtol=1e-12, atol=1e-300)
    if unseen:
        assert np.allclose(rest, explicit[:, -1], rtol=1e-12, atol=1e-300)
    assert np.allclose(probs.sum(axis=1) + unseen * rest, 1.0, rtol=0, atol=1e-12)


def test_without_unseen_tokens_the_softmax_is_over_the_named_ones_alone():
    probs, _ = softmax(np.array([[1.0, 0.0]]), 1.0)
    assert np.allclose(probs, [[np.e / (np.e + 1), 1 / (np.e + 1)]])


def test_a_bench_at_gpt2s_vocabulary_copies_every_later_token_and_first_copies_are_at_chance():
    result = bench(Config(vocab=50257, length=40, trials=2, seed=5))
    assert result["chance"] == 1 / 50258
    later, first = result["later_copies"], result["first_copies"]
    assert later["accuracy_without_accidental_repeats"] == 1.0 and later["accidental_repeats"] == 0
    assert first["accuracy"] == 0.0  # the blend favours tokens already seen; the next one is new
    # a perfect copy at T = 1 has probability e / (e + V') over the V' = 50257 other tokens
    assert np.isclose(later["loss"], -np.log(np.e / (np.e + 50257)), rtol=1e-9)


def test_an_ablated_induction_head_is_chance_over_the_whole_vocabulary():
    result = bench(Config(vocab=50257, length=20, trials=1, ablate="induction"))
    assert np.isclose(result["later_copies"]["accuracy"], 1 / 50258, rtol=1e-9)
    assert np.isclose(result["later_copies"]["loss"], np.log(50258), rtol=1e-12)
