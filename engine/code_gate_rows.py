"""The gate-table row of a code gate: its forward and backward run in the code host.

A code gate's row calls the app's ``shared_host()`` (engine/code_runner.py): forward sends the
ports' values and gets the output back; backward makes a fresh instance, runs forward and then
``backward(dz)`` in one round trip, as the hacker's guide's gates are used. The row exists for
every code gate, but the plan runs it only when its ``problem`` is "" (trusted and passing its
check, engine/code_trust.py).

Shapes: on numbers the gate works as numpy does, so a batch of points goes through in one call
(the ports' values broadcast to one shape first, each gradient summed back to its port's
shape); code that takes no arrays (``math.exp``) gets a small batch one point at a time and
refuses a big one (a grid) with a message saying how to write it. On vectors and matrices,
the output's shape is what the gate returns for zeros of its ports' shapes, and a batch goes
through one point at a time.

While it runs, an exception or a runaway marks the definition ``failure`` (so later plans
leave the gate out, as for a failing check) and raises GateRunError for ``engine.run``.
"""

from __future__ import annotations

import hashlib
import math
from functools import lru_cache

import numpy as np

from .code_runner import CodeGateError, shared_host
from .errors import GateRunError
from .gates import Gate
from .shapes import ShapeError, sum_to_shape


# The most points a batch is run point by point for a code gate whose code takes no arrays: a
# training batch, not a 200 x 200 grid (40 000 round trips of about 70 µs)
MAX_POINT_BY_POINT = 1024


def host_key(definition) -> str:
    """The name a code gate has in the host: its name and a hash of its ports and code, so two
    files' gates of one name never meet."""
    digest = hashlib.sha256(definition.fingerprint().encode("utf-8")).hexdigest()[:12]
    return f"{definition.name}@{digest}"


def ensure_defined(definition, host=None) -> str:
    """Define the gate in the host if it is not (CodeGateError if its code fails); its key."""
    host = host or shared_host()
    key = host_key(definition)
    if not host.is_defined(key):
        host.define(key, definition.ports, definition.code)
    return key


def _fail(definition, error: Exception):
    """Raise what stopped the gate; ``engine.run`` marks the definition (on its own thread,
    and only for a run: a probe of the gate at other numbers is not one)."""
    raise GateRunError(str(error), definition.name) from None


def code_row(definition) -> Gate:
    """The row of a code gate (see the module docstring)."""
    name, ports = definition.name, definition.ports

    def call(op, xs, dz=None):
        if not definition.trusted:  # never run, whoever asks
            raise CodeGateError(f"code gate {name} is not trusted: its code is not run",
                                gate=name, kind="undefined")
        host = shared_host()
        key = ensure_defined(definition, host)
        if op == "forward":
            return host.forward(key, xs)
        return host.forward_backward(key, xs, dz)[1]

    def by_points(op, xs, ranks, dz=None):
        """A batch, one point at a time (``ranks``: each port's own rank)."""
        batch = next(np.shape(x)[:np.ndim(x) - rank] for x, rank in zip(xs, ranks)
                     if np.ndim(x) > rank)
        points = math.prod(batch)
        if points > MAX_POINT_BY_POINT:  # a round trip each: a grid would hold the window up
            raise CodeGateError(
                f"code gate {name} cannot take a batch of {points} points at once (its code "
                "works on single numbers: write it with numpy, np.exp rather than math.exp, "
                "to run it on data)", gate=name, kind="exception")
        rows = []
        for index in np.ndindex(*batch):
            point = [x[index] if np.ndim(x) > rank else x for x, rank in zip(xs, ranks)]
            rows.append(call(op, point, None if dz is None else dz[index]))
        if op == "forward":
            return np.reshape(np.array(rows, dtype=float), batch + np.shape(rows[0]))
        return tuple(np.reshape(np.array([row[k] for row in rows], dtype=float),
                                batch + np.shape(rows[0][k])) for k in range(len(ports)))

    def batched(xs, ranks) -> bool:
        return any(np.ndim(x) > rank for x, rank in zip(xs, ranks or [0] * len(xs)))

    def guarded(work):
        try:
            return work()
        except (CodeGateError, ValueError) as error:
            _fail(definition, error)

    def whole_or_by_points(xs, ranks, whole, point_by_point):
        """On numbers, the whole batch in one call, or point by point if the code cannot
        take arrays (``math.exp`` of an array); on tensors, point by point."""
        ranks = ranks or (0,) * len(xs)
        if not batched(xs, ranks):
            return guarded(whole)
        if any(ranks):
            return guarded(lambda: point_by_point(ranks))
        try:
            return whole()
        except (CodeGateError, ValueError) as error:
            if getattr(error, "kind", "") in ("timeout", "crash"):
                _fail(definition, error)
        return guarded(lambda: point_by_point(ranks))

    def forward(xs, params, ranks=None):
        def whole():
            spread = np.broadcast_arrays(*xs) if len({np.shape(x) for x in xs}) > 1 else xs
            return call("forward", list(spread))
        return whole_or_by_points(xs, ranks, whole,
                                  lambda ranks: by_points("forward", xs, ranks))

    def backward(xs, out, upstream, params, ranks=None):
        shapes = [np.shape(x) for x in xs]

        def whole():
            common = np.broadcast_shapes(*shapes, np.shape(upstream))
            spread = [np.broadcast_to(x, common) for x in xs]
            grads = call("backward", spread, np.broadcast_to(upstream, common))
            return tuple(sum_to_shape(np.asarray(g, dtype=float), shape)
                         for g, shape in zip(grads, shapes))
        return whole_or_by_points(xs, ranks, whole,
                                  lambda ranks: by_points("backward", xs, ranks, upstream))

    @lru_cache(maxsize=64)
    def out_shape(shapes: tuple) -> tuple:
        if all(shape == () for shape in shapes):
            return ()
        try:
            return np.shape(call("forward", [np.zeros(shape) for shape in shapes]))
        except (CodeGateError, ValueError) as error:
            raise ShapeError(f"{name} cannot take shapes "
                             f"{', '.join(map(str, shapes))}: {error}") from None

    def shape_rule(op, shapes):
        return out_shape(tuple(tuple(shape) for shape in shapes))

    return Gate(
        name=name, symbol=name, group="own", min_ports=len(ports), max_ports=len(ports),
        forward=forward, backward=backward,
        formula=f"{name}({', '.join(ports)}): a gate written in Python",
        local_gradient="what its backward(dz) returns, checked against the numerical gradient",
        doc=f"This file's code gate {name}: a Python class with forward and backward.",
        shape_rule=shape_rule, port_names=ports if len(ports) > 1 else (),
        definition=definition, problem=definition.problem,
        local_origin="its backward(dz)")  # the captions' words (engine/local_captions.py)
