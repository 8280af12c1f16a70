"""circuitgrad's desktop interface (PySide6 and pyqtgraph): it shows what the engine computes.

Every edit goes gesture -> undo command (``gui.model.commands``) -> ``engine.Circuit`` method ->
change notification -> the scene redraws (``gui.model.document.Document`` is the bridge).
"""
