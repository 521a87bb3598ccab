"""The one error type of the library.

Its message is written for the person at the terminal: one line, saying what
was wrong with what they typed and, where it helps, what to type instead.
The CLI turns it into a usage error (exit code 2).
"""


class InputError(ValueError):
    """The input cannot be run through the model (empty, too long, bad scale)."""


class MissingExtra(RuntimeError):
    """An optional dependency (an extra such as ``plot``) is not installed;
    the message says which extra to install. The CLI exits 1: the input was
    fine, the installation lacks a part."""


class Diverged(RuntimeError):
    """Training left finite numbers (a learning rate or weight decay too
    large): the message names the step. Nothing is saved; the CLI exits 1."""
