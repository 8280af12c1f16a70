"""The hacker's guide's (x + y) * z with its two gates written in Python, for the tests of
code gates in the window: ``guide_file`` writes it (MultiplyGate's code may be replaced), the
``short_limit`` fixture makes the code host stop a call after 0.5 s instead of 2 s, and
``save_shot`` keeps a picture of a widget for a person to look at (never in the repository).
"""

import json
import os

import pytest

import engine

SHOTS = "/tmp/codegui"
MULTIPLY = ("class MultiplyGate:\n"
            "    def forward(self, x, y):\n"
            "        self.x = x\n"
            "        self.y = y\n"
            "        return x * y\n"
            "\n"
            "    def backward(self, dz):\n"
            "        return self.y * dz, self.x * dz\n")
ADD = ("class AddGate:\n"
       "    def forward(self, x, y):\n"
       "        return x + y\n"
       "\n"
       "    def backward(self, dz):\n"
       "        return dz, dz\n")


def guide_file(folder, multiply=MULTIPLY, name="guide.circuit"):
    """(x + y) * z at (-2, 5, -4) with AddGate and MultiplyGate as code gates, written to
    ``folder / name``; its path."""
    data = {
        "format": "circuitgrad", "version": 2, "title": "(x + y) * z with code gates",
        "gates": {"AddGate": {"ports": ["x", "y"], "code": ADD},
                  "MultiplyGate": {"ports": ["x", "y"], "code": multiply}},
        "nodes": [{"id": "x", "op": "input", "value": -2.0, "pos": [0, 0]},
                  {"id": "y", "op": "input", "value": 5.0, "pos": [0, 80]},
                  {"id": "z", "op": "input", "value": -4.0, "pos": [0, 160]},
                  {"id": "q", "op": "AddGate", "pos": [180, 40]},
                  {"id": "f", "op": "MultiplyGate", "pos": [360, 100]}],
        "wires": [{"from": "x", "to": "q", "port": 0}, {"from": "y", "to": "q", "port": 1},
                  {"from": "q", "to": "f", "port": 0}, {"from": "z", "to": "f", "port": 1}],
        "output": "f"}
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def short_limit():
    """The code host stops a call after 0.5 s instead of 2 s (the test waits less)."""
    host = engine.shared_host()
    old, host.time_limit = host.time_limit, 0.5
    yield host
    host.time_limit = old


def save_shot(widget, name: str) -> None:
    """A picture of ``widget`` in SHOTS, to look at."""
    os.makedirs(SHOTS, exist_ok=True)
    widget.grab().save(os.path.join(SHOTS, name))
