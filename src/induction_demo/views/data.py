"""The JSON documents: every number of a run, unformatted, with its labels.

``show`` holds the walkthrough's matrices (``data``), ``weights`` the heads'
blocks and, up to d = inputs.COMPACT_D, their dense matrices
(``weights_data``). Both carry ``schema_version`` and ``kind``; the fields
are described in README and in schema/induction-demo.schema.json.
"""
from __future__ import annotations

from ..base import inputs
from ..core.basis import Basis
from .documents import Told
from ..core.trace import Layer, Trace
from .views import Exact, matrix, stream_matrix
from ..core.weights import Block, Head, dense, described, relation

SCHEMA_VERSION = 3


def _block(block: Block, basis: Basis, exact: bool = False) -> dict:
    """A block and its entries; ``exact``: every digit (the weights document,
    which a loader rebuilds the model from), else 12 significant digits."""
    r = relation(block, basis)
    entries = [[int(a), int(b), float(v)] for a, b, v in zip(r.rows, r.cols, r.values)]
    return {"rows": block.rows, "cols": block.cols, "scale": block.scale, "equation": block.equation,
            "entries": Exact(entries) if exact else entries}


def _head(head: Head, basis: Basis, ablated: bool | None = None, exact: bool = False) -> dict:
    out = {"name": head.name, "scale": head.scale}
    if ablated is not None:
        out["ablated"] = ablated
    small = not inputs.compact(basis.d)
    out.update({
        "qk": [_block(b, basis, exact) for b in head.qk],
        "ov": [_block(b, basis, exact) for b in head.ov],
        "A": matrix(dense(head.qk, basis)) if small else None,
        "V": matrix(dense(head.ov, basis)) if small else None,
    })
    return out


def _attention(run, mask) -> dict:
    return {"logits": matrix(run.logits), "masked": matrix(run.logits, mask), "weights": matrix(run.weights)}


def _layer(layer: Layer, basis: Basis) -> dict:
    """A layer of one head carries its attention in the layer's fields; a
    layer of several (--context, --skip) in each head's, with null in the
    layer's."""
    several = len(layer.heads) > 1
    heads = [_head(run.head, basis, run.ablated) for run in layer.heads]
    if several:
        for head, run in zip(heads, layer.heads):
            head.update(_attention(run, layer.mask))
    return {
        "index": layer.index,
        "name": layer.name,
        "scale": layer.scale,
        "ablated": layer.ablated,
        **(dict.fromkeys(("logits", "masked", "weights")) if several else _attention(layer.only, layer.mask)),
        "output": stream_matrix(layer.output),
        "residual": layer.residual,
        "mask": matrix(layer.mask.astype(int)),
        "heads": heads,
    }


def _basis(basis: Basis) -> dict:
    return {"d": basis.d, "subspaces": [
        {"name": s.name, "kind": s.kind, "start": basis.block(s.name).start, "size": basis.size(s.name)}
        for s in basis.subspaces]}


def _header(kind: str, trace: Trace) -> dict:
    """The fields every document of a run opens with."""
    return {"schema_version": SCHEMA_VERSION, "kind": kind, "tokens": list(trace.tokens),
            "vocab": list(trace.vocab), "scale": trace.scale, "basis": list(trace.basis.labels),
            "construction": described(trace.construction)}


def predictions(told) -> list[dict]:
    """Each position's prediction: ``next`` and ``candidates`` where its output
    is a copy (null and [] where not), ``output`` (its top-scoring tokens,
    whatever they are; [] where every token scores 0) and their ``score``, ``copy``, and
    ``horizon``, how many tokens ahead it predicts."""
    return [{"position": p.position, "token": p.token, "next": p.next, "candidates": list(p.candidates),
             "output": list(p.output), "score": p.score, "copy": p.copy, "horizon": p.horizon} for p in told]


def data(trace: Trace, told: Told = None, layers=None) -> dict:
    """The walkthrough's JSON document (``kind`` "show")."""
    layers = trace.shown(layers)
    doc = {
        **_header("show", trace),
        "layers": [_layer(layer, trace.basis) for layer in trace.layers if layer.index in layers],
        "predictions": predictions(trace.predictions),
        "temperature": trace.temperature,
        "ablate": trace.ablate,
        "next_token_probs": matrix(trace.probs),
    }
    if trace.intact is not None:
        doc["intact"] = {"predictions": predictions(trace.intact)}
    if trace.plain is not None:
        doc["plain"] = {"predictions": predictions(trace.plain)}
    if told is not None:
        doc["story"] = {str(l): [{"kind": s.kind, "text": s.text} for s in told[l]] for l in layers}
    doc.update(_basis(trace.basis))
    doc["embedding"] = stream_matrix(trace.embedding)
    return doc


def _textbook(layer: Layer, basis: Basis) -> tuple[list[dict], dict]:
    """Each head's W^Q, W^K, W^V (with d_k, d_v and each coordinate's label) and
    the layer's W^O; the matrices up to d = COMPACT_D, else null."""
    from ..core import factored

    small = not inputs.compact(basis.d)
    heads = [factored.factor(run.head, basis) for run in layer.heads]
    out = [{"d_k": f.d_k, "d_v": f.d_v, "key_labels": factored.labels(f.key_directions, basis),
            "value_labels": factored.labels(f.value_directions, basis),
            "W_Q": matrix(f.query.dense()) if small else None, "W_K": matrix(f.key.dense()) if small else None,
            "W_V": matrix(f.value.dense()) if small else None} for f in heads]
    return out, {"W_O": matrix(factored.layer_out(heads)) if small else None}


def weights_data(trace: Trace) -> dict:
    """The heads' weights (``kind`` "weights"): blocks always, dense A and V up to
    d = COMPACT_D, each head in the textbook's form (``textbook``), its
    relative bias and RoPE query, key and frequencies; the sinusoidal code's
    frequencies and the dense token vectors, where the model has them: every
    number the forward pass uses."""
    layers = []
    for layer in trace.layers:
        heads = [_head(run.head, trace.basis, exact=True) for run in layer.heads]
        textbook, out = _textbook(layer, trace.basis)
        for head, form, run in zip(heads, textbook, layer.heads):
            head["textbook"] = form
            head["bias"] = Exact([o, float(v)] for o, v in run.head.bias)  # b_(i-j) added to a_ij, for each nonzero
            rope = run.head.rope
            head["rope"] = None if rope is None else {"frequencies": Exact(rope.frequencies.tolist()),
                                                      "query": Exact(rope.query.tolist()),
                                                      "key": Exact(rope.key.tolist())}
        layers.append({"index": layer.index, "name": layer.name, "residual": layer.residual, "heads": heads,
                       "textbook": out})
    codes = None
    if trace.basis.codes:  # a sinusoidal position block: code(p) = [sin w_m p, cos w_m p] for these w_m
        from ..core.weights import frequencies

        codes = Exact(frequencies(len(trace.basis.codes) // 2).tolist())
    vectors = None if trace.words is None else Exact(trace.words.vectors.tolist())
    return {**_header("weights", trace), **_basis(trace.basis), "layers": layers, "position_frequencies": codes,
            "token_vectors": vectors}


def circuits_data(trace: Trace) -> dict:
    """Every head's circuits (``kind`` "circuits"): each matrix with its row and
    column labels; OV circuits with their eigenvalues ([re, im]), copying score
    (sum l / sum |l|) and positive share; each composition score."""
    from ..core.circuits import circuits, compositions

    return {**_header("circuits", trace), "composition": [
        {"kind": c.kind, "reader": c.reader, "writer": c.writer, "score": c.score} for c in compositions(trace)],
        "circuits": [
        {"key": c.key, "kind": c.kind, "layer": c.layer, "head": c.head, "formula": c.formula, "about": c.about,
         "rows": list(c.rows), "cols": list(c.cols), "matrix": matrix(c.matrix),
         "eigenvalues": None if c.eigenvalues is None else [[float(v.real), float(v.imag)] for v in c.eigenvalues],
         "copying_score": c.copying, "positive_share": c.positive}
        for c in circuits(trace)]}


def positions_data(traces: list[Trace]) -> dict:
    """Layer 1 under each position scheme (``kind`` "positions"): its logits,
    weights and weight on the previous position, one entry per trace."""
    first = traces[0]
    return {"schema_version": SCHEMA_VERSION, "kind": "positions", "tokens": list(first.tokens),
            "scale": first.scale, "frequencies": first.construction.frequencies,
            "schemes": [{"positions": t.construction.positions, "logits": matrix(t.look_back.logits),
                         "weights": matrix(t.look_back.weights),
                         "previous_weight": t.look_back.heads[0].on_offset().tolist()} for t in traces]}


def result(kind: str, result: dict) -> dict:
    """A bench or sweep result as a JSON document (``kind`` "bench" or "sweep")."""
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **result}
