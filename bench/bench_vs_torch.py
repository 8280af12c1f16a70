"""Benchmark: circuitgrad's numpy passes against PyTorch eager, the same arithmetic in one run.

Two nets, each run forward and backward over the 40 000 points of a 200 x 200 grid (what the
decision boundary and training do):

- **scalar 16-unit net**: ``engine.hidden_layer_net(16)`` (16 hidden ReLU units of scalar
  gates, 83 gates) with x and y bound to the grid, so every value is a 40 000-vector. torch runs
  the same graph: one eager op per gate on 40 000-vectors (the weights are 0-dim tensors), then
  ``backward()``. Both compute every parameter's gradient and x's and y's per point.
- **tensor 2-layer net, h = 100**: ``W2 max(0, W1 x + b1) + b2``. torch does it as
  ``relu(X @ W1.T + b1) @ W2.T + b2`` over the batch of points, then ``backward()``.

torch is optional (never a dependency: ``pip install torch`` to compare); without it only the
engine's times are printed. Each way is checked against the other first. Times are medians of
``--repeat`` runs, the ways taking turns so that a busy machine slows them alike. torch runs
with one thread (numpy's elementwise ops use one) and, as another row, with its default
number of threads.

Run by hand: ``python bench/bench_vs_torch.py [--size 200] [--repeat 30]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import engine

try:
    import torch
except ImportError:
    torch = None

HIDDEN_SCALAR = 16
HIDDEN_TENSOR = 100


def grid_points(size: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the size x size points of a grid over [-3, 3]², one point per entry."""
    axis = np.linspace(-3.0, 3.0, size)
    grid_x, grid_y = np.meshgrid(axis, axis)
    return grid_x.ravel(), grid_y.ravel()


def median_seconds(ways: dict, repeat: int) -> dict:
    """Each way's median time over ``repeat`` calls, the ways called in turn."""
    for work in ways.values():  # warm up: first calls allocate and fill caches
        work()
    times = {name: [] for name in ways}
    for _ in range(repeat):
        for name, work in ways.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


# --- the scalar 16-unit net ----------------------------------------------------------------

_TORCH_OPS = {"add": lambda xs: sum(xs[1:], xs[0]), "mul": lambda xs: xs[0] * xs[1],
              "relu": lambda xs: torch.relu(xs[0]), "tanh": lambda xs: torch.tanh(xs[0]),
              "sigmoid": lambda xs: torch.sigmoid(xs[0])}


class TorchCircuit:
    """A plan's steps replayed as torch eager ops, one per gate, sources as leaf tensors."""

    def __init__(self, plan, inputs: dict):
        self.plan = plan
        self.leaves = {i: torch.tensor(inputs.get(node.id, node.value), dtype=torch.float64,
                                       requires_grad=True)
                       for i, node in plan.sources}
        self.steps = [(i, _TORCH_OPS[node.op], ports) for i, _f, _b, ports, node in plan.steps]

    def step(self) -> dict:
        """Forward and backward; each source's gradient by its position in the plan."""
        for leaf in self.leaves.values():
            leaf.grad = None
        values = dict(self.leaves)
        for i, op, ports in self.steps:
            values[i] = op([values[j] for j in ports])
        output = values[self.plan.output_index]
        output.backward(torch.ones_like(output))
        self.output = output
        return {i: leaf.grad for i, leaf in self.leaves.items()}


def scalar_net(size: int, repeat: int) -> list:
    """The 16-unit scalar net over the grid: check, time, and return the table's rows."""
    circuit = engine.hidden_layer_net(HIDDEN_SCALAR, "relu")
    plan = engine.plan_of(circuit)
    grid_x, grid_y = grid_points(size)
    inputs = {"x": grid_x, "y": grid_y}

    def ours():
        return plan.backward(plan.forward(inputs))

    title = (f"scalar net, {HIDDEN_SCALAR} ReLU units ({len(plan.steps)} gates), "
             f"{grid_x.size} points")
    ways = {"circuitgrad plan.forward + plan.backward": ours}
    if torch is not None:
        theirs = TorchCircuit(plan, inputs)
        values = plan.forward(inputs)
        grads, their_grads = plan.backward(values), theirs.step()
        worst = max(float(np.max(np.abs(grads[i] - their_grads[i].numpy())))
                    for i in their_grads)
        worst = max(worst, float(np.max(np.abs(values[plan.output_index]
                                                 - theirs.output.detach().numpy()))))
        print(f"{title}: circuitgrad and torch agree within {worst:.1e}")
        ways["torch eager"] = theirs.step
    return _rows(title, ways, repeat)


# --- the tensor 2-layer net, h = 100 -----------------------------------------------------------

def tensor_net_parameters(hidden: int, seed: int = 0) -> dict:
    """W1 (h x 2), b1 (h), W2 (1 x h), b2 (1), uniform in [-0.5, 0.5) like the templates'."""
    rng = np.random.default_rng(seed)
    shapes = {"W1": (hidden, 2), "b1": (hidden,), "W2": (1, hidden), "b2": (1,)}
    return {name: rng.uniform(-0.5, 0.5, shape) for name, shape in shapes.items()}


def torch_tensor_step(leaves: dict, points) -> dict:
    """``W2 max(0, W1 x + b1) + b2`` for every point (a row of ``points``), then backward."""
    for leaf in (*leaves.values(), points):
        leaf.grad = None
    hidden = torch.relu(points @ leaves["W1"].T + leaves["b1"])
    score = hidden @ leaves["W2"].T + leaves["b2"]
    score.backward(torch.ones_like(score))
    return {name: leaf.grad for name, leaf in (*leaves.items(), ("X", points))}


def numpy_tensor_step(params: dict, points: np.ndarray) -> dict:
    """The same by hand in numpy: the reference both others are checked against."""
    pre = points @ params["W1"].T + params["b1"]
    hidden = np.maximum(pre, 0.0)
    score = hidden @ params["W2"].T + params["b2"]
    upstream = np.ones_like(score)
    d_hidden = (upstream @ params["W2"]) * (pre > 0)
    return {"score": score, "W2": upstream.T @ hidden, "b2": upstream.sum(axis=0),
            "W1": d_hidden.T @ points, "b1": d_hidden.sum(axis=0), "X": d_hidden @ params["W1"]}


def tensor_net(size: int, repeat: int) -> list:
    """The h = 100 tensor net over the grid: check, time, and return the table's rows."""
    grid_x, grid_y = grid_points(size)
    points = np.stack([grid_x, grid_y], axis=1)
    params = tensor_net_parameters(HIDDEN_TENSOR)
    title = f"tensor 2-layer net, h = {HIDDEN_TENSOR}, {len(points)} points"
    by_hand = numpy_tensor_step(params, points)
    ways = {"numpy by hand": lambda: numpy_tensor_step(params, points)}
    print(f"{title}: the engine's tensor gates are not on this branch yet: "
          "numpy by hand and torch only")
    if torch is not None:
        leaves = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
        tensor_points = torch.tensor(points, requires_grad=True)
        theirs = torch_tensor_step(leaves, tensor_points)
        worst = max(float(np.max(np.abs(by_hand[name] - grad.numpy())))
                    for name, grad in theirs.items())
        print(f"{title}: numpy by hand and torch agree within {worst:.1e}")
        ways["torch eager"] = lambda: torch_tensor_step(leaves, tensor_points)
    return _rows(title, ways, repeat)


# --- the table ---------------------------------------------------------------------------------

def _rows(title: str, ways: dict, repeat: int) -> list:
    """(title, way, seconds) rows; each torch way is timed with one thread and with torch's
    default number of threads (set before every call, as the ways take turns)."""
    timed = {}
    threads = sorted({1, torch.get_num_threads()}) if torch is not None else []
    for name, work in ways.items():
        if not name.startswith("torch"):
            timed[name] = work
            continue
        for count in threads:
            label = f"{name} ({count} thread{'s' if count > 1 else ''})"
            timed[label] = lambda work=work, count=count: (torch.set_num_threads(count), work())
    return [(title, name, s) for name, s in median_seconds(timed, repeat).items()]


def print_table(rows: list) -> None:
    """One block per net: each way's ms per pass and its ratio to torch's fastest row."""
    for title in dict.fromkeys(title for title, _name, _s in rows):
        block = [(name, s) for t, name, s in rows if t == title]
        torch_best = min((s for name, s in block if name.startswith("torch")), default=None)
        print(f"\n{title}: forward + backward")
        print(f"  {'way':44} {'ms/pass':>8} {'vs torch':>9}")
        for name, s in block:
            ratio = f"{s / torch_best:8.2f}x" if torch_best else "        -"
            print(f"  {name:44} {s * 1e3:8.2f} {ratio}")


def main() -> None:
    """Check agreement, then time every way of both nets and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if torch is None:
        print("torch is not installed: the engine's times only, no comparison "
              "(pip install torch to compare; it is never a dependency)")
    rows = scalar_net(args.size, args.repeat) + tensor_net(args.size, args.repeat)
    print_table(rows)


if __name__ == "__main__":
    main()
