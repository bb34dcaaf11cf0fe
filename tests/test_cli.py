"""The command line: clear one-line errors with exit code 2, never a traceback."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

RUBRIC = ROOT / "rubrics" / "tpm.toml"


def rolefit(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "cli", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


@pytest.mark.parametrize(
    "setup, expected",
    [
        ("missing", "applicant folder not found"),
        ("empty", "no PDF files in"),
        ("file", "not a folder"),
    ],
)
def test_batch_bad_folder_is_one_line_and_exit_2(tmp_path, setup, expected):
    target = tmp_path / "applicants"
    if setup == "empty":
        target.mkdir()
        (target / "notes.txt").write_text("hi")
    elif setup == "file":
        target.write_text("x")
    proc = rolefit("batch", target, "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_batch_unwritable_output_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    proc = rolefit("batch", folder, "--out", blocker / "out")
    assert proc.returncode == 2
    assert "cannot write to output folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rubric_check_ok():
    proc = rolefit("rubric", "check", RUBRIC)
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout


def test_rubric_check_reports_file_field_reason(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(RUBRIC.read_text().replace('weight = 0.30', 'weight = -1', 1))
    proc = rolefit("rubric", "check", broken)
    assert proc.returncode == 1
    assert f"{broken}: categories[0].weight:" in proc.stderr
