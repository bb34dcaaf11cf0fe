"""The audit record: what a run writes, that it only ever appends, and how retention prunes it."""

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import EXAMPLES, ROOT

FILES = ["02-tpm-daniela-ferreira-holt.pdf", "zz-corrupt-upload.pdf"]
T0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def results(rubric, settings):
    from pipeline.file_to_result import file_to_result

    return [file_to_result(EXAMPLES / name, rubric, settings) for name in FILES]


def record(results, rubric, settings, time=T0):
    from pipeline import __version__
    from pipeline.audit_record import run_record

    return run_record(results, rubric.ref, settings, __version__, time, extra={"workers": 1})


def test_record_holds_time_inputs_rubric_version_settings(results, settings, tmp_path):
    from pipeline import __version__
    from pipeline.rubric import load_rubric

    copy = tmp_path / "tpm.toml"  # a private copy: the hash below is of the bytes scored with
    copy.write_bytes((ROOT / "rubrics" / "tpm.toml").read_bytes())
    rubric = load_rubric(copy)
    rec = record(results, rubric, settings)
    assert rec["time"] == "2026-11-26T09:30:00+00:00"
    hashes = sorted(hashlib.sha256((EXAMPLES / n).read_bytes()).hexdigest() for n in FILES)
    assert [i["sha256"] for i in rec["inputs"]] == hashes
    assert rec["rubric"] == {
        "id": "tpm",
        "version": rubric.model.version,
        "sha256": hashlib.sha256(copy.read_bytes()).hexdigest(),
    }
    assert rec["pipeline_version"] == __version__
    assert rec["settings"]["as_of"] == settings.as_of.isoformat() and rec["settings"]["blind"] is False
    assert rec["run"] == {"workers": 1}
    assert rec["counts"] == {"scored": 1, "unreadable": 1, "not_resume": 0}


def test_record_holds_scores_and_evidence_references(results, rubric, settings):
    rec = record(results, rubric, settings)
    by_id = {c["candidate_id"]: c for c in rec["candidates"]}
    scored = next(r for r in results if r.status == "scored")
    entry = by_id[scored.candidate_id]
    assert entry["overall"] == scored.fit.overall
    assert entry["categories"] == {c.id: c.score for c in scored.fit.categories}
    assert entry["level"]["id"] == scored.level.level
    comp = next(c for c in scored.fit.competencies if c.evidence)
    refs = entry["competencies"][comp.id]["evidence"]
    assert entry["competencies"][comp.id]["score"] == comp.score
    assert [(e["page"], e["section"], e["matched"]) for e in refs] == [(e.page, e.section, e.matched) for e in comp.evidence]
    assert refs[0]["quote_sha256"] == hashlib.sha256(comp.evidence[0].quote.encode()).hexdigest()
    unreadable = next(r for r in results if r.status == "unreadable")
    assert by_id[unreadable.candidate_id]["problem"] == "corrupt"


def test_record_holds_no_personal_details(results, rubric, settings):
    line = json.dumps(record(results, rubric, settings), ensure_ascii=False).lower()
    for word in ("daniela", "ferreira", "example.com", "denver", "colorado plains", "corrupt-upload", ".pdf"):
        assert word not in line, word


def test_appending_never_changes_earlier_lines(tmp_path, results, rubric, settings):
    from pipeline.audit_record import append_record

    path = append_record(tmp_path, record(results, rubric, settings))
    first = path.read_text(encoding="utf-8")
    append_record(tmp_path, record(results, rubric, settings, T0 + timedelta(hours=1)))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(first) and len(text.splitlines()) == 2
    assert all(json.loads(line)["record_version"] == "1" for line in text.splitlines())


@pytest.mark.parametrize(
    "retention_days, kept_ages",
    [
        (30, [29, 0]),  # older than 30 days is pruned; a line that cannot be read is kept
        (100, [31, 29, 0]),
        (0, [365, 31, 29, 0]),  # 0 keeps every record
    ],
)
def test_retention_prunes_records_older_than_the_setting(tmp_path, retention_days, kept_ages):
    from pipeline.audit_record import AUDIT_FILE, append_record

    path = tmp_path / AUDIT_FILE
    lines = [json.dumps({"time": (T0 - timedelta(days=age)).isoformat(), "age": age}) for age in (365, 31, 29)]
    path.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    append_record(tmp_path, {"time": T0.isoformat(), "age": 0}, retention_days=retention_days)
    text = path.read_text(encoding="utf-8").splitlines()
    assert "not json" in text
    assert [json.loads(ln)["age"] for ln in text if ln != "not json"] == kept_ages


def test_a_line_cut_short_stays_separate(tmp_path):
    from pipeline.audit_record import AUDIT_FILE, append_record

    (tmp_path / AUDIT_FILE).write_text('{"time": "2026-11-25T00:00:00+00:00", "cut', encoding="utf-8")
    append_record(tmp_path, {"time": T0.isoformat()})
    lines = (tmp_path / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["time"] == T0.isoformat()


def test_blind_run_records_the_redaction_check(rubric, settings):
    from dataclasses import replace

    from pipeline.file_to_result import file_to_result

    blind = file_to_result(EXAMPLES / FILES[0], rubric, replace(settings, blind=True))
    rec = record([blind], rubric, replace(settings, blind=True))
    entry = rec["candidates"][0]["blind"]
    assert entry["differences"] == [] and entry["blind_overall"] == entry["unredacted_overall"]
    assert "name" in entry["redacted"] and rec["blind_check_failures"] == []
    assert rec["settings"]["blind"] is True


def test_batch_refuses_a_negative_retention(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "cli", "batch", str(EXAMPLES), "--out", str(tmp_path / "out"), "--audit-retention-days", "-1"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 2 and "--audit-retention-days" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_run_that_changed_nothing_appends_a_short_record_naming_the_last_one(tmp_path, results, rubric, settings):
    """Every run appends a record; when the reports were left as they were, a short record names
    the previous full one (same inputs, rubric, settings, version) and holds its hashes, without
    reading the stored results back. read_records gives it complete."""
    from pipeline import __version__
    from pipeline.audit_record import AUDIT_FILE, audit_run, read_records

    shas = [r.sha256 for r in results]
    audit_run(tmp_path, results, shas, None, rubric.ref, settings, __version__, T0)

    def must_not_read(sha):
        raise AssertionError("read back although the last record covers these inputs")

    for day in (1, 2):
        audit_run(tmp_path, None, shas, must_not_read, rubric.ref, settings, __version__, T0 + timedelta(days=day),
                  extra={"workers": day})
    lines = (tmp_path / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
    first, second, third = [json.loads(ln) for ln in lines]
    for day, short in ((1, second), (2, third)):
        assert short["reports_unchanged"] is True and short["same_as"] == first["time"]
        assert short["time"] == (T0 + timedelta(days=day)).isoformat() and short["run"] == {"workers": day}
        assert "candidates" not in short and "inputs" not in short
        assert short["counts"] == first["counts"] and short["rubric"] == first["rubric"]
    assert len(lines[1]) < 2_000 < len(lines[0])
    full, *shorts = read_records(tmp_path)
    assert full == first
    for short in shorts:
        assert short["candidates"] == first["candidates"] and short["inputs"] == first["inputs"]


@pytest.mark.parametrize("tamper", ["candidates", "missing"])
def test_read_records_refuses_a_short_record_whose_full_record_does_not_match(tmp_path, results, rubric, settings, tamper):
    from pipeline import __version__
    from pipeline.audit_record import AUDIT_FILE, AuditRecordError, audit_run, read_records

    shas = [r.sha256 for r in results]
    audit_run(tmp_path, results, shas, None, rubric.ref, settings, __version__, T0)
    audit_run(tmp_path, None, shas, None, rubric.ref, settings, __version__, T0 + timedelta(days=1))
    path = tmp_path / AUDIT_FILE
    full, short = path.read_text(encoding="utf-8").splitlines()
    if tamper == "candidates":
        record = json.loads(full)
        record["candidates"][0]["overall"] = 99.0
        full = json.dumps(record)
    lines = [short] if tamper == "missing" else [full, short]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AuditRecordError):
        list(read_records(tmp_path))


def test_retention_keeps_the_full_record_a_kept_short_record_names(tmp_path, results, rubric, settings):
    """Old full records go, unless a short record within the retention period repeats one."""
    from pipeline import __version__
    from pipeline.audit_record import AUDIT_FILE, audit_run, read_records

    shas = [r.sha256 for r in results]
    old = T0 - timedelta(days=400)
    audit_run(tmp_path, results, shas, None, rubric.ref, settings, __version__, old - timedelta(days=10))  # goes
    audit_run(tmp_path, results, shas, None, rubric.ref, settings, __version__, old, reports_rebuilt=True)  # named
    audit_run(tmp_path, None, shas, None, rubric.ref, settings, __version__, old + timedelta(days=1))  # goes
    # every record before this one is older than the retention: the full one it names stays
    audit_run(tmp_path, None, shas, None, rubric.ref, settings, __version__, T0 - timedelta(days=30))  # kept
    audit_run(tmp_path, None, shas, None, rubric.ref, settings, __version__, T0, retention_days=365)
    records = list(read_records(tmp_path))
    assert [r["time"] for r in records] == [t.isoformat() for t in (old, T0 - timedelta(days=30), T0)]
    assert [("same_as" in r) for r in records] == [False, True, True]
    assert all(r["candidates"] == records[0]["candidates"] for r in records)
    # a later run prunes again: the kept short records still name the same full record
    audit_run(tmp_path, None, shas, None, rubric.ref, settings, __version__, T0 + timedelta(days=1), retention_days=365)
    records = list(read_records(tmp_path))
    assert [r["time"] for r in records][0] == old.isoformat() and len(records) == 4


@pytest.mark.parametrize("change", ["settings", "inputs", "no previous record"])
def test_otherwise_the_stored_results_are_read_back(tmp_path, results, rubric, settings, change):
    from dataclasses import replace

    from pipeline import __version__
    from pipeline.audit_record import AUDIT_FILE, audit_run

    shas = [r.sha256 for r in results]
    if change != "no previous record":
        first = results[:1] if change == "inputs" else results
        audit_run(tmp_path, first, [r.sha256 for r in first], None, rubric.ref,
                  replace(settings, max_pages=3) if change == "settings" else settings, __version__, T0)
    stored = {r.sha256: r for r in results}
    read = []
    audit_run(tmp_path, None, shas, lambda sha: read.append(sha) or stored[sha], rubric.ref, settings, __version__, T0)
    assert sorted(read) == sorted(shas)
    last = json.loads((tmp_path / AUDIT_FILE).read_text(encoding="utf-8").splitlines()[-1])
    assert "reports_unchanged" not in last and len(last["candidates"]) == len(results)


def test_last_record_reads_long_lines_from_the_end(tmp_path):
    from pipeline.audit_record import AUDIT_FILE, last_record

    assert last_record(tmp_path) is None
    big = {"time": T0.isoformat(), "candidates": [{"n": i, "pad": "x" * 100} for i in range(2000)]}
    older = {"time": T0.isoformat(), "candidates": [], "old": True}
    lines = [json.dumps(older), json.dumps(big), '{"time": "cut short']
    (tmp_path / AUDIT_FILE).write_text("\n".join(lines), encoding="utf-8")
    assert len(lines[1]) > 3 * 65536
    assert last_record(tmp_path) == big


def test_recent_records_are_not_rewritten(tmp_path):
    """Records are in time order: when the oldest is within the retention, the file is only appended to."""
    import os

    from pipeline.audit_record import AUDIT_FILE, append_record

    path = tmp_path / AUDIT_FILE
    path.write_text(json.dumps({"time": (T0 - timedelta(days=1)).isoformat()}) + "\n", encoding="utf-8")
    inode = os.stat(path).st_ino
    append_record(tmp_path, {"time": T0.isoformat()}, retention_days=30)
    assert os.stat(path).st_ino == inode and len(path.read_text(encoding="utf-8").splitlines()) == 2
