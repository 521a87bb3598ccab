"""Golden tests: every folder under cases/ is one CLI line and its expected outputs.

    cases/<name>/args.txt        the arguments after `induction-demo`, shell-quoted
    cases/<name>/stdin.txt       (optional) standard input
    cases/<name>/expected.<ext>  the output with that format (txt: the table view;
                                 json, md, tex, html, svg: --format json, markdown, ...)

A mismatch writes expected.obtained.<ext> beside the golden and fails with a
unified diff. `pytest tests/test_golden.py --update-goldens` rewrites the
goldens (and writes expected.txt, plus expected.json for a `show` case, for a new case);
read `git diff cases/` before committing.
"""
from __future__ import annotations

import difflib
import shlex
from pathlib import Path

import pytest

from cli_runner import invoke

CASES = Path(__file__).resolve().parent.parent / "cases"
FORMAT_ARGS = {"txt": [], "json": ["--format", "json"], "md": ["--format", "markdown"],
               "tex": ["--format", "latex"], "html": ["--format", "html"], "svg": ["--format", "svg"]}
CASE_FILES = {"args.txt", "stdin.txt"}


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def expected_files(case: Path) -> list[Path]:
    return sorted(p for p in case.iterdir() if p.name.startswith("expected.") and ".obtained." not in p.name)


def golden_params():
    for case in case_dirs():
        files = expected_files(case)
        if not files and (case / "args.txt").exists():  # a new case: --update-goldens writes these
            formats = ["txt", "json"] if (case / "args.txt").read_text().startswith("show") else ["txt"]
            files = [case / f"expected.{ext}" for ext in formats]
        for path in files:
            yield pytest.param(case, path, id=f"{case.name}-{path.suffix[1:]}")


def run_case(case: Path, fmt: str) -> str:
    args = shlex.split((case / "args.txt").read_text()) + FORMAT_ARGS[fmt]
    stdin = case / "stdin.txt"
    result = invoke(args, input=stdin.read_bytes() if stdin.exists() else None)
    assert result.exit_code == 0, f"{args} exited {result.exit_code}: {result.stderr}"
    assert result.stderr == ""
    return result.stdout


@pytest.mark.parametrize("case, path", list(golden_params()))
def test_output_matches_golden(case: Path, path: Path, update_goldens: bool):
    fmt = path.suffix[1:]
    obtained = run_case(case, fmt)
    obtained_path = path.with_name(f"expected.obtained.{fmt}")
    if update_goldens:
        path.write_text(obtained, encoding="utf-8")
        obtained_path.unlink(missing_ok=True)
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    if obtained != expected:
        obtained_path.write_text(obtained, encoding="utf-8")
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), obtained.splitlines(keepends=True),
            fromfile=str(path.relative_to(CASES.parent)), tofile=str(obtained_path.relative_to(CASES.parent))))
        pytest.fail(f"output differs from the golden file (rerun with --update-goldens if intended):\n{diff}",
                    pytrace=False)
    obtained_path.unlink(missing_ok=True)


def test_every_case_folder_is_complete_and_has_no_stray_files():
    for case in case_dirs():
        assert (case / "args.txt").exists(), f"{case.name}: no args.txt"
        assert expected_files(case), f"{case.name}: no expected output (run with --update-goldens)"
        for path in case.iterdir():
            known = path.name in CASE_FILES or (path.name.startswith("expected.") and path.suffix[1:] in FORMAT_ARGS)
            assert known, f"{case.name}: stray or stale file {path.name}"


def test_there_are_at_least_eight_distinct_cases():
    args = [(c / "args.txt").read_text().strip() for c in case_dirs()]
    assert len(args) >= 8 and len(set(args)) == len(args)
