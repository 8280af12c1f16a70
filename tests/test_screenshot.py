"""``python main.py FILE --screenshot OUT.png``: the whole window, offscreen, in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "assets" / "examples"


def run_main(*args, cwd):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["add_mul", "two_layer_net"])
def test_screenshot_of_an_example_is_a_1400_by_900_picture_of_the_window(tmp_path, name):
    out = tmp_path / f"{name}.png"
    done = run_main(str(EXAMPLES / f"{name}.circuit"), "--screenshot", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == main.SCREENSHOT_SIZE == (1400, 900)
    colours = {image.pixelColor(x, y).name() for x in range(0, 1400, 50)
               for y in range(0, 900, 50)}
    assert len(colours) > 5  # a drawn window, not a blank rectangle


def test_screenshot_without_a_file_shows_the_default_sigmoid_neuron(tmp_path):
    out = tmp_path / "default.png"
    done = run_main("--screenshot", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not QImage(str(out)).isNull()
    assert main.DEFAULT_EXAMPLE == EXAMPLES / "sigmoid_neuron_primitive.circuit"


def test_screenshot_of_a_refused_file_exits_3_with_one_line_naming_the_problem(tmp_path):
    bad = tmp_path / "bad.circuit"
    bad.write_text('{"format": "circuitgrad", "version": 99, "nodes": [], "wires": []}',
                   encoding="utf-8")
    out = tmp_path / "never.png"
    done = run_main(str(bad), "--screenshot", str(out), cwd=tmp_path)
    assert done.returncode == 3
    lines = [line for line in done.stderr.splitlines() if line.startswith("circuitgrad:")]
    assert len(lines) == 1 and "99" in lines[0] and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_missing_file_exits_3_too(tmp_path):
    done = run_main(str(tmp_path / "nope.circuit"), "--screenshot", str(tmp_path / "x.png"),
                    cwd=tmp_path)
    assert done.returncode == 3
    assert "no such file" in done.stderr


def test_the_command_line_takes_a_file_and_a_screenshot_path():
    args = main.parse_args(["c.circuit", "--screenshot", "out.png"])
    assert (args.file, args.screenshot) == ("c.circuit", "out.png")
    assert main.parse_args([]).file is None
