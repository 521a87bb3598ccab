"""Views of the bench and sweep results: labelled tables for the renderers."""
from __future__ import annotations

from ..base import text as fmt
from ..words.describe import named_heads
from .views import Cell, Document, Math, Paragraph, Row, Split, Table, with_columns

RATE = 4  # decimals of accuracies and scores


def _n(x: float | None, decimals: int = RATE) -> Cell:
    return Cell(fmt.NONE) if x is None else Cell(fmt.rate(x, decimals), x)


def _model(c: dict) -> str:
    """What the bench's model is, where it is not the lecture's (its circuit and position scheme in the words
    every other command uses)."""
    from ..core.weights import Construction
    from ..words.describe import variant

    built = Construction(positions=c["positions"], frequencies=c["frequencies"],
                         circuit=c.get("circuit", "lecture"))  # (the JSON names the circuit where it is not the lecture's)
    said = variant(built)
    parts = ([f"the {built.circuit} circuit: {said}" if built.circuit != "lecture" else said] if said else []) \
        + (["inclusive mask"] if c["mask"] != "strict" else []) \
        + ([f"context {c['context']} (each segment's tokens repeat inside it, about 3 times each, but no "
            f"{c['context']} tokens in a row do: a single-token match is ambiguous, a {c['context']}-token match "
            "is not)"] if c["context"] > 1 else []) \
        + ([f"skip {c['skip']} (the token scored is {c['skip'] + 1} after the query, not the next)"]
           if c["skip"] else [])
    return ("; model: " + "; ".join(parts)) if parts else ""


def _ablated(result: dict) -> str:
    """The heads --ablate replaced by zeros, by name: "the previous-token head and the 2-back head (their
    output replaced by zeros, not where they attend)", so a previous-token score of 1 reads as it should."""
    heads = result["ablated_heads"]
    their, they = ("its", "it attends") if len(heads) == 1 else ("their", "they attend")
    return (named_heads((h["name"], h["layer"]) for h in heads)
            + f" ({their} output replaced by zeros, not where {they})")


def bench(result: dict) -> Document:
    c = result["config"]
    setup = (f"Vocabulary V = {c['vocab']}, a random segment of {c['length']} tokens repeated {c['repeats']} "
             f"times after a BOS token" + (f", 0 to {c['gap']} random tokens between copies" if c["gap"] else "")
             + f"; {c['trials']} trials, seed {c['seed']}; scale s = {fmt.parameter(c['scale'], 1)}, "
             f"temperature T = {fmt.parameter(c['temperature'], 2)}"
             + (f"; ablated: {_ablated(result)}" if c["ablate"] else "") + _model(c) + ".")
    rows = []
    kinds = (("first copies", "first_copies"), ("later copies", "later_copies"))
    if "context_1_later_copies" in result:
        kinds += (("context 1", "context_1_later_copies"),)
    for name, key in kinds:
        r = result[key]
        rows.append(Row((name,), (Cell(str(r["queries"])), _n(r["accuracy"]), _n(r["loss"], 3),
                                  Cell(str(r["accidental_repeats"])), Cell(str(r["misses"])),
                                  Cell(str(r["misses_at_accidental_repeats"])),
                                  _n(r["accuracy_without_accidental_repeats"]))))
    prediction = Table(
        "bench.prediction",
        ((f"Prediction of the token {c['skip'] + 1} ahead (a query and that token in the same copy" if c["skip"]
          else "Next-token prediction (a query and its next token in the same copy") + "; over V + 1 tokens with BOS, "
         "chance is ", fmt.rate(result["chance"], RATE), " and the uniform loss ln(V + 1) = ",
         fmt.number(result["baseline_loss"], 3), " nats)"),
        ("",), (("queries",), ("accuracy",), ("loss (nats)",), ("accidental", "repeats"), ("misses",),
                ("misses at", "accidental", "repeats"), ("accuracy", "without", "them")),
        tuple(rows))
    after = "right after" if not c["skip"] else f"{c['skip'] + 1} after"  # (the cells induction_cells reads)
    scores = Table(
        "bench.scores", ("Attention scores",), ("",), (("score",), ("what it measures",)),
        (
            Row(("induction score",), (_n(result["induction_score"]), Cell(
                f"mean weight a later-copy query puts on the keys {after} its token's earlier copies"))),
            Row(("  without accidental repeats",), (_n(result["induction_score_without_accidental_repeats"]),
                                                    Cell("the same, over queries with nothing else to copy"))),
            Row(("previous-token score",), (_n(result["previous_token_score"]), Cell(
                "mean weight a query (from @1 on) puts on the key just before it" if c["context"] == 1 and not c["skip"]
                else "mean weight a query puts on the key its layer-1 head's offset back, over every head"))),
            Row(("induction detector",), (_n(result["detector"]["induction"]), Cell(
                "TransformerLens' detect_head, \"mul\": weight on x_(j-1) = x_i, j <= i, over all weight"))),
            Row(("previous-token detector",), (_n(result["detector"]["previous_token"]), Cell(
                "the same for layer 1's head one back and the cells (i, i-1)" if result["detector"]["previous_token"]
                is not None else "none: layer 1 has no head one back"))),
        ),
        align="left")
    ending = [Paragraph((f"Time: {fmt.number(result['seconds'], 2)} s for {c['trials']} trials.",))]
    if "ambiguous_single_token_share" in result:
        ending.insert(0, Paragraph((
            f"{fmt.rate(result['ambiguous_single_token_share'], RATE)} of the queries' tokens occur more than once "
            "in their segment. The context 1 row: the later copies, read by the lecture's induction head "
            "(context 1) on the same sequences.",)))
    target = "next token" if not c["skip"] else f"the token {c['skip'] + 1} ahead"
    notes = Paragraph((
        "Misses are counted where the right token is not alone at the top (a tie earns 1/k); an accidental "
        "repeat is a query whose token also occurred elsewhere before it (inside the segment or in a gap), so "
        f"the induction head has more than one thing to copy. Loss is -ln P({target}) at temperature T: the "
        "scores are at most 1, so at T = 1 even a perfect copy has probability e / (e + V - 1); a lower T "
        "sharpens it.",))
    return Document("induction-demo bench", (Paragraph((setup,)), prediction, scores, notes, *ending))


def sweep(result: dict, fit=None) -> Document:
    """The sweep as a table, a column pair per query; ``fit`` (a terminal's)
    may show it as tables of fewer queries each, in order."""
    queries = result["queries"]
    columns, groups = [], []
    for g, q in enumerate(queries):
        label = f"@{q['position']} {fmt.token(q['token'])}"
        keys = " ".join(f"@{k}" for k in q["keys"])
        columns += [(label, f"keys {keys}", f"k = {q['kept']}", "weight"), ("", "", "", "closed form")]
        groups += [g, g]
    rows = tuple(
        Row((f"s = {fmt.parameter(s, 1)}",), tuple(
            cell for m, c in zip(result["measured"][r], result["closed_form"][r])
            for cell in (Cell(fmt.number(m, 6), m), Cell(fmt.number(c, 6), c))
        ))
        for r, s in enumerate(result["scales"])
    )
    lecture = {"mask": "strict", "context": 1, "skip": 0, "similar": None, "positions": "one-hot", "frequencies": None}
    built = result.get("construction", lecture)
    if result.get("layer") != 1 and built == lecture:
        title = ("Attention of the induction head on the matched keys as its scale s grows (layer 1 kept at s = "
                 f"{fmt.parameter(result['layer1_scale'], 1)}), beside the closed form ",
                 Math("m e^s / (m e^s + k - m)"), " for m matched keys among k kept ones (m = 1: ",
                 Math("e^s / (e^s + k - 1)"), ")")
    elif result.get("layer") == 1:
        scheme = built["positions"] + (f", K = {built['frequencies']}" if built["frequencies"] else "")
        title = ("Layer 1's weight on the previous position as its scale s grows (positions: " + scheme + "), beside "
                 "the closed form ", Math("1 / (1 + sum_j e^(-s g_j))"), ", each other kept key j a gap of ",
                 Math("g_j s"), " below the previous one (one-hot and relative: ", Math("e^s / (e^s + i - 1)"),
                 "; none: 1/i, whatever s)")
    elif built.get("circuit") == "pointer":
        title = ("Attention of the pointer circuit's induction head on the matched keys (the top logit of the run: s "
                 "times the pointer's weight, 1/k for k earlier copies) as its scale s grows (layer 1 kept at s = "
                 f"{fmt.parameter(result['layer1_scale'], 1)}; {built['mask']} mask, skip {built['skip']}), beside "
                 "the closed form ", Math("m / (m + sum_j e^(-s g_j))"), " for m matched keys, each other kept key j a "
                 "gap of ", Math("g_j s"), " below them: the same numbers, since its logits are s times the run's at "
                 "s = 1.")
    elif built != lecture:
        title = ("Attention of the induction head on the matched keys (the top logit on the ideal stream) as its "
                 f"scale s grows (layer 1 kept at s = {fmt.parameter(result['layer1_scale'], 1)}; model: "
                 + ("the virtual circuit, " if built.get("circuit") == "virtual" else "")
                 + f"{built['mask']} mask, context {built['context']}, skip {built['skip']}"
                 + (f", similar {built['similar']['kind']}" if built["similar"] else "") + "), beside the closed form ",
                 Math("m / (m + sum_j e^(-s g_j))"), " for m matched keys, each other kept key j a gap of ",
                 Math("g_j s"), " below them. Where they differ, a key near the start holds a blend of the first "
                 "tokens" + (" (position 0, which the inclusive mask lets keep only itself, its own token)"
                             if built["mask"] == "inclusive" else "")
                 + ", written where its layer-1 head had no token that far back to copy.")
    table = Table("sweep", title, ("",), tuple(columns), rows, tuple(groups))

    def part(start: int, size: int):
        """The queries start .. start + size - 1 (the first part keeps the title)."""
        keep = range(2 * start, 2 * min(start + size, len(queries)))
        shown = [q["position"] for q in queries[start:start + size]]
        return lambda _: with_columns(table, keep)._replace(
            title=table.title if start == 0 else (f"(continued: @{', @'.join(map(str, shown))})",))

    levels = tuple(tuple(part(start, size) for start in range(0, len(queries), size))
                   for size in (4, 2, 1) if size < len(queries))
    tables = [table] if fit is None else fit(Split(lambda _: table, levels, window=False))
    return Document("induction-demo sweep",
                    (Paragraph(("Tokens: " + " ".join(fmt.token(t) for t in result["tokens"]),)), *tables))
