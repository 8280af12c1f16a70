"""The layers are a checked contract: import-linter's contracts in pyproject.toml hold (the
engine below the GUI and free of Qt, the GUI using the engine's public names only, gui's folders
in their order, no import circle), and they do catch an import that breaks them.

CI runs ``lint-imports`` itself (the README's test command); this runs the same check under
pytest, so a developer who runs only the tests sees a broken layer too.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter", reason="import-linter is not installed: "
                                           "pip install -e '.[lint]' to check the layers")

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ("engine is below gui", "no Qt or pyqtgraph in engine",
             "gui uses engine's public names only", "gui's rooms in layers",
             "no import circle in gui")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the project in ``folder`` (its pyproject.toml, no cache)."""
    return subprocess.run(
        [sys.executable, "-c",
         "import sys; from importlinter.cli import lint_imports_command; "
         "lint_imports_command(['--no-cache', '--no-logo'])"],
        cwd=folder, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(folder), "PATH": "", "PYTHONIOENCODING": "utf-8"})


def copy_of_the_project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(ROOT / "pyproject.toml", folder)
    for package in ("engine", "gui"):
        shutil.copytree(ROOT / package, folder / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_every_contract_is_kept():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    for name in CONTRACTS:
        assert f"{name}" in run.stdout
    assert "5 kept, 0 broken" in run.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("engine/number_format.py", "import gui.common.theme", "engine is below gui"),
    ("engine/number_format.py", "import PySide6.QtCore", "no Qt or pyqtgraph in engine"),
    ("gui/common/theme.py", "from engine.number_format import format_number",
     "gui uses engine's public names only"),
    ("gui/model/document.py", "from gui.canvas import scene", "gui's rooms in layers"),
    ("gui/training/session.py", "from gui.flow import animation", "gui's rooms in layers"),
    ("gui/flow/dots.py", "from gui.flow import animation", "no import circle in gui"),
])
def test_an_import_that_breaks_a_layer_is_caught(tmp_path, module, line, contract):
    folder = copy_of_the_project(tmp_path)
    path = folder / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    run = lint_imports(folder)
    assert run.returncode != 0
    broken = run.stdout.split("Broken contracts")[-1]
    assert contract in broken
