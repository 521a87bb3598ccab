import pytest

from induction_demo.core.basis import Basis, Direction


def test_d_is_twice_vocabulary_plus_positions():
    assert Basis(("!", "a", "b", "c"), 6).d == 20


def test_blocks_lie_in_order_token_position_previous_token_previous_position():
    basis = Basis(("a", "b"), 3)
    assert basis.block("tok") == slice(0, 2)
    assert basis.block("pos") == slice(2, 5)
    assert basis.block("prev tok") == slice(5, 7)
    assert basis.block("prev pos") == slice(7, 10)


def test_every_column_has_a_label():
    assert Basis(("a", "b"), 2).labels == (
        "a", "b", "@0", "@1", "prev a", "prev b", "prev @0", "prev @1",
    )


def test_a_direction_names_its_block_and_value():
    assert Direction("prev pos", 2).label == "prev @2"
    assert Direction("tok", "@3").label == "@3"  # a token that looks like a position


@pytest.mark.parametrize("vocab, n", [((), 1), (("a", "a"), 2), (("a",), 0)])
def test_an_inconsistent_basis_is_refused(vocab, n):
    with pytest.raises(ValueError):
        Basis(vocab, n)
