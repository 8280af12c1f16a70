"""Benchmark: training live in the window, the decision boundary redrawn on a 100 x 100 grid.

The real main window opens the hacker's guide's 2-layer ReLU net (and, as heavier stress
rows, a net of 32 tanh units: 294 nodes, 129 parameters) with the circle data set (100 points;
for the last rows 100 000, where one step takes longer than a slice and is done in parts)
inside, and presses Train: the session's own timer runs the frames, each taking ``steps per
frame`` steps, writing the parameters into the circuit (the canvas numbers move), redrawing the
loss and accuracy curves and the decision-boundary plot (``gui.training.boundary_plot``: the
score over its 100 x 100 grid, the heatmap and the zero line).
"redraws/s" counts the plot's redraws.

Meanwhile a 5 ms probe timer records how late each of its ticks fires: the worst lateness is
the longest time the GUI thread was blocked (target: under 50 ms). Frames per second count the
session's frames from the first to the last (target: 30 or more). "cpu ms/frame" is the GUI
thread's own CPU time per frame (steps, passes, canvas, curves, boundary, painting); "gc ms" is
the longest pause of Python's garbage collector during the row. Like ``main.py``, the bench
freezes what start-up made (``gc.freeze``); rows longer than the autosave's 30 s would see a
copy of the circuit written (on its thread, between runs).

Run by hand: ``python bench/bench_training_gui.py [--seconds S] [--grid N] [--only KEY]``.
Without a display it runs offscreen (Qt still paints every frame into its backing store).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine  # noqa: E402
from bench_ascent_gui import GcPauses  # noqa: E402

PROBE_MS = 5
TARGET_FPS = 30
TARGET_LATENESS_MS = 50
# (key, title, the circuit, how many circle points it trains on)
CASES = [
    ("guide", "guide's 2-layer net (3 relu)", engine.templates.two_layer_relu_net, 100),
    ("32", "32 tanh units", lambda: engine.templates.hidden_layer_net(32, "tanh"), 100),
    ("32big", "32 tanh units, 100 000 points",
     lambda: engine.templates.hidden_layer_net(32, "tanh"), 100_000),
]


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


def wait(app, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def run_row(window, session, circuit, steps_per_frame: int, seconds: float) -> dict:
    window.document.replace_circuit(circuit)
    window.training_panel.steps_per_frame.setValue(steps_per_frame)
    frames = []

    def count(_trainer):
        frames.append(time.perf_counter())

    session.trained.connect(count)
    plot = window.boundary_plot
    redraws = []
    refresh = plot.refresh

    def counted_refresh():
        redraws.append(time.perf_counter())
        refresh()

    plot._timer.timeout.disconnect(refresh)
    plot._timer.timeout.connect(counted_refresh)
    app = QApplication.instance()
    wait(app, 0.3)
    probe = LatenessProbe()
    gc_pauses = GcPauses()
    probe.start()
    cpu = time.thread_time()
    session.train()
    wait(app, seconds)
    session.pause()
    cpu = time.thread_time() - cpu
    probe.stop()
    gc_pauses.stop()
    session.trained.disconnect(count)
    plot._timer.timeout.disconnect(counted_refresh)
    plot._timer.timeout.connect(refresh)
    span = frames[-1] - frames[0] if len(frames) > 1 else float("nan")
    summary = session.summary()
    return {"frames/s": (len(frames) - 1) / span, "redraws/s": len(redraws) / seconds,
            "steps": summary.steps,
            "steps/s": summary.steps / seconds, "cpu ms/frame": 1000 * cpu / max(len(frames), 1),
            "worst late ms": probe.worst(), "p99 late ms": probe.p99(),
            "gc ms": gc_pauses.worst, "accuracy": summary.accuracy}


def open_window(grid: int | None = None):
    """The app, a shown 1400 x 900 main window (the boundary grid ``grid`` points a side, if
    given) and its training session, with what start-up made frozen as main.py does."""
    engine.keep_freed_memory()  # as the app and the command line do at start-up
    engine.single_blas_thread()
    app = QApplication.instance() or QApplication(sys.argv)

    from gui.files.file_actions import DISCARD
    from gui.main_window import MainWindow

    folder = tempfile.mkdtemp()
    window = MainWindow(settings=QSettings(os.path.join(folder, "s.ini"), QSettings.IniFormat),
                        recovery_folder=os.path.join(folder, "recovery"))
    window.ask_unsaved = lambda: DISCARD
    window.resize(1400, 900)
    if grid is not None:
        window.boundary_plot.resolution = grid
    window.show()
    wait(app, 0.5)
    gc.freeze()  # as main.py does after start-up
    return app, window, window.training_session


def print_rows(rows) -> None:
    """The table of (title, steps per frame, ``run_row``'s figures) rows."""
    header = ["circuit", "steps/frame", "frames/s", "redraws/s", "steps/s", "cpu ms/frame",
              "worst late ms", "p99 late ms", "gc ms", "accuracy"]
    print(" | ".join(header))
    for title, steps_per_frame, row in rows:
        print(" | ".join([title, str(steps_per_frame)] + [
            f"{row[key]:.1f}" if key != "accuracy" else f"{row[key]:.0%}"
            for key in header[2:]]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--grid", type=int, default=100)
    parser.add_argument("--only", choices=[case[0] for case in CASES],
                        help="run only this circuit's rows")
    args = parser.parse_args()
    app, window, session = open_window(args.grid)

    rows = []
    for key, title, make, points in CASES:
        if args.only and key != args.only:
            continue
        data = engine.make_dataset("circle", points)
        for steps_per_frame in (5, 20):
            circuit = make()
            engine.embed_dataset(circuit, data)
            rows.append((title, steps_per_frame,
                         run_row(window, session, circuit, steps_per_frame, args.seconds)))

    print(f"boundary: {args.grid}x{args.grid} grid; {args.seconds:g} s per row; platform "
          f"{QApplication.platformName()}")
    print_rows(rows)
    guide = [row for title, _steps, row in rows if title.startswith("guide")] or \
        [row for _title, _steps, row in rows]
    fps_ok = min(row["frames/s"] for row in guide) >= TARGET_FPS
    late_ok = max(row["worst late ms"] for row in guide) < TARGET_LATENESS_MS
    print(f"target for the guide's 2-layer net: >= {TARGET_FPS} frames/s "
          f"({'met' if fps_ok else 'NOT met'}), worst lateness < {TARGET_LATENESS_MS} ms "
          f"({'met' if late_ok else 'NOT met'}); the 32-unit rows are a stress test")
    window.close()


if __name__ == "__main__":
    main()
