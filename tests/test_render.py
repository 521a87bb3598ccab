"""The formatter and the terminal renderer, apart from the CLI."""
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from induction_demo.core.runs import run
from induction_demo.base import text as fmt
from induction_demo.views.render import terminal
from induction_demo.views import documents, tables, views


@pytest.mark.parametrize("x, decimals, text", [
    (100.0, 1, "100.0"), (0.25, 2, "0.25"), (-0.0, 1, "0.0"), (-1e-9, 2, "0.00"), (-0.5, 1, "-0.5"),
])
def test_number_is_fixed_point_without_negative_zero(x, decimals, text):
    assert fmt.number(x, decimals) == text


def test_cell_marks_exact_zero_with_a_dot_and_keeps_tiny_values():
    assert fmt.cell(0.0, 2) == "·" and fmt.cell(1e-44, 2) == "0.00"


def test_json_number_keeps_twelve_significant_digits():
    assert fmt.json_number(1 / 3) == 0.333333333333 and str(fmt.json_number(-0.0)) == "0.0"


@pytest.mark.parametrize("raw, shown", [
    (" ", "␣"), ("\t", "\\t"), ("a\x1bb", "a\\x1bb"), ("\u200b", "\\u200b"), ("猫", "猫"), ("é", "é"),
])
def test_token_escapes_what_is_not_visible(raw, shown):
    assert fmt.token(raw) == shown


def styled(document: views.Document) -> str:
    """The document through rich with colour, as a terminal would get it."""
    out = io.StringIO()
    console = Console(file=out, width=120, color_system="standard", force_terminal=True,
                      markup=False, emoji=False, highlight=False)
    for line in terminal.styled(document, 120):
        console.print(line, soft_wrap=True)
    return out.getvalue()


def test_where_the_head_does_its_job_is_marked_and_rows_with_nothing_to_copy_are_quiet():
    from induction_demo.core import mechanism

    trace = run(tuple("! a b a c b".split()))
    layer = trace.layers[1]
    table = tables.attention(trace, "w", "weights", layer.weights, 2, mask=layer.mask,
                            job=mechanism.cells(trace, layer), quiet=True)
    text = styled(views.Document("t", (table,)))
    # @3 a copies from @2 and @5 b from @3: marked [1.00], in bold cyan (ESC[1;36m); nothing else is
    assert text.count("\x1b[1;36m[1.00]") == 2 and text.count("\x1b[1;36m") == 2
    notes = [row.cells[-1].text for row in table.rows]
    assert notes == ["nothing before", "nothing to copy", "nothing to copy", "", "nothing to copy", ""]
    assert all(c.faint for c in table.rows[4].cells if not c.masked) and not any(c.faint for c in table.rows[3].cells)


def test_masked_cells_are_marked_and_never_highlighted():
    from induction_demo.core import mechanism

    trace = run(tuple("a b".split()))
    layer = trace.layers[0]
    table = tables.attention(trace, "w", "weights", layer.weights, 2, mask=layer.mask,
                            job=mechanism.cells(trace, layer))
    assert [[c.text for c in row.cells] for row in table.rows] == [["×", "×"], ["[1.00]", "×"]]
    assert not any(c.top for c in table.rows[0].cells)


def test_zero_blocks_of_a_weight_matrix_are_dimmed_in_colour():
    trace = run(tuple("a b".split()))
    table = tables.weight_matrix(trace, "A", "A_1", trace.layers[0].only.head.qk, tables.write_a(trace.scale))
    text = styled(views.Document("t", (table,)))
    assert "\x1b[2m·" in text  # a zero in an all-zero block is dim
    assert "\x1b[2ms" not in text and "s" in text  # the block holding s is not


def test_plain_text_has_no_escape_codes_and_no_trailing_spaces():
    trace = run(tuple("! a b a c b".split()))
    text = terminal.plain(documents.walkthrough(trace), 120)
    assert "\x1b" not in text
    assert all(line == line.rstrip() for line in text.splitlines())


def test_unicode_tokens_keep_the_block_rules_aligned():
    trace = run(tuple("café 猫 🐈 café 猫 e\u0301".split()))
    table = tables.stream(trace, "Y", "Y^(0)", trace.embedding)
    lines = terminal.plain(views.Document("t", (table,)), 120).splitlines()
    bars = {tuple(cell_len(line[:k]) for k, c in enumerate(line) if c == "│") for line in lines if "│" in line}
    assert len(bars) == 1


def test_a_rate_too_small_for_four_decimals_is_written_in_scientific_notation():
    assert fmt.rate(1 / 50258) == "2.0e-05"
    assert fmt.rate(0.0014) == "0.0014" and fmt.rate(0.00005) == "0.0001"
    assert fmt.rate(0.0) == "0.0000" and fmt.rate(1.0) == "1.0000"


def test_a_window_never_shows_a_position_before_0():
    # With the previous-token head ablated, a copy's key can be @0, whose key before it does not exist.
    from cli_runner import invoke

    out = invoke(["show", "猫 é y 猫 z 猫 猫 y é y y x y z", "--ablate", "previous-token", "--width", "50"]).stdout
    assert "[window:" in out and "@-1" not in out


short_words = st.lists(st.text("abcdefghij!", min_size=1, max_size=5), min_size=1, max_size=6, unique=True)


@given(short_words, st.lists(st.integers(0, 5), min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_up_to_8_tokens_of_6_distinct_words_show_whole_at_80_columns(words, picks):
    from cli_runner import invoke

    tokens = [words[k % len(words)] for k in picks]
    out = invoke(["show", " ".join(tokens), "--width", "80"]).stdout
    assert "[window:" not in out and max(cell_len(line) for line in out.splitlines()) <= 80


@given(st.lists(st.text("abcdefghij猫!", min_size=1, max_size=100), min_size=1, max_size=6, unique=True),
       st.lists(st.integers(0, 5), min_size=1, max_size=8))
@settings(max_examples=25, deadline=None)
def test_any_8_tokens_of_6_distinct_words_show_whole_at_80_columns(words, picks):
    """Words of any length a token may have (up to 100 characters, wide ones
    too): parts, then short labels and tokens, never a window."""
    from cli_runner import invoke

    tokens = [words[k % len(words)] for k in picks]
    out = invoke(["show", " ".join(tokens), "--width", "80", "--tokenize", "space"]).stdout
    assert "[window:" not in out and max(cell_len(line) for line in out.splitlines()) <= 80


def test_json_numbers_written_many_at_once_are_what_json_dumps_writes_one_by_one():
    import json as stdlib_json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from induction_demo.base import text as fmt
    from induction_demo.views.render.json import texts
    import numpy as np

    @given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=50))
    @settings(max_examples=300, deadline=None)
    def check(values):
        assert texts(np.array(values)) == [stdlib_json.dumps(fmt.json_number(v)) for v in values]

    check()


def test_show_s_picture_has_a_title_a_name_for_each_head_and_every_row_labelled_at_40_tokens():
    """Issue 30, item 8: the PNG's title with the input; each layer-1 head its own W; 40 tokens all labelled."""
    from induction_demo.core.runs import run as run_model
    from induction_demo.core.weights import Construction
    from induction_demo.views import documents
    from induction_demo.views.render.png import layout

    tokens = tuple("b c d . x c e . y c e . b c".split())
    view = documents.heatmaps(run_model(tokens, construction=Construction(context=2)))
    assert view.title.startswith("Induction heads, step by step: b c d . x c e . y c e . b c")
    assert "context 2" in view.title
    assert [p.symbol for p in view.panels] == ["W^{(1,1)}", "W^{(1,2)}", "W^{(2)}"]
    forty = tuple("abcdefgh"[(7 * k) % 8] for k in range(40))
    assert layout(documents.heatmaps(run_model(forty)))[4] == 1  # every position labelled: the panels one a row
    assert layout(documents.heatmaps(run_model(tokens)))[1:3] == (False, 2)  # a short input: side by side


@pytest.mark.parametrize("context", [1, 2])
def test_a_24_token_slide_keeps_its_header_two_places_18_px_and_a_copy_sentence(context):
    """Issue 30, item 7: at 24 tokens the slide cut its header to "predi…", showed 0.25 and 0.20 both as [0.2],
    and under --context 2 told no copy."""
    from induction_demo.core.runs import run as run_model
    from induction_demo.core.weights import Construction
    from induction_demo.views import documents
    from induction_demo.views.render import slide as design
    from induction_demo.words.story import story

    tokens = tuple("b c a f d d b a a a d e c a b e e c c b a c b a".split()) if context == 1 else \
        tuple("b c d . x c e . y c e . b c a b c d e f . b c d".split())
    trace = run_model(tokens, construction=Construction(context=context))
    view = documents.slide(trace, story(trace))
    laid = design.layout(view)
    assert laid.font >= design.SMALLEST
    text = "\n".join("".join(t for t, _ in line) for line in laid.body)
    header = next(line for line in text.split("\n") if "@23" in line and "@0" in line)
    assert header.rstrip().endswith(" out") and "…" not in header  # the outputs' header whole
    assert "in hundredths (25 = 0.25)" in text or "0.25" in text  # two places, as hundredths when narrow
    if context == 1:
        assert "[25]" in text and "[20]" in text  # 0.25 and 0.20 told apart
    told = [views.plain(s) for s in view.story[:laid.told]]
    assert any(" attends to " in s or " splits its attention " in s for s in told)  # at least one copy told
    assert "W⁽" not in text  # no superscript under 18 px: the title names the layer in words


def test_the_positions_picture_has_a_title_with_the_input():
    """`positions -o p.png` drew five panels with no title: which tokens, at which scale, was nowhere on it
    (show's and circuits' pictures carry theirs); it now has the document's title and the scale."""
    from induction_demo.core.runs import run as run_model
    from induction_demo.core.weights import Construction
    from induction_demo.views import documents

    tokens = tuple("x y z x y w".split())
    traces = [run_model(tokens, construction=Construction(positions=p))
              for p in ("one-hot", "sinusoidal", "relative", "rope", "none")]
    view = documents.compared_heatmaps(traces)
    assert view.title == "Layer 1 under each position scheme: x y z x y w (scale s = 100.0)"
    assert view.title.startswith(documents.compared(traces).title)
