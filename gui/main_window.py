"""The main window: the canvas in the middle, the palette and panels in docks, menus around.

This is the one place the window is assembled. It owns nothing the file needs: the Document
holds the circuit and its undo stack, the CanvasScene draws it, the CanvasView shows it,
EditActions edit the selection, FileActions open and save, Autosave keeps a recovery copy,
AppSettings remembers recent files and the layout. The panels and tools (the palette,
Properties, Inputs, Explain, the gradient check, gradient ascent, training and its boundary
plot, the animated passes) are plain widgets and objects made here and given what they need;
none of them knows the window or another panel. Their docks, every action with its
objectName (``action_save``...) and keys, the menus and the toolbars are declared once, in
``gui/window_parts.py``: the window builds them from there and connects each action to the
panel that does its work (the Help dialog lists the shortcuts from the same declarations).
``DockLayout`` keeps the docks in their places and at readable sizes.

What the window shows about the document: the title is ``<file name>[*] — circuitgrad`` with
Qt's modified marker (``<file name> ▸ sig[*]`` while the inside of compound gate sig is shown,
with the breadcrumb bar above the canvas, ``gui.canvas.breadcrumb_bar``), the status bar's
right side says ``f = -12.00`` (with a soft note when a gate that does not feed f has an open
port) or, in orange, why f cannot be computed
(``document.result.problems``), and its left side shows passing messages from the canvas, the
edit actions and the file actions, for 4 s or until the next gesture on the canvas starts.

Questions to the user (``ask_unsaved``, ``ask_open_path``, ``ask_library_path``,
``ask_save_path``, ``ask_restore``, ``ask_template``) and error dialogs (``show_error``) are
methods, so tests replace them instead of clicking through modal dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QToolBar

from engine import format_full, format_readout, is_marked, is_tensor, plan_of
from gui.ascent.panel import AscentPanel
from gui.canvas.breadcrumb_bar import BreadcrumbBar, level_status_text
from gui.canvas.editing import EditActions
from gui.canvas.expanding import expand_to_scalars
from gui.canvas.making_gates import expand_gate, make_gate
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.dock_layout import DockLayout
from gui.docks.code_gate_editing import CodeGateEditing
from gui.docks.explain_panel import ExplainPanel
from gui.docks.gradcheck_panel import GradCheckPanel
from gui.docks.inputs_panel import InputsPanel
from gui.docks.jacobian_panel import JacobianPanel
from gui.docks.palette import PaletteWidget
from gui.docks.property_panel import PropertyPanel
from gui.files.app_settings import AppSettings
from gui.files.autosave import Autosave
from gui.files.code_trust import CodeTrust, ask_with_dialog
from gui.files.file_actions import CANCEL, DISCARD, SAVE, FileActions, described_examples
from gui.files.gate_library_actions import GateLibraryActions
from gui.flow.animation import FlowController
from gui.flow.toolbar import add_speed_slider, follow_controller
from gui.help_dialog import HelpDialog
from gui.model.document import Document
from gui.model.shape_problem_text import readable_text
from gui.model.value_text import value_preview
from gui.training import template_dialog
from gui.training.boundary_plot import BoundaryPlot
from gui.training.classifier_column import ClassifierColumn
from gui.training.panel import TrainingPanel
from gui.training.session import TrainingSession
from gui.window_parts import (ACTIONS, CLASSIFIER_COLUMN, CLASSIFIER_TABS, MENUS, SEPARATOR,
                              SUBMENUS, TOOLBARS, ActionPart)

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
        self.gate_library = GateLibraryActions(self, self.app_settings,
                                               self.scene.selected_node_ids)
        self.help_dialog: HelpDialog | None = None
        self.breadcrumb_bar = BreadcrumbBar(self.document, self.view)  # over the canvas
        self.setCentralWidget(self.view)
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)  # a .circuit file dropped anywhere opens it
        self._make_panels()
        self._make_docks()
        self._make_actions()
        self._make_menus()
        self._make_toolbars()
        self._make_status_bar()
        self._connect()
        self.dock_layout.arrange()
        self.resize(*default_size(self.screen()))
        self.dock_layout.apply_default_sizes()
        self.app_settings.restore_window(self)
        self.dock_layout.restore_wanted(self.app_settings.dock_sizes())
        self.classifier_column.follow()  # the layout saved last time had another document
        self.recent_files_changed()
        self.document_replaced()
        self._levels_changed()
        self.autosave.start()

    # ----------------------------------------------------------------- building
    def _make_panels(self) -> None:
        """The panels of the docks, and the tools that watch and drive the circuit."""
        doc, scene = self.document, self.scene
        self.palette = PaletteWidget(self, document=doc)
        self.property_panel = PropertyPanel(doc, self)
        self.inputs_panel = InputsPanel(doc, self)
        self.flow_controller = FlowController(doc, scene, self)
        self.explain_panel = ExplainPanel(doc, scene, self)
        self.gradcheck_panel = GradCheckPanel(doc, scene, self)
        self.ascent_panel = AscentPanel(doc, scene, self)
        self.jacobian_panel = JacobianPanel(doc, scene, self)
        self.training_session = TrainingSession(doc, self)
        self.training_panel = TrainingPanel(self.training_session, self)
        self.boundary_plot = BoundaryPlot(self.training_session, scene, self)
        self.code_gates = CodeGateEditing(doc, scene, self.view, self)
        self.code_trust = CodeTrust(doc, self.app_settings.qsettings,
                                    lambda name, gates: self.ask_trust(name, gates), self)

    def _make_docks(self) -> None:
        # the side columns keep the bottom corners: docks under the canvas do not add their
        # height to the columns' (the window still fits a laptop screen)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.dock_layout = DockLayout(self, {
            "palette_dock": self.palette, "properties_dock": self.property_panel,
            "inputs_dock": self.inputs_panel, "explain_dock": self.explain_panel,
            "gradcheck_dock": self.gradcheck_panel, "ascent_dock": self.ascent_panel,
            "training_dock": self.training_panel, "boundary_dock": self.boundary_plot,
            "jacobian_dock": self.jacobian_panel})
        self.docks = self.dock_layout.docks
        self.palette_dock = self.docks["palette_dock"]
        self.properties_dock = self.docks["properties_dock"]
        self.inputs_dock = self.docks["inputs_dock"]
        self.classifier_column = ClassifierColumn(
            self, [self.docks[name] for name in CLASSIFIER_COLUMN],
            [self.docks[name] for name in CLASSIFIER_TABS], self.training_session)
        self.classifier_column.rearranged.connect(self.dock_layout.recover_soon)

    def _action_slots(self) -> dict:
        """What each declared action does (undo and redo are the undo stack's own)."""
        files, edit, view = self.files, self.edit_actions, self.view
        flow, ascent, training = self.flow_controller, self.ascent_panel, self.training_panel
        return {
            "action_new": files.new, "action_open": files.open_dialog,
            "action_save": files.save, "action_save_as": files.save_as,
            "action_export_png": files.export_png, "action_export_svg": files.export_svg,
            "action_import_gates": self.gate_library.import_gates,
            "action_export_gates": self.gate_library.export_gates,
            "action_quit": self.close,
            "action_cut": edit.cut, "action_copy": edit.copy, "action_paste": edit.paste,
            "action_duplicate": edit.duplicate, "action_delete": edit.delete_selection,
            "action_select_all": edit.select_all,
            "action_expand": lambda: expand_to_scalars(edit),
            "action_make_gate": lambda: make_gate(edit),
            "action_expand_gate": lambda: expand_gate(edit),
            "action_zoom_in": view.zoom_in, "action_zoom_out": view.zoom_out,
            "action_reset_zoom": view.reset_zoom,
            "action_fit": view.fit_all, "action_reset_layout": self.reset_layout,
            "action_open_gate": view.open_selection, "action_back_out": self.back_out,
            "action_flow_play": flow.play, "action_flow_pause": flow.pause,
            "action_flow_step": flow.play_step, "action_flow_restart": flow.restart,
            "action_flow_finish": flow.finish, "action_flow_step_into": flow.step_into,
            "action_flow_step_out": flow.step_out,
            "action_check_gradients": self.gradcheck_panel.check,
            "action_ascent_step": ascent.step, "action_ascent_run": ascent.toggle_run,
            "action_train": training.toggle_train, "action_train_step": training.step,
            "action_reset_params": training.reset_params,
            "action_templates": self.new_from_template,
            "action_new_code_gate": self.code_gates.new_gate,
            "action_edit_code_gate": self.code_gates.edit_selected,
            "action_trust_code": self.code_trust.ask_again,
            "action_shortcuts": self.show_shortcuts,
            "action_gate_reference": self.show_gate_reference,
            "action_about": self.show_about,
        }

    def _make_actions(self) -> None:
        """One QAction per declared action (``self.actions_by_name``, and an attribute of
        the same name: ``self.action_save``), plus each dock's View toggle."""
        slots = self._action_slots()
        stack = self.document.undo_stack
        self.actions_by_name: dict[str, QAction] = {}
        for part in ACTIONS:
            if part.name == "action_undo":
                action = stack.createUndoAction(self, part.text)
            elif part.name == "action_redo":
                action = stack.createRedoAction(self, part.text)
            else:
                action = QAction(part.text, self)
                action.triggered.connect(self._runner(part, slots[part.name]))
            self._describe(action, part)
            self.addAction(action)
            self.actions_by_name[part.name] = action
            setattr(self, part.name, action)
        for dock in self.docks.values():
            toggle = dock.toggleViewAction()
            self.actions_by_name[toggle.objectName()] = toggle
        # the menu names the edit ("Undo Add mul gate"); the toolbar button stays short
        stack.undoTextChanged.connect(self._undo_text_changed)
        stack.redoTextChanged.connect(self._redo_text_changed)
        self._undo_text_changed(stack.undoText())
        self._redo_text_changed(stack.redoText())

    def _describe(self, action: QAction, part: ActionPart) -> None:
        action.setObjectName(part.name)
        action.setShortcuts(part.key_sequences())
        action.setCheckable(part.checkable)
        if part.icon_text:
            action.setIconText(part.icon_text)
        if part.icon is not None:
            action.setIcon(self.style().standardIcon(part.icon))
        if part.tip:
            keys = part.key_sequences()
            action.setStatusTip(part.tip)
            action.setToolTip(f"{part.tip} ({keys[0].toString()})" if keys else part.tip)

    def _runner(self, part: ActionPart, slot):
        """The action's slot, after bringing its dock to the front if it names one."""
        dock = self.docks.get(part.shows_dock)

        def run(_checked=False):
            if dock is not None:
                dock.show()
                dock.raise_()
            slot()

        return run

    def _undo_text_changed(self, text: str) -> None:
        self.action_undo.setToolTip(f"Undo {text}" if text else "Nothing to undo")

    def _redo_text_changed(self, text: str) -> None:
        self.action_redo.setToolTip(f"Redo {text}" if text else "Nothing to redo")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        self.menus = {}
        for name, title, entries in MENUS:
            menu = bar.addMenu(title)
            menu.setObjectName(name)
            self.menus[name] = menu
            for entry in entries:
                if entry == SEPARATOR:
                    menu.addSeparator()
                elif isinstance(entry, tuple):  # ("section", title)
                    menu.addSection(entry[1])
                elif entry in SUBMENUS:
                    self.menus[entry] = menu.addMenu(SUBMENUS[entry])
                    self.menus[entry].setObjectName(entry)
                else:
                    menu.addAction(self.actions_by_name[entry])
        self.menu_recent = self.menus["menu_recent"]
        self.menu_examples = self.menus["menu_examples"]
        self._fill_examples()

    def _make_toolbars(self) -> None:
        self.toolbars = {}
        for part in TOOLBARS:
            toolbar = QToolBar(part.title, self)
            toolbar.setObjectName(part.name)
            toolbar.setMovable(part.movable)
            toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            for entry in part.entries:
                if entry == SEPARATOR:
                    toolbar.addSeparator()
                else:
                    toolbar.addAction(self.actions_by_name[entry])
            self.addToolBar(toolbar)
            self.toolbars[part.name] = toolbar
        self.flow_toolbar = self.toolbars["flow_toolbar"]
        add_speed_slider(self.flow_toolbar, self.flow_controller)
        follow_controller(self.flow_controller, self.actions_by_name)

    def _fill_examples(self) -> None:
        self.menu_examples.clear()
        self.menu_examples.setToolTipsVisible(True)
        for title, path, description in described_examples():
            action = self.menu_examples.addAction(title)
            action.setData(str(path))
            action.setStatusTip(description or f"Open the example {path.name}")
            action.setToolTip(description or title)
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
        doc.file_changed.connect(self._on_change)
        doc.levels_changed.connect(self._levels_changed)
        self.scene.status_message.connect(self.show_status)
        self._gesture_sources = (self.view, self.view.viewport())
        for source in self._gesture_sources:
            source.installEventFilter(self)
        self.edit_actions.status_message.connect(self.show_status)
        self.property_panel.status_message.connect(self.show_status)
        self.scene.selection_ids_changed.connect(self._on_selection)
        self.palette.gate_activated.connect(self._add_gate_from_palette)
        self.inputs_panel.node_selected.connect(self._select_from_panel)
        for tool_message in (self.flow_controller.status_message,
                             self.gradcheck_panel.status_message,
                             self.ascent_panel.runner.status_message,
                             self.training_session.status_message,
                             self.boundary_plot.status_message):
            tool_message.connect(self.show_status)
        self.ascent_panel.runner.running_changed.connect(self.action_ascent_run.setChecked)
        self.scene.code_edit_requested.connect(self.code_gates.edit_gate)
        self.palette.code_edit_requested.connect(self.code_gates.edit_gate)
        self.files.file_opened.connect(self.code_trust.circuit_opened)
        self.code_gates.gate_written.connect(self.code_trust.remember_if_trusted)
        for code_message in (self.code_gates.status_message, self.code_trust.status_message):
            code_message.connect(self.show_status)
        self.training_session.running_changed.connect(self.action_train.setChecked)
        self.gate_library.follow(self.action_export_gates)

    # ----------------------------------------------------------------- reacting to the document
    def document_replaced(self) -> None:
        """Refresh what depends on the whole document (after New, Open, restore)."""
        self._update_title()
        self._show_result(self.document.result)
        self.property_panel.show_node(None)

    def _on_change(self, change) -> None:
        if change.kind == "title_changed":
            self._update_title()

    def _levels_changed(self) -> None:
        self._update_title()
        self.action_back_out.setEnabled(bool(self.document.levels))
        text = level_status_text(self.document)
        if text:
            self.show_status(text)

    def back_out(self) -> None:
        """View -> Back Out of Gate: show the level the gate shown was opened from."""
        if not self.document.go_out():
            self.show_status("The file's own circuit is shown: there is no gate to go out of")

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
        inside = "".join(f" ▸ {level.name}" for level in self.document.levels)
        self.setWindowTitle(f"{self.document.display_name}{inside}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_dirty)

    def _show_result(self, result) -> None:
        circuit = self.document.circuit  # shape misfits named by the nodes wired in
        self.result_label.setText(readable_text(circuit, plan_of(circuit),
                                                result_summary(result)))
        note = unconnected_note(result, self.document.circuit)
        self.result_note.setText(note)
        self.result_note.setVisible(bool(note))
        problems = result.problems if result is not None else []
        computed = result is not None and result.has_gradients and result.value is not None
        self.result_label.setToolTip(
            f"{result.output} = {format_full(_scalar(result.value))} after the forward pass"
            if computed else "\n".join(problems) or "The output's value after the forward pass")
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

    # ----------------------------------------------------------------- tools
    def new_from_template(self) -> bool:
        """Train -> New from Template: ask for a classifier and make it the document."""
        circuit = self.ask_template()
        if circuit is None or not self.files.open_circuit(circuit):
            return False
        self.view.fit_all()
        self.docks["training_dock"].show()
        self.docks["training_dock"].raise_()
        return True

    # ----------------------------------------------------------------- the docks' layout
    def reset_layout(self) -> None:
        """View -> Reset Layout: every dock in its first place, at its first size."""
        self.dock_layout.reset()
        self.classifier_column.follow()
        self.dock_layout.apply_default_sizes()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        old, new = event.oldSize(), event.size()
        if old.isValid() and (new.width() > old.width() or new.height() > old.height()):
            self.dock_layout.recover_soon()  # the docks squeezed by a smaller window grow back
        elif old.isValid() and new != old:  # a column's lowest dock gives its height first
            self.dock_layout.recover_soon(columns_only=True)

    def showEvent(self, event):
        super().showEvent(event)
        self.dock_layout.recover_soon()  # a restored layout may have been saved squeezed

    def event(self, event):
        # a drag of a separator between docks gives the docks it moves their wanted sizes
        if event.type() == QEvent.MouseButtonPress:
            self.dock_layout.separator_pressed()
        handled = super().event(event)
        if event.type() == QEvent.MouseButtonRelease:
            self.dock_layout.separator_released()
        return handled

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

    def ask_library_path(self, folder: str, file_filter: str) -> str | None:
        """Ask for a circuit file to import gates from."""
        path, _ = QFileDialog.getOpenFileName(self, "Import gates from", folder, file_filter)
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

    def ask_template(self):
        """Ask which classifier to build; the circuit, or None if cancelled."""
        return template_dialog.ask_template(self)

    def ask_trust(self, file_name: str, code_gates: dict) -> bool:
        """Show a file's code gates and ask whether to run them (True: *Trust and run*);
        tests replace it, as the other questions."""
        return ask_with_dialog(self, file_name, code_gates)

    def show_error(self, title: str, text: str) -> None:
        """Tell the user why something failed."""
        QMessageBox.warning(self, title, text)

    # ----------------------------------------------------------------- help
    def _help(self) -> HelpDialog:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        return self.help_dialog

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
        self.app_settings.save_window(self, self.dock_layout.wanted_json())
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
        if is_tensor(result.value):  # seeded with ones: the gradients of its sum
            return (f"{result.output} = {value_preview(result.value)} (not one number: the "
                    f"gradients are those of the sum of its elements)")
        return f"{result.output} = {format_readout(_scalar(result.value))}"
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

