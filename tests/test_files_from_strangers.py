"""Model files that students and other programs write, crafted to break the
reader; check's verdicts on broken models; train's divergence and paths; the
Python API as strict as the command line (issue 26). Each runs the tool as a
real process under a 2 GB address-space limit (setrlimit, as `ulimit -v`):
one line on stderr, the exit status, never a traceback, never gigabytes."""
from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cli_runner import PATIENCE

TOOL = [sys.executable, "-c", "from induction_demo.cli import main; main()"]
ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "PYTHONIOENCODING")}
LIMIT = 2 << 30


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def tool(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([*TOOL, *args], capture_output=True, env=ENV, preexec_fn=_limited, timeout=PATIENCE,
                          stdin=subprocess.DEVNULL, **options)


def refused(result: subprocess.CompletedProcess, *words: str, code: int = 2) -> str:
    err = result.stderr.decode()
    assert result.returncode == code, (result.returncode, err[-500:])
    assert err.count("\n") == 1 and "Traceback" not in err, err[-500:]
    for w in words:
        assert w in err, err
    return err


def lecture_arrays() -> dict:
    from induction_demo.core import modelfile
    from induction_demo.core.runs import run

    return modelfile.arrays(run(("!", "a", "b", "a", "c", "b")))


def npz(path: Path, arrays: dict) -> Path:
    np.savez(path, **arrays)
    return path


def as_json(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def lecture_json(**changes) -> str:
    doc = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in lecture_arrays().items()}
    doc.update(changes)
    return json.dumps(doc)


COMMANDS = [("check",), ("show", "! a b"), ("weights", "! a b"), ("circuits", "! a b")]


def every_command(path: Path, *words: str, every: bool = False) -> None:
    """check and show --model refuse the file in one line (with ``every``: also weights, circuits and
    idm.run(model=), which read it through the same loader)."""
    for command in COMMANDS if every else COMMANDS[:2]:
        args = [command[0], *command[1:]] + (["--model", str(path)] if command[0] != "check" else [str(path)])
        refused(tool(*args), *words)
    if not every:
        return
    api = subprocess.run([sys.executable, "-c", (
        "import sys, induction_demo as idm\n"
        "try:\n    idm.run('! a b', model=sys.argv[1])\n"
        "except idm.InputError as e:\n    print(e, file=sys.stderr); sys.exit(2)\n"), str(path)],
        capture_output=True, env=ENV, preexec_fn=_limited, timeout=PATIENCE)
    refused(api, *words)


# --- 1. n_positions that is no whole number ---------------------------------------

@pytest.mark.parametrize("value", ["inf", "1e999", "NaN", "6.9", "6.5", '"6"', "6.0", "true"])
def test_an_n_positions_that_is_no_whole_number_is_refused_everywhere(tmp_path, value):
    path = as_json(tmp_path / "m.json", lecture_json().replace('"n_positions": 6', f'"n_positions": {value}'))
    every_command(path, "n_positions" if value not in ("NaN",) else "NaN", every=value in ("inf", "1e999", "NaN"))


@pytest.mark.parametrize("key", ["n_positions", "A1.0"])
def test_a_whole_number_past_any_float_is_refused_in_words_a_user_can_act_on(tmp_path, key):
    """A JSON whole number of 5001 digits met Python's own limit: "use sys.set_int_max_str_digits() to
    increase the limit", advice for a programmer, not for the file's author."""
    doc = json.loads(lecture_json())
    huge = "1" + "0" * 5000
    if key == "A1.0":
        doc["A1.0"][0][0] = 7
    text = json.dumps(doc).replace('"n_positions": 6', f'"n_positions": {huge}') if key == "n_positions" else \
        json.dumps(doc).replace("[[7", f"[[{huge}", 1)
    path = as_json(tmp_path / "m.json", text)
    every_command(path, "a whole number of 5001 digits, past the largest float")


@pytest.mark.parametrize("content, words", [
    (b"", "empty: a model file is a JSON object (check --template FILE.json writes one to fill in)"),
    (b'{"vocab": ["a",], }', "not JSON: expecting value at line 1, column 16"),
    ("{}".encode("utf-16"), "not UTF-8 text (byte 0xff at offset 0): save it as UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "lists nested deeper than a model file's (a matrix is a list of rows)")])
def test_a_file_that_is_not_json_is_refused_in_words_its_author_can_act_on(tmp_path, content, words):
    """They said "Expecting value: line 1 column 1 (char 0)", "'utf-8' codec can't decode byte 0xff in
    position 0: invalid start byte" and "maximum recursion depth exceeded while decoding a JSON array from a
    unicode string"."""
    from cli_runner import invoke, one_line_error

    (tmp_path / "m.json").write_bytes(content)
    for args in (["check", str(tmp_path / "m.json")], ["show", "! a b", "--model", str(tmp_path / "m.json")]):
        assert one_line_error(invoke(args), 2) == f"Error: {tmp_path / 'm.json'}: {words} " \
            f"(see 'induction-demo {args[0]} --help')"


def test_a_model_file_is_read_by_what_it_holds_not_by_its_name(tmp_path):
    """An .npz named .json (`weights -o w.json --format npz`, or a file renamed) was refused as "not UTF-8 text
    (byte 0xe4 at offset 14)", and a JSON model named .npz as "not an .npz ... nor a .json model file"; a zip
    is now read as an .npz and text opening with { as JSON, whatever the name."""
    from cli_runner import invoke

    zipped, text = tmp_path / "zipped.json", tmp_path / "text.npz"
    assert invoke(["weights", "! a b a c b", "--format", "npz", "-o", str(zipped)]).exit_code == 0
    text.write_text(lecture_json())
    for path in (zipped, text):
        assert invoke(["check", str(path)]).exit_code == 0
        assert invoke(["show", "! a b a", "--model", str(path), "--format", "json"]).exit_code == 0
    (tmp_path / "neither.npz").write_text("hello")
    assert "not an .npz (a zip of .npy arrays) nor a .json model file" in invoke(
        ["check", str(tmp_path / "neither.npz")]).output


@pytest.mark.parametrize("command", [["weights", "! a b a c b", "--context", "2"], ["show", "! a b a c b"]])
def test_the_tool_s_own_json_view_is_refused_as_a_model_file_with_the_command_that_writes_one(tmp_path, command):
    """`weights TOKENS -o model.json` writes the JSON view (kind "weights", its heads in blocks), not a model
    file; read back by `check` or `--model` it was refused with "no key n_positions", as if half-written."""
    from cli_runner import invoke, one_line_error

    path = tmp_path / "model.json"
    assert invoke([*command, "-o", str(path)]).exit_code == 0
    for args in (["check", str(path)], ["show", "! a b", "--model", str(path)]):
        assert one_line_error(invoke(args), 2) == (
            f"Error: {path}: the JSON view `{command[0]} --format json` writes, not a model file: `weights TOKENS -o "
            f"FILE.npz` writes one, `check --template FILE.json` one to fill in (see 'induction-demo {args[0]} --help')")


@pytest.mark.parametrize("value", [np.inf, np.nan, 6.0, 6.5, "6"])
def test_an_npz_n_positions_of_another_type_is_refused(tmp_path, value):
    arrays = lecture_arrays()
    arrays["n_positions"] = np.array(value)
    every_command(npz(tmp_path / "m.npz", arrays), "n_positions")


def test_a_duplicate_key_is_refused(tmp_path):
    text = lecture_json()
    path = as_json(tmp_path / "m.json", text[:-1] + ', "n_positions": 1e999}')
    every_command(path, "appears twice", every=True)


# --- 2 and 3. headers read before data, decompressed sizes bounded ----------------

def _member(name: str, shape, descr: str = "<f8", data: bytes = b"") -> tuple[str, bytes]:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False, "shape": shape})
    return name + ".npy", header.getvalue() + data


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _with(arrays: dict, **members) -> dict[str, bytes]:
    out = {}
    for key, value in arrays.items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.asarray(value), allow_pickle=False)
        out[key + ".npy"] = buffer.getvalue()
    out.update(dict(m for m in members.values()))
    return out


@pytest.mark.parametrize("key,shape,descr", [("A1.0", (10**6, 10**6), "<f8"), ("vocab", (10**9,), "<U1"),
                                             ("n_positions", (10**11,), "<i8"), ("A1.0", (20000, 20000), "<f8")])
def test_a_header_declaring_a_huge_array_is_refused_unread(tmp_path, key, shape, descr):
    arrays = lecture_arrays()
    path = _zip(tmp_path / "m.npz", _with({k: v for k, v in arrays.items() if k != key},
                                          huge=_member(key, shape, descr, b"\0" * 64)))
    every_command(path, key)


def test_a_zip_that_declares_more_than_a_gib_decompressed_is_refused_unread(tmp_path):
    path = _zip(tmp_path / "m.npz", _with(lecture_arrays()))
    data = bytearray(path.read_bytes())
    # the uncompressed size of every member, in its local header and the central directory, says 3 GB
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset:at + offset + 4] = struct.pack("<I", 3_000_000_000)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    every_command(path, "decompressed", every=True)


# --- 4. corrupt files and numbers past a float ------------------------------------

def test_a_corrupt_npz_is_one_line(tmp_path):
    path = npz(tmp_path / "m.npz", lecture_arrays())
    data = bytearray(path.read_bytes())
    start = data.find(b"A2.npy") + 40  # inside A2's deflated data
    data[start:start + 200] = bytes(200)
    path.write_bytes(bytes(data))
    for command in COMMANDS[:2]:
        args = [command[0], *command[1:]] + (["--model", str(path)] if command[0] != "check" else [str(path)])
        refused(tool(*args), str(path))


def test_a_json_integer_past_a_float_is_one_line(tmp_path):
    doc = json.loads(lecture_json())
    doc["A1.0"][0][0] = 10**400
    every_command(as_json(tmp_path / "m.json", json.dumps(doc)), "past the largest float")


# --- 5. JSON bounded separately ----------------------------------------------------

def test_a_json_file_past_its_limit_is_refused_before_it_is_parsed(tmp_path):
    from induction_demo.core.modelfile import MAX_JSON_BYTES

    path = tmp_path / "m.json"
    path.write_text('{"vocab": [' + ", ".join(['"' + "x" * 90 + '"'] * (MAX_JSON_BYTES // 90 + 10)) + "]}")
    every_command(path, "MiB", "JSON")


def test_a_json_file_just_under_its_limit_finishes_in_bounded_memory(tmp_path):
    from induction_demo.core.modelfile import MAX_JSON_BYTES

    d = 1400  # a flat A1 of 2M entries, about 30 MiB of text, whose vocab is too short for it
    row = "[" + ", ".join(["0.5"] * d) + "]"
    text = lecture_json()[:-1] + ', "A1.0": [' + ", ".join([row] * d) + "]}"
    text = text.replace('"A1.0": [[', '"A0": [[', 1)  # (the lecture's A1 renamed: one A1 key)
    assert len(text) < MAX_JSON_BYTES
    path = as_json(tmp_path / "m.json", text)
    refused(tool("check", str(path)), "A1.0")


# --- 6 and 7. magnitudes ---------------------------------------------------------------

@pytest.mark.parametrize("key,value", [("A1.0", 1e308), ("V2.0", 2.0**1023), ("A2.0", -1e301)])
def test_an_entry_past_the_limit_is_refused_for_every_command(tmp_path, key, value):
    arrays = lecture_arrays()
    arrays[key] = arrays[key].copy()
    arrays[key][0, 0] = value
    every_command(npz(tmp_path / "m.npz", arrays), "at most 1e+300", every=key == "A1.0")


def test_large_finite_entries_give_numbers_never_nan(tmp_path):
    arrays = lecture_arrays()
    arrays["V2.0"] = arrays["V2.0"] * 1e200
    path = npz(tmp_path / "m.npz", arrays)
    for args in (["show", "! a b a c b", "--model", str(path)], ["circuits", "! a b a c b", "--model", str(path)],
                 ["show", "! a b a c b", "--model", str(path), "--format", "json"]):
        result = tool(*args)
        out = result.stdout.decode()
        assert result.returncode == 0, result.stderr.decode()[-300:]
        assert "nan" not in out.lower().replace("nanc", ""), [l for l in out.splitlines() if "nan" in l.lower()][:3]


# --- 8 and 9. no silent conversions ------------------------------------------------

@pytest.mark.parametrize("vocab,words", [('["!", "\\ud800", "b"]', "lone surrogate"), ('["!", 1, "b"]', "strings"),
                                         ('["!", true, "b"]', "strings"), ('["!", null, "b"]', "strings"),
                                         ('["!", "a b", "c"]', "whitespace")])
def test_a_json_vocabulary_of_anything_but_tokens_is_refused(tmp_path, vocab, words):
    text = lecture_json()
    start = text.index('"vocab": [')
    end = text.index("]", start) + 1
    path = as_json(tmp_path / "m.json", text[:start] + '"vocab": ' + vocab + text[end:])
    every_command(path, words)


@pytest.mark.parametrize("change,words", [
    (lambda a: {**a, "A1.0": a["A1.0"].astype(complex)}, "complex"),
    (lambda a: {**a, "A1.0": a["A1.0"].astype(str)}, "<U"),
    (lambda a: {**a, "A1.0": a["A1.0"].astype("datetime64[s]")}, "datetime"),
    (lambda a: {**a, "A2.0": a["A2.0"].astype(bool)}, "bool"),
    (lambda a: {**a, "vocab": np.array([t.encode() for t in a["vocab"]])}, "vocab"),
])
def test_an_npz_array_of_another_type_is_refused(tmp_path, change, words):
    every_command(npz(tmp_path / "m.npz", change(lecture_arrays())), words)


def test_a_json_matrix_of_booleans_or_strings_is_refused(tmp_path):
    doc = json.loads(lecture_json())
    for bad in (True, "1", None):
        doc["A1.0"][0][0] = bad
        every_command(as_json(tmp_path / "m.json", json.dumps(doc)), "not a number")


# --- 10. permission denied --------------------------------------------------------

DENIED = """
import builtins, sys
real, path = builtins.open, sys.argv.pop(1)
def denying(file, *args, **kwargs):  # root may read a mode-000 file: the kernel's answer to anyone else
    if str(file) == path:
        raise PermissionError(13, "Permission denied", path)
    return real(file, *args, **kwargs)
builtins.open = denying
from induction_demo.cli import main; main()
"""


def test_a_file_it_may_not_read_is_permission_denied(tmp_path):
    path = npz(tmp_path / "m.npz", lecture_arrays())
    os.chmod(path, 0)
    command = [*TOOL, "check", str(path)] if os.geteuid() != 0 else \
        [sys.executable, "-c", DENIED, str(path), "check", str(path)]
    result = subprocess.run(command, capture_output=True, env=ENV, preexec_fn=_limited, timeout=PATIENCE)
    refused(result, "permission denied")


# --- 11 to 14. check never passes a broken model -----------------------------------

def _model(v: int, n: int, layer1_until: int | None = None) -> dict:
    from induction_demo.core import modelfile
    from induction_demo.core.weights import induction_head, previous_token_head
    from induction_demo.core.basis import Basis, BLOCKS
    from induction_demo.core.weights import Construction

    vocab = tuple(f"t{i}" for i in range(v))
    basis = Basis(vocab, n, Construction().subspaces)
    arrays = modelfile.of_heads((previous_token_head(100.0), induction_head(100.0)), basis, "strict").arrays()
    if layer1_until is not None:  # layer 1 zeroed from @layer1_until on: those queries attend evenly
        a1 = arrays["A1.0"].copy()
        a1[v + layer1_until:v + n] = 0.0
        arrays["A1.0"] = a1
    del BLOCKS
    return arrays


@pytest.mark.parametrize("n", [1, 2])
def test_a_model_too_small_to_test_is_refused_with_its_reason(tmp_path, n):
    path = npz(tmp_path / "m.npz", _model(3, n))
    refused(tool("check", str(path)), "check needs at least 3")
    result = tool("check", str(path), "--format", "json")
    refused(result, "check needs at least 3")
    doc = json.loads(result.stdout)
    assert doc["score"] == 0 and "check needs at least 3" in doc["output"]


def test_every_position_the_file_declares_is_tested(tmp_path):
    path = npz(tmp_path / "m.npz", _model(6, 64, layer1_until=24))
    result = tool("check", str(path))
    assert result.returncode == 1, result.stdout.decode()
    assert "layer 1: the previous token: FAIL" in result.stdout.decode()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_one_broken_token_of_300_fails_on_every_seed(tmp_path, seed):
    arrays = _model(300, 24)
    v2 = arrays["V2.0"].copy()
    v2[7, :] = 0.0
    v2[7, 8] = 1.0  # t7 is copied as t8
    arrays["V2.0"] = v2
    result = tool("check", str(npz(tmp_path / "m.npz", arrays)), "--seed", str(seed))
    assert result.returncode == 1 and "the prediction: FAIL" in result.stdout.decode(), result.stdout.decode()[-400:]


def test_check_json_on_what_is_not_a_model_still_writes_a_score(tmp_path):
    path = tmp_path / "x.npz"
    path.write_text("hello")
    result = tool("check", str(path), "--format", "json")
    err = refused(result, "not an .npz")
    doc = json.loads(result.stdout)
    assert doc["score"] == 0 and doc["max_score"] == 4 and doc["output"] == err.strip().removeprefix("Error: ").split(
        " (see")[0]
    assert [t["score"] for t in doc["tests"]] == [0, 0, 0, 0]


# --- 15 and 16. train --------------------------------------------------------------

def test_a_diverging_run_says_where_saves_nothing_and_exits_1(tmp_path):
    path = tmp_path / "wd.npz"
    result = tool("train", "--lr", "10", "--weight-decay", "10", "--steps", "60", "--save", str(path))
    refused(result, "diverged at step", code=1)
    assert not path.exists() and b"RuntimeWarning" not in result.stderr


@pytest.mark.parametrize("option", ["--save", "-o"])
def test_a_bad_path_is_refused_before_the_first_step(tmp_path, option):
    # 200000 steps would take minutes: the refusal comes before any of them (the process ends at once)
    target = str(tmp_path / "no-such-folder" / ("m.npz" if option == "--save" else "r.json"))
    result = tool("train", "--steps", "9000", option, target)
    refused(result, "does not exist", code=1)
    assert b"step" not in result.stderr


# --- 17 to 19. the Python API ------------------------------------------------------

API = """
import sys, numpy as np, induction_demo as idm
calls = {
    "4096 tokens": lambda: idm.run(" ".join(["a"] * 4096)),
    "4096 listed": lambda: idm.run(["a"] * 4096, context=4, skip=16),
    "a space": lambda: idm.run(["a b", "c", "a b"]),
    "empty": lambda: idm.run(["a", "", "a"]),
    "a newline inside": lambda: idm.run(["a", "b\\nc", "a"]),
    "seed -1": lambda: idm.check(sys.argv[1], seed=-1),
    "seed x": lambda: idm.check(sys.argv[1], seed="x"),
    "seed 1.5": lambda: idm.check(sys.argv[1], seed=1.5),
    "seed 10**100": lambda: idm.check(sys.argv[1], seed=10**100),
    "train seed -1": lambda: idm.train(seed=-1),
    "train steps 1.5": lambda: idm.train(steps=1.5),
    "scale array": lambda: idm.run("a b a", scale=np.array([1.0, 2.0])),
    "format list": lambda: idm.run("a b a").handout(["md"]),
    "save refused": lambda: idm.train(steps=2, vocab=3, length=6).save(sys.argv[2]),
}
for name, call in calls.items():
    try:
        call()
        print(name, "accepted")
    except idm.InputError as e:
        assert isinstance(e, ValueError) and "\\n" not in str(e)
        print(name, "refused")
    except BaseException as e:
        print(name, "raw", type(e).__name__)
"""


def test_every_public_function_raises_the_one_exported_error(tmp_path):
    path = npz(tmp_path / "m.npz", lecture_arrays())
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = subprocess.run([sys.executable, "-c", API, str(path), str(folder)], capture_output=True, env=ENV,
                            preexec_fn=_limited, timeout=PATIENCE)
    lines = result.stdout.decode().splitlines()
    assert result.returncode == 0, result.stderr.decode()[-500:]
    assert lines and all(line.endswith(" refused") for line in lines), lines
