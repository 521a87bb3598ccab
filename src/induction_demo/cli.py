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

from .errors import InputError
from .tokens import TOKENIZE_MODES

EXAMPLES = """
\b
Examples:
  induction-demo show "! a b a c b"           the lecture's walkthrough
  induction-demo show abcabd                  one token per character
  induction-demo show "! a b a c b" --layer 2 --no-matrices
  induction-demo show "! a b a c b" --format json
  echo "the cat sat on the cat" | induction-demo show -
  induction-demo weights "! a b a c b"        A_1, V_1, A_2, V_2
"""


class OneLineErrors(click.Group):
    """A group whose errors are one line on stderr, never a usage block or a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            hint = ""
            if isinstance(error, click.UsageError) and error.ctx is not None:
                hint = f" (see '{error.ctx.command_path} --help')"
            message = " ".join(error.format_message().split())
            click.echo(f"Error: {message}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # The reader (head, less) went away: stop quietly.
            sys.stdout = open(os.devnull, "w")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class Scale(click.ParamType):
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
    """TOKENS, or standard input when TOKENS is ``-``."""
    if text != "-":
        return text
    try:
        return click.get_binary_stream("stdin").read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.UsageError(f"standard input is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise click.UsageError(f"cannot read standard input: {error.strerror or error}") from None


def trace_of(text: str, tokenize: str, scale: float):
    from .model import run
    from .tokens import tokenize as split

    try:
        return run(split(read_text(text), tokenize), scale)
    except InputError as error:
        raise click.UsageError(str(error)) from None


def print_document(document) -> None:
    """Plain text off a terminal or with NO_COLOR set (no escape codes, $COLUMNS
    or 120 columns wide); on a terminal, rich's colours at the terminal's width."""
    from .render import terminal

    out = click.get_text_stream("stdout")
    if not out.isatty() or "NO_COLOR" in os.environ:
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else 120
        out.write(terminal.plain(document, width))
        return
    from rich.console import Console

    console = Console(file=out, markup=False, emoji=False, highlight=False)
    for line in terminal.styled(document, console.width):
        console.print(line, soft_wrap=True)


tokens_argument = click.argument("text", metavar="TOKENS")
scale_option = click.option("--scale", type=Scale(), default=100.0, show_default=True,
                            help="Sharpness of both heads: the logit of a match (the lecture's 100.0).")
tokenize_option = click.option(
    "--tokenize", type=click.Choice(TOKENIZE_MODES), default="auto", show_default=True,
    help="space: words; chars: characters; auto: characters only when TOKENS has no whitespace.")


@click.group(cls=OneLineErrors, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="induction-demo", prog_name="induction-demo")
def main():
    """A two-layer attention-only transformer built by hand (layer 1 a
    previous-token head, layer 2 an induction head), run on TOKENS, with
    every matrix of the computation shown."""


@main.command(epilog=EXAMPLES)
@tokens_argument
@scale_option
@tokenize_option
@click.option("--format", "form", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: rich tables; json: one JSON document.")
@click.option("--layer", type=click.Choice(["1", "2"]), default=None, help="Show one layer only.")
@click.option("--no-matrices", is_flag=True, help="Hide the d x d attention matrices A_1, A_2.")
def show(text, scale, tokenize, form, layer, no_matrices):
    """Run the model on TOKENS ("-" reads standard input) and show every step:
    attention logits, masked attention, weights and output of each layer, then
    the predictions."""
    trace = trace_of(text, tokenize, scale)
    layers = (int(layer),) if layer else (1, 2)
    if form == "json":
        from .render import json as render_json

        click.echo(render_json.render(trace, layers), nl=False)
        return
    from . import views

    print_document(views.walkthrough(trace, layers, matrices=not no_matrices))


@main.command(epilog=EXAMPLES)
@tokens_argument
@scale_option
@tokenize_option
def weights(text, scale, tokenize):
    """Show the weight matrices A_1, V_1, A_2, V_2 built for TOKENS."""
    trace = trace_of(text, tokenize, scale)
    from . import views

    print_document(views.weights(trace))
