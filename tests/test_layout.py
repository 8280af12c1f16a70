"""Automatic layout: columns by depth, rows by the inputs' barycentre, placed nodes left alone."""

import json

import engine

from test_circuit_file import EXAMPLE


def _without_positions(keep=()):
    data = json.loads(EXAMPLE)
    for node in data["nodes"]:
        if node["id"] not in keep:
            del node["pos"]
    return engine.circuit_from_dict(data)


def test_format_example_is_laid_out_as_the_file_places_it():
    # FORMAT.md's example puts x, y, z in a column, q between x and y, f between q and z.
    expected = {node["id"]: tuple(node["pos"]) for node in json.loads(EXAMPLE)["nodes"]}
    assert engine.auto_layout(_without_positions()) == expected


def test_layout_is_pure():
    circuit = _without_positions()
    changes = []
    circuit.subscribe(changes.append)
    version = circuit.structure_version
    engine.auto_layout(circuit)
    assert changes == [] and circuit.structure_version == version
    assert all(node.pos is None for node in circuit.nodes.values())


def test_placed_nodes_stay_and_new_ones_keep_clear_of_them():
    circuit = _without_positions(keep=("x", "y", "z"))
    circuit.move("x", (160, 40))  # where q would go
    layout = engine.auto_layout(circuit)
    assert set(layout) == {"q", "f"}
    everything = {**{n.id: n.pos for n in circuit.nodes.values() if n.pos}, **layout}
    points = list(everything.values())
    for i, (x1, y1) in enumerate(points):
        for x2, y2 in points[i + 1:]:
            assert abs(x1 - x2) >= 160 or abs(y1 - y2) >= 80


def test_columns_follow_the_longest_path_and_rows_do_not_overlap():
    circuit = engine.Circuit()
    for name in ("a", "b", "c", "d"):
        circuit.add_node("input", name, value=1.0)
    circuit.add_node("neg", "n")
    circuit.add_node("add", "s")
    circuit.add_node("mul", "m", inputs=3)
    circuit.connect("a", "n", 0)
    circuit.connect("n", "s", 0)
    circuit.connect("b", "s", 1)
    circuit.connect("s", "m", 0)
    circuit.connect("c", "m", 1)
    circuit.connect("d", "m", 2)
    circuit.add_node("exp", "loose")  # nothing wired: a source column of its own
    layout = engine.auto_layout(circuit)
    assert {node_id: x for node_id, (x, _y) in layout.items()} == {
        "a": 0, "b": 0, "c": 0, "d": 0, "loose": 0, "n": 160, "s": 320, "m": 480}
    column = sorted(y for x, y in layout.values() if x == 0)
    assert all(b - a >= 80 for a, b in zip(column, column[1:]))
