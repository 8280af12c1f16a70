"""The window built from its declarations (gui/window_parts.py) and its docks kept readable: every
declared action is there with its keys, a window that shrinks and grows again gives the docks
their widths back (palette names whole, the Train / Step / Reset row whole), View → Reset Layout
restores the first arrangement, and a layout squeezed when the app closed is not what the next
window starts from."""

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QTabBar

import engine
from gui.help_dialog import GESTURES
from tests.gui_helpers import make_window as new_window, settle, show_at
from gui.window_parts import ACTIONS, DOCK_PARTS, DOCKS, shortcut_rows
from tests.helpers import EXAMPLES

SIDE_DOCKS = ("palette_dock", "properties_dock", "inputs_dock", "boundary_dock",
              "training_dock")
BIG, SMALL = (1400, 900), (600, 500)


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Windows sharing one settings file (as two runs of the app do)."""

    def make(size=BIG):
        window = new_window(qtbot, tmp_path)
        show_at(window, qtbot, size)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()


def open_classifier(window):
    """The guide's SVM: the decision-boundary column shows beside Properties."""
    assert window.open_path(EXAMPLES / "linear_svm.circuit")
    settle()
    assert window.docks["boundary_dock"].isVisible()


def in_front(dock) -> bool:
    """Shown, docked and the front tab of its tabs (a tab behind is moved off the window)."""
    return dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty()


def side_widths(window) -> dict:
    return {name: window.docks[name].width() for name in SIDE_DOCKS
            if in_front(window.docks[name])}


def side_sizes(window) -> dict:
    """(width, height) of every side dock in front, and the height of the front bottom dock."""
    sizes = {name: window.docks[name].size().toTuple() for name in SIDE_DOCKS
             if in_front(window.docks[name])}
    sizes["explain_dock"] = window.docks["explain_dock"].height()
    return sizes


def training_scrolls(window) -> bool:
    """True when the training panel is shown and taller than its dock (its plots cut off)."""
    dock = window.docks["training_dock"]
    return in_front(dock) and dock.findChild(QScrollArea).verticalScrollBar().maximum() > 0


def cut_gate_names(window) -> list:
    """The palette entries whose icon and name do not fit in their row."""
    tree = window.palette.tree
    cut = []
    for name in window.palette.gate_names():
        item = window.palette.item(name)
        needed = tree.sizeHintForIndex(tree.indexFromItem(item)).width()
        if needed > tree.visualItemRect(item).width():
            cut.append(name)
    return cut


def cut_training_buttons(window) -> list:
    """The training panel's buttons that stick out past the right edge of its dock."""
    viewport = window.docks["training_dock"].findChild(QScrollArea).viewport()
    cut = []
    for button in window.training_panel.findChildren(QPushButton):
        if button.isVisible():
            right = button.mapTo(viewport, QPoint(button.width(), 0)).x()
            if right > viewport.width():
                cut.append(button.text())
    return cut


# ------------------------------------------------------------------ the declarations
def test_every_declared_action_is_in_the_window_with_its_keys(window):
    names = [part.name for part in ACTIONS]
    assert len(names) == len(set(names))
    for part in ACTIONS:
        action = window.findChild(QAction, part.name)
        assert action is not None, part.name
        assert action.shortcuts() == [QKeySequence(key) for key in part.keys], part.name
    for part in DOCKS:
        toggle = window.findChild(QAction, part.toggle_name)
        assert toggle is window.docks[part.name].toggleViewAction()


def test_the_keys_people_know_are_where_they_were_and_no_key_is_on_two_actions(window):
    expected = {
        "action_flow_play": ["F5"], "action_flow_pause": ["Shift+F5"],
        "action_flow_step": ["F6"], "action_flow_finish": ["Shift+F6"],
        "action_flow_restart": ["Ctrl+F5"],
        "action_check_gradients": ["Ctrl+G"], "action_ascent_step": ["F7"],
        "action_ascent_run": ["Shift+F7"], "action_train": ["F9"],
        "action_train_step": ["Shift+F9"], "action_templates": ["Ctrl+Shift+N"],
        "action_shortcuts": ["F1"], "action_save": ["Ctrl+S"], "action_fit": ["F"],
        "action_redo": ["Ctrl+Shift+Z", "Ctrl+Y"], "action_delete": ["Del", "Backspace"],
        "action_reset_zoom": ["Ctrl+0"]}
    for name, keys in expected.items():
        action = window.findChild(QAction, name)
        assert [k.toString() for k in action.shortcuts()] == keys, name
    owners = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            owners.setdefault(key.toString(), []).append(action.objectName())
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_help_lists_exactly_the_declared_keys(window):
    window.action_shortcuts.trigger()
    table = window.help_dialog.shortcuts_table
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert rows == shortcut_rows() + [("", "")] + GESTURES
    assert ("Ascent Step", "F7") in rows and ("Play", "F5") in rows
    window.help_dialog.close()


def test_f7_on_the_canvas_steps_the_ascent_through_its_declared_action(window, qtbot):
    assert window.open_path(EXAMPLES / "neuron.circuit")
    window.docks["explain_dock"].raise_()
    before = window.document.circuit.nodes["x"].value
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key_F7)
    window.document.flush()
    assert window.document.circuit.nodes["x"].value != before
    assert not window.docks["ascent_dock"].visibleRegion().isEmpty()  # its dock in front


# ------------------------------------------------------------------ squeezed docks
WALKTHROUGH_SMALL, LARGER = (1181, 480), (1600, 1000)


def test_docks_take_their_widths_back_when_the_window_grows_again(window):
    open_classifier(window)
    first = side_widths(window)
    assert first["palette_dock"] == DOCK_PARTS["palette_dock"].size
    assert first["boundary_dock"] == DOCK_PARTS["boundary_dock"].size
    window.resize(*SMALL)
    settle()
    # Qt cannot squeeze a dock below readable: the window stays wider than asked instead
    assert window.width() > SMALL[0]
    assert cut_gate_names(window) == []
    assert cut_training_buttons(window) == []
    assert window.docks["gradcheck_dock"].width() >= DOCK_PARTS["gradcheck_dock"].min_width
    window.resize(*BIG)
    settle()
    assert side_widths(window) == first
    assert cut_gate_names(window) == []


@pytest.mark.parametrize("example", ["linear_svm.circuit", "add_mul.circuit"])
def test_docks_take_their_heights_back_when_the_window_grows_again(window, example):
    assert window.open_path(EXAMPLES / example)
    settle()
    first = side_sizes(window)
    for name in ("boundary_dock", "properties_dock"):
        if name in first:  # the column's top dock: its declared height; the lowest the rest
            assert first[name][1] == DOCK_PARTS[name].height
    assert not training_scrolls(window)
    window.resize(*WALKTHROUGH_SMALL)
    settle()
    assert side_sizes(window) != first
    for size in (BIG, LARGER, BIG):
        window.resize(*size)
        settle()
        sizes = side_sizes(window)
        if size == BIG:
            assert sizes == first, size
        for name in ("boundary_dock", "properties_dock"):
            if name in first:
                assert sizes[name] == first[name], (size, name)
        assert not training_scrolls(window), size


def test_the_classifier_column_gives_the_canvas_room(window):
    open_classifier(window)
    assert window.view.width() >= 700  # a student sees the circuit, not a fragment of it
    training = window.docks["training_dock"]
    # Properties and Inputs are tabs beside Training, in the one column on the right
    assert set(window.tabifiedDockWidgets(training)) == {window.properties_dock,
                                                         window.inputs_dock}
    assert in_front(training) and not in_front(window.properties_dock)
    assert list(side_widths(window)) == ["palette_dock", "boundary_dock", "training_dock"]
    assert cut_gate_names(window) == [] and cut_training_buttons(window) == []
    assert window.view.geometry().right() < training.x()
    window.properties_dock.raise_()
    settle()
    assert in_front(window.properties_dock)
    assert window.properties_dock.width() == DOCK_PARTS["boundary_dock"].size
    assert window.view.width() >= 700
    # a circuit that is not a classifier gives Properties and Inputs their own column back
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    settle()
    assert not window.tabifiedDockWidgets(window.properties_dock)
    assert window.inputs_dock.x() == window.properties_dock.x()
    assert window.inputs_dock.y() > window.properties_dock.y()
    assert window.properties_dock.size().toTuple() == (DOCK_PARTS["properties_dock"].size,
                                                       DOCK_PARTS["properties_dock"].height)


def drag_separator(window, start: QPoint, end: QPoint) -> None:
    """Drag the separator under ``start`` to ``end`` with the mouse, as a user does."""
    QTest.mousePress(window, Qt.LeftButton, Qt.NoModifier, start)
    for fraction in (0.5, 1.0):
        point = QPointF(start + (end - start) * fraction)
        move = QMouseEvent(QEvent.MouseMove, point, QPointF(window.mapToGlobal(point.toPoint())),
                           Qt.LeftButton, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(window, move)
        settle()  # Qt moves the separator on a zero-delay timer
    QTest.mouseRelease(window, Qt.LeftButton, Qt.NoModifier, end)
    settle()


def test_a_width_the_user_dragged_is_the_one_that_comes_back(window):
    palette = window.palette_dock
    edge = (palette.geometry().right() + window.view.geometry().left()) // 2
    start = QPoint(edge, palette.geometry().center().y())
    drag_separator(window, start, start + QPoint(70, 0))
    dragged = palette.width()
    assert dragged >= DOCK_PARTS["palette_dock"].size + 60
    window.resize(*SMALL)
    settle()
    assert palette.width() < dragged
    window.resize(*BIG)
    settle()
    assert palette.width() == dragged


def tab_bars_on_the_window(window) -> list:
    """The tabs of every tab bar the user can see on the window."""
    return sorted(sorted(bar.tabText(i) for i in range(bar.count()))
                  for bar in window.findChildren(QTabBar)
                  if bar.parent() is window and bar.isVisible()
                  and bar.geometry().intersects(window.rect()))


def test_no_stray_tab_bar_is_left_when_the_column_comes_and_goes(make_window):
    bottom = sorted(["Explain", "Gradient check", "Gradient ascent", "Jacobian"])
    classifier = [bottom, sorted(["Training", "Properties", "Inputs"])]
    window = make_window()
    for _ in range(2):
        open_classifier(window)
        assert tab_bars_on_the_window(window) == sorted(classifier)
        assert window.open_path(EXAMPLES / "add_mul.circuit")
        settle()
        assert tab_bars_on_the_window(window) == [bottom]
    open_classifier(window)
    window.close()  # saves the classifier's layout
    second = make_window()  # opens with an empty circuit: no column
    assert tab_bars_on_the_window(second) == [bottom]
    open_classifier(second)
    assert tab_bars_on_the_window(second) == sorted(classifier)


def test_reset_layout_leaves_no_tab_bar_of_another_layout_in_sight(make_window):
    """QMainWindow leaves old tab bars drawn after Reset Layout; none whose tabs are not a
    group of shown docks stays visible (the classifier's Training | Properties | Inputs bar
    stayed under Inputs once a plain circuit was opened)."""
    window = make_window()
    open_classifier(window)
    window.findChild(QAction, "action_reset_layout").trigger()
    settle()
    window.findChild(QAction, "action_reset_layout").trigger()
    settle()
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    settle()
    bottom = sorted(["Explain", "Gradient check", "Gradient ascent", "Jacobian"])
    assert {tuple(tabs) for tabs in tab_bars_on_the_window(window)} == {tuple(bottom)}


def test_a_floated_training_dock_leaves_the_column_at_rest(make_window):
    """Floating Training (the column's lowest dock) with a classifier open: Properties and
    Inputs stay where they are, and the column stops arranging (it used to retry every turn
    of the event loop, at full CPU)."""
    window = make_window()
    open_classifier(window)
    training = window.docks["training_dock"]
    training.setFloating(True)
    settle()
    column = window.classifier_column
    column.arrange()  # a Show event or a toggle asks again
    for _ in range(20):
        QApplication.processEvents()
    assert not column._arrange_timer.isActive()
    assert window.tabifiedDockWidgets(training) == []


def test_a_height_the_user_dragged_comes_back_and_is_remembered(make_window):
    window = make_window()
    open_classifier(window)
    plot, training = window.docks["boundary_dock"], window.docks["training_dock"]
    edge = (plot.geometry().bottom() + training.geometry().top()) // 2
    start = QPoint(plot.geometry().center().x(), edge)
    drag_separator(window, start, start + QPoint(0, -60))
    dragged = plot.height()
    assert dragged <= DOCK_PARTS["boundary_dock"].height - 50
    window.resize(*WALKTHROUGH_SMALL)
    settle()
    window.resize(*LARGER)
    settle()
    assert plot.height() == dragged
    window.close()
    second = make_window()
    open_classifier(second)
    assert second.docks["boundary_dock"].height() == dragged


@pytest.mark.parametrize("example", ["linear_svm.circuit", "add_mul.circuit"])
def test_a_new_window_after_a_squeezed_one_is_not_squeezed(make_window, example):
    first = make_window()
    assert first.open_path(EXAMPLES / example)
    settle()
    unsqueezed = side_sizes(first)
    first.resize(*WALKTHROUGH_SMALL)
    settle()
    assert side_sizes(first) != unsqueezed
    first.close()  # saves the squeezed layout
    second = make_window()
    assert second.open_path(EXAMPLES / example)
    settle()
    assert side_sizes(second) == unsqueezed
    assert cut_gate_names(second) == [] and not training_scrolls(second)


def test_a_layout_saved_squeezed_without_dock_sizes_opens_unsqueezed(make_window, tmp_path):
    first = make_window()
    first.resize(*SMALL)
    settle()
    first.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.remove("window/dock_sizes")  # as a version before the dock sizes saved it
    settings.sync()
    second = make_window()
    assert second.palette_dock.width() == DOCK_PARTS["palette_dock"].size
    assert second.properties_dock.width() == DOCK_PARTS["properties_dock"].size


# ------------------------------------------------------------------ Reset Layout
def test_reset_layout_puts_every_dock_back_at_its_first_size(window, qtbot):
    open_classifier(window)
    first = side_widths(window)
    window.palette_dock.setFloating(True)
    window.addDockWidget(Qt.LeftDockWidgetArea, window.inputs_dock)
    window.docks["explain_dock"].close()
    window.docks["ascent_dock"].raise_()
    window.resizeDocks([window.properties_dock], [420], Qt.Horizontal)
    settle()
    assert window.dockWidgetArea(window.inputs_dock) == Qt.LeftDockWidgetArea

    reset = window.findChild(QAction, "action_reset_layout")
    assert reset in window.menus["menu_view"].actions()
    reset.trigger()
    settle()
    assert not window.palette_dock.isFloating()
    assert window.dockWidgetArea(window.palette_dock) == Qt.LeftDockWidgetArea
    assert window.dockWidgetArea(window.inputs_dock) == Qt.RightDockWidgetArea
    # (a classifier's layout: Properties and Inputs are tabs beside Training)
    assert set(window.tabifiedDockWidgets(window.docks["training_dock"])) == {
        window.properties_dock, window.inputs_dock}
    assert in_front(window.docks["training_dock"])
    explain = window.docks["explain_dock"]
    assert explain.isVisible() and not explain.visibleRegion().isEmpty()  # the front tab
    assert window.docks["ascent_dock"].visibleRegion().isEmpty()
    assert side_widths(window) == first
    # and the sizes it restored are the ones a squeeze gives back
    window.resize(*SMALL)
    settle()
    window.resize(*BIG)
    settle()
    assert side_widths(window) == first


def test_reset_layout_keeps_the_classifier_column_hidden_for_a_plain_circuit(window):
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    settle()
    canvas = window.view.width()
    window.findChild(QAction, "action_reset_layout").trigger()
    settle()
    assert not window.docks["boundary_dock"].isVisible()
    assert not window.docks["training_dock"].isVisible()
    assert window.properties_dock.width() == DOCK_PARTS["properties_dock"].size
    assert window.view.width() == canvas


def test_the_panels_are_plain_widgets_that_need_no_window(qtbot):
    from gui.ascent.panel import AscentPanel
    from gui.canvas.scene import CanvasScene
    from gui.docks.explain_panel import ExplainPanel
    from gui.docks.gradcheck_panel import GradCheckPanel
    from gui.model.document import Document
    from gui.training.boundary_plot import BoundaryPlot
    from gui.training.panel import TrainingPanel
    from gui.training.session import TrainingSession

    document = Document()
    document.replace_circuit(engine.load(EXAMPLES / "linear_svm.circuit"))
    scene = CanvasScene(document)
    session = TrainingSession(document)
    for panel in (ExplainPanel(document, scene), GradCheckPanel(document, scene),
                  AscentPanel(document, scene), TrainingPanel(session),
                  BoundaryPlot(session, scene)):
        qtbot.addWidget(panel)
        assert panel.parent() is None
