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
- ``layout``: the names of the d directions' four blocks, in order.

A row vector y is the stream; a head's logits are y_i A y_j^T and its write
W Y V: the lecture's equations, with no scale or bias hidden anywhere else.
"""
from __future__ import annotations

import io
import zipfile

import numpy as np

from .errors import InputError
from .trace import Trace
from .weights import dense

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
    (h1,), (h2,) = (tuple(run.head for run in layer.heads) for layer in trace.layers)
    return {"A1": dense(h1.qk, trace.basis), "V1": dense(h1.ov, trace.basis),
            "A2": dense(h2.qk, trace.basis), "V2": dense(h2.ov, trace.basis),
            "vocab": np.array(trace.vocab, dtype=str), "n_positions": np.array(trace.n),
            "mask": np.array(c.mask), "residual": np.array([layer.residual for layer in trace.layers]),
            "layout": np.array(trace.basis.names, dtype=str)}


def npz(trace: Trace) -> bytes:
    """The file's bytes: an ``.npz`` (a zip of ``.npy`` arrays), written with
    fixed entry dates so the same model gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, array in arrays(trace).items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_TIME), member.getvalue(),
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
