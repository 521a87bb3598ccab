"""check FILE: a student's model held against the lecture's."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from cli_runner import invoke

LECTURE = "! a b a c b"


@pytest.fixture
def lecture(tmp_path) -> dict:
    """The lecture's model as a student writes it by hand: A1, V1, A2, V2 (the older files' names, which still
    load), no roles."""
    path = tmp_path / "lecture.npz"
    assert invoke(["weights", LECTURE, "-o", str(path)]).exit_code == 0
    with np.load(path) as f:
        return {k.removesuffix(".0"): f[k] for k in f.files if k not in ("roles", "offsets")}


def checked(tmp_path, arrays: dict, *options: str, name: str = "m.npz"):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in arrays.items()}))
    else:
        np.savez(path, **arrays)
    return invoke(["check", str(path), *options])


def test_the_hand_built_model_passes_in_both_file_forms(tmp_path, lecture):
    for name in ("m.npz", "m.json"):
        result = checked(tmp_path, lecture, name=name)
        assert result.exit_code == 0 and result.stdout.startswith("PASS") and "on 206 strings" in result.stdout
        assert result.stdout.count(": pass: all 206 strings pass") == 4  # the lecture's, 5 coverage, 200 random


def test_a_moved_induction_block_fails_with_the_words_of_the_smallest_string(tmp_path, lecture):
    v, n = 4, 6
    moved = dict(lecture)
    moved["A2"] = np.zeros_like(lecture["A2"])
    moved["A2"][:v, :v] = lecture["A2"][:v, v + n:v + n + v]  # matches the key's own token, not the previous one
    result = checked(tmp_path, moved, "--width", "1000")  # (one line each: the words whole)
    assert result.exit_code == 1 and result.stdout.startswith("FAIL")
    assert "layer 1: the previous token: pass" in result.stdout
    assert ("the smallest: on `a ! a`, layer 2 at @2 puts 0.00 on @1, the token after the earlier `a` (@0), where the "
            "lecture's induction head puts 1.00 (0.50 needed); it attends to @0 (weight 1.00)") in result.stdout
    assert "at @2 the model predicts `a`; the lecture's model predicts `!`" in result.stdout


def test_an_inclusive_mask_fails_on_layer_2(tmp_path, lecture):
    result = checked(tmp_path, {**lecture, "mask": np.array("inclusive")})
    assert result.exit_code == 1 and "layer 2: the token after an earlier copy: FAIL" in result.stdout


def test_json_is_an_autograder_s_results_json(tmp_path, lecture):
    broken = {**lecture, "A1": np.zeros_like(lecture["A1"])}  # layer 1 spreads evenly: no previous token
    result = checked(tmp_path, broken, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["max_score"] == 4 and doc["score"] < 4
    assert [sorted(t) for t in doc["tests"]] == [["max_score", "name", "output", "score"]] * 4
    assert doc["tests"][0]["score"] == 0 and "layer 1 at @" in doc["tests"][0]["output"]
    # layer 2 alone, given the lecture's layer 1, still does its job: the report says which layer is wrong
    assert doc["tests"][3]["name"].startswith("layer 2 on the lecture's layer 1") and doc["tests"][3]["score"] == 1
    text = " ".join(checked(tmp_path, broken).stdout.split())
    assert "Layer 1 is wrong: layer 2 does its job on the lecture's layer-1 output." in text
    # the verdict is Gradescope's top-level output too, shown above the tests (it was only in the terminal's)
    assert doc["output"].startswith("FAIL: the model does not do the lecture's job on")
    assert "Layer 1 is wrong: layer 2 does its job on the lecture's layer-1 output." in doc["output"]
    assert " ".join(doc["output"].split()) in text


@pytest.mark.parametrize("zeroed, said", [
    ("V1", "Layer 1 is wrong, though it attends to the previous token: layer 2 does its job on the lecture's "
           "layer-1 output and not on this one's, and passes with the lecture's V_1: what layer 1 writes (V_1) is "
           "not what layer 2 reads."),
    ("V2", "Layer 2's output is wrong: both layers attend as the lecture's do, but the prediction fails, and "
           "passes with the lecture's V_2: look at what layer 2 writes (V_2)."),
])
def test_a_v_of_zeros_is_named_as_the_layer_that_is_wrong(tmp_path, lecture, zeroed, said):
    """Both heads attend as they should, but V_1 (or V_2) is all zeros: the report failed layer 2 (or the
    prediction) and said no layer was wrong, since its rule named one only where an attention test failed."""
    result = checked(tmp_path, {**lecture, zeroed: np.zeros_like(lecture[zeroed])})
    text = " ".join(result.stdout.split())
    assert result.exit_code == 1 and text.startswith("FAIL") and said in text, text[:600]
    assert "layer 1: the previous token: pass" in text


def test_a_prediction_that_fails_alone_is_blamed_on_what_mends_it(tmp_path, lecture):
    """A_1 with the scale on two offsets splits layer 1's weight 0.50 / 0.50 between the two keys before the
    query: its test passes (0.50 is enough), layer 2 attends where it should, and the prediction fails on
    `! a b ! a b`. The report said "look at what layer 2 writes (V_2)", the lecture's own V_2. It now names
    what, put in the file's place, makes the prediction pass: here the lecture's layer 1, never the V_2."""
    a1 = lecture["A1"].copy()
    v, n = 4, 6
    for p in range(2, n):
        a1[v + p, v + p - 2] = a1[v + p, v + p - 1]  # pos @p scores pos @p-2 as it scores @p-1
    split = {**lecture, "A1": a1}
    doc = json.loads(checked(tmp_path, split, "--format", "json").stdout)
    assert [t["score"] for t in doc["tests"]] == [1, 1, 0, 1] and doc["mended_by"] == "layer 1"
    text = " ".join(checked(tmp_path, split).stdout.split())
    assert ("Layer 1 is wrong, though both layers attend as the lecture's do: the prediction fails, and passes "
            "with the lecture's layer 1 (its A_1 and V_1)") in text and "V_2" not in text
    assert json.loads(checked(tmp_path, lecture, "--format", "json").stdout)["mended_by"] is None


@pytest.mark.parametrize("residual, scores, said", [
    ([False, False], [1, 0, 0, 1], "Layer 1 is wrong, though it attends to the previous token: layer 2 does its job "
                                   "on the lecture's layer-1 output and not on this one's, and passes with layer 1 "
                                   "adding its input back, as the lecture's does"),
    ([True, True], [1, 1, 0, 1], "Both layers attend as the lecture's do, but the prediction fails, and passes with "
                                 "layer 2 not adding its input back, as the lecture's does not: this file's layer 2 "
                                 "adds it to its output."),
])
def test_a_residual_other_than_the_lecture_s_is_named_not_v_1_or_v_2(tmp_path, lecture, residual, scores, said):
    """The lecture's heads with no residual after layer 1 (layer 2's queries lose their token) or one after
    layer 2 too (the query's own token ties with the one it copies): the report blamed V_1 ("what layer 1
    writes (V_1) is not what layer 2 reads") and, for the second, called V_2 "too small: its largest entry is
    1 ... The lecture's V_2 copies with 1". Each is now blamed on the residual, which mends it."""
    arrays = {**lecture, "residual": np.array(residual)}
    doc = json.loads(checked(tmp_path, arrays, "--format", "json").stdout)
    assert [t["score"] for t in doc["tests"]] == scores and doc["mended_by"] == "residual"
    text = " ".join(checked(tmp_path, arrays).stdout.split())
    assert said in text and "what layer 1 writes (V_1)" not in text and "too small" not in text and "V_2" not in text


@pytest.mark.parametrize("change, words", [
    (lambda a: a.pop("V2"), "no key V2"),
    (lambda a: a.update(A1=a["A1"][:5]), "A1 has shape (5, 20)"),
    (lambda a: a["A2"].__setitem__((0, 0), np.nan), "A2 holds NaN or infinity"),
])
def test_a_bad_model_file_is_one_line_and_exit_2(tmp_path, lecture, change, words):
    arrays = {k: np.array(v) for k, v in lecture.items()}
    change(arrays)
    result = checked(tmp_path, arrays)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and words in result.stderr


@pytest.mark.parametrize("content, words", [(b"hello", "not an .npz"), (None, "no such file")])
def test_what_is_not_a_model_file_is_one_line(tmp_path, content, words):
    path = tmp_path / "x.npz"
    if content is not None:
        path.write_bytes(content)
    result = invoke(["check", str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and words in result.stderr


def test_a_one_position_model_and_a_too_wide_one(tmp_path):
    path = tmp_path / "one.npz"
    assert invoke(["weights", "a", "-o", str(path)]).exit_code == 0  # V = 1, N = 1: nothing to copy, ever
    result = invoke(["check", str(path)])
    assert result.exit_code == 2 and "check needs at least 3" in result.stderr  # refused: nothing it could test
    wide = {"A1": np.zeros((2, 2)), "V1": np.zeros((2, 2)), "A2": np.zeros((2, 2)), "V2": np.zeros((2, 2)),
            "vocab": np.array(["a"]), "n_positions": np.array(5000)}
    result = checked(tmp_path, wide)
    assert result.exit_code == 2 and "d = 10002 directions is more than the 4000" in result.stderr


def test_a_three_way_tie_is_told_as_no_key_and_a_low_weight_as_too_low(tmp_path, lecture):
    """Issue 25, defect 16: a row that puts 0.33 on each of three keys attends to none of them (0.50 needed),
    and a row that puts 0.48 on the right key is told its weight, not that it attends there."""
    from induction_demo.uses.checking import _where

    assert _where(np.array([1 / 3, 1 / 3, 1 / 3, 0.0]), 1, 3)[0] == "no key has 0.50 of its weight (the most: @0, @1 and @2, 0.33 each)"
    assert _where(np.array([0.48, 0.52]), 1, 2)[0] == "it attends to @1 (weight 0.52)"
    soft = dict(lecture)
    soft["A1"] = lecture["A1"] * 0.0  # layer 1 spreads evenly: at @3 it puts 0.33 on each earlier key
    result = checked(tmp_path, soft, "--width", "1000")  # (one line each: the words whole)
    assert result.exit_code == 1
    line = next(l for l in result.stdout.splitlines() if l.startswith("- layer 1"))
    assert line.endswith("the smallest: on `! ! ! !`, layer 1 at @3 puts 0.33 on @2, the position just before it, "
                         "where the lecture's previous-token head puts 1.00 (0.50 needed); no key has 0.50 of its "
                         "weight (the most: @0, @1 and @2, 0.33 each).")


def test_a_weight_just_under_the_half_needed_reads_as_under_it(tmp_path, lecture):
    """A weight of 0.4999 printed as 0.50 read as enough beside "(0.50 needed)": a weight under the half is
    written with the decimals that show it is under, in the finding and in where the row's weight went."""
    from induction_demo.uses.checking import _under, _where

    assert [_under(w) for w in (0.48, 0.4999, 0.4999999)] == ["0.48", "0.4999", "0.4999999"]
    assert float(_under(0.5 - 1e-15)) == 0.5 - 1e-15 < 0.5  # past 12 decimals: the float's exact form
    assert _where(np.array([0.49995, 0.49995, 0.0001]), 2, 3)[0] == \
        "no key has 0.50 of its weight (the most: @0 and @1, 0.49995 each)"
    soft = dict(lecture)  # at @3 the previous key's logit a, the two others' 0: e^a / (e^a + 2) = 0.4999
    logit = np.log(2 * 0.4999 / 0.5001)
    soft["A1"] = lecture["A1"] / lecture["A1"].max() * logit
    result = checked(tmp_path, soft, "--width", "1000")
    line = next(l for l in result.stdout.splitlines() if l.startswith("- layer 1"))
    assert "layer 1 at @3 puts 0.4999 on @2, the position just before it" in line, line
    assert "no key has 0.50 of its weight (the most: @2, 0.4999)" in line, line


@pytest.mark.parametrize("width", ["60", "80"])
def test_check_honours_the_width_and_gives_the_lecture_s_string_a_line_of_its_own(tmp_path, lecture, width):
    soft = dict(lecture)
    soft["A2"] = lecture["A2"] * 0.01  # too soft: the lecture's own string fails at @5
    result = checked(tmp_path, soft, "--width", width)
    lines = result.stdout.splitlines()
    assert result.exit_code == 1 and max(len(line) for line in lines) <= int(width)
    text = " ".join(result.stdout.split())
    assert text.index("- the lecture's string `! a b a c b`: FAIL: - layer 2 at @5") < text.index(
        "- layer 1: the previous token")
    assert "on `! a b a c b`," not in text.split("- layer 1: the previous token")[0]  # named once, above
    doc = json.loads(checked(tmp_path, soft, "--format", "json").stdout)
    assert doc["lecture"]["tokens"] == list("!abacb") and not doc["lecture"]["passed"]


def test_a_formula_in_check_s_words_is_never_cut_across_lines(tmp_path, lecture):
    """A transposed A_2's hint ends "(a_ij = y_i A y_j^T)"; at 80 columns it was cut after "A"."""
    from induction_demo.core.modelfile import load
    from induction_demo.uses import checking

    np.savez(tmp_path / "turned.npz", **dict(lecture, A2=lecture["A2"].T))
    result = checking.check(load(str(tmp_path / "turned.npz")), 0)
    for width in range(40, 121):
        out = checking.report(result, width)
        assert "(a_ij = y_i A y_j^T)" in out and max(map(len, out.splitlines())) <= width, width


def test_check_s_lines_are_no_wider_than_asked_in_terminal_cells(tmp_path):
    """A wide character takes two cells: a file of tokens in Chinese characters printed lines of 83 cells at
    --width 60 (the wrapping counted characters); a word longer than the line goes on over several."""
    from rich.cells import cell_len

    long = "x" * 70
    path = tmp_path / "wide.npz"
    assert invoke(["weights", f"猫猫猫猫猫 犬犬犬犬犬犬 {long} 魚魚魚魚魚魚魚魚 猫猫猫猫猫", "-o", str(path)]).exit_code == 0
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["A2.0"] = arrays["A2.0"].T
    for width in ("40", "60", "80"):
        out = checked(tmp_path, arrays, "--width", width).stdout
        assert "猫猫猫猫猫" in out and max(cell_len(line) for line in out.splitlines()) <= int(width), width
    from induction_demo.views.render.terminal import wrap  # a word longer than the line, cut over lines

    assert wrap(f"- on {long}, 猫猫猫猫猫", 20, indent="  ", cut=True) == [
        "- on", *["  " + "x" * 18] * 3, "  " + "x" * 16 + ",", "  猫猫猫猫猫"]


def test_each_finding_on_the_lecture_s_string_is_a_line_of_its_own(tmp_path, lecture):
    """A zero-filled file fails the lecture's string four ways; they were one line of four clauses joined by
    semicolons, each starting "on `! a b a c b`,"; now the string is named once and each finding is a line."""
    zero = {k: (np.zeros_like(v) if k in ("A1", "V1", "A2", "V2") else v) for k, v in lecture.items()}
    lines = checked(tmp_path, zero, "--width", "1000").stdout.splitlines()
    k = lines.index("- the lecture's string `! a b a c b`: FAIL:")
    findings = [line for line in lines[k + 1:] if line.startswith("  - ")]
    assert [f.split(" puts ")[0].split(" predicts ")[0] for f in findings] == [
        "  - layer 1 at @3", "  - layer 2 at @3", "  - given the lecture's layer 1, layer 2 at @3",
        "  - at @3 the model"]
    assert lines[k + 1:k + 5] == findings and lines[k + 5].startswith("- layer 1: ")


def test_a_vocabulary_without_the_lecture_s_tokens_has_no_lecture_line(tmp_path):
    path = tmp_path / "m.npz"
    assert invoke(["weights", "x y x z", "-o", str(path)]).exit_code == 0
    result = invoke(["check", str(path)])
    assert result.exit_code == 0 and "the lecture's string" not in result.stdout


@pytest.mark.parametrize("name", ["heads.json", "heads.npz"])
def test_a_template_names_every_direction_and_filled_in_with_the_lecture_s_heads_passes(tmp_path, lecture, name):
    path = tmp_path / name
    assert invoke(["check", "--template", str(path)]).exit_code == 0
    if name.endswith(".json"):
        doc = json.loads(path.read_text())
        labels, doc_arrays = doc["labels"], {k: np.array(doc[k]) for k in ("A1.0", "V1.0", "A2.0", "V2.0")}
    else:
        with np.load(path) as f:
            labels, doc_arrays = f["labels"].tolist(), {k: f[k] for k in ("A1.0", "V1.0", "A2.0", "V2.0")}
    assert labels[:5] == ["tok:!", "tok:a", "tok:b", "tok:c", "pos:@0"] and labels[-1] == "prev pos:@5"
    assert all(not m.any() and m.shape == (20, 20) for m in doc_arrays.values())
    assert invoke(["check", str(path)]).exit_code == 1  # zeros do nothing: FAIL, not a refusal
    filled = {**{k: np.asarray(v) for k, v in lecture.items()}, "labels": np.array(labels)}
    filled_path = tmp_path / ("filled" + path.suffix)
    if name.endswith(".json"):
        filled_path.write_text(json.dumps({k: v.tolist() for k, v in filled.items()}))
    else:
        np.savez(filled_path, **filled)
    assert invoke(["check", str(filled_path)]).exit_code == 0


def test_check_s_help_gives_the_file_s_layout():
    out = " ".join(invoke(["check", "--help"]).stdout.split())  # (a list, wrapped to the help's width)
    for words in ("d = 2(V + N)", "[tok | pos | prev tok | prev pos]", "rows of A the query's directions",
                  "rows of V the directions read", "in the order of the one-hot directions", "--template"):
        assert words in out, words


def test_a_layer_2_mistake_is_named_even_on_the_lecture_s_layer_1(tmp_path, lecture):
    soft = {**lecture, "A2": lecture["A2"] * 0.01}  # layer 2 too soft; layer 1 the lecture's
    text = " ".join(checked(tmp_path, soft).stdout.split())
    assert "Layer 2 is wrong: it fails even on the lecture's layer-1 output." in text
    assert "- layer 1: the previous token: pass" in text


def _mistakes(a: dict) -> dict:
    v, n = 4, 6
    own = np.zeros_like(a["A2"])
    own[:v, :v] = a["A2"][:v, v + n:v + n + v]  # the key's own token, not its previous one
    tokens_a1 = np.zeros_like(a["A1"])
    tokens_a1[:v, :v] = 100.0 * np.eye(v)  # layer 1 matching the query's token: a duplicate-token head
    v2 = np.zeros_like(a["V2"])
    v2[:v, v + n:v + n + v] = np.eye(v)  # the token copied into prev tok, which the scores do not read
    v2[v:v + n, v:v + n] = np.eye(n)
    shift = np.roll(np.eye(v), 1, axis=1)  # token k written to prev tok's direction k + 1: a code of its own
    code_v1, code_a2 = a["V1"].copy(), a["A2"].copy()
    prev_tok = slice(v + n, v + n + v)
    code_v1[:v, prev_tok] = a["V1"][:v, prev_tok] @ shift
    code_a2[:, prev_tok] = a["A2"][:, prev_tok] @ shift  # layer 2 reads that code: the same model end to end
    pos = slice(v, v + n)
    back2, itself = a["A1"].copy(), a["A1"].copy()
    back2[pos, pos] = np.eye(n, k=-2) * 100.0  # query @i matched with key @i-2
    itself[pos, pos] = np.eye(n) * 100.0  # query @i matched with itself, which the strict mask never keeps
    no_prev_tok = a["V1"].copy()
    no_prev_tok[:v, prev_tok] = 0.0  # layer 1 writes the previous position only
    return {"transposed A1": {"A1": a["A1"].T.copy()}, "transposed A2": {"A2": a["A2"].T.copy()},
            "own code": {"V1": code_v1, "A2": code_a2}, "V1 shifted": {"V1": code_v1},
            "A1 on tokens": {"A1": tokens_a1},
            "soft A1": {"A1": a["A1"] * 0.01}, "own token": {"A2": own}, "V2 elsewhere": {"V2": v2},
            "faint V2": {"V2": a["V2"] * 0.001}, "negated V2": {"V2": -a["V2"]}, "negated A1": {"A1": -a["A1"]},
            "negated A2": {"A2": -a["A2"]}, "A1 two back": {"A1": back2}, "A1 on itself": {"A1": itself},
            "A1 on itself, inclusive": {"A1": itself, "mask": np.array("inclusive")},
            "V1 writes no prev tok": {"V1": no_prev_tok},
            "inclusive": {"mask": np.array("inclusive")},
            "inclusive at scale 10": {"mask": np.array("inclusive"), "A1": a["A1"] * 0.1, "A2": a["A2"] * 0.1}}


@pytest.mark.parametrize("mistake,words", [
    ("transposed A1", "A_1 looks transposed"), ("transposed A2", "A_2 looks transposed"),
    ("soft A1", "A_1 is too soft: its weights fall on the right keys but under 0.50"),
    ("own token", "A_2 has 100% of its weight on tok x tok: it compares the query's token with the key's own token"),
    ("V2 elsewhere", "V_2 writes 0% of its weight on tok -> tok"),
    ("faint V2", "V_2 is too small: its largest entry is 0.001, so the token it copies scores barely above the "
                 "others and the prediction is a near-tie"),
    ("negated V2", "V_2 has the wrong sign: at -1 times its entries the prediction passes"),
    ("negated A1", "A_1 has the wrong sign: at -1 times its entries it passes"),
    ("negated A2", "A_2 has the wrong sign: at -1 times its entries it passes"),
    ("inclusive", "The file's mask is inclusive"),
    # the strict mask alone mends it; at 100 times its A_2, a tie at 0.50 between the key after the copy and
    # @0 (which keeps only itself, so its previous half holds its own token) passed too: "A_2 is too soft" was
    # said beside it, true in numbers and no help to a student who meant the lecture's mask
    ("inclusive at scale 10", "The file's mask is inclusive"),
    ("V1 shifted", "V_1 writes 0% of its tok -> prev tok block on the diagonal: it writes each token to another "
                   "token's prev-tok direction, where A_2 reads each token's own"),
    ("A1 on tokens", "A_1 has 0% of its weight on pos x pos and 100% on tok x tok: the lecture's A_1 compares the "
                     "query's position with the key's"),
    # a student's off-by-one, found in the file's pos x pos block and tried out moved onto the lecture's diagonal
    ("A1 two back", "A_1 looks 2 positions back (100% of its pos x pos block on pos @i x pos @(i-2)), where the "
                    "lecture's A_1 looks one position back (pos @i x pos @(i-1)); with its weight moved there, layer 1 "
                    "passes."),
    ("A1 on itself", "A_1 matches each position with itself (100% of its pos x pos block on pos @i x pos @i), and "
                     "the strict mask never lets a query keep itself"),
    ("A1 on itself, inclusive", "A_1 matches each position with itself (100% of its pos x pos block on pos @i x "
                                "pos @i), so each query attends to itself (the file's mask is inclusive)"),
    ("V1 writes no prev tok", "V_1's tok -> prev tok block is all 0: layer 1 writes no previous token, where A_2 "
                              "reads it (tok x prev tok); with V_1 copying each token to its own prev-tok direction, "
                              "layer 2 passes.")])
def test_check_names_the_likely_mistake_when_the_numbers_show_it(tmp_path, lecture, mistake, words):
    result = checked(tmp_path, {**lecture, **_mistakes(lecture)[mistake]}, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and any(h.startswith(words) for h in doc["hints"]), doc["hints"]
    assert len(doc["hints"]) == 1, doc["hints"]  # nothing else is blamed
    text = " ".join(checked(tmp_path, {**lecture, **_mistakes(lecture)[mistake]}).stdout.split())
    assert "Likely mistake: " + words in text


def test_a_model_in_a_code_of_its_own_passes_with_its_layer_2_tested_on_the_lecture_s_attention(tmp_path, lecture):
    """V_1 writes token k to prev tok's direction k + 1 and A_2 reads it so: the same model end to end. Layer 2
    alone is tested on the lecture's layer-1 attention through the file's own V_1, and the report says so."""
    own = {**lecture, **_mistakes(lecture)["own code"]}
    doc = json.loads(checked(tmp_path, own, "--format", "json").stdout)
    assert [t["score"] for t in doc["tests"]] == [1, 1, 1, 1] and doc["hints"] == [] and doc["own_code"] == 0.0
    result = checked(tmp_path, own)
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0 and text.startswith("PASS")
    assert ("Note: V_1 writes the previous token in a code of its own: 0% of its tok -> prev tok block is on the "
            "diagonal") in text
    assert "layer 2 alone is tested on the lecture's layer-1 attention" in text
    # its layer 2 made too soft: now it fails alone, and the words say on what
    soft = checked(tmp_path, {**own, "A2": own["A2"] * 0.01}, "--width", "1000")
    text = " ".join(soft.stdout.split())
    assert soft.exit_code == 1 and "Layer 2 is wrong: it fails even on the lecture's layer-1 attention." in text
    assert "given the lecture's layer-1 attention and its own V_1, layer 2 at @" in text
    # the lecture's own code: the test is the lecture's layer-1 output, as before
    assert json.loads(checked(tmp_path, lecture, "--format", "json").stdout)["own_code"] is None


def test_a_v_1_writing_each_token_to_its_neighbour_s_direction_is_layer_1_s_mistake_not_layer_2_s(tmp_path, lecture):
    """A student's V_1 writes token k to prev tok's direction k + 1 and A_2 is the lecture's: A_2 reads the
    lecture's code, V_1 does not write it. The check took any V_1 off the diagonal for a code of its own that
    layer 2 reads, tested layer 2 alone through it, and said "Layer 2 is wrong: it fails even on the lecture's
    layer-1 attention": a student would have mended the right matrix. Layer 2 alone is now tested on the
    lecture's layer-1 output, and passes, so the verdict points at V_1."""
    shifted = {**lecture, **_mistakes(lecture)["V1 shifted"]}
    doc = json.loads(checked(tmp_path, shifted, "--format", "json").stdout)
    assert [t["score"] for t in doc["tests"]] == [1, 0, 0, 1] and doc["own_code"] is None
    text = " ".join(checked(tmp_path, shifted).stdout.split())
    assert ("Layer 1 is wrong, though it attends to the previous token: layer 2 does its job on the lecture's "
            "layer-1 output and not on this one's, and passes with the lecture's V_1: what layer 1 writes (V_1) is "
            "not what layer 2 reads.") in text
    assert "Layer 2 is wrong" not in text and "code of its own" not in text


def test_a_model_that_writes_no_token_fails_the_prediction(tmp_path, lecture):
    result = checked(tmp_path, {**lecture, **_mistakes(lecture)["V2 elsewhere"]}, "--width", "1000")
    assert result.exit_code == 1 and "the prediction: FAIL" in result.stdout
    assert "the model predicts nothing (every token scores 0)" in result.stdout


def test_a_passing_model_gets_no_hint(tmp_path, lecture):
    assert json.loads(checked(tmp_path, lecture, "--format", "json").stdout)["hints"] == []


def test_a_matrix_left_all_zero_is_named_with_what_zeros_do(tmp_path, lecture):
    """A template checked before it is filled in said only that both layers are wrong; a matrix of zeros is
    now named, with what it does (an A of zeros weighs every kept key alike, a V of zeros writes nothing)."""
    path = tmp_path / "t.json"
    assert invoke(["check", "--template", str(path)]).exit_code == 0
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    assert doc["hints"] == ["A_1, V_1, A_2 and V_2 are all 0, as a template is before it is filled in: an A of zeros "
                            "gives every key a query keeps the same weight and a V of zeros writes nothing."]
    no_v2 = checked(tmp_path, dict(lecture, V2=np.zeros_like(lecture["V2"])), "--format", "json")
    assert json.loads(no_v2.stdout)["hints"] == [
        "V_2 is all 0, as a template is before it is filled in: a V of zeros writes nothing."]
    assert json.loads(checked(tmp_path, lecture, "--format", "json").stdout)["hints"] == []


def test_a_template_saved_with_a_byte_order_mark_is_read(tmp_path):
    """A student fills in `check --template`'s JSON in an editor that saves a UTF-8 byte-order mark (Windows
    Notepad): check refused it, "not a model file ... Unexpected UTF-8 BOM (decode using utf-8-sig)"."""
    path = tmp_path / "heads.json"
    assert invoke(["check", "--template", str(path), "--vocab", "a b c", "--positions", "6"]).exit_code == 0
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = invoke(["check", str(path)])
    assert result.exit_code == 1 and result.stdout.startswith("FAIL"), result.stderr


def test_a_prediction_tied_exactly_is_a_tie_and_one_tied_nearly_a_near_tie(tmp_path, lecture):
    """A layer 1 that looks two back leaves layer 2 at @3 of `! a b a` spreading 1/3 over `!`, `a`, `b`:
    an exact three-way tie, which check called "a near-tie". With V_2 copying `a` a hair more (1 + 1e-4),
    the tie is near, and said so."""
    d = lecture["A1"].shape[0]
    two_back = np.zeros((d, d))
    n = 6  # the lecture's positions: d = 2(4 + 6)
    for i in range(2, n):
        two_back[4 + i, 4 + i - 2] = 100.0
    file = dict(lecture, A1=two_back)
    exact = checked(tmp_path, file, "--width", "1000").stdout
    assert "at @3 the model predicts `!` or `a` or `b` (a tie); the lecture's model predicts `b`" in exact
    assert "near-tie" not in exact
    v2 = lecture["V2"].copy()
    v2[1, 1] *= 1 + 1e-4  # tok a -> tok a
    near = checked(tmp_path, dict(file, V2=v2), "--width", "1000").stdout
    assert "(a near-tie)" in near and "(a tie)" not in near


def test_a_skip_file_s_induction_head_is_held_to_the_token_its_skip_copies(tmp_path):
    """check of a --skip 2 file named layer 2's test "the token after an earlier copy" and its finding "puts
    0.00 on @3, the token after an earlier copy" of a key 3 after it: the words now say 3 after."""
    path = tmp_path / "skip.npz"
    assert invoke(["weights", "a b c d e a b c d e", "--skip", "2", "-o", str(path)]).exit_code == 0
    arrays = dict(np.load(path))
    assert invoke(["check", str(path)]).exit_code == 0
    arrays["A2.0"] = arrays["A2.0"].T.copy()
    out = checked(tmp_path, arrays, "--width", "1000").stdout
    line = next(l for l in out.splitlines() if l.startswith("- layer 2"))
    assert line.startswith("- layer 2: the token 3 after an earlier copy: FAIL"), line
    found = re.search(r"layer 2 at @(\d+) puts \d\.\d\d on @(\d+), the token 3 after an earlier copy", line)
    tokens = re.search(r"on `([^`]*)`", line)[1].split()
    i, j = int(found[1]), int(found[2])
    assert tokens[j - 3] == tokens[i] and j - 3 < i  # the key is 3 after an earlier copy of the query's token


def test_a_tied_prediction_of_a_file_of_any_shape_says_it_is_a_tie(tmp_path):
    """check of a pointer-circuit file (the general check) said "the model predicts `a` or `e`" where the
    lecture-shaped check says "(a tie)": both say it now."""
    path = tmp_path / "pointer.npz"
    assert invoke(["weights", "a b c d e a b c d e", "--circuit", "pointer", "-o", str(path)]).exit_code == 0
    arrays = dict(np.load(path))
    arrays["A2.0"] = arrays["A2.0"].T.copy()
    out = checked(tmp_path, arrays, "--width", "1000").stdout
    said = re.findall(r"the model predicts (`[^;]*`)( \(a (?:near-)?tie\))?;", out)
    assert said and all(bool(tie) == (" or " in tokens) for tokens, tie in said), said
    assert any(tie for _, tie in said)


@pytest.mark.parametrize("options, held_to", [
    (["--context", "2", "--skip", "1"], "the hand-built lecture circuit with context 2 and skip 1"),
    (["--context", "2", "--mask", "inclusive"], "the hand-built lecture circuit with context 2 and the inclusive mask"),
    (["--circuit", "pointer", "--mask", "inclusive"], "the hand-built pointer circuit with the inclusive mask"),
    (["--circuit", "pointer"], "the hand-built pointer circuit on")])
def test_a_file_of_another_shape_is_told_every_setting_of_the_circuit_it_is_held_to(tmp_path, options, held_to):
    """A --context 2 --skip 1 file was held to "the hand-built lecture circuit with context 2 with skip 1", and
    a file of the inclusive mask, held to the hand-built circuit under that mask, was not told so, beside a
    lecture-shaped file of the same mask failing against the lecture's strict one."""
    path = tmp_path / "built.npz"
    assert invoke(["weights", "a b c d a b", *options, "-o", str(path)]).exit_code == 0
    out = " ".join(invoke(["check", str(path)]).stdout.split())
    assert out.startswith(f"PASS: the model does the job of {held_to}"), out[:200]


def test_a_row_split_evenly_between_two_keys_is_told_as_a_split_not_as_one_key(tmp_path, lecture):
    """A transposed A2 puts 0.50 on each earlier copy of the query's previous token: on `c a c c` layer 2 at
    @3 put 0.50 on @0 and 0.50 on @2, and the report said "it attends to @0 (weight 0.50)", as if @2 had
    nothing. Both keys are now named, with the premises (the near-top keys, their weight) that hold the words
    to the row."""
    from induction_demo.uses.checking import _where

    said, premises = _where(np.array([0.5, 0.0, 0.5]), 2, 3)
    assert said == "it splits its weight between @0 and @2 (0.50 each)"
    assert [type(p).__name__ for p in premises] == ["Top", "Weight"] and premises[0].keys == (0, 2)
    assert _where(np.array([0.48, 0.52]), 1, 2)[0] == "it attends to @1 (weight 0.52)"
    swapped = dict(lecture)
    swapped["A2"] = lecture["A2"].T.copy()
    result = checked(tmp_path, swapped, "--width", "1000")
    line = next(l for l in result.stdout.splitlines() if l.startswith("- layer 2: the token after"))
    assert "layer 2 at @3 puts 0.00 on @1, the token after the earlier" in line, line  # (`b ! b b` here)
    assert line.endswith("(0.50 needed); it splits its weight between @0 and @2 (0.50 each)."), line
