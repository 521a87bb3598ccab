"""The model file: weights TOKENS -o FILE.npz, read back with numpy alone."""
from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.core import modelfile
from induction_demo.core.runs import run
from induction_demo.core.weights import Construction

LECTURE = "! a b a c b"


def written(tmp_path, text: str, *options: str) -> dict:
    path = tmp_path / "model.npz"
    result = invoke(["weights", text, *options, "-o", str(path)])
    assert result.exit_code == 0, result.stderr
    with np.load(path) as f:  # numpy alone, no pickle
        return {k: f[k] for k in f.files}


def forward(f: dict, tokens: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every layer in plain numpy over the file's arrays, its heads A<l>.<h>, V<l>.<h> summed: (the first
    head's weights, the output) of each. The stream's subspaces are the file's layout."""
    vocab, n = list(f["vocab"]), len(tokens)
    v, big_n = len(vocab), int(f["n_positions"])
    layout = list(f.get("layout", ["tok", "pos", "prev tok", "prev pos"]))
    sizes = [v if name.endswith("tok") else big_n for name in layout]
    starts = dict(zip(layout, np.cumsum([0] + sizes[:-1])))
    y = np.zeros((n, sum(sizes)))
    for i, t in enumerate(tokens):
        y[i, starts["tok"] + vocab.index(t)] = 1.0
        y[i, starts["pos"] + i] = 1.0
    keep = np.tril(np.ones((n, n), dtype=bool), 0 if str(f["mask"]) == "inclusive" else -1)
    out = []
    for layer, residual in enumerate(f.get("residual", [True, False]), 1):
        heads = sorted(k for k in f if k.startswith(f"A{layer}.") or k == f"A{layer}")
        writes, first = 0.0, None
        for key in heads:
            logits = y @ f[key] @ y.T
            shifted = np.where(keep, logits - np.where(keep, logits, -np.inf).max(axis=1, keepdims=True).clip(-1e308),
                               0)
            e = np.where(keep, np.exp(shifted), 0.0)
            w = np.divide(e, e.sum(axis=1, keepdims=True), out=np.zeros_like(e), where=e.sum(axis=1, keepdims=True) > 0)
            writes = writes + w @ y @ f["V" + key[1:]]
            first = w if first is None else first
        y = (y if residual else 0.0) + writes
        out.append((first, y))
    return out


def test_the_lecture_s_model_file_reruns_in_plain_numpy_to_the_trace(tmp_path):
    f = written(tmp_path, LECTURE)
    assert sorted(f) == ["A1.0", "A2.0", "V1.0", "V2.0", "layout", "mask", "n_positions", "offsets", "residual",
                         "roles", "vocab"]
    assert f["A1.0"].shape == (20, 20) and list(f["vocab"]) == ["!", "a", "b", "c"]
    assert list(f["layout"]) == ["tok", "pos", "prev tok", "prev pos"] and list(f["residual"]) == [True, False]
    assert list(f["roles"]) == ["look-back", "induction"] and list(f["offsets"]) == [1, 0]
    trace = run(tuple(LECTURE.split()))
    for (w, y), layer in zip(forward(f, LECTURE.split()), trace.layers):
        assert np.allclose(w, layer.weights, atol=1e-12) and np.allclose(y, layer.output.dense(), atol=1e-12)


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=12),
       st.sampled_from(["strict", "inclusive"]), st.sampled_from([0, 2]))
@settings(max_examples=25, deadline=None)
def test_any_one_head_model_file_reruns_to_its_trace(tmp_path_factory, tokens, mask, skip):
    tmp_path = tmp_path_factory.mktemp("npz")
    f = written(tmp_path, " ".join(tokens), "--mask", mask, "--skip", str(skip))
    trace = run(tuple(tokens), construction=Construction(mask=mask, skip=skip))
    for (w, y), layer in zip(forward(f, tokens), trace.layers):
        assert np.allclose(w, layer.weights, atol=1e-12) and np.allclose(y, layer.output.dense(), atol=1e-12)


@pytest.mark.parametrize("options, built", [
    (["--context", "2"], Construction(context=2)),
    (["--circuit", "pointer"], Construction(circuit="pointer")),
    (["--circuit", "virtual", "--mask", "inclusive"], Construction(mask="inclusive", context=2, circuit="virtual")),
])
def test_a_file_of_several_heads_or_layers_reruns_to_its_trace_and_loads_as_the_same_model(tmp_path, options, built):
    text = "b c d . x c e . b c"
    f = written(tmp_path, text, *options)
    trace = run(tuple(text.split()), construction=built)
    assert len(f["residual"]) == len(trace.layers)
    for (w, y), layer in zip(forward(f, text.split()), trace.layers):
        assert np.allclose(w, layer.heads[0].weights, atol=1e-12) and np.allclose(y, layer.output.dense(), atol=1e-12)
    from induction_demo.core.modelfile import load

    model = load(str(tmp_path / "model.npz"))
    again = run(tuple(text.split()), construction=Construction(mask=model.mask, model=model))
    assert [p.output for p in again.predictions] == [p.output for p in trace.predictions]
    assert [[r.head.role for r in layer.heads] for layer in again.layers] == \
        [[r.head.role for r in layer.heads] for layer in trace.layers]


def test_the_same_model_gives_the_same_bytes(tmp_path):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    assert invoke(["weights", LECTURE, "-o", str(first)]).exit_code == 0
    assert invoke(["weights", LECTURE, "--format", "npz", "-o", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    np.load(io.BytesIO(first.read_bytes()), allow_pickle=False)["vocab"]  # no object arrays


@pytest.mark.parametrize("args, words", [
    (["weights", LECTURE, "--positions", "relative", "-o", "m.npz"], "--positions relative"),
    (["weights", LECTURE, "--positions", "sinusoidal", "-o", "m.npz"], "--positions sinusoidal"),
    (["weights", LECTURE, "--similar", "subword", "-o", "m.npz"], "--similar"),
    (["weights", LECTURE, "--format", "npz"], "binary model file"),
    (["show", LECTURE, "-o", "m.npz"], "which weights writes"),
])
def test_what_the_model_file_cannot_hold_is_refused_in_one_line(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    result = invoke(args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and words in result.stderr
    assert not (tmp_path / "m.npz").exists()


# --- show --model FILE: any model file, every view --------------------------------------------------------------

def shown(path, text: str, *options: str) -> dict:
    import json

    result = invoke(["show", text, "--model", str(path), "--format", "json", *options])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_lecture_s_file_shown_with_model_is_the_hand_built_trace(tmp_path):
    path = tmp_path / "lecture.npz"
    assert invoke(["weights", LECTURE, "--format", "npz", "-o", str(path)]).exit_code == 0
    built = invoke(["show", LECTURE, "--format", "json"])
    import json

    built, read = json.loads(built.stdout), shown(path, LECTURE)
    for key in ("tokens", "vocab", "scale", "basis", "layers", "predictions", "next_token_probs", "embedding"):
        assert read[key] == built[key] if key != "layers" else all(
            a[k] == b[k] for a, b in zip(read[key], built[key]) for k in ("logits", "weights", "output"))
    assert read["construction"]["model"] == "lecture.npz"
    # a shorter string over the same file: the file's N positions stay the stream's directions
    trace = run(("a", "b", "a"))
    short = shown(path, "a b a")
    assert len(short["basis"]) == 20 and short["predictions"][2]["next"] == "b"
    assert np.allclose(short["layers"][1]["weights"], trace.layers[1].weights)


def random_model(tmp_path, seed: int, residual=(True, False), mask="strict", name="learned.npz"):
    rng = np.random.default_rng(seed)
    vocab, n = ["x", "y", "z"], 7
    d = 2 * (len(vocab) + n)
    arrays = {k: rng.normal(size=(d, d)) * 3 for k in ("A1", "V1", "A2", "V2")}
    arrays.update(vocab=np.array(vocab), n_positions=np.array(n), mask=np.array(mask), residual=np.array(residual))
    np.savez(tmp_path / name, **arrays)
    return tmp_path / name, arrays


@given(st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=7), st.integers(0, 3),
       st.sampled_from([(True, False), (True, True), (False, False)]), st.sampled_from(["strict", "inclusive"]))
@settings(max_examples=20, deadline=None)
def test_any_file_shown_with_model_equals_a_plain_numpy_pass_over_its_arrays(tmp_path_factory, tokens, seed,
                                                                              residual, mask):
    path, arrays = random_model(tmp_path_factory.mktemp("m"), seed, residual, mask)
    doc = shown(path, " ".join(tokens))
    for (w, y), layer in zip(forward(arrays, tokens), doc["layers"]):
        assert np.allclose(w, layer["weights"], atol=1e-9)
        assert np.allclose(y, layer["output"], atol=1e-9 * max(1.0, np.abs(y).max()))
    scores = forward(arrays, tokens)[1][1][:, :3]
    for p, row in zip(doc["predictions"], scores):  # the output is the top-scored token
        assert not p["output"] or ["x", "y", "z"][int(row.argmax())] in p["output"]


def test_a_file_s_story_says_only_what_its_arrays_do(tmp_path):
    path, _ = random_model(tmp_path, 0)
    result = invoke(["show", "x y x z y", "--model", str(path), "--no-matrices"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "learned.npz" in out and "scale s" not in out and "previous-token head" not in out
    assert "into the previous half of its representation" not in out  # the lecture's V_1, not this one
    assert "Its output writes into the tok, pos, prev tok and prev pos blocks" in out
    assert "the lecture's job for this layer" in out and "from learned.npz" in out


@pytest.mark.parametrize("command, suffix, options", [
    (command, suffix, options) for suffix in ("md", "tex", "html", "svg", "png")
    for options in ((), ("--ablate", "previous-token"), ("--ablate", "induction"), ("--temperature", "0.5"))
    for command in ["show"]] + [("weights", "md", ()), ("weights", "tex", ()), ("circuits", "html", ()),
                                ("circuits", "json", ()), ("circuits", "svg", ())])
def test_every_format_runs_on_a_file(tmp_path, command, suffix, options):
    if suffix == "png":
        pytest.importorskip("matplotlib")
    path, _ = random_model(tmp_path, 1)
    out = tmp_path / f"out.{suffix}"
    result = invoke([command, "x y x z y", "--model", str(path), "-o", str(out), *options])
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 0
    if suffix in ("md", "html", "svg"):
        assert "learned.npz" in out.read_text()


@pytest.mark.parametrize("change, words", [
    ({"A2": None}, "no key A2"),
    ({"V1": np.zeros((3, 3))}, "V1 has shape (3, 3)"),
    ({"A1": np.full((20, 20), np.nan)}, "A1 holds NaN or infinity"),
    ({"mask": np.array("causal")}, "mask is 'causal'"),
    ({"residual": np.array([1, 2])}, "residual must be 2 booleans"),
    ({"vocab": np.array(["a", "a", "b"])}, "vocab must be distinct"),
])
def test_a_bad_model_file_gets_one_line_and_exit_2(tmp_path, change, words):
    path, arrays = random_model(tmp_path, 2)
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    for command in ("show", "weights", "circuits"):
        result = invoke([command, "x y", "--model", str(path)])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1 and words in result.stderr, result.stderr


@pytest.mark.parametrize("text, args, words", [
    ("x q y", (), "`q` is not in the vocabulary of learned.npz (3 tokens: x y z)"),
    ("x y z x y z x y", (), "8 tokens is more than the 7 positions of learned.npz"),
    ("x y", ("--context", "2"), "--context builds them"),
    ("x y", ("--scale", "5"), "--scale builds them"),
    ("x y", ("--mask", "inclusive"), "has the strict mask"),
    ("x y", ("--ablate", "duplicate-token"), "has no duplicate-token head to ablate: its heads are"),
])
def test_a_string_or_knob_the_file_cannot_take_gets_one_line(tmp_path, text, args, words):
    path, _ = random_model(tmp_path, 3)
    result = invoke(["show", text, "--model", str(path), *args])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    assert "--circuit" not in result.stderr  # --circuit builds heads, and a file holds them: no hint to use it


def test_not_an_npz_gets_one_line(tmp_path):
    path = tmp_path / "m.npz"
    path.write_text("hello")
    result = invoke(["show", "x", "--model", str(path)])
    assert result.exit_code == 2 and "not an .npz" in result.stderr and result.stderr.count("\n") == 1


def test_a_file_read_and_written_again_is_the_same_arrays(tmp_path):
    path, arrays = random_model(tmp_path, 4, residual=(True, True), mask="inclusive")
    again = written(tmp_path, "x y", "--model", str(path))
    for key in ("A1", "V1", "A2", "V2"):  # an older file's names, written again as A1.0, V1.0, ...
        assert np.array_equal(again[f"{key}.0"], arrays[key])
    assert int(again["n_positions"]) == 7 and list(again["residual"]) == [True, True]
    assert str(again["mask"]) == "inclusive"


def test_readme_s_numpy_snippet_gives_the_trace_s_scores(tmp_path, monkeypatch):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    code = readme.split("Loading it with numpy alone")[1].split("```python")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    written(tmp_path, LECTURE)  # model.npz
    from induction_demo.core.modelfile import load

    file = load(str(tmp_path / "model.npz"))
    for tokens in (LECTURE.split(), ["a", "b", "a"], ["c", "c", "!", "c"]):
        space = {"tokens": tokens}
        exec(code, space)
        trace = run(tuple(tokens), construction=Construction(model=file))
        assert space["scores"].shape == trace.scores.shape == (len(tokens), 4)
        assert np.allclose(space["scores"], trace.scores, atol=1e-12)
    assert np.allclose(space["scores"], [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0.5, 0, 0, 0.5]], atol=1e-12)


def test_a_file_whose_v2_writes_another_token_is_not_called_a_copy(tmp_path):
    f = written(tmp_path, LECTURE)  # vocab ! a b c; V_2's tok block: each token to itself
    v = 4
    swapped = dict(f)
    swapped["V2.0"] = f["V2.0"].copy()
    swapped["V2.0"][:v, :v] = np.eye(v)[[1, 0, 3, 2]]  # ! <-> a, b <-> c
    np.savez(tmp_path / "swapped.npz", **swapped)
    result = invoke(["show", LECTURE, "--model", str(tmp_path / "swapped.npz"), "--no-matrices", "--width", "400"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # layer 2 still puts weight 1.00 on the key after the earlier copy, but what comes out is another token
    assert ("Where most of the weight is on keys right after an earlier copy of the query's token but what comes "
            "out is not the token they hold, the output is not a copy: `a` (@3) puts 1.00 on `b` (@2) and outputs "
            "`c` (1.00)") in out
    assert "so it predicts" not in out
    slide = invoke(["show", LECTURE, "--model", str(tmp_path / "swapped.npz"), "--slide", "--format", "svg"]).stdout
    assert ">heads<" in slide and "swapped.npz" in slide


def test_a_model_too_dense_for_the_views_is_refused_in_one_line_and_check_still_runs_it(tmp_path):
    vocab, n = [f"t{i}" for i in range(250)], 251
    d = 2 * (len(vocab) + n)  # 1002: A1 alone has 1,004,004 nonzero entries
    arrays = {k: np.zeros((d, d)) for k in ("A1", "V1", "A2", "V2")}
    arrays["A1"][:] = 1e-3
    np.savez(tmp_path / "dense.npz", vocab=np.array(vocab), n_positions=np.array(n), **arrays)
    for command in ("show", "weights", "circuits"):
        result = invoke([command, "t1 t2", "--model", str(tmp_path / "dense.npz")])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert "dense.npz has 1,004,004 nonzero entries" in result.stderr and "check runs it" in result.stderr


def test_a_dense_file_s_whole_block_products_equal_a_plain_numpy_pass(tmp_path):
    rng = np.random.default_rng(7)
    vocab, n = [f"t{i}" for i in range(32)], 32  # blocks of 32 x 32 = 1024 entries: multiplied whole
    d = 2 * (len(vocab) + n)
    arrays = {k: rng.normal(size=(d, d)) for k in ("A1", "V1", "A2", "V2")}
    arrays.update(vocab=np.array(vocab), n_positions=np.array(n), mask=np.array("strict"),
                  residual=np.array([True, False]))
    np.savez(tmp_path / "dense.npz", **arrays)
    from induction_demo.core.blocks import relation
    from induction_demo.core.modelfile import load

    model = load(str(tmp_path / "dense.npz"))
    basis = run(("t0",), construction=Construction(model=model)).basis
    assert all(relation(b, basis).table is not None for b in model.layers()[0].heads[0].qk)
    tokens = [vocab[k] for k in rng.integers(0, 32, size=20)]
    doc = shown(tmp_path / "dense.npz", " ".join(tokens))
    for (w, y), layer in zip(forward(arrays, tokens), doc["layers"]):
        assert np.allclose(w, layer["weights"], atol=1e-9)
        assert np.allclose(y, layer["output"], rtol=1e-9, atol=1e-9 * np.abs(y).max())


def test_a_file_with_layer_1_ablated_is_told_position_by_position(tmp_path):
    path, _ = random_model(tmp_path, 5)
    out = invoke(["show", "x y z x y", "--model", str(path), "--ablate", "previous-token", "--no-matrices",
                  "--width", "400"]).stdout
    assert "Layer 1 is ablated: its output is replaced by zeros, so Y^(1) = Y^(0)" in out
    assert "most frequent earlier token" not in out and "the induction head has nothing to match" not in out
    assert "@4" in out.split("What layer 2 did")[1].split("Predictions")[0]  # the last query is still told


def test_a_dense_file_s_a_shows_as_its_block_shares_and_largest_entries_at_80_columns(tmp_path):
    """Issue 30, item 15: a learned A_2 (every block nonzero) printed 16 block tables; now its shares and its
    largest entries, and --full every entry."""
    rng = np.random.default_rng(4)
    vocab, n = ["!", "a", "b", "c"], 6
    d = 2 * (len(vocab) + n)
    arrays = {k: rng.normal(size=(d, d)) for k in ("A1", "V1", "A2", "V2")}
    arrays["A2"][2, 5] = 9.5  # the largest entry: query direction b, key direction @1
    np.savez(tmp_path / "dense.npz", vocab=np.array(vocab), n_positions=np.array(n), **arrays)
    short = invoke(["show", "! a b a c b", "--model", str(tmp_path / "dense.npz"), "--width", "80"])
    assert short.exit_code == 0, short.stderr
    out = short.stdout
    assert "A_2: its weight by block" in out and "A_2: its 8 largest entries in absolute value" in out
    assert "b · @1                  9.5" in out
    assert "only its nonzero blocks" not in out and max(map(len, out.splitlines())) <= 80
    full = invoke(["show", "! a b a c b", "--model", str(tmp_path / "dense.npz"), "--width", "80", "--full"]).stdout
    assert "A_2: its weight by block" not in full and "A_2 (d x d" in full
    lecture = invoke(["show", "! a b a c b", "--width", "80"]).stdout  # a built model's A is never summarised
    assert "its weight by block" not in lecture


@pytest.mark.parametrize("form", ["table", "markdown", "latex", "html", "svg"])
def test_a_file_beside_the_hand_built_model_shows_both_weights_their_difference_and_where_they_differ(tmp_path,
                                                                                                    form):
    """Issue 28, item 4: a model file's weights beside the hand-built model's on the same string."""
    from induction_demo.core.modelfile import load

    rng = np.random.default_rng(5)
    vocab, n = ["!", "a", "b", "c"], 6
    d = 2 * (len(vocab) + n)
    arrays = {k: rng.normal(size=(d, d)) for k in ("A1", "V1", "A2", "V2")}
    path = tmp_path / "noisy.npz"
    np.savez(path, vocab=np.array(vocab), n_positions=np.array(n), **arrays)
    result = invoke(["show", LECTURE, "--model", str(path), "--beside", "--format", form, "--width", "80"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if form == "table":
        assert max(map(len, out.splitlines())) <= 80
        model = load(str(path))
        mine = run(tuple(LECTURE.split()), construction=Construction(model=model)).layers[1].heads[0].weights
        theirs = run(tuple(LECTURE.split())).layers[1].heads[0].weights
        gap = np.abs(mine - theirs) * np.tri(6, k=-1, dtype=bool)
        i = int(gap.max(axis=1).argmax())
        j = int(gap[i].argmax())
        assert f"@{i} on @{j}: {mine[i, j]:.2f} against {theirs[i, j]:.2f}" in out.replace("\n", " ")
    said = out.replace("{-}", "-").replace("\n", " ")  # (LaTeX keeps a hyphen apart)
    assert "beside the hand-built induction head" in said or form == "svg"


def test_beside_needs_a_model_file_and_a_view_that_shows_it(tmp_path):
    from test_cli import one_line_error

    assert "--beside sets a model file" in one_line_error(invoke(["show", LECTURE, "--beside"]), 2)
    path = tmp_path / "lecture.npz"
    assert invoke(["weights", LECTURE, "-o", str(path)]).exit_code == 0
    assert "not json" in one_line_error(invoke(["show", LECTURE, "--model", str(path), "--beside", "--format",
                                                "json"]), 2)
    same = invoke(["show", LECTURE, "--model", str(path), "--beside"]).stdout
    assert "No row differs by 0.10 or more" in same and "Both output the same tokens at every position." in same


@pytest.mark.parametrize("form", ["table", "markdown"])
def test_positions_past_the_string_s_end_are_left_out_of_y_where_they_are_all_0(tmp_path, form):
    """A file of 8 positions (the lecture's heads, built for 8 tokens) run on 6: Y^(0) and every Y the lecture's
    heads write have no row at @6 or @7, so those columns are all 0 and left out, and the title says so; a V_1
    that writes into prev pos @7 keeps that column, and the title says only the all-0 ones are left out."""
    from induction_demo.core import modelfile

    arrays = modelfile.arrays(run(tuple("! a b a c b d e".split())))
    path = tmp_path / "eight.npz"
    np.savez(path, **arrays)
    out = invoke(["show", LECTURE, "--model", str(path), "--format", form, "--width", "300"]).stdout
    said = " ".join(out.split()).replace("\\'", "'")  # (Markdown escapes the apostrophe)
    assert "the positions past the string's end (@6 to @7) are all 0 and left out" in said
    from induction_demo.core.modelfile import load
    from induction_demo.views import documents
    from induction_demo.views.views import Table

    trace = run(tuple(LECTURE.split()), construction=Construction(model=load(str(path))))
    tables = {b.key: b for b in documents.walkthrough(trace).blocks if isinstance(b, Table)}
    for key in ("input", "layer1.output", "layer2.output"):
        assert len(tables[key].columns) == 2 * (6 + 6), key  # tok 6, pos @0 to @5, and the previous half alike
    assert len(tables["layer1.A"].columns) == 28  # the file's weights: every direction
    v, n = 6, 8  # the vocabulary ! a b c d e, 8 positions: [tok 6 | pos 8 | prev tok 6 | prev pos 8]
    writes = dict(arrays)
    writes["V1.0"] = arrays["V1.0"].copy()
    writes["V1.0"][v + 2, 2 * v + n + 7] = 0.5  # pos @2 also writes prev pos @7
    np.savez(path, **writes)
    said = " ".join(invoke(["show", LECTURE, "--model", str(path), "--format", form, "--width", "300"])
                    .stdout.split()).replace("\\'", "'")
    assert "of the positions past the string's end (@6 to @7), the columns all 0 are left out" in said
    trace = run(tuple(LECTURE.split()), construction=Construction(model=load(str(path))))
    output = next(b for b in documents.walkthrough(trace).blocks if isinstance(b, Table) and b.key == "layer1.output")
    named = [" ".join(c) for c in output.columns]
    assert "prev @7" in named and "prev @6" not in named, named
    same = " ".join(invoke(["show", "! a b a c b d e", "--model", str(path), "--format", form, "--width", "300"])
                    .stdout.split())
    assert "past the string's end" not in same  # 8 tokens on 8 positions: nothing past the end
    one = " ".join(invoke(["show", "! a b a c b d", "--model", str(path), "--format", form, "--width", "300"])
                   .stdout.split()).replace("\\'", "'")  # 7 tokens: one position past the end, not "@7 to @7"
    assert "the position past the string's end (@7) is all 0 and left out" in one and "@7 to @7" not in one


def test_a_file_s_split_between_keys_of_two_tokens_is_a_copy_of_the_one_it_outputs(tmp_path):
    """`a` (@6) of `! a b a c b a` splits its weight between `b` (@2) and `c` (@4), 0.50 each. A file whose
    V_2 writes `c` a little louder outputs `c` alone: a copy (a key at the top of the weight holds it), told
    as a split that predicts `c`; before, only the first of the tied keys counted, and it was called "not a
    copy". A V_2 that writes another token than any key holds still makes a blend."""
    from induction_demo.core import modelfile
    from induction_demo.words import verify
    from induction_demo.words.story import story

    tokens = tuple("! a b a c b a".split())
    arrays = modelfile.arrays(run(tokens))
    vocab = list(arrays["vocab"])
    louder = dict(arrays)
    louder["V2.0"] = arrays["V2.0"].copy()
    c = vocab.index("c")
    louder["V2.0"][c, c] *= 1.01
    path = tmp_path / "louder.npz"
    np.savez(path, **louder)
    trace = run(tokens, construction=Construction(model=modelfile.load(str(path))))
    p = trace.predictions[6]
    assert p.output == ("c",) and p.copy
    told = [s for sentences in story(trace).values() for s in sentences]
    assert verify.problems(trace, told) == []
    assert any("splits its attention between `b` (@2) and `c` (@4)" in s.text and "so it predicts `c`" in s.text
               for s in told), [s.text for s in told]
    elsewhere = dict(arrays)
    v = len(vocab)
    elsewhere["V2.0"] = arrays["V2.0"].copy()
    elsewhere["V2.0"][:v, :v] = 0.0
    elsewhere["V2.0"][:v, vocab.index("!")] = 1.0  # every token written as `!`
    np.savez(path, **elsewhere)
    trace = run(tokens, construction=Construction(model=modelfile.load(str(path))))
    held = {trace.tokens[2], trace.tokens[4]}
    assert not set(trace.predictions[6].output) & held and not trace.predictions[6].copy


def test_a_layer_of_heads_of_two_roles_is_told_head_by_head_and_ablated_in_part(tmp_path):
    """--context 2's file with its 2-back head marked of unknown role: --ablate previous-token ablates head 1.0
    alone. The summary, the layer's heading and the story named all of layer 1 ablated ("Layer 1 is ablated ...
    Y^(1) = Y^(0)"), and the story told head 1.1 as a look-back head at offset 0 ("from @0 on looks back to
    the key it weighs most (weight 0.00)")."""
    arrays = modelfile.arrays(run(tuple("abcde" * 3), construction=Construction(context=2)))
    arrays["roles"] = np.array(["look-back", "unknown", "induction"])
    path = tmp_path / "mixed.npz"
    np.savez(path, **arrays)
    out = " ".join(invoke(["show", "a b c d a b", "--model", str(path), "--ablate", "previous-token",
                           "--width", "200"]).stdout.split())
    assert "Ablated: the head 1.0 (its output is replaced by zeros)" in out
    assert "Layer 1: head 1.0 and head 1.1 (the head 1.0 ablated: its output is replaced by zeros)" in out
    assert "In layer 1, the head 1.0 is ablated: its output is replaced by zeros." in out
    assert "Layer 1 is ablated" not in out and "weight 0.00" not in out and "from @0 on" not in out
    assert "The head 1.1: each token attends most to:" in out


def test_a_head_of_unknown_role_has_no_quiet_rows(tmp_path):
    """A head the file gives no role has no job, so no row of it is off its job: its masked logits and weights
    said "nothing to copy" beside every row, faint, as an induction head's rows with nothing to copy."""
    from induction_demo.core.modelfile import load
    from induction_demo.views import documents
    from induction_demo.views.views import Table

    arrays = modelfile.arrays(run(tuple("abcde" * 3), construction=Construction(context=2)))
    arrays["roles"] = np.array(["look-back", "unknown", "induction"])
    np.savez(tmp_path / "mixed.npz", **arrays)
    trace = run(tuple("abcdab"), construction=Construction(model=load(str(tmp_path / "mixed.npz"))))
    tables = {b.key: b for b in documents.walkthrough(trace).blocks if isinstance(b, Table)}
    unknown = [t for k, t in tables.items() if k.startswith(("layer1.masked", "layer1.weights")) and "1.1" in k]
    held = [t for k, t in tables.items() if k.startswith(("layer1.masked", "layer1.weights")) and "1.0" in k]
    assert len(unknown) == 2 and len(held) == 2, sorted(tables)
    for table in unknown:
        assert not any(cell.faint for row in table.rows for cell in row.cells), table.key
        assert "nothing to copy" not in str(table.rows)
    assert all(any("nothing before" in c.text for row in t.rows for c in row.cells) for t in held)


def test_a_file_without_roles_is_not_said_to_have_nothing_to_copy(tmp_path):
    """A file that gives no head a role builds its last layer for no key, so "something to copy" is never
    found: the next-token table said "nothing to copy" beside every row, also at @4 `a`, whose earlier `a` is
    followed by `b`, which the file's own layer 2 attends to with weight 1.00."""
    arrays = modelfile.arrays(run(tuple("abcde" * 3), construction=Construction(context=2)))
    arrays["roles"] = np.array(["unknown"] * 3)
    np.savez(tmp_path / "noroles.npz", **arrays)
    out = invoke(["show", "a b c d a b", "--model", str(tmp_path / "noroles.npz"), "--width", "200"]).stdout
    table = out[out.index("Next-token probabilities"):]
    assert "nothing to copy" not in table and "a blend, not a copy" not in table
    assert "@4 a b 0.40" in table
