"""Helpers for the GUI tests: a window with its questions answered, and a bare canvas given the
window's edit keys; ``mouse`` and ``drag`` press, move and release on a canvas; ``click_gate``
clicks a gate of the window's canvas; ``click_at`` clicks the boundary plot at a point of the
plane.

``make_window`` builds the real MainWindow with settings and recovery files in the test's own
folder, errors collected in ``window.errors`` instead of dialogs, and unsaved edits discarded
without asking; ``show_at`` shows it at a size and ``settle`` lets its layout settle.
``install_edit_keys`` and ``install_view_keys`` give a canvas built without a
window the keys that the window's Edit and View menus give it (as declared in
``gui/window_parts.py``). ``when_modal`` acts on the next modal dialog of a kind once it
shows (to click its buttons while its ``exec`` runs).
"""

from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QApplication

from gui.files.file_actions import DISCARD
from gui.main_window import MainWindow
from gui.window_parts import ACTION_PARTS


def make_window(qtbot, tmp_path, settings_name: str = "settings.ini") -> MainWindow:
    """A main window that keeps its settings in ``tmp_path`` and shows no modal dialog: errors
    go to ``window.errors``, the unsaved-changes prompt counts itself in ``window.asked``
    and answers ``window.answer`` (DISCARD unless a test sets another), and the question
    whether a file's code gates may run lists (file name, code gates) in ``window.trust_asked``
    and answers ``window.trust_answer`` (False: Open without running)."""
    settings = QSettings(str(tmp_path / settings_name), QSettings.IniFormat)
    window = MainWindow(settings=settings, recovery_folder=tmp_path / "recovery")
    window.errors = []
    window.show_error = lambda title, text: window.errors.append(text)
    window.asked = 0
    window.answer = DISCARD

    def ask_unsaved():
        window.asked += 1
        return window.answer

    window.ask_unsaved = ask_unsaved
    window.trust_asked = []
    window.trust_answer = False

    def ask_trust(file_name, code_gates):
        window.trust_asked.append((file_name, dict(code_gates)))
        return window.trust_answer

    window.ask_trust = ask_trust
    qtbot.addWidget(window)
    return window


def show_at(window, qtbot, size: tuple[int, int]) -> None:
    """Show ``window`` at ``size`` (px) and let its layout settle."""
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    settle()


def settle() -> None:
    """Let the event loop lay the window out (zero-delay timers included)."""
    for _ in range(4):
        QApplication.processEvents()


def install_edit_keys(actions, widget) -> None:
    """Give a bare canvas the window's edit keys (copy, cut, paste, duplicate, delete, select
    all, undo, redo)."""
    stack = actions.document.undo_stack
    _install_keys(widget, {
        "action_copy": actions.copy, "action_cut": actions.cut, "action_paste": actions.paste,
        "action_duplicate": actions.duplicate, "action_delete": actions.delete_selection,
        "action_select_all": actions.select_all, "action_undo": stack.undo,
        "action_redo": stack.redo})


def install_view_keys(view) -> None:
    """Give a bare canvas the window's View keys (zoom in, out, to 100%, fit)."""
    _install_keys(view, {"action_zoom_in": view.zoom_in, "action_zoom_out": view.zoom_out,
                         "action_reset_zoom": view.reset_zoom, "action_fit": view.fit_all})


def _install_keys(widget, slots) -> None:
    for name, slot in slots.items():
        action = QAction(name, widget)
        action.setShortcuts(ACTION_PARTS[name].key_sequences())
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
        widget.addAction(action)


def click_gate(qtbot, window, node_id):
    """A real mouse click on the middle of gate ``node_id`` on the window's canvas; it must
    select that gate alone."""
    view, gate = window.view, window.scene.gate_item(node_id)
    view.ensureVisible(gate)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.mapFromScene(gate.mapToScene(gate.body_rect().center())))
    assert window.scene.selected_node_ids() == [node_id]


def click_at(qtbot, plot, x, y, modifier=Qt.NoModifier):
    """A real mouse click on the boundary plot's viewport where data point (x, y) is drawn."""
    view_box = plot.plot.getViewBox()
    scene_point = view_box.mapViewToScene(QPointF(x, y))
    pos = plot.plot.mapFromScene(scene_point)
    qtbot.mouseClick(plot.plot.viewport(), Qt.LeftButton, modifier, pos)


def mouse(view, kind, pos: QPoint, button, buttons, modifiers=Qt.NoModifier):
    """Send one mouse event to the viewport (with buttons held, which QTest cannot do)."""
    event = QMouseEvent(kind, QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)),
                        button, buttons, modifiers)
    QApplication.sendEvent(view.viewport(), event)


def drag(view, start: QPoint, end: QPoint, button=Qt.LeftButton, steps=5):
    """Press at ``start``, move to ``end`` in a few steps with the button held, release."""
    mouse(view, QEvent.MouseButtonPress, start, button, button)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        mouse(view, QEvent.MouseMove, point, Qt.NoButton, button)
    mouse(view, QEvent.MouseButtonRelease, end, button, Qt.NoButton)


def when_modal(kind, act) -> list:
    """Once a modal dialog of class ``kind`` shows, call ``act(dialog)`` (which should close
    it, e.g. by clicking a button); the list returned gets the dialog when that happened."""
    seen = []

    def look():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind) or not dialog.isVisible():
            QTimer.singleShot(20, look)
            return
        seen.append(dialog)
        act(dialog)

    QTimer.singleShot(0, look)
    return seen
