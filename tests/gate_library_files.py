"""Circuit files with gates of their own, written by hand (FORMAT.md 6), for the gate library's
tests: a teacher's library with the lecture's sigmoid gate ``sig`` (``*-1``, ``exp``, ``+1``,
``1/x``), a 2-port ``neuron`` gate sig(w * x) that uses it, and the hacker's guide's
``MultiplyGate`` as a code gate; and a student's circuit with a different gate called ``sig``.
"""

import json
import math

from tests.test_code_gates import MULTIPLY  # the guide's MultiplyGate

TEACHER = """{
  "format": "circuitgrad",
  "version": 2,
  "title": "Week 4 gates",
  "gates": {
    "sig": {
      "ports": ["a"],
      "nodes": [
        {"id": "a", "op": "input", "value": 0.0, "pos": [0, 0]},
        {"id": "neg", "op": "scale", "params": {"c": -1.0}, "pos": [120, 0]},
        {"id": "e", "op": "exp", "pos": [240, 0]},
        {"id": "plus1", "op": "offset", "params": {"c": 1.0}, "pos": [360, 0]},
        {"id": "inv", "op": "recip", "pos": [480, 0]}
      ],
      "wires": [
        {"from": "a", "to": "neg", "port": 0},
        {"from": "neg", "to": "e", "port": 0},
        {"from": "e", "to": "plus1", "port": 0},
        {"from": "plus1", "to": "inv", "port": 0}
      ],
      "output": "inv"
    },
    "neuron": {
      "ports": ["w", "x"],
      "nodes": [
        {"id": "w", "op": "input", "value": 0.0},
        {"id": "x", "op": "input", "value": 0.0},
        {"id": "wx", "op": "mul"},
        {"id": "s", "op": "sig"}
      ],
      "wires": [
        {"from": "w", "to": "wx", "port": 0},
        {"from": "x", "to": "wx", "port": 1},
        {"from": "wx", "to": "s", "port": 0}
      ],
      "output": "s"
    },
    "MultiplyGate": {
      "ports": ["x", "y"],
      "code": @MULTIPLY@
    }
  },
  "nodes": [
    {"id": "w", "op": "input", "value": 2.0},
    {"id": "x", "op": "input", "value": -1.0},
    {"id": "n", "op": "neuron"}
  ],
  "wires": [
    {"from": "w", "to": "n", "port": 0},
    {"from": "x", "to": "n", "port": 1}
  ]
}
""".replace("@MULTIPLY@", json.dumps(MULTIPLY))

# the student's own "sig" doubles its input: a different gate with the same name and ports
STUDENT = """{
  "format": "circuitgrad",
  "version": 2,
  "title": "My circuit",
  "gates": {
    "sig": {
      "ports": ["u"],
      "nodes": [
        {"id": "u", "op": "input", "value": 0.0},
        {"id": "twice", "op": "scale", "params": {"c": 2.0}}
      ],
      "wires": [{"from": "u", "to": "twice", "port": 0}],
      "output": "twice"
    }
  },
  "nodes": [
    {"id": "t", "op": "input", "value": 3.0},
    {"id": "d", "op": "sig"}
  ],
  "wires": [{"from": "t", "to": "d", "port": 0}]
}
"""

# a student's "sig" with two ports, used inside the student's "pair": a replacement with one
# port is refused
STUDENT_TWO_PORT_SIG = """{
  "format": "circuitgrad",
  "version": 2,
  "title": "Two ports",
  "gates": {
    "sig": {
      "ports": ["p", "q"],
      "nodes": [
        {"id": "p", "op": "input", "value": 0.0},
        {"id": "q", "op": "input", "value": 0.0},
        {"id": "both", "op": "add"}
      ],
      "wires": [
        {"from": "p", "to": "both", "port": 0},
        {"from": "q", "to": "both", "port": 1}
      ],
      "output": "both"
    },
    "pair": {
      "ports": ["a"],
      "nodes": [
        {"id": "a", "op": "input", "value": 0.0},
        {"id": "g", "op": "sig"}
      ],
      "wires": [
        {"from": "a", "to": "g", "port": 0},
        {"from": "a", "to": "g", "port": 1}
      ],
      "output": "g"
    }
  },
  "nodes": [{"id": "x", "op": "input", "value": 1.0}]
}
"""

# "gates" whose sig uses a gate nobody defined
MALFORMED = """{
  "format": "circuitgrad",
  "version": 2,
  "title": "Broken",
  "gates": {
    "sig": {
      "ports": ["a"],
      "nodes": [
        {"id": "a", "op": "input", "value": 0.0},
        {"id": "r", "op": "sigmoidd"}
      ],
      "wires": [{"from": "a", "to": "r", "port": 0}],
      "output": "r"
    }
  },
  "nodes": []
}
"""


def sigmoid(z: float) -> float:
    """The lecture's sigma(z) = 1 / (1 + e^-z), computed independently of the engine."""
    return 1.0 / (1.0 + math.exp(-z))


def write(tmp_path, name: str, text: str):
    """``text`` written to ``tmp_path / name``; the path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def canvas_of_numbers(text: str) -> str:
    """The file ``text`` with its own gates and, on the canvas, only x -> +1 (built-in gates)."""
    data = json.loads(text)
    data["nodes"] = [{"id": "x", "op": "input", "value": 1.0},
                     {"id": "f", "op": "offset", "params": {"c": 1.0}}]
    data["wires"] = [{"from": "x", "to": "f", "port": 0}]
    return json.dumps(data)
