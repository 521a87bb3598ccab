"""The command line: parse, validate, run the model, hand the trace to a renderer.

This is the only module that prints or exits. Errors are one line on stderr:
usage errors (bad input) exit 2, other failures 1. numpy and rich are imported
inside the commands that need them, so ``--help`` stays fast.
"""
from __future__ import annotations

import math
import os
import sys

import click

from .console import (StdoutFailed, emit, output_width, print_lines, print_styled, quit_output, screen_options,
                      terminal_width, wants_colour, write_file)
from .base.errors import Diverged, InputError, MissingExtra
from .base.inputs import ABLATIONS, BENCH_MAX_VOCAB, FORMATS, FREQUENCIES, MAX_INPUT_BYTES, MAX_TOKENS, SEED_RANGE, \
    TRAIN_BLOCKS, TRAIN_LAYER1
from .base.tokens import TOKENIZE_MODES

LAYERS = ("1", "2", "3")  # the lecture's two layers, and the virtual circuit's third

EXAMPLES = {  # each command's own examples: (command line, what it shows)
    "show": [
        ('show "! a b a c b"', "the lecture's walkthrough"),
        ("show abcabd", "one token per character"),
        ('show "! a b a c b" --layer 2 --no-matrices', "layer 2's story and weights only"),
        ('show "! a b a c b" -o walkthrough.tex', "a handout (.md .html .svg .png .json)"),
        ('echo "the cat sat on the cat" | induction-demo show -', "tokens from standard input"),
        ('show "b c d . x c e . y c e . b c" --context 2', "match two tokens back"),
        ('show "the cat sat on a mat / the dog lay by the" --skip 4', "copy from further ahead"),
        ('show "the cat sat on the mat . the cats" --similar subword', "copy similar words"),
        ('show "! a b a c b" --ablate previous-token --temperature 0.1', "knock out layer 1"),
        ('show "! a b a c b" --slide -o slide.svg', "one 16:9 slide for a lecture"),
    ],
    "lecture": [
        ('lecture "! a b a c b"', "step by step: Space or Enter on, Left back, q quits"),
        ('lecture "! a b a c b" --no-pause', "every step, one after another"),
        ('lecture "! a b a c b" -o deck.html', "a slide deck, one offline file"),
        ('lecture "! a b a c b" -o deck.tex', "the same deck in beamer"),
        ('lecture "b c d . x c e . y c e . b c" --context 2', "a variant, step by step"),
    ],
    "weights": [
        ('weights "! a b a c b"', "A_1, V_1, A_2, V_2"),
        ('weights "! a b a c b" --factored', "W^Q, W^K, W^V, W^O"),
        ('weights "! a b a c b" --format json', "blocks and dense matrices"),
        ('weights "b c d . x c e . y c e . b c" --context 2', "one layer-1 head per offset"),
    ],
    "circuits": [
        ('circuits "! a b a c b"', "QK and OV circuits, eigenvalues"),
        ('circuits "! a b a c b" -o circuits.html', "as a handout (.md .tex .svg .png .json)"),
        ('circuits "the cat sat on the cats" --similar subword', "K-composition s E E^T"),
    ],
    "positions": [
        ('positions "! a b a c b"', "layer 1 under five position schemes"),
        ('positions "! a b a c b" -o positions.png', "README's picture"),
        ('positions "! a b a c b" --frequencies 4', "4 sinusoidal and rotary frequencies"),
    ],
    "bench": [
        ("bench --trials 20 --seed 1", "repeated random tokens"),
        ("bench --vocab 50257 --length 100 --gap 5", "GPT-2's vocabulary, gaps between copies"),
        ("bench --context 2 -o bench.json", "a variant, as JSON, to keep"),
    ],
    "sweep": [
        ('sweep "! a b a c b" --scale 1,2,5,10,100', "layer 2's weight against its scale"),
        ('sweep "! a b a c b" --positions sinusoidal', "layer 1 under sinusoidal positions"),
    ],
    "train": [
        ("train", "the lecture's model learned in about 10 s"),
        ("train --blocks free", "every entry learned: what else the data rewards"),
        ("train --layer1 free --seed 3 -o run.html", "all of A_1 learned; a handout"),
        ("train --save learned.npz -o curve.png", "keep the model; the curve as a picture"),
        ('show "a b c a b" --model learned.npz', "the learned heads, every view"),
    ],
    "quiz": [
        ('quiz "! a b a c b" -o quiz.md', "questions on the lecture's run"),
        ('quiz "! a b a c b" --key -o key.md', "the answer key, same numbering"),
        ("quiz --seed 7 -o sheet.tex", "a new string for each seed, for a class"),
    ],
    "check": [
        ("check heads.npz", "a student's A1.0, V1.0, A2.0, V2.0 against the lecture's"),
        ("check heads.json -o results.json", "for an autograder (Gradescope's results.json)"),
        ("check lecture.npz --seed 7", "other random strings (weights TOKENS -o lecture.npz)"),
        ("check --template heads.json", "a zero-filled file with its rows and columns named, to fill in"),
    ],
}


class Examples(str):
    """An epilog of examples, laid out for 80 columns (``examples``) and laid
    out again for the terminal's width when the help is written (``Command``)."""

    commands: tuple[str, ...]
    first: bool


def examples(*commands: str, first: bool = False, width: int = 80) -> Examples:
    """An epilog of the examples of ``commands`` (``first``: the first of
    each), each line within ``width`` columns: the command line, and what it
    shows beside it or, when that does not fit, under it; a command line too
    long for the width goes on over lines that end in a backslash, as a
    shell reads them (a quoted argument is never cut)."""
    import re
    import textwrap

    lines = ["\b", "Examples (each command's --help has more):" if first else "Examples:"]
    room = width - 2  # click indents an epilog by 2
    for command in commands:
        for line, what in EXAMPLES[command][:1] if first else EXAMPLES[command]:
            line = line if line.startswith("echo") else f"induction-demo {line}"
            if 2 + len(line) + 4 + len(what) <= room:
                lines.append(f"  {line}  # {what}")
                continue
            held = [f"  {line}"] if 2 + len(line) <= room else ["  "]
            words = re.findall(r'"[^"]*"|\S+', line) if len(held[0]) == 2 else []
            for k in range(len(words) - 1, 0, -1):  # an option stays on the line of its value
                if words[k - 1].startswith("-") and not words[k].startswith("-") and words[k - 1] != "-" \
                        and words[k] != "|":
                    words[k - 1:k + 1] = [f"{words[k - 1]} {words[k]}"]
            for word in words:
                if held[-1].strip() and len(held[-1]) + 1 + len(word) + 2 > room:
                    held[-1] += " \\"
                    held.append("      ")
                held[-1] += ("" if not held[-1].strip() else " ") + word
            lines += held + textwrap.wrap(what, room, initial_indent="      # ", subsequent_indent="      # ")
    epilog = Examples("\n".join(lines) + "\n")
    epilog.commands, epilog.first = commands, first
    return epilog


def format_epilog(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """Examples laid out for the terminal's width, at most 80 columns and at
    least click's narrowest help (its text 50 wide, within a margin of 2);
    any other epilog as click writes it."""
    import shutil

    epilog = command.epilog
    if isinstance(epilog, Examples):
        width = max(min(formatter.width + 2, shutil.get_terminal_size().columns), 52)
        command.epilog = examples(*epilog.commands, first=epilog.first, width=width)
    try:
        click.Command.format_epilog(command, ctx, formatter)
    finally:
        command.epilog = epilog


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived: unwind (removing any temporary file), then exit 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOPPING: list[int] = []  # the stop signal being handled, once one has arrived


def on_signal(signum, frame):
    """The first stop signal unwinds; any after it do nothing, so that a second
    Ctrl-C or a TERM cannot cut the unwinding short (between an ``except`` and
    the removal of a temporary file) and leave that file."""
    if STOPPING:
        return
    STOPPING.append(signum)
    raise Interrupted(signum)


class Command(click.Command):
    """A command whose library errors become click errors, in this one place:
    bad input (InputError) or an output path that cannot be written as asked
    (sink.Refused) is a usage error, exit 2; a missing optional extra
    (MissingExtra) or a failed write (sink.Failed) an error, exit 1."""

    def format_epilog(self, ctx, formatter):
        format_epilog(self, ctx, formatter)

    def invoke(self, ctx):
        from .base.sink import Failed, Refused

        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader (head, less) went away: stop quietly, as if by SIGPIPE
            import signal

            quit_output()        # (here: click would exit 1 on it)
            sys.exit(128 + signal.SIGPIPE)
        except (InputError, Refused) as error:
            raise click.UsageError(str(error), ctx=ctx) from None
        except (MissingExtra, Diverged, Failed, StdoutFailed) as error:
            raise click.ClickException(str(error)) from None


class OneLineErrors(click.Group):
    """A group whose errors are one line on stderr, never a usage block or a traceback."""

    command_class = Command

    def format_epilog(self, ctx, formatter):
        format_epilog(self, ctx, formatter)

    def _main(self, args, prog_name, complete_var, **extra):
        """click's main, the bare command answered with the help, as --help; the
        help and the version are written here, so their failures reach ``main``."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:  # bare `induction-demo`: the help, as --help
            click.echo(error.ctx.get_help())
            code = 0
        sys.stdout.flush()
        return code

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = sys.argv[1:] if args is None else list(args)
        if argv[:1] and argv[0] in self.commands and not {"-h", "--help"} & set(argv):
            # Every command runs the model: import numpy here, at the top of the
            # call stack. CPython 3.11 grows its frame stack in chunks, and the
            # same import made from deep inside click's invoke chain took up to
            # 20 ms longer, by where the depth fell (benchmarks/startup.py).
            import numpy  # noqa: F401
        import signal

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        try:
            code = self._main(args, prog_name, complete_var, **extra)
        except BrokenPipeError:  # the help or the version into a closed pipe: quietly, as SIGPIPE would
            quit_output()
            sys.exit(128 + signal.SIGPIPE)
        except OSError as error:  # the help or the version into a full or closed stream (a command's own output
            # fails inside Command.invoke, in one line too)
            click.echo(f"Error: cannot write to standard output: {error.strerror or error}", err=True)
            quit_output()
            sys.exit(1)
        except click.ClickException as error:
            hint = ""
            if isinstance(error, click.UsageError) and error.ctx is not None:
                hint = f" (see '{error.ctx.command_path} --help')"
            elif isinstance(error, click.UsageError):  # click's parser gives some errors no context
                hint = f" (see '{' '.join([prog_name or 'induction-demo'] + argv[:1])} --help')" \
                    if argv[:1] and argv[0] in self.commands else f" (see '{prog_name or 'induction-demo'} --help')"
            message, advice = " ".join(error.format_message().split()), dash_advice(error, argv)
            message = message.rstrip(".") + advice if advice else elsewhere(error, self.commands) or message
            click.echo(f"Error: {message}{hint}", err=True)
            quit_output()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except Interrupted as interrupt:
            name = signal.Signals(interrupt.signum).name
            click.echo(f"Interrupted by {name}: stopped; no output file was left half-written.", err=True)
            quit_output()
            sys.stderr.flush()
            # Out now, without the interpreter's shutdown: it would give the stop signals their default action
            # back, and a second one still on its way would kill the process instead of being ignored.
            os._exit(128 + interrupt.signum)
        sys.exit(code if isinstance(code, int) else 0)


def elsewhere(error: click.ClickException, commands: dict) -> str:
    """An unknown option that other commands take, said so ("No such option '--ablate' for weights: it is an
    option of lecture and show"), in place of click's guess at a near spelling ("Did you mean '--scale'?")."""
    if not isinstance(error, click.NoSuchOption) or error.ctx is None:
        return ""
    owners = sorted(name for name, command in commands.items()
                    if any(error.option_name in p.opts + p.secondary_opts for p in command.params))
    if not owners:
        return ""
    from .words.sentences import series

    return f"No such option '{error.option_name}' for {error.ctx.info_name}: it is an option of {series(owners)}"


def dash_advice(error: click.ClickException, argv: list[str]) -> str:
    """A word for tokens that start with "-": they go after "--" (an unknown option such as '->' or '-1', where
    no option of the command is near it), and options go before it."""
    command = error.ctx.command if isinstance(error, click.UsageError) and error.ctx is not None else None
    takes_tokens = command is not None and any(p.name == "text" for p in command.params)
    if isinstance(error, click.NoSuchOption) and takes_tokens and not error.possibilities \
            and not error.option_name.startswith("--"):
        return f'; a token that starts with "-" goes after "--": {error.ctx.command_path} -- "{error.option_name} ..."'
    extra = isinstance(error, click.UsageError) and "unexpected extra argument" in error.message
    if extra and "--" in argv and any(a.startswith("-") for a in argv[argv.index("--") + 1:]):
        return '; options go before "--", and everything after it is tokens'
    if extra and takes_tokens and "--" not in argv:  # `show a b a`: the shell made each token an argument
        import re
        import shlex

        given = re.search(r"\((.*)\)$", error.message)
        tokens = " ".join(filter(None, (error.ctx.params.get("text"), given and given[1])))
        return f"; give the tokens as one argument, in quotes: {error.ctx.command_path} {shlex.quote(tokens or 'a b a')}"
    return ""


class Positive(click.ParamType):
    """A finite number greater than 0 (the scale, the temperature)."""

    name = "number"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"must be a finite number greater than 0, not {value}", param, ctx)
        return number


def read_text(text: str) -> str:
    """TOKENS, or standard input when TOKENS is ``-``; either must be UTF-8 text."""
    if text != "-":
        try:
            text.encode("utf-8")  # bytes that are not UTF-8 reach argv as lone surrogates
        except UnicodeEncodeError as error:
            raise click.UsageError(f"TOKENS is not UTF-8 text (character {error.start})") from None
        return text
    if sys.stdin is None:
        raise click.UsageError("standard input is closed: give the tokens as TOKENS instead of -")
    if sys.stdin.isatty():
        click.echo("Type the tokens, then Ctrl-D at the start of a line (Ctrl-C stops).", err=True)
    try:
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)  # never more: `yes | show -` ends here
        if len(data) > MAX_INPUT_BYTES:
            raise click.UsageError(f"standard input holds more than {MAX_INPUT_BYTES // 2**20} MiB; this tool runs "
                                   f"at most {MAX_TOKENS} tokens")
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.UsageError(f"standard input is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise click.UsageError(f"cannot read standard input: {error.strerror or error}") from None


def tokens_of(text: str, tokenize: str, as_typed: bool) -> tuple[str, ...]:
    from .base.tokens import tokenize as split

    return split(read_text(text), tokenize, normalize=not as_typed)


def trace_of(text: str, tokenize: str, as_typed: bool, scale: float, form: str | None = None,
             model: dict | None = None, **options):
    """Tokens -> trace of the model the construction options ``model`` ask for
    (none: the lecture's); with ``form``, refuse more tokens than that format
    takes before running the model."""
    from .base import inputs
    from .core.runs import run

    tokens = tokens_of(text, tokenize, as_typed)
    if form is not None:  # (the stream's width is checked on the trace, where it is known)
        inputs.format_tokens(form, tokens)
    return run(tokens, scale, construction=built(tokens, **(model or {})), **options)


def output_format(form: str | None, output: str | None) -> str:
    """The format of a command that can draw a PNG: that one needs -o FILE."""
    form = choose_format(form, output)
    if form == "npz":
        raise click.UsageError("npz is the model file, which weights writes: induction-demo weights TOKENS -o "
                               "model.npz")
    to_terminal = output == "-" and sys.stdout is not None and sys.stdout.isatty()
    if form == "png" and (output is None or to_terminal):
        raise click.UsageError("png is an image: write it to a file with -o FILE.png")
    return form


def deliver(result, output: str | None, force: bool, form: str) -> None:
    """A document to its -o file, or to standard output."""
    if output is not None:
        write_file(output, result, force, form)
    else:
        emit(result, json=form == "json")


def options(names: list[str], verb: str) -> str:
    """The options ``names`` (each without its dashes) as the subject of ``verb``, which agrees:
    "--seed applies", "--seed and --format apply" (verb given in the singular)."""
    from .words.sentences import series

    said = series([f"--{name.replace('_', '-')}" for name in names])
    return f"{said} {verb if len(names) == 1 else verb[:-3] + 'y' if verb.endswith('ies') else verb[:-1]}"


def not_an_input(output: str | None) -> None:
    """Refuse an -o FILE that is a file the command reads: ``check heads.json -o heads.json`` wrote its report
    over the student's model, ``show --model m.json -o m.json`` the walkthrough over the model."""
    context = click.get_current_context(silent=True)
    if output in (None, "", "-") or context is None or not os.path.exists(output):
        return
    params = context.params
    read = [("--model", params.get("model_file")), ("--embeddings", params.get("embeddings")),
            ("FILE", None if params.get("template") else params.get("path"))]
    for option, path in read:
        try:
            same = path is not None and os.path.samefile(path, output)
        except OSError:
            same = False
        if same:
            from .base.text import printable

            raise click.UsageError(f"-o {printable(output)} is the file {option} reads: writing there would replace "
                                   "it; give -o another file")


def choose_format(form: str | None, output: str | None) -> str:
    """The format --format names, else -o FILE's extension, else table; --theme only with an SVG (a dark table,
    page or PNG was written as a light one, the option ignored)."""
    not_an_input(output)
    form = _format(form, output)
    if form != "svg" and given("theme"):
        raise click.UsageError("--theme sets the SVG picture's colours: use --format svg, or -o FILE.svg")
    return form


def writable_first(path: str | None, force: bool) -> None:
    """A file a long command will write (-o, --save) refused, if it must be, before the work that makes it;
    none, or - (standard output), passes."""
    if path is not None and path != "-":
        from .base.sink import writable

        writable(path, force)


def report_format(form: str | None, output: str | None, what: str) -> str:
    """The format of a report of tables, ``what`` (bench's, sweep's, check's): table or json (``bench -o b.png``
    wrote a table into b.png)."""
    form = choose_format(form, output)
    if form not in ("table", "json"):
        raise click.UsageError(f"{what} is a table or JSON: write -o FILE.txt or FILE.json")
    return form


def _format(form: str | None, output: str | None) -> str:
    from .views.output import EXTENSIONS

    if output == "":  # (an empty name, as a script's unset variable gives, was "cannot write : Is a directory")
        raise click.UsageError("-o needs a file name, or - for standard output")
    if form is not None or output is None or output == "-":
        return form or "table"
    extension = os.path.splitext(output)[1].lower()
    if extension not in EXTENSIONS:
        context = click.get_current_context(silent=True)  # the extensions of the formats this command writes
        choices = next((p.type.choices for p in (context.command.params if context else ())
                        if p.name == "form" and isinstance(p.type, click.Choice)), None)
        known = [e for e, f in EXTENSIONS.items() if choices is None or f in choices]
        raise click.UsageError(
            f"cannot tell the format of {output!r} from its extension: use --format, "
            f"or one of {', '.join(known)}")
    return EXTENSIONS[extension]


class PositiveList(click.ParamType):
    """Comma-separated finite numbers greater than 0: 1,2,5,10,100."""

    name = "numbers"

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        numbers = [Positive().convert(part.strip(), param, ctx) for part in str(value).split(",") if part.strip()]
        if not numbers:
            self.fail("give at least one number, e.g. 1,2,5,10,100", param, ctx)
        return numbers


def show_result(kind: str, result: dict, form: str, table, output: str | None, force: bool) -> None:
    """A bench or sweep result: its JSON document, or ``table(result)`` as tables, on standard output or to the
    -o file."""
    if form == "json":
        from .views import data
        from .views.render import json as render_json

        deliver(render_json.chunks(data.result(kind, result)), output, force, form)
        return
    from .views.render import terminal

    width = output_width(output)
    document = terminal.fitted(table(result), width) if kind == "bench" else table(result, terminal.fitter([], width))
    if output is None or output == "-":
        print_lines(document, width)
    else:
        write_file(output, terminal.plain(document, width), force, form)


tokens_argument = click.argument("text", metavar="TOKENS")
scale_option = click.option("--scale", type=Positive(), default=100.0, show_default=True,
                            help="Sharpness of both heads: the logit of a match (the lecture's 100.0).")


def tokenize_option(command):
    """--tokenize and --as-typed: how TOKENS becomes tokens."""
    command = click.option(
        "--as-typed", is_flag=True,
        help="Keep tokens exactly as typed; by default text is normalised to Unicode NFC, so that é typed as "
             "one character or as e + accent is one token.")(command)
    return click.option(
        "--tokenize", type=click.Choice(TOKENIZE_MODES), default="auto", show_default=True,
        help="space: words; chars: characters; auto: characters only when TOKENS has no whitespace.")(command)


def mask_option():
    from .base.inputs import MASKS

    return click.option(
        "--mask", type=click.Choice(MASKS), default="strict", show_default=True,
        help="strict: query i keeps keys j < i (the lecture's table); inclusive: j <= i (the textbook's, "
             "GPT's), so position 0 attends to itself.")


def frequencies_option():
    from .base.inputs import MAX_FREQUENCIES

    return click.option(
        "--frequencies", type=click.IntRange(1, MAX_FREQUENCIES), default=FREQUENCIES, show_default=True,
        metavar="K", help="K frequencies of the sinusoidal and rope encodings (10000^(-m/K), m = 0 .. K-1).")


def construction_options(command):
    """--circuit, --mask, --context, --skip, --positions and --frequencies:
    which model to build (the lecture's by default)."""
    from .base.inputs import CIRCUITS, MAX_CONTEXT, MAX_SKIP, POSITIONS

    for option in (
        frequencies_option(),
        click.option("--positions", type=click.Choice(POSITIONS), default="one-hot", show_default=True,
                     help="How layer 1 knows positions: one-hot directions (the lecture's), sinusoidal codes in "
                          "the stream, a relative bias b_(i-j), rotary (rope) queries and keys, or none (NoPE)."),
        click.option("--skip", type=click.IntRange(0, MAX_SKIP), default=0, show_default=True,
                     help="Copy the token SKIP places further on than the one after the match: the pattern that "
                          "makes the ends of lines rhyme (layer 1 looks SKIP+1 back)."),
        click.option("--context", type=click.IntRange(1, MAX_CONTEXT), default=1, show_default=True,
                     help="Match the query's last CONTEXT tokens, not just its own: layer 1 gets a head per "
                          "offset, so `b c` copies what followed `b c`, not any `c`."),
        mask_option(),
        click.option("--circuit", type=click.Choice(CIRCUITS), default="lecture", show_default=True,
                     help="Which induction circuit to build: the lecture's (layer 2's key matches its previous "
                          "token: K-composition); pointer (layer 1 points to the earlier copy, layer 2 asks for the "
                          "position after it: Q-composition); virtual (three layers: two previous-token heads make "
                          "a 2-back head, V-composition, and layer 3 matches two tokens)."),
    ):
        command = option(command)
    return command


def similarity_options(command):
    """--similar and --embeddings: dense token vectors, so similar words match."""
    command = click.option(
        "--embeddings", type=click.Path(dir_okay=False), default=None, metavar="FILE",
        help="Word vectors in the text format of word2vec and GloVe (a word then its numbers on each line; a "
             "header line allowed), so that similar words match; read as a stream, only the input's rows kept. "
             "A token the file lacks gets a direction of its own.")(command)
    return click.option(
        "--similar", type=click.Choice(["subword", "case"]), default=None,
        help="Dense token vectors without a file: subword, each token's bag of character trigrams (cat, cats "
             "and Cat are similar); case, case folded (The = the).")(command)


def output_options(formats: tuple[str, ...], what: str, theme: bool = True):
    """--format (one of ``formats``, which ``what`` says), -o, --force and (with ``theme``) --theme: a
    document written in a format."""
    def decorate(command):
        for option in (
            click.option("--theme", type=click.Choice(["light", "dark"]), default="light", show_default=True,
                         help="The SVG picture's colours.") if theme else None,
            click.option("--force", is_flag=True, help="Replace an -o file even when it is read-only."),
            click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
                         help="Write to this file (atomically; - is standard output) instead of standard output."),
            click.option("--format", "form", type=click.Choice(formats), default=None,
                         help=what),
        ):
            command = option(command) if option is not None else command
        return command
    return decorate


DOCUMENTS = tuple(f for f in FORMATS if f != "npz")  # every format but the model file, which weights alone writes
document_options = output_options(DOCUMENTS, "table (default), json, markdown, latex, html, svg or png; with -o, "
                                             "from the file's extension.")
weights_options = output_options(tuple(f for f in FORMATS if f != "png"), (  # (tables: no picture)
    "table (default), json, markdown, latex, html, svg or npz (the model file); with -o, from the file's extension."))


def model_option(command):
    """--model FILE: a model file's heads in place of the hand-built ones."""
    return click.option(
        "--model", "model_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
        help="Run the heads in a model file (.npz from weights -o FILE.npz or train --save, or .json with the "
             "same keys) instead of building them; its vocabulary, positions and mask are its own.")(command)


def given(*names: str) -> list[str]:
    """Of the current command's options ``names``, those set on the command line or from the environment."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    return [n for n in names if ctx is not None and ctx.get_parameter_source(n) not in
            (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)]


def built(tokens: tuple[str, ...], mask: str = "strict", context: int = 1, skip: int = 0,
          positions: str = "one-hot", frequencies: int = FREQUENCIES, similar: str | None = None,
          embeddings: str | None = None, model_file: str | None = None, circuit: str = "lecture",
          knobs: list | tuple | None = None):
    """The Construction the options ask for (api.built): reads --embeddings
    (the rows of ``tokens``), or the --model file, whose heads no other knob
    changes; ``knobs``: those the command line set (by default, read from it)."""
    from .api import built as construction

    if knobs is None:
        knobs = given("scale", "context", "skip", "positions", "frequencies", "similar", "embeddings", "mask")
    return construction(tokens, mask=mask, context=context, skip=skip, positions=positions,
                        frequencies=frequencies, similar=similar, embeddings=embeddings, model=model_file,
                        given=knobs, circuit=circuit)


@click.group(cls=OneLineErrors, epilog=examples(*EXAMPLES, first=True), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="induction-demo", prog_name="induction-demo")
def main():
    """A two-layer attention-only transformer built by hand (layer 1 a
    previous-token head, layer 2 an induction head), run on TOKENS, with
    every matrix of the computation shown."""


@main.command(epilog=examples("show"), short_help="The walkthrough: every matrix of both layers, and the story.")
@tokens_argument
@scale_option
@tokenize_option
@click.option("--format", "form", type=click.Choice(DOCUMENTS), default=None,
              help="table (default), json, markdown, latex, html, svg or png; "
                   "with -o, taken from the file's extension unless given.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write to this file (atomically; - is standard output) instead of standard output.")
@click.option("--force", is_flag=True, help="Replace an -o file even when it is read-only.")
@click.option("--layer", type=click.Choice(LAYERS), default=None, help="Show one layer only.")
@click.option("--no-matrices", is_flag=True, help="Hide the d x d attention matrices A_1, A_2.")
@click.option("--full", is_flag=True, help="Show every position even when the tables are wider than the terminal; "
              "a handout of more than 20 tokens: every matrix, the repeats left out, not the focused handout.")
@click.option("--temperature", type=Positive(), default=1.0, show_default=True,
              help="Temperature T of the next-token softmax: below 1 sharpens, above 1 flattens.")
@click.option("--ablate", type=click.Choice(ABLATIONS), default=None,
              help="Replace one role's heads' output by zeros and watch the consequence.")
@click.option("--no-story", is_flag=True, help="Hide the plain-words account after each layer.")
@click.option("--theme", type=click.Choice(["light", "dark"]), default="light", show_default=True,
              help="The SVG picture's colours.")
@click.option("--slide", is_flag=True,
              help="SVG or PNG: one 16:9 slide (1920 x 1080) of layer 2's weights, the predictions and the story.")
@click.option("--interactive", is_flag=True,
              help="HTML: a page where choosing a query (click, or Tab and Enter) marks the keys it attends to, "
                   "the earlier copy and its prediction, a layer at a time; the state in the URL (#layer=2&query=5).")
@click.option("--beside", is_flag=True,
              help="With --model FILE: its weights beside the hand-built model's on the same string, layer by "
                   "layer, with their difference and where they differ (table, markdown, latex, html, svg).")
@model_option
@construction_options
@similarity_options
@screen_options
def show(text, scale, tokenize, as_typed, form, output, force, layer, no_matrices, full, temperature, ablate,
         no_story, theme, slide, beside, interactive, **model):
    """Run the model on TOKENS ("-" reads standard input) and show every step:
    attention logits, masked attention, weights and output of each layer, then
    the predictions. TOKENS that start with "-" go after "--":
    induction-demo show -- "-> a -> b"."""
    from .views.output import produce

    form = output_format(form, output)
    if slide and form not in ("svg", "png"):
        raise click.UsageError("--slide makes a picture: use --format svg or png, or -o FILE.svg or FILE.png")
    if interactive and form != "html":
        raise click.UsageError("--interactive makes an HTML page: use --format html, or -o FILE.html")
    if interactive and (slide or beside):
        raise click.UsageError("--interactive is a page of its own: leave out --slide and --beside")
    if beside and not model.get("model_file"):
        raise click.UsageError("--beside sets a model file beside the hand-built model: give --model FILE")
    if beside and (slide or ablate or layer):
        raise click.UsageError("--beside shows every layer of both models, intact: leave out --slide, --ablate "
                               "and --layer")
    trace = trace_of(text, tokenize, as_typed, scale, form, model, temperature=temperature, ablate=ablate)
    if beside:
        from .core.runs import run
        from .views.output import beside as produce_beside

        built = run(trace.tokens, temperature=temperature, construction=trace.construction.model.held_to())
        width = output_width(output)
        deliver(produce_beside(trace, built, form, width, theme), output, force, form)
        return
    if layer and int(layer) > len(trace.layers):
        raise InputError(f"--layer {layer}: this model has {len(trace.layers)} layers")
    if slide and layer and int(layer) != len(trace.layers):
        raise click.UsageError(f"--slide shows the last layer, {len(trace.layers)}, with the predictions: leave out "
                               f"--layer, or draw layer {layer} with -o FILE.png")
    layers = (int(layer),) if layer else None
    if interactive:
        from .views import documents
        from .views.render import page

        made = page.render(trace, documents.title(trace), documents.summary(trace).text, layers)
        deliver(made, output, force, "html")
        return
    if full and form in ("table", "svg"):
        from .base import inputs
        from .views.output import d_formula

        inputs.full(trace.n, trace.basis.d, d_formula(trace))
    styled = output is None and form == "table" and wants_colour(sys.stdout)
    width = output_width(output)
    result = produce(trace, form, layers, not no_matrices, full, width, styled, not no_story, theme, slide)
    if styled:
        print_styled(result)
    else:
        deliver(result, output, force, form)


@main.command(epilog=examples("weights"), short_help="The weight matrices A_1, V_1, A_2, V_2.")
@tokens_argument
@scale_option
@tokenize_option
@click.option("--full", is_flag=True, help="Show every direction even when the tables are wider than the terminal.")
@click.option("--factored", is_flag=True,
              help="Each head in the textbook's form: W^Q, W^K, W^V and each layer's W^O, with A = W^Q (W^K)^T / "
                   "sqrt(d_k) and V = W^V W^O (JSON always carries both forms).")
@weights_options
@model_option
@construction_options
@similarity_options
@screen_options
def weights(text, scale, tokenize, as_typed, full, factored, form, output, force, theme, **model):
    """Show the weight matrices A_1, V_1, A_2, V_2 built for TOKENS: on the
    screen, as JSON (each head's blocks, and dense matrices up to d = 120) or
    as a handout (Markdown, LaTeX, HTML, SVG)."""
    from .base import inputs
    from .views.output import weights as produce

    form = choose_format(form, output)
    if form == "png":
        raise click.UsageError("the weights are tables, not a picture: write -o FILE.svg (or .html, .md, .tex)")
    if form == "npz" and (output is None or (output == "-" and sys.stdout is not None and sys.stdout.isatty())):
        raise click.UsageError("npz is a binary model file: write it with -o FILE.npz")
    trace = trace_of(text, tokenize, as_typed, scale, form, model=model)
    if full and form in ("table", "svg"):
        from .views.output import d_formula

        inputs.full(trace.n, trace.basis.d, d_formula(trace))
    width = output_width(output)
    if form == "table" and output is None:
        print_lines(produce(trace, form, full, width, factored, screen=True), width)
    else:
        deliver(produce(trace, form, full, width, factored, theme), output, force, form)


@main.command(epilog=examples("circuits"), short_help="Each head as circuits: QK over positions and tokens, OV with eigenvalues.")
@tokens_argument
@scale_option
@tokenize_option
@document_options
@click.option("--full", is_flag=True, help="Show every position even when the tables are wider than the terminal.")
@model_option
@construction_options
@similarity_options
@screen_options
def circuits(text, scale, tokenize, as_typed, form, output, force, theme, full, **model):
    """Each head of the model built for TOKENS as circuits in the token and
    position spaces (after "A Mathematical Framework for Transformer
    Circuits"): layer 1's QK circuit over positions, the induction head's
    K-composition E A_2 (E V_1)^T with the previous-token head, and each
    head's OV circuit E V W_U with its eigenvalues and copying score."""
    from .views.output import circuits as produce

    form = output_format(form, output)
    trace = trace_of(text, tokenize, as_typed, scale, form, model)
    if full and form in ("table", "svg"):
        from .base import inputs

        inputs.full(trace.n)
    width = output_width(output)
    deliver(produce(trace, form, full, width, theme), output, force, form)


@main.command("positions", epilog=examples("positions"), short_help="Layer 1 built with each position encoding, side by side.")
@tokens_argument
@click.option("--scale", type=Positive(), default=100.0, show_default=True,
              help="Sharpness of layer 1, the only head built here: the logit of the previous position.")
@tokenize_option
@frequencies_option()
@mask_option()
@document_options
@screen_options
def compare_positions(text, scale, tokenize, as_typed, frequencies, mask, form, output, force, theme):
    """Layer 1 (the previous-token head) built for TOKENS with each position
    encoding of the lecture on positional encodings (one-hot, sinusoidal,
    relative, rope, none), its attention weights side by side."""
    from .base import inputs
    from .core.runs import run
    from .views.output import positions as produce

    form = output_format(form, output)
    tokens = tokens_of(text, tokenize, as_typed)
    inputs.format_size(form, tokens)  # the one-hot scheme's stream, the widest of the five
    traces = [run(tokens, scale, construction=built(tokens, mask, positions=p, frequencies=frequencies, knobs=()))
              for p in inputs.POSITIONS]  # (K for the two schemes that have frequencies)
    width = output_width(output)
    deliver(produce(traces, form, width, theme), output, force, form)


@main.command(epilog=examples("bench"), short_help="Repeated random tokens: accuracy, loss, induction scores.")
@click.option("--vocab", type=click.IntRange(1, BENCH_MAX_VOCAB), default=1000, show_default=True,
              help="Tokens are drawn uniformly from this many (GPT-2 has 50257).")
@click.option("--length", type=click.IntRange(1), default=50, show_default=True, help="Tokens in the random segment.")
@click.option("--repeats", type=click.IntRange(2), default=2, show_default=True, help="Copies of the segment.")
@click.option("--trials", type=click.IntRange(1), default=20, show_default=True, help="Random sequences to run.")
@click.option("--seed", type=click.IntRange(*SEED_RANGE), default=0, show_default=True,
              help="Seed of the random generator.")
@click.option("--gap", type=click.IntRange(0), default=0, show_default=True,
              help="Put 0 to GAP random tokens between copies (no fixed offset can stand in for induction).")
@scale_option
@click.option("--temperature", type=Positive(), default=1.0, show_default=True,
              help="Temperature of the next-token softmax (the loss depends on it).")
@click.option("--ablate", type=click.Choice(ABLATIONS), default=None,
              help="Replace one role's heads' output by zeros.")
@output_options(("table", "json"), theme=False, what="table (default): the measures; json: the same with every "
                                                     "setting, to keep; with -o, from the file's extension.")
@construction_options
@screen_options
def bench(vocab, length, repeats, trials, seed, gap, scale, temperature, ablate, form, output, force, **model):
    """Measure induction on repeated random tokens: next-token accuracy and loss
    on first and later copies, induction and previous-token scores."""
    from .uses import bench as measure
    from .views import report

    if given("frequencies"):
        from .api import frequencies_apply

        frequencies_apply(model["positions"])
    form = report_format(form, output, "bench's report")
    config = measure.check(measure.Config(vocab, length, repeats, trials, seed, scale, temperature, gap, ablate,
                                          **model))
    writable_first(output, force)  # before the trials: a bad path must not cost the whole run
    if sys.stdout is not None and sys.stdout.isatty() and trials >= 10:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("trials", total=trials)
            result = measure.bench(config, lambda done: bar.update(task, completed=done))
    else:
        result = measure.bench(config)
    show_result("bench", result, form, report.bench, output, force)


@main.command(epilog=examples("sweep"), short_help="The induction head's attention against its scale.")
@tokens_argument
@click.option("--scale", "scales", type=PositiveList(), default="1,2,5,10,100", show_default=True,
              help="The induction head's scales to try, comma-separated.")
@click.option("--layer", type=click.Choice(("1", "2")), default=None,
              help="Sweep layer 1 (its weight on the previous position) or 2: the induction head, whichever "
                   "layer it is (the virtual circuit's is layer 3); default 2, or 1 with --positions other than "
                   "one-hot.")
@click.option("--layer1-scale", type=Positive(), default=100.0, show_default=True,
              help="The previous-token head's scale, kept fixed while the induction head is swept.")
@tokenize_option
@output_options(("table", "json"), theme=False, what="table (default): a row per scale; json: the same with every "
                                                     "setting, to keep; with -o, from the file's extension.")
@construction_options
@similarity_options
@screen_options
def sweep(text, scales, layer, layer1_scale, tokenize, as_typed, form, output, force, **model):
    """How the induction head's weight on the matched key sharpens with its
    scale, beside the closed form e^s / (e^s + k - 1)."""
    from .views import report
    from .uses.sweep import previous
    from .uses.sweep import sweep as measure

    form = report_format(form, output, "sweep's report")
    tokens = tokens_of(text, tokenize, as_typed)
    construction = built(tokens, **model)
    from .core.schemes import scheme

    if (layer or ("2" if scheme(construction.positions).directions else "1")) == "1":
        if given("layer1_scale"):
            why = "--layer 1" if layer else f"--positions {construction.positions}, unless --layer 2"
            raise InputError(f"--layer1-scale keeps layer 1 fixed while the induction head is swept; here layer 1 "
                             f"is the one swept ({why}), at each --scale")
        result = previous(tokens, scales, construction)
    else:
        result = measure(tokens, scales, layer1_scale, construction)
    show_result("sweep", result, form, report.sweep, output, force)


@main.command("train", epilog=examples("train"), short_help="Learn the same model by gradient descent; show what it found.")
@click.option("--vocab", type=click.IntRange(2, 64), default=16, show_default=True, help="Tokens in the vocabulary.")
@click.option("--length", type=click.IntRange(6, 64), default=24, show_default=True,
              help="The model's N positions: each sequence is 6 to N tokens, its last L repeating the L before "
                   "(L: 3 to 10).")
@click.option("--steps", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="Steps of Adam.")
@click.option("--batch", type=click.IntRange(1, 512), default=32, show_default=True, help="Sequences a step.")
@click.option("--lr", type=Positive(), default=0.01, show_default=True, help="Adam's learning rate (at most 10).")
@click.option("--weight-decay", type=click.FloatRange(0, 10), default=0.01, show_default=True,
              help="Decoupled weight decay (AdamW).")
@click.option("--seed", type=click.IntRange(*SEED_RANGE), default=0, show_default=True,
              help="Seed of the first weights, the training sequences and the held-out ones.")
@mask_option()
@click.option("--layer1", type=click.Choice(TRAIN_LAYER1), default=TRAIN_LAYER1[0], show_default=True,
              help="relative: only A_1's pos x pos block is learned, as one number per offset (a relative-position "
                   "bias, each row the same), so layer 1 attends by position alone, as the lecture's does; "
                   "positions: that block entry by entry; free: all of A_1.")
@click.option("--blocks", type=click.Choice(TRAIN_BLOCKS), default=TRAIN_BLOCKS[0], show_default=True,
              help="lecture: V_1, A_2 and V_2 learn only the entries of the lecture's nonzero blocks (V_1 tok -> "
                   "prev tok and pos -> prev pos, A_2 tok x prev tok, V_2 tok -> tok): the numbers learned, the "
                   "wiring given; free: every entry.")
@click.option("--save", type=click.Path(dir_okay=False), default=None, metavar="FILE.npz",
              help="Write the learned model as a model file (show --model FILE runs it).")
@output_options(("table", "json", "markdown", "latex", "html", "svg", "png"), theme=False,
                what="table (default), json, markdown, latex or html: the report; svg or png: its picture; with -o, "
                     "from the file's extension.")
@screen_options
def train_command(vocab, length, steps, batch, lr, weight_decay, seed, mask, layer1, blocks, save, form, output,
                  force):
    """Train the lecture's two-layer attention-only model on repeated random
    tokens, on the CPU, and report the learning curve, the phase change, the
    learned A and V beside the hand-built ones, and the circuit found.
    Ctrl-C stops training and keeps what was learned."""
    import signal

    from .uses import learned, training
    from .core.modelfile import packed

    if choose_format(form, output) == "npz":
        raise click.UsageError("the model file is --save FILE.npz; -o writes the report")
    form = output_format(form, output)
    if save is not None and not save.endswith(".npz"):
        raise click.UsageError("--save writes a model file: give it a name ending in .npz")
    config = training.checked(training.Config(vocab, length, steps, batch, lr, weight_decay, seed, mask, layer1,
                                                     blocks))
    for path in (save, output):  # before the first step: a bad path must not cost the whole run
        writable_first(path, force)
    stop: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop.append(signum))
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            columns = (TextColumn("step {task.completed}/{task.total}"), BarColumn(),
                       TextColumn("loss {task.fields[loss]:.3f}  induction {task.fields[induction]:.2f}"),
                       TimeRemainingColumn())
            with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("train", total=steps, loss=float("nan"), induction=0.0)
                run = training.train(config, lambda h: bar.update(task, completed=h["step"], loss=h["loss"],
                                                               induction=h["induction_score"]), lambda: bool(stop))
        else:
            run = training.train(config, stop=lambda: bool(stop))
    finally:
        signal.signal(signal.SIGINT, previous)
    if run.interrupted:
        click.echo(f"Stopped by Ctrl-C at step {run.history[-1]['step']}: reporting what was learned.", err=True)
    found = learned.analysed(run)
    if save is not None:
        write_file(save, packed(learned.arrays(run, found)), force, "npz")
    deliver(learned.produce(run, found, form, output_width(output), saved=save),
            output, force, form)


@main.command("lecture", epilog=examples("lecture"), short_help="The walkthrough one step at a time, then the story.")
@tokens_argument
@scale_option
@tokenize_option
@click.option("--temperature", type=Positive(), default=1.0, show_default=True,
              help="Temperature T of the next-token softmax.")
@click.option("--ablate", type=click.Choice(ABLATIONS), default=None,
              help="Replace one role's heads' output by zeros and watch the consequence.")
@click.option("--no-pause", is_flag=True,
              help="Print every step one after another (as when standard output is not a terminal).")
@click.option("--format", "form", type=click.Choice(["table", "html", "latex"]), default=None,
              help="table: the steps on the terminal (default); html: a slide deck, one self-contained offline "
                   "file, a 16:9 slide per step; latex: the same deck in beamer (with -o, from the file's "
                   "extension).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the deck to this file (atomically; - is standard output).")
@click.option("--force", is_flag=True, help="Replace an -o file even when it is read-only.")
@model_option
@construction_options
@similarity_options
@screen_options
def lecture(text, scale, tokenize, as_typed, temperature, ablate, no_pause, form, output, force, **model):
    """Step through the walkthrough of TOKENS as a lecture does: the input
    and Y^(0); for each layer its A, the logits with the job marked, the
    masked logits, the weights and what it writes; the predictions; a pause
    ("now tell the story"); then the story. Space, Enter or the right arrow
    goes on, the left arrow back, q quits. Every knob of show works."""
    import textwrap

    from .views import steps as lecture_steps
    from .views.render import terminal
    from .views.tables import priority
    from .words.story import story as tell

    not_an_input(output)
    if form is None and output not in (None, "-"):
        if not output.lower().endswith((".html", ".htm", ".tex")):
            raise click.UsageError("lecture -o writes a slide deck: FILE.html, or FILE.tex (beamer)")
        form = "latex" if output.lower().endswith(".tex") else "html"
    form = form or "table"
    trace = trace_of(text, tokenize, as_typed, scale, form if form != "table" else None, model,
                     temperature=temperature, ablate=ablate)
    def steps(width: int, slide: bool = False) -> list:
        """The steps, tables windowed to ``width`` characters; the first says what a window shows."""
        every = lecture_steps.steps(trace, tell(trace), terminal.fitter(priority(trace), width))
        later = tuple(block for step in every[1:] for block in step.document.blocks)
        every[0] = every[0]._replace(document=terminal.with_notice(every[0].document, width, among=later,
                                                                   slide=slide, see_all=LECTURE_SEE_ALL))
        return every

    if form in ("html", "latex"):
        from .views import documents
        from .views.render import deck

        # tables windowed to a slide's width, as the terminal windows them to its own
        made = deck.render if form == "html" else deck.beamer
        deliver(made(documents.title(trace), steps(deck.CHARS, slide=True)), output, force, form)
        return
    width = terminal_width(sys.stdout)
    every = steps(width)
    if no_pause or not (sys.stdout.isatty() and sys.stdin.isatty()):
        for k, step in enumerate(every, 1):
            head = textwrap.wrap(f"── {step_name(k, every)}", width - 2)
            head[-1] += " " + "─" * max(0, width - len(head[-1]) - 1)  # (a long title over two lines, ruled)
            emit("\n".join(head) + "\n\n" + "".join(line + "\n" for line in step_lines(step, width, False)) + "\n")
        return
    step_through(every, width)


LECTURE_SEE_ALL = "show TOKENS --full, or a handout: show TOKENS -o walkthrough.html (or .md, .tex)"

NEXT, BACK, QUIT = (" ", "\r", "\n", "\x1b[C", "n", "l"), ("\x1b[D", "p", "h", "\x7f", "\x08"), ("q", "Q", "\x1b", "\x03")


def step_name(k: int, every: list) -> str:
    """Step ``k``'s heading: "Step 3 of 15: Layer 1: the masked logits"."""
    from .views.views import plain

    return f"Step {k} of {len(every)}: {plain(every[k - 1].title)}"


def step_lines(step, width: int, styled: bool) -> list:
    """A step's lines under its title: rich Text (colour) with ``styled``, else plain strings; not the
    blank line a table or a heading opens with."""
    from .views.render import terminal

    lines = list(terminal.styled(step.document, width)) if styled else \
        terminal.plain(step.document, width).splitlines()
    while len(lines) > 1 and not str(lines[0]).strip():
        lines.pop(0)
    return lines


def screens(every: list, width: int, height: int, styled: bool) -> list[tuple[str, list]]:
    """Each step as screens of at most ``height`` - 2 lines (its title above, the keys below): a step
    taller than the terminal goes on over several, "(part 2 of 3)", each cut at a blank line where one
    falls in its last third. With ``styled``, the lines are rich Text (colour), else plain strings."""
    import textwrap

    out = []
    for k, step in enumerate(every, 1):
        name = step_name(k, every)  # (its lines, a part's number among them)
        room = max(height - 1 - len(textwrap.wrap(name + " (part 99 of 99)", width)), 3)
        lines = step_lines(step, width, styled)
        parts, start = [], 0
        while start < len(lines) or not parts:
            end = min(start + room, len(lines))
            if end < len(lines):  # a blank line in the last third, if any, ends this part
                blank = [j for j in range(start + room * 2 // 3, end) if not str(lines[j]).strip()]
                end = blank[-1] + 1 if blank else end
            parts.append(lines[start:end])
            start = end
        for j, part in enumerate(parts, 1):
            more = f" (part {j} of {len(parts)})" if len(parts) > 1 else ""
            out.append(("\n".join(textwrap.wrap(name + more, width)), part))
    return out


def step_through(every: list, width: int) -> None:
    """One screen at a time on a terminal (rich's console clears and draws
    it), each fitting the terminal's height (a tall step over several), a key
    between: space, Enter or → on, ← back, q quits."""
    import shutil

    from rich.console import Console
    from rich.markup import escape

    console = Console(width=width, highlight=False)
    shown = screens(every, width, shutil.get_terminal_size((width, 24)).lines, wants_colour(sys.stdout))
    k = 0
    while True:
        console.clear()
        title, lines = shown[k]
        console.print(f"[bold]{escape(title)}[/bold]", markup=True)
        for line in lines:
            console.print(line)
        # no newline after the keys: a screen of the terminal's height would scroll its title off the top
        console.print("[dim]space or → next · ← back · q quit[/dim]", markup=True, end="")
        key = click.getchar()
        if key in QUIT:
            console.clear()
            return
        if key in BACK:
            k = max(0, k - 1)
        elif key in NEXT:
            if k == len(shown) - 1:
                console.print()
                return
            k += 1


@main.command("quiz", epilog=examples("quiz"), short_help="A quiz on one run, and its answer key.")
@click.argument("text", metavar="[TOKENS]", required=False)
@click.option("--seed", type=click.IntRange(*SEED_RANGE), default=None,
              help="Without TOKENS: draw a string with at least one copy, one split and one position with "
                   "nothing to copy (a new sheet for each seed).")
@click.option("--key", is_flag=True, help="Write the answer key (the same questions, numbered alike, answered).")
@click.option("--temperature", type=Positive(), default=1.0, show_default=True,
              help="Temperature T of the probability question.")
@tokenize_option
@output_options(("table", "markdown", "latex", "html"), theme=False,
                what="table (default, on the screen), markdown, latex or html; with -o, from the file's extension.")
@screen_options
def quiz(text, seed, key, temperature, tokenize, as_typed, form, output, force):
    """Questions on the lecture's model run on TOKENS (or on a string drawn
    from --seed): the input and both layers' weights, with no story, and
    numbered questions read off the run; --key writes the answers."""
    from .uses import quiz as sheets
    from .core.runs import run
    from .views.output import rendered

    if (text is None) == (seed is None):
        raise click.UsageError("give TOKENS or --seed K (a drawn string), not both" if text is not None
                               else "give TOKENS, or --seed K to draw a string")
    reading = given("tokenize", "as_typed")
    if text is None and reading:
        raise click.UsageError(f"{options(reading, 'reads')} TOKENS: --seed draws a string of tokens, with nothing "
                               "to read")
    form = choose_format(form, output)
    if form not in ("table", "markdown", "latex", "html"):
        raise click.UsageError("a quiz is a handout: --format markdown, latex or html (or table, on the screen)")
    tokens = tokens_of(text, tokenize, as_typed) if text is not None else sheets.drawn(seed)
    from .base import inputs

    inputs.format_tokens(form, tokens)  # a sheet's N x N tables: a format's limit on tokens
    trace = run(tokens, temperature=temperature)
    width = output_width(output)
    fit = None
    if form == "table":  # on a screen: a window of the positions the questions ask about first
        from .views.render import terminal
        from .views.tables import priority

        fit = terminal.fitter(priority(trace), width)
    deliver(rendered(sheets.sheet(trace, key, fit), form, width, "light",
                     notice="write a handout: -o quiz.md (or .tex, .html)"), output, force, form)


FILE_LAYOUT = [
    ("A1.0, V1.0, A2.0, V2.0", "d x d, d = 2(V + N), over the stream [tok | pos | prev tok | prev pos]: V token "
     "directions in vocab's order, N positions @0 .. @(N-1), then the same for the previous token and position "
     "(older files' A1, V1, A2, V2 load too; A<l>.<h> for more layers and heads, with layout, roles: see README)"),
    ("rows of A", "the query's directions; columns the key's: " + "a_ij = y_i A y_j^T".replace(" ", "\u00a0")),
    ("rows of V", "the directions read (input); columns those written"),
    ("vocab", "the V tokens, in the order of the one-hot directions"),
    ("n_positions", "N (the longest string it runs)"),
    ("mask, residual", 'optional: "strict" and [true, false], the lecture\'s')]
"""check's help: the model file's keys, a list that wraps to the help's width."""


class CheckCommand(Command):
    """check, whose help gives the model file's layout after its text."""

    def format_help_text(self, ctx, formatter):
        super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text("The file's layout (--template writes one, every row and column named):")
            with formatter.indentation():  # (a list wraps to the width less 2 past its indent: kept within it)
                formatter.width -= 2
                try:
                    formatter.write_dl(FILE_LAYOUT)
                finally:
                    formatter.width += 2


@main.command("check", cls=CheckCommand, epilog=examples("check"), short_help="Check a model file's heads against the lecture's.")
@click.argument("path", metavar="FILE")
@screen_options
@click.option("--seed", type=click.IntRange(*SEED_RANGE), default=0, show_default=True,
              help="Seed of the random strings the model runs on.")
@click.option("--format", "form", type=click.Choice(["table", "json"]), default=None,
              help="table (default): the report in words; json: score, max_score, output (the verdict, shown above "
                   "the tests) and tests (name, score, max_score, output), the shape of Gradescope's results.json; "
                   "with -o, from the file's extension.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the report to this file (atomically; - is standard output) instead of standard output.")
@click.option("--template", is_flag=True,
              help="Write FILE (.json or .npz): a model of zeros to fill in, every row and column named.")
@click.option("--vocab", "vocab_text", default="! a b c", show_default=True, metavar="TOKENS",
              help="With --template: the vocabulary, in the order of its one-hot directions.")
@click.option("--positions", "n_positions", type=click.IntRange(3, 1000), default=6, show_default=True,
              help="With --template: N, the positions (the longest string).")
@click.option("--force", is_flag=True, help="Replace a read-only file that is written: the -o report, or FILE with "
                                            "--template.")
def check_command(path, seed, form, output, template, vocab_text, n_positions, force):
    """Run the model in FILE (.npz, or .json with the same keys) on the
    lecture's string, strings that exercise every position and token, and
    200 random strings, and hold each run against the hand-built
    construction: layer 1's target, layer 2's target, the prediction. Exit
    0 when it passes, 1 when it fails, 2 for a file that is not a model.
    """
    from .uses import checking
    from .core.modelfile import load
    from .views.render import json as render_json

    shaping = [name for name, param in (("vocab", "vocab_text"), ("positions", "n_positions")) if given(param)]
    checking_only = [name for name, param in (("seed", "seed"), ("format", "form"), ("output", "output"))
                     if given(param)]
    if template and checking_only:
        raise click.UsageError(f"{options(checking_only, 'applies')} to checking a file: --template writes one to "
                               "fill in (its format from its extension, .json or .npz) and checks nothing")
    if shaping and not template:
        raise click.UsageError(f"{options(shaping, 'applies')} to the file --template writes: a model file to check "
                               "has its own vocabulary and positions")
    if force and not template and output in (None, "-"):
        raise click.UsageError("--force replaces a read-only file that is written, the -o report or --template's "
                               "FILE: checking reads FILE and writes only to standard output")
    if template:
        from .core.modelfile import template as blank

        kind = "json" if path.endswith(".json") else "npz" if path.endswith(".npz") else None
        if kind is None:
            raise click.UsageError("--template writes FILE.json or FILE.npz")
        write_file(path, blank(tuple(vocab_text.split()), n_positions, kind), force, kind)
        return

    form = report_format(form, output, "check's report")
    writable_first(output, force)  # before the runs: a bad path is said first
    try:
        result = checking.check(load(path), seed)
    except InputError as error:  # an autograder that keeps stdout as results.json still gets a score
        if form == "json" and output not in (None, "-"):  # (said in the refusal's one line)
            from .base.sink import write
            from .base.text import printable

            write(output, render_json.chunks(checking.refused(str(error))), force)
            raise InputError(f"{error}; {printable(output)} gives it a score of 0") from None
        if form == "json":
            emit(render_json.chunks(checking.refused(str(error))), json=True)
        raise
    if form == "json":
        deliver(render_json.chunks(result), output, force, form)
    else:
        deliver(checking.report(result, output_width(output)), output, force, form)
    if result["score"] != result["max_score"]:
        click.get_current_context().exit(1)
