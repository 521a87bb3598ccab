"""An independent reader (story_reader.py) holds the story in the JSON document
to the document's own matrices, on strings and variants drawn apart from the
verifier's, through the command line; and it catches a doctored sentence."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from story_reader import problems

WORDS = ["the", "cat", "cats", "sat", "on", "mat", "a", "dog", "log", "at", "hat"]
texts = st.sampled_from([list("xyz"), list("pqrstu"), WORDS, list("mnmnop")]).flatmap(
    lambda alphabet: st.lists(st.sampled_from(alphabet), min_size=2, max_size=50)).map(" ".join)
options = st.tuples(
    st.sampled_from([[], ["--mask", "inclusive"]]), st.sampled_from([[], [], ["--context", "2"], ["--context", "4"]]),
    st.sampled_from([[], [], ["--skip", "1"], ["--skip", "5"]]),
    st.sampled_from([[], ["--positions", "sinusoidal"], ["--positions", "relative"], ["--positions", "rope"],
                     ["--positions", "none"], ["--similar", "case"]]),
    st.sampled_from([[], [], ["--ablate", "previous-token"], ["--ablate", "induction"]]),
    st.sampled_from([[], ["--scale", "3"], ["--scale", "30"], ["--temperature", "0.01"]])).map(
    lambda parts: [a for part in parts for a in part])


@given(texts, options)
@settings(max_examples=60, deadline=None)
def test_the_json_story_reads_true_against_its_own_matrices(text, args):
    result = invoke(["show", text, "--format", "json", *args])
    assert result.exit_code == 0, result.stderr
    assert problems(json.loads(result.stdout)) == []


def test_the_reader_catches_a_sentence_that_names_one_key_of_a_tie():
    doc = json.loads(invoke(["show", "d c d d d d", "--positions", "rope", "--format", "json"]).stdout)
    assert problems(doc) == []
    for s in doc["story"]["2"]:
        if s["text"].startswith("`d` (@5)"):
            s["text"] = ("`d` (@5) attends to `c` (@1) (weight 0.44), which followed the earlier `d` (@0), "
                         "so it predicts `d`.")  # the sentence the tool said before issue 25
    found = problems(doc)
    assert any("not the row's top" in p for p in found) and any("nothing says which do" in p for p in found)
