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
from typing import NamedTuple

import numpy as np

from .errors import InputError

KINDS = ("subword", "case")
MAX_FEATURES = 4096
"""The most directions a token block may have (trigrams, or a file's
dimension plus the tokens it lacks): the stream is N x m per half."""


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

    def similarities(self) -> np.ndarray:  # -> [V, V]
        """E E^T: the cosine of every pair of vocabulary tokens."""
        return self.vectors @ self.vectors.T


def trigrams(token: str) -> dict[str, int]:
    """The bag of character trigrams of ``<token>``, case folded."""
    marked = f"<{token.casefold()}>"
    out: dict[str, int] = {}
    for k in range(len(marked) - 2):
        out[marked[k:k + 3]] = out.get(marked[k:k + 3], 0) + 1
    return out


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


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


def read_vectors(path: str, words: set[str], stream=None) -> Similarity:
    """The rows of ``words`` in a word2vec/GloVe text file, read line by line.

    Refused with one line naming the line: a row with another number of
    fields than the first, a kept row with a field that is not a number, or
    NaN or infinity; a file with no rows, or not UTF-8."""
    try:
        handle = stream if stream is not None else open(path, "rb")
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    rows: dict[str, tuple[float, ...]] = {}
    width = None
    count = 0
    try:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}, line {number}: not UTF-8 text") from None
            fields = line.split()
            if not fields:
                continue
            if number == 1 and len(fields) == 2 and all(f.isdigit() for f in fields):
                width = int(fields[1]) + 1  # the header "count dimension"
                if width < 2:
                    raise InputError(f"{path}, line 1: the header gives dimension 0")
                continue
            if width is None:
                width = len(fields)
                if width < 2:
                    raise InputError(f"{path}, line {number}: a row needs a word and at least one number")
            if len(fields) != width:
                raise InputError(f"{path}, line {number}: {len(fields)} fields where the rows have {width} "
                                 "(a word and its numbers)")
            count += 1
            if fields[0] in words and fields[0] not in rows:
                try:
                    numbers = tuple(float(f) for f in fields[1:])
                except ValueError:
                    bad = next(f for f in fields[1:] if not _is_number(f))
                    raise InputError(f"{path}, line {number}: {bad[:20]!r} is not a number") from None
                if not all(math.isfinite(x) for x in numbers):
                    raise InputError(f"{path}, line {number}: NaN or infinity in the vector of {fields[0]!r}")
                rows[fields[0]] = numbers
    finally:
        if stream is None:
            handle.close()
    if not count:
        raise InputError(f"{path}: no rows (a word and its numbers on each line)")
    return Similarity("vectors", path, tuple(sorted(rows.items())), width - 1)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
