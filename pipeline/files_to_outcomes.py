"""Score files for the run manifest, in worker processes: the part of a batch that uses the cores.

pdfplumber is pure Python and holds the GIL, so threads do not help: files are scored in a pool
of processes (``forkserver``: each worker starts clean, with the pipeline imported once, and
never inherits the parent's threads or locks), even with one worker: scoring then never
competes for the GIL with the caller's threads (Prefect's logging and API clients). Outcomes are yielded as files finish, so the caller can store each one at once; at most
two files per worker are in flight, so memory does not grow with the batch.

An ``Outcome`` carries the result already serialised to JSON, so the parent only writes it.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from pipeline.rubric import Rubric
from pipeline.serialise import to_jsonable
from pipeline.types import Settings

CHANGED = "changed"  # the file changed while it was read: not stored, retried later
FAILED = "failed"  # the pipeline raised (a bug, not a bad file): not stored, retried next run


@dataclass(frozen=True)
class Outcome:
    name: str
    sha256: str  # the content that was scored
    status: str  # the result's status (``pipeline.types.STATUSES``), CHANGED or FAILED
    detail: str  # the score or the reason, for the log line
    candidate_id: str = ""
    source: str = ""  # the result's source: the file name, or the candidate id on a blind run
    data: str = ""  # the Result as JSON text, when it is to be stored


def file_to_outcome(path: str | Path, expected_sha256: str, rubric: Rubric, settings: Settings) -> Outcome:
    """Score one file whose content hash was taken when the run looked at it."""
    from pipeline.file_to_result import file_to_result

    path = Path(path)
    try:
        result = file_to_result(path, rubric, settings)
    except Exception as exc:  # noqa: BLE001 - a bug in a stage must not lose the rest of the batch
        return Outcome(path.name, expected_sha256, FAILED, f"internal error: {type(exc).__name__}: {exc}")
    if result.sha256 != expected_sha256:
        return Outcome(path.name, result.sha256, CHANGED, "changed while being read; retried later")
    if result.fit is not None:
        detail = f"{result.fit.overall:.0f}/100" + (f", {result.level.name}" if result.level else "")
    else:
        detail = result.problem.reason if result.problem else ""
    data = json.dumps(to_jsonable(result), ensure_ascii=False, sort_keys=True)
    return Outcome(path.name, result.sha256, result.status, detail, result.candidate_id, result.source, data)


def files_to_outcomes(
    items: list[tuple[str, str]], rubric: Rubric, settings: Settings, workers: int
) -> Iterator[Outcome]:
    """Score ``(path, expected content hash)`` items, yielding each outcome as it finishes."""
    if len(items) <= 1:
        for path, sha in items:
            yield file_to_outcome(path, sha, rubric, settings)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "pipeline.file_to_result", "pipeline.pdf_to_document"])
    todo = iter(items)
    running: set = set()
    with ProcessPoolExecutor(
        max_workers=min(workers, len(items)), mp_context=context, initializer=_start_worker, initargs=(rubric, settings)
    ) as pool:
        try:
            while True:
                while len(running) < 2 * workers and (item := next(todo, None)) is not None:
                    running.add(pool.submit(_score_in_worker, *item))
                if not running:
                    return
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


_WORKER: tuple[Rubric, Settings] | None = None


def _start_worker(rubric: Rubric, settings: Settings) -> None:
    global _WORKER
    _WORKER = (rubric, settings)


def _score_in_worker(path: str, sha256: str) -> Outcome:
    return file_to_outcome(path, sha256, *_WORKER)
