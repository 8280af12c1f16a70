"""The document (the engine's Circuit, its undo stack and last result) and the undo commands
that are the only way to change it.
"""
