"""The verifier (verify.py) holds every sentence the tool says to the trace it
is said of: on random strings crossed with every variant and their
combinations, on model files (exported from each exportable variant, random
dense, trained), on the quiz's answers; and it rejects a claim whose premise
is false, a sentence of a kind it has no rule for, and one that lacks a
premise its kind needs."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from induction_demo.words import claims, verify

from induction_demo.uses import learned, quiz, training

from induction_demo.core import modelfile
from induction_demo.core.runs import run
from induction_demo.words.sentences import say
from induction_demo.core.similar import Similarity
from induction_demo.words.story import story
from induction_demo.core.weights import Construction

def fitted(c: Construction) -> Construction:
    """The knobs a circuit takes: pointer, one-hot positions and tokens, context 1; virtual, context 2, no skip."""
    if c.circuit == "pointer":
        return c._replace(context=1, positions="one-hot", similar=None)
    if c.circuit == "virtual":
        return c._replace(context=2, skip=0)
    return c


def ablation(built: Construction, ablate):
    """The pointer circuit's layer 1 is its duplicate-token head."""
    return "duplicate-token" if built.circuit == "pointer" and ablate == "previous-token" else ablate


ALPHABETS = (("a", "b"), ("a", "b", "c"), ("a", "b", "c", "d", "e"), ("cat", "cats", "at", "mat", "the"))
strings = st.sampled_from(ALPHABETS).flatmap(lambda alphabet: st.lists(st.sampled_from(alphabet), min_size=2,
                                                                       max_size=40).map(tuple))
constructions = st.builds(
    Construction, st.sampled_from(["strict", "inclusive"]), st.integers(1, 3), st.integers(0, 4),
    st.sampled_from([None, Similarity("subword")]),
    st.sampled_from(["one-hot", "sinusoidal", "relative", "rope", "none"]), st.sampled_from([8, 16]), st.none(),
    circuit=st.sampled_from(["lecture", "lecture", "pointer", "virtual"])).map(fitted).filter(
    lambda c: not (c.positions == "rope" and c.similar is not None))  # refused: rope needs one-hot tokens
ablations = st.sampled_from([None, None, "previous-token", "induction"])
temperatures = st.sampled_from([1.0, 1e-9, 10.0])
scales = st.sampled_from([100.0, 100.0, 0.5, 2.0])  # soft heads: weight off the job, keys within 0.01 of the top


def told(trace) -> list:
    return [s for sentences in story(trace).values() for s in sentences]


def assert_verified(trace) -> None:
    sentences = told(trace)
    assert sentences
    assert verify.problems(trace, sentences) == []
    assert verify.marks(trace) == []


@given(strings, constructions, ablations, temperatures, scales)
@settings(max_examples=250, deadline=None)
def test_every_sentence_of_every_variant_is_verified(tokens, built, ablate, temperature, scale):
    assert_verified(run(tokens, scale, construction=built, ablate=ablation(built, ablate), temperature=temperature))


def test_a_soft_duplicate_token_head_says_only_where_it_looks():
    """At scale 0.5 on 58 tokens the pointer circuit's duplicate-token head weighs an earlier copy of the
    query's token (logit 0.5) and another key (logit 0) within 0.01 of each other: its story said "A token
    seen before attends to the keys it weighs most", a sentence of the job's kind without a job among its
    premises, and the verifier refused it (`show --circuit pointer --scale 0.5`, INDUCTION_DEMO_VERIFY=1)."""
    tokens = tuple("c a c d a d a h g a h g a d c d f b h e f a c a f a b b f a a g f d f g a d h f c f h h f h c f "
                   "f h c h h d a a g a".split())
    trace = run(tokens, 0.5, construction=Construction(circuit="pointer"))
    assert any("attends to the keys it weighs most" in s.text for s in told(trace))
    assert_verified(trace)


@given(strings, ablations, temperatures)
@settings(max_examples=60, deadline=None)
def test_the_lecture_s_model_is_verified_on_random_strings(tokens, ablate, temperature):
    assert_verified(run(tokens, ablate=ablate, temperature=temperature))


def _exported(mask: str, skip: int) -> modelfile.Model:
    trace = run(tuple("abcdeabcdeabcdeabcdeabcdeabcdeabcdeabcdeab"), construction=Construction(mask=mask, skip=skip))
    arrays = modelfile.arrays(trace)
    return modelfile.Model.lecture(arrays["A1.0"], arrays["V1.0"], arrays["A2.0"], arrays["V2.0"], tuple(arrays["vocab"].tolist()),
                           int(arrays["n_positions"]), mask == "inclusive", (True, False), f"skip{skip}.npz",
                           int(arrays.get("offset", 1)), int(arrays.get("horizon", 1)))


def _dense(seed: int) -> modelfile.Model:
    rng = np.random.default_rng(seed)
    d = 2 * (5 + 42)
    return modelfile.Model.lecture(*(rng.normal(size=(d, d)) * s for s in (4.0, 1.0, 4.0, 1.0)), tuple("abcde"), 42,
                           bool(seed % 2), (True, seed == 2), f"dense{seed}.npz")


_trained: list = []


def _learned() -> modelfile.Model:
    if not _trained:  # a tiny run: trained weights, a few seconds at most
        _trained.append(learned.model_of(training.train(training.Config(vocab=5, length=12, steps=200, batch=16))))
    return _trained[0]


def _mixed(second: str) -> modelfile.Model:
    """--context 2's file with its 2-back head given another role: a layer 1 of heads of two roles, of which
    --ablate previous-token ablates one (its story said "Layer 1 is ablated ... Y^(1) = Y^(0)", and told the
    other head as a look-back head at offset 0, "weight 0.00")."""
    import tempfile

    arrays = modelfile.arrays(run(tuple("abcde" * 8), construction=Construction(context=2)))
    arrays["roles"] = np.array(["look-back", second, "induction"])
    path = Path(tempfile.mkdtemp()) / f"mixed-{second}.npz"
    np.savez(path, **arrays)
    return modelfile.load(str(path))


FILES = [("export", mask, skip) for mask in ("strict", "inclusive") for skip in (0, 1, 2, 4)] \
    + [("dense", seed, 0) for seed in range(3)] + [("trained", 0, 0)] \
    + [("mixed", role, 0) for role in ("unknown", "duplicate-token")]


def _file(kind, a, b) -> modelfile.Model:
    return _exported(a, b) if kind == "export" else _dense(a) if kind == "dense" else _mixed(a) \
        if kind == "mixed" else _learned()


@pytest.mark.parametrize("kind,a,b", FILES)
@given(data=st.data())
@settings(max_examples=25, deadline=None)
def test_every_sentence_about_a_model_file_is_verified(kind, a, b, data):
    model = _file(kind, a, b)
    tokens = data.draw(st.lists(st.sampled_from(model.vocab[:data.draw(st.integers(2, len(model.vocab)))]),
                                min_size=2, max_size=min(model.n_positions, 40)).map(tuple))
    trace = run(tokens, construction=Construction(mask=model.mask, model=model), ablate=data.draw(ablations),
                temperature=data.draw(temperatures))
    assert_verified(trace)


def test_an_exported_skip_file_keeps_its_horizon_and_is_told_as_its_construction(tmp_path):
    """Issue 25, defect 6: a file written under --skip 2 copies 3 ahead, as the construction it came from."""
    from cli_runner import invoke

    path = tmp_path / "skip2.npz"
    assert invoke(["weights", "a b c a b c d a", "--skip", "2", "--format", "npz", "-o", str(path)]).exit_code == 0
    model = modelfile.load(str(path))
    assert (model.offset, model.horizon) == (3, 3)
    built = run(tuple("abcabcda"), construction=Construction(skip=2))
    file = run(tuple("abcabcda"), construction=Construction(model=model))
    assert [p.candidates for p in file.predictions] == [p.candidates for p in built.predictions]
    assert file.predictions[7].copy and file.predictions[7].horizon == 3
    assert_verified(file)


@given(st.lists(st.sampled_from("abcd"), min_size=2, max_size=14).map(lambda t: ("!",) + tuple(t)), temperatures)
@settings(max_examples=80, deadline=None)
def test_every_quiz_answer_is_verified(tokens, temperature):
    trace = run(tokens, temperature=temperature)
    answers = [q.answer for q in quiz.questions(trace)]
    assert verify.problems(trace, answers) == []


# --- the verifier rejects what is false ---------------------------------------

def _false(p):
    """The premise with its claim changed (a value, a set of keys, a flag): no longer true of the trace."""
    kind = type(p)
    if kind in (claims.Weight, claims.Even, claims.Logit, claims.Leak, claims.Probability, claims.Score):
        return p._replace(value=p.value + 0.5)
    if kind is claims.Top:
        return p._replace(keys=p.keys[1:] if len(p.keys) > 1 else p.keys + (p.query,))
    if kind is claims.Logits:
        return p._replace(kind={"zero": "differ", "tie": "differ", "differ": "tie"}[p.kind])
    if kind is claims.LogitRange:
        return p._replace(low=p.low - 1.0)
    if kind is claims.Predicts:
        return p._replace(copy=not p.copy)
    if kind in (claims.Carried, claims.Holds):
        return p._replace(share=p.share + 0.5)
    if kind is claims.Follows:
        return p._replace(source=p.source - 1)
    if kind is claims.Job:
        return p._replace(on=not p.on)
    if kind is claims.Context:
        return p._replace(matched=p.matched + 1)
    if kind is claims.Occurrences:
        return p._replace(at=p.at[:-1])
    if kind is claims.FirstOccurrence:
        return None  # (no false variant of the same position)
    if kind is claims.NothingToCopy:
        return None
    if kind is claims.Kept:
        return p._replace(kept=not p.kept)
    if kind is claims.Mask:
        return p._replace(kind="strict" if p.kind == "inclusive" else "inclusive")
    if kind in (claims.Built,):
        return p._replace(built=not p.built)
    if kind is claims.Setting:
        return p._replace(value="something else")
    if kind is claims.Ablated:
        return p._replace(ablated=not p.ablated)
    if kind is claims.Output:
        return p._replace(score=p.score + 0.5)
    if kind is claims.Writes:
        return p._replace(names=p.names + ("tok",) if "tok" not in p.names else p.names[1:])
    if kind is claims.Before:
        return p._replace(positions=p.positions + (p.offset,))
    if kind is claims.Against:
        return p._replace(tokens=p.tokens + ("?",))
    if kind is claims.Outputs:
        return p._replace(tokens=p.tokens + ("?",))
    if kind is claims.OtherScores:
        return p._replace(high=p.high + 0.5)
    if kind is claims.Temperature:
        return p._replace(value=p.value * 2)
    if kind is claims.Tie:
        return None  # (both kinds of tie can occur in one run)
    raise AssertionError(f"no false variant for {kind.__name__}: add one")


CASES = [
    (("!", "a", "b", "a", "c", "b"), Construction(), None),
    (("!", "a", "b", "a", "c", "b"), Construction(), "previous-token"),
    (("!", "a", "b", "a", "c", "b"), Construction(mask="inclusive"), None),
    (tuple("abcabcda"), Construction(skip=2), None),
    (tuple("bcd.xce.yce.bc"), Construction(context=2), None),
    (tuple("aadbacdbdcbcaccdca"), Construction(positions="sinusoidal"), None),
    (tuple("badaca"), Construction(positions="none"), None),
    (("the", "cat", "sat", ".", "the", "cats"), Construction(similar=Similarity("subword")), None),
    (tuple("abcdeabcdeabcdeabcdeabcdeabcdeab"), Construction(), None),
    (tuple("the cat sat on a mat / the dog lay by the".split()), Construction(skip=4), None),
]


@pytest.mark.parametrize("tokens,built,ablate", CASES)
def test_a_false_premise_is_rejected(tokens, built, ablate):
    trace = run(tokens, construction=built, ablate=ablate)
    seen = set()
    answers = [q.answer for q in quiz.questions(trace)] if built == Construction() and not ablate else []
    for sentence in told(trace) + answers:
        for k, premise in enumerate(sentence.premises):
            wrong = _false(premise)
            if wrong is None or wrong == premise:
                continue
            seen.add(type(premise))
            changed = sentence._replace(premises=sentence.premises[:k] + (wrong,) + sentence.premises[k + 1:])
            assert verify.problems(trace, [changed]), (sentence.text, wrong)
    assert seen


def _check_claims():
    """A file whose V_2 writes the wrong token and whose A_2 is too soft: check's findings on a few strings,
    each with the file's own trace."""
    from induction_demo.uses import checking

    arrays = modelfile.arrays(run(("!", "a", "b", "a", "c", "b")))
    v2, a2 = np.roll(arrays["V2.0"], 1, axis=1), arrays["A2.0"] * 0.01
    model = modelfile.Model.lecture(arrays["A1.0"], arrays["V1.0"], a2, v2, tuple(arrays["vocab"].tolist()),
                            int(arrays["n_positions"]), False)
    for tokens in checking.strings(model.vocab, model.n_positions, 0, count=20):
        yield from _checked_runs(model, tokens)
    # a V_1 in a code of its own (token k to prev tok's direction k + 1) and the same soft A_2 reading it: layer 2
    # alone is held to a run of the lecture's A_1 and the file's own V_1
    v = len(model.vocab)
    prev_tok = slice(v + model.n_positions, v + model.n_positions + v)
    v1, a2_coded = model.v1.copy(), a2.copy()
    v1[:v, prev_tok] = model.v1[:v, prev_tok] @ np.roll(np.eye(v), 1, axis=1)
    a2_coded[:, prev_tok] = a2[:, prev_tok] @ np.roll(np.eye(v), 1, axis=1)  # (A_2 reads that code)
    coded = modelfile.Model.lecture(model.a1, v1, a2_coded, v2, model.vocab, model.n_positions, False)
    assert checking.products(coded).own
    for tokens in checking.strings(model.vocab, model.n_positions, 0, count=20):
        yield from _checked_runs(coded, tokens)


def _checked_runs(model, tokens):
    """check's findings on ``tokens``, each with the trace it speaks of: the file's own run, or (layer 2 given
    the lecture's layer 1) a run of the lecture's layer 1 at a scale that makes it one-hot, and the file's layer 2
    (where the file's V_1 writes a code of its own, the lecture's A_1 and the file's V_1)."""
    from induction_demo.uses import checking

    found = checking.findings(model, tokens)
    own = [f.claim for f in found if f.kind != 3]
    given = [f.claim for f in found if f.kind == 3]
    yield run(tokens, construction=Construction(model=model)), own
    if given:
        a = _lecture_like(model)
        v1 = model.v1 if checking.products(model).own else a["V1.0"]
        hybrid = modelfile.Model.lecture(a["A1.0"], v1, model.a2, model.v2, model.vocab, model.n_positions, model.inclusive)
        yield run(tokens, construction=Construction(model=hybrid)), given


def _lecture_like(model) -> dict:
    """The lecture's layer 1 on the file's stream, at a scale whose leak is far below a float's precision."""
    from induction_demo.core.basis import Basis
    from induction_demo.core.weights import induction_head, previous_token_head

    basis = Basis(model.vocab, model.n_positions, Construction().subspaces)
    return modelfile.of_heads((previous_token_head(800.0), induction_head(1.0)), basis, "strict").arrays()


def test_a_false_premise_of_check_s_findings_is_rejected():
    seen = set()
    for trace, found in _check_claims():
        for sentence in found:
            assert verify.problems(trace, [sentence]) == []
            for k, premise in enumerate(sentence.premises):
                seen.add(type(premise))
                changed = sentence._replace(premises=sentence.premises[:k] + (_false(premise),)
                                            + sentence.premises[k + 1:])
                assert verify.problems(trace, [changed]), (sentence.text, premise)
    assert claims.Outputs in seen and claims.Weight in seen


def test_the_false_premise_cases_exercise_every_kind_of_premise():
    seen = set()
    for tokens, built, ablate in CASES:
        trace = run(tokens, construction=built, ablate=ablate)
        answers = [q.answer for q in quiz.questions(trace)] if built == Construction() and not ablate else []
        seen |= {type(p) for s in told(trace) + answers for p in s.premises}
    seen |= {type(p) for _, found in _check_claims() for s in found for p in s.premises}
    assert seen == set(claims.PREMISES)


def test_premises_of_a_position_fail_on_another_position():
    trace = run(("!", "a", "b", "a", "c", "b"))  # @3 copies; `a` occurs at @1 before it; ties are exact here
    for wrong in (claims.NothingToCopy(3), claims.FirstOccurrence(3), claims.Tie(False), claims.Tie(True)):
        assert not verify.CHECKS[type(wrong)](trace, wrong), wrong
    for right in (claims.NothingToCopy(2), claims.FirstOccurrence(2)):
        assert verify.CHECKS[type(right)](trace, right), right


def test_every_premise_has_a_check_and_every_kind_a_rule():
    assert set(verify.CHECKS) == set(claims.PREMISES)
    trace = run(("!", "a", "b", "a", "c", "b"))
    assert verify.problems(trace, [say("made-up", "A sentence of no known kind.")])  # a kind with no rule fails
    bare = say("copy", "`a` (@3) attends to `b` (@2).", [claims.Weight(2, 0, 3, (2,), 1.0)])
    assert any("no Top" in p for p in verify.problems(trace, [bare]))  # a premise its kind needs is missing


def test_the_run_time_switch_checks_every_story_and_raises_on_a_false_one(monkeypatch):
    from induction_demo.words import story as narrator

    monkeypatch.setenv(verify.SWITCH, "1")
    story(run(("!", "a", "b", "a", "c", "b")))  # true: no error
    true_copy = narrator.copy_sentence

    def lying(trace, i):
        s = true_copy(trace, i)
        return s._replace(premises=tuple(p._replace(keys=(0,)) if isinstance(p, claims.Top) else p
                                         for p in s.premises))
    monkeypatch.setattr(narrator, "copy_sentence", lying)
    with pytest.raises(verify.VerificationError, match="Top"):
        story(run(("!", "a", "b", "a", "c", "b")))
    monkeypatch.setenv(verify.SWITCH, "0")
    story(run(("!", "a", "b", "a", "c", "b")))  # off: not checked


# --- check's findings are claims about the file's own run ----------------------

@given(st.integers(0, 10_000), st.sampled_from(["A1.0", "V1.0", "A2.0", "V2.0"]), st.sampled_from([0.0, 0.01, 0.3, -1.0]))
@settings(max_examples=40, deadline=None)
def test_every_check_finding_is_verified_on_the_file_s_own_run(seed, key, factor):
    from induction_demo.uses import checking

    lecture = run(("!", "a", "b", "a", "c", "b"))
    arrays = modelfile.arrays(lecture)
    rng = np.random.default_rng(seed)
    arrays[key] = arrays[key] * factor + rng.normal(size=arrays[key].shape) * (seed % 3)
    model = modelfile.Model.lecture(arrays["A1.0"], arrays["V1.0"], arrays["A2.0"], arrays["V2.0"], tuple(arrays["vocab"].tolist()),
                            int(arrays["n_positions"]), False)
    for tokens in checking.strings(model.vocab, model.n_positions, seed, count=6):
        for trace, claims_ in _checked_runs(model, tokens):
            assert verify.problems(trace, claims_) == []


# --- the tables' margin notes say what the trace shows -----------------------------

@given(strings, constructions, ablations)
@settings(max_examples=80, deadline=None)
def test_every_margin_note_is_what_the_trace_shows(tokens, built, ablate):
    """The attention tables' notes (nothing before, only itself, nothing to copy, nothing o back) and the
    probabilities' (nothing to copy, a blend, not a copy, nothing written), each re-derived by the verifier's rule."""
    from induction_demo.core import mechanism
    from induction_demo.views import documents, tables

    trace = run(tokens, construction=built, ablate=ablation(built, ablate))
    for layer in trace.layers:
        for h, head_run in enumerate(layer.heads):
            table = documents.weights_table(trace, layer, head_run, mechanism.cells(trace, (head_run,)), None)
            for i, row in enumerate(table.rows):
                note = row.cells[-1].text
                kept = [j for j in range(trace.n) if layer.mask[i, j]]
                if not kept:
                    assert note == "nothing before"
                elif kept == [i]:
                    assert note == "only itself"
                elif not any(verify.job(trace, layer.index, i, j, h) for j in kept):
                    assert note == ("nothing to copy" if not head_run.head.looks_back
                                    else f"nothing {head_run.head.offset} back")
                else:
                    assert note == ""
    probs = tables.next_token(trace)
    last = len(trace.layers)
    for i, row in enumerate(probs.rows):
        note = row.cells[-1].text
        copyable = any(verify.job(trace, last, i, j) for j in range(trace.n) if trace.layers[-1].mask[i, j])
        if verify.copies(trace, i):
            assert note == ""
        elif not copyable:
            assert note == "nothing to copy"
        else:  # all it mixed one token, no blend: a built head's weight on other tokens' keys, a file's
            out = trace.predictions[i].output  # scores of other tokens, 0.00
            if trace.construction.model is None:
                w = trace.layers[-1].heads[0].weights[i]
                whole = len(out) == 1 and sum(w[j] for j in range(trace.n) if trace.tokens[j] != out[0]) < 0.005
            else:
                order = np.argsort(-np.abs(trace.scores[i]))
                whole = len(order) == 1 or abs(trace.scores[i][order[1]]) < 0.005
            assert note == ("nothing written" if not trace.predictions[i].output
                            else "not a copy" if whole else "a blend, not a copy")
