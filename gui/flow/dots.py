"""Dots that carry a number along a wire, and how big, fast and what colour they are.

A number travels as a short train of dots (``DOTS_PER_TRAIN`` of them). Their size grows with
log|number| and their colour says its sign: values green (positive) or orange (negative),
gradients red (positive) or dark red (negative); negative dots are hollow rings so the sign
reads without colour too. A vector or matrix travels as one bigger dot (from
``TENSOR_MIN_RADIUS``, growing with its largest |element|), ringed in white inside, green for
values and red for gradients whatever its elements' signs.

A number runs along its wire in about ``TRAVEL_SECONDS`` (divided by the speed slider's
factor), however long the wire: the gates of one level of a pass move together, and a pass
takes a fixed time per level, on a 10-gate neuron as on a 9000 px tall net. Bigger numbers
arrive a little sooner (``travel_seconds``).

Motion never aliases (the wagon-wheel effect): if a dot moved half the spacing between dots or
more in one frame, the eye would pair it with the dot ahead of it and the train would seem to
crawl backwards. So a fast train spaces its dots further apart (``train_spacing``: at least
``DOT_SPACING``), and no dot ever moves more than ``STEP_FRACTION`` = 0.45 of its train's
spacing per frame, whatever the number, the speed slider or a late frame.

Wires thicken with |gradient| after the backward pass (``wire_width``), relative to the largest.
"""

from __future__ import annotations

import math
from bisect import bisect_left

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from engine import is_tensor

FRAME_MS = 16  # the animation timer's interval (~60 frames per second)
DOT_SPACING = 24.0  # between consecutive dots of a slow train, along the wire
DOTS_PER_TRAIN = 3
STEP_FRACTION = 0.45  # of the spacing, per frame at most: below half, so motion never aliases
TRAVEL_SECONDS = 0.3  # along a whole wire at speed factor 1 (x1.2 for 0, x0.7 for 99 or more)
MIN_RADIUS, MAX_RADIUS = 3.5, 8.0
TENSOR_MIN_RADIUS, TENSOR_MAX_RADIUS = 9.0, 13.0  # one dot carrying a vector or matrix
MIN_WIDTH, MAX_WIDTH = 1.2, 8.0  # wire widths after the backward pass
PATH_SAMPLES = 96  # points a train's wire is measured at (for its dots' places along it)

VALUE_POSITIVE = QColor("#17a34a")
VALUE_NEGATIVE = QColor("#ef6c00")
GRAD_POSITIVE = QColor("#e53935")
GRAD_NEGATIVE = QColor("#8e1b1b")
ZERO = QColor("#90a4ae")


def size_of(number) -> float:
    """|number|, or a tensor's largest |element| (nan if one is nan, inf if one is inf)."""
    if is_tensor(number):
        magnitudes = np.abs(number)
        return float("nan") if np.isnan(magnitudes).any() else float(magnitudes.max())
    return abs(float(number))


def _size(number) -> float:
    """log10(1 + |number|) (a tensor's largest |element|), 2.0 for nan/inf (big, but
    bounded)."""
    try:
        x = size_of(number)
    except (TypeError, ValueError):
        return 1.0
    if not math.isfinite(x):
        return 2.0
    return math.log10(1.0 + x)


def magnitude(number) -> float:
    """How big a number looks, from 0 (zero) to 1 (|number| of 99 and more), log-scaled."""
    return min(1.0, _size(number) / 2.0)


def travel_seconds(number, factor: float = 1.0) -> float:
    """How long ``number`` takes to run along its wire, whatever the wire's length: about
    ``TRAVEL_SECONDS`` / ``factor``, from 1.2 times that for 0 to 0.7 times for 99 and more."""
    return TRAVEL_SECONDS * (1.2 - 0.5 * magnitude(number)) / factor


def dot_speed(number, length: float, factor: float = 1.0) -> float:
    """Pixels per second for a dot carrying ``number`` along a wire ``length`` px long."""
    return max(length, 1.0) / travel_seconds(number, factor)


def train_spacing(speed: float) -> float:
    """The spacing between the dots of a train moving at ``speed`` px/s: ``DOT_SPACING``, or
    wider for fast trains, so that a frame moves them under ``STEP_FRACTION`` of it."""
    return max(DOT_SPACING, speed * FRAME_MS / 1000.0 / STEP_FRACTION)


def frame_step(speed: float, dt: float, spacing: float = DOT_SPACING) -> float:
    """How far a dot moves in a frame of ``dt`` seconds: never more than ``STEP_FRACTION`` of
    its train's ``spacing``."""
    return min(speed * max(dt, 0.0), STEP_FRACTION * spacing)


def dot_radius(number) -> float:
    """A dot's radius in scene pixels: 3.5 for 0, growing with log|number| up to 8; a
    tensor.s dot from 9 to 13."""
    low, high = (TENSOR_MIN_RADIUS, TENSOR_MAX_RADIUS) if is_tensor(number) else \
        (MIN_RADIUS, MAX_RADIUS)
    return low + (high - low) * magnitude(number)


def dots_per_train(number) -> int:
    """How many dots carry ``number``: a train of them, or one for a vector or matrix."""
    return 1 if is_tensor(number) else DOTS_PER_TRAIN


def dot_style(number, backward: bool) -> tuple[QColor, bool]:
    """The dot's colour and whether it is hollow (negative numbers; a tensor never is)."""
    if is_tensor(number):
        return (GRAD_POSITIVE if backward else VALUE_POSITIVE), False
    try:
        x = float(number)
    except (TypeError, ValueError):
        x = 1.0
    if x == 0:
        return ZERO, False
    negative = x < 0
    if backward:
        return (GRAD_NEGATIVE if negative else GRAD_POSITIVE), negative
    return (VALUE_NEGATIVE if negative else VALUE_POSITIVE), negative


def wire_width(grad, largest: float) -> float:
    """A wire's width after the backward pass, from MIN_WIDTH for 0 to MAX_WIDTH for the
    circuit's largest |gradient| ``largest`` (square-root scaled, so 0.20 and 0.59 differ
    plainly; a tensor by its largest |element|); non-finite gradients get the widest."""
    try:
        x = size_of(grad)
    except (TypeError, ValueError):
        return (MIN_WIDTH + MAX_WIDTH) / 2
    if not math.isfinite(x):
        return MAX_WIDTH
    if not (largest > 0 and math.isfinite(largest)):
        return MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(min(x / largest, 1.0))


class DotTrain(QGraphicsItem):
    """A train of dots running along ``path`` (from its start, or from its end if ``reverse``).

    ``lead`` is how far the first dot has gone along the path; the others follow ``spacing``
    (``DOT_SPACING`` unless ``set_speed`` widened it) behind it. Dots off either end of the
    path are not drawn.
    """

    def __init__(self, path: QPainterPath, number, backward: bool, reverse: bool):
        super().__init__()
        self.path = QPainterPath(path)
        # the wire as a fine polyline with the distance along it at each point: placing a dot
        # by its distance is then a look-up (QPainterPath.percentAtLength is slow on long wires)
        self._samples = [self.path.pointAtPercent(k / PATH_SAMPLES)
                         for k in range(PATH_SAMPLES + 1)]
        self._distances = [0.0]
        for a, b in zip(self._samples, self._samples[1:]):
            self._distances.append(self._distances[-1] + math.hypot(b.x() - a.x(), b.y() - a.y()))
        self.length = self._distances[-1]
        self.reverse = reverse
        self.count = dots_per_train(number)
        self.tensor = is_tensor(number)
        self.radius = dot_radius(number)
        self.color, self.hollow = dot_style(number, backward)
        self.lead = 0.0
        self.speed = 0.0
        self.spacing = DOT_SPACING
        self._points: list[QPointF] = []
        margin = self.radius * 2 + 2
        self._rect = self.path.boundingRect().adjusted(-margin, -margin, margin, margin)
        self.setZValue(60)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.set_lead(0.0)

    @property
    def arrived(self) -> bool:
        """True once the first dot reached the end of the wire."""
        return self.lead >= self.length

    @property
    def drained(self) -> bool:
        """True once the last dot left the wire."""
        return self.lead - (self.count - 1) * self.spacing >= self.length

    def set_speed(self, speed: float) -> None:
        """Move at ``speed`` px/s from now on, the dots spaced so that it never aliases."""
        self.speed = speed
        self.spacing = train_spacing(speed)

    def move_on(self, dt: float) -> None:
        """Move on by what ``dt`` seconds at the train's speed take (one frame at most)."""
        self.set_lead(self.lead + frame_step(self.speed, dt, self.spacing))

    def set_lead(self, lead: float) -> None:
        """Put the first dot ``lead`` pixels along the wire (and the others behind it)."""
        self.lead = lead
        points = []
        for k in range(self.count):
            distance = lead - k * self.spacing
            if 0.0 <= distance <= self.length:
                points.append(self._point_at(self.length - distance if self.reverse
                                             else distance))
        self._points = points
        self.update()

    def _point_at(self, along: float) -> QPointF:
        """The point ``along`` pixels from the wire's start."""
        k = min(max(bisect_left(self._distances, along), 1), PATH_SAMPLES)
        start, end = self._distances[k - 1], self._distances[k]
        t = 0.0 if end <= start else (along - start) / (end - start)
        a, b = self._samples[k - 1], self._samples[k]
        return a + (b - a) * t

    def points(self) -> list[QPointF]:
        """The centres of the dots on the wire now, the first dot first."""
        return list(self._points)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        r = self.radius
        for k, point in enumerate(self._points):
            fade = 1.0 - 0.25 * k  # followers are a little lighter
            color = QColor(self.color)
            halo = QColor(self.color)
            halo.setAlphaF(0.18 * fade)
            painter.setPen(Qt.NoPen)
            painter.setBrush(QBrush(halo))
            painter.drawEllipse(point, r * 1.9, r * 1.9)
            color.setAlphaF(fade)
            if self.hollow:
                painter.setPen(QPen(color, max(1.6, r * 0.45)))
                painter.setBrush(QBrush(QColor(255, 255, 255, 230)))
                painter.drawEllipse(point, r * 0.85, r * 0.85)
            else:
                painter.setPen(QPen(QColor(255, 255, 255, 200), 1.0))
                painter.setBrush(QBrush(color))
                painter.drawEllipse(point, r, r)
            if self.tensor:  # many numbers in one dot: a white ring inside it
                painter.setPen(QPen(QColor(255, 255, 255, 220), 1.5))
                painter.setBrush(Qt.NoBrush)
                painter.drawEllipse(point, r * 0.55, r * 0.55)
