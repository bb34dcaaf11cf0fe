"""``rolefit audit results.json --groups groups.csv``: bias-audit figures (NYC LL144 style).

The groups table (candidate_id plus any self-reported category columns) is kept outside the
pipeline and joined here, after scoring. Writes ``bias-audit.html`` and ``bias-audit.csv``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli import UsageError


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} {path} is not UTF-8 text") from None


def run(args: argparse.Namespace) -> int:
    from pipeline.bias_audit import BiasAuditError, bias_audit, read_groups, scores_from_results
    from reports.audit import audit_to_csv, audit_to_html
    from reports.render import write_atomic

    results_path, groups_path = Path(args.results), Path(args.groups)
    out = Path(args.out) if args.out else results_path.parent
    try:
        payload = json.loads(_read(results_path, "results file"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{results_path} is not JSON: {exc.msg} (line {exc.lineno})") from None
    try:
        scores, not_scored = scores_from_results(payload)
        columns, groups = read_groups(_read(groups_path, "groups table"))
        audit = bias_audit(scores, columns, groups, not_scored)
    except BiasAuditError as exc:
        raise UsageError(f"{groups_path if 'groups' in str(exc) else results_path}: {exc}") from None
    run_info = payload.get("run") if isinstance(payload.get("run"), dict) else {}
    try:
        write_atomic(out / "bias-audit.csv", audit_to_csv(audit))
        write_atomic(out / "bias-audit.html", audit_to_html(audit, results_path.name, run_info))
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    low = sum(r.low_ratio for r in audit.rows)
    small = sum(r.small for r in audit.rows)
    print(
        f"{audit.sample} scored candidates, median {audit.median:.1f}; {low} impact ratios under 0.8, "
        f"{small} categories under 2% of the sample; written: {out / 'bias-audit.html'}, {out / 'bias-audit.csv'}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="bias-audit scoring rates and impact ratios by self-reported category")
    p.add_argument("results", help="results.json written by rolefit batch")
    p.add_argument("--groups", required=True, help="CSV: candidate_id, then one column per category (sex, race, ...)")
    p.add_argument("--out", default=None, help="output folder (default: the folder of results.json)")
    p.set_defaults(func=run)
