"""The induction rule in plain Python, independent of the model's matrices:
at position i, if x_i occurred at some k < i - 1, predict x_(k+1); with
several earlier occurrences, the most frequent successors (all of them on a tie)."""
import math
from collections import Counter

NEAR_TIE = -math.log(1 - 1e-3)
"""Scores this close to the top one are a near-tie at T = 1: their
probabilities lie within 0.1% of the top one (README, "How the story is checked")."""


def successors(tokens, i):
    """The tokens that followed earlier occurrences of tokens[i], before i."""
    return [tokens[k + 1] for k in range(i - 1) if tokens[k] == tokens[i]]


def predicted(tokens, i):
    """The set of tokens position i should predict (empty: nothing to copy)."""
    counts = Counter(successors(tokens, i))
    top = max(counts.values(), default=0)
    return {t for t, c in counts.items() if c == top}


# --- every construction: the mask, --context and --skip ---------------------
# The same rule, stated for any construction, still in plain Python floats:
# - the half o back of position p holds x_(p-o); where there is none (p < o)
#   its head has no key at offset o, every logit ties, and it holds the mean of
#   the tokens at the keys the mask keeps (j < p, or j <= p inclusive; none:
#   nothing);
# - the induction head scores key j by how the query's last k tokens match
#   the k tokens ending n + 1 before the key: sum over m < k of
#   <token m back of i, token n + 1 + m back of j>, the query's own token
#   (m = 0) counted k times, so that it outweighs the rest, times the scale;
#   with a skip, a key j with no token n + 1 back (0 < j < n + 1) loses the
#   token's weight (its half holds a blend of the first tokens, discounted
#   whatever they are);
# - its weights are the softmax of those scores over the kept keys, and it
#   predicts the tokens with the largest total weight, where some kept key
#   n + 1 after an earlier copy of the query's token (something to copy).


def _held(tokens, p, offset, inclusive):
    """{token: weight}: what position p holds of the token ``offset`` back."""
    if offset == 0 or p >= offset:
        return {tokens[p - offset]: 1.0}
    keys = range(p + 1 if inclusive else p)
    out = {}
    for j in keys:
        out[tokens[j]] = out.get(tokens[j], 0.0) + 1.0 / len(keys)
    return out


def _dot(a, b):
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _ideal(tokens, p, offset, inclusive):
    """The same with no half where there is no token that far back."""
    return {tokens[p - offset]: 1.0} if p >= offset else {}


def scores(tokens, i, context=1, skip=0, inclusive=False, held=_held):
    """The induction head's match count for each key j the query keeps."""
    keys = range(i + 1 if inclusive else i)
    return {j: sum((context if m == 0 else 1) * (_dot(held(tokens, i, m, inclusive),
                                                      held(tokens, j, skip + 1 + m, inclusive))
                                                 - (m == 0 and 0 < j < skip + 1))
                   for m in range(context)) for j in keys}


def top_keys(tokens, i, context=1, skip=0, inclusive=False):
    """The kept keys with the largest score."""
    logits = scores(tokens, i, context, skip, inclusive)
    top = max(logits.values(), default=None)
    return [j for j, s in logits.items() if s >= top - 1e-9]


def predicted_by(tokens, i, context=1, skip=0, inclusive=False, scale=100.0, tolerance=NEAR_TIE, held=_held):
    """The set of tokens position i should predict under a construction
    (``held``: what each half of a position holds)."""
    if not any(s >= context for s in scores(tokens, i, context, skip, inclusive, _ideal).values()):
        return set()
    logits = scores(tokens, i, context, skip, inclusive, held)
    top = max(logits.values())
    weights = {j: math.exp(scale * (s - top)) for j, s in logits.items()}
    total = sum(weights.values())
    shares = {}
    for j, w in weights.items():
        shares[tokens[j]] = shares.get(tokens[j], 0.0) + w / total
    best = max(shares.values())
    return {t for t, s in shares.items() if s >= best - tolerance}


# --- similar words: dense token vectors -------------------------------------
# A token's vector: its bag of character trigrams of "<token>", case folded
# (subword); its case-folded form (case); or a file's row (vectors), a token
# the file lacks pointing its own way. Cosines in plain Python; the induction
# head's logit is s cos(x_i, x_(j-1)), the copied vector the weighted sum of
# the keys' vectors, and each token is scored by its cosine with it.


def trigram_bag(token):
    marked = "<" + token.casefold() + ">"
    return Counter(marked[k:k + 3] for k in range(len(marked) - 2))


def cosine(a, b, kind="subword", rows=None):
    if kind == "case":
        return 1.0 if a.casefold() == b.casefold() else 0.0
    if kind == "vectors":
        if a not in rows or b not in rows:
            return 1.0 if a == b else 0.0
        u, v = rows[a], rows[b]
        return sum(x * y for x, y in zip(u, v)) / math.sqrt(sum(x * x for x in u) * sum(y * y for y in v))
    u, v = trigram_bag(a), trigram_bag(b)
    return sum(u[g] * v[g] for g in u) / math.sqrt(sum(c * c for c in u.values()) * sum(c * c for c in v.values()))


def similar_logit(tokens, i, j, kind="subword", rows=None):
    """The induction head's logit over s at query i, key j (strict mask, context 1, no skip)."""
    return cosine(tokens[i], tokens[j - 1], kind, rows) if j >= 1 else 0.0


def predicted_similar(tokens, i, kind="subword", rows=None, scale=100.0, tolerance=NEAR_TIE):
    """The tokens position i should predict with dense token vectors."""
    keys = range(i)
    if not any(similar_logit(tokens, i, j, kind, rows) > 1e-9 for j in keys):
        return set()
    logits = {j: scale * similar_logit(tokens, i, j, kind, rows) for j in keys}
    top = max(logits.values())
    weights = {j: math.exp(a - top) for j, a in logits.items()}
    total = sum(weights.values())
    vocab = list(dict.fromkeys(tokens))
    scores = {t: sum(w / total * cosine(tokens[j], t, kind, rows) for j, w in weights.items()) for t in vocab}
    best = max(scores.values())
    return {t for t, s in scores.items() if s >= best - tolerance}


# --- position schemes: layer 1 built five ways (seed 001) ---------------------
# Layer 1's logit for query i and key j, in plain Python: one-hot directions
# and a relative bias give s at j = i - 1; sinusoidal codes and RoPE give
# (s/K) sum_m cos(w_m (i - 1 - j)) with w_m = 10000^(-m/K), m = 0 .. K-1; no
# position encoding gives 0. Its softmax over j < i is what position i's
# previous half holds (a blend of tokens); the induction head scores key j by
# s times the share of the query's token in j's previous half.


def previous_logit(positions, i, j, scale=100.0, k=16):
    if positions in ("one-hot", "relative"):
        return scale if j == i - 1 else 0.0
    if positions in ("sinusoidal", "rope"):
        return scale / k * sum(math.cos(10000.0 ** (-m / k) * (i - 1 - j)) for m in range(k))
    return 0.0


def softmax(logits):
    top = max(logits.values())
    e = {j: math.exp(a - top) for j, a in logits.items()}
    total = sum(e.values())
    return {j: v / total for j, v in e.items()}


def previous_weights(tokens, i, positions, scale=100.0, k=16):
    """Layer 1's weights of query i over its keys j < i ({} at position 0)."""
    return softmax({j: previous_logit(positions, i, j, scale, k) for j in range(i)}) if i else {}


def induction_weights(tokens, i, positions, scale=100.0, k=16):
    """The induction head's weights of query i over its keys j < i."""
    held = []  # what each key's previous half holds: {token: share}
    for j in range(i):
        shares = {}
        for key, w in previous_weights(tokens, j, positions, scale, k).items():
            shares[tokens[key]] = shares.get(tokens[key], 0.0) + w
        held.append(shares)
    return softmax({j: scale * held[j].get(tokens[i], 0.0) for j in range(i)}) if i else {}


def predicted_with_positions(tokens, i, positions, scale=100.0, k=16, tolerance=NEAR_TIE):
    """The tokens position i should predict when layer 1 knows positions by ``positions``."""
    if not any(tokens[j - 1] == tokens[i] for j in range(1, i)):
        return set()
    weights = induction_weights(tokens, i, positions, scale, k)
    scores = {}
    for j, w in weights.items():
        scores[tokens[j]] = scores.get(tokens[j], 0.0) + w
    best = max(scores.values())
    return {t for t, s in scores.items() if s >= best - tolerance}


# --- the pointer circuit (Q-composition) ---------------------------------------
# Layer 1, the duplicate-token head: logit s where key j holds the query's
# token (not the query itself), 0 elsewhere; its weights, the softmax over the
# kept keys, are the pointer: how much the query points to each position.
# Layer 2 asks for the position 1 + skip after the pointer: its logit for key k
# is s times the pointer's weight on k - 1 - skip. It copies the key's token.


def kept(i, inclusive):
    return range(i + 1 if inclusive else i)


def pointer(tokens, i, inclusive=False, scale=100.0):
    """{key: weight} of the duplicate-token head at query i (empty: no key kept)."""
    keys = kept(i, inclusive)
    if not keys:
        return {}
    return softmax({j: scale * (tokens[j] == tokens[i] and j != i) for j in keys})


def pointer_logits(tokens, i, skip=0, inclusive=False, scale=100.0):
    """{key: logit} of the pointer circuit's layer 2 at query i."""
    points = pointer(tokens, i, inclusive, scale)
    return {k: scale * points.get(k - 1 - skip, 0.0) for k in kept(i, inclusive)}


def predicted_pointer(tokens, i, skip=0, inclusive=False, scale=100.0, tolerance=NEAR_TIE):
    """The tokens position i should predict by pointer arithmetic, where a
    kept key stands 1 + skip after an earlier copy of its token (else none)."""
    keys = kept(i, inclusive)
    if not any(0 <= k - 1 - skip < i and tokens[k - 1 - skip] == tokens[i] for k in keys):
        return set()
    weights = softmax(pointer_logits(tokens, i, skip, inclusive, scale))
    shares = {}
    for k, w in weights.items():
        shares[tokens[k]] = shares.get(tokens[k], 0.0) + w
    best = max(shares.values())
    return {t for t, s in shares.items() if s >= best - tolerance}


# --- the virtual circuit (V-composition) ------------------------------------------
# Layer 1 writes the token before into the previous half; layer 2 reads the
# previous half of the key before and writes it into the prev2 half. Position
# 0 has no key (strict: both halves empty) or itself (inclusive: its own token
# in both); position 1's prev2 half is position 0's previous half.


def virtual_held(tokens, p, offset, inclusive):
    """{token: weight}: what position p holds ``offset`` (0, 1 or 2) back in the virtual circuit."""
    if offset == 0:
        return {tokens[p]: 1.0}
    if p == 0:
        return {tokens[0]: 1.0} if inclusive else {}
    return {tokens[p - 1]: 1.0} if offset == 1 else virtual_held(tokens, p - 1, 1, inclusive)
