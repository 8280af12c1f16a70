"""The classifier column: the decision-boundary plot above the training panel, on the right.

A circuit with inputs bound to data x and y classifies the points of the plane, and watching
its boundary move while it trains is the point of those two docks; for any other circuit they
would only say "bind two inputs", and their column is better spent on the canvas. So
``ClassifierColumn`` shows the docks when a document that is a classifier opens (or an edit
binds its first data input) and hides them when a document that is not one opens. The user can
still show or hide each from the Train and View menus or with its close button.

Properties keeps its width either way: the canvas gives the column its room and takes it back.
A QMainWindow would give a hidden column's width to the column beside it (Properties), not to
the central widget, and take a shown column's width from it. So the column watches its
neighbour: while the column neither appears nor goes, the neighbour's width is the user's and is
noted; when a resize comes with the column shown or hidden, the noted width is put back once the
layout has settled, and the canvas takes the difference.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer


class ClassifierColumn(QObject):
    """Shows the classifier docks exactly when the document is a classifier.

    ``window`` is the main window that lays the docks out, ``docks`` the column's docks (top
    first), ``neighbours`` the docks of the column beside it (Properties, Inputs).
    """

    def __init__(self, window, docks, neighbours, session, width: int, first_height: int):
        super().__init__(window)
        self.window = window
        self.docks = list(docks)
        self.neighbours = list(neighbours)
        self.session = session
        self.width = width  # the column's width when shown (the user's last, once seen)
        self.first_height = first_height  # the top dock's, the first time the column shows
        self._laid_out = False
        self._classifier = self.is_classifier()
        self._kept: tuple[bool, int] | None = None  # (column shown, neighbour's width)
        for dock in self.docks:
            dock.installEventFilter(self)
        for neighbour in self.neighbours:
            neighbour.installEventFilter(self)
        session.document.circuit_replaced.connect(self.follow)
        session.document.changed.connect(self._document_changed)

    def is_classifier(self) -> bool:
        """True when some input of the document is bound to data."""
        return any(node.is_data for node in self.session.document.circuit.nodes.values())

    def is_shown(self) -> bool:
        """True when one of the column's docks is shown in the column (not floating)."""
        return any(dock.isVisibleTo(self.window) and not dock.isFloating()
                   for dock in self.docks)

    def follow(self) -> None:
        """Show the column for a classifier, hide it otherwise."""
        self._classifier = self.is_classifier()
        self.set_shown(self._classifier)

    def reset(self, width: int) -> None:
        """Forget the widths noted so far (the window's layout was reset to ``width``)."""
        self.width = width
        self._kept = None
        self._laid_out = False

    def set_shown(self, shown: bool) -> None:
        """Show or hide every dock of the column."""
        self._note_widths()
        for dock in self.docks:
            dock.setVisible(shown)

    # ----------------------------------------------------------------- the document
    def _document_changed(self, change) -> None:
        if change.kind == "node_added" or (  # (a pasted data input, or a new binding)
                change.kind == "node_changed" and change.field == "feature"):
            was, self._classifier = self._classifier, self.is_classifier()
            if self._classifier and not was and not self.is_shown():
                self.set_shown(True)

    # ----------------------------------------------------------------- the canvas's width
    def _neighbour(self):
        """The visible docked column beside the classifier column (Properties), if any."""
        area = self.window.dockWidgetArea(self.docks[0])
        for dock in self.neighbours:
            if (dock.isVisible() and not dock.isFloating()
                    and self.window.dockWidgetArea(dock) == area):
                return dock
        return None

    def _note_widths(self) -> None:
        """Note the layout as it is, before a dock of the column appears or goes."""
        neighbour = self._neighbour()
        if neighbour is not None and self.window.isVisible():
            self._kept = (self.is_shown(), neighbour.width())

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Close and watched in self.docks:
            self._note_widths()  # its close button: the layout has not moved yet
        elif event.type() == QEvent.Resize and self.window.isVisible():
            if watched in self.docks:
                settled = self._kept is not None and self._kept[0] and self.is_shown()
                if settled and watched.isVisible() and not watched.isFloating():
                    self.width = watched.width()
            elif watched is self._neighbour():
                self._neighbour_resized(watched.width())
        return False

    def _neighbour_resized(self, width: int) -> None:
        shown = self.is_shown()
        if self._kept is None or self._kept[0] == shown:
            self._kept = (shown, width)  # the user's (or the window's) doing
        else:
            QTimer.singleShot(0, self._restore_widths)

    def _restore_widths(self) -> None:
        neighbour = self._neighbour()
        if neighbour is None or self._kept is None:
            return
        shown, width = self.is_shown(), self._kept[1]
        docks, widths = [neighbour], [width]
        column = [dock for dock in self.docks if dock.isVisible() and not dock.isFloating()]
        if shown and column:
            docks.append(column[0])
            widths.append(self.width)
        self._kept = (shown, width)
        self.window.resizeDocks(docks, widths, Qt.Horizontal)
        if shown and len(column) > 1 and not self._laid_out:
            self._laid_out = True
            rest = sum(dock.height() for dock in column) - self.first_height
            self.window.resizeDocks(column[:2], [self.first_height, rest], Qt.Vertical)
