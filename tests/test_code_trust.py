"""Code gates in circuits (FORMAT.md 6): never run untrusted, checked once trusted, and a gate
that fails while running is left out of the runs that follow.

The guide's (x + y) * z at (-2, 5, -4) with MultiplyGate written in Python gives -12 and the
gradients (-4, -4, 3).
"""

import json

import numpy as np
import pytest

import engine
from engine import CircuitError

MULTIPLY = ("class MultiplyGate:\n"
            "    def forward(self, x, y):\n"
            "        self.x, self.y = x, y\n"
            "        return x * y\n"
            "\n"
            "    def backward(self, dz):\n"
            "        return {grads}\n")


# multiplies, but refuses an x over 100 (which the check's inputs never reach)
PICKY = ("class Picky:\n"
         "    def forward(self, x, y):\n"
         "        if x > 100:\n"
         "            raise ValueError('too big')\n"
         "        self.x, self.y = x, y\n"
         "        return x * y\n"
         "    def backward(self, dz):\n"
         "        return self.y * dz, self.x * dz\n")


def guide_file(grads="self.y * dz, self.x * dz", code=None) -> dict:
    return {"format": "circuitgrad", "version": 2, "title": "guide",
            "gates": {"MultiplyGate": {"ports": ["x", "y"],
                                       "code": code or MULTIPLY.format(grads=grads)}},
            "nodes": [{"id": "x", "op": "input", "value": -2.0},
                      {"id": "y", "op": "input", "value": 5.0},
                      {"id": "z", "op": "input", "value": -4.0},
                      {"id": "q", "op": "add"}, {"id": "f", "op": "MultiplyGate"}],
            "wires": [{"from": "x", "to": "q", "port": 0}, {"from": "y", "to": "q", "port": 1},
                      {"from": "q", "to": "f", "port": 0}, {"from": "z", "to": "f", "port": 1}]}


def loaded(**kwargs) -> engine.Circuit:
    return engine.loads(json.dumps(guide_file(**kwargs)))


def test_the_guides_multiply_gate_in_python_gives_the_guides_numbers_once_trusted():
    circuit = loaded()
    checks = engine.trust_code(circuit)
    assert checks["MultiplyGate"].passed
    result = engine.run(circuit)
    assert result.value == -12.0
    assert [result.grads[k] for k in "xyz"] == [-4.0, -4.0, 3.0]
    assert engine.check_gradients(circuit).passed


def test_untrusted_code_is_never_run_and_the_gate_is_left_out(tmp_path):
    marker = tmp_path / "ran"
    code = (f"open({str(marker)!r}, 'w').close()\n"
            + MULTIPLY.format(grads="self.y * dz, self.x * dz"))
    circuit = loaded(code=code)
    result = engine.run(circuit, allow_incomplete=True)
    assert not result.has_gradients
    assert "code gate 'MultiplyGate' is not trusted" in result.gate_problems[0][1]
    with pytest.raises(CircuitError, match="not trusted"):
        engine.run(circuit)
    engine.dumps(circuit)
    assert not marker.exists()


def test_a_code_gate_is_written_back_exactly_and_makes_the_file_version_2():
    circuit = loaded()
    data = json.loads(engine.dumps(circuit))
    assert data["version"] == 2
    assert data["gates"]["MultiplyGate"] == guide_file()["gates"]["MultiplyGate"]
    again = engine.loads(engine.dumps(circuit))
    assert again.definitions["MultiplyGate"].code == circuit.definitions["MultiplyGate"].code
    assert not again.definitions["MultiplyGate"].trusted


def test_a_wrong_backward_fails_its_check_naming_the_port_and_blocks_the_circuit():
    circuit = loaded(grads="self.y * dz, self.y * dz")
    check = engine.trust_code(circuit)["MultiplyGate"]
    assert not check.passed
    assert "port y is wrong" in check.message and "port x" not in check.message
    result = engine.run(circuit, allow_incomplete=True)
    assert "fails its gradient check" in result.gate_problems[0][1]
    assert result.values["q"] == 3.0  # upstream of the gate still runs


def test_fixing_the_backward_makes_the_circuit_run():
    circuit = loaded(grads="raise NotImplementedError")
    assert not engine.trust_code(circuit)["MultiplyGate"].passed
    fixed = engine.CodeDefinition("MultiplyGate", ("x", "y"),
                                  MULTIPLY.format(grads="self.y * dz, self.x * dz"),
                                  trusted=True)
    circuit.define_gate(fixed)
    assert engine.check_code_definition(circuit, "MultiplyGate").passed
    assert engine.run(circuit).value == -12.0


def test_a_gate_that_fails_while_running_is_marked_and_left_out():
    circuit = loaded(code=PICKY)
    assert engine.trust_code(circuit)["MultiplyGate"].passed
    result = engine.run(circuit, {"x": 200.0}, allow_incomplete=True)
    assert not result.has_gradients
    assert "too big" in result.gate_problems[0][1]
    assert "line 4" in circuit.definitions["MultiplyGate"].failure


def test_a_batch_goes_through_a_code_gate_on_numbers():
    circuit = loaded()
    engine.trust_code(circuit)
    xs = np.linspace(-1.0, 1.0, 5)
    result = engine.run(circuit, {"x": xs})
    np.testing.assert_array_equal(result.values["f"], (xs + 5.0) * -4.0)
    assert result.grads["z"] == pytest.approx(float(np.sum(xs + 5.0)))
    np.testing.assert_array_equal(result.grads["x"], np.full(5, -4.0))


def test_a_code_gate_that_cannot_take_arrays_runs_a_batch_point_by_point():
    code = ("import math\n"
            "class Exp:\n"
            "    def forward(self, x, y):\n"
            "        self.y, self.e = y, math.exp(x) * y\n"
            "        return self.e\n"
            "    def backward(self, dz):\n"
            "        return self.e * dz, self.e / self.y * dz\n")
    circuit = loaded(code=code)
    assert engine.trust_code(circuit)["MultiplyGate"].passed
    xs = np.array([-7.0, -6.0])  # q = x + 5 = -2, -1
    result = engine.run(circuit, {"x": xs})
    np.testing.assert_allclose(result.values["f"], np.exp(xs + 5.0) * -4.0, rtol=1e-15)


def test_the_trust_fingerprint_changes_with_the_code():
    first, second = loaded(), loaded(grads="self.y * dz, self.x * dz + 0")
    assert first.code_fingerprint() and first.code_fingerprint() == loaded().code_fingerprint()
    assert first.code_fingerprint() != second.code_fingerprint()
    assert engine.Circuit().code_fingerprint() == ""


def test_code_being_written_is_checked_where_the_gate_is_used_without_changing_the_file():
    circuit = loaded(grads="raise NotImplementedError")
    before = engine.dumps(circuit)
    wrong = engine.check_code_candidate(circuit, "MultiplyGate", ("x", "y"),
                                        MULTIPLY.format(grads="dz, dz"))
    assert not wrong.passed
    assert "the circuit's inputs (x=3, y=-4)" in wrong.message
    right = engine.check_code_candidate(circuit, "MultiplyGate", ("x", "y"),
                                        MULTIPLY.format(grads="self.y * dz, self.x * dz"))
    assert right.passed
    assert engine.dumps(circuit) == before
    assert not circuit.definitions["MultiplyGate"].trusted


def test_a_syntax_error_is_named_with_its_line_without_trusting_or_running_anything():
    circuit = loaded(grads="self.y * dz,, self.x * dz")
    result = engine.run(circuit, allow_incomplete=True)
    assert "has a syntax error, line 7: SyntaxError" in result.gate_problems[0][1]
    check = engine.trust_code(circuit)["MultiplyGate"]
    assert not check.passed and check.error.line == 7


def test_an_untrusted_gates_row_runs_no_code_whoever_calls_it(tmp_path):
    marker = tmp_path / "ran"
    code = (f"open({str(marker)!r}, 'w').close()\n"
            + MULTIPLY.format(grads="self.y * dz, self.x * dz"))
    circuit = loaded(code=code)
    row = circuit.gates["MultiplyGate"]
    with pytest.raises(CircuitError, match="not trusted"):
        row.forward([np.float64(1.0), np.float64(2.0)], {})
    with pytest.raises(CircuitError, match="not trusted"):
        engine.check_code_definition(circuit, "MultiplyGate")
    assert not marker.exists()


def test_only_a_run_marks_a_code_gate_stopped_not_a_probe_at_other_numbers():
    circuit = loaded(code=PICKY)
    engine.trust_code(circuit)
    with pytest.raises(CircuitError, match="too big"):
        circuit.gates["MultiplyGate"].forward([np.float64(200.0), np.float64(1.0)], {})
    assert circuit.definitions["MultiplyGate"].failure == ""
    assert engine.run(circuit).value == -12.0


def test_a_checked_draft_is_not_kept_by_the_host():
    circuit = loaded()
    host = engine.CodeHost()
    try:
        engine.check_code_candidate(circuit, "MultiplyGate", ("x", "y"),
                                    MULTIPLY.format(grads="dz, dz"), host=host)
        assert host._definitions == {}
    finally:
        host.close()


MATH_ONLY = ("import math\n"
             "class Exp:\n"
             "    def forward(self, x, y):\n"
             "        self.y, self.e = y, math.exp(x) * y\n"
             "        return self.e\n"
             "    def backward(self, dz):\n"
             "        return self.e * dz, self.e / self.y * dz\n")


def test_code_that_takes_no_arrays_refuses_a_grid_with_a_message_and_is_not_marked():
    from engine.code_gate_rows import MAX_POINT_BY_POINT
    circuit = loaded(code=MATH_ONLY)
    assert engine.trust_code(circuit)["MultiplyGate"].passed
    plan = engine.plan_of(circuit)
    xs = np.linspace(-7.0, -6.0, MAX_POINT_BY_POINT + 1)
    with pytest.raises(CircuitError, match="write it with numpy"):
        plan.forward({"x": xs})
    assert circuit.definitions["MultiplyGate"].failure == ""
    small = engine.run(circuit, {"x": xs[:8]})
    np.testing.assert_allclose(small.values["f"], np.exp(xs[:8] + 5.0) * -4.0, rtol=1e-15)
