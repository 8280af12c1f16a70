"""Start circuitgrad: ``python main.py [FILE] [--screenshot OUT.png]`` (also ``circuitgrad``).

With no FILE the window opens the CS231n sigmoid neuron built from primitive gates. With
``--screenshot`` the window opens with FILE loaded (offscreen works: QT_QPA_PLATFORM=offscreen),
runs the forward and backward pass, fits the canvas, saves a picture of the whole window and
exits; a FILE that cannot be used prints one line to standard error and exits with status 3.
This is the only place a QApplication is made.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
DEFAULT_EXAMPLE = ASSETS / "examples" / "sigmoid_neuron_primitive.circuit"
SCREENSHOT_SIZE = (1400, 900)


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="circuitgrad",
        description="Build circuits of gates and watch backpropagation: values flow forward "
                    "(green), gradients flow back (red).")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="a .circuit file to open (default: the sigmoid neuron example)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open FILE, run the passes, save a picture of the window, exit")
    return parser.parse_args(argv)


def app_icon():
    """The window icon, drawn in assets/icons/circuitgrad.svg."""
    from PySide6.QtGui import QIcon

    return QIcon(str(ASSETS / "icons" / "circuitgrad.svg"))


def _quiet_offscreen_notes() -> None:
    """Drop the offscreen platform's notes about window features it lacks (not our errors)."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message):
        if not message.startswith("This plugin does not support"):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def take_screenshot(app, path: str, out: str) -> int:
    """Open ``path`` in a fresh window, save a picture of the window to ``out``; exit code."""
    import engine
    from PySide6.QtCore import QSettings

    from gui.main_window import MainWindow

    try:
        circuit = engine.load(path)
    except engine.CircuitError as error:
        print(f"circuitgrad: {error}", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory(prefix="circuitgrad-shot-") as scratch:
        # a throwaway layout and recovery folder: the picture never depends on the user's
        # saved window state, and taking it never touches their settings
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings, recovery_folder=Path(scratch) / "recovery")
        window.setWindowIcon(app.windowIcon())
        window.resize(*SCREENSHOT_SIZE)
        window.show()
        app.processEvents()
        # opened into the shown window, as a user opens a file: docks that follow the
        # document (the decision boundary) lay out as they do on screen
        window.document.replace_circuit(circuit, Path(path))
        window.document_replaced()
        for _ in range(3):
            app.processEvents()
        window.document.flush()
        window.view.fit_all()
        app.processEvents()
        ok = window.grab().save(out, "PNG")
        window.close()
        app.processEvents()
    if not ok:
        print(f"circuitgrad: {out}: could not write the screenshot", file=sys.stderr)
        return 3
    return 0


def main(argv=None) -> int:
    """Run the app; returns the process's exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    import engine
    from PySide6.QtWidgets import QApplication

    engine.keep_freed_memory()  # the app's batched passes reuse their memory (engine/heap.py)
    engine.single_blas_thread()  # and do not fight for the cores (engine/blas_threads.py)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("circuitgrad")
    app.setOrganizationName("circuitgrad")
    app.setApplicationDisplayName("circuitgrad")
    app.setWindowIcon(app_icon())

    if args.screenshot:
        _quiet_offscreen_notes()
        return take_screenshot(app, args.file or str(DEFAULT_EXAMPLE), args.screenshot)

    from gui.canvas.editing import release_clipboard
    from gui.main_window import MainWindow

    app.aboutToQuit.connect(release_clipboard)
    window = MainWindow()
    window.show()
    target = Path(args.file) if args.file else DEFAULT_EXAMPLE
    if args.file or target.is_file():
        if args.file:
            window.open_path(target)
        else:
            window.files.open_example(target)
    window.offer_recovery()
    # What start-up made (modules, Qt wrappers, the window: 70 000 objects) lives as long as the
    # app: the collector's full passes skip it from now on, instead of holding the window for
    # 30-40 ms every few seconds of a training run to scan it again.
    gc.freeze()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
