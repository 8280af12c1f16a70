"""Marks on the port inputs of a compound gate's inside: "port 0 of sig" under each.

Inside a compound gate, an ``input`` node named in the definition's ``ports`` stands for what
the gate's port receives: it cannot be deleted (the engine refuses), and, opened from a use,
it shows the value reaching that use's port (the run's, in its pill, where the pill would
otherwise show the input's own value, the one the gate has when opened from no use). The
mark says so under its pill. The marks follow the scene: they are made again whenever it is
redrawn or a node is added, removed or renamed (renaming a port input renames the port).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from gui.common import theme

MARK_GAP = 3  # between the pill and its mark
MARKING_CHANGES = ("node_added", "node_removed", "node_renamed")


def port_marks(circuit) -> dict[str, str]:
    """Node id -> its mark, for the port inputs of the inside ``circuit`` is ({} for a file's
    circuit)."""
    definition = circuit.definitions.get(circuit.defining) if circuit.defining else None
    if definition is None or definition.kind != "compound":
        return {}
    return {port: f"port {index} of {definition.name}"
            for index, port in enumerate(definition.ports)}


class PortMark(QGraphicsSimpleTextItem):
    """The mark under one port input (a child of its gate item, so it moves with it)."""


class PortMarks:
    """Keeps a mark under each port input of the inside the scene draws."""

    def __init__(self, scene):
        self.scene = scene
        self.marked: set[str] = set()  # the ids whose gates carry a mark
        document = scene.document
        # connected after the scene's own handlers: the gates are drawn when these run
        document.circuit_replaced.connect(self.refresh)
        document.changed.connect(self._on_change)
        document.results_changed.connect(self._show_values)
        self.refresh()

    def _on_change(self, change) -> None:
        if change.kind in MARKING_CHANGES:
            self.refresh()

    def refresh(self) -> None:
        """Put a mark under each port input shown, and only there."""
        for node_id in self.marked:  # a gate drawn anew since has none
            gate = self.scene.gate_item(node_id)
            for mark in gate.childItems() if gate is not None else ():
                if isinstance(mark, PortMark):
                    self.scene.removeItem(mark)
        self.marked = set()
        for node_id, text in port_marks(self.scene.document.circuit).items():
            gate = self.scene.gate_item(node_id)
            if gate is None:
                continue
            mark = PortMark(text, gate)
            mark.setFont(theme.font(11))
            mark.setBrush(theme.INPUT_BORDER)
            body = gate.body_rect()
            mark.setPos(body.center().x() - mark.boundingRect().width() / 2,
                        body.bottom() + MARK_GAP)
            mark.setToolTip(f"{node_id} stands for what the gate's port {text.split()[1]} "
                            "receives; it stays while the gate has that port")
            self.marked.add(node_id)

    def _show_values(self, result) -> None:
        """Opened from a use: each port input's pill shows the number reaching the port."""
        document = self.scene.document
        if result is None or not document.levels or document.levels[-1].use is None:
            return
        for node_id in self.marked:
            gate = self.scene.gate_item(node_id)
            value = result.values.get(node_id)
            if gate is None or gate.value_item is None or np.ndim(value) != 0 \
                    or gate.holds_tensor:
                continue  # a vector reaching it is shown on its wire
            width, height = gate.body_rect().width(), gate.body_rect().height()
            gate.value_item.set_value(float(value), width, height)
