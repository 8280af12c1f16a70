"""Export the canvas as a picture: a PNG at twice the screen's resolution, or an SVG drawing.

Both render the scene's content rectangle (every gate, wire and number) with a margin on a
white background, with the selection cleared so the picture shows the circuit and not the
editing state. The selection comes back afterwards.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from engine import CircuitError
from gui.canvas.view import readable_zoom

MARGIN = 24
PNG_SCALE = 2.0


def _source_rect(scene) -> QRectF:
    rect = scene.content_rect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 120)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


class _PlainCanvas:
    """Hides the selection and the dotted grid while drawing, and draws the numbers at their
    own size (not enlarged for the window's zoom, none left out), then puts it all back."""

    def __init__(self, scene):
        self.scene = scene

    def __enter__(self):
        self.selected = self.scene.selected_node_ids()
        self.scene.clearSelection()
        self.zoom = self.scene.view_zoom
        self._show_at_zoom(max(readable_zoom() * 1.001, 1.0))  # where no text is enlarged
        # the scene paints its grid in drawBackground; an instance attribute shadows that
        # override for the export only (the painter already holds the white background)
        self.scene.drawBackground = _no_background
        return self

    def __exit__(self, *exc):
        del self.scene.drawBackground
        self._show_at_zoom(self.zoom)
        self.scene.select_nodes(self.selected)
        return False

    def _show_at_zoom(self, zoom: float) -> None:
        self.scene.set_view_zoom(zoom)
        self.scene.arrange_labels()


def _no_background(painter, rect) -> None:
    return None


def render_image(scene, scale: float = PNG_SCALE) -> QImage:
    """The circuit drawn into an image ``scale`` times its scene size, on white."""
    with _PlainCanvas(scene):
        source = _source_rect(scene)
        size = QSize(max(1, round(source.width() * scale)),
                     max(1, round(source.height() * scale)))
        image = QImage(size, QImage.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
    return image


def export_png(scene, path) -> None:
    """Write the circuit as a PNG; CircuitError saying why if the file cannot be written."""
    image = render_image(scene)
    if not image.save(os.fspath(path), "PNG"):
        raise CircuitError(f"{os.fspath(path)}: could not write the PNG file "
                           "(check the folder exists and is writable)")


def export_svg(scene, path, title: str = "circuit") -> None:
    """Write the circuit as an SVG drawing; CircuitError saying why if it cannot be written."""
    target = os.fspath(path)
    try:
        with open(target, "ab"):  # QSvgGenerator fails silently: check the path first
            pass
    except OSError as error:
        raise CircuitError(f"{target}: could not write the SVG file ({error.strerror})") from None
    with _PlainCanvas(scene):
        source = _source_rect(scene)
        generator = QSvgGenerator()
        generator.setFileName(target)
        generator.setSize(QSize(round(source.width()), round(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(title)
        generator.setDescription("Exported from circuitgrad")
        painter = QPainter()
        if not painter.begin(generator):
            raise CircuitError(f"{target}: could not write the SVG file")
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), QColor("white"))
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
