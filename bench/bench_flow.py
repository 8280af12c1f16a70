"""How long the animated passes take, and how smooth they stay, from a neuron to a 32-unit net.

Run by hand (not part of the tests): ``python bench/bench_flow.py``. For each circuit it opens
it in the real main window, presses Play at the default speed and lets the passes run on their
timer to the end, then reports the number of levels (steps), the wall-clock seconds of the two
passes, the longest gap between two frames, and how many chain-rule cards were kept hidden for
want of room. Offscreen works: ``QT_QPA_PLATFORM=offscreen python bench/bench_flow.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"


def run(app, window, name: str, circuit) -> None:
    from gui.flow.animation import DONE

    window.document.replace_circuit(circuit)
    window.document.flush()
    window.view.fit_all()
    for _ in range(3):
        app.processEvents()
    flow = window.flow_controller
    frames = []
    flow._timer.timeout.connect(lambda: frames.append(time.perf_counter()))
    start = time.perf_counter()
    flow.play()
    while flow.phase != DONE or flow.timer_active:
        app.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    gap = max((b - a for a, b in zip(frames, frames[1:])), default=0.0)
    print(f"{name:28s} {len(circuit.nodes):6d} {len(flow.levels):7d} {seconds:9.2f} "
          f"{gap * 1e3:12.0f} {flow.hidden_captions:4d} of {len(flow.caption_items())}")


def main() -> None:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings, recovery_folder=Path(scratch) / "recovery")
        window.resize(1400, 900)
        window.show()
        app.processEvents()
        print(f"{'circuit':28s} {'nodes':>6s} {'levels':>7s} {'seconds':>9s} "
              f"{'worst gap ms':>12s} hidden cards")
        for name in ("sigmoid_neuron_primitive", "two_layer_net"):
            run(app, window, name, engine.load(EXAMPLES / f"{name}.circuit"))
        for units in (8, 32):
            run(app, window, f"hidden_layer_net({units})", engine.hidden_layer_net(units))
        window.close()


if __name__ == "__main__":
    main()
