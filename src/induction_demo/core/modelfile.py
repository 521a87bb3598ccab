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
import zlib
from dataclasses import dataclass

import numpy as np

from ..base import inputs
from .basis import BLOCKS
from ..base.errors import InputError
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
    if c.circuit != "lecture":
        raise InputError(f"the model file holds the lecture's two layers over [tok | pos | prev tok | prev pos]; "
                         f"--circuit {c.circuit} has {len(trace.layers)} layers over "
                         f"[{' | '.join(trace.basis.names)}]: use --format json")
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
        top = float(np.abs(matrix).max(initial=0.0))
        matrix = matrix / top if top > 0 else matrix  # scaled before squaring: 1e200 squared is past a float
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
            from ..base.text import tied, token

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


def labels(vocab: tuple[str, ...], n: int) -> list[str]:
    """The d directions' names, in the file's order: tok:t, pos:@p, prev tok:t, prev pos:@p."""
    return ([f"tok:{t}" for t in vocab] + [f"pos:@{p}" for p in range(n)]
            + [f"prev tok:{t}" for t in vocab] + [f"prev pos:@{p}" for p in range(n)])


def template(vocab: tuple[str, ...], n: int, form: str) -> str | bytes:
    """A model file of zeros for ``vocab`` and ``n`` positions, with every
    direction named (``labels``: rows and columns alike) and the lecture's
    mask and residuals: a student fills in A1, V1, A2 and V2 (check FILE)."""
    for t in vocab:
        problem = inputs.token_problem(t)
        if problem:
            raise InputError(f"--vocab: {problem}")
    if not vocab or len(set(vocab)) != len(vocab):
        raise InputError("--vocab must be distinct tokens")
    d = 2 * (len(vocab) + n)
    if d > MAX_D:
        raise InputError(f"d = 2(V + N) = {d} directions is more than the {MAX_D} a model file may have")
    if form == "npz":
        zeros = np.zeros((d, d))
        return packed({"A1": zeros, "V1": zeros, "A2": zeros, "V2": zeros, "vocab": np.array(vocab, dtype=str),
                       "n_positions": np.array(n), "mask": np.array("strict"), "residual": np.array([True, False]),
                       "labels": np.array(labels(vocab, n), dtype=str)})
    rows = ",\n".join("    [" + ", ".join(["0"] * d) + "]" for _ in range(d))
    matrices = ",\n".join(f'  "{k}": [\n{rows}\n  ]' for k in ("A1", "V1", "A2", "V2"))
    return ("{\n" + f'  "labels": {json.dumps(labels(vocab, n), ensure_ascii=False)},\n'
            + f'  "vocab": {json.dumps(list(vocab), ensure_ascii=False)},\n  "n_positions": {n},\n'
            + '  "mask": "strict",\n  "residual": [true, false],\n' + matrices + "\n}\n")


MAX_JSON_BYTES = 32 << 20
"""A JSON model file's size at most: json's objects take 8 to 18 times their
text in memory (32 MiB: about 600 MB at most), so a JSON file is bounded far
below an npz's 1 GiB; a larger model is an .npz (``np.savez``)."""
MAX_UNPACKED_BYTES = 1 << 30  # an .npz's arrays, decompressed, at most (each member's header is read first)
MAX_ENTRY = 1e300
"""The largest entry of A or V, in absolute value, a model file may hold: a
head past it overflows every sum of logits (a float holds at most 1.8e308)."""
MATRICES = ("A1", "V1", "A2", "V2")


def load(path: str) -> Model:
    """The model in ``path`` (.npz, or .json with the same keys), or one line
    naming what is wrong. Everything is bounded before it is read: the file's
    size, each .npz member's header (shape and type) and decompressed size,
    a JSON file's size; nothing is converted silently (a complex, string or
    boolean matrix, a fractional N, a bytes or numeric vocabulary is refused)."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise InputError(f"{path}: not a file")
    json_file = path.endswith(".json")
    limit = MAX_JSON_BYTES if json_file else MAX_FILE_BYTES
    if os.path.getsize(path) > limit:
        raise InputError(f"{path}: more than {limit >> 20} MiB, more than a {'JSON ' if json_file else ''}model file "
                         f"this tool reads{' (write a larger model as .npz)' if json_file else ''}")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    try:
        raw = _json(path) if json_file else _npz(path)
        return _model(path, raw)
    except InputError:
        raise
    except MemoryError:
        raise InputError(f"{path}: too large to read in this machine's memory") from None
    except (OSError, ValueError, EOFError, UnicodeError, zipfile.BadZipFile, zlib.error, RecursionError,
            OverflowError, KeyError, TypeError) as error:
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: not a model file (.npz, or .json with the same keys): {said[:200]}") from None


def _refuse_constant(name: str):
    raise InputError(f"holds {name}, which is not a number a model may have")


def _unique(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def _json(path: str) -> dict:
    """A JSON model file's keys, its arrays as numpy arrays of their own type."""
    with open(path, encoding="utf-8") as f:
        try:
            raw = json.load(f, object_pairs_hook=_unique, parse_constant=_refuse_constant)
        except InputError as error:
            raise InputError(f"{path}: {error}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: not a JSON object with the keys {', '.join(KEYS)}")
    out = {}
    for key, value in raw.items():
        if key in MATRICES:
            out[key] = _json_matrix(path, key, value)
        elif key == "vocab":
            if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                raise InputError(f"{path}: vocab must be a list of strings (tokens), not numbers, booleans or null")
            out[key] = value
        else:
            out[key] = value
    return out


def _json_matrix(path: str, key: str, value) -> np.ndarray:
    """A JSON matrix: a list of equal rows of numbers (no booleans, no strings, nothing past a float)."""
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise InputError(f"{path}: {key} must be a list of rows of numbers")
    for row in value:
        for x in row:
            if type(x) not in (int, float):  # (a bool is an int to Python: refused here)
                raise InputError(f"{path}: {key} holds {x!r}, not a number")
    if len({len(row) for row in value}) > 1:
        raise InputError(f"{path}: {key}'s rows are not all the same length")
    try:
        return np.array(value, dtype=float)
    except OverflowError:
        raise InputError(f"{path}: {key} holds an integer past the largest float") from None


def _npz(path: str) -> dict:
    """An .npz's arrays, each member's header read before its data: a shape,
    type or decompressed size a model cannot have is refused unread."""
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not an .npz (a zip of .npy arrays) nor a .json model file")
    out: dict = {}
    with zipfile.ZipFile(path) as z:
        members = {info.filename.removesuffix(".npy"): info for info in z.infolist()}
        total = sum(info.file_size for info in members.values())
        if total > MAX_UNPACKED_BYTES:
            raise InputError(f"{path}: its arrays take {total / 2**20:,.0f} MiB decompressed, more than the "
                             f"{MAX_UNPACKED_BYTES >> 20} MiB a model file may")
        headers = {}
        for key, info in members.items():
            with z.open(info) as member:
                version = np.lib.format.read_magic(member)
                reader = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                    else np.lib.format.read_array_header_2_0
                shape, _, dtype = reader(member, max_header_size=10000) if version != (1, 0) else reader(member)
            headers[key] = (shape, dtype)
        small = {"vocab": 1, "n_positions": 0, "mask": 0, "residual": 1, "offset": 0, "horizon": 0, "layout": 1}
        for key, (shape, dtype) in headers.items():
            if key in small and (len(shape) > small[key] or int(np.prod(shape)) > MAX_D):
                raise InputError(f"{path}: {key} has shape {shape}, not that of a model file's {key}")
            if dtype.kind == "O" or dtype.hasobject:
                raise InputError(f"{path}: {key} holds Python objects, which this tool never loads")
        for key in ("vocab", "n_positions", "mask", "residual", "offset", "horizon"):
            if key in headers:
                out[key] = _read(z, members[key])
        d = _width(path, out)
        for key in MATRICES:
            if key not in headers:
                continue
            shape, dtype = headers[key]
            if shape != (d, d):
                raise InputError(f"{path}: {key} has shape {shape}; with V = {len(out['vocab'])} tokens and N = "
                                 f"{out['n_positions']} positions it must be d x d = {d} x {d} ([tok | pos | prev tok "
                                 "| prev pos])")
            if dtype.kind not in "fiu":
                raise InputError(f"{path}: {key} holds {dtype} values; a model's matrices hold real numbers")
            out[key] = _read(z, members[key])
    return out


def _read(z: zipfile.ZipFile, info) -> np.ndarray:
    with z.open(info) as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _width(path: str, raw: dict) -> int:
    """d = 2(V + N), from a file's vocab and n_positions (checked first: they bound every d x d array)."""
    missing = [k for k in ("vocab", "n_positions") if k not in raw]
    if missing:
        raise InputError(f"{path}: no key {', '.join(missing)} (a model file holds {', '.join(KEYS)})")
    vocab = raw["vocab"]
    if isinstance(vocab, np.ndarray):
        if vocab.dtype.kind != "U" or vocab.ndim != 1:
            raise InputError(f"{path}: vocab must be a list of strings (tokens), not {vocab.dtype} values")
        vocab = vocab.tolist()
    raw["vocab"] = vocab
    n = raw["n_positions"]
    if isinstance(n, np.ndarray):
        if n.dtype.kind not in "iu" or n.size != 1:
            raise InputError(f"{path}: n_positions must be a whole number (an integer), not {n.dtype} {n.tolist()!r}")
        n = int(n.reshape(-1)[0])
    elif type(n) is not int:  # (JSON: not 6.5, 6.0, "6", true or 1e999)
        raise InputError(f"{path}: n_positions must be a whole number (an integer), not {n!r}")
    raw["n_positions"] = n
    if not vocab or len(set(vocab)) != len(vocab) or n < 1:
        raise InputError(f"{path}: vocab must be distinct tokens and n_positions at least 1")
    for t in vocab:
        problem = inputs.token_problem(t)
        if problem:
            raise InputError(f"{path}: vocab: {problem}")
    d = 2 * (len(vocab) + n)
    if d > MAX_D:
        raise InputError(f"{path}: d = 2(V + N) = {d} directions is more than the {MAX_D} this tool reads "
                         f"(V = {len(vocab)}, N = {n})")
    return d


def _model(path: str, raw: dict) -> Model:
    keys = set(raw)
    missing = [k for k in KEYS if k not in keys]
    if missing:
        raise InputError(f"{path}: no key {', '.join(missing)} (a model file holds {', '.join(KEYS)})")
    d = _width(path, raw)
    vocab, n = tuple(raw["vocab"]), raw["n_positions"]
    arrays = []
    for key in MATRICES:
        array = raw[key]
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
            raise InputError(f"{path}: {key} is not an array of numbers")
        if array.shape != (d, d):
            raise InputError(f"{path}: {key} has shape {array.shape}; with V = {len(vocab)} tokens and N = {n} "
                             f"positions it must be d x d = {d} x {d} ([tok | pos | prev tok | prev pos])")
        array = array.astype(float, copy=False)  # (no second copy of a float64 array: d = 4000 is 128 MB)
        if not np.isfinite(array).all():
            raise InputError(f"{path}: {key} holds NaN or infinity")
        top = max(float(array.max(initial=0.0)), -float(array.min(initial=0.0)))
        if top > MAX_ENTRY:
            raise InputError(f"{path}: {key} holds an entry of {top:.3g}; a model file's entries are "
                             f"at most {MAX_ENTRY:g} in absolute value (past it every sum of logits overflows)")
        arrays.append(array)
    mask = raw.get("mask", "strict")
    mask = mask.tolist() if isinstance(mask, np.ndarray) and mask.dtype.kind == "U" and mask.ndim == 0 else mask
    if mask not in ("strict", "inclusive"):
        raise InputError(f"{path}: mask is {mask!r}; use strict or inclusive")
    residual = (True, False)
    if "residual" in keys:
        given = raw["residual"]
        if isinstance(given, list) and all(type(x) is bool for x in given):
            given = np.array(given)
        if not isinstance(given, np.ndarray) or given.shape != (2,) or given.dtype.kind != "b":
            raise InputError(f"{path}: residual must be two booleans, one a layer (the lecture's: [true, false])")
        residual = (bool(given[0]), bool(given[1]))
    steps = [_whole(path, raw[key], key, n) if key in keys else 1 for key in ("offset", "horizon")]
    return Model(*arrays, vocab, n, mask == "inclusive", residual, os.path.basename(path), *steps)


def _whole(path: str, value, key: str, n: int) -> int:
    """A file's offset or horizon: a whole number from 1 to N - 1."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu" and value.size == 1:
        value = int(value.reshape(-1)[0])
    if type(value) is not int or not 1 <= value < max(n, 2):
        raise InputError(f"{path}: {key} must be a whole number from 1 to N - 1 = {max(n - 1, 1)}")
    return value
