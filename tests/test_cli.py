"""The command line: clear one-line errors with exit code 2, never a traceback."""

import subprocess
import sys

import pytest

from cli import COMMANDS, main
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


def _sub(parser, name):
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return action.choices[name]


@pytest.mark.parametrize("name", COMMANDS)
def test_main_builds_only_the_command_it_is_given_and_it_reads_the_same(name):
    """``main`` registers only the command named first (the others' imports stay out of its
    start-up); that command's parser is the same as in the full parser."""
    from cli import build_parser

    assert _sub(build_parser((name,)), name).format_help() == _sub(build_parser(), name).format_help()


def test_an_unknown_command_still_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["scroe", "x.pdf"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'scroe'" in err and all(name in err for name in COMMANDS)
