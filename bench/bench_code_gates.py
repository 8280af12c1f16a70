"""How long a code gate's call takes through the child process, and a whole gate check.

Run by hand (not part of the tests): ``python bench/bench_code_gates.py``. It starts a CodeHost
(the child's start and the first definition are timed once), then reports the median round
trip of ``forward`` and of ``forward_backward`` for the guide's MultiplyGate on numbers and on
arrays, against calling the same class in this process, and the time of ``check_code_gate`` on
numbers and on W @ x + b with W 2×3.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import engine  # noqa: E402

MULTIPLY = """\
class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return self.y * dz, self.x * dz
"""
AFFINE = """\
class AffineGate:
    def forward(self, W, x, b):
        self.W, self.x = W, x
        return W @ x + b

    def backward(self, dz):
        return np.outer(dz, self.x), self.W.T @ dz, dz
"""


def median_seconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with engine.CodeHost() as host:
        start = time.perf_counter()
        host.define("mul", ["x", "y"], MULTIPLY)
        print(f"start the child and define a gate: {1000 * (time.perf_counter() - start):.0f} ms")
        host.define("affine", ["W", "x", "b"], AFFINE)
        namespace = {"np": np}
        exec(compile(MULTIPLY, "<bench>", "exec"), namespace)  # the in-process baseline
        local = namespace["MultiplyGate"]
        print(f"{'call':40} {'median µs':>10}")
        for title, inputs in [("numbers", [3.0, -2.0]),
                              ("100×100 arrays", [np.ones((100, 100)), np.ones((100, 100))])]:
            dz = np.ones_like(inputs[0]) if np.ndim(inputs[0]) else 1.0
            rows = [(f"forward, {title}", lambda: host.forward("mul", inputs)),
                    (f"forward_backward, {title}",
                     lambda: host.forward_backward("mul", inputs, dz)),
                    (f"in this process, {title}", lambda: local().forward(*inputs))]
            for name, call in rows:
                print(f"{name:40} {1e6 * median_seconds(call, 2000):10.1f}")
        for title, name, ports, shapes in [("check MultiplyGate, numbers", "mul", ["x", "y"],
                                            None),
                                           ("check AffineGate, 2×3, 3 and 2", "affine",
                                            ["W", "x", "b"], [(2, 3), (3,), (2,)])]:
            seconds = median_seconds(
                lambda: engine.check_code_gate(host, name, ports, shapes=shapes, rng=0), 20)
            print(f"{title:40} {1e6 * seconds:10.1f}")


if __name__ == "__main__":
    main()
