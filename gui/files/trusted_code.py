"""The files whose code the user has trusted, remembered between runs by their content.

A file with code gates (FORMAT.md 6) runs its code only once the user has seen it and chosen
*Trust and run*. The choice is remembered as a fingerprint of the file's code (the engine's
sha256 of its code gates; any string to this store), so the same code opens without asking
again and a file whose code changed asks again. The fingerprints live in the app's QSettings,
newest first, at most ``MAX_REMEMBERED``; tests pass a QSettings of their own (an ini file in
a temporary folder) so they never touch the user's.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

MAX_REMEMBERED = 500
_KEY = "trust/code_fingerprints"


class TrustedCode:
    """``is_trusted(fingerprint)`` and ``remember(fingerprint)`` over the app's settings."""

    def __init__(self, settings: QSettings | None = None):
        self.qsettings = settings if settings is not None else QSettings()

    def is_trusted(self, fingerprint: str) -> bool:
        """Whether the user has trusted code with this fingerprint."""
        return fingerprint in self._fingerprints()

    def remember(self, fingerprint: str) -> None:
        """Trust code with this fingerprint from now on (the oldest beyond the limit go)."""
        kept = [fingerprint] + [f for f in self._fingerprints() if f != fingerprint]
        self.qsettings.setValue(_KEY, kept[:MAX_REMEMBERED])
        self.qsettings.sync()

    def _fingerprints(self) -> list[str]:
        return [str(item) for item in self.qsettings.value(_KEY, [], type=list)]
