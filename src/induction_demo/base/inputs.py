"""Every limit and every check on what a person asks for, in one place.

The limits are computed from N (tokens), V (distinct tokens) and d = 2(V + N)
(the width of the residual stream), and used by the model, the CLI, the
documents and the bench alike. No numpy here: the CLI checks its input before
it imports anything heavy.
"""
from __future__ import annotations

import math

from .errors import InputError

MAX_TOKENS = 1000
"""The most tokens one walkthrough takes (show, weights, sweep). The model's
cost grows as N^2 (every N x N attention matrix), and the documents show every
cell: a 1000-token JSON document is about 100 MB."""

MAX_INPUT_BYTES = 1 << 20
"""The most bytes of text read, from TOKENS or standard input (1 MiB): 1000
tokens of the longest length fit several times over, and ``yes a | show -``
stops here instead of filling memory."""

MAX_TOKEN_CHARS = 100
"""The longest token, in characters. Views that have a width show at most
TOKEN_CELLS terminal cells of a token (the rest elided with …); JSON keeps
every token whole."""

TOKEN_CELLS = 24  # used by text.token

FULL_TOKENS = 200
"""``--full`` shows every cell of every table, as a handout does: at most this
many tokens (a 200-token walkthrough has about a million cells), and past
d = COMPACT_D each A_l as its nonzero blocks."""

SLIDE_TOKENS = 24
"""The most tokens a --slide picture holds with its text at 18 px or more on
1920 x 1080: layer 2's weights beside the predictions."""

FORMATS = ("table", "json", "markdown", "latex", "html", "svg", "png", "npz")
FORMAT_TOKENS = {"table": MAX_TOKENS, "json": MAX_TOKENS, "svg": MAX_TOKENS, "npz": MAX_TOKENS,
                 "markdown": 200, "html": 200, "png": 200, "latex": 59}
"""The most tokens each format takes: the terminal view and SVG show a window
of a long input, and documents show every cell (a 200-token HTML page has
about a million)."""

FOCUS_TOKENS = 20
"""Past this many tokens a Markdown, LaTeX or HTML handout is focused on the
induction head's copies (documents.focused): a 40-token walkthrough with
every matrix runs to 34 LaTeX pages. ``--full`` keeps every matrix."""

LATEX_MAX_D = 120
"""pdflatex builds each table in memory: a d x d matrix over d = 160
directions exceeds TeX's main memory, d = 120 compiles whatever the mix of V
and N (tests/test_formats.py compiles one at the limit)."""

HANDOUT_WHOLE_D = 30
"""Past this d, a handout (Markdown, LaTeX, HTML) shows each A_l and V_l as
its nonzero blocks, in every format: a d x d matrix of more directions runs
over pages (--similar on 9 tokens, d = 48: an A_1 of 8 nonzero cells on 4
landscape pages). The lecture's d = 20 stays whole, as its slides show it."""

COMPACT_D = 120
"""Past this d, a handout shows each A_l as its nonzero blocks only (a
200-token A_l has up to 640,000 cells, all but 200 of them 0) and leaves out
the column blocks of Y that are all 0; JSON carries the dense A_l and V_l
only up to this d (the blocks always)."""

ABLATIONS = ("previous-token", "duplicate-token", "induction")
"""The --ablate names of the heads' roles (blocks.Role): the look-back heads
(the lecture's layer 1), the duplicate-token head (the pointer circuit's
layer 1) and the induction head. A model ablates only the roles it has."""

CIRCUITS = ("lecture", "pointer", "virtual")
"""The hand-built induction circuits (weights.CIRCUITS)."""

BENCH_MAX_TRIAL_TOKENS = 4096
"""The most tokens one bench trial may hold. A trial's trace keeps about a
dozen N x N arrays: 4096 tokens is about 1.6 GB, 2049 (GPT-2's 2 x 1024 and a
BOS token) about 400 MB."""

BENCH_MAX_VOCAB = 10_000_000
"""The bench's vocabulary costs nothing per token: the model's residual
stream spans only the tokens that occur, and every other token's
probability is computed in closed form (readout.py)."""

BENCH_MAX_CELLS = 200_000_000
"""A bench of T trials of N tokens computes about T N^2 attention cells per
layer; at most this many (40-50 s on 2 cores at 4095 tokens): 48 trials at GPT-2's 2049
tokens, 11 at the 4096 a trial may hold."""

MAX_SCALES = 100
"""The most scales one sweep runs the model at."""

SEED_RANGE = (0, 2**63 - 1)

TRAIN_LAYER1 = ("relative", "positions", "free")
"""train's --layer1, what of A_1 is learned: its pos x pos block as one
number per offset j - i (a relative-position bias, every row the same: the
lecture's layer 1 is one, its block the sub-diagonal), that block entry by
entry (attending by absolute position), or all of it. The first is the
default: a row the data seldom reaches shares what the others learn."""

TRAIN_BLOCKS = ("lecture", "free")
"""train's --blocks, what of V_1, A_2 and V_2 is learned: only the entries of
the lecture's nonzero blocks (V_1 tok -> prev tok and pos -> prev pos, A_2 tok
x prev tok, V_2 tok -> tok: the numbers learned, the wiring given), or every
entry. The first is the default: its model does the lecture's job on every
string ``check`` runs; the free model learns the lecture's circuit too, blurred
and with what else the data rewards (README, "What training finds")."""


def width(n_tokens: int, n_distinct: int) -> int:
    """d = 2(V + N): the current and the previous half, each a token and a position block."""
    return 2 * (n_distinct + n_tokens)


def whole(name: str, value, low: int, high: int) -> int:
    """``value`` as an int, when it is a whole number (not a bool, a float or
    a string) from ``low`` to ``high``: the command line's ranges for the API."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    if not low <= int(value) <= high:
        raise InputError(f"{name} must be {low} to {high}, not {value}")
    return int(value)


def choice(name: str, value, choices) -> str:
    """``value`` when it is one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def positive(name: str, value: float) -> float:
    """``value`` as a float, when it is a finite number greater than 0."""
    if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise InputError(f"the {name} must be a finite number greater than 0, not {value!r}")
    return float(value)


MASKS = ("strict", "inclusive")
POSITIONS = ("one-hot", "sinusoidal", "relative", "rope", "none")
"""How layer 1 knows positions (seed 001): the names of the schemes in
schemes.py (which checks they are these), for the command line."""
FREQUENCIES = 16
"""K, the sinusoidal and rotary frequencies, by default."""
MAX_FREQUENCIES = 256
"""--frequencies: K sinusoidal or rotary frequencies, 2K numbers per position."""
MAX_CONTEXT = 4
"""--context: the induction head matches up to 4 tokens (each adds a layer-1 head)."""
MAX_SKIP = 16
"""--skip: up to 16 tokens past the match (a line of verse, with room); with
--context 4, layer 1 has at most 7 heads."""


def construction(built):
    """A weights.Construction whose mask, context and skip are in range."""
    if built.mask not in MASKS:
        raise InputError(f"unknown mask {built.mask!r}: use {' or '.join(MASKS)}")
    if not (isinstance(built.context, int) and 1 <= built.context <= MAX_CONTEXT):
        raise InputError(f"--context must be 1 to {MAX_CONTEXT}, not {built.context}")
    if not (isinstance(built.skip, int) and 0 <= built.skip <= MAX_SKIP):
        raise InputError(f"--skip must be 0 to {MAX_SKIP}, not {built.skip}")
    if built.positions not in POSITIONS:
        raise InputError(f"unknown position scheme {built.positions!r}: use {', '.join(POSITIONS)}")
    if not (isinstance(built.frequencies, int) and 1 <= built.frequencies <= MAX_FREQUENCIES):
        raise InputError(f"--frequencies must be 1 to {MAX_FREQUENCIES}, not {built.frequencies}")
    if built.similar is not None and built.similar.kind not in ("subword", "case", "vectors"):
        raise InputError(f"unknown similarity {built.similar.kind!r}: use subword, case or --embeddings FILE")
    circuit = getattr(built, "circuit", "lecture")
    if circuit not in CIRCUITS:
        raise InputError(f"unknown circuit {circuit!r}: use {', '.join(CIRCUITS)}")
    if circuit == "pointer":
        if built.context != 1:
            raise InputError("--circuit pointer matches the query's own token: --context applies to the lecture's "
                             "circuit")
        if built.positions != "one-hot":
            raise InputError("--circuit pointer does arithmetic on one-hot positions in the stream: --positions "
                             f"{built.positions} does not apply")
        if built.similar is not None:
            raise InputError("--circuit pointer points to earlier copies of the same token: --similar and "
                             "--embeddings apply to the lecture's circuit and the virtual one, which match tokens")
    if circuit == "virtual" and (built.context != 2 or built.skip):
        raise InputError("--circuit virtual matches two tokens of context (--context 2) and copies the next "
                         f"token: {'--skip' if built.skip else f'--context {built.context}'} does not apply")
    return built


def ablation(name: str | None) -> str | None:
    if name not in (None,) + ABLATIONS:
        raise InputError(f"unknown head to ablate {name!r}: use {' or '.join(ABLATIONS)}")
    return name


def text(text: str, source: str = "TOKENS") -> str:
    """The text to split into tokens, when it is not longer than MAX_INPUT_BYTES."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        raise InputError(f"{source} holds more than {MAX_INPUT_BYTES // 2**20} MiB of text; "
                         f"this tool runs at most {MAX_TOKENS} tokens of at most {MAX_TOKEN_CHARS} characters")
    return text


def token_problem(token) -> str:
    """What is wrong with ``token`` as a token ("" if nothing): a string of 1
    to MAX_TOKEN_CHARS characters, valid Unicode (no lone surrogate), and no
    whitespace unless it is one character (``--tokenize chars`` makes a space
    a token of its own)."""
    if not isinstance(token, str):
        return f"{token!r} is not a string"
    if not token:
        return "an empty token"
    if len(token) > MAX_TOKEN_CHARS:
        return f"a token of {len(token)} characters, more than the {MAX_TOKEN_CHARS} a token may have"
    try:
        token.encode("utf-8")
    except UnicodeEncodeError:
        return f"{token.encode('utf-8', 'backslashreplace').decode('ascii', 'backslashreplace')!r} is not valid " \
               "Unicode (a lone surrogate)"
    if len(token) > 1 and any(c.isspace() for c in token):
        return f"{token.encode('unicode_escape').decode('ascii')!r} holds whitespace (only a one-character token may " \
               "be a space)"
    return ""


def sequence(given, limit: int = MAX_TOKENS) -> tuple[str, ...]:
    """A sequence of tokens given from Python (not split from text), when each
    is a token as the command line makes them (``token_problem``) and there
    are at most ``limit``."""
    given = tuple(given)
    for k, t in enumerate(given):
        problem = token_problem(t)
        if problem:
            raise InputError(f"token {k}: {problem}")
    return tokens(given, limit)


def tokens(tokens: tuple[str, ...], limit: int = MAX_TOKENS) -> tuple[str, ...]:
    if not tokens:
        raise InputError("no tokens: the input is empty or only whitespace; try \"! a b a c b\"")
    if len(tokens) > limit:
        raise InputError(f"{len(tokens)} tokens is more than the {limit} this tool runs at once")
    longest = max(tokens, key=len)
    if len(longest) > MAX_TOKEN_CHARS:
        raise InputError(f"a token of {len(longest)} characters (position {tokens.index(longest)}) is longer "
                         f"than the {MAX_TOKEN_CHARS} a token may have")
    return tokens


def slide(n_tokens: int) -> None:
    """Refuse ``--slide`` past SLIDE_TOKENS tokens."""
    if n_tokens > SLIDE_TOKENS:
        raise InputError(f"--slide holds at most {SLIDE_TOKENS} tokens, legible from the back of a room, and this "
                         f"input has {n_tokens}: leave --slide out for the whole picture")


FULL_MAX_D = 3200
"""The widest stream ``--full`` and the handouts (Markdown, HTML) show:
200 tokens under --context 4 --skip 16 (d = 8 x 400). Dense token vectors
add their m features to every token block: 200 tokens of a 3000-dimension
file make d = 2(m + N) = 6400, whose V_1 alone is a 3000 x 3000 block."""


def full(n_tokens: int, d: int | None = None, formula: str = "2(V + N)") -> None:
    """Refuse ``--full`` past FULL_TOKENS tokens, or past FULL_MAX_D directions
    (``d``, written ``formula``)."""
    if n_tokens > FULL_TOKENS:
        raise InputError(f"--full shows every cell, for at most {FULL_TOKENS} tokens and this input has "
                         f"{n_tokens}: leave it out to see a window, or write a document with -o FILE.json")
    if d is not None and d > FULL_MAX_D:
        raise InputError(f"--full shows every cell, for a stream of at most d = {FULL_MAX_D} directions and this "
                         f"input has d = {formula} = {d}: leave it out to see a window, or use --format json")


def format_tokens(form: str, tokens: tuple[str, ...]) -> None:
    """Refuse more tokens than format ``form`` takes (before the model runs)."""
    if form not in FORMAT_TOKENS:
        raise InputError(f"unknown format {form!r}: use one of {', '.join(FORMATS)}")
    if len(tokens) > FORMAT_TOKENS[form]:
        raise InputError(f"{len(tokens)} tokens is more than the {FORMAT_TOKENS[form]} the {form} format takes")


def format_size(form: str, tokens: tuple[str, ...], d: int | None = None, formula: str = "2(V + N)",
                d_tables: bool = True) -> None:
    """Refuse more tokens than format ``form`` takes, and a document of d x d
    tables (``d_tables``) over a wider stream than it holds: d directions,
    written ``formula`` (by default the lecture's 2(V + N), from the tokens),
    past LATEX_MAX_D in LaTeX, past FULL_MAX_D in Markdown or HTML. (A
    focused handout's tables and the circuits' are over positions and
    tokens: a 50-word paragraph of 35 distinct words, d = 170, was refused a
    LaTeX handout of a few 50 x 40 tables.)"""
    format_tokens(form, tokens)
    if d is None:
        d = width(len(tokens), len(set(tokens)))
    if form == "latex" and d > LATEX_MAX_D and d_tables:
        raise InputError(f"a LaTeX handout holds at most d = {LATEX_MAX_D} directions and this input has "
                         f"d = {formula} = {d} (pdflatex runs out of memory): use fewer tokens, or -o "
                         "FILE.html or .md")
    if form in ("markdown", "html") and d > FULL_MAX_D and d_tables:
        raise InputError(f"a {form} handout shows every cell, for a stream of at most d = {FULL_MAX_D} directions, "
                         f"and this input has d = {formula} = {d}: use fewer tokens, or -o FILE.json")


def compact(d: int) -> bool:
    """Whether documents show the weights of a stream this wide as nonzero blocks only."""
    return d > COMPACT_D


def bench_trial_tokens(length: int, repeats: int, gap: int) -> int:
    """The most tokens a bench trial can hold: BOS, the copies and the gaps between them."""
    return 1 + repeats * length + (repeats - 1) * gap


BENCH_MAX_TRIAL_BYTES = 3 << 29
"""The attention arrays one bench trial may hold at once, 1.5 GiB: each head
keeps its logits and weights (N x N floats each), a few more are made on
the way, and --context runs a context-1 model beside. With the lecture's two
heads a trial of 4096 tokens fits; with --context 4 --skip 16 (eight heads)
about 2700 do."""


def bench_arrays(heads: int, context: int) -> int:
    """The N x N float arrays a bench trial holds at once (measured: 8 for the
    lecture's two heads, a 4095-token trial peaking at 965 MiB)."""
    return 2 * heads + 4 + (8 if context > 1 else 0)


def bench(vocab: int, length: int, repeats: int, trials: int, seed: int, gap: int, cost: float = 1.0,
          arrays: int = 8) -> None:
    """Refuse a bench whose trials could not run in bounded time and memory
    (``arrays``: the N x N arrays a trial holds at once, bench_arrays)."""
    for name, value in (("vocab", vocab), ("trials", trials)):
        if value < 1:
            raise InputError(f"--{name} must be at least 1")
    if length < 2:
        raise InputError("--length must be at least 2: a query is scored where it and its next token lie in "
                         "the same copy")
    if repeats < 2:
        raise InputError("--repeats must be at least 2: induction needs a later copy")
    if gap < 0:
        raise InputError("--gap must be 0 or more")
    if not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        raise InputError(f"--seed must be from {SEED_RANGE[0]} to {SEED_RANGE[1]}")
    if vocab > BENCH_MAX_VOCAB:
        raise InputError(f"--vocab is at most {BENCH_MAX_VOCAB:,}")
    longest = bench_trial_tokens(length, repeats, gap)
    if longest > BENCH_MAX_TRIAL_TOKENS:
        raise InputError(f"a trial of up to {longest} tokens (1 + repeats x length + gaps) is more than the "
                         f"{BENCH_MAX_TRIAL_TOKENS} a trial takes")
    if longest**2 * 8 * arrays > BENCH_MAX_TRIAL_BYTES:
        most = math.isqrt(BENCH_MAX_TRIAL_BYTES // (8 * arrays))
        raise InputError(f"a trial of up to {longest} tokens holds {arrays} attention arrays of {longest} x {longest} "
                         f"at once, more than {BENCH_MAX_TRIAL_BYTES / 2**30:.1f} GiB: with these heads a trial takes "
                         f"at most {most} tokens (use a shorter --length or fewer --repeats)")
    if trials * longest**2 * cost > BENCH_MAX_CELLS:
        raise InputError(f"{trials} trials of up to {longest} tokens is more than a bench runs at once (trials x "
                         f"tokens^2 at most {BENCH_MAX_CELLS:,}, under a minute, less with more heads): "
                         "use fewer --trials")


def scales(values: list[float]) -> list[float]:
    if not values or len(values) > MAX_SCALES:
        raise InputError(f"give 1 to {MAX_SCALES} scales, not {len(values)}")
    return [positive("scale", v) for v in values]
