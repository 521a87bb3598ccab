"""The CLI through click's CliRunner: exit codes, one-line errors, stdin, escaping."""
import json
import re

import click
import pytest

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from cli_runner import PATIENCE, invoke, one_line_error


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_or_whitespace_tokens_are_a_usage_error(text):
    assert "no tokens" in one_line_error(invoke(["show", text]), 2)


@pytest.mark.parametrize("scale", ["nan", "inf", "-inf", "0", "-1", "1e400", "abc"])
def test_a_non_finite_or_non_positive_scale_is_a_usage_error(scale):
    line = one_line_error(invoke(["show", "a b", "--scale", scale]), 2)
    assert "--scale" in line


def test_unknown_format_is_a_usage_error():
    assert "'xml' is not one of" in one_line_error(invoke(["show", "a b", "--format", "xml"]), 2)


def test_unknown_layer_is_a_usage_error():
    assert "'4' is not one of" in one_line_error(invoke(["show", "a b", "--layer", "4"]), 2)
    assert "this model has 2 layers" in one_line_error(invoke(["show", "a b", "--layer", "3"]), 2)


def test_unknown_tokenize_mode_is_a_usage_error():
    assert "--tokenize" in one_line_error(invoke(["show", "a b", "--tokenize", "words"]), 2)


def test_missing_tokens_is_a_usage_error():
    assert "Missing argument 'TOKENS'" in one_line_error(invoke(["show"]), 2)


def test_stdin_that_is_not_utf8_is_a_usage_error():
    assert "not UTF-8" in one_line_error(invoke(["show", "-"], input=b"a \xff b"), 2)


def test_empty_stdin_is_a_usage_error():
    assert "no tokens" in one_line_error(invoke(["show", "-"], input=b""), 2)


def test_too_many_tokens_is_a_usage_error():
    assert "1000" in one_line_error(invoke(["show", "a " * 1001]), 2)


def test_dash_reads_tokens_from_stdin():
    result = invoke(["show", "-", "--format", "json"], input="! a b a c b\n")
    assert json.loads(result.stdout)["tokens"] == ["!", "a", "b", "a", "c", "b"]


def test_json_is_one_document_with_the_documented_keys():
    doc = json.loads(invoke(["show", "! a b a c b", "--format", "json"]).stdout)
    assert list(doc) == ["schema_version", "kind", "tokens", "vocab", "scale", "basis", "construction", "layers",
                         "predictions", "temperature", "ablate", "next_token_probs", "story", "d", "subspaces",
                         "embedding"]
    assert doc["schema_version"] == 3 and doc["kind"] == "show"
    assert [layer["name"] for layer in doc["layers"]] == ["previous-token head", "induction head"]
    assert set(doc["layers"][0]) >= {"name", "logits", "masked", "weights", "output"}
    assert doc["layers"][1]["masked"][0] == [None] * 6
    assert doc["predictions"][3] == {"position": 3, "token": "a", "next": "b", "candidates": ["b"], "output": ["b"],
                                     "score": 1.0, "copy": True, "horizon": 1}
    assert len(doc["basis"]) == 20


def test_layer_option_shows_one_layer_only():
    doc = json.loads(invoke(["show", "a b a", "--format", "json", "--layer", "2"]).stdout)
    assert [layer["index"] for layer in doc["layers"]] == [2]
    table = invoke(["show", "a b a", "--layer", "1"]).stdout
    assert "Layer 1" in table and "Layer 2" not in table


def test_no_matrices_hides_the_attention_matrices():
    shown = invoke(["show", "a b a"]).stdout
    hidden = invoke(["show", "a b a", "--no-matrices"]).stdout
    assert "A_1 (d x d" in shown and "A_1 (d x d" not in hidden and "A_2 (d x d" not in hidden


def test_markup_looking_tokens_print_literally():
    out = invoke(["show", "[bold]x[/bold] :smile: [red]"]).stdout
    assert "[bold]x[/bold]" in out and ":smile:" in out and "[red]" in out


def test_control_characters_in_tokens_are_escaped_not_sent_to_the_terminal():
    out = invoke(["show", "-"], input="a\x1b[31m b a\x07\n").stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "a\\x1b[31m" in out and "a\\x07" in out


def test_table_output_off_a_terminal_has_no_ansi_codes():
    assert "\x1b" not in invoke(["show", "! a b a c b"], env={"NO_COLOR": None}).stdout


def test_the_lecture_example_fits_120_columns():
    from rich.cells import cell_len

    out = invoke(["show", "! a b a c b"]).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 120


def test_version_comes_from_the_installed_package():
    from importlib.metadata import version

    result = invoke(["--version"])
    assert result.exit_code == 0 and version("induction-demo") in result.stdout


@pytest.mark.parametrize("args", [["show", "a b a"], ["show", "a b a", "--format", "html"], ["weights", "a b a"],
                                  ["quiz", "a b a"], ["train", "--steps", "1"]])
def test_an_empty_output_name_is_refused_in_one_line(args):
    """`-o ""` (a script's unset variable) with --format said "cannot write : Is a directory", exit 1."""
    assert one_line_error(invoke([*args, "-o", ""]), 2) == \
        f"Error: -o needs a file name, or - for standard output (see 'induction-demo {args[0]} --help')"


@pytest.mark.parametrize("args, said", [
    (["show", "a b a", "--embeddings", ""], "--embeddings is empty: give a file of word vectors"),
    (["show", "a b a", "--model", ""], "--model is empty: give FILE.npz or FILE.json"),
    (["weights", "a b a", "--model", ""], "--model is empty: give FILE.npz or FILE.json"),
    (["check", ""], "the model file's name is empty: give FILE.npz or FILE.json"),
    (["check", "--template", "t.json", "--vocab", ""], '--vocab is empty: give its tokens, as "! a b c"'),
    (["check", "--template", "t.json", "--vocab", "a b a"], "--vocab must be distinct tokens: `a` is there twice or more")])
def test_an_empty_file_name_is_refused_in_one_line(args, said):
    """`--embeddings ""` ran as if no file were given (one-hot tokens, exit 0), and `--model ""` and
    `check ""` said "Error: : no such file"; `check --template --vocab ""` said "must be distinct tokens"."""
    assert one_line_error(invoke(args), 2) == f"Error: {said} (see 'induction-demo {args[0]} --help')"


def test_an_empty_name_given_to_run_is_refused():
    import induction_demo as idm

    for knob, said in (("similar", "subword or case"), ("embeddings", "a file of word vectors"),
                       ("model", "FILE.npz or FILE.json")):
        with pytest.raises(idm.InputError, match=f"^{knob}= is empty: give {said}$"):
            idm.run("a b a", **{knob: ""})


@pytest.mark.parametrize("args, said", [
    (["show", "-> a -> b"], """No such option '->'; a token that starts with "-" goes after "--": """
                            """induction-demo show -- "-> ..." (see 'induction-demo show --help')"""),
    (["show", "--", "-> a -> b", "--width", "60"], """Got unexpected extra arguments (--width 60); options go before """
                                                   """"--", and everything after it is tokens (see 'induction-demo show --help')"""),
    (["show", "a", "b", "c", "a", "b"], "Got unexpected extra arguments (b c a b); give the tokens as one argument, in "
                                        "quotes: induction-demo show 'a b c a b' (see 'induction-demo show --help')"),
    (["show", "a b", "--widht", "60"], "No such option '--widht'. Did you mean '--width'? (see 'induction-demo show "
                                       "--help')")])
def test_a_new_user_s_slip_with_tokens_and_options_is_told_what_to_type(args, said):
    """Tokens typed unquoted (`show a b c a b`), or starting with "-" (`show "-> a"`), or an option after "--",
    met click's bare "Got unexpected extra arguments (b c a b)" and "No such option '->'"."""
    assert one_line_error(invoke(args), 2) == f"Error: {said}"


def test_similar_tokens_are_refused_only_where_a_circuit_does_not_match_tokens():
    """The pointer circuit's refusal said --similar and --embeddings "apply to the lecture's circuit", though the
    virtual circuit takes them too."""
    said = one_line_error(invoke(["show", "a b a", "--circuit", "pointer", "--similar", "subword"]), 2)
    assert "--similar and --embeddings apply to the lecture's circuit and the virtual one, which match tokens" in said
    for circuit in ("lecture", "virtual"):
        assert invoke(["show", "a b c a b", "--circuit", circuit, "--similar", "subword"]).exit_code == 0


@pytest.mark.parametrize("args, said", [
    (["weights", "a b", "--ablate", "induction"], "No such option '--ablate' for weights: it is an option of bench, "
                                                  "lecture and show"),
    (["circuits", "a b", "--factored"], "No such option '--factored' for circuits: it is an option of weights"),
    (["show", "a b", "--key"], "No such option '--key' for show: it is an option of quiz"),
    (["check", "x.npz", "--bogus"], "No such option '--bogus'.")])
def test_an_option_of_another_command_is_named_as_such(args, said):
    """`weights --ablate` got click's guess "No such option '--ablate'. Did you mean '--scale'?"; an option
    that other commands take now says which."""
    assert one_line_error(invoke(args), 2) == f"Error: {said} (see 'induction-demo {args[0]} --help')"


def test_python_dash_m_runs_the_same_command_line_under_its_name():
    """`python -m induction_demo` said "No module named induction_demo.__main__"; it is now the command line,
    its errors naming induction-demo as every other way of running it does."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "induction_demo", "show"], capture_output=True, text=True,
                          timeout=PATIENCE, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stderr == "Error: Missing argument 'TOKENS'. (see 'induction-demo show --help')\n"
    done = subprocess.run([sys.executable, "-m", "induction_demo", "show", "a b a", "--format", "json"],
                          capture_output=True, text=True, timeout=PATIENCE, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and json.loads(done.stdout)["tokens"] == ["a", "b", "a"]


COMMANDS = ["show", "lecture", "weights", "circuits", "positions", "bench", "sweep", "check"]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_shows_its_own_examples_within_80_columns(command):
    from induction_demo.cli import EXAMPLES

    result = invoke([command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    examples = lines[lines.index("  Examples:") + 1:]
    assert examples and all(f"induction-demo {command}" in line for line in examples if not line.strip().startswith("#"))
    for line, what in EXAMPLES[command]:
        assert line.split()[-1] in result.stdout and what in result.stdout


def test_the_tool_s_help_shows_one_example_of_each_command_within_80_columns():
    result = invoke(["--help"], env={"COLUMNS": "80"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for command in COMMANDS:
        assert f"induction-demo {command} " in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_a_description(command):
    from induction_demo.cli import main

    options = [p for p in main.commands[command].params if isinstance(p, click.Option)]
    assert options and all(p.help for p in options), [p.name for p in options if not p.help]


def test_positions_scale_speaks_of_layer_1_only():
    out = invoke(["positions", "--help"], env={"COLUMNS": "80"}).stdout
    assert "both heads" not in out and "layer 1" in out


def test_weights_command_shows_all_four_matrices():
    out = invoke(["weights", "a b a"]).stdout
    for name in ["A_1", "V_1", "A_2", "V_2"]:
        assert f"{name}," in out


def test_tokens_that_are_not_utf8_are_a_usage_error():
    # bytes that are not UTF-8 reach argv as lone surrogates (surrogateescape)
    assert "TOKENS is not UTF-8" in one_line_error(invoke(["show", "a \udcff a", "--format", "json"]), 2)


def on_a_terminal(args: list[str], env: dict) -> str:
    """What the CLI prints with a real terminal (a pty, 120 columns) as standard output."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    main_end, tty_end = pty.openpty()
    fcntl.ioctl(tty_end, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    environ.update({k: v for k, v in env.items() if v is not None})
    process = subprocess.Popen([sys.executable, "-c", "from induction_demo.cli import main; main()", *args],
                               stdout=tty_end, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=environ)
    os.close(tty_end)
    chunks = []
    while True:
        try:
            chunk = os.read(main_end, 65536)
        except OSError:  # the terminal closed: the process has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_end)
    assert process.wait() == 0, process.stderr.read()
    return b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("no_color, ansi", [(True, False), (False, True)])
def test_a_terminal_gets_colour_unless_no_color_is_set(no_color, ansi):
    screen = on_a_terminal(["show", "! a b a c b"], {"NO_COLOR": "1" if no_color else None, "TERM": "xterm-256color"})
    assert ("\x1b[" in screen) == ansi
    assert "Layer 2: induction head" in screen


def test_a_bare_call_prints_the_whole_help_on_several_lines():
    result = invoke([])
    assert result.exit_code == 0 and result.stdout.startswith("Usage: induction-demo")
    assert result.stdout.count("\n") > 10 and "show" in result.stdout and result.stderr == ""


def test_writing_a_file_is_confirmed_in_one_line(tmp_path):
    result = invoke(["show", "! a b a c b", "-o", str(tmp_path / "cat.html")])
    size = (tmp_path / "cat.html").stat().st_size
    assert result.stderr == f"wrote {tmp_path / 'cat.html'} ({size // 1024} KB, html)\n"


@pytest.mark.parametrize("args, env, ansi", [
    (["--color"], {}, True), (["--no-color"], {"FORCE_COLOR": "1"}, False), ([], {"FORCE_COLOR": "1"}, True),
    ([], {}, False), (["--color"], {"NO_COLOR": "1"}, True),
])
def test_colour_follows_the_option_then_force_color_then_the_terminal(args, env, ansi):
    out = invoke(["show", "a b a", *args], env={"NO_COLOR": None, **env}).stdout
    assert ("\x1b[" in out) == ansi


def test_width_sets_the_layout_whatever_the_terminal():
    out = invoke(["show", "! a b a c b", "--width", "60"], env={"COLUMNS": "200"}).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 60
    assert invoke(["show", "a", "--width", "10"]).exit_code == 2


@pytest.mark.parametrize("args", [["--circuit", "virtual"], ["--context", "3"], []])
def test_the_composition_scores_fit_the_narrowest_width(args):
    """At --width 40 the composition table's rows, each named "induction head (layer 3) with the previous-token
    head (layer 1)", ran to 57 cells (cut to "induc… head (layer 3) with the previ… head (layer 1)") and were
    split into a table a score. On a narrow screen the pair is now a column of text that wraps, beside K, Q, V."""
    out = invoke(["circuits", "b c d . x c e . b c", "--width", "40", *args]).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 40
    lines = out.splitlines()
    header = next(k for k, line in enumerate(lines) if line.split() == ["heads", "K", "Q", "V"])
    table = "\n".join(lines[header:]).split("\n\n")[0]
    assert "…" not in table and "with the" in table and "(continued: columns" not in out[out.index(table):]


NARROW_VARIANTS = [[], ["--ablate", "previous-token"], ["--context", "3"], ["--skip", "2"],
                   ["--positions", "sinusoidal"], ["--positions", "relative"], ["--positions", "rope"],
                   ["--similar", "subword"], ["--mask", "inclusive"], ["--circuit", "pointer"],
                   ["--circuit", "virtual"], ["--layer", "1"], ["--no-matrices"]]
NARROW_COMMANDS = {"show": NARROW_VARIANTS, "weights": NARROW_VARIANTS[2:11], "circuits": NARROW_VARIANTS[2:11],
                   "positions": [[]], "quiz": [[]], "sweep": [[]], "lecture": NARROW_VARIANTS[:11]}


@given(st.sampled_from(sorted(NARROW_COMMANDS)), st.data(), st.integers(40, 130),
       st.lists(st.sampled_from(["a", "b", "c", "cat", "cats", "@3", "日本", "x" * 25]), min_size=2, max_size=24))
@settings(max_examples=40, deadline=None)
def test_no_line_is_wider_than_the_width_asked(command, data, width, tokens):
    """Every command but --full keeps its lines to --width, whatever the variant (the composition table of
    --circuit virtual ran to 57 cells at 40)."""
    args = data.draw(st.sampled_from(NARROW_COMMANDS[command]))
    extra = ["--no-pause"] if command == "lecture" else []
    result = invoke([command, " ".join(tokens), "--width", str(width), *args, *extra])
    assume(result.exit_code == 0)  # (a refused combination: its one line is tested elsewhere)
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= width


def test_reading_tokens_from_a_terminal_says_how_to_end_them():
    import os
    import pty
    import subprocess
    import sys

    main_end, tty_end = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", "from induction_demo.cli import main; main()", "show", "-",
                                "--format", "json"], stdin=tty_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(tty_end)
    os.write(main_end, b"! a b a c b\n\x04")  # the tokens, then Ctrl-D at the start of a line
    out, err = process.communicate(timeout=PATIENCE)
    os.close(main_end)
    assert process.returncode == 0 and json.loads(out)["tokens"] == ["!", "a", "b", "a", "c", "b"]
    assert err.decode().startswith("Type the tokens, then Ctrl-D") and err.count(b"\n") == 1


def test_readmes_excerpt_is_the_80_column_view_as_printed():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    start = readme.index("    Attention logits a_ij = y_i A_2 y_j^T")
    excerpt = readme[start:readme.index("\n\nThe whole output is in", start)]
    printed = invoke(["show", "! a b a c b", "--width", "80", "--layer", "2", "--no-matrices"]).stdout
    for block in excerpt.split("\n\n"):
        assert "\n".join(line[4:] for line in block.splitlines()) in printed


@pytest.mark.parametrize("command", ["show", "circuits", "positions"])
def test_only_weights_offers_the_model_file_as_a_format(command, tmp_path):
    """show, circuits and positions listed npz among their --format choices and refused it every time (and
    weights png); each offers what it writes, weights npz but no png, and -o FILE.npz still says where a
    model file comes from."""
    assert "svg|png]" in invoke([command, "--help"]).stdout and "npz]" not in invoke([command, "--help"]).stdout
    assert "|svg|npz]" in invoke(["weights", "--help"]).stdout  # (and no png: the weights are tables)
    assert "is not one of" in one_line_error(invoke([command, "--format", "npz", "! a b"]), 2)
    assert "which weights writes" in one_line_error(invoke([command, "-o", str(tmp_path / "m.npz"), "! a b"]), 2)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("args, listed, unlisted", [
    (["show", "a b a"], ".svg, .png", ".npz"), (["weights", "a b a"], ".svg, .npz", ".png"),
    (["quiz", "a b a"], ".tex, .html, .htm", ".json"),
])
def test_an_unknown_extension_lists_the_ones_the_command_writes(args, listed, unlisted):
    """`show -o x.pdf` listed .npz among the extensions to use, which show then refuses (weights writes it)."""
    result = invoke(args + ["-o", "x.pdf"])
    assert result.exit_code == 2 and "cannot tell the format of 'x.pdf'" in result.stderr
    assert listed in result.stderr and unlisted not in result.stderr


@pytest.mark.parametrize("args, page", [(["show", "a b a", "--ablate"], "show"), (["weights", "a b a", "--width"],
                                                                                   "weights"), (["--bogus"], None)])
def test_an_option_without_its_value_points_to_the_command_s_help(args, page):
    """click's parser raises some usage errors with no context: "Option '--ablate' requires an argument." came
    without the "(see '... --help')" every other usage error ends with."""
    line = one_line_error(invoke(args), 2)
    assert line.endswith(" --help')") and (page is None or f" {page} --help')" in line), line


@pytest.mark.parametrize("args", [["bench", "--trials", "2", "--length", "20"],
                                  ["bench", "--trials", "2", "--length", "20", "--ablate", "previous-token",
                                   "--context", "2"],
                                  ["train", "--steps", "20", "--seed", "1"]])
def test_bench_and_train_print_no_line_wider_than_asked(args):
    """Built whole, not through the walkthrough's windows, their tables printed 79 cells at --width 40 and at
    60; a table of text ("what it measures") wrapped its cells but not its header nor a word past its column."""
    from rich.cells import cell_len

    for width in ("40", "60"):
        out = invoke([*args, "--width", width]).stdout
        assert max(cell_len(line) for line in out.splitlines()) <= int(width), width
        if args[0] == "bench":  # every figure still there, in pieces of the columns
            assert "misses" in out and "what it" in out and "detect_head" in out.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("args", [
    ["show", "a b c a b"], ["weights", "a b c a b"], ["circuits", "a b c a b"], ["sweep", "a b c a b"],
    ["lecture", "a b c a b", "--no-pause"], ["bench", "--trials", "1"], ["show", "a b c a b", "--positions", "relative"],
    ["show", "a b c a b", "--positions", "none"], ["show", "a b c a b", "--circuit", "pointer"]])
def test_frequencies_for_positions_that_have_none_are_refused(args):
    """`--frequencies 4` beside one-hot, relative or no positions ran as if it were not given (exit 0): K sets only
    the sinusoidal and rope encodings, as every option that does not apply is refused, in one line."""
    positions = args[args.index("--positions") + 1] if "--positions" in args else "one-hot"
    said = one_line_error(invoke(args + ["--frequencies", "4"]), 2)
    assert f"--frequencies sets the K frequencies of --positions sinusoidal and rope; this run's positions are " \
           f"{positions}, which have none" in said


def test_frequencies_apply_to_the_schemes_that_have_them():
    import induction_demo as idm

    for positions in ("sinusoidal", "rope"):
        assert invoke(["show", "a b c a b", "--positions", positions, "--frequencies", "4"]).exit_code == 0
    assert invoke(["positions", "a b c a b", "--frequencies", "4"]).exit_code == 0  # its sinusoidal and rope rows
    with pytest.raises(idm.InputError, match="frequencies= sets the K frequencies of positions= sinusoidal and rope; "
                                             "this run's positions are one-hot"):
        idm.run("a b c a b", frequencies=4)
    assert idm.run("a b c a b", positions="rope", frequencies=4).construction.frequencies == 4


@pytest.mark.parametrize("args, why", [
    (["--layer", "1"], "--layer 1"), (["--positions", "sinusoidal"], "--positions sinusoidal, unless --layer 2")])
def test_a_fixed_layer_1_scale_is_refused_where_layer_1_is_the_one_swept(args, why):
    """`sweep --layer 1 --layer1-scale 5` swept layer 1 at each --scale and ignored the 5 (exit 0)."""
    said = one_line_error(invoke(["sweep", "a b c a b", "--layer1-scale", "5"] + args), 2)
    assert f"--layer1-scale keeps layer 1 fixed while the induction head is swept; here layer 1 is the one swept " \
           f"({why}), at each --scale" in said
    assert invoke(["sweep", "a b c a b", "--layer1-scale", "5", "--positions", "sinusoidal", "--layer", "2"]
                  ).exit_code == 0


@pytest.mark.parametrize("args, said", [
    (["check", "m.npz", "--vocab", "a b"], "--vocab applies to the file --template writes: a model file to check has "
                                           "its own vocabulary and positions"),
    (["check", "m.npz", "--positions", "9", "--vocab", "a b"], "--vocab and --positions apply to the file "),
    (["check", "m.npz", "--force"], "--force replaces a read-only file that is written, the -o report or "
                                    "--template's FILE: checking reads FILE and writes only to standard output"),
    (["check", "t.json", "--template", "-o", "r.json"], "--output applies to checking a file"),
    (["check", "t.json", "--template", "--seed", "3"], "--seed applies to checking a file: --template writes one to "
                                                       "fill in (its format from its extension, .json or .npz) and "
                                                       "checks nothing"),
    (["check", "t.json", "--template", "--seed", "1", "--format", "json"], "--seed and --format apply to checking")])
def test_check_refuses_what_applies_only_with_or_only_without_template(tmp_path, monkeypatch, args, said):
    """`check FILE --vocab "a b"` checked FILE as if --vocab were not given, and `check --template t.json
    --seed 3` wrote the template as if no seed were (exit 0): each option now applies where its help says, or is
    refused in one line."""
    monkeypatch.chdir(tmp_path)
    assert invoke(["weights", "a b c a b", "-o", "m.npz"]).exit_code == 0
    assert said in one_line_error(invoke(args), 2)
    assert not (tmp_path / "t.json").exists()
    assert invoke(["check", "t.json", "--template", "--vocab", "a b", "--positions", "9", "--force"]).exit_code == 0
    assert invoke(["check", "m.npz", "--seed", "2", "--format", "json"]).exit_code == 0


@pytest.mark.parametrize("args", [["show", "a b a"], ["weights", "a b a", "--format", "markdown"],
                                  ["circuits", "a b a", "--format", "json"], ["positions", "a b a", "--format", "html"]])
def test_a_theme_for_anything_but_an_svg_is_refused(args):
    """`show "a b a" --theme dark` printed the light table and `-o x.png --theme dark` drew the light picture (exit
    0): --theme sets only the SVG's colours."""
    said = one_line_error(invoke(args + ["--theme", "dark"]), 2)
    assert "--theme sets the SVG picture's colours: use --format svg, or -o FILE.svg" in said
    light, dark = (invoke([*args[:2], "--format", "svg", "--theme", theme]) for theme in ("light", "dark"))
    assert light.exit_code == dark.exit_code == 0 and light.stdout != dark.stdout


@pytest.mark.parametrize("columns", [60, 70, 80])
def test_every_help_fits_a_narrow_terminal_and_its_examples_still_run_as_written(columns):
    """At 60 columns an example ran to 79 and check's layout of the file to 73: each help now fits the terminal's
    width, a long example going on over lines that end in a backslash (the shell joins them back), the layout
    wrapping as a list. (A real process: click's test runner lays every help out for 80 columns.)"""
    import os
    import re
    import subprocess
    import sys

    from induction_demo.cli import EXAMPLES

    commands = [None] + COMMANDS + ["train", "quiz"]
    script = ("import click, sys\nfrom induction_demo.cli import main\nfor c in sys.argv[1:]:\n"
              "    ctx = main.make_context('induction-demo', [] if c == '-' else [c], resilient_parsing=True)\n"
              "    print((ctx.command.get_help(ctx) if c == '-' else main.commands[c].get_help(\n"
              "        click.Context(main.commands[c], ctx, 'induction-demo ' + c))) + '\\n\\x00')")
    run = subprocess.run([sys.executable, "-c", script] + [c or "-" for c in commands], capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": str(columns)}, timeout=PATIENCE)
    assert run.returncode == 0, run.stderr
    helps = run.stdout.split("\x00")[:-1]
    assert len(helps) == len(commands)
    for command, text in zip(commands, helps):
        assert max(len(line) for line in text.splitlines()) <= columns, command
        shell = re.sub(r" \\\n +", " ", text[text.index("Examples"):])  # as a shell reads the continued lines
        for line, what in (next(iter(EXAMPLES.values()))[:1] if command is None else EXAMPLES[command]):
            assert line in shell and what in re.sub(r"\n +# ", " ", shell), (line, what)
    check = helps[commands.index("check")].replace("\u00a0", " ")
    assert "rows of A" in check and "a_ij = y_i A y_j^T" in check and "mask, residual" in check


@pytest.mark.parametrize("args, said", [
    (["--tokenize", "chars"], "--tokenize reads TOKENS"), (["--as-typed"], "--as-typed reads TOKENS"),
    (["--tokenize", "space", "--as-typed"], "--tokenize and --as-typed read TOKENS")])
def test_a_drawn_quiz_refuses_the_options_that_read_tokens(args, said):
    """`quiz --seed 2 --tokenize chars` wrote the sheet as if --tokenize were not given (exit 0)."""
    assert f"{said}: --seed draws a string of tokens, with nothing to read" in \
        one_line_error(invoke(["quiz", "--seed", "2"] + args), 2)
    assert invoke(["quiz", "abcab"] + args).exit_code == 0


@pytest.mark.parametrize("command", [["show", "a b c a b c a b c a b"], ["weights", "a b c a b c a b"],
                                     ["circuits", "a b c a b c a b"], ["positions", "a b c a b c a b"],
                                     ["sweep", "a b c a b"], ["bench", "--trials", "2", "--length", "30"],
                                     ["quiz", "a b c a b c a b"]])
def test_a_table_written_to_a_file_keeps_to_the_width_asked(tmp_path, command):
    """`show ... --width 50 -o w.txt` wrote lines of 120 columns, the option ignored: a file's tables are laid
    out for --width as the screen's are (and for 120 without it, whatever the terminal)."""
    path = tmp_path / "w.txt"
    assert invoke([*command, "--width", "50", "-o", str(path)]).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and max(cell_len(line) for line in lines) <= 50
    assert invoke([*command, "-o", str(path), "--force"], env={"COLUMNS": "50"}).exit_code == 0
    assert max(cell_len(line) for line in path.read_text(encoding="utf-8").splitlines()) > 50


@pytest.mark.parametrize("command", [["sweep", "a b c a b", "--scale", "1,10"], ["bench", "--trials", "2"],
                                     ["check", "m.npz"]])
def test_bench_sweep_and_check_write_their_report_to_a_file(tmp_path, monkeypatch, command):
    """bench, sweep and check wrote only to standard output: `sweep ... -o s.json` was refused as if -o were a
    token ('a token that starts with "-" goes after "--"'), though an encoding error told the user to "write a
    file with -o FILE". Each now writes its report as every other command does: the format from the extension,
    atomically, the same bytes as on standard output."""
    monkeypatch.chdir(tmp_path)
    assert invoke(["weights", "! a b a c b", "-o", "m.npz"]).exit_code == 0
    for name, form in (("r.json", "json"), ("r.txt", "table")):
        done = invoke([*command, "-o", name])
        assert done.exit_code == 0 and done.stdout == "" and done.stderr.startswith(f"wrote {name} (")
        timed = re.compile(r'\n  "seconds": [\d.e-]+,|Time: [\d.]+ s')  # (bench's time taken)
        assert timed.sub("", (tmp_path / name).read_text(encoding="utf-8")) == \
            timed.sub("", invoke([*command, "--format", form]).stdout)
    json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    said = one_line_error(invoke([*command, "-o", "r.png"]), 2)
    assert "report is a table or JSON: write -o FILE.txt or FILE.json" in said and not (tmp_path / "r.png").exists()
    assert "cannot write" in one_line_error(invoke([*command, "-o", "no/such/r.json"]), 1)  # (as show's)


def test_check_writes_a_refused_file_s_score_to_its_report_too(tmp_path, monkeypatch):
    """An autograder that keeps -o results.json gets a score of 0 for a file that is not a model, as it does from
    standard output, and the refusal is said in one line with status 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text("{}")
    said = one_line_error(invoke(["check", "bad.json", "-o", "results.json"]), 2)
    assert "no key" in said and said.endswith("; results.json gives it a score of 0 (see 'induction-demo check --help')")
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0 and "no key" in results["output"]


def test_an_output_file_that_is_an_input_is_refused_before_it_is_touched(tmp_path, monkeypatch):
    """`check heads.json -o heads.json` wrote its report over the student's model (a file that is not a model got
    its score of 0 there, the file gone), as `show --model m.json -o m.json` would the walkthrough: -o naming a file
    the command reads (FILE, --model, --embeddings; by any path to it) is refused, the file untouched."""
    monkeypatch.chdir(tmp_path)
    assert invoke(["check", "--template", "heads.json", "--vocab", "a b"]).exit_code == 0
    assert invoke(["weights", "a b a b", "-o", "m.npz"]).exit_code == 0
    (tmp_path / "vectors.txt").write_text("a 1 0\nb 0 1\n")
    (tmp_path / "link.json").symlink_to(tmp_path / "heads.json")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for args, option in ((["check", "heads.json", "-o", "heads.json"], "FILE"),
                         (["check", "heads.json", "-o", "link.json"], "FILE"),
                         (["show", "a b a", "--model", "m.npz", "-o", "./m.npz", "--format", "json"], "--model"),
                         (["show", "a b a", "--embeddings", "vectors.txt", "-o", "vectors.txt", "--format", "table"],
                          "--embeddings"),
                         (["lecture", "a b a", "--model", "m.npz", "-o", "m.npz", "--format", "html"], "--model")):
        said = one_line_error(invoke(args), 2)
        assert f"is the file {option} reads: writing there would replace it" in said, args
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert invoke(["check", "heads.json", "-o", "report.json"]).exit_code in (0, 1)


@pytest.mark.parametrize("options, words", [
    (("--positions", "none"), "; model: no position encoding (NoPE)."),
    (("--circuit", "pointer"), "; model: the pointer circuit: pointer arithmetic (layer 1 points to the earlier copy, "
                               "layer 2 asks for the position after it)."),
    (("--positions", "rope", "--skip", "1"), "; model: rotary position embeddings (RoPE, K = 16); skip 1 (the token "
                                             "scored is 2 after the query, not the next)."),
    ((), "temperature T = 1.00.")])
def test_bench_names_the_model_it_measured(options, words):
    """bench's first line named the mask, the context and the skip, but not the circuit or the position scheme:
    the pointer circuit and NoPE read as the lecture's model."""
    out = " ".join(invoke(["bench", "--trials", "2", *options, "--width", "1000"]).stdout.split())
    assert words in out.split(" Next-token")[0].split(" Prediction of")[0]
