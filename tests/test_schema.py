"""Every JSON document validates against schema/induction-demo.schema.json,
and the documented ways of loading it into numpy give the model's matrices."""
import json
from pathlib import Path

import numpy as np
import pytest

from cli_runner import invoke

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schema" / "induction-demo.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
LECTURE = "! a b a c b"
WIDE = " ".join(f"w{i % 23}" for i in range(60))  # d = 2(23 + 60) = 166 > 120: no dense A and V


def document(*args: str) -> dict:
    result = invoke(list(args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("args", [
    ["show", LECTURE, "--format", "json"],
    ["show", LECTURE, "--format", "json", "--no-story", "--layer", "2"],
    ["show", LECTURE, "--format", "json", "--ablate", "previous-token", "--temperature", "0.5"],
    ["show", "a", "--format", "json"],
    ["show", WIDE, "--format", "json"],
    ["weights", LECTURE, "--format", "json"],
    ["weights", WIDE, "--format", "json"],
    ["bench", "--vocab", "50", "--length", "10", "--trials", "2", "--format", "json"],
    ["bench", "--vocab", "50", "--length", "10", "--trials", "2", "--gap", "3", "--ablate", "induction",
     "--format", "json"],
    ["sweep", LECTURE, "--format", "json"],
    ["show", LECTURE, "--format", "json", "--mask", "inclusive", "--context", "2", "--skip", "1"],
    ["weights", LECTURE, "--format", "json", "--context", "3"],
    ["circuits", LECTURE, "--format", "json"],
    ["circuits", LECTURE, "--format", "json", "--context", "2", "--skip", "2"],
    ["circuits", WIDE, "--format", "json"],
    ["positions", LECTURE, "--format", "json"],
    ["show", LECTURE, "--format", "json", "--positions", "none"],
    ["weights", LECTURE, "--format", "json", "--positions", "sinusoidal"],
    ["sweep", LECTURE, "--format", "json", "--positions", "rope"],
    ["bench", "--vocab", "50", "--length", "10", "--trials", "2", "--positions", "relative", "--format", "json"],
    ["bench", "--vocab", "50", "--length", "10", "--trials", "2", "--context", "2", "--format", "json"],
    ["bench", "--vocab", "50", "--length", "10", "--trials", "2", "--skip", "2", "--mask", "inclusive",
     "--format", "json"],
    ["sweep", LECTURE, "--format", "json", "--context", "2"],
], ids=lambda args: " ".join(args[:1] + [a for a in args[2:] if a.startswith("--")]))
def test_every_kind_of_document_validates(args):
    doc = document(*args)
    VALIDATOR.validate(doc)
    assert doc["kind"] == args[0] and doc["schema_version"] == 3


def test_every_json_golden_validates():
    goldens = sorted((ROOT / "cases").glob("*/expected.json"))
    assert goldens
    for path in goldens:
        VALIDATOR.validate(json.loads(path.read_text()))


@pytest.mark.parametrize("change", [
    lambda doc: doc.pop("embedding"),
    lambda doc: doc.update(surprise=1),
    lambda doc: doc["layers"][0].update(weights="none"),
    lambda doc: doc.update(schema_version=1),
])
def test_the_schema_refuses_a_document_that_breaks_it(change):
    doc = document("show", LECTURE, "--format", "json")
    change(doc)
    assert not VALIDATOR.is_valid(doc)


def test_matrices_load_into_numpy_with_the_documented_shapes():
    doc = document("show", LECTURE, "--format", "json")
    n, d = len(doc["tokens"]), doc["d"]
    assert np.array(doc["embedding"]).shape == (n, d) == (6, 20)
    for layer in doc["layers"]:
        assert np.array(layer["output"]).shape == (n, d)
        assert np.array(layer["weights"]).shape == np.array(layer["mask"], dtype=bool).shape == (n, n)
        masked = np.array(layer["masked"], dtype=float)  # null -> nan
        assert np.array_equal(np.isnan(masked), ~np.array(layer["mask"], dtype=bool))
    assert np.array(doc["next_token_probs"]).shape == (n, len(doc["vocab"]))


def test_the_blocks_rebuild_the_dense_matrices():
    """As README says: A[start(rows) + r, start(cols) + c] += value for each entry of each block."""
    doc = document("weights", LECTURE, "--format", "json")
    start = {s["name"]: s["start"] for s in doc["subspaces"]}
    for layer in doc["layers"]:
        for head in layer["heads"]:
            for blocks, dense in ((head["qk"], head["A"]), (head["ov"], head["V"])):
                rebuilt = np.zeros((doc["d"], doc["d"]))
                for block in blocks:
                    for r, c, value in block["entries"]:
                        rebuilt[start[block["rows"]] + r, start[block["cols"]] + c] += value
                assert np.array_equal(rebuilt, np.array(dense))


def test_past_d_120_the_dense_matrices_are_left_out_and_the_blocks_stay():
    doc = document("weights", WIDE, "--format", "json")
    head = doc["layers"][0]["heads"][0]
    assert doc["d"] == 166 and head["A"] is None and head["V"] is None
    assert len(head["qk"][0]["entries"]) == 59


def test_readmes_numpy_snippet_loads_what_it_says(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "walkthrough.json").write_text(invoke(["show", LECTURE, "--format", "json"]).stdout)
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(snippet, names)
    from induction_demo.core.runs import run
    from induction_demo.core.weights import dense

    trace = run(tuple(LECTURE.split()))
    assert np.allclose(names["y2"], trace.layers[1].output.dense(), atol=1e-11)
    assert np.allclose(names["scores"], trace.scores, atol=1e-11)
    assert np.array_equal(names["A"], dense(trace.layers[1].only.head.qk, trace.basis))
    assert np.isnan(names["masked"][0]).all()
