"""Gate specs: the sources made with a shape that the palette carries and quick add reads."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from gui.canvas.source_shapes import GateSpec, parse_gate_spec, parse_shape  # noqa: E402


@pytest.mark.parametrize("text, spec", [
    ("mul", GateSpec("mul")),
    ("input", GateSpec("input")),
    ("input 2x3", GateSpec("input", (2, 3))),
    ("input 2×3", GateSpec("input", (2, 3))),
    ("Input (2, 3)", GateSpec("input", (2, 3))),
    ("const 4", GateSpec("const", (4,))),
    ("const 1x4", GateSpec("const", (1, 4))),
    ("matrix", GateSpec("input", (2, 2))),
    ("matrix 3*3", GateSpec("input", (3, 3))),
    ("vector const 8", GateSpec("const", (8,))),
    ("vector input", GateSpec("input", (2,))),
    ("mul 2x2", None),  # only a source holds a value of its own
    ("input 0x2", None),
    ("input 4097", None),
    ("vector 2x2", None),  # a vector has one side
    ("input 2x", None),
    ("nothing", None),
    ("", None),
])
def test_gate_specs(text, spec):
    assert parse_gate_spec(text) == spec


def test_a_spec_writes_itself_back_and_names_its_kind():
    spec = parse_gate_spec("input 2x3")
    assert spec.text == "input 2×3" and parse_gate_spec(spec.text) == spec
    assert spec.title == "matrix input 2×3"
    assert spec.value.shape == (2, 3) and not spec.value.any()
    assert GateSpec("const", (4,)).title == "vector const 4"
    assert GateSpec("add").value is None
    assert parse_shape(" 3 ") == (3,)
