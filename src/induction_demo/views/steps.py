"""The walkthrough one step at a time (``induction-demo lecture``): the
lecture's order, as a lecturer steps through it.

    the input and Y^(0)
    for each layer: its A, the logits with the job marked, the masked
                    logits, the weights, and what it writes
    the predictions
    "now tell the story" (seed 000: "I'll show you the outputs, you need
                    to tell the story")
    the story, layer by layer

Each step is the walkthrough's own tables (documents.walkthrough, windowed
to the width as ``show`` windows them), cut where the lecture pauses; the
numbers are the trace's, formatted, never recomputed.
"""
from __future__ import annotations

from typing import NamedTuple

from ..core.trace import Trace
from . import documents
from .views import Document, Heading, Math, Paragraph, Table

PAUSE = "Now tell the story: what did each layer do, and why does each position predict what it predicts?"


class Step(NamedTuple):
    title: tuple  # text parts: "The input and " and Y^(0) as maths (each format sets it as its own)
    document: Document


KINDS = (("logits", "the attention logits, the job marked"), ("masked", "the masked logits"),
         ("weights", "the attention weights"), ("output", "what it writes"))
"""The steps of a layer after its A, by the key of the table that starts each."""
PREDICTIONS = ("The predictions",)


OPENS = documents.READS  # what a head's first table shows: the step of a second head opens there


def _kind(block, layer: int) -> tuple[str, str] | None:
    """A table of layer ``layer``: what it shows ("A", "logits", "masked", ...) and the rest of its key,
    which names its head where the layer has several ("2-back", "head-1.0.shares"); else None."""
    if not isinstance(block, Table):
        return None
    parts = block.key.split(".", 2)
    if parts[0] != f"layer{layer}" or len(parts) < 2 or parts[1] not in {**dict(KINDS), **OPENS}:
        return None
    return parts[1], parts[2] if len(parts) > 2 else ""


def steps(trace: Trace, told: dict | None, fit) -> list[Step]:
    """The lecture's steps for ``trace``: the walkthrough's blocks (without the
    story, which comes last), cut at each layer's heading and at each table
    the lecture pauses on, head by head where a layer has several; then the
    pause, then the story layer by layer."""
    walk = documents.walkthrough(trace, None, None, True, fit)
    out: list[Step] = []
    title, blocks, layer = ("The input and ", Math("Y^(0)")), [], 0
    seen: set[tuple[str, str]] = set()
    names: dict[str, str] = {}  # a layer's heads by their tables' key suffix, where it has several
    opening = False  # the step the layer's heading opened, before any table of a head

    def close() -> None:
        if blocks:
            out.append(Step(title, Document(walk.title, tuple(blocks), legend=False)))

    for block in walk.blocks:
        if isinstance(block, Heading) and block.text.startswith("Layer "):
            close()
            layer += 1
            heads = trace.layers[layer - 1].heads
            names = {documents.head_suffix(run, True)[1:]: run.head.name for run in heads} if len(heads) > 1 else {}
            heading = f"Layer {layer}: {block.text.split(': ', 1)[1]}, "
            title, blocks, seen, opening = (heading,) + OPENS["A"], [block], set(), True
            continue
        found = _kind(block, layer)
        if found is not None:
            kind, rest = found
            head = next((s for s in names if rest == s or rest.startswith(s + ".")), "")
            who = f"Layer {layer}" + (f", {names[head]}" if head else "")
            if (kind, head) not in seen and (kind not in OPENS or not any(h == head for _, h in seen)):
                seen.add((kind, head))
                if opening and kind in OPENS:  # the heading's step: its first head's A (or bias, or RoPE)
                    title = (f"{who}: " if head else heading,) + OPENS[kind]
                    blocks.append(block)
                else:
                    close()
                    title, blocks = (f"{who}: ",) + (OPENS[kind] if kind in OPENS else (dict(KINDS)[kind],)), [block]
                opening = False
                continue
        if isinstance(block, Table) and block.key in ("predictions", "next_token_probs") and title != PREDICTIONS:
            close()
            title, blocks = PREDICTIONS, [block]
            continue
        blocks.append(block)
    close()
    out.append(Step(("Now tell the story",), Document(walk.title, (Paragraph((PAUSE,)),), legend=False)))
    for index, sentences in (told or {}).items():
        out.append(Step((f"The story of layer {index}",), Document(walk.title, (
            Paragraph((f"What layer {index} did on this string:",)),)
            + tuple(Paragraph(("• ",) + s.parts) for s in sentences), legend=False)))
    return out
