"""Benchmark: a 100 000-gate circuit, built, saved, loaded and run, with time and peak memory.

The issue's target: a 100 000-gate circuit loads and runs forward and backward in a few seconds
and well under 1 GB. Each phase is timed on its own; the peak resident memory of the process
(``ru_maxrss``) is read after every phase, so the table shows where memory grows.

Run by hand: ``python bench/bench_memory.py [--gates N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time

import engine
from random_circuits import build_circuit, random_spec


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports ru_maxrss in kB)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def main() -> None:
    """Run the phases and print one row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, default=100_000)
    args = parser.parse_args()

    rows = []

    def phase(name, work):
        start = time.perf_counter()
        result = work()
        rows.append((name, time.perf_counter() - start, peak_mb()))
        return result

    rows.append(("python + numpy + engine imported", 0.0, peak_mb()))
    spec = phase("make the random spec", lambda: random_spec(args.gates, seed=0))
    circuit = phase("build the circuit (Circuit API)", lambda: build_circuit(spec))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.circuit")
        phase("engine.save", lambda built=circuit: engine.save(built, path))
        size_mb = os.path.getsize(path) / 1e6
        del circuit
        loaded = phase("engine.load", lambda: engine.load(path))
    phase("first run: plan (order, checks, kernels)", lambda: engine.plan_of(loaded))
    plan = engine.plan_of(loaded)
    values = phase("plan.forward", plan.forward)
    grads = phase("plan.backward", lambda: plan.backward(values))
    result = phase("engine.run (cached plan)", lambda: engine.run(loaded))

    fast = type(values).__name__ == "Floats" and type(grads).__name__ == "Floats"
    print(f"{args.gates} gates + {len(plan.sources)} inputs, file {size_mb:.1f} MB, "
          f"output {result.value:.6g}, scalar fast path: {'yes' if fast else 'no'}")
    print(f"{'phase':42} {'seconds':>8} {'peak MB':>8}")
    for name, seconds, peak in rows:
        print(f"{name:42} {seconds:8.3f} {peak:8.0f}")
    load_and_run = sum(seconds for name, seconds, _ in rows
                       if name.startswith(("engine.load", "first run", "plan.")))
    print(f"{'load + plan + forward + backward':42} {load_and_run:8.3f} {peak_mb():8.0f}")


if __name__ == "__main__":
    main()
