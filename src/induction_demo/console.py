"""The command line's standard streams: what is written to the terminal, a
pipe or a file, and how each of their failures is said in one line.

Colour and width come from --color/--no-color and --width, else from the
terminal (NO_COLOR, FORCE_COLOR, $COLUMNS); text goes out in standard
output's own encoding; a full, closed or non-UTF-8 stream is a
``StdoutFailed`` (the CLI exits 1); a closed pipe is a BrokenPipeError (the
CLI ends quietly).
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click


class StdoutFailed(Exception):
    """Standard output cannot take the output (closed, full, or an encoding that cannot show it)."""


def quit_output() -> None:
    """Point standard output at /dev/null, so that what is still buffered for a
    failed stream (a closed pipe, a full disk) is not written again, with a
    traceback, when Python exits."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def screen_options(command):
    """--color/--no-color and --width N, kept in the click context's meta."""
    def keep(ctx, param, value):
        ctx.meta[param.name] = value

    command = click.option("--width", type=click.IntRange(40, 1000), default=None, expose_value=False,
                           callback=keep, help="Lay tables out N columns wide (default: the terminal's, "
                                               "or $COLUMNS, or 120).")(command)
    return click.option("--color/--no-color", "color", default=None, expose_value=False, callback=keep,
                        help="Colour the tables (default: on a terminal, unless NO_COLOR is set; "
                             "FORCE_COLOR forces it).")(command)


def chosen(name: str):
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(name)


def terminal_width(out) -> int:
    """--width; else the terminal's width on a terminal; else $COLUMNS, or 120."""
    if chosen("width"):
        return chosen("width")
    if out is not None and out.isatty():
        import shutil

        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else 120


def output_width(output: str | None) -> int:
    """The width tables are laid out for: --width; else, on standard output, the terminal's (``terminal_width``);
    in an -o file, 120 (``show --width 50 -o w.txt`` wrote 120 columns, the option ignored)."""
    if output is None or output == "-":
        return terminal_width(sys.stdout)
    return chosen("width") or 120


def wants_colour(out) -> bool:
    """--color or --no-color; else colour on a terminal unless NO_COLOR is set
    (https://no-color.org), and wherever FORCE_COLOR is set."""
    if chosen("color") is not None:
        return chosen("color")
    if os.environ.get("FORCE_COLOR"):
        return True
    return out is not None and out.isatty() and "NO_COLOR" not in os.environ


@contextmanager
def _writing():
    """A write to standard output that fails (a full disk) is one line; a closed pipe passes on."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StdoutFailed(f"cannot write to standard output: {error.strerror or error}") from None


def print_styled(lines) -> None:
    """Rich's colours, on a terminal without NO_COLOR."""
    from rich.console import Console

    plain = "".join(line.plain + "\n" for line in lines)
    try:
        plain.encode(stdout_encoding())
    except UnicodeEncodeError:
        emit(plain)  # says in one line which character the encoding cannot show
    class Piped(Console):
        def on_broken_pipe(self) -> None:  # rich would exit 1: a closed pipe ends as SIGPIPE does, 141
            self.quiet = True
            raise BrokenPipeError("standard output's reader went away")

    with _writing():
        tty = sys.stdout.isatty()  # elsewhere (less -R) colour was asked for: 16 colours, no detection
        console = Piped(file=sys.stdout, markup=False, emoji=False, highlight=False, force_terminal=True,
                        color_system="auto" if tty else "standard")
        for line in lines:
            console.print(line, soft_wrap=True)
        sys.stdout.flush()


def write_file(path: str, data, force: bool, form: str) -> None:
    """Write ``data`` to ``path`` (``-``: standard output) and say on stderr, in one line, what was written."""
    from .base.sink import write

    if path == "-":
        emit(data, json=form == "json")
        return
    size, note = write(path, data, force)
    from .base.text import printable

    click.echo(f"wrote {printable(path)} ({amount(size)}, {form})" + (f"; note: {note}" if note else ""), err=True)


def amount(size: int) -> str:
    """Bytes as a person reads them: 532 B, 14 KB, 2.3 MB."""
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}" if size < 10 * scale else f"{size // scale} {unit}"
    return f"{size} B"


def stdout_encoding() -> str:
    """The codec standard output writes with (utf-8 unless PYTHONIOENCODING or the locale say otherwise)."""
    import codecs

    return codecs.lookup(getattr(sys.stdout, "encoding", None) or "utf-8").name


def json_escape(error: UnicodeEncodeError):
    """A codec error handler: what the encoding cannot hold, as JSON \\u escapes
    (in our JSON, only strings hold characters outside ASCII)."""
    text = error.object[error.start:error.end]
    units = text.encode("utf-16-be")
    return "".join(f"\\u{units[k]:02x}{units[k + 1]:02x}" for k in range(0, len(units), 2)), error.end


def emit(data, json: bool = False) -> None:
    """Text, bytes or text chunks to standard output, in its encoding. JSON
    escapes what a non-UTF-8 encoding cannot hold; other text that it cannot
    hold is refused in one line, before anything is written."""
    import codecs

    from .base.sink import write_all, write_to

    if sys.stdout is None:
        raise StdoutFailed("standard output is closed: write to a file with -o FILE")
    if not hasattr(sys.stdout, "buffer"):  # a text stream only (a notebook's, io.StringIO): text as it is
        if isinstance(data, bytes):
            raise StdoutFailed("standard output here takes text only: write to a file with -o FILE")
        with _writing():
            for chunk in ([data] if isinstance(data, str) else data):
                sys.stdout.write(chunk)
            sys.stdout.flush()
        return
    encoding = stdout_encoding()
    with _writing():
        sys.stdout.flush()
        out = sys.stdout.buffer
        if isinstance(data, bytes) or encoding == "utf-8":
            write_to(out, data)
        elif json:
            codecs.register_error("induction-demo-json", json_escape)
            for chunk in ([data] if isinstance(data, str) else data):
                write_all(out, chunk.encode(encoding, "induction-demo-json"))
        else:
            text = data if isinstance(data, str) else "".join(data)
            try:
                encoded = text.encode(encoding)
            except UnicodeEncodeError as error:
                raise StdoutFailed(
                    f"standard output's encoding ({sys.stdout.encoding}) cannot show {text[error.start]!r}: set "
                    "PYTHONIOENCODING=utf-8 (or a UTF-8 locale), or write a file with -o FILE") from None
            write_all(out, encoded)
        out.flush()


def print_lines(document, width: int | None = None) -> None:
    """A document of tables: styled on a terminal, plain elsewhere."""
    from .views.render import terminal

    width = terminal_width(sys.stdout) if width is None else width
    if wants_colour(sys.stdout):
        print_styled(terminal.styled(document, width))
    else:
        emit(terminal.plain(document, width))
