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


def _kind(block) -> str | None:
    """The layer step a table starts ("logits", "masked", ...), or None."""
    if not isinstance(block, Table):
        return None
    parts = block.key.split(".")
    return parts[1] if len(parts) > 1 and parts[0].startswith("layer") and parts[1] in dict(KINDS) else None


def steps(trace: Trace, told: dict | None, fit) -> list[Step]:
    """The lecture's steps for ``trace``: the walkthrough's blocks (without the
    story, which comes last), cut at each layer's heading and at each table
    the lecture pauses on; then the pause, then the story layer by layer."""
    walk = documents.walkthrough(trace, None, None, True, fit)
    out: list[Step] = []
    title, blocks, layer = ("The input and ", Math("Y^(0)")), [], 0
    seen: set[tuple[int, str]] = set()

    def close() -> None:
        if blocks:
            out.append(Step(title, Document(walk.title, tuple(blocks), legend=False)))

    for block in walk.blocks:
        if isinstance(block, Heading) and block.text.startswith("Layer "):
            close()
            layer += 1
            title, blocks = (f"Layer {layer}: {block.text.split(': ', 1)[1]}, its ", Math("A")), [block]
            continue
        kind = _kind(block)
        if kind is not None and (layer, kind) not in seen:  # the first table of its kind opens the step
            seen.add((layer, kind))
            close()
            title, blocks = (f"Layer {layer}: {dict(KINDS)[kind]}",), [block]
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
