"""The command line: ``python -m engine SUB-COMMAND ...`` (FORMAT.md section 3).

Each sub-command is a ``Command``: a name, the help people read, a function that declares its
options on an argparse parser and a function that runs it and returns the exit status. They
are registered in ``COMMANDS``; adding one (``train``, say) is writing those two functions and
one ``register(Command(...))`` call.

Results go to standard output as one JSON object; non-finite numbers are written as the
strings ``"nan"``, ``"inf"`` and ``"-inf"``. Exit status: 0 done, 1 the check failed, 2 the
command line is wrong, 3 the file cannot be used (one line on standard error, no traceback).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .autodiff import run
from .circuit import Circuit
from .circuit_file import CURRENT_VERSION, load, save
from .code_trust import trust_code, untrusted_code_gates
from .errors import CircuitError, quote, shown
from .blas_threads import single_blas_thread
from .heap import keep_freed_memory
from .progress_line import ProgressLine
from .tensor_values import checked_value

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNUSABLE = 3

PROG = "python -m engine"


@dataclass(frozen=True)
class Command:
    """One sub-command: its help, its options and what it does."""

    name: str
    summary: str  # one line, shown in the top-level help
    description: str  # a paragraph, shown in the sub-command's help
    example: str  # shown under "example:" in the sub-command's help
    configure: Callable[[argparse.ArgumentParser], None]
    execute: Callable[[argparse.Namespace], int]
    # what is wrong with options that parse but do not go together (None: nothing)
    check: Callable[[argparse.Namespace], str | None] = lambda _args: None


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    """Make ``command`` a sub-command of ``python -m engine``."""
    COMMANDS[command.name] = command
    return command


# --------------------------------------------------------------------------- helpers
def number(value) -> float | str | list:
    """A number as the CLI writes it: a float, or "nan", "inf", "-inf"; a vector or matrix
    as nested lists of those."""
    if np.ndim(value) > 0:
        return [number(item) for item in value]
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def print_json(data: dict) -> None:
    """Write one JSON object to standard output as UTF-8, one top-level key per line.

    UTF-8 whatever the terminal's encoding, as JSON must be. Text that is not Unicode (a lone
    surrogate, which a file name that is not UTF-8 can give) is written as its JSON escape,
    \\udcff, instead of failing."""
    lines = [f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
             for key, value in data.items()]
    text = "{" + ",\n ".join(lines) + "}\n"
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # a text-only stream (a test's StringIO): no encoding to get wrong
        sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    else:
        stream.write(text.encode("utf-8", "backslashreplace"))
        stream.flush()


def _assignment(text: str) -> tuple[str, object]:
    node_id, sep, value = text.rpartition("=")
    if not sep or not node_id:
        raise argparse.ArgumentTypeError(f"expected ID=VALUE (like x=1.5 or x=[0.2,0.4]), "
                                         f"not {quote(text)}")
    try:
        if value.lstrip().startswith("["):  # a vector or matrix, as JSON writes it
            return node_id, checked_value(json.loads(value), f"--set {node_id}")
        return node_id, float(value)
    except CircuitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(value)} in {quote(text)} is not a number") \
            from None


def _checked(kind: Callable, test: Callable, wanted: str) -> Callable:
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not {wanted}") from None
        if not test(value):
            raise argparse.ArgumentTypeError(f"{quote(text)} is not {wanted}")
        return value

    parse.__name__ = wanted
    return parse


_positive = _checked(float, lambda v: math.isfinite(v) and v > 0, "a number > 0")
_non_negative = _checked(float, lambda v: math.isfinite(v) and v >= 0, "a number >= 0")
_count = _checked(int, lambda v: v >= 0, "a whole number >= 0")


def _add_file_and_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a circuit file (*.circuit)")
    parser.add_argument("--set", metavar="ID=VALUE", action="append", default=[],
                        type=_assignment,
                        help="use VALUE for the input or const ID in this run (the file is not "
                             "changed); repeat for several nodes")


def _overrides(circuit: Circuit, assignments: list[tuple[str, object]]) -> dict[str, object]:
    """The --set values by id, checked against the circuit."""
    inputs = {}
    for node_id, value in assignments:
        node = circuit.nodes.get(node_id)
        if node is None:
            raise CircuitError(f"--set {shown(node_id)}: the circuit has no node "
                               f"{quote(node_id)}")
        if not node.gate.is_source:
            raise CircuitError(f"--set {shown(node_id)}: {quote(node_id)} is a gate "
                               f"({node.op}); only input and const nodes can be set")
        if np.shape(value) != np.shape(node.value):
            raise CircuitError(f"--set {shown(node_id)}: a value of shape {np.shape(value)} "
                               f"cannot take the place of its value of shape "
                               f"{np.shape(node.value)}")
        inputs[node_id] = value
    return inputs


def _load(args: argparse.Namespace) -> Circuit:
    """The file's circuit; its code gates trusted and checked with --trust, else refused."""
    circuit = load(args.file)
    untrusted = untrusted_code_gates(circuit)
    if untrusted and not args.trust:
        raise CircuitError(f"{args.file}: code gate {quote(untrusted[0])} runs Python code from "
                           "the file; read the code, then run again with --trust to run it")
    if untrusted:
        for name, check in trust_code(circuit).items():
            if not check.passed:
                raise CircuitError(f"{args.file}: code gate {quote(name)} does not pass its "
                                   f"gradient check: {check.message}")
    return circuit


def _load_with_overrides(args: argparse.Namespace) -> tuple[Circuit, dict[str, float]]:
    circuit = _load(args)
    inputs = _overrides(circuit, args.set)
    circuit.validate()
    return circuit, inputs


# --------------------------------------------------------------------------- eval
def _eval(args: argparse.Namespace) -> int:
    circuit, inputs = _load_with_overrides(args)
    result = run(circuit, inputs)
    print_json({
        "output": result.output,
        "value": number(result.value),
        "values": {node_id: number(result.values[node_id]) for node_id in circuit.nodes},
        "grads": {node_id: number(result.grads[node_id]) for node_id in circuit.nodes},
    })
    return EXIT_OK


register(Command(
    "eval", "run the forward and backward pass and print every value and gradient",
    "Runs the circuit once: the forward pass computes every node's value, the backward pass "
    "every df/d(node). Prints one JSON object: \"output\" (the output node's id), \"value\" "
    "(its value f), \"values\" and \"grads\" (by node id, intermediate nodes included).",
    f"{PROG} eval f.circuit --set x=-2 --set y=5\n"
    '  {"output": "f", "value": -12.0, "values": {...}, "grads": {"x": -4.0, ...}}',
    _add_file_and_set, _eval))


# --------------------------------------------------------------------------- check
def _check_arguments(parser: argparse.ArgumentParser) -> None:
    _add_file_and_set(parser)
    parser.add_argument("--eps", type=_positive, default=1e-6, metavar="E",
                        help="the nudge h of the centred difference (f(x+h) - f(x-h)) / 2h "
                             "(default 1e-6)")
    parser.add_argument("--atol", type=_non_negative, default=1e-5, metavar="A",
                        help="absolute tolerance (default 1e-5)")
    parser.add_argument("--rtol", type=_non_negative, default=1e-3, metavar="R",
                        help="relative tolerance (default 1e-3)")


def _check_entry(entry) -> dict:
    """One source's verdict as JSON; a tensor's names its worst element (``"element": [0,
    1]``) and lists every element's verdict under ``"elements"``."""
    data = {"analytic": number(entry.analytic), "numerical": number(entry.numerical),
            "rel_error": number(entry.rel_error), "status": entry.status, "note": entry.note}
    if entry.elements:
        data["element"] = list(entry.index)
        data["elements"] = [dict(_check_entry(element), element=list(element.index))
                            for element in entry.elements]
    return data


def _check(args: argparse.Namespace) -> int:
    from .gradcheck import check_gradients

    circuit, inputs = _load_with_overrides(args)
    report = check_gradients(circuit, inputs=inputs, eps=args.eps, atol=args.atol,
                             rtol=args.rtol)
    print_json({
        "passed": bool(report.passed),
        "output": circuit.output_id(),
        "inputs": {entry.node_id: _check_entry(entry) for entry in report.entries},
    })
    return EXIT_OK if report.passed else EXIT_FAILED


register(Command(
    "check", "compare the backward pass with numerical gradients (exit 1 if they disagree)",
    "The numerical gradient check: for every input, nudges it by +-E and compares the slope "
    "(f(x+E) - f(x-E)) / 2E with the gradient of the backward pass. Prints \"passed\" and, "
    "for each input, both gradients, their relative error and a status: \"ok\", \"fail\", or "
    "\"kink\" (the input sits where the function has a corner, as relu at 0, so the two may "
    "rightly differ). Exit status 0 if nothing failed, 1 otherwise.",
    f"{PROG} check f.circuit --set x=3 --eps 1e-5",
    _check_arguments, _check))


# --------------------------------------------------------------------------- ascend
def _ascend_arguments(parser: argparse.ArgumentParser) -> None:
    _add_file_and_set(parser)
    parser.add_argument("--steps", type=_count, default=100, metavar="N",
                        help="how many steps to take at most (default 100)")
    parser.add_argument("--step-size", type=_positive, default=0.01, metavar="H",
                        help="how far each step moves along the gradient (default 0.01)")
    parser.add_argument("--tol", type=_non_negative, default=None, metavar="T",
                        help="stop early once a step changes the output by less than T")
    parser.add_argument("--minimize", action="store_true",
                        help="go down the gradient (make the output smaller) instead of up")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--numerical", action="store_true",
                     help="use numerical gradients (the hacker's guide's second strategy)")
    how.add_argument("--random", action="store_true",
                     help="random local search: keep random nudges that help (its first "
                          "strategy)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed for --random (default 0)")
    parser.add_argument("--trajectories", action="store_true",
                        help="also print every input's value after each step")
    parser.add_argument("--save", metavar="OUT",
                        help="write the circuit with the inputs' final values to OUT")


def _ascend(args: argparse.Namespace) -> int:
    from .ascent import ascend

    circuit, inputs = _load_with_overrides(args)
    method = "numerical" if args.numerical else "random" if args.random else "analytic"
    result = ascend(circuit, inputs=inputs, steps=args.steps, step_size=args.step_size,
                    tol=args.tol, minimize=args.minimize, method=method, seed=args.seed)
    data = {
        "output": circuit.output_id(),
        "method": method,
        "steps": int(result.steps),
        "stopped": result.stopped,
        "history": [number(value) for value in result.history],
        "values": {node_id: number(value) for node_id, value in result.values.items()},
    }
    if args.trajectories:
        data["trajectories"] = {node_id: [number(value) for value in values]
                                for node_id, values in result.trajectories.items()}
    if args.save:
        for node_id, value in result.values.items():
            if circuit.nodes[node_id].gate.variable and np.isfinite(value).all():
                circuit.set_value(node_id, value)
        save(circuit, args.save)
    print_json(data)
    return EXIT_OK


register(Command(
    "ascend", "nudge the inputs along their gradients to make the output larger",
    "Gradient ascent on the inputs, as in the hacker's guide: each step moves every free "
    "input (not consts, not frozen inputs, not data features) by H times its gradient, and "
    "the output climbs. Prints \"history\" (the output before the first step and after each "
    "step), the final \"values\" of the inputs and consts, the number of \"steps\" taken and "
    "why it \"stopped\".",
    f"{PROG} ascend f.circuit --steps 10 --step-size 0.01\n"
    f"  {PROG} ascend f.circuit --minimize --numerical --tol 1e-9 --save f-moved.circuit",
    _ascend_arguments, _ascend))


# --------------------------------------------------------------------------- train
def _train_arguments(parser: argparse.ArgumentParser) -> None:
    from .datasets import DATASETS, DEFAULT_POINTS, MAX_POINTS
    from .training import BATCHES, LOSSES, REGULARIZE

    parser.add_argument("file", metavar="FILE", help="a circuit file (*.circuit) whose inputs "
                        "with feature 0 and 1 take the points' x and y")
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--data", metavar="CSV", help="train on the points of a CSV file "
                      "(x,y,label per line; labels 1/-1, or 0/1)")
    data.add_argument("--dataset", choices=list(DATASETS), metavar="NAME",
                      help="train on a generated data set: " + ", ".join(DATASETS) +
                           " (without --data or --dataset: the one saved in FILE)")
    parser.add_argument("--points", type=_checked(int, lambda v: 2 <= v <= MAX_POINTS,
                                                  f"a whole number from 2 to {MAX_POINTS}"),
                        default=None, metavar="N",
                        help=f"how many points --dataset makes (default {DEFAULT_POINTS})")
    parser.add_argument("--noise", type=_non_negative, default=None, metavar="X",
                        help="the spread of the jitter --dataset adds to each point (default 0)")
    parser.add_argument("--loss", choices=LOSSES, default=None,
                        help="hinge (the hacker's guide's SVM) or logistic (default: what FILE "
                             "suggests, else hinge)")
    parser.add_argument("--steps", type=_count, default=1000, metavar="N",
                        help="how many steps to take (default 1000)")
    parser.add_argument("--step-size", type=_positive, default=None, metavar="H",
                        help="how far each step moves down the gradient (default: what FILE "
                             "suggests, else 0.01)")
    parser.add_argument("--reg", type=_non_negative, default=1e-3, metavar="R",
                        help="L2 regularisation strength (default 0.001; the guide's SVM "
                             "uses 1)")
    parser.add_argument("--regularize", choices=REGULARIZE, default="weights",
                        help="which parameters the penalty pulls towards 0: weights (not the "
                             "biases, as the guide does; the default) or all")
    parser.add_argument("--batch", choices=BATCHES, default="full",
                        help="full: every step uses all points (default); stochastic: "
                             "random points, as the guide does")
    parser.add_argument("--batch-size", type=_checked(int, lambda v: v >= 1,
                                                      "a whole number >= 1"),
                        default=1, metavar="B",
                        help="points per stochastic step (default 1)")
    parser.add_argument("--seed", type=_count, default=0,
                        help="random seed of --dataset and of the stochastic picks (default 0)")
    parser.add_argument("--init-seed", type=_count, default=None, metavar="S",
                        help="start from random parameters (uniform in [-0.5, 0.5)) made "
                             "from seed S instead of the values in FILE")
    parser.add_argument("--save", metavar="OUT",
                        help="write the circuit with the trained parameters (and the data "
                             "set it was trained on) to OUT")


def _training_data(args: argparse.Namespace, circuit: Circuit):
    from .dataset_file import load_csv
    from .datasets import DEFAULT_POINTS, embedded_dataset, make_dataset

    if args.data:
        return load_csv(args.data)
    if args.dataset:
        points = DEFAULT_POINTS if args.points is None else args.points
        return make_dataset(args.dataset, points, args.noise or 0.0, args.seed)
    try:
        dataset = embedded_dataset(circuit)
    except CircuitError as error:
        raise CircuitError(f"{args.file}: {error}") from None
    if dataset is None:
        raise CircuitError(f"{args.file}: no data set: the file has none saved in it; give "
                           "--data CSV or --dataset NAME")
    return dataset


def _train_check(args: argparse.Namespace) -> str | None:
    given = [option for option, value in (("--points", args.points), ("--noise", args.noise))
             if value is not None]
    if given and not args.dataset:
        verb = "go" if len(given) > 1 else "goes"
        return (f"{' and '.join(given)} {verb} with --dataset NAME (the shape of a generated "
                "data set)")
    return None


def _take_suggestions(args: argparse.Namespace, circuit: Circuit) -> None:
    """The loss and step size not given: the file's suggestion (its "training" key), if valid,
    else the defaults."""
    from .layer_nets import suggested_training
    from .training import LOSSES

    suggested = suggested_training(circuit)
    if args.loss is None:
        args.loss = suggested.get("loss") if suggested.get("loss") in LOSSES else "hinge"
    if args.step_size is None:
        step = suggested.get("step_size")
        valid = type(step) in (int, float) and math.isfinite(step) and step > 0
        args.step_size = float(step) if valid else 0.01


def _train(args: argparse.Namespace) -> int:
    from .datasets import embed_dataset
    from .training import train

    circuit = _load(args)
    circuit.validate()
    dataset = _training_data(args, circuit)
    _take_suggestions(args, circuit)
    line = ProgressLine(sys.stderr, args.steps)

    def progress(trainer) -> None:
        line.show(trainer.steps, trainer.loss_history[-1], trainer.accuracy_history[-1])

    try:
        result = train(circuit, dataset, args.steps, loss=args.loss,
                       step_size=args.step_size, reg=args.reg, batch=args.batch,
                       batch_size=args.batch_size, regularize=args.regularize, seed=args.seed,
                       init_seed=args.init_seed, progress=progress if line.active else None)
    finally:
        line.close()
    if args.save:
        for node_id, value in result.params.items():
            if np.isfinite(value).all():
                circuit.set_value(node_id, value)
        if args.data or args.dataset:
            embed_dataset(circuit, dataset)
        save(circuit, args.save)
    print_json({
        "output": circuit.output_id(),
        "dataset": dataset.name,
        "points": len(dataset),
        "loss_function": args.loss,
        "steps": result.steps,
        "accuracy": number(result.accuracy),
        "final_loss": number(result.loss[-1]) if result.loss else None,
        "loss": [number(value) for value in result.loss],
        "accuracy_history": [number(value) for value in result.accuracy_history],
        "params": {node_id: number(value) for node_id, value in result.params.items()},
    })
    return EXIT_OK


register(Command(
    "train", "train the circuit's parameters to classify 2D points",
    "Trains the circuit as a classifier: inputs with feature 0 and 1 take each point's x and "
    "y, the output is the point's score, and its sign the predicted label. Every step moves "
    "the parameters (the free inputs) down the gradient of the loss: hinge (the hacker's "
    "guide's SVM: max(0, 1 - label*score)) or logistic (log(1 + exp(-label*score))), plus "
    "reg/2 times the sum of the squared weights. Prints \"accuracy\" (the fraction of the "
    "training points classified right at the end), \"loss\" and \"accuracy_history\" (one "
    "value per step) and the trained \"params\".",
    f"{PROG} train net.circuit --dataset circle --points 200 --noise 0.1 --steps 500 "
    "--step-size 0.2\n"
    f"  {PROG} train svm.circuit --data points.csv --batch stochastic --reg 1 --save out.circuit",
    _train_arguments, _train, _train_check))


# --------------------------------------------------------------------------- main
def _version() -> str:
    try:
        from importlib.metadata import version

        return f"circuitgrad {version('circuitgrad')} (circuit files up to version " \
               f"{CURRENT_VERSION})"
    except Exception:  # not installed as a package: the version is only in pyproject.toml
        return f"circuitgrad (circuit files up to version {CURRENT_VERSION})"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m engine`` with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="circuitgrad's engine on the command line: run circuit files, check their "
                    "gradients, climb them, train them as classifiers.",
        epilog="exit status: 0 done, 1 a check failed, 2 the command line is wrong, 3 the "
               "file cannot be used\n\nexample:\n"
               f"  {PROG} eval f.circuit --set x=-2\n"
               f"  {PROG} train svm.circuit --dataset six_points --steps 300 --step-size 0.1\n"
               f"  {PROG} train --help",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        sub = commands.add_parser(command.name, help=command.summary,
                                  description=textwrap.fill(command.description, 79),
                                  epilog="example:\n  " + command.example,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        command.configure(sub)
        sub.add_argument("--trust", action="store_true",
                         help="run the Python code of the file's code gates (only for a file "
                              "whose code you have read); each is checked against the "
                              "numerical gradient first")
        sub.set_defaults(execute=command.execute, check=command.check, parser=sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m engine`` with ``argv``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    keep_freed_memory()  # batched passes (train, a big check) reuse their memory
    single_blas_thread()  # and their matrix products do not fight for the cores
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    problem = args.check(args)
    if problem:
        args.parser.error(problem)  # usage and the problem on stderr, exit status 2
    try:
        return args.execute(args)
    except CircuitError as error:
        message = " ".join(str(error).splitlines())
        sys.stderr.write(f"error: {message}\n")
        return EXIT_UNUSABLE
