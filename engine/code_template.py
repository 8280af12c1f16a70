"""The source a new code gate's editor starts with: the hacker's guide's shape of a gate.

A class named after the gate (``mul`` -> ``MulGate``) whose ``forward`` takes one argument per
port, keeps its inputs on ``self`` and returns a placeholder, and whose ``backward(self, dz)``
raises NotImplementedError with a comment on what to return: one gradient per port, in order.
"""

from __future__ import annotations

import keyword
import re

from .errors import CircuitError, quote


def code_gate_class_name(name: str) -> str:
    """The class name for a gate: its words in CamelCase, ending in "Gate" ("mul" ->
    "MulGate", "sigmoid_neuron" -> "SigmoidNeuronGate", "MultiplyGate" stays)."""
    words = [word for word in re.split(r"[^0-9A-Za-z]+", name) if word]
    camel = "".join(word[:1].upper() + word[1:] for word in words)
    if not camel or camel[0].isdigit():
        camel = "My" + camel
    return camel if camel.endswith("Gate") else camel + "Gate"


def code_gate_template(name: str, ports) -> str:
    """The source an editor for a new code gate is prefilled with; CircuitError for a port
    that cannot be a Python argument name."""
    ports = list(ports)
    for port in ports:
        if not port.isidentifier() or keyword.iskeyword(port) or port == "self":
            raise CircuitError(f"port {quote(port)} cannot be an argument of forward: a port "
                               "of a code gate is a Python name (letters, digits, _)")
    arguments = ", ".join(ports)
    gradients = ", ".join(f"d{port}" for port in ports)
    keep = "".join(f"        self.{port} = {port}\n" for port in ports)
    return (f"class {code_gate_class_name(name)}:\n"
            f"    def forward({', '.join(['self', *ports])}):\n"
            f"        # keep what backward needs\n"
            f"{keep}"
            f"        return 0.0  # replace with the output, computed from {arguments}\n"
            f"\n"
            f"    def backward(self, dz):\n"
            f"        # return one gradient per input, in order: {gradients}\n"
            f"        # (each is dz times the local gradient of the output for that input)\n"
            f"        raise NotImplementedError(\"write backward: return {gradients}\")\n")
