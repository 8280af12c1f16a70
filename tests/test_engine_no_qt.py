"""The engine never imports Qt or pyqtgraph: proved in a fresh interpreter."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph")

PROBE = """
import importlib.util, json, sys
import engine
if importlib.util.find_spec("engine.cli") is not None:
    import engine.cli
c = engine.load(sys.argv[1])
engine.run(c)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_and_running_the_engine_loads_no_qt_module():
    example = ROOT / "assets" / "examples" / "add_mul.circuit"
    done = subprocess.run([sys.executable, "-c", PROBE, str(example)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    modules = json.loads(done.stdout)
    assert "engine" in modules
    leaked = [name for name in modules if name.startswith(FORBIDDEN)]
    assert leaked == []
