"""The ``rolefit`` command: a thin layer over the pipeline, the reports and the flows."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path


class UsageError(Exception):
    """A mistake in what the user asked for: one line on stderr, exit code 2."""


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise UsageError(f"applicant folder not found: {folder}")
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    if not any(p.is_file() and p.suffix.lower() == ".pdf" for p in folder.iterdir()):
        raise UsageError(f"no PDF files in {folder}")


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".rolefit-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None


def _check_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--as-of must be a date like 2026-01-31, not {text!r}") from None


def cmd_batch(args: argparse.Namespace) -> int:
    from pipeline.rubric import RubricError, load_rubric

    folder, out = Path(args.folder), Path(args.out)
    _check_folder(folder)
    as_of = _check_date(args.as_of)
    try:
        load_rubric(args.rubric) if args.rubric else load_rubric()
    except RubricError as exc:
        raise UsageError(f"invalid rubric:\n{exc}") from None
    _check_writable(out)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows import batch_flow

    summary = batch_flow(str(folder), str(out), rubric_path=args.rubric, as_of=as_of)
    print(
        f"{summary['scored']} scored, {summary['unreadable']} unreadable, "
        f"{summary['not_resume']} not a résumé; index: {summary['index']}"
    )
    return 0


def cmd_rubric_check(args: argparse.Namespace) -> int:
    from pipeline.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(args.file)
    except RubricError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 1
    count = sum(len(c.competencies) for c in rubric.model.categories)
    print(f"{args.file}: ok ({rubric.model.id} {rubric.model.version}, {len(rubric.model.categories)} categories, {count} competencies, sha256 {rubric.sha256[:12]})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rolefit", description="Offline, explainable résumé-to-role fit scoring.")
    sub = parser.add_subparsers(dest="command", required=True)

    batch = sub.add_parser("batch", help="score every PDF in a folder and write HTML reports")
    batch.add_argument("folder", help="folder of applicant PDFs")
    batch.add_argument("--out", default="out", help="output folder (default: out)")
    batch.add_argument("--rubric", default=None, help="rubric file (default: the bundled TPM rubric)")
    batch.add_argument("--as-of", default=None, help="date durations are computed against (default: today)")
    batch.set_defaults(func=cmd_batch)

    rubric = sub.add_parser("rubric", help="rubric tools")
    rubric_sub = rubric.add_subparsers(dest="rubric_command", required=True)
    check = rubric_sub.add_parser("check", help="validate a rubric file")
    check.add_argument("file")
    check.set_defaults(func=cmd_rubric_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"rolefit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rolefit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
