"""The command line, run as users run it: ``python -m engine ...`` in a subprocess."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine import cli

from test_circuit_file import EXAMPLE

REPO = Path(__file__).resolve().parents[1]


def cli_run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def ok(*args) -> dict:
    done = cli_run(*args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def refused(status: int, *args) -> str:
    """The one line a failing command writes to standard error."""
    done = cli_run(*args)
    assert done.returncode == status, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def write(tmp_path, data, name="c.circuit") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def circuit(nodes, wires, output=None) -> dict:
    data = {"format": "circuitgrad", "version": 1, "nodes": nodes,
            "wires": [{"from": a, "to": b, "port": p} for a, b, p in wires]}
    if output:
        data["output"] = output
    return data


@pytest.fixture
def example(tmp_path):
    return write(tmp_path, EXAMPLE, "f.circuit")


@pytest.fixture
def multiply(tmp_path):
    """The hacker's guide's first circuit: f(x, y) = x * y at x = -2, y = 3."""
    return write(tmp_path, circuit([{"id": "x", "op": "input", "value": -2},
                                    {"id": "y", "op": "input", "value": 3},
                                    {"id": "f", "op": "mul"}],
                                   [("x", "f", 0), ("y", "f", 1)]), "mul.circuit")


# --------------------------------------------------------------------------- eval
def test_eval_prints_format_section_3(example):
    assert ok("eval", example) == {
        "output": "f", "value": -12.0,
        "values": {"x": -2.0, "y": 5.0, "z": -4.0, "q": 3.0, "f": -12.0},
        "grads": {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}}


def test_eval_set_overrides_for_this_run_only(example):
    before = example.read_bytes()
    # (1 + 5) * -4 = -24; df/dx = df/dy = z = -4; df/dz = x + y = 6
    result = ok("eval", example, "--set", "x=1", "--set", "z=-4.0")
    assert result["value"] == -24.0
    assert result["grads"] == {"x": -4.0, "y": -4.0, "z": 6.0, "q": -4.0, "f": 1.0}
    assert example.read_bytes() == before


def test_eval_writes_non_finite_numbers_as_strings(tmp_path, example):
    path = write(tmp_path, circuit([{"id": "a", "op": "input", "value": 0},
                                    {"id": "b", "op": "input", "value": 0},
                                    {"id": "d", "op": "div"}],
                                   [("a", "d", 0), ("b", "d", 1)]))
    result = ok("eval", path)
    assert result["value"] == "nan" and result["values"]["a"] == 0.0
    # (-2 + 5) * inf = inf; df/dx = z = inf; df/dz = x + y = 3
    result = ok("eval", example, "--set", "z=inf")
    assert result["value"] == "inf" and result["grads"]["x"] == "inf"
    assert result["grads"]["z"] == 3.0
    assert ok("eval", example, "--set", "z=-inf")["value"] == "-inf"


@pytest.mark.parametrize("content, message", [
    ('{"format": "circuitgrad",\n "nodes": [', "line 2, column 12: not valid JSON"),
    (EXAMPLE.replace('"mul"', '"mull"'), "nodes[4].op: unknown gate 'mull' (did you mean 'mul'?)"),
    (EXAMPLE.replace('"version": 1', '"version": 7'), "this file is version 7; this "
                                                       "circuitgrad reads up to version 2"),
    (EXAMPLE.replace('"value": 5.0', '"value": NaN'), "NaN is not allowed"),
    (EXAMPLE.replace('"to": "q", "port": 1', '"to": "zz", "port": 1'),
     "wires[1].to: no node 'zz'"),
], ids=["json", "gate", "version", "nan", "wire"])
def test_eval_refuses_a_broken_file_with_one_line(tmp_path, content, message):
    path = write(tmp_path, content)
    line = refused(3, "eval", path)
    assert message in line and str(path) in line


def test_eval_refuses_unusable_paths(tmp_path):
    assert "no such file" in refused(3, "eval", tmp_path / "missing.circuit")
    assert "is a folder" in refused(3, "eval", tmp_path)


def test_eval_refuses_a_circuit_that_cannot_run(tmp_path):
    path = write(tmp_path, circuit([{"id": "x", "op": "input", "value": 1},
                                    {"id": "q", "op": "add"}], [("x", "q", 0)]))
    assert "q (add) port 1 is not connected" in refused(3, "eval", path)


def test_eval_set_must_name_an_input_or_const(example):
    assert "the circuit has no node 'zz'" in refused(3, "eval", example, "--set", "zz=1")
    assert "'q' is a gate (add)" in refused(3, "eval", example, "--set", "q=1")


@pytest.mark.parametrize("args", [
    [], ["eval"], ["frobnicate", "x.circuit"], ["eval", "f.circuit", "--set", "x"],
    ["eval", "f.circuit", "--set", "x=abc"], ["eval", "f.circuit", "--bogus"],
    ["ascend", "f.circuit", "--steps", "-1"], ["ascend", "f.circuit", "--step-size", "0"],
    ["ascend", "f.circuit", "--numerical", "--random"], ["check", "f.circuit", "--eps", "0"],
])
def test_a_wrong_command_line_exits_2(args):
    done = cli_run(*args)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr and done.stderr


def test_help_explains_every_sub_command_with_an_example():
    top = cli_run("--help")
    assert top.returncode == 0
    for name in ("eval", "check", "ascend"):
        assert name in top.stdout
        sub = cli_run(name, "--help")
        assert sub.returncode == 0
        assert "example:" in sub.stdout and f"python -m engine {name} " in sub.stdout
    assert "--step-size" in cli_run("ascend", "--help").stdout


def test_sub_commands_are_a_registry():
    assert {"eval", "check", "ascend"} <= set(cli.COMMANDS)
    assert all(isinstance(command, cli.Command) for command in cli.COMMANDS.values())


# --------------------------------------------------------------------------- check
def test_check_passes_on_the_example(example):
    result = ok("check", example)
    assert result["passed"] is True
    assert set(result["inputs"]) == {"x", "y", "z"}
    for node_id, grad in {"x": -4.0, "y": -4.0, "z": 3.0}.items():
        entry = result["inputs"][node_id]
        assert entry["status"] == "ok" and entry["analytic"] == grad
        assert math.isclose(entry["numerical"], grad, rel_tol=1e-6)
        assert entry["rel_error"] < 1e-6


def test_check_marks_a_relu_at_zero_as_a_kink(tmp_path):
    path = write(tmp_path, circuit([{"id": "x", "op": "input", "value": 0},
                                    {"id": "r", "op": "relu"}], [("x", "r", 0)]))
    result = ok("check", path)
    assert result["inputs"]["x"]["status"] == "kink"
    assert result["inputs"]["x"]["analytic"] == 0.0
    assert math.isclose(result["inputs"]["x"]["numerical"], 0.5)  # (h - 0) / 2h
    assert result["passed"] is True
    assert ok("check", path, "--set", "x=2")["inputs"]["x"]["status"] == "ok"


def test_check_exits_1_when_a_gradient_is_wrong(example, monkeypatch, capsys):
    import engine.gradcheck

    class Entry:
        node_id, analytic, numerical, rel_error, status, note = "x", 1.0, 2.0, 0.5, "fail", "no"
        index, elements = (), ()

    class Report:
        entries, passed = [Entry()], False

    monkeypatch.setattr(engine.gradcheck, "check_gradients", lambda *a, **k: Report())
    assert cli.main(["check", str(example)]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["passed"] is False and printed["inputs"]["x"]["status"] == "fail"


def test_check_passes_its_tolerances_on(example, monkeypatch, capsys):
    import engine.gradcheck

    seen = {}
    real = engine.gradcheck.check_gradients

    def spy(circuit, **kwargs):
        seen.update(kwargs)
        return real(circuit, **kwargs)

    monkeypatch.setattr(engine.gradcheck, "check_gradients", spy)
    assert cli.main(["check", str(example), "--eps", "1e-4", "--atol", "0", "--rtol", "0.1",
                     "--set", "x=1"]) == 0
    assert seen == {"inputs": {"x": 1.0}, "eps": 1e-4, "atol": 0.0, "rtol": 0.1}
    assert cli.main(["check", str(example)]) == 0
    assert seen == {"inputs": {}, "eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}
    capsys.readouterr()


# --------------------------------------------------------------------------- ascend
def test_one_step_of_ascent_is_the_hackers_guide_step(multiply):
    # x, y = -2, 3; the gradient is (y, x) = (3, -2); a 0.01 step gives -1.97 * 2.98 = -5.8706
    result = ok("ascend", multiply, "--steps", "1", "--step-size", "0.01")
    assert result["output"] == "f" and result["steps"] == 1 and result["stopped"] == "steps"
    assert result["history"][0] == -6.0
    assert math.isclose(result["history"][1], -1.97 * 2.98)
    assert math.isclose(result["values"]["x"], -1.97)
    assert math.isclose(result["values"]["y"], 2.98)


def test_ascent_defaults_to_100_steps_and_climbs(multiply):
    history = ok("ascend", multiply)["history"]
    assert len(history) == 101
    assert all(b > a for a, b in zip(history, history[1:]))


def test_minimize_goes_down_and_numerical_agrees(multiply):
    down = ok("ascend", multiply, "--steps", "5", "--minimize")["history"]
    assert all(b < a for a, b in zip(down, down[1:]))
    analytic = ok("ascend", multiply, "--steps", "5")
    numerical = ok("ascend", multiply, "--steps", "5", "--numerical")
    assert numerical["method"] == "numerical"
    for a, b in zip(analytic["history"], numerical["history"]):
        assert math.isclose(a, b, rel_tol=1e-3)


def test_random_search_never_makes_things_worse(multiply):
    result = ok("ascend", multiply, "--steps", "20", "--random", "--trajectories")
    history = result["history"]
    assert all(b >= a for a, b in zip(history, history[1:]))
    assert len(result["trajectories"]["x"]) == len(history)


def test_tol_stops_a_converged_ascent(tmp_path):
    # f = 100 - (x - y)^2 from (3, 4): the steps shrink as x and y meet
    path = write(tmp_path, circuit(
        [{"id": "x", "op": "input", "value": 3}, {"id": "y", "op": "input", "value": 4},
         {"id": "d", "op": "sub"}, {"id": "s", "op": "pow", "params": {"p": 2}},
         {"id": "n", "op": "scale", "params": {"c": -1}},
         {"id": "f", "op": "offset", "params": {"c": 100}}],
        [("x", "d", 0), ("y", "d", 1), ("d", "s", 0), ("s", "n", 0), ("n", "f", 0)]))
    result = ok("ascend", path, "--steps", "10000", "--step-size", "0.1", "--tol", "1e-9")
    assert result["stopped"] == "converged" and result["steps"] < 10000
    assert math.isclose(result["values"]["x"], result["values"]["y"], abs_tol=1e-3)
    assert math.isclose(result["history"][-1], 100.0, abs_tol=1e-6)


def test_ascend_save_writes_the_moved_inputs(multiply, tmp_path):
    out = tmp_path / "moved.circuit"
    ok("ascend", multiply, "--steps", "1", "--save", out)
    moved = engine.load(out)
    assert math.isclose(moved.nodes["x"].value, -1.97)
    assert engine.load(multiply).nodes["x"].value == -2.0


def test_ascend_refuses_a_broken_file(tmp_path):
    path = write(tmp_path, "{]")
    assert "line 1, column 2" in refused(3, "ascend", path)
