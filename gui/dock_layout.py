"""The docks of the main window: made from their declarations, laid out, and kept readable.

``DockLayout`` makes one QDockWidget per ``window_parts.DOCKS`` entry around the panel the
window gives it, with a View menu toggle, and lays them out as declared (``arrange``). It keeps
them at sizes a person can read:

- a dock is never squeezed below its declared ``min_width`` (names in the palette, the Train /
  Step / Reset row, the gradient-check table stay whole); a smaller window is refused instead;
- each dock has *wanted* sizes (``Wanted``: its width in a side area, its height in its
  column or under the canvas): the declared ones, or the ones the user gave it by dragging a
  separator. A side column's width is its top dock's; its lowest dock takes the height the
  others leave. When the window shrinks Qt takes the room from the docks; when it grows again
  Qt gives all of it to the canvas (and a column's height to whichever dock it likes), so
  ``recover`` gives every dock its sizes back;
- the wanted sizes are saved with the window's state, and after a restore the docks recover
  them, so a layout squeezed when the app was closed opens unsqueezed;
- ``reset`` (View -> Reset Layout) puts every dock back in its declared place and size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QStyle, QTabBar

from gui.window_parts import BOTTOM, DOCK_PARTS, DOCKS, LEFT, RIGHT, DockPart
from gui.common.deferred import after_events

SIDE_AREAS = (LEFT, RIGHT)
DOCK_FEATURES = (QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable
                 | QDockWidget.DockWidgetFloatable)


@dataclass(frozen=True)
class Wanted:
    """The sizes a dock should have when there is room: its width (its column's, in a side
    area) and its height (0: it takes what its column leaves)."""

    area: Qt.DockWidgetArea
    width: int
    height: int


def declared_sizes() -> dict[str, Wanted]:
    """Every dock's sizes as ``window_parts.DOCKS`` declares them."""
    return {part.name: (Wanted(part.area, 0, part.size) if part.area == BOTTOM
                        else Wanted(part.area, part.size, part.height)) for part in DOCKS}


class DockLayout(QObject):
    """The window's docks (``docks[name]``), their default layout and their wanted sizes."""

    def __init__(self, window, panels: dict):
        super().__init__(window)
        self.window = window
        self.docks: dict[str, QDockWidget] = {}
        for part in DOCKS:
            self.docks[part.name] = self._make_dock(part, panels[part.name])
        self.wanted = declared_sizes()
        self._before_drag: dict[str, QSize] = {}  # the docks in front as a drag began
        self._default_state = None
        self._recover_timer = after_events(self, self._recover_now)
        self._columns_only = False

    def _make_dock(self, part: DockPart, panel) -> QDockWidget:
        window = self.window
        dock = QDockWidget(part.title, window)
        dock.setObjectName(part.name)
        content, readable = panel, panel.minimumSizeHint().width()
        if part.scrolls_down:  # lets the dock be lower than its panel on small screens
            content = QScrollArea(dock)
            content.setWidgetResizable(True)
            content.setFrameShape(QFrame.NoFrame)
            content.setWidget(panel)
            readable += content.verticalScrollBar().sizeHint().width()  # rows never cut across
        content.setMinimumWidth(max(part.min_width, readable))
        dock.setWidget(content)
        dock.setFeatures(DOCK_FEATURES)
        toggle = dock.toggleViewAction()
        toggle.setObjectName(part.toggle_name)
        toggle.toggled.connect(self._shown_or_hidden)
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
        """Give every dock its declared size (once the window's layout has settled) and bring
        the front tabs forward."""
        self.wanted = declared_sizes()
        for part in DOCKS:
            if part.in_front:
                self.docks[part.name].raise_()
        self.recover_soon()

    def reset(self) -> None:
        """View -> Reset Layout: every dock shown in its declared place (the window then
        decides again which docks its document needs, and applies the default sizes)."""
        self.wanted = declared_sizes()
        if self._default_state is not None:
            self.window.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()

    # ----------------------------------------------------------------- sizes
    def _in_front(self, name: str) -> bool:
        """True for a docked dock the user sees (shown, and the front tab of its tabs)."""
        dock = self.docks[name]
        return (dock.isVisible() and not dock.isFloating()
                and not dock.visibleRegion().isEmpty())

    def columns(self) -> list[list[str]]:
        """The docks in front in the side areas, by column, each column top first. A column's
        width is its top dock's; tabs count as their front tab."""
        found: dict[tuple, list[str]] = {}
        for part in DOCKS:
            dock = self.docks[part.name]
            area = self.window.dockWidgetArea(dock)
            if area in SIDE_AREAS and self._in_front(part.name):
                found.setdefault((area.value, dock.x()), []).append(part.name)
        return [sorted(names, key=lambda name: self.docks[name].y())
                for names in found.values()]

    def _bottom(self) -> list[str]:
        return [name for name in self.docks if self._in_front(name)
                and self.window.dockWidgetArea(self.docks[name]) == BOTTOM]

    def _targets(self) -> list[tuple]:
        """(orientation, dock name, wanted px) for every size the layout keeps: each side
        column's width (its top dock's), the height of each dock of a column but its lowest
        (which takes the rest), the height of the docks under the canvas."""
        targets = []
        for column in self.columns():
            targets.append((Qt.Horizontal, column[0], self.wanted[column[0]].width))
            targets += [(Qt.Vertical, name, self.wanted[name].height) for name in column[:-1]]
        targets += [(Qt.Vertical, name, self.wanted[name].height) for name in self._bottom()]
        # a dock the user moved to another area keeps its size there until dragged
        return [(way, name, size) for way, name, size in targets if size > 0
                and self.wanted[name].area == self.window.dockWidgetArea(self.docks[name])]

    def off_size(self) -> dict[str, int]:
        """The docks in front whose kept size is not the wanted one (narrower or lower after
        a squeeze, or bigger where Qt gave them the room a squeeze took from the canvas):
        name -> wanted px (its width, or its height where only that is kept)."""
        found = {}
        for orientation, name, size in self._targets():
            dock = self.docks[name]
            now = dock.width() if orientation == Qt.Horizontal else dock.height()
            if now != size:
                found.setdefault(name, size)
        return found

    def recover(self, columns_only: bool = False) -> None:
        """Give every dock in front its wanted sizes back, as far as the window has room (the
        canvas takes or gives the difference; the lowest dock of a column the rest). With
        ``columns_only`` (the window shrank) only the heights within each side column: the
        canvas is not squeezed for the docks, but the room a column keeps goes to its
        lowest dock first."""
        self.window.layout().activate()
        if not self.off_size():
            return
        targets = self._targets()
        widths = [(name, size) for way, name, size in targets if way == Qt.Horizontal]
        if widths and not columns_only:
            self._resize(widths, Qt.Horizontal)
        heights = {name: size for way, name, size in targets if way == Qt.Vertical}
        for column in self.columns():
            upper = [(name, heights[name]) for name in column[:-1] if name in heights]
            if upper:  # Qt shares a column's height by the sizes' weights: give them all
                rest = self._room(column) - sum(size for _name, size in upper) - sum(
                    self.docks[name].height() for name in column[:-1] if name not in heights)
                lowest = self.docks[column[-1]].minimumSizeHint().height()
                self._resize(upper + [(column[-1], max(rest, lowest))], Qt.Vertical)
        below = [(name, heights[name]) for name in self._bottom() if name in heights]
        if below and not columns_only:
            self._resize(below, Qt.Vertical)

    def _room(self, column: list[str]) -> int:
        """The height a column's docks share: from its top to its bottom (the tab bar of
        tabbed docks included), less the separators between them."""
        docks = [self.docks[name] for name in column]
        left, right = docks[0].x(), docks[0].x() + docks[0].width()
        bottom = max(dock.geometry().bottom() for dock in docks)
        for bar in self.window.findChildren(QTabBar):
            if (bar.isVisible() and bar.parent() is self.window and bar.x() < right
                    and bar.x() + bar.width() > left):
                bottom = max(bottom, bar.geometry().bottom())
        separator = self.window.style().pixelMetric(QStyle.PM_DockWidgetSeparatorExtent)
        return bottom + 1 - docks[0].y() - separator * (len(docks) - 1)

    def _resize(self, sizes: list[tuple], orientation) -> None:
        self.window.resizeDocks([self.docks[name] for name, _size in sizes],
                                [size for _name, size in sizes], orientation)

    def _shown_or_hidden(self, _shown: bool) -> None:
        # Qt gives a hidden dock's room to its neighbour and takes a shown one's from it
        self.recover_soon()

    def recover_soon(self, columns_only: bool = False) -> None:
        """Recover once the window's layout has settled (coalesced: a full recovery asked
        for meanwhile wins)."""
        if not self._recover_timer.isActive():
            self._columns_only = columns_only
        self._columns_only = self._columns_only and columns_only
        self._recover_timer.start()

    def _recover_now(self) -> None:
        self.hide_stray_tab_bars()
        self.recover(self._columns_only)

    def hide_stray_tab_bars(self) -> None:
        """Hide the tab bars QMainWindow leaves drawn after docks were moved or a state was
        restored (Reset Layout): a bar is stray when its tabs are not the titles of a group of
        shown docks tabbed together now."""
        window = self.window
        groups = set()
        for dock in self.docks.values():
            if dock.isVisible() and not dock.isFloating():
                tabbed = [dock] + [other for other in window.tabifiedDockWidgets(dock)
                                   if other.isVisible()]
                if len(tabbed) > 1:
                    groups.add(frozenset(other.windowTitle() for other in tabbed))
        for bar in window.findChildren(QTabBar):
            if bar.parent() is window and bar.isVisible():
                titles = frozenset(bar.tabText(i) for i in range(bar.count()))
                if titles not in groups:
                    bar.hide()

    def separator_pressed(self) -> None:
        """Note the sizes before the user drags a separator."""
        self._before_drag = {name: self.docks[name].size() for name in self.docks
                             if self._in_front(name)}

    def separator_released(self) -> None:
        """The docks the user's drag resized want their new sizes from now on: a column's
        width is its top dock's, heights are each dock's own."""
        leads = {column[0] for column in self.columns()}
        for name, before in self._before_drag.items():
            if not self._in_front(name):
                continue
            now = self.docks[name].size()
            wanted = replace(self.wanted[name],
                             area=self.window.dockWidgetArea(self.docks[name]))
            if name in leads and now.width() != before.width():
                wanted = replace(wanted, width=now.width())
            if now.height() != before.height():
                wanted = replace(wanted, height=now.height())
            self.wanted[name] = wanted
        self._before_drag = {}

    # ----------------------------------------------------------------- remembering
    def wanted_json(self) -> str:
        """The wanted sizes, for the settings: name -> [area, width, height]."""
        return json.dumps({name: [int(w.area.value), w.width, w.height]
                           for name, w in self.wanted.items()})

    def restore_wanted(self, text) -> None:
        """Take wanted sizes from the settings (anything unreadable keeps the declared ones;
        a version that kept [area, size] kept the width at a side, the height below)."""
        try:
            stored = json.loads(text) if isinstance(text, str) else {}
        except ValueError:
            return
        if not isinstance(stored, dict):
            return
        areas = {int(area.value): area for area in (LEFT, RIGHT, BOTTOM)}
        for name, value in stored.items():
            if not (name in DOCK_PARTS and isinstance(value, list) and len(value) in (2, 3)
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                    and value[0] in areas and all(v >= 0 for v in value[1:])):
                continue
            area = areas[value[0]]
            if len(value) == 3:
                wanted = Wanted(area, value[1], value[2])
            elif area == BOTTOM:
                wanted = Wanted(area, 0, value[1])
            else:
                wanted = Wanted(area, value[1], self.wanted[name].height)
            if (wanted.height if area == BOTTOM else wanted.width) > 0:
                self.wanted[name] = wanted
