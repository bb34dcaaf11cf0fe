"""Nothing is lost: a run killed with SIGKILL mid-batch resumes without scoring anything twice,
outputs are never half-written, one run at a time writes to an output folder, and a file still
being copied is retried instead of being recorded as corrupt."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.atomic import write_atomic
from pipeline.manifest import Entry, OutputBusy, Store, output_lock
from tests.conftest import AS_OF, EXAMPLES, ROOT

N_FILES = 16


def distinct_pdfs(folder: Path, n: int) -> list[Path]:
    """``n`` different files from the examples: a PDF comment after the end changes the content
    hash, not what is read."""
    folder.mkdir()
    sources = sorted(EXAMPLES.glob("*.pdf"))
    paths = []
    for i in range(n):
        src = sources[i % len(sources)]
        path = folder / f"{i:02d}-{src.name}"
        path.write_bytes(src.read_bytes() + f"\n%variant {i}\n".encode())
        paths.append(path)
    return paths


def journal_entries(out: Path) -> list[dict]:
    path = out / ".rolefit" / "journal.jsonl"
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")
    return [json.loads(line) for line in lines[:-1] if line.strip()]  # the last piece may be cut short


def result_files(out: Path) -> dict[str, tuple[int, int]]:
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / ".rolefit" / "results").glob("*.json")}


def test_sigkill_mid_batch_then_rerun_scores_every_file_exactly_once(tmp_path, prefect_harness, rubric, settings):
    from flows import batch_flow
    from pipeline.file_to_result import file_to_result
    from pipeline.manifest import file_sha256
    from pipeline.serialise import to_jsonable

    paths = distinct_pdfs(tmp_path / "in", N_FILES)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cli", "batch", str(tmp_path / "in"), "--out", str(out), "--as-of", AS_OF.isoformat(), "--workers", "2"]
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}  # the session's test server: no start-up wait
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while len(journal_entries(out)) < 2:
            assert proc.poll() is None, f"the run ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() < deadline, "the run never committed a result"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the run and every process it started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    committed = {e["sha256"] for e in journal_entries(out)}
    assert 0 < len(committed) < N_FILES, "killed in the middle of the batch"
    assert not (out / "index.html").exists()
    kept = {sha: v for sha, v in result_files(out).items() if sha in committed}
    assert set(kept) == committed, "every committed result has its file on disk"

    summary = batch_flow(str(tmp_path / "in"), str(out), as_of=AS_OF.isoformat(), workers=2, settle_s=0.0)

    assert summary["new"] == N_FILES - len(committed), "the re-run scored exactly what the killed run had not stored"
    assert sum(summary[s] for s in ("scored", "unreadable", "not_resume")) == N_FILES
    after = result_files(out)
    assert {sha: after[sha] for sha in committed} == kept, "a result stored before the kill was scored again"
    shas = {p.name: file_sha256(p) for p in paths}
    assert set(after) == set(shas.values())
    assert not list(out.rglob("*.tmp")), "temporary files left behind"
    exported = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
    assert sorted(r["source"] for r in exported) == sorted(shas)
    assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    for path in paths[:: N_FILES // 4]:  # stored data is exactly what scoring the file gives
        data = json.loads((out / ".rolefit" / "results" / f"{shas[path.name]}.json").read_text(encoding="utf-8"))
        assert data == json.loads(json.dumps(to_jsonable(file_to_result(path, rubric, settings))))


def test_a_journal_line_cut_short_and_a_result_file_gone_are_scored_again(tmp_path):
    store = Store(tmp_path)
    store.open()
    for sha in ("a" * 64, "b" * 64, "c" * 64):
        store.commit(Entry(sha, "k", "c" + sha[:12], "scored", f"{sha[0]}.pdf"), '{"x": 1}')
    store.close()
    journal = store.journal_path
    journal.write_bytes(journal.read_bytes()[:-9])  # the last line cut short, as by a crash
    store.result_path("b" * 64).unlink()
    (store.results_dir / ".dead.json.1234.tmp").write_text("half")
    reopened = Store(tmp_path)
    manifest = reopened.open()
    assert set(manifest.results) == {"a" * 64}
    assert any("cut short" in note for note in reopened.notes)
    assert not journal.exists() and reopened.manifest_path.exists(), "the journal was folded into the snapshot"
    assert not list(store.results_dir.glob("*.tmp"))


def test_write_atomic_never_leaves_half_a_file(tmp_path, monkeypatch):
    target = tmp_path / "index.html"
    write_atomic(target, "old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, "new " * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


HOLDER = "import sys, time\nfrom pipeline.manifest import output_lock\nwith output_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(120)\n"


@pytest.fixture
def lock_held_elsewhere(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    yield out, holder
    holder.kill()
    holder.wait()


def test_a_second_run_on_the_same_output_folder_stops_with_a_clear_message(lock_held_elsewhere, tmp_path):
    out, holder = lock_held_elsewhere
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "batch", str(EXAMPLES), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert f"another rolefit run (pid {holder.pid}" in proc.stderr and "is writing to" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (out / ".rolefit" / "manifest.json").exists(), "the second run touched nothing"


def test_the_flow_skips_when_the_folder_is_busy_and_the_lock_dies_with_its_holder(lock_held_elsewhere, prefect_harness):
    from flows import batch_flow

    out, holder = lock_held_elsewhere
    summary = batch_flow(str(EXAMPLES), str(out), workers=1)
    assert "is writing to" in summary["busy"]
    assert not (out / ".rolefit" / "manifest.json").exists()
    with pytest.raises(OutputBusy):
        with output_lock(out):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with output_lock(out):  # the kernel released it
        with output_lock(out):  # re-entrant within a process
            pass


def test_a_file_still_being_copied_is_retried_not_recorded_as_corrupt(tmp_path, prefect_harness):
    from flows import batch_flow

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    complete = (EXAMPLES / "02-tpm-daniela-ferreira-holt.pdf").read_bytes()
    (folder / "ready.pdf").write_bytes((EXAMPLES / "03-senior-tpm-maya-lindqvist.pdf").read_bytes())
    os.utime(folder / "ready.pdf", (time.time() - 60, time.time() - 60))
    growing = folder / "growing.pdf"
    growing.write_bytes(complete[: len(complete) // 3])
    stop = threading.Event()

    def copy_slowly():
        while not stop.is_set():
            with open(growing, "ab") as fh:
                fh.write(b" ")
            time.sleep(0.02)

    copier = threading.Thread(target=copy_slowly)
    copier.start()
    try:
        summary = batch_flow(str(folder), str(out), as_of=AS_OF.isoformat(), workers=1, retries=1, settle_s=1.0)
    finally:
        stop.set()
        copier.join()
    assert (summary["new"], summary["pending"], summary["unreadable"], summary["scored"]) == (1, 1, 0, 1)
    assert "growing.pdf" not in (out / "index.html").read_text(encoding="utf-8")

    growing.write_bytes(complete)  # the copy finished
    summary = batch_flow(str(folder), str(out), as_of=AS_OF.isoformat(), workers=1, retries=1, settle_s=1.0)
    assert (summary["new"], summary["pending"], summary["unchanged"], summary["scored"]) == (1, 0, 1, 2)
