"""The story: told from the trace, each special case named where it occurs
and nowhere else, checked on every golden case against the plain rule."""
import json
import shlex
from pathlib import Path

import pytest

from cli_runner import invoke
from induction_demo.core.runs import run
from induction_demo.words.story import story
from reference import predicted

CASES = Path(__file__).resolve().parent.parent / "cases"
SHOW_CASES = sorted(c for c in CASES.iterdir() if (c / "args.txt").read_text().startswith("show"))


def expected_kinds(tokens: list[str], ablate: str | None = None) -> set[str]:
    """The special cases of layer 2 that occur in ``tokens``, by the plain rule
    (with a head ablated, the story names the ablation instead of copies, and
    the blends the previous-token head's ablation leaves)."""
    kinds = {"nothing-before"}
    if ablate:  # without the previous-token head, what would have been copied is a blend
        blend = ablate == "previous-token" and any(predicted(tokens, i) for i in range(len(tokens)))
        return kinds | {"ablated"} | ({"blend"} if blend else set())
    for i, x in enumerate(tokens):
        earlier = [k for k in range(i - 1) if tokens[k] == x]
        if i and x not in tokens[:i]:
            kinds.add("first-occurrence")
        if len(earlier) == 1:
            kinds.add("copy")
        if len(earlier) > 1:
            kinds.add("split")
        if i and tokens[i - 1] == x:
            kinds.add("consecutive-repeat")
        if len(predicted(tokens, i)) > 1:
            kinds.add("tie")
    copies = sum(bool(predicted(tokens, i)) for i in range(len(tokens)))
    if copies > 13:  # past the 12 told, "… and N more positions copy the same way"
        kinds.add("more")
    return kinds


LECTURE = {"mask": "strict", "context": 1, "skip": 0, "similar": None, "positions": "one-hot", "frequencies": None}


def case_document(case: Path) -> dict:
    args = shlex.split((case / "args.txt").read_text()) + ["--format", "json"]
    args = [a for k, a in enumerate(args) if a != "--layer" and (k == 0 or args[k - 1] != "--layer")]
    stdin = case / "stdin.txt"
    result = invoke(args, input=stdin.read_bytes() if stdin.exists() else None)
    return json.loads(result.stdout)


VARIANT_OPTIONS = ("--mask", "--context", "--skip", "--similar", "--embeddings", "--positions", "--frequencies",
                   "--circuit")
LECTURE_CASES = [c for c in SHOW_CASES if not any(o in (c / "args.txt").read_text() for o in VARIANT_OPTIONS)]


@pytest.mark.parametrize("case", LECTURE_CASES, ids=lambda c: c.name)
def test_each_special_case_is_named_where_it_occurs_and_nowhere_else(case):
    doc = case_document(case)
    told = {s["kind"] for s in doc["story"]["2"]}
    assert told == expected_kinds(doc["tokens"], doc["ablate"])


@pytest.mark.parametrize("case", SHOW_CASES, ids=lambda c: c.name)
def test_the_table_view_tells_the_story_after_each_layer(case):
    text = (case / "expected.txt").read_text(encoding="utf-8")
    shown = [l for l in ("1", "2") if f"Layer {l}:" in text]
    for l in shown:
        assert f"What layer {l} did on this string:" in text
    doc = case_document(case)
    if doc["construction"] == LECTURE:
        assert ("first occurrence" in text) == ("first-occurrence" in expected_kinds(doc["tokens"], doc["ablate"]))


def test_the_lecture_story_says_which_key_each_repeat_copies():
    sentences = [s.text for s in story(run(tuple("! a b a c b".split())))[2]]
    assert "`a` (@3) attends to `b` (@2) (weight 1.00), which followed the earlier `a` (@1), " \
           "so it predicts `b`." in sentences
    assert "`b` (@5) attends to `a` (@3) (weight 1.00), which followed the earlier `b` (@2), " \
           "so it predicts `a`." in sentences


def test_layer1_story_reports_the_weights_it_read():
    told = [s.text for s in story(run(tuple("a b c".split()), scale=1.0))[1]]
    assert any("(weight 0.73 to 1.00 on the previous position)" in t for t in told)


def test_a_long_input_lists_a_few_copies_then_counts_the_rest():
    tokens = tuple(f"t{i % 20}" for i in range(60))
    copies = [s.text for s in story(run(tokens))[2] if s.kind in ("copy", "more")]
    assert len(copies) == 13 and copies[-1] == "… and 28 more positions copy the same way."


@pytest.mark.parametrize("ablate, phrase", [("previous-token", "has nothing to match"),
                                            ("induction", "nothing is copied")])
def test_an_ablated_head_is_named_in_the_story(ablate, phrase):
    told = story(run(tuple("! a b a c b".split()), ablate=ablate))
    assert any(s.kind == "ablated" and phrase in s.text for s in told[1] + told[2])
    assert not any(s.kind == "copy" for s in told[2])


def test_no_story_hides_it():
    out = invoke(["show", "! a b a c b", "--no-story"]).stdout
    assert "What layer" not in out
    assert "story" not in json.loads(invoke(["show", "a b a", "--no-story", "--format", "json"]).stdout)


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html", "svg"])
def test_the_story_appears_in_every_document_format(fmt):
    import html

    out = invoke(["show", "! a b a c b", "--format", fmt]).stdout
    if fmt == "svg":  # a word a text element: read the words back in order
        import re

        out = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", out))
    out = html.unescape(out).replace("\xa0", " ")
    assert "What layer 2 did on this string:" in out and "so it predicts" in out
