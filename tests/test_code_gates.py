"""Code gates run in a child process (engine/code_host.py via engine.CodeHost) and are checked
against the numerical gradient of their forward (engine.check_code_gate)."""

import os
import sys
import textwrap

import numpy as np
import pytest

from engine import CodeGateError, CodeHost, check_code_gate, code_gate_template

# the hacker's guide's gates, written the way FORMAT.md section 6 asks (backward returns)
MULTIPLY = """\
class MultiplyGate:
    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dz):
        dx = self.y * dz
        dy = self.x * dz
        return dx, dy
"""
ADD = """\
class AddGate:
    def forward(self, x, y):
        return x + y

    def backward(self, dz):
        return dz, dz
"""
SIGMOID = """\
class SigmoidGate:
    def forward(self, x):
        self.s = 1 / (1 + math.exp(-x))
        return self.s

    def backward(self, dz):
        return self.s * (1 - self.s) * dz
"""


@pytest.fixture
def host():
    with CodeHost() as code_host:
        yield code_host


def gate_error(call, *args) -> CodeGateError:
    with pytest.raises(CodeGateError) as caught:
        call(*args)
    return caught.value


def test_the_guides_gates_compute_the_guides_numbers(host):
    host.define("mul", ["x", "y"], MULTIPLY)
    host.define("add", ["x", "y"], ADD)
    host.define("sig", ["x"], SIGMOID)
    assert host.forward("mul", [-2.0, 3.0]) == -6.0
    assert host.backward("mul", [-2.0, 3.0], 1.0) == (3.0, -2.0)
    assert host.backward("add", [3.0, -4.0], -2.0) == (-2.0, -2.0)
    # the lecture's sigmoid neuron: sigma(1.0) = 0.73, local gradient 0.73 * (1 - 0.73) = 0.20
    value, (dx,) = host.forward_backward("sig", [1.0], 1.0)
    assert value == pytest.approx(0.7310585786)
    assert dx == pytest.approx(0.7310585786 * (1 - 0.7310585786))


@pytest.mark.parametrize("name, ports, code", [("mul", ["x", "y"], MULTIPLY),
                                               ("add", ["x", "y"], ADD),
                                               ("sig", ["x"], SIGMOID)])
def test_right_gates_pass_the_check(host, name, ports, code):
    host.define(name, ports, code)
    check = check_code_gate(host, name, ports, at=[1.0] * len(ports), rng=1)
    assert check.passed, check.message
    assert check.error is None
    # every port at 3 random points (and dz = 2.5 at the first) and at the circuit's inputs
    assert len(check.entries) == 5 * len(ports)
    assert {entry.port for entry in check.entries} == set(ports)
    assert sum(entry.where == "the circuit's inputs (" + ", ".join(
        f"{port}=1" for port in ports) + ")" for entry in check.entries) == len(ports)
    assert "passes" in check.message


def test_a_wrong_backward_fails_naming_the_port_with_both_numbers(host):
    wrong = MULTIPLY.replace("dy = self.x * dz", "dy = self.y * dz")
    host.define("mul", ["x", "y"], wrong)
    check = check_code_gate(host, "mul", ["x", "y"], at=[3.0, -2.0], rng=2)
    assert not check.passed and check.error is None
    assert {entry.port for entry in check.failures} == {"y"}
    at_circuit = [e for e in check.failures if e.where.startswith("the circuit's")]
    assert at_circuit[0].analytic == -2.0 and at_circuit[0].numerical == pytest.approx(3.0)
    # named once, where the student can follow it: at the circuit's inputs
    assert check.message == ("MultiplyGate: port y is wrong: backward gives -2.00, the "
                             "numerical gradient is 3.00 at the circuit's inputs (x=3, y=-2).")
    # without the circuit's inputs it names a random point, with both of its numbers
    check = check_code_gate(host, "mul", ["x", "y"], rng=2)
    first = check.failures[0]
    assert (first.port, first.dz) == ("y", 1.0)
    x, y = (float(part.split("=")[1]) for part in first.where[15:-1].split(", "))
    assert (first.analytic, first.numerical) == (y, pytest.approx(x))  # it returned y, not x
    assert f"port y is wrong: backward gives {first.analytic:.2f}, the numerical gradient is " \
        f"{first.numerical:.2f} at {first.where}." in check.message


def test_a_backward_that_forgets_dz_fails_where_dz_is_not_one(host):
    host.define("mul", ["x", "y"], MULTIPLY.replace("* dz", ""))
    check = check_code_gate(host, "mul", ["x", "y"], rng=3)
    assert not check.passed
    assert {entry.dz for entry in check.failures} == {2.5}
    assert "with dz = 2.5 (multiply the local gradient by dz)" in check.message


def test_a_syntax_error_names_its_line(host):
    code = MULTIPLY.replace("return x * y", "return x *")
    error = gate_error(host.define, "mul", ["x", "y"], code)
    assert (error.kind, error.line, error.gate) == ("syntax", 5, "mul")
    assert error.args[0].startswith("mul, line 5: SyntaxError")
    # a failed definition is not kept
    assert gate_error(host.forward, "mul", [1.0, 2.0]).kind == "undefined"


def test_an_exception_in_backward_names_the_method_and_its_line(host):
    host.define("mul", ["x", "y"], MULTIPLY.replace("dy = self.x * dz", "dy = self.x * dz2"))
    assert host.forward("mul", [1.0, 2.0]) == 2.0  # forward works
    error = gate_error(host.backward, "mul", [1.0, 2.0], 1.0)
    assert (error.kind, error.line) == ("exception", 9)
    assert str(error) == ("MultiplyGate.backward, line 9: NameError: name 'dz2' is not "
                          "defined")
    check = check_code_gate(host, "mul", ["x", "y"], rng=0)
    assert not check.passed and check.error.line == 9 and "line 9" in check.message


def test_the_innermost_line_of_the_students_code_is_named(host):
    code = textwrap.dedent("""\
        def helper(v):
            return v / 0.0 if False else math.log(v)
        class LogGate:
            def forward(self, x):
                return helper(x)
            def backward(self, dz):
                return dz
        """)
    host.define("log", ["x"], code)
    error = gate_error(host.forward, "log", [-1.0])
    assert error.line == 2
    assert str(error) == "helper, line 2: ValueError: math domain error"


def test_a_wrong_count_of_gradients_says_how_many(host):
    host.define("mul", ["x", "y"], MULTIPLY.replace("return dx, dy", "return (dx,)"))
    error = gate_error(host.backward, "mul", [1.0, 2.0], 1.0)
    assert error.kind == "wrong count"
    assert str(error) == "MultiplyGate.backward returned 1 gradient for 2 ports (x, y)"
    assert error.line == 7  # def backward
    host.define("add", ["x", "y"], ADD.replace("return dz, dz", "return dz, dz, dz"))
    assert str(gate_error(host.backward, "add", [1.0, 2.0], 1.0)) == \
        "AddGate.backward returned 3 gradients for 2 ports (x, y)"


@pytest.mark.parametrize("returned, message", [
    ('"six"', "MultiplyGate.forward returned a str, not a number or array"),
    ("[x, y]", "MultiplyGate.forward returned a list, not a number or array"),
    ("None", "MultiplyGate.forward returned None, not a number or array"),
    ("1j", "MultiplyGate.forward returned a complex, not a number or array"),
    ("np.zeros((2, 2, 2))", "MultiplyGate.forward returned a 2×2×2 array; a wire carries a "
                            "number, a vector or a matrix")])
def test_a_wrong_type_from_forward_is_named(host, returned, message):
    host.define("mul", ["x", "y"], MULTIPLY.replace("return x * y", f"return {returned}"))
    error = gate_error(host.forward, "mul", [1.0, 2.0])
    assert str(error) == message
    assert error.kind in ("wrong type", "shape")
    assert error.line == 2  # def forward


def test_a_wrong_gradient_type_or_shape_is_named(host):
    host.define("mul", ["x", "y"], MULTIPLY.replace("return dx, dy", 'return dx, "dy"'))
    error = gate_error(host.backward, "mul", [1.0, 2.0], 1.0)
    assert (error.kind, str(error)) == (
        "wrong type",
        "MultiplyGate.backward's gradient for port y is a str, not a number or array")
    host.define("mul", ["x", "y"], MULTIPLY.replace("return dx, dy", "return dx, np.ones(3)"))
    error = gate_error(host.backward, "mul", [np.ones(2), 2.0], np.ones(2))
    assert (error.kind, str(error)) == (
        "shape", "MultiplyGate.backward's gradient for port y is a vector of 3, but port y "
                 "is a number")


def test_a_number_gradient_counts_for_every_element_of_an_array_port(host):
    host.define("add", ["x", "y"], ADD.replace("return dz, dz", "return 1.0, np.sum(dz)"))
    dx, dy = host.backward("add", [np.zeros((2, 3)), 0.0], np.ones((2, 3)))
    assert np.array_equal(dx, np.ones((2, 3))) and dy == 6.0


@pytest.mark.parametrize("code, message", [
    ("x = 1\n", "mul: the code defines no class; write one class with forward and backward"),
    (MULTIPLY + ADD, "mul: the code defines 2 classes (MultiplyGate, AddGate); write "
                     "exactly one"),
    ("class Half:\n    def forward(self, x, y):\n        return x\n",
     "Half has no backward method"),
    (MULTIPLY.replace("def forward(self, x, y)", "def forward(self, x)"),
     "MultiplyGate.forward does not take 2 arguments after self: write def "
     "forward(self, x, y)")])
def test_the_code_must_be_one_class_with_forward_and_backward(host, code, message):
    error = gate_error(host.define, "mul", ["x", "y"], code)
    assert (error.kind, str(error)) == ("definition", message)


def test_two_classes_name_the_second_ones_line(host):
    error = gate_error(host.define, "mul", ["x", "y"], MULTIPLY + ADD)
    assert error.line == MULTIPLY.count("\n") + 1


def test_imported_classes_do_not_count_as_the_gates_class(host):
    code = "from fractions import Fraction\n" + MULTIPLY
    assert host.define("mul", ["x", "y"], code) == "MultiplyGate"


def test_a_runaway_loop_is_stopped_and_the_host_works_again(host):
    host.time_limit = 0.5
    host.define("mul", ["x", "y"], MULTIPLY)
    host.define("spin", ["x"], "class SpinGate:\n    def forward(self, x):\n"
                               "        while True:\n            pass\n"
                               "    def backward(self, dz):\n        return dz\n")
    error = gate_error(host.forward, "spin", [1.0])
    assert (error.kind, error.gate) == ("timeout", "spin")
    assert str(error) == "SpinGate ran longer than 0.5 s and was stopped"
    # a fresh child has every gate defined again
    assert host.backward("mul", [-2.0, 3.0], 1.0) == (3.0, -2.0)
    check = check_code_gate(host, "spin", ["x"], rng=0)
    assert not check.passed and check.error.kind == "timeout"


def test_a_runaway_definition_is_stopped_too(host):
    host.time_limit = 0.5
    error = gate_error(host.define, "spin", ["x"], "while True:\n    pass\n" + SIGMOID)
    assert error.kind == "timeout" and str(error).startswith("spin ran longer than 0.5 s")
    assert gate_error(host.forward, "spin", [1.0]).kind == "undefined"


@pytest.mark.parametrize("how", ["os._exit(3)", "os.kill(os.getpid(), 9)"])
def test_a_crash_of_the_child_gives_a_clear_error_and_the_host_restarts(host, how):
    if "kill" in how and sys.platform == "win32":
        pytest.skip("signal 9 is POSIX")
    host.define("sig", ["x"], SIGMOID)
    host.define("die", ["x"], f"import os\nclass DieGate:\n    def forward(self, x):\n"
                              f"        {how}\n    def backward(self, dz):\n        return dz\n")
    error = gate_error(host.forward, "die", [1.0])
    assert error.kind == "crash"
    assert str(error).startswith("DieGate stopped the process that runs code gates (exit code")
    assert host.forward("sig", [0.0]) == 0.5


def test_arrays_are_checked_element_by_element(host):
    code = textwrap.dedent("""\
        class MatVecGate:
            def forward(self, W, x):
                self.W, self.x = W, x
                return W @ x

            def backward(self, dz):
                return np.outer(dz, self.x), self.W.T @ dz
        """)
    host.define("matvec", ["W", "x"], code)
    value = host.forward("matvec", [np.arange(6.0).reshape(2, 3), np.ones(3)])
    assert np.array_equal(value, [3.0, 12.0]) and not value.flags.writeable
    check = check_code_gate(host, "matvec", ["W", "x"], shapes=[(2, 3), (3,)], rng=4)
    assert check.passed, check.message
    assert check.entries[0].where.startswith("random inputs (W: 2×3, x: 3)")
    # a wrong element of W's gradient is found and named
    host.define("matvec", ["W", "x"], code.replace(
        "np.outer(dz, self.x)", "np.outer(dz, self.x) * [[1, 1, 1], [1, 1, 2]]"))
    check = check_code_gate(host, "matvec", ["W", "x"], shapes=[(2, 3), (3,)], rng=4)
    assert not check.passed
    assert {(e.port, e.index) for e in check.failures} == {("W", (1, 2))}
    assert "port W[1, 2] is wrong" in check.message


def test_the_check_at_the_circuits_array_inputs(host):
    host.define("mul", ["x", "y"], MULTIPLY)
    at = {"x": np.ones((2, 2)), "y": 3.0}
    check = check_code_gate(host, "mul", ["x", "y"], at=at, rng=5)
    # y is a number scaling a matrix: its gradient must be summed over the matrix
    assert not check.passed and check.error.kind == "shape"
    assert check.message == ("MultiplyGate.backward's gradient for port y is a 2×2 matrix, "
                             "but port y is a number")
    host.define("mul", ["x", "y"],
                MULTIPLY.replace("dy = self.x * dz", "dy = np.sum(self.x * dz)"))
    check = check_code_gate(host, "mul", ["x", "y"], at=at, rng=5)
    assert check.passed, check.message
    assert check.entries[-1].where == "the circuit's inputs (x: 2×2, y=3)"


def test_points_where_the_forward_is_not_finite_are_skipped(host):
    host.define("inv", ["x"], "class InvGate:\n    def forward(self, x):\n"
                              "        self.x = x\n"
                              "        return 1.0 / x if x > 0 else math.inf\n"
                              "    def backward(self, dz):\n        return -dz / self.x ** 2\n")
    check = check_code_gate(host, "inv", ["x"], at=[-1.0], rng=6)
    assert check.passed, check.message
    assert check.entries and all("x=-" not in entry.where for entry in check.entries)
    assert not any(entry.where.startswith("the circuit's") for entry in check.entries)


def test_a_gate_never_finite_is_not_passed(host):
    host.define("nan", ["x"], "class NanGate:\n    def forward(self, x):\n"
                              "        return math.nan\n"
                              "    def backward(self, dz):\n        return 0.0\n")
    check = check_code_gate(host, "nan", ["x"], rng=9)
    assert not check.passed and check.entries == [] and check.error is None
    assert check.message == ("NanGate could not be checked: its output is not finite at any "
                             "of the inputs tried")


def test_prints_do_not_break_the_protocol(host):
    code = MULTIPLY.replace("        return x * y", textwrap.indent(textwrap.dedent("""\
        print("forward", x, y)
        print("to stderr", file=sys.stderr)
        os.write(1, b"raw bytes on fd 1")
        return x * y"""), "        ")).replace("class", "import os, sys\nclass", 1)
    host.define("mul", ["x", "y"], code)
    assert host.forward("mul", [2.0, 3.0]) == 6.0
    assert host.printed == "forward 2.0 3.0\nto stderr\n"
    assert host.backward("mul", [2.0, 3.0], 1.0) == (3.0, 2.0)
    assert check_code_gate(host, "mul", ["x", "y"], rng=7).passed


def test_input_in_a_gate_does_not_read_the_protocol(host):
    host.define("ask", ["x"], "class AskGate:\n    def forward(self, x):\n"
                              "        return float(input())\n"
                              "    def backward(self, dz):\n        return dz\n")
    host.define("sig", ["x"], SIGMOID)
    error = gate_error(host.forward, "ask", [1.0])
    assert (error.kind, error.line) == ("exception", 3) and "EOFError" in str(error)
    assert host.forward("sig", [0.0]) == 0.5


def test_nan_and_inf_travel_both_ways(host):
    host.define("mul", ["x", "y"], MULTIPLY)
    assert np.isnan(host.forward("mul", [np.nan, 1.0]))
    assert host.forward("mul", [np.inf, 2.0]) == np.inf
    assert host.backward("mul", [-np.inf, 2.0], 1.0)[1] == -np.inf


def test_no_child_is_left_running_after_close():
    host = CodeHost()
    host.define("pid", ["x"], "import os\nclass PidGate:\n    def forward(self, x):\n"
                              "        return os.getpid()\n"
                              "    def backward(self, dz):\n        return dz\n")
    pid = int(host.forward("pid", [0.0]))
    assert pid != os.getpid()
    host.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # a closed host starts a new child when used again, with its definitions
    assert int(host.forward("pid", [0.0])) not in (pid, os.getpid())
    host.close()


@pytest.mark.parametrize("ports", [["x", "y"], ["x"], ["W", "x", "b"]])
def test_the_template_defines_a_gate_whose_backward_is_left_to_write(host, ports):
    code = code_gate_template("my_gate", ports)
    assert code.startswith("class MyGate:\n")
    assert f"    def forward(self, {', '.join(ports)}):" in code
    host.define("my_gate", ports, code)
    assert host.forward("my_gate", [1.0] * len(ports)) == 0.0
    error = gate_error(host.backward, "my_gate", [1.0] * len(ports), 1.0)
    assert error.kind == "exception" and "NotImplementedError" in str(error)
    assert code.splitlines()[error.line - 1].strip().startswith("raise NotImplementedError")


def test_the_template_names_the_class_after_the_gate():
    assert code_gate_template("MultiplyGate", ["x", "y"]).startswith("class MultiplyGate:")
    assert code_gate_template("sigmoid", ["x"]).startswith("class SigmoidGate:")
    assert code_gate_template("mul", ["x", "y"]).startswith("class MulGate:")


class CountingHost(CodeHost):
    """A real host that counts the forward calls made through it."""

    calls = 0

    def forward(self, name, inputs):
        self.calls += 1
        return super().forward(name, inputs)


@pytest.mark.parametrize("shape, nudged", [((3, 3), 9), ((12, 12), 100)])
def test_each_element_costs_two_forwards_up_to_a_hundred_per_port(shape, nudged):
    with CountingHost() as host:
        host.define("double", ["x"], "class DoubleGate:\n    def forward(self, x):\n"
                                     "        return 2 * x\n"
                                     "    def backward(self, dz):\n        return 2 * dz\n")
        check = check_code_gate(host, "double", ["x"], shapes=[shape], rng=8)
        assert check.passed, check.message
        # at each of 3 points: the output, the unnudged loss, then +-eps for every element
        assert host.calls == 3 * (2 + 2 * nudged)


def test_calls_from_several_threads_each_get_their_own_answer(host):
    from concurrent.futures import ThreadPoolExecutor

    host.define("mul", ["x", "y"], MULTIPLY)
    pairs = [(float(k), float(k % 7)) for k in range(200)]
    with ThreadPoolExecutor(4) as pool:
        products = list(pool.map(lambda pair: host.forward("mul", list(pair)), pairs))
    assert products == [x * y for x, y in pairs]


def test_a_gate_calling_exit_is_an_exception_not_a_crash(host):
    host.define("bye", ["x"], "import sys\nclass ByeGate:\n    def forward(self, x):\n"
                              "        sys.exit(2)\n    def backward(self, dz):\n"
                              "        return dz\n")
    error = gate_error(host.forward, "bye", [1.0])
    assert (error.kind, error.line, str(error)) == (
        "exception", 4, "ByeGate.forward, line 4: SystemExit: 2")


def test_the_child_imports_no_engine_module(host):
    host.define("probe", ["x"], "import sys\nclass ProbeGate:\n    def forward(self, x):\n"
                                "        return float(any(name == 'engine' or "
                                "name.startswith('engine.') or name in ('gates', 'circuit') "
                                "for name in sys.modules))\n"
                                "    def backward(self, dz):\n        return dz\n")
    assert host.forward("probe", [0.0]) == 0.0


def test_the_child_ends_when_its_stdin_closes_even_in_a_loop():
    import subprocess

    from engine.code_host import pack_values, read_frame, write_frame
    from engine.code_runner import HOST_PATH

    child = subprocess.Popen([sys.executable, "-u", str(HOST_PATH)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert read_frame(child.stdout)[0] == {"ok": True, "ready": True}
        write_frame(child.stdin, {"op": "define", "name": "spin", "ports": ["x"], "values": [],
                                  "code": "class SpinGate:\n    def forward(self, x):\n"
                                          "        while True:\n            pass\n"
                                          "    def backward(self, dz):\n        return dz\n"})
        assert read_frame(child.stdout)[0]["class"] == "SpinGate"
        shapes, payload = pack_values([1.0])
        write_frame(child.stdin, {"op": "forward", "name": "spin", "values": shapes}, payload)
        child.stdin.close()  # what the app's exit does to it, however the app ends
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()


def test_dz_and_the_inputs_may_be_changed_in_place(host):
    host.define("scale", ["x"], "class ScaleGate:\n    def forward(self, x):\n"
                                "        x *= 2\n        return x\n"
                                "    def backward(self, dz):\n        dz *= 2\n"
                                "        return dz\n")
    x = np.ones(3)
    assert np.array_equal(host.forward("scale", [x]), [2.0, 2.0, 2.0])
    assert np.array_equal(x, np.ones(3))
    assert np.array_equal(host.backward("scale", [x], np.ones(3))[0], [2.0, 2.0, 2.0])


def test_a_gate_that_cannot_be_defined_again_after_a_restart_is_dropped(host, tmp_path):
    marker = tmp_path / "defined once"
    host.define("once", ["x"], f"import os\nassert not os.path.exists({str(marker)!r})\n"
                               f"open({str(marker)!r}, 'w').close()\n" + SIGMOID)
    host.define("sig", ["x"], SIGMOID)
    host.define("die", ["x"], "import os\nclass DieGate:\n    def forward(self, x):\n"
                              "        os._exit(3)\n    def backward(self, dz):\n"
                              "        return dz\n")
    assert gate_error(host.forward, "die", [1.0]).kind == "crash"
    error = gate_error(host.forward, "sig", [0.0])  # the new child defines "once" again
    assert (error.gate, error.kind, error.line) == ("once", "exception", 2)
    assert host.forward("sig", [0.0]) == 0.5
    assert gate_error(host.forward, "once", [0.0]).kind == "undefined"
