"""The breadcrumb bar above the canvas: which compound gate's inside is shown, and the way out.

Opening a compound gate (double-click it, Enter, or its menu's Open Gate) shows its inside on
the canvas; the bar then reads ``my_file ▸ sig`` (``my_file ▸ sig ▸ inner`` for a gate opened
inside another). Each crumb but the last is a button that goes back out to its level, as do
Back, Escape on the canvas and Alt+Up. Beside the crumbs the bar says what an edit here does:
"Editing the inside of sig — used 2 times; every change applies to all of them". At the
file's own level the bar is hidden: there is nothing to go out of. It sits at the top of the
canvas view, which keeps its viewport below it (``setViewportMargins``, as a table keeps its
header), so the canvas is never covered.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

CRUMB_SEPARATOR = "▸"


def _times(count: int) -> str:
    return {0: "not used yet", 1: "used once"}.get(count, f"used {count} times")


def editing_text(document) -> str:
    """What is being edited, for the bar and the status bar ("" at the file's level)."""
    if not document.levels:
        return ""
    name = document.levels[-1].name
    count = len(document.uses_of_shown_gate())
    applies = ("every change applies to all of them" if count > 1
               else "every change applies to it" if count == 1
               else "a gate you place later gets every change")
    return f"Editing the inside of {name} — {_times(count)}; {applies}"


def level_status_text(document) -> str:
    """The status bar's line after the levels shown changed: what is edited now, or that the
    top level is shown again (and why, when no gesture asked for it: "sig is gone"); "" when
    nothing changed worth saying (a new file)."""
    note = document.level_note
    if document.levels:
        back = (f"Back at {document.levels[-1].name}: {note}. "
                if note and len(document.left_levels) > len(document.levels) else "")
        return back + editing_text(document)
    if not document.left_levels:
        return ""
    return "Back at the top level" + (f": {note}" if note else "")


def numbers_text(document) -> str:
    """Whose numbers the inside shows: its use's, or its own ("" at the file's level)."""
    if not document.levels:
        return ""
    use = document.levels[-1].use
    return (f"numbers of {use} in the run" if use is not None
            else "its own values (opened from no use)")


def crumb_names(document) -> list[str]:
    """The crumbs' texts: the file's name without its suffix, then each gate opened."""
    name = document.display_name
    stem = name.rsplit(".", 1)[0] if name.endswith(".circuit") else name
    return [stem, *(level.name for level in document.levels)]


class BreadcrumbBar(QWidget):
    """``my_file ▸ sig`` with a Back button, over the canvas while a gate's inside is shown."""

    def __init__(self, document, view):
        super().__init__(view)
        self.setObjectName("breadcrumb_bar")
        self.document = document
        self.setAutoFillBackground(True)
        self.setStyleSheet("#breadcrumb_bar { background: #e8f0fe; "
                           "border-bottom: 1px solid #c5d3ea; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        self.back_button = QToolButton(self)
        self.back_button.setObjectName("crumb_back")
        self.back_button.setText("◂ Back")
        self.back_button.setToolTip("Go out one level (Escape on the canvas, Alt+Up)")
        self.back_button.setAutoRaise(True)
        self.back_button.clicked.connect(lambda: self.document.go_out())
        layout.addWidget(self.back_button)
        self.crumb_row = QHBoxLayout()
        self.crumb_row.setSpacing(0)
        layout.addLayout(self.crumb_row)
        layout.addSpacing(12)
        self.about = QLabel(self)
        self.about.setObjectName("crumb_about")
        self.about.setTextFormat(Qt.PlainText)
        self.about.setStyleSheet("color: #3c4043;")
        layout.addWidget(self.about, 1)
        self.crumbs: list[QToolButton] = []
        document.levels_changed.connect(self.refresh)
        document.file_changed.connect(self._file_changed)
        document.path_changed.connect(self.refresh)
        view.installEventFilter(self)  # its width follows the view's
        self.refresh()

    def refresh(self, *_args) -> None:
        """Rebuild the crumbs for the levels shown now."""
        while self.crumb_row.count():
            item = self.crumb_row.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # until it is deleted, after this turn of the event loop
                item.widget().deleteLater()
        names = crumb_names(self.document)
        self.crumbs = []
        for depth, name in enumerate(names):
            if depth:
                separator = QLabel(CRUMB_SEPARATOR, self)
                separator.setStyleSheet("color: #5f6368; padding: 0 4px;")
                self.crumb_row.addWidget(separator)
            crumb = QToolButton(self)
            crumb.setObjectName(f"crumb_{depth}")
            crumb.setText(name)
            crumb.setAutoRaise(True)
            current = depth == len(names) - 1
            crumb.setEnabled(not current)
            crumb.setStyleSheet("font-weight: bold;" if current else "color: #1a73e8;")
            crumb.setToolTip("Shown now" if current else f"Go out to {name}")
            crumb.clicked.connect(lambda _checked=False, d=depth: self.document.go_out(d))
            self.crumb_row.addWidget(crumb)
            self.crumbs.append(crumb)
        self._say()
        self.setVisible(bool(self.document.levels))
        self._place()

    def _place(self) -> None:
        """Across the top of the view, the viewport below it (no room taken when hidden)."""
        view = self.parentWidget()
        height = self.sizeHint().height() if self.document.levels else 0
        view.setViewportMargins(0, height, 0, 0)
        frame = view.frameWidth()
        self.setGeometry(frame, frame, view.width() - 2 * frame, height)

    def eventFilter(self, watched, event):
        if watched is self.parentWidget() and event.type() == QEvent.Resize:
            self._place()
        return super().eventFilter(watched, event)

    def _file_changed(self, change) -> None:
        if self.document.levels and change.kind in ("node_added", "node_removed",
                                                    "definition_changed"):
            self._say()  # the count of uses may have changed

    def _say(self) -> None:
        text = editing_text(self.document)
        numbers = numbers_text(self.document)
        self.about.setText(f"{text}  ·  {numbers}" if text else "")
