"""circuitgrad's desktop interface (PySide6 and pyqtgraph): it shows what the engine computes.

Every edit goes gesture -> undo command (``gui.commands``) -> ``engine.Circuit`` method ->
change notification -> the scene redraws (``gui.document.Document`` is the bridge).
"""

import sys

if sys.version_info < (3, 12):
    # PySide6 6.12's abi3 wheels return None from every void method (setPos, setPen, update,
    # ...) without taking a new reference, which is right only where None is immortal
    # (Python 3.12+). On 3.11 each call steals a reference to None until Python aborts with
    # "Fatal Python error: none_dealloc". Give None a reference count it cannot run out of.
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 48
