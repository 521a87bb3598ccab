"""Similar words: dense token vectors (--similar subword|case, --embeddings
FILE), held to the plain-Python rule in reference.py on random strings."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.core.runs import run
from induction_demo.core.similar import Similarity, embed, read_vectors, trigrams
from induction_demo.core.weights import Construction
from reference import cosine, predicted_similar, similar_logit

WORDS = ["cat", "cats", "Cat", "mat", "sat", "the", "The", "dog", "at", "a", "on"]
sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=20).map(tuple)


@given(sentences, st.sampled_from(["subword", "case"]))
@settings(max_examples=250, deadline=None)
def test_similar_words_predict_what_the_reference_rule_says(tokens, kind):
    trace = run(tokens, construction=Construction(similar=Similarity(kind)))
    for p in trace.predictions:
        expected = predicted_similar(tokens, p.position, kind)
        assert set(p.candidates) == expected, (p, expected)


@given(sentences, st.sampled_from(["subword", "case"]))
@settings(max_examples=200, deadline=None)
def test_the_induction_logit_is_the_scale_times_the_cosine(tokens, kind):
    trace = run(tokens, construction=Construction(similar=Similarity(kind)))
    logits = trace.layers[1].logits
    for i in range(len(tokens)):
        for j in range(i):
            assert logits[i, j] == pytest.approx(100.0 * similar_logit(tokens, i, j, kind), abs=1e-9)


def test_subword_vectors_make_cat_cats_and_cat_similar_and_cat_dog_not():
    e = embed(Similarity("subword"), ("cat", "cats", "Cat", "dog"))
    assert e.cosine(0, 2) == pytest.approx(1.0)  # case folded
    assert e.cosine(0, 1) == pytest.approx(cosine("cat", "cats")) and 0.5 < e.cosine(0, 1) < 0.6
    assert e.cosine(0, 3) == 0.0
    assert trigrams("Cat") == {"<ca": 1, "cat": 1, "at>": 1}


def test_the_similar_word_repeat_copies_what_followed_the_similar_word():
    tokens = tuple("the cat sat on the mat . the cats".split())
    trace = run(tokens, construction=Construction(similar=Similarity("subword")))
    assert trace.predictions[-1].next == "sat"  # `cats` follows `cat`'s lead
    assert run(tokens).predictions[-1].next is None  # one-hot: `cats` is new, nothing to copy
    out = invoke(["show", " ".join(tokens), "--similar", "subword"]).stdout
    assert "which followed `cat` (@1), similar to `cats` (similarity 0.58)" in " ".join(out.split())


def test_case_folds_case_only():
    trace = run(("The", "dog", "ran", "the"), construction=Construction(similar=Similarity("case")))
    assert trace.predictions[3].next == "dog"


def write(tmp_path, text, name="vectors.txt"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def test_a_vector_file_gives_the_cosines_and_tokens_it_lacks_their_own_direction(tmp_path):
    path = write(tmp_path, "3 2\nking 1 0\nqueen 0.8 0.6\napple 0 1\n")
    tokens = ("king", "rules", ".", "queen")
    trace = run(tokens, construction=Construction(similar=read_vectors(path, set(tokens))))
    assert trace.words.own == ("rules", ".")
    assert trace.words.cosine(0, 3) == pytest.approx(0.8)
    assert trace.predictions[3].next == "rules"  # queen is 0.8 like king, which `rules` followed
    doc = json.loads(invoke(["show", " ".join(tokens), "--embeddings", path, "--format", "json"]).stdout)
    assert doc["construction"]["similar"] == {"kind": "vectors", "source": path}
    story = " ".join(s["text"] for s in doc["story"]["1"])
    assert "`rules` and `.` are not in" in story and "a direction of its own" in story


def test_only_the_input_rows_are_kept(tmp_path):
    rows = "".join(f"w{k} {k} 1 2\n" for k in range(5000))
    kept = read_vectors(write(tmp_path, rows), {"w7", "w4999", "absent"})
    assert [w for w, _ in kept.rows] == ["w4999", "w7"] and kept.dimension == 3


@pytest.mark.parametrize("text, message", [
    ("a 1 2\nb 1\n", "line 2: 2 fields where the rows have 3"),
    ("a 1 2\nb 1 x\n", "line 2: 'x' is not a number"),
    ("a 1 nan\n", "line 1: NaN or infinity"),
    ("", "no rows"),
    ("\n\n", "no rows"),
    ("2 3\na 1 2\n", "line 2: 3 fields where the rows have 2"),  # not a header: line 1 is the row of '2'
    ("2 3\na 1 2 3\nb 1 2\n", "line 3: 3 fields where the rows have 4"),
    (b"a 1 2\n\xff\xfe 1 2\n", "line 2: not UTF-8 text"),
    ("a\n", "line 1: a row needs a word and at least one number"),
    ("a 0 0\n", "the vector of 'a' is all zeros"),
    ("2 5000\na" + " 1" * 5000 + "\n", "line 1: the header gives dimension 5000; at most 4096"),
    ("a" + " 1" * 4097 + "\n", "line 1: 4097 numbers in a row; at most 4096"),
    ("3 \u00b2\na 1 2\n", "line 2: 3 fields where the rows have 2"),  # a superscript digit is no header
    ("a 1 2\nb" + " 1" * 140000 + "\n", "line 2: longer than 256 KiB"),
])
def test_a_bad_vector_file_is_one_line_naming_the_line(tmp_path, text, message):
    path = write(tmp_path, text)
    result = invoke(["show", "a b a", "--embeddings", path])
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_and_both_sources_are_usage_errors(tmp_path):
    missing = invoke(["show", "a b", "--embeddings", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    both = invoke(["show", "a b", "--embeddings", write(tmp_path, "a 1\n"), "--similar", "case"])
    assert both.exit_code == 2 and "give one" in both.stderr


@pytest.mark.parametrize("form", ["table", "json", "markdown", "latex", "html", "svg"])
def test_similar_words_in_every_format(form):
    result = invoke(["show", "the cat sat on the mat . the cats", "--similar", "subword", "--format", form])
    assert result.exit_code == 0, result.stderr
    assert "0.58" in result.stdout or "0.577" in result.stdout


def test_weights_show_the_embedding_with_word_labels_and_circuits_the_similarities():
    out = invoke(["weights", "the cat . the cats", "--similar", "subword"]).stdout
    assert "E (V x m = 4 x 9)" in out and "token \\ feature" in out and "<ca" in out
    doc = json.loads(invoke(["circuits", "the cat . the cats", "--similar", "subword", "--format", "json"]).stdout)
    composition = next(c for c in doc["circuits"] if c["formula"] == "E A_2 (E V_1)^T")
    gram = np.array(composition["matrix"]) / 100
    assert gram[1, 3] == pytest.approx(cosine("cat", "cats"))
    ov = next(c for c in doc["circuits"] if c["formula"] == "E V_2 W_U")
    assert ov["copying_score"] == 1.0 and all(im == 0 and re >= -1e-12 for re, im in ov["eigenvalues"])


def test_a_header_splits_a_row_from_the_right_so_a_word_may_hold_spaces(tmp_path):
    from induction_demo.core.similar import read_vectors

    path = write(tmp_path, "3 2\nnew york 0.5 0.5\nthe 1 0\nyork 0 1\n")
    assert dict(read_vectors(path, {"new york", "the"}).rows) == {"new york": (0.5, 0.5), "the": (1.0, 0.0)}


def test_a_first_row_of_two_numbers_is_a_header_only_if_the_next_row_says_so(tmp_path):
    from induction_demo.core.similar import read_vectors

    one = read_vectors(write(tmp_path, "5 3\na 1\n"), {"5", "a"})  # a 1-D file: the row of the word "5"
    assert one.dimension == 1 and dict(one.rows) == {"5": (3.0,), "a": (1.0,)}
    assert read_vectors(write(tmp_path, "5 3\na 1 2 3\n"), {"a"}).dimension == 3


def test_the_files_words_match_the_tokens_normalised_alike(tmp_path):
    import unicodedata

    from induction_demo.core.similar import read_vectors

    decomposed = unicodedata.normalize("NFD", "café")
    path = write(tmp_path, f"{decomposed} 1 0\nthe 0 1\n")
    assert dict(read_vectors(path, {"café", "the"}).rows)["café"] == (1.0, 0.0)


def test_a_vector_file_that_starts_with_a_byte_order_mark_keeps_its_first_word(tmp_path):
    """A file saved by Notepad starts with U+FEFF: its first word read as "\\ufeffcat", which matched no token,
    so `cat` got a direction of its own and no similarity to the file's other words."""
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffcat 1 0\ndog 0 1\n".encode("utf-8"))
    similarity = read_vectors(str(path), {"cat", "dog"})
    assert dict(similarity.rows) == {"cat": (1.0, 0.0), "dog": (0.0, 1.0)}
