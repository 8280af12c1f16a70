"""The classifier column: the decision-boundary plot above the training panel, on the right.

A circuit with inputs bound to data x and y classifies the points of the plane, and watching
its boundary move while it trains is the point of those two docks; for any other circuit they
would only say "bind two inputs", and their column is better spent on the canvas. So
``ClassifierColumn`` shows the docks when a document that is a classifier opens (or an edit
binds its first data input) and hides them when a document that is not one opens. The user can
still show or hide each from the Train and View menus or with its close button.

The canvas keeps its room either way: while the column shows, the docks of the column beside
it (Properties, Inputs: ``tabbed``) join the training panel's tabs instead of keeping a column
of their own, so a classifier's window has one side column, not two; when the column goes they
get their own column back. Sizes are not kept here: ``rearranged`` tells the window, which
gives every column its wanted width and height once the layout has settled.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal

from gui.common.deferred import after_events


class ClassifierColumn(QObject):
    """Shows the classifier docks exactly when the document is a classifier.

    ``window`` is the main window that lays the docks out, ``docks`` the column's docks (top
    first), ``tabbed`` the docks that join the lowest one's tabs while the column shows (in
    the order they get their own column back, top first).
    """

    rearranged = Signal()  # docks moved between columns: their sizes are to be given again

    def __init__(self, window, docks, tabbed, session):
        super().__init__(window)
        self.window = window
        self.docks = list(docks)
        self.tabbed = list(tabbed)
        self.session = session
        self._classifier = self.is_classifier()
        self._arrange_timer = after_events(self, self._next_move)
        self._plan: list = []  # the moves left of the current arrangement
        self._done: list = []  # the whole of the plan last carried out
        window.installEventFilter(self)
        for dock in self.docks:  # a close button or a menu toggle
            dock.toggleViewAction().toggled.connect(self._arrange_timer.start)
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

    def set_shown(self, shown: bool) -> None:
        """Show or hide every dock of the column."""
        for dock in self.docks:
            dock.setVisible(shown)
        self.arrange()

    # ----------------------------------------------------------------- the document
    def _document_changed(self, change) -> None:
        if change.kind == "node_added" or (  # (a pasted data input, or a new binding)
                change.kind == "node_changed" and change.field == "feature"):
            was, self._classifier = self._classifier, self.is_classifier()
            if self._classifier and not was and not self.is_shown():
                self.set_shown(True)

    # ----------------------------------------------------------------- one column or two
    def _area(self):
        return self.window.dockWidgetArea(self.docks[0])

    def _movable(self) -> list:
        """The tabbed docks docked on the column's side (a dock the user floated or moved
        elsewhere stays where they put it)."""
        return [dock for dock in self.tabbed if not dock.isFloating()
                and self.window.dockWidgetArea(dock) == self._area()]

    def arrange(self) -> None:
        """While the column shows, the tabbed docks become tabs of its lowest dock (which
        stays in front); when it goes, they share a column of their own again. One move per
        turn of the event loop, once the window is shown: Qt leaves stray tab bars on the
        window when docks move twice before it lays them out."""
        self._plan, self._done = [], []  # a plan worked out for another layout is void
        self._arrange_timer.start()

    def _moves(self) -> list:
        """What is left to do, as (move, dock, the dock it goes beside) tuples."""
        host, movable = self.docks[-1], self._movable()
        if not movable:
            return []
        if self.is_shown():
            if host.isHidden() or host.isFloating():  # closed or floated: they stay put
                return []
            joined = self.window.tabifiedDockWidgets(host)
            return [("tab", dock, host) for dock in movable if dock not in joined]
        first, rest = movable[0], movable[1:]
        if not any(dock in self.window.tabifiedDockWidgets(first) for dock in rest):
            return []  # a column of their own already
        return [("column", first, None)] + [("below", dock, above)
                                            for above, dock in zip(movable, rest)]

    def _next_move(self) -> None:
        if not self.window.isVisible():
            return  # the window's Show event comes back here
        if not self._plan:
            self._plan = self._moves()
            if not self._plan or self._plan == self._done:
                self._plan, self._done = [], []  # done, or the same moves changed nothing
                return
            self._done = list(self._plan)
        move, dock, other = self._plan.pop(0)
        if move == "tab":
            self.window.tabifyDockWidget(other, dock)
        elif move == "column":
            self.window.addDockWidget(self._area(), dock, Qt.Horizontal)
        else:
            self.window.splitDockWidget(other, dock, Qt.Vertical)
        if self._plan:
            self._arrange_timer.start()
            return
        if move == "tab":
            other.raise_()
        self.rearranged.emit()
        self._arrange_timer.start()  # (the document may have changed its mind meanwhile)

    def eventFilter(self, watched, event):
        if watched is self.window and event.type() == QEvent.Show:
            self.arrange()
        return False
