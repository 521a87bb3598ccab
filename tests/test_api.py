"""The Python API (import induction_demo as idm) and the notebook docs/tour.ipynb."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import induction_demo as idm
from induction_demo.core.runs import run
from induction_demo.core.weights import Construction

ROOT = Path(__file__).resolve().parent.parent


def test_the_public_names_are_all_and_documented():
    assert set(idm.__all__) == {"run", "check", "train", "handout", "Trace", "Training", "InputError"}
    for name in idm.__all__:
        thing = getattr(idm, name)
        assert thing.__doc__, name
    with pytest.raises(AttributeError):
        idm.nothing_here  # noqa: B018
    # dir() and a notebook's Tab completion offer them, though they are imported when first asked for
    # (dir(idm) listed only "annotations")
    assert set(idm.__all__) <= set(dir(idm))


def test_run_is_the_command_line_s_model_with_every_knob():
    trace = idm.run("b c d . x c e . b c", context=2, mask="inclusive")
    reference = run(tuple("b c d . x c e . b c".split()), construction=Construction(mask="inclusive", context=2))
    for a, b in zip(trace.layers, reference.layers):
        assert all(np.array_equal(x.weights, y.weights) for x, y in zip(a.heads, b.heads))
    assert trace.predictions == reference.predictions
    assert idm.run(["a", "b", "a"]).predictions[2].next == "b"
    assert idm.run("abab").tokens == ("a", "b", "a", "b")  # split as TOKENS is


def test_a_trace_shows_itself_and_writes_every_format(tmp_path):
    trace = idm.run("! a b a c b", ablate="induction")
    html = trace._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "http" not in html.split("srcdoc=")[1].split("style=")[0] \
        .replace("http-equiv", "")  # no network: nothing fetched
    doc = json.loads(trace.to_json())
    assert doc["kind"] == "show" and doc["ablate"] == "induction"
    assert trace.handout("md").startswith("# Induction heads")
    assert trace.handout("latex").startswith("\\documentclass")
    assert trace.handout("npz")[:2] == b"PK"
    with pytest.raises(idm.InputError, match="unknown format"):
        trace.handout("docx")


def test_bad_input_raises_the_command_line_s_message():
    with pytest.raises(idm.InputError, match="no tokens"):
        idm.run("   ")
    with pytest.raises(ValueError, match="--context must be 1 to"):
        idm.run("a b", context=9)


def test_train_and_model_files_from_python(tmp_path):
    result = idm.train(vocab=4, length=8, steps=30, batch=8)
    assert result.history[-1]["step"] == 30 and result.report["kind"] == "train"
    assert "<iframe" in result._repr_html_() and "Training" in repr(result)
    path = tmp_path / "learned.npz"
    result.save(str(path))
    trace = idm.run("a b a", model=str(path))
    assert trace.construction.model.name == "learned.npz" and len(trace.vocab) == 4
    with pytest.raises(idm.InputError, match="context= builds them"):
        idm.run("a b", model=str(path), context=2)


def test_the_tour_notebook_runs_cell_by_cell(tmp_path, monkeypatch):
    notebook = json.loads((ROOT / "docs" / "tour.ipynb").read_text())
    monkeypatch.chdir(tmp_path)
    space: dict = {}
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(cells) >= 5
    for cell in cells:
        exec(compile("".join(cell["source"]), "tour.ipynb", "exec"), space)
    assert space["trace"].predictions[3].next == "b"  # the lecture
    assert space["variant"].predictions[-1].next == "d"  # b c copies what followed b c
    assert [p.next for p in space["ablated"].predictions] == [None] * 6  # no copies without layer 1
    assert space["result"]["score"] < 3 and "attends to" in space["result"]["tests"][1]["output"]


@pytest.mark.parametrize("text, options", [
    ("! a b a c b", ["--mask", "strict"]), ("! a b a c b", ["--mask", "inclusive"]),
    ("b c d . x c e . b c", ["--context", "2"]), ("! a b a c b a", ["--circuit", "pointer"]),
    ("b c d . x c e . b c", ["--circuit", "virtual", "--mask", "inclusive"])])
def test_readme_s_transformerlens_snippet_agrees_with_show_model(tmp_path, monkeypatch, text, options):
    lens = pytest.importorskip("transformer_lens")
    try:
        lens.HookedTransformer
    except (ImportError, AttributeError):
        pytest.skip("this TransformerLens has no HookedTransformer (version 4 replaced it)")
    from cli_runner import invoke
    from induction_demo.core.modelfile import load

    readme = (ROOT / "README.md").read_text()
    code = readme.split("### In TransformerLens")[1].split("```python")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    assert invoke(["weights", text, *options, "-o", "model.npz"]).exit_code == 0
    space: dict = {"text": text}
    exec(compile(code, "README.md", "exec"), space)
    model = load("model.npz")
    trace = run(tuple(text.split()), construction=Construction(mask=model.mask, model=model))
    assert [len(heads) for heads in space["weights"]] == [len(layer.heads) for layer in trace.layers]
    for heads, layer in zip(space["weights"], trace.layers):
        for w, head in zip(heads, layer.heads):
            assert np.allclose(w, head.weights, atol=1e-9)
    assert np.allclose(space["scores"], trace.scores, atol=1e-9)


def test_tokens_may_be_a_numpy_array_of_strings_but_not_a_set():
    import numpy as np

    assert idm.run(np.array(["!", "a", "b", "a", "c", "b"])).predictions[3].next == "b"
    with pytest.raises(idm.InputError, match="a sequence of strings"):
        idm.run({"a", "b"})


def test_a_trace_s_repr_says_its_copies_and_any_ablation():
    """The repr read "<Trace of 1 tokens: a; predictions no copies>" and "predictions @3 b", and said nothing of
    an ablation."""
    assert repr(idm.run("! a b a c b")) == "<Trace of 6 tokens: ! a b a c b; predicts @3 -> b and @5 -> a>"
    assert repr(idm.run("a")) == "<Trace of 1 token: a; no copies>"
    assert repr(idm.run("b c d . x c e . b c", context=2, ablate="previous-token")) == (
        "<Trace of 10 tokens: b c d . x c e . b c; ablated: the previous-token head and the 2-back head; no copies>")
