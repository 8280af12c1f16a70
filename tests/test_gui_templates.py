"""Templates: the dialog builds the linear classifier, the guide's 2-layer net and N-unit nets
with their data set inside; Train → New from Template opens one like File → New (asking about
unsaved edits); a net of 8 tanh units trains on xor to at least 95%, checked by hand."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

import engine
from gui.model.commands import AddNodeCommand
from gui.files.file_actions import CANCEL, DISCARD
from gui.main_window import MainWindow
from gui.training.template_dialog import TemplateDialog


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, recovery_folder=tmp_path / "recovery")
    window.show_error = lambda title, text: None
    window.asked = []
    window.answer = DISCARD
    window.ask_unsaved = lambda: window.asked.append(True) or window.answer
    qtbot.addWidget(window)
    return window


@pytest.fixture
def dialog(qtbot):
    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    return dialog


def ops(circuit, op):
    return [node for node in circuit.nodes.values() if node.op == op]


def test_defaults_linear_with_six_points_nets_with_the_circle(dialog):
    dialog.choose("linear")
    circuit = dialog.circuit()
    assert sorted(circuit.movable_inputs()) == ["a", "b", "c"]
    assert engine.embedded_dataset(circuit) == engine.datasets.six_points()
    assert not dialog.hidden.isEnabled()

    dialog.choose("guide", seed=4)
    circuit = dialog.circuit()
    assert len(ops(circuit, "relu")) == 3
    assert engine.embedded_dataset(circuit).name == "circle"
    assert dialog.hidden.isEnabled() is False

    dialog.choose("hidden", 5, "sigmoid", seed=1, data="")
    circuit = dialog.circuit()
    assert len(ops(circuit, "sigmoid")) == 5
    assert len(circuit.movable_inputs()) == 5 * 4 + 1  # a, b, c, w per unit, and d
    assert "dataset" not in circuit.extra


def test_the_seed_gives_the_starting_parameters(dialog):
    dialog.choose("hidden", 3, "relu", seed=9)
    first = {i: n.value for i, n in dialog.circuit().nodes.items()}
    again = {i: n.value for i, n in dialog.circuit().nodes.items()}
    dialog.choose("hidden", 3, "relu", seed=10)
    other = {i: n.value for i, n in dialog.circuit().nodes.items()}
    assert first == again and first != other


def test_gates_are_laid_out_on_the_grid_without_overlaps(window, dialog, qtbot):
    dialog.choose("hidden", 12, "tanh")
    assert window.files.open_circuit(dialog.circuit())
    rects = [window.scene.gate_item(i).sceneBoundingRect().adjusted(8, 8, -8, -8)
             for i in window.document.circuit.nodes]
    for node in window.document.circuit.nodes.values():
        assert node.pos[0] % 20 == 0 and node.pos[1] % 20 == 0
    for k, rect in enumerate(rects):
        assert not any(rect.intersects(other) for other in rects[k + 1:])


def test_new_from_template_replaces_the_document_after_asking(window, qtbot):
    session = window.training_session
    doc = window.document
    command = AddNodeCommand(doc, "input", (0, 0))
    doc.push(command)
    assert doc.is_dirty
    chosen = []

    def ask():
        dialog = TemplateDialog()
        dialog.choose("guide", seed=2)
        chosen.append(dialog.circuit())
        return chosen[-1]

    window.ask_template = ask
    action = window.findChild(QAction, "action_templates")

    window.answer = CANCEL
    action.trigger()
    assert window.asked == [True]
    assert command.node_id in doc.circuit.nodes  # kept

    window.answer = DISCARD
    action.trigger()
    assert doc.circuit is chosen[-1]
    assert not doc.is_dirty and doc.path is None
    assert session.dataset.name == "circle"
    assert window.findChild(QAction, "action_undo").isEnabled() is False
    # ready to train
    assert session.step()
    assert doc.is_dirty


def test_cancelled_dialog_changes_nothing(window):
    before = window.document.circuit
    window.ask_template = lambda: None
    window.findChild(QAction, "action_templates").trigger()
    assert window.document.circuit is before and window.asked == []


def forward_by_hand(params, n_hidden, points):
    """score = sum_i w_i * tanh(a_i x + b_i y + c_i) + d, written out in numpy."""
    x, y = points[:, 0], points[:, 1]
    score = np.full(len(points), params["d"])
    for i in range(1, n_hidden + 1):
        score += params[f"w{i}"] * np.tanh(params[f"a{i}"] * x + params[f"b{i}"] * y
                                           + params[f"c{i}"])
    return score


def test_a_net_of_8_tanh_units_learns_xor(dialog):
    dialog.choose("hidden", 8, "tanh", seed=0, data="xor")
    circuit = dialog.circuit()
    data = engine.embedded_dataset(circuit)
    assert data == engine.make_dataset("xor", 100)
    trainer = engine.Trainer(circuit, data, step_size=0.1, reg=1e-3)
    for _ in range(300):
        trainer.step()
    scores = forward_by_hand(trainer.params, 8, data.points)
    accuracy = np.mean(data.labels * scores > 0)
    assert accuracy >= 0.95
    assert math.isclose(trainer.accuracy(), accuracy)
