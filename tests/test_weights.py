"""Each head is a few blocks; each block's matrix is nonzero only where its rule holds."""
import numpy as np
import pytest

from induction_demo.core import weights as heads
from induction_demo.core.basis import Basis

BASIS = Basis(("!", "a", "b", "c"), 6)  # the lecture's "! a b a c b"


def nonzero_part(matrix, rows, cols):
    """The (rows, cols) block, after checking that everything else is zero."""
    rest = matrix.copy()
    rest[BASIS.block(rows), BASIS.block(cols)] = 0
    assert not rest.any(), "nonzero entries outside the named block"
    return matrix[BASIS.block(rows), BASIS.block(cols)]


def test_a_block_puts_its_scale_where_the_rule_holds_between_named_subspaces():
    block = heads.Block("pos", "prev pos", lambda q, k: k == q + 2, 3.0)
    part = nonzero_part(heads.dense((block,), BASIS), "pos", "prev pos")
    assert part.tolist() == (3.0 * np.eye(6, k=2)).tolist()


def test_a_relation_lists_the_entries_and_the_one_partner_of_each_row():
    r = heads.relation(heads.Block("pos", "pos", heads.one_before, 5.0), BASIS)
    assert r.rows.tolist() == [1, 2, 3, 4, 5] and r.cols.tolist() == [0, 1, 2, 3, 4]
    assert r.values.tolist() == [5.0] * 5
    assert r.partner.tolist() == [-1, 0, 1, 2, 3, 4] and not r.identity
    assert heads.relation(heads.Block("tok", "prev tok", heads.same), BASIS).identity


def test_a_rule_with_two_columns_in_a_row_has_no_partner():
    r = heads.relation(heads.Block("tok", "tok", lambda q, k: abs(q - k) <= 1), BASIS)
    assert r.partner is None and len(r.rows) == 10


def test_previous_token_a_scores_key_position_one_before_the_query():
    head = heads.previous_token_head(100.0)
    part = nonzero_part(heads.dense(head.qk, BASIS), "pos", "pos")
    assert part.tolist() == (100.0 * np.eye(6, k=-1)).tolist()
    assert head.scale == 100.0


def test_a_scales_linearly():
    assert np.array_equal(heads.dense(heads.previous_token_head(7.5).qk, BASIS),
                          7.5 * heads.dense(heads.previous_token_head(1.0).qk, BASIS))


def test_previous_token_v_copies_the_current_half_into_the_previous_half():
    v = heads.dense(heads.previous_token_head(100.0).ov, BASIS)
    assert v[BASIS.block("tok"), BASIS.block("prev tok")].tolist() == np.eye(4).tolist()
    assert v[BASIS.block("pos"), BASIS.block("prev pos")].tolist() == np.eye(6).tolist()
    assert v.sum() == 10  # nothing else


def test_induction_a_matches_the_query_token_with_the_key_previous_token():
    part = nonzero_part(heads.dense(heads.induction_head(100.0).qk, BASIS), "tok", "prev tok")
    assert part.tolist() == (100.0 * np.eye(4)).tolist()


def test_induction_v_keeps_the_current_half_and_zeroes_the_previous_half():
    v = heads.dense(heads.induction_head(100.0).ov, BASIS)
    half = BASIS.block("prev tok").start
    assert v[:half, :half].tolist() == np.eye(half).tolist()
    assert not v[half:].any() and not v[:, half:].any()


def test_the_lecture_is_a_residual_previous_token_layer_then_an_induction_layer():
    first, second = heads.lecture(100.0, 2.0)
    assert [h.name for h in first.heads] == ["previous-token head"] and first.residual
    assert [h.name for h in second.heads] == ["induction head"] and not second.residual
    assert second.heads[0].scale == 2.0 and first.heads[0].scale == 100.0


@pytest.mark.parametrize("head", [heads.previous_token_head(1.0), heads.induction_head(1.0)])
def test_dense_matrices_are_d_by_d(head):
    assert heads.dense(head.qk, BASIS).shape == heads.dense(head.ov, BASIS).shape == (20, 20)


def test_the_unembedding_reads_the_token_block():
    u = heads.unembedding(BASIS)
    assert u.shape == (20, 4) and u[BASIS.block("tok")].tolist() == np.eye(4).tolist() and u.sum() == 4
