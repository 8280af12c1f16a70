"""A circuit's gate table: the built-in rows, then a row for each of the file's own gates.

Every lookup of a gate by name goes through the table of the file it is in
(``circuit.gates[op]``, ``node.gate``), so a compound or a code gate is found, drawn, run and
checked like ``add``. Own rows are made on first use and made again after any change to the
file's definitions (``Circuit.definitions_version``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .gates import GATES, Gate


class GateTable(Mapping):
    """Name -> Gate row for one file: ``GATES`` and the file's own gates."""

    def __init__(self, root):
        self._root = root  # the file's circuit, which holds the definitions
        self._rows: dict[str, Gate] = {}
        self._version = -1

    def __getitem__(self, name: str) -> Gate:
        row = GATES.get(name)
        if row is not None:
            return row
        root = self._root
        if self._version != root.definitions_version:
            self._rows.clear()
            self._version = root.definitions_version
        row = self._rows.get(name)
        if row is None:
            # imported here: a row runs its inside through the autodiff, which imports circuits
            from .own_gate_rows import own_row
            row = self._rows[name] = own_row(root.definitions[name])
        return row

    def __contains__(self, name) -> bool:
        return name in GATES or name in self._root.definitions

    def __iter__(self):
        yield from GATES
        yield from self._root.definitions

    def __len__(self) -> int:
        return len(GATES) + len(self._root.definitions)

    def own(self) -> list[Gate]:
        """The rows of the file's own gates, in the file's order."""
        return [self[name] for name in self._root.definitions]
