import pytest

from induction_demo.base.errors import InputError
from induction_demo.base.inputs import MAX_TOKENS
from induction_demo.base.tokens import tokenize, vocabulary


def test_space_mode_splits_on_any_whitespace():
    assert tokenize("! a\tb\n a", "space") == ("!", "a", "b", "a")


def test_chars_mode_keeps_inner_spaces_and_strips_the_ends():
    assert tokenize("  ab a \n", "chars") == ("a", "b", " ", "a")


def test_auto_splits_into_characters_only_without_whitespace():
    assert tokenize("abca") == ("a", "b", "c", "a")
    assert tokenize("ab ca") == ("ab", "ca")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
@pytest.mark.parametrize("mode", ["auto", "space", "chars"])
def test_empty_input_is_an_input_error(text, mode):
    with pytest.raises(InputError, match="no tokens"):
        tokenize(text, mode)


def test_more_than_the_limit_is_refused_with_the_limit_named():
    with pytest.raises(InputError, match=str(MAX_TOKENS)):
        tokenize("a " * (MAX_TOKENS + 1))
    assert len(tokenize("a " * MAX_TOKENS)) == MAX_TOKENS


def test_unknown_mode_is_an_input_error():
    with pytest.raises(InputError, match="tokenize mode"):
        tokenize("a b", "words")


def test_vocabulary_is_distinct_tokens_in_order_of_first_appearance():
    assert vocabulary(("!", "a", "b", "a", "c", "b")) == ("!", "a", "b", "c")
