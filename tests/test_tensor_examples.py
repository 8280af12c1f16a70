"""The tensor examples: the lecture's ||W x||^2 with every number of its slide (FORMAT.md 5),
through the file and through ``python -m engine eval``, and the 11-line numpy net, whose loss
gradient descent on syn0 and syn1 brings to l2 = about [0, 1, 1, 0]."""

import json
import subprocess
import sys

import numpy as np
import pytest

import engine
from helpers import EXAMPLES

REPO = EXAMPLES.parent.parent
TENSOR_EXAMPLES = ("wx_squared", "numpy_net_11_lines")

# FORMAT.md 5: W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]
W = np.array([[0.1, 0.5], [-0.3, 0.8]])
X = np.array([0.2, 0.4])
SLIDE = {"q": [0.22, 0.26], "f": 0.116, "dq": [0.44, 0.52],
         "dW": [[0.088, 0.176], [0.104, 0.208]], "dx": [-0.112, 0.636]}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.mark.parametrize("name", TENSOR_EXAMPLES)
def test_tensor_example_is_a_version_2_file_with_a_title_and_a_description(name):
    data = json.loads((EXAMPLES / f"{name}.circuit").read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("circuitgrad", 2)
    assert data["title"].strip() and len(data["description"]) > 100
    circuit = engine.load(EXAMPLES / f"{name}.circuit")
    assert circuit.problems() == [] and engine.plan_of(circuit).shape_problems == []
    last = data["nodes"][-1]["id"]
    assert circuit.output_id() == data["output"] == last  # the output is the last gate
    for wire in circuit.wires():  # laid out left to right
        assert circuit.nodes[wire.src].pos[0] < circuit.nodes[wire.dst].pos[0]
    assert engine.plan_of(circuit).shapes[last] == ()  # one number: it can be checked, ascended


def test_wx_squared_file_gives_every_number_of_the_slide():
    circuit = engine.load(EXAMPLES / "wx_squared.circuit")
    assert np.array_equal(circuit.node("W").value, W)
    assert np.array_equal(circuit.node("x").value, X)
    result = engine.run(circuit)
    q = W @ X  # computed here, independently of the engine
    assert np.allclose(q, SLIDE["q"], atol=1e-15)
    assert np.allclose(result.values["q"], SLIDE["q"], atol=1e-15)
    assert result.value == pytest.approx(SLIDE["f"], abs=1e-15) == float(q @ q)
    assert np.allclose(result.grads["q"], SLIDE["dq"], atol=1e-15)
    assert np.allclose(result.grads["W"], SLIDE["dW"], atol=1e-15)
    assert np.allclose(result.grads["W"], np.outer(2 * q, X))  # dW = dq·xᵀ
    assert np.allclose(result.grads["x"], SLIDE["dx"], atol=1e-15)
    assert np.allclose(result.grads["x"], W.T @ (2 * q))  # dx = Wᵀ·dq
    assert result.grads["W"].shape == (2, 2) and result.grads["x"].shape == (2,)


def test_wx_squared_through_python_m_engine_eval_as_nested_lists():
    done = subprocess.run([sys.executable, "-m", "engine", "eval",
                           str(EXAMPLES / "wx_squared.circuit")],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["output"] == "f"
    assert data["value"] == pytest.approx(SLIDE["f"], abs=1e-15)
    assert data["values"]["W"] == W.tolist() and data["values"]["x"] == X.tolist()
    assert isinstance(data["values"]["q"], list) and len(data["values"]["q"]) == 2
    assert data["values"]["q"] == pytest.approx(SLIDE["q"], abs=1e-15)
    assert data["grads"]["sq"] == [1.0, 1.0]
    assert data["grads"]["q"] == pytest.approx(SLIDE["dq"], abs=1e-15)
    assert [len(row) for row in data["grads"]["W"]] == [2, 2]
    for row, expected in zip(data["grads"]["W"], SLIDE["dW"]):
        assert row == pytest.approx(expected, abs=1e-15)
    assert data["grads"]["x"] == pytest.approx(SLIDE["dx"], abs=1e-15)


# ------------------------------------------------------------------ the 11-line numpy net
def numpy_net_by_hand(syn0, syn1):
    """The 11-line net's forward pass and its loss, written in numpy as the slide does."""
    data = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    l1 = sigmoid(data @ syn0)
    l2 = sigmoid(l1 @ syn1)
    return data, y, l1, l2, float(np.sum((y - l2) ** 2))


def test_numpy_net_computes_the_slides_net_and_its_deltas():
    circuit = engine.load(EXAMPLES / "numpy_net_11_lines.circuit")
    assert circuit.node("X").op == "const" and circuit.node("y").op == "const"
    assert circuit.node("X").value.shape == (4, 3)
    assert circuit.node("syn0").value.shape == (3, 4) and circuit.node("syn1").value.shape == (4,)
    assert sorted(circuit.movable_inputs()) == ["syn0", "syn1"]
    syn0, syn1 = circuit.node("syn0").value, circuit.node("syn1").value
    data, y, l1, l2, loss = numpy_net_by_hand(syn0, syn1)
    assert np.array_equal(circuit.node("X").value, data)
    assert np.array_equal(circuit.node("y").value, y)
    result = engine.run(circuit)
    assert np.allclose(result.values["l1"], l1, rtol=1e-14)
    assert np.allclose(result.values["l2"], l2, rtol=1e-14)
    assert result.value == pytest.approx(loss, rel=1e-14)
    # the slide's l2_delta = (y - l2) * l2 (1 - l2) is -1/2 dloss/d(l1·syn1), and
    # syn1 += l1ᵀ·l2_delta, syn0 += Xᵀ·l1_delta are minus half the gradients
    l2_delta = (y - l2) * (l2 * (1 - l2))
    l1_delta = np.outer(l2_delta, syn1) * (l1 * (1 - l1))
    assert np.allclose(result.grads["a2"], -2 * l2_delta, rtol=1e-12)
    assert np.allclose(result.grads["syn1"], -2 * (l1.T @ l2_delta), rtol=1e-12)
    assert np.allclose(result.grads["syn0"], -2 * (data.T @ l1_delta), rtol=1e-12)


def test_gradient_descent_on_syn0_and_syn1_brings_l2_to_0_1_1_0():
    circuit = engine.load(EXAMPLES / "numpy_net_11_lines.circuit")
    start = engine.run(circuit).value
    done = engine.ascend(circuit, steps=1000, step_size=1.0, minimize=True)
    assert done.steps == 1000 and done.stopped == "steps"
    assert done.values["syn0"].shape == (3, 4) and done.values["syn1"].shape == (4,)
    assert np.array_equal(done.values["X"], circuit.node("X").value)  # consts never move
    _data, y, _l1, l2, loss = numpy_net_by_hand(done.values["syn0"], done.values["syn1"])
    assert done.value == pytest.approx(loss, rel=1e-12)
    assert start > 0.9 and loss < 0.003
    assert np.all(np.abs(l2 - y) < 0.05), l2  # about [0, 1, 1, 0]
    assert all(b <= a for a, b in zip(done.history, done.history[1:]))  # always downhill


def test_python_m_engine_ascend_minimize_trains_the_net_and_saves_its_weights(tmp_path):
    saved = tmp_path / "trained.circuit"
    done = subprocess.run([sys.executable, "-m", "engine", "ascend",
                           str(EXAMPLES / "numpy_net_11_lines.circuit"), "--minimize",
                           "--steps", "1000", "--step-size", "1", "--save", str(saved)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["steps"] == 1000 and data["history"][-1] < 0.003
    assert [len(row) for row in data["values"]["syn0"]] == [4, 4, 4]  # nested lists
    trained = engine.load(saved)
    assert np.array_equal(trained.node("syn1").value, data["values"]["syn1"])
    l2 = engine.run(trained).values["l2"]
    assert np.all(np.abs(l2 - [0.0, 1.0, 1.0, 0.0]) < 0.05), l2
