"""Scrubbing a source's value: Ctrl+wheel over it, or Shift/Alt+drag its number sideways.

Each wheel notch or drag step sets the value in steps of 0.1 (0.01 when fine) with a
``SetValueCommand`` carrying the scrub's gesture key, so the steps of one scrub merge into one
undo step; the gesture ends when the mouse is released, Ctrl is let go or another gesture
starts (letting go of Ctrl ends a wheel scrub only: a drag ends when the mouse is released),
and the next scrub has a new key (a new undo step).

A drag begins at the press (``begin_drag``), which takes the value to scrub from. Anything else
that moves the undo stack during a scrub (Ctrl+Z while dragging, even before the first step, an
edit from a panel) ends that scrub's undo step, and a drag that goes on starts afresh from the
value the node has then: undoing in the middle of a scrub never brings the undone part back.

A vector or matrix is not scrubbed: adding 0.1 to every element at once is not an edit anyone
means, and which element a wheel over the gate should move cannot be seen. The scrub says so
once (double-click opens its table, where every element is typed) and changes nothing.
"""

from __future__ import annotations

from engine import is_tensor, shape_text
from gui.model.commands import SetValueCommand
from gui.model.opened_ports import use_value_note
from gui.model.value_text import kind_of

STEP = 0.1
FINE_STEP = 0.01
WHEEL_NOTCH = 120  # angle delta of one wheel notch


class ValueScrub:
    """The value-scrubbing gesture of one canvas scene."""

    def __init__(self, scene):
        self.scene = scene
        self.node_id: str | None = None  # the source being scrubbed
        self._gesture = 0  # the key that merges this scrub's commands into one undo step
        self._pushing = False
        self._steps_seen = 0  # the last step count a drag reported
        # a drag's (steps, value): at that many steps from the press, the node had that value
        # (0 and its value at the press; after an undo, the steps seen and the value then)
        self._start: tuple[int, float] | None = None
        self._wheel_rest = 0
        self._wheeling = False
        self._told = False  # this scrub said it cannot move a tensor
        scene.document.undo_stack.indexChanged.connect(self._on_stack_moved)

    def begin_drag(self, node_id: str) -> None:
        """A press on a source's number: a drag from here scrubs it, from the value it has now,
        as a new undo step."""
        self.end()
        node = self.scene.document.circuit.nodes.get(node_id)
        if node is not None:
            self.node_id = node_id
            self._start = (0, node.value)

    def drag_to(self, node_id: str, steps: int, fine: bool) -> None:
        """A drag's step: the node to its value at the press + ``steps`` steps (after an undo
        during the drag, to its value then + the steps made since)."""
        if self.node_id != node_id or self._start is None:
            self.begin_drag(node_id)
            if self._start is None:
                return
        self._steps_seen = steps
        seen, start = self._start
        self._set(node_id, start, steps - seen, fine)

    def wheel(self, node_id: str, delta: int, fine: bool) -> None:
        """A wheel turn of ``delta`` (120 a notch) over the node: whole notches step it."""
        self._take(node_id)
        self._wheeling = True
        self._wheel_rest += delta
        steps = int(self._wheel_rest / WHEEL_NOTCH)
        self._wheel_rest -= steps * WHEEL_NOTCH
        node = self.scene.document.circuit.nodes.get(node_id)
        if steps and node is not None:
            self._set(node_id, node.value, steps, fine)

    def end(self) -> None:
        """End the current scrub: the next one is a new undo step."""
        self.node_id = None
        self._gesture += 1
        self._steps_seen = 0
        self._start = None
        self._wheel_rest = 0
        self._wheeling = False
        self._told = False

    def end_wheel(self) -> None:
        """Ctrl was let go: end a wheel scrub (a drag goes on until the mouse is released)."""
        if self._wheeling:
            self.end()

    def follow_rename(self, old: str, new: str) -> None:
        """The node scrubbed was renamed: keep scrubbing it."""
        if self.node_id == old:
            self.node_id = new

    def _take(self, node_id: str) -> None:
        if self.node_id not in (None, node_id):
            self.end()

    def _set(self, node_id: str, start: float, steps: int, fine: bool) -> None:
        document = self.scene.document
        node = document.circuit.nodes.get(node_id)
        if node is None or not node.gate.is_source:
            return
        if is_tensor(node.value):
            self._refuse_tensor(node)
            return
        note = use_value_note(document, node_id)
        if note:
            self._refuse(node, f"{node_id} cannot be scrubbed here: {note}")
            return
        self.scene.close_editor()  # the scrub wins: the editor would show a stale number
        value = round(start + steps * (FINE_STEP if fine else STEP), 12)
        if value == node.value:
            return
        self.node_id = node_id
        self._pushing = True
        try:
            document.push(SetValueCommand(document, node_id, value, gesture=self._gesture))
        finally:
            self._pushing = False

    def _refuse_tensor(self, node) -> None:
        self._refuse(node, (
            f"{node.id} is a {shape_text(node.value.shape)} {kind_of(node.value.shape)}: "
            f"scrubbing moves a single number; double-click {node.id} to edit its elements"))

    def _refuse(self, node, message: str) -> None:
        self.node_id = node.id
        if not self._told:  # once a scrub
            self._told = True
            self.scene.status_message.emit(message)

    def _on_stack_moved(self, _index: int) -> None:
        if self._pushing or self.node_id is None:
            return
        node = self.scene.document.circuit.nodes.get(self.node_id)
        self._gesture += 1  # what comes next is a new undo step
        if node is not None and self._start is not None:  # a drag goes on from here
            self._start = (self._steps_seen, node.value)
