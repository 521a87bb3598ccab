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
import re
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..base import inputs
from ..base import text as fmt
from .basis import BLOCKS, Subspace
from ..base.errors import InputError
from .blocks import DUPLICATE, INDUCTION, LOOK_BACK, UNKNOWN
from .trace import Trace
from .weights import Block, Head, LayerSpec, dense, duplicate_token_head, induction_head, previous_token_head

KEYS = ("A1.0", "V1.0", "A2.0", "V2.0", "vocab", "n_positions")
SUBSPACE = re.compile(r"(?:[a-z][a-z0-9]{0,15} )?(?:tok|pos)")
MAX_LAYERS, MAX_HEADS = 8, 8  # layers a model file may have, and heads in a layer
HEAD_KEY = re.compile(r"([AV])([1-9][0-9]?)(?:\.([0-9]))?")
"""A head's matrix: A1.0, V2.1, ... (layer, then head), or A1, V1, A2, V2 (the older files' one head a layer)."""
MAX_D = 4000  # directions a model file may have: four d x d arrays of 128 MB at most
MAX_FILE_BYTES = 1 << 30  # a model file's size at most (JSON of d = 4000 is about 1 GB)
MAX_SHOWN_ENTRIES = 1_000_000  # nonzero entries of A1, V1, A2, V2 that show, weights and circuits run at most

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's date: the same model gives the same bytes


def arrays(trace: Trace) -> dict[str, np.ndarray]:
    """The model of ``trace`` as the file's arrays: every head of every layer,
    A and V over the stream's one-hot subspaces; one line of refusal for a
    model the file cannot hold (a position read outside the stream, dense
    token vectors)."""
    c = trace.construction
    kinds = {s.kind for s in trace.basis.subspaces}
    if not kinds <= {"tok", "pos"} or trace.words is not None or \
            any(run.head.bias or run.head.rope is not None for layer in trace.layers for run in layer.heads):
        raise InputError("the model file holds one-hot tokens and positions in the stream; this model's positions "
                         f"or tokens are read another way (--positions {c.positions}"
                         f"{', --similar' if trace.words is not None else ''}): use --format json")
    heads = tuple(tuple(run.head for run in layer.heads) for layer in trace.layers)
    return of_heads(heads, trace.basis, c.mask, tuple(layer.residual for layer in trace.layers),
                    horizon=c.horizon, circuit=c.circuit, context=c.context).arrays()


def of_heads(heads, basis, mask: str, residual: tuple[bool, ...] = (True, False), name: str = "model.npz",
             offset: int = 1, horizon: int = 1, circuit: str = "lecture", context: int = 1) -> Model:
    """Layers of heads (a tuple of heads, or of tuples of heads, one a layer) over ``basis``, as a model file's
    matrices, each head's role and offset kept."""
    layers = tuple((h,) if isinstance(h, Head) else tuple(h) for h in heads)
    matrices = tuple(tuple((dense(h.qk, basis), dense(h.ov, basis)) for h in layer) for layer in layers)
    roles = tuple(h.role.kind for layer in layers for h in layer)
    offsets = tuple(h.offset if h.looks_back else 0 for layer in layers for h in layer)
    return Model(matrices, tuple(basis.vocab), basis.n_positions, mask == "inclusive", tuple(residual), name,
                 offset, horizon, basis.names, roles, offsets, circuit, context)


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


def symbol(layer: int, head: int, heads: int, matrix: str = "A") -> str:
    """A head's matrix as the views name it: A1 for a layer's only head, A1.0, A1.1, ... for several."""
    return f"{matrix}{layer}" if heads == 1 else f"{matrix}{layer}.{head}"


def kind_of(name: str) -> str:
    """A subspace's kind from its name: tok (V directions) or pos (N directions)."""
    return "tok" if name.endswith("tok") else "pos"


ROLES = {"look-back": LOOK_BACK, "duplicate-token": DUPLICATE, "induction": INDUCTION, "unknown": UNKNOWN}


@dataclass(frozen=True, eq=False)
class Model:
    """A model file's heads: ``matrices[l][h]`` is head h of layer l + 1 as
    (A, V), each d x d over the subspaces ``layout`` (the lecture's [tok |
    pos | prev tok | prev pos] by default); its vocabulary in one-hot order,
    its N positions, its mask, whether each layer adds its input back, and
    what each head is for (``roles``, ``offsets``: look-back heads' offsets;
    "unknown" where the file does not say). Equal only to itself (a
    construction that holds one compares by identity)."""

    matrices: tuple  # [layer][head] -> (A, V)
    vocab: tuple[str, ...]
    n_positions: int
    inclusive: bool
    residual: tuple[bool, ...] = (True, False)
    name: str = "model.npz"  # the file's name, for the views' words
    offset: int = 1  # how far back layer 1's job is (a lecture-shaped file's): whose token the second half holds
    horizon: int = 1  # how far ahead the last layer's copy stands
    layout: tuple[str, ...] = BLOCKS
    roles: tuple[str, ...] = ()  # each head's role kind, layer by layer (none given: the lecture's, or unknown)
    offsets: tuple[int, ...] = ()  # each head's offset (a look-back head's; 0 for the others)
    circuit: str = "lecture"  # the hand-built circuit the file is held to (check)
    context: int = 1  # how many tokens its induction head matches (the hand-built one held to: --context)

    @classmethod
    def lecture(cls, a1, v1, a2, v2, vocab, n_positions, inclusive, residual=(True, False), name="model.npz",
                offset=1, horizon=1) -> "Model":
        """The lecture's shape: two layers of one head over [tok | pos | prev tok | prev pos]."""
        return cls((((a1, v1),), ((a2, v2),)), tuple(vocab), n_positions, inclusive, tuple(residual), name, offset,
                   horizon)

    @property
    def shaped(self) -> bool:
        """The lecture's shape (A1, V1, A2, V2 over its four subspaces): check's fast pass and its hints apply."""
        return self.layout == BLOCKS and [len(layer) for layer in self.matrices] == [1, 1]

    def matrix(self, key: str) -> np.ndarray:
        """"A1" (a layer's only head), "A1.0", "V2.1", ...: that head's matrix."""
        kind, (layer, _, head) = key[0], key[1:].partition(".")
        return self.matrices[int(layer) - 1][int(head or 0)][0 if kind == "A" else 1]

    @property
    def a1(self) -> np.ndarray:
        return self.matrix("A1")

    @property
    def v1(self) -> np.ndarray:
        return self.matrix("V1")

    @property
    def a2(self) -> np.ndarray:
        return self.matrix("A2")

    @property
    def v2(self) -> np.ndarray:
        return self.matrix("V2")

    def replaced(self, **changes) -> "Model":
        """The same model with ``a1``, ``v1``, ``a2``, ``v2`` (a lecture-shaped file's) or other fields changed."""
        from dataclasses import replace

        named = {f"{k[0].upper()}{k[1]}.0": changes.pop(k) for k in ("a1", "v1", "a2", "v2") if k in changes}
        return replace(self, **changes).with_matrices(named)

    def with_matrices(self, by_key: dict) -> "Model":
        """The same model with the matrices named by key ("A1.0", "V2.1", ...) replaced."""
        from dataclasses import replace

        if not by_key:
            return self
        return replace(self, matrices=tuple(
            tuple((by_key.get(f"A{l}.{h}", a), by_key.get(f"V{l}.{h}", v)) for h, (a, v) in enumerate(layer))
            for l, layer in enumerate(self.matrices, 1)))

    @property
    def keys(self) -> tuple[str, ...]:
        """The file's matrix keys, A1.0, V1.0, A2.0, ..., in order."""
        return tuple(f"{m}{l}.{h}" for l, layer in enumerate(self.matrices, 1) for h in range(len(layer)) for m in "AV")

    def arrays(self) -> dict[str, np.ndarray]:
        """The file's arrays, in the file's order (the module's docstring)."""
        named = {key: self.matrix(key) for key in self.keys}
        return named | {"vocab": np.array(self.vocab, dtype=str), "n_positions": np.array(self.n_positions),
                        "mask": np.array(self.mask), "residual": np.array(self.residual),
                        "layout": np.array(self.layout, dtype=str), "roles": np.array(self.kinds, dtype=str),
                        "offsets": np.array(self.head_offsets)} \
            | {key: np.array(value) for key, value in (("horizon", self.horizon),) if value != 1} \
            | ({"circuit": np.array(self.circuit)} if self.circuit != "lecture" else {}) \
            | ({"context": np.array(self.context)} if self.context != 1 else {})

    def held_to(self):
        """The hand-built construction the file is set beside and held to (check,
        show --beside): its circuit, mask, context and horizon."""
        from .weights import Construction

        if self.circuit == "virtual":
            return Construction(mask=self.mask, context=2, circuit="virtual")
        return Construction(mask=self.mask, context=self.context, skip=self.horizon - 1, circuit=self.circuit)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Each head's role kind: the file's, or for a lecture-shaped file that names none, the lecture's
        (look back, then induction), or else unknown."""
        if self.roles:
            return self.roles
        if self.shaped:
            return ("look-back", "induction")
        return tuple("unknown" for layer in self.matrices for _ in layer)

    def head_number(self, layer: int, head: int = 0) -> int:
        """Head ``head`` of layer ``layer`` counted over every layer's heads: its place in ``kinds`` and
        ``head_offsets`` (head 0 of a layer: how many heads the layers before it have)."""
        return sum(len(heads) for heads in self.matrices[:layer - 1]) + head

    @property
    def head_offsets(self) -> tuple[int, ...]:
        if self.offsets:
            return self.offsets
        return tuple(self.offset if kind == "look-back" else 0 for kind in self.kinds)

    @property
    def subspaces(self) -> tuple[Subspace, ...]:
        return tuple(Subspace(name, kind_of(name)) for name in self.layout)

    @cached_property  # (the matrices do not change: check runs a file on hundreds of strings, a d x d pass each)
    def scale(self) -> float:
        """The largest entry of the heads' A, in absolute value."""
        return float(max(np.abs(a).max() for layer in self.matrices for a, _ in layer))

    @property
    def mask(self) -> str:
        return "inclusive" if self.inclusive else "strict"

    def layers(self) -> tuple[LayerSpec, ...]:
        return self._layers

    @cached_property
    def _layers(self) -> tuple[LayerSpec, ...]:
        """Each layer's heads, their blocks the file's entries. A head whose
        role the file gives (or the lecture's, for a lecture-shaped file) is
        held to the job of the hand-built head of that role (``Head.reference``):
        a look-back head the token its offset back, a duplicate-token head the
        earlier copies, an induction head the token ``horizon`` after an
        earlier copy (mechanism.selected); an unknown one to nothing."""
        out, k = [], 0
        for l, layer in enumerate(self.matrices, 1):
            heads = []
            for h, (a, v) in enumerate(layer):
                kind, offset = self.kinds[k], self.head_offsets[k]
                k += 1
                ref = {"look-back": lambda: previous_token_head(1.0, max(offset, 1)),
                       "duplicate-token": lambda: duplicate_token_head(1.0),
                       "induction": lambda: induction_head(1.0)}.get(kind, lambda: None)()
                name = f"layer-{l} head" if len(layer) == 1 else f"head {l}.{h}"
                heads.append(Head(name, _blocks(a, self.slices(), symbol(l, h, len(layer))),
                                  _blocks(v, self.slices(), symbol(l, h, len(layer), "V")),
                                  offset=offset if kind == "look-back" else 0, role=ROLES[kind], reference=ref))
            out.append(LayerSpec(tuple(heads), self.residual[l - 1]))
        return tuple(out)

    def shares(self, key: str) -> tuple[tuple[str, str, float], ...]:
        """Each nonzero block of the matrix ``key`` (A1, V1.0, ...) as (row
        subspace, column subspace, its share of the matrix's sum of squared
        entries), largest first (ties in the stream's order)."""
        matrix = self.matrix(key)
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
        """Where each subspace lies among the d directions."""
        out, start = {}, 0
        for name in self.layout:
            size = len(self.vocab) if kind_of(name) == "tok" else self.n_positions
            out[name] = slice(start, start + size)
            start += size
        return out

    @cached_property
    def entries(self) -> int:
        """The nonzero entries of every head's A and V."""
        return int(sum(np.count_nonzero(m) for layer in self.matrices for head in layer for m in head))

    def check_tokens(self, tokens: tuple[str, ...]) -> None:
        """One line of refusal for a string the model has no directions for, or a
        model too dense for the views (each nonzero entry is shown and written)."""
        if self.entries > MAX_SHOWN_ENTRIES:
            raise InputError(f"{self.name} has {self.entries:,} nonzero entries in its heads' A and V; show, weights "
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
    """The d x d ``matrix`` as its nonzero blocks between the subspaces
    (``slices``), each with a scale (the rule holds the entries over it)."""
    out = []
    for r in slices:
        for c in slices:
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
    mask and residuals: a student fills in A1.0, V1.0, A2.0 and V2.0 (check FILE)."""
    for t in vocab:
        problem = inputs.token_problem(t)
        if problem:
            raise InputError(f"--vocab: {problem}")
    if not vocab:
        raise InputError('--vocab is empty: give its tokens, as "! a b c"')
    if len(set(vocab)) != len(vocab):
        repeated = next(t for t in vocab if vocab.count(t) > 1)
        raise InputError(f"--vocab must be distinct tokens: `{fmt.token(repeated)}` is there twice or more")
    d = 2 * (len(vocab) + n)
    if d > MAX_D:
        raise InputError(f"d = 2(V + N) = {d} directions is more than the {MAX_D} a model file may have")
    if form == "npz":
        zeros = np.zeros((d, d))
        return packed({"A1.0": zeros, "V1.0": zeros, "A2.0": zeros, "V2.0": zeros, "vocab": np.array(vocab, dtype=str),
                       "n_positions": np.array(n), "mask": np.array("strict"), "residual": np.array([True, False]),
                       "labels": np.array(labels(vocab, n), dtype=str)})
    rows = ",\n".join("    [" + ", ".join(["0"] * d) + "]" for _ in range(d))
    matrices = ",\n".join(f'  "{k}": [\n{rows}\n  ]' for k in ("A1.0", "V1.0", "A2.0", "V2.0"))
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
MATRICES = ("A1", "V1", "A2", "V2")  # the older files' keys
SMALL = {"vocab": 1, "n_positions": 0, "mask": 0, "residual": 1, "offset": 0, "horizon": 0, "layout": 1,
         "roles": 1, "offsets": 1, "circuit": 0, "context": 0}
"""The keys that are not matrices, and the dimensions each may have."""


def head_key(key: str) -> tuple[str, int, int] | None:
    """("A" or "V", layer, head) for a matrix key, else None."""
    found = HEAD_KEY.fullmatch(key)
    return None if found is None else (found[1], int(found[2]), int(found[3] or 0))


def load(path: str) -> Model:
    """The model in ``path`` (.npz, or .json with the same keys), or one line
    naming what is wrong. Everything is bounded before it is read: the file's
    size, each .npz member's header (shape and type) and decompressed size,
    a JSON file's size; nothing is converted silently (a complex, string or
    boolean matrix, a fractional N, a bytes or numeric vocabulary is refused)."""
    if not path:
        raise InputError("the model file's name is empty: give FILE.npz or FILE.json")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise InputError(f"{path}: not a file")
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    # what the file holds decides how it is read, not its name: a zip is an .npz, text opening with { or [ JSON
    json_file = head[:4] != b"PK\x03\x04" and (path.endswith(".json") or
                                               head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["))
    limit = MAX_JSON_BYTES if json_file else MAX_FILE_BYTES
    if os.path.getsize(path) > limit:
        raise InputError(f"{path}: more than {limit >> 20} MiB, more than a {'JSON ' if json_file else ''}model file "
                         f"this tool reads{' (write a larger model as .npz)' if json_file else ''}")
    try:
        raw = _json(path) if json_file else _npz(path)
        return _model(path, raw)
    except InputError:
        raise
    except MemoryError:
        raise InputError(f"{path}: too large to read in this machine's memory") from None
    except json.JSONDecodeError as error:  # Python's words, where a person wrote the file by hand
        raise InputError(f"{path}: " + ("empty: a model file is a JSON object (check --template FILE.json writes one to fill in)"
                                        if not error.doc.strip() else
                                        f"not JSON: {error.msg.lower()} at line {error.lineno}, column {error.colno}")
                         ) from None
    except RecursionError:
        raise InputError(f"{path}: lists nested deeper than a model file's (a matrix is a list of rows)") from None
    except (OSError, ValueError, EOFError, UnicodeError, zipfile.BadZipFile, zlib.error, OverflowError, KeyError,
            TypeError) as error:
        if json_file and isinstance(error, UnicodeDecodeError):
            raise InputError(f"{path}: not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
                             f"{error.start}): save it as UTF-8") from None
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: not a model file (.npz, or .json with the same keys): {said[:200]}") from None


def _json_int(digits: str) -> int:
    """A JSON whole number; one of more digits than a float can reach is refused here, where Python's own limit
    (4300 digits) told the user to call sys.set_int_max_str_digits()."""
    count = len(digits.lstrip("-"))
    if count > 309:
        raise InputError(f"holds a whole number of {count} digits, past the largest float")
    return int(digits)


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
    with open(path, encoding="utf-8-sig") as f:  # (a byte-order mark, as Notepad may write a filled-in template)
        try:
            raw = json.load(f, object_pairs_hook=_unique, parse_constant=_refuse_constant, parse_int=_json_int)
        except InputError as error:
            raise InputError(f"{path}: {error}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: not a JSON object with the keys {', '.join(KEYS)}")
    view = raw.get("kind")
    if "schema_version" in raw and isinstance(view, str) and not any(head_key(key) for key in raw):
        # the JSON a command's --format json writes (weights -o FILE.json among them): a view of a run, in blocks
        raise InputError(f"{path}: the JSON view `{view[:20]} --format json` writes, not a model file: "
                         "`weights TOKENS -o FILE.npz` writes one, `check --template FILE.json` one to fill in")
    out = {}
    for key, value in raw.items():
        if head_key(key):
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
        for key, (shape, dtype) in headers.items():
            if key in SMALL and (len(shape) > SMALL[key] or int(np.prod(shape)) > MAX_D):
                raise InputError(f"{path}: {key} has shape {shape}, not that of a model file's {key}")
            if dtype.kind == "O" or dtype.hasobject:
                raise InputError(f"{path}: {key} holds Python objects, which this tool never loads")
        for key in SMALL:
            if key in headers:
                out[key] = _read(z, members[key])
        d = _width(path, out)
        for key, (shape, dtype) in headers.items():
            if not head_key(key):
                continue
            if shape != (d, d):
                raise InputError(f"{path}: {key} has shape {shape}; with V = {len(out['vocab'])} tokens and N = "
                                 f"{out['n_positions']} positions it must be d x d = {d} x {d} "
                                 f"([{' | '.join(out['layout'])}])")
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
    layout = raw.get("layout", BLOCKS)
    if isinstance(layout, np.ndarray) and layout.dtype.kind == "U" and layout.ndim == 1:
        layout = layout.tolist()
    if not isinstance(layout, (list, tuple)) or not all(isinstance(name, str) and SUBSPACE.fullmatch(name)
                                                        for name in layout) \
            or len(set(layout)) != len(layout) or not {"tok", "pos"} <= set(layout):
        raise InputError(f"{path}: layout must name distinct subspaces, each tok, pos, or a word and tok or pos "
                         "(prev tok, ptr pos), with tok and pos among them")
    raw["layout"] = tuple(layout)
    tokens = sum(kind_of(name) == "tok" for name in layout)
    d = tokens * len(vocab) + (len(layout) - tokens) * n
    if d > MAX_D:
        raise InputError(f"{path}: d = {d} directions is more than the {MAX_D} this tool reads "
                         f"(V = {len(vocab)}, N = {n}, {len(layout)} subspaces)")
    return d


def _heads(path: str, raw: dict) -> list[list[tuple[str, str]]]:
    """The matrix keys of each layer's heads, [(A key, V key), ...] a layer:
    A1.0, V1.0, A2.0, ... or an older file's A1, V1, A2, V2, never both."""
    found = {key: head_key(key) for key in raw if head_key(key)}
    if not found:
        raise InputError(f"{path}: no key A1.0, V1.0, A2.0, V2.0 (or A1, V1, A2, V2): a model file holds its heads' "
                         "A and V")
    old = [key for key in found if "." not in key]
    if old and len(old) != len(found):
        raise InputError(f"{path}: holds both {old[0]} and {next(k for k in found if '.' in k)}: name every head "
                         "A1.0, V1.0, ... or, as older files did, A1, V1, A2, V2")
    heads: dict[int, set[int]] = {}
    for _, layer, head in found.values():
        heads.setdefault(layer, set()).add(head)
    layers = sorted(heads)
    if layers != list(range(1, len(layers) + 1)) or len(layers) > MAX_LAYERS:
        raise InputError(f"{path}: its layers must be 1 to L (at most {MAX_LAYERS}), not {', '.join(map(str, layers))}")
    out = []
    for layer in layers:
        if sorted(heads[layer]) != list(range(len(heads[layer]))) or len(heads[layer]) > MAX_HEADS:
            raise InputError(f"{path}: layer {layer}'s heads must be numbered 0 to H - 1 (at most {MAX_HEADS})")
        keys = []
        for head in range(len(heads[layer])):
            a, v = (f"{m}{layer}" if old else f"{m}{layer}.{head}" for m in "AV")
            missing = [k for k in (a, v) if k not in raw]
            if missing:
                raise InputError(f"{path}: no key {missing[0]} (each head has its A and its V)")
            keys.append((a, v))
        out.append(keys)
    if old and len(out) != 2:
        raise InputError(f"{path}: A1, V1, A2, V2 name two layers; name more heads A1.0, V1.0, A2.0, ...")
    return out


def _matrix(path: str, key: str, array, d: int, raw: dict) -> np.ndarray:
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
        raise InputError(f"{path}: {key} is not an array of numbers")
    if array.shape != (d, d):
        raise InputError(f"{path}: {key} has shape {array.shape}; with V = {len(raw['vocab'])} tokens and N = "
                         f"{raw['n_positions']} positions it must be d x d = {d} x {d} ([{' | '.join(raw['layout'])}])")
    array = array.astype(float, copy=False)  # (no second copy of a float64 array: d = 4000 is 128 MB)
    if not np.isfinite(array).all():
        raise InputError(f"{path}: {key} holds NaN or infinity")
    top = max(float(array.max(initial=0.0)), -float(array.min(initial=0.0)))
    if top > MAX_ENTRY:
        raise InputError(f"{path}: {key} holds an entry of {top:.3g}; a model file's entries are "
                         f"at most {MAX_ENTRY:g} in absolute value (past it every sum of logits overflows)")
    return array


def _strings(path: str, raw: dict, key: str, count: int, choices) -> tuple[str, ...]:
    """A list of ``count`` strings, each one of ``choices``."""
    value = raw[key]
    value = value.tolist() if isinstance(value, np.ndarray) and value.dtype.kind == "U" else value
    if not isinstance(value, list) or len(value) != count or not all(v in choices for v in value):
        raise InputError(f"{path}: {key} must be {count} of {', '.join(choices)}, one a head")
    return tuple(value)


def _model(path: str, raw: dict) -> Model:
    missing = [k for k in ("vocab", "n_positions") if k not in raw]
    if missing:
        raise InputError(f"{path}: no key {', '.join(missing)} (a model file holds {', '.join(KEYS)})")
    d = _width(path, raw)
    vocab, n = tuple(raw["vocab"]), raw["n_positions"]
    keys = _heads(path, raw)
    matrices = tuple(tuple((_matrix(path, a, raw[a], d, raw), _matrix(path, v, raw[v], d, raw)) for a, v in layer)
                     for layer in keys)
    count = sum(len(layer) for layer in keys)
    mask = raw.get("mask", "strict")
    mask = mask.tolist() if isinstance(mask, np.ndarray) and mask.dtype.kind == "U" and mask.ndim == 0 else mask
    if mask not in ("strict", "inclusive"):
        raise InputError(f"{path}: mask is {mask!r}; use strict or inclusive")
    residual = (True,) * (len(keys) - 1) + (False,)
    if "residual" in raw:
        given = raw["residual"]
        if isinstance(given, list) and all(type(x) is bool for x in given):
            given = np.array(given)
        if not isinstance(given, np.ndarray) or given.shape != (len(keys),) or given.dtype.kind != "b":
            raise InputError(f"{path}: residual must be {len(keys)} booleans, one a layer (the lecture's: "
                             "[true, false])")
        residual = tuple(bool(x) for x in given)
    steps = [_whole(path, raw[key], key, n) if key in raw else 1 for key in ("offset", "horizon")]
    roles = _strings(path, raw, "roles", count, tuple(ROLES)) if "roles" in raw else ()
    offsets = ()
    if "offsets" in raw:
        given = raw["offsets"]
        given = given.tolist() if isinstance(given, np.ndarray) and given.dtype.kind in "iu" else given
        if not isinstance(given, list) or len(given) != count or \
                not all(type(o) is int and 0 <= o < max(n, 2) for o in given):
            raise InputError(f"{path}: offsets must be {count} whole numbers from 0 to N - 1, one a head")
        offsets = tuple(given)
    if "offset" not in raw and offsets and offsets[0]:  # a lecture-shaped file's layer-1 offset, from its head's
        steps[0] = offsets[0]
    circuit = raw.get("circuit", "lecture")
    circuit = circuit.tolist() if isinstance(circuit, np.ndarray) and circuit.dtype.kind == "U" else circuit
    if circuit not in inputs.CIRCUITS:
        raise InputError(f"{path}: circuit must be one of {', '.join(inputs.CIRCUITS)}")
    context = raw.get("context", 1)
    context = int(context.reshape(-1)[0]) if isinstance(context, np.ndarray) and context.dtype.kind in "iu" \
        and context.size == 1 else context
    if type(context) is not int or not 1 <= context <= inputs.MAX_CONTEXT:
        raise InputError(f"{path}: context must be a whole number from 1 to {inputs.MAX_CONTEXT}")
    return Model(matrices, vocab, n, mask == "inclusive", residual, os.path.basename(path), *steps,
                 tuple(raw["layout"]), roles, offsets, circuit, context)


def _whole(path: str, value, key: str, n: int) -> int:
    """A file's offset or horizon: a whole number from 1 to N - 1."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu" and value.size == 1:
        value = int(value.reshape(-1)[0])
    if type(value) is not int or not 1 <= value < max(n, 2):
        raise InputError(f"{path}: {key} must be a whole number from 1 to N - 1 = {max(n - 1, 1)}")
    return value
