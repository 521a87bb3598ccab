"""A loader can rebuild the model from `weights --format json` alone: every
number the forward pass uses is in it (blocks, relative bias, RoPE query,
key and frequencies, the sinusoidal code's frequencies, the token vectors).
Plain numpy here, none of the library: layer 1's logits, then layer 2's, each
within 1e-12 of the scale s of the library's (a dot product of unit vectors
summed in another order differs in its last bits)."""
import json

import numpy as np
import pytest

from cli_runner import invoke
from induction_demo.core.runs import run
from induction_demo.core.similar import Similarity
from induction_demo.core.weights import Construction

VARIANTS = [[], ["--mask", "inclusive"], ["--context", "2"], ["--skip", "2"], ["--context", "2", "--skip", "1"],
            ["--positions", "sinusoidal"], ["--positions", "relative"], ["--positions", "rope"],
            ["--positions", "none"], ["--similar", "subword"], ["--positions", "sinusoidal", "--similar", "case"],
            ["--positions", "rope", "--context", "2", "--frequencies", "4"]]


def matrix(blocks, doc) -> np.ndarray:
    """A's or V's d x d matrix from its blocks' entries (indices within each subspace)."""
    start = {s["name"]: s["start"] for s in doc["subspaces"]}
    out = np.zeros((doc["d"], doc["d"]))
    for b in blocks:
        for r, c, v in b["entries"]:
            out[start[b["rows"]] + r, start[b["cols"]] + c] += v
    return out


def embedding(doc) -> np.ndarray:
    """Y^(0): each token's direction or vector, each position's direction or sinusoidal code."""
    n, vocab = len(doc["tokens"]), doc["vocab"]
    y = np.zeros((n, doc["d"]))
    tok = next(s for s in doc["subspaces"] if s["name"] == "tok")
    ids = [vocab.index(t) for t in doc["tokens"]]
    vectors = np.eye(len(vocab)) if doc["token_vectors"] is None else np.array(doc["token_vectors"])
    y[:, tok["start"]:tok["start"] + tok["size"]] = vectors[ids]
    pos = next((s for s in doc["subspaces"] if s["name"] == "pos"), None)
    if pos is not None and doc["position_frequencies"] is None:
        y[np.arange(n), pos["start"] + np.arange(n)] = 1.0
    elif pos is not None:
        angles = np.arange(n)[:, None] * np.array(doc["position_frequencies"])[None, :]
        y[:, pos["start"]:pos["start"] + pos["size"]:2] = np.sin(angles)
        y[:, pos["start"] + 1:pos["start"] + pos["size"]:2] = np.cos(angles)
    return y


def rotated(v, w):
    angles = np.arange(len(v))[:, None] * w[None, :]
    out = np.empty_like(v)
    out[:, 0::2] = v[:, 0::2] * np.cos(angles) - v[:, 1::2] * np.sin(angles)
    out[:, 1::2] = v[:, 0::2] * np.sin(angles) + v[:, 1::2] * np.cos(angles)
    return out


def logits(head, y, doc) -> np.ndarray:
    n = len(y)
    a = y @ matrix(head["qk"], doc) @ y.T
    for offset, value in head["bias"]:
        a += value * np.eye(n, k=-offset)
    if head["rope"] is not None:
        tok = next(s for s in doc["subspaces"] if s["name"] == "tok")
        present = y[:, tok["start"]:tok["start"] + tok["size"]].sum(axis=1, keepdims=True)
        w = np.array(head["rope"]["frequencies"])
        q = rotated(present * np.array(head["rope"]["query"]), w)
        k = rotated(present * np.array(head["rope"]["key"]), w)
        a += q @ k.T
    return a


def softmax_kept(a, inclusive):
    n = len(a)
    keep = np.tri(n, k=0 if inclusive else -1, dtype=bool)
    top = np.where(keep, a, -np.inf).max(axis=1, keepdims=True)
    e = np.where(keep, np.exp(a - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = e.sum(axis=1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: " ".join(v) or "lecture")
def test_each_variants_logits_are_rebuilt_from_the_weights_json_alone(variant):
    tokens = "the cat sat on the mat the cat"
    doc = json.loads(invoke(["weights", tokens, "--format", "json"] + variant).stdout)
    inclusive = doc["construction"]["mask"] == "inclusive"
    y = embedding(doc)
    layer1, layer2 = doc["layers"]
    y1 = y.copy()
    logits1 = []
    for head in layer1["heads"]:
        a = logits(head, y, doc)
        logits1.append(a)
        y1 += softmax_kept(a, inclusive) @ y @ matrix(head["ov"], doc)
    logits2 = logits(layer2["heads"][0], y1, doc)
    # the same model, run by the library, to compare with
    args = dict(zip(variant[::2], variant[1::2]))
    similar = args.get("--similar")
    built = Construction(args.get("--mask", "strict"), int(args.get("--context", 1)), int(args.get("--skip", 0)),
                         Similarity(similar) if similar else None, args.get("--positions", "one-hot"),
                         int(args.get("--frequencies", 16)))
    trace = run(tuple(tokens.split()), construction=built)
    for mine, theirs in zip(logits1, trace.layers[0].heads):
        assert np.abs(mine - theirs.logits).max() <= 1e-12 * trace.scale  # of the logits' size s: summation order differs
    assert np.abs(logits2 - trace.layers[1].logits).max() <= 1e-12 * trace.scale  # of the logits' size s: summation order differs
