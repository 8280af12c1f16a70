"""The property panel: everything about the selected gate, editable, one undo step per edit.

It shows the gate's kind (with its formula), id, label, value (inputs and consts), params
(c of scale/offset, p of pow), number of inputs (add/mul/max/min), whether an input is
trainable, which data column it is bound to, whether the gate is the circuit's output, and,
read-only, the value and gradient the last pass computed for it, written as the canvas writes
numbers (every digit on hover; the editable fields hold ten significant digits).

The panel is a view like the canvas: every edit becomes an undo command pushed on the
document, and the widgets are refreshed from the circuit when it reports a change. Refreshing
blocks the widgets' signals, so showing the model never pushes a command. Text that does not
make a valid edit is refused with a message under the fields and changes nothing: a word where
a number belongs is replaced by the number the gate keeps (the message, in the words of every
value field, says what was refused), a taken id stays to be corrected; Escape in a field puts
back what the circuit holds. An edit that does more than it shows (fewer ports drop wires)
says so on ``status_message``.

A vector or matrix source's value is edited as a table (``SourceTable``: type a cell and press
Enter, choose another shape, fill random / zeros / ones; each is one undo step) in place of the
value field; the ⊞ button beside a number's field opens the table for it too, so a number can
be made a vector or a matrix. The last pass shows a tensor's shape and a compact preview of its
value and gradient; a gate whose shapes do not fit says so, naming both shapes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel,
                               QLineEdit, QScrollArea, QSpinBox, QStackedWidget, QToolButton,
                               QVBoxLayout, QWidget)

from gui.model.opened_ports import port_index, use_port_values, use_value_note
from engine import (CircuitError, feature_name, format_precise, is_plain_id, is_tensor,
                    plan_of, shape_text)
from gui.canvas.source_table import SourceTable
from gui.model.shape_problem_text import readable_problem
from gui.model.value_text import same_value, value_preview, value_tooltip
from gui.common import theme
from gui.common.number_entry import edited_number
from gui.model.commands import (RenameCommand, SetFeatureCommand, SetLabelCommand,
                          SetOutputCommand, SetParamCommand, SetTrainableCommand,
                          SetValueCommand, push_input_count)
from gui.canvas.gate_glyphs import gate_icon, gate_tooltip

FEATURE_CHOICES = ("none", f"{feature_name(0)} (column 0)", f"{feature_name(1)} (column 1)",
                   "other column")
PANEL_WIDTH = 280  # what the panel asks for; its contents wrap or shrink to fit narrower docks
PANEL_MIN_WIDTH = 200
OTHER_FEATURE = 3
COLUMNS_FEATURE = 4  # several columns: a vector input taking each point's (x, y)
POINT_COLUMNS = (0, 1)


def columns_choice(columns: tuple) -> str:
    """The data choice of a vector input bound to several columns: ``x, y (columns 0, 1)``."""
    names = ", ".join(feature_name(column) for column in columns)
    return f"{names} (columns {', '.join(str(column) for column in columns)})"
MAX_FEATURE = 999
NO_NUMBER = "—"


def id_problem(circuit, old_id: str, new_id: str) -> str | None:
    """Why ``old_id`` cannot be renamed to ``new_id`` (None if it can)."""
    if not new_id:
        return "an id cannot be empty"
    if new_id != old_id and new_id in circuit.nodes:
        return f"there is already a gate '{new_id}'"
    if not is_plain_id(new_id):
        return "an id uses letters, digits and _ and does not start with a digit"
    return None


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("property_section")
    label.setStyleSheet("color: palette(placeholder-text); font-weight: bold;"
                        " margin-top: 6px;")
    return label


def _show_readout(label: QLabel, number, name: str) -> None:
    """``number`` as the canvas writes it (a tensor's preview), every digit on hover (None: a
    dash)."""
    label.setText(NO_NUMBER if number is None else value_preview(number))
    label.setToolTip("" if number is None else value_tooltip(name, number))


class PropertyPanel(QWidget):
    """The selected gate's properties; ``show_node(id | None)`` chooses what it shows."""

    status_message = Signal(str)  # what an edit did beyond what the panel shows

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("property_panel")
        self.document = document
        self.node_id: str | None = None
        self._selection_count = 0
        self._param_edits: dict[str, QLineEdit] = {}
        self._param_labels: dict[str, QLabel] = {}

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_empty_page())
        # a form taller than the dock (a source's table and a shape error under it) scrolls
        # down; squeezed, its rows would be drawn over one another
        form = QScrollArea()
        form.setWidgetResizable(True)
        form.setFrameShape(QFrame.NoFrame)
        form.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        form.setWidget(self._build_form_page())
        self.stack.addWidget(form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        document.changed.connect(self._on_change)
        document.results_changed.connect(self._show_numbers)
        document.circuit_replaced.connect(lambda: self.show_node(None))
        self.show_node(None)

    # ----------------------------------------------------------------- building
    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        self.empty_title = QLabel("No gate selected")
        self.empty_title.setObjectName("property_empty_title")
        self.empty_title.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.empty_hint = QLabel()
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.empty_title)
        layout.addWidget(self.empty_hint)
        layout.addStretch(1)
        return page

    def _build_form_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(6)

        self.icon_label = QLabel()
        self.op_label = QLabel()
        self.op_label.setObjectName("property_op")
        self.op_label.setWordWrap(True)
        self.op_label.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.formula_label = QLabel()
        self.formula_label.setObjectName("property_formula")
        self.formula_label.setWordWrap(True)
        self.formula_label.setStyleSheet("color: palette(placeholder-text);")
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.op_label)
        titles.addWidget(self.formula_label)
        header = QHBoxLayout()
        header.addWidget(self.icon_label, 0, Qt.AlignTop)
        header.addLayout(titles, 1)
        outer.addLayout(header)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.form.setHorizontalSpacing(8)
        self.form.setVerticalSpacing(5)

        self.id_edit = self._line_edit("property_id", "letters, digits, _")
        self.id_edit.editingFinished.connect(self._commit_id)
        self.form.addRow("id", self.id_edit)
        self.label_edit = self._line_edit("property_label", "shown instead of the id")
        self.label_edit.editingFinished.connect(self._commit_label)
        self.form.addRow("label", self.label_edit)
        self.value_edit = self._line_edit("property_value", "a number")
        self.value_edit.editingFinished.connect(self._commit_value)
        self.table_button = QToolButton()
        self.table_button.setObjectName("property_value_table")
        self.table_button.setText("⊞")
        self.table_button.setCheckable(True)
        self.table_button.setToolTip("Edit the value as a table: make it a vector or a matrix")
        self.table_button.toggled.connect(lambda _on: self._refresh())
        self.value_row = QWidget()
        value_layout = QHBoxLayout(self.value_row)
        value_layout.setContentsMargins(0, 0, 0, 0)
        value_layout.addWidget(self.value_edit, 1)
        value_layout.addWidget(self.table_button)
        self.form.addRow("value", self.value_row)
        self.source_table = SourceTable(self.document)
        self.source_table.status_message.connect(self.status_message)
        self.form.addRow(self.source_table)
        self._set_row(self.source_table, False)  # shown for a source only
        self._params_anchor = self.form.rowCount()

        self.inputs_spin = QSpinBox()
        self.inputs_spin.setObjectName("property_inputs")
        self.inputs_spin.setKeyboardTracking(False)
        self.inputs_spin.valueChanged.connect(self._commit_inputs)
        self.form.addRow("inputs", self.inputs_spin)

        self.trainable_check = QCheckBox("trainable")
        self.trainable_check.setObjectName("property_trainable")
        self.trainable_check.setToolTip("Unticked: frozen, never moved by ascent or training.")
        self.trainable_check.clicked.connect(self._commit_trainable)
        self.form.addRow("", self.trainable_check)

        self.feature_combo = QComboBox()
        self.feature_combo.setObjectName("property_feature")
        self.feature_combo.addItems(FEATURE_CHOICES)
        self.feature_combo.addItem(columns_choice(POINT_COLUMNS))
        self.feature_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.feature_combo.setMinimumContentsLength(6)
        self.feature_combo.setToolTip("Bind this input to a column of the data set "
                                      "(data inputs are never moved by training).")
        self.feature_combo.activated.connect(self._commit_feature_choice)
        self.feature_spin = QSpinBox()
        self.feature_spin.setObjectName("property_feature_column")
        self.feature_spin.setRange(2, MAX_FEATURE)
        self.feature_spin.setPrefix("column ")
        self.feature_spin.setKeyboardTracking(False)
        self.feature_spin.valueChanged.connect(self._commit_feature_column)
        feature_row = QWidget()
        feature_layout = QHBoxLayout(feature_row)
        feature_layout.setContentsMargins(0, 0, 0, 0)
        feature_layout.addWidget(self.feature_combo, 1)
        feature_layout.addWidget(self.feature_spin)
        self.feature_row = feature_row
        self.form.addRow("data", feature_row)

        self.output_check = QCheckBox("output of the circuit (f)")
        self.output_check.setObjectName("property_output")
        self.output_check.clicked.connect(self._commit_output)
        self.form.addRow("", self.output_check)

        self.error_label = QLabel()
        self.error_label.setObjectName("property_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.GRAD_RED.name()};")
        self.form.addRow(self.error_label)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setFrameShadow(QFrame.Sunken)
        self.form.addRow(line)
        self.form.addRow(_section("Last pass"))
        self.result_value = self._readout("property_result_value", theme.VALUE_GREEN)
        self.result_grad = self._readout("property_result_grad", theme.GRAD_RED)
        self.result_grad_label = QLabel("df/d·")
        self.result_shape = self._readout("property_result_shape", theme.INK)
        self.form.addRow("shape", self.result_shape)
        self.form.addRow("value", self.result_value)
        self.form.addRow(self.result_grad_label, self.result_grad)
        outer.addLayout(self.form)
        self.result_note = QLabel()
        self.result_note.setWordWrap(True)
        self.result_note.setStyleSheet("color: palette(placeholder-text);")
        outer.addWidget(self.result_note)
        outer.addStretch(1)
        return page

    def sizeHint(self) -> QSize:
        # a fixed width: what is selected never makes the dock grow
        return QSize(PANEL_WIDTH, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(PANEL_MIN_WIDTH, super().minimumSizeHint().height())

    def _line_edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.installEventFilter(self)  # Escape puts back what the circuit holds
        return edit

    def eventFilter(self, watched, event):
        if (event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape
                and isinstance(watched, QLineEdit)
                and (watched.isModified() or self.error_label.text())):
            self.revert_field(watched)
            return True
        return super().eventFilter(watched, event)

    def revert_field(self, edit: QLineEdit) -> None:
        """Throw away what was typed in ``edit`` (Escape): show the circuit's value again and
        clear the error message."""
        edit.setModified(False)
        self._set_error("")
        self._refresh()

    def _readout(self, name: str, colour) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        label.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
        return label

    # ----------------------------------------------------------------- what is shown
    @property
    def node(self):
        """The engine Node shown (None when none is)."""
        return self.document.circuit.nodes.get(self.node_id) if self.node_id else None

    def show_node(self, node_id: str | None) -> None:
        """Show the gate ``node_id`` (None: nothing selected)."""
        new_id = node_id if node_id in self.document.circuit.nodes else None
        if new_id != self.node_id:
            with QSignalBlocker(self.table_button):
                self.table_button.setChecked(False)  # a number shows its field again
        self.node_id = new_id
        self._selection_count = 1 if self.node_id else 0
        self._set_error("")
        self._refresh()

    def show_selection(self, node_ids) -> None:
        """Show what is selected on the canvas: one gate's properties, or how many are selected."""
        node_ids = [i for i in node_ids if i in self.document.circuit.nodes]
        if len(node_ids) == 1:
            self.show_node(node_ids[0])
            return
        self.node_id = None
        self._selection_count = len(node_ids)
        self._set_error("")
        self._refresh()

    def _refresh(self) -> None:
        node = self.node
        if node is None:
            if self._selection_count > 1:
                self.empty_title.setText(f"{self._selection_count} gates selected")
                self.empty_hint.setText("Select a single gate to see and edit its properties.")
            else:
                self.empty_title.setText("No gate selected")
                self.empty_hint.setText("Click a gate on the canvas to see and edit its id, "
                                        "value, params and inputs here.")
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        gate = node.gate
        self.icon_label.setPixmap(gate_icon(gate, 32).pixmap(32, 32))
        self.op_label.setText(node.op if gate.is_source else f"{node.op} gate")
        self.op_label.setToolTip(gate_tooltip(gate))
        self.formula_label.setText(f"= {gate.formula}" if not gate.is_source else gate.doc)
        self._set_text(self.id_edit, node.id)
        self._set_text(self.label_edit, node.label or "")
        tensor = gate.is_source and is_tensor(node.value)
        if tensor:  # made a number in its table, it stays in the table
            with QSignalBlocker(self.table_button):
                self.table_button.setChecked(True)
        as_table = gate.is_source and self.table_button.isChecked()
        self._set_row(self.value_row, gate.is_source and not as_table)
        self._set_row(self.source_table, as_table)
        if as_table:
            self.source_table.show_node(node.id)
        elif gate.is_source:  # a port input of a gate opened from a use: the use's number
            self._set_text(self.value_edit, format_precise(
                use_port_values(self.document).get(node.id, node.value)))
        note = use_value_note(self.document, node.id)
        for field in (self.value_edit, self.table_button, self.source_table):
            field.setEnabled(not note)
        self.value_edit.setToolTip(f"Read-only here: {note}." if note else "")
        self._show_params(node)
        self._set_row(self.inputs_spin, gate.variadic)
        if gate.variadic:
            with QSignalBlocker(self.inputs_spin):
                self.inputs_spin.setRange(gate.min_ports, gate.max_ports)
                self.inputs_spin.setValue(node.n_inputs)
        # a port input inside a gate is neither trained nor fed data: what reaches it is
        is_input = gate.variable and port_index(self.document, node.id) is None
        self._set_row(self.trainable_check, is_input)
        self._set_row(self.feature_row, is_input)
        if is_input:
            with QSignalBlocker(self.trainable_check):
                self.trainable_check.setChecked(node.trainable)
            self.trainable_check.setEnabled(node.feature is None)
            self._show_feature(node.feature)
        with QSignalBlocker(self.output_check):
            self.output_check.setChecked(self._output_id() == node.id)
        self._show_numbers(self.document.result)

    def _show_params(self, node) -> None:
        names = node.gate.params
        if tuple(self._param_edits) != tuple(names):
            for name in list(self._param_edits):
                self.form.removeRow(self._param_edits.pop(name))
            for offset, name in enumerate(names):
                edit = self._line_edit(f"property_param_{name}", "a number")
                edit.editingFinished.connect(lambda n=name: self._commit_param(n))
                self.form.insertRow(self._params_anchor + offset, name, edit)
                self._param_edits[name] = edit
        for name, edit in self._param_edits.items():
            self._set_text(edit, format_precise(node.params[name]))

    def _show_feature(self, feature: int | tuple | None) -> None:
        columns = feature if isinstance(feature, tuple) else POINT_COLUMNS
        with QSignalBlocker(self.feature_combo), QSignalBlocker(self.feature_spin):
            self.feature_combo.setItemText(COLUMNS_FEATURE, columns_choice(columns))
            if isinstance(feature, tuple):
                self.feature_combo.setCurrentIndex(COLUMNS_FEATURE)
                feature = None  # no single column for the spin box
            elif feature is None:
                self.feature_combo.setCurrentIndex(0)
            elif feature < 2:
                self.feature_combo.setCurrentIndex(1 + feature)
            else:
                self.feature_combo.setCurrentIndex(OTHER_FEATURE)
                self.feature_spin.setValue(feature)
            self.feature_spin.setVisible(feature is not None and feature >= 2)

    def _show_numbers(self, result) -> None:
        node = self.node
        if node is None:
            return
        self.result_grad_label.setText(f"df/d{node.id}" if len(node.id) <= 8 else "gradient")
        value = grad = None
        note = ""
        plan = plan_of(self.document.circuit)
        shape = plan.shapes.get(node.id)
        self._set_row(self.result_shape, bool(shape))
        self.result_shape.setText(shape_text(shape) if shape else "")
        misfit = self._shape_problem(plan, node.id)
        if misfit:
            note = misfit
        elif result is None:
            note = "The circuit could not be run."
        elif node.id in result.incomplete:
            note = "Not computed: an input port upstream is not connected."
        elif node.id not in result.values:
            note = "Computing…"  # the pass after this edit has not run yet
        else:
            value = result.values[node.id]
            note = result.no_gradient_reason
            if not note:
                grad = result.grads[node.id]
        _show_readout(self.result_value, value, node.id)
        _show_readout(self.result_grad, grad, f"df/d{node.id}")
        self.result_note.setText(note)
        self.result_note.setToolTip("; ".join(message for _id, message in plan.shape_problems)
                                    if misfit else "")  # the engine's words
        self.result_note.setVisible(bool(note))

    def _shape_problem(self, plan, node_id: str) -> str:
        """Why ``node_id`` is not computed when shapes do not fit at it or upstream ("" when
        they fit)."""
        if not plan.shape_problems or node_id not in plan.incomplete:
            return ""
        upstream = self.document.circuit.upstream_of(node_id)
        for problem_id, message in plan.shape_problems:
            if problem_id in upstream:
                where = "" if problem_id == node_id else "upstream "
                readable = readable_problem(self.document.circuit, plan, problem_id, message)
                return f"Not computed: shapes do not fit {where}({readable})."
        return ""

    def _output_id(self) -> str | None:
        try:
            return self.document.circuit.output_id()
        except CircuitError:
            return None

    def _set_text(self, edit: QLineEdit, text: str) -> None:
        if edit.hasFocus() and edit.isModified() and edit.text() != text:
            return  # the user is typing here: do not pull the text from under their fingers
        with QSignalBlocker(edit):
            edit.setText(text)
            edit.setModified(False)
            edit.setCursorPosition(0)

    def _set_row(self, field: QWidget, visible: bool) -> None:
        self.form.setRowVisible(field, visible)

    def _set_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # ----------------------------------------------------------------- following the model
    def _on_change(self, change) -> None:
        if change.kind == "node_renamed" and change.old == self.node_id:
            self.node_id = change.new
        elif change.kind == "node_removed" and change.node_id == self.node_id:
            self.show_node(None)
            return
        if self.node_id is not None and (
                change.node_id == self.node_id or change.kind in ("output_changed", "wire_added",
                                                                 "wire_removed", "node_added")):
            self._refresh()

    # ----------------------------------------------------------------- edits
    def _push(self, command) -> None:
        self._set_error("")
        try:
            self.document.push(command)
        except CircuitError as error:  # refused by the circuit: say why, nothing changed
            self._set_error(str(error))

    def _commit_id(self) -> None:
        node = self.node
        if node is None:
            return
        new_id = self.id_edit.text().strip()
        if new_id == node.id:
            self._set_error("")
            self._set_text(self.id_edit, node.id)
            return
        problem = id_problem(self.document.circuit, node.id, new_id)
        if problem:
            self._set_error(f"id: {problem}")
            self.id_edit.setModified(True)
            return
        self._push(RenameCommand(self.document, node.id, new_id))

    def _commit_label(self) -> None:
        node = self.node
        if node is None:
            return
        label = self.label_edit.text().strip() or None
        if label != node.label:
            self._push(SetLabelCommand(self.document, node.id, label))

    def _commit_value(self) -> None:
        node = self.node
        if node is None or not node.gate.is_source:
            return
        if is_tensor(node.value):
            return  # edited in its table
        value = self._parse(self.value_edit, "value", format_precise(node.value))
        if value is not None and not same_value(value, node.value):
            self._push(SetValueCommand(self.document, node.id, value))

    def _commit_param(self, name: str) -> None:
        node = self.node
        edit = self._param_edits.get(name)
        if node is None or edit is None or name not in node.params:
            return
        value = self._parse(edit, name, format_precise(node.params[name]))
        if value is not None and value != node.params[name]:
            self._push(SetParamCommand(self.document, node.id, name, value))

    def _parse(self, edit: QLineEdit, what: str, shown: str) -> float | None:
        """The number typed in ``edit``: None when its text is ``shown``, the gate's number as
        the field shows it (nothing typed, nothing rounded to it); if it is no number, say why
        and show the gate's number again (None)."""
        try:
            value = edited_number(edit.text(), shown)
        except ValueError as error:
            self._set_error(f"{what}: {error}")
            edit.setModified(False)  # not typing any more: the refresh puts the number back
            self._refresh()
            return None
        if value is not None:
            self._set_error("")
        return value

    def _commit_inputs(self, count: int) -> None:
        node = self.node
        if node is not None and node.gate.variadic and count != node.n_inputs:
            push_input_count(self.document, node.id, count, self.status_message.emit,
                             push=self._push)

    def _commit_trainable(self, checked: bool) -> None:
        node = self.node
        if node is not None and node.gate.variable and checked != node.trainable:
            self._push(SetTrainableCommand(self.document, node.id, checked))

    def _commit_feature_choice(self, index: int) -> None:
        node = self.node
        if index == COLUMNS_FEATURE:
            feature = node.feature if node is not None and isinstance(node.feature, tuple) \
                else POINT_COLUMNS
        else:
            feature = None if index == 0 else (index - 1 if index < OTHER_FEATURE
                                               else self.feature_spin.value())
        self._set_feature(feature)

    def _commit_feature_column(self, column: int) -> None:
        if self.feature_combo.currentIndex() == OTHER_FEATURE:
            self._set_feature(column)

    def _set_feature(self, feature: int | None) -> None:
        node = self.node
        if node is None or not node.gate.variable:
            return
        if feature != node.feature:
            self._push(SetFeatureCommand(self.document, node.id, feature))
        else:
            self._show_feature(node.feature)

    def _commit_output(self, checked: bool) -> None:
        node = self.node
        if node is None:
            return
        circuit = self.document.circuit
        if checked and circuit.explicit_output != node.id:
            self._push(SetOutputCommand(self.document, node.id))
        elif not checked and circuit.explicit_output == node.id:
            self._push(SetOutputCommand(self.document, None))
        self._refresh()  # e.g. unticking the only sink: it stays the output
