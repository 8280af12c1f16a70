"""circuitgrad's engine: circuits of gates, forward and backward passes, files, optimisation.

Pure Python and numpy; it never imports Qt. The public names below are the API that
FORMAT.md section 4 promises (``load``, ``run``, ``save``, ``Circuit``, ``CircuitError``), and
everything the GUI uses (the GUI imports nothing else from the engine: an import-linter contract
in pyproject.toml checks it).
"""

from .ascent import ASCENT_KEY, Ascent, AscentResult, ascend, suggested_minimize
from .autodiff import Plan, Result, plan_of, run, topological_order
from .chain_rule import (PassStep, backward_schedule, branch_gradients, fan_out_sum,
                         forward_caption, forward_schedule, gate_chain_rule)
from .circuit import Change, Circuit, Node, Wire, is_plain_id
from .circuit_file import circuit_from_dict, circuit_to_dict, dumps, load, loads, save
from .dataset_file import load_csv, save_csv
from .datasets import (DATASETS, DEFAULT_POINTS, EXTRA_KEY, FEATURE_NAMES, Dataset,
                       embed_dataset, embedded_dataset, feature_name, make_dataset, six_points)
from .errors import CircuitError
from .expand import MAX_ELEMENTS as EXPAND_MAX_ELEMENTS
from .expand import Expansion, expanded, expansion_of
from .gates import GATE_LIST, GATES, GROUP_TITLES, Gate, display_symbol, infix_text
from .gradcheck import GradCheckEntry, GradCheckReport, check_gradients
from .gradient_paths import GradientPath, PathsExplanation, gradient_paths
from .blas_threads import single_blas_thread
from .heap import keep_freed_memory
from .jacobian import MAX_JACOBIAN_SIDE, LocalJacobian, local_jacobian, local_jacobians
from .layout import auto_layout
from .definitions import CodeDefinition, CompoundDefinition
from .code_trust import (check_code, check_code_candidate, check_code_definition, trust_code,
                         untrusted_code_gates)
from .errors import GateRunError
from .make_gate import GateMaking, GateUnpacking, gate_making, gate_unpacking
from .gate_inside import inside_of, run_inside
from .nan_origin import NanOrigin, nan_origin
from .number_format import (format_full, format_number, format_precise, format_readout,
                            is_marked)
from .layer_nets import (MAX_LAYER_WIDTH, TRAINING_KEY, suggested_training, three_layer_net,
                         two_layer_net)
from .templates import (ACTIVATIONS, MAX_HIDDEN, TEMPLATES, hidden_layer_net, linear_classifier,
                        two_layer_relu_net)
from .tensor_values import is_tensor, shape_of, shape_text
from .training import BATCHES, LOSSES, Trainer, TrainResult, train
from .value_format import value_text
from .code_runner import CodeGateError, CodeHost, shared_host
from .code_template import code_gate_template
from .gate_check import CIRCUIT_INPUTS as CHECKED_AT_CIRCUIT_INPUTS
from .gate_check import GateCheck, check_code_gate
from .gate_library import (CLASH, NEW, RENAME, REPLACE, SAME, SKIP, ClashChoice, GateImport,
                           compare_gates, export_gates, free_gate_name, gate_import,
                           gate_library, gates_with_uses, read_gate_library)
from .local_captions import local_gradient_words
from .compound_inside import InsidePass, InsideStep, inside_pass
from .own_gate_check import OwnGateCheck, check_own_gate, check_own_gates


__all__ = [
    "Change", "Circuit", "CircuitError", "GATES", "GATE_LIST", "GROUP_TITLES", "Gate", "Node",
    "infix_text", "NanOrigin", "nan_origin",
    "Plan", "Result", "Wire", "plan_of", "run", "topological_order",
    "auto_layout", "circuit_from_dict", "circuit_to_dict", "dumps", "load", "loads", "save",
    "ASCENT_KEY", "Ascent", "AscentResult", "ascend", "suggested_minimize",
    "GradCheckEntry", "GradCheckReport", "check_gradients",
    "DATASETS", "Dataset", "embed_dataset", "embedded_dataset", "make_dataset", "load_csv",
    "save_csv", "TEMPLATES", "hidden_layer_net", "linear_classifier", "two_layer_relu_net",
    "Trainer", "TrainResult", "train",
    # for the GUI
    "PassStep", "backward_schedule", "branch_gradients", "fan_out_sum", "forward_caption",
    "forward_schedule", "gate_chain_rule", "is_plain_id", "DEFAULT_POINTS", "EXTRA_KEY",
    "FEATURE_NAMES", "feature_name", "six_points", "display_symbol", "GradientPath",
    "PathsExplanation", "gradient_paths", "format_full", "format_number", "format_precise",
    "format_readout", "is_marked",
    "keep_freed_memory", "single_blas_thread", "ACTIVATIONS", "MAX_HIDDEN", "MAX_LAYER_WIDTH",
    "two_layer_net",
    "three_layer_net", "TRAINING_KEY", "suggested_training", "BATCHES", "LOSSES", "is_tensor",
    "shape_of",
    "shape_text",
    "value_text",
    "LocalJacobian", "MAX_JACOBIAN_SIDE", "local_jacobian", "local_jacobians",
    "EXPAND_MAX_ELEMENTS", "Expansion", "expanded", "expansion_of",
    "CodeDefinition", "CompoundDefinition", "GateMaking", "GateUnpacking", "gate_making",
    "gate_unpacking",
    "CodeGateError", "CodeHost", "shared_host", "check_code_gate", "GateCheck",
    "code_gate_template",
    "CLASH", "NEW", "RENAME", "REPLACE", "SAME", "SKIP", "ClashChoice", "GateImport",
    "compare_gates", "export_gates", "free_gate_name", "gate_import", "gate_library",
    "gates_with_uses", "read_gate_library",
    "local_gradient_words", "InsidePass", "InsideStep", "inside_of", "inside_pass",
    "run_inside",
    "CHECKED_AT_CIRCUIT_INPUTS", "OwnGateCheck", "check_own_gate", "check_own_gates",
]
