"""The docks beside the canvas: the gate palette, Properties, Inputs, Explain and the gradient
check.
"""
