"""Every limit lives in inputs.py, is computed from N, V and d, and is refused in one line."""
import pytest

from cli_runner import invoke
from induction_demo.base import inputs
from induction_demo.base.errors import InputError


def test_d_is_twice_distinct_tokens_plus_positions():
    assert inputs.width(6, 4) == 20


@pytest.mark.parametrize("form, limit", sorted(inputs.FORMAT_TOKENS.items()))
def test_each_format_takes_up_to_its_limit(form, limit):
    tokens = ("a",) * limit
    inputs.format_size(form, tokens[:min(limit, 20)])  # d = 2(1 + 20) = 42 fits LaTeX too
    with pytest.raises(InputError, match=f"{limit + 1} tokens is more than the {limit}"):
        inputs.format_size(form, ("a",) * (limit + 1))


def test_latex_refuses_a_stream_wider_than_pdflatex_holds():
    inputs.format_size("latex", tuple(f"t{i}" for i in range(30)))  # d = 2(30 + 30) = 120
    with pytest.raises(InputError, match=r"at most d = 120 directions and this input has d = 2\(V \+ N\) = 124"):
        inputs.format_size("latex", tuple(f"t{i}" for i in range(31)))


def test_compact_documents_start_past_d_120():
    assert not inputs.compact(120) and inputs.compact(121)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "100", True])
def test_a_scale_must_be_a_finite_positive_number(value):
    with pytest.raises(InputError, match="scale"):
        inputs.positive("scale", value)


@pytest.mark.parametrize("config, message", [
    (dict(vocab=0), "--vocab"),
    (dict(repeats=1), "--repeats"),
    (dict(length=2048, repeats=2, gap=1), "4098 tokens"),
    (dict(vocab=inputs.BENCH_MAX_VOCAB + 1), "--vocab is at most"),
    (dict(seed=-1), "--seed"),
])
def test_a_bench_that_could_not_run_in_bounded_memory_is_refused(config, message):
    arguments = dict(vocab=100, length=10, repeats=2, trials=1, seed=0, gap=0) | config
    with pytest.raises(InputError, match=message):
        inputs.bench(**arguments)


def test_gpt2s_setting_is_within_the_bench_limits():
    assert inputs.bench_trial_tokens(1024, 2, 0) == 2049 <= inputs.BENCH_MAX_TRIAL_TOKENS
    inputs.bench(vocab=50257, length=1024, repeats=2, trials=10, seed=0, gap=0)


def test_the_cli_refuses_a_bench_past_the_trial_limit_in_one_line():
    result = invoke(["bench", "--length", "3000", "--repeats", "2"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "6001 tokens" in result.stderr


def test_the_numpy_free_limits_name_the_model_s_choices():
    from induction_demo.core import weights

    for positions in inputs.POSITIONS:  # every scheme the limits name is one weights.py builds
        assert weights.previous_token_head(1.0, 1, positions).offset == 1
    assert weights.Construction().mask in inputs.MASKS
    assert 1 <= weights.FREQUENCIES <= inputs.MAX_FREQUENCIES
