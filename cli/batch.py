"""``rolefit batch FOLDER``: score every PDF in a folder through the Prefect flow."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from cli import UsageError


def check_folder(folder: Path) -> None:
    if not folder.exists():
        raise UsageError(f"applicant folder not found: {folder}")
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    if not any(p.is_file() and p.suffix.lower() == ".pdf" for p in folder.iterdir()):
        raise UsageError(f"no PDF files in {folder}")


def check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".rolefit-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None


def check_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--as-of must be a date like 2026-01-31, not {text!r}") from None


def check_rubric(path: str | None) -> None:
    from pipeline.rubric import RubricError, load_rubric

    try:
        load_rubric(path) if path else load_rubric()
    except RubricError as exc:
        raise UsageError(f"invalid rubric:\n{exc}") from None


def check_jd(path: str | None, rubric_path: str | None) -> None:
    """A job description given with --jd must be readable and ask for something (issue 5)."""
    if path is None:
        return
    from pipeline.rubric import load_rubric
    from pipeline.text_to_job import file_to_job
    from pipeline.types import Settings

    if not Path(path).is_file():
        raise UsageError(f"job description not found: {path}")
    job = file_to_job(path, Settings(as_of=date.today()), load_rubric(rubric_path) if rubric_path else load_rubric())
    if job.problem:
        raise UsageError(f"cannot use job description {path}: {job.problem.reason}")


def check_workers(workers: int | None, dask_address: str | None) -> None:
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be 1 or more, not {workers}")
    if dask_address is None:
        return
    if "://" not in dask_address:
        raise UsageError(f"--dask-address must be a scheduler address like tcp://scheduler-host:8786, not {dask_address!r}")
    try:
        import prefect_dask  # noqa: F401
    except ImportError:
        raise UsageError("--dask-address needs the dask extra: pip install 'rolefit[dask]'") from None


def quiet_prefect() -> None:
    """Prefect's per-file log lines go to its API (the UI), not the terminal; only warnings do."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    # The temporary server's first start builds its database; on a busy machine that takes longer
    # than Prefect's default 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def summary_line(summary: dict) -> str:
    extra = [f"{summary['new']} new", f"{summary['unchanged']} unchanged"]
    extra += [f"{summary['pending']} still being copied"] if summary["pending"] else []
    extra += [f"{summary['failed']} failed"] if summary["failed"] else []
    return (
        f"{summary['scored']} scored, {summary['unreadable']} unreadable, "
        f"{summary['not_resume']} not a résumé ({', '.join(extra)}); index: {summary['index']}"
    )


def run(args: argparse.Namespace) -> int:
    folder, out = Path(args.folder), Path(args.out)
    check_folder(folder)
    as_of = check_date(args.as_of)
    if args.audit_retention_days < 0:
        raise UsageError("--audit-retention-days must be 0 (keep every record) or a number of days")
    check_rubric(args.rubric)
    check_jd(args.jd, args.rubric)
    check_workers(args.workers, args.dask_address)
    check_writable(out)
    from pipeline.manifest import OutputBusy, output_lock

    quiet_prefect()
    try:
        with output_lock(out):  # before Prefect starts: a second run against OUT stops at once
            from flows import batch_flow

            summary = batch_flow(
                str(folder), str(out), rubric_path=args.rubric, as_of=as_of,
                blind=args.blind, audit_retention_days=args.audit_retention_days,
                workers=args.workers, dask_address=args.dask_address, progress=sys.stderr.isatty(),
                jd=args.jd,
            )
    except OutputBusy as exc:
        raise UsageError(str(exc)) from None
    if summary.get("busy"):
        raise UsageError(summary["busy"])
    print(summary_line(summary))
    for cid, differences in summary.get("blind_errors", {}).items():
        print(f"rolefit: error: blind score differs from the unredacted score for {cid}: {'; '.join(differences)}", file=sys.stderr)
    return 1 if summary.get("blind_errors") else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="score every PDF in a folder and write HTML reports")
    p.add_argument("folder", help="folder of applicant PDFs")
    p.add_argument("--out", default="out", help="output folder (default: out)")
    p.add_argument("--rubric", default=None, help="rubric file (default: the bundled TPM rubric)")
    p.add_argument("--as-of", default=None, help="date durations are computed against (default: today)")
    p.add_argument("--blind", action="store_true", help="hide names, contact details, links, locations, schools and age-revealing dates from every report and export, and check that the blind score equals the unredacted score")
    p.add_argument("--audit-retention-days", type=int, default=365, help="delete audit records (OUT/audit.jsonl) older than this many days when a run appends its own; 0 keeps every record (default: 365)")
    p.add_argument("--workers", type=int, default=None, help="processes scoring files at once (default: one per core)")
    p.add_argument("--jd", default=None, help="a job description (text, Markdown or PDF): adds a separate job match per candidate; the rubric stays the basis of the fit score")
    p.add_argument("--dask-address", default=None, help="score on an existing Dask cluster, e.g. tcp://scheduler-host:8786 (needs the dask extra; workers must see FOLDER at the same path)")
    p.set_defaults(func=run)
