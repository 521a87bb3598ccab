"""The model in words, for the construction a trace was built with: each
layer's one-line summary, each head's job (the legend of its ``[x]`` cells),
the mask and the handout's equations. The lecture's model reads exactly as
the lecture says it; a variant (``--mask inclusive``, ``--context k``,
``--skip n``) says what it changes.
"""
from __future__ import annotations

from ..core import schemes
from ..core.basis import BLOCKS
from ..core.schemes import Scheme
from ..base import text as fmt
from ..base.text import Math
from ..core.weights import Construction, Head, half, look_back_name, offset_of, part_name
from .sentences import series

OFFSET_WORDS = {1: "just before", 2: "two before", 3: "three before", 4: "four before"}


def flat(words: str) -> str:
    """Words that end in a parenthesis, for inside another: "rotary position embeddings (RoPE)" as "rotary
    position embeddings, RoPE"."""
    return words[:-1].replace(" (", ", ") if words.endswith(")") else words


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
    def match(i: str, j: str) -> str:  # (dense token vectors match by their cosine, one-hot ones by equality)
        return f"cos(x_{i}, x_{j})" if c.similar is not None else f"[x_{i} = x_{j}]"
    rest = match("(i-1)", f"(j-{2 + c.skip})") if c.context == 2 else \
        f"sum_(1<=m<{c.context}) {match('(i-m)', f'(j-{1 + c.skip}-m)')}"
    return f"a_ij = s ({c.context} {match('i', f'(j-{1 + c.skip})')} + {rest})"


def after_match(c: Construction, cosine: bool = False, earlier: bool = True) -> str:
    """Where a key the induction head selects lies: "right after an earlier
    copy of the query's token", "5 after ...", "... a token similar to the
    query's" (with ``cosine``, saying what similar means). Without
    ``earlier``, of any cell, masked ones included: "right after an
    occurrence of the query's token" (the query's own, or a later one)."""
    where = "right after" if c.horizon == 1 else f"{c.horizon} after"
    if c.similar is None:
        return f"{where} {'an earlier copy' if earlier else 'an occurrence'} of the query's token"
    return f"{where} a token similar to the query's" + (" (a positive cosine)" if cosine else "")


def copied_from(c: Construction) -> str:
    """Which cells the induction head is built to select, in words (every
    cell, the masked ones too: the legend of its marked cells)."""
    context = "" if c.context == 1 else f", the more so the more of its last {c.context} tokens match too"
    return f"the key {after_match(c, earlier=False)}{context}"


def job(c: Construction, head: Head) -> str:
    """The legend of a head's marked cells, by its role (a model file's: the
    lecture's head's job in its place)."""
    if head.role.kind == "unknown":
        return "no [ ] cells: the file does not say what this head is for"
    if c.model is not None and head.role.kind == "duplicate-token":
        return "[ ] = the job of a duplicate-token head: another copy of the query's token"
    if c.model is not None:
        where = f"the key {back(head.offset)} the query" if head.looks_back else copied_from(c)
        return f"[ ] = the lecture's job for this layer: {where}"
    if head.role.kind == "duplicate-token":
        return "[ ] = where the head does its job: another copy of the query's token"
    if head.looks_back:
        return f"[ ] = where the head does its job: the key {back(head.offset)} the query"
    return f"[ ] = where the head does its job: {copied_from(c)}"


def _halves(c: Construction) -> str:
    return ", ".join(half(o) for o in c.offsets)


def scheme(c: Construction) -> Scheme:
    """The record of the construction's position scheme (schemes.py)."""
    return schemes.scheme(c.positions)


def scores_positions(c: Construction, o: str = "1") -> tuple:
    """How layer 1's logit depends on positions (query i, key j, offset o)."""
    return scheme(c).scores(c.frequencies, o)


def positions_note(c: Construction, heads: tuple[Head, ...], layer: int) -> tuple:
    """For a scheme whose previous position is not a one-hot direction: what a layer of look-back ``heads``
    (layer 1's, or the virtual circuit's layer 2) writes into its half (third, ...), and how the induction head's
    match still works; the lecture's words for the lecture's head."""
    looking = [h for h in heads if h.looks_back]
    if len(looking) == 1:  # one head: its offset, and the part it writes (the virtual circuit's layer 2: prev2)
        o, into = looking[0].offset, looking[0].destination
        k = offset_of(f"{into} tok")  # how far back the token it writes stands
        words = dict(o=str(o), position="the previous position" if o == 1 else f"position i - {o}",
                     where=f"{part_name(into)} {c.part()}", token="the previous token" if k == 1 else
                     f"the token {back(k)} it", same="the lecture's" if c.offsets == (1,) else
                     "those of one-hot positions")
    else:
        words = dict(o="o", position="position i - o (head o)", where=f"{c.part()} o back",
                     token="the token o before it", same="those of one-hot positions")
    # a leak goes to the positions on both sides of the one looked at, where the mask keeps them: only before it
    # for the previous position under the strict mask (the query itself, after it, is masked)
    before = len(looking) == 1 and looking[0].offset == 1 and c.mask == "strict"
    words.update(beside="the ones just before it" if before else "the ones next to it",
                 beyond="the tokens before that" if before else "the tokens next to that one")
    shares = c.context == 1 and c.similar is None  # (where the story gives each copy's share: story._nope)
    words.update(layer=str(layer), reader="3" if c.circuit == "virtual" else "2", halves=str(c.halves),
                 after="after" if c.horizon == 1 else f"{c.horizon} after",
                 logit="so the induction head's logit for it is s c/m rather than s. Which key wins depends on those "
                       "shares; the story gives them for each copy." if shares else
                       "and the induction head's logit is made of such shares rather than of whole matches, so which "
                       "key wins depends on them.")
    return tuple(piece.format(**words) if isinstance(piece, str) else Math(piece.expr.format(**words))
                 for piece in scheme(c).note)


def layer_summary(c: Construction, heads: tuple[Head, ...], layer: int = 0) -> tuple:
    """A layer's one-line summary (layer ``layer``, 1, 2, ...), by its heads'
    role and the circuit; a model file's, read off its arrays."""
    if c.model is not None:
        return file_summary(c, layer or (1 if heads[0].looks_back else 2))
    if c.circuit == "pointer":
        return _pointer_summary(c, heads[0])
    if c.circuit == "virtual" and heads[0].looks_back:
        return _virtual_summary(c, layer)
    if heads[0].looks_back:
        return _look_back_summary(c)
    return _induction_summary(c, layer or 2)


def _pointer_summary(c: Construction, head: Head) -> tuple:
    if head.role.kind == "duplicate-token":
        itself = "; less s for the query itself, which the inclusive mask keeps" if c.mask == "inclusive" else ""
        return (Math("A_1"), " scores keys holding the query's token (", Math("a_ij = s [x_i = x_j]"), f"{itself}); ",
                Math("V_1"), " copies the key's position into the query's pointer block (ptr pos): where the "
                "earlier copy stands.")
    return (Math("A_2"), f" scores key position p + {c.skip + 1} for a query whose pointer holds p (",
            Math(f"a_ij = s w^(1)_(i, j-{c.skip + 1})"), ", s times the weight layer 1 put on key ",
            Math(f"j - {c.skip + 1}"), "); ", Math("V_2"), " keeps the key's token and position (not its pointer).")


def _virtual_summary(c: Construction, layer: int) -> tuple:
    record = scheme(c)
    how = (Math(f"A_{layer}"), " scores key position i-1 for query i") if record.directions else         (f"With {record.words}, its head scores key j for query i by ",) + scores_positions(c, "1")
    if layer == 1:
        return how + ("; ", Math("V_1"), f" copies the key's {record.written} into the previous {c.part()}.")
    return how + ("; ", Math(f"V_{layer}"), f" copies the key's previous {c.part()} (its {record.written} just "
                  f"before it, two before the query) into the prev2 {c.part()}: with layer 1, a virtual 2-back head.")


SHARES_NAMED = 3  # a matrix's blocks a file's summary names, largest first


def shares(c: Construction, symbol: str) -> str:
    """Where a model file's matrix has its weight: "pos x pos 100%", largest first."""
    found = c.model.shares(symbol)
    arrow = " -> " if symbol.startswith("V") else " x "
    named = [f"{r}{arrow}{col} {share:.0%}" for r, col, share in found[:SHARES_NAMED]]
    rest = sum(share for *_, share in found[SHARES_NAMED:])
    more = len(found) - SHARES_NAMED
    if more > 0:
        named.append(f"{more} more block{'s' if more > 1 else ''} {rest:.0%}")
    return ", ".join(named) if named else "all zero"


def file_summary(c: Construction, layer: int) -> tuple:
    """A model file's layer: where each head's A and V have their weight
    (each block's share of the matrix's sum of squared entries), read off the file."""
    heads = len(c.model.matrices[layer - 1])
    if heads == 1:
        return (Math(f"A_{layer}"), " and ", Math(f"V_{layer}"), f" are {c.model.name}'s. Their weight by block (share "
                "of the sum of squared entries): ", Math(f"A_{layer}"), f" {shares(c, f'A{layer}')}; ",
                Math(f"V_{layer}"), f" {shares(c, f'V{layer}')}.")
    out: tuple = (f"Its {heads} heads are {c.model.name}'s. Their weight by block (share of the sum of squared "
                  "entries): ",)
    for h in range(heads):
        a, v = Math(f"A_{layer}^({h})"), Math(f"V_{layer}^({h})")
        out += (f"head {layer}.{h}: ", a, f" {shares(c, f'A{layer}.{h}')}; ", v, f" {shares(c, f'V{layer}.{h}')}",
                "." if h == heads - 1 else "; ")
    return out


def file_heads(model) -> tuple:
    """The matrices a file gives, as parts: A_1, V_1, A_2, V_2 (set as maths), or its heads counted."""
    if [len(layer) for layer in model.matrices] == [1, 1]:
        return (Math("A_1"), ", ", Math("V_1"), ", ", Math("A_2"), ", ", Math("V_2"))
    count = sum(len(layer) for layer in model.matrices)
    return (f"{count} heads in {len(model.matrices)} layers",)


def _look_back_summary(c: Construction) -> tuple:
    record = scheme(c)
    if not record.directions:
        heads = "its head" if len(c.offsets) == 1 else "each head (offset o)"
        o = str(c.offsets[0]) if len(c.offsets) == 1 else "o"
        into = c.earlier() if len(c.offsets) == 1 else f"{c.part()} o back"
        return (f"With {record.words}, {heads} scores key j for query i by ",) + scores_positions(c, o) + (
            "; ", Math("V_1"), f" copies the key's {record.written} into the {into}.")
    if c.offsets == (1,):
        return (Math("A_1"), " scores key position i-1 for query i; ", Math("V_1"),
                f" copies the key's token and position into the previous {c.part()}.")
    if len(c.offsets) == 1:
        o = c.offsets[0]
        return (Math("A_1"), f" scores key position i-{o} for query i; ", Math("V_1"),
                f" copies the key's token and position into the {half(o)} {c.part()} (the token {back(o)}).")
    return (f"One head per offset o in {{{', '.join(map(str, c.offsets))}}}: its ", Math("A_1"),
            " scores key position i-o for query i and its ", Math("V_1"),
            f" copies the key's token and position into the {c.part()} o back ({_halves(c)}).")


def _induction_summary(c: Construction, layer: int = 2) -> tuple:
    a, v = Math(f"A_{layer}"), Math(f"V_{layer}")
    if c.context == 1 and c.similar is None:
        before = "previous token" if c.skip == 0 else f"token {c.skip + 1} before"
        return (a, f" scores keys whose {before} is the query's (", Math(pattern(c)),
                "); ", v, f" keeps the key's current {c.part()}.")
    if c.similar is not None and c.context == 1:
        held = scheme(c).written.replace("token", "token's vector", 1)  # (no position under NoPE, RoPE, a bias)
        return (a, f" scores each key by how similar the token {back(c.skip + 1)} it is to the query's (",
                Math(pattern(c)), "); ", v, f" keeps the key's current {c.part()}: its {held}.")
    ending = "just before it" if c.skip == 0 else f"ending {c.skip + 1} before it"
    how = "how many of" if c.similar is None else "how similar"
    verb = "match" if c.similar is None else "are to"
    return (a, f" scores each key by {how} the {c.context} tokens {ending} {verb} the query's last "
            f"{c.context}, the query's own token counting {c.context} (", Math(pattern(c)), "); ", v,
            f" keeps the key's current {c.part()}.")


def empty(c: Construction) -> str:
    """What Y^(0) leaves empty."""
    if c.model is not None and c.model.layout != BLOCKS:
        return "only tok and pos are filled"
    if c.circuit == "pointer":
        return "the pointer block is empty"
    return f"the {c.earlier()} {'is' if c.halves == 2 else 'are'} empty"


def final(c: Construction) -> str:
    """The last layer's output, which the prediction is read off: Y^(L), L the construction's layers."""
    return f"Y^({len(c.layers(1.0))})"


def _read_out(c: Construction) -> tuple[tuple, tuple]:
    """The prediction and the probabilities, read off the last layer's output."""
    y = final(c)
    where = ("Prediction at i: the token scored highest from ", Math(y),
             f"'s token block, where a key the query keeps comes {after_match(c, cosine=True)}.")
    probabilities = "Next-token probabilities: " if c.horizon == 1 else f"Probabilities of the token {c.horizon} ahead: "
    return where, (probabilities, Math(f"P = softmax({y} W_U / T)"), " with the unembedding ", Math("W_U = E^T"),
                   " (the transpose of the token embedding) and temperature T.")


def _pointer_equations(c: Construction) -> tuple[tuple, ...]:
    """The pointer circuit's model, line by line."""
    itself = (" - s [pos(query) = pos(key)]", " (the inclusive mask keeps the query, which is not its own earlier "
              "copy)") if c.mask == "inclusive" else ("", "")
    o = c.skip + 1
    return (("Representation of token i: ", Math("y_i = [tok(x_i) | pos(i) | ptr pos]"),
             ", d = V + 2N; ptr pos is the pointer, N directions; at layer 0 it is empty."),
            ("Attention logits: ", Math("a_ij = y_i A_l y_j^T"), " (rows: queries i, columns: keys j).")) \
        + _mask_equations(c) + (
            ("Layer 1 (duplicate-token head): ", Math("A_1 = s [tok(query) = tok(key)]" + itself[0]), itself[1],
             ", so ", Math("a_ij = s [x_i = x_j]"), "; ", Math("V_1"), " copies pos into ptr pos, and ",
             Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1"), ", so ", Math("ptr_i = sum_j w_ij pos(j)"),
             ": where the earlier copies of the query's token stand."),
            ("Layer 2 (induction head by pointer arithmetic): ", Math(f"A_2 = s [pos(key) = ptr pos(query) + {o}]"),
             ", so ", Math(f"a_ij = s w^(1)_(i, j-{o})"), ", the largest at the key after the earlier copy; ",
             Math("Y^(2) = W^(2) Y^(1) V_2"), ".")) + _read_out(c)


def _virtual_equations(c: Construction, representation: tuple, mask: tuple) -> tuple[tuple, ...]:
    """The virtual circuit's model, line by line: two previous-token layers, then layer 3."""
    if scheme(c).directions:
        a = Math("A_1 = A_2 = s [pos(key) = pos(query) - 1]")
    else:
        a = ("each scores key j for query i by ",) + scores_positions(c, "1")
    a = (a,) if isinstance(a, Math) else a
    return (representation, ("Attention logits: ", Math("a_ij = y_i A_l y_j^T"), " (rows: queries i, columns: keys j).")) \
        + mask + (
            ("Layers 1 and 2 (previous-token heads): ",) + a + ("; ", Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1"),
             f" writes the token before into the previous {c.part()}; ", Math("Y^(2) = Y^(1) + W^(2) Y^(1) V_2"),
             ", with ", Math("V_2"), f" reading the key's previous {c.part()} into the prev2 {c.part()}, writes the "
             "token two before: ", Math("W^(2) W^(1)"), " is a virtual 2-back head (V-composition)."),
            ("Layer 3 (induction head): ", Math("A_3"), " matches the query's token and the token before it against "
             f"the key's previous and prev2 {c.part(True)}, so ", Math(pattern(c)), "; ", Math("Y^(3) = W^(3) Y^(2) V_3"),
             ".")) + _read_out(c)


def equations(c: Construction) -> tuple[tuple, ...]:
    """The handout's model, line by line."""
    record = scheme(c)
    if c.model is not None:
        return _file_equations(c)
    if c.circuit == "pointer":
        return _pointer_equations(c)
    if record.block is None:
        token = "e(x_i)" if c.similar is not None else "tok(x_i)"
        representation = ("Representation of token i: ", Math(f"y_i = [{token} | "
                                                              + " | ".join(f"{half(o)} tok" for o in c.offsets) + "]"),
                          f": no position in the stream ({flat(record.words)}), d = {c.halves}"
                          f"{'m' if c.similar is not None else 'V'}; at layer 0 only the current token is filled.")
    elif record.block == "sin":
        token = "e(x_i)" if c.similar is not None else "tok(x_i)"
        representation = ("Representation of token i: ", Math(f"y_i = [{token} | code(i) | "
                                                              + " | ".join(f"{half(o)} tok | {half(o)} code"
                                                                           for o in c.offsets) + "]"),
                          ", ", Math("code(p) = [sin w_1 p, cos w_1 p, ..., sin w_K p, cos w_K p]"),
                          f" with K = {c.frequencies}, d = {c.halves}({'m' if c.similar is not None else 'V'} + 2K); at layer 0 only "
                          f"the current {c.part()} is filled.")
    elif c.similar is not None:
        representation = ("Representation of token i: ", Math("y_i = [e(x_i) | pos(i) | "
                                                              + " | ".join(f"{half(o)} tok | {half(o)} pos"
                                                                           for o in c.offsets) + "]"),
                          f", e(t) a unit vector of m features, d = {c.halves}(m + N); at layer 0 only "
                          f"the current {c.part()} is filled.")
    elif c.offsets == (1,):
        representation = ("Representation of token i: ", Math("y_i = [tok(x_i) | pos(i) | prev tok | prev pos]"),
                          ", d = 2(V + N); at layer 0 the previous half is empty.")
    else:
        representation = ("Representation of token i: ", Math("y_i = [tok(x_i) | pos(i) | "
                                                              + " | ".join(f"{half(o)} tok | {half(o)} pos"
                                                                           for o in c.offsets) + "]"),
                          f", d = {c.halves}(V + N); at layer 0 only the current {c.part()} is filled.")
    mask = _mask_equations(c)
    if c.circuit == "virtual":
        return _virtual_equations(c, representation, mask)
    if not record.directions:
        one = len(c.offsets) == 1
        layer1 = (f"Layer 1 ({fmt.listed(map(look_back_name, c.offsets))}){'' if one else ', head o'}: ",) \
            + scores_positions(c, str(c.offsets[0]) if one else "o") \
            + ("; ", Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1" if one else "Y^(1) = Y^(0) + sum_o W^(o) Y^(0) V_o"), ".")
    elif c.offsets == (1,):
        layer1 = ("Layer 1 (previous-token head): ", Math("A_1 = s [pos(key) = pos(query) - 1]"), ", ",
                  Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1"), ", so ", Math("y_i^(1) = [x_i, i | x_(i-1), i-1]"), ".")
    elif len(c.offsets) == 1:  # one head looking further back (--skip): its offset said, not "head o"
        o = c.offsets[0]
        layer1 = (f"Layer 1 ({look_back_name(o)}): ", Math(f"A_1 = s [pos(key) = pos(query) - {o}]"),
                  f", and it writes the key's token and position into its {part_name(half(o))} {c.part()}; ",
                  Math("Y^(1) = Y^(0) + W^(1) Y^(0) V_1"), ".")
    else:
        several = len(c.offsets) > 1
        layer1 = (f"Layer 1 ({len(c.offsets)} head{'s' if several else ''}, offset{'s' if several else ''} "
                  f"{', '.join(map(str, c.offsets))}): head o has ", Math("A = s [pos(key) = pos(query) - o]"),
                  f" and writes the key's token and position into its {c.part()} o back; ",
                  Math("Y^(1) = Y^(0) + sum_o W^(o) Y^(0) V_o"), ".")
    if c.similar is not None and c.context == 1:
        layer2 = ("Layer 2 (induction head): ", Math("A_2"), " is s times the identity between the query's token "
                  f"block and the key's {half(c.skip + 1)} token block, so ",
                  Math(f"a_ij = s e(x_i) . e(x_(j-{1 + c.skip})) = s cos(x_i, x_(j-{1 + c.skip}))"), "; ",
                  Math("Y^(2) = W^(2) Y^(1) V_2"), ".")
    elif c.context == 1:  # one token matched: no "m back, for m < 1"
        layer2 = ("Layer 2 (induction head): ", Math(f"A_2 = s [tok(query) = {half(c.skip + 1)} tok(key)]"),
                  ", so ", Math(f"a_ij = s [x_i = x_(j-{c.skip + 1})]"), "; ", Math("Y^(2) = W^(2) Y^(1) V_2"), ".")
    else:
        layer2 = ("Layer 2 (induction head): ", Math("A_2"), " matches the query's token m back against the key's "
                  f"token {c.skip + 1} + m back, for ", Math(f"m < {c.context}"), ", so ", Math(pattern(c)), "; ",
                  Math("Y^(2) = W^(2) Y^(1) V_2"), ".")
    if c == Construction():
        where = ("Prediction at i: the token with the largest share of ", Math("Y^(2)"),
                 "'s token columns, where ", Math("x_i"), " occurred at some ", Math("k <= i - 2"), ".")
    else:
        where = ("Prediction at i: the token scored highest from ", Math("Y^(2)"),
                 f"'s token block, where a key the query keeps comes {after_match(c, cosine=True)}.")
    probabilities = "Next-token probabilities: " if c.horizon == 1 else f"Probabilities of the token {c.horizon} ahead: "
    unembedding = (probabilities, Math("P = softmax(Y^(2) W_U / T)"), " with the unembedding ",
                   Math("W_U = E^T"), " (the transpose of the token embedding) and temperature T.")
    if c.similar is not None:
        unembedding = (probabilities, Math("P = softmax(Y^(2) W_U / T)"), " with ",
                       Math("W_U = E^T"), ", E the V x m token vectors: each token scored by its dot product (a "
                       "cosine when one token was copied) with what was copied; temperature T.")
    logits = ("Attention logits: ", Math("a_ij = y_i A_l y_j^T"), " (rows: queries i, columns: keys j).")
    return (representation, logits) \
        + mask + (layer1, layer2, where, unembedding)


def _mask_equations(c: Construction) -> tuple[tuple, ...]:
    if c.mask == "inclusive":
        return (("Masked attention: a query keeps the keys ", Math("j <= i"), ", itself included (the inclusive "
                 "mask of the textbook and GPT-style decoders)."),
                ("Weights: ", Math("w_ij = exp(a_ij) / sum_(k<=i) exp(a_ik)"),
                 " over the kept keys; position 0 keeps only itself."))
    return (("Masked attention: a query keeps only the keys ", Math("j < i"), "."),
            ("Weights: ", Math("w_ij = exp(a_ij) / sum_(k<i) exp(a_ik)"),
             " over the kept keys; position 0 keeps none and attends nowhere."))


def _file_equations(c: Construction) -> tuple[tuple, ...]:
    """A model file's equations: its stream and the general form of each
    layer, its heads' A and V the file's, with the file's residuals."""
    model = c.model
    last = len(model.matrices)
    lines = []
    for l, (heads, residual) in enumerate(zip(model.matrices, model.residual), 1):
        writes = "W^({l}) Y^({p}) V_{l}" if len(heads) == 1 else "sum_h W^({l},h) Y^({p}) V_{l}^(h)"
        y = ("Y^({p}) + " if residual else "") + writes
        y = y.format(l=l, p=l - 1)
        named = ("", Math(f"A_{l}"), " and ", Math(f"V_{l}")) if len(heads) == 1 else \
            (f"{len(heads)} heads, each ", Math(f"A_{l}^(h)"), " and ", Math(f"V_{l}^(h)"))
        lines.append((f"Layer {l}: ",) + named + (f" from {model.name}; ", Math(f"Y^({l}) = {y}"), "."))
    stream = " | ".join(model.layout)
    shaped = model.layout == BLOCKS
    return (("Representation of token i: ", Math(f"y_i = [{stream}]") if not shaped else
             Math("y_i = [tok(x_i) | pos(i) | prev tok | prev pos]"),
             f", d = {file_width(model)} with the V tokens and N positions of {model.name}; at layer 0 "
             + ("the previous half is empty." if shaped else "only tok and pos are filled.")),
            ("Attention logits: ", Math("a_ij = y_i A_l y_j^T"), " (rows: queries i, columns: keys j).")) \
        + _mask_equations(c) + tuple(lines) + (
            ("Prediction at i: the token scored highest from ", Math(f"Y^({last})"), "'s token block."),
            ("Next-token probabilities: " if c.horizon == 1 else f"Probabilities of the token {c.horizon} ahead: ",
             Math(f"P = softmax(Y^({last}) W_U / T)"), " with the unembedding ",
             Math("W_U = E^T"), " (the transpose of the token embedding) and temperature T."))


def file_width(model) -> str:
    """A file's d as a formula: 2(V + N) for the lecture's layout, else its tok and pos subspaces counted."""
    tokens = sum(name.endswith("tok") for name in model.layout)
    positions = len(model.layout) - tokens
    if tokens == positions:
        return f"{tokens}(V + N)"
    return f"{tokens if tokens > 1 else ''}V + {positions if positions > 1 else ''}N"


def model_line(c: Construction) -> str:
    """Which model ran, for a slide: "the lecture's" (with its variant), or a model file's heads."""
    if c.model is not None:
        return f"the heads of {c.model.name}"
    if c.circuit != "lecture":
        return f"the {c.circuit} circuit: {variant(c)}"
    return "the lecture's" + (f", with {variant(c)}" if variant(c) else "")


def variant(c: Construction) -> str:
    """What sets the model apart from the lecture's, for the summary ("" for the lecture's)."""
    parts = {"pointer": ["pointer arithmetic (layer 1 points to the earlier copy, layer 2 asks for the position "
                         "after it)"],
             "virtual": ["three layers (two previous-token heads make a virtual 2-back head; layer 3 matches two "
                         "tokens)"]}.get(c.circuit, [])
    if c.mask != "strict":
        parts.append("inclusive mask (j <= i)")
    if c.context != 1 and c.circuit != "virtual":
        parts.append(f"context {c.context} (layer 2 matches the query's last {c.context} tokens)")
    if c.skip:
        parts.append(f"skip {c.skip} (layer 2 copies the token {c.skip + 1} after the match)")
    record = scheme(c)
    if not record.directions:
        k = f"K = {c.frequencies}"  # (inside the words' own parentheses where they end in one: "(RoPE, K = 16)")
        parts.append(record.words if not record.frequencies else f"{record.words[:-1]}, {k})"
                     if record.words.endswith(")") else f"{record.words} ({k})")
    if c.similar is not None:
        source = {"subword": "character trigrams", "case": "case-folded words"}.get(c.similar.kind, c.similar.source)
        scores = f"s times the cosine of the query's vector and that of the token {back(1 + c.skip)} the key" \
            if c.context == 1 else f"by the cosines of the query's last {c.context} vectors with those of the " \
                                   f"{c.context} tokens ending {back(1 + c.skip)} the key"
        parts.append(f"similar words (dense token vectors from {source}: layer 2 scores a key {scores})")
    return "; ".join(parts)


def width(c: Construction, words: bool) -> str:
    """d as a formula: halves times (token directions + position directions)."""
    tokens = "m" if words else "V"
    if c.model is not None:
        return file_width(c.model)
    if c.circuit == "pointer":
        return f"{tokens} + 2N"
    return f"{c.halves}{scheme(c).per_half(tokens)}"


def logit_formula(c: Construction, layer: int, head: Head) -> str:
    """A head's logits as math: a look-back head's as its position scheme
    writes them, any other's as the bilinear form of layer ``layer``'s A."""
    return scheme(c).logit.replace("A_1", f"A_{layer}") if head.looks_back else f"a_ij = y_i A_{layer} y_j^T"


def layer0(c: Construction, words: bool) -> str:
    """What Y^(0) holds."""
    token = "each token's vector" if words else "one-hot token"
    return scheme(c).layer0.format(token=token, own="its one-hot " if words else "")


def ablated_heads(layers) -> str:
    """The heads --ablate replaced by zeros in ``layers`` (trace layers), by name: "the previous-token head
    and the 2-back head"; a file's "the layer-2 head"; one name in several layers (--circuit virtual) "the
    previous-token heads of layers 1 and 2"."""
    return named_heads(ablated_list(layers))


def ablated_list(layers) -> list[tuple[str, int]]:
    """Each head --ablate replaced by zeros in ``layers``: (its name, its layer)."""
    return [(run.head.name, layer.index) for layer in layers for run in layer.heads if run.ablated]


def named_heads(heads) -> str:
    """Heads, (name, layer) pairs, by name: "the previous-token head and the 2-back head"; "the
    previous-token heads of layers 1 and 2"."""
    where: dict[str, list[int]] = {}
    for name, index in heads:
        where.setdefault(name, []).append(index)
    return series([f"the {name}" if len(at) == 1 else
                   f"the {name.replace(' head', ' heads')} of layers {series([str(i) for i in at])}"
                   for name, at in where.items()])


def ablated_count(layers) -> int:
    return len(ablated_list(layers))


def ablated_in(layer) -> str:
    """What of ``layer`` --ablate replaced by zeros, to follow its name: "ablated" (every head of it), "the
    head 1.1 ablated" (a file's layer of heads of several roles, some of them), or "" (none)."""
    cut = ablated_count((layer,))
    return "" if not cut else "ablated" if cut == len(layer.heads) else f"{ablated_heads((layer,))} ablated"


def replaced(layers) -> str:
    """'its output is replaced by zeros', or 'their' for more than one ablated head."""
    return f"{'their' if ablated_count(layers) > 1 else 'its'} output is replaced by zeros"


def unmixed(p) -> bool:
    """Where prediction ``p`` outputs no copy, all it mixed is one token: 0.00
    of it other tokens (``Prediction.others``: the lecture's `a` at @1, which
    keeps only `!`). Such a row is "not a copy", not a "blend 1.00", which
    mixes nothing."""
    return (not p.copy and len(p.output) == 1
            and fmt.number(p.others, fmt.WEIGHT_DECIMALS) == fmt.number(0.0, fmt.WEIGHT_DECIMALS))
