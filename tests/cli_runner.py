"""The one place that pins how tests run the CLI: width, colour, environment."""
from __future__ import annotations

from click.testing import CliRunner, Result

from induction_demo.cli import main

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb", "FORCE_COLOR": None}

PATIENCE = 900
"""Seconds a real process may take before a test calls it hung: a bound sized
for a loaded machine (two busy processes beside the suite), never a
measurement; no test asserts how long anything took."""


def invoke(args: list[str], input: str | bytes | None = None, env: dict | None = None) -> Result:
    runner = CliRunner(env={**ENV, **(env or {})})
    return runner.invoke(main, args, input=input, catch_exceptions=False, prog_name="induction-demo")


def one_line_error(result, code: int) -> str:
    """The one line of a refusal with exit status ``code``: nothing on standard output, no traceback."""
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
