"""A position scheme is one record in schemes.py: a new one, registered
there alone, runs through the model, the story, every view and format, the
circuits and the JSON documents with nothing else changed."""
import json

import pytest

from induction_demo.base import inputs

from induction_demo.core import schemes
from induction_demo.core.runs import run
from induction_demo.views.output import circuits, produce, weights
from induction_demo.core.schemes import Logits, Scheme
from induction_demo.base.text import Math
from induction_demo.core.weights import Construction


def _linear(scale, o, k):  # a bias that falls off linearly around the offset (ALiBi-like)
    return Logits(bias=tuple((d, scale - abs(d - o) * scale / 4) for d in range(1, o + 8)))


LINEAR = Scheme("linear", "a linear position bias", _linear, None, False, True,
                lambda k, o: (Math(f"a_ij = s - |i - j - {o}| s/4"), ": a bias falling off linearly"),
                "a_ij = b_(i-j)", "b_(i-j)", "where each query position looks: the most on {where} (key i - {o})",
                "{token}; no position (layer 1 adds a linear bias instead)", written="token",
                leak="the bias falls off only linearly")


@pytest.fixture
def linear(monkeypatch):
    monkeypatch.setitem(schemes.SCHEMES, "linear", LINEAR)
    monkeypatch.setattr(inputs, "POSITIONS", inputs.POSITIONS + ("linear",))
    return Construction(positions="linear", context=2)


def test_every_scheme_the_command_line_offers_is_a_record():
    assert tuple(schemes.SCHEMES) == inputs.POSITIONS


@pytest.mark.parametrize("form", ["table", "json", "markdown", "latex", "html", "svg"])
def test_a_new_scheme_needs_only_its_record(linear, form):
    trace = run(tuple("! a b a c b".split()), construction=linear)
    assert [p.next for p in trace.predictions][3] == "b"  # layer 1 still looks back: the copy survives
    out = produce(trace, form)
    text = "".join(out) if not isinstance(out, str) else out
    assert "linear" in text or form == "json"
    if form == "json":
        assert json.loads(text)["construction"]["positions"] == "linear"
    assert "".join(circuits(trace, form)) and "".join(weights(trace, "json"))
