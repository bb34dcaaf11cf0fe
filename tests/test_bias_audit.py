"""Bias-audit figures on a synthetic table whose answers are worked out by hand below."""

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# id, overall score, sex, race ("" = blank answer); c12 has no row in the groups table,
# c13 is unreadable (no score), c99 is a groups row with no result.
CANDIDATES = [
    ("c01", 10, "F", "Asian"),
    ("c02", 20, "F", "Black"),
    ("c03", 30, "M", "Asian"),
    ("c04", 40, "M", "White"),
    ("c05", 50, "F", "White"),
    ("c06", 60, "M", "Black"),
    ("c07", 70, "F", "Asian"),
    ("c08", 80, "M", "White"),
    ("c09", 90, "F", "White"),
    ("c10", 100, "M", "Asian"),
    ("c11", 55, "", "Black"),
]
RESULTS = {
    "schema_version": "1",
    "run": {},
    "results": [{"candidate_id": c, "status": "scored", "fit": {"overall": s}} for c, s, _, _ in CANDIDATES]
    + [
        {"candidate_id": "c12", "status": "scored", "fit": {"overall": 65}},
        {"candidate_id": "c13", "status": "unreadable", "fit": None},
    ],
}
GROUPS = "candidate_id,sex,race\n" + "".join(f"{c},{x},{r}\n" for c, _, x, r in CANDIDATES) + "c13,F,Asian\nc99,M,White\n"

# By hand. Scores sorted: 10 20 30 40 50 55 | 60 65 70 80 90 100 -> median (55+60)/2 = 57.5;
# above it: 60 65 70 80 90 100 (6 of 12).
# (dimension, category): (count, above, rate, impact ratio or None)
EXPECTED = {
    # sex: F = 10 20 50 70 90 -> 70, 90 above: 2/5; M = 30 40 60 80 100 -> 3/5; top 0.6.
    # Unknown = c11 (blank, 55) and c12 (no row, 65) -> 1/2, never the top, no ratio.
    ("sex", "F"): (5, 2, 0.4, 0.4 / 0.6),
    ("sex", "M"): (5, 3, 0.6, 1.0),
    ("sex", "Unknown"): (2, 1, 0.5, None),
    # race: Asian 10 30 70 100 -> 2/4; Black 20 60 55 -> 1/3; White 40 50 80 90 -> 2/4;
    # Unknown = c12 (65) -> 1/1, higher than every known rate but not the top.
    ("race", "Asian"): (4, 2, 0.5, 1.0),
    ("race", "Black"): (3, 1, 1 / 3, (1 / 3) / 0.5),
    ("race", "White"): (4, 2, 0.5, 1.0),
    ("race", "Unknown"): (1, 1, 1.0, None),
    # sex × race: M × Black (60) is 1/1, the top.
    ("sex × race", "F × Asian"): (2, 1, 0.5, 0.5),
    ("sex × race", "F × Black"): (1, 0, 0.0, 0.0),
    ("sex × race", "F × White"): (2, 1, 0.5, 0.5),
    ("sex × race", "M × Asian"): (2, 1, 0.5, 0.5),
    ("sex × race", "M × Black"): (1, 1, 1.0, 1.0),
    ("sex × race", "M × White"): (2, 1, 0.5, 0.5),
    ("sex × race", "Unknown × Black"): (1, 0, 0.0, None),
    ("sex × race", "Unknown × Unknown"): (1, 1, 1.0, None),
}


@pytest.fixture(scope="module")
def audit():
    from pipeline.bias_audit import bias_audit, read_groups, scores_from_results

    scores, not_scored = scores_from_results(RESULTS)
    columns, groups = read_groups(GROUPS)
    return bias_audit(scores, columns, groups, not_scored)


def test_sample_and_median(audit):
    assert (audit.sample, audit.median, audit.above_median) == (12, 57.5, 6)
    assert (audit.not_scored, audit.unmatched, audit.columns) == (1, 2, ("sex", "race"))


def test_every_row_is_the_hand_worked_figure(audit):
    got = {(r.dimension, r.category): r for r in audit.rows}
    assert set(got) == set(EXPECTED)
    for key, (count, above, rate, ratio) in EXPECTED.items():
        row = got[key]
        assert (row.count, row.above_median) == (count, above), key
        assert row.scoring_rate == pytest.approx(rate), key
        assert row.share == pytest.approx(count / 12), key
        if ratio is None:
            assert row.impact_ratio is None and row.unknown and not row.low_ratio, key
        else:
            assert row.impact_ratio == pytest.approx(ratio), key
            assert row.low_ratio == (ratio < 0.8), key
        assert not row.small  # every category is at least 1/12 of the sample


def test_flags(audit):
    low = {(r.dimension, r.category) for r in audit.rows if r.low_ratio}
    assert low == {
        ("sex", "F"),
        ("race", "Black"),
        ("sex × race", "F × Asian"),
        ("sex × race", "F × Black"),
        ("sex × race", "F × White"),
        ("sex × race", "M × Asian"),
        ("sex × race", "M × White"),
    }


@pytest.mark.parametrize("size, small", [(50, False), (51, True)])
def test_a_category_under_two_percent_is_flagged(size, small):
    """One candidate of 50 is exactly 2% (not under it); one of 51 is 1.96%."""
    from pipeline.bias_audit import bias_audit

    scores = {f"c{i}": float(i) for i in range(size)}
    groups = {cid: {"group": "B" if cid == "c0" else "A"} for cid in scores}
    rows = {r.category: r for r in bias_audit(scores, ("group",), groups).rows}
    assert rows["B"].small is small and rows["A"].small is False
    assert rows["B"].count == 1 and rows["B"].scoring_rate == 0.0  # c0 has the lowest score


def test_no_ratio_when_nobody_scores_above_the_median():
    from pipeline.bias_audit import bias_audit

    scores = {"a": 50.0, "b": 50.0, "c": 50.0}
    groups = {"a": {"g": "X"}, "b": {"g": "Y"}, "c": {"g": "Y"}}
    audit = bias_audit(scores, ("g",), groups)
    assert audit.median == 50.0 and audit.above_median == 0
    assert all(r.impact_ratio is None and not r.low_ratio for r in audit.rows)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("name,sex\nc1,F\n", "candidate_id column"),
        ("candidate_id\nc1\n", "no category columns"),
        ("candidate_id,sex\nc1,F\nc1,M\n", "appears twice"),
        ("candidate_id,sex\n,F\n", "no candidate id"),
    ],
)
def test_bad_groups_tables_say_why(text, message):
    from pipeline.bias_audit import BiasAuditError, read_groups

    with pytest.raises(BiasAuditError, match=message):
        read_groups(text)


def test_declined_answers_are_unknown():
    from pipeline.bias_audit import bias_audit

    groups = {"a": {"g": "Prefer not to say"}, "b": {"g": " "}, "c": {"g": "X"}}
    rows = {r.category: r.count for r in bias_audit({"a": 1.0, "b": 2.0, "c": 3.0}, ("g",), groups).rows}
    assert rows == {"Unknown": 2, "X": 1}


def test_cli_writes_html_and_csv(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps(RESULTS), encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text(GROUPS, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "audit", str(results), "--groups", str(groups), "--out", str(tmp_path / "audit")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "audit" / "bias-audit.csv").read_text(encoding="utf-8"))))
    f = next(r for r in rows if (r["dimension"], r["category"]) == ("sex", "F"))
    assert (f["count"], f["above_median"], f["scoring_rate"], f["impact_ratio"]) == ("5", "2", "0.4000", "0.6667")
    assert f["impact_ratio_under_0_8"] == "yes" and f["under_2_percent_of_sample"] == "no"
    assert len(rows) == len(EXPECTED)
    html = (tmp_path / "audit" / "bias-audit.html").read_text(encoding="utf-8")
    assert "57.5" in html and "F × Black" in html and "http" not in html.replace("http-equiv", "")
    assert "7 impact ratios under 0.8" in proc.stdout


def test_cli_bad_groups_is_one_line_exit_2(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps(RESULTS), encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text("name,sex\nc1,F\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "audit", str(results), "--groups", str(groups)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 2 and "candidate_id column" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
