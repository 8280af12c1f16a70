"""Benchmark: the guide's 2-layer ReLU net, forward + backward over a 200 x 200 grid of points.

``assets/examples/two_layer_net.circuit`` (3 hidden ReLU units: n_k = max(0, a_k x + b_k y +
c_k), score = a4 n1 + b4 n2 + c4 n3 + d4) runs with x and y bound to the 40 000 points of a
200 x 200 grid: every value is an array over the grid, the gradients of the 13 parameters are
summed over it, and x and y get one gradient per point. That is what the GUI does to draw a
decision boundary or train on a data set. The same arithmetic is written by hand in numpy
(and in torch, if it is installed), and every way is checked against the others first.

Run by hand: ``python bench/bench_grid.py [--size 200]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import engine

try:
    import torch
except ImportError:
    torch = None

CIRCUIT = Path(__file__).resolve().parent.parent / "assets" / "examples" / "two_layer_net.circuit"
PARAMS = ("a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3", "a4", "b4", "c4", "d4")


def numpy_step(p: dict, x: np.ndarray, y: np.ndarray) -> dict:
    """Forward and backward of the net by hand: the gradient of the summed score."""
    hidden = [p["a1"] * x + p["b1"] * y + p["c1"], p["a2"] * x + p["b2"] * y + p["c2"],
              p["a3"] * x + p["b3"] * y + p["c3"]]
    units = [np.maximum(h, 0.0) for h in hidden]
    score = p["a4"] * units[0] + p["b4"] * units[1] + p["c4"] * units[2] + p["d4"]
    grads = {"score": score, "d4": float(x.size)}
    dx = np.zeros_like(x)
    dy = np.zeros_like(y)
    for k, (h, n, w) in enumerate(zip(hidden, units, ("a4", "b4", "c4")), start=1):
        grads[w] = n.sum()
        dh = np.where(h > 0, p[w], 0.0)
        grads[f"a{k}"] = (dh * x).sum()
        grads[f"b{k}"] = (dh * y).sum()
        grads[f"c{k}"] = dh.sum()
        dx += dh * p[f"a{k}"]
        dy += dh * p[f"b{k}"]
    grads["x"], grads["y"] = dx, dy
    return grads


def torch_step(p: dict, x, y) -> dict:
    """The same with torch autograd (leaves' grads zeroed first, as in a training loop)."""
    for leaf in (*p.values(), x, y):
        leaf.grad = None
    h1 = p["a1"] * x + p["b1"] * y + p["c1"]
    h2 = p["a2"] * x + p["b2"] * y + p["c2"]
    h3 = p["a3"] * x + p["b3"] * y + p["c3"]
    score = p["a4"] * h1.relu() + p["b4"] * h2.relu() + p["c4"] * h3.relu() + p["d4"]
    score.backward(torch.ones_like(score))
    return {name: leaf.grad for name, leaf in (*p.items(), ("x", x), ("y", y))}


def best_seconds(work, repeat: int = 7, number: int = 10) -> float:
    """The fastest of ``repeat`` timings of ``number`` calls, per call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            work()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def main() -> None:
    """Check that every way agrees, then time each and print a table."""
    engine.keep_freed_memory()  # as the app and the command line do at start-up
    engine.single_blas_thread()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()

    circuit = engine.load(CIRCUIT)
    axis = np.linspace(-3.0, 3.0, args.size)
    grid_x, grid_y = (a.ravel() for a in np.meshgrid(axis, axis))
    inputs = {"x": grid_x, "y": grid_y}
    params = {name: float(circuit.nodes[name].value) for name in PARAMS}
    plan = engine.plan_of(circuit)

    ours = engine.run(circuit, inputs)
    by_hand = numpy_step(params, grid_x, grid_y)
    worst = max(float(np.max(np.abs(np.asarray(ours.grads[name]) - by_hand[name])))
                for name in (*PARAMS, "x", "y"))
    worst = max(worst, float(np.max(np.abs(ours.value - by_hand["score"]))))
    print(f"agreement with numpy by hand: {worst:.1e}")

    def plan_step():
        plan.backward(plan.forward(inputs))

    rows = [("numpy by hand", lambda: numpy_step(params, grid_x, grid_y)),
            ("circuitgrad plan.forward + plan.backward", plan_step),
            ("circuitgrad engine.run (dicts by id)", lambda: engine.run(circuit, inputs))]
    if torch is not None:
        torch.set_num_threads(1)
        leaves = {name: torch.tensor(number, dtype=torch.float64, requires_grad=True)
                  for name, number in params.items()}
        tx = torch.tensor(grid_x, requires_grad=True)
        ty = torch.tensor(grid_y, requires_grad=True)
        theirs = torch_step(leaves, tx, ty)
        worst = max(float(np.max(np.abs(np.asarray(ours.grads[name])
                                        - theirs[name].detach().numpy())))
                    for name in (*PARAMS, "x", "y"))
        print(f"agreement with torch: {worst:.1e}")
        rows.insert(1, ("torch autograd (1 thread, float64)",
                        lambda: torch_step(leaves, tx, ty)))
    else:
        print("torch is not installed: no torch row (pip install torch, optional)")

    print(f"{args.size} x {args.size} grid = {grid_x.size} points, "
          f"{len(plan.nodes)} nodes ({len(plan.steps)} gates)")
    print(f"{'forward + backward over the grid':42} {'ms/pass':>8} {'vs numpy':>9}")
    baseline = None
    for name, work in rows:
        seconds = best_seconds(work)
        baseline = baseline or seconds
        print(f"{name:42} {seconds * 1e3:8.2f} {seconds / baseline:8.2f}x")


if __name__ == "__main__":
    main()
