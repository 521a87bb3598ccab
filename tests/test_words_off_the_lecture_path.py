"""The sixteen sentences read side by side with their matrices and found
false or misleading (issue 25), each run by its own command and held to
what the matrices say. Each test's docstring names the defect."""
import itertools
import json
import re

import numpy as np
import pytest

from cli_runner import invoke
from induction_demo.words import verify
from induction_demo.core.runs import run
from induction_demo.words.story import story
from induction_demo.core.weights import Construction


def shown(*args: str) -> dict:
    result = invoke(["show", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def said(doc: dict, layer: int = 2) -> list[str]:
    return [s["text"] for s in doc["story"][str(layer)]]


def about(doc: dict, i: int, layer: int = 2) -> str:
    """The sentence that tells query @i (its subject)."""
    return next(t for t in said(doc, layer) if re.match(rf"`[^`]*` \(@{i}\)", t))


def test_1_a_near_tie_is_a_split_and_the_prediction_names_its_carriers():
    """`d c d d d d --positions rope`: row 5 is 0.443 / 0.115 / 0.443; `d` comes from @3 and @4."""
    doc = shown("d c d d d d", "--positions", "rope")
    w = np.array(doc["layers"][1]["weights"])[5]
    assert abs(w[1] - w[4]) < 0.01 and w[3] > 0.1
    text = about(doc, 5)
    assert "splits its attention between `c` (@1) and `d` (@4) (0.44 each)" in text
    assert text.endswith("so it predicts `d`, carried by `d` (@3) and `d` (@4).")


def test_2_three_way_near_ties_are_told_as_ties():
    """Sinusoidal: 0.333326 / 0.333326 / 0.333348 are not one confident copy."""
    doc = shown("a a d b a c d b d c b c a c c d c a", "--positions", "sinusoidal")
    assert "splits its attention between `d` (@6), `b` (@10) and `a` (@12) (0.33 each)" in about(doc, 13)
    assert "so it predicts `a` or `d` or `b` (a near-tie)" in about(doc, 13)
    assert about(doc, 15).endswith("so it predicts `b`, carried by `b` (@3) and `b` (@7).")  # @9 holds `c`
    row = np.array(doc["next_token_probs"])[13]
    assert row.max() - row[row > 0.2].min() < 1e-3 * row.max()  # the three within the near-tie


def test_3_the_key_that_decides_the_prediction_is_named():
    """Sinusoidal: a split between @1 (`b`) and @2 (`e`) at 0.44 each; @4 (`e`, 0.11) decides."""
    doc = shown("b b e b e d d a a d e c b b e", "--positions", "sinusoidal")
    assert about(doc, 12).endswith("so it predicts `e`, carried by `e` (@2) and `e` (@4).")


@pytest.mark.parametrize("text,skip,i", [
    ("a a b d b c a a d d e", "1", 7), ("b b a c a a c b a a b", "1", 9), ("e d d a d a d", "2", 6),
    ("d c d b c d b c c a c c c c b", "4", 13), ("a c e f b c a b b a d e d a e d f f", "4", 13)])
def test_4_a_count_of_occurrences_is_said_only_where_each_is_accounted_for(text, skip, i):
    """Under --skip, 'seen N times before' counted occurrences whose key is still ahead."""
    doc = shown(text, "--skip", skip)
    tokens = doc["tokens"]
    for sentence in said(doc):
        seen = re.match(r"`([^`]*)` \(@(\d+)\) has been seen (\d+) times before", sentence)
        if seen:
            q = int(seen.group(2))
            accounted = {int(s) for s in re.findall(r"@(\d+)", sentence.split("occurrences at ")[1])}
            earlier = {k for k in range(q) if tokens[k] == tokens[q]}
            assert earlier <= accounted, sentence  # every occurrence counted is named
            assert int(seen.group(3)) == len(earlier)
    trace = run(tuple(text.split()), construction=Construction(skip=int(skip)))
    assert verify.problems(trace, [s for v in story(trace).values() for s in v]) == []
    assert i < len(tokens)


@pytest.fixture
def skip2(tmp_path):
    path = tmp_path / "skip2.npz"
    assert invoke(["weights", "a b c a b c d a", "--skip", "2", "--format", "npz", "-o", str(path)]).exit_code == 0
    return str(path)


def test_5_a_strict_file_is_never_told_of_the_inclusive_mask(skip2):
    """`show "d a c d a" --model skip2.npz`: row 0 of W^(1) is all zero under the strict mask."""
    for text in ("d a c d a", "a b c d a b", "c c d a b a", "b d a c d a b", "a a b c a b c d"):
        doc = shown(text, "--model", skip2)
        assert not any("inclusive" in t for t in said(doc, 1) + said(doc, 2)), text


def test_6_a_file_keeps_its_horizon(skip2):
    """`show "a b c a b c d a" --model skip2.npz`: @7 is a copy 3 ahead, as in the model it came from."""
    doc = shown("a b c a b c d a", "--model", skip2)
    built = shown("a b c a b c d a", "--skip", "2")
    assert doc["predictions"][7]["copy"] and doc["predictions"][7]["horizon"] == 3
    assert [p["candidates"] for p in doc["predictions"]] == [p["candidates"] for p in built["predictions"]]
    assert "so it predicts `a` or `d` (a tie), 3 ahead (for @10)" in about(doc, 7)
    assert "`c` (@2) to `a` (@0)" not in said(doc, 1)[1]  # row 2 of layer 1 is [0.5, 0.5]: no key three back


def test_7_a_learned_file_s_prediction_names_the_key_it_comes_from(tmp_path):
    """A trained file: 'attends to `f` (@2) (0.37) … so it predicts `b`' never named @1, where `b` comes from."""
    from induction_demo.uses import learned, training
    from induction_demo.core import modelfile

    model = learned.model_of(training.train(training.Config(vocab=6, length=12, steps=300, batch=16, seed=0)))
    path = tmp_path / "learned.npz"
    path.write_bytes(modelfile.packed(model.arrays()))
    loaded = modelfile.load(str(path))
    rng = np.random.default_rng(0)
    for _ in range(20):
        tokens = tuple(rng.choice(loaded.vocab, size=12))
        trace = run(tokens, construction=Construction(model=loaded))
        told = [s for v in story(trace).values() for s in v]
        assert verify.problems(trace, told) == []
        for s in told:  # where the attended key holds another token, the keys that carry the prediction are named
            if s.kind == "copy" and "not the query's token" in s.text:
                assert "carried by" in s.text or s.text.endswith("so it predicts `" + trace.tokens[
                    int(re.findall(r"\(@(\d+)\)", s.text)[1])] + "`.")


def test_8_nope_gives_each_copy_its_share_and_logit():
    """`b a a c a --positions none`: key @3 holds `a` with share 2/3 (logit 66.7), not 1/(k + 1)."""
    doc = shown("b a a c a", "--positions", "none")
    note = next(t for t in said(doc) if t.startswith("With no position encoding"))
    assert "`a` (@4) at `c` (@3), share 0.67, logit 66.7, weight 1.00" in note
    assert "1/(k + 1)" not in json.dumps(doc) and "half-survives" not in json.dumps(doc)


def test_9_the_context_formula_has_its_factor():
    """`--context 2`: the table shows 2s on tok x prev tok; the summary's formula says so."""
    out = invoke(["show", "b c d . x c e . y c e . b c", "--context", "2", "--width", "200"]).stdout
    assert "a_ij = s (2 [x_i = x_(j-1)] + [x_(i-1) = x_(j-2)])" in out
    assert "sum_(m<2)" not in out


def test_10_a_skip_explains_its_discount_its_horizon_and_its_quiet_rows():
    """`--skip 4`: the logits -100 to -50 at keys @1 to @4 are explained; the probabilities are 5 ahead; layer 1's
    rows with no token 5 back are not 'nothing to copy'."""
    args = ["show", "the cat sat on a mat / the dog lay by the", "--skip", "4"]
    doc = shown(*args[1:])
    assert any(t.startswith("Keys @1, @2, @3 and @4 have no token 5 before them") and "(logits -100.0 to 0.0" in t
               for t in said(doc))
    out = invoke(args + ["--width", "200"]).stdout
    assert "Probabilities of the token 5 ahead P = softmax" in out and "Next-token probabilities" not in out
    layer1 = out[out.index("── Layer 1"):out.index("── Layer 2")]
    assert "nothing to copy" not in layer1 and layer1.count("nothing 5 back") == 8  # rows @1 to @4, two tables


def test_11_similar_words_do_not_say_a_first_occurrence_has_nothing_to_copy():
    """`--similar subword`: `cats` (@8), a first occurrence, copies; the rule is said for similar keys."""
    doc = shown("the cat sat on the mat . the cats", "--similar", "subword")
    assert not any(t.startswith("A first occurrence has nothing to copy") for t in said(doc))
    assert any(t.startswith("Where no key it keeps comes right after a token similar to the query's") for t in said(doc))
    assert about(doc, 8).startswith("`cats` (@8) attends to `sat` (@2) (weight 1.00)")


def test_12_nope_does_not_say_half_survives_where_the_weight_is_1():
    """`! a b a c b --positions none`: the weights at @3 and @5 are 1.00."""
    doc = shown("! a b a c b", "--positions", "none")
    assert not any("half-survives" in t for t in said(doc))
    w = np.array(doc["layers"][1]["weights"])
    assert w[3, 2] > 0.99 and w[5, 3] > 0.99


def test_13_the_legend_names_every_cell_it_marks():
    """The lecture's [ ] legend: row @0 key @1 and row @1 key @4 follow the query's own or a later copy."""
    out = invoke(["show", "! a b a c b", "--width", "200", "--layer", "2"]).stdout
    assert "the key right after an occurrence of the query's token" in out
    assert "right after an earlier copy of the query's token)" not in out
    assert verify.marks(run(("!", "a", "b", "a", "c", "b"))) == []


def test_14_a_table_shown_whole_has_no_window_notice():
    out = invoke(["show", "b c d . x c e . y c e . b c", "--context", "2", "--width", "80"]).stdout
    titles = [" ".join(" ".join(itertools.takewhile(lambda line: not line.startswith(" "), t.splitlines())).split())
              for t in out.split("\n\n") if "; subspace " in " ".join(t.split())]
    for part in ("subspace tok", "subspace prev tok", "subspace prev2 tok"):
        title = next(t for t in titles if t.endswith(part) or part + " [" in t)  # (the parts of Y^(1))
        assert "[window" not in title, title


def test_15_the_slide_and_the_predictions_say_what_a_blend_is(tmp_path, skip2):
    path = tmp_path / "s.svg"
    assert invoke(["show", "! a b a c b", "--slide", "-o", str(path)]).exit_code == 0
    text = " ".join(re.sub(r"<[^>]+>", " ", path.read_text()).split())
    assert "blend: no copy, so no prediction" not in text and "blend: no copy, a mix of earlier tokens" in text
    out = invoke(["show", "a b c a b c d a", "--model", skip2, "--width", "200"]).stdout
    assert "with its score;" in out and "with its share;" not in out  # a file's scores are not shares


def test_16_check_says_no_key_for_a_three_way_tie_and_too_low_for_0_48(tmp_path):
    from induction_demo.uses.checking import _where

    assert _where(np.array([1 / 3, 1 / 3, 1 / 3]), 1, 3)[0].startswith("no key has 0.50 of its weight")
    assert _where(np.array([0.48, 0.0, 0.52]), 1, 3)[0] == "it attends to @2 (weight 0.52)"
    path = tmp_path / "m.npz"
    assert invoke(["weights", "! a b a c b", "-o", str(path)]).exit_code == 0
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["A2.0"] = arrays["A2.0"] * 0.01  # scale 1: the right key gets under half
    np.savez(path, **arrays)
    result = invoke(["check", str(path), "--format", "json"])
    message = json.loads(result.stdout)["tests"][1]["output"]
    assert message.endswith("the smallest: on `a ! ! ! a`, layer 2 at @4 puts 0.48 on @1, the token after the earlier "
                            "`a` (@0), where the lecture's induction head puts 1.00 (0.50 needed); no key has 0.50 of "
                            "its weight (the most: @1, 0.48).")


@pytest.mark.parametrize("args", [["! a b a c b"], ["a b c d a b c d e a b", "--context", "2", "--skip", "1"],
                                  ["x y z x y z w", "--circuit", "pointer", "--mask", "inclusive"],
                                  ["a b c d a b c d", "--skip", "2", "--positions", "none"]])
def test_a_row_that_outputs_one_token_and_no_copy_is_not_called_a_blend(tmp_path, args):
    """The lecture's own `a` (@1) keeps only `!`: its output is all `!`, which the predictions called
    "! (blend 1.00)", a blend of nothing. Such a row is "not a copy" in the tables, on the slide and on the
    interactive page; a row that mixes tokens stays a blend."""
    doc = shown(*args)
    whole = [p for p in doc["predictions"] if p["output"] and not p["copy"] and len(p["output"]) == 1
             and round(p["score"], 2) == 1.0]
    assert whole  # each run has such a row
    assert not any("a blend" in text and re.search(r"outputs `[^`]*` \(1\.00\)", text) for text in said(doc))
    out = invoke(["show", *args, "--width", "200"]).stdout
    table = out[out.index("Predictions:"):]
    table = table[:re.search(r"^(Next-token probabilities|Probabilities of the token)", table, re.M).start()]
    assert "(blend 1.00" not in table and "not a copy = all it mixed is that one token" in " ".join(table.split())
    for p in whole:
        assert re.search(rf"^@{p['position']} +\S+ +{re.escape(p['output'][0])} \(not a copy\)", table, re.M), table
    for form in ("markdown", "latex", "html"):
        assert "blend 1.00" not in invoke(["show", *args, "--format", form]).stdout
    svg = tmp_path / "s.svg"
    assert invoke(["show", *args, "--slide", "-o", str(svg)]).exit_code == 0
    text = " ".join(re.sub(r"<[^>]+>", " ", svg.read_text()).split())
    assert "no copy: a single token, not a copy" in text
    page = tmp_path / "p.html"
    assert invoke(["show", *args, "--interactive", "-o", str(page)]).exit_code == 0
    assert f'<li data-position="{whole[0]["position"]}">' in page.read_text()
    item = page.read_text().split(f'<li data-position="{whole[0]["position"]}">')[1].split("</li>")[0]
    assert item.endswith(" (not a copy)"), item


@pytest.mark.parametrize("args", [
    ["show", "a b c a b", "--model", "{learned}", "--beside"],
    ["show", "a b c a b c", "--model", "{learned}"],
    ["show", "b c d . x c e . b c", "--context", "2", "--ablate", "previous-token"],
    ["show", "a b c a b c", "--circuit", "virtual"],
    ["show", "a b c a b c", "--circuit", "pointer", "--mask", "inclusive"],
    ["show", "the cat sat . the cat ran", "--similar", "subword", "--positions", "relative"],
    ["lecture", "a b c d a b c", "--skip", "1"],
    ["circuits", "a b c a b"], ["weights", "a b c a b"], ["quiz", "a b c a b c", "--key"],
    ["positions", "a b c a b"],
])
def test_every_table_that_marks_cells_with_brackets_says_what_they_mark(monkeypatch, tmp_path, args):
    """`show --model FILE --beside` marked the file's weights [1.00] where the hand-built head does its job
    and said so only under the hand-built's table: a [ ] in a table is explained in its own caption."""
    from induction_demo.views.render import terminal
    from induction_demo.views.views import Table, plain

    path = tmp_path / "learned.npz"
    assert invoke(["train", "--steps", "5", "--save", str(path)]).exit_code == 0
    seen = []
    original = terminal.document_lines

    def lines(document, *rest, **named):
        seen.extend(b for b in document.blocks if isinstance(b, Table))
        return original(document, *rest, **named)
    monkeypatch.setattr(terminal, "document_lines", lines)
    result = invoke([a.replace("{learned}", str(path)) for a in args] + ["--width", "200"])
    assert result.exit_code == 0, result.stderr
    marked = [t for t in seen if any(c.text.startswith("[") and c.top for r in t.rows for c in r.cells)]
    assert marked or args[0] not in ("show", "positions") or "--model" in args and "--beside" not in args
    for table in marked:
        assert "[ ] = " in plain(table.title), plain(table.title)


def test_a_file_s_row_that_outputs_one_token_is_not_a_copy_and_a_dense_one_is_a_blend(tmp_path):
    """A model file's scores are entries, not shares, and the rule was asked only of shares: a file whose
    A_2 matches the key's own token (tok x tok) outputs `a` alone at @3 of the lecture's string, and its
    table said "a (blend 1.00)"; there every other token scoring 0.00 is the rule. With dense token
    vectors every token scores something: a built head's weight, all on keys of one token, is the rule."""
    path = tmp_path / "m.npz"
    assert invoke(["weights", "! a b a c b", "-o", str(path)]).exit_code == 0
    arrays = dict(np.load(path))
    a2 = np.zeros_like(arrays["A2.0"])
    a2[range(4), range(4)] = 100.0  # tok x tok: the token blocks come first
    arrays["A2.0"] = a2
    np.savez(path, **arrays)
    out = invoke(["show", "! a b a c b", "--model", str(path), "--width", "200"]).stdout
    assert "@3 a a (not a copy)\n" in out and "@5 b b (not a copy)\n" in out and "blend 1.00" not in out
    assert "@2 b ! / a (blend 0.50 each)\n" in out
    dense = invoke(["show", "cats sat cat dog", "--similar", "subword", "--width", "200"]).stdout
    assert "@1 sat  cats (not a copy)\n" in dense  # (`cat` scores too: the head attends to `cats` alone)
    assert "@3 dog  cat (blend 0.64)\n" in dense


@pytest.mark.parametrize("zeroed, text", [(("A1.0", "V1.0"), "a b c a b"), (("V1.0",), "a b c d a b c d")])
def test_8_a_file_s_layer_1_is_not_told_to_write_where_its_v_does_not(skip2, tmp_path, zeroed, text):
    """A file's look-back head that spreads its weight (A_1 of zeros), or whose queries have no key its offset
    back, was told to write "their mean into its second half" (the construction's half), though its V_1 of
    zeros writes nothing: where a file's head writes is said once, read off its output."""
    with np.load(skip2) as f:
        arrays = {k: f[k] for k in f.files}
    for key in zeroed:
        arrays[key] = np.zeros_like(arrays[key])
    path = tmp_path / "zeroed.npz"
    np.savez(path, **arrays)
    doc = shown(text, "--model", str(path))
    layer1 = said(doc, 1)
    assert not any("second half" in t or "their mean" in t for t in layer1), layer1
    assert layer1[-1].startswith("Its output writes into nothing"), layer1[-1]


def test_a_layer_of_several_heads_is_named_as_a_list():
    """Under --context 4 --skip 16 layer 1 was the "previous-token head and 2-back head and 3-back head and
    17-back head and ..." in every heading, button and JSON document: a list, its last item after "and"."""
    from induction_demo.core.runs import run
    from induction_demo.core.weights import Construction

    two = run(tuple("a b c a b".split()), construction=Construction(context=2)).layers[0].name
    seven = run(tuple("a b c a b".split()), construction=Construction(context=4, skip=16)).layers[0].name
    assert two == "previous-token head and 2-back head"
    assert seven == ("previous-token head, 2-back head, 3-back head, 17-back head, 18-back head, 19-back head and "
                     "20-back head")


def test_the_columns_a_caption_leaves_out_are_named_as_a_list():
    """"the prev tok and prev pos and prev2 tok and prev2 pos columns are all 0 and left out" (--context 2)."""
    from cli_runner import invoke

    page = invoke(["show", "b c d . x c e . y c e . b c", "--context", "2", "--format", "markdown"]).stdout
    assert "the prev tok, prev pos, prev2 tok and prev2 pos columns are all 0 and left out" in page
    assert " and prev pos and " not in page


STREAM_WORD = re.compile(r"\b(halves|half|thirds?|quarters?|fifths?|sixths?|sevenths?|eighths?)\b(?! (?:its|the) "
                         r"(?:weight|row))")


@pytest.mark.parametrize("options, parts", [
    ([], "half"), (["--context", "2"], "third"), (["--context", "3", "--ablate", "previous-token"], "quarter"),
    (["--context", "2", "--skip", "2"], "quarter"), (["--context", "4", "--skip", "16"], "eighth"), (["--circuit", "virtual"], "third"),
    (["--circuit", "virtual", "--ablate", "previous-token"], "third"), (["--context", "2", "--positions", "none"], "third"),
    (["--context", "2", "--positions", "relative"], "third"), (["--context", "2", "--mask", "inclusive"], "third"),
    (["--circuit", "pointer"], None)])
def test_the_stream_s_parts_are_named_by_their_count(options, parts):
    """Under --context 2 the stream [tok | pos | prev tok | prev pos | prev2 tok | prev2 pos] was told in "halves"
    in every format ("the earlier halves are empty", "its prev2 half holds their mean", "V_3 keeps the key's
    current half"; under --context 4 --skip 16, eight parts), and the pointer circuit's [tok | pos | ptr] had a
    "current half" and, at a narrow width, a
    "half  back". Each part is now a half, a third, a quarter ... by how many there are; the pointer circuit's are
    its token and position and its pointer block."""
    text = "a b c d a b c a b"
    seen = []
    for command in ("show", "weights", "circuits") if "--ablate" not in options else ("show",):
        for form in ("table", "markdown", "json"):
            result = invoke([command, text, *options, "--format", form, "--width", "50"])
            assert result.exit_code == 0, result.stderr
            seen += STREAM_WORD.findall(result.stdout)
    words = {w.rstrip("s") if not w.startswith("hal") else "half" for w in seen}
    assert words == ({parts} if parts else set()), (options, sorted(set(seen)))
    if parts is None:
        narrow = invoke(["show", text, *options, "--width", "50"]).stdout
        assert "pointer block: ptr pos" in narrow and "token and position: tok, pos" in narrow


def test_under_a_skip_the_empty_half_is_named_by_how_far_back_it_holds():
    """Under --skip 3 layer 1 writes the token four back into the prev4 half, but Y^(0)'s caption called it "the
    previous half", the name of the half that holds the token one back."""
    out = invoke(["show", "a b c d e a b c d e a", "--skip", "3", "--format", "markdown"]).stdout
    assert "the prev4 half is empty" in out and "previous half" not in out


@pytest.mark.parametrize("options", [{"skip": 2, "positions": "sinusoidal"}, {"context": 2, "positions": "rope"},
                                     {"skip": 3, "positions": "rope"}])
def test_a_leak_is_told_from_a_row_that_has_a_key_that_far_back(options):
    """Under --skip 2 --positions sinusoidal (and the 2-back head of --context 2) the story said "the rest leaks to
    the positions just before, because their codes are close to the previous one's: at most 1.00, from `b` (@1) to
    `a` (@0)": @1 has no key three back, so its 1.00 is no leak (the head spread over what it had), and the verifier
    passed it, reading the same rows. A leak is now measured on the rows with a key that far back, and told around
    the key the head is built for ("next to i - 3"); the verifier refuses a leak from any other row."""
    from induction_demo.words import claims as cl

    tokens = tuple("a b c d e f g h a b c d".split())
    trace = run(tokens, construction=Construction(**options))
    verify.check(trace, story(trace)[1])
    leaks = [s for s in story(trace)[1] if s.kind == "leak"]
    assert leaks
    for sentence in leaks:
        leak = next(p for p in sentence.premises if isinstance(p, cl.Leak))
        o = trace.layers[0].heads[leak.head].head.offset
        assert leak.query >= o and leak.value < 0.5
        why = "their codes are" if options["positions"] == "sinusoidal" else "their keys are turned by angles"
        assert ("just before" if o == 1 else f"next to i - {o}, because {why} close to that of i - {o}") \
            in sentence.text
        assert not verify.CHECKS[cl.Leak](trace, leak._replace(query=1, key=0, value=1.0))


@pytest.mark.parametrize("positions", ["relative", "sinusoidal", "rope", "none"])
def test_under_a_skip_layer_1_is_told_as_the_head_it_is(positions):
    """Under --skip 2 layer 1 is one 3-back head, but a handout under another position scheme called it the
    "previous-token head" with "b_o = s" (o never said) and a sum over heads, copying "into the o-back half", and
    its scheme's note spoke of the previous token, the previous position and "b_1 = s"."""
    out = "".join(invoke([command, "a b c d a b c d a", "--skip", "2", "--positions", positions, "--format",
                          "markdown"]).stdout for command in ("show", "weights", "circuits"))
    assert not re.search(r"previous|o-back|b_\{[o1]\}|\\sum_\{o\}", out), re.findall(r".{40}(?:previous|o-back).{20}", out)
    assert "Layer 1 (3-back head): " in out and "prev3 half" in out
    if positions == "relative":
        assert "The bias $b_{3} = s$" in out


def test_the_nope_note_promises_each_copy_s_share_only_where_the_story_gives_it():
    """Under --context 2 (or similar words) the NoPE note said the induction head's logit is s c/m and "the story
    gives them for each copy", but the story gives the shares only for one-token matches of one-hot tokens."""
    for options, promised in (([], True), (["--skip", "1"], True), (["--context", "2"], False),
                              (["--similar", "subword"], False)):
        out = invoke(["show", "a b c a b c a", "--positions", "none", *options, "--format", "markdown"]).stdout
        assert ("the story gives them for each copy" in out) == promised, options
        if "--skip" not in options:  # (a skip's head here copies nothing: no share to give)
            assert ("with a share of that mean" in out) == promised, options


@pytest.mark.parametrize("positions", ["relative", "sinusoidal"])
def test_the_virtual_circuit_s_position_notes_tell_each_layer_s_own_head(positions):
    """The virtual circuit's two look-back layers (each one previous-token head) got the --context 2 note of
    several heads, "b_o = s ... third o back ... the token o before", twice, both times of layer 1, and its
    induction head was "Layer 2". Each layer's note is now its own: b_1, layer 2 writing the prev2 third."""
    out = invoke(["show", "a b c d a b c d a", "--circuit", "virtual", "--positions", positions, "--format",
                  "markdown"]).stdout
    notes = [line for line in out.splitlines() if line.startswith(("The bias", "Layer 1 puts", "Layer 2 puts"))]
    assert len(notes) == 2 and not any(re.search(r"b_\{o\}|\bo back|\bo before", note) for note in notes)
    assert "previous third" in notes[0] and "prev2 third holds the token two before it" in notes[1]
    assert "layer 2" in notes[1].lower() and "Layer 2 matches" not in out


def test_bench_under_a_skip_says_which_keys_and_which_token_it_scores():
    """`bench --skip 2` measured the induction score on the keys 3 after each earlier copy and the loss of the token
    3 ahead, but said "the keys right after its token's earlier copies" and "-ln P(next token)"."""
    out = " ".join(invoke(["bench", "--trials", "2", "--length", "20", "--skip", "2"]).stdout.split())
    assert "the keys 3 after its token's earlier copies" in out and "-ln P(the token 3 ahead)" in out
    assert "right after" not in out and "next token" not in out
    plain = " ".join(invoke(["bench", "--trials", "2", "--length", "20"]).stdout.split())
    assert "the keys right after its token's earlier copies" in plain and "-ln P(next token)" in plain


def test_a_model_file_s_stream_and_ablated_heads_are_told_from_its_arrays(tmp_path):
    """A file of the virtual circuit's shape, [tok | pos | prev tok | prev pos | prev2 tok | prev2 pos], was told
    in halves (its layer 1 writing "the previous half, where the lecture's layer 1 writes"), and, ablated, its
    layer 2 "left the previous half of every representation empty" though its V writes the prev2 blocks, as the
    lecture's layout was assumed of every file. Its parts are counted from its layout, and an ablated head's
    empty blocks are those its V writes."""
    path = tmp_path / "virtual.npz"
    text = "a b c d a b c d a"
    assert invoke(["weights", text, "--circuit", "virtual", "-o", str(path)]).exit_code == 0
    out = "".join(invoke([command, text, "--model", str(path), *extra, "--format", "markdown"]).stdout
                  for command, extra in (("show", []), ("circuits", []), ("show", ["--ablate", "previous-token"])))
    assert not re.search(r"\bhal(f|ves)\b(?! (?:its|the) weight)", out), re.findall(r".{50}\bhalf.{20}", out)
    assert "(the previous third, where the lecture" in out
    assert "so the prev2 tok and prev2 pos blocks of every representation stay empty" in out
    assert "and the prev tok and prev pos blocks of every key are empty" in out


def test_a_stream_s_parts_are_labelled_as_the_story_names_them():
    """A table too wide for the screen, shown a part at a time, labelled the context-2 stream's last part
    "half 2 back" (then "third 2 back") where the story says "its prev2 third"; one name now, the story's."""
    from induction_demo.views.tables import halves

    tokens = tuple("a b c a b c a b".split())
    labels = [label for label, _ in halves(run(tokens, construction=Construction(context=2)))]
    assert labels == ["current third", "previous third", "prev2 third"]
    assert [label for label, _ in halves(run(tokens, construction=Construction(circuit="pointer")))] == \
        ["token and position", "pointer block"]


def test_a_context_match_of_similar_words_is_told_by_their_similarities():
    """Under --similar case --context 2, `the` (@4) "attends to `cat` (@1) (weight 1.00), whose tokens just before
    it, `The`, match 0 of the query's last 2": the head matches `The` to `the` by their cosine, 1, and the
    reason counted equal tokens. With dense token vectors the reason now gives each pair's similarity, and the
    verifier holds them to the vectors."""
    from induction_demo.core.similar import Similarity
    from induction_demo.words import claims as cl

    tokens = tuple("The cat sat . the cat ran . THE cat".split())
    trace = run(tokens, construction=Construction(context=2, similar=Similarity("case")))
    said = story(trace)
    verify.check(trace, said[2])
    text = " ".join(s.text for s in said[2])
    assert "match 0 of" not in text and "match 1 of" not in text
    assert "`the` (@4) attends to `cat` (@1) (weight 1.00), whose tokens just before it, `The`, have similarity " \
           "1.00 with the query's last 2" in text
    premise = next(p for s in said[2] for p in s.premises if isinstance(p, cl.Context) and p.key == 6)
    assert not verify.CHECKS[cl.Context](trace, premise._replace(similarities=(0.5, 1.0)))


@pytest.mark.parametrize("options", [["--similar", "case", "--context", "2"],
                                     ["--similar", "subword", "--context", "3", "--skip", "1"]])
def test_similar_words_over_a_context_are_told_by_their_cosines(options):
    """Under --similar with --context 2 the handout's formula said a_ij = s (2 [x_i = x_(j-1)] + [x_(i-1) = x_(j-2)])
    and layer 2 "scores each key by how many of the 2 tokens ... match", though A_2 adds the cosines of the token
    vectors (`The` and `THE` score 1): the formula, the summary and the model's line now say cosines, and the
    formula's numbers are the run's logits."""
    out = invoke(["show", "a cat sat . a cats ran", *options, "--format", "markdown"]).stdout
    assert "\\text{cos}(x_{i}, x_{j-" in out and "[x_{i} = " not in out and "how many of" not in out
    assert "scores each key by how similar" in out and "by the cosines of the query" in out
    from induction_demo.core.similar import Similarity

    trace = run(tuple("a cat sat . a cats ran".split()), construction=Construction(
        context=int(options[3]), skip=int(options[5]) if len(options) > 4 else 0, similar=Similarity(options[1])))
    cos, ix, k, h = trace.words.cosine, trace.vocab.index, trace.construction.context, trace.construction.horizon
    t = trace.tokens
    for i in range(len(t)):
        for j in range(h + k - 1, i):  # (a key with all k tokens before it: nearer the start, layer 1 wrote blends)
            want = 100 * sum((k if m == 0 else 1) * cos(ix(t[i - m]), ix(t[j - h - m])) for m in range(k) if i - m >= 0)
            assert abs(trace.induction.logits[i, j] - want) < 1e-9 * max(1.0, abs(want)), (i, j)


@pytest.mark.parametrize("args", [["--context", "2"], ["--skip", "4"], ["--ablate", "previous-token"],
                                  ["--circuit", "virtual"], ["--context", "2", "--mask", "inclusive"]])
def test_a_narrow_screen_shows_no_part_of_the_stream_that_is_all_zero(args):
    """On a screen too narrow for Y whole, each half (third, ...) or subspace was a table, the empty ones too:
    under --context 2 at 80 columns `lecture` spent two screens on four tables of dots. Now a part all 0 is left
    out and its columns named in the caption of those shown; what is shown still holds every nonzero entry."""
    out = invoke(["show", "b c d . x c e . b c", *args, "--width", "80", "--no-matrices", "--no-story"]).stdout
    tables = [t for t in out.split("\n\n") if t.startswith(("Input Y^(", "Layer output Y^("))]
    assert tables
    for table in tables:
        lines = table.splitlines()
        rule = next(k for k, line in enumerate(lines) if set(line) == {"─"})
        body = [line.split()[2:] for line in lines[rule + 1:] if line.startswith("@")]
        assert any(cell not in ("·", "│") for row in body for cell in row), table
    emptied = [t for t in tables if "columns are all 0 and left out" in " ".join(t.split())]
    assert emptied  # each of these streams has an empty part, named where it is left out


@pytest.mark.parametrize("positions", ["none", "rope", "relative", "sinusoidal", "one-hot"])
def test_layer_1_s_words_under_the_inclusive_mask_say_what_its_output_holds(positions):
    """`a b c a b c a --mask inclusive --positions none`: "@0 ... writes its own token and position into its
    previous half", where NoPE's stream has no position; and "the mean of the tokens before it", where the
    inclusive mask keeps the query too (@1's previous half is 0.50 `a`, 0.50 `b`, itself)."""
    doc = shown("a b c a b c a", "--mask", "inclusive", "--positions", positions)
    first = about(doc, 0, layer=1)
    what = {"none": "token", "rope": "token", "relative": "token", "sinusoidal": "token and position code",
            "one-hot": "token and position"}[positions]
    assert f"writes its own {what} into its previous half" in first, first
    stream = [s["text"] for s in doc["story"]["1"] if s["text"].startswith("Its output writes")]
    if positions == "none":  # every key spreads evenly: the mean of what it keeps, itself among them
        assert stream == ["Its output writes, for each token, the mean of the tokens it keeps (itself and those "
                          "before it) into its previous half."]
        prev = np.array(doc["layers"][0]["output"])[1]  # @1 `b`: its previous half holds a and b alike
        assert prev[-3:].tolist() == pytest.approx([0.5, 0.5, 0.0])
    strict = shown("a b c a b c a", "--positions", "none")
    assert [s["text"] for s in strict["story"]["1"] if s["text"].startswith("Its output writes")] == [
        "Its output writes, for each token, the mean of the tokens before it into its previous half."]


@pytest.mark.parametrize("args, subject, part", [
    (("--skip", "1"), "Layer 1: ", "its prev2 half"),
    (("--context", "2", "--skip", "1"), "The 3-back head: ", "its prev3 quarter"),
    (("--skip", "1", "--mask", "inclusive"), "Layer 1: ", "its prev2 half")])
def test_a_row_with_no_token_that_far_back_names_the_part_it_writes_beside_a_leak(args, subject, part):
    """Under sinusoidal positions a look-back head leaks, and the leak's sentence reused the name of the part
    the head writes for its "positions next to i - 2": the rows with no token that far back then said "its
    next to i - 2 half holds that blend of them" (or "... holds their mean" where their logits tie)."""
    doc = shown("x a b a c b a c", "--positions", "sinusoidal", *args)
    early = [t for t in said(doc, 1) if t.startswith(subject) and "no token" in t]
    assert early and all(f" {part} holds " in t and "next to" not in t for t in early), early
    assert any("leaks to the positions next to i - " in t for t in said(doc, 1))


def test_a_key_with_no_token_that_far_back_is_told_in_a_whole_sentence():
    """`x a b a c b a c --mask inclusive --positions none --context 2 --skip 1`: @3 splits between @1 and itself,
    and @1 was "which has no token two before: not a key the head is built for", the "it" left out."""
    doc = shown("x a b a c b a c", "--mask", "inclusive", "--positions", "none", "--context", "2", "--skip", "1")
    text = about(doc, 3)
    assert "@1, which has no token two before it: not a key the head is built for" in text, text


@pytest.mark.parametrize("positions", ["sinusoidal", "rope"])
@pytest.mark.parametrize("options, beside", [((), "just before it"), (("--skip", "1"), "next to it"),
                                             (("--mask", "inclusive"), "next to it")])
def test_the_note_on_a_leak_says_where_it_goes(positions, options, beside):
    """The sinusoidal and RoPE note said "the rest on the ones just before it ... plus a little of the tokens before
    that" under --skip 1 too, where layer 1 looks at i - 2 and its largest leak is to i - 1, after it (and under
    the inclusive mask, to the query itself). Only the previous position under the strict mask leaks only back."""
    out = " ".join(invoke(["show", "x a b a c b a c", "--positions", positions, *options, "--width", "1000"]
                          ).stdout.split())
    assert f"the rest on the ones {beside}:" in out
    w = np.array(shown("x a b a c b a c", "--positions", positions, *options)["layers"][0]["weights"])
    o = 2 if options == ("--skip", "1") else 1
    after = [float(w[i, i - o + 1]) for i in range(o, len(w))]  # the key just after the one looked at
    assert (max(after) > 0.001) == (beside == "next to it")


@pytest.mark.parametrize("options, words", [
    (("--similar", "subword"), "A_2 scores each key by how similar the token just before it is to the query's "
                               "(a_ij = s cos(x_i, x_(j-1))); V_2 keeps the key's current half: its token's vector "
                               "and position."),
    (("--similar", "subword", "--positions", "none"), "V_2 keeps the key's current half: its token's vector."),
    (("--similar", "subword", "--skip", "1", "--positions", "sinusoidal"),
     "how similar the token two before it is to the query's (a_ij = s cos(x_i, x_(j-2))); V_2 keeps the key's "
     "current half: its token's vector and position code."),
    (("--positions", "rope"), "Model: the lecture's, with rotary position embeddings (RoPE, K = 16)"),
    (("--circuit", "pointer", "--mask", "inclusive"), "A_1 scores keys holding the query's token (a_ij = s [x_i = "
                                                      "x_j]; less s for the query itself, which the inclusive mask "
                                                      "keeps); V_1 copies")])
def test_a_layer_s_summary_says_what_its_stream_holds(options, words):
    """Under --similar, "the token 1 before it" (the lecture's "just before") and, under NoPE, V_2 keeping "its
    token's vector and position" of a stream with no position; "(RoPE) (K = 16)" and "(a_ij = s [x_i = x_j]) (less
    s for the query itself ...)": one pair of parentheses each."""
    out = " ".join(invoke(["show", "x a b a c b a c", *options, "--width", "1000"]).stdout.split())
    assert words in out


@pytest.mark.parametrize("options, words", [
    (("--positions", "none"), "no position in the stream (no position encoding, NoPE), d = 2V"),
    (("--positions", "rope"), "no position in the stream (rotary position embeddings, RoPE), d = 2V"),
    (("--skip", "1"), "Layer 1 (2-back head): $A_{1} = s [\\text{pos}(\\text{key}) = \\text{pos}(\\text{query}) - 2]$, "
                      "and it writes the key\\'s token and position into its prev2 half; "
                      "$Y^{(1)} = Y^{(0)} + W^{(1)} Y^{(0)} V_{1}$."),
    (("--context", "2"), "Layer 1 (2 heads, offsets 1, 2): head o has"),
    (("--skip", "1"), "Layer 2 (induction head): $A_{2} = s [\\text{tok}(\\text{query}) = \\text{prev2 tok}"
                      "(\\text{key})]$, so $a_{ij} = s [x_{i} = x_{j-2}]$;")])
def test_the_model_s_equations_name_a_single_head_and_nest_no_parentheses(options, words):
    """The handout's model section read "(no position encoding (NoPE))", and under --skip 1 "Layer 1 (1 head,
    offsets 2): head o has A = s [pos(key) = pos(query) - o] ... into its half o back" for its one 2-back head,
    and "A_2 matches the query's token m back against the key's token 2 + m back, for m < 1" for one token."""
    out = invoke(["show", "x a b a c b a c", *options, "--format", "markdown"]).stdout
    assert words in out
    assert "(NoPE))" not in out and "(RoPE))" not in out and "1 head," not in out and "m < 1" not in out


@pytest.mark.parametrize("mask", ["strict", "inclusive"])
@pytest.mark.parametrize("similar", [None, "subword"])
@pytest.mark.parametrize("context", [1, 2])
def test_a_blend_is_told_by_the_rule_that_scores_it(mask, similar, context):
    """With the previous-token head ablated, every logit of the induction head is 0 and each blend was told as
    "the most frequent earlier token with its share of Y^(2)": under --similar, a token scores by its vector's dot
    product with the mean of the keys' vectors (`the cat sat on the mat . the cats`: `the` (@4) gets `cat` or `sat`,
    0.33, where the, cat, sat and on each stand once before it), and under the inclusive mask each query keeps
    itself too (`a b a b a c`: `a` (@2) gets `a` at 0.67, where a and b stand once before it). Each blend sentence
    now names the rule that holds, and the tokens it names are what that rule picks."""
    from induction_demo.core.similar import Similarity

    blends = 0
    for text in ["the cat sat on the mat . the cats", "a b a b a c", "x y x z y x y", "b a c a b c b a"]:
        tokens = tuple(text.split())
        trace = run(tokens, ablate="previous-token", construction=Construction(
            mask=mask, context=context, similar=None if similar is None else Similarity(similar)))
        said_ = story(trace)[len(trace.layers)]
        spread = [s.text for s in said_ if s.kind == "ablated" and "evenly over" in s.text]
        assert len(spread) == 1 and ("evenly over the keys it keeps, itself included" in spread[0]) == (
            mask == "inclusive"), spread  # (and "over the past" under the strict mask)
        told = [s for s in said_ if s.kind == "blend"]
        assert verify.problems(trace, said_) == []
        blends += len(told)
        for sentence in told:
            frequent = "the most frequent" in sentence.text
            assert frequent == (similar is None), sentence.text
            assert ("itself included" in sentence.text) == (frequent and mask == "inclusive"), sentence.text
            for p in trace.predictions:
                if frequent and p.copyable and p.output and not p.copy:
                    kept = tokens[:p.position + (mask == "inclusive")]
                    counts = {t: kept.count(t) for t in kept}
                    assert set(p.output) == {t for t in counts if counts[t] == max(counts.values())}, p
    assert blends == 4


@pytest.mark.parametrize("similar", ["case", "subword"])
def test_where_the_token_vectors_come_from_is_said_once(similar):
    """The virtual circuit's layer 2 is a previous-token head too, and its story opened again with "Each token is
    its case-folded form", layer 1's first line: it is said once, where layer 1 is told."""
    doc = shown("the cat sat . the cat ran", "--circuit", "virtual", "--similar", similar)
    said_where = [layer for layer in ("1", "2", "3") for s in doc["story"][layer] if s["text"].startswith("Each token is")]
    assert said_where == ["1"]


def test_the_sweep_says_why_position_0_is_matched_under_the_inclusive_mask():
    """Under the inclusive mask the sweep's @3 (`a` of `a b c a b c`) puts 0.50 on its matched key at s = 100,
    where the closed form says 1.00: position 0 keeps only itself, so its previous half holds its own `a` and
    it matches too. The note under the table blamed "a blend of the first tokens" alone; it now names
    position 0's own token, under that mask only."""
    said = {mask: " ".join(invoke(["sweep", "a b c a b c", "--scale", "1,100", "--mask", mask]).stdout.split())
            for mask in ("inclusive", "strict")}
    assert "(position 0, which the inclusive mask lets keep only itself, its own token)" in said["inclusive"]
    assert "0.500000 1.000000" in said["inclusive"]  # (@3's weight at s = 100, beside the closed form)
    assert "position 0, which" not in said["strict"]


@pytest.mark.parametrize("skip", [0, 1])
@pytest.mark.parametrize("context", [1, 2])
def test_the_query_itself_is_told_by_what_its_earlier_half_holds_too(skip, context):
    """Under the inclusive mask a query keeps itself, and the induction head weighs it, as any key, by what its
    earlier halves hold: `a b a b a --skip 1`, `b` (@3) "attends to `b` (@3) (weight 1.00), the query itself,
    which the inclusive mask keeps, so it predicts `b`", where @3 is 2 after the earlier `b` (@1), a copy the
    head is built for. The mask says why the key is kept, not why it scores: each sentence that names the
    query itself among the keys it attends to now says what its earlier half holds as well."""
    told = 0
    for text in ["a b a b a", "x y x x y x", "b a b b a b a a", "c a b c a b c", "a a b a a b a a", "p q p q p q"]:
        tokens = tuple(text.split())
        trace = run(tokens, construction=Construction(mask="inclusive", skip=skip, context=context))
        said_ = story(trace)[len(trace.layers)]
        assert verify.problems(trace, said_) == []
        for sentence in said_:
            for i, rest in re.findall(r"@(\d+), the query itself \(the inclusive mask keeps it\), ([^;]*)",
                                      sentence.text):
                i, source = int(i), int(i) - 1 - skip
                told += 1
                assert sentence.text.startswith(f"`{tokens[i]}` (@{i})"), sentence.text  # its own row
                if source < 0:
                    assert "no token" in rest, rest
                elif context == 1:
                    where = "which followed" if skip == 0 else f"{skip + 1} after"
                    assert rest.startswith(f"{where} the earlier `{tokens[i]}` (@{source})" if tokens[source] ==
                                           tokens[i] else f"{where} `{tokens[source]}` (@{source}), not"), rest
                else:
                    assert rest.startswith(f"whose tokens ending {skip + 1} before it" if skip else
                                           "whose tokens just before it"), rest
            assert "the query itself, which the inclusive mask keeps" not in sentence.text
    assert told >= 2


@pytest.mark.parametrize("mask", ["strict", "inclusive"])
@pytest.mark.parametrize("context, skip", [(2, 0), (3, 0), (2, 1)])
def test_a_context_match_names_the_blend_that_scores_with_it(mask, context, skip):
    """`a a b a a b a a --context 2`: `a` (@4) splits its attention 0.50 / 0.50 between @1, "whose tokens just
    before it, `a`, match 1 of the query's last 2", and @2, which matches 2 of 2: key @1 has no token two before
    it, and its prev2 third holds what layer 1 wrote there, `a` (@0), which the query's `a` (@3) matches, so it
    scores as a match of 2. A key told by its matched tokens alone now has exactly the logit they give it
    (a_ij = s (c [x_i = x_(j-h)] + the other matches)); where a blend scores too, the sentence says so."""
    told = blended = 0
    for text in ["a a b a a b a a", "x y x x y x y y x", "b a b b a b a a b", "c a b c a b c a", "p p p q p p q"]:
        tokens = tuple(text.split())
        trace = run(tokens, construction=Construction(mask=mask, context=context, skip=skip))
        said_ = story(trace)[len(trace.layers)]
        assert verify.problems(trace, said_) == []
        logits, h = trace.induction.logits, 1 + skip
        for sentence in said_:
            i = re.match(r"`[^`]*` \(@(\d+)\)", sentence.text)
            if i is None or int(i[1]) < context - 1:  # (a query with no token that far back is a blend itself)
                continue
            i = int(i[1])
            for j, rest in re.findall(r"@(\d+), whose tokens (?:just|ending \d+) before it, (.*?)(?:;|, so |\.$)",
                                      sentence.text):
                j = int(j)
                told += 1
                scored = context * (tokens[i] == tokens[j - h]) + sum(
                    tokens[i - m] == tokens[j - h - m] for m in range(1, context) if j - h - m >= 0)
                if ", and its " in rest:
                    blended += 1
                    assert "holds a blend with" in rest and logits[i, j] > 100.0 * scored + 1e-6, (text, i, j)
                else:
                    assert abs(logits[i, j] - 100.0 * scored) < 1e-6, (text, i, j, rest)
    assert told >= 5 and blended >= 1


def test_a_blend_says_where_most_of_the_weight_went_instead():
    """`x y z x y w x y --positions rope --context 2 --mask inclusive`: "`x` (@3) puts 0.06 on `y` (@1) and
    outputs `x` (0.94)" left out where the 0.94 went, and why: to @0, whose earlier thirds hold its own token
    (position 0 kept only itself). A row that puts less than half on the head's job names the key that holds
    half or more instead, with its reason, and only such a key."""
    from induction_demo.core import mechanism

    named = 0
    for options, text in itertools.product(
            [dict(positions="rope", context=2, mask="inclusive"), dict(mask="inclusive"),
             dict(positions="rope", mask="inclusive", skip=1), dict(positions="sinusoidal", context=2)],
            ["x y z x y w x y", "x y x z x y", "a b c a d a b", "p q p p q r p"]):
        tokens = tuple(text.split())
        trace = run(tokens, construction=Construction(**options))
        said_ = story(trace)[len(trace.layers)]
        assert verify.problems(trace, said_) == []
        layer = trace.layers[-1]
        cells = mechanism.cells(trace, trace.induction) & layer.mask
        w = layer.weights
        for sentence in (s for s in said_ if "less than half the weight" in s.text):
            for i, rest in re.findall(r"`[^`]*` \(@(\d+)\) puts [\d.]+ on (.*?) and outputs", sentence.text):
                i = int(i)
                off = np.flatnonzero(layer.mask[i] & ~cells[i])
                heavy = [j for j in off if w[i, j] >= 0.5]
                found = re.search(r", ([\d.]+) on `[^`]*` \(@(\d+)\), (.*),$", rest)
                assert bool(found) == bool(heavy), (text, i, rest)
                if found:
                    named += 1
                    assert int(found[2]) == heavy[0] and found[1] == f"{w[i, heavy[0]]:.2f}", (text, i, rest)
    assert named >= 2
