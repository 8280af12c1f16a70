"""Step Into a compound gate during the animated passes: its inside's steps, one at a time.

When the level just worked on holds a compound gate (a file's own gate with an inside), Step
Into (the Flow toolbar, F8) pauses the passes and shows, in a card beside that gate, how its
inside worked its number out at this use (``engine.inside_pass``: the ports' values from the
file's run, and backward the gate's own upstream gradient as the seed). Step then shows the
inside's next gate instead of the next level; Step Out (Shift+F8), or a Step past the inside's
last gate, puts the card away and the passes go on from where they were. The inside is never
drawn: its steps are captions (opening the inside on a canvas of its own is the Open command).

``InsideSteps`` holds what the card says; the flow controller shows it.
"""

from __future__ import annotations

from engine import InsidePass


class InsideSteps:
    """The inside's steps shown so far (the first at once) and the card's text."""

    def __init__(self, passes: InsidePass):
        self.passes = passes
        self.shown = 1

    @property
    def gate_id(self) -> str:
        return self.passes.gate_id

    @property
    def count(self) -> int:
        return len(self.passes.steps)

    def advance(self) -> bool:
        """Show the next step; False when every step is shown."""
        if self.shown >= self.count:
            return False
        self.shown += 1
        return True

    def _current(self):
        return self.passes.steps[self.shown - 1]

    def _heading(self) -> str:
        phase = "backward" if self.passes.backward else "forward"
        return f"Inside {self.passes.op}, {phase}, step {self.shown} of {self.count}"

    def title(self) -> str:
        """'Inside sig, backward, step 2 of 5: +1 passes the gradient through ...'."""
        step = self._current()
        return self._heading() + (f": {step.title}" if step.title else "")

    def lines(self) -> list[str]:
        """Where the inside's pass starts, then every shown step's equations."""
        shown = self.passes.steps[:self.shown]
        return [self.passes.start] + [line for step in shown for line in step.lines]

    def message(self) -> str:
        """The status bar's line for the step shown."""
        step = self._current()
        return (f"{self._heading()}: {'; '.join(step.lines)} "
                "(Step for the next, Step Out to go on with the passes)")
