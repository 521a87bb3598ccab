"""-o FILE: the format from the extension, one-line failures (real failures: test_hardening.py);
the token limits of each format; long inputs in the terminal view."""
import json
import os
import re
import stat

import pytest
from rich.cells import cell_len

from cli_runner import invoke

LECTURE = "! a b a c b"
SENTENCE = ("the cat sat on the mat and the cat ran to the mat while the dog sat on the log "
            "and the cat saw the dog ") * 2  # 52 tokens


@pytest.mark.parametrize("name, marker", [
    ("w.json", '"schema_version"'), ("w.md", "# Induction heads"), ("w.tex", r"\documentclass"),
    ("w.html", "<!DOCTYPE html>"), ("w.svg", "<svg"), ("w.txt", "Layer 1: previous-token head"),
])
def test_the_format_comes_from_the_extension(tmp_path, name, marker):
    target = tmp_path / name
    result = invoke(["show", LECTURE, "-o", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert marker in target.read_text(encoding="utf-8")


def test_format_option_wins_over_the_extension(tmp_path):
    target = tmp_path / "w.txt"
    invoke(["show", LECTURE, "-o", str(target), "--format", "json"])
    assert json.loads(target.read_text())["tokens"] == LECTURE.split()


def test_an_unknown_extension_without_format_is_a_usage_error(tmp_path):
    result = invoke(["show", LECTURE, "-o", str(tmp_path / "w.docx")])
    assert result.exit_code == 2 and "--format" in result.stderr
    assert not (tmp_path / "w.docx").exists()


def test_a_missing_directory_is_one_line_and_writes_nothing(tmp_path):
    result = invoke(["show", LECTURE, "-o", str(tmp_path / "nowhere" / "w.md")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_directory_as_target_is_refused(tmp_path):
    result = invoke(["show", LECTURE, "--format", "json", "-o", str(tmp_path)])
    assert result.exit_code != 0 and result.stderr.count("\n") == 1


def test_a_written_file_has_ordinary_permissions(tmp_path):
    target = tmp_path / "w.md"
    invoke(["show", LECTURE, "-o", str(target)])
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("fmt, limit", [("latex", 59), ("markdown", 200), ("html", 200)])
def test_each_format_refuses_more_tokens_than_its_limit(fmt, limit):
    # that the limit itself is accepted: test_inputs.py (and a 200-token HTML page below)
    result = invoke(["show", "a " * (limit + 1), "--format", fmt])
    assert result.exit_code == 2 and f"the {limit} the {fmt} format takes" in result.stderr


def test_latex_refuses_more_directions_than_pdflatex_can_hold():
    """In a document of d x d tables (--full); a focused handout's are over positions, and it takes any d."""
    assert invoke(["show", " ".join(f"w{i}" for i in range(30)), "--full", "--format", "latex"]).exit_code == 0
    result = invoke(["show", " ".join(f"w{i}" for i in range(31)), "--full", "--format", "latex"])  # d = 124
    assert result.exit_code == 2 and "at most d = 120" in result.stderr and "d = 2(V + N) = 124" in result.stderr
    assert invoke(["show", " ".join(f"w{i}" for i in range(31)), "--format", "latex"]).exit_code == 0


def test_a_long_sentence_fits_80_columns_with_a_window():
    out = invoke(["show", SENTENCE], env={"COLUMNS": "80"}).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "--full" in out and "[window:" in out


def test_a_long_sentence_keeps_the_interesting_rows_in_the_window():
    # the first copy the induction head makes: the second "the" (@4) attends
    # to "cat" (@1), which followed the first "the" (@0)
    out = invoke(["show", SENTENCE, "--no-matrices", "--layer", "2"], env={"COLUMNS": "80"}).stdout
    weights = out[out.index("Attention weights W^(2)"):].split("\n\n")[0]
    rows = [line.split()[0] for line in weights.splitlines()[4:] if line.startswith("@")]
    assert {"@0", "@1", "@4"} <= set(rows)
    assert "⋮" in weights and "…" in weights


def test_full_shows_every_position():
    out = invoke(["show", SENTENCE, "--full"], env={"COLUMNS": "80"}).stdout
    assert "[window:" not in out and "@51 dog" in out
    assert max(cell_len(line) for line in out.splitlines()) > 80


def test_documents_show_everything_however_long():
    out = invoke(["show", SENTENCE, "--format", "markdown"]).stdout
    assert "[window:" not in out and "| @51 | dog |" in out.replace("\\@", "@")


def test_a_short_input_has_no_window():
    out = invoke(["show", LECTURE], env={"COLUMNS": "120"}).stdout
    assert "[window:" not in out and "--full" not in out


def test_a_large_handout_shows_each_attention_matrix_as_its_nonzero_blocks():
    text = " ".join(f"w{i}" for i in range(31))  # d = 124 > 120 (--full: past 20 tokens a handout is focused)
    out = invoke(["show", text, "--format", "markdown", "--full"]).stdout
    assert "only its nonzero blocks (rows: pos; columns: pos), every other entry is 0" in out
    assert "only its nonzero blocks (rows: tok; columns: prev tok), every other entry is 0" in out
    assert "the prev tok and prev pos columns are all 0 and left out" in out  # Y^(0) and Y^(2)
    small = invoke(["show", LECTURE, "--format", "markdown"]).stdout
    assert "only its nonzero" not in small and "left out" not in small


def test_a_200_token_html_page_stays_small_enough_to_open():
    out = invoke(["show", " ".join(f"w{i}" for i in range(200)), "--format", "html"]).stdout
    assert len(out.encode()) < 20_000_000


def test_latex_refuses_the_stream_the_model_built_not_the_lecture_s():
    words = " ".join(f"w{i}ord{i}x" for i in range(20))  # ~7 trigrams each: m ~ 140, d = 2(m + N) > 120
    result = invoke(["show", words, "--similar", "subword", "--format", "latex"])
    assert result.exit_code == 2 and "d = 2(m + N) =" in result.stderr
    wide = " ".join(f"t{i}" for i in range(35))  # no position in the stream: d = 2V = 70
    assert invoke(["show", wide, "--positions", "relative", "--full", "--format", "latex"]).exit_code == 0
    assert invoke(["show", wide, "--full", "--format", "latex"]).exit_code == 2  # the lecture's d = 2(V + N) = 140


FORTY = ("the cat sat on the mat and the dog ran to the log while the cat sat on the mat and then the dog sat "
         "on the log too as the cat ran off away")


def test_a_long_input_gets_a_focused_handout_and_full_gives_every_matrix():
    from induction_demo.core.runs import run

    focused = invoke(["show", FORTY, "--format", "markdown"]).stdout
    full = invoke(["show", FORTY, "--format", "markdown", "--full"]).stdout
    assert "focused handout for 35 tokens" in focused and "19 copying queries" in focused
    assert "Every matrix: the same command with" in focused
    assert "Layer output" not in focused and "Layer output" in full and len(full) > 3 * len(focused)
    trace = run(tuple(FORTY.split()))
    copying = [p.position for p in trace.predictions if p.copy]
    weights = focused[focused.index("**Attention weights"):]
    weights = weights[:weights.index("\n\n", weights.index("|"))]
    rows = {int(r) for r in re.findall(r"^\| \\?@(\d+) ", weights, re.M)}
    assert set(copying) <= rows  # every copying query is a row of the induction head's weights
    short = invoke(["show", LECTURE, "--format", "markdown"]).stdout
    assert "focused" not in short and "Layer output" in short


def test_weights_full_on_a_wide_stream_shows_nonzero_blocks_on_the_screen_too():
    text = " ".join(f"w{i}" for i in range(31))  # d = 124 > 120
    out = invoke(["weights", text, "--full"]).stdout
    assert out.count("only its nonzero blocks") == 4  # A_1, V_1, A_2, V_2
    assert "only its nonzero blocks" not in invoke(["weights", LECTURE, "--full"]).stdout


@pytest.mark.parametrize("text, options", [(LECTURE, []), ("abracadabra", []), (SENTENCE, ["--temperature", "3"]),
                                           ("a b c d a b c d", ["--context", "2"])])
def test_a_tie_past_the_last_probability_shown_is_counted(text, options):
    """The probabilities table shows each position's 3 most probable tokens, ties in vocabulary order; the
    lecture's @3 read "b 0.48 ! 0.17 a 0.17", as though `c`, as probable as `!` and `a`, were less so. A row
    whose third shares its probability with tokens left out now counts them ("a 0.17 +1")."""
    doc = json.loads(invoke(["show", text, *options, "--format", "json"]).stdout)
    vocab, probs = doc["vocab"], doc["next_token_probs"]
    table = invoke(["show", text, *options, "--format", "markdown", "--layer", "2", "--no-matrices"]).stdout
    rows = [line for line in table.split("Next-token probabilities")[-1].splitlines() if line.startswith("| @")]
    assert len(rows) == len(probs)
    for row, p in zip(rows, probs):
        third = row.split(" | ")[4]  # "| @3 | a | b 0.48 | ! 0.17 | a 0.17 +1 | |": the 3rd's cell
        shown = sorted(range(len(vocab)), key=lambda t: (-p[t], t))[:3]
        more = sum(1 for t in range(len(vocab)) if t not in shown and abs(p[t] - p[shown[-1]]) <= 1e-9 * p[t])
        assert third.endswith(f" +{more}") if more else "+" not in third, (row, more)
    if text == LECTURE:
        assert "| @3 | a | b 0.48 | ! 0.17 | a 0.17 +1 |" in table


def test_a_line_neither_ends_nor_begins_at_an_operator():
    """At 80 columns "the leak only lowers a match ... put on position i" / "- 2." began a line with what reads as
    a minus sign, "0.50 ×" / "2" split a count, and "[ ] =" / "where the head does its job" its legend: an operator
    now holds to the words on its sides, as does the mark "[ ]"."""
    from induction_demo.views.render.terminal import wrap

    assert wrap("weight on position i - 2.", 21) == ["weight on position", "i - 2."]
    assert wrap("spreads: `b` (@2): 0.50 × 2 and", 22) == ["spreads: `b` (@2):", "0.50 × 2 and"]
    assert wrap("keys j; [ ] = where the head", 12) == ["keys j;", "[ ] = where", "the head"]
    assert wrap("- layer 1: the previous token", 10) == ["- layer 1:", "the", "previous", "token"]
    out = invoke(["lecture", "x a b a c b a c", "--positions", "rope", "--skip", "1", "--width", "80"],
                 input="q").stdout
    lines = out.splitlines()
    assert lines and not any(line.lstrip().startswith(("- 2", "× ", "= ", "] ")) for line in lines)


def test_the_command_line_writes_to_a_text_only_standard_output(monkeypatch):
    """A notebook's standard output (or io.StringIO) has no bytes buffer under it: the command line,
    called as a function there, wrote to ``sys.stdout.buffer`` and stopped with an AttributeError. Text
    goes to it as text; bytes (an npz file) are refused in one line."""
    import io
    import sys

    from induction_demo.cli import main

    for args, code, expect in ((["show", "! a b a c b", "--width", "80"], 0, "Layer 1"),
                               (["weights", "! a b a c b", "--format", "json"], 0, '"kind": "weights"'),
                               (["weights", "! a b a c b", "--format", "npz"], 2, "")):
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setenv("NO_COLOR", "1")
        with pytest.raises(SystemExit) as done:
            main(args, prog_name="induction-demo")
        assert done.value.code == code, err.getvalue()
        assert expect in out.getvalue()
        assert "Traceback" not in err.getvalue() and len(err.getvalue().splitlines()) == (code != 0)
