"""Every gate carries its own knowledge in its row, and every reader of the table uses it.

One test per gate for each column (parametrised over ``engine.GATE_LIST``), so a new row is
tested by itself and one failing gate does not hide the others: its forward caption renders
the numbers that reached it, its formula over names is the boundary plot's title, its chain-rule
pattern matches what its backward pass does, its kink (if it has one) is what the gradient
check reports, and its aliases find it in quick add. Nothing outside the table tests a gate's
name: a grep proves it.
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.chain_rule import forward_caption, gate_chain_rule
from engine.gates import infix_join
from engine.number_format import format_number
from gui.canvas.quick_add import match_gates
from gui.training.boundary_plot import gate_expression
from helpers import build

# Gates on numbers (the tensor gates have their own tests: tests/test_tensor_gates.py)
OPERATIONS = [gate for gate in engine.GATE_LIST if not gate.is_source and gate.elementwise]
KINKED = [gate for gate in OPERATIONS if gate.kink is not None]
SMOOTH = [gate for gate in OPERATIONS if gate.kink is None]
ROOT = Path(__file__).resolve().parent.parent


def _ids(gate):
    return gate.name


def _one_gate(gate, values, params=None):
    """A circuit of one ``gate`` called g, fed by inputs a0, a1, ... holding ``values``."""
    nodes = {f"a{i}": ("input", value) for i, value in enumerate(values)}
    nodes["g"] = (gate.name, {"params": params} if params else {})
    return build(nodes, {"g": [f"a{i}" for i in range(len(values))]}, output="g")


def _point(gate):
    """Distinct, positive inputs away from kinks and poles: 0.7, 1.3, 1.9, ..."""
    return [0.7 + 0.6 * i for i in range(gate.default_ports())]


def _run_at_point(gate):
    """(inputs, circuit, result) of a one-gate circuit run at ``_point``."""
    values = _point(gate)
    circuit = _one_gate(gate, values)
    return values, circuit, engine.run(circuit)


# ------------------------------------------------------------------ the columns themselves
@pytest.mark.parametrize("gate", engine.GATE_LIST, ids=_ids)
def test_every_column_of_the_row_is_well_formed(gate):
    assert gate.pattern in ("distributes", "routes", "switches", "scales")
    assert isinstance(gate.aliases, tuple) and all(alias == alias.lower() and alias
                                                   for alias in gate.aliases)
    if gate.is_source:
        assert not (gate.infix or gate.kink or gate.sums_inputs)
    else:
        assert not gate.variable
    if gate.infix:
        placeholders = re.findall(r"\{(\w+)(?::[^}]*)?\}", gate.infix)
        ports = [p for p in placeholders if p.isdigit()]
        assert ports == [str(i) for i in range(max(gate.min_ports, 1))]
        assert sorted(set(placeholders) - set(ports)) == sorted(gate.params)
        assert infix_join(gate) or not gate.variadic  # a variadic gate joins its ports
    if gate.compact_infix:  # the same expression, written tight
        def placeholders(template):
            return re.findall(r"\{\w+(?::[^}]*)?\}", template)
        assert placeholders(gate.compact_infix) == placeholders(gate.infix)
        assert len(gate.compact_infix) < len(gate.infix)
    assert not (gate.passes_gradient and gate.local_param)
    assert gate.local_param in gate.params + ("",)


@pytest.mark.parametrize("gate", [gate for gate in engine.GATE_LIST if gate.params], ids=_ids)
def test_a_gate_with_a_param_shows_it_in_its_symbol(gate):
    name = gate.params[0]
    assert engine.gates.display_symbol(gate.name, {name: -1.0}).count("−1") == 1
    assert engine.gates.display_symbol(gate.name, {name: 2.5}).count("2.5") == 1


def test_symbols_with_params_read_as_before():
    display_symbol = engine.gates.display_symbol
    assert display_symbol("scale", {"c": -1.0}) == "×−1"
    assert display_symbol("offset", {"c": 1.0}) == "+1"
    assert display_symbol("offset", {"c": -2.5}) == "−2.5"
    assert display_symbol("pow", {"p": 2.0}) == "x^2"
    assert display_symbol("exp", {}) == "exp"


def test_a_signed_param_shows_one_sign_even_at_minus_zero():
    display_symbol = engine.gates.display_symbol
    assert display_symbol("offset", {"c": 0.0}) == "+0"
    assert display_symbol("offset", {"c": -0.0}) == "−0"  # not "+−0"


# ------------------------------------------------------------------ infix: captions, formulas
@pytest.mark.parametrize("gate", OPERATIONS, ids=_ids)
def test_forward_caption_writes_the_numbers_that_reached_the_gate(gate):
    values, circuit, result = _run_at_point(gate)
    caption = forward_caption(circuit, result, "g")
    written, equals, out = caption.rpartition(" = ")
    assert equals and out == format_number(result.value)
    for value in values:
        assert format_number(value) in written
    for name in gate.params:  # "c × a", "a + c", "a ^ p": the param is shown
        assert format_number(gate.param_defaults[name]) in written or \
            f"{gate.param_defaults[name]:g}" in written
    if not gate.infix:
        assert written == f"{gate.name}({', '.join(format_number(v) for v in values)})"


@pytest.mark.parametrize("gate", OPERATIONS, ids=_ids)
def test_boundary_formula_writes_the_gate_over_its_inputs_names(gate):
    ports = gate.default_ports()
    circuit = _one_gate(gate, [1.0] * ports)
    for i in range(ports):
        circuit.set_label(f"a{i}", f"h{i}")
    text = gate_expression(circuit, "g")
    assert [name for name in re.findall(r"h\d", text)] == [f"h{i}" for i in range(ports)]
    if gate.infix:
        assert not text.startswith(gate.name + "(")
        for name in gate.params:
            assert f"{gate.param_defaults[name]:g}" in text
    else:
        assert text == f"{gate.name}({', '.join(f'h{i}' for i in range(ports))})"


def test_formulas_and_captions_read_as_before():
    # the seeds' neuron and the texts users already know, unchanged by the table's infix column
    circuit = build({"x": ("input", -2.0), "y": ("input", 3.0), "s": ("add", {"inputs": 3}),
                     "m": "mul", "n": "neg", "k": ("scale", {"params": {"c": -1.0}}),
                     "o": ("offset", {"params": {"c": 1.0}}), "p": ("pow", {"params": {"p": 2.0}}),
                     "r": "recip", "e": "exp", "d": "div", "b": "sub"},
                    {"s": ["x", "y", "x"], "m": ["x", "y"], "n": ["x"], "k": ["y"], "o": ["y"],
                     "p": ["x"], "r": ["y"], "e": ["x"], "d": ["x", "y"], "b": ["x", "y"]},
                    output="s")
    result = engine.run(circuit)
    expected_captions = {"s": "-2.00 + 3.00 - 2.00 = -1.00", "m": "-2.00 × 3.00 = -6.00",
                         "n": "−(-2.00) = 2.00", "k": "-1.00 × 3.00 = -3.00",
                         "o": "3.00 + 1.00 = 4.00", "p": "-2.00 ^ 2 = 4.00",
                         "r": "1 / 3.00 = 0.33", "e": "exp(-2.00) = 0.14",
                         "d": "-2.00 / 3.00 = -0.67", "b": "-2.00 − 3.00 = -5.00"}
    for node_id, caption in expected_captions.items():
        assert forward_caption(circuit, result, node_id) == caption
    expected_formulas = {"s": "x + y + x", "m": "x·y", "n": "−x", "k": "-1·y", "o": "y + 1",
                         "p": "x^2", "r": "1 / y", "e": "exp(x)", "d": "x / y", "b": "x − y"}
    for node_id, formula in expected_formulas.items():
        assert gate_expression(circuit, node_id) == formula


# ------------------------------------------------------------------ pattern: the chain rule's words
@pytest.mark.parametrize("gate", OPERATIONS, ids=_ids)
def test_chain_rule_pattern_is_what_the_backward_pass_does(gate):
    values, circuit, result = _run_at_point(gate)
    rule = gate_chain_rule(circuit, result, "g")
    assert rule.pattern == gate.pattern
    assert rule.pattern_text.startswith(engine.gates.display_symbol(gate.name, {
        **gate.param_defaults}) if gate.pattern == "scales" else gate.name)
    locals_ = [port.local for port in rule.ports]
    if gate.pattern == "distributes":
        assert locals_ == [1.0] * len(values)
    elif gate.pattern == "routes":  # the winner gets 1, the losers exactly 0
        assert sorted(locals_) == [0.0] * (len(values) - 1) + [1.0]
    elif gate.pattern == "switches":  # each input gets the product of the others
        assert locals_ == pytest.approx([math.prod(values) / v for v in values], rel=1e-14)
    else:
        assert gate.pattern == "scales" and len(values) <= 2


@pytest.mark.parametrize("gate", [gate for gate in OPERATIONS if gate.pattern == "scales"],
                         ids=_ids)
def test_a_local_gradient_fixed_by_the_row_is_the_one_the_backward_pass_gives(gate):
    """passes_gradient: 1 wherever the inputs are; local_param: that param's value. A gate whose
    local gradients say either at two points and two param values has the column set."""
    seen = []
    for shift, param in ((0.0, 2.5), (-2.6, -0.75)):  # inputs 0.7, ... then -1.9, ...
        values = [v + shift for v in _point(gate)]
        params = {name: param for name in gate.params}
        circuit = _one_gate(gate, values, params)
        rule = gate_chain_rule(circuit, engine.run(circuit), "g")
        seen.append(([port.local for port in rule.ports], param, rule.pattern_text))
    passes = all(locals_ == [1.0] * len(locals_) for locals_, _param, _text in seen)
    is_param = bool(gate.params) and all(locals_ == [param] * len(locals_)
                                         for locals_, param, _text in seen)
    assert gate.passes_gradient == passes
    assert bool(gate.local_param) == is_param
    for _locals, param, text in seen:
        assert ("passes the gradient through" in text) == passes
        if is_param:
            assert text.endswith(f"local gradient {gate.local_param} = {param:g}")


# ------------------------------------------------------------------ kink: the gradient check
def _at_kink(gate):
    """Inputs at the gate's kink: 0 for a kink at the input's 0, a tie otherwise."""
    return [0.0] if gate.kink.at_input_zero else [1.5] * gate.default_ports()


@pytest.mark.parametrize("gate", KINKED, ids=_ids)
def test_gradient_check_names_the_gate_sitting_at_its_kink(gate):
    values = _at_kink(gate)
    assert gate.kink.near([np.float64(v) for v in values],
                          gate.forward([np.float64(v) for v in values], {}), 1e-6)
    report = engine.check_gradients(_one_gate(gate, values))
    entry = report.entry("a0")
    assert entry.status == "kink", entry
    assert f"g ({gate.name})" in entry.note
    assert report.passed


@pytest.mark.parametrize("gate", KINKED, ids=_ids)
def test_a_kinked_gate_away_from_its_kink_checks_ok(gate):
    report = engine.check_gradients(_one_gate(gate, _point(gate)))
    assert [entry.status for entry in report.entries] == ["ok"] * gate.default_ports()


@pytest.mark.parametrize("gate", SMOOTH, ids=_ids)
def test_a_smooth_gate_has_no_kink_and_checks_ok(gate):
    report = engine.check_gradients(_one_gate(gate, _point(gate)))
    assert [entry.status for entry in report.entries] == ["ok"] * gate.default_ports()


def test_a_corner_nobody_owns_names_the_kinked_gates_of_the_table():
    note = engine.gradcheck._kink_note([], None, 1.0, -1.0)
    kinked = "/".join(gate.name for gate in KINKED)
    assert note.endswith(f"no {kinked} is at a kink") and kinked == "max/min/relu/abs"


# ------------------------------------------------------------------ pole: where a nan was born
@pytest.mark.parametrize("gate", OPERATIONS, ids=_ids)
def test_pole_says_exactly_where_a_zero_input_makes_the_gate_infinite(gate):
    for params in (dict(gate.param_defaults), {name: -1.0 for name in gate.params}):
        for port in range(gate.default_ports()):
            values = _point(gate)
            values[port] = 0.0
            with np.errstate(all="ignore"):
                out = gate.forward([np.float64(v) for v in values], params)
            at_pole = gate.pole is not None and gate.pole(values, params)
            assert at_pole == bool(np.isinf(out)), (port, params)
        assert gate.pole is None or not gate.pole(_point(gate), params)


# ------------------------------------------------------------------ aliases: quick add
@pytest.mark.parametrize("gate", [gate for gate in engine.GATE_LIST if gate.aliases], ids=_ids)
def test_every_alias_finds_its_gate_in_quick_add(gate):
    for alias in gate.aliases:
        assert gate.name in match_gates(alias), alias
        assert gate.name in match_gates(alias.upper()), alias


def test_everyday_words_rank_their_gate_first():
    assert match_gates("times")[0] == "mul"
    assert match_gates("plus")[0] == "add"
    assert match_gates("logistic")[0] == "sigmoid"
    assert set(match_gates("minus")[:2]) == {"sub", "neg"}


# ------------------------------------------------------------------ sources and sums
def test_an_input_is_the_variable_source_and_a_const_is_not():
    variables = [gate.name for gate in engine.GATE_LIST if gate.variable]
    assert variables == ["input"]
    assert all(gate.is_source for gate in engine.GATE_LIST if gate.variable)
    circuit = build({"x": ("input", 1.0), "k": ("const", 2.0)})
    assert circuit.nodes["x"].is_movable and not circuit.nodes["k"].is_movable
    with pytest.raises(engine.CircuitError, match="only inputs can be frozen"):
        circuit.set_trainable("k", False)


@pytest.mark.parametrize("gate", OPERATIONS, ids=_ids)
def test_sums_inputs_means_every_local_gradient_is_plus_or_minus_one(gate):
    result = engine.run(_one_gate(gate, _point(gate)))
    locals_ = [abs(result.grads[f"a{i}"]) for i in range(gate.default_ports())]
    if gate.sums_inputs:
        assert locals_ == [1.0] * gate.default_ports()
        assert infix_join(gate) or gate.infix.count("{") == 2


# ------------------------------------------------------------------ nothing else names a gate
def gate_name_tests(root: Path) -> list[str]:
    """The lines of engine/ and gui/ under ``root`` that test or key on a gate's name."""
    names = "|".join(gate.name for gate in engine.GATE_LIST)
    pattern = re.compile(rf"""(\.op\s*(==|!=|in)\s*|op\s*(==|!=)\s*)\(?["']({names})["']""")
    tuple_of_names = re.compile(rf"""\(\s*["']({names})["']\s*,\s*["']({names})["']""")
    key_of_dict = re.compile(rf"""(\{{|^)\s*["']({names})["']\s*:""")
    offenders = []
    for path in sorted((root / "engine").rglob("*.py")) + sorted((root / "gui").rglob("*.py")):
        if path.name in ("gates.py", "templates.py"):  # the table; templates build circuits
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(check.search(line) for check in (pattern, tuple_of_names, key_of_dict)):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return offenders


def test_no_module_outside_the_table_tests_a_gate_name():
    assert gate_name_tests(ROOT) == []


def test_the_inputs_dock_describes_a_constant_by_its_row():
    from gui.docks.inputs_panel import source_marker
    circuit = build({"x": ("input", 1.0), "k": ("const", 2.0)})
    assert source_marker(circuit.nodes["k"]) == ("const", engine.GATES["const"].doc)
    assert source_marker(circuit.nodes["x"]) == ("", "Free: ascent and training may move it.")
