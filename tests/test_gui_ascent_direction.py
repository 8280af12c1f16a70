"""A file may suggest the gradient-ascent direction (its "ascent" key): the 11-line numpy net's
loss opens in minimise mode, and Step then lowers the loss; a file suggesting nothing opens
in the default, maximise."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

import engine
from tests.gui_helpers import make_window, show_at
from tests.helpers import EXAMPLES


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))
    return window


def open_from_menu(window, name):
    entry = next(a for a in window.menu_examples.actions() if a.data() == str(EXAMPLES / name))
    entry.trigger()
    window.document.flush()


def loss_of(window) -> float:
    """The 11-line net's loss Σ (y − l2)², computed here with numpy from the document's
    values."""
    nodes = window.document.circuit.nodes
    sigmoid = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    l1 = sigmoid(nodes["X"].value @ nodes["syn0"].value)
    l2 = sigmoid(l1 @ nodes["syn1"].value)
    return float(np.sum((nodes["y"].value - l2) ** 2))


def test_the_numpy_net_opens_in_minimise_mode_and_step_lowers_its_loss(window, qtbot):
    panel = window.ascent_panel
    assert panel.direction.currentText() == "maximise"
    open_from_menu(window, "numpy_net_11_lines.circuit")
    assert panel.direction.currentText() == "minimise" and panel.runner.minimize
    before = loss_of(window)
    qtbot.mouseClick(panel.step_button, Qt.LeftButton)
    window.document.flush()
    after = loss_of(window)
    assert after < before
    assert window.document.result.value == pytest.approx(after, rel=1e-12)
    open_from_menu(window, "add_mul.circuit")  # suggests nothing: back to the default
    assert panel.direction.currentText() == "maximise" and not panel.runner.minimize


def test_a_chosen_direction_stays_when_the_next_file_suggests_none(window):
    panel = window.ascent_panel
    panel.direction.setCurrentIndex(panel.direction.findText("minimise"))
    open_from_menu(window, "add_mul.circuit")
    assert panel.direction.currentText() == "minimise"


def test_the_suggestion_is_read_strictly_and_kept_on_save(tmp_path):
    data = json.loads((EXAMPLES / "numpy_net_11_lines.circuit").read_text(encoding="utf-8"))
    assert engine.suggested_minimize(engine.circuit_from_dict(data)) is True
    for odd in ({"minimize": "yes"}, {"minimize": 1}, [True], None):
        data["ascent"] = odd
        assert engine.suggested_minimize(engine.circuit_from_dict(data)) is None
    data["ascent"] = {"minimize": False}
    circuit = engine.circuit_from_dict(data)
    assert engine.suggested_minimize(circuit) is False
    engine.save(circuit, tmp_path / "net.circuit")
    saved = json.loads((tmp_path / "net.circuit").read_text(encoding="utf-8"))
    assert saved[engine.ASCENT_KEY] == {"minimize": False}
