"""What training found, read off a ``training.Run``: the phase change on the
learning curve, where the learned A and V have their weight, the composition
scores, and the circuit named from those numbers, each beside the hand-built
model's on the same vocabulary and positions.

- **The phase change**: the window of ``WINDOW`` of the steps (at least two
  evaluations) over which the accuracy on the repeated half rose the most;
  it is a phase change when that window holds at least ``SUDDEN`` of the
  whole rise (first evaluation to best) and the rise is at least ``RISE``,
  and its step is the first evaluation in the window past half the window's rise.
- **Block shares**: each block's share of a matrix's sum of squared
  entries, over the four subspaces (modelfile.Model.shares).
- **Composition scores** (Elhage et al., "A Mathematical Framework for
  Transformer Circuits"): K |A_2 V_1^T|, Q |V_1 A_2|, V |V_1 V_2|, each over
  the product of the two norms (circuits.compositions, on the learned heads).
- **The circuit**, named by path ablation (Olsson et al., "In-context
  Learning and Induction Heads"; Elhage et al.): layer 2 is run with its
  keys, queries or values reading Y^(0) instead of Y^(1) (training.paths),
  and the induction score and accuracy measured each way. Layer 2 an
  induction head (its detector score at least ``HEAD`` of the best a head
  can score on the same held-out sequences), the circuit is the lecture's
  when cutting the key path takes away at least ``DROP`` of it and more than
  cutting the query path; pointer arithmetic (Q-composition) the other way
  round; else neither. A model that predicts by another mechanism is told
  by where layer 2 looks on the repeated half (its weight by offset from the
  earlier copy) and whether its values carry the accuracy. The composition
  scores stand beside as figures; the report says when layer 1 reaches
  under ``HEAD`` of its best ("only partly").
"""
from __future__ import annotations

import numpy as np

from . import training
from ..base import text as fmt
from ..core.modelfile import Model, of_heads
from ..core.weights import Construction
from ..words.sentences import maths, say

WINDOW = 0.1  # of the steps: the phase change's window
SUDDEN = 0.5  # of the whole rise within that window: a phase change
RISE = 0.2  # the accuracy's rise at least, for any phase change
HEAD = 0.5  # of the best score on the same sequences: a head of that kind
NAMES = {"lecture": "K-composition: the key path carries it (the lecture's circuit)",
         "q-composition": "Q-composition: the query path carries it (pointer arithmetic)",
         "neither": "neither circuit"}


def phase_change(history: list[dict], steps: int) -> dict:
    """The window of steepest rise of the accuracy, and whether it is a phase change."""
    acc = np.array([h["accuracy"] for h in history])
    at = np.array([h["step"] for h in history])
    rise = float(acc.max() - acc[0])
    width = max(WINDOW * steps, 2 * (at[1] - at[0]) if len(at) > 1 else 1)
    best = (0.0, 0, 0)
    for k in range(len(at)):
        end = int(np.searchsorted(at, at[k] + width, side="right")) - 1
        if end > k and acc[end] - acc[k] > best[0]:
            best = (float(acc[end] - acc[k]), k, end)
    gain, k, end = best
    sudden = rise >= RISE and gain >= SUDDEN * rise
    middle = k + int(np.argmax(acc[k:end + 1] >= (acc[k] + acc[end]) / 2))  # where the window's rise is half done
    return {"step": int(at[middle]) if sudden else None, "from_step": int(at[k]), "to_step": int(at[end]),
            "from": float(acc[k]), "to": float(acc[end]), "rise": rise, "share": gain / rise if rise > 0 else 0.0,
            "first": float(acc[0]), "best": float(acc.max())}


ROLES = {"lecture": ("look-back", "induction"), "q-composition": ("duplicate-token", "induction"),
         "neither": ("unknown", "unknown")}
"""What each head of a learned model does, by the circuit train named (path
ablation): the file it saves says so, and show --model tells it by those roles."""


def model_of(run: training.Run, circuit: str | None = None) -> Model:
    """The learned model as a model file's; with ``circuit`` (what train
    named), its heads' roles (``ROLES``)."""
    from dataclasses import replace

    c, p = run.config, run.params
    model = Model.lecture(p["A1"], p["V1"], p["A2"], p["V2"], training.tokens(c.vocab), c.length,
                          c.mask == "inclusive", (True, False), "learned")
    return model if circuit is None else replace(model, roles=ROLES[circuit],
                                                 offsets=(1 if circuit == "lecture" else 0, 0))


def hand_built(c: training.Config, circuit: str = "lecture") -> Model:
    """The hand-built circuit train's model is set beside, on the same
    vocabulary and positions (scale 1: shares and composition scores do not
    depend on it): the lecture's, or, for a model that does pointer
    arithmetic, --circuit pointer with its pointer in prev pos (train's
    stream is the lecture's four subspaces)."""
    from ..core.basis import Basis
    from ..core.weights import duplicate_token_head, pointer_head

    if circuit == "q-composition":
        heads = (duplicate_token_head(1.0, c.mask == "inclusive", "prev pos"), pointer_head(1.0, 0, "prev pos"))
    else:
        heads = tuple(spec.heads[0] for spec in Construction(mask=c.mask).layers(1.0))
    return of_heads(heads, Basis(training.tokens(c.vocab), c.length), c.mask, name="hand-built")


def compositions(model: Model) -> dict[str, float | None]:
    """K, Q and V composition scores of layer 2 with layer 1 (circuits.compositions on the model's heads)."""
    from ..core.circuits import compositions as scored
    from ..core.runs import run

    trace = run(model.vocab[:1], construction=Construction(mask=model.mask, model=model), beside=False)
    return {c.kind: c.score for c in scored(trace)}


DROP = 0.5
"""A path carries the circuit when cutting it from layer 1 takes away at least
this share of layer 2's induction score."""
FOCUS = 0.25  # of layer 2's weight on one place near the earlier copy: where it looks (below: it spreads)
PLACES = {-2: "two keys before the earlier copy", -1: "the key before the earlier copy",
          0: "the earlier copy itself", 1: "the key right after the earlier copy",
          2: "two keys after the earlier copy", 3: "three keys after the earlier copy",
          4: "four keys after the earlier copy"}


def circuit(final: dict, best: dict, comp: dict, cut: dict, vocab: int) -> tuple[str, str]:
    """The circuit's name (a key of NAMES) and why: by path ablation (``cut``:
    training.paths), as Olsson et al. and Elhage et al. name circuits, by what
    breaks them. Layer 2 an induction head (its detector score at least HEAD
    of the best), the lecture's circuit when cutting its keys from layer 1
    takes away at least DROP of its induction score and more than cutting its
    queries; pointer arithmetic (Q-composition) the other way round. A model
    that predicts by another mechanism is told by where layer 2 looks on the
    repeated half and which path carries its accuracy. The composition scores
    stay beside, as figures."""
    intact = cut["intact"]
    k_, q_ = comp.get("K") or 0.0, comp.get("Q") or 0.0

    def dropped(path: str) -> float:
        before = intact["induction_score"]
        return 1.0 - cut[path]["induction_score"] / before if before > 0 else 0.0
    paths = "; ".join(f"cutting its {path} from layer 1 leaves induction {cut[path]['induction_score']:.2f} and "
                      f"accuracy {cut[path]['accuracy']:.2f}" for path in training.PATHS)
    said = (f"induction {final['induction_score']:.2f} of a possible {best['induction_score']:.2f} and accuracy "
            f"{intact['accuracy']:.2f} on the repeated half; {paths}; previous-token "
            f"{final['previous_token_score']:.2f} of {best['previous_token_score']:.2f}, duplicate-token "
            f"{final['duplicate_token_score']:.2f} of {best['duplicate_token_score']:.2f}; K-composition "
            f"{k_:.2f}, Q-composition {q_:.2f}")
    share = {k: final[k] / best[k] if best[k] else 0.0 for k in best}
    if share["induction_score"] < HEAD:
        offsets = {int(o): w for o, w in cut["offsets"].items()}
        where = max(offsets, key=lambda o: (offsets[o], -abs(o - 1)))
        chance = 1.0 / vocab
        through = ""
        if intact["accuracy"] > 2 * chance and cut["values"]["accuracy"] - chance <= 0.5 * (intact["accuracy"] - chance):
            through = ", through its values (cutting them from layer 1 takes most of the accuracy above chance)"
        looks = (f"puts most of its weight on {PLACES[where]} ({offsets[where]:.2f})" if offsets[where] >= FOCUS
                 else f"spreads its weight: no place near the earlier copy gets more than {offsets[where]:.2f}")
        lead = "layer 2 is not an induction head: on the repeated half it" if where != 1 or offsets[where] < FOCUS \
            else ("layer 2 scores under half the best induction score over whole sequences, so it is not counted an "
                  "induction head, though on the repeated half it")
        return "neither", (f"{lead} {looks}, and predicts the repeat with accuracy {intact['accuracy']:.2f} (chance "
                           f"{chance:.2f}){through} ({said})")
    partly = "" if max(share["previous_token_score"], share["duplicate_token_score"]) >= HEAD else \
        "; layer 1 is only partly a previous-token or duplicate-token head (under half the best score)"
    keys, queries = dropped("keys"), dropped("queries")
    if keys >= DROP and keys > queries:
        return "lecture", f"{said}{partly}"
    if queries >= DROP and queries > keys:
        return "q-composition", f"{said}{partly}"
    return "neither", (f"layer 2 is an induction head, but cutting its keys from layer 1 takes {keys:.0%} of it and "
                       f"cutting its queries {queries:.0%}: neither path carries it alone ({said}){partly}")


def analysed(run: training.Run) -> dict:
    """Everything the report shows, as plain numbers and words."""
    c = run.config
    held_out, held_out_repeats = training.sequences(np.random.default_rng([c.seed, 2]), c, training.EVAL_BATCH)
    best = training.ideal(c, held_out)
    learned = model_of(run)
    cut = training.paths(run.params, c, held_out, held_out_repeats)
    learned_comp = compositions(learned)
    name, why = circuit(run.history[-1], best, learned_comp, cut, c.vocab)
    built = hand_built(c, name)  # beside the hand-built circuit it learned (the lecture's where it learned neither)
    comp = {"learned": learned_comp, "hand_built": compositions(built)}
    return {"phase_change": phase_change(run.history, c.steps), "formation": formation(run.history),
            "best_scores": best, "paths": cut,
            "shares": {who: {k: [[r, col, share] for r, col, share in m.shares(k)] for k in training.KEYS}
                       for who, m in (("learned", learned), ("hand_built", built))},
            "composition": comp, "circuit": name, "circuit_name": NAMES[name], "why": why,
            "hand_built": "pointer" if name == "q-composition" else "lecture"}


# --- the report ------------------------------------------------------------------------------------------------

CURVE_ROWS = 13  # evaluations the learning curve's table shows at most (a round stride of steps, the last always)
SPARK = "▁▂▃▄▅▆▇█"
SCORES = (("loss", "loss"), ("accuracy", "accuracy"), ("previous_token_score", "previous-token"),
          ("duplicate_token_score", "duplicate-token"), ("induction_score", "induction"))


def curve_rows(steps: list[int], rows: int = CURVE_ROWS) -> tuple[list[int], int | None]:
    """Which evaluations the learning curve's table shows, and its stride in steps (None: every one).

    At most ``rows``: those at a multiple of the stride and the last. The stride is the least
    multiple of the evaluation interval that leaves few enough rows, a round one (1, 2, 2.5 or 5
    times a power of 10) where one does, so the table reads 0, 100, 200, ... and not 0, 100, 175, 275."""
    if len(steps) <= rows:
        return list(range(len(steps))), None
    every, last = steps[1] - steps[0], steps[-1]
    multiples = range(2 * every, last + 1, every)
    round_ones = [r for r in multiples if _is_round(r)]
    for stride in round_ones + list(multiples):
        picks = [k for k, step in enumerate(steps) if step % stride == 0 or k == len(steps) - 1]
        if len(picks) <= rows:
            return picks, stride
    return [0, len(steps) - 1], last


def _is_round(n: int) -> bool:
    """1, 2, 2.5 or 5 times a power of 10 (1, 2, 5, 10, 25, 50, 100, 250, ...)."""
    while n % 10 == 0:
        n //= 10
    return n in (1, 2, 5, 25)


def sparkline(values: list[float], low: float = 0.0, high: float = 1.0) -> str:
    """One character per value, from ▁ (``low``) to █ (``high``)."""
    span = (high - low) or 1.0
    return "".join(SPARK[min(len(SPARK) - 1, max(0, int((v - low) / span * len(SPARK))))] for v in values)


LAYER1_WORDS = {"relative": "reading positions only, one logit per offset (a relative-position bias)",
                "positions": "reading positions only", "free": "free"}
BLOCKS_WORDS = {"lecture": f"{maths('V_1')}, {maths('A_2')} and {maths('V_2')} learned only in the lecture's nonzero "
                           f"blocks ({maths('V_1')} tok -> prev tok and pos -> prev pos, {maths('A_2')} tok x prev "
                           f"tok, {maths('V_2')} tok -> tok; every other entry 0)",
                "free": f"{maths('V_1')}, {maths('A_2')} and {maths('V_2')} learned entry by entry"}


def _setup(run: training.Run) -> str:
    c = run.config
    done = run.history[-1]["step"]
    steps = f"{done} of {c.steps} steps (stopped by Ctrl-C)" if run.interrupted else f"{c.steps} steps"
    return (f"The lecture's two-layer attention-only model (one-hot tokens and positions, A and V each d x d, "
            f"d = 2(V + N) = {c.d}; V = {c.vocab} tokens, N = {c.length} positions; the {c.mask} mask; layer 1 "
            f"{LAYER1_WORDS[c.layer1]}; {BLOCKS_WORDS[c.blocks]}; a residual after layer 1 only) trained "
            f"from seed {c.seed} for {steps} of {c.batch} sequences (Adam, lr {c.lr:g}, weight decay "
            f"{c.weight_decay:g}) in {run.seconds:.1f} s. Each sequence is n random tokens, n from "
            f"{2 * training.MIN_REPEAT} to {c.length}, whose last L repeat an earlier segment (L from "
            f"{training.MIN_REPEAT} to at most {c.longest_repeat}; the L all different where the vocabulary has "
            f"L; half the segments right before their repeat, half anywhere before it). The scores are measured "
            f"{measured(c.steps, c.every)} on {training.EVAL_BATCH} held-out sequences of {c.length} tokens, each segment right before its "
            "repeat: the loss, the accuracy on "
            "the repeated half, and TransformerLens' head-detector scores (detect_head) of layer 1 (previous-token, "
            "duplicate-token) and layer 2 (induction).")


def formation(history: list[dict]) -> dict[str, int | None]:
    """Where each head forms: the first step at which its detector score has
    made half its rise (from the first measure to its best); None where it
    does not rise by at least 0.1. Layer 1's previous-token head beside layer
    2's induction head (and the duplicate-token score, the pointer circuit's
    layer 1)."""
    out = {}
    for key in ("previous_token_score", "duplicate_token_score", "induction_score"):
        values = [h[key] for h in history]
        rise = max(values) - values[0]
        out[key.removesuffix("_score")] = None if rise < 0.1 else next(
            h["step"] for h in history if h[key] - values[0] >= rise / 2)
    return out


def _by_position(run: training.Run, picks: list[int], terminal: bool) -> list:
    """The loss of each token by its position over training (Olsson et al.'s
    heatmap, as a shaded table; on the terminal one line a step, a character
    a token, ▁ the lowest loss and █ the highest) and the in-context-learning score."""
    from ..views.views import Cell, Heading, Paragraph, Row, Table

    h, n = run.history, run.config.length
    low = min(min(x["loss_by_position"]) for x in h)
    high = max(max(x["loss_by_position"]) for x in h)
    out = [Heading("The loss by token index"), Paragraph((_icl_words(run),))]
    if terminal:
        out.append(Paragraph((f"Each token's loss (tokens 1 to {n - 1}, left to right; ▁ {low:.2f} to █ "
                              f"{high:.2f}), one line a step:",)))
        out += [Paragraph((f"step {h[k]['step']:>6} {sparkline(h[k]['loss_by_position'], low, high)} "
                           f"ICL {fmt.signed(h[k]['icl_score'], 2)}",)) for k in picks]
        return out
    return out + [Table("train.loss_by_position", (f"Each token's loss by its position (tokens 1 to {n - 1}, each "
                                                   "predicted from the tokens before it; held-out sequences; the "
                                                   f"darker, the higher, from {low:.2f} to {high:.2f})",),
                        ("step",), tuple((str(t),) for t in range(1, n)),
                        tuple(Row((str(h[k]["step"]),), tuple(Cell(f"{x:.1f}", (x - low) / ((high - low) or 1.0))
                                                             for x in h[k]["loss_by_position"]))
                              for k in picks), vmax=1.0)]


def _formation_words(found: dict) -> str:
    f = found["formation"]
    said = {k: (f"step {v}" if v is not None else "no step (its score does not rise by 0.1)") for k, v in f.items()}
    order = ""
    if f["previous_token"] is not None and f["induction"] is not None:
        gap = f["induction"] - f["previous_token"]
        order = (" Layer 1 forms first, " + f"{gap} steps before the induction head" if gap > 0 else
                 " The induction head forms first, " + f"{-gap} steps before layer 1" if gap < 0 else
                 " Both form by the same measured step, so the curve cannot tell which came first") + "."
    return (f"Where the heads form (the first step at which a score has made half its rise): previous-token "
            f"{said['previous_token']}, duplicate-token {said['duplicate_token']}, induction {said['induction']}."
            + order)


def _icl_words(run: training.Run) -> str:
    early, late = training.icl_tokens(run.config.length)
    first, last = run.history[0]["icl_score"], run.history[-1]["icl_score"]
    return (f"In-context-learning score (Olsson et al.: the loss of a late token minus that of an early one; here "
            f"token {late} minus token {early} of {run.config.length}, the paper's 500th and 50th of 512 scaled): "
            f"{fmt.number(first, 2)} at step 0, {fmt.number(last, 2)} at the end"
            + (" (negative: the late token is predicted better than the early one)"
               if fmt.number(last, 2).startswith("-") else "")
            + f". The paper counts tokens of training, in billions; these are steps of a batch of "
            f"{run.config.batch} sequences, not comparable to them.")


def _share_words(p: dict) -> str:
    """The window's share of the whole rise; past 100% (the accuracy fell below its start first), said so."""
    if p["share"] > 1:
        return f"{p['share']:.0%} of its whole rise (more than all of it: the accuracy first fell below its start)"
    return f"{p['share']:.0%} of its whole rise"


def _phase_words(p: dict) -> str:
    if p["step"] is not None:
        return (f"Phase change at step {p['step']}: the accuracy on the repeated half rose from {p['from']:.2f} to "
                f"{p['to']:.2f} between steps {p['from_step']} and {p['to_step']}, {_share_words(p)} "
                f"({p['first']:.2f} at the start, {p['best']:.2f} at best).")
    return (f"No phase change: the steepest window (steps {p['from_step']} to {p['to_step']}) holds "
            f"{_share_words(p)}, from {p['first']:.2f} to {p['best']:.2f} (a phase change: at least "
            f"{SUDDEN:.0%} of a rise of at least {RISE:.2f}, within {WINDOW:.0%} of the steps).")


def title(run: training.Run, found: dict) -> str:
    return f"Learning it ({run.history[-1]['step']} steps, seed {run.config.seed}): {found['circuit_name']}"


def shares_words(found: dict) -> str:
    """What the numbers of the block-share tables (and the picture's panels) are."""
    return ("Each block's share of the matrix's sum of squared entries, rows the input's subspace (for A the "
            "query's), columns the output's (for A the key's). The hand-built "
            + ("model is --circuit pointer (pointer arithmetic, the circuit it learned), its pointer in prev pos,"
               if found.get("hand_built") == "pointer" else "model is the lecture's")
            + " on the same vocabulary and positions.")


def document(run: training.Run, found: dict, terminal: bool = False):
    """The report as views: setup, learning curve, phase change, the heads beside the hand-built ones, the circuit."""
    from ..views.views import Cell, Document, Heading, Math, Paragraph, Row, Table

    h = run.history
    picks, stride = curve_rows([x["step"] for x in h])
    shown = "" if stride is None else f"; a row every {stride} steps" + \
        ("" if h[-1]["step"] % stride == 0 else f" and the last ({h[-1]['step']})")
    curve = Table("train.curve", (f"The learning curve (held-out sequences{shown})",), ("step",),
                  tuple((name,) for _, name in SCORES),
                  tuple(Row((str(h[k]["step"]),), tuple(Cell(f"{h[k][key]:.2f}", None if key == "loss" else
                                                            h[k][key]) for key, _ in SCORES)) for k in picks))
    blocks = [Paragraph(say("train-setup", _setup(run)).parts), Heading("The learning curve"), curve]
    if terminal:
        blocks += [Paragraph((f"{name:<16} {sparkline([x[key] for x in h])} {h[0][key]:.2f} -> {h[-1][key]:.2f}",))
                   for key, name in SCORES[1:]]
    blocks.append(Paragraph((_phase_words(found["phase_change"]),)))
    blocks.append(Paragraph((_formation_words(found),)))
    blocks += _by_position(run, picks, terminal)
    blocks.append(Heading("The learned heads beside the hand-built ones"))
    blocks.append(Paragraph((shares_words(found),)))
    names = ("tok", "pos", "prev tok", "prev pos")
    for key in training.KEYS:
        share = {who: {(r, c): s for r, c, s in found["shares"][who][key]} for who in ("learned", "hand_built")}
        blocks.append(Table(f"train.{key}", (Math(f"{key[0]}_{key[1]}"), ": learned (left), hand-built (right)"), (key,),
                            tuple((n,) for n in names) * 2,
                            tuple(Row((r,), tuple(Cell(f"{share[who].get((r, c), 0.0):.2f}", share[who].get((r, c), 0.0))
                                                  for who in ("learned", "hand_built") for c in names))
                                  for r in names), column_groups=(0,) * 4 + (1,) * 4))
    comp = found["composition"]
    blocks.append(Table("train.composition", ("Composition scores of layer 2 with layer 1 (Frobenius norms)",),
                        ("score",), (("learned",), ("hand-built",)),
                        tuple(Row((f"{kind}-composition",), tuple(
                            Cell("—" if comp[who][kind] is None else f"{comp[who][kind]:.2f}", comp[who][kind])
                            for who in ("learned", "hand_built"))) for kind in ("K", "Q", "V"))))
    cut = found["paths"]
    blocks.append(Table("train.paths", ("Path ablation: layer 2 with one input reading ", Math("Y^(0)"),
                                        " instead of ", Math("Y^(1)"), " (held-out sequences)"),
                        ("layer 2",), (("induction",), ("accuracy",)),
                        tuple(Row((label,), tuple(Cell(f"{cut[key][m]:.2f}", cut[key][m])
                                                  for m in ("induction_score", "accuracy")))
                              for key, label in (("intact", "intact"), ("keys", "keys cut"),
                                                 ("queries", "queries cut"), ("values", "values cut")))))
    blocks += [Heading("The circuit found"),
               Paragraph((f"{found['circuit_name'][0].upper()}{found['circuit_name'][1:]}. {found['why'][0].upper()}"
                          f"{found['why'][1:]}. A head "
                          f"counts as a previous-token, duplicate-token or induction head when its detector score "
                          f"is at least {HEAD:.0%} of the best a head can score on the same held-out sequences.",))]
    return Document(title(run, found), tuple(blocks), legend=False)


def data(run: training.Run, found: dict, saved: str | None = None) -> dict:
    """The report for a JSON document."""
    c = run.config
    from ..views.data import SCHEMA_VERSION

    return {"schema_version": SCHEMA_VERSION, "kind": "train", "config": c._asdict(), "d": c.d,
            "vocab": list(training.tokens(c.vocab)), "history": run.history,
            "phase_change_step": found["phase_change"]["step"], "phase_change": found["phase_change"],
            "circuit": found["circuit"], "circuit_name": found["circuit_name"], "why": found["why"],
            "best_scores": found["best_scores"], "shares": found["shares"], "composition": found["composition"],
            "hand_built": found["hand_built"], "formation": found["formation"],
            "icl_tokens": list(training.icl_tokens(c.length)),
            "paths": found["paths"],
            "seconds": run.seconds, "interrupted": run.interrupted, "saved": saved}


def arrays(run: training.Run, found: dict | None = None) -> dict[str, np.ndarray]:
    """The model file's arrays (modelfile.py's layout) of the learned model,
    with its heads' roles where train named its circuit (``found``)."""
    return model_of(run, None if found is None else found["circuit"]).arrays()


def produce(run: training.Run, found: dict, form: str, width: int = 120, theme: str = "light",
            saved: str | None = None):
    """The report in ``form``: table, json, markdown, latex, html, svg or png (the last two a picture)."""
    if form == "json":
        from ..views.render import json as render_json

        return render_json.chunks(data(run, found, saved))
    if form in ("png", "svg"):
        from ..views.render import png

        return png.training(run.history, found, title(run, found), shares_words(found), form)
    from ..views.output import rendered
    from ..views.render import terminal

    made = document(run, found, terminal=form == "table")
    return rendered(terminal.fitted(made, width) if form == "table" else made, form, width, theme)


def measured(steps: int, every: int) -> str:
    """When the learning curve is measured: step 0, each multiple of ``every`` and the last step."""
    if steps <= every:
        return f"at steps 0 and {steps}"
    return f"every {every} steps" + ("" if steps % every == 0 else f" and at the last step ({steps})")
