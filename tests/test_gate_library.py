"""The gate library: a teacher exports gates to a file, a student imports them (engine side).

The library holds the lecture's sigmoid gate ``sig``, a 2-port ``neuron`` = sig(w * x) that uses
it, and the guide's ``MultiplyGate`` as a code gate (tests/gate_library_files.py).
"""

import json

import pytest

import engine
from engine import CLASH, NEW, RENAME, REPLACE, SAME, SKIP, CircuitError, ClashChoice
from tests.gate_library_files import (MALFORMED, STUDENT, STUDENT_TWO_PORT_SIG, TEACHER,
                                      sigmoid, write)


def teacher() -> engine.Circuit:
    return engine.loads(TEACHER)


def neuron_in(circuit: engine.Circuit, w: float, x: float, op: str = "neuron") -> engine.Result:
    """Wire inputs w and x into a new gate ``op`` of ``circuit`` and run it."""
    circuit.add_node("input", "w_in", value=w)
    circuit.add_node("input", "x_in", value=x)
    circuit.add_node(op, "out")
    circuit.connect("w_in", "out", 0)
    circuit.connect("x_in", "out", 1)
    circuit.set_output("out")
    return engine.run(circuit)


def test_exporting_a_gate_brings_the_gates_it_uses_and_loads_back(tmp_path):
    path = tmp_path / "week4.circuit"
    engine.export_gates(teacher(), ["neuron"], path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert list(data["gates"]) == ["sig", "neuron"]  # sig comes along: neuron uses it
    assert data["nodes"] == [] and data["wires"] == []
    library = engine.load(path)
    assert list(library.definitions) == ["sig", "neuron"]
    assert library.definitions["neuron"].ports == ("w", "x")


def test_export_then_import_gives_the_same_numbers_as_the_teachers_circuit(tmp_path):
    path = tmp_path / "week4.circuit"
    engine.export_gates(teacher(), ["neuron", "MultiplyGate"], path)
    student = engine.Circuit("empty")
    plan = engine.gate_import(student, engine.read_gate_library(path), ["neuron"])
    plan.apply(student)
    assert list(student.definitions) == ["sig", "neuron"]
    result = neuron_in(student, 2.0, -1.0)
    s = sigmoid(2.0 * -1.0)
    assert result.value == pytest.approx(s, rel=1e-14)
    assert result.grads["w_in"] == pytest.approx(s * (1 - s) * -1.0, rel=1e-14)
    assert result.grads["x_in"] == pytest.approx(s * (1 - s) * 2.0, rel=1e-14)
    again = engine.loads(engine.dumps(student))
    assert engine.run(again).value == result.value


def test_an_export_is_written_atomically_and_a_failure_leaves_the_old_file(tmp_path):
    path = write(tmp_path, "old.circuit", "keep me")
    with pytest.raises(CircuitError, match="no gate 'nope'"):
        engine.export_gates(teacher(), ["nope"], path)
    assert path.read_text(encoding="utf-8") == "keep me"


def test_a_code_gate_comes_in_untrusted_and_the_summary_says_so():
    student = engine.Circuit()
    plan = engine.gate_import(student, teacher(), ["MultiplyGate"])
    plan.apply(student)
    gate = student.definitions["MultiplyGate"]
    assert gate.kind == "code" and gate.trusted is False
    assert "is not trusted" in gate.problem
    assert plan.summary() == ("Imported 1 gate (MultiplyGate); code not trusted yet: "
                              "MultiplyGate")


def test_a_clash_is_never_decided_silently():
    student = engine.loads(STUDENT)
    assert engine.compare_gates(student, teacher()) == {
        "sig": CLASH, "neuron": NEW, "MultiplyGate": NEW}
    with pytest.raises(CircuitError, match="different gate 'sig': choose to rename"):
        engine.gate_import(student, teacher(), ["sig"])


def test_renaming_a_clashing_gate_renames_its_use_inside_the_gate_that_needs_it():
    student = engine.loads(STUDENT)
    mine = student.definitions["sig"]
    plan = engine.gate_import(student, teacher(), ["neuron"],
                              {"sig": ClashChoice(RENAME, "sig_2")})
    plan.apply(student)
    assert list(student.definitions) == ["sig", "sig_2", "neuron"]
    assert student.definitions["sig"] is mine  # the student's own, untouched
    inside = student.definitions["neuron"].circuit
    assert inside.nodes["s"].op == "sig_2"
    assert engine.run(student).value == 6.0  # the student's sig still doubles 3
    result = neuron_in(student, 0.5, 4.0)
    assert result.value == pytest.approx(sigmoid(2.0), rel=1e-14)
    assert plan.summary() == "Imported 2 gates (sig as sig_2, neuron)"


def test_a_new_name_must_be_free_and_a_gates_name():
    student = engine.loads(STUDENT)
    for new_name, message in [("sig", "already has a gate called 'sig'"),
                              ("mul", "built-in gate's name"), ("2x", "must be a word")]:
        with pytest.raises(CircuitError, match=message):
            engine.gate_import(student, teacher(), ["sig"], {"sig": ClashChoice(RENAME, new_name)})
    assert engine.free_gate_name(student, "sig") == "sig_2"


def test_an_identical_gate_is_already_here_not_a_clash():
    student = engine.loads(TEACHER)
    student.definitions["sig"].circuit.move("e", (999, 999))  # where a gate sits inside is not
    assert engine.compare_gates(student, teacher()) == {  # what it computes
        "sig": SAME, "neuron": SAME, "MultiplyGate": SAME}
    before = dict(student.definitions)
    plan = engine.gate_import(student, teacher(), ["neuron", "MultiplyGate"])
    plan.apply(student)
    assert student.definitions == before
    assert plan.summary() == "Imported nothing; 3 already here (sig, neuron, MultiplyGate)"


def test_a_gate_whose_entry_is_the_same_but_uses_a_different_gate_clashes():
    student = engine.loads(TEACHER)
    student.definitions["sig"].circuit.set_param("neg", "c", -2.0)  # sigma(2z), not sigma(z)
    assert engine.compare_gates(student, teacher()) == {
        "sig": CLASH, "neuron": CLASH, "MultiplyGate": SAME}


def test_replacing_keeps_the_port_count_of_the_gates_uses():
    student = engine.loads(STUDENT_TWO_PORT_SIG)
    with pytest.raises(CircuitError) as refused:
        engine.gate_import(student, teacher(), ["sig"], {"sig": ClashChoice(REPLACE)})
    assert str(refused.value) == "cannot import sig: sig is in use with 2 ports; it cannot get 1"
    assert student.definitions["sig"].ports == ("p", "q")


def test_replacing_and_taking_back_restores_the_definitions_exactly():
    student = engine.loads(STUDENT)
    before = list(student.definitions.items())
    plan = engine.gate_import(student, teacher(), ["neuron", "MultiplyGate"],
                              {"sig": ClashChoice(REPLACE), "neuron": ClashChoice(REPLACE)})
    done = plan.apply(student)
    assert list(student.definitions) == ["sig", "neuron", "MultiplyGate"]
    assert engine.run(student).values["d"] == pytest.approx(sigmoid(3.0), rel=1e-14)
    plan.take_back(student, done)
    assert list(student.definitions.items()) == before
    assert engine.run(student).values["d"] == 6.0


def test_skipping_a_used_gate_makes_the_import_use_the_circuits_own():
    student = engine.loads(STUDENT)
    plan = engine.gate_import(student, teacher(), ["neuron"], {"sig": ClashChoice(SKIP)})
    plan.apply(student)
    assert plan.skipped == ("sig",)
    assert student.definitions["neuron"].circuit.nodes["s"].op == "sig"
    assert neuron_in(student, 0.5, 4.0).value == 4.0  # the student's sig: 2 * (0.5 * 4)
    assert plan.summary() == "Imported 1 gate (neuron); skipped 1"


def test_skipping_a_used_gate_with_other_ports_is_refused():
    student = engine.loads(STUDENT_TWO_PORT_SIG)
    with pytest.raises(CircuitError, match="neuron uses sig with 1 port; this circuit's sig "
                                           "has 2: rename or replace sig"):
        engine.gate_import(student, teacher(), ["neuron"], {"sig": ClashChoice(SKIP)})


def test_two_imported_gates_cannot_end_up_with_one_name():
    library = teacher()
    student = engine.loads(STUDENT)
    with pytest.raises(CircuitError, match="both be called 'MultiplyGate'"):
        engine.gate_import(student, library, ["sig", "MultiplyGate"],
                           {"sig": ClashChoice(RENAME, "MultiplyGate")})


def test_a_malformed_library_says_what_is_wrong_and_where(tmp_path):
    path = write(tmp_path, "broken.circuit", MALFORMED)
    with pytest.raises(CircuitError) as refused:
        engine.read_gate_library(path)
    assert str(refused.value).startswith(f"{path}: gates.sig.nodes[1].op: unknown gate "
                                         "'sigmoidd'")
    plain = write(tmp_path, "plain.circuit", json.dumps(
        {"format": "circuitgrad", "version": 1, "nodes": [{"id": "x", "op": "input", "value": 1}]}))
    with pytest.raises(CircuitError, match="defines no gates of its own"):
        engine.read_gate_library(plain)
    cut = write(tmp_path, "cut.circuit", TEACHER[:200])
    with pytest.raises(CircuitError, match=str(cut)):
        engine.read_gate_library(cut)
