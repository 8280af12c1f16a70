"""Circuit files: FORMAT.md's example, strict refusals naming the place, migrations, atomic save."""

import copy
import json
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import CircuitError, circuit_file, circuit_reader, strict_json, text_files

# FORMAT.md section 1, verbatim: the lecture's f = (x + y) * z at x = -2, y = 5, z = -4.
EXAMPLE = """{
  "format": "circuitgrad",
  "version": 1,
  "title": "f = (x + y) * z",
  "nodes": [
    {"id": "x", "op": "input", "value": -2.0, "pos": [0, 0]},
    {"id": "y", "op": "input", "value": 5.0,  "pos": [0, 80]},
    {"id": "z", "op": "input", "value": -4.0, "pos": [0, 160]},
    {"id": "q", "op": "add", "pos": [160, 40]},
    {"id": "f", "op": "mul", "pos": [320, 100]}
  ],
  "wires": [
    {"from": "x", "to": "q", "port": 0},
    {"from": "y", "to": "q", "port": 1},
    {"from": "q", "to": "f", "port": 0},
    {"from": "z", "to": "f", "port": 1}
  ],
  "output": "f"
}
"""


def example_dict():
    return json.loads(EXAMPLE)


def refused(data) -> str:
    """The message a dict or a text is refused with."""
    with pytest.raises(CircuitError) as caught:
        if isinstance(data, dict):
            engine.circuit_from_dict(data)
        else:
            engine.loads(data)
    return str(caught.value)


# --------------------------------------------------------------------------- the example
def test_format_example_gives_the_lectures_numbers():
    circuit = engine.loads(EXAMPLE)
    result = engine.run(circuit)
    assert circuit.title == "f = (x + y) * z"
    assert result.output == "f"
    assert result.value == -12.0
    assert result.values["q"] == 3.0
    assert result.grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}


def test_format_example_round_trips_to_the_same_dict():
    circuit = engine.loads(EXAMPLE)
    assert engine.circuit_to_dict(circuit) == example_dict()
    assert json.loads(engine.dumps(circuit)) == example_dict()


def test_dumps_is_pretty_and_stable():
    text = engine.dumps(engine.loads(EXAMPLE))
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("\n")
    assert lines[1] == '  "format": "circuitgrad",'
    assert '    {"id": "x", "op": "input", "value": -2.0, "pos": [0, 0]},' in lines
    assert '    {"from": "z", "to": "f", "port": 1}' in lines
    assert [json.loads(line.rstrip(","))["id"] for line in lines if '"op"' in line] == \
        ["x", "y", "z", "q", "f"]
    assert engine.dumps(engine.loads(text)) == text


def test_wire_order_in_the_file_does_not_matter():
    data = example_dict()
    data["wires"].reverse()
    circuit = engine.circuit_from_dict(data)
    assert engine.run(circuit).grads["x"] == -4.0
    assert engine.circuit_to_dict(circuit)["wires"] == example_dict()["wires"]


def test_every_field_round_trips():
    data = {
        "format": "circuitgrad", "version": 1, "title": "every field",
        "nodes": [
            {"id": "a", "op": "input", "value": 2.0, "label": "weight", "trainable": False},
            {"id": "d", "op": "input", "value": 0.5, "feature": 1},
            {"id": "k", "op": "const", "value": 3.0},
            {"id": "s", "op": "add", "inputs": 3},
            {"id": "c", "op": "scale", "params": {"c": -1.0}},
            {"id": "p", "op": "pow", "params": {"p": 2.0}, "pos": [10.5, -3]},
        ],
        "wires": [
            {"from": "a", "to": "s", "port": 0}, {"from": "d", "to": "s", "port": 1},
            {"from": "k", "to": "s", "port": 2}, {"from": "s", "to": "c", "port": 0},
            {"from": "c", "to": "p", "port": 0},
        ],
        "output": "p",
    }
    circuit = engine.circuit_from_dict(copy.deepcopy(data))
    assert circuit.nodes["a"].trainable is False and circuit.nodes["a"].label == "weight"
    assert circuit.nodes["d"].feature == 1 and circuit.nodes["s"].n_inputs == 3
    assert circuit.nodes["p"].pos == (10.5, -3.0)
    assert engine.run(circuit).value == (-(2.0 + 0.5 + 3.0)) ** 2
    assert engine.circuit_to_dict(circuit) == data


def test_unknown_keys_are_kept_on_nodes_and_at_the_top_level(tmp_path):
    data = example_dict()
    data["nodes"][3]["color"] = "#ff0000"
    data["nodes"][0]["note"] = {"text": "x is -2", "tags": [1, 2]}
    data["view"] = {"zoom": 1.5, "center": [10, 20]}
    data["dataset"] = {"points": [[0.1, 0.2, 1]]}
    circuit = engine.circuit_from_dict(copy.deepcopy(data))
    assert circuit.nodes["q"].extra == {"color": "#ff0000"}
    assert circuit.extra == {"view": data["view"], "dataset": data["dataset"]}
    assert engine.circuit_to_dict(circuit) == data
    path = tmp_path / "kept.circuit"
    engine.save(circuit, path)
    assert json.loads(path.read_text(encoding="utf-8")) == data


def test_output_is_written_when_it_resolves():
    data = example_dict()
    del data["output"]
    circuit = engine.circuit_from_dict(data)
    assert circuit.explicit_output is None
    assert engine.circuit_to_dict(circuit)["output"] == "f"
    circuit.add_node("input", "w", value=1.0)  # now two nodes feed nothing: no output
    assert "output" not in engine.circuit_to_dict(circuit)


def test_text_and_bytes_and_bom_are_read():
    assert engine.loads(EXAMPLE.encode("utf-8")).nodes.keys() == {"x", "y", "z", "q", "f"}
    assert engine.loads(b"\xef\xbb\xbf" + EXAMPLE.encode("utf-8")).title == "f = (x + y) * z"
    assert engine.loads("\ufeff" + EXAMPLE).title == "f = (x + y) * z"


def test_non_ascii_text_is_written_as_utf8(tmp_path):
    circuit = engine.loads(EXAMPLE)
    circuit.set_title("f = (x + y) · z — ü")
    path = tmp_path / "u.circuit"
    engine.save(circuit, path)
    assert "f = (x + y) · z — ü" in path.read_bytes().decode("utf-8")
    assert engine.load(path).title == "f = (x + y) · z — ü"


def test_a_long_chain_loads():
    count = 5000
    nodes = [{"id": "n0", "op": "input", "value": 1.5}]
    nodes += [{"id": f"n{i}", "op": "neg"} for i in range(1, count)]
    wires = [{"from": f"n{i - 1}", "to": f"n{i}", "port": 0} for i in range(1, count)]
    circuit = engine.circuit_from_dict({"format": "circuitgrad", "version": 1,
                                        "nodes": nodes, "wires": wires})
    assert engine.run(circuit).value == -1.5  # 4999 negations


# --------------------------------------------------------------------------- refusals
def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _drop(path):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


def _append(key, item):
    return lambda data: data[key].append(item)


SHAPE_ERRORS = [
    (_drop(["format"]), "format: missing"),
    (_set(["format"], "circuitgrads"), "format: expected 'circuitgrad', not 'circuitgrads'"),
    (_drop(["version"]), "version: missing"),
    (_set(["version"], "1"), "version: must be a whole number, not '1'"),
    (_set(["version"], 1.0), "version: must be a whole number, not 1.0"),
    (_set(["version"], True), "version: must be a whole number, not true"),
    (_set(["version"], 0), "version: 0 is not a version"),
    (_set(["version"], -3), "version: -3 is not a version"),
    (_set(["version"], 7), "version: this file is version 7; this circuitgrad reads up to "
                           "version 2"),
    (_set(["title"], 3), "title: must be a string"),
    (_drop(["nodes"]), "nodes: missing"),
    (_set(["nodes"], {"x": 1}), "nodes: must be a list, not an object"),
    (_set(["wires"], "x->q"), "wires: must be a list, not a string"),
    (_set(["nodes", 1], ["y"]), "nodes[1]: must be an object"),
    (_drop(["nodes", 1, "id"]), "nodes[1].id: missing"),
    (_set(["nodes", 1, "id"], ""), "nodes[1].id: must be a non-empty string"),
    (_set(["nodes", 1, "id"], 7), "nodes[1].id: must be a non-empty string, not 7"),
    (_set(["nodes", 1, "id"], "x"), "nodes[1].id: there is already a node 'x' (nodes[0] has it)"),
    (_drop(["nodes", 3, "op"]), "nodes[3].op: missing"),
    (_set(["nodes", 4, "op"], "mull"), "nodes[4].op: unknown gate 'mull' (did you mean 'mul'?)"),
    (_set(["nodes", 3, "op"], "Add"), "nodes[3].op: unknown gate 'Add' (did you mean 'add'?)"),
    (_set(["nodes", 3, "op"], "zzzzzz"), "nodes[3].op: unknown gate 'zzzzzz' (the gates are: "
                                         "input, const, add"),
    (_set(["nodes", 3, "op"], None), "nodes[3].op: must be a gate name, not null"),
    (_drop(["nodes", 0, "value"]), "nodes[0].value: missing"),
    (_set(["nodes", 2, "value"], "4"), "nodes[2].value: must be a finite number, not a string"),
    (_set(["nodes", 2, "value"], True), "nodes[2].value: must be a finite number, not a boolean"),
    (_set(["nodes", 2, "value"], None), "nodes[2].value: must be a finite number, not null"),
    (_set(["nodes", 2, "value"], 10 ** 400), "nodes[2].value: must be a finite number"),
    (_set(["nodes", 4, "value"], 1.0), "nodes[4].value: not allowed on a 'mul' gate"),
    (_set(["nodes", 3, "value"], 1.0), "nodes[3].value: not allowed on an 'add' gate"),
    (_set(["nodes", 4], {"id": "f", "op": "scale"}), "nodes[4].params: missing"),
    (_set(["nodes", 4], {"id": "f", "op": "scale", "params": [2]}),
     "nodes[4].params: must be an object"),
    (_set(["nodes", 4], {"id": "f", "op": "scale", "params": {}}), "nodes[4].params.c: missing"),
    (_set(["nodes", 4], {"id": "f", "op": "scale", "params": {"c": 2, "k": 1}}),
     "nodes[4].params.k: a 'scale' gate has no param 'k'"),
    (_set(["nodes", 4], {"id": "f", "op": "pow", "params": {"p": "2"}}),
     "nodes[4].params.p: must be a finite number"),
    (_set(["nodes", 4, "params"], {"c": 1}), "nodes[4].params: not allowed on a 'mul' gate"),
    (_set(["nodes", 4, "inputs"], 1), "nodes[4].inputs: must be a whole number from 2 to 16, "
                                      "not 1"),
    (_set(["nodes", 4, "inputs"], 17), "nodes[4].inputs: must be a whole number from 2 to 16"),
    (_set(["nodes", 4, "inputs"], 2.5), "nodes[4].inputs: must be a whole number"),
    (_set(["nodes", 4], {"id": "f", "op": "neg", "inputs": 2}),
     "nodes[4].inputs: a 'neg' gate has exactly 1 input, not 2"),
    (_set(["nodes", 0, "pos"], [1]), "nodes[0].pos: must be [x, y] with two finite numbers"),
    (_set(["nodes", 0, "pos"], {"x": 1, "y": 2}), "nodes[0].pos: must be [x, y]"),
    (_set(["nodes", 2, "pos"], [1e300, -1e300]),
     "nodes[2].pos[0]: 1e+300 is off the canvas (positions run from -1e+06 to 1e+06)"),
    (_set(["nodes", 0, "pos"], [1, "2"]), "nodes[0].pos[1]: must be a finite number"),
    (_set(["nodes", 0, "pos"], [1, 1e400]), "nodes[0].pos[1]: must be a finite number"),
    (_set(["nodes", 0, "label"], 5), "nodes[0].label: must be a string"),
    (_set(["nodes", 0, "feature"], -1), "nodes[0].feature: must be a whole number >= 0, not -1"),
    (_set(["nodes", 0, "feature"], 1.0), "nodes[0].feature: must be a whole number >= 0"),
    (_set(["nodes", 0, "feature"], True), "nodes[0].feature: must be a whole number >= 0"),
    (_set(["nodes", 3, "feature"], 0), "nodes[3].feature: only allowed on an 'input' node"),
    (_set(["nodes", 0, "trainable"], "no"), "nodes[0].trainable: must be true or false"),
    (_set(["nodes", 0, "trainable"], 0), "nodes[0].trainable: must be true or false"),
    (_set(["wires", 1], "y->q"), "wires[1]: must be an object"),
    (_drop(["wires", 1, "from"]), "wires[1].from: missing"),
    (_set(["wires", 1, "to"], "zz"), "wires[1].to: no node 'zz'"),
    (_set(["wires", 1, "from"], "zz"), "wires[1].from: no node 'zz'"),
    (_set(["wires", 1, "from"], 3), "wires[1].from: must be a node id"),
    (_drop(["wires", 1, "port"]), "wires[1].port: missing"),
    (_set(["wires", 1, "port"], "1"), "wires[1].port: must be a whole number"),
    (_set(["wires", 1, "port"], True), "wires[1].port: must be a whole number"),
    (_set(["wires", 1, "port"], 2), "wires[1]: q (add) has no input port 2 (its ports are 0 to 1)"),
    (_set(["wires", 1, "port"], -1), "wires[1]: q (add) has no input port -1"),
    (_set(["wires", 1, "to"], "x"), "wires[1]: x (input) has no input ports"),
    (_append("wires", {"from": "x", "to": "q", "port": 1}),
     "wires[4]: q port 1 already has a wire from y"),
    (_set(["wires"], [{"from": "x", "to": "q", "port": 0}, {"from": "y", "to": "q", "port": 0},
                      {"from": "q", "to": "f", "port": 0}, {"from": "z", "to": "f", "port": 1}]),
     "wires[1]: q port 0 already has a wire from x"),
    (_set(["output"], "zz"), "output: no node 'zz'"),
    (_set(["output"], 3), "output: must be a node id"),
]


@pytest.mark.parametrize("mutate, message", SHAPE_ERRORS)
def test_shape_errors_name_the_place(mutate, message):
    data = example_dict()
    mutate(data)
    assert message in refused(data)
    assert message in refused(json.dumps(data).replace("Infinity", "1e400"))


def test_a_wire_that_closes_a_cycle_names_it():
    data = example_dict()
    data["nodes"][1] = {"id": "y", "op": "neg"}  # y's port is free for a wire back from f
    data["wires"].append({"from": "f", "to": "y", "port": 0})
    assert refused(data) == "wires[4]: would close a cycle f -> y -> q -> f"
    data["wires"].insert(2, data["wires"].pop())  # before q -> f, the cycle closes there
    assert refused(data) == "wires[3]: would close a cycle q -> f -> y -> q"


def test_the_briefs_two_node_cycle():
    data = {"format": "circuitgrad", "version": 1,
            "nodes": [{"id": "x", "op": "input", "value": 1}, {"id": "q", "op": "add"},
                      {"id": "f", "op": "mul"}],
            "wires": [{"from": "x", "to": "q", "port": 0}, {"from": "q", "to": "f", "port": 0},
                      {"from": "f", "to": "q", "port": 1}]}
    assert refused(data) == "wires[2]: would close a cycle f -> q -> f"


def test_of_many_cycles_the_one_closed_first_in_the_file_is_named():
    count = 300  # pairs a_j <-> b_j; the pair closed first in the file is the last one opened
    nodes = [{"id": f"{side}{j}", "op": "neg"} for j in range(count) for side in "ab"]
    wires = [{"from": f"a{j}", "to": f"b{j}", "port": 0} for j in range(count)]
    wires += [{"from": f"b{j}", "to": f"a{j}", "port": 0} for j in reversed(range(count))]
    data = {"format": "circuitgrad", "version": 1, "nodes": nodes, "wires": wires}
    last = count - 1
    assert refused(data) == f"wires[{count}]: would close a cycle b{last} -> a{last} -> b{last}"


def test_a_cycle_with_a_long_tail_is_found_and_named():
    nodes = [{"id": "x", "op": "input", "value": 1}, {"id": "q", "op": "add"},
             {"id": "f", "op": "neg"}] + [{"id": f"t{k}", "op": "neg"} for k in range(2000)]
    wires = [{"from": "f", "to": "t0", "port": 0}]
    wires += [{"from": f"t{k}", "to": f"t{k + 1}", "port": 0} for k in range(1999)]
    wires += [{"from": "x", "to": "q", "port": 0}, {"from": "q", "to": "f", "port": 0},
              {"from": "f", "to": "q", "port": 1}]
    data = {"format": "circuitgrad", "version": 1, "nodes": nodes, "wires": wires}
    assert refused(data) == "wires[2002]: would close a cycle f -> q -> f"


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                   st.integers(0, 2)).filter(lambda e: e[0] != e[1]),
                         max_size=14))))
def test_the_wire_refused_is_the_first_that_connecting_in_file_order_refuses(graph):
    # (a wire's own faults, like a wire into its own node, come first: tested above)
    count, edges = graph
    data = {"format": "circuitgrad", "version": 1,
            "nodes": [{"id": f"n{k}", "op": "add", "inputs": 3} for k in range(count)],
            "wires": [{"from": f"n{a}", "to": f"n{b}", "port": p} for a, b, p in edges]}
    oracle = engine.Circuit()  # the same wires, connected one by one in file order
    for k in range(count):
        oracle.add_node("add", f"n{k}", inputs=3)
    expected = None
    for i, (a, b, p) in enumerate(edges):
        try:
            oracle.connect(f"n{a}", f"n{b}", p)
        except CircuitError as error:
            expected = (i, str(error).split(" ")[1] if "cycle" not in str(error) else "cycle")
            break
    if expected is None:
        assert len(engine.circuit_from_dict(data).wires()) == len(edges)
        return
    message = refused(data)
    index = int(message[len("wires["):message.index("]")])
    assert index == expected[0], message
    if expected[1] == "cycle":  # the cycle named runs through the refused wire, on real wires
        cycle = message.split("would close a cycle ")[1].split(" -> ")
        a, b, _p = edges[index]
        assert cycle[0] == cycle[-1] == f"n{a}" and cycle[1] == f"n{b}"
        present = {(f"n{x}", f"n{y}") for x, y, _p in edges[:index]}
        assert all(step in present for step in zip(cycle[1:], cycle[2:]))
    else:
        assert "already has a wire" in message


def test_a_wire_into_its_own_node_is_a_cycle():
    data = example_dict()
    data["wires"][1] = {"from": "q", "to": "q", "port": 1}
    assert refused(data) == "wires[1]: would close a cycle q -> q"


def test_top_level_must_be_an_object():
    assert refused("[1, 2]") == "the file must hold one JSON object {...}, not a list"
    assert "not a string" in refused('"circuit"')


@pytest.mark.parametrize("text, message", [
    ('{"format": "circuitgrad",\n  "version": 1,\n  "nodes": [}',
     "line 3, column 13: not valid JSON"),
    ('{"format": "circuitgrad", "version": 1,}', "line 1, column 40: not valid JSON"),
    ("", "line 1, column 1: not valid JSON"),
    ("{'format': 'circuitgrad'}", "line 1, column 2: not valid JSON"),
    ('{"a": 1} trailing', "line 1, column 10: not valid JSON: Extra data"),
])
def test_broken_json_gives_line_and_column(text, message):
    assert message in refused(text)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals_are_refused_with_their_place(literal):
    text = EXAMPLE.replace('"value": 5.0', f'"value": {literal}')
    message = refused(text)
    assert f"{literal} is not allowed" in message
    line = text.splitlines()[6]
    assert message.startswith(f"line 7, column {line.index(literal) + 1}: ")


def test_a_nan_inside_a_string_is_just_text():
    text = EXAMPLE.replace('"title": "f = (x + y) * z"', '"title": "NaN, Infinity"')
    assert engine.loads(text).title == "NaN, Infinity"


def test_huge_number_literal_is_not_finite():
    assert "nodes[1].value: must be a finite number, not Infinity" in refused(
        EXAMPLE.replace('"value": 5.0', '"value": 1e400'))


def test_duplicate_json_keys_are_refused():
    assert "duplicate key 'value'" in refused(
        EXAMPLE.replace('"value": 5.0', '"value": 5.0, "value": 6.0'))


def test_undecodable_bytes_are_reported():
    data = EXAMPLE.replace("f = (x + y) * z", "f \udcff").encode("utf-8", "surrogateescape")
    assert refused(data) == "line 4, column 15: not UTF-8 text (byte 0xff cannot be decoded)"


def test_too_deep_nesting_is_refused_naming_the_place():
    data = example_dict()
    deep = []
    for _ in range(100):
        deep = [deep]
    data["view"] = deep
    assert refused(json.dumps(data)) == ("view" + "[0]" * 17 + "[0...: the JSON nests deeper "
                                         "than 64 levels")  # the place, cut to 60 characters
    assert refused("[" * 65 + "]" * 65) == "[0]" * 19 + "...: the JSON nests deeper than 64 levels"
    assert refused("[" * 64 + "]" * 64) == "the file must hold one JSON object {...}, not a list"
    brackets_in_strings = example_dict()
    brackets_in_strings["title"] = "[" * 1000 + "{" * 1000
    assert engine.loads(json.dumps(brackets_in_strings)).title.startswith("[[[")


def test_nesting_past_the_recursion_limit_cannot_crash(monkeypatch):
    monkeypatch.setattr(strict_json, "MAX_DEPTH", 10 ** 9)
    assert refused("[" * 200_000 + "]" * 200_000).startswith("the JSON nests deeper than")


def test_too_many_nodes_is_refused(monkeypatch):
    assert circuit_reader.MAX_NODES >= 200_000
    monkeypatch.setattr(circuit_reader, "MAX_NODES", 4)
    assert refused(example_dict()) == "nodes: 5 nodes is more than the limit of 4"


def test_too_large_a_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(text_files, "MAX_FILE_BYTES", 100)
    assert "the file is too large" in refused(EXAMPLE)
    path = tmp_path / "big.circuit"
    path.write_text(EXAMPLE, encoding="utf-8")
    with pytest.raises(CircuitError, match="big.circuit: the file is too large"):
        engine.load(path)


# --------------------------------------------------------------------------- migrations
def test_migrations_run_in_sequence(monkeypatch):
    def name_becomes_title(data):  # a made-up version 1 -> 2 change
        data["title"] = data.pop("name")
        return data

    def mult_becomes_mul(data):  # and a made-up version 2 -> 3 change
        data["nodes"] = [dict(node, op="mul" if node["op"] == "mult" else node["op"])
                         for node in data["nodes"]]
        return data

    monkeypatch.setattr(circuit_file, "CURRENT_VERSION", 3)
    monkeypatch.setattr(circuit_file, "MIGRATIONS", {1: name_becomes_title, 2: mult_becomes_mul})
    old = example_dict()
    old["name"] = old.pop("title")
    old["nodes"][4]["op"] = "mult"
    circuit = engine.circuit_from_dict(old)
    assert circuit.title == "f = (x + y) * z"
    assert engine.run(circuit).value == -12.0
    assert engine.circuit_to_dict(circuit)["version"] == 1  # numbers only: written as version 1
    middle = example_dict()
    middle["version"] = 2
    middle["nodes"][4]["op"] = "mult"
    assert engine.run(engine.circuit_from_dict(middle)).value == -12.0


def test_a_missing_migration_is_refused(monkeypatch):
    monkeypatch.setattr(circuit_file, "CURRENT_VERSION", 2)
    monkeypatch.setattr(circuit_file, "MIGRATIONS", {})
    assert "version: cannot read version 1 files" in refused(example_dict())


def test_version_2_only_adds_to_version_1():
    assert circuit_file.CURRENT_VERSION == 2
    data = example_dict()
    assert circuit_file.MIGRATIONS[1](data) is data


# --------------------------------------------------------------------------- load and save
def test_save_then_load(tmp_path):
    path = tmp_path / "f.circuit"
    engine.save(engine.loads(EXAMPLE), path)
    assert json.loads(path.read_text(encoding="utf-8")) == example_dict()
    assert engine.run(engine.load(str(path))).value == -12.0


def test_load_reports_unusable_paths(tmp_path):
    with pytest.raises(CircuitError, match="missing.circuit: no such file"):
        engine.load(tmp_path / "missing.circuit")
    with pytest.raises(CircuitError, match="is a folder"):
        engine.load(tmp_path)
    broken = tmp_path / "broken.circuit"
    broken.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(CircuitError, match=r"broken.circuit: line 1, column 12: not valid JSON"):
        engine.load(broken)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read any file")
def test_load_reports_permission_denied(tmp_path):
    path = tmp_path / "secret.circuit"
    path.write_text(EXAMPLE, encoding="utf-8")
    path.chmod(0)
    with pytest.raises(CircuitError, match="secret.circuit: permission denied"):
        engine.load(path)


def test_save_into_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(CircuitError, match="nowhere.*does not exist"):
        engine.save(engine.loads(EXAMPLE), tmp_path / "nowhere" / "f.circuit")
    assert os.listdir(tmp_path) == []


def test_save_onto_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(CircuitError, match="is a folder"):
        engine.save(engine.loads(EXAMPLE), tmp_path / "d")
    assert os.listdir(tmp_path) == ["d"]


def _old_file(tmp_path):
    path = tmp_path / "f.circuit"
    path.write_bytes(b"the old bytes")
    return path


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch, broken):
    path = _old_file(tmp_path)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, broken, fail)
    with pytest.raises(CircuitError, match="f.circuit: cannot save: No space left on device"):
        engine.save(engine.loads(EXAMPLE), path)
    monkeypatch.undo()
    assert path.read_bytes() == b"the old bytes"
    assert os.listdir(tmp_path) == ["f.circuit"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = _old_file(tmp_path)
    real_fdopen = os.fdopen

    class Breaking:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[:10])
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Breaking(real_fdopen(*a, **k)))
    with pytest.raises(CircuitError, match="Input/output error"):
        engine.save(engine.loads(EXAMPLE), path)
    monkeypatch.undo()
    assert path.read_bytes() == b"the old bytes"
    assert os.listdir(tmp_path) == ["f.circuit"]


def test_a_circuit_that_cannot_be_written_keeps_the_old_file(tmp_path):
    path = _old_file(tmp_path)
    circuit = engine.loads(EXAMPLE)
    circuit.set_extra("view", {"zoom": float("nan")})
    with pytest.raises(CircuitError, match="f.circuit: cannot save: cannot write 'view'"):
        engine.save(circuit, path)
    circuit.set_extra("view", object())
    with pytest.raises(CircuitError, match="cannot write 'view'"):
        engine.save(circuit, path)
    assert path.read_bytes() == b"the old bytes"
    assert os.listdir(tmp_path) == ["f.circuit"]


def test_an_unexpected_error_still_keeps_the_old_file(tmp_path, monkeypatch):
    path = _old_file(tmp_path)

    def fail(*args):
        raise RuntimeError("something odd")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(CircuitError, match="cannot save: something odd"):
        engine.save(engine.loads(EXAMPLE), path)
    monkeypatch.undo()
    assert path.read_bytes() == b"the old bytes"
    assert os.listdir(tmp_path) == ["f.circuit"]


def test_a_new_file_gets_the_permissions_open_would_give_it(tmp_path):
    old_mask = os.umask(0o022)
    try:
        engine.save(engine.loads(EXAMPLE), tmp_path / "new.circuit")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE((tmp_path / "new.circuit").stat().st_mode) == 0o644


def test_save_keeps_the_files_permissions(tmp_path):
    path = _old_file(tmp_path)
    path.chmod(0o640)
    engine.save(engine.loads(EXAMPLE), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert engine.run(engine.load(path)).value == -12.0


def test_numpy_numbers_in_extra_are_written(tmp_path):
    import numpy as np

    circuit = engine.loads(EXAMPLE)
    circuit.set_extra("dataset", {"points": np.array([[0.5, 1.0]]), "count": np.int64(1)})
    assert json.loads(engine.dumps(circuit))["dataset"] == {"points": [[0.5, 1.0]], "count": 1}
