"""Temperature, ablation, the bench and the sweep."""
import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_runner import invoke
from induction_demo.uses.bench import Config, accidental, bench
from induction_demo.base.errors import InputError
from induction_demo.core.runs import run
from induction_demo.uses.sweep import closed_form, sweep
from induction_demo.core.weights import unembedding

LECTURE = tuple("! a b a c b".split())
token_strings = st.lists(st.sampled_from(list("abcd!")), min_size=1, max_size=25).map(tuple)


# --- next-token probabilities -------------------------------------------------------

@given(token_strings, st.floats(min_value=1e-3, max_value=1e3))
def test_probability_rows_sum_to_one(tokens, temperature):
    probs = run(tokens, temperature=temperature).probs
    assert np.allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-12) and (probs >= 0).all()


def test_scores_are_the_unembedding_of_the_layer2_output():
    trace = run(LECTURE)
    w_u = unembedding(trace.basis)
    assert np.array_equal(trace.scores, trace.layers[1].output.dense() @ w_u)
    assert w_u.shape == (20, 4) and w_u.sum() == 4


def test_a_very_low_temperature_is_one_hot_on_the_argmax():
    trace = run(LECTURE, temperature=1e-9)
    assert trace.probs[3].tolist() == [0.0, 0.0, 1.0, 0.0]  # @3 a copies b
    assert trace.probs[5].tolist() == [0.0, 1.0, 0.0, 0.0]  # @5 b copies a


def test_a_very_low_temperature_shares_a_tie():
    trace = run(tuple("a b a c a".split()), temperature=1e-9)
    assert np.allclose(trace.probs[4], [0.0, 0.5, 0.5])


def test_a_very_high_temperature_is_uniform():
    assert np.allclose(run(LECTURE, temperature=1e9).probs, 0.25, atol=1e-9)


def test_temperature_one_on_a_perfect_copy_is_e_over_e_plus_v_minus_one():
    assert math.isclose(run(LECTURE).probs[3, 2], math.e / (math.e + 3), rel_tol=1e-12)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "x"])
def test_a_bad_temperature_is_a_usage_error(value):
    result = invoke(["show", "a b a", "--temperature", value])
    assert result.exit_code == 2 and "--temperature" in result.stderr


def test_json_holds_next_token_probs_by_vocabulary():
    doc = json.loads(invoke(["show", "! a b a c b", "--format", "json", "--temperature", "0.5"]).stdout)
    assert doc["temperature"] == 0.5 and len(doc["next_token_probs"]) == 6
    assert all(abs(sum(row) - 1) < 1e-9 for row in doc["next_token_probs"])


# --- ablation -----------------------------------------------------------------------

def test_without_the_previous_token_head_the_induction_head_has_nothing_to_match():
    trace = run(LECTURE, ablate="previous-token")
    assert trace.layers[0].ablated
    assert not trace.layers[0].output.dense()[:, trace.basis.block("prev tok").start:].any()
    assert not trace.layers[1].logits.any()


def test_without_the_induction_head_nothing_is_predicted():
    trace = run(LECTURE, ablate="induction")
    assert not trace.layers[1].output.dense().any()
    assert all(p.next is None for p in trace.predictions)
    assert np.allclose(trace.probs, 0.25)


def test_an_unknown_ablation_is_refused():
    with pytest.raises(InputError):
        run(LECTURE, ablate="mlp")
    assert invoke(["show", "a b a", "--ablate", "mlp"]).exit_code == 2


# --- bench ----------------------------------------------------------------------------

SMALL = Config(vocab=200, length=30, trials=8, seed=3)


def without_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "seconds"}


def test_bench_is_deterministic_for_a_seed():
    assert without_time(bench(SMALL)) == without_time(bench(SMALL))
    assert without_time(bench(SMALL)) != without_time(bench(SMALL._replace(seed=4)))


def test_with_the_defaults_later_copies_are_copied_and_first_copies_are_at_chance():
    result = bench(Config(trials=10))
    later, first = result["later_copies"], result["first_copies"]
    # every miss is an accidental repeat; without them, copying is perfect
    assert later["misses"] == later["misses_at_accidental_repeats"] > 0
    assert later["accuracy_without_accidental_repeats"] == 1.0
    assert result["induction_score_without_accidental_repeats"] > 0.99
    assert later["accuracy"] > 0.95 and result["induction_score"] > 0.95
    assert first["accuracy"] < 0.01 and abs(first["loss"] - result["baseline_loss"]) < 0.01
    assert result["previous_token_score"] > 0.99 and result["detector"]["previous_token"] > 0.99


def test_a_varying_gap_between_copies_does_not_stop_induction():
    result = bench(SMALL._replace(gap=15))
    assert result["later_copies"]["accuracy_without_accidental_repeats"] == 1.0


def test_ablating_the_induction_head_makes_later_copies_chance():
    result = bench(SMALL._replace(ablate="induction"))
    assert result["later_copies"]["accuracy"] == pytest.approx(1 / (SMALL.vocab + 1), rel=1e-9)
    assert result["later_copies"]["accuracy"] == pytest.approx(result["chance"], rel=1e-9)
    assert result["later_copies"]["loss"] == pytest.approx(math.log(SMALL.vocab + 1), rel=1e-9)


def test_ablating_the_previous_token_head_breaks_induction():
    result = bench(SMALL._replace(ablate="previous-token"))
    assert result["later_copies"]["accuracy"] < 0.1 and result["induction_score"] < 0.1


@pytest.mark.parametrize("options, named", [
    ([], "the previous-token head (its output replaced by zeros, not where it attends)"),
    (["--context", "2"], "the previous-token head and the 2-back head (their output replaced by zeros, not where "
                         "they attend)"),
    (["--skip", "2"], "the 3-back head (its output"),
    (["--circuit", "virtual"], "the previous-token heads of layers 1 and 2 (their output"),
])
def test_an_ablated_bench_names_every_head_it_replaced_by_zeros(options, named):
    """bench said "ablated: the previous-token head" under --context 2 (the 2-back head was ablated too)
    and --skip 2 (the model has a 3-back head instead); and that its previous-token score of 1.00 is where
    the ablated head attends, which ablation leaves alone, it did not say."""
    args = ["bench", "--vocab", "50", "--length", "10", "--trials", "1", "--ablate", "previous-token", *options]
    out = " ".join(invoke(args + ["--width", "200"]).stdout.split())
    assert f"; ablated: {named}" in out, out[:400]
    doc = json.loads(invoke(args + ["--format", "json"]).stdout)
    assert [h["layer"] for h in doc["ablated_heads"]] == ([1, 1] if options[1:] == ["2"] and options[0] == "--context"
                                                        else [1, 2] if "virtual" in options else [1])
    assert "ablated_heads" not in json.loads(invoke(args[:-2 - len(options)] + ["--format", "json"]).stdout)


def test_accidental_repeats_are_tokens_seen_more_often_than_the_copies_plan():
    # BOS, segment [5 6 5], segment again: the second 5 of each copy is accidental
    ids = np.array([0, 5, 6, 5, 5, 6, 5])
    assert accidental(ids, [1, 4]).tolist() == [False, False, False, True, False, False, True]


def test_bench_cli_reports_json_with_the_documented_keys():
    result = invoke(["bench", "--vocab", "50", "--length", "10", "--trials", "3", "--format", "json"])
    doc = json.loads(result.stdout)
    assert {"first_copies", "later_copies", "induction_score", "previous_token_score", "seconds"} <= set(doc)
    assert {"accuracy", "loss"} <= set(doc["later_copies"])


def test_bench_table_explains_each_score_in_one_line():
    out = invoke(["bench", "--vocab", "50", "--length", "10", "--trials", "3"]).stdout
    for line in ["induction score", "previous-token score", "induction detector", "Time:"]:
        assert line in out
    assert "\x1b" not in out  # no progress bar off a terminal


@pytest.mark.parametrize("args", [["--repeats", "1"], ["--vocab", "0"], ["--length", "2000", "--repeats", "3"],
                                  ["--seed", "-1"],
                                  ["--scale", "nan"]])
def test_bench_bad_options_are_usage_errors(args):
    result = invoke(["bench", *args])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


# --- sweep ----------------------------------------------------------------------------

SCALES = [0.5, 1, 2, 5, 10, 20, 100, 1000]


@pytest.mark.parametrize("tokens", [LECTURE, tuple("a a a b a".split()), tuple("x a x b x c x".split())])
def test_sweep_matches_the_closed_form(tokens):
    result = sweep(tokens, SCALES)
    assert np.allclose(result["measured"], result["closed_form"], rtol=0, atol=1e-9)


def test_closed_form_for_one_match_is_e_s_over_e_s_plus_k_minus_1():
    assert math.isclose(closed_form(2.0, 1, 3), math.exp(2) / (math.exp(2) + 2), rel_tol=1e-15)
    assert closed_form(1e4, 1, 5) == 1.0


def test_sweep_cli_shows_one_table_and_refuses_strings_with_nothing_to_copy():
    out = invoke(["sweep", "! a b a c b", "--scale", "1,2,5,10,100"]).stdout
    assert "s = 1.0" in out and "s = 100.0" in out and "closed form" in out
    assert invoke(["sweep", "a b c"]).exit_code == 2
    assert invoke(["sweep", "a b a", "--scale", "1,x"]).exit_code == 2


def test_an_ablated_view_sets_the_intact_predictions_beside_and_labels_blends():
    out = invoke(["show", "! a b a c b", "--ablate", "previous-token", "--layer", "2", "--no-matrices"]).stdout
    table = out[out.index("Predictions:"):out.index("Next-token probabilities")]
    assert "intact model" in table
    assert "@5 b a (blend 0.40)              a\n" in table and "@3 a ! / a / b (blend 0.33 each) b\n" in table
    assert "what looks like a prediction is a blend" in out
    plain = invoke(["show", "! a b a c b", "--ablate", "induction", "--layer", "2", "--no-matrices"]).stdout
    # ablated: nothing written; intact: its own copy, and its own blend share (not the ablated run's 0)
    table = plain[plain.index("Predictions:"):plain.index("Next-token")]
    assert "@3 a —    b\n" in table and "@1 a —    ! (not a copy)\n" in table
    lecture = invoke(["show", "! a b a c b"]).stdout
    assert "@3 a b\n" in lecture and "@1 a ! (not a copy)\n" in lecture  # a copy, and a row that says it is none


def test_the_intact_column_is_the_same_construction_with_nothing_ablated():
    # context 2 copies `d` at @13 (what followed `b c`); the lecture's model would say `e`
    args = ["show", "b c d . x c e . y c e . b c", "--context", "2", "--layer", "2", "--no-matrices"]
    out = invoke(args + ["--ablate", "previous-token", "--width", "200"]).stdout
    row = next(line for line in out[out.index("Predictions:"):].splitlines() if line.startswith("@13 c"))
    assert row.split()[-1] == "d"
    doc = json.loads(invoke(args + ["--ablate", "previous-token", "--format", "json"]).stdout)
    intact = json.loads(invoke(args + ["--format", "json"]).stdout)["predictions"]
    assert doc["intact"]["predictions"] == intact
    assert "intact" not in json.loads(invoke(args + ["--format", "json"]).stdout)


@given(st.lists(st.integers(0, 4), min_size=2, max_size=30), st.integers(0, 2**31 - 1))
def test_the_bench_detectors_are_transformer_lens_detect_head(ids, seed):
    # TransformerLens' head_detector.py, ported line by line (torch -> numpy), with its default "mul" measure
    from induction_demo.uses.bench import detect, detection_pattern

    tokens = np.array(ids)
    n = len(tokens)
    previous = np.zeros((n, n))
    previous[1:, :-1] = np.eye(n - 1)
    previous = np.tril(previous)
    token_pattern = np.tile(tokens, (n, 1))
    duplicate = np.equal(token_pattern, token_pattern.T).astype(int)
    np.fill_diagonal(duplicate, 0)
    duplicate = np.tril(duplicate.astype(float))
    shifted = np.roll(duplicate, shift=1, axis=1)
    induction = np.tril(np.concatenate([np.zeros((n, 1)), shifted[:, 1:]], axis=1))
    w = np.tril(np.random.default_rng(seed).random((n, n)))
    w /= w.sum(axis=1, keepdims=True)
    for name, pattern in (("previous_token", previous), ("duplicate_token", duplicate), ("induction", induction)):
        assert detect(w, detection_pattern(name, tokens)) == pytest.approx((w * pattern).sum() / w.sum(), abs=1e-12)


@pytest.mark.parametrize("args, said", [
    (["--context", "2", "--ablate", "previous-token"],
     "Ablated: the previous-token head and the 2-back head (their output is replaced by zeros)"),
    (["--skip", "2", "--ablate", "previous-token"], "Ablated: the 3-back head (its output is replaced by zeros)"),
    (["--ablate", "induction"], "Ablated: the induction head (its output is replaced by zeros)"),
    (["--circuit", "virtual", "--ablate", "previous-token"],
     "Ablated: the previous-token heads of layers 1 and 2 (their output is replaced by zeros)"),
])
def test_an_ablation_names_every_head_it_replaced_by_zeros(args, said):
    """--ablate replaces every head of a role by zeros: under --context 2 both look-back heads, but the summary
    said "the previous-token head" alone; under --skip 2 it named a previous-token head the model does not
    have (its look-back head is the 3-back head). The heading of a layer of two ablated heads says "their",
    and the induction head's story names the heads it lost as the summary does."""
    out = invoke(["show", "b c d . x c e . b c", "--width", "200"] + args).stdout
    assert said in out
    heads = said[len("Ablated: "):said.index(" (")]
    if "induction" not in args:
        assert "• " + heads[0].upper() + heads[1:] + (" are" if "their" in said else " is") + " ablated, so" in out
    if "--context" in args:
        assert "Layer 1: previous-token head and 2-back head (ablated: their output is replaced by zeros)" in out


def test_an_ablated_file_head_is_named_as_the_file_names_it(tmp_path):
    """A model file's heads are named by layer ("layer-2 head"): the summary called the ablated one "the
    induction head", a role its arrays may not play (a file of zeros)."""
    path = tmp_path / "zeros.npz"
    assert invoke(["check", "--template", str(path), "--vocab", "a b c", "--positions", "6"]).exit_code == 0
    out = invoke(["show", "a b c a b", "--model", str(path), "--ablate", "induction", "--width", "200"]).stdout
    assert "Ablated: the layer-2 head (its output is replaced by zeros)" in out and "the induction head" not in out
