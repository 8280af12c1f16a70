"""Right-click menus of the canvas: one for a gate, one for a wire, one for the empty canvas.

Each builder returns a QMenu whose actions push undo commands (or call ``EditActions``), so a
menu does exactly what the matching key or panel edit does. Actions carry objectNames
(``ctx_delete``, ``ctx_make_output``, ``ctx_add_sigmoid``, ...) so tests and automation can find
and trigger them without opening the menu.

A gate's menu acts on the whole selection when the gate is part of it (delete, duplicate, copy),
and on that gate alone otherwise.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QInputDialog, QMenu

import engine
from engine import CircuitError
from gui.model.commands import (DisconnectCommand, RenameCommand, SetFeatureCommand,
                          SetLabelCommand, SetOutputCommand, SetTrainableCommand,
                          SetValueCommand, push_input_count)
from engine import FEATURE_NAMES, format_precise
from gui.canvas.expanding import expand_to_scalars
from gui.canvas.making_gates import expand_gate, make_gate
from gui.common.number_entry import edited_number
from gui.canvas.source_table import FILLS, filled


def ask_text(parent, title: str, label: str, text: str) -> str | None:
    """Ask for one line of text (None if cancelled); tests replace this function."""
    answer, ok = QInputDialog.getText(parent, title, label, text=text)
    return answer if ok else None


def _action(menu: QMenu, name: str, text: str, slot, enabled: bool = True,
            checked: bool | None = None):
    action = menu.addAction(text)
    action.setObjectName(name)
    action.setEnabled(enabled)
    if checked is not None:
        action.setCheckable(True)
        action.setChecked(checked)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def _output_of(circuit) -> str | None:
    try:
        return circuit.output_id()
    except CircuitError:
        return None


def build_gate_menu(edit_actions, node_id: str, parent=None) -> QMenu:
    """The menu of gate ``node_id``: open (a compound gate), delete, duplicate, copy, make
    output, rename, label, and per kind: edit value, freeze, bind to data (inputs), expand to
    scalars (a gate on vectors or matrices) or add/remove a port (add, mul, ...)."""
    document = edit_actions.document
    circuit = document.circuit
    node = circuit.node(node_id)
    gate = node.gate
    selected = edit_actions.scene.selected_node_ids()
    group = selected if node_id in selected and len(selected) > 1 else [node_id]
    many = f" {len(group)} gates" if len(group) > 1 else ""
    menu = QMenu(parent)
    menu.setObjectName("gate_menu")
    menu.setTitle(node.name)

    def push(command):
        document.push(command)

    def rename():
        new_id = ask_text(parent, "Rename gate", f"New id for {node_id}:", node_id)
        if new_id is None or new_id.strip() == node_id:
            return
        new_id = new_id.strip()
        if not new_id:
            edit_actions.status_message.emit("An id cannot be empty")
        elif new_id in circuit.nodes:
            edit_actions.status_message.emit(f"There is already a gate '{new_id}'")
        else:
            push(RenameCommand(document, node_id, new_id))

    def relabel():
        label = ask_text(parent, "Label gate", f"Label shown on {node_id} (empty: the id):",
                         node.label or "")
        if label is not None and (label.strip() or None) != node.label:
            push(SetLabelCommand(document, node_id, label.strip() or None))

    def edit_value():
        if engine.is_tensor(node.value):  # a vector or matrix: its table
            edit_actions.scene.edit_value(node_id)
            return
        shown = format_precise(node.value)
        text = ask_text(parent, "Set value", f"Value of {node_id}:", shown)
        if text is None:
            return
        try:
            value = edited_number(text, shown)
        except ValueError as error:
            edit_actions.status_message.emit(f"{node_id}: {error}")
            return
        if value is not None and value != node.value:
            push(SetValueCommand(document, node_id, value))

    def set_ports(count: int):
        push_input_count(document, node_id, count, edit_actions.status_message.emit)

    if edit_actions.scene.opens(node_id):
        _action(menu, "ctx_open_gate", "Open Gate (edit its inside)",
                lambda: edit_actions.scene.open_gate(node_id))
        menu.addSeparator()
    _action(menu, "ctx_delete", "Delete" + many, lambda: edit_actions.delete_nodes(group))
    _action(menu, "ctx_duplicate", "Duplicate" + many, lambda: edit_actions.duplicate(group))
    _action(menu, "ctx_cut", "Cut" + many, lambda: (edit_actions.scene.select_nodes(group),
                                                   edit_actions.cut()))
    _action(menu, "ctx_copy", "Copy" + many, lambda: (edit_actions.scene.select_nodes(group),
                                                     edit_actions.copy()))
    menu.addSeparator()
    is_explicit = circuit.explicit_output == node_id
    _action(menu, "ctx_make_output", "Make output f", lambda: push(
        SetOutputCommand(document, node_id)), enabled=not is_explicit,
        checked=_output_of(circuit) == node_id)
    if is_explicit:
        _action(menu, "ctx_clear_output", "Clear output choice",
                lambda: push(SetOutputCommand(document, None)))
    _action(menu, "ctx_rename", "Rename…", rename)
    _action(menu, "ctx_label", "Label…", relabel)
    if gate.is_source:
        _action(menu, "ctx_edit_value", "Set value…", edit_value)
        if engine.is_tensor(node.value):
            fill_menu = menu.addMenu("Fill")
            for fill in FILLS:
                _action(fill_menu, f"ctx_fill_{fill.lower()}", fill, lambda fill=fill: push(
                    SetValueCommand(document, node_id, filled(node.value, fill))))
    if gate.variable:
        menu.addSeparator()
        _action(menu, "ctx_freeze", "Frozen (ascent and training leave it)",
                lambda: push(SetTrainableCommand(document, node_id, not node.trainable)),
                checked=not node.trainable)
        bind = menu.addMenu("Bind to data")
        bind.setObjectName("ctx_bind_menu")
        for feature, name in enumerate(FEATURE_NAMES):
            _action(bind, f"ctx_bind_{name}", f"{name} (feature {feature})",
                    lambda feature=feature: push(SetFeatureCommand(document, node_id, feature)),
                    checked=node.feature == feature)
        _action(bind, "ctx_unbind", "Unbind", lambda: push(
            SetFeatureCommand(document, node_id, None)), enabled=node.feature is not None)
    if _works_on_tensors(document, node_id):
        menu.addSeparator()
        _action(menu, "ctx_expand", "Expand to Scalars",
                lambda: expand_to_scalars(edit_actions, group))
    if not gate.is_source:
        menu.addSeparator()
        _action(menu, "ctx_make_gate", "Make Gate…" if len(group) > 1 else "Make Gate of It…",
                lambda: make_gate(edit_actions, group))
    if getattr(gate.definition, "kind", "") == "compound":
        _action(menu, "ctx_expand_gate", "Expand Gate (put its inside back)",
                lambda: expand_gate(edit_actions, node_id))
    if gate.variadic:
        menu.addSeparator()
        _action(menu, "ctx_add_port", "Add an input port",
                lambda: set_ports(node.n_inputs + 1), enabled=node.n_inputs < gate.max_ports)
        _action(menu, "ctx_remove_port", "Remove the last input port",
                lambda: set_ports(node.n_inputs - 1), enabled=node.n_inputs > gate.min_ports)
    if edit_actions.scene.is_code_gate(node_id):
        menu.addSeparator()
        _action(menu, "ctx_edit_code", "Edit Code Gate…",
                lambda: edit_actions.scene.request_code_edit(node_id))
    return menu


def _works_on_tensors(document, node_id: str) -> bool:
    """True when a node's value or an input's is a vector or matrix (it can be expanded)."""
    shapes = engine.plan_of(document.circuit).shapes
    return any(shapes.get(n) for n in [node_id, *document.circuit.inputs_of(node_id)])


def build_wire_menu(edit_actions, dst: str, port: int, parent=None) -> QMenu:
    """The menu of the wire into ``port`` of ``dst``: delete it."""
    document = edit_actions.document
    src = document.circuit.source_of(dst, port)
    menu = QMenu(parent)
    menu.setObjectName("wire_menu")
    menu.setTitle(f"{src} → {dst}")
    _action(menu, "ctx_delete_wire", f"Delete wire {src} → {dst}",
            lambda: document.push(DisconnectCommand(document, dst, port)),
            enabled=src is not None)
    return menu


def build_canvas_menu(edit_actions, scene_pos: QPointF, parent=None) -> QMenu:
    """The menu of the empty canvas: add a gate here (by group), paste here, select all, fit."""
    menu = QMenu(parent)
    menu.setObjectName("canvas_menu")
    add = menu.addMenu("Add gate")
    add.setObjectName("ctx_add_menu")
    icon_of = _icon_maker()
    rows = [*engine.GATE_LIST, *edit_actions.document.circuit.gates.own()]
    for group, title in engine.GROUP_TITLES.items():
        members = [gate for gate in rows if gate.group == group]
        submenu = add.addMenu(title)
        submenu.setObjectName(f"ctx_add_group_{group}")
        submenu.setEnabled(bool(members))  # the file's own gates, while it has none
        for gate in members:
            action = _action(submenu, f"ctx_add_{gate.name}", f"{gate.name}   {gate.symbol}",
                             lambda name=gate.name: edit_actions.add_gate(name, scene_pos))
            action.setToolTip(gate.doc)
            if icon_of is not None:
                action.setIcon(icon_of(gate))
    menu.addSeparator()
    _action(menu, "ctx_paste", "Paste here", lambda: edit_actions.paste(at=scene_pos))
    _action(menu, "ctx_select_all", "Select all", edit_actions.select_all)
    view = edit_actions.view
    _action(menu, "ctx_fit", "Fit Circuit", lambda: view.fit_all(), enabled=view is not None)
    return menu


def _icon_maker():
    try:
        from gui.canvas.gate_glyphs import gate_icon
    except ImportError:
        return None
    return gate_icon
