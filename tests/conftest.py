"""Shared pytest set-up: Qt tests run without a display (offscreen), set before Qt is imported."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
