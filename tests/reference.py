"""The induction rule in plain Python, independent of the model's matrices:
at position i, if x_i occurred at some k < i - 1, predict x_(k+1); with
several earlier occurrences, the most frequent successors (all of them on a tie)."""
from collections import Counter


def successors(tokens, i):
    """The tokens that followed earlier occurrences of tokens[i], before i."""
    return [tokens[k + 1] for k in range(i - 1) if tokens[k] == tokens[i]]


def predicted(tokens, i):
    """The set of tokens position i should predict (empty: nothing to copy)."""
    counts = Counter(successors(tokens, i))
    top = max(counts.values(), default=0)
    return {t for t, c in counts.items() if c == top}
