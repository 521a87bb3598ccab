"""``quiz TOKENS``: a sheet of questions on one run, and (``--key``) its answers.

The sheet shows the input and the two layers' attention weights, with no
story, no marks and no predictions, and asks numbered questions generated
from the trace, each only where the run has the case:

1. which key a copying query attends to, and why;
2. what layer 1 writes into the previous half at a position;
3. which positions have nothing to copy, and why;
4. what the model predicts at a position, and with what probability at the
   run's temperature;
5. where layer 2 splits its weight, and why.

Every answer is read off the trace: the story's own sentence for a copy and
a split (story.py, the one narrator), the stream's entries for layer 1's
write, the probabilities for a prediction. ``drawn(seed)`` picks a string
with at least one copy, one split and one position with nothing to copy.
"""
from __future__ import annotations

import random
from typing import NamedTuple

import numpy as np

from ..words import claims as cl
from ..core import readout
from ..base import text as fmt
from ..words.sentences import Sentence, code, say
from ..core.trace import Trace


class Question(NamedTuple):
    kind: str  # copy, write, nothing, predict, split
    ask: Sentence
    answer: Sentence


def _question(kind: str, ask: str, answer: str | Sentence) -> Question:
    return Question(kind, say(kind, ask), answer if isinstance(answer, Sentence) else say(kind, answer))


def _at(trace: Trace, i: int) -> str:
    return f"@{i} ({code(trace.tokens[i])})"


def questions(trace: Trace) -> list[Question]:
    """The questions this run can ask, in the order of the module's list, each with its answer."""
    from ..words.story import copy_sentence, near_tie

    out: list[Question] = []
    copies = [p.position for p in trace.predictions if p.copy]
    sentences = {i: copy_sentence(trace, i) for i in copies}
    single = [i for i in copies if sentences[i].kind == "copy"]
    splits = [i for i in copies if sentences[i].kind == "split"]
    if single:
        i = single[0]
        out.append(_question("copy", f"Layer 2 at {_at(trace, i)}: which key does it attend to, and why?",
                            sentences[i]))
    layer1 = trace.look_back
    if trace.n > 1 and not layer1.ablated and "prev tok" in trace.basis.names:
        i = (copies[-1] if copies else trace.n - 1)
        y = trace.look_back.output
        tok, pos = y.block("prev tok")[i], y.block("prev pos")[i] if "prev pos" in trace.basis.names else None
        t = int(np.argmax(tok))
        said = f"the token {code(trace.vocab[t])} (prev tok {tok[t]:.2f})"
        if pos is not None:
            p = int(np.argmax(pos))
            said += f" and the position @{p} (prev pos {pos[p]:.2f})"
        w = layer1.heads[0].weights[i]
        keys = [int(k) for k in np.flatnonzero(layer1.mask[i]) if w[k] >= w[layer1.mask[i]].max() - cl.NEAR_WEIGHT]
        j = keys[0]
        each = " each" if len(keys) > 1 else ""
        premises = [cl.Holds(1, i, "prev tok", trace.vocab[t], float(tok[t])), cl.Top(1, 0, i, tuple(keys)),
                    cl.Weight(1, 0, i, (j,), float(w[j])), cl.Built(True)] \
            + ([cl.Holds(1, i, "prev pos", p, float(pos[p]))] if pos is not None else [])
        out.append(_question("write", f"What does layer 1 write into the previous half of {_at(trace, i)}?",
                            say("write", f"{said}: layer 1 at {_at(trace, i)} attends to "
                                         f"{' and '.join(_at(trace, k) for k in keys)} with weight {w[j]:.2f}{each} "
                                         "and copies that key's token and position into the previous half.",
                                premises)))
    nothing = [p.position for p in trace.predictions if not p.copyable]
    if nothing:
        whys = [_why_nothing(trace, i) for i in nothing]
        out.append(_question("nothing", "Which positions have nothing to copy, and why?",
                            say("nothing", "; ".join(f"{_at(trace, i)}: {why}" for i, (why, _) in zip(nothing, whys))
                                + ".", [cl.NothingToCopy(i) for i in nothing]
                                + [p for _, because in whys for p in because])))
    if copies:
        i = (single or copies)[-1]
        tied = [int(t) for t in np.flatnonzero(readout.most_probable(trace.probs[i:i + 1])[0])]
        top = tied[0]
        tie = " (a near-tie), each" if near_tie(trace, i) else " (a tie), each"
        told = " or ".join(code(trace.vocab[t]) for t in tied) + (tie if len(tied) > 1 else ",")
        lo, hi = _others(trace, i, tied)
        rest = "(there is none)" if lo is None else f"{lo:.2f}" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f} to {hi:.2f}"
        near = len(tied) > 1 and near_tie(trace, i)
        out.append(_question("predict", f"What does the model predict at {_at(trace, i)}, and with what probability "
                                        f"at temperature T = {fmt.parameter(trace.temperature, 2)}?",
                             say("predict", f"{told} with probability {trace.probs[i, top]:.2f}: the softmax of the "
                                            f"scores over T at {_at(trace, i)}, where "
                                            f"{'each' if len(tied) > 1 else 'the copied token'} scores "
                                            f"{trace.scores[i, top]:.2f} and every other token of the vocabulary "
                                            f"{rest}.",
                                 [cl.Predicts(i, tuple(trace.vocab[t] for t in tied), trace.predictions[i].copy, near),
                                  cl.Probability(i, trace.vocab[top], float(trace.probs[i, top])),
                                  cl.Score(i, trace.vocab[top], float(trace.scores[i, top])),
                                  cl.OtherScores(i, tuple(trace.vocab[t] for t in tied), lo or 0.0, hi or 0.0)])))
    if splits:
        i = splits[0]
        out.append(_question("split", "Where does layer 2 split its weight between keys, and why?",
                            sentences[i]))
    return out


def _others(trace: Trace, i: int, tied) -> tuple[float | None, float | None]:
    """The lowest and highest score of every other vocabulary token (None, None: there is none)."""
    rest = np.delete(trace.scores[i], tied)
    if not len(rest):
        return None, None
    return float(rest.min()), float(rest.max())


def _why_nothing(trace: Trace, i: int) -> tuple[str, list]:
    """Why position i has nothing to copy, and the premises of that reason."""
    if not trace.induction.mask[i].any():
        return "nothing before it", [cl.Kept(trace.induction.index, i, max(i - 1, 0), False)]
    earlier = [k for k in range(i) if trace.tokens[k] == trace.tokens[i]]
    if not earlier:
        return f"the first {code(trace.tokens[i])}, so no earlier copy has a token after it", [cl.FirstOccurrence(i)]
    return (f"its earlier {code(trace.tokens[i])} (@{earlier[-1]}) is followed by the query itself, "
            "which the mask hides", [cl.Follows(i, i, earlier[-1], True), cl.Kept(trace.induction.index, i, i, False)])


def drawn(seed: int, vocab: str = "abcdef", length: tuple[int, int] = (8, 12)) -> tuple[str, ...]:
    """A string for ``seed``: "!" then random letters, the first drawn with at least one copy, one
    split and one position with nothing to copy (every seed finds one within a few tries)."""
    from ..core.runs import run

    rng = random.Random(seed)
    while True:
        tokens = ("!",) + tuple(rng.choice(vocab) for _ in range(rng.randint(*length) - 1))
        kinds = {q.kind for q in questions(run(tokens))}
        if {"copy", "split", "nothing"} <= kinds:
            return tokens


ANSWER_LINES = 3
"""Ruled lines under each question of a quiz sheet, to answer on."""


def sheet(trace: Trace, key: bool = False, fit=None):
    """The quiz (or, with ``key``, its answers) as a Document of views; ``fit``
    (documents.Fit) shows each table whole (the default) or in a window."""
    from ..views import documents, tables
    from ..views.views import Answer, Document, Heading, Math, Paragraph, count

    fit = fit or documents.whole
    asked = questions(trace)
    said = " ".join(fmt.token(t) for t in trace.tokens)
    blocks: list = [Paragraph((f"{count(trace.n, 'token')}: {said}",))]
    if not key:
        blocks.append(Paragraph(("The lecture's model: layer 1 a previous-token head, layer 2 an induction head, "
                                 "the strict mask (a query keeps the keys before it). Below, each layer's "
                                 "attention weights; × = masked.",)))
        for layer in trace.layers:
            blocks += fit(lambda shown, layer=layer: tables.attention(trace, f"quiz.layer{layer.index}", (
                "Layer ", str(layer.index), " attention weights ", Math(f"W^({layer.index})"),
                " (rows: queries i, columns: keys j)"), layer.heads[0].weights, fmt.WEIGHT_DECIMALS,
                mask=layer.mask, shown=shown, notes=False))
    blocks.append(Heading("Answers" if key else "Questions"))
    for k, q in enumerate(asked, 1):
        blocks.append(Paragraph((f"{k}. ",) + q.ask.parts))
        blocks.append(Paragraph(("Answer: ",) + q.answer.parts) if key else Answer(ANSWER_LINES))
    title = ("Answer key: " if key else "Quiz: ") + "induction heads on " + said
    return Document(title, tuple(blocks), legend=False)
