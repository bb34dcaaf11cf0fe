"""The candidate notice: what the tool assesses (read from the rubric), the data, human review."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

RUBRIC = ROOT / "rubrics" / "tpm.toml"


@pytest.fixture(scope="module")
def notice(rubric):
    from reports.audit import notice_to_html

    return notice_to_html(rubric, "write to hiring@example.com", 180, employer="Acme")


def test_notice_lists_every_competency_and_level_from_the_rubric(rubric, notice):
    for category in rubric.model.categories:
        assert category.name in notice
        for comp in category.competencies:
            assert comp.name.replace("&", "&amp;") in notice, comp.id
    for level in rubric.model.ladder.levels:
        assert level.name.replace("&", "&amp;") in notice
        assert f"{level.typical_years[0]:g} to {level.typical_years[1]:g}" in notice
    total = sum(c.weight for c in rubric.model.categories)
    first = rubric.model.categories[0]
    assert f"{round(100 * first.weight / total)}% of the overall score" in notice


def test_notice_reads_another_rubric(rubric, tmp_path):
    from pipeline.rubric import load_rubric
    from reports.audit import notice_to_html

    other = tmp_path / "other.toml"
    text = RUBRIC.read_text(encoding="utf-8").replace('name = "Technical Product Manager"', 'name = "Data Product Lead"', 1)
    other.write_text(text.replace('name = "Architecture and system design"', 'name = "Systems thinking"', 1), encoding="utf-8")
    html = notice_to_html(load_rubric(other), "ask us", 365)
    assert "Data Product Lead" in html and "Systems thinking" in html
    assert "Architecture and system design" not in html


def test_notice_says_data_kept_and_how_to_ask_for_a_human(notice):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", notice))
    assert "ask for a person to review your application without the tool" in text
    assert text.count("write to hiring@example.com") >= 2
    assert "deleted after 180 days" in text
    assert "does not use your name" in text and "or your age to score you" in text
    assert "nothing is sent to any other company or online service" in text
    assert "Acme" in text


def test_notice_is_self_contained(notice):
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", notice)
    assert "<script" not in notice


def test_cli_writes_the_notice(tmp_path):
    out = tmp_path / "notice.html"
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "notice", "--rubric", str(RUBRIC), "--out", str(out), "--contact", "call Sam on 555-0100"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "call Sam on 555-0100" in out.read_text(encoding="utf-8")


def test_cli_bad_rubric_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("id = 3\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "notice", "--rubric", str(bad), "--out", str(tmp_path / "n.html")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 2 and "invalid rubric" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_level_signals_are_the_level_models_inputs(rubric, tmp_path):
    """The level signals listed are the inputs of the level model the rubric names."""
    import json

    from pipeline.rubric import load_rubric
    from reports.audit import LEVEL_SIGNALS, level_signals, notice_to_html

    shipped = json.loads((ROOT / "rubrics" / rubric.model.ladder.model_file).read_text(encoding="utf-8"))["features"]
    assert level_signals(rubric) == [LEVEL_SIGNALS[f] for f in shipped]
    copy = tmp_path / "tpm.toml"
    copy.write_bytes(RUBRIC.read_bytes())
    (tmp_path / rubric.model.ladder.model_file).write_text(json.dumps({"features": ["total_years", "open_source_work"]}))
    html = notice_to_html(load_rubric(copy), "ask us", 365)
    assert LEVEL_SIGNALS["total_years"] in html and "open source work" in html
    assert LEVEL_SIGNALS["people_led"] not in html
