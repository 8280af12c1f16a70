"""Small widgets the docks share: a step-size box on the 1-2-5 ladder, and a square frame.

``LogStepSpinBox`` is the box for step sizes and tolerances: its arrows (and the wheel) walk
1, 2, 5, 10, 20, 50... × 10^k (``log_step``) instead of adding a fixed amount, and typing any
number in range is accepted as typed. ``SquareFrame`` holds one widget as the largest square
that fits, centred, whatever shape the frame is given (the decision boundary keeps its aspect
in a tall narrow dock instead of becoming a strip).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSizePolicy, QWidget

MANTISSAS = (1.0, 2.0, 5.0)


def log_step(value: float, steps: int) -> float:
    """``value`` moved ``steps`` notches along 1, 2, 5, 10, 20, 50... (down for steps < 0)."""
    if value <= 0 or not math.isfinite(value):
        return 0.01
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10.0 ** exponent
    notch = max((k for k, m in enumerate(MANTISSAS) if m <= mantissa * (1 + 1e-9)), default=0)
    on_ladder = abs(MANTISSAS[notch] - mantissa) <= mantissa * 1e-9
    # off the ladder, value sits between two notches: one step either way lands on one of them
    index = len(MANTISSAS) * exponent + notch + steps + (0 if on_ladder or steps > 0 else 1)
    exponent, notch = divmod(index, len(MANTISSAS))
    return float(f"{MANTISSAS[notch] * 10.0 ** exponent:.12g}")


class LogStepSpinBox(QDoubleSpinBox):
    """A step-size box whose arrows (and wheel) walk the 1-2-5 ladder instead of adding."""

    def stepBy(self, steps: int) -> None:
        self.setValue(log_step(self.value(), steps))

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"  # 0.01, not 0.010000; 1e-05 for the smallest

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            number = float(text)
        except ValueError:
            return QValidator.Intermediate, text, pos
        inside = self.minimum() <= number <= self.maximum()
        return (QValidator.Acceptable if inside else QValidator.Intermediate), text, pos

    def stepEnabled(self):
        return QDoubleSpinBox.StepUpEnabled | QDoubleSpinBox.StepDownEnabled


class SquareFrame(QWidget):
    """Shows ``child`` as the largest centred square that fits in the frame."""

    def __init__(self, child: QWidget, parent=None):
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.child.minimumSizeHint().expandedTo(self.child.minimumSize())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        side = min(self.width(), self.height())
        self.child.setGeometry(QRect((self.width() - side) // 2, (self.height() - side) // 2,
                                     side, side))
