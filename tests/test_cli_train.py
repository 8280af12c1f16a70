"""``python -m engine train``, run as users run it: in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.datasets import embed_dataset, embedded_dataset, six_points, xor
from engine.templates import hidden_layer_net, linear_classifier

REPO = Path(__file__).resolve().parents[1]


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "train", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def ok(*args) -> dict:
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def refused(status: int, *args) -> str:
    done = cli(*args)
    assert done.returncode == status, (done.stdout, done.stderr)
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 or status == 2, done.stderr
    return done.stderr


@pytest.fixture
def svm(tmp_path) -> Path:
    path = tmp_path / "svm.circuit"
    engine.save(linear_classifier(), path)
    return path


def test_the_guides_svm_learns_the_six_points(svm):
    out = ok(svm, "--dataset", "six_points", "--steps", 400, "--batch", "stochastic")
    assert out["accuracy"] == 1.0
    assert len(out["loss"]) == len(out["accuracy_history"]) == out["steps"] == 400
    assert set(out["params"]) == {"a", "b", "c"}
    a, b, c = out["params"]["a"], out["params"]["b"], out["params"]["c"]
    points, labels = six_points().points, six_points().labels
    assert np.all(np.sign(points @ [a, b] + c) == labels)  # the printed params classify all
    assert out["output"] == "score" and out["dataset"] == "six_points" and out["points"] == 6


def test_a_net_learns_the_circle_from_the_command_line(tmp_path):
    path = tmp_path / "net.circuit"
    engine.save(hidden_layer_net(8, seed=1), path)
    out = ok(path, "--dataset", "circle", "--points", 120, "--noise", 0.05, "--seed", 1,
             "--steps", 300, "--step-size", 0.2, "--loss", "logistic")
    assert out["accuracy"] >= 0.95 and out["points"] == 120
    assert out["loss"][-1] < out["loss"][0] and out["final_loss"] == out["loss"][-1]


def test_training_on_a_csv_file(svm, tmp_path):
    data = tmp_path / "points.csv"
    data.write_text("x,y,label\n1.2,0.7,1\n-0.3,-0.5,0\n3.0,0.1,1\n-0.1,-1.0,0\n"
                    "-1.0,1.1,0\n2.1,-3,1\n", encoding="utf-8")
    out = ok(svm, "--data", data, "--steps", 400)
    assert out["accuracy"] == 1.0 and out["dataset"] == "points" and out["points"] == 6


def test_without_data_options_the_files_own_data_set_is_used(tmp_path):
    circuit = hidden_layer_net(8, seed=0)
    embed_dataset(circuit, xor(60, seed=3))
    path = tmp_path / "xor.circuit"
    engine.save(circuit, path)
    out = ok(path, "--steps", 200, "--step-size", 0.2)
    assert out["dataset"] == "xor" and out["points"] == 60 and out["accuracy"] >= 0.95


def test_save_writes_the_trained_params_and_the_data_set(svm, tmp_path):
    out_path = tmp_path / "trained.circuit"
    out = ok(svm, "--dataset", "xor", "--points", 30, "--steps", 5, "--save", out_path)
    trained = engine.load(out_path)
    for node_id, value in out["params"].items():
        assert trained.nodes[node_id].value == value
    assert embedded_dataset(trained) == xor(30)
    assert engine.load(svm).nodes["a"].value == 1.0  # the input file is untouched


def test_no_data_set_anywhere_is_one_line_and_exit_3(svm):
    message = refused(3, svm)
    assert "no data set" in message and "--data" in message


def test_a_bad_csv_is_one_line_naming_the_line(svm, tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("1,2,1\n3,4,5\n", encoding="utf-8")
    message = refused(3, svm, "--data", data)
    assert "bad.csv: line 2: label '5' must be 1 or -1" in message


def test_a_circuit_without_data_inputs_is_refused(tmp_path):
    path = tmp_path / "plain.circuit"
    circuit = linear_classifier()
    circuit.set_feature("x", None)
    circuit.set_feature("y", None)
    engine.save(circuit, path)
    assert "no input is bound to the data" in refused(3, path, "--dataset", "circle")


@pytest.mark.parametrize("args", [["--dataset", "donut"], ["--steps", "-1"],
                                  ["--loss", "square"], ["--data", "a.csv", "--dataset", "xor"],
                                  ["--step-size", "0"], ["--seed", "-1"],
                                  ["--dataset", "xor", "--points", "1"],
                                  ["--dataset", "xor", "--points", "100001"],
                                  ["--points", "50"], ["--data", "a.csv", "--noise", "0.1"]])
def test_a_wrong_command_line_is_exit_2(svm, args):
    refused(2, svm, *args)


@pytest.mark.parametrize("args, named", [(["--points", "50"], "--points goes"),
                                         (["--points", "50", "--noise", "0.1"],
                                          "--points and --noise go")])
def test_points_and_noise_without_a_dataset_say_they_go_with_it(svm, args, named):
    message = refused(2, svm, *args)
    assert named in message and "with --dataset NAME" in message


@pytest.fixture
def spiral_net(tmp_path) -> Path:
    from engine.layer_nets import two_layer_net

    path = tmp_path / "spiral.circuit"
    circuit = two_layer_net(100, "relu", seed=0)
    engine.embed_dataset(circuit, engine.make_dataset("spiral"))
    engine.save(circuit, path)
    return path


def test_a_tensor_net_trains_from_the_command_line_and_saves_its_matrices(spiral_net, tmp_path):
    out_path = tmp_path / "trained.circuit"
    out = ok(spiral_net, "--steps", 1500, "--loss", "logistic", "--step-size", 0.3,
             "--save", out_path)  # ok(): nothing on standard error when it is not a terminal
    assert out["accuracy"] >= 0.95 and out["steps"] == 1500
    w1 = np.array(out["params"]["W1"])
    assert w1.shape == (100, 2) and np.array(out["params"]["b1"]).shape == (100,)
    assert isinstance(out["params"]["b2"], float)
    saved = engine.load(out_path)
    assert np.allclose(saved.nodes["W1"].value, w1)


def test_progress_shows_on_a_terminal_as_one_updating_line(spiral_net):
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "engine", "train", str(spiral_net),
                               "--steps", "300", "--step-size", "0.3"], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=follower, timeout=120)
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert json.loads(done.stdout)["steps"] == 300  # the JSON alone on standard output
    text = written.decode()
    assert text.startswith("\r") and text.endswith("\n")
    assert text.count("\n") == text.count("\r\n") == 1  # one line, rewritten in place
    last = text.rstrip().split("\r")[-1]
    assert last.startswith("step 300/300  loss ") and "accuracy" in last and last.endswith("%")


def test_progress_line_writes_nothing_unless_the_stream_is_a_terminal():
    import io

    from engine.progress_line import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    pipe, terminal = io.StringIO(), Terminal()
    for stream in (pipe, terminal):
        line = ProgressLine(stream, 3, interval_s=0.0)
        for step in (1, 2, 3):
            line.show(step, 1.0 / step, step / 3)
        line.close()
    assert pipe.getvalue() == ""
    assert terminal.getvalue() == ("\rstep 1/3  loss 1  accuracy 33.3%"
                                   "\rstep 2/3  loss 0.5  accuracy 66.7%"
                                   "\rstep 3/3  loss 0.3333  accuracy 100.0%\n")


def test_without_loss_and_step_size_the_files_suggestion_is_used(spiral_net):
    out = ok(spiral_net, "--steps", 3)
    assert out["loss_function"] == "logistic"  # the layered net's file suggests it
    circuit = engine.load(spiral_net)
    circuit.set_extra("training", {"loss": "squared", "step_size": -1})
    engine.save(circuit, spiral_net)
    assert ok(spiral_net, "--steps", 3)["loss_function"] == "hinge"  # not valid: the default
