"""The lecture's big picture, built by hand: --mask, --context and --skip,
held to the plain-Python rule in reference.py on random strings."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.core.runs import run
from induction_demo.core.weights import Construction
from reference import predicted, predicted_by, scores

token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "!"]), min_size=1, max_size=24).map(tuple)
constructions = st.builds(Construction, st.sampled_from(["strict", "inclusive"]), st.integers(1, 3),
                          st.integers(0, 4), st.none(), st.just("one-hot"), st.just(16), st.none(), circuit=st.just("lecture"))


@given(token_strings, constructions)
@settings(max_examples=250, deadline=None)
def test_every_construction_predicts_what_the_reference_rule_says(tokens, built):
    trace = run(tokens, construction=built, beside=False)
    for p in trace.predictions:
        expected = predicted_by(tokens, p.position, built.context, built.skip, built.mask == "inclusive")
        if expected:  # something to copy: what the model outputs is the rule's
            assert set(p.output) == expected, (p, expected)
        # a copy only where there is something to copy (not every such output is one: the inclusive
        # mask's position 0, holding its own token as "previous", can draw the weight instead)
        assert not p.copy or expected
        assert (p.next is None) == (not p.copy) and set(p.candidates) == (set(p.output) if p.copy else set())


@given(token_strings, constructions)
@settings(max_examples=200, deadline=None)
def test_layer2_logits_are_the_reference_scores_times_the_scale(tokens, built):
    trace = run(tokens, construction=built, beside=False)
    logits, mask = trace.layers[1].logits, trace.layers[1].mask
    for i in range(len(tokens)):
        for j, score in scores(tokens, i, built.context, built.skip, built.mask == "inclusive").items():
            assert mask[i, j]
            assert logits[i, j] == pytest.approx(100.0 * score, abs=1e-9)


@given(token_strings, constructions)
@settings(max_examples=200, deadline=None)
def test_each_layer1_head_looks_back_its_offset(tokens, built):
    layer = run(tokens, construction=built, beside=False).layers[0]
    assert len(layer.heads) == len(built.offsets)
    for offset, head in zip(built.offsets, layer.heads):
        w = head.weights
        assert all(w[i, i - offset] > 0.999 for i in range(offset, len(tokens)))
        assert not (w * ~layer.mask).any()


@given(token_strings)
def test_the_default_construction_is_the_lecture_model(tokens):
    built = Construction("strict", 1, 0)
    for p in run(tokens, construction=built, beside=False).predictions:
        assert set(p.candidates) == predicted(tokens, p.position)


def test_options_at_their_defaults_give_the_lecture_output_byte_for_byte():
    for form in ("table", "json", "markdown"):
        plain = invoke(["show", "! a b a c b", "--format", form]).stdout
        spelled = invoke(["show", "! a b a c b", "--format", form, "--mask", "strict", "--context", "1",
                          "--skip", "0"]).stdout
        assert plain == spelled


def test_inclusive_mask_lets_position_0_attend_to_itself_as_the_lecture_slide_says():
    strict = run(tuple("! a b a c b".split()))
    inclusive = run(tuple("! a b a c b".split()), construction=Construction(mask="inclusive"))
    assert strict.layers[0].weights[0, 0] == 0 and inclusive.layers[0].weights[0, 0] == 1.0
    assert strict.layers[1].logits[0, 0] == 0.0 and inclusive.layers[1].logits[0, 0] == 100.0
    assert inclusive.layers[1].weights[0, 0] == 1.0
    # every row now sums to 1, position 0's included
    for layer in inclusive.layers:
        assert np.allclose(layer.weights.sum(axis=1), 1.0)
    story = invoke(["show", "! a b a c b", "--mask", "inclusive"]).stdout
    assert "a_00 = 100.0" in story and "attends to itself" in story


def test_inclusive_mask_copies_a_consecutive_repeat_from_itself():
    trace = run(("x", "a", "a"), construction=Construction(mask="inclusive"))
    assert trace.predictions[2].next == "a"  # the key after the earlier `a` is the query itself
    assert run(("x", "a", "a")).predictions[2].next is None


def test_context_2_copies_what_followed_the_matching_pair_where_context_1_follows_any_match():
    tokens = tuple("b c d . x c e . y c e . b c".split())
    assert run(tokens).predictions[-1].next == "e"  # `c` was followed by `e` twice, `d` once
    assert run(tokens, construction=Construction(context=2)).predictions[-1].next == "d"  # `b c` by `d`


def test_skip_copies_the_token_n_plus_one_after_the_match():
    tokens = tuple("the cat sat on a mat / the dog lay on a".split())
    trace = run(tokens, construction=Construction(skip=4))
    assert trace.predictions[7].next == "mat"  # the second line's start recalls the first line's end
    assert run(tokens).predictions[7].next == "cat"


def test_a_key_too_close_to_the_start_for_its_offset_is_not_a_match():
    # @1 has no token 5 back: its 5-back half holds `the` (the only key it had), discounted by A_2
    trace = run(tuple("the cat sat on a mat / the".split()), construction=Construction(skip=4))
    assert trace.layers[1].weights[7, 1] < 1e-30
    assert trace.predictions[7].candidates == ("mat",)


def test_context_and_skip_are_in_the_json_and_each_head_carries_its_attention():
    doc = json.loads(invoke(["show", "a b c a b", "--context", "2", "--format", "json"]).stdout)
    assert doc["construction"] == {"mask": "strict", "context": 2, "skip": 0, "similar": None, "positions": "one-hot",
                                   "frequencies": None}
    first = doc["layers"][0]
    assert first["logits"] is None and [h["name"] for h in first["heads"]] == ["previous-token head", "2-back head"]
    assert all(len(h["weights"]) == 5 for h in first["heads"])
    assert [s["name"] for s in doc["subspaces"]] == ["tok", "pos", "prev tok", "prev pos", "prev2 tok", "prev2 pos"]


@pytest.mark.parametrize("args, message", [
    (["--context", "0"], "--context"), (["--context", "5"], "--context"), (["--skip", "-1"], "--skip"),
    (["--skip", "17"], "--skip"), (["--mask", "causal"], "--mask"),
])
def test_out_of_range_constructions_are_one_line_errors(args, message):
    result = invoke(["show", "a b a"] + args)
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("form", ["table", "json", "markdown", "latex", "html", "svg"])
@pytest.mark.parametrize("args", [["--mask", "inclusive"], ["--context", "3"], ["--skip", "2"],
                                  ["--context", "2", "--skip", "1", "--mask", "inclusive"]])
def test_every_format_renders_every_construction(form, args):
    result = invoke(["show", "a b c a b c d a b", "--format", form] + args)
    assert result.exit_code == 0, result.stderr
    assert "--context" not in args or "2-back" in result.stdout.replace("{-}", "-")


def test_weights_shows_one_a_and_v_per_head():
    out = invoke(["weights", "a b c a b", "--context", "2"]).stdout
    assert "A_1, previous-token head" in out and "A_1, 2-back head" in out and "V_1, 2-back head" in out
    assert "2s" in out  # the query's own token weighs 2 s in A_2


# --- the textbook's form: W^Q, W^K, W^V, W^O ---------------------------------

@given(token_strings, constructions, st.sampled_from([100.0, 0.3, 7.77, 1e4]))
@settings(max_examples=200, deadline=None)
def test_the_textbook_form_gives_back_a_and_v_to_the_bit(tokens, built, scale):
    from induction_demo.core.factored import attention_matrix, factor, layer_out
    from induction_demo.core.weights import dense

    trace = run(tokens, scale, construction=built)
    for layer in trace.layers:
        heads = [factor(r.head, trace.basis) for r in layer.heads]
        stacked, start = layer_out(heads), 0
        for f in heads:
            assert np.sqrt(f.d_k) == int(np.sqrt(f.d_k)) and int(np.sqrt(f.d_k)) & (int(np.sqrt(f.d_k)) - 1) == 0
            assert np.array_equal(attention_matrix(f), dense(f.head.qk, trace.basis))
            w_o = stacked[start:start + f.d_v]  # the rows of W^O this head's part of the concatenation meets
            assert np.array_equal(f.value.dense() @ w_o, dense(f.head.ov, trace.basis))
            start += f.d_v


def test_weights_json_carries_both_forms_and_the_textbook_one_rebuilds_a():
    doc = json.loads(invoke(["weights", "! a b a c b", "--format", "json"]).stdout)
    for layer in doc["layers"]:
        head = layer["heads"][0]
        q, k = np.array(head["textbook"]["W_Q"]), np.array(head["textbook"]["W_K"])
        assert np.array_equal(q @ k.T / np.sqrt(head["textbook"]["d_k"]), np.array(head["A"]))
        v, o = np.array(head["textbook"]["W_V"]), np.array(layer["textbook"]["W_O"])
        assert np.array_equal(v @ o, np.array(head["V"]))


def test_factored_view_states_d_k_and_shows_each_matrix():
    out = invoke(["weights", "! a b a c b", "--factored"]).stdout
    assert "d_k = 16" in out and "sqrt(d_k) = 4" in out
    for name in ("W^Q, previous-token head", "W^K, induction head", "W^V, induction head", "W^O of layer 2"):
        assert name in out
    several = invoke(["weights", "a b c a b", "--context", "2", "--factored"]).stdout
    assert "a_i = (head^1 (+) head^2) W^O" in several and "h2 prev2 a" in several


# --- bench and sweep -----------------------------------------------------------

def test_bench_context_builds_segments_where_only_the_longer_match_is_unambiguous():
    from induction_demo.uses.bench import Config, ambiguous_segment, bench

    rng = np.random.default_rng(0)
    segment = ambiguous_segment(rng, 1000, 50, 2).tolist()
    pairs = list(zip(segment, segment[1:]))
    assert len(set(pairs)) == len(pairs)  # no two tokens in a row occur twice
    assert len(set(segment)) < 25  # but single tokens repeat
    result = bench(Config(trials=5, context=2))
    assert result["later_copies"]["accuracy_without_accidental_repeats"] > 0.99
    assert result["context_1_later_copies"]["accuracy"] < 0.5  # the lecture's head is lost on the same sequences
    assert result["ambiguous_single_token_share"] > 0.8


def test_bench_skip_scores_the_token_skip_plus_one_ahead():
    from induction_demo.uses.bench import Config, bench

    result = bench(Config(trials=3, skip=3))
    assert result["later_copies"]["accuracy_without_accidental_repeats"] == 1.0
    assert result["previous_token_score"] > 0.99  # its one layer-1 head, 4 back


def test_bench_refuses_a_skip_longer_than_the_segment():
    result = invoke(["bench", "--length", "3", "--skip", "2"])
    assert result.exit_code == 2 and "--length must be at least --skip + 2" in result.stderr


def test_sweep_on_a_variant_sets_the_measured_weight_beside_the_ideal_closed_form():
    from induction_demo.uses.sweep import sweep

    result = sweep(tuple("b c d . x c e . y c e . b c".split()), [1.0, 5.0, 100.0],
                   construction=Construction(context=2))
    assert result["construction"]["context"] == 2
    last = [q["position"] for q in result["queries"]].index(13)
    assert result["measured"][-1][last] == pytest.approx(1.0)
    for measured, closed in zip(result["measured"][1], result["closed_form"][1]):
        assert abs(measured - closed) < 0.05


@pytest.mark.parametrize("form", ["markdown", "html", "latex", "table"])
@pytest.mark.parametrize("args", [["--context", "3", "--ablate", "induction"], ["--context", "2", "--skip", "16"]])
def test_all_zero_matrices_and_heads_longer_than_the_input_still_render(form, args):
    # an ablated induction head leaves Y^(2) all zero; a 17-back head has no key in 11 tokens: A all zero
    result = invoke(["show", "a b c a b d a b c x a", "--format", form] + args)
    assert result.exit_code == 0, result.stderr


@given(token_strings, constructions, st.sampled_from([0.5, 3.0, 100.0]))
@settings(max_examples=60, deadline=None)
def test_the_sweep_s_weights_are_the_full_run_s_to_the_bit(tokens, built, scale):
    # the sweep runs layer 1 once and only the swept head per scale: the same numbers as a whole run
    from induction_demo.core.runs import swept

    (w1,) = swept(tokens, [scale], 1, construction=built)
    (w2,) = swept(tokens, [scale], 2, 7.0, construction=built)
    assert np.array_equal(w1, run(tokens, scale, construction=built).look_back.heads[0].weights)
    assert np.array_equal(w2, run(tokens, 7.0, induction_scale=scale, construction=built).induction.weights)
