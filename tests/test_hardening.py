"""What no input, stream, output path or signal may do: break the tool, lose
data or take the machine down. Each test drives a real process against a real
device, file, stream or signal (nothing monkeypatched)."""
from __future__ import annotations

import json
import math
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from cli_runner import PATIENCE

LECTURE = "! a b a c b"
TOOL = [sys.executable, "-c", "from induction_demo.cli import main; main()"]
ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "PYTHONIOENCODING")}


def tool(*args: str, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env: dict | None = None, **options):
    return subprocess.run([*TOOL, *args], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          env={**ENV, **(env or {})}, **options)


def one_line(result, code: int) -> str:
    """stderr, after checking the exit status and that it is one line, without a traceback."""
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- output paths ------------------------------------------------------------------------

def null_device(tmp_path: Path) -> Path:
    """A character device that discards what is written: a private one (the
    null device, made with mknod) when root, so that a broken build under test
    cannot replace the machine's /dev/null; else /dev/null, which only root
    could replace."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return node


def test_a_device_stays_a_device(tmp_path):
    device = null_device(tmp_path)
    result = tool("show", LECTURE, "-o", str(device), "--format", "json")
    assert result.returncode == 0 and stat.S_ISCHR(device.stat().st_mode)


def test_dev_stdout_is_written_through(tmp_path):
    stdout = tmp_path / "stdout"  # what /dev/stdout is, made privately so no build under test can replace it
    stdout.symlink_to("/proc/self/fd/1")
    result = tool("show", LECTURE, "-o", str(stdout), "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["tokens"] == LECTURE.split()
    assert stdout.is_symlink() and os.readlink(stdout) == "/proc/self/fd/1"


def test_dash_is_standard_output():
    result = tool("show", LECTURE, "-o", "-")
    assert result.returncode == 0 and b"Layer 2: induction head" in result.stdout


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = tool("show", LECTURE, "-o", str(fifo), "--format", "json", timeout=PATIENCE)
    reader.join(timeout=PATIENCE)
    assert result.returncode == 0 and stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(got[0])["kind"] == "show"


def test_a_symlink_is_followed_and_its_target_replaced_in_its_own_directory(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "w.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert tool("show", LECTURE, "-o", str(link)).returncode == 0
    assert link.is_symlink() and json.loads(target.read_text())["kind"] == "show"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["w.json"]


def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "made.md")
    assert tool("show", LECTURE, "-o", str(link)).returncode == 0
    assert link.is_symlink() and (tmp_path / "made.md").read_text().startswith("# Induction heads")


def test_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "w.md"
    target.write_text("old")
    target.chmod(0o600)
    assert tool("show", LECTURE, "-o", str(target)).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text().startswith("# Induction")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another owner")
def test_a_file_keeps_its_owner(tmp_path):
    target = tmp_path / "w.md"
    target.write_text("old")
    os.chown(target, 65534, 65534)  # nobody
    assert tool("show", LECTURE, "-o", str(target)).returncode == 0
    assert (target.stat().st_uid, target.stat().st_gid) == (65534, 65534)


def test_a_read_only_file_is_refused_unless_forced(tmp_path):
    target = tmp_path / "w.md"
    target.write_text("old")
    target.chmod(0o444)
    err = one_line(tool("show", LECTURE, "-o", str(target)), 2)
    assert "read-only" in err and "--force" in err and target.read_text() == "old"
    assert tool("show", LECTURE, "-o", str(target), "--force").returncode == 0
    assert target.read_text().startswith("# Induction") and stat.S_IMODE(target.stat().st_mode) == 0o444


def test_a_hard_link_is_replaced_and_the_tool_says_so(tmp_path):
    target, other = tmp_path / "w.md", tmp_path / "other.md"
    target.write_text("old")
    os.link(target, other)
    err = one_line(tool("show", LECTURE, "-o", str(target)), 0)
    assert "hard links" in err
    assert target.read_text().startswith("# Induction") and other.read_text() == "old"


def test_a_long_file_name_is_written(tmp_path):
    name = "w" * 245 + ".json"  # 250 characters: the limit is 255, so the temporary name must be shorter
    assert tool("show", LECTURE, "-o", str(tmp_path / name)).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_partial_one(tmp_path):
    target = tmp_path / "w.json"
    target.write_text("the old walkthrough")

    def small_files():  # a real failure of write(2): EFBIG past 64 KB
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    result = tool("show", " ".join(f"t{i % 40}" for i in range(120)), "-o", str(target), preexec_fn=small_files)
    assert "File too large" in one_line(result, 1)
    assert target.read_text() == "the old walkthrough" and [p.name for p in tmp_path.iterdir()] == ["w.json"]


def test_no_permission_is_one_line(tmp_path):
    if os.geteuid() == 0:  # root may write any ordinary folder; sysfs refuses even root a new file
        folder = Path("/sys")
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
    before = sorted(os.listdir(folder))
    assert "Permission denied" in one_line(tool("show", LECTURE, "-o", str(folder / "w.md")), 1)
    assert sorted(os.listdir(folder)) == before


# --- interrupts -----------------------------------------------------------------------------

def writing(target: Path) -> subprocess.Popen:
    """A `show -o target` of a 100 MB document (seconds of writing), once its temporary file exists."""
    text = " ".join(f"t{i % 400}" for i in range(1000))
    process = subprocess.Popen([*TOOL, "show", "-", "-o", str(target)], stdin=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=ENV)
    process.stdin.write(text.encode())
    process.stdin.close()
    deadline = time.monotonic() + PATIENCE
    while not any(p.name.endswith(".part") for p in target.parent.iterdir()):
        assert time.monotonic() < deadline and process.poll() is None, "no temporary file appeared"
        time.sleep(0.002)
    return process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_a_write_leaves_the_old_file_and_no_temporary_one(tmp_path, signum):
    target = tmp_path / "w.json"
    target.write_text("the old walkthrough")
    process = writing(target)
    process.send_signal(signum)
    assert process.wait(timeout=PATIENCE) == 128 + signum
    err = process.stderr.read().decode()
    assert err.count("\n") == 1 and signal.Signals(signum).name in err and "Traceback" not in err
    assert target.read_text() == "the old walkthrough" and [p.name for p in tmp_path.iterdir()] == ["w.json"]


@pytest.mark.parametrize("pause", [0.0, 0.01])
def test_signals_in_quick_succession_leave_no_temporary_file(tmp_path, pause):
    target = tmp_path / "w.json"
    process = writing(target)
    for signum in (signal.SIGINT, signal.SIGINT, signal.SIGTERM):  # kill -INT; kill -INT; kill -TERM
        process.send_signal(signum)
        time.sleep(pause)
    # whichever the process met first stops it (signals pending together may be taken in any order); the
    # others do nothing, and it says so in one line
    assert process.wait(timeout=PATIENCE) in (128 + signal.SIGINT, 128 + signal.SIGTERM)
    assert process.stderr.read().decode().count("\n") == 1 and list(tmp_path.iterdir()) == []


# --- streams and encodings ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [["show", LECTURE], ["show", LECTURE, "--format", "json"],
                                  ["bench", "--trials", "2"], ["weights", LECTURE]])
def test_a_full_standard_output_is_one_line(args):
    with open("/dev/full", "wb") as full:
        err = one_line(tool(*args, stdout=full), 1)
    assert "No space left on device" in err


def test_closed_standard_input_is_a_usage_error():
    result = subprocess.run([*TOOL, "show", "-"], stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=ENV,
                            pass_fds=(), close_fds=True, preexec_fn=lambda: os.close(0))
    assert "standard input is closed" in one_line(result, 2)


def test_closed_standard_output_is_one_line():
    result = subprocess.run([*TOOL, "show", LECTURE], stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ENV,
                            preexec_fn=lambda: os.close(1))
    assert "standard output is closed" in one_line(result, 1)


def test_an_output_encoding_that_cannot_show_the_table_is_named_in_one_line():
    err = one_line(tool("show", "a b a", env={"PYTHONIOENCODING": "latin-1"}), 1)
    assert ("latin-1" in err or "8859-1" in err) and "PYTHONIOENCODING=utf-8" in err


def test_json_on_a_latin_1_output_escapes_what_latin_1_cannot_hold():
    result = tool("show", "猫 é 🐈 猫", "--format", "json", env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0 and result.stderr == b""
    assert json.loads(result.stdout.decode("latin-1"))["tokens"] == ["猫", "é", "🐈", "猫"]


def test_a_closed_pipe_ends_quietly_with_sigpipes_status():
    text = " ".join(f"t{i % 50}" for i in range(400))
    shell = subprocess.run(f"{sys.executable} -c 'from induction_demo.cli import main; main()' show '{text}' "
                           "--format json | head -c 10 >/dev/null; echo ${PIPESTATUS[0]}",
                           shell=True, executable="/bin/bash", capture_output=True, env=ENV)
    assert shell.stdout.decode().strip() == "141" and shell.stderr == b""


# --- bounded memory and time ---------------------------------------------------------------------

@pytest.mark.parametrize("source", ["yes a", "cat /dev/zero"])
def test_endless_standard_input_is_refused_after_a_bounded_read(source):
    shell = subprocess.run(f"{source} | {sys.executable} -c 'from induction_demo.cli import main; main()' show -",
                           shell=True, executable="/bin/bash", capture_output=True, env=ENV, timeout=PATIENCE)
    assert shell.returncode == 2 and shell.stderr.count(b"\n") == 1 and b"1 MiB" in shell.stderr  # (it ended)


def test_a_token_longer_than_the_limit_is_refused_and_a_long_one_is_elided():
    err = one_line(tool("show", "a " + "x" * 101), 2)
    assert "101 characters" in err and "100" in err
    out = tool("show", " ".join(["x" * 100, "y" * 100] * 3)).stdout.decode()
    assert "x" * 24 not in out and "x" * 23 + "…" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_full_refuses_what_it_could_not_show_in_bounded_memory():
    text = " ".join(f"w{i}" for i in range(201))
    assert "--full shows every cell" in one_line(tool("show", text, "--full"), 2)
    assert "--full shows every cell" in one_line(tool("weights", text, "--full"), 2)


def test_a_bench_at_a_large_vocabulary_runs_in_little_memory():
    # This ran out of memory allocating a (1999, 14000) array before the model computed by blocks.
    result = tool("bench", "--vocab", "5000", "--length", "999", "--trials", "1", "--format", "json")
    assert result.returncode == 0 and strict(result.stdout)["later_copies"]["queries"] == 998


def test_a_bench_too_large_to_finish_is_refused_up_front():
    assert "use fewer --trials" in one_line(tool("bench", "--length", "1024", "--trials", "100"), 2)


# --- numbers -----------------------------------------------------------------------------------

def strict(text: bytes) -> dict:
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_bench_json_is_strict_at_a_low_temperature_and_refuses_a_length_of_one():
    doc = strict(tool("bench", "--temperature", "0.001", "--trials", "2", "--format", "json").stdout)
    assert doc["later_copies"]["loss"] >= 0 and doc["first_copies"]["loss"] > 0
    assert "--length must be at least 2" in one_line(tool("bench", "--length", "1", "--format", "json"), 2)


def test_a_figure_too_large_for_a_float_is_null_with_its_reason():
    doc = strict(tool("bench", "--temperature", "1e-320", "--trials", "2", "--format", "json").stdout)
    assert doc["first_copies"]["loss"] is None and "first_copies.loss" in doc["undefined"]


@pytest.mark.parametrize("args", [["show", LECTURE, "--temperature", "1e-320"], ["show", LECTURE, "--scale", "1e308"],
                                  ["bench", "--temperature", "1e-320", "--trials", "1"]])
def test_no_warning_reaches_stderr_for_an_accepted_input(args):
    result = tool(*args)
    assert result.returncode == 0 and result.stderr == b""


def test_png_with_characters_its_font_lacks_warns_nothing(tmp_path):
    pytest.importorskip("matplotlib")
    result = tool("show", "猫 🐈 " + "x" * 100 + " 猫", "-o", str(tmp_path / "a.png"))
    assert result.returncode == 0 and result.stderr.decode().startswith("wrote ")
    assert result.stderr.count(b"\n") == 1  # only the confirmation


@pytest.mark.parametrize("args, shown", [
    (["--scale", "0.01"], "scale s = 0.01,"), (["--scale", "1e308"], "scale s = 1e+308,"),
    (["--temperature", "0.001"], "temperature T = 0.001"), (["--scale", "2"], "scale s = 2.0,"),
])
def test_settings_are_shown_so_that_they_read_back_as_given(args, shown):
    assert shown in tool("show", LECTURE, *args).stdout.decode()


# --- input text ----------------------------------------------------------------------------------

def test_a_byte_order_mark_is_not_part_of_the_first_token():
    result = tool("show", "-", "--format", "json", stdin=None, input=b"\xef\xbb\xbf! a b a c b\n")
    assert strict(result.stdout)["tokens"] == LECTURE.split()


def test_tokens_are_normalised_to_nfc_unless_kept_as_typed():
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    doc = strict(tool("show", f"{composed} {decomposed}", "--format", "json").stdout)
    assert doc["tokens"] == [composed, composed] and doc["vocab"] == [composed]
    doc = strict(tool("show", f"{composed} {decomposed}", "--format", "json", "--as-typed").stdout)
    assert doc["tokens"] == [composed, decomposed]


# --- the word-vector reader: bounded lines, bounded files, extreme numbers ---------------------------------------

def _limited(limit_bytes: int):
    def limit():  # (the measuring parent is small: the limit binds the command it runs)
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return limit


MEASURED = ("import resource, subprocess, sys; "
            "p = subprocess.run(sys.argv[1:], capture_output=True); "
            "sys.stdout.write(str(p.returncode) + '\\n' + str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            " + '\\n' + p.stdout.decode()); sys.stderr.write(p.stderr.decode())")


def measured(*args: str) -> tuple[int, float, str, str]:
    """Exit status, peak resident MiB (the child's own, by resource), stdout and stderr of one CLI process,
    run under a 200 MB address-space limit (resource.setrlimit, as `ulimit -v 204800`)."""
    done = subprocess.run([sys.executable, "-c", MEASURED, sys.executable, "-c",
                           "from induction_demo.cli import main; main()", *args],
                          capture_output=True, env=ENV, timeout=PATIENCE, preexec_fn=_limited(200 << 20))
    status, peak, out = done.stdout.decode().split("\n", 2)
    return int(status), int(peak) / 1024, out, done.stderr.decode()


@pytest.mark.parametrize("make", ["dev-zero", "one-line"])
def test_a_vector_file_without_a_newline_is_refused_in_bounded_memory(tmp_path, make):
    path = "/dev/zero" if make == "dev-zero" else str(tmp_path / "line.txt")
    if make == "one-line":
        (tmp_path / "line.txt").write_text("the " + " 0.5" * 750_000)  # a 3 MB single line
    status, peak, out, err = measured("show", "the cat the cat", "--embeddings", path)
    assert status == 2 and err.count("\n") == 1 and "line 1: longer than 256 KiB" in err and out == ""
    assert peak < 200


@pytest.mark.parametrize("values", [("1e308", "1e308", "-1e308", "1e308", "1e308", "1e308"),
                                    ("5e-324", "1e-323", "0", "1e-323", "1e-323", "1e-323")])
def test_extreme_vectors_give_exact_cosines_and_no_warning(tmp_path, values):
    # Each row is scaled by its largest magnitude before its norm: nothing overflows or vanishes.
    path = tmp_path / "vectors.txt"
    path.write_text(f"the {' '.join(values[:3])}\ncat {' '.join(values[3:])}\n")
    status, peak, out, err = measured("show", "the cat the cat", "--embeddings", str(path), "--format", "json")
    assert status == 0 and err == "" and peak < 200
    doc = json.loads(out)
    story = " ".join(s["text"] for s in doc["story"]["2"])
    assert "Warning" not in err
    expected = {"1e308": 1 / 3, "5e-324": (0.5 + 1) / (math.sqrt(1.25) * math.sqrt(3))}[values[0]]
    from induction_demo.core.runs import run
    from induction_demo.core.similar import read_vectors
    from induction_demo.core.weights import Construction

    trace = run(("the", "cat"), construction=Construction(similar=read_vectors(str(path), {"the", "cat"})))
    assert trace.words.cosine(0, 1) == pytest.approx(expected, rel=1e-12)
    assert "nothing to look back to" in story


def test_an_endless_vector_stream_is_refused_at_the_file_bound(monkeypatch):
    from induction_demo.core import similar
    from induction_demo.base.errors import InputError

    class Endless:  # a FIFO or device that never ends, one good row after another
        def readline(self, limit=-1):
            return b"w 0.5 0.5\n"

    monkeypatch.setattr(similar, "MAX_VECTOR_FILE_BYTES", 10_000)
    with pytest.raises(InputError, match="more than 0 GiB read"):
        similar.read_vectors("endless", {"w"}, stream=Endless())


def test_ctrl_c_stops_a_read_of_a_vector_fifo(tmp_path):
    fifo = tmp_path / "vectors"
    os.mkfifo(fifo)
    process = subprocess.Popen([sys.executable, "-c", "from induction_demo.cli import main; main()", "show",
                                "the cat", "--embeddings", str(fifo)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=ENV)
    writer = os.open(fifo, os.O_WRONLY)  # the reader has opened it and waits for a line that never comes
    try:
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=PATIENCE)
    finally:
        os.close(writer)
    assert process.returncode == 128 + signal.SIGINT and out == b""
    assert err.decode().count("\n") == 1 and "Interrupted by SIGINT" in err.decode()


@pytest.mark.parametrize("args", [["--format", "html", "--full"], ["--format", "markdown", "--full"],
                                  ["--format", "svg"], [], ["--color"]])
def test_every_format_into_a_closed_pipe_ends_quietly_with_sigpipes_status(args):
    # more than a pipe holds (64 KB): the table's window needs 1000 tokens, a document 60 (every matrix)
    text = " ".join(f"w{i % 50}" for i in range(1000 if args in ([], ["--color"]) else 60))
    command = " ".join([f"{sys.executable} -c 'from induction_demo.cli import main; main()' show '{text}'", *args])
    shell = subprocess.run(f"{command} | head -n 1 >/dev/null; echo ${{PIPESTATUS[0]}}", shell=True,
                           executable="/bin/bash", capture_output=True, env=ENV)
    assert shell.stdout.decode().strip() == "141" and shell.stderr == b""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["show", "--help"], []])
def test_help_into_a_full_stream_is_one_line(args):
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-c", "from induction_demo.cli import main; main()", *args],
                              stdout=full, stderr=subprocess.PIPE, env=ENV)
    assert done.returncode == 1
    assert done.stderr.decode() == "Error: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("args, refused", [
    (["weights", LECTURE, "--scale", "1e308", "--format", "json"], "textbook form"),
    (["weights", LECTURE, "--scale", "1e308", "--factored"], "textbook form"),
    (["positions", LECTURE, "--scale", "1.797e308", "--frequencies", "1"], "logits overflow"),
    (["show", LECTURE, "--context", "4", "--scale", "1e308"], "weighs the query's own token 4 s"),
    (["show", LECTURE, "--positions", "rope", "--frequencies", "1", "--scale", "1e308"], None),
    (["show", LECTURE, "--positions", "sinusoidal", "--frequencies", "1", "--scale", "1e308", "--format", "json"], None),
    (["circuits", LECTURE, "--scale", "1e308", "--format", "json"], None),
])
def test_extreme_scales_are_refused_before_any_output_or_run_without_a_warning(args, refused):
    done = tool(*args)
    if refused:  # one line, exit 2, nothing on standard output
        assert done.returncode == 2 and done.stdout == b"" and refused in done.stderr.decode()
        assert done.stderr.decode().count("\n") == 1
    else:
        assert done.returncode == 0 and done.stderr == b""
        if "json" in args:
            strict(done.stdout)


def test_a_written_file_name_with_a_newline_is_said_on_one_line(tmp_path):
    done = tool("show", LECTURE, "-o", str(tmp_path / "a\nb.txt"))
    assert done.returncode == 0 and done.stderr.decode().count("\n") == 1 and "a\\nb.txt" in done.stderr.decode()


def test_a_png_to_a_terminal_is_refused():
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-c", "from induction_demo.cli import main; main()", "show", LECTURE,
                               "-o", "-", "--format", "png"], stdout=follower, stderr=subprocess.PIPE, env=ENV,
                              timeout=PATIENCE)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and "png is an image" in done.stderr.decode()


def test_a_long_name_of_wide_characters_is_written(tmp_path):
    name = "猫" * 80 + ".json"  # 245 bytes: its temporary name must be cut by bytes, not characters
    done = tool("show", LECTURE, "-o", str(tmp_path / name))
    assert done.returncode == 0 and (tmp_path / name).exists() and not list(tmp_path.glob(".*.part"))


def test_a_bench_trial_with_many_heads_is_refused_past_its_memory_and_runs_below_it():
    refused = tool("bench", "--context", "4", "--skip", "16", "--vocab", "5000", "--length", "2047", "--trials", "1")
    assert refused.returncode == 2 and b"at most 2681 tokens" in refused.stderr and refused.stdout == b""
    # a trial it takes runs under a 2 GB address-space limit (as `ulimit -v 2097152`; the largest, 2681 tokens,
    # is measured by benchmarks/limits.py: it takes 8 s)
    done = subprocess.run([sys.executable, "-c", "from induction_demo.cli import main; main()", "bench", "--context",
                           "4", "--skip", "16", "--vocab", "5000", "--length", "700", "--trials", "1", "--format",
                           "json"], capture_output=True, env=ENV, preexec_fn=_limited(2 << 30), timeout=PATIENCE)
    assert done.returncode == 0, done.stderr.decode()[-300:]
    assert strict(done.stdout)["later_copies"]["queries"] > 0


def test_a_folder_moved_during_a_write_keeps_no_temporary_file(tmp_path):
    folder, moved = tmp_path / "d", tmp_path / "e"
    folder.mkdir()
    process = writing(folder / "w.json")
    folder.rename(moved)
    assert process.wait(timeout=PATIENCE) == 1
    err = process.stderr.read().decode()
    assert err.count("\n") == 1 and "was moved while the file was written" in err
    assert list(moved.iterdir()) == [] and not folder.exists()


def test_positions_on_the_largest_input_shows_a_window_in_bounded_memory():
    text = " ".join(f"{i:04d}" + "x" * 96 for i in range(1000))  # 1000 distinct 100-character tokens
    done = subprocess.run([*TOOL, "positions", "-"], input=text.encode(), capture_output=True, env=ENV,
                          preexec_fn=_limited(2 << 30), timeout=PATIENCE)
    assert done.returncode == 0 and done.stderr == b""
    out = done.stdout.decode()
    assert "⋮" in out and max(len(line) for line in out.splitlines()) <= 120


def test_weights_json_with_seven_heads_on_the_largest_input_stays_small():
    # W^Q alone would be d x d_k = 16000 x 16384 floats; past d = 120 the document carries none of them
    text = " ".join(f"{i:04d}" + "x" * 96 for i in range(1000))
    done = subprocess.run([*TOOL, "weights", "-", "--format", "json", "--context", "4", "--skip", "16"],
                          input=text.encode(), capture_output=True, env=ENV, preexec_fn=_limited(2 << 30),
                          timeout=PATIENCE)
    assert done.returncode == 0 and done.stderr == b""
    doc = strict(done.stdout)
    assert doc["layers"][1]["heads"][0]["textbook"]["d_k"] == 16384
    assert doc["layers"][1]["heads"][0]["textbook"]["W_Q"] is None


def test_similar_words_on_many_tokens_windows_the_features_too():
    # the token block holds hundreds of trigrams: a window shows those its positions' tokens use, not all of
    # them (benchmarks/limits.py runs 1000 tokens: 7.7 s, 520 MB)
    text = " ".join(f"w{i}" for i in range(400))
    done = subprocess.run([*TOOL, "show", "-", "--similar", "subword"], input=text.encode(), capture_output=True,
                          env=ENV, preexec_fn=_limited(2 << 30), timeout=PATIENCE)
    assert done.returncode == 0 and done.stderr == b"" and "[window:" in done.stdout.decode()


LONG_TOKENS = " ".join(f"{i:04d}" + "x" * 96 for i in range(1000))  # 1000 distinct 100-character tokens


@pytest.mark.parametrize("variant", [(), ("--context", "4", "--skip", "16")])
def test_the_textbook_form_of_the_largest_input_is_a_window_in_bounded_memory(variant):
    # W^Q, W^K, W^V and W^O are built as their nonzero entries, and a window makes only its cells (it made
    # every d x d_k cell: 6.1 GB, and a MemoryError under 2 GB)
    done = subprocess.run([*TOOL, "weights", "-", "--factored", "--width", "100", *variant],
                          input=LONG_TOKENS.encode(), capture_output=True, env=ENV, preexec_fn=_limited(2 << 30),
                          timeout=PATIENCE)
    assert done.returncode == 0 and done.stderr == b""
    out = done.stdout.decode()
    assert "[window:" in out and "To see everything: --full, or write a handout: -o weights.html" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 100
    assert out.count("\nW^Q, ") == out.count("\nW^K, ") == (8 if variant else 2)


def test_the_textbook_form_windowed_is_the_whole_form_cut_to_the_shown_directions():
    import numpy as np

    from induction_demo.core import factored
    from induction_demo.core.runs import run
    from induction_demo.views.tables import textbook_matrix, window_directions
    from induction_demo.core.weights import Construction

    trace = run(tuple("the cat sat on the mat and the cat ran".split()), construction=Construction(context=2))
    shown = [8, 9, 1]
    seen = set(window_directions(trace, shown).tolist())
    for layer in trace.layers:
        for run_ in layer.heads:
            f = factored.factor(run_.head, trace.basis)
            dense, d = f.query.dense(), np.arange(trace.basis.d)
            whole = textbook_matrix(trace, "q", ("W^Q",), f.query, d, f.key_directions, str, shown=None,
                                    every_column=True)
            window = textbook_matrix(trace, "q", ("W^Q",), f.query, d, f.key_directions, str, shown=shown,
                                     every_column=True)
            rows = [k for k in range(trace.basis.d) if dense[k].any()]
            cols = [k for k, x in enumerate(f.key_directions.tolist()) if x >= 0]
            assert [[c.value for c in r.cells] for r in whole.rows] == dense[np.ix_(rows, cols)].tolist()
            rows_w = [k for k in rows if k in seen]
            cols_w = [k for k in cols if f.key_directions[k] in seen]
            assert [[c.value for c in r.cells] for r in window.rows] == dense[np.ix_(rows_w, cols_w)].tolist()
            assert window.shown == 3 and len(window.columns) == len(cols_w) < len(cols)


@pytest.fixture(scope="module")
def dense_vectors(tmp_path_factory):
    """A word2vec text file: w0 ... w199, 3000 random dimensions each (d = 2(m + N) = 6400 at 200 tokens)."""
    import numpy as np

    path = tmp_path_factory.mktemp("vectors") / "vectors.txt"
    rows = np.random.default_rng(0).uniform(-1, 1, (200, 3000))
    path.write_text("".join(f"w{i} " + " ".join(f"{x:.3f}" for x in row) + "\n" for i, row in enumerate(rows)))
    return str(path)


@pytest.mark.parametrize("command", ["show", "weights"])
def test_dense_vectors_are_windowed_to_the_screen_features_too(dense_vectors, command):
    # every token uses all 3000 dimensions: a window shows a few of them per token (it drew every one, 3000
    # columns a row, and ran out of memory at 1000 tokens)
    text = " ".join(f"w{i}" for i in range(200))
    done = subprocess.run([*TOOL, command, "-", "--embeddings", dense_vectors, "--width", "80"],
                          input=text.encode(), capture_output=True, env=ENV, preexec_fn=_limited(2 << 30),
                          timeout=PATIENCE)
    assert done.returncode == 0 and done.stderr == b""
    out = done.stdout.decode()
    assert "[window:" in out and max(cell_len(line) for line in out.splitlines()) <= 80
    assert "e1 " in out and "e3000" not in out  # the first features of the shown tokens, then … for the rest


@pytest.mark.parametrize("args", [["show", "--full"], ["weights", "--full", "--factored"],
                                  ["show", "-o", "w.html", "--full"]])
def test_full_and_handouts_refuse_a_stream_wider_than_they_show(dense_vectors, tmp_path, args):
    text = " ".join(f"w{i}" for i in range(200))
    command, *rest = args
    done = subprocess.run([*TOOL, command, "-", "--embeddings", dense_vectors, *rest], input=text.encode(),
                          capture_output=True, env=ENV, cwd=tmp_path, timeout=PATIENCE)
    err = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b"" and err.count("\n") == 1
    assert "at most d = 3200 directions" in err and "d = 2(m + N) = 6400" in err
    assert list(tmp_path.iterdir()) == []


def test_a_focused_handout_of_a_wide_stream_is_written(dense_vectors, tmp_path):
    # past 20 tokens a handout shows no d x d table, so d = 6400 is no reason to refuse it
    text = " ".join(f"w{i}" for i in range(200))
    done = subprocess.run([*TOOL, "show", "-", "--embeddings", dense_vectors, "-o", "w.md"], input=text.encode(),
                          capture_output=True, env=ENV, cwd=tmp_path, timeout=PATIENCE)
    assert done.returncode == 0 and "focused handout for 200 tokens" in (tmp_path / "w.md").read_text()


@pytest.mark.parametrize("command", [["sweep", "--scale", "1,2,5,10,100"], ["show", "--format", "json"]])
def test_dense_vectors_sweep_and_json_run_in_bounded_memory(dense_vectors, command):
    # a sweep runs layer 1 once and only the swept head per scale (it ran the whole model per scale: 177 s
    # at 1000 tokens); JSON is written as it is made
    text = " ".join(f"w{i % 100}" for i in range(200))  # 100 words, twice: something to copy
    done = subprocess.run([*TOOL, command[0], "-", "--embeddings", dense_vectors, *command[1:]],
                          input=text.encode(), capture_output=True, env=ENV, preexec_fn=_limited(2 << 30),
                          timeout=PATIENCE)
    assert done.returncode == 0 and done.stderr == b""
    if command[0] == "show":
        assert strict(done.stdout)["construction"]["similar"]["kind"] == "vectors"
    else:
        assert "closed form" in done.stdout.decode()


@pytest.mark.parametrize("form", ["html", "markdown"])
def test_a_handout_of_every_matrix_is_written_as_it_is_made(form):
    """A 200-token HTML handout of every matrix under --context 4 --skip 16 is 160 MB; made as one list of
    lines and then one string, it took 1.3 GB to write (`python benchmarks/commands.py ".html --full"`). A
    handout now comes a block at a time, none of them near the whole, and the same text as at once."""
    from importlib import import_module

    from induction_demo.base import inputs
    from induction_demo.core.runs import run
    from induction_demo.views import documents, output
    from induction_demo.words.story import story

    trace = run(tuple(f"w{k % 9}" for k in range(60)))
    made = output.produce(trace, form, full=True)
    assert not isinstance(made, str)
    chunks = list(made)
    whole = "".join(chunks)
    assert len(chunks) > 20 and max(map(len, chunks)) < len(whole) / 4  # (the largest: Y^(1), a seventh)
    document = documents.handout(trace, story(trace), None, True, inputs.HANDOUT_WHOLE_D)
    assert whole == import_module(f"induction_demo.views.render.{form}").render(document)
