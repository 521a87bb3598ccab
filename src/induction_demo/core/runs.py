"""A run, assembled: the forward pass (model.py) on a string's stream, the
predictions read off its last layer, and the runs set beside it (the intact
model beside an ablated one, the plain head beside a skip), and the sweep.

model.py holds the equations and nothing else; here they are put to work:

    run(tokens)      embed the tokens, run every layer (model.forward), mark
                     where the last layer does its job (mechanism), read the
                     scores, probabilities and predictions off its output
                     (readout), and the runs beside
    swept(tokens)    one head's weights at each of several scales
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ..base import inputs
from . import mechanism, readout, similar
from .basis import Basis
from ..base.errors import InputError
from ..base.text import listed
from .model import attend, attention, causal_mask, embed, forward, layers_of
from .stream import Stream
from ..base.tokens import vocabulary
from .trace import Layer, Trace
from .schemes import scheme
from .weights import LECTURE, Construction, LayerSpec, checked, sinusoid_labels


def last(layers: tuple[LayerSpec, ...], y: Stream, inclusive: bool = False) -> Layer:
    """The last layer alone, nothing ablated: of each earlier head only its
    write is kept, and only until the next layer has read it (the intact run
    beside an ablated one needs only what it predicts)."""
    mask = causal_mask(y.n, inclusive)
    for spec in layers[:-1]:
        writes = [attend(h, y, mask).output for h in spec.heads]  # each head's N x N arrays let go at once
        y = Stream.total(([y] if spec.residual else []) + writes, y.basis)
    return next(layers_of(layers[-1:], y, None, inclusive))


def run(tokens: tuple[str, ...], scale: float = 100.0, *, temperature: float = 1.0, ablate: str | None = None,
        induction_scale: float | None = None, unseen: int = 0, construction: Construction = LECTURE,
        beside: bool = True) -> Trace:
    """The lecture's two heads on ``tokens`` (or the ``construction``'s).
    ``induction_scale`` sets layer 2's scale alone (the sweep); ``unseen``
    counts vocabulary tokens that do not occur (the bench), each scoring 0 in
    the next-token softmax. With ``beside`` (the walkthrough's runs; not the
    bench's or the sweep's), the predictions to set beside are computed too:
    an ablated run's intact model, and a skip's plain head (skip 0)."""
    scale, temperature = inputs.positive("scale", scale), inputs.positive("temperature", temperature)
    scale_2 = scale if induction_scale is None else inputs.positive("scale", induction_scale)
    tokens, ablate = inputs.tokens(tuple(tokens), limit=inputs.BENCH_MAX_TRIAL_TOKENS), inputs.ablation(ablate)
    construction = checked(construction)
    vocab, ids, words, basis, y0 = _embedded(tokens, construction)
    specs = construction.layers(scale, scale_2)
    roles = dict.fromkeys(h.role.ablation for spec in specs for h in spec.heads)
    if ablate is not None and ablate not in roles:
        raise InputError(f"this model has no {ablate} head to ablate: its heads are "
                         + listed(roles) + (" (--circuit pointer has the duplicate-token head)"
                                                  if ablate == "duplicate-token" and construction.model is None
                                                  else ""))
    if construction.model is not None:  # the file's scale: its largest entry of A
        scale = construction.model.scale
    inclusive = construction.mask == "inclusive"
    layers = forward(specs, y0, ablate, inclusive)
    job = mechanism.selected(specs[-1].heads, mechanism.ideal(basis, ids, words),
                             construction.horizon)  # the cells layer 2 is built for

    def predictions(final: Layer):
        scores = final.output.block("tok")  # Y^(2) W_U, with W_U = E^T: the token part
        if words is not None:  # dense vectors: each token scored by its similarity to what was copied
            scores = scores @ words.vectors.T
        probs, unseen_probs = readout.softmax(scores, temperature, unseen)
        copies = mechanism.copied(final, job)
        if construction.model is not None:  # a file's V_2 may write another token: a copy outputs a token held
            # by a key of the job with the row's top weight there (keys within NEAR_WEIGHT of it: a near-tie)
            w = np.where(job & final.mask, final.heads[0].weights, -1.0)
            rows, keys = np.nonzero((job & final.mask) & (w >= w.max(axis=1, keepdims=True) - readout.NEAR_WEIGHT))
            held = np.zeros(probs.shape, dtype=bool)
            held[rows, ids[keys]] = True
            copies &= (readout.most_probable(probs) & held).any(axis=1)
        copying = sum(run.weights for run in final.heads) if construction.model is None else None
        return scores, probs, unseen_probs, readout.predict(tokens, vocab, scores, probs, copies,
                                                            (job & final.mask).any(axis=1), construction.horizon,
                                                            copying)

    scores, probs, unseen_probs, told = predictions(layers[-1])
    intact = None if ablate is None or not beside else predictions(last(specs, y0, inclusive))[-1]
    plain = None
    if construction.skip and beside:
        plain = run(tokens, scale, temperature=temperature, induction_scale=induction_scale, unseen=unseen,
                    construction=construction._replace(skip=0), beside=False).predictions
    return Trace(tokens=tokens, vocab=vocab, scale=scale, basis=basis, embedding=y0, layers=layers,
                 predictions=told, temperature=temperature, scores=scores, probs=probs, ablate=ablate, unseen=unseen,
                 unseen_probs=unseen_probs if unseen else None, construction=construction, words=words,
                 intact=intact, plain=plain)


def _embedded(tokens: tuple[str, ...], construction: Construction):
    """The vocabulary, each token's id, the token vectors (or None), the basis
    and Y^(0). A model file's vocabulary and positions are its own: its
    basis has every direction of the file, and the string may use fewer."""
    file = construction.model
    if file is not None:
        file.check_tokens(tokens)
    vocab = vocabulary(tokens) if file is None else file.vocab
    index = {t: k for k, t in enumerate(vocab)}
    ids = np.array([index[t] for t in tokens])
    words = None if construction.similar is None else similar.embed(construction.similar, vocab)
    codes = sinusoid_labels(construction.frequencies) if scheme(construction.positions).block == "sin" else ()
    basis = Basis(vocab, len(tokens) if file is None else file.n_positions, construction.subspaces,
                  words.features if words is not None else (), codes)
    return vocab, ids, words, basis, embed(basis, ids, words)


def swept(tokens: tuple[str, ...], scales: list[float], layer: int, layer1_scale: float = 100.0,
          construction: Construction = LECTURE) -> Iterator[np.ndarray]:
    """One head's attention weights at each of ``scales`` (the sweep): layer
    1's head one back (``layer`` 1, every layer-1 head at that scale), or the
    induction head (``layer`` 2) with layer 1 at ``layer1_scale``. The same
    pass as ``run``'s, with layer 1 run once for layer 2 and nothing else
    computed (a run per scale took 1.5 s at 1000 tokens of dense vectors)."""
    tokens = inputs.tokens(tuple(tokens), limit=inputs.BENCH_MAX_TRIAL_TOKENS)
    construction = checked(construction)
    *_, y = _embedded(tokens, construction)
    mask = causal_mask(len(tokens), construction.mask == "inclusive")
    if layer == 2:
        for spec in construction.layers(inputs.positive("scale", layer1_scale))[:-1]:
            y = Stream.total(([y] if spec.residual else []) + [attend(h, y, mask).output for h in spec.heads],
                             y.basis)
    for s in scales:
        spec = construction.layers(inputs.positive("scale", s))[layer - 1] if layer == 1 else \
            construction.layers(layer1_scale, inputs.positive("scale", s))[-1]
        yield attention(spec.heads[0], y, mask)[1]
