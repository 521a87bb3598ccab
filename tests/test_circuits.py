"""`circuits`: each head in the token and position spaces, checked against
the same products made with dense d x d matrices, on random strings."""
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.core.circuits import circuits, copying_score
from induction_demo.core.runs import run
from induction_demo.core.similar import Similarity
from induction_demo.core.weights import Construction, dense

token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "!"]), min_size=1, max_size=16).map(tuple)
constructions = st.builds(Construction, st.sampled_from(["strict", "inclusive"]), st.integers(1, 3),
                          st.integers(0, 3), st.none(), st.just("one-hot"), st.just(16), st.none(), circuit=st.just("lecture"))


def embeddings(trace):
    """E (V x d) and P (N x d): one-hot rows of the tok and pos directions."""
    e = np.zeros((len(trace.vocab), trace.basis.d))
    e[np.arange(len(trace.vocab)), trace.basis.block("tok").start + np.arange(len(trace.vocab))] = 1
    p = np.zeros((trace.n, trace.basis.d))
    p[np.arange(trace.n), trace.basis.block("pos").start + np.arange(trace.n)] = 1
    return e, p


def test_the_lecture_circuits():
    trace = run(tuple("! a b a c b".split()))
    found = {c.key: c for c in circuits(trace)}
    positions = found["layer1.1.qk_positions"].matrix
    assert np.array_equal(positions, 100.0 * np.eye(6, k=-1))  # the scale on the sub-diagonal
    composition = found["layer2.qk.0.1"]
    assert composition.formula == "E A_2 (E V_1)^T" and np.array_equal(composition.matrix, 100.0 * np.eye(4))
    ov = found["layer2.induction.ov"]
    assert np.array_equal(ov.matrix, np.eye(4)) and np.allclose(ov.eigenvalues, 1) and ov.copying == 1.0
    previous = found["layer1.previous-token.ov"]
    assert not previous.matrix.any() and previous.copying is None


@given(token_strings, constructions)
@settings(max_examples=200, deadline=None)
def test_every_circuit_equals_its_product_of_dense_matrices(tokens, built):
    trace = run(tokens, construction=built)
    e, p = embeddings(trace)
    first = {r.head.offset: r.head for r in trace.layers[0].heads}
    a2 = dense(trace.layers[1].only.head.qk, trace.basis)
    sources = [e] + [e @ dense(first[o].ov, trace.basis) for o in sorted(first)]
    found = {c.key: c for c in circuits(trace)}
    for o, head in first.items():
        expected = p @ dense(head.qk, trace.basis) @ p.T
        assert np.array_equal(found[f"layer1.{o}.qk_positions"].matrix, expected)
        assert np.array_equal(expected, 100.0 * np.eye(len(tokens), k=-o))
    for q, qs in enumerate(sources):
        for k, ks in enumerate(sources):
            expected = qs @ a2 @ ks.T
            key = f"layer2.qk.{q}.{k}"
            assert np.array_equal(found[key].matrix, expected) if key in found else not expected.any()
    # the key that matters: the query's own token against the token n + 1 before the key
    k = sorted(first).index(built.skip + 1) + 1
    assert np.array_equal(found[f"layer2.qk.0.{k}"].matrix, built.context * 100.0 * np.eye(len(trace.vocab)))
    for layer in trace.layers:
        for r in layer.heads:
            c = found[f"layer{layer.index}.{r.head.name.split()[0]}.ov"]
            expected = e @ dense(r.head.ov, trace.basis) @ e.T  # W_U = E^T
            assert np.array_equal(c.matrix, expected)
            assert c.copying == (1.0 if layer.index == 2 else None)


def test_the_positive_share_is_the_share_of_positive_real_eigenvalue_mass():
    from induction_demo.core.circuits import positive_share

    assert positive_share(np.array([1.0, 1.0])) == 1.0
    assert positive_share(np.array([1.0, -1.0])) == 0.5
    assert positive_share(np.array([1j, -1j])) == 0.0
    assert copying_score(np.array([1j, -1j])) == 0.0
    assert positive_share(np.zeros(3)) is None


@pytest.mark.parametrize("form", ["table", "json", "markdown", "latex", "html", "svg"])
def test_circuits_in_every_format(form):
    result = invoke(["circuits", "a b c a b", "--context", "2", "--format", form])
    assert result.exit_code == 0, result.stderr
    words = " ".join(re.sub(r"<[^>]+>", " ", result.stdout).split())
    assert "copying score 1.00" in words or '"copying_score": 1.0' in result.stdout


def test_circuits_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "c.png"
    result = invoke(["circuits", "! a b a c b", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_circuits_json_holds_eigenvalues_and_the_copying_score():
    doc = json.loads(invoke(["circuits", "! a b a c b", "--format", "json"]).stdout)
    ov = [c for c in doc["circuits"] if c["kind"] == "ov"]
    assert [c["copying_score"] for c in ov] == [None, 1.0]
    assert ov[1]["eigenvalues"] == [[1.0, 0.0]] * 4
    assert doc["kind"] == "circuits" and doc["construction"]["context"] == 1


def test_circuits_bad_input_is_one_line():
    result = invoke(["circuits", "a b", "--skip", "99"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_the_copying_score_is_the_papers_sum_over_sum_of_magnitudes():
    from induction_demo.core.circuits import copying_score, positive_share

    assert copying_score(np.array([1.0, -1.0])) == 0.0  # the example: the positive share says 0.5
    assert positive_share(np.array([1.0, -1.0])) == 0.5
    assert copying_score(np.array([2.0, 1 + 1j, 1 - 1j])) == pytest.approx(4 / (2 + 2 * np.sqrt(2)))
    assert copying_score(np.array([-1.0, -2.0])) == -1.0
    assert copying_score(np.zeros(3)) is None


@pytest.mark.parametrize("built", [Construction(), Construction(context=2, skip=1), Construction(mask="inclusive"),
                                   Construction(positions="sinusoidal"), Construction(similar=Similarity("subword"))])
def test_composition_scores_are_the_papers_frobenius_ratios_of_the_dense_matrices(built):
    from induction_demo.core.circuits import compositions
    from induction_demo.core.weights import dense

    trace = run(tuple("the cat sat on the mat the cats".split()), construction=built)
    found = {(c.kind, c.writer): c.score for c in compositions(trace)}
    a2, v2 = (dense(b, trace.basis) for b in (trace.layers[1].only.head.qk, trace.layers[1].only.head.ov))
    f = np.linalg.norm
    for run_ in trace.layers[0].heads:
        v1 = dense(run_.head.ov, trace.basis)
        assert found[("K", run_.head.name)] == pytest.approx(f(a2 @ v1.T) / (f(a2) * f(v1)), abs=1e-12)
        assert found[("Q", run_.head.name)] == pytest.approx(f(v1 @ a2) / (f(a2) * f(v1)), abs=1e-12)
        assert found[("V", run_.head.name)] == pytest.approx(f(v1 @ v2) / (f(v1) * f(v2)), abs=1e-12)
    assert max(found[("K", r.head.name)] for r in trace.layers[0].heads) > 0  # layer 2 reads layer 1 through its keys


def test_the_nope_position_circuit_is_named_by_its_logits():
    """Under NoPE layer 1's position circuit was titled "0 (NoPE), previous-token head: nothing: every key
    scores 0", a formula that was a number with a word in it; it is the head's logits, a_ij = 0."""
    out = invoke(["circuits", "! a b a c b", "--positions", "none", "--width", "200"]).stdout
    assert "a_ij = 0, previous-token head: every key scores 0 (NoPE: nothing tells positions apart)" in out
    assert "0 (NoPE)," not in out
    data = json.loads(invoke(["circuits", "! a b a c b", "--positions", "none", "--format", "json"]).stdout)
    assert "a_ij = 0" in json.dumps(data)


@pytest.mark.parametrize("options, says", [(["--positions", "none"], "0$, previous-token head: every key scores 0 "
                                            "(NoPE: nothing tells positions apart), and the head spreads evenly; "),
                                           ([], "")])
def test_the_circuits_picture_says_why_each_circuit_is_zero(options, says):
    """The picture leaves out a circuit that is all 0 and says why in a line: it said every such head "writes
    only into the  and previous half", NoPE's position circuit too, whose head writes nothing there."""
    from induction_demo.core.runs import run
    from induction_demo.core.weights import Construction
    from induction_demo.views.render.png import zero_note

    construction = Construction(positions=options[1]) if options else Construction()
    zero = [c for c in circuits(run(tuple("! a b a c b".split()), construction=construction)) if not c.matrix.any()]
    note = zero_note(zero)
    assert note.startswith("Every entry 0 (not drawn): ") and says in note, note
    assert note.endswith("this head writes only into the previous half.") and "the  " not in note
