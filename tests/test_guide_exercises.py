"""The hacker's guide's exercises: its AddGate, MultiplyGate and SigmoidGate written in Python
(code gates, FORMAT.md 6) with ``backward`` left for the student, wired into the guide's
circuits (assets/examples/guide_exercise_*.circuit); the same files solved are in
assets/solutions/, out of the Examples menu, for a teacher.

Untrusted, nothing runs. Trusted, each gate fails on the line of its ``raise
NotImplementedError``. A student replaces that line with the backward the guide derives, each
gate passes its check, and the circuit gives the guide's numbers: (x + y) * z at (-2, 5, -4)
is -12 with gradients -4, -4, 3; the neuron sig(a*x + b*y + c) at a = 1, b = 2, c = -3,
x = -1, y = 3 is 0.8808 with gradients a -0.105, b 0.315, c 0.105, x 0.105, y 0.210.
"""

import json
import math

import pytest

import engine
from engine import CircuitError
from helpers import EXAMPLES
from test_cli import ok, refused

SOLUTIONS = EXAMPLES.parent / "solutions"
EXERCISES = {"guide_exercise_add_mul": ["AddGate", "MultiplyGate"],
             "guide_exercise_neuron": ["MultiplyGate", "AddGate", "SigmoidGate"]}
RAISE = "raise NotImplementedError"

# What a student writes in place of the raise: the local gradients the guide derives, times dz
STUDENTS_BACKWARD = {
    "MultiplyGate": ["dx = self.y * dz", "dy = self.x * dz", "return dx, dy"],
    "AddGate": ["dx = 1.0 * dz", "dy = 1.0 * dz", "return dx, dy"],
    "SigmoidGate": ["dx = self.s * (1 - self.s) * dz", "return dx"],
}


def exercise(name: str) -> engine.Circuit:
    return engine.load(EXAMPLES / f"{name}.circuit")


def raise_line(code: str) -> int:
    """The 1-based line of the student's ``raise`` in a gate's source."""
    lines = [k for k, line in enumerate(code.splitlines(), 1) if RAISE in line]
    assert len(lines) == 1, code
    return lines[0]


def students_edit(code: str, lines: list[str]) -> str:
    """The source with its raise line replaced by ``lines``, indented as the raise was."""
    source = code.splitlines(keepends=True)
    k = raise_line(code) - 1
    indent = source[k][:len(source[k]) - len(source[k].lstrip())]
    return "".join(source[:k] + [indent + line + "\n" for line in lines] + source[k + 1:])


def write_backward(circuit: engine.Circuit, name: str, lines: list[str]) -> engine.GateCheck:
    """Apply the student's edit of gate ``name`` and re-check it, as the editor's Apply does."""
    old = circuit.definitions[name]
    circuit.define_gate(engine.CodeDefinition(name, old.ports, students_edit(old.code, lines),
                                              old.extra, trusted=True))
    return engine.check_code_definition(circuit, name)


def solved(name: str) -> engine.Circuit:
    """The exercise trusted, every gate's backward written by the student and passing."""
    circuit = exercise(name)
    engine.trust_code(circuit)
    for gate in EXERCISES[name]:
        check = write_backward(circuit, gate, STUDENTS_BACKWARD[gate])
        assert check.passed, check.message
    return circuit


# ------------------------------------------------------------------ the files
@pytest.mark.parametrize("name", EXERCISES)
def test_an_exercise_has_its_gates_as_code_whose_backward_is_left_with_a_comment(name):
    circuit = exercise(name)
    assert list(circuit.definitions) == EXERCISES[name]
    for gate in EXERCISES[name]:
        definition = circuit.definitions[gate]
        assert definition.kind == "code" and not definition.trusted
        assert f"class {gate}:" in definition.code
        lines = definition.code.splitlines()
        k = raise_line(definition.code) - 1
        assert lines[k - 1].strip().startswith("#") and "dz" in lines[k - 1]  # what to return
        assert "def backward(self, dz):" in "\n".join(lines[:k])
    ops = {node.op for node in circuit.nodes.values()}
    assert set(EXERCISES[name]) <= ops
    description = json.loads((EXAMPLES / f"{name}.circuit").read_text("utf-8"))["description"]
    assert "backward" in description and "Trust the file" in description
    assert "replace the raise line" in description


def test_the_exercises_are_in_the_examples_menu_and_their_solutions_are_not():
    from gui.files.file_actions import described_examples
    listed = {path.name: description for _title, path, description in described_examples()}
    for name in EXERCISES:
        assert listed[f"{name}.circuit"]  # its entry tells what to do
        assert (SOLUTIONS / f"{name}.circuit").exists()
    assert not any(title.startswith("Solution") for title, _p, _d in described_examples())


@pytest.mark.parametrize("folder", [EXAMPLES, SOLUTIONS], ids=["exercise", "solution"])
@pytest.mark.parametrize("name", EXERCISES)
def test_an_exercise_file_is_a_version_2_circuit_laid_out_left_to_right(name, folder):
    data = json.loads((folder / f"{name}.circuit").read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("circuitgrad", 2)
    assert data["title"].strip() and data["description"].strip()
    circuit = engine.load(folder / f"{name}.circuit")
    assert circuit.problems() == [] and circuit.output_id() == data["output"]
    positions = {node.id: node.pos for node in circuit.nodes.values()}
    assert {node.op for node in circuit.nodes.values() if node.pos[0] == 0} == {"input"}
    points = sorted(positions.values())
    for i, (x1, y1) in enumerate(points):
        for x2, y2 in points[i + 1:]:
            assert abs(x1 - x2) >= 160 or abs(y1 - y2) >= 80, (name, (x1, y1), (x2, y2))
    for wire in circuit.wires():
        assert positions[wire.src][0] < positions[wire.dst][0], (name, wire)


@pytest.mark.parametrize("name", EXERCISES)
def test_the_solution_is_the_exercise_with_each_raise_line_written(name):
    student, teacher = exercise(name), engine.load(SOLUTIONS / f"{name}.circuit")
    files = [json.loads((folder / f"{name}.circuit").read_text(encoding="utf-8"))
             for folder in (EXAMPLES, SOLUTIONS)]
    for key in ("nodes", "wires", "output"):
        assert files[0][key] == files[1][key]
    for gate in EXERCISES[name]:
        exercise_lines = student.definitions[gate].code.splitlines()
        solution_lines = teacher.definitions[gate].code.splitlines()
        k = raise_line(student.definitions[gate].code) - 1
        assert RAISE not in teacher.definitions[gate].code
        assert solution_lines[:k] == exercise_lines[:k]
        assert solution_lines[k + 1:] == exercise_lines[k + 1:]
        assert solution_lines[k].lstrip().startswith("return ")


# ------------------------------------------------------------------ before the student's work
UNTRUSTED_STOPS = {"guide_exercise_add_mul": {"q": "AddGate", "f": "MultiplyGate"},
                   "guide_exercise_neuron": {"ax": "MultiplyGate", "by": "MultiplyGate",
                                             "axpby": "AddGate", "axpbypc": "AddGate",
                                             "s": "SigmoidGate"}}


@pytest.mark.parametrize("name", EXERCISES)
def test_untrusted_an_exercise_does_not_run_and_names_every_code_gate_node(name):
    circuit = exercise(name)
    result = engine.run(circuit, allow_incomplete=True)
    assert not result.has_gradients
    stops = {node_id: message for node_id, message in result.gate_problems}
    assert set(stops) == set(UNTRUSTED_STOPS[name])
    for node_id, gate in UNTRUSTED_STOPS[name].items():
        assert f"code gate '{gate}' is not trusted" in stops[node_id]
    assert engine.untrusted_code_gates(circuit) == EXERCISES[name]
    assert all(d.check is None for d in circuit.definitions.values())  # never run
    with pytest.raises(CircuitError, match="not trusted"):
        engine.run(circuit)


@pytest.mark.parametrize("name", EXERCISES)
def test_trusted_each_gate_fails_with_not_implemented_error_on_the_line_of_its_raise(name):
    circuit = exercise(name)
    checks = engine.trust_code(circuit)
    assert list(checks) == EXERCISES[name]
    for gate, check in checks.items():
        line = raise_line(circuit.definitions[gate].code)
        assert not check.passed
        assert (check.error.kind, check.error.line) == ("exception", line)
        assert check.message.startswith(f"{gate}.backward, line {line}: NotImplementedError")
    result = engine.run(circuit, allow_incomplete=True)
    assert not result.has_gradients
    assert all("fails its gradient check" in message and "NotImplementedError" in message
               for _node, message in result.gate_problems)


# ------------------------------------------------------------------ the student's backward
def test_add_mul_runs_only_once_both_backwards_pass_and_gives_the_guides_numbers_exactly():
    circuit = exercise("guide_exercise_add_mul")
    engine.trust_code(circuit)
    assert write_backward(circuit, "AddGate", STUDENTS_BACKWARD["AddGate"]).passed
    half = engine.run(circuit, allow_incomplete=True)
    assert half.values["q"] == 3.0 and not half.has_gradients  # MultiplyGate still raises
    assert [node for node, _message in half.gate_problems] == ["f"]
    check = write_backward(circuit, "MultiplyGate", STUDENTS_BACKWARD["MultiplyGate"])
    assert check.passed and "at the circuit's inputs" in check.message
    result = engine.run(circuit)
    assert result.value == -12.0
    assert [result.grads[k] for k in "xyzq"] == [-4.0, -4.0, 3.0, -4.0]
    assert engine.check_gradients(circuit).passed


def test_the_neuron_gives_the_guides_numbers_once_its_three_gates_pass():
    circuit = solved("guide_exercise_neuron")
    result = engine.run(circuit)
    s = 1 / (1 + math.exp(-2.0))  # the guide's sig(a*x + b*y + c) with a*x + b*y + c = 2
    ds = s * (1 - s)
    a, b, c, x, y = 1.0, 2.0, -3.0, -1.0, 3.0
    assert [result.values[k] for k in ("ax", "by", "axpby", "axpbypc")] == [-1.0, 6.0, 5.0, 2.0]
    assert result.value == s and round(result.value, 4) == 0.8808
    expected = {"a": x * ds, "b": y * ds, "c": ds, "x": a * ds, "y": b * ds}
    assert {k: result.grads[k] for k in expected} == expected
    assert {k: round(result.grads[k], 3) for k in expected} == \
        {"a": -0.105, "b": 0.315, "c": 0.105, "x": 0.105, "y": 0.210}
    assert engine.check_gradients(circuit).passed


def test_the_students_file_saved_and_opened_again_asks_for_trust_again_and_runs_once_trusted():
    circuit = solved("guide_exercise_add_mul")
    again = engine.loads(engine.dumps(circuit))
    assert engine.untrusted_code_gates(again) == ["AddGate", "MultiplyGate"]
    assert all(check.passed for check in engine.trust_code(again).values())
    assert engine.run(again).value == -12.0


# ------------------------------------------------------------------ a wrong backward
def _add_mul_with_multiply(lines: list[str]) -> tuple[engine.Circuit, engine.GateCheck]:
    circuit = exercise("guide_exercise_add_mul")
    engine.trust_code(circuit)
    write_backward(circuit, "AddGate", STUDENTS_BACKWARD["AddGate"])
    return circuit, write_backward(circuit, "MultiplyGate", lines)


def test_a_wrong_multiply_backward_is_told_each_wrong_port_with_both_numbers():
    circuit, check = _add_mul_with_multiply(["return dz, dz"])
    assert not check.passed
    at = "at the circuit's inputs (x=3, y=-4)"  # q = 3 and z = -4 reach MultiplyGate
    assert f"port x is wrong: backward gives 1.00, the numerical gradient is -4.00 {at}" \
        in check.message
    assert f"port y is wrong: backward gives 1.00, the numerical gradient is 3.00 {at}" \
        in check.message
    result = engine.run(circuit, allow_incomplete=True)
    assert result.values["q"] == 3.0 and not result.has_gradients
    assert result.gate_problems == [("f", result.gate_problems[0][1])]
    assert "fails its gradient check" in result.gate_problems[0][1]


def test_a_multiply_backward_wrong_in_one_port_names_only_that_port():
    _circuit, check = _add_mul_with_multiply(["return self.y * dz, self.y * dz"])
    assert not check.passed
    assert "port y is wrong: backward gives -4.00, the numerical gradient is 3.00" \
        in check.message
    assert "port x" not in check.message


def test_a_backward_that_forgets_dz_is_told_to_multiply_by_it():
    _circuit, check = _add_mul_with_multiply(["return self.y, self.x"])
    assert not check.passed
    assert "port x is wrong" in check.message and "port y is wrong" in check.message
    assert "with dz = 2.5 (multiply the local gradient by dz)" in check.message


def test_a_wrong_sigmoid_backward_is_told_both_numbers_at_the_neurons_input():
    circuit = exercise("guide_exercise_neuron")
    engine.trust_code(circuit)
    for gate in ("MultiplyGate", "AddGate"):
        write_backward(circuit, gate, STUDENTS_BACKWARD[gate])
    check = write_backward(circuit, "SigmoidGate", ["return (1 - self.s) * dz"])
    s = 1 / (1 + math.exp(-2.0))
    assert (round(1 - s, 2), round(s * (1 - s), 2)) == (0.12, 0.10)
    assert check.message == ("SigmoidGate: port x is wrong: backward gives 0.12, the "
                             "numerical gradient is 0.10 at the circuit's inputs (x=2).")
    result = engine.run(circuit, allow_incomplete=True)
    assert result.values["axpbypc"] == 2.0 and not result.has_gradients


# ------------------------------------------------------------------ the command line
def test_the_cli_runs_the_neuron_solution_with_trust_giving_the_guides_numbers():
    out = ok("eval", SOLUTIONS / "guide_exercise_neuron.circuit", "--trust")
    s = 1 / (1 + math.exp(-2.0))
    assert out["output"] == "s" and out["value"] == s and round(out["value"], 4) == 0.8808
    assert {k: round(out["grads"][k], 3) for k in "abcxy"} == \
        {"a": -0.105, "b": 0.315, "c": 0.105, "x": 0.105, "y": 0.210}


def test_the_cli_runs_the_add_mul_solution_with_trust_giving_the_guides_numbers():
    out = ok("eval", SOLUTIONS / "guide_exercise_add_mul.circuit", "--trust")
    assert out["value"] == -12.0 and [out["grads"][k] for k in "xyz"] == [-4.0, -4.0, 3.0]


def test_the_cli_refuses_an_exercise_without_trust_and_names_the_missing_backward_with_it():
    path = EXAMPLES / "guide_exercise_neuron.circuit"
    message = refused(3, "eval", path)
    assert "code gate 'MultiplyGate'" in message and "--trust" in message
    message = refused(3, "eval", path, "--trust")
    line = raise_line(exercise("guide_exercise_neuron").definitions["MultiplyGate"].code)
    assert f"MultiplyGate.backward, line {line}: NotImplementedError" in message
