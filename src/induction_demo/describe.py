"""The model in words, for the construction a trace was built with: each
layer's one-line summary, each head's job (the legend of its ``[x]`` cells),
the mask and the handout's equations. The lecture's model reads exactly as
the lecture says it; a variant (``--mask inclusive``, ``--context k``,
``--skip n``) says what it changes.
"""
from __future__ import annotations

from typing import NamedTuple

from .views import Math
from .weights import Construction, Head, half

OFFSET_WORDS = {1: "just before", 2: "two before", 3: "three before", 4: "four before"}


def back(o: int) -> str:
    """"just before", "two before", ..., "17 before"."""
    return OFFSET_WORDS.get(o, f"{o} before")


def kept(c: Construction) -> str:
    """The keys a query keeps, as math."""
    return "j <= i" if c.mask == "inclusive" else "j < i"


def pattern(c: Construction) -> str:
    """Layer 2's logit as an equation."""
    if c.similar is not None and c.context == 1:
        return f"a_ij = s cos(x_i, x_(j-{1 + c.skip}))"
    if c.context == 1:
        return f"a_ij = s [x_i = x_(j-{1 + c.skip})]"
    return f"a_ij = s sum_(m<{c.context}) [x_(i-m) = x_(j-{1 + c.skip}-m)]"


def after_match(c: Construction, cosine: bool = False) -> str:
    """Where a key the induction head selects lies: "right after an earlier
    copy of the query's token", "5 after ...", "... a token similar to the
    query's" (with ``cosine``, saying what similar means)."""
    where = "right after" if c.skip == 0 else f"{c.skip + 1} after"
    if c.similar is None:
        return f"{where} an earlier copy of the query's token"
    return f"{where} a token similar to the query's" + (" (a positive cosine)" if cosine else "")


def copied_from(c: Construction) -> str:
    """Which key the induction head is built to select, in words."""
    context = "" if c.context == 1 else f", the more so the more of its last {c.context} tokens match too"
    return f"the key {after_match(c)}{context}"


def job(c: Construction, layer: int, head: Head | None = None) -> str:
    """The legend of a head's marked cells."""
    if layer == 1:
        return f"[ ] = where the head does its job: the key {back(head.offset)} the query"
    return f"[ ] = where the head does its job: {copied_from(c)}"


def _halves(c: Construction) -> str:
    return ", ".join(half(o) for o in c.offsets)


class Scheme(NamedTuple):
    """A position scheme in words: its name in a sentence, what layer 1's value
    copies into a half, why its weight leaks off the target (where it can),
    and what the story says of layer 2's copy under it ("" where nothing)."""

    words: str
    written: str = "token and position"
    leak: str = ""  # why layer 1's weight leaks to the positions before its target ("": it does not, at any scale)
    copy_note: str = ""


SCHEMES = {
    "one-hot": Scheme("one-hot position directions"),
    "sinusoidal": Scheme("sinusoidal position codes", "token and position code",
                         "their codes are close to the previous one's"),
    "relative": Scheme("a relative position bias", "token"),
    "rope": Scheme("rotary position embeddings (RoPE)", "token", "their codes are close to the previous one's"),
    "none": Scheme("no position encoding (NoPE)", "token", copy_note=(
        "With no position encoding, each key's previous half holds the mean of the tokens before it: the key right "
        "after an earlier copy of the query's token, at k + 1, holds it with share 1/(k + 1), more than any later "
        "key does, so the induction head still leans towards it, by a logit of s/(k + 1) rather than s: the copy "
        "half-survives.")),
}
SCHEME = {name: record.words for name, record in SCHEMES.items()}


def scheme(c: Construction) -> Scheme:
    """The record of the construction's position scheme."""
    return SCHEMES[c.positions]


def scores_positions(c: Construction, o: str = "1") -> tuple:
    """How layer 1's logit depends on positions, in each scheme (query i, key j, offset o)."""
    if c.positions == "sinusoidal":
        return (Math(f"a_ij = (s/K) sum_m cos(w_m (i - {o} - j))"), f", K = {c.frequencies} frequencies "
                "w_m = 10000^(-(m-1)/K), from the codes [sin w_m p, cos w_m p] in the position block: s at "
                f"j = i - {o}, a little less at its neighbours")
    if c.positions == "relative":
        return (Math("a_ij = b_(i-j)"), f", b_{o} = s and 0 elsewhere: no position in the stream, a bias "
                "added to the logit by how far back the key is")
    if c.positions == "rope":
        return (Math("a_ij = <R_i q, R_j k>"), " = ", Math(f"(s/K) sum_m cos(w_m (i - {o} - j))"),
                f": no position in the stream; the same query and key for every token, plane m turned by w_m per "
                f"position (K = {c.frequencies}), the key starting {o} position{'' if o == '1' else 's'} further on")
    if c.positions == "none":
        return (Math("a_ij = 0"), ": nothing tells positions apart, so every key scores the same")
    return (Math(f"a_ij = s [j = i - {o}]"),)


def positions_note(c: Construction) -> tuple:
    """For a scheme whose previous position is not a one-hot direction: what layer 1
    writes into the previous half, and how layer 2's match still works."""
    if c.positions == "none":
        return ("NoPE: layer 1 cannot single out the previous token: each query spreads evenly over the keys it "
                "keeps and writes the mean of the earlier tokens into its previous half, each with share 1/i. "
                "That mean still carries position, leaked by the causal mask: the key right after an earlier copy "
                "of the query's token, at k + 1, holds it with share 1/(k + 1), more than any later key, so the "
                "induction head still leans towards it, but only by s/(k + 1), not s: the copy half-survives.",)
    if c.positions in ("sinusoidal", "rope"):
        return ("Layer 1 puts nearly all its weight on the previous position, the rest on the ones just before it: "
                "its previous half holds the previous token, plus a little of the tokens before that. Layer 2 "
                "matches the query's token against it as before; the leak only lowers a match from s to s times "
                "the weight layer 1 put on the previous position.",)
    if c.positions == "relative":
        return ("The bias b_1 = s does what the one-hot position block did: layer 1's logits, weights and previous "
                "half are the lecture's, but the stream holds no position at all (d = 2V), so the previous half "
                "holds the previous token only.",)
    return ()


def layer_summary(c: Construction, layer: int) -> tuple:
    if layer == 1 and c.positions != "one-hot":
        heads = "its head" if len(c.offsets) == 1 else "each head (offset o)"
        o = str(c.offsets[0]) if len(c.offsets) == 1 else "o"
        what = "token and position code" if c.positions == "sinusoidal" else "token"
        return (f"With {SCHEME[c.positions]}, {heads} scores key j for query i by ",) + scores_positions(c, o) + (
            "; ", Math("V_1"), f" copies the key's {what} into the {'previous' if o == '1' else 'o-back'} half.")
    if layer == 1 and c.offsets == (1,):
        return (Math("A_1"), " scores key position i-1 for query i; ", Math("V_1"),
                " copies the key's token and position into the previous half.")
    if layer == 1:
        if len(c.offsets) == 1:
            o = c.offsets[0]
            return (Math("A_1"), f" scores key position i-{o} for query i; ", Math("V_1"),
                    f" copies the key's token and position into the {half(o)} half (the token {back(o)}).")
        return (f"One head per offset o in {{{', '.join(map(str, c.offsets))}}}: its ", Math("A_1"),
                " scores key position i-o for query i and its ", Math("V_1"),
                f" copies the key's token and position into the half o back ({_halves(c)}).")
    if c == Construction(mask=c.mask):
        return (Math("A_2"), " scores keys whose previous token is the query's (", Math("a_ij = s [x_i = x_(j-1)]"),
                "); ", Math("V_2"), " keeps the key's current half.")
    if c.similar is not None and c.context == 1:
        return (Math("A_2"), f" scores each key by how similar the token {c.skip + 1} before it is to the query's (",
                Math(pattern(c)), "); ", Math("V_2"), " keeps the key's current half: its token's vector and position.")
    return (Math("A_2"), f" scores each key by how well the tokens {c.skip + 1} and more before it match the "
            "query's own (", Math(pattern(c)), "); ", Math("V_2"), " keeps the key's current half.")


def equations(c: Construction) -> tuple[tuple, ...]:
    """The handout's model, line by line."""
    if c.positions in ("relative", "rope", "none"):
        token = "e(x_i)" if c.similar is not None else "tok(x_i)"
        representation = ("Representation of token i: ", Math(f"y_i = [{token} | "
                                                              + " | ".join(f"{half(o)} tok" for o in c.offsets) + "]"),
                          f": no position in the stream ({SCHEME[c.positions]}), d = {c.halves}"
                          f"{'m' if c.similar is not None else 'V'}; at layer 0 only the current token is filled.")
    elif c.positions == "sinusoidal":
        token = "e(x_i)" if c.similar is not None else "tok(x_i)"
        representation = ("Representation of token i: ", Math(f"y_i = [{token} | code(i) | "
                                                              + " | ".join(f"{half(o)} tok | {half(o)} code"
                                                                           for o in c.offsets) + "]"),
                          f", code(p) = [sin w_1 p, cos w_1 p, ..., sin w_K p, cos w_K p] with K = {c.frequencies}, "
                          f"d = {c.halves}({'m' if c.similar is not None else 'V'} + 2K); at layer 0 only "
                          "the current half is filled.")
    elif c.similar is not None:
        representation = ("Representation of token i: ", Math("y_i = [e(x_i) | pos(i) | "
                                                              + " | ".join(f"{half(o)} tok | {half(o)} pos"
                                                                           for o in c.offsets) + "]"),
                          f", e(t) a unit vector of m features, d = {c.halves}(m + N); at layer 0 only "
                          "the current half is filled.")
    elif c.offsets == (1,):
        representation = ("Representation of token i: ", Math("y_i = [tok(x_i) | pos(i) | prev tok | prev pos]"),
                          ", d = 2(V + N); at layer 0 the previous half is empty.")
    else:
        representation = ("Representation of token i: ", Math("y_i = [tok(x_i) | pos(i) | "
                                                              + " | ".join(f"{half(o)} tok | {half(o)} pos"
                                                                           for o in c.offsets) + "]"),
                          f", d = {c.halves}(V + N); at layer 0 only the current half is filled.")
    if c.mask == "inclusive":
        mask = (("Masked attention: a query keeps the keys ", Math("j <= i"), ", itself included (the inclusive "
                 "mask of the textbook and GPT-style decoders)."),
                ("Weights: ", Math("w_ij = exp(a_ij) / sum_(k<=i) exp(a_ik)"),
                 " over the kept keys; position 0 keeps only itself."))
    else:
        mask = (("Masked attention: a query keeps only the keys ", Math("j < i"), "."),
                ("Weights: ", Math("w_ij = exp(a_ij) / sum_(k<i) exp(a_ik)"),
                 " over the kept keys; position 0 keeps none and attends nowhere."))
    if c.positions != "one-hot":
        layer1 = ("Layer 1 (previous-token head" + ("s, offsets " + ", ".join(map(str, c.offsets))
                                                    if len(c.offsets) > 1 else "") + "): ",) \
            + scores_positions(c, "1" if c.offsets == (1,) else "o") \
            + ("; ", Math("Y^(1) = Y^(0) + sum_o W^(o) Y^(0) V_o"), ".")
    elif c.offsets == (1,):
        layer1 = ("Layer 1 (previous-token head): ", Math("A_1 = s [pos(key) = pos(query) - 1]"), ", ",
                  Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1"), ", so ", Math("y_i^(1) = [x_i, i | x_(i-1), i-1]"), ".")
    else:
        layer1 = (f"Layer 1 ({len(c.offsets)} head{'s' if len(c.offsets) > 1 else ''}, offsets "
                  f"{', '.join(map(str, c.offsets))}): head o has ", Math("A = s [pos(key) = pos(query) - o]"),
                  " and writes the key's token and position into its half o back; ",
                  Math("Y^(1) = Y^(0) + sum_o W^(o) Y^(0) V_o"), ".")
    if c.similar is not None and c.context == 1:
        layer2 = ("Layer 2 (induction head): ", Math("A_2"), " is s times the identity between the query's token "
                  f"block and the key's {half(c.skip + 1)} token block, so ",
                  Math(f"a_ij = s e(x_i) . e(x_(j-{1 + c.skip})) = s cos(x_i, x_(j-{1 + c.skip}))"), "; ",
                  Math("Y^(2) = W^(2) Y^(1) V_2"), ".")
    elif c.context == 1 and c.skip == 0:
        layer2 = ("Layer 2 (induction head): ", Math("A_2 = s [tok(query) = prev tok(key)]"), ", so ",
                  Math("a_ij = s [x_i = x_(j-1)]"), "; ", Math("Y^(2) = W^(2) Y^(1) V_2"), ".")
    else:
        layer2 = ("Layer 2 (induction head): A_2 matches the query's token m back against the key's token "
                  f"{c.skip + 1} + m back, for m < {c.context}, so ", Math(pattern(c)), "; ",
                  Math("Y^(2) = W^(2) Y^(1) V_2"), ".")
    if c == Construction():
        where = ("Prediction at i: the token with the largest share of ", Math("Y^(2)"),
                 "'s token columns, where ", Math("x_i"), " occurred at some ", Math("k <= i - 2"), ".")
    else:
        where = ("Prediction at i: the token scored highest from ", Math("Y^(2)"),
                 f"'s token block, where a key the query keeps comes {after_match(c, cosine=True)}.")
    unembedding = ("Next-token probabilities: ", Math("P = softmax(Y^(2) W_U / T)"), " with the unembedding ",
                   Math("W_U = E^T"), " (the transpose of the token embedding) and temperature T.")
    if c.similar is not None:
        unembedding = ("Next-token probabilities: ", Math("P = softmax(Y^(2) W_U / T)"), " with ",
                       Math("W_U = E^T"), ", E the V x m token vectors: each token scored by its dot product (a "
                       "cosine when one token was copied) with what was copied; temperature T.")
    logits = ("Attention logits: ", Math("a_ij = y_i A_l y_j^T"), " (rows: queries i, columns: keys j).")
    return (representation, logits) \
        + mask + (layer1, layer2, where, unembedding)


def variant(c: Construction) -> str:
    """What sets the model apart from the lecture's, for the summary ("" for the lecture's)."""
    parts = []
    if c.mask != "strict":
        parts.append("inclusive mask (j <= i)")
    if c.context != 1:
        parts.append(f"context {c.context} (layer 2 matches the query's last {c.context} tokens)")
    if c.skip:
        parts.append(f"skip {c.skip} (layer 2 copies the token {c.skip + 1} after the match)")
    if c.positions != "one-hot":
        parts.append(SCHEME[c.positions] + (f" (K = {c.frequencies})" if c.positions in ("sinusoidal", "rope")
                                            else ""))
    if c.similar is not None:
        source = {"subword": "character trigrams", "case": "case-folded words"}.get(c.similar.kind, c.similar.source)
        parts.append(f"similar words (dense token vectors from {source}, so a_ij = s cos(x_i, x_(j-1)))")
    return "; ".join(parts)


def width(c: Construction, words: bool) -> str:
    """d as a formula: halves times (token directions + position directions)."""
    tokens = "m" if words else "V"
    per_half = {"one-hot": f"({tokens} + N)", "sinusoidal": f"({tokens} + 2K)"}.get(c.positions, tokens)
    return f"{c.halves}{per_half}"


def logit_formula(c: Construction, layer: int, head: Head | None = None) -> str:
    """A head's logits as math, per position scheme."""
    if layer == 2 or c.positions in ("one-hot", "sinusoidal"):
        return f"a_ij = y_i A_{layer} y_j^T"
    return {"relative": "a_ij = y_i A_1 y_j^T + b_(i-j) = b_(i-j)", "rope": "a_ij = <R_i q_i, R_j k_j>",
            "none": "a_ij = 0"}[c.positions]


def layer0(c: Construction, words: bool) -> str:
    """What Y^(0) holds."""
    token = "each token's vector" if words else "one-hot token"
    return {"one-hot": f"{token} and position" if not words else f"{token} and its one-hot position",
            "sinusoidal": f"{token} and its position's sinusoidal code",
            "relative": f"{token}; no position (layer 1 adds a relative bias instead)",
            "rope": f"{token}; no position (layer 1 rotates its queries and keys instead)",
            "none": f"{token}; no position encoding at all (NoPE)"}[c.positions]
