"""Automatic layout: where to put the nodes of a circuit that has no positions for them.

Circuits flow left to right, like the lecture's diagrams. A node's column is its depth, the
length of the longest path from a source (inputs and consts in column 0, a gate one column to
the right of its deepest input). Within a column, nodes are placed in the order of the
barycentre (mean height) of their inputs, at that height if it is free, which keeps wires short
and mostly uncrossed: laid out this way, FORMAT.md's (x + y) * z example gets exactly the
positions written in that file. Nodes that already have a position stay where they are, and
new ones are kept clear of them.
"""

from __future__ import annotations

import math

from .autodiff import topological_order
from .circuit import Circuit

COLUMN_WIDTH = 160.0
ROW_SPACING = 80.0


class _Occupied:
    """The positions taken so far, hashed on a grid so overlap checks stay cheap."""

    def __init__(self):
        self._cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def add(self, x: float, y: float) -> None:
        key = (math.floor(x / COLUMN_WIDTH), math.floor(y / ROW_SPACING))
        self._cells.setdefault(key, []).append((x, y))

    def blocker(self, x: float, y: float) -> tuple[float, float] | None:
        """A taken position closer than one column and one row to (x, y), if there is one."""
        cx, cy = math.floor(x / COLUMN_WIDTH), math.floor(y / ROW_SPACING)
        for i in (cx - 1, cx, cx + 1):
            for j in (cy - 1, cy, cy + 1):
                for px, py in self._cells.get((i, j), ()):
                    if abs(px - x) < COLUMN_WIDTH and abs(py - y) < ROW_SPACING:
                        return px, py
        return None


def _depths(circuit: Circuit, order: list[str]) -> dict[str, int]:
    depth = {}
    for node_id in order:
        feeding = [src for src in circuit.inputs_of(node_id) if src is not None]
        depth[node_id] = 1 + max(depth[src] for src in feeding) if feeding else 0
    return depth


def auto_layout(circuit: Circuit) -> dict[str, tuple[float, float]]:
    """Positions (x, y) for the nodes whose ``pos`` is None; the circuit is not changed."""
    order = topological_order(circuit)
    depth = _depths(circuit, order)
    placed = {node.id: node.pos for node in circuit.nodes.values() if node.pos is not None}
    occupied = _Occupied()
    for x, y in placed.values():
        occupied.add(x, y)
    position = {node_id: i for i, node_id in enumerate(circuit.nodes)}
    columns: dict[int, list[str]] = {}
    for node_id in order:
        if node_id not in placed:
            columns.setdefault(depth[node_id], []).append(node_id)

    result: dict[str, tuple[float, float]] = {}
    for column in sorted(columns):
        x = column * COLUMN_WIDTH
        wanted = {}
        for node_id in columns[column]:
            heights = [placed[src][1] for src in circuit.inputs_of(node_id)
                       if src is not None and src in placed]
            # Sources (and gates with nothing wired) simply stack in the circuit's order.
            wanted[node_id] = sum(heights) / len(heights) if heights else None
        stacked = [node_id for node_id in columns[column] if wanted[node_id] is None]
        stacked.sort(key=position.__getitem__)
        for rank, node_id in enumerate(stacked):
            wanted[node_id] = rank * ROW_SPACING
        lowest = -math.inf
        for node_id in sorted(columns[column], key=lambda n: (wanted[n], position[n])):
            y = max(wanted[node_id], lowest + ROW_SPACING)
            while (blocker := occupied.blocker(x, y)) is not None:
                y = blocker[1] + ROW_SPACING
            occupied.add(x, y)
            placed[node_id] = result[node_id] = (x, y)
            lowest = y
    return result
