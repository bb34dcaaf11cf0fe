"""Incremental runs: what a run re-reads and re-scores, decided by the run manifest
(``pipeline/manifest.py``), then the same through the flow on real files."""

import json
import os
import shutil
from dataclasses import replace

import pytest

from pipeline.manifest import (
    Entry,
    Look,
    Manifest,
    Store,
    forget_absent,
    is_fresh,
    looks_to_hash,
    plan_run,
    published,
    run_key,
    still_changing,
)
from tests.conftest import AS_OF, EXAMPLES, ROOT

KEY = "key-now"


def look(name, inode, size=100, mtime=1, ctime=1):
    return Look(name, size, mtime, ctime, inode)


def manifest_with(*files, key=KEY):
    """files: (look, sha) pairs already stored under ``key``."""
    m = Manifest()
    for lk, sha in files:
        m.files[lk.key] = sha
        m.results[sha] = Entry(sha, key, "c" + sha[:12], "scored", lk.name)
    return m


A, B = look("a.pdf", 1), look("b.pdf", 2)
STORED = ((A, "sha-a"), (B, "sha-b"))

# (case, looks now, content hashes of the files the run had to hash, key, to score, reused, files hashed)
PLANS = [
    ("unchanged files are not even opened", [A, B], {}, KEY, [], ["a.pdf", "b.pdf"], []),
    ("a new file is scored", [A, B, look("c.pdf", 3)], {"c.pdf": "sha-c"}, KEY, [("c.pdf", "sha-c")], ["a.pdf", "b.pdf"], ["c.pdf"]),
    ("a renamed file is hashed but not re-scored", [A, look("b-renamed.pdf", 2, ctime=2)], {"b-renamed.pdf": "sha-b"}, KEY, [], ["a.pdf", "b-renamed.pdf"], ["b-renamed.pdf"]),
    ("a copy of a stored file is not re-scored", [A, B, look("a copy.pdf", 9)], {"a copy.pdf": "sha-a"}, KEY, [], ["a.pdf", "b.pdf", "a copy.pdf"], ["a copy.pdf"]),
    ("a changed file is re-scored", [A, look("b.pdf", 2, size=120, mtime=5, ctime=5)], {"b.pdf": "sha-b2"}, KEY, [("b.pdf", "sha-b2")], ["a.pdf"], ["b.pdf"]),
    ("a new rubric, pipeline or settings re-scores without re-hashing", [A, B], {}, "key-new", [("a.pdf", "sha-a"), ("b.pdf", "sha-b")], [], []),
    ("two new files with one content are scored once", [A, B, look("x.pdf", 5), look("y.pdf", 6)], {"x.pdf": "sha-x", "y.pdf": "sha-x"}, KEY, [("x.pdf", "sha-x")], ["a.pdf", "b.pdf"], ["x.pdf", "y.pdf"]),
    ("a file not yet hashed (still being copied) is left for later", [A, B, look("c.pdf", 3)], {}, KEY, [], ["a.pdf", "b.pdf"], ["c.pdf"]),
]


@pytest.mark.parametrize("case, looks, hashed, key, to_score, reused, to_hash", PLANS, ids=[p[0] for p in PLANS])
def test_plan(case, looks, hashed, key, to_score, reused, to_hash):
    manifest = manifest_with(*STORED)
    assert [lk.name for lk in looks_to_hash(looks, manifest)] == to_hash
    plan = plan_run(looks, manifest, key, hashed)
    assert list(plan.to_score) == to_score
    assert list(plan.reused) == reused


def test_a_deleted_file_leaves_the_manifest_and_the_index():
    manifest = manifest_with(*STORED)
    plan = plan_run([A], manifest, KEY, {})
    assert forget_absent(manifest, [A], plan.current) == ["sha-b"]
    assert set(manifest.results) == {"sha-a"} and list(manifest.files.values()) == ["sha-a"]
    assert published(manifest, plan.current, KEY) == [("sha-a", "a.pdf")]


def test_the_index_shows_each_content_once_under_its_current_name_and_only_current_key():
    manifest = manifest_with(*STORED)
    manifest.results["sha-b"] = replace(manifest.results["sha-b"], key="old")
    current = {"z.pdf": "sha-a", "a.pdf": "sha-a", "b.pdf": "sha-b"}
    assert published(manifest, current, KEY) == [("sha-a", "a.pdf")]


def test_run_key_depends_on_rubric_version_code_settings_and_extra(settings):
    base = run_key("rubric", settings, "0.1.0", "code")
    assert base == run_key("rubric", settings, "0.1.0", "code")
    changed = [
        run_key("rubric2", settings, "0.1.0", "code"),
        run_key("rubric", settings, "0.2.0", "code"),
        run_key("rubric", settings, "0.1.0", "code2"),
        run_key("rubric", replace(settings, as_of=AS_OF.replace(year=2020)), "0.1.0", "code"),
        run_key("rubric", replace(settings, blind=True), "0.1.0", "code"),
        run_key("rubric", settings, "0.1.0", "code", {"jd": "sha-of-a-job-description"}),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


@pytest.mark.parametrize(
    "first, second, changing",
    [
        ((100, 1), (100, 1), False),
        ((100, 1), (150, 2), True),  # grew: still being copied
        ((100, 1), (100, 2), True),  # rewritten in place
        ((100, 1), None, True),  # gone
    ],
)
def test_still_changing(first, second, changing):
    a = Look("f.pdf", *first)
    b = Look("f.pdf", *second) if second else None
    assert still_changing(a, b) is changing


def test_is_fresh():
    assert is_fresh(Look("f.pdf", 1, mtime_ns=10_000_000_000), now_ns=11_000_000_000, settle_s=2)
    assert not is_fresh(Look("f.pdf", 1, mtime_ns=10_000_000_000), now_ns=13_000_000_000, settle_s=2)


def test_stored_results_read_back_equal_to_what_was_scored(tmp_path, rubric, settings):
    """The index is rebuilt from stored results: they must come back exactly as scored."""
    from pipeline.files_to_outcomes import file_to_outcome
    from pipeline.file_to_result import file_to_result
    from pipeline.manifest import file_sha256

    store = Store(tmp_path)
    store.open()
    for path in sorted(EXAMPLES.glob("*.pdf"))[:3] + sorted(EXAMPLES.glob("zz*.pdf")):
        outcome = file_to_outcome(path, file_sha256(path), rubric, settings)
        store.commit(Entry(outcome.sha256, KEY, outcome.candidate_id, outcome.status, outcome.source), outcome.data)
        assert store.read_result(outcome.sha256) == file_to_result(path, rubric, settings)
    store.close()


# ---------------------------------------------------------------------------------------------
# Through the flow, on real files
# ---------------------------------------------------------------------------------------------


def run(folder, out, **kw):
    from flows import batch_flow

    return batch_flow(str(folder), str(out), as_of=AS_OF.isoformat(), workers=1, settle_s=0.0, **kw)


def stored(out):
    """Stored result files: content hash -> (inode, mtime): rewritten files get a new inode."""
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / ".rolefit" / "results").glob("*.json")}


def exported(out):
    return {r["sha256"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]}


@pytest.fixture
def applicants(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for src in sorted(EXAMPLES.glob("0[1-4]*.pdf")):
        shutil.copy2(src, folder / src.name)
    return folder


def test_rerun_reads_nothing_renamed_is_not_rescored_deleted_leaves_the_index(applicants, tmp_path, prefect_harness, monkeypatch):
    import flows

    out = tmp_path / "out"
    first = run(applicants, out)
    assert (first["new"], first["unchanged"], first["scored"]) == (4, 0, 4)
    before = stored(out)
    assert len(before) == 4

    hashed = []
    real_sha256 = flows.file_sha256
    monkeypatch.setattr(flows, "file_sha256", lambda p: hashed.append(p.name) or real_sha256(p))
    again = run(applicants, out)
    assert (again["new"], again["unchanged"], again["scored"]) == (0, 4, 4)
    assert hashed == [], "an unchanged file was opened"
    assert stored(out) == before, "a stored result was rewritten"

    files = sorted(applicants.iterdir())
    renamed = files[0].rename(applicants / "renamed.pdf")
    deleted_sha = next(sha for sha, r in exported(out).items() if r["source"] == files[1].name)
    files[1].unlink()
    shutil.copy2(EXAMPLES / "zz-corrupt-upload.pdf", applicants / "new.pdf")
    third = run(applicants, out)
    assert (third["new"], third["unchanged"], third["removed"]) == (1, 3, 1)
    assert "new.pdf" in hashed and set(hashed) <= {"new.pdf", "renamed.pdf"}
    after = stored(out)
    assert deleted_sha not in after
    assert not any(deleted_sha[:12] in p.name for p in (out / "candidates").iterdir()), "its page is gone"
    assert {sha: v for sha, v in after.items() if sha in before} == {sha: v for sha, v in before.items() if sha != deleted_sha}
    sources = sorted(r["source"] for r in exported(out).values())
    assert sources == sorted(p.name for p in applicants.iterdir())
    index = (out / "index.html").read_text(encoding="utf-8")
    assert renamed.name in index and files[1].name not in index


@pytest.mark.parametrize("change", ["rubric", "as_of", "pipeline version", "pipeline code"])
def test_a_new_rubric_settings_or_pipeline_rescore_every_file(change, applicants, tmp_path, prefect_harness, monkeypatch):
    import flows

    out = tmp_path / "out"
    for extra in list(applicants.iterdir())[2:]:
        extra.unlink()
    run(applicants, out)
    kw = {}
    if change == "rubric":
        rubric = tmp_path / "tpm.toml"
        rubric.write_text((ROOT / "rubrics" / "tpm.toml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        kw["rubric_path"] = str(rubric)
    elif change == "as_of":
        from flows import batch_flow

        summary = batch_flow(str(applicants), str(out), as_of="2025-01-31", workers=1, settle_s=0.0)
        assert summary["new"] == 2
        return
    elif change == "pipeline version":
        monkeypatch.setattr(flows, "__version__", "99.0.0")
    else:
        monkeypatch.setattr(flows, "pipeline_fingerprint", lambda: "edited")
    summary = run(applicants, out, **kw)
    assert (summary["new"], summary["unchanged"]) == (2, 0)
    assert len(stored(out)) == 2


def test_reports_survive_a_lost_index(applicants, tmp_path, prefect_harness):
    """The index is rebuilt from the manifest whenever it is missing, without re-scoring."""
    out = tmp_path / "out"
    run(applicants, out)
    os.remove(out / "index.html")
    summary = run(applicants, out)
    assert summary["new"] == 0 and (out / "index.html").exists()
    assert len(exported(out)) == 4
