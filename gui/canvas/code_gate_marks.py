"""How a code gate's state shows on its node: ✗ when its check failed, "untrusted" when its
code is not trusted.

A code gate (FORMAT.md 6) runs only once the user trusts the file's code and the gate passes
its gradient check. A node whose gate is trusted but failing (its check, a syntax error, or a
failure while it ran: a runaway, an exception) carries a red disc with a white ✗ on its
top-right corner until the gate is fixed; a node whose code is not trusted is hatched grey with
a grey "untrusted" tag under its bottom-left corner (Gates -> Trust Code Gates… runs it). The
reason itself is the row's ``problem``, which the canvas shows as the node's tooltip.

``code_gate_mark(row)`` reads the state from a gate-table row; ``paint_code_gate_mark`` draws
it on a node's body. The gate item calls both and keeps nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen

from gui.common import theme

FAILED = "failed"
UNTRUSTED = "untrusted"
UNTRUSTED_GREY = QColor("#78909c")
UNTRUSTED_HATCH = QColor(120, 144, 156, 70)
BADGE_RADIUS = 8.0


def code_gate_mark(row) -> str:
    """FAILED, UNTRUSTED or "" for a gate-table row (a code gate's, or any other: "")."""
    definition = row.definition
    if definition is None or definition.kind != "code":
        return ""
    if not definition.trusted:
        return UNTRUSTED
    check = definition.check
    if definition.syntax_problem or definition.failure or (check is not None
                                                           and not check.passed):
        return FAILED
    return ""


def paint_code_gate_mark(painter, mark: str, width: float, height: float,
                         radius: float) -> None:
    """Draw ``mark`` on a body of ``width`` x ``height`` with corners of ``radius``."""
    if not mark:
        return
    painter.save()
    if mark == UNTRUSTED:
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(UNTRUSTED_HATCH, Qt.BDiagPattern))
        painter.drawRoundedRect(QRectF(0, 0, width, height), radius, radius)
        painter.setFont(theme.TAG_FONT)
        tag_width = theme.metrics("TAG_FONT").horizontalAdvance(UNTRUSTED) + 8
        tag = QRectF(-2, height - 5, tag_width, 12)
        painter.setBrush(QBrush(UNTRUSTED_GREY))
        painter.drawRoundedRect(tag, 5, 5)
        painter.setPen(theme.TAG_TEXT)
        painter.drawText(tag, Qt.AlignCenter, UNTRUSTED)
    else:
        corner = QPointF(width - 2, 2)
        painter.setPen(QPen(theme.GATE_FILL, 1.5))
        painter.setBrush(QBrush(theme.GRAD_RED))
        painter.drawEllipse(corner, BADGE_RADIUS, BADGE_RADIUS)
        painter.setPen(QPen(theme.TAG_TEXT, 2.0, Qt.SolidLine, Qt.RoundCap))
        arm = BADGE_RADIUS * 0.4
        painter.drawLine(corner + QPointF(-arm, -arm), corner + QPointF(arm, arm))
        painter.drawLine(corner + QPointF(-arm, arm), corner + QPointF(arm, -arm))
    painter.restore()
