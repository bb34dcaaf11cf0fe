"""``rolefit notice --rubric FILE``: a plain-language notice for candidates of what the tool
assesses, what data it uses and keeps, and how to ask for a human review instead."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli import UsageError


def run(args: argparse.Namespace) -> int:
    from pipeline.audit_record import DEFAULT_RETENTION_DAYS
    from pipeline.rubric import RubricError, load_rubric
    from reports.audit import notice_to_html
    from reports.render import write_atomic

    try:
        rubric = load_rubric(args.rubric) if args.rubric else load_rubric()
    except RubricError as exc:
        raise UsageError(f"invalid rubric: {exc.issues[0]}") from None
    days = DEFAULT_RETENTION_DAYS if args.audit_retention_days is None else args.audit_retention_days
    if days < 0:
        raise UsageError("--audit-retention-days must be 0 (keep) or a number of days")
    out = Path(args.out)
    try:
        write_atomic(out, notice_to_html(rubric, args.contact, days, employer=args.employer))
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"notice for {rubric.model.name} written: {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notice", help="write the plain-language notice to candidates for a rubric")
    p.add_argument("--rubric", default=None, help="rubric file (default: the bundled TPM rubric)")
    p.add_argument("--out", default="notice.html", help="file to write (default: notice.html)")
    p.add_argument(
        "--contact",
        default="reply to the person who sent you this notice",
        help="how candidates ask for a human review, e.g. 'write to hiring@example.com'",
    )
    p.add_argument("--employer", default="", help="employer name shown in the notice")
    p.add_argument(
        "--audit-retention-days", type=int, default=None,
        help="days the audit record is kept, as set on rolefit batch (default: 365)",
    )
    p.set_defaults(func=run)
