"""``train``: the lecture's model learned by gradient descent, on the CPU.

The model is the lecture's parametrization (model.py), every matrix d x d
over the stream [tok | pos | prev tok | prev pos], d = 2(V + N):

    Y^(0) = [tok(x_i) | pos(i) | 0 | 0]
    Y^(1) = Y^(0) + W^(1) Y^(0) V_1,   W^(1) = masked softmax(Y^(0) A_1 Y^(0)^T)
    Y^(2) = W^(2) Y^(1) V_2,           W^(2) = masked softmax(Y^(1) A_2 Y^(1)^T)
    scores = Y^(2) W_U (W_U = E^T: Y^(2)'s token block), loss = cross-entropy of the next token

with A_1, V_1, A_2, V_2 learned from small random values. ``--layer1
relative`` (the default) learns A_1's pos x pos block as one logit b_(i-j)
per offset, shared by every row (a relative-position bias: the lecture's
layer 1 is one, its block the sub-diagonal); ``--layer1 positions`` learns
that block entry by entry; ``free`` all of A_1. The task: sequences of n
random tokens (n from 2 MIN_REPEAT to N, PAD after: no token, no loss) whose
last L tokens repeat the L before them, L drawn from 3 to 10 (at most n / 2)
for each sequence, so no fixed offset solves it, the L all different tokens
(so a match inside the segment is never ambiguous); the loss counts every
position's next token, and the accuracy the repeated half's, the tokens an
induction head can predict. A repeat ends at every position, so every row of
layer 1 is a key some copy needs and layer 2 copies at every length; half the
repeats stand some random tokens after their segment, so it copies from any
distance.

The gradient is written by hand (``loss_and_grad``; the tests hold it
against finite differences): a backward pass through the two softmaxes and
the bilinear forms, in numpy, about 6 ms a step at the defaults. Adam (with
decoupled weight decay, AdamW) updates the four matrices.

Every ``every`` steps, on a fixed batch of held-out sequences: the loss, the
accuracy on the repeated half, and TransformerLens' head-detector scores
(``detect_head``, as bench.py computes them): layer 1's previous-token and
duplicate-token scores, layer 2's induction score.
"""
from __future__ import annotations

import time
from typing import Callable, NamedTuple

import numpy as np

from .bench import detect, detection_pattern
from ..base.errors import Diverged, InputError
from ..base.inputs import TRAIN_BLOCKS, TRAIN_LAYER1
from ..core.model import causal_mask, dense_layers, times as _times
from ..core.readout import softmax

MIN_REPEAT, MAX_REPEAT = 3, 10  # L, the repeated segment's length, is drawn from this range (at most N / 2)
INIT = 0.001  # the entries of A and V start as normal draws of this standard deviation: about those of
# A = W^Q (W^K)^T / sqrt(d_k) (0.0004) and V = W^V W^O (0.0025 at d_k = 40) with GPT-2's factors (0.02)
EVAL_BATCH = 64  # held-out sequences each evaluation runs (drawn once, from the seed)
MAX_VOCAB, MAX_LENGTH, MAX_STEPS, MAX_BATCH = 64, 64, 100_000, 512
KEYS = ("A1", "V1", "A2", "V2")
MAX_WORK = 3e11  # steps x batch x length x d^2 at most: about 10 minutes here (the defaults: 4.9e9, about 10 s)
SECONDS_PER_WORK = 2.3e-9  # an upper estimate: 11 ms a step at the defaults, measured before the backward pass
# kept to V_2's token columns (about 6 ms now: benchmarks/train_speed.py)


class Config(NamedTuple):
    vocab: int = 16
    length: int = 24
    steps: int = 1000
    batch: int = 32
    lr: float = 1e-2
    weight_decay: float = 0.01  # AdamW's: check's layer-1 test passes on 10 seeds of 10, against 7 at 0 (README)
    seed: int = 0
    mask: str = "strict"
    layer1: str = TRAIN_LAYER1[0]  # "positions": only A_1's pos x pos block learned (the lecture's); "free": all of it;
    # "relative": the pos x pos block, one number per offset j - i (a relative-position bias, shared by every row)
    blocks: str = TRAIN_BLOCKS[0]  # "lecture": V_1, A_2, V_2 learn only the lecture's nonzero blocks; "free": all
    every: int = 25  # steps between evaluations

    @property
    def d(self) -> int:
        return 2 * (self.vocab + self.length)

    @property
    def subspaces(self) -> dict[str, slice]:
        """Where each subspace of the stream [tok | pos | prev tok | prev pos] lies among the d directions."""
        v, n = self.vocab, self.length
        return {"tok": slice(0, v), "pos": slice(v, v + n), "prev tok": slice(v + n, 2 * v + n),
                "prev pos": slice(2 * v + n, self.d)}

    @property
    def longest_repeat(self) -> int:
        return min(MAX_REPEAT, self.length // 2)


def checked(c: Config) -> Config:
    """The config, when every setting is of its type and in range; else one line."""
    from ..base.inputs import SEED_RANGE, whole

    for name, low, high in (("vocab", 2, MAX_VOCAB), ("length", 2 * MIN_REPEAT, MAX_LENGTH),
                            ("steps", 1, MAX_STEPS), ("batch", 1, MAX_BATCH), ("every", 1, MAX_STEPS),
                            ("seed", *SEED_RANGE)):
        c = c._replace(**{name: whole(f"--{name}", getattr(c, name), low, high)})
    for name in ("lr", "weight_decay"):
        value = getattr(c, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"--{name.replace('_', '-')} must be a number, not {value!r}")
    if not (np.isfinite(c.lr) and 0 < c.lr <= 10):
        raise InputError(f"--lr must be above 0 and at most 10, not {c.lr:g}")
    if not (np.isfinite(c.weight_decay) and 0 <= c.weight_decay <= 10):
        raise InputError(f"--weight-decay must be 0 to 10, not {c.weight_decay:g}")
    for name, allowed in (("mask", ("strict", "inclusive")), ("layer1", TRAIN_LAYER1), ("blocks", TRAIN_BLOCKS)):
        value = getattr(c, name)
        if not isinstance(value, str) or value not in allowed:
            raise InputError(f"--{name} is " + ", ".join(allowed[:-1]) + f" or {allowed[-1]}, not {value!r}")
    work = c.steps * c.batch * c.length * c.d ** 2
    if work > MAX_WORK:
        raise InputError(f"this run would take up to about {work * SECONDS_PER_WORK / 60:.0f} minutes (steps x batch x "
                         f"length x d^2 = {work:.2g}); train runs at most about "
                         f"{MAX_WORK * SECONDS_PER_WORK / 60:.0f}: use fewer --steps, a smaller --batch, or a "
                         "smaller --vocab or --length")
    return c


def tokens(k: int) -> tuple[str, ...]:
    """The vocabulary's names: the lecture's ``!``, then a to z, then t27,
    t28, ... (so the lecture's string runs on a learned model: ``show "! a b a
    c b" --model learned.npz``)."""
    return tuple("!" if i == 0 else chr(ord("a") + i - 1) if i <= 26 else f"t{i}" for i in range(k))


PAD = -1
"""The id past a sequence's end: no token, and no loss (a shorter sequence in a batch of N columns)."""


def sequences(rng: np.random.Generator, c: Config, count: int,
              every_length: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``count`` sequences [count, N] of random token ids whose last L repeat
    an earlier segment of L, and each one's L. The segment's L tokens are all
    different (drawn without replacement, where the vocabulary has L), so a
    single-token match inside it is never ambiguous: with repeats inside the
    segment, half the seeds learned to read a blend two keys after the copy
    instead (README, "What training finds"). The held-out sequences are N
    long, the segment right before its repeat. With ``every_length``
    (training's batches), each sequence is n tokens long, n drawn from
    2 MIN_REPEAT to N, and PAD after, so a repeat ends at every position and
    layer 2 copies at every length (``check`` runs strings of 2 to N
    tokens); and half of them have random tokens between the segment and its
    repeat, so layer 2 copies from any distance, not only from L back."""
    ids = rng.integers(0, c.vocab, size=(count, c.length))
    lengths = rng.integers(2 * MIN_REPEAT, c.length + 1, size=count) if every_length else \
        np.full(count, c.length)
    repeats = rng.integers(MIN_REPEAT, np.minimum(MAX_REPEAT, lengths // 2) + 1)
    gaps = np.where(rng.random(count) < 0.5, rng.integers(0, lengths - 2 * repeats + 1), 0) if every_length else \
        np.zeros(count, dtype=int)
    # each segment's tokens: the first L of a random order of the vocabulary (all different), or, where the
    # vocabulary has fewer than L tokens, L random draws
    order = rng.random((count, c.vocab)).argsort(axis=1)
    drawn = rng.integers(0, c.vocab, size=(count, c.length))
    m = np.arange(c.length)[None, :]
    start, end = (lengths - 2 * repeats - gaps)[:, None], lengths[:, None]
    second = (m >= end - repeats[:, None]) & (m < end)
    first = (m >= start) & (m < start + repeats[:, None])
    offset = np.where(second, m - (end - repeats[:, None]), m - start).clip(0, c.length - 1)  # place in segment
    segment = np.where(repeats[:, None] <= c.vocab,
                       np.take_along_axis(order, offset.clip(0, c.vocab - 1), axis=1),
                       np.take_along_axis(drawn, offset, axis=1))
    ids = np.where(first | second, segment, ids)
    return np.where(m >= end, PAD, ids), repeats


def repeated_targets(c: Config, repeats: np.ndarray) -> np.ndarray:  # -> [B, N - 1] bool
    """Where the next token is in the repeat and its token's earlier copy says
    what follows: query i in N - L .. N - 2 (predicting x_(i+1))."""
    i = np.arange(c.length - 1)[None, :]
    return i >= (c.length - repeats)[:, None]


def initial(c: Config) -> dict[str, np.ndarray]:
    """The first weights: normal draws of INIT on the entries that are learned (``learned_entries``), 0 elsewhere."""
    rng = np.random.default_rng([c.seed, 1])
    entries = learned_entries(c)
    params = {k: rng.normal(0.0, INIT, size=(c.d, c.d)) * entries[k] for k in KEYS}
    params["A1"] = tied(c, params["A1"], mean=True)
    return params


def tied(c: Config, a: np.ndarray, mean: bool = False) -> np.ndarray:
    """Under ``--layer1 relative``, A_1's pos x pos block with each diagonal
    (the key j - i places from the query) made one number: its entries'
    sum (a gradient: the gradient of the one shared logit b_(i-j)) or, with
    ``mean``, their mean (the first weights). Otherwise ``a`` as it is."""
    if c.layer1 != "relative":
        return a
    out = a.copy()
    pos = c.subspaces["pos"]
    block = a[pos, pos]
    n = c.length
    i, j = np.indices((n, n))
    offset = (i - j) + (n - 1)  # 0 .. 2n - 2
    per = np.bincount(offset.ravel(), block.ravel(), minlength=2 * n - 1)
    if mean:
        per = per / np.bincount(offset.ravel(), minlength=2 * n - 1)
    out[pos, pos] = per[offset]
    return out


def free(c: Config) -> np.ndarray:  # -> [d, d] 0/1
    """Which entries of A_1 are learned: all, or (``--layer1 positions``) the pos x pos block."""
    out = np.ones((c.d, c.d))
    if c.layer1 != "free":
        out[:] = 0.0
        pos = c.subspaces["pos"]
        out[pos, pos] = 1.0
    return out


def learned_entries(c: Config) -> dict[str, np.ndarray]:  # -> {A1, V1, A2, V2: [d, d] 0/1}
    """Which entries of each matrix are learned: A_1's by ``free``; under
    ``--blocks lecture`` those of the lecture's nonzero blocks of V_1 (tok ->
    prev tok, pos -> prev pos), A_2 (tok x prev tok) and V_2 (tok -> tok),
    the rest 0 throughout; under ``--blocks free`` all of them."""
    out = {k: np.ones((c.d, c.d)) for k in KEYS[1:]}
    if c.blocks == "lecture":
        tok, pos, prev_tok, prev_pos = c.subspaces.values()
        for k in out:
            out[k][:] = 0.0
        out["V1"][tok, prev_tok] = out["V1"][pos, prev_pos] = 1.0
        out["A2"][tok, prev_tok] = 1.0
        out["V2"][tok, tok] = 1.0
    return {"A1": free(c), **out}


def embedded(c: Config, ids: np.ndarray) -> np.ndarray:  # [B, N] -> [B, N, d]
    b, n = ids.shape
    y = np.zeros((b, n, c.d))
    at, i = np.nonzero(ids != PAD)
    y[at, i, ids[at, i]] = 1.0
    y[:, np.arange(n), c.vocab + np.arange(n)] = 1.0
    return y


class Forward(NamedTuple):
    y0: np.ndarray
    w1: np.ndarray
    y1: np.ndarray
    w2: np.ndarray
    scores: np.ndarray  # [B, N, V]
    probs: np.ndarray  # [B, N - 1, V] softmax of the scores of queries 0 .. N - 2


PATHS = ("keys", "queries", "values")
"""Layer 2's three inputs, each of which path ablation feeds Y^(0) instead of Y^(1)."""


def forward(params: dict, c: Config, ids: np.ndarray, ablated: str | None = None) -> Forward:
    """The batch's pass: model.py's ``dense_layers`` over the four matrices
    (V_2 only its token columns: the scores are Y^(2)'s token block). With
    ``ablated`` (one of PATHS), layer 2's keys, queries or values read Y^(0)
    instead of Y^(1): the path from layer 1 into that input is cut (Olsson et
    al.'s and Elhage et al.'s path ablation)."""
    keep = causal_mask(c.length, c.mask == "inclusive")
    y0 = embedded(c, ids)
    (_, (w1,), y1), (_, (w2,), scores) = dense_layers(
        [([(params["A1"], params["V1"])], True), ([(params["A2"], params["V2"][:, :c.vocab])], False)], y0, keep,
        {ablated: y0} if ablated else None)
    b, n, v = scores.shape  # the readout's softmax at T = 1, over each sequence's queries 0 .. N - 2
    probs, _ = softmax(scores[:, :-1].reshape(b * (n - 1), v), 1.0)
    return Forward(y0, w1, y1, w2, scores, probs.reshape(b, n - 1, v))


def loss_of(f: Forward, ids: np.ndarray) -> float:
    """The mean cross-entropy of each position's next token (queries 0 .. N - 2; none past a sequence's end)."""
    b, n = ids.shape
    picked = f.probs[np.arange(b)[:, None], np.arange(n - 1)[None, :], ids[:, 1:]]
    return float(-np.log(np.maximum(picked, 1e-300))[ids[:, 1:] != PAD].mean())


def _softmax_back(w: np.ndarray, dw: np.ndarray) -> np.ndarray:
    """d logits from d weights through each row's softmax (masked cells have w = 0 and get 0)."""
    return w * (dw - (dw * w).sum(axis=-1, keepdims=True))


def loss_and_grad(params: dict, c: Config, ids: np.ndarray) -> tuple[float, dict, Forward]:
    """The loss and its gradient with respect to A_1, V_1, A_2, V_2 (by hand: the forward pass's
    products and softmaxes run backwards)."""
    f = forward(params, c, ids)
    b, n = ids.shape
    a1, v1, a2, v2 = (params[k] for k in KEYS)
    d_scores = f.probs.copy()  # d loss / d scores = (P - onehot) / count, queries 0 .. N - 2
    d_scores[np.arange(b)[:, None], np.arange(n - 1)[None, :], ids[:, 1:]] -= 1.0
    counted = ids[:, 1:] != PAD
    d_scores *= counted[..., None] / counted.sum()
    v2_tok = v2[:, :c.vocab]  # Y^(2) W_U reads the token block: only V_2's token columns reach the loss
    d_y2 = np.zeros((b, n, c.vocab))
    d_y2[:, :-1] = d_scores
    z2 = _times(f.y1, v2_tok)  # Y^(2)'s token block = W^(2) Z2
    d_w2 = d_y2 @ z2.transpose(0, 2, 1)
    d_z2 = f.w2.transpose(0, 2, 1) @ d_y2
    g_v2 = np.zeros_like(v2)  # (its other columns get no gradient)
    g_v2[:, :c.vocab] = _summed(f.y1, d_z2)
    d_y1 = _times(d_z2, v2_tok.T)
    d_s2 = _softmax_back(f.w2, d_w2)  # S2 = Y1 A2 Y1^T
    g_a2 = _summed(f.y1, d_s2 @ f.y1)
    d_y1 += _times(d_s2 @ f.y1, a2.T) + _times(d_s2.transpose(0, 2, 1) @ f.y1, a2)
    z1 = _times(f.y0, v1)  # Y^(1) = Y^(0) + W^(1) Z1
    d_w1 = d_y1 @ z1.transpose(0, 2, 1)
    g_v1 = _summed(f.y0, f.w1.transpose(0, 2, 1) @ d_y1)
    d_s1 = _softmax_back(f.w1, d_w1)
    g_a1 = tied(c, _summed(f.y0, d_s1 @ f.y0) * free(c))
    return loss_of(f, ids), {"A1": g_a1, "V1": g_v1, "A2": g_a2, "V2": g_v2}, f


def _summed(x: np.ndarray, y: np.ndarray) -> np.ndarray:  # [B, N, d], [B, N, e] -> [d, e]
    """sum over the batch of x_b^T y_b: one matrix product over all B N rows."""
    return x.reshape(-1, x.shape[-1]).T @ y.reshape(-1, y.shape[-1])


class Adam:
    """Adam (Kingma and Ba) with decoupled weight decay (AdamW, Loshchilov and Hutter)."""

    def __init__(self, params: dict, lr: float, weight_decay: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.lr, self.decay, self.betas, self.eps, self.t = lr, weight_decay, betas, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params: dict, grads: dict, mask: dict) -> None:
        self.t += 1
        b1, b2 = self.betas
        for k, g in grads.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            m_hat, v_hat = self.m[k] / (1 - b1 ** self.t), self.v[k] / (1 - b2 ** self.t)
            params[k] -= (self.lr * (m_hat / (np.sqrt(v_hat) + self.eps) + self.decay * params[k])) * mask[k]


DETECTORS = (("previous_token_score", "previous_token", "w1"), ("duplicate_token_score", "duplicate_token", "w1"),
             ("induction_score", "induction", "w2"))
"""The history's head scores: (key, TransformerLens' pattern, the layer's weights)."""


def ideal(c: Config, ids: np.ndarray) -> dict[str, float]:
    """The highest detector score a head can get on ``ids``: a row with a
    cell of the pattern among its kept keys puts all its weight there, any
    other row (which must put its weight somewhere) scores 0; averaged over
    the sequences as ``measured`` averages."""
    keep = causal_mask(c.length, c.mask == "inclusive")
    out = {}
    for key, kind, _ in DETECTORS:
        scores = []
        for row in ids:
            pattern = detection_pattern(kind, row) & keep
            rows = keep.any(axis=1)
            scores.append(float(pattern.any(axis=1)[rows].mean()))
        out[key] = float(np.mean(scores))
    return out


OFFSETS = range(-2, 5)
"""Where layer 2 may look on the repeated half, as the key's place after the
query's earlier copy: -2 .. 4 (1: the induction head's key; 0: the copy itself)."""


def paths(params: dict, c: Config, ids: np.ndarray, repeats: np.ndarray) -> dict:
    """Path ablation on held-out sequences: for the intact model and with each
    of layer 2's inputs cut from layer 1 (PATHS), the induction score and the
    accuracy on the repeated half; and, intact, the share of layer 2's weight
    on the repeated half at each offset from the query's earlier copy."""
    where = repeated_targets(c, repeats)
    out: dict = {}
    for path in (None,) + PATHS:
        f = forward(params, c, ids, path)
        right = f.scores[:, :-1].argmax(axis=-1) == ids[:, 1:]
        induction = np.mean([detect(f.w2[k], detection_pattern("induction", row)) for k, row in enumerate(ids)])
        out[path or "intact"] = {"induction_score": float(induction), "accuracy": float(right[where].mean())}
        if path is None:
            shares = np.zeros(len(OFFSETS))
            count = 0
            for k, r in enumerate(repeats):
                for i in range(c.length - r, c.length):  # each query of the repeat; its copy stands r before
                    for m, o in enumerate(OFFSETS):
                        j = i - r + o
                        if 0 <= j < c.length:
                            shares[m] += f.w2[k, i, j]
                    count += 1
            out["offsets"] = {str(o): float(v / max(count, 1)) for o, v in zip(OFFSETS, shares)}
    return out


def icl_tokens(length: int) -> tuple[int, int]:
    """The early and the late token of the in-context-learning score: Olsson
    et al. take the 50th and the 500th token of a 512-token context; here the
    tokens at the same fractions of N (positions 2 and 23 of 24), each at
    least 1 and at most N - 1."""
    return (min(max(1, round(length * 50 / 512)), length - 1), min(max(1, round(length * 500 / 512)), length - 1))


def measured(params: dict, c: Config, ids: np.ndarray, repeats: np.ndarray) -> dict:
    """On held-out sequences: the loss, the accuracy on the repeated half, the
    detector scores, the loss of each token by its position (token 1 to N - 1,
    each predicted from the tokens before it) and the in-context-learning score
    (Olsson et al.: the loss of a late token minus that of an early one, ``icl_tokens``)."""
    f = forward(params, c, ids)
    right = f.scores[:, :-1].argmax(axis=-1) == ids[:, 1:]
    where = repeated_targets(c, repeats)
    scores: dict[str, list] = {key: [] for key, *_ in DETECTORS}
    for k, row in enumerate(ids):
        for key, kind, layer in DETECTORS:
            scores[key].append(detect(getattr(f, layer)[k], detection_pattern(kind, row)))
    b, n = ids.shape
    picked = f.probs[np.arange(b)[:, None], np.arange(n - 1)[None, :], ids[:, 1:]]
    by_position = (-np.log(np.maximum(picked, 1e-300))).mean(axis=0)  # [N - 1]: token 1 .. N - 1
    early, late = icl_tokens(c.length)
    return {"loss": loss_of(f, ids), "accuracy": float(right[where].mean()),
            **{k: float(np.mean(v)) for k, v in scores.items()},
            "loss_by_position": [float(x) for x in by_position],
            "icl_score": float(by_position[late - 1] - by_position[early - 1])}


class Run(NamedTuple):
    config: Config
    params: dict
    history: list  # [{step, loss, accuracy, previous_token_score, duplicate_token_score, induction_score,
    #                  loss_by_position, icl_score}]
    seconds: float
    interrupted: bool


def train(c: Config, progress: Callable[[dict], None] | None = None,
          stop: Callable[[], bool] | None = None) -> Run:
    """Train from the seed; evaluate at step 0, every ``every`` steps and at
    the end. ``stop()`` true (the CLI's Ctrl-C) or a KeyboardInterrupt (a
    notebook's) stops the loop and keeps what was learned (``interrupted``)."""
    c = checked(c)
    with blas_threads():
        return _train(c, progress, stop)


THREADS = "INDUCTION_DEMO_THREADS"
"""The environment variable that sets train's BLAS threads (1 by default; 0:
the library's own choice, a thread per core)."""


def blas_threads():
    """A context in which numpy's BLAS runs on INDUCTION_DEMO_THREADS threads
    (1 unless set): train's products are 80 x 80, far too small to share, and
    a thread per core waits on every other process of a busy machine."""
    import contextlib
    import os

    from threadpoolctl import threadpool_limits

    raw = os.environ.get(THREADS, "1").strip()
    if not raw.isdigit():
        raise InputError(f"{THREADS} must be a whole number of threads (0: one per core), not {raw!r}")
    return contextlib.nullcontext() if int(raw) == 0 else threadpool_limits(limits=int(raw), user_api="blas")


def _train(c: Config, progress, stop) -> Run:
    rng = np.random.default_rng([c.seed, 0])
    held_out = sequences(np.random.default_rng([c.seed, 2]), c, EVAL_BATCH)
    params = initial(c)
    mask = learned_entries(c)
    adam = Adam(params, c.lr, c.weight_decay)
    history = [{"step": 0, **measured(params, c, *held_out)}]
    if progress:
        progress(history[-1])
    start, interrupted = time.perf_counter(), False
    try:
        for step in range(1, c.steps + 1):
            if stop is not None and stop():
                raise KeyboardInterrupt
            ids, _ = sequences(rng, c, c.batch, every_length=True)
            with np.errstate(all="ignore"):  # an overflow is caught below, in one line, not as warnings
                loss, grads, _ = loss_and_grad(params, c, ids)
                adam.step(params, grads, mask)
            if not (np.isfinite(loss) and all(np.isfinite(p).all() for p in params.values())):
                raise Diverged(f"training diverged at step {step}: the loss or a weight is no longer a finite "
                               f"number (lr {c.lr:g}, weight decay {c.weight_decay:g}); nothing was saved: try a "
                               "smaller --lr or --weight-decay")
            if step % c.every == 0 or step == c.steps:
                history.append({"step": step, **measured(params, c, *held_out)})
                if progress:
                    progress(history[-1])
    except KeyboardInterrupt:
        interrupted = True
        if history[-1]["step"] != adam.t:
            history.append({"step": adam.t, **measured(params, c, *held_out)})
    return Run(c, params, history, time.perf_counter() - start, interrupted)
