"""The docks of the main window: made from their declarations, laid out, and kept readable.

``DockLayout`` makes one QDockWidget per ``window_parts.DOCKS`` entry around the panel the
window gives it, with a View menu toggle, and lays them out as declared (``arrange``). It keeps
them at sizes a person can read:

- a dock is never squeezed below its declared ``min_width`` (names in the palette, the Train /
  Step / Reset row, the gradient-check table stay whole); a smaller window is refused instead;
- each dock has a *wanted* size (its width in a side area, its height under the canvas): the
  declared one, or the one the user gave it by dragging a separator. When the window shrinks Qt
  takes the room from the docks; when it grows again Qt gives all of it to the canvas, so
  ``recover`` gives every dock that is narrower than wanted its size back;
- the wanted sizes are saved with the window's state, and after a restore the docks recover
  them, so a layout squeezed when the app was closed opens unsqueezed;
- ``reset`` (View -> Reset Layout) puts every dock back in its declared place and size.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea

from gui.window_parts import BOTTOM, DOCK_PARTS, DOCKS, LEFT, RIGHT, SCROLLS_DOWN, DockPart

SIDE_AREAS = (LEFT, RIGHT)
DOCK_FEATURES = (QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable
                 | QDockWidget.DockWidgetFloatable)


class DockLayout(QObject):
    """The window's docks (``docks[name]``), their default layout and their wanted sizes."""

    def __init__(self, window, panels: dict):
        super().__init__(window)
        self.window = window
        self.docks: dict[str, QDockWidget] = {}
        for part in DOCKS:
            self.docks[part.name] = self._make_dock(part, panels[part.name])
        # name -> (area, size): what each dock should have when there is room
        self.wanted = {part.name: (part.area, part.size) for part in DOCKS}
        self._before_drag: dict[str, tuple] = {}
        self._default_state = None
        self._recover_timer = QTimer(self)
        self._recover_timer.setSingleShot(True)
        self._recover_timer.setInterval(0)
        self._recover_timer.timeout.connect(self.recover)

    def _make_dock(self, part: DockPart, panel) -> QDockWidget:
        window = self.window
        dock = QDockWidget(part.title, window)
        dock.setObjectName(part.name)
        content, readable = panel, panel.minimumSizeHint().width()
        if part.scrolls:  # lets the dock shrink on small screens
            content = QScrollArea(dock)
            content.setWidgetResizable(True)
            content.setFrameShape(QFrame.NoFrame)
            content.setWidget(panel)
            if part.scrolls == SCROLLS_DOWN:  # its rows are never cut across
                readable += content.verticalScrollBar().sizeHint().width()
            else:
                readable = 0
        content.setMinimumWidth(max(part.min_width, readable))
        dock.setWidget(content)
        dock.setFeatures(DOCK_FEATURES)
        toggle = dock.toggleViewAction()
        toggle.setObjectName(part.toggle_name)
        if part.toggle_text:
            toggle.setText(part.toggle_text)
        if part.toggle_tip:
            toggle.setStatusTip(part.toggle_tip)
        return dock

    # ----------------------------------------------------------------- the default layout
    def arrange(self) -> None:
        """Put every dock in its declared place (before the window is shown); its sizes
        come with ``apply_default_sizes``, once the window knows which docks it shows."""
        window = self.window
        for part in DOCKS:
            dock = self.docks[part.name]
            if part.new_column:
                window.addDockWidget(part.area, dock, Qt.Horizontal)
            else:
                window.addDockWidget(part.area, dock)
        for part in DOCKS:
            if part.below:
                window.splitDockWidget(self.docks[part.below], self.docks[part.name],
                                       Qt.Vertical)
        for part in DOCKS:
            if part.tab_with:
                window.tabifyDockWidget(self.docks[part.tab_with], self.docks[part.name])
        self._default_state = window.saveState()

    def apply_default_sizes(self) -> None:
        """Give every dock its declared size and bring the front tabs forward."""
        window = self.window
        shown = [part for part in DOCKS if not self.docks[part.name].isHidden()]
        for part in shown:  # one column at a time: the columns' widths add up
            if part.area in SIDE_AREAS and not part.below:
                window.resizeDocks([self.docks[part.name]], [part.size], Qt.Horizontal)
        tall = [part for part in shown if part.area == BOTTOM or part.height]
        window.resizeDocks([self.docks[p.name] for p in tall],
                           [p.height or p.size for p in tall], Qt.Vertical)
        for part in DOCKS:
            if part.in_front:
                self.docks[part.name].raise_()

    def reset(self) -> None:
        """View -> Reset Layout: every dock shown in its declared place (the window then
        decides again which docks its document needs, and applies the default sizes)."""
        self.wanted = {part.name: (part.area, part.size) for part in DOCKS}
        if self._default_state is not None:
            self.window.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()

    # ----------------------------------------------------------------- sizes
    def size_along_area(self, name: str) -> tuple:
        """(area, size) of a docked, visible dock: its width at a side, its height below."""
        dock = self.docks[name]
        area = self.window.dockWidgetArea(dock)
        return area, (dock.width() if area in SIDE_AREAS else dock.height())

    def _shown(self, name: str) -> bool:
        dock = self.docks[name]
        return dock.isVisible() and not dock.isFloating()

    def off_size(self) -> dict[str, int]:
        """The shown docks that are not at their wanted size (narrower after a squeeze, or
        wider where Qt gave them the room a squeeze took from the canvas): name -> wanted."""
        found = {}
        for name, (area, size) in self.wanted.items():
            if self._shown(name):
                now_area, now = self.size_along_area(name)
                if now_area == area and now != size:
                    found[name] = size
        return found

    def recover(self) -> None:
        """Give every shown dock its wanted size back, as far as the window has room (the
        canvas takes or gives the difference)."""
        if not self.off_size():
            return
        for orientation, areas in ((Qt.Horizontal, SIDE_AREAS), (Qt.Vertical, (BOTTOM,))):
            names = [name for name, (area, _size) in self.wanted.items()
                     if area in areas and self._shown(name)
                     and self.window.dockWidgetArea(self.docks[name]) == area]
            if names:
                self.window.resizeDocks([self.docks[n] for n in names],
                                        [self.wanted[n][1] for n in names], orientation)

    def recover_soon(self) -> None:
        """Recover once the window's layout has settled (coalesced)."""
        self._recover_timer.start()

    def separator_pressed(self) -> None:
        """Note the sizes before the user drags a separator."""
        self._before_drag = {name: self.size_along_area(name) for name in self.docks
                             if self._shown(name)}

    def separator_released(self) -> None:
        """The docks the user's drag resized want their new sizes from now on."""
        for name, before in self._before_drag.items():
            if self._shown(name):
                now = self.size_along_area(name)
                if now != before:
                    self.wanted[name] = now
        self._before_drag = {}

    # ----------------------------------------------------------------- remembering
    def wanted_json(self) -> str:
        """The wanted sizes, for the settings."""
        return json.dumps({name: [int(area.value), size]
                           for name, (area, size) in self.wanted.items()})

    def restore_wanted(self, text) -> None:
        """Take wanted sizes from the settings (anything unreadable keeps the declared ones)."""
        try:
            stored = json.loads(text) if isinstance(text, str) else {}
        except ValueError:
            return
        if not isinstance(stored, dict):
            return
        areas = {int(area.value): area for area in (LEFT, RIGHT, BOTTOM)}
        for name, value in stored.items():
            if (name in DOCK_PARTS and isinstance(value, list) and len(value) == 2
                    and isinstance(value[0], int) and value[0] in areas
                    and isinstance(value[1], int) and value[1] > 0):
                self.wanted[name] = (areas[value[0]], value[1])
