"""Benchmark: training the lecture's 2-layer net (h = 100, tensor gates) live in the window.

``bench_training_gui.py``'s measurement (the real main window, Train pressed, the session's
own timer running the frames, a 5 ms probe timer recording how late its ticks fire) on the
tensor nets of ``engine.layer_nets`` with the two-armed spiral (100 points): the decision
boundary redrawn every frame, and, in the "h1 selected" rows, the hidden layer's 100 small
maps (one atlas image) instead. Targets (issue 11): at least 30 boundary redraws a second,
the event loop never late by more than 50 ms.

Run by hand: ``python bench/bench_tensor_training_gui.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine  # noqa: E402
from bench_training_gui import (TARGET_FPS, TARGET_LATENESS_MS, open_window,  # noqa: E402
                                print_rows, run_row, wait)

# (title, the circuit, the node to select: None for the output's map)
CASES = [
    ("2-layer h=100 relu", lambda: engine.two_layer_net(100, "relu"), None),
    ("2-layer h=100 relu, h1 selected", lambda: engine.two_layer_net(100, "relu"), "h1"),
    ("3-layer 2x32 relu", lambda: engine.three_layer_net(32, "relu"), None),
    ("2-layer h=256, h1 selected", lambda: engine.two_layer_net(256, "relu"), "h1"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    app, window, session = open_window()

    data = engine.make_dataset("spiral", 100)
    rows = []
    for title, make, selected in CASES:
        for steps_per_frame in (5, 10, 20):  # 10: what the layered nets suggest
            circuit = make()
            engine.embed_dataset(circuit, data)
            window.document.replace_circuit(circuit)
            window.scene.select_nodes([selected] if selected else [])
            wait(app, 0.2)
            row = run_row(window, session, circuit, steps_per_frame, args.seconds)
            rows.append((title, steps_per_frame, row))

    print(f"{args.seconds:g} s per row; platform {QApplication.platformName()}")
    print_rows(rows)
    print(f"targets: >= {TARGET_FPS} redraws/s, worst lateness < {TARGET_LATENESS_MS} ms")
    window.close()


if __name__ == "__main__":
    main()
