"""The model file: weights TOKENS -o FILE.npz, read back with numpy alone."""
from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.model import run
from induction_demo.weights import Construction

LECTURE = "! a b a c b"


def written(tmp_path, text: str, *options: str) -> dict:
    path = tmp_path / "model.npz"
    result = invoke(["weights", text, *options, "-o", str(path)])
    assert result.exit_code == 0, result.stderr
    with np.load(path) as f:  # numpy alone, no pickle
        return {k: f[k] for k in f.files}


def forward(f: dict, tokens: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two layers in plain numpy over the file's arrays: (weights, output) of each."""
    vocab, n = list(f["vocab"]), len(tokens)
    v, big_n = len(vocab), int(f["n_positions"])
    y = np.zeros((n, 2 * (v + big_n)))
    for i, t in enumerate(tokens):
        y[i, vocab.index(t)] = 1.0
        y[i, v + i] = 1.0
    keep = np.tril(np.ones((n, n), dtype=bool), 0 if str(f["mask"]) == "inclusive" else -1)
    out = []
    for layer, residual in zip((1, 2), f["residual"]):
        logits = y @ f[f"A{layer}"] @ y.T
        shifted = np.where(keep, logits - np.where(keep, logits, -np.inf).max(axis=1, keepdims=True).clip(-1e308), 0)
        e = np.where(keep, np.exp(shifted), 0.0)
        w = np.divide(e, e.sum(axis=1, keepdims=True), out=np.zeros_like(e), where=e.sum(axis=1, keepdims=True) > 0)
        y = (y if residual else 0.0) + w @ y @ f[f"V{layer}"]
        out.append((w, y))
    return out


def test_the_lecture_s_model_file_reruns_in_plain_numpy_to_the_trace(tmp_path):
    f = written(tmp_path, LECTURE)
    assert sorted(f) == ["A1", "A2", "V1", "V2", "layout", "mask", "n_positions", "residual", "vocab"]
    assert f["A1"].shape == (20, 20) and list(f["vocab"]) == ["!", "a", "b", "c"]
    assert list(f["layout"]) == ["tok", "pos", "prev tok", "prev pos"] and list(f["residual"]) == [True, False]
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


def test_the_same_model_gives_the_same_bytes(tmp_path):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    assert invoke(["weights", LECTURE, "-o", str(first)]).exit_code == 0
    assert invoke(["weights", LECTURE, "--format", "npz", "-o", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    np.load(io.BytesIO(first.read_bytes()), allow_pickle=False)["vocab"]  # no object arrays


@pytest.mark.parametrize("args, words", [
    (["weights", LECTURE, "--context", "2", "-o", "m.npz"], "one head a layer"),
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
