"""Benchmark: gradient ascent live in the window on a 100-gate circuit, and the GUI's lateness.

A MainWindow with the gradient-ascent dock opens a 100-gate circuit (25 tanh neurons
tanh(w*x + b) summed by a tree of add gates, scaled by 0.1: 50 free inputs w and b, 25 consts
x) and runs ascent from the dock's own timer, with the plot, the arrows and the canvas values
updating as a user would see them. (The random circuits of the other benchmarks do not suit
ascent: their relu gates often leave every gradient at 0, and their products blow up.)

Meanwhile a 5 ms probe timer records how late each of its ticks fires: the worst lateness is
the longest time the GUI thread was blocked (target: under 50 ms). Steps per second are counted
from the first frame to the last (target: 60, and the speed asked for). One row per method and
speed (steps per second; "max": as many steps as fit in each 8 ms slice). "cpu ms/frame" is
the GUI thread's own CPU time per frame (steps, forward/backward pass, canvas, plot, painting),
which other processes on the machine do not inflate; "gc ms" is the longest pause of Python's
garbage collector during the row. The worst lateness usually comes from pressing Run (the
plot makes its curves), not from the frames.

Run by hand: ``python bench/bench_ascent_gui.py [--gates N] [--seconds S]``. Without a display
it runs offscreen (Qt still paints every frame into its backing store).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402

PROBE_MS = 5
TARGET_STEPS_PER_SECOND = 60
TARGET_LATENESS_MS = 50


class LatenessProbe:
    """A 5 ms timer that records how late each tick fires (the GUI thread's blocking)."""

    def __init__(self):
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.lateness: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        self.lateness = []
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
        self._last = now

    def worst(self) -> float:
        return max(self.lateness, default=0.0)

    def p99(self) -> float:
        ordered = sorted(self.lateness)
        return ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0


def neurons_circuit(gates: int, seed: int = 0) -> engine.Circuit:
    """sum of tanh(w_k * x_k + b_k), times 0.1: 4 gates per neuron, ``gates`` gates in all."""
    rng = np.random.default_rng(seed)
    count = max(1, gates // 4)
    circuit = engine.Circuit("neurons")
    terms = []
    for k in range(count):
        circuit.add_node("input", f"w{k}", value=float(rng.uniform(-1, 1)))
        circuit.add_node("const", f"x{k}", value=float(rng.uniform(-1, 1)))
        circuit.add_node("input", f"b{k}", value=float(rng.uniform(-1, 1)))
        circuit.add_node("mul", f"m{k}")
        circuit.add_node("add", f"s{k}")
        circuit.add_node("tanh", f"t{k}")
        circuit.connect(f"w{k}", f"m{k}", 0)
        circuit.connect(f"x{k}", f"m{k}", 1)
        circuit.connect(f"m{k}", f"s{k}", 0)
        circuit.connect(f"b{k}", f"s{k}", 1)
        circuit.connect(f"s{k}", f"t{k}", 0)
        terms.append(f"t{k}")
    level = 0
    while len(terms) > 1:
        paired = []
        for k in range(0, len(terms) - 1, 2):
            node_id = f"sum{level}_{k // 2}"
            circuit.add_node("add", node_id)
            circuit.connect(terms[k], node_id, 0)
            circuit.connect(terms[k + 1], node_id, 1)
            paired.append(node_id)
        terms = paired + terms[len(terms) - len(terms) % 2:]
        level += 1
    circuit.add_node("scale", "f", params={"c": 0.1})
    circuit.connect(terms[0], "f", 0)
    circuit.set_output("f")
    return circuit


class GcPauses:
    """The longest pause of Python's cyclic garbage collector while it is recording."""

    def __init__(self):
        self.worst = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, _info) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.worst = max(self.worst, 1000 * (time.perf_counter() - self._start))

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure(window, panel, make_circuit, method: str, speed: int, seconds: float,
            probe: LatenessProbe) -> dict:
    """One run of ``seconds``: steps per second, frames per second, lateness."""
    window.document.replace_circuit(make_circuit())
    window.view.fit_all()
    panel.reset()
    panel.method.setCurrentIndex(panel.method.findData(method))
    panel.speed.setValue(speed)
    panel.max_steps.setValue(0)
    panel.step_size.setValue(0.01)
    wait(200)  # let the window settle (first paint, layout)
    frames = []  # (time, steps) at each frame

    def record(ascent):
        frames.append((time.perf_counter(), ascent.steps))

    panel.runner.advanced.connect(record)
    gc_pauses = GcPauses()
    probe.start()
    start, cpu_start = time.perf_counter(), time.thread_time()
    panel.run()
    wait(int(seconds * 1000))
    ascent = panel.runner.ascent
    running = panel.runner.running
    panel.pause()
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    probe.stop()
    gc_pauses.stop()
    panel.runner.advanced.disconnect(record)
    steps = ascent.steps if ascent is not None else 0
    # the speed between the first frame and the last (a run starts one frame after Run)
    (t0, s0), (t1, s1) = frames[0], frames[-1]
    rate = (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
    return {"method": method, "speed": "max" if speed == 0 else f"{speed}/s",
            "target": 0.95 * speed if speed else TARGET_STEPS_PER_SECOND,
            "steps": steps, "steps/s": rate, "frames/s": len(frames) / elapsed,
            "cpu": 1000 * cpu / max(len(frames), 1), "gc": gc_pauses.worst,
            "worst ms": probe.worst(), "p99 ms": probe.p99(),
            "stopped": "" if running else panel.runner.last_reason,
            "curve": panel.plot.current.output.size if panel.plot.current else 0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv)
    from gui.files.file_actions import DISCARD
    from gui.main_window import MainWindow

    folder = tempfile.mkdtemp(prefix="bench_ascent_")
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, recovery_folder=os.path.join(folder, "recovery"))
    window.ask_unsaved = lambda: DISCARD
    panel = window.ascent_panel
    window.show()
    circuit = neurons_circuit(args.gates, args.seed)
    ops = sum(not node.gate.is_source for node in circuit.nodes.values())
    movable = sum(node.is_movable for node in circuit.nodes.values())
    probe = LatenessProbe()
    rows = []
    for method, speed in (("analytic", 60), ("analytic", 240), ("analytic", 0),
                          ("numerical", 0), ("random", 0)):
        rows.append(measure(window, panel, lambda: neurons_circuit(args.gates, args.seed),
                            method, speed, args.seconds, probe))

    print(f"gradient ascent in the window: {ops} gates ({len(circuit.nodes)} nodes, "
          f"{movable} free inputs), {args.seconds:g} s per row, platform {app.platformName()}")
    header = (f"{'method':<10} {'speed':>6} {'steps':>7} {'steps/s':>8} {'frames/s':>9} "
              f"{'cpu ms/frame':>13} {'worst late ms':>14} {'p99 late ms':>12} {'gc ms':>6}"
              f"  stopped")
    print(header)
    print("-" * len(header))
    ok = True
    for row in rows:
        print(f"{row['method']:<10} {row['speed']:>6} {row['steps']:>7} "
              f"{row['steps/s']:>8.0f} {row['frames/s']:>9.1f} {row['cpu']:>13.1f} "
              f"{row['worst ms']:>14.1f} {row['p99 ms']:>12.1f} {row['gc']:>6.1f}"
              f"  {row['stopped']}")
        assert row["curve"] == row["steps"] + 1, "the plot misses points"
        ok &= row["steps/s"] >= row["target"] and row["worst ms"] < TARGET_LATENESS_MS
    print(f"targets: max speed >= {TARGET_STEPS_PER_SECOND} steps/s, a set speed kept, worst "
          f"lateness < {TARGET_LATENESS_MS} ms: {'met' if ok else 'NOT met'}")
    window.document.undo_stack.setClean()
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
