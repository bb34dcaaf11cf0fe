"""Prefect flows: the only module that imports Prefect. It wires the pipeline's stages; the
logic lives in ``pipeline/`` and the rendering in ``reports/``."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task

from pipeline import __version__
from pipeline.audit_record import DEFAULT_RETENTION_DAYS, append_record, run_record
from pipeline.file_to_result import file_to_result
from pipeline.rubric import Rubric, load_rubric
from pipeline.types import Result, Settings
from reports.render import RunInfo, write_reports


def list_pdfs(folder: Path) -> list[Path]:
    """Every file in the folder whose name ends in .pdf (any case); the header is checked later."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() == ".pdf")


@task(name="score-file")
def score_file(path: Path, rubric: Rubric, settings: Settings) -> Result:
    result = file_to_result(path, rubric, settings)
    detail = f"{result.fit.overall:.0f}" if result.fit else (result.problem.reason if result.problem else "")
    name = result.candidate_id if settings.blind else path.name  # a blind run never logs file names
    get_run_logger().info("%s: %s %s", name, result.status, detail)
    return result


@flow(name="rolefit-batch")
def batch_flow(
    folder: str,
    out: str,
    rubric_path: str | None = None,
    as_of: str | None = None,
    blind: bool = False,
    audit_retention_days: int = DEFAULT_RETENTION_DAYS,
) -> dict:
    """Score every PDF in ``folder`` against the rubric and write the reports to ``out``."""
    started = time.monotonic()
    rubric = load_rubric(rubric_path) if rubric_path else load_rubric()
    settings = Settings(as_of=date.fromisoformat(as_of) if as_of else date.today(), blind=blind)
    futures = [score_file.submit(p, rubric, settings) for p in list_pdfs(Path(folder))]
    results = [f.result() for f in futures]
    run = RunInfo(
        rubric_name=rubric.model.name,
        rubric_id=rubric.model.id,
        rubric_version=rubric.model.version,
        rubric_sha256=rubric.sha256,
        as_of=settings.as_of.isoformat(),
        version=__version__,
        duration_s=round(time.monotonic() - started, 2),
        blind=blind,
    )
    index = write_reports(results, run, Path(out))
    record = run_record(results, rubric.ref, settings, __version__, datetime.now(timezone.utc))
    append_record(Path(out), record, audit_retention_days)
    counts = {s: sum(r.status == s for r in results) for s in ("scored", "unreadable", "not_resume")}
    return {"index": str(index), **counts, "blind_errors": {r.candidate_id: r.blind.differences for r in results if r.blind and not r.blind.holds}}
