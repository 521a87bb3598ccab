"""Every command at 80 columns: no line wider, no window of one position, and
every copying query kept in the induction head's tables (issue 16)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from cli_runner import invoke

WORDS = ["the", "cat", "sat", "on", "mat", "a", "quick", "brown", "fox", "and", ".", "dog", "x"]
VARIANTS = [[], ["--context", "2"], ["--context", "4", "--skip", "16"], ["--skip", "3"], ["--similar", "subword"],
            ["--positions", "sinusoidal"], ["--positions", "rope"], ["--positions", "relative"],
            ["--positions", "none"], ["--mask", "inclusive"], ["--ablate", "previous-token"]]
S20 = "when the quick brown fox saw the lazy dog it said that the quick brown fox was not so lazy"
README = [  # README's examples, and the sentences issue 16 tried
    ["show", "the cat sat on the mat . the cats", "--similar", "subword"],
    ["show", "b c d . x c e . y c e . b c", "--context", "2"],
    ["show", "the cat sat on a mat / the dog lay by the", "--skip", "4"],
    ["show", "! a b a c b", "--ablate", "previous-token", "--temperature", "0.1"],
    ["show", S20], ["show", S20, "--similar", "subword"], ["show", S20, "--positions", "sinusoidal"],
    ["weights", S20, "--factored"], ["circuits", S20], ["positions", S20], ["sweep", S20],
    ["sweep", "! a b a c b", "--positions", "sinusoidal"], ["bench", "--trials", "2", "--length", "20"],
]


def fits(args: list[str], width: int = 80) -> str:
    result = invoke([*args, "--width", str(width)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    wide = [line for line in out.splitlines() if cell_len(line) > width]
    assert not wide, wide[:3]
    assert "[window: 1 position]" not in out
    return out


def layer2_rows(out: str) -> set[int]:
    """The row labels (@i) of the induction head's attention weights table."""
    section = out[out.index("Attention weights W^(2)"):]
    section = section[:section.index("\n\n")] if "\n\n" in section else section
    return {int(m) for m in re.findall(r"^@(\d+) ", section, re.M)}


@pytest.mark.parametrize("args", README, ids=lambda a: " ".join(a)[:40])
def test_readme_s_examples_fit_80_columns(args):
    fits(args)


@given(st.lists(st.sampled_from(WORDS), min_size=2, max_size=40), st.sampled_from(VARIANTS))
@settings(max_examples=25, deadline=None)
def test_a_walkthrough_of_up_to_40_tokens_fits_and_keeps_every_copying_query(words, variant):
    from induction_demo.cli import built
    from induction_demo.core.runs import run

    text = " ".join(words)
    out = fits(["show", text, *variant])
    options = dict(zip(variant[::2], variant[1::2]))
    ablate = options.pop("--ablate", None)
    construction = built(tuple(words), **{k.lstrip("-"): (int(v) if v.isdigit() else v) for k, v in options.items()})
    trace = run(tuple(words), construction=construction, ablate=ablate)
    copying = {p.position for p in trace.predictions if p.copy}
    assert copying <= layer2_rows(out)


@given(st.lists(st.sampled_from(WORDS), min_size=2, max_size=40), st.sampled_from(VARIANTS[:5]),
       st.sampled_from([["weights"], ["weights", "--factored"], ["circuits"], ["sweep"]]))
@settings(max_examples=12, deadline=None)
def test_every_other_command_fits_80_columns(words, variant, command):
    if command[0] == "sweep":  # a sweep needs something to copy (and --skip far more tokens)
        words, variant = words + ["x", "cat", "x", "cat"], [] if "--skip" in variant else variant
    fits([command[0], " ".join(words), *command[1:], *variant])


@pytest.mark.parametrize("variant", [[], ["--context", "2"], ["--skip", "2"]])
def test_a_window_that_holds_only_some_copying_queries_says_how_many(variant):
    """A window holds at most 40 rows: on 70 tokens with 61 copies the induction head's tables held 32 of
    them, under a notice that said the windows "show the copies the induction head makes". Each table that
    leaves copies out now says how many it holds, and the notice says that such a table says so."""
    import random

    from induction_demo.api import run
    from induction_demo.views import documents
    from induction_demo.views.render import terminal
    from induction_demo.views.tables import priority
    from induction_demo.views.views import Table

    draw = random.Random(7)
    text = " ".join(f"w{draw.randrange(8)}" for _ in range(70))
    options = dict(zip(variant[::2], map(int, variant[1::2])))
    trace = run(text, **{k.lstrip("-"): v for k, v in options.items()})
    copies = {p.position for p in trace.predictions if p.copy}
    tables = [b for b in documents.walkthrough(trace, None, None, True, terminal.fitter(priority(trace), 100)).blocks
              if isinstance(b, Table) and b.shown and ".A" not in b.key]  # (A's rows are directions)
    cut = 0
    for table in tables:
        held = len(copies & {int(r.labels[0][1:]) for r in table.rows if r.labels and r.labels[0].startswith("@")})
        if any(r.labels and r.labels[0].startswith("@") for r in table.rows) and held < len(copies):
            assert table.copies == (held, len(copies)), table.key
            cut += 1
        else:
            assert table.copies == (), table.key
    assert cut >= 3
    out = " ".join(fits(["show", text, *variant], 100).split())
    assert "show the copies the induction head makes (a table that holds only some of them says how many)" in out
    assert f"of the {len(copies)} copying queries]" in out
