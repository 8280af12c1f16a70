"""Templates: classifier circuits that compute what their formulas say, laid out on the grid
without overlaps, and that save, load and run."""

import numpy as np
import pytest

import engine
from engine.templates import (TEMPLATES, hidden_layer_net, linear_classifier,
                              two_layer_relu_net)

ACTIVATION = {"relu": lambda a: np.maximum(0.0, a), "tanh": np.tanh,
              "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a))}

# the canvas's sizes (gui/theme.py): sources 80 x 40, gates 70 x 50 growing 16 px per port,
# the name drawn in a 15 px band above the body
NAME_BAND = 20


def _body(node) -> tuple[float, float, float, float]:
    x, y = node.pos
    if node.gate.is_source:
        width, height = 80, 40
    else:
        width, height = 70, max(50, (node.n_inputs + 1) * 16)
    return x, y - NAME_BAND, x + width, y + height


def _overlapping(circuit):
    boxes = [(node.id, _body(node)) for node in circuit.nodes.values()]
    found = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1:]:
            if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                found.append((a, b))
    return found


def _all_templates():
    yield linear_classifier()
    yield two_layer_relu_net(seed=1)
    for n in (1, 3, 8, 15, 16, 17, 32):
        for activation in ACTIVATION:
            yield hidden_layer_net(n, activation, seed=n)


def test_linear_classifier_is_the_guides_svm_score():
    circuit = linear_classifier()
    nodes = circuit.nodes
    assert (nodes["a"].value, nodes["b"].value, nodes["c"].value) == (1.0, -2.0, -1.0)
    assert (nodes["x"].feature, nodes["y"].feature) == (0, 1)
    assert circuit.movable_inputs() == ["a", "b", "c"]
    result = engine.run(circuit, {"x": 1.2, "y": 0.7})
    assert result.output == "score"
    assert result.value == pytest.approx(1 * 1.2 - 2 * 0.7 - 1)  # -1.2
    assert (result.grads["a"], result.grads["b"], result.grads["c"]) == pytest.approx(
        (1.2, 0.7, 1.0))


def test_two_layer_relu_net_has_the_guides_names_and_computes_its_score():
    circuit = two_layer_relu_net(seed=4)
    expected = {f"{p}{i}" for p in "abc" for i in (1, 2, 3)} | {"a4", "b4", "c4", "d4"}
    assert set(circuit.movable_inputs()) == expected
    v = {node_id: node.value for node_id, node in circuit.nodes.items() if node.value is not None}
    x, y = -0.4, 1.3
    n = [max(0.0, v[f"a{i}"] * x + v[f"b{i}"] * y + v[f"c{i}"]) for i in (1, 2, 3)]
    score = v["a4"] * n[0] + v["b4"] * n[1] + v["c4"] * n[2] + v["d4"]
    assert engine.run(circuit, {"x": x, "y": y}).value == pytest.approx(score, rel=1e-14)
    assert all(-0.5 <= v[name] < 0.5 for name in expected)


@pytest.mark.parametrize("n_hidden", [1, 5, 15, 16, 17, 32])
@pytest.mark.parametrize("activation", list(ACTIVATION))
def test_hidden_layer_net_computes_its_formula(n_hidden, activation):
    circuit = hidden_layer_net(n_hidden, activation, seed=2)
    assert len(circuit.movable_inputs()) == 4 * n_hidden + 1
    v = {node_id: node.value for node_id, node in circuit.nodes.items() if node.value is not None}
    xs, ys = np.linspace(-2, 2, 7), np.linspace(1.5, -1.5, 7)
    hidden = [ACTIVATION[activation](v[f"a{i}"] * xs + v[f"b{i}"] * ys + v[f"c{i}"])
              for i in range(1, n_hidden + 1)]
    score = sum(v[f"w{i}"] * h for i, h in zip(range(1, n_hidden + 1), hidden)) + v["d"]
    result = engine.run(circuit, {"x": xs, "y": ys})
    np.testing.assert_allclose(result.value, score, rtol=1e-12, atol=1e-15)
    assert max(node.n_inputs for node in circuit.nodes.values()) <= engine.gates.MAX_PORTS


def test_templates_are_reproducible_per_seed():
    assert engine.dumps(hidden_layer_net(6, "tanh", seed=3)) == \
        engine.dumps(hidden_layer_net(6, "tanh", seed=3))
    assert engine.dumps(hidden_layer_net(6, seed=3)) != engine.dumps(hidden_layer_net(6, seed=4))


def test_templates_are_laid_out_on_the_grid_without_overlaps():
    for circuit in _all_templates():
        assert _overlapping(circuit) == [], circuit.title
        for node in circuit.nodes.values():
            assert node.pos is not None
            assert node.pos[0] % 20 == 0 and node.pos[1] % 20 == 0, (circuit.title, node.id)
        x = {node_id: node.pos[0] for node_id, node in circuit.nodes.items()}
        assert x["x"] == x["y"] == min(x.values())  # the data inputs on the left
        assert x["score"] == max(x.values())  # the output on the right
        for wire in circuit.wires():  # everything flows left to right
            assert x[wire.src] <= x[wire.dst], (circuit.title, wire)


def test_templates_save_load_and_run(tmp_path):
    for i, circuit in enumerate(_all_templates()):
        path = tmp_path / f"t{i}.circuit"
        engine.save(circuit, path)
        loaded = engine.load(path)
        assert engine.dumps(loaded) == engine.dumps(circuit)
        assert loaded.output_id() == "score"
        assert engine.run(loaded).value == pytest.approx(engine.run(circuit).value)


@pytest.mark.parametrize("args", [(0, "relu"), (33, "relu"), (4, "softplus"), (True, "relu"),
                                  (2.0, "tanh")])
def test_bad_template_arguments_are_refused(args):
    with pytest.raises(ValueError):
        hidden_layer_net(*args)


def test_the_template_registry_builds_each_one():
    assert set(TEMPLATES) == {"linear_classifier", "two_layer_relu_net", "hidden_layer_net"}
    for build in TEMPLATES.values():
        assert build().output_id() == "score"


@pytest.mark.parametrize("n_hidden, sums", [(15, 0), (16, 2), (17, 2), (32, 3)])
def test_past_15_units_the_products_are_summed_in_groups_of_at_most_15(n_hidden, sums):
    circuit = engine.hidden_layer_net(n_hidden)
    groups = [node_id for node_id in circuit.nodes if node_id[0] == "s" and node_id[1:].isdigit()]
    assert len(groups) == sums
    score_ports = circuit.inputs_of("score")
    assert len(score_ports) == (n_hidden if not sums else sums) + 1 <= engine.gates.MAX_PORTS
    sizes = [len(circuit.inputs_of(g)) for g in groups]
    assert sum(sizes) == (n_hidden if sums else 0) and all(s <= 15 for s in sizes)
