"""circuitgrad's engine: circuits of gates, forward and backward passes, files, optimisation.

Pure Python and numpy; it never imports Qt. The public names below are the API that
FORMAT.md section 4 promises (``load``, ``run``, ``save``, ``Circuit``, ``CircuitError``).
"""

from .ascent import Ascent, AscentResult, ascend
from .autodiff import Plan, Result, plan_of, run, topological_order
from .circuit import Change, Circuit, Node, Wire
from .circuit_file import circuit_from_dict, circuit_to_dict, dumps, load, loads, save
from .dataset_file import load_csv, save_csv
from .datasets import DATASETS, Dataset, embed_dataset, embedded_dataset, make_dataset
from .errors import CircuitError
from .gates import GATE_LIST, GATES, GROUP_TITLES, Gate, infix_text
from .gradcheck import GradCheckEntry, GradCheckReport, check_gradients
from .layout import auto_layout
from .nan_origin import NanOrigin, nan_origin
from .templates import TEMPLATES, hidden_layer_net, linear_classifier, two_layer_relu_net
from .training import Trainer, TrainResult, train

__all__ = [
    "Change", "Circuit", "CircuitError", "GATES", "GATE_LIST", "GROUP_TITLES", "Gate", "Node",
    "infix_text", "NanOrigin", "nan_origin",
    "Plan", "Result", "Wire", "plan_of", "run", "topological_order",
    "auto_layout", "circuit_from_dict", "circuit_to_dict", "dumps", "load", "loads", "save",
    "Ascent", "AscentResult", "ascend", "GradCheckEntry", "GradCheckReport", "check_gradients",
    "DATASETS", "Dataset", "embed_dataset", "embedded_dataset", "make_dataset", "load_csv",
    "save_csv", "TEMPLATES", "hidden_layer_net", "linear_classifier", "two_layer_relu_net",
    "Trainer", "TrainResult", "train",
]
