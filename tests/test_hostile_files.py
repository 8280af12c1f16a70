"""Hostile files: what a file anyone may write cannot do to the reader, the writer or the CLI.

Text that is not Unicode (a lone surrogate), text a megabyte long, texts that once made the
loader quadratic, values nested too deep for the reader, symbolic links, saves killed midway.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import CircuitError, atomic_write, cli
from engine.errors import MAX_SHOWN, quote, shown

from test_circuit_file import EXAMPLE, example_dict
from test_cli import REPO, cli_run, refused as cli_refused


def refused(data) -> str:
    """The message a text or a dict is refused with."""
    with pytest.raises(CircuitError) as caught:
        engine.loads(data) if isinstance(data, (str, bytes)) else engine.circuit_from_dict(data)
    return str(caught.value)


def with_ids(**renames) -> str:
    """FORMAT.md's example as JSON text, with node ids renamed (old id -> new id) everywhere."""
    data = example_dict()
    for node in data["nodes"]:
        node["id"] = renames.get(node["id"], node["id"])
    for wire in data["wires"]:
        wire["from"] = renames.get(wire["from"], wire["from"])
        wire["to"] = renames.get(wire["to"], wire["to"])
    data["output"] = renames.get(data["output"], data["output"])
    return json.dumps(data)  # ensure_ascii: a lone surrogate is written as the escape \ud800


# --------------------------------------------------------------------------- lone surrogates
@pytest.mark.parametrize("command", ["eval", "check", "ascend"])
def test_an_id_that_is_a_lone_surrogate_is_refused_by_every_command(tmp_path, command):
    path = tmp_path / "s.circuit"
    path.write_text(with_ids(x="\ud800"), encoding="ascii")
    message = cli_refused(3, command, path)
    assert message.endswith("nodes[0].id: '\\ud800' holds a lone surrogate, which is not text "
                            "(UTF-8 cannot store it)\n")


def test_an_output_that_is_a_lone_surrogate_is_refused_naming_it():
    data = json.loads(with_ids(f="\udfff"))
    assert refused(json.dumps(data)).startswith("nodes[4].id: '\\udfff' holds a lone surrogate")
    data = example_dict()
    data["output"] = "\udfff"
    assert refused(json.dumps(data)) == ("output: '\\udfff' holds a lone surrogate, which is "
                                         "not text (UTF-8 cannot store it)")


@pytest.mark.parametrize("where, place", [
    (lambda d: d.__setitem__("title", "a\ud800b"), "title"),
    (lambda d: d["nodes"][1].__setitem__("label", "\udc00"), "nodes[1].label"),
    (lambda d: d.__setitem__("view", {"notes": ["ok", "\ud900"]}), "view.notes[1]"),
])
def test_a_lone_surrogate_anywhere_is_refused_naming_the_place(where, place):
    data = example_dict()
    where(data)
    assert refused(json.dumps(data)).startswith(f"{place}: ")
    assert refused(data).startswith(f"{place}: ")  # a dict handed to the API too


def test_a_raw_lone_surrogate_in_a_str_handed_to_loads_is_refused():
    assert refused(EXAMPLE.replace("f = (x + y) * z", "\ud800")).startswith("title: '\\ud800'")


def test_a_lone_surrogate_in_a_key_is_refused():
    data = example_dict()
    data["nodes"][0]["\udead"] = 1
    assert refused(json.dumps(data)) == ("nodes[0]: the key '\\udead' holds a lone surrogate, "
                                         "which is not text (UTF-8 cannot store it)")


def test_a_surrogate_pair_is_one_character_and_loads(tmp_path):
    text = with_ids(x="\U0001F600")  # written as the escapes \ud83d\ude00
    assert "\\ud83d\\ude00" in text
    circuit = engine.loads(text)
    assert "\U0001F600" in circuit.nodes
    path = tmp_path / "emoji.circuit"
    path.write_text(text, encoding="ascii")
    assert cli_run("eval", path).returncode == 0


def test_eval_prints_ids_beyond_ascii_as_utf8(tmp_path):
    path = tmp_path / "u.circuit"
    path.write_text(with_ids(x="größe", f="\U0001F600"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "engine", "eval", path], cwd=REPO,
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.decode("utf-8"))
    assert result["output"] == "\U0001F600" and result["grads"]["größe"] == -4.0
    assert "größe".encode("utf-8") in done.stdout


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names must be UTF-8 there")
def test_train_prints_a_data_set_named_after_a_file_name_that_is_not_utf8(tmp_path):
    svm = tmp_path / "svm.circuit"
    engine.save(engine.linear_classifier(), svm)
    csv = os.path.join(os.fsencode(tmp_path), b"pts\xff.csv")
    with open(csv, "w", encoding="utf-8") as file:
        file.write("x,y,label\n1,2,1\n-1,-2,-1\n")
    done = subprocess.run([sys.executable, "-m", "engine", "train", os.fsencode(svm), "--data",
                           csv, "--steps", "1"], cwd=REPO, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dataset"] == "pts\udcff"  # written as its JSON escape


def test_print_json_writes_a_lone_surrogate_as_its_json_escape(capsys):
    cli.print_json({"name": "a\udcffb"})
    assert json.loads(capsys.readouterr().out) == {"name": "a\udcffb"}


# --------------------------------------------------------------------------- long text
def test_quote_and_shown_keep_messages_short_and_printable():
    assert quote("mul") == "'mul'" and shown("f") == "f"
    assert len(quote("m" * 10 ** 6)) == MAX_SHOWN + 2
    assert quote("m" * 10 ** 6).endswith("...'")
    assert shown("line\nbreak\x00\u202e") == "line\\nbreak\\x00\\u202e"
    assert len(shown("\x01" * 100)) <= MAX_SHOWN
    assert quote(1e400) == "Infinity" and quote([1, "a"]) == '[1, "a"]'
    assert len(quote(list(range(10 ** 5)))) <= MAX_SHOWN


@pytest.mark.parametrize("mutate", [
    lambda d: d["nodes"][4].__setitem__("op", "m" * 10 ** 6),
    lambda d: d["wires"][0].__setitem__("from", "w" * 10 ** 6),
    lambda d: d.__setitem__("output", "o" * 10 ** 6),
    lambda d: d["nodes"][1].__setitem__("id", "x"),
    lambda d: d.__setitem__("format", "c" * 10 ** 6),
    lambda d: d["nodes"][0].__setitem__("value", "v" * 10 ** 6),
    lambda d: d["nodes"][3].__setitem__("inputs", ["n"] * 10 ** 5),
])
def test_messages_quote_at_most_60_characters_of_what_a_file_holds(tmp_path, mutate):
    data = example_dict()
    mutate(data)

    def longer(node_id):  # and every one-letter id a megabyte long
        return node_id * 10 ** 6 if len(node_id) == 1 else node_id

    for node in data["nodes"]:
        node["id"] = longer(node["id"])
    for wire in data["wires"]:
        wire["from"], wire["to"] = longer(wire["from"]), longer(wire["to"])
    data["output"] = longer(data["output"])
    path = tmp_path / "long.circuit"
    path.write_text(json.dumps(data), encoding="utf-8")
    message = cli_refused(3, "eval", path)
    assert len(message) < len(str(path)) + 400, message


@pytest.mark.parametrize("wires, expected", [
    ([("x", "q", 0), ("q", "f", 0), ("f", "q", 1)], "would close a cycle f... -> q... -> f..."),
    ([("x", "q", 0), ("y", "q", 0)], "q... port 0 already has a wire from x..."),
    ([("x", "q", 5)], "q... (add) has no input port 5 (its ports are 0 to 1)"),
])
def test_graph_messages_show_long_ids_cut(wires, expected):
    long = {name: name + "_" * 10 ** 6 for name in "xyqf"}
    data = {"format": "circuitgrad", "version": 1,
            "nodes": [{"id": long["x"], "op": "input", "value": 1},
                      {"id": long["y"], "op": "input", "value": 2},
                      {"id": long["q"], "op": "add"}, {"id": long["f"], "op": "neg"}],
            "wires": [{"from": long[a], "to": long[b], "port": p} for a, b, p in wires]}
    message = refused(data)
    assert len(message) < 400
    assert message.replace("_", "").endswith(expected)


def test_a_long_cycle_is_named_by_its_ends():
    count = 5000
    data = {"format": "circuitgrad", "version": 1,
            "nodes": [{"id": f"n{k}", "op": "neg"} for k in range(count)],
            "wires": [{"from": f"n{k}", "to": f"n{(k + 1) % count}", "port": 0}
                      for k in range(count)]}
    assert refused(data) == ("wires[4999]: would close a cycle n4999 -> n0 -> n1 -> n2 -> n3 "
                             "-> n4 -> ... (4989 more) -> n4994 -> n4995 -> n4996 -> n4997 -> "
                             "n4998 -> n4999")


def test_a_circuit_that_cannot_run_is_refused_in_one_short_line(tmp_path):
    count = 20_000  # inputs with megabyte ids feeding nothing, and add gates with free ports
    data = {"format": "circuitgrad", "version": 1,
            "nodes": [{"id": f"in{k}" + "_" * 10 ** 5 * (k < 2), "op": "input", "value": 1}
                      for k in range(count)] + [{"id": f"a{k}", "op": "add"}
                                                for k in range(count)]}
    path = tmp_path / "idle.circuit"
    path.write_text(json.dumps(data), encoding="utf-8")
    message = cli_refused(3, "eval", path)
    assert "the circuit cannot run: a0 (add) port 0 is not connected; " in message
    assert "... (39989 more); " in message
    assert "no output: 40000 nodes feed nothing (in0___" in message
    assert len(message) < len(str(path)) + 1200


def test_a_data_input_on_a_third_column_is_named_short(tmp_path):
    svm = engine.linear_classifier()
    data_input = next(node.id for node in svm.nodes.values() if node.feature == 1)
    svm.set_feature(data_input, 2)
    svm.rename(data_input, "y" * 10 ** 5)
    path = tmp_path / "svm.circuit"
    engine.save(svm, path)
    message = cli_refused(3, "train", path, "--dataset", "xor", "--steps", "1")
    assert "yyy...: bound to feature 2, but a data set has two columns" in message
    assert len(message) < len(str(path)) + 200


# --------------------------------------------------------------------------- linear reading
def test_a_string_of_escaped_quotes_is_refused_at_once():
    # once quadratic (the nesting pre-scan): 200 KB took more than 20 s; see bench_files.py
    text = '"' + '\\"' * 100_000
    assert refused(text) == ("line 1, column 1: not valid JSON: Unterminated string starting "
                             "at")


def test_a_nan_after_a_string_of_escaped_quotes_is_placed_at_once():
    text = '{"title": "' + '\\"' * 100_000 + '", "v": NaN, "w": "' + '\\"' * 100_000
    assert refused(text).startswith(f"line 1, column {len(text.split('NaN')[0]) + 1}: NaN is "
                                    "not allowed")


def test_brackets_deeper_than_the_recursion_limit_are_refused():
    assert refused("[" * 100_000).endswith("the JSON nests deeper than 64 levels")
    assert refused('{"a":' * 100_000).endswith("the JSON nests deeper than 64 levels")


# --------------------------------------------------------------------------- what save writes
def deep(levels: int):
    value = "bottom"
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


def test_save_refuses_what_load_would_refuse_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "f.circuit"
    path.write_text(EXAMPLE, encoding="utf-8")
    circuit = engine.loads(EXAMPLE)
    circuit.set_extra("view", deep(100))
    with pytest.raises(CircuitError, match=r"f.circuit: cannot save: view\[0\].k\[0\].*: the JSON "
                                           r"nests deeper than 64 levels"):
        engine.save(circuit, path)
    assert path.read_text(encoding="utf-8") == EXAMPLE
    assert os.listdir(tmp_path) == ["f.circuit"]
    circuit.set_extra("view", deep(62))  # with the top object and "view": 63 levels
    engine.save(circuit, path)
    assert engine.load(path).extra["view"] == deep(62)


@pytest.mark.parametrize("change, message", [
    (lambda c: c.set_title("a\ud800"), "title: 'a\\ud800' holds a lone surrogate"),
    (lambda c: c.set_label("x", "\udfff"), "nodes[0].label: '\\udfff' holds a lone surrogate"),
    (lambda c: c.rename("q", "\udc80"), "nodes[3].id: '\\udc80' holds a lone surrogate"),
    (lambda c: c.set_extra("view", {1: "a", "1": "b"}), "view: the key 1 is not a string"),
])
def test_save_refuses_text_and_keys_a_file_cannot_hold(tmp_path, change, message):
    circuit = engine.loads(EXAMPLE)
    change(circuit)
    with pytest.raises(CircuitError, match=re.escape(message)):
        engine.save(circuit, tmp_path / "f.circuit")
    assert os.listdir(tmp_path) == []


def test_save_refuses_a_file_over_the_size_limit(tmp_path, monkeypatch):
    from engine import text_files

    circuit = engine.loads(EXAMPLE)
    monkeypatch.setattr(text_files, "MAX_FILE_BYTES", 200)
    with pytest.raises(CircuitError, match=r"f.circuit: cannot save: the file is too large"):
        engine.save(circuit, tmp_path / "f.circuit")
    assert os.listdir(tmp_path) == []


_TEXT = st.text(st.sampled_from('ab"\\\n') | st.characters(categories=["Cs"]) | st.characters(),
               max_size=8)  # lone surrogates included
_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
_JSONISH = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3) |
                        st.dictionaries(_TEXT | st.integers(), inner, max_size=3), max_leaves=12)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(_TEXT, _JSONISH, max_size=3),
       node_extra=st.dictionaries(_TEXT, _JSONISH, max_size=2),
       levels=st.integers(0, 80), title=_TEXT)
def test_what_save_writes_always_loads_back(tmp_path, extra, node_extra, levels, title):
    circuit = engine.loads(EXAMPLE)
    circuit.set_title(title)
    for key, value in extra.items():
        circuit.set_extra(key, value)
    circuit.set_extra("deep", deep(levels))
    circuit.nodes["q"].extra.update(node_extra)
    path = tmp_path / "f.circuit"
    try:
        engine.save(circuit, path)
    except CircuitError:
        return  # refused up front, with a message: fine
    back = engine.load(path)  # must not raise
    assert engine.dumps(back) == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- saving on disk
def test_saving_through_a_symbolic_link_writes_the_file_it_points_to(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "f.circuit"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.circuit"
    link.symlink_to(os.path.join("real", "f.circuit"))  # a relative link
    engine.save(engine.loads(EXAMPLE), link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "f.circuit")
    assert engine.run(engine.load(target)).value == -12.0
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(os.listdir(tmp_path)) == ["link.circuit", "real"]
    assert os.listdir(tmp_path / "real") == ["f.circuit"]


def test_saving_through_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.circuit"
    link.symlink_to(tmp_path / "new.circuit")
    engine.save(engine.loads(EXAMPLE), link)
    assert link.is_symlink() and engine.load(tmp_path / "new.circuit").title


def test_a_data_set_saved_through_a_link_keeps_the_link(tmp_path):
    link = tmp_path / "points.csv"
    link.symlink_to(tmp_path / "real.csv")
    engine.save_csv(engine.make_dataset("six_points", 6), link)
    assert link.is_symlink() and len(engine.load_csv(tmp_path / "real.csv")) == 6


def leftover(folder, name: str, age_s: float):
    """A temporary file as a killed save of ours leaves it, last written ``age_s`` ago."""
    path = folder / name
    path.write_text("half a file", encoding="utf-8")
    when = path.stat().st_mtime - age_s
    os.utime(path, (when, when))
    return path


def test_the_next_save_removes_what_a_killed_save_left_behind(tmp_path):
    stale = leftover(tmp_path, ".f.circuit.k1llq8w2.circuitgrad-tmp", 3600)
    other = leftover(tmp_path, ".g.circuit.a8d7f0s1.circuitgrad-tmp", 3600)
    young = leftover(tmp_path, ".f.circuit.zz91ab3c.circuitgrad-tmp", 5)  # a save running now?
    not_ours = [leftover(tmp_path, name, 3600) for name in
                (".f.circuit.x.tmp", "f.circuit.circuitgrad-tmp.bak", "notes.circuitgrad-tmp",
                 ".notes.circuitgrad-tmp", ".f.circuit.MINE.circuitgrad-tmp")]
    engine.save(engine.loads(EXAMPLE), tmp_path / "f.circuit")
    assert not stale.exists() and not other.exists()
    assert young.exists() and all(path.exists() for path in not_ours)
    assert engine.run(engine.load(tmp_path / "f.circuit")).value == -12.0


def test_what_a_save_killed_while_writing_leaves_the_next_save_removes(tmp_path, monkeypatch):
    seen, real_fsync = [], os.fsync

    def fsync(handle):  # while the new bytes go to disk, before the rename: a kill here
        seen.extend(name for name in os.listdir(tmp_path) if name != "f.circuit")
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    engine.save(engine.loads(EXAMPLE), tmp_path / "f.circuit")
    monkeypatch.undo()
    assert len(seen) == 1 and seen[0].startswith(".f.circuit.")
    left = leftover(tmp_path, seen[0], atomic_write.STALE_AFTER_S + 5)  # as the kill left it
    engine.save(engine.loads(EXAMPLE), tmp_path / "f.circuit")
    assert not left.exists() and os.listdir(tmp_path) == ["f.circuit"]


# --------------------------------------------------------------------------- no traceback, ever
_ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
                         lambda inner: st.lists(inner, max_size=3) |
                         st.dictionaries(_TEXT, inner, max_size=3), max_leaves=8)
_PLACES = st.sampled_from([(), ("title",), ("output",), ("nodes",), ("wires",), ("nodes", 0),
                           ("nodes", 3, "op"), ("nodes", 1, "id"), ("nodes", 2, "value"),
                           ("nodes", 0, "pos"), ("nodes", 4, "inputs"), ("wires", 1),
                           ("wires", 2, "from"), ("wires", 3, "port"), ("dataset",),
                           ("nodes", 0, "feature"), ("nodes", 4, "params")])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(_PLACES, _ANY_JSON), min_size=1, max_size=3),
       command=st.sampled_from([["eval"], ["check"], ["ascend", "--steps", "2"],
                                ["train", "--steps", "1"]]))
def test_no_file_makes_a_command_fail_other_than_by_a_named_refusal(tmp_path, capsys, changes,
                                                                   command):
    data = example_dict()
    for place, value in changes:
        if not place:
            data = value
            continue
        target = data
        try:
            for key in place[:-1]:
                target = target[key]
            target[place[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    path = tmp_path / "fuzz.circuit"
    path.write_bytes(json.dumps(data).encode("ascii"))
    status = cli.main([command[0], str(path), *command[1:]])
    out, err = capsys.readouterr()
    assert status in (0, 1, 3), (status, err)
    if status == 3:
        assert out == "" and err.startswith("error: ") and err.count("\n") == 1
        assert len(err) < len(str(path)) + 400, err
    else:
        json.loads(out)


@pytest.mark.parametrize("call", [
    lambda c, long_id: engine.run(c, {long_id: 1.0}),
    lambda c, long_id: engine.gradient_paths(c, engine.run(c), long_id),
    lambda c, long_id: engine.Trainer(c, engine.make_dataset("circle", 10, 0.0, 0)).set_params(
        {long_id: 1.0}),
], ids=["run", "gradient_paths", "trainer"])
def test_a_megabyte_long_id_handed_to_the_api_is_cut_in_the_message(call):
    """Messages that name an id the caller gave quote at most MAX_SHOWN characters of it."""
    circuit = engine.loads(json.dumps(example_dict()))
    long_id = "n" * 1_000_000
    with pytest.raises(CircuitError) as refused:
        call(circuit, long_id)
    assert len(str(refused.value)) < 3 * MAX_SHOWN
