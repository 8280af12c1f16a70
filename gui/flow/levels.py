"""The passes level by level: gates of the same depth move together, as one step.

A gate's forward level is its depth: 1 + the deepest level among the gates feeding it (inputs
and consts are level 0), so every value a gate needs has arrived when its level starts. In the
backward pass a gate's level is its distance from the output (the output is level 0) along the
longest way down: every branch of its gradient has come back before it sends its own on. A pass
therefore takes as many steps as the circuit is deep, however wide it is.

The levels are grouped from the engine's schedules (``forward_schedule``,
``backward_schedule``), keeping their order inside a level.
"""

from __future__ import annotations

from engine import PassStep


def _group(steps: list[PassStep], depth: dict[str, int]) -> list[list[PassStep]]:
    levels: dict[int, list[PassStep]] = {}
    for step in steps:
        levels.setdefault(depth[step.node_id], []).append(step)
    return [levels[key] for key in sorted(levels)]


def forward_levels(forward: list[PassStep]) -> list[list[PassStep]]:
    """The forward schedule (topological order) grouped by depth from the inputs."""
    depth: dict[str, int] = {}
    for step in forward:
        depth[step.node_id] = 1 + max((depth.get(wire.src, 0) for wire in step.wires),
                                      default=0)
    return _group(forward, depth)


def backward_levels(backward: list[PassStep]) -> list[list[PassStep]]:
    """The backward schedule (the output first, reverse topological order) grouped by the
    longest distance from the output."""
    consumers: dict[str, list[str]] = {}
    for step in backward:
        for wire in step.wires:
            consumers.setdefault(wire.src, []).append(step.node_id)
    depth: dict[str, int] = {}
    for step in backward:  # every consumer of a gate comes before it
        depth[step.node_id] = 1 + max((depth[c] for c in consumers.get(step.node_id, ())),
                                      default=-1)
    return _group(backward, depth)
