"""The Flow toolbar's own pieces: the speed slider, and buttons that follow the controller.

The actions (Play, Pause, Step one level of gates, Restart, Skip to the end, Step Into and Out
of a compound gate), their keys and
their places in the Run menu and the Flow toolbar are declared with every other action of the
window (in ``gui/window_parts.py``); the main window makes them and finishes the toolbar with
these. Play and Pause enable each other as the controller starts and stops; Step Into is enabled
while the level being worked on holds a compound gate, Step Out while stepped into one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSlider, QToolBar

from gui.flow.animation import DONE, IDLE, SPEED_MAX, SPEED_MIN


def follow_controller(controller, actions: dict) -> None:
    """Enable the flow actions (by objectName) as the controller's state allows."""
    play, pause = actions["action_flow_play"], actions["action_flow_pause"]

    def follow():
        play.setEnabled(not controller.playing)
        pause.setEnabled(controller.playing)
        actions["action_flow_restart"].setEnabled(controller.phase != IDLE)
        actions["action_flow_finish"].setEnabled(controller.phase != DONE)
        actions["action_flow_step_into"].setEnabled(controller.gate_to_step_into() is not None)
        actions["action_flow_step_out"].setEnabled(controller.inside is not None)

    controller.state_changed.connect(follow)
    controller.phase_changed.connect(lambda _phase: follow())
    follow()


def add_speed_slider(toolbar: QToolBar, controller) -> QSlider:
    """Add the "flow_speed" slider (with its label) to the end of ``toolbar``."""
    toolbar.addSeparator()
    label = QLabel(" Speed ")
    label.setObjectName("flow_speed_label")
    toolbar.addWidget(label)
    slider = QSlider(Qt.Horizontal)
    slider.setObjectName("flow_speed")
    slider.setRange(SPEED_MIN, SPEED_MAX)
    slider.setValue(controller.speed)
    slider.setFixedWidth(110)
    slider.setToolTip("How fast the dots travel (they never go so fast they seem to run "
                      "backwards)")
    slider.valueChanged.connect(controller.set_speed)
    toolbar.addWidget(slider)
    return slider
