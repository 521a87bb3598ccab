"""The Python API, for notebooks and scripts: ``import induction_demo as idm``.

    trace = idm.run("! a b a c b")               # the lecture's model
    trace = idm.run("b c d . x c e . b c", context=2)
    trace = idm.run("a b a", model="learned.npz")
    trace                                         # in Jupyter: the HTML handout
    trace.to_json(); trace.handout("markdown")
    idm.check("heads.npz")                        # a student's model, as check FILE
    result = idm.train(steps=300)                 # train, as the command does

Every function takes what the command line takes, as keywords, and raises
``InputError`` (a ValueError) with the command line's one-line message for
bad input.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Sequence

from .base.errors import InputError
from .core.trace import Trace as Traced


@dataclass(frozen=True, repr=False)
class Trace(Traced):
    """A run's trace (trace.Trace: every matrix, the predictions, the
    construction), which shows itself in Jupyter as the interactive page
    (choosing a query marks the keys it attends to) and writes itself in any
    format (``handout("html")``: the printable handout)."""

    def handout(self, form: str = "html") -> str | bytes:
        """The run as ``markdown``, ``latex``, ``html``, ``svg``, ``png`` (bytes), ``json``, ``table`` (text), or
        ``npz`` (bytes: the model file)."""
        return handout(self, form)

    def to_json(self) -> str:
        """The JSON document of ``show --format json``."""
        return self.handout("json")

    def _repr_html_(self) -> str:
        """Jupyter shows a trace as its interactive page (``interactive``), in a sandboxed frame."""
        return self.interactive()._repr_html_()

    def interactive(self) -> "Interactive":
        """The interactive page (show --interactive): in Jupyter, JupyterLab and a notebook converted to HTML,
        choosing a query marks the keys it attends to, the earlier copy and its prediction."""
        from .views import documents
        from .views.render import page

        return Interactive(page.render(self, documents.title(self), documents.summary(self).text))

    def __repr__(self) -> str:
        from .base import text as fmt
        from .views.views import count
        from .words.describe import ablated_heads
        from .words.sentences import series

        said = " ".join(fmt.token(t) for t in self.tokens[:12]) + (" ..." if self.n > 12 else "")
        copies = [f"@{p.position} -> {' or '.join(fmt.token(t) for t in p.candidates)}"
                  for p in self.predictions if p.copy]
        copies = series(copies) if copies else ""
        ablated = f"; ablated: {ablated_heads(self.layers)}" if self.ablate else ""
        return (f"<Trace of {count(self.n, 'token')}: {said}{ablated}; "
                + (f"predicts {copies}>" if copies else "no copies>"))


def run(tokens: str | Sequence[str], *, scale: float = 100.0, temperature: float = 1.0, ablate: str | None = None,
        mask: str = "strict", context: int = 1, skip: int = 0, positions: str = "one-hot",
        frequencies: int | None = None, similar: str | None = None, embeddings: str | None = None,
        model: str | None = None, tokenize: str = "auto", as_typed: bool = False, circuit: str = "lecture") -> Trace:
    """Run the lecture's model (or the variant the knobs build, or the heads
    of the ``model`` file) on ``tokens``: a string, split as the command line
    splits TOKENS (``tokenize``: auto, space or chars), or a sequence of
    tokens. Returns the trace: every matrix of the run, the predictions and
    the story's numbers; in Jupyter it shows itself as the HTML handout."""
    import numpy as np

    from .base import inputs
    from .base.inputs import FREQUENCIES
    from .core.runs import run as run_model
    from .base.tokens import tokenize as split

    scale, temperature = inputs.positive("scale", scale), inputs.positive("temperature", temperature)
    context = inputs.whole("--context", context, 1, inputs.MAX_CONTEXT)
    skip = inputs.whole("--skip", skip, 0, inputs.MAX_SKIP)
    if frequencies is not None:
        frequencies = inputs.whole("--frequencies", frequencies, 1, inputs.MAX_FREQUENCIES)
    mask, positions = inputs.choice("mask", mask, inputs.MASKS), inputs.choice("positions", positions, inputs.POSITIONS)
    circuit = inputs.choice("circuit", circuit, inputs.CIRCUITS)
    if ablate is not None:
        inputs.choice("ablate", ablate, inputs.ABLATIONS)
    for name, value in (("similar", similar), ("embeddings", embeddings), ("model", model)):
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise InputError(f"{name} must be a string (a name or a file's path), not {value!r}")
    if isinstance(tokens, str):
        tokens = split(tokens, inputs.choice("tokenize", tokenize, ("auto", "space", "chars")),
                       normalize=not as_typed)
    elif isinstance(tokens, (bytes, bytearray)) or not isinstance(tokens, (Sequence, np.ndarray)):
        raise InputError("tokens must be a string or a sequence of strings")  # (a numpy array of strings is one)
    tokens = inputs.sequence(tokens)  # the command line's limits: at most MAX_TOKENS tokens, each a token it makes
    changed = [name for name, value, default in (
        ("scale", scale, 100.0), ("context", context, 1), ("skip", skip, 0), ("positions", positions, "one-hot"),
        ("frequencies", frequencies, None), ("similar", similar, None), ("embeddings", embeddings, None),
        ("mask", mask, "strict")) if value != default]
    construction = built(tokens, mask=mask, context=context, skip=skip, positions=positions,
                         frequencies=FREQUENCIES if frequencies is None else frequencies, similar=similar,
                         embeddings=embeddings, model=model, given=changed, named=lambda knob: f"{knob}=",
                         circuit=circuit)
    traced = run_model(tokens, scale, temperature=temperature, ablate=ablate, construction=construction)
    return Trace(**{f.name: getattr(traced, f.name) for f in fields(traced)})


def built(tokens: tuple[str, ...], *, mask: str, context: int, skip: int, positions: str, frequencies: int,
          similar: str | None, embeddings: str | None, model: str | None, given: Sequence[str] = (),
          named=lambda knob: f"--{knob}", circuit: str = "lecture"):
    """The Construction the knobs ask for (the command line's and ``run``'s):
    reads the ``embeddings`` file (the rows of ``tokens``), or the ``model``
    file, whose heads no knob in ``given`` (those set, by ``named``) may change.
    ``circuit`` "virtual" matches two tokens: its context is 2 unless given."""
    from .core.weights import Construction, context_of

    for knob, value, wanted in (("embeddings", embeddings, "a file of word vectors"),
                                ("model", model, "FILE.npz or FILE.json"), ("similar", similar, "subword or case")):
        if value is not None and not str(value):  # (an unset variable in a script: "" was read as no option at all)
            raise InputError(f"{named(knob)} is empty: give {wanted}")
    if model is not None:
        from .core.modelfile import load

        knobs = [k for k in given if k != "mask"]
        if knobs:
            raise InputError(f"{named('model')} holds the heads: {named(knobs[0])} builds them, and does not apply")
        file = load(str(model))
        if "mask" in given and mask != file.mask:
            raise InputError(f"{named('model')} {file.name} has the {file.mask} mask: {named('mask')} {mask} "
                             "does not apply")
        if circuit != "lecture":
            raise InputError(f"{named('model')} holds the heads: {named('circuit')} {circuit} builds them, "
                             "and does not apply")
        return Construction(mask=file.mask, model=file)
    if "frequencies" in given:
        frequencies_apply(positions, named)
    if similar and embeddings:
        raise InputError(f"{named('similar')} and {named('embeddings')} each choose the token vectors: give one")
    vectors = None
    if similar:
        from .core.similar import Similarity

        vectors = Similarity(similar)
    elif embeddings:
        from .core.similar import read_vectors

        vectors = read_vectors(str(embeddings), set(tokens))
    return Construction(mask, context_of(circuit, context, "context" in given), skip, vectors, positions,
                        frequencies, circuit=circuit)


def frequencies_apply(positions: str, named=lambda knob: f"--{knob}") -> None:
    """Refuse K frequencies given for ``positions`` that have none (one-hot,
    relative, none): as every knob that does not apply, rather than ignore it."""
    from .base.text import listed
    from .core.schemes import SCHEMES

    if not SCHEMES[positions].frequencies:
        having = listed(name for name, s in SCHEMES.items() if s.frequencies)
        raise InputError(f"{named('frequencies')} sets the K frequencies of {named('positions')} {having}; this "
                         f"run's positions are {positions}, which have none")


def check(model: str, seed: int = 0) -> dict:
    """Hold the model file ``model`` against the lecture's construction, as
    ``induction-demo check FILE`` does: a dict with ``score``, ``max_score``,
    ``output`` (the verdict) and ``tests`` (each ``name``, ``score``,
    ``max_score``, ``output``)."""
    from .uses.checking import check as checked
    from .base.inputs import SEED_RANGE, whole
    from .core.modelfile import load

    if not isinstance(model, (str, os.PathLike)):
        raise InputError(f"model must be a model file's path, not {model!r}")
    seed = whole("--seed", seed, *SEED_RANGE)
    return checked(load(os.fspath(model)), seed)


def train(**options) -> Training:
    """Train the lecture's model as ``induction-demo train`` does (keywords:
    vocab, length, steps, batch, lr, weight_decay, seed, mask, layer1, blocks).
    Returns a ``Training``: ``.history``, ``.report`` (the JSON document's
    fields), ``.handout(format)``, ``.save(path)``; in Jupyter, the HTML report."""
    from .uses import learned, training

    unknown = sorted(set(options) - set(training.Config._fields))
    if unknown:
        raise InputError(f"train takes no {unknown[0]!r}: its keywords are {', '.join(training.Config._fields)}")
    run = training.train(training.Config(**options))
    return Training(run, learned.analysed(run))


class Training:
    """A training run and what it found (``train``)."""

    def __init__(self, run, found: dict):
        self.run, self.found = run, found

    @property
    def history(self) -> list[dict]:
        return self.run.history

    @property
    def report(self) -> dict:
        from .uses.learned import data

        return data(self.run, self.found)

    def handout(self, form: str = "html") -> str | bytes:
        """The report as ``markdown``, ``latex``, ``html``, ``table``, ``json``, ``svg`` or ``png`` (bytes)."""
        from .uses.learned import produce

        if _form(form) == "npz":
            raise InputError("the learned model's file is Training.save(path)")
        return _joined(produce(self.run, self.found, _form(form)))

    def save(self, path: str) -> None:
        """Write the learned model as a model file (``show --model`` reads it)."""
        from .uses.learned import arrays
        from .core.modelfile import packed
        from .base.sink import Failed, Refused, write

        if not isinstance(path, (str, os.PathLike)):
            raise InputError(f"path must be a file's path, not {path!r}")
        try:
            write(os.fspath(path), packed(arrays(self.run, self.found)), force=False)
        except (Refused, Failed) as error:  # the one error type the API raises, with the command line's words
            raise InputError(str(error)) from None

    def _repr_html_(self) -> str:
        return frame(self.handout("html"))

    def __repr__(self) -> str:
        return f"<Training: {self.run.history[-1]['step']} steps, {self.found['circuit_name']}>"


FORMS = {"md": "markdown", "markdown": "markdown", "tex": "latex", "latex": "latex", "html": "html",
         "svg": "svg", "png": "png", "json": "json", "table": "table", "text": "table", "npz": "npz"}


def _form(form: str) -> str:
    if not isinstance(form, str) or form not in FORMS:
        raise InputError(f"unknown format {form!r}: use {', '.join(sorted(set(FORMS.values())))}")
    return FORMS[form]


def _joined(result) -> str | bytes:
    """A renderer's result as one str (or bytes for PNG): JSON comes in chunks."""
    if isinstance(result, (str, bytes)):
        return result
    return "".join(result)


def handout(trace: Traced, form: str = "html") -> str | bytes:
    """``trace`` as a handout: ``markdown``, ``latex``, ``html``, ``svg``, ``png`` (bytes), ``json``, ``table``,
    or ``npz`` (bytes: the model file of ``weights -o FILE.npz``)."""
    if _form(form) == "npz":
        from .core.modelfile import npz

        return npz(trace)
    from .views.output import produce

    return _joined(produce(trace, _form(form)))


FRAME_HEIGHT = 640  # px: the notebook's window onto a handout, which scrolls inside it


def frame(html: str, scripts: bool = False) -> str:
    """An HTML document inside an iframe (its styles kept off the notebook's), with no network; with
    ``scripts``, its own JavaScript may run (sandboxed still: it cannot reach the notebook)."""
    from html import escape

    return (f'<iframe srcdoc="{escape(html, quote=True)}" style="width: 100%; height: {FRAME_HEIGHT}px; '
            f'border: 1px solid #ccc" sandbox="{"allow-scripts" if scripts else ""}"></iframe>')


@dataclass(frozen=True)
class Interactive:
    """The interactive page, shown by Jupyter in a sandboxed frame that runs its own script."""

    html: str

    def _repr_html_(self) -> str:
        return frame(self.html, scripts=True)
