"""Claims as data: each sentence the tool says carries the premises it rests
on, and ``verify.py`` re-derives every premise from the trace before it is
trusted (in the tests on every sentence rendered, and at run time with
``INDUCTION_DEMO_VERIFY=1``).

A premise is a small record naming the cells, weights, tokens, counts, mask
and horizon a sentence states or reasons from. Layers are numbered from 1 as
in the story; ``head`` is the head's index in its layer. A reason ("because
the mask is inclusive") is its own premise, attached only where it holds.

The tolerances the words use are here, once (README, "How the story is
checked"):

- NEAR_WEIGHT (readout.NEAR_WEIGHT, where a model file's copy uses it too):
  keys within this of a row's largest weight share the top and are told as a
  tie ("splits its attention"), never as one confident key;
- EVEN: a row whose kept weights all lie within this is spread evenly;
- the prediction's near-tie is readout.TIE_TOLERANCE (probabilities within
  that share of the top one), an exact tie readout.EXACT_TIE;
- CARRIER_SHARE: "so it predicts X" names the keys that carry X's score
  (``carriers``): the attended keys that give X some of it and every other
  key giving at least this share of it; then, while they carry no more than
  half of it, more keys, largest first.
"""
from __future__ import annotations

from collections import namedtuple

from ..core import readout

NEAR_WEIGHT = readout.NEAR_WEIGHT  # (defined in core: a model file's copy uses it too)
SWITCH = "INDUCTION_DEMO_VERIFY"  # set (not 0): every story is verified before it is said


def verifying() -> bool:
    """Whether the run-time switch is on."""
    import os

    return os.environ.get(SWITCH, "") not in ("", "0")


def _premise(name: str, fields: str, doc: str, defaults: tuple = ()):
    """A premise record: a named tuple of its fields, with its meaning as its docstring
    (collections.namedtuple: a third of the import time of typing.NamedTuple's classes)."""
    record = namedtuple(name, fields, defaults=defaults)
    record.__doc__ = doc
    record.__module__ = __name__
    return record


EVEN = 1e-9
CARRIER_SHARE = 0.1


Weight = _premise("Weight", "layer head query keys value",
                   """w_(query, key) of the head is ``value`` (a sum over ``keys`` when several).""")


Top = _premise("Top", "layer head query keys",
                   """``keys`` are exactly the kept keys within NEAR_WEIGHT of the row's largest weight.""")


Even = _premise("Even", "layer head query count value",
                   """The row keeps ``count`` keys and weighs them all the same, ``value`` each.""")


Logits = _premise("Logits", "layer head rows kind",
                   """On the kept cells of ``rows``: every logit is 0 ("zero"), every row's
    logits tie ("tie"), or some row's do not ("differ").""")


LogitRange = _premise("LogitRange", "layer head keys low high",
                   """The head's logits at the columns ``keys`` (every row) lie from ``low`` to ``high``.""")


Logit = _premise("Logit", "layer head query key value",
                   """a_(query, key) of the head is ``value``.""")


Predicts = _premise("Predicts", "position tokens copy near",
                   """The position outputs exactly ``tokens`` (every token within the
    near-tie of the top probability), ``near`` when they are not an exact
    tie, and ``copy`` says whether that output is a copy.""", defaults=(False,))


Carried = _premise("Carried", "position token keys share",
                   """The keys carrying ``token``'s score at ``position`` (CARRIER_SHARE's
    rule) are exactly ``keys``, with ``share`` of the score between them.""")


Follows = _premise("Follows", "query key source same similarity",
                   """Key ``key`` stands ``horizon`` after ``source``, which holds the
    query's token (``same``) or not; with ``similarity``, cos(x_query, x_source).""", defaults=(None,))


Job = _premise("Job", "layer query key on",
                   """Whether (query, key) is a cell the head is built for (or, for a model
    file, the lecture's head in its place): ``on`` says which.""")


Context = _premise("Context", "query key matched similarities",
                   """Of the query's last k tokens, ``matched`` equal the k ending ``horizon``
    before the key; with ``similarities`` (dense token vectors), the cosine of each pair of them that
    exists, the oldest first.""", defaults=(None,))


Occurrences = _premise("Occurrences", "query at",
                   """The earlier occurrences of the query's token (before the query) are exactly ``at``.""")


FirstOccurrence = _premise("FirstOccurrence", "position",
                   """No earlier position holds the token at ``position``.""")


NothingToCopy = _premise("NothingToCopy", "query",
                   """No key the query keeps is one its head is built for.""")


Kept = _premise("Kept", "layer query key kept",
                   """The mask keeps (query, key), or not.""")


Mask = _premise("Mask", "kind",
                   """The model's mask is ``kind`` ("strict" or "inclusive").""")


Built = _premise("Built", "built",
                   """The model is a hand-built construction (``True``) or a model file's heads.""")


Setting = _premise("Setting", "name value",
                   """A construction knob has this value (positions, context, skip, similar).""")


Ablated = _premise("Ablated", "layer ablated",
                   """Layer ``layer``'s heads are ablated (``True``) or not.""")


Output = _premise("Output", "position tokens score low",
                   """The position outputs ``tokens`` with top score ``score`` and lowest ``low``.""")


Writes = _premise("Writes", "layer names",
                   """The layer's heads write into exactly the subspaces ``names``.""")


Holds = _premise("Holds", "layer position subspace token share",
                   """Y^(layer)'s subspace ``subspace`` at ``position`` holds ``token`` with
    ``share`` (``token`` a vocabulary token, or an int: the direction's index,
    as for a position).""")


Before = _premise("Before", "positions offset",
                   """Each of ``positions`` is earlier than ``offset`` (no key that far back).""")


Leak = _premise("Leak", "layer head query key value",
                   """Off its offset, the head's largest kept weight is ``value``, at (query, key).""")


Against = _premise("Against", "position tokens",
                   """With a skip: the plain head (skip 0) at ``position`` copies ``tokens`` (none: no copy).""")


Outputs = _premise("Outputs", "position tokens",
                   """The position outputs exactly ``tokens`` (its most probable ones, the near-tie), copy or not.""")


Probability = _premise("Probability", "position token value",
                   """P(token) at ``position`` is ``value``.""")


Score = _premise("Score", "position token value",
                   """The score of ``token`` at ``position`` (Y^(2) W_U) is ``value``.""")


OtherScores = _premise("OtherScores", "position besides low high",
                   """Every vocabulary token but ``besides`` scores from ``low`` to ``high`` at ``position``.""")


Temperature = _premise("Temperature", "value",
                   """The next-token softmax's temperature.""")


Tie = _premise("Tie", "exact",
                   """Some copy's prediction is a tie of tokens whose scores are equal
    (``exact``) or differ (only the temperature or the near-tie makes them one).""")


def carriers(gives, residual: float, attended) -> tuple[tuple[int, ...], float]:
    """The keys that carry a token's score, from what each key gives it
    (``gives``, an array over keys) and what the residual gives, and their
    share of the score together (the rule in the module's docstring)."""
    total = float(gives.sum()) + residual
    if total <= 0:
        return (), 0.0
    order = sorted((int(j) for j in range(len(gives)) if gives[j] > 0), key=lambda j: -gives[j])
    named = [j for j in order if j in set(attended) or gives[j] >= CARRIER_SHARE * total - 1e-12]
    for j in order:
        if float(gives[named].sum()) > 0.5 * total + 1e-12:
            break
        if j not in named:
            named.append(j)
    return tuple(sorted(named)), float(gives[named].sum()) / total


PREMISES = (Weight, Top, Even, Logits, LogitRange, Logit, Predicts, Carried, Follows, Job, Context, Occurrences,
            FirstOccurrence, NothingToCopy, Kept, Mask, Built, Setting, Ablated, Output, Writes, Holds,
            Before, Leak, Against, Outputs, Probability, Score, OtherScores, Temperature, Tie)

REQUIRED: dict[str, tuple[type, ...]] = {
    # each sentence kind, and the premises it must carry: a kind missing here is a failing test
    "nothing-before": (Kept,),
    "self": (Mask, Weight),
    "vectors": (Setting,),
    "own": (Setting,),
    "look-back": (Weight,),
    "duplicate": (Top, Weight, Job),
    "duplicate-first": (Even, FirstOccurrence),
    "duplicate-uneven": (Top, FirstOccurrence),
    "attends": (Top, Weight),
    "leak": (Leak, Setting),
    "too-early": (Before,),
    "output": (Writes,),
    "ablated": (Ablated,),
    "positions": (Setting,),
    "discount": (LogitRange, Setting),
    "first-occurrence": (Even, NothingToCopy),
    "uneven": (Top, NothingToCopy),
    "consecutive-repeat": (Follows, Kept, NothingToCopy),
    "copy": (Top, Weight, Predicts, Carried),
    "split": (Top, Weight, Predicts, Carried),
    "blend": (Output,),
    "tie": (Tie,),
    "pattern": (Against, Predicts),
    "more": (Predicts,),
    # the quiz's answers (its copy and split answers are the story's sentences)
    "write": (Holds, Top, Weight),
    "nothing": (NothingToCopy,),
    "predict": (Predicts, Probability, Score, OtherScores),
    # check's findings, held to the file's own run
    "check-layer": (Weight,),
    "check-prediction": (Outputs,),
    "check-given": (Weight,),  # held to a run of the lecture's layer 1 and the file's layer 2
}
