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


def run(args: argparse.Namespace) -> int:
    folder, out = Path(args.folder), Path(args.out)
    check_folder(folder)
    as_of = check_date(args.as_of)
    if args.audit_retention_days < 0:
        raise UsageError("--audit-retention-days must be 0 (keep every record) or a number of days")
    check_rubric(args.rubric)
    check_writable(out)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows import batch_flow

    summary = batch_flow(
        str(folder), str(out), rubric_path=args.rubric, as_of=as_of,
        blind=args.blind, audit_retention_days=args.audit_retention_days,
    )
    print(
        f"{summary['scored']} scored, {summary['unreadable']} unreadable, "
        f"{summary['not_resume']} not a résumé; index: {summary['index']}"
    )
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
    p.set_defaults(func=run)
