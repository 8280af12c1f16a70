"""Every element of a vector or matrix on the canvas: the tensor inspector, opened from a wire or
a gate and kept up to date.

A wire shows a small tensor's numbers and a big one's thumbnail; the inspector
(``gui.common.tensor_inspector``) shows all of it, value and gradient side by side. It opens on
a click on a wire that carries a tensor (or on its numbers or thumbnails), on a double-click
on a gate whose output is a tensor (a source's double-click edits its value instead), and on
the I key for the selected gate or wire. While it is open it follows the selection (a click on
another tensor wire or gate shows that one) and every new pass updates it in place.

A wire shows its source's value and the gradient that comes back along it (on a fan-out, its
branch's share); a gate shows its value and df/d(gate).
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject

from gui.canvas.gate_item import GateItem
from gui.canvas.wire_item import WireItem
from gui.common.tensor_inspector import TensorInspectorDialog


@dataclass(frozen=True)
class InspectTarget:
    """What the inspector shows: a node's value (``port`` None) or the wire into ``port`` of
    ``node_id``."""

    node_id: str
    port: int | None = None


class CanvasInspector(QObject):
    """Opens the tensor inspector for a canvas's wires and gates and keeps it current."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.scene = view.scene()
        self.dialog: TensorInspectorDialog | None = None  # made when first opened
        self.target: InspectTarget | None = None
        self.scene.document.results_changed.connect(self.refresh)
        self.scene.selectionChanged.connect(self._follow_selection)
        self.scene.inspect_requested.connect(
            lambda node_id, port: self.inspect(InspectTarget(node_id, port)))

    def inspect(self, target: InspectTarget) -> bool:
        """Show ``target`` in the inspector (opening it); False if it carries no tensor."""
        if not self._numbers(target):
            return False
        if self.dialog is None:
            self.dialog = TensorInspectorDialog(self.view.window())
            self.dialog.setObjectName("tensor_inspector_dialog")
        self.target = target
        self._show()
        self.dialog.show()
        self.dialog.raise_()
        return True

    def is_open(self) -> bool:
        """True while the inspector is shown."""
        return self.dialog is not None and self.dialog.isVisible()

    def refresh(self, *_result) -> None:
        """While open, show the target's numbers of the latest pass."""
        if self.is_open():
            self._show()

    def _show(self) -> None:
        # a target gone (its wire removed, its gate no longer a tensor) leaves it as it was
        numbers = self._numbers(self.target)
        if numbers:
            self.dialog.show_tensors(*numbers)

    def _numbers(self, target: InspectTarget):
        """(name, value, gradient or None) of a target carrying a tensor, else None."""
        scene = self.scene
        if target.port is None:
            gate = scene.gate_item(target.node_id)
            if gate is None or not gate.tensor_shape:
                return None
            value, grad = scene.node_numbers(target.node_id)
            name = target.node_id
        else:
            wire = scene.wire_item(target.node_id, target.port)
            if wire is None or not wire.tensor_shape:
                return None
            value, grad = scene.wire_numbers(wire)
            name = wire.src
        return None if value is None else (name, value, grad)

    def _follow_selection(self) -> None:
        if not self.is_open() or not shiboken6.isValid(self.scene):  # (a scene being deleted)
            return
        selected = self.scene.selectedItems()
        if len(selected) == 1:
            target = target_of(selected[0])
            if target is not None and self._numbers(target):
                self.target = target
                self._show()


def target_of(item) -> InspectTarget | None:
    """The inspector's target for a gate or wire item (None for anything else)."""
    if isinstance(item, WireItem):
        return InspectTarget(item.dst, item.port)
    return InspectTarget(item.node_id) if isinstance(item, GateItem) else None
