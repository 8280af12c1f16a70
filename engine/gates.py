"""The gate table: every gate circuitgrad knows, declared once.

A gate is a row: its name (the ``op`` of the file format), how many input ports it has, which
numeric params it takes, its forward function, its local gradient (a vector-Jacobian product:
given the inputs, the output and the upstream gradient, the gradient sent to each port), and
what people read about it (symbol, formula, local gradient, the seeds' intuition, its group in
the palette). The file loader, the autodiff, the gradient check, the palette and the tests all
read ``GATES``; adding a gate is adding one row.

Forward and backward functions work on numpy float64 scalars and arrays alike and follow
PyTorch's conventions (sigmoid saturates to exactly 0 and 1, exp overflows to inf, 1/0 is inf,
0/0 is nan, nan propagates, relu and abs have gradient 0 at 0, max/min split ties evenly; at a
nan, relu' is 1, abs' is 0 and max/min send the whole gradient to every port; div's d/db is
-a/b/b, recip's -(1/a)², so neither overflows early; pow takes sqrt for p = 0.5; signed zeros
as torch gives them: relu(-0) is -0, max/min keep their first input on a tie; the tests hold
torch's numbers). They are always called inside ``numpy.errstate(all="ignore")`` so nothing
warns or raises. They are the definition of what every gate computes.

A row also carries what the rest of the program says about its gate, so nothing outside the table
names a gate: how its expression is written (``infix``: captions; ``compact_infix``: the
boundary plot's formula), how its backward pass shares the upstream gradient out (``pattern``,
and for a local gradient fixed by the row ``passes_gradient`` and ``local_param``: the
chain-rule captions and the explanations), where its slope jumps (``kink``: the gradient
check), where it is defined (``domain``), where it is infinite (``pole``) and a hint for when a
number stops being finite there (``nan_hint``: where a nan was born), the words people type for
it (``aliases``: quick add), whether a source is a variable the user, ascent and training change
(``variable``: an input) and whether its output sums its inputs (``sums_inputs``: a trainable
input that only feeds such gates is a bias).

A row may also give the same arithmetic on plain Python floats (``scalar_forward`` and
``scalar_backward``), which the scalar fast path (``engine/scalar_kernels.py``) runs when every
source is a single number: Python floats cost a fraction of numpy scalars. Wherever they answer
they give the numpy functions' number, bit for bit (sign of zero, nan and inf included; exp, log,
tanh and sigmoid up to their maths library's last bits: Python's ``math`` and numpy differ
there). Wherever Python raises (1/0, exp(1000), log(0)) or a value comes out inf or nan, the
fast path throws its work away and the numpy functions redo it. A tensor circuit's small
unbatched element gates run on these functions too, element by element
(``engine/small_elements.py``), so that Expand to Scalars gives the same bits.
A gate without them simply always runs on the numpy functions.
"""

import math
import operator
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import tensor_gates
from .masked_gradient import relu_gradient
from .shapes import matmul_shape, to_number, transposed

MAX_PORTS = 16


@dataclass(frozen=True)
class Kink:
    """Where a gate's slope jumps: its left and right derivatives differ there.

    ``side`` tells which side of the kink the gate is on, from its inputs and output; ``near``
    says whether the inputs sit at the kink, within ``eps``.
    """

    side: Callable  # (inputs, output) -> a comparable token
    near: Callable  # (inputs, output, eps) -> bool
    # True where the kink is at its input's 0 (relu, abs): the gate's zero set is bounded by
    # its input's zero line, so the boundary plot draws that line for it
    at_input_zero: bool = False


# relu and abs: the slope jumps where the input crosses 0
AT_ZERO = Kink(side=lambda xs, out: float(np.sign(xs[0])),
               near=lambda xs, out, eps: abs(float(xs[0])) <= eps, at_input_zero=True)
# max and min: the slope jumps where the winning input changes, at a tie
AT_TIE = Kink(side=lambda xs, out: tuple(bool(x == out) for x in xs),
              near=lambda xs, out, eps: sum(abs(float(x) - float(out)) <= eps for x in xs) >= 2)


@dataclass(frozen=True)
class Gate:
    """One row of the gate table."""

    name: str
    symbol: str
    group: str  # "source", "arithmetic", "nonlinear", "tensor" or "own": where the palette
    # shows it
    min_ports: int
    max_ports: int
    forward: Callable | None
    backward: Callable | None  # (inputs, output, upstream, params) -> tuple of port gradients
    formula: str
    local_gradient: str
    doc: str
    params: tuple = ()
    intuition: str = ""
    param_defaults: dict = field(default_factory=dict)
    # The same gate on Python floats (see the module docstring), by number of ports:
    #   1 port:  scalar_forward(a[, param]) -> out,  scalar_backward(a, out, up[, param]) -> grad
    #   2 ports: scalar_forward(a, b) -> out,        scalar_backward(a, b, out, up) -> (ga, gb)
    # where param is the gate's only param, if it has one. A variadic gate gives its 2-port
    # kernels; with more ports its value is the left fold of scalar_forward (as ``forward``)
    # and its gradients come from ``backward`` called on Python floats.
    scalar_forward: Callable | None = None
    scalar_backward: Callable | None = None
    # How an expression of it is written: "{0}", "{1}", ... are its ports, "{c}", "{p}" its
    # params (formatted by the caller; "{p:g}" as typed). A variadic gate gives two ports and
    # joins more with the text between them. "" writes it as a function: "exp(a)".
    infix: str = ""
    compact_infix: str = ""  # the same written tight, for titles ("{0}·{1}"); "": as ``infix``
    param_symbol: str = ""  # the symbol drawn with its params ("×{c}": ×−1); "{c:+}" signs c
    # How its backward pass shares the upstream gradient out (CS231n lecture 4): "distributes"
    # (every input gets it), "routes" (the losers get 0), "switches" (each input gets the others'
    # product) or "scales" (by its local gradient).
    pattern: str = "scales"
    # What a "scales" gate's local gradient is, when it does not depend on the numbers: 1, so
    # the upstream gradient passes through unchanged (``passes_gradient``: offset), or the
    # value of one of its params (``local_param``: c of scale)
    passes_gradient: bool = False
    local_param: str = ""
    kink: Kink | None = None
    domain: str = ""  # where it is defined, when not everywhere: "a > 0"
    # (inputs, params) -> True where its inputs sit on a pole, where it is infinite (1/0, ln 0)
    pole: Callable | None = None
    nan_hint: str = ""  # what to know when a value stops being finite at it
    aliases: tuple = ()  # words people type for it that its name, symbol and doc do not contain
    variable: bool = False  # a source the user, ascent and training change (an input)
    sums_inputs: bool = False  # its output is a signed sum of its inputs (add, sub)
    # What it makes of its inputs' shapes (engine/shapes.py): None for a gate that works
    # element by element with numpy broadcasting; else a rule (op, input shapes) -> output
    # shape, and then forward and backward also take ``ranks`` (engine/tensor_gates.py)
    shape_rule: Callable | None = None
    # A tensor gate's backward as the lecture writes it, one template per port: "{g}" is the
    # upstream gradient, "{0}", "{1}" the ports' values (matmul: dW = dq·xᵀ, dx = Wᵀ·dq; the
    # chain-rule captions); empty for the element-by-element gates ("upstream × local")
    backward_infix: tuple = ()
    # How Expand to Scalars writes a tensor gate in number gates (engine/expand.py):
    # "sum_of_products" (matmul), "pairwise_sum" (every element added in numpy's order) or
    # "rewiring" (no gate: its elements are its input's); "" for element-by-element gates
    scalar_form: str = ""
    # What each input port stands for where their order matters (matmul: W, x of q = W·x):
    # the canvas writes them at the ports; empty where the ports are interchangeable
    port_names: tuple = ()
    # A file's own gate (FORMAT.md 6): its definition (engine/own_gates.py), None for the
    # built-in rows; and why it cannot run now ("" when it can): a code gate not trusted or
    # failing its check, a compound gate whose inside cannot run
    definition: object = None
    problem: str = ""
    # A 1-port gate's local gradient as an expression to write with numbers: "{a}" its input,
    # "{out:s}" its output named s ("{out:s} × (1 − {out:s})": s × (1 − s), 0.73 × (1 − 0.73))
    local_infix: str = ""
    # An own gate's: the built-in gate it computes the same function as (engine/gate_twins.py:
    # its captions then write that gate's local gradient with this gate's numbers), and what
    # works its local gradient out ("its inside's backward pass")
    same_as: str = ""
    local_origin: str = ""

    @property
    def elementwise(self) -> bool:
        """True for a gate that works element by element (every gate but the tensor ones)."""
        return self.shape_rule is None

    @property
    def variadic(self) -> bool:
        """True for gates whose number of ports the user chooses (add, mul, max, min)."""
        return self.min_ports != self.max_ports

    @property
    def is_source(self) -> bool:
        """True for gates with no ports whose value the user sets (input, const)."""
        return self.max_ports == 0

    @property
    def adds_inputs(self) -> bool:
        """True for a plain sum of its inputs, every one with a plus sign (add)."""
        return self.sums_inputs and self.pattern == "distributes"

    def default_ports(self) -> int:
        """The number of ports a new gate of this kind gets."""
        return 2 if self.variadic else self.min_ports


def gate_number(number):
    """A float64 scalar or array: the kind of number the gate functions are written for."""
    return np.float64(number) if np.ndim(number) == 0 else np.asarray(number, dtype=float)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _extremum_backward(xs, out, g, p):
    """Backward of max/min: the upstream gradient goes to the winning port(s), split on ties,
    and a losing port gets exactly 0 (torch's ``masked_fill``: 0 even where g is inf). With a
    nan no port wins or loses, and every port gets the whole upstream gradient (as torch)."""
    wins = [x == out for x in xs]
    count = sum(w * 1.0 for w in wins)
    share = g / np.maximum(count, 1.0)
    undecided = out != out
    return tuple(np.where(undecided, g, np.where(w, share, 0.0))[()] for w in wins)


def _extremum_forward(ufunc):
    def forward(xs, p):
        out = xs[0]
        for x in xs[1:]:
            out = ufunc(x, out)  # numpy keeps its second argument on a tie, torch its first
        return out

    return forward


def _fold(op, ufunc):
    """The left fold of ``op`` over the ports: ((x0 op x1) op x2) op ... From the third port
    on, an array the fold made itself is updated in place (``ufunc`` with ``out``) where the
    result keeps its shape: the same numbers, without a new batch-sized array for every port."""
    def forward(xs, p):
        out = xs[0]
        for made_here, x in enumerate(xs[1:]):
            if made_here and type(out) is np.ndarray and np.shape(x) == out.shape:
                ufunc(out, x, out=out)
            else:
                out = op(out, x)
        return out

    return forward


_add_forward = _fold(operator.add, np.add)
_mul_forward = _fold(operator.mul, np.multiply)


def _mul_backward(xs, out, g, p):
    """Each port gets the product of the other ports (prefix x suffix: no division by zero)."""
    n = len(xs)
    if n == 2:
        return (xs[1] * g, xs[0] * g)
    prefix = [1.0] * n
    for i in range(1, n):
        prefix[i] = prefix[i - 1] * xs[i - 1]
    grads = [None] * n
    suffix = 1.0
    for i in range(n - 1, -1, -1):
        grads[i] = prefix[i] * suffix * g
        suffix = suffix * xs[i]
    return tuple(grads)


def _power_kernel(sqrt, one, general):
    """a ** e as torch's pow(tensor, scalar) computes it: a few exponents by their own kernels
    (sqrt for 0.5, so (-inf) ** 0.5 is nan and (-0) ** 0.5 is -0; a * a * a for 3), the rest by
    C's pow (``**`` on a numpy number and ``math.pow`` give the same bits; ``**`` on an array is
    numpy's own loop, which may differ in the last bit). numpy's ``**`` takes sqrt for 0.5 on
    arrays only; this is the same on numpy numbers and arrays (``np.sqrt``) and on Python floats
    (``math.sqrt``, which raises where numpy gives nan: the fast path then gives way)."""
    special = {0.0: one, 1.0: lambda a: a * 1.0, 0.5: sqrt, -0.5: lambda a: 1.0 / sqrt(a),
               -1.0: lambda a: 1.0 / a, 2.0: lambda a: a * a, 3.0: lambda a: a * a * a,
               -2.0: lambda a: 1.0 / (a * a)}

    def power(a, e):
        kernel = special.get(e)
        return general(a, e) if kernel is None else kernel(a)

    return power


_power = _power_kernel(np.sqrt, lambda a: np.ones_like(a)[()], lambda a, e: a ** e)
_scalar_power = _power_kernel(math.sqrt, lambda a: 1.0, math.pow)


def _pow_backward(xs, out, g, p):
    e = p["p"]
    if e == 0:  # torch: exactly 0, whatever the upstream gradient (even inf or nan)
        return (np.zeros(np.broadcast(xs[0], g).shape)[()],)
    return (e * _power(xs[0], e - 1.0) * g,)


def _relu_backward(xs, out, g, p):
    # torch's threshold_backward: 0 where a <= 0, else the gradient (so at a nan, the gradient)
    return (relu_gradient(xs[0], g),)


def _sign_of(a):
    """torch's sgn: -1, 0 or 1, and 0 at nan (numpy's sign gives nan there)."""
    return (a > 0) * 1.0 - (a < 0) * 1.0


# Scalar kernels that do not fit on one line. Ties and signed zeros follow torch: maximum(a, b)
# is ``a if a >= b else b`` (so max(-0.0, 0.0) is -0.0), minimum(a, b) ``a if a <= b else b``,
# and a nan wins.
def _max2(a, b):
    return a if a >= b or a != a else b


def _min2(a, b):
    return a if a <= b or a != a else b


def _extremum2_backward(a, b, out, up):
    if a == b:
        half = up / 2.0
        return half, half
    if out != out:  # a nan: neither port loses (as the numpy backward)
        return up, up
    return (up, 0.0) if a == out else (0.0, up)


def _pow_scalar_backward(a, out, up, e):
    if e == 0:
        return 0.0
    return e * _scalar_power(a, e - 1.0) * up


def _sign(a):
    return 1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)


_DISTRIBUTES = "add distributes: every input receives the upstream gradient unchanged"
_ROUTES = "routes: the whole upstream gradient goes to the winning input, 0 to the rest"

GATE_LIST: Sequence[Gate] = (
    Gate("input", "x", "source", 0, 0, None, None,
         "x (a number you set)", "-",
         "An input: a number you set by hand; gradient ascent and training move it.",
         params=(), intuition="Its gradient says how the output reacts when you nudge it.",
         aliases=("variable", "parameter", "weight"), variable=True),
    Gate("const", "c", "source", 0, 0, None, None,
         "c (a fixed number)", "-",
         "A constant: a number that is never moved by ascent or training.",
         aliases=("constant", "number")),
    Gate("add", "+", "arithmetic", 2, MAX_PORTS, _add_forward,
         lambda xs, out, g, p: (g,) * len(xs),
         "a0 + a1 + ...", "1 to every input",
         "Adds its inputs.", intuition="The gradient distributor: " + _DISTRIBUTES + ".",
         scalar_forward=operator.add, scalar_backward=lambda a, b, out, up: (up, up),
         infix="{0} + {1}", pattern="distributes", aliases=("plus", "sum"), sums_inputs=True),
    Gate("mul", "×", "arithmetic", 2, MAX_PORTS, _mul_forward, _mul_backward,
         "a0 · a1 · ...", "the product of the other inputs",
         "Multiplies its inputs.",
         intuition="The gradient switcher: each input gets the upstream gradient times the "
                   "other input's value.",
         scalar_forward=operator.mul, scalar_backward=lambda a, b, out, up: (b * up, a * up),
         infix="{0} × {1}", compact_infix="{0}·{1}", pattern="switches",
         aliases=("times", "multiply", "product", "*")),
    Gate("max", "max", "arithmetic", 2, MAX_PORTS, _extremum_forward(np.maximum),
         _extremum_backward, "max(a0, a1, ...)",
         "1 to the largest input, 0 to the rest (ties split evenly)",
         "The largest of its inputs.", intuition="The gradient router: max " + _ROUTES + ".",
         scalar_forward=_max2, scalar_backward=_extremum2_backward,
         pattern="routes", kink=AT_TIE),
    Gate("min", "min", "arithmetic", 2, MAX_PORTS, _extremum_forward(np.minimum),
         _extremum_backward, "min(a0, a1, ...)",
         "1 to the smallest input, 0 to the rest (ties split evenly)",
         "The smallest of its inputs.", intuition="A gradient router: min " + _ROUTES + ".",
         scalar_forward=_min2, scalar_backward=_extremum2_backward,
         pattern="routes", kink=AT_TIE),
    Gate("sub", "−", "arithmetic", 2, 2, lambda xs, p: xs[0] - xs[1],
         lambda xs, out, g, p: (g, -g),
         "a0 − a1", "1 to a0, −1 to a1", "Subtracts its second input from its first.",
         scalar_forward=operator.sub, scalar_backward=lambda a, b, out, up: (up, -up),
         infix="{0} − {1}", aliases=("minus", "difference", "subtract"), sums_inputs=True),
    Gate("div", "÷", "arithmetic", 2, 2, lambda xs, p: xs[0] / xs[1],
         lambda xs, out, g, p: (g / xs[1], -g * (xs[0] / xs[1] / xs[1])),
         "a0 / a1", "1/a1 to a0, −a0/a1² to a1", "Divides its first input by its second.",
         scalar_forward=operator.truediv,
         scalar_backward=lambda a, b, out, up: (up / b, -up * (a / b / b)),
         infix="{0} / {1}", domain="a1 ≠ 0", pole=lambda xs, p: xs[1] == 0.0,
         aliases=("divide", "over", "quotient", "/")),
    Gate("neg", "−x", "arithmetic", 1, 1, lambda xs, p: -xs[0],
         lambda xs, out, g, p: (-g,),
         "−a", "−1", "Flips the sign of its input.",
         scalar_forward=operator.neg, scalar_backward=lambda a, out, up: -up,
         infix="−{0}", aliases=("negate", "minus")),
    Gate("scale", "·c", "arithmetic", 1, 1, lambda xs, p: p["c"] * xs[0],
         lambda xs, out, g, p: (p["c"] * g,),
         "c · a", "c",
         "Multiplies its input by a fixed number c (the lecture's *−1 gate is c = −1).",
         params=("c",), param_defaults={"c": -1.0},
         scalar_forward=lambda a, c: c * a, scalar_backward=lambda a, out, up, c: c * up,
         infix="{c} × {0}", compact_infix="{c}·{0}", param_symbol="×{c}", local_param="c",
         aliases=("gain",)),
    Gate("offset", "+c", "arithmetic", 1, 1, lambda xs, p: xs[0] + p["c"],
         lambda xs, out, g, p: (g,),
         "a + c", "1", "Adds a fixed number c to its input (the lecture's +1 gate is c = 1).",
         params=("c",), param_defaults={"c": 1.0},
         scalar_forward=lambda a, c: a + c, scalar_backward=lambda a, out, up, c: up,
         infix="{0} + {c}", param_symbol="{c:+}", passes_gradient=True,
         aliases=("bias", "shift")),
    Gate("pow", "xᵖ", "nonlinear", 1, 1, lambda xs, p: _power(xs[0], p["p"]), _pow_backward,
         "a^p", "p · a^(p − 1)", "Raises its input to a fixed power p.",
         params=("p",), param_defaults={"p": 2.0},
         scalar_forward=_scalar_power, scalar_backward=_pow_scalar_backward,
         infix="{0} ^ {p:g}", compact_infix="{0}^{p:g}", param_symbol="x^{p}",
         domain="a ≥ 0 for a fractional p, a ≠ 0 for p < 0",
         pole=lambda xs, p: xs[0] == 0.0 and p["p"] < 0,
         aliases=("power", "square", "sqrt", "^", "**")),
    Gate("recip", "1/x", "nonlinear", 1, 1, lambda xs, p: 1.0 / xs[0],
         lambda xs, out, g, p: (-g * (out * out),),  # torch: from the output, -g·(1/a)²
         "1 / a", "−1 / a²", "The reciprocal of its input (the lecture's 1/x gate).",
         scalar_forward=lambda a: 1.0 / a, scalar_backward=lambda a, out, up: -up * (out * out),
         infix="1 / {0}", local_infix="−1 / {a}²", domain="a ≠ 0",
         pole=lambda xs, p: xs[0] == 0.0,
         aliases=("reciprocal", "inverse", "invert")),
    Gate("exp", "exp", "nonlinear", 1, 1, lambda xs, p: np.exp(xs[0]),
         lambda xs, out, g, p: (out * g,),
         "e^a", "e^a (its own output)", "e to the power of its input.",
         scalar_forward=math.exp, scalar_backward=lambda a, out, up: out * up,
         local_infix="e^{a}",
         nan_hint="e^a overflows to inf past a ≈ 709.78. If this exp is part of "
                  "1 / (1 + e^−a), the one-gate sigmoid computes the same function without "
                  "overflowing: its value saturates to exactly 0 or 1 and its gradient to 0.",
         aliases=("exponential",)),
    Gate("log", "ln", "nonlinear", 1, 1, lambda xs, p: np.log(xs[0]),
         lambda xs, out, g, p: (g / xs[0],),
         "ln a", "1 / a", "The natural logarithm of its input.",
         scalar_forward=math.log, scalar_backward=lambda a, out, up: up / a,
         domain="a > 0", pole=lambda xs, p: xs[0] == 0.0, aliases=("logarithm", "ln"),
         local_infix="1 / {a}"),
    Gate("sigmoid", "σ", "nonlinear", 1, 1, lambda xs, p: _sigmoid(xs[0]),
         lambda xs, out, g, p: (g * (1.0 - out) * out,),  # torch's sigmoid_backward
         "1 / (1 + e^−a)", "s · (1 − s), from its output s",
         "Squashes its input into (0, 1).",
         intuition="Its local gradient comes from its own output: 0.73 · (1 − 0.73) ≈ 0.2.",
         scalar_forward=lambda a: 1.0 / (1.0 + math.exp(-a)),
         scalar_backward=lambda a, out, up: up * (1.0 - out) * out,
         aliases=("logistic", "squash"), local_infix="{out:s} × (1 − {out:s})"),
    Gate("tanh", "tanh", "nonlinear", 1, 1, lambda xs, p: np.tanh(xs[0]),
         lambda xs, out, g, p: ((1.0 - out * out) * g,),
         "tanh a", "1 − t², from its output t", "Squashes its input into (−1, 1).",
         scalar_forward=math.tanh,
         scalar_backward=lambda a, out, up: (1.0 - out * out) * up, local_infix="1 − {out:t}²"),
    Gate("relu", "relu", "nonlinear", 1, 1, lambda xs, p: np.maximum(0.0, xs[0]), _relu_backward,
         "max(0, a)", "1 where a > 0, else 0", "Passes positive inputs, blocks negative ones.",
         intuition="A router with a fixed rival 0: the gradient passes only where a > 0.",
         scalar_forward=lambda a: 0.0 if a < 0.0 else a,  # relu(-0.0) is -0.0, as in torch
         scalar_backward=lambda a, out, up: 0.0 if a <= 0.0 else up,
         kink=AT_ZERO, aliases=("rectifier", "ramp")),
    Gate("abs", "|x|", "nonlinear", 1, 1, lambda xs, p: np.abs(xs[0]),
         lambda xs, out, g, p: (_sign_of(xs[0]) * g,),
         "|a|", "sign(a) (0 at 0)", "The absolute value of its input.",
         scalar_forward=abs, scalar_backward=lambda a, out, up: _sign(a) * up,
         kink=AT_ZERO, aliases=("absolute", "magnitude")),
    Gate("matmul", "W·x", "tensor", 2, 2, tensor_gates.matmul_forward,
         tensor_gates.matmul_backward,
         "a0 · a1 (matrix product)", "dq·a1ᵀ to a0, a0ᵀ·dq to a1",
         "Multiplies a matrix by a vector or a matrix (numpy's a0 @ a1; a vector on the left "
         "is a row, on the right a column).",
         intuition="The vectorized switcher: dW = dq·xᵀ and dx = Wᵀ·dq, and the Jacobian is "
                   "never formed.",
         infix="{0} · {1}", compact_infix="{0}·{1}", pattern="switches",
         aliases=("matrix", "product", "@", "dot", "linear", "layer"), shape_rule=matmul_shape,
         backward_infix=("{g}·{1}ᵀ", "{0}ᵀ·{g}"), scalar_form="sum_of_products",
         port_names=("W", "x")),
    Gate("sum", "Σ", "tensor", 1, 1, tensor_gates.sum_forward, tensor_gates.sum_backward,
         "Σ a (all its elements)", "1 to every element",
         "Adds up every element of a vector or matrix into one number.",
         intuition="Like add, it distributes: every element receives the upstream gradient.",
         pattern="distributes", passes_gradient=True, aliases=("total", "reduce"),
         shape_rule=to_number, backward_infix=("{g}·1",), scalar_form="pairwise_sum"),
    Gate("transpose", "ᵀ", "tensor", 1, 1, tensor_gates.transpose_forward,
         tensor_gates.transpose_backward,
         "aᵀ", "the upstream gradient transposed back",
         "Swaps a matrix's rows and columns (a vector stays as it is).",
         infix="{0}ᵀ", pattern="distributes", passes_gradient=True, aliases=("flip", "swap"),
         shape_rule=transposed, backward_infix=("{g}ᵀ",), scalar_form="rewiring"),
)

GATES: dict[str, Gate] = {gate.name: gate for gate in GATE_LIST}

GROUP_TITLES = {"source": "Inputs and constants", "arithmetic": "Arithmetic",
                "nonlinear": "Nonlinearities", "tensor": "Vectors and matrices",
                "own": "This file's gates"}


def gate(name: str) -> Gate:
    """The gate called ``name``; KeyError if there is none."""
    return GATES[name]


def _short(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def display_symbol(op: str | Gate, params: dict) -> str:
    """The symbol drawn on a gate and named in captions; gates with a param show it (×−1,
    +1, x^2: the row's ``param_symbol``). ``op`` is a gate's name or its row (a file's own
    gate is found only in its file's table, ``node.gate``)."""
    gate = GATES[op] if isinstance(op, str) else op
    if not gate.param_symbol:
        return gate.symbol
    values = {name: _Param(params.get(name, 0.0), _short) for name in gate.params}
    return gate.param_symbol.format(**values)


class _Param:
    """A param in an ``infix`` template: "{c}" writes it with the caller's number format,
    "{p:g}" with that format spec."""

    def __init__(self, value: float, number: Callable):
        self.value, self.number = value, number

    def __format__(self, spec: str) -> str:
        if spec == "+":  # the number with its sign, + included: "+1", "−2", "−0"
            return ("+" if math.copysign(1.0, self.value) > 0 else "") + self.number(self.value)
        return format(self.value, spec) if spec else self.number(self.value)


_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def _glued(template: str, port: int) -> bool:
    """True where port ``port`` follows an operator with no space ("−{0}"): a negative
    number there is put in parentheses ("−(-2.00)")."""
    at = template.find("{%d}" % port)
    return at > 0 and not template[at - 1].isspace()


def infix_text(gate: Gate, operands: Sequence[str], params: dict, number: Callable,
               compact: bool = False) -> str:
    """``gate`` written with these operand texts: "a × b", "a0 + a1 + a2", "1 / x", "exp(a)";
    ``compact``, tight where the row says how (``compact_infix``): "a·b", "h^2".

    Params are written with ``number`` (or as the row's template says); a gate without an
    ``infix`` is written as a function of its operands.
    """
    if not gate.infix or len(operands) < max(gate.min_ports, 1):
        return f"{gate.name}({', '.join(operands)})"
    template = _template(gate, compact)
    if gate.variadic:
        return infix_join(gate, compact).join(operands)
    texts = [f"({text})" if text[:1] in "-−" and _glued(template, port) else text
             for port, text in enumerate(operands)]
    values = {name: _Param(params.get(name, gate.param_defaults.get(name, 0.0)), number)
              for name in gate.params}
    return template.format(*texts, **values)


def _template(gate: Gate, compact: bool) -> str:
    return gate.compact_infix if compact and gate.compact_infix else gate.infix


def infix_join(gate: Gate, compact: bool = False) -> str:
    """The text between two ports of a variadic gate's ``infix`` (" + " for add; ``compact``,
    of its ``compact_infix``: "·" for mul), or ""."""
    template = _template(gate, compact)
    found = _PLACEHOLDER.findall(template)
    if found[:2] != ["0", "1"]:
        return ""
    return template[template.index("{0}") + 3:template.index("{1}")]
