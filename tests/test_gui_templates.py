"""Templates: the dialog builds the linear classifier, the guide's 2-layer net and N-unit nets
with their data set inside; Train → New from Template opens one like File → New (asking about
unsaved edits); a net of 8 tanh units trains on xor to at least 95%, checked by hand; the
dialog opens on the last choice, and a template starts from the default training settings."""

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialogButtonBox

import engine
from gui.model.commands import AddNodeCommand
from gui.files.file_actions import CANCEL, DISCARD
from tests.gui_helpers import make_window
from gui.training.template_dialog import TemplateDialog
from gui.training.session import DEFAULT_STEP_SIZE


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


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
    assert window.asked == 1
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
    assert window.document.circuit is before and window.asked == 0


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


def answer_template_dialog(qtbot, act):
    """Run ``act(dialog)`` on the template dialog once it is shown (it is modal)."""

    def when_shown():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TemplateDialog):
            QTimer.singleShot(10, when_shown)
            return
        act(dialog)
    QTimer.singleShot(0, when_shown)


def press_button(qtbot, dialog, which):
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(which), Qt.LeftButton)


def type_into(qtbot, box, text):
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)


def test_the_dialog_opens_on_the_last_choice(window, qtbot):
    action = window.findChild(QAction, "action_templates")

    def choose_16_tanh_units(dialog):
        qtbot.keyClick(dialog.kind, Qt.Key_Down)
        qtbot.keyClick(dialog.kind, Qt.Key_Down)  # "A net with N hidden units"
        type_into(qtbot, dialog.hidden.lineEdit(), "16")
        dialog.activation.setFocus()
        qtbot.keyClick(dialog.activation, Qt.Key_Down)  # relu -> tanh
        type_into(qtbot, dialog.seed.lineEdit(), "5")
        press_button(qtbot, dialog, QDialogButtonBox.Ok)

    answer_template_dialog(qtbot, choose_16_tanh_units)
    action.trigger()
    circuit = window.document.circuit
    assert len(ops(circuit, "tanh")) == 16

    seen = []

    def look_and_cancel(dialog):
        seen.append(dialog.choice())
        press_button(qtbot, dialog, QDialogButtonBox.Cancel)

    answer_template_dialog(qtbot, look_and_cancel)
    action.trigger()
    assert seen == [dict(kind="hidden", n_hidden=16, activation="tanh", seed=5,
                         data="circle", gates="scalar")]
    assert window.document.circuit is circuit  # cancelled: nothing changed


def test_a_template_brings_the_default_training_settings(window, qtbot):
    session, panel = window.training_session, window.training_panel
    circuit = engine.templates.linear_classifier()
    engine.embed_dataset(circuit, engine.datasets.six_points())
    window.document.replace_circuit(circuit)
    type_into(qtbot, panel.step_size.lineEdit(), "10")
    assert session.step_size == 10.0

    answer_template_dialog(qtbot, lambda dialog: press_button(qtbot, dialog,
                                                              QDialogButtonBox.Ok))
    window.findChild(QAction, "action_templates").trigger()
    assert window.document.circuit is not circuit
    assert session.step_size == DEFAULT_STEP_SIZE
    assert panel.step_size.value() == DEFAULT_STEP_SIZE
    assert session.step()
    assert session.trainer.step_size == DEFAULT_STEP_SIZE
