"""One function computes attention weights for every run: model.masked_softmax.
run (and the runs beside it), the sweep, check's runs and train's forward all
call it, and the weights each returns are its output, bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from induction_demo.core import model as model_module
from induction_demo.core.weights import Construction

TOKENS = tuple("! a b a c b a".split())


@pytest.fixture
def spy(monkeypatch):
    """Every array model.masked_softmax returns, as it returned it."""
    made: list[np.ndarray] = []
    real = model_module.masked_softmax

    def recorded(logits, mask):
        out = real(logits, mask)
        made.append(out.copy())
        return out
    monkeypatch.setattr(model_module, "masked_softmax", recorded)
    return made


def made_by(spy: list, weights: np.ndarray) -> bool:
    return any(w.shape == weights.shape and np.array_equal(w, weights) for w in spy)


@pytest.mark.parametrize("built", [Construction(), Construction(context=2, skip=1, mask="inclusive"),
                                   Construction(circuit="pointer"), Construction(context=2, circuit="virtual")])
def test_run_and_the_intact_run_beside_an_ablation_take_their_weights_from_the_one_function(spy, built):
    from induction_demo.core.runs import run

    ablate = "duplicate-token" if built.circuit == "pointer" else "previous-token"
    trace = run(TOKENS, construction=built, ablate=ablate)
    assert trace.intact is not None
    assert all(made_by(spy, head.weights) for layer in trace.layers for head in layer.heads)


def test_the_sweep_takes_its_weights_from_the_one_function(spy):
    from induction_demo.core.runs import run, swept

    for weights in swept(TOKENS, [1.0, 5.0], 2):
        assert made_by(spy, weights)
    spy.clear()
    reference = run(TOKENS, 100.0, induction_scale=5.0, beside=False).layers[1].heads[0].weights
    assert made_by(spy, reference)  # the same scales' run (layer 1 at 100) gives the same bits
    assert np.array_equal(list(swept(TOKENS, [5.0], 2))[0], reference)


def test_check_s_runs_take_their_weights_from_the_one_function(spy, tmp_path):
    from cli_runner import invoke
    from induction_demo.core.modelfile import load
    from induction_demo.core.runs import run
    from induction_demo.uses import checking

    for options in ([], ["--circuit", "virtual"]):
        path = tmp_path / "m.npz"
        assert invoke(["weights", " ".join(TOKENS), *options, "-o", str(path), "--force"]).exit_code == 0
        model = load(str(path))
        spy.clear()
        if model.shaped and model.circuit == "lecture":  # the lecture's shape: check's pass over shared products
            w1, w2, _ = checking.forward(model, TOKENS)
            assert made_by(spy, w1) and made_by(spy, w2)
            file_run = run(TOKENS, construction=Construction(model=model))
            assert np.allclose(w1, file_run.layers[0].weights, atol=1e-12)
            assert np.allclose(w2, file_run.layers[1].weights, atol=1e-12)
        else:  # any other shape: run itself
            assert checking.check(model)["score"] > 0 and spy


def test_train_s_forward_takes_its_weights_from_the_one_function(spy):
    from induction_demo.uses import training

    c = training.Config(vocab=6, length=10, steps=1, batch=4)
    params = {k: np.random.default_rng(0).normal(0, 0.3, size=(c.d, c.d)) for k in training.KEYS}
    ids = np.random.default_rng(1).integers(0, c.vocab, size=(c.batch, c.length))
    for ablated in (None, "keys"):
        spy.clear()
        f = training.forward(params, c, ids, ablated)
        assert made_by(spy, f.w1) and made_by(spy, f.w2)
