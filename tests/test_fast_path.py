"""The scalar fast path agrees with the numpy reference passes, and gives way to them.

Every comparison runs both paths explicitly: ``Plan.scalar_forward`` / ``scalar_backward``
(Python floats) against ``Plan.reference_forward`` / ``reference_backward`` (numpy, the
definition). Gates made of + - * /, comparisons and pow (C's pow on both paths) agree to the
last bit; exp, log, tanh and sigmoid come from different maths libraries (Python's and numpy's)
and agree to a few ulps.
"""

import dataclasses
import itertools
import math
import random

import numpy as np
import pytest

import engine
from engine import Circuit, CircuitError, GATE_LIST, GATES, plan_of, run
from engine.scalar_kernels import Floats

GATE_OPS = [gate.name for gate in GATE_LIST if not gate.is_source and gate.elementwise]
EXACT_OPS = ["add", "mul", "max", "min", "sub", "div", "neg", "scale", "offset", "pow",
             "recip", "relu", "abs"]
POWERS = [2.0, 3.0, 0.5, -1.0, 1.5, 0.0]


def random_circuit(rng: random.Random, ops: list, n_sources: int = 4, n_gates: int = 25):
    """A random circuit: any gate of ``ops``, 2 to 5 ports on variadic gates, fan-out
    everywhere (each port takes any earlier node), the last gate as the output."""
    circuit = Circuit()
    ids = []
    for k in range(n_sources):
        op = "const" if k == n_sources - 1 else "input"
        circuit.add_node(op, f"s{k}", value=rng.uniform(-2.0, 2.0))
        ids.append(f"s{k}")
    for k in range(n_gates):
        gate = GATES[rng.choice(ops)]
        params = {}
        if gate.params == ("p",):
            params = {"p": rng.choice(POWERS)}
        elif gate.params:
            params = {gate.params[0]: rng.uniform(-2.0, 2.0)}
        ports = rng.randint(2, 5) if gate.variadic else gate.min_ports
        node = circuit.add_node(gate.name, f"g{k}", params=params, inputs=ports)
        for port in range(ports):
            circuit.connect(rng.choice(ids), node.id, port)
        ids.append(node.id)
    circuit.set_output(ids[-1])
    return circuit


def assert_same(fast, reference, exact: bool):
    """Fast numbers equal the reference ones (bit for bit if ``exact``, else within ulps)."""
    reference = [float(x) for x in reference]
    assert len(fast) == len(reference)
    assert all(type(x) is float for x in fast)
    if exact:
        assert fast == reference
    else:
        scale = max(1.0, max(abs(x) for x in reference))
        np.testing.assert_allclose(fast, reference, rtol=1e-9, atol=1e-12 * scale)


def both_paths(plan, overrides=None):
    """(fast values, fast grads, reference values, reference grads); fast ones may be None."""
    fast_values = plan.scalar_forward(overrides)
    fast_grads = None if fast_values is None else plan.scalar_backward(fast_values)
    values = plan.reference_forward(overrides)
    return fast_values, fast_grads, values, plan.reference_backward(values)


@pytest.mark.parametrize("exact", [True, False], ids=["exact-gates", "all-gates"])
def test_random_circuits_agree_on_both_paths(exact):
    ops = EXACT_OPS if exact else GATE_OPS
    ran = 0
    for seed in range(150):
        plan = plan_of(random_circuit(random.Random(seed), ops))
        fast_values, fast_grads, values, grads = both_paths(plan)
        if fast_values is None or fast_grads is None:
            # the fast path gives up only where the reference has something non-finite
            assert not (np.all(np.isfinite(values)) and np.all(np.isfinite(grads)))
            continue
        ran += 1
        assert_same(fast_values, values, exact)
        assert_same(fast_grads, grads, exact)
        assert plan.forward() == fast_values and plan.backward(fast_values) == fast_grads
    assert ran >= 50  # the fast path really ran on most circuits


@pytest.mark.parametrize("op, ports", [(op, ports) for op in GATE_OPS for ports in (1, 2, 3, 5)
                                       if GATES[op].min_ports <= ports <= GATES[op].max_ports])
def test_every_gate_kernel_agrees_with_its_numpy_functions(op, ports):
    gate = GATES[op]
    rng = random.Random(f"{op}{ports}")
    for trial in range(200):
        inputs = [rng.uniform(0.05, 3.0) if op in ("log", "pow") else rng.uniform(-3.0, 3.0)
                  for _ in range(ports)]
        if trial % 7 == 0:
            inputs[-1] = inputs[0]  # ties for max/min, x*x for mul
        params = {"p": POWERS[trial % len(POWERS)]} if op == "pow" else {"c": rng.uniform(-2, 2)}
        circuit = Circuit()
        for k, number in enumerate(inputs):
            circuit.add_node("input", f"a{k}", value=number)
        circuit.add_node(op, "g", params=params if gate.params else None,
                         inputs=ports if gate.variadic else None)
        for k in range(ports):
            circuit.connect(f"a{k}", "g", k)
        plan = plan_of(circuit)
        fast_values, fast_grads, values, grads = both_paths(plan)
        assert fast_values is not None and fast_grads is not None
        exact = op in EXACT_OPS
        assert_same(fast_values, values, exact)
        assert_same(fast_grads, grads, exact)


def test_seed_circuit_on_both_paths():
    # the lecture's (x + y) * z at (-2, 5, -4): f = -12, grads x -4, y -4, z 3, q -4
    circuit = Circuit()
    for node_id, number in (("x", -2.0), ("y", 5.0), ("z", -4.0)):
        circuit.add_node("input", node_id, value=number)
    circuit.add_node("add", "q")
    circuit.add_node("mul", "f")
    circuit.connect("x", "q", 0)
    circuit.connect("y", "q", 1)
    circuit.connect("q", "f", 0)
    circuit.connect("z", "f", 1)
    plan = plan_of(circuit)
    fast_values, fast_grads, values, grads = both_paths(plan)
    expected_values = {"x": -2.0, "y": 5.0, "z": -4.0, "q": 3.0, "f": -12.0}
    expected_grads = {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}
    for numbers, expected in ((fast_values, expected_values), (values, expected_values),
                              (fast_grads, expected_grads), (grads, expected_grads)):
        assert {node_id: float(numbers[plan.index[node_id]]) for node_id in plan.order} == expected


def test_fan_out_into_both_ports_adds_up():
    # f = x * x at x = 3: df/dx = 2x = 6 (both branches add)
    circuit = Circuit()
    circuit.add_node("input", "x", value=3.0)
    circuit.add_node("mul", "f", inputs=3)
    for port in range(3):
        circuit.connect("x", "f", port)
    plan = plan_of(circuit)
    fast_values, fast_grads, _values, grads = both_paths(plan)
    assert fast_values[plan.index["f"]] == 27.0
    assert fast_grads[plan.index["x"]] == 27.0 == float(grads[plan.index["x"]])


def one_gate(op, *numbers, params=None):
    """A circuit of one gate fed by inputs a0, a1, ... holding ``numbers``."""
    circuit = Circuit()
    for k, number in enumerate(numbers):
        circuit.add_node("input", f"a{k}", value=number)
    circuit.add_node(op, "g", params=params, inputs=len(numbers) if GATES[op].variadic else None)
    for k in range(len(numbers)):
        circuit.connect(f"a{k}", "g", k)
    return circuit


NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize("op, numbers, value, grads", [
    ("div", (1.0, 0.0), INF, (INF, -INF)),        # 1/0 = inf; d/db = -a/b^2 = -inf
    ("recip", (0.0,), INF, (-INF,)),
    ("div", (0.0, 0.0), NAN, (INF, NAN)),         # 0/0 = nan; d/da = 1/0 = inf
    ("exp", (1000.0,), INF, (INF,)),
    ("log", (0.0,), -INF, (INF,)),
    ("log", (-1.0,), NAN, (-1.0,)),
    ("sigmoid", (-1000.0,), 0.0, (0.0,)),         # exactly 0, no warning, no error
    ("pow", (-8.0,), NAN, (NAN,)),                # (-8) ** (1/3) is nan, as in PyTorch
    ("max", (1.0, NAN), NAN, (1.0, 1.0)),         # nan propagates; torch: no port loses,
    ("min", (NAN, 1.0), NAN, (1.0, 1.0)),         # so both get the whole upstream gradient
])
def test_non_finite_cases_fall_back_to_the_reference_conventions(op, numbers, value, grads):
    params = {"p": 1.0 / 3.0} if op == "pow" else None
    finite = [0.5 if math.isnan(x) else x for x in numbers]  # files hold finite numbers only
    circuit = one_gate(op, *finite, params=params)
    overrides = {f"a{k}": x for k, x in enumerate(numbers)}
    plan = plan_of(circuit)
    fast = plan.scalar_forward(overrides)
    assert fast is None  # Python raises, or the number is not finite: numpy redoes it
    result = run(circuit, overrides)
    np.testing.assert_array_equal(result.value, value)
    np.testing.assert_array_equal([result.grads[f"a{k}"] for k in range(len(numbers))], grads)
    reference = plan.reference_forward(overrides)
    np.testing.assert_array_equal(plan.forward(overrides), [float(x) for x in reference])


def test_infinite_gradient_from_finite_values_falls_back():
    # 1/x at x = 1e-200: the value 1e200 is finite, the gradient -1/x^2 is -inf
    circuit = one_gate("recip", 1e-200)
    plan = plan_of(circuit)
    values = plan.scalar_forward()
    assert values is not None and values[plan.index["g"]] == 1e200
    assert plan.scalar_backward(values) is None
    assert plan.backward(values)[plan.index["a0"]] == -INF
    assert run(circuit).grads["a0"] == -INF


def test_overflow_to_infinity_in_plain_arithmetic_falls_back():
    # Python's 1e200 * 1e200 is inf without raising; the fast path must still notice
    circuit = one_gate("mul", 1e200, 1e200)
    plan = plan_of(circuit)
    assert plan.scalar_forward() is None
    assert run(circuit).value == INF


def test_params_changed_after_the_plan_was_built_are_used():
    circuit = one_gate("scale", 3.0, params={"c": 2.0})
    plan = plan_of(circuit)
    assert plan.scalar_forward()[plan.index["g"]] == 6.0
    circuit.set_param("g", "c", -5.0)  # not structural: the same plan
    assert plan_of(circuit) is plan
    values = plan.scalar_forward()
    assert values[plan.index["g"]] == -15.0
    assert plan.scalar_backward(values)[plan.index["a0"]] == -5.0
    circuit.set_value("a0", 1.0)
    assert run(circuit).value == -5.0


def test_a_gate_without_scalar_kernels_runs_on_the_reference_path(monkeypatch):
    slow = dataclasses.replace(GATES["exp"], name="slowexp", scalar_forward=None,
                               scalar_backward=None)
    monkeypatch.setitem(GATES, "slowexp", slow)
    circuit = one_gate("slowexp", 0.5)
    plan = plan_of(circuit)
    assert plan.scalar_forward() is None
    result = run(circuit)
    assert result.value == pytest.approx(math.exp(0.5))
    assert result.grads["a0"] == pytest.approx(math.exp(0.5))
    assert type(result.value) is float


def test_overrides_on_the_fast_path():
    circuit = one_gate("mul", 2.0, 3.0)
    plan = plan_of(circuit)
    for number in (4, np.float64(4.0), np.int64(4), True * 4.0):
        values = plan.scalar_forward({"a0": number})
        assert values[plan.index["g"]] == 12.0 and type(values[plan.index["g"]]) is float
    with pytest.raises(CircuitError, match="'g' is not an input or const"):
        plan.forward({"g": 1.0})
    with pytest.raises(CircuitError, match="'nope' is not an input or const"):
        plan.scalar_forward({"nope": 1.0})
    assert plan.scalar_forward({"a0": np.array([1.0, 2.0])}) is None  # a batch: numpy
    np.testing.assert_array_equal(plan.forward({"a0": np.array([1.0, 2.0])})[plan.index["g"]],
                                  [3.0, 6.0])


def test_backward_of_values_not_made_by_the_fast_path_uses_the_reference():
    circuit = one_gate("mul", 2.0, 3.0)
    plan = plan_of(circuit)
    plain = [2.0, 3.0, 6.0]  # a plain list, in plan order
    assert [plan.order[i] for i in range(3)] == ["a0", "a1", "g"]
    assert plan.scalar_backward(plain) is None
    assert [float(g) for g in plan.backward(plain)] == [3.0, 2.0, 1.0]


def test_run_gives_floats_for_numbers_and_arrays_for_batches():
    circuit = one_gate("add", 1.0, 2.0)
    single = run(circuit)
    assert type(single.value) is float and single.value == 3.0
    assert all(type(x) is float for x in (*single.values.values(), *single.grads.values()))
    assert type(plan_of(circuit).forward()) is Floats
    batch = run(circuit, {"a0": np.array([1.0, 2.0, 3.0])})
    np.testing.assert_array_equal(batch.value, [3.0, 4.0, 5.0])
    assert type(batch.grads["a1"]) is float and batch.grads["a1"] == 3.0  # summed
    np.testing.assert_array_equal(batch.grads["a0"], [1.0, 1.0, 1.0])


def test_batched_gradients_are_separate_arrays():
    # add hands its upstream gradient to every input: each input still gets its own array
    circuit = one_gate("add", 0.0, 0.0, 0.0)
    xs = np.array([1.0, 2.0])
    result = run(circuit, {"a0": xs, "a1": xs * 2, "a2": xs * 3})
    grads = [result.grads[f"a{k}"] for k in range(3)] + [result.grads["g"]]
    for k, grad in enumerate(grads):
        np.testing.assert_array_equal(grad, [1.0, 1.0])
        assert not any(np.shares_memory(grad, other) for other in grads[k + 1:])


def test_a_deep_chain_on_the_fast_path():
    # 5000 neg gates: f = (-1)^5000 x = x, df/dx = 1
    circuit = Circuit()
    circuit.add_node("input", "x", value=0.25)
    previous = "x"
    for k in range(5000):
        circuit.add_node("neg", f"n{k}")
        circuit.connect(previous, f"n{k}", 0)
        previous = f"n{k}"
    plan = plan_of(circuit)
    values = plan.scalar_forward()
    assert values[plan.index[previous]] == 0.25
    assert plan.scalar_backward(values)[plan.index["x"]] == 1.0
    assert engine.run(circuit).grads["x"] == 1.0


# ------------------------------------------------------------------ special values, bit for bit
SPECIAL = [0.0, -0.0, 1.0, -1.5, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 1e160, 710.0, -710.0,
           INF, -INF, NAN]
UPSTREAM = [1.0, -2.0, 0.0, -0.0, INF, NAN]
PARAMS = {"pow": [0.0, 1.0, 0.5, -0.5, -1.0, 2.0, 3.0, -2.0, 1.5, 1.0 / 3.0],
          "scale": [-1.0, 0.0, -0.0, 2.5], "offset": [1.0, -0.0, -1e300]}


def same_bits(a, b) -> bool:
    """Equal as IEEE numbers see them: nan is nan, and 0.0 is not -0.0."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def agree(op: str):
    """``same_bits`` for the gates of + - * / and comparisons; exp, log, tanh and sigmoid come
    from two maths libraries: the same nan, infinity and sign of zero, and as close as
    ``assert_same`` asks (tanh's 1 - t² turns an ulp of t into a few of the gradient)."""
    if op in EXACT_OPS:
        return same_bits

    def close(a, b) -> bool:
        a, b = float(a), float(b)
        if not (math.isfinite(a) and math.isfinite(b)) or a == 0.0 or b == 0.0:
            return same_bits(a, b)
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))

    return close


def _param_sets(gate):
    if not gate.params:
        return [{}]
    return [{gate.params[0]: value} for value in PARAMS[gate.name]]


def _port_counts(gate):
    return [n for n in (1, 2, 3) if gate.min_ports <= n <= gate.max_ports]


@pytest.mark.parametrize("gate", [GATES[op] for op in GATE_OPS], ids=lambda gate: gate.name)
def test_step_kernels_agree_with_numpy_bit_for_bit_on_special_values(gate):
    """Where a Python kernel answers (it does not raise), it gives numpy's number: nan where
    numpy has nan, the same infinity, the same sign of zero; values and every gradient."""
    from types import SimpleNamespace

    from engine.scalar_kernels import operands, step_kernels
    same = agree(gate.name)
    checked = 0
    for ports in _port_counts(gate):
        forward_kernel, backward_kernel = step_kernels(gate, ports)
        for params in _param_sets(gate):
            node = SimpleNamespace(params=params)
            a, b = operands(ports, tuple(range(ports)), node)
            for xs in itertools.product(SPECIAL, repeat=ports):
                numpy_xs = [np.float64(x) for x in xs]
                with np.errstate(all="ignore"):
                    out = gate.forward(numpy_xs, params)
                try:
                    fast_out = forward_kernel(list(xs), a, b)
                except (ArithmeticError, ValueError):
                    fast_out = None  # Python raises: the fast path gives way to numpy
                if fast_out is not None:
                    assert type(fast_out) is float
                    assert same(fast_out, out), (xs, params, fast_out, out)
                for up in UPSTREAM:
                    with np.errstate(all="ignore"):
                        sent = gate.backward(numpy_xs, out, np.float64(up), params)
                    grads = [-0.0] * ports + [up]  # -0.0: what the fast path adds shares to
                    try:
                        backward_kernel(list(xs) + [float(out)], grads, ports, a, b)
                    except (ArithmeticError, ValueError):
                        continue
                    checked += 1
                    assert all(type(g) is float for g in grads[:ports])
                    assert all(same(g, s) for g, s in zip(grads[:ports], sent)), \
                        (xs, params, up, grads[:ports], [float(s) for s in sent])
    assert checked > 50


@pytest.mark.parametrize("gate", [GATES[op] for op in GATE_OPS], ids=lambda gate: gate.name)
def test_both_paths_agree_on_signed_zeros_tiny_and_huge_numbers(gate):
    """Whole runs (plan.scalar_* against plan.reference_*) at finite special values: the fast
    path either gives way or gives the reference's numbers, sign of every zero included."""
    finite = [x for x in SPECIAL if math.isfinite(x)]
    same = agree(gate.name)
    ran = 0
    for ports in _port_counts(gate):
        for params in _param_sets(gate):
            for xs in itertools.product(finite, repeat=ports):
                circuit = one_gate(gate.name, *xs, params=params or None)
                plan = plan_of(circuit)
                fast_values, fast_grads, values, grads = both_paths(plan)
                if fast_values is None or fast_grads is None:
                    continue
                ran += 1
                assert all(map(same, fast_values, values)), (xs, params)
                assert all(map(same, fast_grads, grads)), (xs, params, fast_grads,
                                                           [float(g) for g in grads])
    assert ran >= 5


def test_a_zero_gradient_keeps_its_sign_on_both_paths():
    # f = a0 * a1 at (0, -1): df/da1 = a0 = 0, df/da0 = -1; at (-0.0, 1): df/da1 = -0.0
    plan = plan_of(one_gate("mul", -0.0, 1.0))
    fast_values, fast_grads, values, grads = both_paths(plan)
    assert math.copysign(1.0, fast_grads[plan.index["a1"]]) == -1.0
    assert math.copysign(1.0, float(grads[plan.index["a1"]])) == -1.0
    result = run(one_gate("mul", -0.0, 1.0))
    assert math.copysign(1.0, result.grads["a1"]) == -1.0 and result.grads["a0"] == 1.0
