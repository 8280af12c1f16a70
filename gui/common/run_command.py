"""The undo step of a run: the values a run (ascent, training) wrote, merged into one step.

A run publishes its values many times a second, and each publish pushes a ``RunValuesCommand``
onto the document's undo stack: the live values go through the stack like every other write.
The commands of one run share an ``id`` (the run loop's ``run_id``), so Qt's undo framework
merges each into the one below it (``mergeWith``): a run is one undo step, and no command is
changed after it was pushed except by that merge. A command holds the run's steps from one
step count to another (``steps``); a merge keeps the first count and takes the last, and the
text names the steps held ("Train 240 steps"). When something else is pushed during a run (a
data point added, a gate moved), the run's next publish starts a new step, which holds only
the steps since the last publish. A run that changes nothing (its values end where they
began, its state unchanged) leaves no step: its command is obsolete, and Qt drops it, whether
it came back where it began (``mergeWith``) or never moved (its first ``redo``).

A run may carry more than values: ``before`` and ``after`` are the state of the run's owner on
either side (for training, the loss and accuracy histories), and ``restore(state)`` puts one back
on undo and redo, so undoing a run also removes its part of the curves.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtGui import QUndoCommand


class RunValuesCommand(QUndoCommand):
    """Set sources to the values a run reached; merges with the same run's next publish.

    ``name(steps)`` is the text for the number of steps held; ``steps`` is (the run's step
    count before, after) this publish."""

    def __init__(self, document, new_values: dict, old_values: dict,
                 name: Callable[[int], str], run_id: int = -1, *,
                 steps: tuple[int, int] = (0, 0), before=None, after=None, restore=None):
        self.name = name
        self.steps = steps
        super().__init__(name(steps[1] - steps[0]))
        self.document = document
        self.circuit = document.circuit  # the circuit it edits, whatever is shown later
        self.new = dict(new_values)
        self.old = {node_id: old_values[node_id] for node_id in new_values}
        self.run_id = run_id
        self.before, self.after = before, after
        self.restore = restore
        self._pushed = False

    def id(self):
        return self.run_id

    def changes_nothing(self) -> bool:
        """True when every value and the state end where they began."""
        return self.after == self.before and all(np.array_equal(self.new[i], self.old[i])
                                                 for i in self.new)

    def mergeWith(self, other):
        if other.id() != self.id() or other.restore != self.restore:
            return False
        for node_id, value in other.old.items():
            self.old.setdefault(node_id, value)
        self.new.update(other.new)
        self.after = other.after
        self.steps = (self.steps[0], other.steps[1])
        self.setText(self.name(self.steps[1] - self.steps[0]))
        if self.changes_nothing():
            self.setObsolete(True)  # back where it began: the stack drops it
        return True

    def redo(self):
        circuit = self.circuit
        for node_id, value in self.new.items():
            circuit.set_value(node_id, value)
        if self._pushed and self.restore is not None:
            self.restore(self.after)
        elif not self._pushed and self.changes_nothing():
            self.setObsolete(True)  # a publish that moved nothing: dropped unless it merges
        self._pushed = True  # the first redo is the run's own write: its state is current

    def undo(self):
        circuit = self.circuit
        for node_id, value in self.old.items():
            circuit.set_value(node_id, value)
        if self.restore is not None:
            self.restore(self.before)
