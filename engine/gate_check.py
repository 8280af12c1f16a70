"""Checking a code gate's backward against the numerical gradient of its forward.

The hacker's guide's test of a hand-written gate: nudge each input by +-eps, see how the output
moves, and compare that slope with what ``backward`` returns. A code gate runs in a CodeHost
(engine/code_runner.py); ``check_gate_functions`` checks any gate given as functions (a file's
own gates, through their rows: engine/own_gate_check.py). At a few random inputs (numbers of
magnitude 0.5 to 2 with random signs, rounded to two decimals so a message can show them
exactly; arrays of the given shapes, element by element) and, if given, at the circuit's
current inputs, every element of every port is nudged alone:
numerical = (L(x + eps) - L(x - eps)) / 2eps with L = sum(dz * forward).

dz is 1 for a gate whose output is a number (so the numbers are the local gradients the guide
derives), and once more 2.5 at the first random inputs, which catches a backward that forgets
to multiply by dz; for an array output dz is a random array of its shape. A port of more than
MAX_ELEMENTS elements has that many of them checked, chosen at random (as CS231n's
``grad_check_sparse`` does): each element costs two round trips to the child. Verdicts use
``engine.gradcheck``'s test (torch.autograd.gradcheck's atol=1e-5, rtol=1e-3). Points where
the forward is not finite are skipped, and so is an element where the one-sided slopes disagree
(a corner, such as max at a tie): there the gradient is a convention, not a mistake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .code_runner import CodeGateError, CodeHost
from .errors import CircuitError
from .gradcheck import close, relative_error
from .number_format import format_number

EPS = 1e-6
ATOL, RTOL = 1e-5, 1e-3
RANDOM_POINTS = 3
CIRCUIT_INPUTS = "the circuit's inputs"
MAX_ELEMENTS = 100  # per port and point; a bigger port has that many checked at random
DZ_CHECK = 2.5  # the dz of the one check that backward multiplies by dz


@dataclass(frozen=True)
class GateCheckEntry:
    """One port at one point: for an array port, its worst element (``index``)."""

    port: str
    where: str  # "random inputs (x=0.31, y=-1.2)", "the circuit's inputs (x=3, y=-2)"
    analytic: float
    numerical: float
    ok: bool
    index: tuple = ()
    dz: float | None = 1.0  # None: a random array dz

    @property
    def rel_error(self) -> float:
        return relative_error(self.analytic, self.numerical)


@dataclass(frozen=True)
class GateCheck:
    """The verdict on a code gate: every entry, or the error its code raised instead, and the
    paragraph a student reads."""

    passed: bool
    entries: list = field(default_factory=list)
    error: CodeGateError | None = None
    message: str = ""

    @property
    def failures(self) -> list:
        return [entry for entry in self.entries if not entry.ok]


def check_code_gate(host: CodeHost, name: str, ports, shapes=None, at=None,
                    rng=None) -> GateCheck:
    """Check a defined gate's backward against centred differences of its forward at random
    inputs (of ``shapes``: one shape per port, or a dict; numbers if None) and at ``at`` (the
    port values the circuit feeds it, a sequence or a dict), if given."""
    return check_gate_functions(
        host.class_name(name), ports, lambda inputs: host.forward(name, inputs),
        lambda inputs, dz: host.forward_backward(name, inputs, dz), shapes, at, rng)


def check_gate_functions(label: str, ports, forward, forward_backward, shapes=None, at=None,
                         rng=None) -> GateCheck:
    """``check_code_gate`` for any gate given as functions: ``forward(inputs) -> output`` and
    ``forward_backward(inputs, dz) -> (output, one gradient per port)``; ``label`` names it
    in the message. A CodeGateError they raise is the verdict."""
    ports = tuple(ports)
    rng = np.random.default_rng(rng)
    at = _per_port(at, ports)
    shapes = _per_port(shapes, ports) or ([np.shape(x) for x in at] if at else
                                          [()] * len(ports))
    points = []
    for k in range(RANDOM_POINTS):
        inputs = [_random(rng, tuple(shape)) for shape in shapes]
        points.append(("random inputs", inputs, [1.0, DZ_CHECK] if k == 0 else [1.0]))
    if at is not None:
        points.append((CIRCUIT_INPUTS, [_number_or_array(x) for x in at], [1.0]))
    entries: list[GateCheckEntry] = []
    try:
        for kind, inputs, dzs in points:
            output = forward(inputs)
            if not np.all(np.isfinite(output)):
                continue
            array_dz = np.ndim(output) > 0
            for dz in ([_random(rng, np.shape(output))] if array_dz else dzs):
                entries += _check_point(forward, forward_backward, ports, inputs, dz,
                                        f"{kind} ({_values_text(ports, inputs)})",
                                        None if array_dz else dz, rng)
    except CircuitError as error:  # a code gate's failure, or a compound gate's inside's
        return GateCheck(False, entries, error, str(error))
    passed = bool(entries) and all(entry.ok for entry in entries)  # nothing checked: no pass
    return GateCheck(passed, entries, None, _message(label, entries))


def _per_port(values, ports: tuple):
    if values is None:
        return None
    if isinstance(values, dict):
        return [values[port] for port in ports]
    values = list(values)
    if len(values) != len(ports):
        raise ValueError(f"{len(values)} values for {len(ports)} ports")
    return values


def _random(rng, shape: tuple):
    magnitude = rng.uniform(0.5, 2.0, size=shape)
    values = np.round(magnitude * rng.choice([-1.0, 1.0], size=shape), 2)
    return float(values) if shape == () else values


def _number_or_array(value):
    array = np.array(value, dtype=np.float64)
    return float(array) if array.ndim == 0 else array


def _elements(rng, shape: tuple) -> list:
    """The elements of a port to nudge: all, or MAX_ELEMENTS of them chosen at random."""
    indices = list(np.ndindex(shape))
    if len(indices) <= MAX_ELEMENTS:
        return indices
    return [indices[k] for k in sorted(rng.choice(len(indices), MAX_ELEMENTS, replace=False))]


def _check_point(forward, forward_backward, ports: tuple, inputs: list, dz, where: str,
                 dz_number, rng) -> list:
    """One entry per port: its worst element at these inputs."""
    _output, grads = forward_backward(inputs, dz)

    def loss(values) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(np.multiply(dz, forward(values))))

    base = loss(inputs)
    entries = []
    for k, port in enumerate(ports):
        value = np.array(inputs[k], dtype=np.float64)
        elements = []
        for index in _elements(rng, value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += EPS
            minus[index] -= EPS
            f_plus = loss([*inputs[:k], _number_or_array(plus), *inputs[k + 1:]])
            f_minus = loss([*inputs[:k], _number_or_array(minus), *inputs[k + 1:]])
            step = plus[index] - minus[index]
            with np.errstate(all="ignore"):
                numerical = float((f_plus - f_minus) / step)
                right, left = (f_plus - base) / (step / 2), (base - f_minus) / (step / 2)
            corner = math.isfinite(left) and math.isfinite(right) and \
                not close(left, right, ATOL, RTOL * 10)
            if not math.isfinite(numerical) or corner:
                continue  # no slope to measure here
            analytic = float(np.asarray(grads[k])[index])
            elements.append(GateCheckEntry(port, where, analytic, numerical,
                                           close(analytic, numerical, ATOL, RTOL), index,
                                           dz_number))
        if elements:
            entries.append(max(elements, key=lambda e: (not e.ok, _finite_error(e))))
    return entries


def _finite_error(entry: GateCheckEntry) -> float:
    error = entry.rel_error
    return math.inf if math.isnan(error) else error


def _values_text(ports: tuple, inputs: list) -> str:
    return ", ".join(f"{port}={x:g}" if np.ndim(x) == 0 else
                     f"{port}: {'×'.join(map(str, np.shape(x)))}"
                     for port, x in zip(ports, inputs))


def _two_numbers(analytic: float, numerical: float) -> tuple[str, str]:
    """Both gradients as a sentence shows them, with more digits where two decimals would
    read the same."""
    a, n = format_number(analytic), format_number(numerical)
    return (a, n) if a != n else (f"{analytic:.6g}", f"{numerical:.6g}")


def _failure_sentence(entry: GateCheckEntry) -> str:
    analytic, numerical = _two_numbers(entry.analytic, entry.numerical)
    element = f"[{', '.join(map(str, entry.index))}]" if entry.index else ""
    dz = ("with a random dz" if entry.dz is None else
          "" if entry.dz == 1 else f"with dz = {entry.dz:g}")
    forgot_dz = entry.dz not in (None, 1) and \
        close(entry.analytic * entry.dz, entry.numerical, ATOL, RTOL)
    return (f"port {entry.port}{element} is wrong: backward gives {analytic}, the numerical "
            f"gradient is {numerical} at {entry.where}" + (f" {dz}" if dz else "")
            + (" (multiply the local gradient by dz)" if forgot_dz else "") + ".")


def _message(label: str, entries: list) -> str:
    if not entries:
        return (f"{label} could not be checked: its output is not finite at any of the "
                "inputs tried")
    if all(entry.ok for entry in entries):
        at_circuit = any(entry.where.startswith(CIRCUIT_INPUTS) for entry in entries)
        where = f" and at {CIRCUIT_INPUTS}" if at_circuit else ""
        return (f"{label} passes: backward agrees with the numerical gradient for every port "
                f"at {RANDOM_POINTS} random inputs{where}.")
    # one failure per port: at the circuit's inputs if it fails there, else at dz = 1 if it can
    chosen = {}
    for entry in sorted((entry for entry in entries if not entry.ok),
                        key=lambda e: (not e.where.startswith(CIRCUIT_INPUTS), e.dz != 1)):
        chosen.setdefault(entry.port, entry)
    sentences = [_failure_sentence(chosen[port])
                 for port in dict.fromkeys(entry.port for entry in entries) if port in chosen]
    return f"{label}: " + " ".join(sentences)
