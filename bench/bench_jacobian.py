"""How long a local Jacobian takes to form and to show, from relu on 8 numbers to 4096.

Run by hand (not part of the tests): ``python bench/bench_jacobian.py``. For each case it builds
``x -> gate -> sum`` (or ``W, x -> matmul -> sum``), runs it, and reports the best of three
``engine.local_jacobian`` calls, then the Jacobian view's port widget made and filled with it
(tables of numbers, or heatmaps up to 4096 a side). Offscreen works:
``QT_QPA_PLATFORM=offscreen python bench/bench_jacobian.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402


def circuit_of(gate: str, sources: dict) -> engine.Circuit:
    circuit = engine.Circuit()
    for name, value in sources.items():
        circuit.add_node("input", name, value=value)
    circuit.add_node(gate, "q")
    circuit.add_node("sum", "f")
    for port, name in enumerate(sources):
        circuit.connect(name, "q", port)
    circuit.connect("q", "f", 0)
    return circuit


def best_of(three, call):
    times = []
    for _ in range(three):
        start = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - start)
    return min(times), answer


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    from gui.docks.jacobian_view import PortJacobianView

    rng = np.random.default_rng(0)
    cases = [(f"relu on {n}", "relu", {"x": rng.normal(size=n)}, 0) for n in (8, 100, 1024, 4096)]
    cases += [(f"matmul {n}x{n} · x, d/dx", "matmul",
               {"W": rng.normal(size=(n, n)), "x": rng.normal(size=n)}, 1) for n in (64, 256, 512)]
    cases += [("matmul 100x2 · x, d/dW", "matmul",
               {"W": rng.normal(size=(100, 2)), "x": rng.normal(size=2)}, 0),
              ("transpose 64x64", "transpose", {"x": rng.normal(size=(64, 64))}, 0)]
    print(f"{'case':28} {'size':>12} {'engine s':>9} {'view s':>8}  shown as")
    for title, gate, sources, port in cases:
        circuit = circuit_of(gate, sources)
        result = engine.run(circuit)
        seconds, jacobian = best_of(3, lambda: engine.local_jacobian(circuit, result, "q", port))
        start = time.perf_counter()
        view = PortJacobianView(jacobian, "q", list(sources)[port])
        app.processEvents()
        shown = time.perf_counter() - start
        size = "×".join(str(side) for side in jacobian.size)
        print(f"{title:28} {size:>12} {seconds:9.4f} {shown:8.3f}  {view.kind}")
        view.deleteLater()


if __name__ == "__main__":
    main()
