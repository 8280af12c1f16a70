"""Benchmark: circuitgrad's numpy passes against PyTorch eager, the same arithmetic in one run.

Two nets, each run forward and backward over the 40 000 points of a 200 x 200 grid (what the
decision boundary and training do):

- **scalar 16-unit net**: ``engine.hidden_layer_net(16)`` (16 hidden ReLU units of scalar
  gates, 83 gates) with x and y bound to the grid, so every value is a 40 000-vector. torch runs
  the same graph: one eager op per gate on 40 000-vectors (the weights are 0-dim tensors), then
  ``backward()``. Both compute every parameter's gradient and x's and y's per point; the
  engine is timed computing every node's gradient too (what the canvas shows) and, as torch
  does, only the sources' (``sources_only=True``, what training reads).
  Each is timed as the engine runs it (a pass of 4096 points or more is cut into chunks of
  points shared with a worker thread, engine/batch_split.py) and as one pass on one thread
  ("one pass", as before that).
- **tensor 2-layer net, h = 100**: ``w2 · max(0, W1 x + b1) + b2``, five tensor gates (matmul,
  add, relu, matmul, add), x bound to the grid's points (a batch of 2-vectors). torch does it
  as ``relu(X @ W1.T + b1) @ w2 + b2`` over the batch of points, then ``backward()``.

torch is optional (never a dependency: ``pip install torch`` to compare); without it only the
engine's times are printed. Each way is checked against the other first. Times are medians of
``--repeat`` runs, the ways taking turns so that a busy machine slows them alike: the wall
time, and the CPU time of the process (all threads), which other work on the machine moves
less. torch runs with one thread and, as another row, with its default number of threads (the
engine's split passes use two).

Run by hand: ``python bench/bench_vs_torch.py [--size 200] [--repeat 30]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import engine
from engine import batch_split

try:
    import torch
except ImportError:
    torch = None

HIDDEN_SCALAR = 16
HIDDEN_TENSOR = 100
# Seconds between two timed calls: the thread pools of torch and of numpy's BLAS spin for a
# while after their work, and would take a core from (and add CPU time to) the next call.
PAUSE = 0.02


def grid_points(size: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the size x size points of a grid over [-3, 3]², one point per entry."""
    axis = np.linspace(-3.0, 3.0, size)
    grid_x, grid_y = np.meshgrid(axis, axis)
    return grid_x.ravel(), grid_y.ravel()


def median_seconds(ways: dict, repeat: int) -> dict:
    """Each way's median (wall, CPU) seconds over ``repeat`` calls, the ways called in turn.
    CPU is the process's, all its threads together: on a machine busy with other work it is
    what the way costs, where the wall time also counts waiting for a core."""
    for work in ways.values():  # warm up: first calls allocate and fill caches
        work()
    times = {name: ([], []) for name in ways}
    names = list(ways)
    for turn in range(repeat):
        # each way starts the round in turn: none always follows torch's threads, which may
        # still be spinning (and counted in this process's CPU time) after a 2-thread call
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            work = ways[name]
            time.sleep(PAUSE)
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            times[name][0].append(time.perf_counter() - wall)
            times[name][1].append(time.process_time() - cpu)
    return {name: (statistics.median(wall), statistics.median(cpu))
            for name, (wall, cpu) in times.items()}


def relative_difference(ours: list, theirs: list) -> float:
    """The largest difference between two lists of arrays (torch's as tensors), each relative
    to the larger of 1 and the biggest number of the array."""
    worst = 0.0
    for mine, tensor in zip(ours, theirs):
        other = tensor.numpy()
        scale = max(1.0, float(np.max(np.abs(other))))
        worst = max(worst, float(np.max(np.abs(np.asarray(mine) - other))) / scale)
    return worst


def _one_pass(work):
    """``work`` run with a big batch's passes not split into chunks on two threads (as before
    engine/batch_split.py), for comparison in the same run."""
    def unsplit():
        threshold, batch_split.MIN_SPLIT_POINTS = batch_split.MIN_SPLIT_POINTS, float("inf")
        try:
            return work()
        finally:
            batch_split.MIN_SPLIT_POINTS = threshold
    return unsplit


def _engine_ways(plan, inputs: dict) -> dict:
    """The engine's ways: every node's gradient (what the canvas shows), and only the sources'
    (what training reads, and all torch keeps); each split into chunks on two threads (what
    the engine does with 4096 points or more) and as one pass on one thread."""
    ways = {
        "circuitgrad, every node's gradient": lambda: plan.backward(plan.forward(inputs)),
        "circuitgrad, sources only (training)":
            lambda: plan.backward(plan.forward(inputs), sources_only=True),
    }
    return {**ways, **{f"{name}, one pass": _one_pass(work) for name, work in ways.items()}}


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
    title = (f"scalar net, {HIDDEN_SCALAR} ReLU units ({len(plan.steps)} gates), "
             f"{grid_x.size} points, forward + backward")
    ways = _engine_ways(plan, inputs)
    if torch is not None:
        theirs = TorchCircuit(plan, inputs)
        values = plan.forward(inputs)
        grads, their_grads = plan.backward(values), theirs.step()
        worst = relative_difference(
            [values[plan.output_index], *(grads[i] for i in their_grads)],
            [theirs.output.detach(), *their_grads.values()])
        print(f"{title}: circuitgrad and torch agree within {worst:.1e} (relative)")
        ways["torch eager"] = theirs.step
    return _rows(title, ways, repeat)


# --- the tensor 2-layer net, h = 100 -----------------------------------------------------------

def tensor_net_parameters(hidden: int, seed: int = 0) -> dict:
    """W1 (h x 2), b1 (h), w2 (h), b2 (a number), uniform in [-0.5, 0.5) like the templates'."""
    rng = np.random.default_rng(seed)
    shapes = {"W1": (hidden, 2), "b1": (hidden,), "w2": (hidden,), "b2": ()}
    return {name: rng.uniform(-0.5, 0.5, shape) for name, shape in shapes.items()}


def tensor_net_circuit(params: dict) -> engine.Circuit:
    """score = w2 · max(0, W1 x + b1) + b2 of tensor gates, x (2,) bound to data columns 0, 1."""
    circuit = engine.Circuit("2-layer net")
    circuit.add_node("input", "x", feature=[0, 1])
    for name, value in params.items():
        circuit.add_node("input", name, value=value.tolist())
    for node_id, op, sources in (("q", "matmul", ["W1", "x"]), ("h", "add", ["q", "b1"]),
                                 ("r", "relu", ["h"]), ("s", "matmul", ["w2", "r"]),
                                 ("score", "add", ["s", "b2"])):
        circuit.add_node(op, node_id)
        for port, source in enumerate(sources):
            circuit.connect(source, node_id, port)
    circuit.set_output("score")
    return circuit


def torch_tensor_step(leaves: dict, points) -> dict:
    """``w2 · max(0, W1 x + b1) + b2`` for every point (a row of ``points``), then backward."""
    for leaf in (*leaves.values(), points):
        leaf.grad = None
    hidden = torch.relu(points @ leaves["W1"].T + leaves["b1"])
    score = hidden @ leaves["w2"] + leaves["b2"]
    score.backward(torch.ones_like(score))
    return {name: leaf.grad for name, leaf in (*leaves.items(), ("x", points))}


def tensor_net(size: int, repeat: int) -> list:
    """The h = 100 tensor net over the grid: check, time, and return the table's rows."""
    grid_x, grid_y = grid_points(size)
    points = np.stack([grid_x, grid_y], axis=1)
    params = tensor_net_parameters(HIDDEN_TENSOR)
    plan = engine.plan_of(tensor_net_circuit(params))
    inputs = {"x": points}
    title = (f"tensor 2-layer net, h = {HIDDEN_TENSOR} ({len(plan.steps)} gates), "
             f"{len(points)} points, forward + backward")
    ways = _engine_ways(plan, inputs)
    if torch is not None:
        leaves = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
        tensor_points = torch.tensor(points, requires_grad=True)
        theirs = torch_tensor_step(leaves, tensor_points)
        grads = dict(zip(plan.order, plan.backward(plan.forward(inputs))))
        worst = relative_difference([grads[name] for name in theirs], list(theirs.values()))
        print(f"{title}: circuitgrad and torch agree within {worst:.1e} (relative)")
        ways["torch eager"] = lambda: torch_tensor_step(leaves, tensor_points)
    return _rows(title, ways, repeat)


# --- a training step on the spiral ---------------------------------------------------------------

def training_steps(repeat: int) -> list:
    """``engine.Trainer.step()`` on the two-armed spiral (100 points, logistic loss, the whole
    set each step) for both nets: the gradient pass, the move, and the loss after it."""
    spiral = engine.make_dataset("spiral")
    nets = {f"scalar net, {HIDDEN_SCALAR} units": engine.hidden_layer_net(HIDDEN_SCALAR),
            f"tensor 2-layer net, h = {HIDDEN_TENSOR}":
                tensor_net_circuit(tensor_net_parameters(HIDDEN_TENSOR))}
    title = f"training step on the spiral ({len(spiral)} points), engine.Trainer"
    ways = {}
    for name, circuit in nets.items():
        try:
            trainer = engine.Trainer(circuit, spiral, loss="logistic", step_size=0.1)
        except (engine.CircuitError, TypeError, ValueError) as error:
            print(f"{title}: the {name} cannot be trained yet ({error})")
            continue
        ways[name] = trainer.step
    return [(title, name, *seconds) for name, seconds in median_seconds(ways, repeat).items()]


# --- the table ---------------------------------------------------------------------------------

def _rows(title: str, ways: dict, repeat: int) -> list:
    """(title, way, wall seconds, CPU seconds) rows; each torch way is timed with one thread
    and with torch's default number of threads (set before every call, as the ways take
    turns)."""
    timed = {}
    threads = sorted({1, torch.get_num_threads()}) if torch is not None else []
    for name, work in ways.items():
        if not name.startswith("torch"):
            timed[name] = work
            continue
        for count in threads:
            label = f"{name} ({count} thread{'s' if count > 1 else ''})"
            timed[label] = lambda work=work, count=count: (torch.set_num_threads(count), work())
    return [(title, name, *s) for name, s in median_seconds(timed, repeat).items()]


def print_table(rows: list) -> None:
    """One block per title: each way's wall and CPU ms and its ratios to torch's fastest."""
    for title in dict.fromkeys(row[0] for row in rows):
        block = [row[1:] for row in rows if row[0] == title]
        torch_rows = [row for row in block if row[0].startswith("torch")]
        best_wall = min((wall for _name, wall, _cpu in torch_rows), default=None)
        best_cpu = min((cpu for _name, _wall, cpu in torch_rows), default=None)
        print(f"\n{title}")
        print(f"  {'way':50} {'ms':>7} {'vs torch':>8} {'CPU ms':>7} {'vs torch':>8}")
        for name, wall, cpu in block:
            ratios = ([f"{wall / best_wall:7.2f}x", f"{cpu / best_cpu:7.2f}x"] if torch_rows
                      else ["       -"] * 2)
            print(f"  {name:50} {wall * 1e3:7.2f} {ratios[0]} {cpu * 1e3:7.2f} {ratios[1]}")


def main() -> None:
    """Check agreement, then time every way of both nets and print the tables."""
    engine.keep_freed_memory()  # as the app and the command line do at start-up
    engine.single_blas_thread()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if torch is None:
        print("torch is not installed: the engine's times only, no comparison "
              "(pip install torch to compare; it is never a dependency)")
    rows = scalar_net(args.size, args.repeat) + tensor_net(args.size, args.repeat)
    print_table(rows + training_steps(args.repeat))


if __name__ == "__main__":
    main()
