"""Benchmark: one optimisation step (forward + backward) on a random 1000-gate scalar circuit.

The circuit uses only ops micrograd has too (add, mul, sub, neg, relu, pow 2), and micrograd
does the same work in the same run: with its parameters kept between steps, each step zeroes
their gradients, rebuilds the expression graph from them (its forward pass) and calls
``backward()``. circuitgrad is measured three ways: the cached plan's ``forward`` and
``backward`` (what the optimisation loops call), ``engine.run`` (the same plus the dicts of
values and gradients by id), and the numpy reference passes (what runs when a number is not
finite, or a source is a batch). Before timing, the values and gradients are compared with
micrograd's.

A second circuit of the same size is two thirds tanh and sigmoid gates, with some exp, add and
mul (micrograd has none of them: circuitgrad alone): its fast path calls Python's maths library.

Run by hand: ``python bench/bench_scalar.py [--gates N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import operator
import sys
import time

import engine
from random_circuits import TRANSCENDENTAL_OPS, build_circuit, random_spec

try:
    from micrograd.engine import Value
except ImportError:  # pragma: no cover - the bench extra installs it
    Value = None


_MICROGRAD_OPS = {"add": operator.add, "mul": operator.mul, "sub": operator.sub,
                  "neg": operator.neg, "relu": lambda a: a.relu(), "pow": lambda a: a ** 2}


def micrograd_program(spec: list) -> list:
    """The spec's gates as (function, a, b) with positions in the list of Values (b None: unary)."""
    position = {node_id: k for k, (node_id, _op, _rest) in enumerate(spec)}
    return [(_MICROGRAD_OPS[op], position[inputs[0]],
             position[inputs[1]] if len(inputs) > 1 else None)
            for _node_id, op, inputs in spec if op != "input"]


def micrograd_step(program: list, leaves: list) -> list:
    """One micrograd step: zero the leaves' grads, build the graph, backpropagate."""
    for leaf in leaves:
        leaf.grad = 0.0
    value = list(leaves)
    for function, a, b in program:
        value.append(function(value[a]) if b is None else function(value[a], value[b]))
    value[-1].backward()
    return value


def best_seconds(work, repeat: int = 5, number: int = 20) -> float:
    """The fastest of ``repeat`` timings of ``number`` calls, per call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            work()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def timed(spec: list, gates: int, seed: int, title: str, with_micrograd: bool) -> None:
    """Check agreement with micrograd (if asked and installed), then time each way of doing
    one optimisation step on ``spec`` and print a table."""
    circuit = build_circuit(spec)
    plan = engine.plan_of(circuit)
    values = plan.forward()
    grads = plan.backward(values)
    fast = type(values).__name__ == "Floats" and type(grads).__name__ == "Floats"

    def plan_step():
        plan.backward(plan.forward())

    def reference_step():
        plan.reference_backward(plan.reference_forward())

    rows = [("circuitgrad plan.forward + plan.backward", plan_step),
            ("circuitgrad engine.run (dicts by id)", lambda: engine.run(circuit)),
            ("circuitgrad numpy reference passes", reference_step)]
    if with_micrograd and Value is not None:
        leaves = [Value(number) for _node_id, op, number in spec if op == "input"]
        program = micrograd_program(spec)
        graph = micrograd_step(program, leaves)
        value_error = max(abs(node.data - values[plan.index[node_id]])
                          for node, (node_id, _op, _rest) in zip(graph, spec))
        grad_error = max(abs(node.grad - grads[plan.index[node_id]])
                         for node, (node_id, _op, _rest) in zip(graph, spec))
        print(f"agreement with micrograd: values {value_error:.1e}, grads {grad_error:.1e}")
        rows.insert(0, ("micrograd (build graph + backward)",
                        lambda: micrograd_step(program, leaves)))
    elif with_micrograd:
        print("micrograd is not installed (pip install -e \".[bench]\"): no comparison")

    print(f"{title}: {gates} gates over {len(plan.sources)} inputs, seed {seed}, "
          f"scalar fast path: {'yes' if fast else 'no'}")
    print(f"{'one optimisation step':42} {'ms/step':>8} {'µs/gate':>8} {'vs micrograd':>13}")
    baseline = None
    for name, work in rows:
        seconds = best_seconds(work, number=max(1, 20_000 // gates))
        baseline = seconds if baseline is None and len(rows) == 4 else baseline
        ratio = f"{baseline / seconds:12.1f}x" if baseline else ""
        print(f"{name:42} {seconds * 1e3:8.3f} {seconds / gates * 1e6:8.3f} {ratio:>13}")


def main() -> None:
    """The two circuits, each checked and timed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * args.gates))  # micrograd recurses
    timed(random_spec(args.gates, seed=args.seed), args.gates, args.seed,
          "add, mul, sub, neg, relu, pow 2", with_micrograd=True)
    print()
    timed(random_spec(args.gates, seed=args.seed, ops=TRANSCENDENTAL_OPS), args.gates,
          args.seed, "two thirds tanh and sigmoid, some exp", with_micrograd=False)


if __name__ == "__main__":
    main()
