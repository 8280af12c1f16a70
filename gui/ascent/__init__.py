"""Gradient ascent on the inputs: the panel, its plot, its run and the arrows it draws on the
canvas.
"""
