"""Data sets: the guide's six points, the generated shapes, clicks that add and remove points,
the data set inside a circuit file, and CSV files."""

import os

import numpy as np
import pytest

import engine
from engine.dataset_file import dumps_csv, load_csv, parse_csv, save_csv
from engine.datasets import (DATASETS, Dataset, blobs, circle, embed_dataset, embedded_dataset,
                             make_dataset, moons, six_points, spiral, xor)
from engine.errors import CircuitError
from helpers import example

GUIDE = [([1.2, 0.7], 1), ([-0.3, -0.5], -1), ([3.0, 0.1], 1), ([-0.1, -1.0], -1),
         ([-1.0, 1.1], -1), ([2.1, -3.0], 1)]


# ------------------------------------------------------------------ the guide's six points
def test_six_points_are_the_guides_points_and_labels():
    data = six_points()
    assert data.points.tolist() == [point for point, _label in GUIDE]
    assert data.labels.tolist() == [label for _point, label in GUIDE]
    assert data.name == "six_points" and len(data) == 6


def test_six_points_with_noise_jitter_around_the_guides_points():
    data = six_points(noise=0.05, seed=3)
    offsets = data.points - np.array([point for point, _label in GUIDE])
    assert 0 < np.abs(offsets).max() < 0.5
    assert data == six_points(noise=0.05, seed=3)


# ------------------------------------------------------------------ generators
@pytest.mark.parametrize("name", [name for name in DATASETS if name != "six_points"])
@pytest.mark.parametrize("n", [2, 7, 100, 501])
def test_generators_make_n_points_half_of_each_label(name, n):
    data = make_dataset(name, n, 0.1, seed=1)
    assert data.points.shape == (n, 2) and data.labels.shape == (n,)
    assert (data.labels == 1).sum() == n // 2
    assert (data.labels == -1).sum() == n - n // 2
    assert np.isfinite(data.points).all()
    assert data.name == name


@pytest.mark.parametrize("name", list(DATASETS))
def test_generators_are_reproducible_per_seed(name):
    first = make_dataset(name, 60, 0.2, seed=5)
    assert first == make_dataset(name, 60, 0.2, seed=5)
    assert first != make_dataset(name, 60, 0.2, seed=6)


def test_circle_puts_plus_inside_radius_one_and_minus_in_the_ring_around():
    data = circle(400, seed=2)
    radius = np.hypot(data.x, data.y)
    assert radius[data.labels == 1].max() <= 1.0
    inner_ring = radius[data.labels == -1]
    assert inner_ring.min() >= 1.5 and inner_ring.max() <= 2.2


def test_xor_labels_are_the_sign_of_x_times_y():
    data = xor(400, seed=4)
    assert (np.sign(data.x * data.y) == data.labels).all()
    assert np.abs(data.points).min() >= 0.2


def test_blobs_centre_on_plus_one_plus_one_and_minus_one_minus_one():
    data = blobs(4000, seed=0)
    np.testing.assert_allclose(data.points[data.labels == 1].mean(axis=0), [1, 1], atol=0.05)
    np.testing.assert_allclose(data.points[data.labels == -1].mean(axis=0), [-1, -1], atol=0.05)
    assert data.points[data.labels == 1].std(axis=0) == pytest.approx([0.5, 0.5], abs=0.03)


def test_spiral_arms_are_point_reflections_of_each_other():
    data = spiral(200, seed=0)
    plus = data.points[data.labels == 1]
    minus = data.points[data.labels == -1]
    # the second arm is the first turned by half a turn: the same set of points, negated
    order = np.lexsort(plus.T)
    np.testing.assert_allclose(np.sort(np.hypot(*plus.T)), np.sort(np.hypot(*minus.T)))
    np.testing.assert_allclose(plus[order], (-minus)[np.lexsort((-minus).T)], atol=1e-12)
    assert np.hypot(*plus.T).max() <= 2.2


def test_moons_lie_on_two_half_circles():
    data = moons(300, seed=0)
    shift = np.array([0.5, 0.25])
    top = data.points[data.labels == 1] / 1.5 + shift
    bottom = data.points[data.labels == -1] / 1.5 + shift
    np.testing.assert_allclose(np.hypot(*top.T), 1.0, atol=1e-12)
    assert (top[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1.0, bottom[:, 1] - 0.5), 1.0,
                               atol=1e-12)
    assert (bottom[:, 1] <= 0.5 + 1e-12).all()


def test_noise_is_the_spread_of_the_jitter():
    clean, noisy = moons(2000, 0.0, seed=9), moons(2000, 0.3, seed=9)
    # same shape before the jitter: the jitter is the difference of the sorted clouds' spread
    assert np.std(noisy.points - noisy.points.mean(axis=0)) > np.std(clean.points -
                                                                       clean.points.mean(axis=0))
    assert set(noisy.labels.tolist()) == {1.0, -1.0}


@pytest.mark.parametrize("args", [("circle", 1, 0.0), ("circle", 2.5, 0.0),
                                  ("xor", 10, -0.1), ("xor", 10, float("nan")),
                                  ("nope", 10, 0.0)])
def test_bad_generator_arguments_are_refused(args):
    with pytest.raises(ValueError):
        make_dataset(*args)


# ------------------------------------------------------------------ the Dataset itself
def test_dataset_arrays_are_read_only_copies():
    points = np.array([[0.0, 1.0], [2.0, 3.0]])
    data = Dataset(points, [1, -1])
    points[0, 0] = 99.0
    assert data.points[0, 0] == 0.0
    with pytest.raises(ValueError):
        data.points[0, 0] = 5.0


@pytest.mark.parametrize("points, labels, message", [
    ([[0.0, 1.0, 2.0]], [1], "pairs"),
    ([[0.0, 1.0]], [1, -1], "one label per point"),
    ([[0.0, float("nan")]], [1], "point 0: coordinates must be finite"),
    ([[0.0, 1.0], [1.0, 1.0]], [1, 0], "point 1: the label must be \\+1 or -1, not 0"),
])
def test_invalid_datasets_are_refused(points, labels, message):
    with pytest.raises(CircuitError, match=message):
        Dataset(points, labels)


def test_an_empty_dataset_can_be_made_and_filled_by_clicks():
    data = Dataset(np.zeros((0, 2)), [])
    assert len(data) == 0 and data.nearest(0, 0) is None
    assert data.remove_nearest(0.0, 0.0) is data
    data = data.add_point(0.5, -0.5, 1).add_point(1.0, 1.0, -1)
    assert data.points.tolist() == [[0.5, -0.5], [1.0, 1.0]]
    assert data.labels.tolist() == [1, -1]


def test_clicks_add_a_point_and_remove_the_nearest_without_changing_the_original():
    data = six_points()
    more = data.add_point(0.0, 2.0, -1)
    assert len(data) == 6 and len(more) == 7
    assert more.points[-1].tolist() == [0.0, 2.0] and more.labels[-1] == -1
    fewer = more.remove_nearest(2.9, 0.2)  # nearest is the guide's [3.0, 0.1]
    assert [3.0, 0.1] not in fewer.points.tolist() and len(fewer) == 6
    assert [3.0, 0.1] in more.points.tolist()
    assert more.remove_nearest(10.0, 10.0, within=0.5) is more  # too far: nothing removed
    with pytest.raises(CircuitError):
        data.add_point(0.0, 0.0, 2)


# ------------------------------------------------------------------ inside a circuit file
def test_to_dict_from_dict_round_trip():
    data = circle(25, 0.1, seed=3)
    stored = data.to_dict()
    assert stored["labels"] == [int(v) for v in data.labels]
    assert Dataset.from_dict(stored) == data


@pytest.mark.parametrize("stored, message", [
    ([1, 2], "dataset: must be an object"),
    ({"labels": []}, "dataset.points: missing"),
    ({"points": [], "labels": {}}, "dataset.labels: must be a list"),
    ({"points": [[0, 1]], "labels": [1, -1]}, "dataset.labels: 2 labels for 1 points"),
    ({"points": [[0, 1], [2]], "labels": [1, -1]}, r"dataset.points\[1\]: must be \[x, y\]"),
    ({"points": [[0, "a"]], "labels": [1]}, r"dataset.points\[0\]\[1\]: must be a finite"),
    ({"points": [[0, True]], "labels": [1]}, r"dataset.points\[0\]\[1\]: must be a finite"),
    ({"points": [[0, 1e400]], "labels": [1]}, r"dataset.points\[0\]\[1\]: must be a finite"),
    ({"points": [[0, 1], [1, 1]], "labels": [1, 0]}, r"dataset.labels\[1\]: must be 1 or -1"),
    ({"points": [[0, 1]], "labels": [True]}, r"dataset.labels\[0\]: must be 1 or -1"),
    ({"points": [[0, 1]], "labels": [1], "name": 3}, "dataset.name: must be a string"),
])
def test_from_dict_refuses_bad_shapes_naming_the_place(stored, message):
    with pytest.raises(CircuitError, match=message):
        Dataset.from_dict(stored)


def test_a_dataset_survives_a_circuit_save_and_load(tmp_path):
    circuit = example("linear_svm")
    data = spiral(40, 0.05, seed=8)
    embed_dataset(circuit, data)
    engine.save(circuit, tmp_path / "svm.circuit")
    text = (tmp_path / "svm.circuit").read_text(encoding="utf-8")
    assert '"dataset"' in text
    loaded = engine.load(tmp_path / "svm.circuit")
    assert embedded_dataset(loaded) == data
    embed_dataset(loaded, None)
    assert embedded_dataset(loaded) is None and "dataset" not in engine.dumps(loaded)


def test_a_broken_dataset_in_a_file_is_refused_when_read():
    circuit = example("linear_svm")
    circuit.set_extra("dataset", {"points": [[0, 1]], "labels": [2]})
    circuit = engine.loads(engine.dumps(circuit))  # the file itself still loads
    with pytest.raises(CircuitError, match=r"dataset.labels\[0\]"):
        embedded_dataset(circuit)


# ------------------------------------------------------------------ CSV
def test_csv_round_trip_keeps_every_number(tmp_path):
    data = moons(50, 0.17, seed=2)
    path = tmp_path / "moons.csv"
    save_csv(data, path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "x,y,label"
    back = load_csv(path)
    np.testing.assert_array_equal(back.points, data.points)
    np.testing.assert_array_equal(back.labels, data.labels)
    assert back.name == "moons"


def test_csv_without_header_with_spaces_comments_and_blank_lines():
    data = parse_csv("# the guide's first two points\n1.2, 0.7, +1\n\n-0.3 ,-0.5, -1.0\n")
    assert data.points.tolist() == [[1.2, 0.7], [-0.3, -0.5]]
    assert data.labels.tolist() == [1, -1]


def test_csv_labels_zero_and_one_mean_minus_one_and_one():
    data = parse_csv("x,y,label\n0,0,0\n1,1,1\n2,2,0\n")
    assert data.labels.tolist() == [-1, 1, -1]


@pytest.mark.parametrize("text, message", [
    ("x,y,label\n1,2,1\n3,4\n", "line 3: expected 3 fields x,y,label, found 2"),
    ("1,2,1,5\n", "line 1: expected 3 fields"),
    ("x,y,label\n1,2,1\n1,abc,1\n", "line 3: y 'abc' is not a number"),
    ("1,2,yes\n", "line 1: label 'yes' is not a number"),
    ("1,nan,1\n", "line 1: y 'nan' is not finite"),
    ("1,2,1\n1,2,2\n", "line 2: label '2' must be 1 or -1"),
    ("1,2,-1\n\n1,2,0\n", "line 3: label 0 in a file that also uses -1 \\(line 1\\)"),
    ('1,2,"1\n', "line 1: not valid CSV"),
    ("1.2.3,0.7,1\n3,0.1,1\n", "line 1: x '1.2.3' is not a number"),  # a typo, not a header
    ("", "no data rows"),
    ("x,y,label\n", "no data rows"),
    ("1;2;1\n-1;0;-1\n", "line 2: expected 3 fields x,y,label, found 1"),
    ("1;2;1\n", "no data rows: expected one point per line as x,y,label"),
    ("# only a comment\n\n", "no data rows"),
])
def test_bad_csv_rows_are_refused_with_their_line(text, message):
    with pytest.raises(CircuitError, match=message):
        parse_csv(text)


def test_csv_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,1\n1,2\n", encoding="utf-8")
    with pytest.raises(CircuitError, match="bad.csv: line 3: expected 3 fields"):
        load_csv(path)
    with pytest.raises(CircuitError, match="missing.csv: no such file"):
        load_csv(tmp_path / "missing.csv")
    path.write_bytes(b"1,2,1\n1,\xff,1\n")
    with pytest.raises(CircuitError, match="bad.csv: line 2, column 3: not UTF-8"):
        load_csv(path)
    with pytest.raises(CircuitError, match="is a folder, not a CSV file"):
        load_csv(tmp_path)


def test_csv_files_have_the_circuit_files_size_limit(tmp_path, monkeypatch):
    from engine import text_files

    path = tmp_path / "big.csv"
    path.write_text("x,y,label\n" + "1,2,1\n" * 100, encoding="utf-8")
    monkeypatch.setattr(text_files, "MAX_FILE_BYTES", 100)
    with pytest.raises(CircuitError, match=r"big.csv: the file is too large \(0.0 MB; the "
                                           r"limit is 0 MB\)"):
        load_csv(path)


def test_a_failed_csv_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    path.write_text("the old text", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(CircuitError, match="points.csv: cannot save: No space left"):
        save_csv(six_points(), path)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "the old text"
    assert os.listdir(tmp_path) == ["points.csv"]


def test_dumps_csv_writes_labels_as_one_and_minus_one():
    assert dumps_csv(Dataset([[0.5, -1.0]], [-1])) == "x,y,label\n0.5,-1.0,-1\n"
