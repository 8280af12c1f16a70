"""A file's own gates (FORMAT.md 6): what a compound or a code gate is defined as.

A *compound gate* is a sub-circuit, the lecture's sigmoid gate made of ``*-1``, ``exp``, ``+1``
and ``1/x``: its ``ports`` name ``input`` nodes of the sub-circuit, in port order, and its
value and gradients are the sub-circuit's. A *code gate* is a Python class with ``forward`` and
``backward``, the hacker's guide's ``MultiplyGate``; its code runs only in a worker process,
and only once the user trusts it and it has passed its gradient check (``trusted`` and
``check`` are the session's knowledge, never saved).

A definition becomes a row of the circuit's gate table (engine/gate_table.py), so the passes,
the check, the palette and the animation use it as they use ``add``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from .errors import CircuitError, quote

MAX_OWN_GATES = 256


@dataclass
class CompoundDefinition:
    """A gate made of a sub-circuit; ``circuit`` is that sub-circuit, its output the gate's."""

    name: str
    ports: tuple[str, ...]
    circuit: object  # engine.Circuit, owned by the file's circuit (Circuit.owner)
    extra: dict = field(default_factory=dict)  # keys of the definition this version ignores

    kind = "compound"

    def uses(self) -> set[str]:
        """The ops its inside uses (built-in and own)."""
        return {node.op for node in self.circuit.nodes.values()}


@dataclass
class CodeDefinition:
    """A gate written in Python: ``code`` defines a class with forward and backward.

    ``trusted``: the user chose to run it; ``check``: the last gradient check of it (an
    ``engine.GateCheck``), None before one; ``failure``: what stopped it while it ran (a
    runaway, an exception), "" when nothing did. None of them is saved.
    """

    name: str
    ports: tuple[str, ...]
    code: str
    extra: dict = field(default_factory=dict)
    trusted: bool = False
    check: object = None
    failure: str = ""

    kind = "code"

    def uses(self) -> set[str]:
        """A code gate uses no other gate."""
        return set()

    @cached_property
    def syntax_problem(self) -> str:
        """Its code's syntax error, "" if it compiles (compiling runs nothing)."""
        try:
            compile(self.code, f"<gate {self.name}>", "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"line {error.lineno}: SyntaxError: {error.msg}"
        except (ValueError, RecursionError, MemoryError) as error:
            return f"its code cannot be compiled: {type(error).__name__}"
        return ""

    @property
    def problem(self) -> str:
        """Why it cannot run now ("" when it can)."""
        if self.syntax_problem:
            return f"code gate {quote(self.name)} has a syntax error, {self.syntax_problem}"
        if not self.trusted:
            return f"code gate {quote(self.name)} is not trusted: its code is not run"
        if self.failure:
            return f"code gate {quote(self.name)} stopped: {self.failure}"
        if self.check is None:
            return f"code gate {quote(self.name)} has not been checked yet"
        if not self.check.passed:
            return f"code gate {quote(self.name)} fails its gradient check: " \
                   f"{self.check.message}"
        return ""

    def fingerprint(self) -> str:
        """What identifies its code: the same name, ports and code give the same text."""
        return json.dumps([self.name, list(self.ports), self.code])


def code_fingerprint(definitions: dict) -> str:
    """A sha256 of every code gate of a file (name, ports, code), "" if it has none: what
    trusting a file remembers, so a file whose code changed is asked about again."""
    codes = sorted(d.fingerprint() for d in definitions.values() if d.kind == "code")
    if not codes:
        return ""
    return hashlib.sha256("\n".join(codes).encode("utf-8")).hexdigest()


def uses_itself(definitions: dict, name: str, extra_use: tuple[str, str] | None = None
                ) -> list[str] | None:
    """The chain by which definition ``name`` would use itself (["A", "B", "A"]), or None.

    ``extra_use`` (user, used) is a use being added, tested before it is made.
    """
    def used_by(user: str) -> set[str]:
        found = definitions[user].uses() & set(definitions) if user in definitions else set()
        if extra_use is not None and extra_use[0] == user:
            found.add(extra_use[1])
        return found

    path = [name]
    stack = [iter(sorted(used_by(name)))]
    while stack:
        used = next(stack[-1], None)
        if used is None:
            stack.pop()
            path.pop()
            continue
        if used == name:
            return path + [name]
        if used in path:
            continue
        path.append(used)
        stack.append(iter(sorted(used_by(used))))
    return None


def in_use_order(definitions: dict, names) -> list[str]:
    """``names`` and the definitions they use, directly or not, each after the ones it uses
    (``definitions``: name -> anything with ``uses()``; none may use itself)."""
    order, done = [], set()

    def visit(name):  # as deep as the chain of definitions (at most MAX_OWN_GATES)
        if name in done:
            return
        done.add(name)
        for used in sorted(definitions[name].uses() & set(definitions)):
            visit(used)
        order.append(name)

    for name in names:
        visit(name)
    return order


def check_gate_name(name, builtin: dict, place: str) -> str:
    """A valid name for an own gate (an identifier that no built-in gate has)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise CircuitError(f"{place}: a gate's name must be a word of letters, digits and "
                           f"underscores that does not start with a digit, not {quote(name)}")
    if name in builtin:
        raise CircuitError(f"{place}: {quote(name)} is a built-in gate's name")
    return name
