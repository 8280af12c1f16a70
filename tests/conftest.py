"""Shared pytest set-up: Qt tests run without a display (offscreen), set before Qt is imported."""

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _release_clipboard_before_exit():
    """Do at the end of the run what the app does on quit
    (see gui.canvas.editing.release_clipboard)."""
    yield
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            from gui.canvas.editing import release_clipboard

            release_clipboard()
