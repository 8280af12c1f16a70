"""Files through the window: unsaved-changes prompts, refused files that change nothing, failed
saves that keep the old file, recent files, examples, export to PNG and SVG, and autosave with
restore after a crash."""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

import engine
from gui.files import export
from gui.files.app_settings import MAX_RECENT, AppSettings
from gui.common.run_loop import RunLoop
from gui.files.autosave import INTERVAL_MS, Autosave, find_orphans
from gui.model.commands import AddNodeCommand, SetValueCommand
from gui.files.file_actions import CANCEL, DISCARD, SAVE
from tests.gui_helpers import make_window as new_window

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Windows sharing one settings file and recovery folder (as two runs of the app do)."""
    return lambda: new_window(qtbot, tmp_path)


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def add_mul(tmp_path):
    """A private copy of the CS231n (x + y) * z example."""
    path = tmp_path / "add_mul.circuit"
    shutil.copy(EXAMPLES / "add_mul.circuit", path)
    return path


def edit(window):
    """An edit that makes the document dirty: x = 3."""
    window.document.push(SetValueCommand(window.document, "x", 3.0))


# ------------------------------------------------------------------ unsaved changes
def test_new_asks_about_unsaved_changes_cancel_keeps_the_document(window, add_mul):
    window.open_path(add_mul)
    edit(window)
    circuit = window.document.circuit
    window.answer = CANCEL
    window.action_new.trigger()
    assert window.asked == 1
    assert window.document.circuit is circuit and circuit.node("x").value == 3.0
    assert window.document.is_dirty and window.document.path == add_mul


def test_new_with_discard_replaces_the_document(window, add_mul):
    window.open_path(add_mul)
    edit(window)
    window.answer = DISCARD
    window.action_new.trigger()
    assert window.asked == 1
    assert window.document.circuit.nodes == {}
    assert window.document.path is None and not window.document.is_dirty
    assert engine.load(add_mul).node("x").value == -2.0  # nothing was written


def test_new_with_save_writes_the_file_first(window, add_mul):
    window.open_path(add_mul)
    edit(window)
    window.answer = SAVE
    window.action_new.trigger()
    assert engine.load(add_mul).node("x").value == 3.0
    assert window.document.circuit.nodes == {}


def test_a_clean_document_is_replaced_without_asking(window, add_mul):
    window.open_path(add_mul)
    window.action_new.trigger()
    assert window.asked == 0


def test_open_and_examples_ask_too(window, add_mul):
    window.open_path(add_mul)
    edit(window)
    window.answer = CANCEL
    assert not window.open_path(EXAMPLES / "multiply.circuit")
    window.menu_examples.actions()[0].trigger()
    assert window.asked == 2 and window.document.path == add_mul


def test_closing_asks_and_cancel_keeps_the_window_open(window, qtbot, add_mul):
    window.show()
    qtbot.waitExposed(window)
    window.open_path(add_mul)
    edit(window)
    window.answer = CANCEL
    assert not window.close()
    assert window.isVisible()
    window.answer = DISCARD
    assert window.close()


# ------------------------------------------------------------------ refused files
def test_a_malformed_file_is_reported_and_the_open_document_stays_as_it_was(window, add_mul,
                                                                           tmp_path):
    window.open_path(add_mul)
    edit(window)
    doc = window.document
    circuit, count, wires = doc.circuit, doc.undo_stack.count(), doc.circuit.wires()
    data = json.loads(add_mul.read_text(encoding="utf-8"))
    data["nodes"][3]["op"] = "mull"
    bad = tmp_path / "bad.circuit"
    bad.write_text(json.dumps(data), encoding="utf-8")
    window.answer = DISCARD
    assert not window.open_path(bad)
    assert window.errors == [f"{bad}: nodes[3].op: unknown gate 'mull' (did you mean 'mul'?)"] \
        or "nodes[3].op: unknown gate 'mull' (did you mean 'mul'?)" in window.errors[0]
    assert doc.circuit is circuit and doc.circuit.wires() == wires
    assert doc.undo_stack.count() == count and doc.is_dirty
    assert doc.circuit.node("x").value == 3.0 and doc.path == add_mul
    assert window.scene.gate_item("q") is not None
    assert "bad.circuit" not in " ".join(window.app_settings.recent_files())


def test_a_file_that_is_not_json_names_the_line_and_column(window, tmp_path):
    bad = tmp_path / "broken.circuit"
    bad.write_text('{"format": "circuitgrad",\n  "version": 1,\n  "nodes": [,]}', encoding="utf-8")
    assert not window.open_path(bad)
    [message] = window.errors
    assert "line 3" in message and "column" in message


# ------------------------------------------------------------------ saving
def test_save_marks_clean_writes_the_file_and_updates_recent_files(window, add_mul, tmp_path):
    window.open_path(add_mul)
    edit(window)
    target = tmp_path / "copy.circuit"
    assert window.save_to(target)
    assert not window.document.is_dirty and window.document.path == target
    assert engine.run(engine.load(target)).value == (3 + 5) * -4
    assert window.app_settings.recent_files()[0] == str(target)


def test_save_into_a_folder_path_fails_says_why_and_stays_dirty(window, add_mul, tmp_path):
    window.open_path(add_mul)
    edit(window)
    folder = tmp_path / "a_folder"
    folder.mkdir()
    assert not window.save_to(folder)
    assert "is a folder" in window.errors[0]
    assert window.document.is_dirty and window.document.path == add_mul
    assert not window.save_to(tmp_path / "missing" / "f.circuit")
    assert "does not exist" in window.errors[1]
    assert window.errors[1].endswith("Nothing was written.")  # there was no old file


def test_a_failed_save_over_a_file_says_it_was_left_as_it_was(window, add_mul, monkeypatch):
    window.open_path(add_mul)
    edit(window)
    monkeypatch.setattr(os, "replace", lambda *_args: (_ for _ in ()).throw(
        OSError(28, "No space left on device")))
    window.action_save.trigger()
    assert window.errors[0].endswith("The file on disk was left as it was.")


def test_a_failed_save_keeps_the_old_file(window, add_mul, monkeypatch):
    window.open_path(add_mul)
    before = add_mul.read_bytes()
    edit(window)

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    window.action_save.trigger()
    assert "No space left on device" in window.errors[0]
    assert add_mul.read_bytes() == before
    assert window.document.is_dirty
    assert [p.name for p in add_mul.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_save_as_asks_for_a_name_and_adds_the_extension(window, tmp_path):
    window.files.open_example(EXAMPLES / "add_mul.circuit")
    assert window.document.path is None  # examples are never saved over
    window.ask_save_path = lambda title, suggested, filters: str(tmp_path / "mine")
    window.action_save.trigger()
    assert window.document.path == tmp_path / "mine.circuit"
    assert engine.run(engine.load(tmp_path / "mine.circuit")).value == -12


def test_save_as_names_an_untitled_circuit_after_its_file(window, tmp_path):
    window.action_new.trigger()
    doc = window.document
    assert doc.circuit.title == "untitled"
    doc.push(AddNodeCommand(doc, "input", (0, 0), node_id="x", value=2.0))
    window.ask_save_path = lambda title, suggested, filters: str(tmp_path / "my_neuron")
    window.action_save_as.trigger()
    saved = tmp_path / "my_neuron.circuit"
    assert json.loads(saved.read_text(encoding="utf-8"))["title"] == "my_neuron"
    assert doc.circuit.title == "my_neuron" and not doc.is_dirty
    assert window.windowTitle().startswith("my_neuron.circuit")
    window.action_undo.trigger()  # the title is an edit like any other: Undo takes it back
    assert doc.circuit.title == "untitled" and doc.is_dirty
    window.action_redo.trigger()
    assert doc.circuit.title == "my_neuron" and not doc.is_dirty
    window.open_path(EXAMPLES / "add_mul.circuit")  # a circuit with a title keeps it
    title = window.document.circuit.title
    assert window.save_to(tmp_path / "other.circuit")
    assert json.loads((tmp_path / "other.circuit").read_text(encoding="utf-8"))["title"] == title


def test_a_failed_save_leaves_the_title_untitled(window, tmp_path):
    window.action_new.trigger()
    folder = tmp_path / "a_folder"
    folder.mkdir()
    assert not window.save_to(folder)
    assert window.document.circuit.title == "untitled"
    stack = window.document.undo_stack
    assert not window.document.is_dirty  # nothing was edited: a failed save adds no step
    assert stack.count() == 0 and not stack.canRedo()


# ------------------------------------------------------------------ recent files and examples
def test_recent_files_put_the_newest_first_and_fill_the_menu(window, add_mul, tmp_path):
    other = tmp_path / "multiply.circuit"
    shutil.copy(EXAMPLES / "multiply.circuit", other)
    window.open_path(add_mul)
    window.open_path(other)
    window.open_path(add_mul)
    assert window.app_settings.recent_files() == [str(add_mul), str(other)]
    paths = [a.data() for a in window.menu_recent.actions() if a.data()]
    assert paths == [str(add_mul), str(other)]


def test_a_recent_file_that_is_gone_is_removed_with_a_message(window, add_mul, tmp_path):
    other = tmp_path / "multiply.circuit"
    shutil.copy(EXAMPLES / "multiply.circuit", other)
    window.open_path(other)
    window.open_path(add_mul)
    other.unlink()
    entry = next(a for a in window.menu_recent.actions() if a.data() == str(other))
    entry.trigger()
    assert "no longer exists" in window.errors[0] and str(other) in window.errors[0]
    assert window.app_settings.recent_files() == [str(add_mul)]
    assert window.document.path == add_mul


def test_recent_files_keep_at_most_ten(tmp_path):
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    for i in range(MAX_RECENT + 3):
        settings.add_recent(tmp_path / f"f{i}.circuit")
    files = settings.recent_files()
    assert len(files) == MAX_RECENT == 10
    assert files[0] == str(tmp_path / f"f{MAX_RECENT + 2}.circuit")


def test_an_example_opens_untitled_under_its_title(window):
    entry = next(a for a in window.menu_examples.actions()
                 if a.data() == str(EXAMPLES / "add_mul.circuit"))
    entry.trigger()
    window.document.flush()
    assert window.document.result.value == -12
    assert window.document.path is None and not window.document.is_dirty
    assert window.windowTitle() == "CS231n: f = (x + y) * z[*] — circuitgrad"


# ------------------------------------------------------------------ export
def test_export_png_and_svg_write_real_pictures(window, tmp_path):
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.scene.select_nodes(["q"])
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    answers = iter([str(png), str(svg)])
    window.ask_save_path = lambda title, suggested, filters: next(answers)
    window.action_export_png.trigger()
    window.action_export_svg.trigger()
    assert window.errors == []
    image = QImage(str(png))
    content = window.scene.content_rect()
    assert not image.isNull()
    assert image.width() == round((content.width() + 2 * export.MARGIN) * 2)
    assert image.height() == round((content.height() + 2 * export.MARGIN) * 2)
    assert image.pixelColor(1, 1).name() == "#ffffff"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "</svg>" in text and len(text) > 1000
    assert window.scene.selected_node_ids() == ["q"]  # the selection comes back


def test_an_export_draws_the_numbers_at_their_own_size_whatever_the_zoom(window):
    """Zoomed out, the canvas enlarges its numbers (and leaves out those with no room); a
    picture of the circuit is the same at any zoom, and the canvas is as it was after."""
    window.resize(1000, 650)
    window.show()
    assert window.open_path(EXAMPLES / "neuron.circuit")
    scene, view = window.scene, window.view
    pictures, scales = [], []
    for zoom in (0.6, 1.0):
        view.set_zoom(zoom)
        scene.arrange_labels()
        scales.append(scene.number_scale())
        pictures.append(export.render_image(scene))
        assert scene.number_scale() == scales[-1] and scene.view_zoom == pytest.approx(zoom)
    assert scales[0] > 1.0  # the canvas did enlarge its numbers at 60 %
    assert pictures[0] == pictures[1]


def test_export_into_a_missing_folder_says_why(window, tmp_path):
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.ask_save_path = lambda title, suggested, filters: str(tmp_path / "no" / "c.svg")
    window.action_export_svg.trigger()
    assert "could not write" in window.errors[0]


# ------------------------------------------------------------------ autosave and restore
def test_the_default_recovery_folder_names_the_app_once(qtbot):
    from PySide6.QtCore import QCoreApplication, QStandardPaths
    from gui.files.autosave import default_folder
    app = QCoreApplication.instance()
    name, organisation = app.applicationName(), app.organizationName()
    app.setApplicationName("circuitgrad")
    app.setOrganizationName("circuitgrad")
    try:
        folder = default_folder()
        data = Path(QStandardPaths.writableLocation(QStandardPaths.GenericDataLocation))
    finally:
        app.setApplicationName(name)
        app.setOrganizationName(organisation)
    assert folder == data / "circuitgrad" / "recovery"
    assert folder.parts.count("circuitgrad") == 1


def test_autosave_runs_every_30_seconds_and_writes_only_a_dirty_document(window, add_mul):
    assert window.autosave.timer.interval() == INTERVAL_MS == 30_000
    assert window.autosave.timer.isActive()
    window.open_path(add_mul)
    assert not window.autosave.save_now()
    assert not window.autosave.recovery_path.exists()
    edit(window)
    before = add_mul.read_bytes()
    assert window.autosave.save_now()
    recovery = window.autosave.recovery_path
    assert recovery.exists() and recovery.parent != add_mul.parent
    assert engine.load(recovery).node("x").value == 3.0
    assert add_mul.read_bytes() == before  # never over the user's file
    record = json.loads(window.autosave.record_path.read_text(encoding="utf-8"))
    assert record["original_path"] == str(add_mul)
    window.action_save.trigger()
    assert not recovery.exists() and not window.autosave.record_path.exists()


def test_the_timers_copy_is_written_off_the_window_thread_from_the_circuit_at_the_tick(
        window, add_mul, monkeypatch):
    threads = []

    def save(circuit, path):  # engine.save itself, noting the thread it ran on
        threads.append(threading.current_thread())
        real_save(circuit, path)

    real_save = engine.save
    monkeypatch.setattr(engine, "save", save)
    window.open_path(add_mul)
    edit(window)
    window.autosave.timer.timeout.emit()
    window.document.push(SetValueCommand(window.document, "x", 7.0))  # while it writes
    assert window.autosave.wait()
    assert threads and threads[0] is not threading.main_thread()
    assert engine.load(window.autosave.recovery_path).node("x").value == 3.0
    assert window.document.circuit.node("x").value == 7.0
    window.autosave.timer.timeout.emit()
    window.action_save.trigger()  # a clean save deletes the copy, after it is written
    assert not window.autosave.writing
    assert not window.autosave.recovery_path.exists()
    assert not window.autosave.record_path.exists()


def test_a_run_going_on_postpones_the_timers_copy_to_its_end(window, add_mul, qtbot):
    window.open_path(add_mul)
    edit(window)
    job = _IdleJob()
    loop = RunLoop(job, budget_s=0.01, publish_delay_ms=60_000, parent=window)
    loop.start()  # a training or an ascent: a copy written beside it would slow every slice
    window.autosave.timer.timeout.emit()
    assert not window.autosave.writing and not window.autosave.recovery_path.exists()
    assert window.autosave.owed.isActive()  # the tick is owed, not lost
    loop.stop("paused")
    # within a second of the run's end, not at the next tick 30 s later
    qtbot.waitUntil(lambda: window.autosave.recovery_path.exists(), timeout=3000)
    assert window.autosave.wait()
    assert engine.load(window.autosave.recovery_path).node("x").value == 3.0


class _IdleJob:
    """A run loop's job that does nothing, for as long as the loop runs."""

    def wants_more(self, _slice_start):
        return False

    def advance(self):
        return None

    def publish(self):
        return None

    def finished(self, _reason):
        pass


def test_a_crashed_sessions_copy_is_offered_and_restored_dirty(make_window, add_mul,
                                                                 tmp_path):
    crashed = make_window()
    crashed.open_path(add_mul)
    edit(crashed)
    crashed.autosave.timer.timeout.emit()  # the timer's slot, without waiting 30 s
    assert crashed.autosave.wait()  # it writes on a worker thread
    assert crashed.autosave.recovery_path.exists()

    fresh = make_window()
    assert fresh.autosave.orphans() == []  # the first window is alive: nothing to restore
    crashed.autosave._lock.unlock()  # what a crash leaves: the files, and no live lock
    offered = []
    fresh.ask_restore = lambda recovery: offered.append(recovery) or True
    assert fresh.offer_recovery()
    assert offered[0].original_path == add_mul
    doc = fresh.document
    assert doc.is_dirty and doc.path == add_mul
    assert doc.circuit.node("x").value == 3.0
    doc.flush()
    assert doc.result.value == (3 + 5) * -4
    assert fresh.windowTitle().startswith("add_mul.circuit[*]") and fresh.isWindowModified()
    assert find_orphans(tmp_path / "recovery") == []
    assert engine.load(add_mul).node("x").value == -2.0  # the user's file is untouched


def test_declining_the_restore_deletes_the_copy(make_window, tmp_path, add_mul):
    window = make_window()
    other = Autosave(window.document, tmp_path / "recovery")
    window.open_path(add_mul)
    edit(window)
    assert other.save_now()
    other._lock.unlock()
    fresh = make_window()
    fresh.ask_restore = lambda recovery: False
    assert not fresh.offer_recovery()
    assert not other.recovery_path.exists()
    assert fresh.document.circuit.nodes == {}


def crash_with_a_copy(make_window, add_mul):
    """A window that autosaved an edit of add_mul (x = 3), then died: its lock is released."""
    crashed = make_window()
    crashed.open_path(add_mul)
    edit(crashed)
    assert crashed.autosave.save_now()
    crashed.autosave._lock.unlock()
    return crashed.autosave


@pytest.mark.parametrize("record", [None, '{"original_path": "/x/add_mul.cir', "[1, 2]",
                                    '{"saved_at": 1e300, "original_path": 7}'])
def test_a_copy_whose_record_is_lost_or_broken_is_offered_and_restored(make_window, add_mul,
                                                                       record):
    autosave = crash_with_a_copy(make_window, add_mul)
    if record is None:
        autosave.record_path.unlink()
    else:
        autosave.record_path.write_text(record, encoding="utf-8")
    fresh = make_window()
    offered = []
    fresh.ask_restore = lambda recovery: offered.append(recovery.describe()) or True
    assert fresh.offer_recovery()
    assert offered[0].startswith("untitled (autosaved ")
    assert fresh.document.circuit.node("x").value == 3.0 and fresh.document.is_dirty
    assert fresh.document.path is None  # where it came from was in the lost record
    assert sorted(os.listdir(autosave.folder)) == []


def test_a_record_or_a_lock_without_its_copy_is_deleted(make_window, add_mul, tmp_path):
    autosave = crash_with_a_copy(make_window, add_mul)
    autosave.recovery_path.unlink()
    folder = tmp_path / "recovery"
    lock = folder / "0123abcd.lock"  # a lock whose process died holding it, and nothing else
    subprocess.run([sys.executable, "-c", "import os; from PySide6.QtCore import QLockFile; "
                    f"held = QLockFile({str(lock)!r}); held.tryLock(0); os._exit(0)"], check=True)
    assert lock.exists()
    assert find_orphans(folder) == []
    assert os.listdir(folder) == []


def test_a_normal_close_leaves_no_recovery_file(window, add_mul, tmp_path):
    window.open_path(add_mul)
    edit(window)
    window.autosave.save_now()
    window.answer = DISCARD
    window.close()
    assert list((tmp_path / "recovery").glob("*.circuit")) == []


def open_value_editor_on_x(window, add_mul, qtbot):
    """(x + y) * z in the shown window, x's value editor opened by a real double-click."""
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.open_path(add_mul)
    QApplication.processEvents()
    view, pill = window.view, window.scene.gate_item("x")
    centre = view.mapFromScene(pill.sceneBoundingRect().center())
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=centre)


@pytest.mark.parametrize("replace", ["new", "open", "example"])
def test_new_or_open_with_the_value_editor_open_replaces_the_document_cleanly(
        window, add_mul, qtbot, replace):
    open_value_editor_on_x(window, add_mul, qtbot)
    editor = window.scene.value_editor()
    assert editor is not None and editor.hasFocus()
    editor.setText("7")  # typed, not applied
    del editor  # nothing of Python's keeps the editor: as in the app
    if replace == "new":
        window.action_new.trigger()
    elif replace == "open":
        window.open_path(EXAMPLES / "neuron.circuit")
    else:
        window.files.open_example(EXAMPLES / "neuron.circuit")
    for _ in range(3):
        QApplication.processEvents()  # the editor's deferred delete runs after the new scene
    assert window.scene.value_editor() is None
    expected = {"new": set(), "open": {"a", "x"}, "example": {"a", "x"}}[replace]
    assert expected <= set(window.document.circuit.nodes)
    assert all(window.scene.gate_item(node_id) is not None
               for node_id in window.document.circuit.nodes)


@pytest.mark.parametrize("key, expected", [("Return", 7.0), ("Enter", 7.0), ("Escape", -2.0)])
def test_the_value_editor_takes_enter_and_escape_through_the_canvas(window, add_mul, qtbot,
                                                                     key, expected):
    open_value_editor_on_x(window, add_mul, qtbot)
    view = window.view
    assert window.scene.value_editor() is not None
    # the keys go where a user's go: to the canvas, which hands them to the editor
    qtbot.keyClick(view.viewport(), Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(view.viewport(), "7")
    qtbot.keyClick(view.viewport(), getattr(Qt, f"Key_{key}"))
    for _ in range(3):
        QApplication.processEvents()  # the closed editor's deferred delete
    assert window.scene.value_editor() is None
    assert window.document.circuit.nodes["x"].value == expected
    window.document.flush()
    assert window.document.result.value == (expected + 5) * -4


def test_scrubbing_with_the_value_editor_open_closes_it(window, add_mul, qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    open_value_editor_on_x(window, add_mul, qtbot)
    assert window.scene.value_editor() is not None
    view, pill = window.view, window.scene.gate_item("x")
    at = view.mapFromScene(pill.sceneBoundingRect().center())
    event = QWheelEvent(QPointF(at), QPointF(view.viewport().mapToGlobal(at)), QPoint(0, 0),
                        QPoint(0, 240), Qt.NoButton, Qt.ControlModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    for _ in range(3):
        QApplication.processEvents()
    assert window.scene.value_editor() is None
    assert window.document.circuit.nodes["x"].value == pytest.approx(-1.8)  # two steps of 0.1
