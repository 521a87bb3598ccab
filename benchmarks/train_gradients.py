"""The train command's gradient, two ways: the hand-written backward pass
(training.loss_and_grad) against autograd differentiating the same forward pass.

    pip install autograd
    python benchmarks/train_gradients.py [--steps 50]

Prints, at the default config (V = 16, N = 24, batch 32, d = 80), the time of
one gradient each way (median of --steps), and the largest difference
between the two gradients (A_1's held entries, outside its pos x pos block
under --layer1 positions, taken as 0 in both). autograd is not a dependency of the tool: this
script is how the choice between the two was measured (README, "Learning it").
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from induction_demo.uses import training


def autograd_loss(c: training.Config):
    import autograd.numpy as anp

    keep = np.tri(c.length, k=0 if c.mask == "inclusive" else -1, dtype=bool)

    def softmax(logits):
        kept = anp.where(keep, logits, -1e30)
        e = anp.exp(kept - anp.max(kept, axis=-1, keepdims=True)) * keep
        total = anp.sum(e, axis=-1, keepdims=True)
        return e / anp.where(total > 0, total, 1.0)

    def loss(params, ids):
        a1, v1, a2, v2 = params
        y0 = training.embedded(c, ids)
        w1 = softmax(anp.matmul(anp.matmul(y0, a1), anp.transpose(y0, (0, 2, 1))))
        y1 = y0 + anp.matmul(w1, anp.matmul(y0, v1))
        w2 = softmax(anp.matmul(anp.matmul(y1, a2), anp.transpose(y1, (0, 2, 1))))
        scores = anp.matmul(w2, anp.matmul(y1, v2))[:, :-1, :c.vocab]
        z = scores - anp.max(scores, axis=-1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=-1, keepdims=True))
        b, n = ids.shape
        return -anp.mean(logp[np.arange(b)[:, None], np.arange(n - 1)[None, :], ids[:, 1:]])

    return loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    from autograd import value_and_grad

    c = training.Config()
    params = training.initial(c)
    rng = np.random.default_rng(0)
    grad = value_and_grad(autograd_loss(c))
    hand, auto, worst = [], [], 0.0
    for _ in range(args.steps):
        ids, _ = training.sequences(rng, c, c.batch)
        t = time.perf_counter()
        loss, g, _ = training.loss_and_grad(params, c, ids)
        hand.append(time.perf_counter() - t)
        t = time.perf_counter()
        loss2, g2 = grad([params[k] for k in training.KEYS], ids)
        auto.append(time.perf_counter() - t)
        g2[0] = g2[0] * training.free(c)  # A_1's held entries (--layer1 positions) get no gradient
        worst = max([worst, abs(loss - loss2)] + [float(np.abs(g[k] - g2[i]).max())
                                                  for i, k in enumerate(training.KEYS)])
    print(f"hand-written backward pass: {statistics.median(hand) * 1000:.1f} ms a gradient")
    print(f"autograd:                   {statistics.median(auto) * 1000:.1f} ms a gradient")
    print(f"largest difference (loss and every entry of the four gradients): {worst:.2e}")


if __name__ == "__main__":
    main()
