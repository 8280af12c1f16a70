"""The canvas: the scene that mirrors the circuit, its gate, port and wire items, the view, and
the gestures that edit it.
"""
