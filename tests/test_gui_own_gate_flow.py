"""A compound gate in the window is one gate: the lecture's sigmoid gate ``sig`` (its *-1, exp,
+1 and 1/x made one gate) in the animated passes, with its local gradient 0.73 × (1 − 0.73) =
0.20 in its caption; Step Into shows its inside's steps with this use's numbers (1/x scales by
-0.53, exp by 0.37, ×−1 by -1: z gets 0.20), Step Out goes back; Explain writes the path
through it as one factor; the gradient check checks it as a gate."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar, QTreeWidget

import engine
from gui.docks.gradcheck_panel import ANALYTIC, ELEMENT, INPUT, NUMERICAL, STATUS
from gui.flow.animation import BACKWARD, FORWARD
from tests.gui_helpers import click_gate, make_window, settle
from tests.test_own_gate_captions import sig_neuron

SIG_CAPTION = "sig: local gradient s × (1 − s) = 0.73 × (1 − 0.73) = 0.20, as sigmoid's"


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    path = tmp_path / "sig_neuron.circuit"
    engine.save(sig_neuron(), path)
    assert window.open_path(path)
    window.document.flush()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    return window


def toolbar_button(window, name):
    toolbar = window.findChild(QToolBar, "flow_toolbar")
    return toolbar.widgetForAction(window.actions_by_name[name])


def click(qtbot, window, name):
    button = toolbar_button(window, name)
    assert button.isEnabled(), name
    qtbot.mouseClick(button, Qt.LeftButton)
    settle()


def step_to_sig(qtbot, window, phase):
    """Click Step until the level of ``phase`` that holds sig has arrived."""
    flow = window.flow_controller
    for _ in range(12):
        click(qtbot, window, "action_flow_step")
        qtbot.waitUntil(lambda: not flow.timer_active, timeout=5000)  # its dots arrived
        if flow.phase == phase and flow.visited[-1:] == ["sig"]:
            return flow
    raise AssertionError(f"the {phase} pass never reached sig")


def test_the_backward_pass_shows_the_sigmoid_gates_local_gradient(window, qtbot):
    flow = window.flow_controller
    assert not toolbar_button(window, "action_flow_step_into").isEnabled()
    step_to_sig(qtbot, window, FORWARD)
    assert flow.caption_of("sig", "forward") == "sig = sig(1.00) = 0.73"
    step_to_sig(qtbot, window, BACKWARD)
    assert flow.caption_of("sig", "backward") == f"{SIG_CAPTION}\n1.00 × 0.20 = 0.20 → z"
    card = next(c for c in flow.caption_items() if c.title == SIG_CAPTION)
    assert card.isVisible() and card.active
    assert "0.73 × (1 − 0.73) = 0.20" in window.statusBar().currentMessage()


def test_step_into_shows_the_insides_steps_and_step_out_goes_back(window, qtbot):
    flow = window.flow_controller
    step_to_sig(qtbot, window, BACKWARD)
    assert not toolbar_button(window, "action_flow_step_out").isEnabled()
    click(qtbot, window, "action_flow_step_into")
    assert flow.inside is not None and flow.inside.gate_id == "sig"
    assert flow.caption_of("sig", "inside").splitlines() == [
        "Inside sig, backward, step 1 of 5: 1/x scales by its local gradient −1 / a²",
        "f starts with 1.00, the gradient sig got",
        "f: 1.00 × -0.53 = -0.53 → plus_1"]
    assert toolbar_button(window, "action_flow_step_out").isEnabled()
    assert not toolbar_button(window, "action_flow_step_into").isEnabled()
    for _ in range(3):  # F6, the Step key, shows the inside's next gate
        qtbot.keyClick(window.view.viewport(), Qt.Key_F6)
    lines = flow.caption_of("sig", "inside").splitlines()
    assert lines[0] == "Inside sig, backward, step 4 of 5: ×−1 scales by its local gradient c = -1"
    assert lines[3:] == ["plus_1: -0.53 × 1.00 = -0.53 → exp",
                         "exp: -0.53 × 0.37 = -0.20 → times_minus_1",
                         "times_minus_1: -0.20 × -1.00 = 0.20 → z"]
    card = next(c for c in flow.caption_items() if c.title == lines[0])
    assert card.isVisible()
    assert flow.phase == BACKWARD and flow.visited[-1] == "sig"  # the outer pass waited
    qtbot.keyClick(window.view.viewport(), Qt.Key_F8, Qt.ShiftModifier)  # Step Out
    assert flow.inside is None and flow.caption_of("sig", "inside") == ""
    assert flow.caption_of("sig", "backward").startswith(SIG_CAPTION)
    click(qtbot, window, "action_flow_step")  # the passes go on: z's level
    qtbot.waitUntil(lambda: flow.visited[-1] == "z", timeout=5000)


def test_step_into_during_the_forward_pass_shows_the_insides_values(window, qtbot):
    flow = window.flow_controller
    step_to_sig(qtbot, window, FORWARD)
    qtbot.keyClick(window.view.viewport(), Qt.Key_F8)
    assert flow.caption_of("sig", "inside").splitlines() == [
        "Inside sig, forward, step 1 of 5", "z = 1.00 from z",
        "times_minus_1 = -1.00 × 1.00 = -1.00"]
    for _ in range(4):
        qtbot.keyClick(window.view.viewport(), Qt.Key_F6)
    assert flow.caption_of("sig", "inside").splitlines()[-3:] == [
        "plus_1 = 0.37 + 1.00 = 1.37", "f = 1 / 1.37 = 0.73", "sig = f = 0.73"]
    qtbot.keyClick(window.view.viewport(), Qt.Key_F6)  # past the last step: back out
    assert flow.inside is None and flow.phase == FORWARD


def test_explain_writes_the_path_through_sig_as_one_factor(window, qtbot):
    click_gate(qtbot, window, "x0")
    text = window.explain_panel.text()
    assert "Path 1: x0 → w0x0 → dot → z → sig" in text
    assert SIG_CAPTION in text
    assert "df/dx0 = 2.00 × 1.00 × 1.00 × 0.20 = 0.39" in text


def test_the_gradient_check_checks_sig_as_a_gate(window, qtbot):
    qtbot.keyClick(window.view.viewport(), Qt.Key_G, Qt.ControlModifier)
    panel = window.gradcheck_panel
    assert [row.text(INPUT) for row in panel.rows()] == ["w0", "x0", "w1", "x1", "w2"]
    (row,) = panel.gate_rows()
    assert [row.text(c) for c in (INPUT, ELEMENT, ANALYTIC, NUMERICAL, STATUS)] == [
        "sig", "port z", "0.20", "0.20", "✓ ok"]
    assert panel.badges.badges()["sig"].glyph == "✓"
    assert "Own gate sig passes the gate check" in panel.status.text()
    table = window.findChild(QTreeWidget, "gradcheck_table")
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualItemRect(row).center())
    assert window.scene.selected_node_ids() == ["sig"]  # its row selects the gate
