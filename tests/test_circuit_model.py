"""The Circuit document: editing methods, refusals that name the problem, change notifications,
and structure_version (bumped by structural changes only)."""

import pytest

import engine
from engine import Change, CircuitError, Wire
from helpers import build, example


def recorder(circuit):
    """Subscribe to ``circuit`` and return the list its changes are appended to."""
    changes = []
    circuit.subscribe(changes.append)
    return changes


def kinds(changes):
    return [change.kind for change in changes]


def add_mul():
    """The lecture's f = (x + y) * z."""
    return build({"x": ("input", -2.0), "y": ("input", 5.0), "z": ("input", -4.0),
                  "q": "add", "f": "mul"}, {"q": ["x", "y"], "f": ["q", "z"]})


# ------------------------------------------------------------------ adding nodes
def test_add_node_gives_defaults_from_the_gate_table():
    circuit = engine.Circuit()
    x = circuit.add_node("input", "x")
    s = circuit.add_node("scale")
    o = circuit.add_node("offset")
    m = circuit.add_node("mul")
    e = circuit.add_node("exp")
    assert (x.value, x.n_inputs, x.trainable, x.feature) == (0.0, 0, True, None)
    assert s.params == {"c": -1.0} and o.params == {"c": 1.0}
    assert (m.n_inputs, e.n_inputs) == (2, 1)
    assert (s.id, o.id, m.id, e.id) == ("scale", "offset", "mul", "exp")


def test_add_node_makes_unique_ids_mul_mul2_mul3():
    circuit = engine.Circuit()
    assert [circuit.add_node("mul").id for _ in range(3)] == ["mul", "mul2", "mul3"]


def test_add_node_sends_node_added_and_bumps_structure_version():
    circuit = engine.Circuit()
    changes = recorder(circuit)
    version = circuit.structure_version
    circuit.add_node("input", "x", value=1.5, pos=(10, 20))
    assert changes == [Change("node_added", "x")]
    assert circuit.structure_version == version + 1
    assert circuit.node("x").pos == (10.0, 20.0)


@pytest.mark.parametrize("call, message", [
    (lambda c: c.add_node("mull", "m"), "unknown gate 'mull'"),
    (lambda c: c.add_node("mul", "x"), "there is already a node 'x'"),
    (lambda c: c.add_node("mul", ""), "non-empty"),
    (lambda c: c.add_node("mul", "m", value=1.0), "a mul gate has no value"),
    (lambda c: c.add_node("input", "v", value=float("nan")), "not a finite number"),
    (lambda c: c.add_node("input", "v", value=float("inf")), "not a finite number"),
    (lambda c: c.add_node("input", "v", value="abc"), "not a number"),
    (lambda c: c.add_node("exp", "e", params={"c": 1.0}), "exp gate has no param 'c'"),
    (lambda c: c.add_node("pow", "p", params={"p": float("nan")}), "not a finite number"),
    (lambda c: c.add_node("add", "a", inputs=17), "takes 2 to 16 inputs, not 17"),
    (lambda c: c.add_node("add", "a", inputs=1), "takes 2 to 16 inputs, not 1"),
    (lambda c: c.add_node("sub", "s", inputs=3), "a sub gate has exactly 2 inputs"),
    (lambda c: c.add_node("exp", "e", feature=0), "only inputs can be bound to a data feature"),
    (lambda c: c.add_node("input", "v", feature=-1), "feature must be a whole number >= 0"),
])
def test_add_node_refusals_name_the_problem(call, message):
    circuit = build({"x": ("input", 1.0)})
    version = circuit.structure_version
    with pytest.raises(CircuitError, match=message):
        call(circuit)
    assert list(circuit.nodes) == ["x"]
    assert circuit.structure_version == version


# ------------------------------------------------------------------ removing nodes
def test_remove_node_removes_its_wires_too():
    circuit = add_mul()
    changes = recorder(circuit)
    removed = circuit.remove_node("q")
    assert set(removed) == {Wire("x", "q", 0), Wire("y", "q", 1), Wire("q", "f", 0)}
    assert "q" not in circuit.nodes
    assert circuit.wires() == [Wire("z", "f", 1)]
    assert kinds(changes) == ["wire_removed"] * 3 + ["node_removed"]
    assert changes[-1].node_id == "q" and changes[-1].old.op == "add"
    assert circuit.unconnected_ports() == [("f", 0)]


def test_removing_the_explicit_output_clears_it():
    circuit = add_mul()
    circuit.set_output("f")
    circuit.remove_node("f")
    assert circuit.explicit_output is None
    with pytest.raises(CircuitError, match="no output: 2 nodes feed nothing"):
        circuit.output_id()


def test_remove_missing_node_is_refused():
    with pytest.raises(CircuitError, match="no node 'nope'"):
        add_mul().remove_node("nope")


# ------------------------------------------------------------------ wires
def test_connect_and_disconnect_send_wire_changes():
    circuit = build({"x": ("input", 1.0), "e": "exp"})
    changes = recorder(circuit)
    assert circuit.connect("x", "e", 0) is None
    assert circuit.source_of("e", 0) == "x"
    assert circuit.consumers_of("x") == [("e", 0)]
    assert circuit.disconnect("e", 0) == "x"
    assert circuit.source_of("e", 0) is None
    assert changes == [Change("wire_added", "e", wire=Wire("x", "e", 0)),
                       Change("wire_removed", "e", wire=Wire("x", "e", 0))]


def test_a_wire_that_closes_a_cycle_is_refused_naming_the_cycle():
    circuit = add_mul()
    version = circuit.structure_version
    with pytest.raises(CircuitError, match="would close a cycle f -> q -> f"):
        circuit.connect("f", "q", 0, replace_existing=True)
    with pytest.raises(CircuitError, match="would close a cycle q -> q"):
        circuit.connect("q", "q", 0, replace_existing=True)
    assert circuit.source_of("q", 0) == "x"
    assert circuit.structure_version == version
    assert circuit.can_connect("f", "q", 0) == "would close a cycle f -> q -> f"


def test_a_longer_cycle_is_named_in_full():
    circuit = build({"x": ("input", 1.0), "a": "exp", "b": "neg", "c": "tanh", "d": "sigmoid"},
                    {"a": ["x"], "b": ["a"], "c": ["b"]})
    with pytest.raises(CircuitError, match="would close a cycle c -> a -> b -> c"):
        circuit.connect("c", "a", 0, replace_existing=True)


def test_a_port_holds_one_wire_unless_replace_existing():
    circuit = add_mul()
    with pytest.raises(CircuitError, match="f port 1 already has a wire from z"):
        circuit.connect("x", "f", 1)
    changes = recorder(circuit)
    assert circuit.connect("x", "f", 1, replace_existing=True) == "z"
    assert circuit.source_of("f", 1) == "x"
    assert kinds(changes) == ["wire_removed", "wire_added"]


@pytest.mark.parametrize("src, dst, port, message", [
    ("x", "f", 2, r"f \(mul\) has no input port 2"),
    ("x", "f", -1, r"f \(mul\) has no input port -1"),
    ("q", "x", 0, r"x \(input\) has no input ports"),
    ("nope", "f", 0, "no node 'nope'"),
    ("x", "nope", 0, "no node 'nope'"),
])
def test_wires_to_missing_nodes_or_ports_are_refused(src, dst, port, message):
    with pytest.raises(CircuitError, match=message):
        add_mul().connect(src, dst, port)


def test_disconnecting_an_empty_port_is_refused():
    circuit = add_mul()
    circuit.disconnect("f", 1)
    with pytest.raises(CircuitError, match="f port 1 has no wire"):
        circuit.disconnect("f", 1)


def test_fan_out_an_output_feeds_many_ports():
    circuit = build({"x": ("input", 3.0), "f": "mul"}, {"f": ["x", "x"]})
    assert circuit.consumers_of("x") == [("f", 0), ("f", 1)]


# ------------------------------------------------------------------ changing nodes
def test_set_value_sends_old_and_new_and_keeps_the_structure_version():
    circuit = add_mul()
    changes = recorder(circuit)
    version = circuit.structure_version
    circuit.set_value("x", 1.5)
    assert changes == [Change("node_changed", "x", field="value", old=-2.0, new=1.5)]
    assert circuit.structure_version == version
    with pytest.raises(CircuitError, match="add gate has no value"):
        circuit.set_value("q", 1.0)
    with pytest.raises(CircuitError, match="not a finite number"):
        circuit.set_value("x", float("nan"))
    assert circuit.node("x").value == 1.5


def test_set_param_changes_one_param():
    circuit = build({"x": ("input", 1.0), "s": ("scale", {"params": {"c": 2.0}})}, {"s": ["x"]})
    changes = recorder(circuit)
    circuit.set_param("s", "c", -1.0)
    assert circuit.node("s").params == {"c": -1.0}
    assert changes == [Change("node_changed", "s", field="params", old={"c": 2.0},
                              new={"c": -1.0})]
    with pytest.raises(CircuitError, match="a scale gate has no param 'p'"):
        circuit.set_param("s", "p", 2.0)
    with pytest.raises(CircuitError, match="input gate has no param 'c'"):
        circuit.set_param("x", "c", 2.0)


def test_set_input_count_grows_and_shrinks_dropping_wires_on_removed_ports():
    circuit = build({f"x{i}": ("input", float(i)) for i in range(4)} | {"s": "add"},
                    {"s": ["x0", "x1", "x2", "x3"]})
    assert circuit.node("s").n_inputs == 4
    changes = recorder(circuit)
    version = circuit.structure_version
    dropped = circuit.set_input_count("s", 2)
    assert dropped == [Wire("x2", "s", 2), Wire("x3", "s", 3)]
    assert circuit.inputs_of("s") == ["x0", "x1"]
    assert kinds(changes) == ["wire_removed", "wire_removed", "node_changed"]
    assert changes[-1] == Change("node_changed", "s", field="n_inputs", old=4, new=2)
    assert circuit.structure_version > version
    assert circuit.set_input_count("s", 5) == []
    assert circuit.inputs_of("s") == ["x0", "x1", None, None, None]
    assert circuit.unconnected_ports() == [("s", 2), ("s", 3), ("s", 4)]
    with pytest.raises(CircuitError, match="takes 2 to 16 inputs, not 17"):
        circuit.set_input_count("s", 17)


def test_set_input_count_on_a_fixed_gate_is_refused():
    circuit = build({"e": "exp"})
    with pytest.raises(CircuitError, match="exp gate has exactly 1 input"):
        circuit.set_input_count("e", 2)


def test_move_set_label_set_feature_set_trainable_are_not_structural():
    circuit = add_mul()
    changes = recorder(circuit)
    version = circuit.structure_version
    circuit.move("q", (200, 60))
    circuit.set_label("q", "x + y")
    circuit.set_feature("x", 0)
    circuit.set_trainable("y", False)
    circuit.set_title("renamed")
    assert circuit.structure_version == version
    assert [(c.kind, c.node_id, c.field) for c in changes] == [
        ("node_changed", "q", "pos"), ("node_changed", "q", "label"),
        ("node_changed", "x", "feature"), ("node_changed", "y", "trainable"),
        ("title_changed", None, None)]
    assert circuit.node("q").pos == (200.0, 60.0) and circuit.node("q").name == "x + y"
    assert circuit.node("x").is_data and not circuit.node("x").is_movable
    assert not circuit.node("y").is_movable
    assert circuit.movable_inputs() == ["z"]
    circuit.set_label("q", "")
    assert circuit.node("q").label is None and circuit.node("q").name == "q"
    circuit.set_feature("x", None)
    assert circuit.movable_inputs() == ["x", "z"]


def test_features_and_freezing_are_for_inputs_only():
    circuit = add_mul()
    with pytest.raises(CircuitError, match="only inputs can be bound to a data feature"):
        circuit.set_feature("q", 0)
    with pytest.raises(CircuitError, match="only inputs can be frozen"):
        circuit.set_trainable("q", False)
    with pytest.raises(CircuitError, match="feature must be a whole number >= 0"):
        circuit.set_feature("x", 1.5)


def test_rename_keeps_the_wires_and_the_output():
    circuit = add_mul()
    circuit.set_output("f")
    changes = recorder(circuit)
    version = circuit.structure_version
    circuit.rename("q", "sum")
    circuit.rename("f", "out")
    assert changes == [Change("node_renamed", "sum", old="q", new="sum"),
                       Change("node_renamed", "out", old="f", new="out")]
    assert circuit.structure_version == version + 2
    assert set(circuit.wires()) == {Wire("x", "sum", 0), Wire("y", "sum", 1),
                                    Wire("sum", "out", 0), Wire("z", "out", 1)}
    assert circuit.output_id() == "out"
    assert list(circuit.nodes) == ["x", "y", "z", "sum", "out"]
    assert circuit.node("sum").id == "sum"
    r = engine.run(circuit)
    assert (r.value, r.grads["sum"]) == (-12.0, -4.0)
    with pytest.raises(CircuitError, match="there is already a node 'x'"):
        circuit.rename("sum", "x")


def test_set_output_chooses_the_output_and_is_structural():
    circuit = build({"x": ("input", 2.0), "f": "exp", "g": "neg"}, {"f": ["x"], "g": ["x"]})
    changes = recorder(circuit)
    version = circuit.structure_version
    circuit.set_output("g")
    assert circuit.output_id() == "g"
    assert changes == [Change("output_changed", "g", old=None, new="g")]
    assert circuit.structure_version == version + 1
    assert engine.run(circuit).value == -2.0
    with pytest.raises(CircuitError, match="no node 'h'"):
        circuit.set_output("h")


def test_unsubscribed_listeners_hear_nothing():
    circuit = add_mul()
    changes = recorder(circuit)
    circuit.unsubscribe(changes.append)
    circuit.set_value("x", 0.0)
    assert changes == []


def test_structure_version_bumps_on_structural_changes_only():
    circuit = add_mul()
    steps = [
        (lambda: circuit.set_value("x", 1.0), False),
        (lambda: circuit.move("x", (0, 10)), False),
        (lambda: circuit.set_label("x", "ex"), False),
        (lambda: circuit.set_feature("x", 1), False),
        (lambda: circuit.set_trainable("x", False), False),
        (lambda: circuit.set_title("t"), False),
        (lambda: circuit.add_node("scale", "s"), True),
        (lambda: circuit.set_param("s", "c", 3.0), False),
        (lambda: circuit.connect("f", "s", 0), True),
        (lambda: circuit.disconnect("s", 0), True),
        (lambda: circuit.set_input_count("q", 3), True),
        (lambda: circuit.rename("s", "s2"), True),
        (lambda: circuit.set_output("f"), True),
        (lambda: circuit.remove_node("s2"), True),
    ]
    for step, structural in steps:
        before = circuit.structure_version
        step()
        assert (circuit.structure_version > before) == structural, step


# ------------------------------------------------------------------ validation and the output
def test_validate_lists_every_unconnected_port_by_gate_and_port():
    circuit = build({"x": ("input", 1.0), "q": ("add", {"inputs": 3}), "d": "div", "f": "mul"},
                    {"q": ["x"], "f": ["q"]})
    assert circuit.unconnected_ports() == [("q", 1), ("q", 2), ("d", 0), ("d", 1), ("f", 1)]
    with pytest.raises(CircuitError) as caught:
        circuit.validate()
    message = str(caught.value)
    for port in ("q (add) port 1", "q (add) port 2", "d (div) port 0", "d (div) port 1",
                 "f (mul) port 1"):
        assert f"{port} is not connected" in message
    assert "no output: 2 nodes feed nothing (d, f); choose one as the output" in message


def test_a_complete_circuit_validates():
    circuit = add_mul()
    circuit.validate()
    assert circuit.problems() == []
    assert circuit.output_id() == "f" and circuit.sinks() == ["f"]


def test_output_resolution_messages():
    with pytest.raises(CircuitError, match="the circuit has no nodes"):
        engine.Circuit().output_id()
    two_sinks = build({"x": ("input", 1.0), "y": ("input", 2.0)})
    with pytest.raises(CircuitError,
                       match=r"no output: 2 nodes feed nothing \(x, y\); choose one as the output"):
        two_sinks.output_id()
    assert build({"x": ("input", 1.0)}).output_id() == "x"


def test_copy_is_independent_and_has_no_listeners():
    circuit = example("add_mul")
    changes = recorder(circuit)
    twin = circuit.copy()
    twin.set_value("x", 10.0)
    twin.remove_node("z")
    assert changes == []
    assert circuit.node("x").value == -2.0 and "z" in circuit.nodes
    assert engine.run(circuit).value == -12.0
    assert twin.extra == circuit.extra and twin.extra is not circuit.extra


def test_a_position_off_the_canvas_is_refused():
    circuit = build({"x": ("input", 1.0)})
    circuit.move("x", (1e6, -1e6))  # the canvas's far corner is fine
    with pytest.raises(engine.CircuitError, match=r"x: position \(2e\+06, 0\) is off the canvas"):
        circuit.move("x", (2e6, 0))
    assert circuit.nodes["x"].pos == (1e6, -1e6)
    with pytest.raises(engine.CircuitError, match="off the canvas"):
        circuit.add_node("input", "y", value=0.0, pos=(0, 1e300))
    assert "y" not in circuit.nodes


# ------------------------------------------------------------------ the output rule
def test_an_edit_that_loses_an_implicit_output_pins_it_and_unpin_takes_it_back():
    circuit = add_mul()
    assert circuit.explicit_output is None and circuit.implicit_output() == "f"
    pinned = circuit.keeping_output(lambda: circuit.add_node("add", "q2"))  # a second sink
    assert pinned == "f" and circuit.explicit_output == "f"
    assert circuit.sinks() == ["f", "q2"] and circuit.implicit_output() is None
    circuit.remove_node("q2")
    circuit.unpin_output(pinned)
    assert circuit.explicit_output is None and circuit.output_id() == "f"


def test_deleting_a_wire_pins_the_output_the_wire_would_have_lost():
    circuit = add_mul()
    pinned = circuit.keeping_output(lambda: circuit.disconnect("f", 1))  # z now feeds nothing
    assert pinned == "f" and circuit.output_id() == "f"


def test_an_edit_that_keeps_the_output_pins_nothing():
    circuit = add_mul()
    assert circuit.keeping_output(lambda: circuit.set_value("x", 3.0)) is None
    assert circuit.keeping_output(lambda: circuit.set_input_count("q", 3)) is None
    assert circuit.explicit_output is None


def test_a_chosen_output_is_never_pinned_over_nor_unpinned():
    circuit = add_mul()
    circuit.set_output("q")
    pinned = circuit.keeping_output(lambda: circuit.add_node("exp", "e"))
    assert pinned is None
    circuit.unpin_output(pinned)  # nothing was pinned: the user's choice stays
    assert circuit.explicit_output == "q"


def wiring_and_output(circuit):
    return sorted(circuit.wires(), key=str), circuit.explicit_output


def test_the_output_follows_a_wire_into_a_gate_that_feeds_nothing_and_undo_brings_it_back():
    circuit = add_mul()
    circuit.add_node("exp", "e")
    circuit.set_output("f")
    before = wiring_and_output(circuit)
    edit = circuit.connect_keeping_output("f", "e", 0)
    assert circuit.explicit_output == "e" and circuit.source_of("e", 0) == "f"
    circuit.undo_connect(edit)
    assert wiring_and_output(circuit) == before


def test_the_output_stays_for_a_wire_from_another_gate_or_into_a_gate_that_feeds_one():
    circuit = add_mul()
    circuit.add_node("exp", "e")
    circuit.add_node("exp", "e2")
    circuit.set_output("f")
    circuit.connect_keeping_output("q", "e", 0)  # q is not the output
    assert circuit.explicit_output == "f"
    circuit.connect("e", "e2", 0)
    circuit.connect_keeping_output("f", "e", 0)  # replaces q -> e; e feeds e2 already
    assert circuit.explicit_output == "f" and circuit.source_of("e", 0) == "f"


def test_a_wire_that_loses_an_implicit_output_pins_it_and_undo_unpins_and_restores():
    # f is the implicit output; wiring y into f's port 0 in place of q leaves q feeding
    # nothing too: f is pinned, and undo takes the pin and the replacement back
    circuit = add_mul()
    before = wiring_and_output(circuit)
    edit = circuit.connect_keeping_output("y", "f", 0)
    assert circuit.source_of("f", 0) == "y" and circuit.explicit_output == "f"
    assert circuit.output_id() == "f"
    circuit.undo_connect(edit)
    assert wiring_and_output(circuit) == before and circuit.explicit_output is None


def test_upstream_and_downstream_say_which_wires_would_close_a_cycle():
    circuit = add_mul()
    assert circuit.upstream_of("q") == {"q", "x", "y"}
    assert circuit.upstream_of("f") == {"f", "q", "x", "y", "z"}
    assert circuit.downstream_of("x") == {"x", "q", "f"}
    assert circuit.downstream_of("f") == {"f"}
    for src in circuit.nodes:
        for dst in circuit.nodes:
            closes = circuit.cycle_path(src, dst) is not None
            assert closes == (dst in circuit.upstream_of(src)) == (src in
                                                                   circuit.downstream_of(dst))
