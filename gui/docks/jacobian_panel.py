"""The Jacobian panel: the selected gate's local Jacobian for each input, at the last pass.

With vectors and matrices on the wires a gate's local gradient becomes a Jacobian (CS231n
lecture 4, "Vectorized operations"): for relu on 8 numbers, an 8×8 matrix, almost an identity
matrix but with 0 wherever the input was clamped. Select a gate and this panel shows, for each
input port, that matrix (``engine.local_jacobians``), the upstream gradient beside it and their
product, with the numbers the backward pass actually sends to the input, the same ones
(gui/docks/jacobian_view.py lays out one port). It says, each time, that the backward pass
never forms the matrix; beyond ``engine.MAX_JACOBIAN_SIDE`` elements a side it does not draw
it either, and says why.

The panel follows the scene's selection at once, and the document's results and a replaced
circuit coalesced (at most four redraws a second while a running ascent streams results in),
and it does not redraw while hidden. A redraw for the same gate with the same shapes updates the
numbers in place.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

import engine
from engine import CircuitError
from gui.common import theme
from gui.common.coalesced_redraw import CoalescedRedraw
from gui.docks.jacobian_view import PortJacobianView, kind_of

_SOFT = theme.SOFT_INK.name()
MIN_INTERVAL_MS = 250  # while results stream in, redraw at most 4 times a second
MIN_HEIGHT = 40
HINT = ("Select a gate on the canvas to see its local Jacobian for each input: how each "
        "element of its output moves with each element of the input, beside the upstream "
        "gradient and their product, the gradient the backward pass sends back.")


class JacobianPanel(QWidget):
    """The selected gate's local Jacobians (see the module docstring)."""

    def __init__(self, document, scene, parent=None):
        super().__init__(parent)
        self.setObjectName("jacobian_panel")
        self.document = document
        self.node_id: str | None = None
        self.jacobians: list = []  # the engine.LocalJacobian shown, one per port
        self.port_views: list[PortJacobianView] = []
        self._shown_key = None
        self.header = QLabel(self)
        self.header.setObjectName("jacobian_header")
        self.header.setTextFormat(Qt.RichText)
        self.header.setWordWrap(True)
        self._content = QWidget()
        self._ports = QVBoxLayout(self._content)
        self._ports.setContentsMargins(6, 6, 6, 6)
        self._ports.addWidget(self.header)
        self._ports.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("jacobian_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setWidget(self._content)
        self.scroll.setMinimumHeight(MIN_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.redraws = CoalescedRedraw(self, self._render, MIN_INTERVAL_MS)
        scene.selection_ids_changed.connect(self._follow_selection)
        document.results_changed.connect(lambda _result: self.redraws.request())
        document.circuit_replaced.connect(lambda: self.show_node(None))
        document.changed.connect(self._on_change)
        self.refresh()

    # ----------------------------------------------------------------- public API
    def show_node(self, node_id: str | None) -> None:
        """Show ``node_id``'s Jacobians now (None: the hint)."""
        self.node_id = node_id
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the document's latest result (deferred while the panel is hidden)."""
        self.redraws.now()

    # ----------------------------------------------------------------- following the document
    def _follow_selection(self, ids) -> None:
        self.node_id = ids[0] if ids else None
        self.redraws.request()

    def _on_change(self, change) -> None:
        if change.kind == "node_renamed" and self.node_id == change.old:
            self.node_id = change.new
        elif change.kind == "node_removed" and change.node_id == self.node_id:
            self.node_id = None
        self.redraws.request()

    # ----------------------------------------------------------------- rendering
    def _render(self) -> None:
        circuit = self.document.circuit
        node = circuit.nodes.get(self.node_id) if self.node_id is not None else None
        self.jacobians = []
        if node is None:
            self._show_text(escape(HINT))
            return
        self.document.flush()
        result = self.document.result
        if result is None:
            self._show_text("The circuit cannot run, so there are no numbers to take the "
                            "Jacobian at.")
            return
        try:
            jacobians = engine.local_jacobians(circuit, result, node.id)
        except CircuitError as error:
            self._show_text(f"<b>{escape(node.name)}</b>: {escape(str(error))}.")
            return
        self.jacobians = jacobians
        names = [circuit.nodes[j.source].name for j in jacobians]
        key = (node.id, node.name, tuple((j.port, j.source, names[k], j.out_shape, j.in_shape,
                                          kind_of(j)) for k, j in enumerate(jacobians)))
        self.header.setText(self._header(node, result))
        if key == self._shown_key:
            for view, jacobian in zip(self.port_views, jacobians):
                view.show_jacobian(jacobian)
            return
        self._clear_ports()
        self._shown_key = key
        for k, (jacobian, name) in enumerate(zip(jacobians, names)):
            view = PortJacobianView(jacobian, node.name, name, self._content)
            self._ports.insertWidget(1 + k, view)
            self.port_views.append(view)

    def _header(self, node, result) -> str:
        name = escape(node.name)
        text = (f"<b>{name}</b> = {escape(node.gate.formula)} &nbsp;<span style='color:{_SOFT}'>"
                f"{escape(node.op)}</span> — its local Jacobian for each input, at the numbers "
                "of the last pass:")
        if not result.has_gradients:
            text += f" <i>({escape(result.no_gradient_reason)} The upstream gradient is 0.)</i>"
        return text

    def _show_text(self, html: str) -> None:
        self._clear_ports()
        self._shown_key = None
        self.header.setText(html)

    def _clear_ports(self) -> None:
        for view in self.port_views:
            self._ports.removeWidget(view)
            view.deleteLater()
        self.port_views = []
