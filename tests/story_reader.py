"""An independent reader of the story in a JSON document: it parses each
sentence's words and holds them to the document's own matrices, tokens and
probabilities, sharing no code with the story or the verifier (only the
tolerances README states). ``problems(doc)`` lists what it finds false."""
from __future__ import annotations

import re

import numpy as np

NEAR_WEIGHT = 0.01  # README: keys within 0.01 of a row's largest weight are told as a tie
NEAR_TIE = 1e-3  # README: probabilities within 0.1% of the top one are a near-tie
EXACT = 1e-6
AT = re.compile(r"`([^`]*)` \(@(\d+)\)")


def _w(x: float) -> str:
    return f"{x:.2f}".replace("-0.00", "0.00")


def _top(row, kept) -> set[int]:
    keys = [j for j in range(len(row)) if kept[j]]
    if not keys:
        return set()
    best = max(row[j] for j in keys)
    return {j for j in keys if row[j] >= best - NEAR_WEIGHT}


def _tokens(text: str) -> list[str]:
    return re.findall(r"`([^`]*)`", text)


def problems(doc: dict) -> list[str]:
    out: list[str] = []
    tokens, n = doc["tokens"], len(doc["tokens"])
    escaped = [t for t in tokens]  # the reader runs on plain ASCII tokens

    def fail(text: str, why: str) -> None:
        out.append(f"{why}: {text}")
    last = doc["layers"][-1]
    w2 = np.array(last["weights"])
    kept2 = np.array(last["mask"], dtype=bool)
    probs = np.array(doc["next_token_probs"])
    vocab = doc["vocab"]
    for text in (s["text"] for s in doc["story"][str(last["index"])]):
        subject = re.match(r"`([^`]*)` \(@(\d+)\) (attends to|splits|has been seen)", text)
        if subject:
            i = int(subject.group(2))
            if escaped[i] != subject.group(1):
                fail(text, "the subject's token")
            keys_part = text.split(" (0.")[0].split(" (weight")[0].split("(weights")[0]
            keys = [int(j) for _, j in AT.findall(keys_part)][1:]
            if "and " in keys_part and re.search(r"and \d+ more$", keys_part):
                if not set(keys) < _top(w2[i], kept2[i]):
                    fail(text, "the keys named are not among the top")
            elif set(keys) != _top(w2[i], kept2[i]):
                fail(text, f"the keys named {keys} are not the row's top {_top(w2[i], kept2[i])}")
            weight = re.search(r"\(weight ([\d.]+)\)", keys_part + text[len(keys_part):len(keys_part) + 20])
            if weight and keys and _w(w2[i, keys[0]]) != weight.group(1):
                fail(text, "the weight")
            said = re.search(r"so it predicts (.*?)( \(a (near-)?tie\))?(, \d+ ahead \(for @\d+\))?(, carried by (.*))?\.$",
                             text)
            if not said:
                fail(text, "no prediction")
                continue
            p = doc["predictions"][i]
            named = _tokens(said.group(1))
            if named != p["candidates"][:len(named)] or not p["copy"]:
                fail(text, "the prediction")
            row = probs[i]
            near = row[[vocab.index(t) for t in p["candidates"]]]
            if len(p["candidates"]) > 1:
                exact = near.min() >= row.max() * (1 - EXACT)
                if bool(said.group(3)) == exact:
                    fail(text, "tie or near-tie")
            if said.group(5):
                carriers = [int(j) for _, j in AT.findall(said.group(6))]
                if doc["construction"]["similar"] is None and doc["construction"].get("model") is None:
                    if any(tokens[j] not in p["candidates"] for j in carriers):
                        fail(text, "a carrier holds another token")
                    for t in p["candidates"]:
                        score = sum(w2[i, j] for j in range(n) if tokens[j] == t and kept2[i, j])
                        carried = sum(w2[i, j] for j in carriers if tokens[j] == t)
                        if carried <= 0.5 * score:
                            fail(text, "the carriers carry no more than half")
            elif doc["construction"]["similar"] is None and doc["construction"].get("model") is None:
                for t in p["candidates"]:  # unnamed: the attended keys carry it
                    score = sum(w2[i, j] for j in range(n) if tokens[j] == t and kept2[i, j])
                    carried = sum(w2[i, j] for j in keys if tokens[j] == t)
                    if carried <= 0.5 * score - 1e-9:
                        fail(text, "the attended keys do not carry the prediction, and nothing says which do")
            seen = re.search(r"has been seen (\d+) times before", text)
            if seen:
                earlier = [k for k in range(i) if tokens[k] == tokens[i]]
                mentioned = {int(k) for k in re.findall(r"@(\d+)", text)}
                if int(seen.group(1)) != len(earlier) or not set(earlier) <= mentioned:
                    fail(text, "an occurrence counted and not accounted for")
        if text.startswith("A first occurrence has nothing to copy"):
            for tok, i in AT.findall(text):
                if tokens[:int(i)].count(tokens[int(i)]):
                    fail(text, "not a first occurrence")
            if doc["construction"]["similar"] is not None:
                fail(text, "a first occurrence can copy a similar word")
        for i, share, count in re.findall(r"\(@(\d+)\): ([\d.]+) × (\d+)", text):
            row, keep = w2[int(i)], kept2[int(i)]
            if keep.sum() != int(count) or np.ptp(row[keep]) > 1e-9 or _w(row[keep][0]) != share:
                fail(text, "an even spread")
        if text.startswith("With no position encoding"):
            for i, j, share, logit in re.findall(r"\(@(\d+)\) at `[^`]*` \(@(\d+)\), share ([\d.]+), logit ([\d.-]+)", text):
                a = np.array(last["logits"])[int(i), int(j)]
                if f"{a:.1f}" != logit or abs(a - doc["scale"] * float(share)) > 0.01 * doc["scale"]:
                    fail(text, "NoPE's share and logit")
        if "inclusive mask" in text and doc["construction"]["mask"] != "inclusive":
            fail(text, "the inclusive mask, under the strict one")
        if "half-survives" in text:
            fail(text, "a template")
    first = doc["layers"][0]
    if len(first["heads"]) == 1:
        w1, kept1 = np.array(first["weights"]), np.array(first["mask"], dtype=bool)
        for text in (s["text"] for s in doc["story"]["1"]):
            if "looks back to" in text:
                for _, i, _, j in re.findall(r"`([^`]*)` \(@(\d+)\) to `([^`]*)` \(@(\d+)\)", text):
                    if int(j) not in _top(w1[int(i)], kept1[int(i)]):
                        fail(text, "layer 1 looks back elsewhere")
    return out
