"""Similar words: dense token embeddings in which a dot product measures
similarity (seed 004), so that the induction head copies for similar words.

With one-hot tokens, a_ij = s [x_i = x_(j-1)]: only the same token matches.
With unit-length token vectors e(t) in an m-dimensional token block, the
same A_2 (the identity between the query's token block and the key's
previous-token block, times s) gives a_ij = s cos(x_i, x_(j-1)): a key after
a similar word scores by how similar it is. Three sources of vectors:

- ``subword`` (no file): each token's normalised bag of character trigrams,
  with ``<`` and ``>`` marking its start and end and case folded, so ``cat``,
  ``cats`` and ``Cat`` share trigrams (``<ca``, ``cat``) and ``cat``/``dog``
  share none. A feature is a trigram.
- ``case`` (no file): one direction per case-folded token: ``The`` and
  ``the`` are the same word, nothing else is similar.
- a word-vector file (``--embeddings FILE``) in the text format of word2vec
  and GloVe: a word then its numbers on each line, an optional header line
  "count dimension". It is read as a stream; only the rows of the input's
  tokens are kept (every other row's field count is checked, its numbers are
  not parsed). A token the file lacks gets a direction of its own, orthogonal
  to every other token's.

Every vector is scaled to unit length, so a dot product is a cosine.
"""
from __future__ import annotations

import math
import unicodedata
from typing import NamedTuple

import numpy as np

from ..base.errors import InputError

KINDS = ("subword", "case")
MAX_FEATURES = 4096
"""The most directions a token block may have (trigrams, or a file's
dimension plus the tokens it lacks): the stream is N x m per half."""

MAX_LINE_BYTES = 1 << 18
"""The longest line of a word-vector file, 256 KiB: a row of MAX_FEATURES
numbers at 64 characters each. The widest common files (300 to 1024
dimensions, GloVe, word2vec, fastText) write 3 to 15 KB a line. A file
with no newline (a device such as /dev/zero, a single huge line) is refused
at this bound, so a line never takes more memory than this."""

MAX_VECTOR_FILE_BYTES = 16 << 30
"""The most bytes of a word-vector file read, 16 GiB: the largest common
files (GloVe 840B at 5.6 GB, fastText's crawl vectors at 4.5 GB) with room
to spare. A FIFO or device that never ends is refused here; only the
input's rows are kept, so memory does not grow with the file."""


class Similarity(NamedTuple):
    """Where the token vectors come from: ``kind`` "subword", "case" or
    "vectors" (read from ``source``, the file; ``rows`` holds the rows of the
    input's tokens found there, as (word, numbers))."""

    kind: str
    source: str = ""
    rows: tuple = ()
    dimension: int = 0


class Embedding(NamedTuple):
    """The token embedding E: V x m, row t the unit vector of vocabulary token t."""

    similarity: Similarity
    features: tuple[str, ...]  # the m directions' names
    vectors: np.ndarray  # [V, m]
    own: tuple[str, ...]  # tokens not in the file: each has a direction of its own

    def cosine(self, a: int, b: int) -> float:
        return float(self.vectors[a] @ self.vectors[b])

    def similarities(self, tokens: list[int] | None = None) -> np.ndarray:  # -> [V, V] (or [k, k])
        """E E^T: the cosine of every pair of vocabulary tokens (of ``tokens``,
        vocabulary indices, when given: a window's, not a 1000 x 1000 table)."""
        vectors = self.vectors if tokens is None else self.vectors[tokens]
        return vectors @ vectors.T


def trigrams(token: str) -> dict[str, int]:
    """The bag of character trigrams of ``<token>``, case folded."""
    marked = f"<{token.casefold()}>"
    out: dict[str, int] = {}
    for k in range(len(marked) - 2):
        out[marked[k:k + 3]] = out.get(marked[k:k + 3], 0) + 1
    return out


def _unit(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero). Each row is first
    divided by its largest magnitude, so that its norm can neither overflow
    (values near 1e308) nor vanish (subnormal values): the direction, and so
    every cosine, is the same."""
    largest = np.abs(rows).max(axis=1, keepdims=True) if rows.size else np.zeros((len(rows), 1))
    scaled = np.divide(rows, largest, out=np.zeros_like(rows), where=largest > 0)
    norms = np.linalg.norm(scaled, axis=1, keepdims=True)
    return np.divide(scaled, norms, out=np.zeros_like(rows), where=norms > 0)


def _check_size(m: int, what: str) -> None:
    if m > MAX_FEATURES:
        raise InputError(f"{what} gives {m} directions per token; at most {MAX_FEATURES}: use fewer or shorter "
                         "tokens")


def embed(similarity: Similarity, vocab: tuple[str, ...]) -> Embedding:
    """E for ``vocab``."""
    if similarity.kind == "subword":
        bags = [trigrams(t) for t in vocab]
        features = tuple(dict.fromkeys(g for bag in bags for g in bag))
        _check_size(len(features), "--similar subword")
        column = {g: k for k, g in enumerate(features)}
        vectors = np.zeros((len(vocab), len(features)))
        for row, bag in enumerate(bags):
            for g, count in bag.items():
                vectors[row, column[g]] = count
        return Embedding(similarity, features, _unit(vectors), ())
    if similarity.kind == "case":
        folded = [t.casefold() for t in vocab]
        features = tuple(dict.fromkeys(folded))
        vectors = np.zeros((len(vocab), len(features)))
        vectors[np.arange(len(vocab)), [features.index(f) for f in folded]] = 1.0
        return Embedding(similarity, features, vectors, ())
    found = dict(similarity.rows)
    own = tuple(t for t in vocab if t not in found)
    m = similarity.dimension
    _check_size(m + len(own), f"{similarity.source}")
    vectors = np.zeros((len(vocab), m + len(own)))
    for row, t in enumerate(vocab):
        if t in found:
            vectors[row, :m] = found[t]
        else:
            vectors[row, m + own.index(t)] = 1.0
    unit = _unit(vectors)
    if not (np.linalg.norm(unit, axis=1) > 0).all():
        zero = next(t for t, v in zip(vocab, unit) if not v.any())
        raise InputError(f"{similarity.source}: the vector of {zero!r} is all zeros: it has no direction")
    features = tuple(f"e{k + 1}" for k in range(m)) + tuple(f"own:{t}" for t in own)
    return Embedding(similarity, features, unit, own)


def _lines(handle, path: str):
    """(number, line) of a binary stream, each line at most MAX_LINE_BYTES and
    the whole at most MAX_VECTOR_FILE_BYTES; past either, one InputError."""
    total = 0
    number = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        total += len(raw)
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"{path}, line {number}: longer than {MAX_LINE_BYTES // 1024} KiB (a word and at most "
                             f"{MAX_FEATURES} numbers fit): is it a word-vector text file?")
        if total > MAX_VECTOR_FILE_BYTES:
            raise InputError(f"{path}: more than {MAX_VECTOR_FILE_BYTES >> 30} GiB read (line {number}); word-vector "
                             "files this tool reads are smaller")
        yield number, raw


def read_vectors(path: str, words: set[str], stream=None) -> Similarity:
    """The rows of ``words`` in a word2vec/GloVe text file, read line by line
    (each line at most MAX_LINE_BYTES, the file at most MAX_VECTOR_FILE_BYTES).

    Refused with one line naming the line: a line past the bound, a row with
    another number of fields than the first or more numbers than
    MAX_FEATURES, a kept row with a field that is not a number, or NaN or
    infinity; a file with no rows, or not UTF-8."""
    try:
        handle = stream if stream is not None else open(path, "rb")
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    rows: dict[str, tuple[float, ...]] = {}
    width = None  # a word and its numbers: the fields of a row
    header = None  # the dimension line 1 gave, as "count dimension", until line 2 confirms it
    count = 0
    normal = {unicodedata.normalize("NFC", w): w for w in words}  # the file's words as the tokens were normalised
    try:
        for number, raw in _lines(handle, path):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")  # (a byte-order mark, as Notepad writes)
            except UnicodeDecodeError:
                raise InputError(f"{path}, line {number}: not UTF-8 text") from None
            fields = line.split()
            if not fields:
                continue
            if number == 1 and len(fields) == 2 and all(f.isascii() and f.isdigit() for f in fields):
                header, first_fields = int(fields[1]), fields  # "count dimension", or a row of one number: line 2
                continue                                       # tells which
            if header is not None and width is None:
                if header >= 1 and len(fields) >= header + 1:  # a header: the dimension splits rows from the right
                    width = header + 1
                    if header > MAX_FEATURES:
                        raise InputError(f"{path}, line 1: the header gives dimension {header}; at most "
                                         f"{MAX_FEATURES}")
                else:  # not a header: line 1 was a row of one number
                    width, header = 2, None
                    count += 1
                    if first_fields[0] in normal:
                        rows[normal[first_fields[0]]] = _numbers(path, 1, first_fields)
            if width is None:
                width = len(fields)
                if width < 2:
                    raise InputError(f"{path}, line {number}: a row needs a word and at least one number")
                if width - 1 > MAX_FEATURES:
                    raise InputError(f"{path}, line {number}: {width - 1} numbers in a row; at most {MAX_FEATURES}")
            if header is not None and len(fields) > width:  # a word with spaces (GloVe 840B): the rest are numbers
                fields = [" ".join(fields[:len(fields) - width + 1])] + fields[len(fields) - width + 1:]
            if len(fields) != width:
                raise InputError(f"{path}, line {number}: {len(fields)} fields where the rows have {width} "
                                 "(a word and its numbers; a word with a space in it makes more)")
            count += 1
            word = normal.get(fields[0]) or normal.get(unicodedata.normalize("NFC", fields[0]))
            if word is not None and word not in rows:
                rows[word] = _numbers(path, number, fields)
        if header is not None and width is None:  # the file is its first line: one row of one number
            width = 2
            count += 1
            if first_fields[0] in normal:
                rows[normal[first_fields[0]]] = _numbers(path, 1, first_fields)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    finally:
        if stream is None:
            handle.close()
    if not count:
        raise InputError(f"{path}: no rows (a word and its numbers on each line)")
    return Similarity("vectors", path, tuple(sorted(rows.items())), width - 1)


def _numbers(path: str, number: int, fields: list[str]) -> tuple[float, ...]:
    """A kept row's numbers; refused in one line naming the line where one is not a finite number."""
    try:
        numbers = tuple(float(f) for f in fields[1:])
    except ValueError:
        bad = next(f for f in fields[1:] if not _is_number(f))
        raise InputError(f"{path}, line {number}: {bad[:20]!r} is not a number") from None
    if not all(math.isfinite(x) for x in numbers):
        raise InputError(f"{path}, line {number}: NaN or infinity in the vector of {fields[0]!r}")
    return numbers


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
