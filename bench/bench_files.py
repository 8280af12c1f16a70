"""Benchmark: how long the loader takes to judge hostile files and files at the size limit.

Every file the loader is given must be judged (loaded, or refused with a message) in linear
time: a 200 KB file in milliseconds, whatever it holds. The hostile files are each about
200 KB of one trick (a string of escaped quotes that never ends, brackets past the recursion
limit, a NaN behind such a string, a gate name of 200 000 letters, lone surrogates). The large
ones are about 20 MB, the limit: a valid random circuit (with positions, as the app writes
them), the same with one wire added that closes a cycle through the whole circuit, a small
circuit carrying 20 MB of numbers in an extra key, and a string of escaped quotes.

Each row is the best of three ``engine.load`` calls on the file on disk, and says whether it
loaded or how it was refused. Run by hand: ``python bench/bench_files.py [--large-gates N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import engine
from engine import CircuitError
from random_circuits import build_circuit, random_spec

SMALL = 200_000  # bytes, about
EXAMPLE = {"format": "circuitgrad", "version": 1,
           "nodes": [{"id": "x", "op": "input", "value": 1.0}, {"id": "f", "op": "neg"}],
           "wires": [{"from": "x", "to": "f", "port": 0}]}


def with_extra(value) -> str:
    return json.dumps({**EXAMPLE, "extra": value})


def hostile_files() -> dict[str, str]:
    """Name -> text of the ~200 KB hostile files."""
    quotes = '\\"' * (SMALL // 2)
    return {
        "one quote, then escaped quotes": '"' + quotes,
        "a NaN behind 200 KB of escaped quotes": '{"t": "' + quotes + '", "v": NaN}',
        "200 000 opening brackets": "[" * SMALL,
        "100 000 nested objects": '{"a":' * (SMALL // 5),
        "a gate name of 200 000 letters": json.dumps(
            {**EXAMPLE, "nodes": [{"id": "f", "op": "m" * SMALL}], "wires": []}),
        "30 000 lone surrogates in an extra list": with_extra(["\ud800"] * 30_000),
    }


def large_files(gates: int) -> dict[str, str]:
    """Name -> text of the ~20 MB files."""
    circuit = build_circuit(random_spec(gates, seed=0))
    engine.auto_layout(circuit)
    valid = engine.dumps(circuit)
    data = json.loads(valid)
    first, last = data["nodes"][0]["id"], data["nodes"][-1]["id"]
    data["nodes"][0] = {"id": first, "op": "neg", "pos": data["nodes"][0].get("pos")}
    data["wires"].append({"from": last, "to": first, "port": 0})  # closes a cycle via all
    numbers = [0.1 * k for k in range(1_000_000)]
    return {
        f"a valid circuit of {len(circuit.nodes)} nodes": valid,
        "the same, its last wire closing a cycle": json.dumps(data),
        "a small circuit with 1 000 000 numbers in an extra key": with_extra(numbers),
        "one quote, then 20 MB of escaped quotes": '"' + '\\"' * 9_900_000,
    }


def judge(path: str) -> tuple[float, str]:
    """The best of three loads: seconds and the outcome."""
    best, outcome = float("inf"), ""
    for _ in range(3):
        start = time.perf_counter()
        try:
            circuit = engine.load(path)
            outcome = f"loaded ({len(circuit.nodes)} nodes)"
        except CircuitError as error:
            outcome = "refused: " + str(error).split(": ", 1)[1][:60]
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-gates", type=int, default=150_000,
                        help="gates of the large random circuit (default 150 000: ~19 MB)")
    args = parser.parse_args()
    print(f"{'file':56} {'MB':>6} {'seconds':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for files in (hostile_files(), large_files(args.large_gates)):
            for name, text in files.items():
                path = os.path.join(folder, "f.circuit")
                with open(path, "w", encoding="utf-8") as file:
                    file.write(text)
                seconds, outcome = judge(path)
                size = os.path.getsize(path) / 1e6
                print(f"{name:56} {size:6.2f} {seconds:8.3f}  {outcome}")


if __name__ == "__main__":
    main()
