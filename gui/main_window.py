"""The main window: the canvas in the middle, the palette and panels in docks, menus around.

The window assembles the parts and owns nothing the file needs: the Document holds the
circuit and its undo stack, the CanvasScene draws it, the CanvasView shows it, EditActions edit
the selection, FileActions open and save, Autosave keeps a recovery copy, AppSettings remembers
recent files and the layout. Every action has an objectName (``action_save``...) so tests and
users' automation can find it, and its shortcut is declared once, here (the Help dialog lists
the shortcuts from these actions).

What the window shows about the document: the title is ``<file name>[*] — circuitgrad`` with
Qt's modified marker, the status bar's right side says ``f = -12.00`` (with a soft note when a
gate that does not feed f has an open port) or, in orange, why f cannot be computed
(``document.result.problems``), and its left side shows passing messages from the canvas, the
edit actions and the file actions, for 4 s or until the next gesture on the canvas starts.

Questions to the user (``ask_unsaved``, ``ask_open_path``, ``ask_save_path``, ``ask_restore``)
and error dialogs (``show_error``) are methods, so tests replace them instead of clicking
through modal dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QStyle)

from gui.ascent import panel as ascent_panel
from gui.docks import explain_panel, gradcheck_panel
from gui.flow import animation as flow_animation
from gui.training import boundary_plot, panel as training_panel
from gui.files.app_settings import AppSettings
from gui.files.autosave import Autosave
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.model.document import Document
from gui.canvas.editing import EditActions
from gui.files.file_actions import CANCEL, DISCARD, SAVE, FileActions, list_examples
from gui.help_dialog import HelpDialog
from gui.docks.inputs_panel import InputsPanel
from engine.number_format import format_number, is_marked
from gui.docks.palette import PaletteWidget
from gui.docks.property_panel import PropertyPanel

APP_NAME = "circuitgrad"
DEFAULT_SIZE = (1400, 900)
STATUS_TIMEOUT_MS = 4000
MAX_SHOWN_PROBLEMS = 2
MAX_LISTED_PORTS = 2

ABOUT_TEXT = (
    "<h3>circuitgrad</h3>"
    "<p>Learn backpropagation by building it: wire gates on a canvas and watch values "
    "(green) flow forward and gradients (red) flow back.</p>"
    "<p>After Andrej Karpathy's <i>Hacker's guide to Neural Networks</i> and CS231n "
    "lecture 4.</p>")


class MainWindow(QMainWindow):
    """The circuit editor's window."""

    def __init__(self, document: Document | None = None, settings: QSettings | None = None,
                 recovery_folder=None, parent=None):
        super().__init__(parent)
        self.setObjectName("main_window")
        self.document = document if document is not None else Document(parent=self)
        self.app_settings = AppSettings(settings)
        self.scene = CanvasScene(self.document, self)
        self.view = CanvasView(self.scene, self)
        self.edit_actions = EditActions(self.document, self.scene, self.view, self)
        self.autosave = Autosave(self.document, recovery_folder, parent=self)
        self.files = FileActions(self, self.app_settings, self.autosave)
        self.help_dialog: HelpDialog | None = None
        self.setCentralWidget(self.view)
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)  # a .circuit file dropped anywhere opens it
        self._make_docks()
        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        self._connect()
        self._install_tools()
        self.resize(*default_size(self.screen()))
        self._default_dock_sizes()
        self.app_settings.restore_window(self)
        self.boundary_plot.column.follow()  # the layout saved last time had another document
        self.recent_files_changed()
        self.document_replaced()
        self.autosave.start()

    # ----------------------------------------------------------------- building
    def _install_tools(self) -> None:
        """Add the docks, toolbars and menus of the tools that watch and drive the circuit."""
        # the side columns keep the bottom corners: docks under the canvas do not add their
        # height to the columns' (the window still fits a laptop screen)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.flow_controller = flow_animation.install(self)
        self.explain_panel = explain_panel.install(self)
        self.gradcheck_panel = gradcheck_panel.install(self)
        self.ascent_panel = ascent_panel.install(self)
        self.training_session = training_panel.install(self)
        self.boundary_plot = boundary_plot.install(self, self.training_session)

    def _make_docks(self) -> None:
        self.palette = PaletteWidget(self)
        self.property_panel = PropertyPanel(self.document, self)
        self.inputs_panel = InputsPanel(self.document, self)
        self.palette_dock = self._dock("palette_dock", "Gates", self.palette,
                                       Qt.LeftDockWidgetArea)
        self.properties_dock = self._dock("properties_dock", "Properties",
                                          self.property_panel, Qt.RightDockWidgetArea)
        self.inputs_dock = self._dock("inputs_dock", "Inputs", self.inputs_panel,
                                      Qt.RightDockWidgetArea)
        self.splitDockWidget(self.properties_dock, self.inputs_dock, Qt.Vertical)

    def _dock(self, name: str, title: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _default_dock_sizes(self) -> None:
        self.resizeDocks([self.palette_dock, self.properties_dock], [180, 290], Qt.Horizontal)
        self.resizeDocks([self.properties_dock, self.inputs_dock], [420, 380], Qt.Vertical)
        self.resizeDocks([self.explain_panel.dock], [230], Qt.Vertical)
        self.explain_panel.dock.raise_()

    def _action(self, name: str, text: str, slot, shortcuts=(), tip: str = "",
                icon=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(k) for k in shortcuts])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        files, edit, view = self.files, self.edit_actions, self.view
        a = self._action
        self.action_new = a("action_new", "&New", files.new, [QKeySequence.New],
                            "Start an empty circuit", QStyle.SP_FileIcon)
        self.action_open = a("action_open", "&Open…", files.open_dialog, [QKeySequence.Open],
                             "Open a circuit file", QStyle.SP_DialogOpenButton)
        self.action_save = a("action_save", "&Save", files.save, [QKeySequence.Save],
                             "Save the circuit", QStyle.SP_DialogSaveButton)
        self.action_save_as = a("action_save_as", "Save &As…", files.save_as,
                                ["Ctrl+Shift+S"], "Save the circuit under a new name")
        self.action_export_png = a("action_export_png", "Export &PNG…", files.export_png,
                                   tip="Save a picture of the canvas (PNG, 2x resolution)")
        self.action_export_svg = a("action_export_svg", "Export S&VG…", files.export_svg,
                                   tip="Save a drawing of the canvas (SVG)")
        self.action_quit = a("action_quit", "&Quit", self.close, ["Ctrl+Q"], "Quit circuitgrad")

        stack = self.document.undo_stack
        self.action_undo = stack.createUndoAction(self, "&Undo")
        self.action_undo.setObjectName("action_undo")
        self.action_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.action_undo.setIcon(self.style().standardIcon(QStyle.SP_ArrowBack))
        self.action_redo = stack.createRedoAction(self, "&Redo")
        self.action_redo.setObjectName("action_redo")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.action_redo.setIcon(self.style().standardIcon(QStyle.SP_ArrowForward))
        # the menu names the edit ("Undo Add mul gate"); the toolbar button stays short
        self.action_undo.setIconText("Undo")
        self.action_redo.setIconText("Redo")
        stack.undoTextChanged.connect(self._undo_text_changed)
        stack.redoTextChanged.connect(self._redo_text_changed)
        self._undo_text_changed(stack.undoText())
        self._redo_text_changed(stack.redoText())
        self.addActions([self.action_undo, self.action_redo])
        self.action_cut = a("action_cut", "Cu&t", edit.cut, ["Ctrl+X"],
                            "Cut the selected gates")
        self.action_copy = a("action_copy", "&Copy", edit.copy, ["Ctrl+C"],
                             "Copy the selected gates and the wires among them")
        self.action_paste = a("action_paste", "&Paste", edit.paste, ["Ctrl+V"],
                              "Paste gates (with their wires) with fresh ids")
        self.action_duplicate = a("action_duplicate", "&Duplicate", edit.duplicate,
                                  ["Ctrl+D"], "Duplicate the selected gates")
        self.action_delete = a("action_delete", "De&lete", edit.delete_selection,
                               [QKeySequence.Delete], "Delete the selected gates and wires")
        self.action_select_all = a("action_select_all", "Select &All", edit.select_all,
                                   ["Ctrl+A"], "Select every gate")

        self.action_zoom_in = a("action_zoom_in", "Zoom &In", view.zoom_in,
                                ["Ctrl+=", "Ctrl++"], "Zoom in")
        self.action_zoom_out = a("action_zoom_out", "Zoom &Out", view.zoom_out, ["Ctrl+-"],
                                 "Zoom out")
        self.action_fit = a("action_fit", "&Fit Circuit", view.fit_all, ["F"],
                            "Zoom to show the whole circuit")

        self.action_shortcuts = a("action_shortcuts", "&Keyboard Shortcuts",
                                  self.show_shortcuts, [QKeySequence.HelpContents],
                                  "List every keyboard shortcut")
        self.action_gate_reference = a("action_gate_reference", "&Gate Reference",
                                       self.show_gate_reference,
                                       tip="What every gate computes and its local gradient")
        self.action_about = a("action_about", "&About circuitgrad", self.show_about)

    def _undo_text_changed(self, text: str) -> None:
        self.action_undo.setToolTip(f"Undo {text}" if text else "Nothing to undo")

    def _redo_text_changed(self, text: str) -> None:
        self.action_redo.setToolTip(f"Redo {text}" if text else "Nothing to redo")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menu_file")
        file_menu.addActions([self.action_new, self.action_open])
        self.menu_recent = file_menu.addMenu("Open &Recent")
        self.menu_recent.setObjectName("menu_recent")
        self.menu_examples = file_menu.addMenu("&Examples")
        self.menu_examples.setObjectName("menu_examples")
        self._fill_examples()
        file_menu.addSeparator()
        file_menu.addActions([self.action_save, self.action_save_as])
        file_menu.addSeparator()
        file_menu.addActions([self.action_export_png, self.action_export_svg])
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.setObjectName("menu_edit")
        edit_menu.addActions([self.action_undo, self.action_redo])
        edit_menu.addSeparator()
        edit_menu.addActions([self.action_cut, self.action_copy, self.action_paste,
                              self.action_duplicate, self.action_delete])
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_select_all)

        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("menu_view")
        view_menu.addActions([self.action_zoom_in, self.action_zoom_out, self.action_fit])
        view_menu.addSeparator()
        for dock in (self.palette_dock, self.properties_dock, self.inputs_dock):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"action_toggle_{dock.objectName()}")
            view_menu.addAction(toggle)

        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("menu_help")
        help_menu.addActions([self.action_shortcuts, self.action_gate_reference])
        help_menu.addSeparator()
        help_menu.addAction(self.action_about)

    def _make_toolbar(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        toolbar.addActions([self.action_new, self.action_open, self.action_save])
        toolbar.addSeparator()
        toolbar.addActions([self.action_undo, self.action_redo])
        toolbar.addSeparator()
        toolbar.addAction(self.action_fit)

    def _fill_examples(self) -> None:
        self.menu_examples.clear()
        for title, path in list_examples():
            action = self.menu_examples.addAction(title)
            action.setData(str(path))
            action.setStatusTip(f"Open the example {path.name}")
            action.triggered.connect(lambda _checked=False, p=path: self.files.open_example(p))
        self.menu_examples.setEnabled(not self.menu_examples.isEmpty())

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("status_bar")
        self.result_label = QLabel(self)
        self.result_label.setObjectName("result_label")
        self.result_label.setTextFormat(Qt.PlainText)
        self.result_label.setContentsMargins(8, 0, 8, 0)
        self.result_note = QLabel(self)
        self.result_note.setObjectName("result_note")
        self.result_note.setTextFormat(Qt.PlainText)
        self.result_note.setStyleSheet("color: palette(placeholder-text);")
        status.addPermanentWidget(self.result_note)
        status.addPermanentWidget(self.result_label)

    def _connect(self) -> None:
        doc = self.document
        doc.results_changed.connect(self._show_result)
        doc.undo_stack.cleanChanged.connect(self._update_title)
        doc.path_changed.connect(self._update_title)
        doc.changed.connect(self._on_change)
        self.scene.status_message.connect(self.show_status)
        self._gesture_sources = (self.view, self.view.viewport())
        for source in self._gesture_sources:
            source.installEventFilter(self)
        self.edit_actions.status_message.connect(self.show_status)
        self.property_panel.status_message.connect(self.show_status)
        self.scene.selection_ids_changed.connect(self._on_selection)
        self.palette.gate_activated.connect(self._add_gate_from_palette)
        self.inputs_panel.node_selected.connect(self._select_from_panel)

    # ----------------------------------------------------------------- reacting to the document
    def document_replaced(self) -> None:
        """Refresh what depends on the whole document (after New, Open, restore)."""
        self._update_title()
        self._show_result(self.document.result)
        self.property_panel.show_node(None)

    def _on_change(self, change) -> None:
        if change.kind == "title_changed":
            self._update_title()

    def _on_selection(self, ids) -> None:
        result = self.document.result
        if result is not None and any(i not in result.values for i in ids):
            self.document.flush()  # a gate just added is selected before its first pass ran
        self.property_panel.show_selection(ids)

    def _add_gate_from_palette(self, name: str) -> None:
        self.view.add_gate(name)
        self.view.setFocus()  # so Delete, Ctrl+D... act on the new gate right away

    def _select_from_panel(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        gate = self.scene.gate_item(node_id)
        if gate is not None:
            self.view.ensureVisible(gate, 40, 40)

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_dirty)

    def _show_result(self, result) -> None:
        self.result_label.setText(result_summary(result))
        note = unconnected_note(result, self.document.circuit)
        self.result_note.setText(note)
        self.result_note.setVisible(bool(note))
        problems = getattr(result, "problems", None) or []
        self.result_label.setToolTip("\n".join(problems) if problems else
                                     "The output's value after the forward pass")
        bad = (result is None or not result.has_gradients
               or is_marked(_scalar(result.value)))
        self.result_label.setStyleSheet("color: #b45309;" if bad else "color: #1b5e20;"
                                        " font-weight: bold;")

    def recent_files_changed(self) -> None:
        """Rebuild the Open Recent menu from the settings."""
        self.menu_recent.clear()
        files = self.app_settings.recent_files()
        for number, path in enumerate(files, start=1):
            action = self.menu_recent.addAction(f"&{number % 10}  {path}")
            action.setData(path)
            action.triggered.connect(lambda _checked=False, p=path: self.files.open_recent(p))
        if files:
            self.menu_recent.addSeparator()
            clear = self.menu_recent.addAction("Clear Recent Files")
            clear.setObjectName("action_clear_recent")
            clear.triggered.connect(self._clear_recent)
        self.menu_recent.setEnabled(bool(files))

    def _clear_recent(self) -> None:
        self.app_settings.clear_recent()
        self.recent_files_changed()

    # ----------------------------------------------------------------- public API
    def open_path(self, path) -> bool:
        """Open a circuit file (asking about unsaved edits first); False if nothing opened."""
        return self.files.open_path(path)

    def save_to(self, path) -> bool:
        """Save the document to ``path``; False (after saying why) if it failed."""
        return self.files.save_to(path)

    def offer_recovery(self) -> bool:
        """Offer to restore what a crashed session autosaved; True if one was restored."""
        for recovery in self.autosave.orphans():
            if self.ask_restore(recovery):
                return self.files.restore(recovery)
            recovery.discard()
        return False

    def show_status(self, text: str) -> None:
        """A passing message on the status bar (gone after 4 s, or when the next gesture on
        the canvas starts)."""
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def eventFilter(self, watched, event):
        # a press or a key on the canvas starts a new gesture: the last one's message is old
        if (event.type() in (QEvent.MouseButtonPress, QEvent.KeyPress)
                and watched in self._gesture_sources):
            self.statusBar().clearMessage()
        return super().eventFilter(watched, event)

    # ----------------------------------------------------------------- questions (tests replace)
    def ask_unsaved(self) -> str:
        """Ask what to do with unsaved edits: SAVE, DISCARD or CANCEL."""
        box = QMessageBox(QMessageBox.Warning, "Unsaved changes",
                          f"“{self.document.display_name}” has changes that are not saved.",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setInformativeText("Save them before going on?")
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        return {QMessageBox.Save: SAVE, QMessageBox.Discard: DISCARD}.get(answer, CANCEL)

    def ask_open_path(self, folder: str, file_filter: str) -> str | None:
        """Ask for a file to open."""
        path, _ = QFileDialog.getOpenFileName(self, "Open circuit", folder, file_filter)
        return path or None

    def ask_save_path(self, title: str, suggested: str, file_filter: str) -> str | None:
        """Ask where to save (a circuit or an export)."""
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, file_filter)
        return path or None

    def ask_restore(self, recovery) -> bool:
        """Ask whether to restore an autosaved circuit from a session that crashed."""
        answer = QMessageBox.question(
            self, "Restore unsaved work?",
            f"circuitgrad did not close normally last time. Restore the autosaved copy of "
            f"{recovery.describe()}?\n\nIf you choose No, the copy is deleted.",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def show_error(self, title: str, text: str) -> None:
        """Tell the user why something failed."""
        QMessageBox.warning(self, title, text)

    # ----------------------------------------------------------------- help
    def _help(self) -> HelpDialog:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self._actions_in_menu_order(), self)
        return self.help_dialog

    def _actions_in_menu_order(self) -> list[QAction]:
        """Every action of the menus (File, Edit, ..., Help: the tools' too), then any other
        action of the window, once each."""
        found: list[QAction] = []

        def walk(actions):
            for action in actions:
                if action.menu() is not None:
                    walk(action.menu().actions())
                elif not action.isSeparator() and action not in found:
                    found.append(action)

        walk(self.menuBar().actions())
        walk(self.actions())
        return found

    def show_shortcuts(self) -> None:
        """Open Help on the keyboard shortcuts."""
        dialog = self._help()
        dialog.show_shortcuts()
        dialog.show()
        dialog.raise_()

    def show_gate_reference(self, name: str | None = None) -> None:
        """Open Help on the gate reference (at gate ``name`` if given)."""
        dialog = self._help()
        dialog.show_gate(name)
        dialog.show()
        dialog.raise_()

    def show_about(self) -> None:
        """The About box."""
        QMessageBox.about(self, "About circuitgrad", ABOUT_TEXT)

    # ----------------------------------------------------------------- files dropped on the window
    @staticmethod
    def _dropped_circuit(event) -> str | None:
        mime = event.mimeData()
        for url in (mime.urls() if mime is not None and mime.hasUrls() else []):
            if url.isLocalFile() and url.toLocalFile().endswith(".circuit"):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event):
        if self._dropped_circuit(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event):
        path = self._dropped_circuit(event)
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.files.open_path(path)

    # ----------------------------------------------------------------- closing
    def closeEvent(self, event):
        if not self.files.confirm_discard():
            event.ignore()
            return
        self.app_settings.save_window(self)
        self.autosave.stop()
        if self.help_dialog is not None:
            self.help_dialog.close()
        event.accept()


def default_size(screen) -> tuple[int, int]:
    """1400 x 900, or less on a smaller screen (a laptop's 1366 x 768 fits the whole window)."""
    if screen is None:
        return DEFAULT_SIZE
    room = screen.availableGeometry()
    return (min(DEFAULT_SIZE[0], room.width() - 40), min(DEFAULT_SIZE[1], room.height() - 60))


def _scalar(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def result_summary(result) -> str:
    """``f = -12.00`` when the output was computed, else the problems that keep it from
    being computed."""
    if result is None:
        return "The circuit cannot run"
    if result.has_gradients and result.value is not None:
        return f"{result.output} = {format_number(_scalar(result.value))}"
    problems = list(result.problems or [])
    if problems:
        shown = "; ".join(problems[:MAX_SHOWN_PROBLEMS])
        more = len(problems) - MAX_SHOWN_PROBLEMS
        return f"⚠ {shown}" + (f"; … (+{more} more)" if more > 0 else "")
    return "The circuit has no output"


def unconnected_note(result, circuit) -> str:
    """A soft note on open ports that leave the computed output alone ("" if there are none,
    or if the output could not be computed: then they are the problem itself)."""
    if result is None or not result.has_gradients:
        return ""
    ports = circuit.unconnected_ports()
    if not ports:
        return ""
    listed = ", ".join(f"{node_id} port {port}" for node_id, port in ports[:MAX_LISTED_PORTS])
    if len(ports) > MAX_LISTED_PORTS:
        listed += ", …"
    count = len(ports)
    return (f"{count} unconnected port{'s' if count > 1 else ''} ({listed}) "
            f"{'does' if count == 1 else 'do'} not affect {result.output}")

