"""A model of any shape, given as a file and nothing else: three layers, two heads in one of them,
through show, weights, circuits, JSON, every handout format and check."""
from __future__ import annotations

import json

import numpy as np
import pytest

from cli_runner import invoke
from induction_demo.core.runs import run
from induction_demo.core.modelfile import load
from induction_demo.core.weights import Construction

TEXT = "b c d . x c e . b c"


def three_layers(tmp_path, roles: bool = True):
    """The virtual circuit's file with a second head in layer 2: a copy of layer 1's previous-token head,
    which writes the token before into the previous half once more (so layer 3 sees it twice)."""
    path = tmp_path / "virtual.npz"
    assert invoke(["weights", TEXT, "--circuit", "virtual", "-o", str(path)]).exit_code == 0
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["A2.1"], arrays["V2.1"] = arrays["A1.0"], arrays["V1.0"]
    if roles:
        arrays["roles"] = np.array(["look-back", "look-back", "look-back", "induction"])
        arrays["offsets"] = np.array([1, 1, 1, 0])
    else:
        for key in ("roles", "offsets", "circuit", "context"):
            arrays.pop(key, None)
    out = tmp_path / ("three.npz" if roles else "three-unknown.npz")
    np.savez(out, **arrays)
    return out, arrays


def plain(arrays: dict, tokens: list[str]) -> np.ndarray:
    """The file's next-token scores by a plain numpy pass over its arrays (README's loader)."""
    vocab, big_n = list(arrays["vocab"]), int(arrays["n_positions"])
    v = len(vocab)
    sizes = [v if name.endswith("tok") else big_n for name in arrays["layout"]]
    y = np.zeros((len(tokens), sum(sizes)))
    for i, t in enumerate(tokens):
        y[i, vocab.index(t)] = y[i, v + i] = 1.0
    keep = np.tri(len(tokens), k=-1, dtype=bool)
    for l, residual in enumerate(arrays["residual"], 1):
        write = 0
        for h in range(sum(key.startswith(f"A{l}.") for key in arrays)):
            a = np.where(keep, y @ arrays[f"A{l}.{h}"] @ y.T, -np.inf)
            e = np.exp(a - a.max(axis=1, keepdims=True).clip(-1e308))
            total = e.sum(axis=1, keepdims=True)
            w = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
            write = write + w @ y @ arrays[f"V{l}.{h}"]
        y = (y if residual else 0) + write
    return y[:, :v]


@pytest.mark.parametrize("roles", [True, False])
def test_three_layers_and_two_heads_run_to_a_plain_numpy_pass(tmp_path, roles):
    path, arrays = three_layers(tmp_path, roles)
    model = load(str(path))
    assert [len(layer) for layer in model.matrices] == [1, 2, 1]
    trace = run(tuple(TEXT.split()), construction=Construction(model=model))
    assert np.allclose(trace.scores, plain(arrays, TEXT.split()), atol=1e-12)
    kinds = [[r.head.role.kind for r in layer.heads] for layer in trace.layers]
    assert kinds == ([["look-back"], ["look-back", "look-back"], ["induction"]] if roles
                     else [["unknown"], ["unknown", "unknown"], ["unknown"]])


@pytest.mark.parametrize("roles", [True, False])
@pytest.mark.parametrize("command, form", [
    ("show", "table"), ("show", "json"), ("show", "markdown"), ("show", "latex"), ("show", "html"), ("show", "svg"),
    ("weights", "table"), ("weights", "json"), ("weights", "markdown"), ("weights", "latex"), ("weights", "html"),
    ("circuits", "table"), ("circuits", "json"), ("circuits", "markdown"), ("circuits", "latex"),
    ("circuits", "html"), ("circuits", "svg")])
def test_three_layers_and_two_heads_go_through_every_view_and_format(tmp_path, roles, command, form):
    path, _ = three_layers(tmp_path, roles)
    result = invoke([command, TEXT, "--model", str(path), "--format", form, "--width", "200"],
                    env={"INDUCTION_DEMO_VERIFY": "1"})  # every sentence told is verified as it is said
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if form == "json":
        doc = json.loads(out)
        if command == "show":
            assert [len(layer["heads"]) for layer in doc["layers"]] == [1, 2, 1]
            assert set(doc["story"]) == {"1", "2", "3"}
    elif command == "show" and form == "svg":  # (words are set one <text> each)
        assert ">3:<" in out and ">2.1:<" in out
    elif command == "show":
        assert "Layer 3" in out and "head 2.1" in out


def test_a_png_and_a_slide_of_three_layers(tmp_path):
    path, _ = three_layers(tmp_path)
    for args in (["-o", str(tmp_path / "x.png")], ["--slide", "-o", str(tmp_path / "s.svg")]):
        result = invoke(["show", TEXT, "--model", str(path), *args])
        assert result.exit_code == 0, result.stderr


def test_check_holds_each_head_of_a_three_layer_file_to_its_role(tmp_path):
    path, arrays = three_layers(tmp_path)
    result = invoke(["check", str(path), "--format", "json"])
    doc = json.loads(result.stdout)
    names = [t["name"] for t in doc["tests"]]
    assert names == ["layer 1: the previous token", "layer 2 head 0: the previous token",
                     "layer 2 head 1: the previous token", "layer 3: the token after an earlier copy",
                     "the prediction"]
    assert result.exit_code == 0 and doc["score"] == doc["max_score"] == 5
    broken = dict(arrays)
    broken["A2.1"] = np.zeros_like(arrays["A2.1"])  # head 2.1 spreads evenly: not the previous token
    np.savez(tmp_path / "broken.npz", **broken)
    result = invoke(["check", str(tmp_path / "broken.npz"), "--width", "1000"])
    assert result.exit_code == 1
    assert "layer 2 head 1: the previous token: FAIL" in result.stdout
    assert "layer 2 head 0: the previous token: pass" in result.stdout


def test_check_of_a_file_without_roles_holds_only_the_prediction_and_says_so(tmp_path):
    path, _ = three_layers(tmp_path, roles=False)
    result = invoke(["check", str(path), "--width", "1000"])
    assert "Not held to anything: the heads of layers 1, 2 and 3, whose role the file does not give" in result.stdout
    assert "- the prediction:" in result.stdout


@pytest.mark.parametrize("form", ["table", "json", "markdown", "latex", "html", "svg"])
def test_a_last_layer_of_two_heads_goes_through_every_format_and_a_slide_is_refused(tmp_path, form):
    """A file's last layer may hold several heads: each is told where it looks (verified), the windowed
    tables take every head's weights, and the one-head slide says so in one line."""
    rng = np.random.default_rng(1)
    vocab, n = ["!", "a", "b", "c"], 6
    d = 2 * (len(vocab) + n)
    arrays = {f"{m}{l}.{h}": rng.normal(size=(d, d)) for l, heads in ((1, 1), (2, 2)) for h in range(heads)
              for m in "AV"}
    path = tmp_path / "two.npz"
    np.savez(path, vocab=np.array(vocab), n_positions=np.array(n), **arrays)
    result = invoke(["show", "! a b a c b", "--model", str(path), "--format", form, "--width", "80"],
                    env={"INDUCTION_DEMO_VERIFY": "1"})
    assert result.exit_code == 0, result.stderr
    refused = invoke(["show", "! a b a c b", "--model", str(path), "--slide", "--format", "svg"])
    assert refused.exit_code == 2 and "--slide shows the last layer's one head" in refused.stderr


def test_a_layer_of_two_heads_from_a_file_gives_each_table_its_own_key(tmp_path):
    """A file's heads are named "head 2.0" and "head 2.1"; their tables were keyed by the first word,
    "layer2.logits.head" twice, so the HTML handout held each figure id twice. Each key is its own now."""
    import re
    from collections import Counter

    path, _ = three_layers(tmp_path)
    out = invoke(["show", TEXT, "--model", str(path), "--format", "html"]).stdout
    ids = Counter(re.findall(r'<figure id="([^"]+)"', out))
    assert ids["layer2.logits.head-2.0"] == ids["layer2.logits.head-2.1"] == 1
    assert max(ids.values()) == 1, [k for k, n in ids.items() if n > 1]


def test_check_names_the_one_head_of_a_layer_whose_role_the_file_does_not_give(tmp_path):
    """--context 2's file with its 2-back head of unknown role: head 0 of layer 1 is held (and tested) to the
    previous token, head 1 to nothing; the report said "the heads of layer 1" were held to nothing."""
    from induction_demo.core import modelfile
    from induction_demo.core.runs import run
    from induction_demo.core.weights import Construction

    arrays = modelfile.arrays(run(tuple("abcde" * 3), construction=Construction(context=2)))
    arrays["roles"] = np.array(["look-back", "unknown", "induction"])
    np.savez(tmp_path / "mixed.npz", **arrays)
    result = invoke(["check", str(tmp_path / "mixed.npz"), "--width", "1000"])
    assert "Not held to anything: layer 1 head 1, whose role" in result.stdout
    # (the roles a file may give, not this file's: it gives head 1.1 none)
    assert "(roles: look-back, duplicate-token, induction)" not in result.stdout
    assert "- layer 1 head 0: the previous token: pass" in result.stdout
    assert json.loads(invoke(["check", str(tmp_path / "mixed.npz"), "--format", "json"]).stdout)["unheld"] == [
        "layer 1 head 1"]


def _exported(tmp_path, *options: str) -> dict:
    path = tmp_path / "built.npz"
    assert invoke(["weights", "! a b a c b", *options, "-o", str(path)]).exit_code == 0
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize("options, change, said, scores", [
    (("--context", "2"), {"V1.0": 0.0},
     "Layer 1 is wrong, though its heads attend as the hand-built ones do: layer 2 does its job on the hand-built "
     "layer 1 and not on this file's, so what layer 1 writes is not what layer 2 reads.", [1, 1, 0, 1, 0]),
    (("--context", "2"), {"A2.0": 0.0}, "Layer 2 is wrong: it fails even on the hand-built layer 1.",
     [1, 1, 0, 0, 0]),
    (("--circuit", "virtual", "--context", "2"), {"A1.0": "T"},
     "Layer 1 is wrong: layer 2 does its job on the hand-built layer 1's output.", None),
    (("--skip", "2"), {"V1.0": 0.0}, "Layer 1 is wrong, though its heads attend as the hand-built ones do",
     [1, 0, 1, 0]),
    (("--context", "2"), {"V1.1": 0.0}, "Layer 1 is wrong, though the layers attend as the hand-built ones do: the "
                                        "prediction fails, and passes with the hand-built layer 1", [1, 1, 1, 1, 0]),
    (("--context", "2"), {"V2.0": 0.0}, "The layers attend as the hand-built ones do, but the prediction fails, and "
                                        "passes with the hand-built V of layer 2", [1, 1, 1, 1, 0]),
])
def test_check_of_a_file_of_any_shape_tests_each_layer_on_the_hand_built_ones_before_it(tmp_path, options, change,
                                                                                      said, scores):
    """Issue 30, item 12, for files of other shapes than the lecture's (--context 2, the virtual circuit's three
    layers, --skip 2): a mistake in layer 1 failed layer 2 too, and the report named no layer. Each later layer
    now runs on the hand-built layers before it too, and the verdict says which layer is wrong."""
    arrays = _exported(tmp_path, *options)
    for key, how in change.items():
        arrays[key] = arrays[key].T.copy() if how == "T" else arrays[key] * how
    path = tmp_path / "mistake.npz"
    np.savez(path, **arrays)
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    names = [t["name"] for t in doc["tests"]]
    assert any(n.startswith("layer 2 on the hand-built layer 1: ") for n in names), names
    assert doc["verdict"].startswith(said.split(":")[0]) and said in " ".join(doc["output"].split()), doc["output"]
    if scores is not None:
        assert [t["score"] for t in doc["tests"]] == scores, doc["tests"]
    intact = tmp_path / "intact.npz"
    np.savez(intact, **_exported(tmp_path, *options))
    passed = json.loads(invoke(["check", str(intact), "--format", "json"]).stdout)
    assert passed["score"] == passed["max_score"] and passed["verdict"] == ""


@pytest.mark.parametrize("options", [("--context", "2"), ("--circuit", "virtual", "--context", "2"),
                                     ("--skip", "2"), ("--circuit", "pointer")])
def test_every_finding_of_a_file_of_any_shape_is_verified_on_the_run_it_speaks_of(tmp_path, options):
    """A general file's findings, with noise in one matrix: each claim held by the verifier to the file's own
    run, or (on the hand-built layers before it) to the run of the hand-built layers and the file's after them."""
    from induction_demo.core import modelfile
    from induction_demo.uses import checking
    from induction_demo.words import verify

    arrays = _exported(tmp_path, *options)
    rng = np.random.default_rng(len(options))
    seen = 0
    for key in [k for k in arrays if k[0] in "AV" and k[1].isdigit()]:
        noisy = dict(arrays)
        noisy[key] = arrays[key] * rng.choice([0.0, 0.02, -1.0]) + rng.normal(size=arrays[key].shape) * 0.5
        path = tmp_path / "noisy.npz"
        np.savez(path, **noisy)
        model = modelfile.load(str(path))
        built = checking.hand_built(model)
        held = checking.properties(model, built is not None)
        splices = {l: checking.spliced(model, built, l) for _, l, _, kind in held if kind == "given"}
        for tokens in checking.strings(model.vocab, model.n_positions, 0, count=4):
            for f in checking._general_findings(model, tokens, held, splices):
                file = checking.spliced(model, built, f.premises[0].layer) if f.claim.kind == "check-given" else model
                trace = run(tokens, construction=Construction(mask=file.mask, model=file), beside=False)
                assert verify.problems(trace, [f.claim]) == [], f.text
                seen += 1
    assert seen


@pytest.mark.parametrize("zeroed, said", [
    ("V3.0", "The layers attend as the hand-built ones do, but the prediction fails (the hand-built layers cannot "
             "run in this file's place, so what would mend it is not tried)."),
    ("A3.0", "Layer 3 is the first to fail; the hand-built layers 1 and 2 cannot run in this file's place, so "
             "whether the layers before it are to blame is not tested."),
])
def test_check_of_a_file_the_hand_built_layers_cannot_stand_in_for_claims_no_mend(tmp_path, zeroed, said):
    """The three-layer file with two heads in layer 2 (the hand-built virtual circuit has one): no layer runs on
    hand-built ones before it, so the verdict blames no earlier layer and names no mend it did not try (it said
    "neither the hand-built V of layer 3 nor the hand-built layers 1 and 2 alone mends it", untried)."""
    _, arrays = three_layers(tmp_path)
    arrays[zeroed] = np.zeros_like(arrays[zeroed])
    path = tmp_path / "zeroed.npz"
    np.savez(path, **arrays)
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    assert not any("hand-built layer" in t["name"] for t in doc["tests"]) and doc["mended_by"] is None
    assert doc["verdict"] == said


@pytest.mark.parametrize("options, key, change, words", [
    (("--context", "2"), "A1.1", "T", "A1.1 looks transposed: its transpose passes layer 1 head 1's test"),
    (("--context", "2"), "A1.0", -1.0, "A1.0 has the wrong sign: at -1 times its entries it passes layer 1 head 0's"),
    (("--skip", "2"), "A1", 0.01, "A1 is too soft: at 100 times its entries it passes layer 1's test"),
    (("--context", "2"), "V1.0", 0.0, "V1.0 is all 0, as a template is before it is filled in: a V of zeros "
                                      "writes nothing."),
    # an off-by-one in a look-back head, found on its pos x pos block's diagonals and tried out moved
    (("--context", "2"), "A1.0", "back 2", "A1.0 looks 2 positions back (100% of its pos x pos block on pos @i x "
                                           "pos @(i-2)), where its job is the key one position back (pos @i x pos "
                                           "@(i-1)); with its weight moved there, it passes layer 1 head 0's test."),
    (("--context", "2"), "A1.1", "back 1", "A1.1 looks one position back (100% of its pos x pos block on pos @i x "
                                           "pos @(i-1)), where its job is the key 2 positions back (pos @i x pos "
                                           "@(i-2)); with its weight moved there, it passes layer 1 head 1's test."),
    (("--skip", "2"), "A1", "back 0", "A1 matches each position with itself (100% of its pos x pos block on pos "
                                      "@i x pos @i), and the strict mask never lets a query keep itself; its job is "
                                      "the key 3 positions back (pos @i x pos @(i-3)), and with its weight moved "
                                      "there it passes layer 1's test."),
    # the blocks' hints of the lecture-shaped check, for a file of another shape (they gave none: only the verdict)
    (("--context", "2"), "A2", "own token", "A2 has 100% of its weight on tok x tok: it compares the query's token "
                                            "with the key's own token; the hand-built induction head compares it with "
                                            "the key's earlier tokens (tok x prev tok and prev tok x prev2 tok)."),
    (("--context", "2"), "V2", "prev tok", "V2 writes 0% of its weight on tok -> tok and 100% on tok -> prev tok: the "
                                           "hand-built induction head's V copies the key's token into the token block"),
    (("--context", "2"), "V2", -1.0, "V2 has the wrong sign: at -1 times its entries the prediction passes"),
    (("--skip", "2"), "V2", 0.001, "V2 is too small: its largest entry is 0.001"),
    (("--context", "2"), "V1.0", "no prev tok", "V1.0's tok -> prev tok block is all 0, where the hand-built "
                                                "previous-token head writes; with the hand-built block there, every "
                                                "test that failed passes."),
    (("--context", "2"), "V1.1", "no prev2 tok", "V1.1's tok -> prev2 tok block is all 0, where the hand-built 2-back "
                                                 "head writes"),
])
def test_check_of_a_file_of_any_shape_names_the_likely_mistake(tmp_path, options, key, change, words):
    """The lecture-shaped check's hints (transposed, too soft, the wrong sign), each tried out, for files of other
    shapes too: a --context 2 or --skip 2 file got none ("hints": [])."""
    arrays = _exported(tmp_path, *options)
    key = key if key in arrays else f"{key}.0"
    v, n = len(arrays["vocab"]), int(arrays["n_positions"])  # (the layout: tok, pos, prev tok, prev pos, ...)
    tok, prev_tok = slice(0, v), slice(v + n, 2 * v + n)
    if isinstance(change, str) and change.startswith("back"):
        arrays[key][v:v + n, v:v + n] = 100.0 * np.eye(n, k=-int(change.split()[1]))
    elif change == "own token":  # the key's own token compared, not its earlier ones
        arrays[key] = np.zeros_like(arrays[key])
        arrays[key][tok, tok] = 100.0 * np.eye(v)
    elif change == "prev tok":  # the copied token written where the scores do not read
        arrays[key] = np.zeros_like(arrays[key])
        arrays[key][tok, prev_tok] = np.eye(v)
    elif change.startswith("no prev") if isinstance(change, str) else False:  # a block left at 0
        part = change.split()[1]
        start = {"prev": v + n, "prev2": 2 * (v + n)}[part]
        arrays[key][tok, start:start + v] = 0.0
    else:
        arrays[key] = arrays[key].T.copy() if change == "T" else arrays[key] * change
    path = tmp_path / "mistake.npz"
    np.savez(path, **arrays)
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    assert len(doc["hints"]) == 1 and doc["hints"][0].startswith(words), doc["hints"]
    assert "Likely mistake: " + words in " ".join(invoke(["check", str(path)]).stdout.split())


@pytest.mark.parametrize("options, layer", [(("--context", "2"), 1), (("--context", "3"), 1)])
def test_check_names_two_heads_of_a_layer_whose_matrices_are_swapped(tmp_path, options, layer):
    """A student who writes the 2-back head's A_1 where the previous-token head's goes (and back) got two
    failures and no hint; check now tries each head's A in the other's place and, where each passes the
    other's test, says they look swapped (once)."""
    arrays = _exported(tmp_path, *options)
    arrays[f"A{layer}.0"], arrays[f"A{layer}.1"] = arrays[f"A{layer}.1"].copy(), arrays[f"A{layer}.0"].copy()
    path = tmp_path / "swapped.npz"
    np.savez(path, **arrays)
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    assert doc["hints"] == [f"A{layer}.0 and A{layer}.1 look swapped: each passes the other's test (the heads of "
                            f"layer {layer} are held to their jobs in the order of the file's offsets)."]
    untouched = _exported(tmp_path, *options)
    untouched[f"A{layer}.1"] = untouched[f"A{layer}.1"].T.copy()  # one head wrong alone: not a swap
    np.savez(path, **untouched)
    hints = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)["hints"]
    assert not any("swapped" in hint for hint in hints), hints


def test_check_names_two_heads_of_a_layer_whose_writes_are_swapped(tmp_path):
    """V1.0 and V1.1 in each other's place: both heads attend as they should, the prediction fails, and the
    verdict said only that what layer 1 writes is not what layer 2 reads; the swap is now named."""
    arrays = _exported(tmp_path, "--context", "2")
    arrays["V1.0"], arrays["V1.1"] = arrays["V1.1"].copy(), arrays["V1.0"].copy()
    path = tmp_path / "swapped.npz"
    np.savez(path, **arrays)
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    assert doc["hints"] == ["V1.0 and V1.1 look swapped: with each in the other's place, each head's test and the "
                            "prediction pass (each head of layer 1 writes into the part its offset names)."]


@pytest.mark.parametrize("residual, words", [
    ([False, False], "The file's layer 1 does not add its input to its output (the hand-built layer 1 does); with the "
                     "hand-built residual, every test that failed passes."),
    ([True, True], "The file's layer 2 adds its input to its output (the hand-built layer 2 does not); with the "
                   "hand-built residual, every test that failed passes."),
    ([False, True], "The file's layer 1 does not add its input to its output (the hand-built layer 1 does) and layer 2 "
                    "adds its input to its output (the hand-built layer 2 does not); with the hand-built residual")])
def test_check_of_a_file_of_any_shape_names_a_residual_other_than_the_hand_built_one(tmp_path, residual, words):
    """A --context 2 file whose residual flags differ from the hand-built ones got only its verdict ("what layer 1
    writes is not what layer 2 reads"); the residual is now named, tried out as the other hints are."""
    arrays = _exported(tmp_path, "--context", "2")
    arrays["residual"] = np.array(residual)
    path = tmp_path / "residual.npz"
    np.savez(path, **arrays)
    doc = json.loads(invoke(["check", str(path), "--format", "json"]).stdout)
    assert doc["score"] < doc["max_score"] and any(h.startswith(words) for h in doc["hints"]), doc["hints"]
