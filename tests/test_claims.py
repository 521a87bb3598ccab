"""Every claim the story makes, held against the matrices it names, on random
strings under every construction and their combinations (mask, context,
skip, position scheme, similar words, ablation): "attends to X" means X holds
the row's largest weight; "evenly" means every kept key weighs the same;
"seen N times" is a count of the tokens; "predicts" is the trace's own
prediction, with its horizon; each weight printed is the matrix's."""
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from induction_demo.base import text as fmt
from induction_demo.core.runs import run
from induction_demo.core.similar import Similarity
from induction_demo.words.story import story
from induction_demo.core.weights import Construction

token_strings = st.lists(st.sampled_from(["a", "b", "c", "d", "ab"]), min_size=1, max_size=16).map(tuple)
constructions = st.builds(
    Construction, st.sampled_from(["strict", "inclusive"]), st.integers(1, 3), st.integers(0, 3),
    st.sampled_from([None, Similarity("subword")]),
    st.sampled_from(["one-hot", "sinusoidal", "relative", "rope", "none"]), st.just(8), st.none(), circuit=st.just("lecture")).filter(
    lambda c: not (c.positions == "rope" and c.similar is not None))  # refused: rope needs one-hot tokens
AT = re.compile(r"`[^`]*` \(@(\d+)\)")


def w(x: float) -> str:
    return fmt.number(x, fmt.WEIGHT_DECIMALS)


NEAR = 0.01  # README: keys within 0.01 of a row's largest weight are told as a tie


def top(row: np.ndarray, kept: np.ndarray | None = None) -> set[int]:
    kept = np.ones(len(row), dtype=bool) if kept is None else kept
    return set(np.flatnonzero(kept & (row >= row[kept].max() - NEAR)).tolist())


def check_layer2(trace, sentence) -> None:
    weights, kept = trace.layers[1].weights, trace.layers[1].mask
    text = sentence.text
    if "every logit is 0" in text:
        assert not trace.layers[1].logits[kept].any(), text
    if sentence.kind == "copy" and not text.startswith("…"):
        i, j = (int(x) for x in AT.findall(text)[:2])
        assert top(weights[i], kept[i]) == {j}, text
        assert f"(weight {w(weights[i, j])})" in text
    if sentence.kind in ("copy", "split") and not text.startswith("…"):
        i = int(AT.findall(text)[0])
        p = trace.predictions[i]
        assert p.copy
        said = re.search(r"so it predicts (.*?)(, (\d+) ahead \(for @(\d+)\))?(, carried by .*)?\.$", text)
        named = re.findall(r"`([^`]*)`", said.group(1))
        more = re.search(r"and (\d+) more", said.group(1))
        assert named == [fmt.token(c) for c in p.candidates[:fmt.named(len(p.candidates))]], text
        assert (int(more.group(1)) if more else 0) == len(p.candidates) - len(named)
        assert (said.group(3) is None) == (p.horizon == 1)
        if p.horizon > 1:
            assert int(said.group(3)) == p.horizon and int(said.group(4)) == i + p.horizon
    if sentence.kind == "split":
        i = int(AT.findall(text)[0])
        head = text.split(" (0.")[0].split("(weights")[0]
        keys = {int(x) for x in AT.findall(head)[1:]}
        more = re.search(r"and (\d+) more$", head)
        if more:  # past the first 12, counted
            assert keys < top(weights[i], kept[i]) and len(keys) + int(more.group(1)) == len(top(weights[i], kept[i]))
        else:
            assert keys == top(weights[i], kept[i]), text
        seen = re.search(r"has been seen (\d+) times before", text)
        if seen:
            assert int(seen.group(1)) == trace.tokens[:i].count(trace.tokens[i])
    if sentence.kind == "blend" and " puts " in text:  # something to copy, most weight elsewhere
        from induction_demo.core import mechanism

        job = mechanism.cells(trace, trace.layers[1]) & kept
        for i, on, outputs, score in re.findall(r"\(@(\d+)\) puts ([\d.]+) on .*? and outputs (.*?) \(([\d.]+)\)", text):
            p = trace.predictions[int(i)]
            assert w(float((weights[int(i)] * job[int(i)]).sum())) == on and not p.copy
            assert re.findall(r"`([^`]*)`", outputs) == [fmt.token(t) for t in p.output[:fmt.named(len(p.output))]]
            assert w(p.score) == score
    if sentence.kind == "blend" and " gets " in text:  # an ablated previous-token head's blends
        for i, outputs, score in re.findall(r"\(@(\d+)\) gets (.*?) \(([\d.]+)", text):
            p = trace.predictions[int(i)]
            assert not p.copy and w(p.score) == score
            assert re.findall(r"`([^`]*)`", outputs) == [fmt.token(t) for t in p.output[:fmt.named(len(p.output))]]
    if sentence.kind == "tie":  # which kind of tie is said is the kind there is
        from induction_demo.core.readout import EXACT_TIE

        gaps = [p.score - p.low for p in trace.predictions if len(p.candidates) > 1]
        assert gaps and (any(g > EXACT_TIE for g in gaps) if text.startswith("At T =")
                         else any(g <= EXACT_TIE for g in gaps))
    if sentence.kind == "consecutive-repeat":
        i, k = (int(x) for x in re.findall(r"\(@(\d+)\)", text)[:2])
        assert trace.tokens[k] == trace.tokens[i] and i - k == trace.construction.horizon
        assert not kept[i, i] and not trace.predictions[i].copy
        even = re.search(r"spreads evenly over the past \(([\d.]+) × (\d+)\)", text)
        if even:
            keys = np.flatnonzero(kept[i])
            assert np.ptp(weights[i][keys]) <= 1e-9 and len(keys) == int(even.group(2))
    if sentence.kind == "pattern":  # each slot: the skip head's copy against the plain head's
        for slot, i, mine, k, plain in re.findall(r"for @(\d+), the skip head at `[^`]*` \(@(\d+)\) predicts (.*?), "
                                                  r"the plain head at `[^`]*` \(@(\d+)\) (.*?)(?=, for @| and for @|\.$)", text):
            h = trace.construction.horizon
            assert int(slot) == int(i) + h and int(k) == int(slot) - 1
            assert re.findall(r"`([^`]*)`", mine)[:1] == [fmt.token(trace.predictions[int(i)].candidates[0])]
            other = trace.plain[int(k)]
            assert ("no copy" in plain) == (not other.copy)
    if sentence.kind == "first-occurrence":
        for i, share, count in re.findall(r"\(@(\d+)\): ([\d.]+) × (\d+)", text):
            row, keys = weights[int(i)], np.flatnonzero(kept[int(i)])
            assert len(keys) == int(count) and np.ptp(row[keys]) <= 1e-9 and w(row[keys[0]]) == share, text
            if text.startswith("A first occurrence"):
                assert trace.tokens[int(i)] not in trace.tokens[:int(i)]
    if sentence.kind == "uneven":
        entries = re.findall(r"`[^`]*` \(@(\d+)\) to ((?:`[^`]*` \(@\d+\)(?:, | and )?)+) \(([\d.]+)", text)
        assert entries, text
        for i, keys, share in entries:
            row = weights[int(i)]
            assert {int(x) for x in re.findall(r"\(@(\d+)\)", keys)} == top(row, kept[int(i)]), text
            assert w(row[min(top(row, kept[int(i)]))]) == share and np.ptp(row[kept[int(i)]]) > 1e-9  # not an even spread


def check_layer1(trace, sentence) -> None:
    layer = trace.layers[0]
    text = sentence.text
    if sentence.kind == "look-back" and "looks back to the position" in text:
        run_ = next(r for r in layer.heads if len(layer.heads) == 1 or text.startswith(f"The {r.head.name}:"))
        o = run_.head.offset
        for i, j in re.findall(r"\(@(\d+)\) to `[^`]*` \(@(\d+)\)", text):
            assert int(j) == int(i) - o and run_.weights[int(i)].argmax() == int(j), text
    if "every logit is 0" in text:
        assert not any(r.logits[layer.mask].any() for r in layer.heads), text
    if "every logit ties" in text and sentence.kind == "look-back":
        for i in {int(x) for x in re.findall(r"\(@(\d+)\)", text)}:
            keys = np.flatnonzero(layer.mask[i])
            assert all(np.ptp(r.logits[i][keys]) == 0 for r in layer.heads if len(keys))
    if sentence.kind == "too-early":
        o = int(re.search(r"no token (\w+) before", text).group(1).replace("two", "2").replace("three", "3")
                .replace("four", "4"))
        assert all(int(i) < o for i in re.findall(r"\(@(\d+)\)", text))
    if sentence.kind == "leak":
        at_most, i, j = re.search(r"at most ([\d.]+), from `[^`]*` \(@(\d+)\) to `[^`]*` \(@(\d+)\)", text).groups()
        run_ = next(r for r in layer.heads if len(layer.heads) == 1 or text.startswith(f"The {r.head.name}:"))
        off = run_.weights * layer.mask
        o = run_.head.offset
        off[np.arange(o, trace.n), np.arange(trace.n - o)] = 0.0
        off[:o] = 0.0  # (a query with no key o back has no job to leak from)
        assert w(off.max()) == at_most != "0.00" and off[int(i), int(j)] == off.max()
        assert ("just before" in text) == (o == 1 and int(j) < int(i) - 1)
    if "spreads evenly" in text and sentence.kind == "look-back":
        for i, share, count in re.findall(r"\(@(\d+)\): ([\d.]+) × (\d+)", text):
            keys = np.flatnonzero(layer.mask[int(i)])
            assert len(keys) == int(count)
            assert all(np.ptp(r.weights[int(i)][keys]) <= 1e-9 for r in layer.heads)


@given(token_strings, constructions, st.sampled_from([None, None, "previous-token", "induction"]),
       st.sampled_from([1.0, 1.0, 1e-9, 1e300]))
@settings(max_examples=150, deadline=None)
def test_every_claim_in_the_story_is_what_the_matrices_say(tokens, built, ablate, temperature):
    trace = run(tokens, construction=built, ablate=ablate, temperature=temperature)
    told = story(trace)
    for sentence in told[1]:
        check_layer1(trace, sentence)
    for sentence in told[2]:
        check_layer2(trace, sentence)
    # every position with a copy is told as one (up to the listed few), and nothing else is called a copy
    copied = {int(AT.findall(s.text)[0]) for s in told[2] if s.kind in ("copy", "split") and not s.text.startswith("…")}
    assert copied <= {p.position for p in trace.predictions if p.copy}


@given(token_strings, constructions, st.sampled_from([1e-9, 0.1, 1.0, 10.0]))
@settings(max_examples=100, deadline=None)
def test_the_predictions_and_the_probabilities_give_one_answer(tokens, built, temperature):
    trace = run(tokens, construction=built, temperature=temperature)
    for p in trace.predictions:
        row = trace.probs[p.position]
        best = {trace.vocab[t] for t in np.flatnonzero(row >= row.max() * (1 - 1e-3))}  # README's near-tie
        if p.output:  # what the model outputs is the most probable token(s), copy or blend
            assert set(p.output) == best
        assert p.horizon == built.skip + 1
        assert p.copy == (p.next is not None)


def test_no_token_can_be_mistaken_for_a_mark():
    from cli_runner import invoke
    import json as stdlib_json

    out = invoke(["show", "x — y x ␣ …", "--layer", "2", "--no-matrices", "--width", "200"]).stdout
    table = out[out.index("Predictions:"):out.index("Next-token")]
    assert "@1 \\u2014" in table and "@4 \\u2423" in table and "@5 \\u2026" in table  # the tokens, escaped
    assert "@0 x      —" in table  # the mark: nothing output at position 0
    doc = stdlib_json.loads(invoke(["show", "x — y x", "--format", "json"]).stdout)
    assert doc["tokens"] == ["x", "—", "y", "x"]  # JSON keeps every token as typed


def test_an_even_spread_over_many_tokens_names_a_few_and_counts_the_rest():
    from cli_runner import invoke

    tokens = " ".join(f"t{i}" for i in range(40))
    out = invoke(["show", tokens, "--layer", "2", "--no-matrices", "--width", "200"]).stdout
    row = next(line for line in out[out.index("Predictions:"):].splitlines() if line.startswith("@39"))
    assert row.split(None, 2)[2] == "t0 / t1 / t2 / t3 and 35 more (blend 0.03 each)"
