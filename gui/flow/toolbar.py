"""The buttons of the animated passes: a Flow toolbar and the same actions in the Run menu.

Play, Pause, Step (one level of gates), Restart, Skip to the end, and a speed slider. Play and Pause
enable each other as the controller starts and stops. The Run menu is shared with the other
Run-time tools: it is found by its objectName ``menu_run`` (made, before Help, if missing).
Shortcuts are given only if no other action of the window uses them already.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSlider, QStyle, QToolBar

from gui.flow.animation import DONE, IDLE, SPEED_MAX, SPEED_MIN
from gui.common.tool_menus import run_menu

# objectName, text, tip, icon, shortcut, controller method
_ACTIONS = [
    ("action_flow_play", "&Play Passes", "Animate the forward pass, then the backward pass",
     QStyle.SP_MediaPlay, "F5", "play"),
    ("action_flow_pause", "P&ause Passes", "Freeze the dots where they are",
     QStyle.SP_MediaPause, "Shift+F5", "pause"),
    ("action_flow_step", "S&tep One Level",
     "Send the numbers through the next level of gates (those as deep), then pause",
     QStyle.SP_MediaSkipForward, "F6", "play_step"),
    ("action_flow_restart", "&Restart Passes", "Back to the start of the forward pass",
     QStyle.SP_MediaSkipBackward, "Ctrl+F5", "restart"),
    ("action_flow_finish", "Skip to the &End", "Show every number, caption and wire width now",
     QStyle.SP_MediaSeekForward, "", "finish"),
]


def _taken_shortcuts(window) -> set[str]:
    taken = set()
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            taken.add(key.toString())
    return taken


def build_flow_actions(window, controller) -> QToolBar:
    """Make the flow actions, the "flow_toolbar" with the "flow_speed" slider, and the Run
    menu entries; returns the toolbar."""
    taken = _taken_shortcuts(window)
    actions = {}
    for name, text, tip, icon, key, method in _ACTIONS:
        action = QAction(window.style().standardIcon(icon), text, window)
        action.setObjectName(name)
        action.setIconText(text.replace("&", "").replace(" Passes", "").replace(
            " One Level", "").replace("Skip to the End", "End"))
        action.setStatusTip(tip)
        if key and key not in taken:
            action.setShortcut(QKeySequence(key))
            tip += f" ({key})"
        action.setToolTip(tip)
        action.triggered.connect(getattr(controller, method))
        window.addAction(action)
        actions[name] = action
    play, pause = actions["action_flow_play"], actions["action_flow_pause"]

    def follow():
        play.setEnabled(not controller.playing)
        pause.setEnabled(controller.playing)
        actions["action_flow_restart"].setEnabled(controller.phase != IDLE)
        actions["action_flow_finish"].setEnabled(controller.phase != DONE)

    controller.state_changed.connect(follow)
    controller.phase_changed.connect(lambda _phase: follow())
    follow()

    toolbar = QToolBar("Flow", window)
    toolbar.setObjectName("flow_toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    toolbar.addActions(list(actions.values()))
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
    window.addToolBar(toolbar)
    window.flow_toolbar = toolbar

    menu = run_menu(window)
    menu.addSection("Animate the passes")
    menu.addActions(list(actions.values()))
    return toolbar
