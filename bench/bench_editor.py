"""How the editor copes with a big circuit: open a 500-gate file, then pan and zoom it.

Run by hand (not part of the tests): ``python bench/bench_editor.py [N_GATES]``. It writes a
random N-gate circuit (laid out by the engine) to a temporary file, opens it in the real main
window through File → Open's code path, and times: the open (load, scene build, first pass,
first paint), the numbers finding their spots (in slices, after the first paint), a pan step and
a zoom step with the whole circuit in view (each forced to paint), and one value edit (command,
pass, numbers redrawn). Offscreen works:
``QT_QPA_PLATFORM=offscreen python bench/bench_editor.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from random_circuits import build_circuit, random_spec  # noqa: E402


def _paint(app, view) -> None:
    view.viewport().repaint()
    app.processEvents()


def _median_ms(samples) -> float:
    return statistics.median(samples) * 1e3


def main(n_gates: int = 500) -> None:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from gui.model.commands import SetValueCommand
    from gui.main_window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="bench_editor_"))
    circuit = build_circuit(random_spec(n_gates, seed=1))
    for node_id, pos in engine.auto_layout(circuit).items():
        circuit.move(node_id, pos)
    path = folder / "big.circuit"
    engine.save(circuit, path)

    window = MainWindow(settings=QSettings(str(folder / "settings.ini"), QSettings.IniFormat),
                        recovery_folder=folder / "recovery")
    window.resize(1400, 900)
    window.show()
    app.processEvents()

    start = time.perf_counter()
    window.open_path(path)
    window.document.flush()
    _paint(app, window.view)
    open_s = time.perf_counter() - start
    # the wires' numbers find their spots in slices, a turn of the event loop each
    turns = []
    while window.scene.labels_pending():
        turn = time.perf_counter()
        app.processEvents()
        turns.append(time.perf_counter() - turn)
    settled_s = time.perf_counter() - start

    view = window.view
    view.fit_all()
    _paint(app, view)
    pans, zooms = [], []
    for k in range(30):
        start = time.perf_counter()
        bar = view.horizontalScrollBar()
        bar.setValue(bar.value() + (15 if k % 2 == 0 else -15))
        _paint(app, view)
        pans.append(time.perf_counter() - start)
    for k in range(30):
        start = time.perf_counter()
        view.zoom_in() if k % 2 == 0 else view.zoom_out()
        _paint(app, view)
        zooms.append(time.perf_counter() - start)

    source = next(node.id for node in window.document.circuit.nodes.values()
                  if node.op == "input")
    edits = []
    for k in range(20):
        start = time.perf_counter()
        window.document.push(SetValueCommand(window.document, source, 0.1 * k))
        window.document.flush()
        _paint(app, view)
        edits.append(time.perf_counter() - start)

    print(f"editor with {n_gates} gates ({len(window.document.circuit.nodes)} nodes, "
          f"{len(window.document.circuit.wires())} wires), "
          f"platform {app.platformName()}, 1400x900 window")
    print(f"{'what':<44}{'time':>12}")
    print(f"{'open (load, scene, pass, first paint)':<44}{open_s * 1e3:>10.0f} ms")
    print(f"{'every number in its spot (after open)':<44}{settled_s * 1e3:>10.0f} ms")
    longest_ms = max(turns, default=0) * 1e3
    print(f"{'  longest turn of the event loop meanwhile':<44}{longest_ms:>10.1f} ms")
    print(f"{'pan step, whole circuit in view (median)':<44}{_median_ms(pans):>10.1f} ms")
    print(f"{'pan step (worst)':<44}{max(pans) * 1e3:>10.1f} ms")
    print(f"{'zoom step, whole circuit in view (median)':<44}{_median_ms(zooms):>10.1f} ms")
    print(f"{'zoom step (worst)':<44}{max(zooms) * 1e3:>10.1f} ms")
    print(f"{'value edit -> pass -> numbers (median)':<44}{_median_ms(edits):>10.1f} ms")
    window.document.undo_stack.setClean()
    window.close()
    for child in sorted(folder.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    folder.rmdir()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gates", nargs="?", type=int, default=500,
                        help="how many gates the random circuit has (default 500)")
    main(parser.parse_args().gates)
