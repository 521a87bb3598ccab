"""Each head as a circuit, in the vocabulary and position spaces rather than
d x d (after Elhage et al., "A Mathematical Framework for Transformer
Circuits", 2021).

A head's A and V act on the residual stream; what they mean shows when they
are read through the embeddings that feed them and the unembedding that
reads them:

- QK over positions, P A P^T (N x N, P the position embedding): where a
  query at position i looks, whatever the tokens. Layer 1's has the scale on
  the sub-diagonal (the previous-token head) or o below it (the o-back head).
- QK between tokens, through the heads before: S_q A_2 S_k^T (V x V), where
  S is the token embedding E (a token read directly) or E V_o (a token as
  layer 1's o-back head wrote it into its half). With S_q = E and
  S_k = E V_1 this is the K-composition E A_2 (E V_1)^T through which the
  induction head reads what the previous-token head wrote: s I for the
  lecture's model, a match wherever the query's token is the key's previous
  one. --context adds Q-composition ((E V_1) A_2 (E V_2)^T, ...), --skip
  moves the key's side to E V_(n+1).
- OV: E V W_U (V x V): what a head writes into the next-token scores when it
  attends to a token.
- With --similar, E holds dense unit vectors: the K-composition becomes
  s E E^T, the similarity of every pair of tokens, and the induction head's
  OV circuit E E^T, whose eigenvalues are >= 0 (a Gram matrix): it copies,
  and spreads some of each copy onto similar words. Its eigenvalues say whether it copies: the copying
  score is the paper's, sum l / sum |l| (a real number, the eigenvalues of a
  real matrix coming in conjugate pairs): 1.00 for a head that copies every
  token, as the induction head's E V_2 W_U = I does, -1.00 for one that
  suppresses every token, 0 for eigenvalues {1, -1}. The positive share,
  sum max(Re l, 0) / sum |l|, is reported beside it under its own name.
- Composition scores (the paper's section on virtual weights): how much a
  layer-2 head reads what a layer-1 head wrote, as Frobenius norms. In the
  paper's column-vector form, K-composition is |W_QK^2 W_OV^1| / (|W_QK^2|
  |W_OV^1|), Q-composition |W_QK^2^T W_OV^1| / (...), V-composition
  |W_OV^2 W_OV^1| / (...). With our row vectors (a_ij = y_i A y_j^T, y -> y V)
  W_QK is A and W_OV is V^T, so K-composition is |A_2 V_1^T| / (|A_2| |V_1|),
  Q-composition |V_1 A_2| / (...) and V-composition |V_1 V_2| / (...).

Every matrix is computed from the heads' blocks, one subspace at a time; no
d x d matrix is made.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .basis import Basis
from .trace import Trace
from .schemes import scheme
from .weights import Block, Head, entries, look_back_name, part_name, relation, sinusoid

Source = dict  # subspace name -> [rows, size] array: how each row (a token or position) sits in the stream


class Circuit(NamedTuple):
    key: str
    kind: str  # "qk-positions", "qk-tokens", "ov"
    layer: int
    head: str
    formula: str  # e.g. "E A_2 (E V_1)^T"
    about: str  # what it shows, in words
    matrix: np.ndarray
    rows: tuple[str, ...]  # row labels (tokens or @positions)
    cols: tuple[str, ...]
    eigenvalues: np.ndarray | None = None  # OV circuits
    copying: float | None = None  # OV circuits: sum l / sum |l|; None where every eigenvalue is 0
    positive: float | None = None  # OV circuits: sum max(Re l, 0) / sum |l|, the positive share
    into: str = ""  # an OV circuit that is all 0: the part its head writes ("previous half", "prev2 third")


def _region(c, destination: str) -> str:
    """The part of the stream a head writes into, in words: "previous half", "prev2 third", "pointer block"."""
    if destination == "ptr":
        return "pointer block"
    return f"{part_name(destination)} {c.part()}" if destination else c.earlier()


class Composition(NamedTuple):
    """A composition score of a layer-2 head with a layer-1 head (Elhage et al.)."""

    kind: str  # "K", "Q" or "V"
    reader: str  # the layer-2 head
    writer: str  # the layer-1 head
    score: float | None  # None where a norm in the denominator is 0


def _dense(block: Block, basis: Basis) -> np.ndarray:  # -> [size(rows), size(cols)]
    """The block's relation times its scale, as an array."""
    rel = relation(block, basis)
    out = np.zeros((basis.size(block.rows), basis.size(block.cols)))
    np.add.at(out, (rel.rows, rel.cols), rel.values)
    return out


def tokens(trace: Trace) -> Source:
    """E: each vocabulary token's representation at layer 0 (its tok direction,
    or with --similar its unit vector)."""
    return {"tok": np.eye(len(trace.vocab)) if trace.words is None else trace.words.vectors}


def unembed(trace: Trace) -> np.ndarray:  # -> [size of tok, V]
    """W_U = E^T restricted to the token block: the score of each vocabulary token."""
    return np.eye(len(trace.vocab)) if trace.words is None else trace.words.vectors.T


def positions(trace: Trace) -> Source:
    """P: each position's representation at layer 0 (its pos direction, or its
    sinusoidal code; nothing where the stream holds no position)."""
    if "pos" not in trace.basis.names:
        return {}
    kind = trace.basis.subspaces[trace.basis.names.index("pos")].kind
    return {"pos": np.eye(trace.n, trace.basis.size("pos")) if kind == "pos" else sinusoid(np.arange(trace.n), trace.basis.size("pos") // 2)}


def through(source: Source, head: Head, basis: Basis) -> Source:
    """S V: what the head writes when it attends to each row of ``source``."""
    out: Source = {}
    for b in head.ov:
        if b.rows in source:
            part = source[b.rows] @ _dense(b, basis)
            out[b.cols] = out[b.cols] + part if b.cols in out else part
    return out


def qk(queries: Source, head: Head, keys: Source, basis: Basis) -> np.ndarray | None:
    """S_q A S_k^T, or None where no block of A meets both."""
    out = None
    for b in head.qk:
        if b.rows in queries and b.cols in keys:
            part = queries[b.rows] @ _dense(b, basis) @ keys[b.cols].T
            out = part if out is None else out + part
    return out


def copying_score(eigenvalues: np.ndarray) -> float | None:
    """The paper's copying score, sum l / sum |l| (its real part: the imaginary
    parts of conjugate pairs cancel); None when every eigenvalue is 0."""
    mass = np.abs(eigenvalues).sum()
    return float(eigenvalues.sum().real / mass) if mass > 1e-12 else None


def positive_share(eigenvalues: np.ndarray) -> float | None:
    """sum max(Re l, 0) / sum |l|: the share of the eigenvalue mass that is
    positive and real (not the paper's copying score); None when all are 0."""
    mass = np.abs(eigenvalues).sum()
    return float(np.maximum(eigenvalues.real, 0).sum() / mass) if mass > 1e-12 else None


def _coalesced(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, d: int):
    """A sparse d x d matrix's entries with duplicates summed."""
    keys, inverse = np.unique(rows.astype(np.int64) * d + cols, return_inverse=True)
    return keys // d, keys % d, np.bincount(inverse, weights=values, minlength=len(keys))


def product_norm(a, b, d: int) -> float:
    """|M1 M2|_F of two sparse d x d matrices given as (rows, cols, values):
    each entry of M1 at (r, c) meets each of M2 in row c."""
    ar, ac, av = a
    br, bc, bv = b
    order = np.argsort(br, kind="stable")
    br, bc, bv = br[order], bc[order], bv[order]
    start, stop = np.searchsorted(br, ac, "left"), np.searchsorted(br, ac, "right")
    count = stop - start
    if not count.sum():
        return 0.0
    if count.sum() > d * d:  # dense matrices (a model file's): one d x d product is cheaper than each pair
        m1, m2 = np.zeros((d, d)), np.zeros((d, d))
        np.add.at(m1, (ar, ac), av)
        np.add.at(m2, (br, bc), bv)
        return float(np.linalg.norm(m1 @ m2))
    left = np.repeat(np.arange(len(ar)), count)
    right = np.concatenate([np.arange(s_, e) for s_, e in zip(start, stop) if e > s_])
    _, _, v = _coalesced(ar[left], bc[right], av[left] * bv[right], d)
    return float(np.sqrt((v ** 2).sum()))


def _scaled(m):
    """A sparse matrix's entries divided by their largest magnitude (all 0: as they are)."""
    rows, cols, values = m
    top = np.abs(values).max() if len(values) else 0.0
    return rows, cols, values / top if top > 0 else values


def _named(trace: Trace, layer, run) -> str:
    """A head's name, with its layer where the model has more than two (the virtual circuit's two previous-token heads)."""
    return run.head.name if len(trace.layers) <= 2 else f"{run.head.name} (layer {layer.index})"


def compositions(trace: Trace) -> list[Composition]:
    """Each head's K-, Q- and V-composition score with each head of an
    earlier layer, from the heads' blocks (no d x d matrix)."""
    basis, d = trace.basis, trace.basis.d
    out = []
    for r, last in enumerate(trace.layers[1:], 1):
        for reader in last.heads:
            a = _scaled(_coalesced(*entries(reader.head.qk, basis), d))  # each ratio is the same for any scale of
            v2 = _scaled(_coalesced(*entries(reader.head.ov, basis), d))  # a matrix: scaled to at most 1, no norm
            for first in trace.layers[:r]:                                 # overflows at --scale 1e308
                for writer in first.heads:
                    v1 = _scaled(_coalesced(*entries(writer.head.ov, basis), d))
                    v1t = (v1[1], v1[0], v1[2])
                    norm = {"A": np.sqrt((a[2] ** 2).sum()), "V1": np.sqrt((v1[2] ** 2).sum()),
                            "V2": np.sqrt((v2[2] ** 2).sum())}
                    for kind, top, under in (("K", product_norm(a, v1t, d), norm["A"] * norm["V1"]),
                                             ("Q", product_norm(v1, a, d), norm["A"] * norm["V1"]),
                                             ("V", product_norm(v1, v2, d), norm["V2"] * norm["V1"])):
                        out.append(Composition(kind, _named(trace, last, reader), _named(trace, first, writer),
                                               float(top / under) if under > 0 else None))
    return out


def _sources(trace: Trace, start: Source, name: str, file: bool) -> list[tuple[str, Source, str]]:
    """What the last layer can read of ``start`` (E or P, named ``name``): as
    it is, and as each earlier head wrote it, heads after heads (the virtual
    circuit's E V_1 V_2: two previous-token heads, one token further back)."""
    basis, layers = trace.basis, trace.layers[:-1]
    out = [(name, start, "read directly", ())]
    for layer in layers:
        before = list(out)  # a layer's heads all read the layer before: none reads another's write
        for run in layer.heads:
            o = run.head.offset
            for sname, source, _, via in before:
                wrote = through(source, run.head, basis)
                if not wrote:
                    continue
                heads = via + ((layer.index, o),)
                v = f"V_{layer.index}" + ("" if len(layer.heads) == 1 else f"^({o})")
                if file:
                    about = "layer 1 wrote it"
                elif len(heads) > 1:
                    about = f"the heads of layers {' and '.join(str(l) for l, _ in heads)} wrote it, one after the other"
                elif run.head.role.kind == "duplicate-token":
                    about = "the duplicate-token head wrote it: where the earlier copy stands"
                else:
                    about = f"the {look_back_name(o)} wrote it"
                out.append((f"{sname} {v}", wrote, about, heads))
    return [(n, s_, a) for n, s_, a, _ in out]


def circuits(trace: Trace) -> list[Circuit]:
    basis = trace.basis
    words = tuple(trace.vocab)
    places = tuple(f"@{p}" for p in range(trace.n))
    e, p = tokens(trace), positions(trace)
    out: list[Circuit] = []
    last = trace.layers[-1]
    file = trace.construction.model is not None  # a model file's heads: no claim of what they were built for
    for layer in trace.layers[:-1]:
        for run in layer.heads:  # a look-back head's logits depend on positions only: they are the circuit
            head, o = run.head, run.head.offset
            if head.role.kind == "duplicate-token":
                out.append(Circuit(f"layer{layer.index}.qk.0.0", "qk-tokens", layer.index, head.name,
                                   f"E A_{layer.index} E^T", "direct: the logit a query token gives a key token, "
                                   "the scale where they are the same token", qk(e, head, e, basis), words, words))
                continue
            where = "the sub-diagonal" if o == 1 else f"the diagonal {o} below the main one"
            record = scheme(trace.construction.positions)
            about = record.about.format(where=where, o=o) if not file else \
                "the logits of this string's queries and keys (the lecture's head has its scale on the sub-diagonal)"
            out.append(Circuit(f"layer{layer.index}.{o}.qk_positions", "qk-positions", layer.index, head.name,
                               record.circuit.replace("A_1", f"A_{layer.index}"), about, np.array(run.logits),
                               places, places))
    n = last.index
    for run in last.heads:
        head = run.head
        sources = _sources(trace, e, "E", file)
        for q, (qname, qs, qabout) in enumerate(sources):
            for k, (kname, ks, kabout) in enumerate(sources):
                m = qk(qs, head, ks, basis)
                if m is None or not m.any():
                    continue
                kind = ("K-composition" if q == 0 else "Q- and K-composition") if k else "direct"
                out.append(Circuit(f"layer{n}.qk.{q}.{k}", "qk-tokens", n, head.name,
                                   f"{_wrap(qname)} A_{n} {_wrap(kname)}^T",
                                   f"{kind}: the logit a query token, {qabout}, gives a key token, as {kabout}",
                                   m, words, words))
        m = qk(p, head, p, basis)
        if m is not None and m.any():
            out.append(Circuit(f"layer{n}.qk_positions", "qk-positions", n, head.name, f"P A_{n} P^T",
                               "the logit a query position gives a key position, read directly" if file else
                               "a bias on key positions, whatever the query: keys too close to the start for the "
                               "skip lose the token's weight", m, places, places))
        for q, (qname, qs, qabout) in enumerate(_sources(trace, p, "P", file)[1:], 1):
            m = qk(qs, head, p, basis)
            if m is not None and m.any():  # the pointer circuit's: a query that attended to position p asks for p + 1
                out.append(Circuit(f"layer{n}.qk_positions.{q}", "qk-positions", n, head.name,
                                   f"{_wrap(qname)} A_{n} P^T", f"Q-composition: the logit a query gives a key "
                                   f"position when it attended to position p, as {qabout}: the scale on p + "
                                   f"{trace.construction.horizon}, the key after the earlier copy", m, places, places))
    for layer in trace.layers:
        for run in layer.heads:
            written_tokens = through(e, run.head, basis).get("tok")
            m = written_tokens @ unembed(trace) if written_tokens is not None else np.zeros((len(words), len(words)))
            values = np.linalg.eigvals(m)
            values = values[np.lexsort((-values.imag, -values.real))]
            horizon = trace.construction.horizon
            into = "" if m.any() else _region(trace.construction, run.head.destination)
            about = ("what the head adds to each token's "
                     + ("next-token score" if horizon == 1 else f"score as the token {horizon} ahead")
                     + " when it attends to a token"
                     if m.any() else f"zero: the head writes only into the {into}, which the unembedding does not "
                                     "read (its output reaches the scores only through the next layer)")
            name = f"V_{layer.index}" + (f"^({run.head.offset})" if len(layer.heads) > 1 else "")
            out.append(Circuit(f"layer{layer.index}.{run.head.name.split()[0]}.ov", "ov", layer.index,
                               run.head.name, f"E {name} W_U", about, m, words, words, values,
                               copying_score(values), positive_share(values), into))
    return out


def _wrap(name: str) -> str:
    return name if name == "E" else f"({name})"
