"""The gradient check tests a file's own gate as one gate: its backward against centred
differences of its forward, at random inputs and at the values the circuit feeds it."""

import dataclasses
import math

import pytest

import engine
from engine import gates as gate_table
from engine.gate_check import check_gate_functions
from tests.test_own_gate_captions import sig_neuron

S = 1.0 / (1.0 + math.exp(-1.0))


def test_the_sigmoid_gate_made_of_four_gates_passes_at_the_neurons_numbers():
    circuit = sig_neuron()
    (check,) = engine.check_own_gates(circuit)
    assert (check.node_id, check.op, check.passed) == ("sig", "sig", True)
    at_circuit = [entry for entry in check.check.entries
                  if entry.where.startswith(engine.CHECKED_AT_CIRCUIT_INPUTS)]
    assert [entry.where for entry in at_circuit] == ["the circuit's inputs (z=1)"]
    assert at_circuit[0].analytic == pytest.approx(S * (1 - S))
    assert at_circuit[0].numerical == pytest.approx(S * (1 - S), rel=1e-6)
    assert check.check.message == ("sig passes: backward agrees with the numerical gradient "
                                   "for every port at 3 random inputs and at the circuit's "
                                   "inputs.")


def test_a_compound_gate_with_a_wrong_local_gradient_inside_fails_naming_its_port(monkeypatch):
    exp = gate_table.GATES["exp"]  # TEST-ONLY: an exp whose backward forgets its output
    broken = dataclasses.replace(exp, backward=lambda xs, out, g, p: (g,), scalar_backward=None,
                                 scalar_forward=None)
    monkeypatch.setitem(gate_table.GATES, "exp", broken)
    circuit = sig_neuron()
    assert circuit.gates["sig"].same_as == ""  # no longer the sigmoid's twin
    check = engine.check_own_gate(circuit, "sig")
    assert not check.passed
    wrong = [entry for entry in check.failures
             if entry.where.startswith(engine.CHECKED_AT_CIRCUIT_INPUTS)]
    # d/dz of 1 / (1 + e^-z) is e^-z / (1 + e^-z)^2; the broken inside drops the e^-z
    e = math.exp(-1.0)
    assert wrong[0].analytic == pytest.approx(1.0 / (1.0 + e) ** 2)
    assert wrong[0].numerical == pytest.approx(e / (1.0 + e) ** 2, rel=1e-6)
    assert "port z is wrong: backward gives 0.53, the numerical gradient is 0.20 at the " \
           "circuit's inputs (z=1)" in check.message


def test_the_check_core_takes_any_gate_given_as_functions():
    def forward(inputs):
        return inputs[0] * inputs[1]

    def forward_backward(inputs, dz):  # the guide's MultiplyGate with dx and dy swapped
        x, y = inputs
        return x * y, (x * dz, y * dz)

    check = check_gate_functions("mul", ("x", "y"), forward, forward_backward, at=(3.0, -4.0),
                                 rng=1)
    assert not check.passed
    assert "port x is wrong: backward gives 3.00, the numerical gradient is -4.00 at the " \
           "circuit's inputs (x=3, y=-4)" in check.message


def test_a_gate_that_cannot_run_is_not_passed_and_says_why():
    circuit = sig_neuron()
    circuit.disconnect("sig", 0)
    check = engine.check_own_gate(circuit, "sig")
    assert not check.passed and check.message == ("sig cannot be checked: a port is not "
                                                  "connected")
