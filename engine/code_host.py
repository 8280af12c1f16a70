"""The process that runs code gates, and the wire format it speaks.

A code gate is a class a student writes (the hacker's guide's ``class MultiplyGate`` with
``forward(self, x, y)`` and ``backward(self, dz)``). It runs here, in a child process that
``engine.code_runner`` starts by this file's path, so that a runaway loop or a crash can be
stopped by ending the process, never the app. This file uses only the standard library and
numpy and never imports the engine package (the engine imports its framing functions).

The wire: each message is a frame of two little-endian uint32 (the lengths of a UTF-8 JSON
header and of a payload), the header, then the payload. Values (numbers and arrays alike) go in
the payload as raw little-endian float64, in order; the header's ``"values"`` lists their shapes
(``[]`` for a number), so nan and inf travel as themselves. No pickle.

Requests: ``{"op": "define", "name", "ports", "code"}``; ``{"op": "forward", "name"}`` with the
inputs as values; ``{"op": "backward", "name"}`` with the inputs and then dz. ``define``
compiles the code (as file ``<gate NAME>``), runs it in a fresh namespace that has ``np``,
``numpy`` and ``math``, and requires exactly one class with ``forward`` taking one argument per
port and ``backward(self, dz)``. ``forward`` makes a fresh instance and returns its output;
``backward`` makes a fresh instance, runs forward, then backward(dz), and returns the output and
one gradient per port. Replies: ``{"ok": true, "values": [...], "printed": ...}`` (``"class"``
for define), or ``{"ok": false, "kind", "line", "message", "printed"}`` where ``line`` is the
1-based line in the gate's source (the innermost frame of the student's code) or null, and
kind is one of syntax, definition, exception, wrong count, wrong type, shape, undefined.

What comes back: a Python number, a numpy scalar or an array of rank <= 2 of real numbers,
made float64 (anything else is a fault marked on the line of its method's ``def``). A gradient
has its port's shape, or is a number, which counts for every element (broadcast to the port's
shape). With one port, backward may return the gradient itself
instead of a 1-tuple. Whatever the student's code prints is kept (up to PRINT_LIMIT
characters, returned as ``"printed"``); the protocol has its own copies of stdin and stdout,
and the file descriptors 0 and 1 point at the null device.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import json
import math
import os
import queue
import signal
import struct
import sys
import threading

if __name__ == "__main__":
    # run by path, Python puts engine/ first on sys.path: its modules must not shadow a module
    # that numpy or the student's code imports
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]

import numpy as np  # noqa: E402 (after the sys.path fix above)

FRAME = struct.Struct("<II")  # the JSON header's length, the payload's length
MAX_PART = 1 << 30  # a length beyond this means the stream is garbled
PRINT_LIMIT = 4000
MESSAGE_LIMIT = 200
_FLOAT = "<f8"


# ---- the wire (used by both sides) -------------------------------------------------------

def write_frame(stream, header: dict, payload: bytes = b"") -> None:
    """Send one message: lengths, JSON header, payload; flushed."""
    data = json.dumps(header, allow_nan=False).encode("utf-8")
    stream.write(FRAME.pack(len(data), len(payload)) + data + payload)
    stream.flush()


def _read_exactly(stream, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(stream):
    """The next message as (header, payload); None at the end of the stream; ValueError if
    the bytes are not a message."""
    lengths = _read_exactly(stream, FRAME.size)
    if lengths is None:
        return None
    header_size, payload_size = FRAME.unpack(lengths)
    if header_size > MAX_PART or payload_size > MAX_PART:
        raise ValueError("garbled frame")
    body = _read_exactly(stream, header_size + payload_size)
    if body is None:
        raise ValueError("the stream ended inside a frame")
    return json.loads(body[:header_size].decode("utf-8")), body[header_size:]


def pack_values(values) -> tuple[list, bytes]:
    """Numbers and arrays as (their shapes, their float64 bytes in order)."""
    arrays = [np.asarray(value, dtype=_FLOAT) for value in values]
    return [list(a.shape) for a in arrays], b"".join(a.tobytes() for a in arrays)


def unpack_values(shapes: list, payload: bytes) -> list:
    """The values ``pack_values`` sent: a Python float for shape [], otherwise a read-only
    float64 array."""
    values, offset = [], 0
    for shape in shapes:
        count = math.prod(shape)
        array = np.frombuffer(payload, dtype=_FLOAT, count=count, offset=offset)
        offset += count * 8
        values.append(float(array[0]) if shape == [] else
                      array.reshape(shape).astype(np.float64))
        if shape:
            values[-1].flags.writeable = False
    if offset != len(payload):
        raise ValueError("the payload does not match its shapes")
    return values


# ---- running the student's code (the child only) -----------------------------------------

class GateFault(Exception):
    """Something wrong with a gate's code: the reply's kind, message and line."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        super().__init__(message)
        self.kind, self.message, self.line = kind, message, line


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 3] + "..."


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _ports_text(ports) -> str:
    return ", ".join(ports)


def _shape_words(shape: tuple) -> str:
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return "a " + "×".join(str(size) for size in shape) + (" matrix" if len(shape) == 2 else
                                                            " array")


def as_float64(value, what: str):
    """A returned value as float64: a float, or an array of rank 1 or 2; GateFault otherwise.
    ``what`` starts the message: "forward returned"."""
    if value is None:
        raise GateFault("wrong type", f"{what} None, not a number or array")
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (is_number or isinstance(value, (np.ndarray, np.generic))):
        raise GateFault("wrong type",
                        f"{what} {_a(type(value).__name__)}, not a number or array")
    if not is_number and value.dtype.kind not in "iuf":
        raise GateFault("wrong type", f"{what} {_a(str(value.dtype))} value, not a real number")
    try:
        array = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise GateFault("wrong type", f"{what} a number too large for a float") from None
    if array.ndim > 2:
        raise GateFault("shape", f"{what} {_shape_words(array.shape)}; a wire carries a "
                                 "number, a vector or a matrix")
    return float(array) if array.ndim == 0 else array


class Gate:
    """One defined gate: its ports, the student's class, and where its source lines are."""

    def __init__(self, name: str, ports: list, code: str):
        self.name, self.ports = name, list(ports)
        self.filename = f"<gate {name}>"
        self.label = name  # the class's name once it is known
        self.printed = _CappedText()
        compiled = self._compiled(code)
        namespace = {"__name__": f"gate_{name}", "__builtins__": __builtins__,
                     "np": np, "numpy": np, "math": math}
        self.run(self.label, exec, compiled, namespace)
        self.cls = self._the_class(code, namespace)
        self.label = self.cls.__name__
        self._check_signature("forward", [0.0] * len(self.ports),
                              f"forward(self, {_ports_text(self.ports)})")
        self._check_signature("backward", [0.0], "backward(self, dz)")

    def _compiled(self, code: str):
        try:
            return compile(code, self.filename, "exec")
        except SyntaxError as error:
            line = error.lineno
            if line is not None:
                line = max(1, min(line, code.count("\n") + 1))
            where = f"{self.name}, line {line}" if line else self.name
            raise GateFault("syntax", f"{where}: {type(error).__name__}: "
                                      f"{_one_line(error.msg)}", line) from None
        except ValueError as error:  # e.g. a null byte in the source
            raise GateFault("syntax", f"{self.name}: {_one_line(error)}") from None

    def _the_class(self, code: str, namespace: dict):
        classes = []
        for value in namespace.values():
            if isinstance(value, type) and value.__module__ == namespace["__name__"] \
                    and value not in classes:
                classes.append(value)
        lines = {node.name: node.lineno for node in ast.walk(ast.parse(code))
                 if isinstance(node, ast.ClassDef)}
        if not classes:
            raise GateFault("definition", f"{self.name}: the code defines no class; write one "
                                          "class with forward and backward")
        if len(classes) > 1:
            names = ", ".join(cls.__name__ for cls in classes)
            raise GateFault("definition", f"{self.name}: the code defines {len(classes)} "
                                          f"classes ({names}); write exactly one",
                            lines.get(classes[1].__name__))
        cls = classes[0]
        for method in ("forward", "backward"):
            if not callable(getattr(cls, method, None)):
                raise GateFault("definition", f"{cls.__name__} has no {method} method",
                                lines.get(cls.__name__))
        return cls

    def _check_signature(self, method: str, arguments: list, wanted: str) -> None:
        try:
            inspect.signature(getattr(self.cls, method)).bind(None, *arguments)
        except TypeError:
            count = len(arguments)
            raise GateFault("definition",
                            f"{self.label}.{method} does not take {count} argument"
                            f"{'s' if count != 1 else ''} after self: write def {wanted}",
                            self.def_line(method)) from None
        except ValueError:  # no signature to read (a builtin): calling it will tell
            pass

    def run(self, where: str, function, *arguments):
        """Call the student's code, its prints kept; any exception becomes a GateFault naming
        the innermost line of the student's source."""
        try:
            with contextlib.redirect_stdout(self.printed), contextlib.redirect_stderr(
                    self.printed):
                return function(*arguments)
        except BaseException as error:  # the student's code may raise anything, even exit
            line, where = self._innermost(error.__traceback__, where)
            at = f"{where}, line {line}" if line else where
            text = _one_line(error)
            message = f"{at}: {type(error).__name__}" + (f": {text}" if text else "")
            raise GateFault("exception", message, line) from None

    def _innermost(self, trace, where: str):
        line = None
        while trace is not None:
            code = trace.tb_frame.f_code
            if code.co_filename == self.filename:
                line = trace.tb_lineno
                name = getattr(code, "co_qualname", code.co_name)
                where = self.label if name == "<module>" else name
            trace = trace.tb_next
        return line, where

    def forward(self, inputs: list):
        gate = self.run(f"{self.label}()", self.cls)
        output = self.run(f"{self.label}.forward", gate.forward, *inputs)
        return gate, self._returned(output, "forward", f"{self.label}.forward returned")

    def backward(self, inputs: list, dz) -> list:
        gate, output = self.forward(inputs)
        grads = self.run(f"{self.label}.backward", gate.backward, dz)
        count, ports = len(self.ports), _ports_text(self.ports)
        line = self.def_line("backward")
        if not isinstance(grads, (tuple, list)):
            is_value = isinstance(grads, (int, float, np.ndarray, np.generic))
            if count == 1 or (is_value and not isinstance(grads, bool)):
                grads = [grads]
            else:
                returned = "None" if grads is None else _a(type(grads).__name__)
                raise GateFault("wrong type", f"{self.label}.backward returned {returned}, not "
                                              f"one gradient per port ({ports})", line)
        if len(grads) != count:
            raise GateFault("wrong count",
                            f"{self.label}.backward returned {len(grads)} gradient"
                            f"{'s' if len(grads) != 1 else ''} for {count} port"
                            f"{'s' if count != 1 else ''} ({ports})", line)
        return [output] + [self._gradient(port, grad, x)
                           for port, grad, x in zip(self.ports, grads, inputs)]

    def def_line(self, method: str) -> int | None:
        """The line of ``def method`` in the gate's source (None if it is not there)."""
        code = getattr(getattr(self.cls, method, None), "__code__", None)
        return code.co_firstlineno if code and code.co_filename == self.filename else None

    def _returned(self, value, method: str, what: str):
        """as_float64, a fault marked on the line of ``def method``."""
        try:
            return as_float64(value, what)
        except GateFault as fault:
            fault.line = self.def_line(method)
            raise

    def _gradient(self, port: str, grad, x):
        what = f"{self.label}.backward's gradient for port {port} is"
        grad = self._returned(grad, "backward", what)
        shape = np.shape(x)
        if np.shape(grad) == shape:
            return grad
        if np.ndim(grad) == 0:
            return np.full(shape, grad)
        raise GateFault("shape", f"{what} {_shape_words(np.shape(grad))}, but port {port} is "
                                 f"{_shape_words(shape)}", self.def_line("backward"))


class _CappedText(io.TextIOBase):
    """A text stream that keeps the first PRINT_LIMIT characters written to it."""

    def __init__(self):
        super().__init__()
        self.parts, self.size = [], 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = PRINT_LIMIT - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts, self.size = [], 0
        return text


class Host:
    """The child's work: the defined gates and the answer to each request."""

    def __init__(self):
        self.gates: dict[str, Gate] = {}

    def answer(self, header: dict, payload: bytes) -> tuple[dict, bytes]:
        op, name = header.get("op"), header.get("name")
        gate = None
        try:
            if op == "define":
                self.gates.pop(name, None)
                gate = Gate(name, header["ports"], header["code"])
                self.gates[name] = gate
                return {"ok": True, "class": gate.label, "values": [],
                        "printed": gate.printed.take()}, b""
            if name not in self.gates:
                raise GateFault("undefined", f"gate {name} is not defined")
            gate = self.gates[name]
            values = unpack_values(header["values"], payload)
            if op == "forward":
                results = [gate.forward([_writable(v) for v in values])[1]]
            else:
                *inputs, dz = [_writable(v) for v in values]
                results = gate.backward(inputs, dz)
            shapes, data = pack_values(results)
            return {"ok": True, "values": shapes, "printed": gate.printed.take()}, data
        except GateFault as fault:
            printed = gate.printed.take() if gate is not None else ""
            return {"ok": False, "kind": fault.kind, "line": fault.line,
                    "message": fault.message, "printed": printed}, b""


def _writable(value):
    """A fresh copy the student's code may change."""
    return value if isinstance(value, float) else np.array(value)


def _private_streams():
    """The protocol's own copies of stdin and stdout; fds 0 and 1 and sys.std* then point at
    the null device, so nothing the student's code reads or prints touches the protocol."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr = open(os.devnull, "w")
    return requests, replies


def _read_requests(stream, inbox: queue.Queue) -> None:
    """Reader thread: requests into the inbox; the app closing our stdin (or garbling it) ends
    the process at once, even while the student's code is in a loop."""
    try:
        while (frame := read_frame(stream)) is not None:
            inbox.put(frame)
    except (OSError, ValueError):
        pass
    os._exit(0)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the app's terminal is the app's
    requests, replies = _private_streams()
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_read_requests, args=(requests, inbox), daemon=True).start()
    write_frame(replies, {"ok": True, "ready": True})
    host = Host()
    while True:
        header, payload = inbox.get()
        write_frame(replies, *host.answer(header, payload))


if __name__ == "__main__":
    main()
