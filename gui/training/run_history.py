"""The loss and accuracy curves as part of the document's history.

Training's undo steps carry the trainer's histories on either side (``HistoryMark``: the
history lists as they were, and how many steps of them count), so undoing a run removes its
part of the curves and the step count, and redoing puts them back. Marks share the lists the
trainer appends to; restoring one gives the trainer a copy of the counted part.

An edit of the structure (a gate deleted) drops the trainer; ``HistoryShelf`` keeps the curves
of each structure left behind, by ``structure_key``, so when undo brings a structure back the
new trainer takes that structure's curves and step count again.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHELVED = 16  # structures whose curves are kept


@dataclass(frozen=True, eq=False)
class HistoryMark:
    """The first ``steps`` entries of a trainer's loss and accuracy histories."""

    loss: list
    accuracy: list
    steps: int

    @classmethod
    def of(cls, trainer) -> "HistoryMark":
        """The trainer's histories as they are now."""
        return cls(trainer.loss_history, trainer.accuracy_history, trainer.steps)

    def apply_to(self, trainer) -> None:
        """Give ``trainer`` these histories (copies: the trainer appends to its own)."""
        trainer.loss_history = list(self.loss[:self.steps])
        trainer.accuracy_history = list(self.accuracy[:self.steps])


EMPTY = HistoryMark([], [], 0)


def structure_key(circuit) -> tuple:
    """What makes a trainer for ``circuit`` the same trainer: gates, ports, roles, output."""
    nodes = tuple(sorted((node.id, node.op, node.n_inputs, node.feature, node.trainable,
                          tuple(sorted(node.params.items())))
                         for node in circuit.nodes.values()))
    wires = tuple(sorted((wire.src, wire.dst, wire.port) for wire in circuit.wires()))
    return nodes, wires, circuit.explicit_output


class HistoryShelf:
    """The curves of the structures a trainer was dropped for, to come back on undo."""

    def __init__(self):
        self._marks: dict[tuple, HistoryMark] = {}

    def put(self, key: tuple, mark: HistoryMark) -> None:
        """Keep ``mark`` for the structure ``key`` (the oldest goes past ``MAX_SHELVED``)."""
        self._marks.pop(key, None)
        self._marks[key] = mark
        while len(self._marks) > MAX_SHELVED:
            del self._marks[next(iter(self._marks))]

    def get(self, key: tuple) -> HistoryMark | None:
        """The curves kept for ``key``, or None."""
        return self._marks.get(key)

    def clear(self) -> None:
        """Forget every structure (another document)."""
        self._marks.clear()
