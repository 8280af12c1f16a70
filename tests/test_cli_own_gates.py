"""``python -m engine`` on files with gates of their own: compound gates run as any gate; code
gates run only with --trust, after their gradient check, and without it the file is refused
(exit 3) naming the gate."""

from test_cli import ok, refused, write
from test_code_trust import guide_file
from test_own_gates import sig_file


def test_eval_runs_a_compound_gate(tmp_path):
    out = ok("eval", write(tmp_path, sig_file()))
    assert round(out["value"], 2) == 0.73 and round(out["grads"]["x"], 2) == 0.20


def test_a_file_with_code_gates_is_refused_without_trust_naming_the_gate(tmp_path):
    message = refused(3, "eval", write(tmp_path, guide_file()))
    assert "code gate 'MultiplyGate'" in message and "--trust" in message


def test_with_trust_eval_and_check_run_the_guides_multiply_gate(tmp_path):
    path = write(tmp_path, guide_file())
    out = ok("eval", path, "--trust")
    assert out["value"] == -12.0
    assert [out["grads"][k] for k in "xyz"] == [-4.0, -4.0, 3.0]


def test_with_trust_a_wrong_backward_is_refused_naming_the_port(tmp_path):
    path = write(tmp_path, guide_file(grads="self.y * dz, self.y * dz"))
    message = refused(3, "eval", path, "--trust")
    assert "port y is wrong" in message


def test_check_with_trust_passes_on_the_guides_gate(tmp_path):
    from test_cli import cli_run
    done = cli_run("check", write(tmp_path, guide_file()), "--trust")
    assert done.returncode == 0, done.stderr
    assert "fail" not in done.stdout.lower()

