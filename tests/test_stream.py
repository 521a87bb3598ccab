"""The block computation equals the dense one: each product of stream.py
against plain matrix products, and the whole forward pass against y A y^T and
W Y V with d x d matrices, on random strings."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from induction_demo.core import stream as S
from induction_demo.core import weights as heads
from induction_demo.core.basis import Basis
from induction_demo.core.model import causal_mask, masked_softmax
from induction_demo.core.runs import run

token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "!", "é"]), min_size=1, max_size=25).map(tuple)
RULES = [heads.same, heads.one_before, lambda q, k: (q + k) % 3 == 0, lambda q, k: np.where(k == q + 1, 0.5, 0.0)]


def dense_relation(rel, n_rows, n_cols):
    m = np.zeros((n_rows, n_cols))
    np.add.at(m, (rel.rows, rel.cols), rel.values)
    return m


@given(st.integers(1, 12), st.integers(1, 8), st.integers(0, 3), st.integers(0, 3), st.randoms(use_true_random=False),
       st.booleans(), st.booleans())
@settings(max_examples=60)
def test_compare_carry_and_mix_equal_the_dense_products(n, v, q_rule, k_rule, rnd, q_onehot, k_onehot):
    basis = Basis(tuple(f"t{k}" for k in range(v)), n)
    rng = np.random.default_rng(rnd.randint(0, 2**32))

    def part(name, onehot):
        size = basis.size(name)
        return S.OneHot(rng.integers(0, size, n), size) if onehot else rng.random((n, size))

    q, k = part("tok", q_onehot), part("pos", k_onehot)
    rel = heads.relation(heads.Block("tok", "pos", RULES[q_rule], 2.5), basis)
    r = dense_relation(rel, v, n)
    qd, kd = S.dense(q, n, v), S.dense(k, n, n)
    assert np.allclose(S.compare(q, rel, k, n), qd @ r @ kd.T, rtol=1e-12, atol=1e-12)
    carried = S.carry(q, heads.relation(heads.Block("tok", "tok", RULES[k_rule]), basis), v)
    assert np.allclose(S.dense(carried, n, v), qd @ dense_relation(
        heads.relation(heads.Block("tok", "tok", RULES[k_rule]), basis), v, v), rtol=1e-12, atol=1e-12)
    w = rng.random((n, n))
    assert np.allclose(S.dense(S.mix(w, q), n, v), w @ qd, rtol=1e-12, atol=1e-12)
    assert np.allclose(S.dense(S.mix(w, k), n, n), w @ kd, rtol=1e-12, atol=1e-12)


def test_a_relation_kept_for_the_next_pass_is_its_basis_s_and_cannot_be_changed():
    """``relation`` keeps its answer for a block between passes: a kept
    answer is for the sizes it was asked at (the same rule on 5 and on 7
    positions), no caller can write into it (every pass after would read the
    change), and a rule that cannot be a key is worked out each time."""
    block = heads.Block("pos", "pos", heads.one_before, 3.0)
    for n in (5, 7, 5):
        rel = heads.relation(block, Basis(("a", "b"), n))
        assert np.array_equal(dense_relation(rel, n, n), 3.0 * np.eye(n, k=-1))
        for array in (rel.rows, rel.cols, rel.values, rel.partner):
            with pytest.raises(ValueError):
                array[0] = 1

    class Unhashable:
        __hash__ = None

        def __call__(self, q, k):
            return k == q

    rel = heads.relation(heads.Block("tok", "tok", Unhashable()), Basis(("a", "b", "c"), 4))
    assert np.array_equal(dense_relation(rel, 3, 3), np.eye(3))


def dense_forward(tokens, scale):
    """The lecture's equations with d x d matrices: y A y^T, W Y V."""
    trace = run(tokens, scale)
    basis, y = trace.basis, trace.embedding.dense()
    mask = causal_mask(len(tokens))
    out = []
    for spec in heads.lecture(scale):
        head = spec.heads[0]
        logits = y @ heads.dense(head.qk, basis) @ y.T
        weights = masked_softmax(logits, mask)
        write = weights @ y @ heads.dense(head.ov, basis)
        y = y + write if spec.residual else write
        out.append((logits, weights, y))
    return trace, out


@given(token_strings, st.sampled_from([1.0, 2.0, 7.5, 100.0]))
@settings(max_examples=60)
def test_the_block_forward_pass_equals_the_dense_one(tokens, scale):
    trace, dense = dense_forward(tokens, scale)
    for layer, (logits, weights, y) in zip(trace.layers, dense):
        assert np.allclose(layer.logits, logits, rtol=1e-12, atol=1e-12)
        assert np.allclose(layer.weights, weights, rtol=1e-12, atol=1e-15)
        assert np.allclose(layer.output.dense(), y, rtol=1e-12, atol=1e-15)


def test_a_stream_refuses_a_part_of_the_wrong_shape():
    basis = Basis(("a", "b"), 3)
    try:
        S.Stream(basis, {"tok": np.zeros((3, 3))})
    except ValueError as error:
        assert "tok" in str(error)
    else:
        raise AssertionError("a 3 x 3 token part over a 2-token vocabulary was accepted")


def test_positions_mixed_by_the_weights_are_the_weights_themselves():
    w = np.arange(9.0).reshape(3, 3)
    assert S.mix(w, S.OneHot(np.arange(3), 3)) is w


def test_a_one_hot_part_s_empty_rows_stay_empty_in_the_dense_stream():
    """OneHot index -1 is a zero row (the ideal stream's empty halves), not the block's last column."""
    from induction_demo.core import mechanism
    from induction_demo.core.basis import Basis
    from induction_demo.core.weights import Construction

    basis = Basis(("a", "b"), 3, Construction().subspaces)
    y = mechanism.ideal(basis, np.array([0, 1, 0])).dense()
    assert y[0].sum() == 2.0 and y[0, basis.block("prev tok")].sum() == 0 and y[0, basis.block("pos")][2] == 0
    assert y[1, basis.block("prev tok")].tolist() == [1.0, 0.0]
