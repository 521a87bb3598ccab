"""The model file: a hand-built (or, later, trained) model as one ``.npz``,
loadable with numpy alone.

Keys (every array a plain dtype, so ``np.load(path)`` reads it without pickle):

- ``A1``, ``V1``, ``A2``, ``V2``: float64, d x d each, over the stream
  [tok | pos | prev tok | prev pos] (``layout`` names the four blocks; under
  ``--skip n`` the second half is the token and position n + 1 back);
- ``vocab``: the V tokens, in the order of the one-hot token directions;
- ``n_positions``: N, the one-hot position directions (the longest string);
- ``mask``: "strict" (query i keeps keys j < i) or "inclusive" (j <= i);
- ``residual``: [True, False], whether each layer adds its input back;
- ``layout``: the names of the d directions' four blocks, in order;
- ``offset`` and ``horizon`` (written only where they are not 1, as under
  ``--skip n``): how far back layer 1's head looks, whose token the second
  half holds, and how far ahead layer 2's copy stands. They say what the
  file's heads are for, so that its story is told truly (a file without
  them is held to the lecture's: 1 and 1).

A row vector y is the stream; a head's logits are y_i A y_j^T and its write
W Y V: the lecture's equations, with no scale or bias hidden anywhere else.

``load`` reads such a file (or the same keys as JSON, the arrays as nested
lists; ``mask`` and ``residual`` optional, the lecture's by default) as a
``Model``, whose ``layers`` are heads like the hand-built ones: each A and V
a sum of blocks between the four subspaces, their entries the file's.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass

import numpy as np

from . import inputs
from .basis import BLOCKS
from .errors import InputError
from .trace import Trace
from .weights import Block, Head, LayerSpec, dense, induction_head, previous_token_head

KEYS = ("A1", "V1", "A2", "V2", "vocab", "n_positions")
MAX_D = 4000  # directions a model file may have: four d x d arrays of 128 MB at most
MAX_FILE_BYTES = 1 << 30  # a model file's size at most (JSON of d = 4000 is about 1 GB)
MAX_SHOWN_ENTRIES = 1_000_000  # nonzero entries of A1, V1, A2, V2 that show, weights and circuits run at most

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's date: the same model gives the same bytes


def arrays(trace: Trace) -> dict[str, np.ndarray]:
    """The model of ``trace`` as the file's arrays; one line of refusal for a
    model the layout cannot hold (several heads a layer, a position read
    outside the stream, dense token vectors)."""
    c = trace.construction
    if any(len(layer.heads) != 1 for layer in trace.layers):
        raise InputError("the model file holds one head a layer (A1, V1, A2, V2), and this model has "
                         f"{sum(len(layer.heads) for layer in trace.layers)} heads (--context {c.context}): "
                         "use --format json for every head")
    kinds = [s.kind for s in trace.basis.subspaces]
    if kinds != ["tok", "pos", "tok", "pos"] or trace.words is not None or \
            any(run.head.bias or run.head.rope is not None for layer in trace.layers for run in layer.heads):
        raise InputError("the model file holds one-hot tokens and positions in the stream [tok | pos | prev tok | "
                         "prev pos]; this model's positions or tokens are read another way (--positions "
                         f"{c.positions}{', --similar' if trace.words is not None else ''}): use --format json")
    heads = tuple(layer.heads[0].head for layer in trace.layers)
    return of_heads(heads, trace.basis, c.mask, tuple(layer.residual for layer in trace.layers),
                    offset=heads[0].offset, horizon=c.horizon).arrays()


def of_heads(heads: tuple[Head, Head], basis, mask: str, residual: tuple[bool, bool] = (True, False),
             name: str = "model.npz", offset: int = 1, horizon: int = 1) -> Model:
    """Two one-head layers over a basis of the lecture's four subspaces, as a model file's matrices."""
    (a1, v1), (a2, v2) = ((dense(h.qk, basis), dense(h.ov, basis)) for h in heads)
    return Model(a1, v1, a2, v2, tuple(basis.vocab), basis.n_positions, mask == "inclusive", tuple(residual), name,
                 offset, horizon)


def npz(trace: Trace) -> bytes:
    """The file's bytes for the model of ``trace``."""
    return packed(arrays(trace))


def packed(named: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` (a zip of ``.npy`` arrays), written with fixed entry dates
    so the same arrays give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, array in named.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_TIME), member.getvalue(),
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@dataclass(frozen=True, eq=False)
class Model:
    """A model file's heads: A1, V1, A2, V2 (d x d over [tok | pos | prev tok |
    prev pos], d = 2(V + N)), its vocabulary in one-hot order, its N
    positions, its mask and whether each layer adds its input back. Equal
    only to itself (a construction that holds one compares by identity)."""

    a1: np.ndarray
    v1: np.ndarray
    a2: np.ndarray
    v2: np.ndarray
    vocab: tuple[str, ...]
    n_positions: int
    inclusive: bool
    residual: tuple[bool, bool] = (True, False)
    name: str = "model.npz"  # the file's name, for the views' words
    offset: int = 1  # how far back layer 1's job is: whose token the second half holds
    horizon: int = 1  # how far ahead layer 2's copy stands

    def arrays(self) -> dict[str, np.ndarray]:
        """The file's arrays, in the file's order (the module's docstring)."""
        return {"A1": self.a1, "V1": self.v1, "A2": self.a2, "V2": self.v2,
                "vocab": np.array(self.vocab, dtype=str), "n_positions": np.array(self.n_positions),
                "mask": np.array(self.mask), "residual": np.array(self.residual), "layout": np.array(BLOCKS, dtype=str)} \
            | {key: np.array(value) for key, value in (("offset", self.offset), ("horizon", self.horizon)) if value != 1}

    @property
    def scale(self) -> float:
        """The largest entry of A1 and A2, in absolute value."""
        return float(max(np.abs(self.a1).max(), np.abs(self.a2).max()))

    @property
    def mask(self) -> str:
        return "inclusive" if self.inclusive else "strict"

    def layers(self) -> tuple[LayerSpec, ...]:
        """Layer 1's head and layer 2's, their blocks the file's entries. Each
        is held to the job of the lecture's head in its place (``Head.reference``):
        layer 1 the token ``offset`` back (the previous one), layer 2 the token
        ``horizon`` after an earlier copy (mechanism.selected)."""
        return tuple(LayerSpec((Head(f"layer-{k} head", _blocks(a, self.slices(), f"A{k}"),
                                     _blocks(v, self.slices(), f"V{k}"),
                                     offset=ref.offset, role=ref.role, reference=ref),), residual)
                     for k, (a, v, ref, residual) in enumerate(
                         ((self.a1, self.v1, previous_token_head(1.0, self.offset), self.residual[0]),
                          (self.a2, self.v2, induction_head(1.0), self.residual[1])), 1))

    def shares(self, symbol: str) -> tuple[tuple[str, str, float], ...]:
        """Each nonzero block of ``symbol`` (A1, V1, A2 or V2) as (row subspace,
        column subspace, its share of the matrix's sum of squared entries),
        largest first (ties in the stream's order)."""
        matrix = {"A1": self.a1, "V1": self.v1, "A2": self.a2, "V2": self.v2}[symbol]
        total = float((matrix ** 2).sum())
        out = []
        for r, rows in self.slices().items():
            for c, cols in self.slices().items():
                part = float((matrix[rows, cols] ** 2).sum())
                if part > 0:
                    out.append((r, c, part / total))
        return tuple(sorted(out, key=lambda x: -x[2]))

    def slices(self) -> dict[str, slice]:
        """Where each of the four subspaces lies among the d directions."""
        v, n = len(self.vocab), self.n_positions
        return {"tok": slice(0, v), "pos": slice(v, v + n), "prev tok": slice(v + n, 2 * v + n),
                "prev pos": slice(2 * v + n, 2 * (v + n))}

    @property
    def entries(self) -> int:
        """The nonzero entries of A1, V1, A2 and V2."""
        return int(sum(np.count_nonzero(m) for m in (self.a1, self.v1, self.a2, self.v2)))

    def check_tokens(self, tokens: tuple[str, ...]) -> None:
        """One line of refusal for a string the model has no directions for, or a
        model too dense for the views (each nonzero entry is shown and written)."""
        if self.entries > MAX_SHOWN_ENTRIES:
            raise InputError(f"{self.name} has {self.entries:,} nonzero entries in A1, V1, A2 and V2; show, weights "
                             f"and circuits run at most {MAX_SHOWN_ENTRIES:,} (a dense model of d = 500); "
                             "check runs it")
        unknown = [t for t in dict.fromkeys(tokens) if t not in set(self.vocab)]
        if unknown:
            from .text import tied, token

            raise InputError(f"{tied(unknown, ', ', lambda t: f'`{token(t)}`')} "
                             f"{'is' if len(unknown) == 1 else 'are'} not in the vocabulary of {self.name} "
                             f"({len(self.vocab)} tokens: {tied(self.vocab, ' ', token)})")
        if len(tokens) > self.n_positions:
            raise InputError(f"{len(tokens)} tokens is more than the {self.n_positions} positions of {self.name}")


def _table_rule(table: np.ndarray):
    def rule(q: np.ndarray, k: np.ndarray) -> np.ndarray:
        return table[q, k]
    return rule


def _blocks(matrix: np.ndarray, slices: dict[str, slice], symbol: str) -> tuple[Block, ...]:
    """The d x d ``matrix`` as its nonzero blocks between the four subspaces,
    each with a scale (the rule holds the entries over it)."""
    out = []
    for r in BLOCKS:
        for c in BLOCKS:
            part = matrix[slices[r], slices[c]]
            top = float(np.abs(part).max()) if part.size else 0.0
            if top > 0:  # a power of two at or above the largest entry: scale x (entry / scale) is the entry, exactly
                scale = float(2.0 ** np.ceil(np.log2(top)))
                out.append(Block(r, c, _table_rule(part / scale), scale, f"{symbol}[{r}, {c}] from the file"))
    return tuple(out)


def load(path: str) -> Model:
    """The model in ``path`` (.npz, or .json with the same keys), or one line naming what is wrong."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a file")
    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise InputError(f"{path}: more than {MAX_FILE_BYTES >> 20} MiB, more than a model file this tool reads")
    try:
        if path.endswith(".json"):
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
            if not isinstance(raw, dict):
                raise InputError(f"{path}: not a JSON object with the keys {', '.join(KEYS)}")
            return _model(path, raw, set(raw))
        if not zipfile.is_zipfile(path):
            raise InputError(f"{path}: not an .npz (a zip of .npy arrays) nor a .json model file")
        with np.load(path, allow_pickle=False) as raw:  # read key by key: vocab and N are checked before d x d
            return _model(path, raw, set(raw.files))
    except InputError:
        raise
    except (OSError, ValueError, EOFError, UnicodeDecodeError, zipfile.BadZipFile, RecursionError) as error:
        raise InputError(f"{path}: not a model file (.npz, or .json with the same keys): "
                         f"{str(error).splitlines()[0] if str(error) else type(error).__name__}") from None


def _model(path: str, raw, keys: set) -> Model:
    missing = [k for k in KEYS if k not in keys]
    if missing:
        raise InputError(f"{path}: no key {', '.join(missing)} (a model file holds {', '.join(KEYS)})")
    vocab = tuple(str(t) for t in np.asarray(raw["vocab"]).reshape(-1))
    try:
        n = int(np.asarray(raw["n_positions"]))
    except (TypeError, ValueError):
        raise InputError(f"{path}: n_positions is not a whole number") from None
    if not vocab or len(set(vocab)) != len(vocab) or n < 1:
        raise InputError(f"{path}: vocab must be distinct tokens and n_positions at least 1")
    longest = max(vocab, key=len)
    if not all(vocab) or len(longest) > inputs.MAX_TOKEN_CHARS or any(len(t.split()) != 1 for t in vocab):
        raise InputError(f"{path}: every token in vocab must have 1 to {inputs.MAX_TOKEN_CHARS} characters "
                         "and no whitespace")
    d = 2 * (len(vocab) + n)
    if d > MAX_D:
        raise InputError(f"{path}: d = 2(V + N) = {d} directions is more than the {MAX_D} this tool reads "
                         f"(V = {len(vocab)}, N = {n})")
    arrays = []
    for key in ("A1", "V1", "A2", "V2"):
        try:
            array = np.asarray(raw[key], dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{path}: {key} is not an array of numbers") from None
        if array.shape != (d, d):
            raise InputError(f"{path}: {key} has shape {array.shape}; with V = {len(vocab)} tokens and N = {n} "
                             f"positions it must be d x d = {d} x {d} ([tok | pos | prev tok | prev pos])")
        if not np.isfinite(array).all():
            raise InputError(f"{path}: {key} holds NaN or infinity")
        arrays.append(array)
    mask = str(np.asarray(raw["mask"])) if "mask" in keys else "strict"
    if mask not in ("strict", "inclusive"):
        raise InputError(f"{path}: mask is {mask!r}; use strict or inclusive")
    residual = (True, False)
    if "residual" in keys:
        given = np.asarray(raw["residual"])
        if given.shape != (2,) or given.dtype.kind not in "bi" or not np.isin(given, (0, 1)).all():
            raise InputError(f"{path}: residual must be two booleans, one a layer (the lecture's: [true, false])")
        residual = (bool(given[0]), bool(given[1]))
    steps = []
    for key in ("offset", "horizon"):
        steps.append(_whole(path, raw[key], key, n) if key in keys else 1)
    return Model(*arrays, vocab, n, mask == "inclusive", residual, os.path.basename(path), *steps)


def _whole(path: str, value, key: str, n: int) -> int:
    """A file's offset or horizon: a whole number from 1 to N - 1."""
    given = np.asarray(value)
    if given.shape != () or given.dtype.kind not in "iu" or not 1 <= int(given) < max(n, 2):
        raise InputError(f"{path}: {key} must be a whole number from 1 to N - 1 = {max(n - 1, 1)}")
    return int(given)
