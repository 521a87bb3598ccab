"""Any text a person can type: every format either renders it or refuses it
in one line, never a traceback."""
import json
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_runner import invoke

FORMATS = ["table", "json", "markdown", "latex", "html", "svg"]


@given(st.text(max_size=40), st.sampled_from(FORMATS), st.sampled_from(["auto", "space", "chars"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_renders_or_is_refused_in_one_line(text, fmt, tokenize):
    result = invoke(["show", "--format", fmt, "--tokenize", tokenize, "--", text])
    if result.exit_code == 0:
        assert result.stdout and result.stderr == ""
        assert "\x1b" not in result.stdout  # no control character reaches the terminal
        if fmt == "json":  # the tokens as typed, after NFC (and without a leading byte-order mark)
            typed = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
            words = tokenize == "space" or (tokenize == "auto" and any(c.isspace() for c in typed))
            assert json.loads(result.stdout)["tokens"] == (typed.split() if words else list(typed.strip()))
    else:
        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
