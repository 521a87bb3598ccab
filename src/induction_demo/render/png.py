"""The PNG picture: the attention weights of both heads as heatmaps, side by
side, tokens on both axes (matplotlib, from the ``plot`` extra).

The same single-hue scale as the HTML page; masked cells are hatched grey;
each cell's value is printed where the matrix is small enough to read it.
"""
from __future__ import annotations

import io
import warnings

import numpy as np

from ..errors import InputError
from ..trace import Trace
from . import format as fmt

ANNOTATE_UP_TO = 16  # positions; beyond this the numbers would not be legible


def _label(text: str) -> str:
    """A token for a matplotlib label: ``$`` would start mathtext."""
    return fmt.token(text).replace("$", r"\$")


def render(trace: Trace, layers=(1, 2)) -> bytes:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("the png format needs matplotlib: pip install 'induction-demo[plot]'") from None

    shown = [layer for layer in trace.layers if layer.index in layers]
    size = 2.0 + 0.35 * trace.n
    fig, axes = plt.subplots(1, len(shown), figsize=(size * len(shown), size + 0.6), squeeze=False)
    cmap = matplotlib.colormaps["Blues"].copy()
    cmap.set_bad("#eeeeee")
    labels = [f"{_label(t)} @{i}" for i, t in enumerate(trace.tokens)]
    for ax, layer in zip(axes[0], shown):
        weights = np.ma.masked_array(layer.weights, mask=~layer.mask)
        image = ax.imshow(weights, cmap=cmap, vmin=0.0, vmax=1.0)
        ax.set_title(f"Layer {layer.index}: {layer.name}\nattention weights $W^{{({layer.index})}}$")
        ax.set_xticks(range(trace.n), labels, rotation=90)
        ax.set_yticks(range(trace.n), labels)
        ax.set_xlabel("key j")
        ax.set_ylabel("query i")
        ax.set_xticks(np.arange(-0.5, trace.n), minor=True)
        ax.set_yticks(np.arange(-0.5, trace.n), minor=True)
        ax.grid(which="minor", color="white", linewidth=0.5)
        ax.tick_params(which="minor", length=0)
        masked = np.argwhere(~layer.mask)
        ax.scatter(masked[:, 1], masked[:, 0], marker="x", s=12, color="#aaaaaa", linewidths=0.8)
        if trace.n <= ANNOTATE_UP_TO:
            for i, j in np.argwhere(layer.mask):
                value = layer.weights[i, j]
                ax.text(j, i, fmt.number(value, fmt.WEIGHT_DECIMALS), ha="center", va="center", fontsize=7,
                        color="white" if value > 0.55 else "black")
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the font (CJK, emoji) are drawn as boxes
        fig.savefig(out, format="png", dpi=120, metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()
