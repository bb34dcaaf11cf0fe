"""Prefect flows: the only module that imports Prefect. It wires the pipeline's stages; the
logic lives in ``pipeline/`` and the rendering in ``reports/``.

``batch_flow`` is incremental and crash-safe: ``pipeline/manifest.py`` keeps what earlier runs
scored in the output folder, so a run reads only new or changed files and a killed run loses
nothing. Files are scored in processes (``pipeline/files_to_outcomes.py``), or on a Dask cluster
(``dask_address``). ``batch_deployment`` serves the same flow on a cron schedule.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from pipeline import __version__
from pipeline.audit_record import DEFAULT_RETENTION_DAYS, audit_run
from pipeline.file_to_result import candidate_id
from pipeline.files_to_outcomes import CHANGED, FAILED, Outcome, file_to_outcome, files_to_outcomes
from pipeline.manifest import (
    PACKAGE_ROOT,
    Entry,
    Look,
    Manifest,
    OutputBusy,
    Store,
    file_sha256,
    folder_fingerprint,
    forget_absent,
    is_fresh,
    look_at,
    look_at_folder,
    looks_to_hash,
    now_iso,
    output_lock,
    pipeline_fingerprint,
    plan_run,
    published,
    run_key,
    still_changing,
)
from pipeline.rubric import Rubric, load_rubric
from pipeline.types import STATUSES, Result, Settings
from reports.render import RunInfo, Summary, write_batch


def list_pdfs(folder: Path) -> list[Path]:
    """Every file in the folder whose name ends in .pdf (any case); the header is checked later."""
    return [Path(folder) / look.name for look in look_at_folder(folder)]


def cores() -> int:
    return len(os.sched_getaffinity(0))


# ---------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------


@task(name="look-at-folder", cache_policy=NO_CACHE)
def look_at_files(folder: Path, manifest: Manifest, settle_s: float) -> tuple[list[Look], dict[str, str], set[str], dict[str, str]]:
    """Look at the folder and hash each file the manifest cannot vouch for, once it holds still.

    Returns the looks, the content hash of each file hashed, the files still changing (being
    copied in: looked at again in a moment) and why each unreadable file cannot be read."""
    looks = look_at_folder(folder)
    unknown = looks_to_hash(looks, manifest)
    changing: set[str] = set()
    fresh = [look for look in unknown if is_fresh(look, time.time_ns(), settle_s)]
    if fresh:  # written a moment ago: a copy may still be under way, so look a second time
        time.sleep(settle_s)
        changing = {look.name for look in fresh if still_changing(look, look_at(folder / look.name))}
    hashed: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    for look in unknown:
        if look.name in changing:
            continue
        try:
            sha = file_sha256(folder / look.name)
        except OSError as exc:
            unreadable[look.name] = str(exc.strerror or exc)
            continue
        if still_changing(look, look_at(folder / look.name)):
            changing.add(look.name)
        else:
            hashed[look.name] = sha
    return looks, hashed, changing, unreadable


@task(name="score-files", cache_policy=NO_CACHE)
def score_files(items: list[tuple[str, str]], rubric: Rubric, settings: Settings, workers: int, commit: Callable) -> None:
    """Score files in a pool of ``workers`` processes, storing each result as it arrives."""
    for outcome in files_to_outcomes(items, rubric, settings, workers):
        commit(outcome)


@task(name="score-chunk", cache_policy=NO_CACHE)
def score_chunk(items: list[tuple[str, str]], rubric: Rubric, settings: Settings) -> list[Outcome]:
    """Score a few files on a Dask worker (which must see the same folder)."""
    return [file_to_outcome(path, sha, rubric, settings) for path, sha in items]


def score_on_dask(items: list[tuple[str, str]], rubric: Rubric, settings: Settings, address: str, workers: int, commit: Callable) -> None:
    """Score files on an existing Dask cluster, a few per task, storing each chunk as it arrives."""
    from prefect.futures import as_completed
    from prefect_dask import DaskTaskRunner

    size = max(1, min(25, math.ceil(len(items) / (4 * workers))))
    with DaskTaskRunner(address=address) as runner:
        futures = [
            runner.submit(score_chunk, {"items": items[i : i + size], "rubric": rubric, "settings": settings})
            for i in range(0, len(items), size)
        ]
        for future in as_completed(futures):
            futures.clear()  # as_completed keeps the chunks not done yet; a stored chunk is let go
            for outcome in future.result():
                commit(outcome)


@task(name="write-reports", cache_policy=NO_CACHE)
def rebuild_reports(store: Store, manifest: Manifest, shown: list[tuple[str, str]], run: RunInfo, out: Path) -> tuple[Path, list[Summary] | None]:
    """Rebuild the index, the pages and the exports from the manifest: every candidate stored,
    not only this run's, loaded one at a time (``write_batch``), so memory does not grow with
    the batch. Returns the summaries shown, or None when nothing they show has changed and the
    reports were left as they were."""
    fingerprint = hashlib.sha256(
        json.dumps([shown, repr(replace(run, duration_s=0.0)), folder_fingerprint(PACKAGE_ROOT / "reports")]).encode()
    ).hexdigest()
    index = out / "index.html"
    if manifest.reports == fingerprint and index.exists():
        return index, None

    def load(item: tuple[str, str]) -> Result | None:
        sha, name = item
        result = store.read_result(sha)
        return result if result is None or run.blind or result.source == name else replace(result, source=name)

    written = write_batch(shown, load, run, out)
    for sha, _ in dict.fromkeys(written.missing):
        manifest.results.pop(sha, None)  # scored again next run
    expected = {(out / name).resolve() for name in written.pages.values()}
    for page in (out / "candidates").glob("*.html"):
        if page.resolve() not in expected:
            page.unlink()  # its file left the folder
    manifest.reports = "" if written.missing else fingerprint
    return written.index, written.summaries


# ---------------------------------------------------------------------------------------------
# Storing outcomes as they arrive
# ---------------------------------------------------------------------------------------------


class Committer:
    """Stores each outcome the moment it arrives (result file, then journal line: see
    ``pipeline/manifest.py``), logs one line per file and moves the progress bar."""

    def __init__(self, store: Store, manifest: Manifest, key: str, blind: bool, logger, advance: Callable[[], None]):
        self.store, self.manifest, self.key, self.blind, self.logger, self.advance = store, manifest, key, blind, logger, advance
        self.new: Counter[str] = Counter()
        self.changing: set[str] = set()
        self.failed: set[str] = set()  # file names

    def __call__(self, outcome: Outcome) -> None:
        label = candidate_id(outcome.sha256) if self.blind else outcome.name  # a blind run never logs file names
        if outcome.status == CHANGED:
            self.changing.add(outcome.name)
            self.logger.info("%s: %s", label, outcome.detail)
        elif outcome.status == FAILED:
            self.failed.add(outcome.name)
            self.logger.error("%s: %s", label, outcome.detail)
        else:
            entry = Entry(outcome.sha256, self.key, outcome.candidate_id, outcome.status, outcome.source, now_iso())
            self.store.commit(entry, outcome.data)
            self.manifest.results[entry.sha256] = entry
            self.new[outcome.status] += 1
            self.logger.info("%s: %s %s", label, outcome.status, outcome.detail)
        self.advance()


@contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar on the terminal (stderr); gone when the run ends."""
    if not enabled or total == 0:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        job = bar.add_task("scoring", total=total)
        yield lambda: bar.advance(job)


# ---------------------------------------------------------------------------------------------
# The batch flow
# ---------------------------------------------------------------------------------------------


@flow(name="rolefit-batch")
def batch_flow(
    folder: str,
    out: str,
    rubric_path: str | None = None,
    as_of: str | None = None,
    blind: bool = False,
    audit_retention_days: int = DEFAULT_RETENTION_DAYS,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: bool = False,
    retries: int = 2,
    settle_s: float = 2.0,
    jd: str | None = None,
) -> dict:
    """Score every new or changed PDF in ``folder`` against the rubric, then rebuild the reports
    in ``out`` from the run manifest. ``workers``: processes (default: one per core);
    ``dask_address``: score on that Dask cluster instead; ``retries``: how many more times to
    look at files still being copied in, ``settle_s`` apart; ``progress``: a progress bar."""
    started = time.monotonic()
    logger = get_run_logger()
    folder_path, out_path = Path(folder), Path(out)
    if not folder_path.is_dir():
        raise ValueError(f"applicant folder not found: {folder}")
    rubric = load_rubric(rubric_path) if rubric_path else load_rubric()
    settings = Settings(as_of=date.fromisoformat(as_of) if as_of else date.today(), blind=blind)
    if jd:  # optional job description: a separate job match per candidate (issue 5)
        from pipeline.text_to_job import file_to_job

        settings = replace(settings, job=file_to_job(jd, settings, rubric))
    key = run_key(rubric.sha256, settings, __version__, pipeline_fingerprint())
    workers = workers or cores()
    store = Store(out_path)
    try:
        with output_lock(out_path):
            manifest = store.open()
            for note in store.notes:
                logger.warning("%s", note)

            # 1. Score what the manifest does not hold yet; look again at files still being copied.
            new, failed, unchanged = Counter(), set(), None
            for attempt in range(retries + 1):
                if attempt:
                    time.sleep(settle_s)
                looks, hashed, changing, unreadable = look_at_files(folder_path, manifest, settle_s)
                plan = plan_run(looks, manifest, key, hashed)
                unchanged = len(plan.reused) if unchanged is None else unchanged
                items = [(str(folder_path / name), sha) for name, sha in plan.to_score if name not in failed]
                with progress_bar(progress, len(items)) as advance:
                    commit = Committer(store, manifest, key, blind, logger, advance)
                    if dask_address and items:
                        score_on_dask(items, rubric, settings, dask_address, workers, commit)
                    elif items:
                        score_files(items, rubric, settings, workers, commit)
                new.update(commit.new)
                failed.update(commit.failed, unreadable)
                pending = changing | commit.changing
                if not pending:
                    break
            if pending:
                logger.warning("still being copied, scored by the next run: %s", len(pending) if blind else ", ".join(sorted(pending)))
            if unreadable:
                logger.error("cannot read: %s", len(unreadable) if blind else "; ".join(f"{n}: {r}" for n, r in unreadable.items()))

            # 2. Files that left the folder leave the manifest; the index is rebuilt from it.
            removed = forget_absent(manifest, looks, plan.current)
            store.remove_results(removed)
            store.checkpoint(manifest)
            shown = published(manifest, plan.current, key)
            run = RunInfo.for_rubric(
                rubric,
                settings.as_of.isoformat(),
                __version__,
                duration_s=round(time.monotonic() - started, 2),
                blind=blind,
            )
            index, summaries = rebuild_reports(store, manifest, shown, run, out_path)

            # 3. The audit record: every run appends one (issue 10), reading one result at a time.
            audit_run(out_path, None, [sha for sha, _ in shown], store.read_result, rubric.ref, settings,
                      __version__, datetime.now(timezone.utc), audit_retention_days, {"workers": workers},
                      reports_rebuilt=summaries is not None)
            store.checkpoint(manifest)
    except OutputBusy as exc:
        logger.warning("%s", exc)
        return {"busy": str(exc), "index": "", **{s: 0 for s in STATUSES}}
    finally:
        store.close()

    counts = Counter(manifest.results[sha].status for sha, _ in shown)
    summary = {
        "index": str(index),
        **{s: counts[s] for s in STATUSES},
        "new": sum(new.values()),
        "unchanged": unchanged,
        "pending": len(pending),
        "failed": len(failed),
        "removed": len(removed),
        "blind_errors": {s.r.candidate_id: s.r.blind.differences for s in summaries or () if s.r.blind and not s.r.blind.holds},
    }
    create_markdown_artifact(
        key="rolefit-run-summary", markdown=summary_markdown(folder, summary, time.monotonic() - started), description="rolefit batch run"
    )
    return summary


def summary_markdown(folder: str, summary: dict, seconds: float) -> str:
    rows = [
        ("candidates in the index", sum(summary[s] for s in STATUSES)),
        ("scored / unreadable / not a résumé", f"{summary['scored']} / {summary['unreadable']} / {summary['not_resume']}"),
        ("scored in this run", summary["new"]),
        ("unchanged, not read again", summary["unchanged"]),
        ("still being copied (next run)", summary["pending"]),
        ("failed (see the log)", summary["failed"]),
        ("left the folder", summary["removed"]),
        ("index", f"`{summary['index']}`"),
        ("took", f"{seconds:.1f} s"),
    ]
    return f"## rolefit batch of `{folder}`\n\n| | |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"


# ---------------------------------------------------------------------------------------------
# Scheduled runs
# ---------------------------------------------------------------------------------------------


def check_cron(cron: str) -> None:
    """Raise ValueError with the reason when ``cron`` is not a valid cron expression."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError as exc:
        raise ValueError(f"invalid cron expression {cron!r}") from exc


def batch_deployment(name: str, cron: str, parameters: dict):
    """``batch_flow`` as a deployment named ``name`` that runs on ``cron`` with ``parameters``."""
    from prefect.types.entrypoint import EntrypointType

    check_cron(cron)
    return batch_flow.to_deployment(
        name=name,
        cron=cron,
        parameters=parameters,
        description=f"rolefit batch of {parameters.get('folder')} into {parameters.get('out')}",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve_deployment(deployment) -> None:
    """Serve until interrupted: scheduled and triggered runs execute in this process's children."""
    from prefect import serve

    serve(deployment)


def server_url() -> str | None:
    """The Prefect server's API URL, or None when flows would run on a temporary server."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None
