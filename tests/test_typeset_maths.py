"""Issue 30, item 1: every formula in every format is set as maths. A formula
in running text is a ``Math`` part (each format sets it: $...$, <sub>,
tspans, mathtext); what is left as plain text holds no sub- or superscript
in the plain notation (``x_i``, ``Y^(2)``, ``sqrt(d_k)``) for a reader to
decode."""
from __future__ import annotations

import re

import pytest

from induction_demo.api import run
from induction_demo.base.text import Math, Token
from induction_demo.views import documents
from induction_demo.views.output import tell

RAW = re.compile(r"\(\+\)|[A-Za-z]_\(|\b[A-Za-z]_[A-Za-z0-9]+\b|\^\(|\^T\b|\^-?\d|sqrt\(|\bsum [a-z]\b|\bsum_")
VARIANTS = {"lecture": {}, "sinusoidal": {"positions": "sinusoidal"}, "relative": {"positions": "relative"},
            "rope": {"positions": "rope"}, "none": {"positions": "none"}, "subword": {"similar": "subword"},
            "context 2": {"context": 2}, "skip 2": {"skip": 2}, "ablate previous-token": {"ablate": "previous-token"},
            "ablate induction": {"ablate": "induction"}, "pointer": {"circuit": "pointer"},
            "virtual": {"circuit": "virtual"}, "inclusive": {"mask": "inclusive"},
            "inclusive, ablate previous-token": {"mask": "inclusive", "ablate": "previous-token"}}
VIEWS = ("handout", "focused", "weights", "factored", "circuit_document", "slide", "heatmaps")


def raw(x, where: str, found: list) -> None:
    """Every plain-text piece of a view (not a formula, not a token, not a table cell) with plain-notation maths."""
    if isinstance(x, str):
        if RAW.search(x):
            found.append((where, x))
    elif isinstance(x, (Math, Token)) or type(x).__name__ == "Cell":
        return
    elif isinstance(x, tuple) and hasattr(x, "_fields"):
        for field in x._fields:
            if field != "key":  # (a table's key names it in the JSON, not on the page)
                raw(getattr(x, field), f"{where}.{type(x).__name__}.{field}", found)
    elif isinstance(x, (list, tuple)):
        for y in x:
            raw(y, where, found)


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_view_leaves_a_formula_as_plain_text(variant):
    trace = run("b c d . x c e . b c", **VARIANTS[variant])
    told = tell(trace)
    found: list = []
    for name in VIEWS:
        view = getattr(documents, name)
        built = view(trace, told) if name in ("handout", "focused", "slide", "heatmaps") else view(trace)
        raw(built, name, found)
    assert not found, found[:5]


def test_no_view_of_a_model_file_leaves_a_formula_as_plain_text(tmp_path):
    """A model file's run (its summary names "A_1, V_1, A_2, V_2 from FILE"), and the file beside the
    hand-built model."""
    import numpy as np

    from induction_demo.core import modelfile
    from induction_demo.core.runs import run as trace_of

    path = tmp_path / "eight.npz"
    np.savez(path, **modelfile.arrays(trace_of(tuple("! a b a c b d e".split()))))
    trace = run("! a b a c b", model=str(path))
    told = tell(trace)
    found: list = []
    for name in VIEWS[:-1]:  # (heatmaps: a built model's only)
        view = getattr(documents, name)
        raw(view(trace, told) if name in ("handout", "focused", "slide") else view(trace), name, found)
    raw(documents.beside(trace, run("! a b a c b")), "beside", found)
    assert not found, found[:5]


def test_the_scanner_finds_a_formula_left_as_text():
    found: list = []
    raw(documents.Paragraph(("its share of Y^(2), ", Math("Y^(2)"), Token("x_1"))), "p", found)
    assert found == [("p.Paragraph.text", "its share of Y^(2), ")]


def test_the_quiz_the_sweep_and_train_s_report_leave_no_formula_as_plain_text():
    from induction_demo.uses import learned, quiz, sweep, training
    from induction_demo.views import report

    found: list = []
    for variant in ("lecture", "context 2", "ablate previous-token"):
        trace = run("b c d . x c e . b c", **VARIANTS[variant])
        raw(quiz.sheet(trace, key=True), f"quiz {variant}", found)
    raw(report.sweep(sweep.sweep(tuple("!abacb"), [1.0, 2.0, 5.0])), "sweep", found)
    trained = training.train(training.Config(vocab=4, length=8, steps=30, batch=4))
    raw(learned.document(trained, learned.analysed(trained)), "train", found)
    assert not found, found[:5]


@pytest.mark.parametrize("variant", ["lecture", "context 2", "ablate previous-token", "sinusoidal"])
def test_the_lecture_s_steps_leave_no_formula_as_plain_text(variant):
    """The deck's slide titles read "The input and Y^(0)" as typed (the beamer deck alone set it as maths,
    by a pattern of its own); a step's title is text parts, its formula a Math each format sets."""
    from induction_demo.views import steps
    from induction_demo.views.render import terminal
    from induction_demo.views.tables import priority

    trace = run("b c d . x c e . b c", **VARIANTS[variant])
    found: list = []
    raw(steps.steps(trace, tell(trace), terminal.fitter(priority(trace), 80)), "steps", found)
    assert not found, found[:5]


def test_a_concatenation_is_set_as_the_textbook_s_circled_plus_in_every_format():
    """Seed 003 writes a_i = (head^1 ⊕ ... ⊕ head^h) W^O; the handouts set the terminal's "(+)" as it
    is written there (LaTeX \\oplus, which also lets a long formula break: four heads' ran 60 pt past the
    margin), and the terminal keeps its typed notation."""
    from induction_demo.views.render import math

    formula = "a_i = (head^1 (+) head^2 (+) head^3) W^O"
    assert math.latex(formula).count(r"\oplus") == 2 and "(+)" not in math.latex(formula)
    assert math.to_html(formula).count("&oplus;") == 2
    assert math.to_mathtext(formula).count(r"\oplus") == 2
    text, saved = math.to_tspans(formula)
    assert text.count("⊕") == 2 and "(+)" not in text and saved > math.to_tspans("a_i = (head^1 head^2 head^3) W^O")[1]
