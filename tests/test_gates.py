"""The gate table, row by row: forward values, local gradients and PyTorch's number conventions.

Generic tests are parametrised over ``engine.GATE_LIST``, so a new row is tested by itself (its
backward against a numerical derivative of its forward, nan propagation, extreme inputs that
must never warn or raise). The gates of FORMAT.md are also checked against formulas written
here with the math module, and the corners where PyTorch's kernels decide (nan into relu, abs,
max and min; div and pow at the edge of overflow) against torch's rules.
"""

import math

import numpy as np
import pytest

import engine
from helpers import port_grads, run_gate

NAN, INF = math.nan, math.inf
# Gates on numbers (the tensor gates have their own tests: tests/test_tensor_gates.py)
OPERATIONS = [gate for gate in engine.GATE_LIST if not gate.is_source and gate.elementwise]


def _prod(values):
    result = 1.0
    for value in values:
        result *= value
    return result


# op -> (independent forward, list of (inputs, params))
REFERENCE = {
    "add": (lambda a, p: sum(a), [([-2.0, 3.0], None), ([1.5, 2.5, -4.0], None)]),
    "mul": (lambda a, p: _prod(a), [([-2.0, 3.0], None), ([1.5, 2.0, -4.0], None)]),
    "max": (lambda a, p: max(a), [([2.0, 3.0], None), ([-1.0, 7.0, 4.0], None)]),
    "min": (lambda a, p: min(a), [([2.0, 3.0], None), ([-1.0, 7.0, 4.0], None)]),
    "sub": (lambda a, p: a[0] - a[1], [([3.0, 4.0], None)]),
    "div": (lambda a, p: a[0] / a[1], [([3.0, 4.0], None), ([-1.0, 3.0], None)]),
    "neg": (lambda a, p: -a[0], [([3.0], None)]),
    "scale": (lambda a, p: p["c"] * a[0], [([1.0], {"c": -1.0}), ([2.5], {"c": 3.0})]),
    "offset": (lambda a, p: a[0] + p["c"], [([-1.0], {"c": 1.0}), ([2.5], {"c": 100.0})]),
    "pow": (lambda a, p: a[0] ** p["p"],
            [([-1.0], {"p": 2.0}), ([2.0], {"p": 3.0}), ([4.0], {"p": 0.5}), ([2.0], {"p": 0.0})]),
    "recip": (lambda a, p: 1.0 / a[0], [([1.3678794411714423], None), ([-4.0], None)]),
    "exp": (lambda a, p: math.exp(a[0]), [([-1.0], None), ([2.0], None)]),
    "log": (lambda a, p: math.log(a[0]), [([math.e], None), ([0.5], None)]),
    "sigmoid": (lambda a, p: 1.0 / (1.0 + math.exp(-a[0])), [([1.0], None), ([2.0], None)]),
    "tanh": (lambda a, p: math.tanh(a[0]), [([0.5], None), ([-2.0], None)]),
    "relu": (lambda a, p: max(0.0, a[0]), [([2.0], None), ([-3.0], None)]),
    "abs": (lambda a, p: abs(a[0]), [([2.0], None), ([-3.0], None)]),
}

# op -> independent local gradient (d out / d port i), for the smooth points above
LOCAL_GRADIENT = {
    "add": lambda a, p: [1.0] * len(a),
    "mul": lambda a, p: [_prod(a[:i] + a[i + 1:]) for i in range(len(a))],
    "max": lambda a, p: [float(v == max(a)) for v in a],
    "min": lambda a, p: [float(v == min(a)) for v in a],
    "sub": lambda a, p: [1.0, -1.0],
    "div": lambda a, p: [1.0 / a[1], -a[0] / a[1] ** 2],
    "neg": lambda a, p: [-1.0],
    "scale": lambda a, p: [p["c"]],
    "offset": lambda a, p: [1.0],
    "pow": lambda a, p: [p["p"] * a[0] ** (p["p"] - 1) if p["p"] else 0.0],
    "recip": lambda a, p: [-1.0 / a[0] ** 2],
    "exp": lambda a, p: [math.exp(a[0])],
    "log": lambda a, p: [1.0 / a[0]],
    "sigmoid": lambda a, p: [math.exp(-a[0]) / (1.0 + math.exp(-a[0])) ** 2],
    "tanh": lambda a, p: [1.0 / math.cosh(a[0]) ** 2],
    "relu": lambda a, p: [1.0 if a[0] > 0 else 0.0],
    "abs": lambda a, p: [1.0 if a[0] > 0 else -1.0],
}

FORMAT_GATES = {"input": 0, "const": 0, "add": None, "mul": None, "max": None, "min": None,
                "sub": 2, "div": 2, "neg": 1, "scale": 1, "offset": 1, "pow": 1, "recip": 1,
                "exp": 1, "log": 1, "sigmoid": 1, "tanh": 1, "relu": 1, "abs": 1}
FORMAT_PARAMS = {"scale": ("c",), "offset": ("c",), "pow": ("p",)}


def _cases():
    return [pytest.param(op, inputs, params, id=f"{op}{inputs}{params or ''}")
            for op, (_forward, samples) in REFERENCE.items() for inputs, params in samples]


def _default_params(gate):
    return dict(gate.param_defaults) or None


def _smooth_point(gate, sign=1.0):
    """Distinct inputs away from kinks and poles: 0.7, 1.3, 1.9, ... (times sign)."""
    return [sign * (0.7 + 0.6 * i) for i in range(gate.default_ports())]


# ------------------------------------------------------------------ the table itself
def test_every_gate_of_format_md_is_in_the_table_with_its_ports_and_params():
    for op, ports in FORMAT_GATES.items():
        gate = engine.GATES[op]
        if ports is None:
            assert (gate.min_ports, gate.max_ports) == (2, 16)
        else:
            assert gate.min_ports == gate.max_ports == ports
        assert tuple(gate.params) == FORMAT_PARAMS.get(op, ())


@pytest.mark.parametrize("gate", engine.GATE_LIST, ids=lambda gate: gate.name)
def test_gate_row_is_complete_and_documented(gate):
    assert engine.GATES[gate.name] is gate
    assert gate.symbol and gate.formula and gate.local_gradient and gate.doc
    assert gate.group in engine.GROUP_TITLES
    assert set(gate.param_defaults) == set(gate.params)
    if gate.is_source:
        assert gate.forward is None and gate.backward is None
    else:
        assert callable(gate.forward) and callable(gate.backward)


# ------------------------------------------------------------------ forward and backward values
@pytest.mark.parametrize("op, inputs, params", _cases())
def test_forward_matches_independent_math(op, inputs, params):
    expected = REFERENCE[op][0](inputs, params)
    assert run_gate(op, inputs, params).value == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("op, inputs, params", _cases())
def test_local_gradient_matches_independent_math(op, inputs, params):
    expected = LOCAL_GRADIENT[op](inputs, params)
    got = port_grads(run_gate(op, inputs, params), len(inputs))
    assert got == pytest.approx(expected, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("gate", OPERATIONS, ids=lambda gate: gate.name)
@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["positive", "negative"])
def test_backward_agrees_with_centred_numerical_difference(gate, sign):
    params = _default_params(gate)
    point = _smooth_point(gate, sign)
    result = run_gate(gate.name, point, params)
    if not math.isfinite(result.value):
        pytest.skip(f"{gate.name} is not defined at {point}")
    analytic = port_grads(result, len(point))
    h = 1e-6
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        numerical = (run_gate(gate.name, up, params).value
                     - run_gate(gate.name, down, params).value) / (2 * h)
        assert analytic[i] == pytest.approx(numerical, rel=1e-6, abs=1e-8), (gate.name, i)


@pytest.mark.parametrize("gate", OPERATIONS, ids=lambda gate: gate.name)
def test_backward_sends_one_gradient_per_port_scaled_by_the_upstream_gradient(gate):
    point = _smooth_point(gate)
    params = _default_params(gate)
    with np.errstate(all="raise"):
        out = gate.forward([np.float64(v) for v in point], params or {})
        once = gate.backward([np.float64(v) for v in point], out, np.float64(1.0), params or {})
        thrice = gate.backward([np.float64(v) for v in point], out, np.float64(3.0), params or {})
    assert len(once) == len(point)
    assert [float(g) for g in thrice] == pytest.approx([3.0 * float(g) for g in once], rel=1e-14)


@pytest.mark.parametrize("gate", OPERATIONS, ids=lambda gate: gate.name)
def test_gate_works_on_a_batch_like_on_each_point(gate):
    params = _default_params(gate)
    columns = [np.array([v, v + 0.25, v + 0.5]) for v in _smooth_point(gate)]
    batch = run_gate(gate.name, columns, params)
    for k in range(3):
        single = run_gate(gate.name, [float(c[k]) for c in columns], params)
        assert batch.value[k] == pytest.approx(single.value, rel=1e-14)
        for i in range(len(columns)):
            assert batch.grads[f"a{i}"][k] == pytest.approx(single.grads[f"a{i}"], rel=1e-14)


# ------------------------------------------------------------------ nan, inf, PyTorch conventions
@pytest.mark.parametrize("gate", OPERATIONS, ids=lambda gate: gate.name)
def test_nan_propagates_through_every_port(gate):
    params = _default_params(gate)
    point = _smooth_point(gate)
    for i in range(len(point)):
        inputs = list(point)
        inputs[i] = NAN
        assert math.isnan(run_gate(gate.name, inputs, params).value), (gate.name, i)


EXTREMES = [0.0, -0.0, 1e-300, -1e-300, 1000.0, -1000.0, 1e308, -1e308, INF, -INF, NAN]


@pytest.mark.parametrize("gate", OPERATIONS, ids=lambda gate: gate.name)
def test_extreme_inputs_never_warn_or_raise_and_a_batch_agrees(gate):
    """pytest turns warnings into errors, so any numpy warning would fail here."""
    ports = gate.default_ports()
    for value in EXTREMES:
        for other in EXTREMES[::3]:
            inputs = [value] + [other] * (ports - 1)
            result = run_gate(gate.name, inputs, _default_params(gate))
            assert isinstance(result.value, float)
            assert all(isinstance(g, float) for g in port_grads(result, ports))
            batch = run_gate(gate.name, [np.array([v]) for v in inputs], _default_params(gate))
            assert [batch.value[0]] + [g[0] for g in port_grads(batch, ports)] == pytest.approx(
                [result.value] + port_grads(result, ports), rel=1e-14, nan_ok=True), inputs


@pytest.mark.parametrize("op, inputs, expected", [
    ("sigmoid", [-1000.0], 0.0),
    ("sigmoid", [1000.0], 1.0),
    ("exp", [1000.0], INF),
    ("exp", [-1000.0], 0.0),
    ("recip", [0.0], INF),
    ("recip", [-0.0], -INF),
    ("div", [1.0, 0.0], INF),
    ("div", [-1.0, 0.0], -INF),
    ("log", [0.0], -INF),
    ("tanh", [1000.0], 1.0),
    ("tanh", [-1000.0], -1.0),
], ids=lambda v: str(v))
def test_pytorch_conventions_exact_values(op, inputs, expected):
    assert run_gate(op, inputs).value == expected


@pytest.mark.parametrize("op, inputs", [
    ("div", [0.0, 0.0]), ("log", [-1.0]), ("mul", [0.0, INF]), ("add", [INF, -INF]),
    ("sub", [INF, INF]), ("pow", [-8.0])], ids=lambda v: str(v))
def test_undefined_results_are_nan(op, inputs):
    params = {"p": 1 / 3} if op == "pow" else None
    assert math.isnan(run_gate(op, inputs, params).value)


def test_saturated_sigmoid_has_exactly_zero_gradient():
    assert run_gate("sigmoid", [-1000.0]).grads["a0"] == 0.0
    assert run_gate("sigmoid", [1000.0]).grads["a0"] == 0.0


@pytest.mark.parametrize("op", ["relu", "abs"])
def test_gradient_is_zero_at_exactly_zero(op):
    assert run_gate(op, [0.0]).value == 0.0
    assert run_gate(op, [0.0]).grads["a0"] == 0.0
    assert run_gate(op, [-0.0]).grads["a0"] == 0.0


def test_relu_passes_the_gradient_only_where_the_input_is_positive():
    assert run_gate("relu", [1e-300]).grads["a0"] == 1.0
    assert run_gate("relu", [-1e-300]).grads["a0"] == 0.0


# ------------------------------------------------------------------ max and min: routers
@pytest.mark.parametrize("op, inputs, expected", [
    ("max", [3.0, 3.0], [0.5, 0.5]),
    ("max", [3.0, 3.0, 3.0], [1 / 3, 1 / 3, 1 / 3]),
    ("max", [3.0, 1.0, 3.0, 3.0], [1 / 3, 0.0, 1 / 3, 1 / 3]),
    ("max", [2.0, 3.0], [0.0, 1.0]),
    ("min", [3.0, 3.0], [0.5, 0.5]),
    ("min", [-1.0, -1.0, -1.0], [1 / 3, 1 / 3, 1 / 3]),
    ("min", [5.0, -1.0, 0.0, -1.0], [0.0, 0.5, 0.0, 0.5]),
    ("min", [2.0, 3.0], [1.0, 0.0]),
], ids=lambda v: str(v))
def test_max_min_route_the_gradient_and_split_ties_evenly(op, inputs, expected):
    result = run_gate(op, inputs)
    assert result.value == (max if op == "max" else min)(inputs)
    assert port_grads(result, len(inputs)) == pytest.approx(expected, rel=1e-15)
    assert sum(port_grads(result, len(inputs))) == pytest.approx(1.0, rel=1e-15)


# ------------------------------------------------------------------ variadic gates, 2 to 16 ports
@pytest.mark.parametrize("ports", range(2, 17))
@pytest.mark.parametrize("op", ["add", "mul", "max", "min"])
def test_variadic_gate_with_n_ports(op, ports):
    inputs = [0.9 + 0.05 * i * (-1) ** i for i in range(ports)]  # distinct, near 1
    result = run_gate(op, inputs)
    forward, _samples = REFERENCE[op]
    assert result.value == pytest.approx(forward(inputs, None), rel=1e-14)
    assert port_grads(result, ports) == pytest.approx(LOCAL_GRADIENT[op](inputs, None),
                                                      rel=1e-13)


@pytest.mark.parametrize("ports", [2, 3, 5, 16])
def test_mul_gradient_with_a_zero_input_is_the_product_of_the_others(ports):
    inputs = [1.0 + 0.5 * i for i in range(ports)]
    inputs[1] = 0.0
    grads = port_grads(run_gate("mul", inputs), ports)
    assert grads[1] == pytest.approx(_prod(inputs[:1] + inputs[2:]), rel=1e-14)
    assert grads[1] != 0.0
    assert [g for i, g in enumerate(grads) if i != 1] == [0.0] * (ports - 1)
    assert not any(math.isnan(g) for g in grads)


@pytest.mark.parametrize("ports", [2, 3, 16])
def test_mul_gradient_with_two_zero_inputs_is_zero_everywhere(ports):
    inputs = [2.0] * ports
    inputs[0] = inputs[-1] = 0.0
    assert port_grads(run_gate("mul", inputs), ports) == [0.0] * ports


# ------------------------------------------------------------------ where PyTorch's kernels decide
# torch's rules, from its derivatives.yaml and CPU kernels: relu' is threshold_backward
# (0 where the output is <= 0, else the gradient: so 1 at nan); abs' is sgn (0 at nan);
# maximum/minimum mask a port to 0 only where it strictly lost (masked_fill: 0 even under an inf
# gradient; nothing is masked at a nan); div's d/db is -g * ((a / b) / b); pow's d/da is exactly
# 0 at p = 0; pow(x, 0.5) is sqrt(x).
@pytest.mark.parametrize("op, inputs, upstream, expected", [
    ("relu", [NAN], 1.0, [1.0]),
    ("relu", [NAN], -3.0, [-3.0]),
    ("relu", [0.0], 5.0, [0.0]),
    ("abs", [NAN], 1.0, [0.0]),
    ("abs", [-0.0], 1.0, [0.0]),
    ("max", [1.0, NAN], 1.0, [1.0, 1.0]),
    ("max", [NAN, 1.0, 2.0], 2.0, [2.0, 2.0, 2.0]),
    ("min", [NAN, 1.0], 1.0, [1.0, 1.0]),
    ("max", [1.0, 2.0], INF, [0.0, INF]),  # the loser gets exactly 0, not 0 × inf = nan
    ("min", [1.0, 2.0], -INF, [-INF, 0.0]),
    ("div", [1e300, 1e160], 1.0, [1e-160, -(1e300 / 1e160) / 1e160]),  # torch's -a/b/b: not
    # -a/(b·b), where b·b overflows to inf and the gradient comes out 0
    ("pow", [3.0], INF, [0.0]),  # p = 0: exactly 0 whatever the upstream gradient
], ids=lambda v: str(v))
def test_gradients_follow_pytorch_where_numpy_would_not(op, inputs, upstream, expected):
    gate = engine.GATES[op]
    params = {"p": 0.0} if op == "pow" else {}
    xs = [np.float64(x) for x in inputs]
    with np.errstate(all="raise"):  # no warning on the way
        out = gate.forward(xs, params)
        sent = gate.backward(xs, out, np.float64(upstream), params)
    assert [float(g) for g in sent] == expected
    assert [math.copysign(1.0, g) for g in sent] == [math.copysign(1.0, e) for e in expected]
    batch = gate.backward([np.array([x, x]) for x in xs], gate.forward(
        [np.array([x, x]) for x in xs], params), np.full(2, upstream), params)
    assert [list(np.broadcast_to(g, 2)) for g in batch] == [[e, e] for e in expected]


def test_div_gradient_at_the_edge_of_overflow_through_a_run():
    grads = port_grads(run_gate("div", [1e300, 1e160]), 2)
    assert grads[0] == 1e-160 and grads[1] == pytest.approx(-1e-20, rel=1e-15)


@pytest.mark.parametrize("p, x, expected", [
    (0.5, -INF, NAN), (0.5, -0.0, -0.0), (0.5, 4.0, 2.0), (0.5, -4.0, NAN),
    (-0.5, 4.0, 0.5), (-1.0, -0.0, -INF), (2.0, -3.0, 9.0), (3.0, -2.0, -8.0),
    (-2.0, 2.0, 0.25), (0.0, NAN, 1.0), (1.0, -0.0, -0.0), (1.5, -INF, INF),
], ids=lambda v: str(v))
def test_pow_takes_torchs_kernels_on_a_number_and_on_a_batch(p, x, expected):
    # torch's pow(tensor, 0.5) is sqrt: sqrt(-inf) is nan, sqrt(-0) is -0 (C's pow gives inf, 0)
    single = run_gate("pow", [x], {"p": p}).value
    batch = run_gate("pow", [np.array([x, x])], {"p": p}).value
    for got in (single, *batch):
        assert (math.isnan(got) and math.isnan(expected)) or (
            got == expected and math.copysign(1.0, got) == math.copysign(1.0, expected))


# numbers torch 2.13 (CPU, float64) gives, sign of zero included: (value, gradient per port)
@pytest.mark.parametrize("op, inputs, upstream, value, grads", [
    ("relu", [-0.0], 1.0, -0.0, [0.0]),
    ("max", [-0.0, 0.0], 1.0, -0.0, [0.5, 0.5]),
    ("max", [0.0, -0.0], 1.0, 0.0, [0.5, 0.5]),
    ("min", [0.0, -0.0], 1.0, 0.0, [0.5, 0.5]),
    ("max", [1.0, 2.0], -0.0, 2.0, [0.0, -0.0]),
    ("abs", [-0.0], 1.0, 0.0, [0.0]),
    ("sigmoid", [-2.0], -3.0, 0.11920292202211755, [-0.3149807562105196]),
    ("pow", [-INF], 1.0, NAN, [NAN]),  # p = 0.5: sqrt
    ("recip", [1e-200], 1.0, 1e200, [-INF]),
], ids=lambda v: str(v))
def test_numbers_and_signed_zeros_torch_gives(op, inputs, upstream, value, grads):
    gate = engine.GATES[op]
    params = {"p": 0.5} if op == "pow" else {}
    xs = [np.float64(x) for x in inputs]
    with np.errstate(all="ignore"):
        out = gate.forward(xs, params)
        sent = gate.backward(xs, out, np.float64(upstream), params)
    for got, expected in zip([out, *sent], [value, *grads]):
        assert (math.isnan(got) and math.isnan(expected)) or (
            got == expected and math.copysign(1.0, got) == math.copysign(1.0, expected)), op
