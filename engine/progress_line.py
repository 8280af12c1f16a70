"""A long command's progress as one line on a terminal, rewritten in place.

``python -m engine train`` writes its result as JSON on standard output when it is done; while
it runs, a person at a terminal wants to see it move: ``ProgressLine`` writes
``step 120/1000  loss 0.2345  accuracy 97.0%`` on standard error, going back to the start of
the line (``\\r``) to overwrite it, at most every ``interval_s`` seconds (and at the last step),
and ends the line when done. It writes nothing unless the stream is a terminal
(``isatty()``): a pipe or a file gets the JSON alone.
"""

from __future__ import annotations

import time

INTERVAL_S = 0.1


class ProgressLine:
    """Progress of ``total`` steps on ``stream``, if that is a terminal."""

    def __init__(self, stream, total: int, interval_s: float = INTERVAL_S):
        self.stream = stream
        self.total = total
        self.interval_s = interval_s
        self.active = bool(getattr(stream, "isatty", lambda: False)())
        self._last = -float("inf")
        self._width = 0
        self._written = False

    def show(self, step: int, loss: float, accuracy: float) -> None:
        """Show this step's numbers (only now and then, and at the last step)."""
        if not self.active:
            return
        now = time.monotonic()
        if step < self.total and now - self._last < self.interval_s:
            return
        self._last = now
        text = f"step {step}/{self.total}  loss {loss:.4g}  accuracy {accuracy:.1%}"
        padding = " " * max(0, self._width - len(text))  # wipe a longer line's end
        self._width = len(text)
        self.stream.write("\r" + text + padding)
        self.stream.flush()
        self._written = True

    def close(self) -> None:
        """End the line (if one was written), so what follows starts on a line of its own."""
        if self._written:
            self.stream.write("\n")
            self.stream.flush()
            self._written = False
