"""``rolefit serve FOLDER --cron "*/15 * * * *"``: score a growing folder on a schedule.

Serves the batch flow as a Prefect deployment with that schedule; each run scores only what is
new (see ``rolefit batch``). Schedules fire only with a running Prefect server (``prefect server
start``), never on Prefect's temporary one, so this command refuses to start without one.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from cli import UsageError
from cli.batch import check_date, check_rubric, check_workers, check_writable

NO_SERVER = (
    "schedules need a running Prefect server: start one with `prefect server start`, then "
    "`prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api` and run this again"
)


def deployment_name(folder: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.resolve().name).strip("-.") or "applicants"


def run(args: argparse.Namespace) -> int:
    folder, out = Path(args.folder), Path(args.out)
    if not folder.is_dir():
        raise UsageError(f"applicant folder not found: {folder}")
    as_of = check_date(args.as_of)
    if args.audit_retention_days < 0:
        raise UsageError("--audit-retention-days must be 0 (keep every record) or a number of days")
    check_rubric(args.rubric)
    check_workers(args.workers, args.dask_address)
    check_writable(out)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    import flows

    url = flows.server_url()
    if url is None:
        raise UsageError(NO_SERVER)
    parameters = {
        "folder": str(folder.resolve()),
        "out": str(out.resolve()),
        "rubric_path": str(Path(args.rubric).resolve()) if args.rubric else None,
        "as_of": as_of,
        "blind": args.blind,
        "audit_retention_days": args.audit_retention_days,
        "workers": args.workers,
        "dask_address": args.dask_address,
    }
    name = args.name or deployment_name(folder)
    try:
        deployment = flows.batch_deployment(name, args.cron, parameters)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"serving rolefit-batch/{name}: {folder} -> {out}, on '{args.cron}'; runs are listed at {url.removesuffix('/api')}/runs")
    flows.serve_deployment(deployment)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="score a folder on a schedule (a Prefect deployment; needs a Prefect server)")
    p.add_argument("folder", help="folder of applicant PDFs (it may still be empty)")
    p.add_argument("--cron", required=True, help='when to run, as a cron expression, e.g. "*/15 * * * *" (every 15 minutes)')
    p.add_argument("--out", default="out", help="output folder (default: out)")
    p.add_argument("--name", default=None, help="deployment name (default: the folder's name)")
    p.add_argument("--rubric", default=None, help="rubric file (default: the bundled TPM rubric)")
    p.add_argument("--as-of", default=None, help="date durations are computed against (default: the day of each run)")
    p.add_argument("--blind", action="store_true", help="blind review, as in rolefit batch --blind")
    p.add_argument("--audit-retention-days", type=int, default=365, help="as in rolefit batch (default: 365; 0 keeps every record)")
    p.add_argument("--workers", type=int, default=None, help="processes scoring files at once (default: one per core)")
    p.add_argument("--dask-address", default=None, help="score on an existing Dask cluster, e.g. tcp://scheduler-host:8786")
    p.set_defaults(func=run)
