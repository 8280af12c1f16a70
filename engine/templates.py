"""Templates: ready-to-train classifier circuits, built gate by gate and neatly laid out.

- ``linear_classifier()``: the hacker's guide's SVM score ``a*x + b*y + c``, starting from the
  guide's a = 1, b = -2, c = -1.
- ``two_layer_relu_net()``: the guide's 2-layer net, ``score = a4*n1 + b4*n2 + c4*n3 + d4``
  with three hidden units ``n_i = max(0, a_i*x + b_i*y + c_i)``.
- ``hidden_layer_net(n_hidden, activation)``: the same shape with 1 to 32 hidden units of
  relu, tanh or sigmoid; hidden unit i has weights a_i (on x), b_i (on y) and bias c_i, and
  feeds the score through the weight w_i; d is the score's bias.
- ``two_layer_net`` and ``three_layer_net`` (``layer_nets.py``): the lecture's nets of 1 to 256
  units per layer as a few tensor gates (W1·x + b1 ...), for widths scalar gates cannot draw.

In all of them the inputs x and y are bound to data features 0 and 1 and the output is
``score``; the parameters start uniform in [-0.5, 0.5) from ``seed`` (the guide's
``Math.random() - 0.5``) unless the guide gives them. The layout reads left to right like the
lecture's diagrams: the data inputs top left, each hidden unit a band of its own below them
with its weights in the first column and its bias beside the gate it feeds, then the
activations, the output weights beside them, and the sum. Every position is on the canvas's
20 px grid and no two bodies overlap. An add gate takes at most 16 ports, so beyond 15 hidden
units the products are first summed in groups.
"""

from __future__ import annotations

import math

import numpy as np

from .circuit import Circuit
from .gates import GATES, MAX_PORTS

GRID = 20
COLUMN = 180  # horizontal distance between columns
ROW = 80  # vertical distance between rows
BAND = 3 * ROW + 2 * GRID  # the height of one hidden unit's band
ACTIVATIONS = ("relu", "tanh", "sigmoid")
MAX_HIDDEN = 32
FIRST_POINT = (1.2, 0.7)  # the guide's first data point: what x and y show before training


GATE_HEIGHT = 50  # the canvas's gate body: 50 px high, taller for many ports
PORT_SPACING = 16


def _top(centre: float, ports: int) -> float:
    """The y of a gate with ``ports`` ports whose body is centred at ``centre``."""
    return centre - max(GATE_HEIGHT, (ports + 1) * PORT_SPACING) / 2


def _snap(value: float) -> float:
    return float(GRID * round(value / GRID))


def at_column(column: float, y: float) -> tuple[float, float]:
    """The grid-snapped position of a gate in ``column`` at height ``y``."""
    return (_snap(column * COLUMN), _snap(y))


def _data_inputs(circuit: Circuit) -> None:
    circuit.add_node("input", "x", value=FIRST_POINT[0], feature=0, pos=at_column(0, 0))
    circuit.add_node("input", "y", value=FIRST_POINT[1], feature=1, pos=at_column(0, ROW))


def _gate(circuit: Circuit, op: str, node_id: str, sources: list[str], pos) -> str:
    circuit.add_node(op, node_id, inputs=len(sources) if GATES[op].variadic else None,
                     pos=pos)
    for port, src in enumerate(sources):
        circuit.connect(src, node_id, port)
    return node_id


def linear_classifier() -> Circuit:
    """The guide's SVM score a*x + b*y + c (a = 1, b = -2, c = -1), laid out."""
    circuit = Circuit("Linear classifier: score = a*x + b*y + c")
    circuit.add_node("input", "a", value=1.0, pos=at_column(0, 0))
    circuit.add_node("input", "x", value=FIRST_POINT[0], feature=0, pos=at_column(0, ROW))
    circuit.add_node("input", "b", value=-2.0, pos=at_column(0, 2 * ROW))
    circuit.add_node("input", "y", value=FIRST_POINT[1], feature=1, pos=at_column(0, 3 * ROW))
    circuit.add_node("input", "c", value=-1.0, pos=at_column(0, 4 * ROW))
    _gate(circuit, "mul", "ax", ["a", "x"], at_column(1, ROW / 2))
    _gate(circuit, "mul", "by", ["b", "y"], at_column(1, 2.5 * ROW))
    _gate(circuit, "add", "score", ["ax", "by", "c"], at_column(2, 2.5 * ROW))
    circuit.set_output("score")
    circuit.set_extra("description", "A linear classifier (the hacker's guide's SVM): the sign "
                      "of a*x + b*y + c is the predicted label of the point (x, y).")
    return circuit


def _net(title: str, n_hidden: int, activation: str, out_weights: list[str], out_bias: str,
         seed: int) -> Circuit:
    circuit = Circuit(title)
    rng = np.random.default_rng(seed)

    def parameter(node_id: str, pos) -> str:
        circuit.add_node("input", node_id, value=round(float(rng.uniform(-0.5, 0.5)), 4),
                         pos=pos)
        return node_id

    _data_inputs(circuit)
    products = []
    top = 2.5 * ROW
    for i in range(1, n_hidden + 1):
        row = top + (i - 1) * BAND
        parameter(f"a{i}", at_column(0, row))
        parameter(f"b{i}", at_column(0, row + ROW))
        _gate(circuit, "mul", f"a{i}x", [f"a{i}", "x"], at_column(1.5, row))
        _gate(circuit, "mul", f"b{i}y", [f"b{i}", "y"], at_column(1.5, row + ROW))
        parameter(f"c{i}", at_column(1.5, row + 2 * ROW))
        _gate(circuit, "add", f"h{i}", [f"a{i}x", f"b{i}y", f"c{i}"], at_column(2.5, row + ROW))
        _gate(circuit, activation, f"n{i}", [f"h{i}"], at_column(3.5, row + ROW))
        parameter(out_weights[i - 1], at_column(3.5, row + 2 * ROW))
        products.append(_gate(circuit, "mul", f"m{i}", [f"n{i}", out_weights[i - 1]],
                              at_column(4.5, row + 1.5 * ROW)))

    def centre_of(first: int, last: int) -> float:  # mid-height of products first..last
        return top + 1.5 * ROW + GATE_HEIGHT / 2 + (first + last) * BAND / 2

    bias_row = top + (n_hidden - 1) * BAND + 3 * ROW
    if n_hidden + 1 <= MAX_PORTS:
        parameter(out_bias, at_column(4.5, bias_row))
        _gate(circuit, "add", "score", products + [out_bias],
              at_column(5.5, _top(centre_of(0, n_hidden - 1), n_hidden + 1)))
    else:
        groups = math.ceil(n_hidden / (MAX_PORTS - 1))  # at least two: score sums them
        size = math.ceil(n_hidden / groups)
        sums = []
        for g in range(groups):
            chunk = products[g * size:(g + 1) * size]
            centre = centre_of(g * size, g * size + len(chunk) - 1)
            sums.append(_gate(circuit, "add", f"s{g + 1}", chunk,
                              at_column(5.5, _top(centre, len(chunk)))))
        parameter(out_bias, at_column(5.5, bias_row))
        _gate(circuit, "add", "score", sums + [out_bias],
              at_column(6.5, _top(centre_of(0, n_hidden - 1), groups + 1)))
    circuit.set_output("score")
    return circuit


def two_layer_relu_net(seed: int = 0) -> Circuit:
    """The guide's 2-layer net: hidden relu units a1..c3, output weights a4, b4, c4, bias d4."""
    circuit = _net("The hacker's guide's 2-layer net: 3 hidden ReLU units", 3, "relu",
                   ["a4", "b4", "c4"], "d4", seed)
    circuit.set_extra("description", "score = a4*n1 + b4*n2 + c4*n3 + d4 with "
                      "n_i = max(0, a_i*x + b_i*y + c_i): three hidden ReLU neurons, each "
                      "cutting the plane along its own line.")
    return circuit


def check_net_arguments(n_hidden, activation: str, largest: int) -> None:
    """ValueError unless ``n_hidden`` is a whole number from 1 to ``largest`` and
    ``activation`` one of ``ACTIVATIONS``."""
    if isinstance(n_hidden, bool) or not isinstance(n_hidden, int) \
            or not 1 <= n_hidden <= largest:
        raise ValueError(f"n_hidden must be a whole number from 1 to {largest}, "
                         f"not {n_hidden!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"not {activation!r}")


def hidden_layer_net(n_hidden: int = 8, activation: str = "relu", seed: int = 0) -> Circuit:
    """A net with ``n_hidden`` (1..32) hidden units of ``activation`` (relu, tanh, sigmoid)."""
    check_net_arguments(n_hidden, activation, MAX_HIDDEN)
    units = "unit" if n_hidden == 1 else "units"
    circuit = _net(f"A net with {n_hidden} hidden {activation} {units}", n_hidden, activation,
                   [f"w{i}" for i in range(1, n_hidden + 1)], "d", seed)
    circuit.set_extra("description", f"score = w1*n1 + ... + w{n_hidden}*n{n_hidden} + d with "
                      f"n_i = {activation}(a_i*x + b_i*y + c_i).")
    return circuit


TEMPLATES = {
    "linear_classifier": linear_classifier,
    "two_layer_relu_net": two_layer_relu_net,
    "hidden_layer_net": hidden_layer_net,
}
