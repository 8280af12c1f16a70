"""The Explain panel: df/d(selected node) written out as products of local gradients.

With nothing selected it shows the circuit's title and its file's ``description`` (what an
example teaches) above a hint. Select a gate (or a wire: it carries its source's value, so it
explains its source) and the panel spells out what the backward pass computed for it, with the
numbers of the last pass:

- the chain rule's first step: df/dx0 = df/dw0x0 × ∂w0x0/∂x0 = 0.20 × 2.00 = 0.39;
- every path from the node to the output, each with a table of its local gradients (which gate
  and port each comes from, and why it is that number) and their product:
  df/dx0 = 2.00 × 1.00 × 1.00 × -1.00 × 0.37 × 1.00 × -0.53 = 0.39;
- where the value fans out, the paths adding up: path 1 + path 2 = 3.00 + 2.72 = 5.72, with
  "(N more paths not shown)" when there are more than the panel lists;
- where a number stops being finite (``engine.nan_origin``): on the gate where the nan was born,
  and on any node whose value or gradient it reached, where and why ("0 × inf") and the gate
  table's hint (the one-gate sigmoid does not overflow).

Where vectors and matrices flow, each local gradient is a Jacobian (d every output element /
d every input element: small ones written out, big ones by their shape, ⟨2×4⟩) and the products
are matrix products (·): df/dW = J_sum · J_pow · J_matmul, laid out in W's shape, as the
lecture's "Vectorized operations" says.

The numbers come from ``engine.gradient_paths`` and the document's latest ``Result``; the
panel follows the scene's selection (at once), the document's results and a replaced circuit
(coalesced: at most four redraws a second while a running ascent streams results in, since
laying out the rich text of many paths takes milliseconds), and it does not redraw while
hidden.
"""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

import engine
from engine import CircuitError, GradientPath, PathsExplanation, value_text
from gui.common import theme
from gui.canvas.wire_item import WireItem

PATH_LIMIT = 64  # paths listed; more are counted and summed, not shown
FACTORS_SHOWN = 24  # a longer path shows its first and last factors around an ellipsis
MIN_HEIGHT = 40
MIN_INTERVAL_MS = 250  # while results stream in (a running ascent), redraw at most 4 times/s
HINT = ("Select a gate or a wire on the canvas to see its gradient df/d(node) as the product "
        "of the local gradients along each path to the output.")

_RED = theme.GRAD_RED.name()
_GREEN = theme.VALUE_GREEN.name()
_SOFT = theme.SOFT_INK.name()
_STYLE = f"""
<style>
  body {{ font-size: 12px; }}
  h3 {{ margin: 0 0 4px 0; color: {_RED}; }}
  p {{ margin: 2px 0 6px 0; }}
  .soft {{ color: {_SOFT}; }}
  .grad {{ color: {_RED}; font-weight: bold; }}
  .eq {{ font-family: 'DejaVu Sans Mono', monospace; }}
  .path {{ margin-top: 8px; font-weight: bold; }}
  td {{ padding: 1px 6px 1px 0; }}
  td.num {{ text-align: right; font-family: 'DejaVu Sans Mono', monospace; }}
  .nan {{ margin: 2px 0 6px 0; padding: 4px; background: #fdecea; }}
</style>
"""


def _n(x) -> str:
    return value_text(x)


def _times(explanation: PathsExplanation) -> str:
    """The product's sign: × for numbers, · for the matrix products of Jacobians."""
    tensors = any(np.ndim(factor.local) for path in explanation.paths for factor in path.factors)
    return " · " if tensors or np.ndim(explanation.total) else " × "


def _d(name: str) -> str:
    return f"df/d{name}"


def _partial(gate: str, source: str) -> str:
    return f"∂{gate}/∂{source}"


class ExplainPanel(QWidget):
    """Shows df/d(selected node) as a sum over paths of products of local gradients."""

    def __init__(self, document, scene, parent=None):
        super().__init__(parent)
        self.setObjectName("explain_panel")
        self.document = document
        self.scene = scene
        self.node_id: str | None = None  # the node explained
        self.wire: tuple[str, str, int] | None = None  # (src, dst, port) if a wire was chosen
        self.explanation: PathsExplanation | None = None
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("explain_text")
        self.browser.setOpenLinks(False)
        self.browser.setMinimumHeight(MIN_HEIGHT)  # the dock may shrink on small screens
        self.browser.setTextInteractionFlags(Qt.TextSelectableByMouse
                                             | Qt.TextSelectableByKeyboard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.browser)
        self._dirty = True
        self._html = ""
        self._since_render = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        scene.selection_ids_changed.connect(self._follow_selection)
        document.results_changed.connect(lambda _result: self._schedule())
        document.circuit_replaced.connect(self._forget)
        document.changed.connect(self._on_change)
        self.refresh()

    # ----------------------------------------------------------------- public API
    def explain(self, node_id: str | None, wire: tuple[str, str, int] | None = None) -> None:
        """Explain ``node_id`` now (None: show the hint); ``wire`` names the wire chosen."""
        self.node_id, self.wire = node_id, wire
        self.refresh()

    def text(self) -> str:
        """What the panel shows, as plain text (brings it up to date first)."""
        if self._dirty or self._timer.isActive():
            self._render()
        return self.browser.toPlainText()

    def refresh(self) -> None:
        """Redraw from the document's latest result (deferred while the panel is hidden)."""
        self._timer.stop()
        if not self.isVisible() and self.parent() is not None:
            self._dirty = True
            return
        self._render()

    def _render(self) -> None:
        self._timer.stop()
        self._dirty = False
        self._since_render.start()
        html = _STYLE + self._body()
        if html != self._html:  # laying out rich text is the slow part: skip it if unchanged
            self._html = html
            self.browser.setHtml(html)

    # ----------------------------------------------------------------- following the document
    def showEvent(self, event):
        super().showEvent(event)
        if self._dirty:
            self._schedule()

    def _schedule(self) -> None:
        self._dirty = True
        if self._timer.isActive() or not (self.isVisible() or self.parent() is None):
            return
        elapsed = self._since_render.elapsed() if self._since_render.isValid() else None
        wait = 0 if elapsed is None else max(0, MIN_INTERVAL_MS - elapsed)
        self._timer.start(wait)

    def _follow_selection(self, ids) -> None:
        # deferred: the selection also changes in the middle of an edit (gates being removed),
        # when the circuit is not ready for a pass
        if ids:
            self.node_id, self.wire = ids[0], None
        else:
            wires = [item for item in self.scene.selectedItems() if isinstance(item, WireItem)]
            wire = wires[0] if wires else None
            self.node_id = wire.src if wire else None
            self.wire = (wire.src, wire.dst, wire.port) if wire else None
        self._schedule()

    def _forget(self) -> None:
        self.node_id = self.wire = None
        self._schedule()

    def _on_change(self, change) -> None:
        if change.kind == "node_renamed":
            if self.node_id == change.old:
                self.node_id = change.new
            if self.wire is not None:
                src, dst, port = self.wire
                self.wire = (change.new if src == change.old else src,
                             change.new if dst == change.old else dst, port)
        elif change.kind == "node_removed" and change.node_id == self.node_id:
            self.node_id = self.wire = None
        elif change.kind == "wire_removed" and self.wire is not None:
            wire = change.wire
            if (wire.src, wire.dst, wire.port) == self.wire:
                self.wire = None
        self._schedule()

    # ----------------------------------------------------------------- rendering
    def _body(self) -> str:
        self.explanation = None
        circuit = self.document.circuit
        if self.node_id is None or self.node_id not in circuit.nodes:
            return _about_html(circuit) + f"<p class='soft'>{escape(HINT)}</p>"
        self.document.flush()
        result = self.document.result
        name = _name(circuit, self.node_id)
        intro = ""
        if self.wire is not None:
            _src, dst, port = self.wire
            intro = (f"<p class='soft'>The wire {escape(name)} → "
                     f"{escape(_name(circuit, dst))} (port {port}) carries {escape(name)}: its "
                     f"gradient is {escape(_d(name))}.</p>")
        if result is None:
            return intro + "<p>The circuit cannot run, so there are no gradients yet.</p>"
        intro += nan_origin_html(circuit, result, self.document.nan_origin, self.node_id)
        if not result.has_gradients:  # as the Properties and Inputs docks say it
            return intro + f"<p>{escape(result.no_gradient_reason)}</p>"
        try:
            explanation = engine.gradient_paths(circuit, result, self.node_id, PATH_LIMIT)
        except CircuitError as error:
            return intro + (f"<h3>{escape(_d(name))}</h3><p>Cannot explain it: "
                            f"{escape(str(error))}.</p>")
        self.explanation = explanation
        return intro + explanation_html(circuit, explanation, result.values)


def _about_html(circuit) -> str:
    """The circuit's title and its file's description (what an example teaches), if it has
    one."""
    description = circuit.extra.get("description")
    if not isinstance(description, str) or not description.strip():
        return ""
    return f"<p><b>{escape(circuit.title)}</b></p><p>{escape(description)}</p>"


def nan_origin_html(circuit, result, origin, node_id: str) -> str:
    """Where the nan was born and why (``origin``, the result's ``engine.nan_origin``), if
    ``node_id`` is that gate or the nan reached it."""
    if origin is None or not origin.concerns(result, node_id):
        return ""
    where = ("here" if node_id == origin.node_id
             else f"at {_name(circuit, origin.node_id)}")
    hint = f"<br><span class='soft'>{escape(origin.hint)}</span>" if origin.hint else ""
    return (f"<p class='nan'><b>Not finite: born {escape(where)} ({escape(origin.cause)})."
            f"</b> {escape(origin.text)}{hint}</p>")


def _name(circuit, node_id: str) -> str:
    node = circuit.nodes.get(node_id)
    return node.name if node is not None else node_id


def explanation_html(circuit, explanation: PathsExplanation, values=None) -> str:
    """The panel's rich text for one explanation (``values``: the pass's values by id)."""
    node_id, output = explanation.node_id, explanation.output
    name, f = _name(circuit, node_id), _name(circuit, output)
    title = (f"<h3>{escape(_d(name))} = {_n(explanation.total)}</h3>")
    if node_id == output:
        return title + (f"<p>{escape(name)} is the output: the backward pass starts here with "
                        f"{escape(_d(f))} = 1.00, and every other gradient is a product of "
                        "local gradients that starts from this 1.</p>")
    if explanation.count == 0:
        return title + (f"<p>{escape(name)} does not reach the output {escape(f)}: no path "
                        f"leads from it to {escape(f)}, so nudging it does not change "
                        f"{escape(f)} and its gradient is 0.</p>")
    count = explanation.count
    times = _times(explanation)
    jacobians = (" Vectors and matrices flow here: each local gradient is a Jacobian (one row "
                 "per output element, one column per input element) and the product is a "
                 f"matrix product, laid out in {name}'s shape.") if times == " · " else ""
    parts = [title, f"<p class='soft'>{escape(name)} reaches {escape(f)} along "
             f"{count} path{'s' if count != 1 else ''}. Along each path, the gradient is the "
             f"product of the local gradients of the gates it passes through.{escape(jacobians)}"
             "</p>", _first_step_html(circuit, explanation, times)]
    single = count == 1
    for number, path in enumerate(explanation.paths, start=1):
        parts.append(_path_html(circuit, path, number, name, single, values, times))
    if not single:
        parts.append(_sum_html(explanation, name))
    return "".join(parts)


def _first_step_html(circuit, explanation: PathsExplanation, times: str = " × ") -> str:
    """df/dx = df/dg × ∂g/∂x (+ ...) = upstream × local (+ ...) = total."""
    name = _name(circuit, explanation.node_id)
    symbols, numbers = [], []
    for branch in explanation.branches:
        gate = _name(circuit, branch.gate)
        symbols.append(f"{_d(gate)}{times}{_partial(gate, name)}")
        numbers.append(f"{_n(branch.upstream)}{times}{_n(branch.local)}")
    sums = " + ".join(symbols), " + ".join(numbers)
    return (f"<p class='eq'>{escape(_d(name))} = {escape(sums[0])}<br>"
            f"&nbsp;&nbsp;= {escape(sums[1])} = <span class='grad'>"
            f"{_n(explanation.total)}</span></p>")


def _factor_row(circuit, factor, values) -> str:
    gate = _name(circuit, factor.gate)
    source = _name(circuit, factor.source)
    return (f"<tr><td>{escape(_partial(gate, source))}</td>"
            f"<td class='soft'>{escape(why_local(circuit, factor, values))}</td>"
            f"<td class='num'>{_n(factor.local)}</td></tr>")


def why_local(circuit, factor, values=None) -> str:
    """Why a local gradient is what it is: 'mul, port 1: the other input, w0' (the row's
    number column says 2.00; ``values``: the last pass's values, to show what a one-input gate
    saw)."""
    node = circuit.nodes[factor.gate]
    inputs = circuit.inputs_of(factor.gate)
    head = node.op + (f", port {factor.port}" if len(inputs) > 1 else "")
    if node.gate.local_origin and values is not None:  # a file's own gate: what it computed
        return engine.local_gradient_words(circuit, values, factor.gate, factor.port)
    param = node.gate.local_param
    if node.gate.pattern == "switches" and len(inputs) == 2:
        other = inputs[1 - factor.port]
        why = f"the other input, {_name(circuit, other)}"
    elif param:  # its local gradient is that param's value
        why = f"its param {param}"
    else:
        why = node.gate.local_gradient
        if len(inputs) == 1 and values is not None and factor.source in values:
            why += f" (a = {_n(values[factor.source])})"
    return f"{head}: {why}"


def _path_html(circuit, path: GradientPath, number: int, name: str, single: bool,
               values, times: str = " × ") -> str:
    route = " → ".join(_name(circuit, node_id) for node_id in path.nodes)
    factors = list(path.factors)
    rows = [_factor_row(circuit, factor, values) for factor in factors]
    numbers = [_n(factor.local) for factor in factors]
    if len(factors) > FACTORS_SHOWN:
        half = FACTORS_SHOWN // 2
        hidden = len(factors) - 2 * half
        gap = f"… {hidden} more factors …"
        rows = rows[:half] + [f"<tr><td colspan='3' class='soft'>{gap}</td></tr>"] + rows[-half:]
        numbers = numbers[:half] + ["…"] + numbers[-half:]
    left = _d(name) if single else f"path {number}"
    if times == " · ":  # matrix products chain from the output end: J_f · ... · J_first
        numbers.reverse()
    product = times.join(numbers) if numbers else "1.00"
    return (f"<p class='path'>Path {number}: {escape(route)}</p>"
            f"<table cellspacing='0'>{''.join(rows)}</table>"
            f"<p class='eq'>{escape(left)} = {escape(product)} = <span class='grad'>"
            f"{_n(path.product)}</span></p>")


def _sum_html(explanation: PathsExplanation, name: str) -> str:
    shown = len(explanation.paths)
    labels = [f"path {k}" for k in range(1, shown + 1)]
    numbers = [_n(path.product) for path in explanation.paths]
    more = ""
    if explanation.truncated:
        hidden = explanation.count - shown
        labels.append("…")
        numbers.append("…")
        more = (f"<p class='soft'>({hidden} more path{'s' if hidden != 1 else ''} not shown; "
                f"the total adds up all {explanation.count}.)</p>")
    return (f"<p class='path'>The paths add up</p>"
            f"<p class='eq'>{escape(_d(name))} = {escape(' + '.join(labels))}<br>"
            f"&nbsp;&nbsp;= {escape(' + '.join(numbers))} = <span class='grad'>"
            f"{_n(explanation.total)}</span></p>{more}")
