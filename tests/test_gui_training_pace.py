"""While training runs, the document's pass (the canvas numbers, the sources' pills, the
inputs panel) is paced (``Document.pace_passes``), not run for every frame; the frames'
changes are coalesced into the next pass, and the pass after Pause shows the last values
exactly. The pace is stretched to an hour here, so the count of passes does not depend on
how fast the machine is."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

import engine
import gui.training.session as session_module
from gui.canvas.gate_item import pill_picture
from gui.canvas.wire_item import number_text
from tests.gui_helpers import make_window, settle, show_at


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))
    return window


def test_a_run_paces_the_passes_and_pause_shows_the_last_values_exactly(
        qtbot, window, monkeypatch):
    monkeypatch.setattr(session_module, "RUN_PASS_S", 3600.0)
    circuit = engine.two_layer_net(2, "relu", seed=1)
    engine.embed_dataset(circuit, engine.make_dataset("spiral", 100))
    document, scene = window.document, window.scene
    document.replace_circuit(circuit)
    document.flush()
    settle()
    pill = scene.gate_item("W1").value_item
    first_text = pill.text
    first_w1 = document.result.values["W1"]
    passes, frames = [], []
    document.results_changed.connect(passes.append)
    window.training_session.trained.connect(frames.append)
    button = window.training_panel.train_button

    qtbot.mouseClick(button, Qt.LeftButton)  # Train
    assert document.passes_paced
    qtbot.waitUntil(lambda: len(frames) >= 10, timeout=20_000)
    assert passes == []  # ten frames wrote values: no pass yet, the pill waits for one
    assert pill.text == first_text
    assert np.array_equal(document.result.values["W1"], first_w1)
    assert not np.array_equal(circuit.nodes["W1"].value, first_w1)

    qtbot.mouseClick(button, Qt.LeftButton)  # Pause
    assert not document.passes_paced
    qtbot.waitUntil(lambda: len(passes) == 1)  # the last values' pass, at once
    final = engine.run(circuit)
    for node_id, value in final.values.items():
        assert np.array_equal(document.result.values[node_id], value), node_id
        assert np.array_equal(document.result.grads[node_id], final.grads[node_id]), node_id
    assert pill.text == pill_picture(circuit.nodes["W1"].value).text != first_text
    b2_wire = next(wire for wire in scene.wire_items() if wire.src == "b2")
    assert b2_wire.value_label.text == number_text(circuit.nodes["b2"].value)[0]
    assert b2_wire.grad_label.text == number_text(final.grads["b2"])[0]
