"""Layered nets: the lecture's 2-layer and 3-layer nets as a handful of tensor gates.

The lecture's ``f = W2 max(0, W1 x)`` with biases: a layer is ``matmul`` (W·x), ``add`` (+ b)
and an activation applied element by element, so a net of any width is a few gates, laid out
left to right like the lecture's diagrams:

- ``two_layer_net(n_hidden, activation, seed)``: ``score = W2·act(W1·x + b1) + b2``;
- ``three_layer_net(n_hidden, activation, seed)``: one more hidden layer of the same width,
  ``score = W3·act(W2·act(W1·x + b1) + b2) + b3``.

``x`` is one input of shape (2,) bound to the data (``feature: [0, 1]``: each point's (x, y)).
W1 is (h, 2), each hidden layer's bias (h,), a middle layer's W (h, h); the last W is a vector
(h,), so W·h is one number per point, the score, and its bias a number.

The starting values (``initial_value``, seeded) are He's for the weights: normal with variance
2 / fan-in (Xavier's 1 / fan-in for tanh and sigmoid, which squash), so every layer's values
keep their size. The lecture's ``0.01 * randn`` makes a 2-layer net's scores a thousand times
smaller than its margin: the hinge loss then pulls every unit the same way and, at the step sizes
the window uses, the spiral stays at about 60% for thousands of steps. The first layer's biases
are spread over the data's range (uniform in [-2, 2]: the data sets live in [-2.5, 2.5]), so
the hidden units' kinks cut the plane in lines all over it, not all through the origin as with
zero biases: the spiral's arms wind around the origin, and lines through it cannot follow them.
Deeper biases start at 0, the output's bias too.

Full-batch gradient descent with the hinge loss makes such a net's accuracy jump about (a
point crossing the margin flips its whole pull), so the nets suggest the logistic loss and a
step size of 0.3 (the file's optional ``"training"`` key, ``TRAINING_KEY``, which the window
and ``python -m engine train`` start from): h = 100 then learns the spiral to 95% in about
1200 steps and stays there.
"""

from __future__ import annotations

import numpy as np

from .circuit import Circuit
from .gates import GATES, Gate
from .templates import FIRST_POINT, ROW, at_column, check_net_arguments

MAX_LAYER_WIDTH = 256
TRAINING_KEY = "training"  # a file's suggested training settings
# the window also takes 10 steps per frame: a few hundred steps a second
SUGGESTED_TRAINING = {"loss": "logistic", "step_size": 0.3, "steps_per_frame": 10}
FIRST_BIAS_SPREAD = 2.0  # the first layer's biases start uniform in [-2, 2]


def suggested_training(circuit: Circuit) -> dict:
    """The training settings a file suggests (its "training" key: name -> a number or a
    word), or {}; whoever takes them still checks each one."""
    suggested = circuit.extra.get(TRAINING_KEY)
    if not isinstance(suggested, dict):
        return {}
    return {name: value for name, value in suggested.items()
            if type(value) in (int, float, str)}


def _at(column: float, row: float) -> tuple[float, float]:
    """The snapped position of a gate in ``column`` and ``row`` (the scalar templates' grid)."""
    return at_column(column, row * ROW)


def weight_gain(activation: Gate | None) -> float:
    """He's 2 for an activation that is 0 on half its inputs (relu: a kink at its input's 0),
    Xavier's 1 for one that squashes (tanh, sigmoid) or none."""
    half_off = activation is not None and activation.kink is not None \
        and activation.kink.at_input_zero
    return 2.0 if half_off else 1.0


def initial_value(shape: tuple, rng: np.random.Generator, *, gain: float = 2.0,
                  bias: bool = False, first_layer: bool = False):
    """A parameter's starting value: weights normal with variance gain / fan-in, biases as
    the docstring says."""
    if bias:
        if first_layer:
            return rng.uniform(-FIRST_BIAS_SPREAD, FIRST_BIAS_SPREAD, shape)
        return np.zeros(shape) if shape else 0.0
    fan_in = shape[-1] if shape else 1
    return rng.standard_normal(shape) * np.sqrt(gain / fan_in)


def _layered(title: str, widths: list[int], activation: str, seed: int) -> Circuit:
    """Layers of ``widths`` (the hidden ones, then 1 for the score), each two columns wide."""
    circuit = Circuit(title)
    rng = np.random.default_rng(seed)
    circuit.add_node("input", "x", value=list(FIRST_POINT), feature=[0, 1], pos=_at(0, 1))
    below, fan_in = "x", 2
    column = 0
    for layer, width in enumerate(widths, start=1):
        last = layer == len(widths)
        w_shape = (fan_in,) if last else (width, fan_in)
        b_shape = () if last else (width,)
        weights, bias = f"W{layer}", f"b{layer}"
        product, total = f"W{layer}{below}", ("score" if last else f"z{layer}")
        circuit.add_node("input", weights, pos=_at(column, 0), value=initial_value(
            w_shape, rng, gain=weight_gain(GATES[activation])))
        circuit.add_node("matmul", product, pos=_at(column + 1, 0.5))
        circuit.connect(weights, product, 0)
        circuit.connect(below, product, 1)
        circuit.add_node("input", bias, pos=_at(column + 1, 1.75), value=initial_value(
            b_shape, rng, bias=True, first_layer=layer == 1))
        circuit.add_node("add", total, pos=_at(column + 2, 1))
        circuit.connect(product, total, 0)
        circuit.connect(bias, total, 1)
        if last:
            break
        hidden = f"h{layer}"
        circuit.add_node(activation, hidden, pos=_at(column + 3, 1))
        circuit.connect(total, hidden, 0)
        below, fan_in = hidden, width
        column += 3
    circuit.set_output("score")
    circuit.set_extra(TRAINING_KEY, dict(SUGGESTED_TRAINING))
    return circuit


def two_layer_net(n_hidden: int = 100, activation: str = "relu", seed: int = 0) -> Circuit:
    """The lecture's 2-layer net score = W2·act(W1·x + b1) + b2 with ``n_hidden`` units."""
    check_net_arguments(n_hidden, activation, MAX_LAYER_WIDTH)
    circuit = _layered(f"2-layer net: {n_hidden} hidden {activation} units, tensor layers",
                       [n_hidden, 1], activation, seed)
    circuit.set_extra("description", f"score = W2·h1 + b2 with h1 = {activation}(W1·x + b1): "
                      f"the lecture's 2-layer net, {n_hidden} hidden units in one vector. "
                      "W1 is a matrix, every element a parameter; each row of W1 (with its "
                      "element of b1) is one hidden unit's cut of the plane.")
    return circuit


def three_layer_net(n_hidden: int = 32, activation: str = "relu", seed: int = 0) -> Circuit:
    """The lecture's 3-layer net: two hidden layers of ``n_hidden`` units each."""
    check_net_arguments(n_hidden, activation, MAX_LAYER_WIDTH)
    circuit = _layered(f"3-layer net: 2 × {n_hidden} hidden {activation} units, tensor layers",
                       [n_hidden, n_hidden, 1], activation, seed)
    circuit.set_extra("description", f"score = W3·h2 + b3, h2 = {activation}(W2·h1 + b2), "
                      f"h1 = {activation}(W1·x + b1): the lecture's 3-layer net. The second "
                      "layer's units combine the first layer's cuts into bent regions.")
    return circuit


LAYER_NETS = {"two_layer_net": two_layer_net, "three_layer_net": three_layer_net}
