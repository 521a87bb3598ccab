"""Each weight matrix is nonzero only in the block its equation names."""
import numpy as np
import pytest

from induction_demo import weights as W
from induction_demo.basis import Basis

BASIS = Basis(("!", "a", "b", "c"), 6)  # the lecture's "! a b a c b"


def nonzero_part(matrix, rows, cols):
    """The (rows, cols) block, after checking that everything else is zero."""
    rest = matrix.copy()
    rest[BASIS.block(rows), BASIS.block(cols)] = 0
    assert not rest.any(), "nonzero entries outside the named block"
    return matrix[BASIS.block(rows), BASIS.block(cols)]


def test_block_puts_one_where_the_rule_holds_between_named_blocks():
    m = W.block(BASIS, rows="pos", cols="prev pos", rule=lambda q, k: k == q + 2)
    part = nonzero_part(m, "pos", "prev pos")
    assert part.tolist() == np.eye(6, k=2).tolist()


def test_previous_token_qk_scores_key_position_one_before_the_query():
    part = nonzero_part(W.previous_token_qk(BASIS, 100.0), "pos", "pos")
    assert part.tolist() == (100.0 * np.eye(6, k=-1)).tolist()


def test_previous_token_qk_scales_linearly():
    assert np.array_equal(W.previous_token_qk(BASIS, 7.5), 7.5 * W.previous_token_qk(BASIS, 1.0))


def test_previous_token_ov_copies_the_current_half_into_the_previous_half():
    v = W.previous_token_ov(BASIS)
    assert v[BASIS.block("tok"), BASIS.block("prev tok")].tolist() == np.eye(4).tolist()
    assert v[BASIS.block("pos"), BASIS.block("prev pos")].tolist() == np.eye(6).tolist()
    assert v.sum() == 10  # nothing else


def test_induction_qk_matches_the_query_token_with_the_key_previous_token():
    part = nonzero_part(W.induction_qk(BASIS, 100.0), "tok", "prev tok")
    assert part.tolist() == (100.0 * np.eye(4)).tolist()


def test_induction_ov_keeps_the_current_half_and_zeroes_the_previous_half():
    v = W.induction_ov(BASIS)
    half = BASIS.block("prev tok").start
    assert v[:half, :half].tolist() == np.eye(half).tolist()
    assert not v[half:].any() and not v[:, half:].any()


@pytest.mark.parametrize("name", ["A_1", "V_1", "A_2", "V_2"])
def test_build_returns_each_matrix_d_by_d(name):
    assert getattr(W.build(BASIS, 100.0), name).shape == (20, 20)
