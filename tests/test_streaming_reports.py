"""A batch's reports are written holding one full result at a time (issue 8: peak memory must not
grow with the batch): the index and results.csv come from small summaries, each candidate page and
results.json item from the result loaded again, and results.json/.csv are streamed to disk
atomically. The bytes are those of the in-memory functions."""

import gc
import json
import weakref
from dataclasses import replace

import pytest

from pipeline.atomic import atomic_writer
from pipeline.serialise import to_jsonable
from reports.render import (
    page_name,
    result_to_page,
    results_to_csv,
    results_to_index,
    results_to_json,
    summarise,
    write_batch,
    write_reports,
)
from tests.test_reports import RUN, make_result, schema, validate, with_job_match  # noqa: F401 - schema is a fixture


@pytest.fixture()
def batch():
    twin_id = make_result("Same Id", "same-a.pdf", 70.0)
    return [
        make_result("Low Larsen", "low.pdf", 20.0, level="tpm"),
        with_job_match(make_result("Top Tanaka", "top.pdf", 88.0, level="principal"), 75.0),
        make_result("Mid Moreau", "mid.pdf", 55.0),
        make_result("Bad File", "broken.pdf", status="unreadable"),
        make_result("Chef Chen", "chef.pdf", status="not_resume"),
        twin_id,
        replace(make_result("Other Content", "same-b.pdf", 40.0), candidate_id=twin_id.candidate_id),  # id collision
        make_result("Mid Moreau", "mid copy.pdf", 55.0, sha=make_result("Mid Moreau", "mid.pdf").sha256),  # same file twice
    ]


class Loader:
    """Hands out a fresh copy of a result per call and counts how many handed-out results are alive
    at each call: write_batch may keep the one it is working on, never more."""

    def __init__(self, results, gone=()):
        self.results, self.gone = results, set(gone)
        self.handed: list[weakref.ref] = []
        self.most_alive = 0
        self.calls = 0

    def __call__(self, key):
        self.calls += 1  # results hold no reference cycles: reference counting frees them at once
        self.most_alive = max(self.most_alive, self.alive())
        if key in self.gone:
            return None
        result = replace(self.results[key])
        self.handed.append(weakref.ref(result))
        return result

    def alive(self) -> int:
        return sum(ref() is not None for ref in self.handed)


@pytest.mark.parametrize("blind", [False, True])
def test_write_batch_writes_the_same_bytes_as_the_in_memory_renderers(batch, tmp_path, blind):
    run = replace(RUN, blind=blind)
    written = write_batch(range(len(batch)), Loader(batch), run, tmp_path)
    assert written.index == tmp_path / "index.html" and written.missing == []
    for name, render in (("index.html", results_to_index), ("results.json", results_to_json), ("results.csv", results_to_csv)):
        assert (tmp_path / name).read_bytes() == render(batch, run).encode("utf-8"), name
    pages = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "candidates").iterdir())
    assert pages == sorted(set(written.pages.values()))
    assert len(pages) == 6, "one page per distinct content that gets one; the colliding id gets its own"
    top = batch[1]
    assert (tmp_path / page_name(top)).read_bytes() == result_to_page(top, run).encode("utf-8")


def test_results_json_is_the_one_document_it_always_was(batch, schema):
    text = results_to_json(batch, RUN)
    payload = json.loads(text)
    validate(payload, schema)
    assert list(payload) == ["counts", "ranking", "results", "run", "schema_version"]
    assert [r["source"] for r in payload["results"]] == sorted(r.source for r in batch)
    for item in payload["results"]:
        original = next(r for r in batch if r.source == item["source"])
        assert {k: v for k, v in item.items() if k != "page"} == json.loads(json.dumps(to_jsonable(original), default=str))
    assert payload["ranking"][0] == batch[1].candidate_id


def test_write_batch_holds_at_most_one_full_result_at_a_time(batch, tmp_path):
    many = [make_result(f"Person {i}", f"p{i:03d}.pdf", float(i % 97), sha=f"{i:064x}") for i in range(20)] + batch
    load = Loader(many)
    written = write_batch(range(len(many)), load, RUN, tmp_path)
    assert load.calls == 2 * len(many), "each result is read twice: for its summary, then for its page and JSON item"
    assert load.most_alive <= 1
    gc.collect()
    assert load.alive() == 0, "summaries keep no full result"
    assert len(written.summaries) == len(many)


def test_summaries_keep_what_the_index_shows_and_drop_the_bulk(batch):
    top = batch[1]
    s = summarise(top, RUN)
    assert s.name == "Top Tanaka" and s.job["score"] == 75.0 and "skills" not in s.job
    assert s.r.profile is None and s.r.fit.competencies == () and s.r.job_match is None
    assert s.r.fit.overall == top.fit.overall and s.r.fit.categories == top.fit.categories
    assert s.r.level.level == top.level.level and s.r.level.probabilities == top.level.probabilities
    assert s.strengths and s.gaps and s.competencies == len(top.fit.competencies)
    assert summarise(top, replace(RUN, blind=True)).name == top.candidate_id


def test_a_result_that_cannot_be_loaded_is_left_out_and_reported(batch, tmp_path, schema):
    written = write_batch(range(len(batch)), Loader(batch, gone={0}), RUN, tmp_path)
    assert written.missing == [0]
    payload = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    validate(payload, schema)
    assert "low.pdf" not in {r["source"] for r in payload["results"]}
    assert not (tmp_path / page_name(batch[0])).exists()


def test_a_result_gone_between_the_two_reads_keeps_every_file_valid(batch, tmp_path, schema):
    """Only possible if someone deletes a stored result while the run holds the output lock: the
    reports stay well-formed and the key is reported, so the flow scores that file again."""

    class Vanishing(Loader):
        def __call__(self, key):
            if key == 0 and self.calls >= len(batch):
                self.gone.add(0)
            return super().__call__(key)

    written = write_batch(range(len(batch)), Vanishing(batch), RUN, tmp_path)
    assert written.missing == [0]
    validate(json.loads((tmp_path / "results.json").read_text(encoding="utf-8")), schema)
    assert not (tmp_path / page_name(batch[0])).exists()


def test_write_reports_is_write_batch_over_a_list(batch, tmp_path):
    index = write_reports(batch, RUN, tmp_path / "a")
    write_batch(range(len(batch)), batch.__getitem__, RUN, tmp_path / "b")
    for name in ("index.html", "results.json", "results.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert index == tmp_path / "a" / "index.html"


def test_atomic_writer_replaces_the_file_only_when_the_block_completes(tmp_path):
    target = tmp_path / "results.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as fh:
            fh.write("half a ")
            raise RuntimeError("killed mid-way")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"], "no temporary file left"
    with atomic_writer(target) as fh:
        fh.write("a,b\r\n")
        fh.write("é,ü\r\n")
    assert target.read_bytes() == "a,b\r\né,ü\r\n".encode("utf-8"), "UTF-8, line ends untouched"


def test_flow_rebuild_reads_stored_results_one_at_a_time(batch, tmp_path):
    """The flow's report task over a real store: the same bytes as write_reports, one result alive."""
    from flows import rebuild_reports
    from pipeline.manifest import Entry, Store

    distinct = {r.sha256: r for r in batch if r.candidate_id != batch[-3].candidate_id or r is batch[-3]}
    store = Store(tmp_path / "out")
    manifest = store.open()
    for sha, r in distinct.items():
        entry = Entry(sha, "key", r.candidate_id, r.status, r.source)
        store.commit(entry, json.dumps(to_jsonable(r), default=str))
        manifest.results[sha] = entry
    shown = sorted((sha, r.source) for sha, r in distinct.items())
    read, alive = store.read_result, []
    handed: list[weakref.ref] = []

    def counting_read(sha):
        alive.append(sum(ref() is not None for ref in handed))
        result = read(sha)
        handed.append(weakref.ref(result))
        return result

    store.read_result = counting_read
    index, summaries = rebuild_reports.fn(store, manifest, shown, RUN, tmp_path / "out")
    store.close()
    assert max(alive) <= 1 and len(alive) == 2 * len(shown)
    assert [s.r.sha256 for s in summaries] == [sha for sha, _ in shown]
    write_reports([read(sha) for sha, _ in shown], RUN, tmp_path / "plain")  # all at once, as before
    for name in ("index.html", "results.json", "results.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_audit_record_after_a_rebuild_reads_each_result_once_one_at_a_time(tmp_path, rubric, settings):
    from datetime import datetime, timezone

    from pipeline import __version__
    from pipeline.audit_record import AUDIT_FILE, audit_run, run_record

    results = [make_result(f"P {i}", f"p{i}.pdf", 10.0 * i, sha=f"{i:064x}") for i in range(1, 6)]
    stored = {r.sha256: r for r in results}
    shas = [r.sha256 for r in reversed(results)]
    t0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
    audit_run(tmp_path, results, shas, None, rubric.ref, settings, __version__, t0)
    load = Loader(stored)
    audit_run(tmp_path, None, shas, load, rubric.ref, settings, __version__, t0, reports_rebuilt=True)
    assert load.calls == len(results) and load.most_alive <= 1
    first, second = [json.loads(ln) for ln in (tmp_path / AUDIT_FILE).read_text(encoding="utf-8").splitlines()]
    assert "reports_unchanged" not in second, "the reports were rebuilt: a fresh record, not a repeat"
    assert second == first == json.loads(json.dumps(run_record(results, rubric.ref, settings, __version__, t0), sort_keys=True))


def test_streamed_audit_line_is_byte_for_byte_the_record(tmp_path, rubric, settings):
    """The audit line written entry by entry is the JSON of ``run_record``, whatever the run's
    extras hold (even a key named like the spliced-in one)."""
    from datetime import datetime, timezone

    from pipeline import __version__
    from pipeline.audit_record import AUDIT_FILE, audit_run, run_record
    from pipeline.types import BlindCheck

    results = [
        replace(make_result("A", "a.pdf", 40.0, sha="a" * 64), blind=BlindCheck(("name",), 40.0, 39.0, ("overall 40.0 vs 39.0",))),
        make_result("B", "b.pdf", status="unreadable", sha="b" * 64),
        make_result("C", "c.pdf", 70.0, sha="c" * 64),
    ]
    t0 = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
    extra = {"candidates": [], "workers": 2, "note": '"candidates": []'}
    for rows in (results, []):
        (tmp_path / AUDIT_FILE).unlink(missing_ok=True)
        audit_run(tmp_path, rows, [r.sha256 for r in rows], None, rubric.ref, settings, __version__, t0, extra=extra)
        expected = json.dumps(run_record(rows, rubric.ref, settings, __version__, t0, extra), ensure_ascii=False, sort_keys=True)
        assert (tmp_path / AUDIT_FILE).read_text(encoding="utf-8") == expected + "\n"
