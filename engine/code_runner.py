"""Running code gates in a child process that can be stopped: CodeHost and CodeGateError.

A code gate's class (FORMAT.md section 6) runs in ``code_host.py``, a Python process of its own,
so a ``while True: pass`` or an ``os._exit`` in a student's code costs a process, never the
app: every call waits at most ``time_limit`` seconds for its reply; after that the child is
killed and the call raises CodeGateError(kind="timeout"). A child that died (a crash, a garbled
reply) raises kind="crash". Either way the next call starts a fresh child and defines every gate
it was given again, so the host always works afterwards.

A reader thread turns the child's replies into a queue, which is what lets a call wait with a
time limit on every platform. One lock makes the host safe to call from several threads (the
GUI may check a gate from a worker). Close a host when done with it; ``shared_host()`` is the
app's one host, closed when the interpreter exits. No child outlives the app: a child exits by
itself as soon as its stdin closes, which the end of the app's process does, however it ends.
"""

from __future__ import annotations

import atexit
import math
import queue
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from .code_host import pack_values, read_frame, unpack_values, write_frame
from .errors import CircuitError

HOST_PATH = Path(__file__).with_name("code_host.py")
DEFAULT_TIME_LIMIT = 2.0
START_TIME_LIMIT = 60.0  # a fresh Python importing numpy on a busy machine


class CodeGateError(CircuitError):
    """A code gate that cannot be used: its code failed, or ran too long, or crashed.

    ``gate`` is the gate's name, ``line`` the 1-based line of its source where it failed (None
    when no line is to blame), ``kind`` one of: syntax, definition, exception, wrong count,
    wrong type, shape, timeout, crash, undefined."""

    def __init__(self, message: str, *, gate: str, kind: str, line: int | None = None):
        super().__init__(message)
        self.gate, self.kind, self.line = gate, kind, line


class _Child:
    """One running code_host.py: its process and the queue its reader thread fills."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-u", str(HOST_PATH)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.replies: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, name="code gate replies", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            while (frame := read_frame(self.process.stdout)) is not None:
                self.replies.put(frame)
        except (OSError, ValueError):
            pass
        self.replies.put(None)  # the child ended (or garbled its reply)

    def alive(self) -> bool:
        return self.process.poll() is None

    def reply(self, timeout: float):
        """The next reply, None if the child ended; queue.Empty after ``timeout`` seconds."""
        return self.replies.get(timeout=timeout)

    def ask(self, header: dict, payload: bytes, timeout: float):
        """Send a request and wait for its reply (None if the child ended)."""
        try:
            write_frame(self.process.stdin, header, payload)
        except OSError:  # the child is gone
            return None
        return self.reply(timeout)

    def stop(self) -> int:
        """Kill the process if it still runs, reap it and close its pipes; its exit code."""
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        self.reader.join(timeout=5)  # the pipe's end: at once, unless a grandchild holds it
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:  # unsent bytes to a dead child
                pass
        return code


class CodeHost:
    """Defines code gates and runs their forward and backward in a child process, each call
    within ``time_limit`` seconds. Keeps every definition, to define it again in a new child."""

    def __init__(self, time_limit: float = DEFAULT_TIME_LIMIT):
        self.time_limit = time_limit
        self.printed = ""  # what the last call's code printed (at most code_host.PRINT_LIMIT)
        self._lock = threading.RLock()
        self._child: _Child | None = None
        self._definitions: dict[str, tuple] = {}  # name -> (ports, code)
        self._classes: dict[str, str] = {}  # name -> the class's name, for messages

    def __enter__(self) -> CodeHost:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def define(self, name: str, ports, code: str) -> str:
        """Define (or redefine) a gate; the name of its class. CodeGateError if the code does
        not compile, fails, or is not one class with forward(self, <one per port>) and
        backward(self, dz); the gate is then not defined."""
        ports = tuple(ports)
        with self._lock:
            self._definitions.pop(name, None)
            self._classes.pop(name, None)
            header, _values = self._exchange(self._running_child(), name, {
                "op": "define", "name": name, "ports": list(ports), "code": code}, [])
            self._definitions[name] = (ports, code)
            self._classes[name] = header["class"]
            return header["class"]

    def is_defined(self, name: str) -> bool:
        """True if a gate of this name is defined (its code compiled and was one class)."""
        return name in self._definitions

    def class_name(self, name: str) -> str:
        """The class a defined gate's code declares ("MultiplyGate"); the name if unknown."""
        return self._classes.get(name, name)

    def forward(self, name: str, inputs):
        """The gate's output for these inputs (one per port): a float or a read-only array."""
        with self._lock:
            return self._call(name, "forward", inputs)[0]

    def backward(self, name: str, inputs, dz) -> tuple:
        """One gradient per port (each of its port's shape) for these inputs and dz."""
        return self.forward_backward(name, inputs, dz)[1]

    def forward_backward(self, name: str, inputs, dz) -> tuple:
        """(output, gradients) from one fresh instance: forward, then backward(dz)."""
        with self._lock:
            values = self._call(name, "backward", [*self._inputs(name, inputs), dz])
            return values[0], tuple(values[1:])

    def forget(self, name: str) -> None:
        """Drop a gate's definition (a draft checked once): a new child does not define it
        again. The running child keeps it until it stops."""
        with self._lock:
            self._definitions.pop(name, None)
            self._classes.pop(name, None)

    def close(self) -> None:
        """Stop the child (definitions are kept: a later call starts a new one)."""
        with self._lock:
            if self._child is not None:
                self._child.stop()
                self._child = None

    def _defined(self, name: str) -> tuple:
        if name not in self._definitions:
            raise CodeGateError(f"gate {name} has no working code defined", gate=name,
                                kind="undefined")
        return self._definitions[name]

    def _inputs(self, name: str, inputs) -> list:
        ports = self._defined(name)[0]
        inputs = list(inputs)
        if len(inputs) != len(ports):
            raise ValueError(f"gate {name} has {len(ports)} ports ({', '.join(ports)}), "
                             f"not {len(inputs)}")
        return inputs

    def _call(self, name: str, op: str, values: list) -> list:
        if op == "forward":
            values = self._inputs(name, values)
        for value in values:
            if np.ndim(value) > 2:
                raise ValueError(f"gate {name}: a code gate takes numbers, vectors and "
                                 f"matrices, not an array of shape {np.shape(value)}")
        return self._exchange(self._running_child(), name, {"op": op, "name": name}, values)[1]

    def _running_child(self) -> _Child:
        """The child, started (with every kept definition) if there is none or it died."""
        if self._child is not None and self._child.alive():
            return self._child
        if self._child is not None:
            self._child.stop()
        child = self._child = _Child()
        try:
            ready = child.reply(START_TIME_LIMIT)
        except queue.Empty:
            ready = None
        if ready is None:
            self._child = None
            code = child.stop()
            raise CodeGateError(f"the process that runs code gates did not start (exit code "
                                f"{code})", gate="", kind="crash")
        for name, (ports, code) in list(self._definitions.items()):
            try:
                self._exchange(child, name, {"op": "define", "name": name,
                                             "ports": list(ports), "code": code}, [])
            except CodeGateError:  # it worked before; now it cannot be kept
                del self._definitions[name]
                self._stop_child()  # the next call starts afresh, with the others
                raise
        return child

    def _exchange(self, child: _Child, name: str, header: dict, values: list) -> tuple:
        """Send one request and return its reply (header, values); CodeGateError for a failure
        the child reports, a timeout (the child is killed) or a child that died."""
        shapes, payload = pack_values(values)
        label = self.class_name(name)
        try:
            reply = child.ask({**header, "values": shapes}, payload, self.time_limit)
        except queue.Empty:
            self._stop_child()
            raise CodeGateError(f"{label} ran longer than {_seconds(self.time_limit)} and was "
                                "stopped", gate=name, kind="timeout") from None
        if reply is None:
            code = self._stop_child()
            raise CodeGateError(f"{label} stopped the process that runs code gates (exit code "
                                f"{code}); a new one starts on the next run", gate=name,
                                kind="crash")
        answer, data = reply
        self.printed = answer.get("printed", "")
        if not answer["ok"]:
            raise CodeGateError(answer["message"], gate=name, kind=answer["kind"],
                                line=answer.get("line"))
        try:
            return answer, unpack_values(answer["values"], data)
        except (ValueError, KeyError):
            self._stop_child()
            raise CodeGateError(f"{label}: the process that runs code gates sent a garbled "
                                "reply and was stopped", gate=name, kind="crash") from None

    def _stop_child(self) -> int | None:
        child, self._child = self._child, None
        return child.stop() if child is not None else None


def _seconds(limit: float) -> str:
    return f"{limit:g} s" if math.isfinite(limit) else "its time limit"


_shared: CodeHost | None = None
_shared_lock = threading.Lock()


def shared_host() -> CodeHost:
    """The process-wide host the app runs its code gates in; closed at interpreter exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = CodeHost()
            atexit.register(_shared.close)
        return _shared
