"""Bias-audit figures in the manner of New York City Local Law 144 (rules of the Department of
Consumer and Worker Protection, 6 RCNY § 5-301) for a tool that outputs a score.

Self-reported categories (sex, race/ethnicity, or any other column) are held outside the
pipeline in a table keyed by candidate id; they are joined here, after scoring, and never reach
a stage. For every category of every column, and for every intersection of columns:

* scoring rate = the share of the category's candidates who score **above the median** score
  of the whole sample (candidates exactly at the median are not above it);
* impact ratio = the category's scoring rate / the highest scoring rate among the known
  categories of the same column (or intersection);
* a ratio under 0.8 (the four-fifths rule of thumb) is flagged, and so is a category holding
  under 2% of the sample, which the rules allow an auditor to leave out of the ratios.

The sample is every candidate with a score. Candidates with no row, or a blank or declined
answer, fall in the "Unknown" category: counted and shown, never used as the highest rate and
given no impact ratio.
"""

from __future__ import annotations

import csv
import io
import itertools
import statistics
from dataclasses import dataclass

LOW_RATIO = 0.8  # impact ratios under this are flagged (four-fifths rule)
SMALL_SHARE = 0.02  # categories under this share of the sample are flagged
UNKNOWN = "Unknown"
UNKNOWN_ANSWERS = {
    "", "unknown", "na", "n/a", "none given", "not provided", "not specified", "prefer not to say",
    "prefer not to answer", "declined", "decline to state", "decline to answer",
}
ID_COLUMNS = ("candidate_id", "candidate", "id")
JOIN = " × "


class BiasAuditError(ValueError):
    """The inputs cannot be audited; the message says why, in one line."""


@dataclass(frozen=True)
class GroupRow:
    dimension: str  # a column ("sex") or an intersection ("sex × race")
    category: str  # a value ("Female") or values joined ("Female × Asian")
    count: int
    share: float  # of the sample, 0..1
    above_median: int
    scoring_rate: float  # 0..1
    impact_ratio: float | None  # None for Unknown, or when every known rate is 0
    low_ratio: bool  # impact ratio under LOW_RATIO
    small: bool  # under SMALL_SHARE of the sample
    unknown: bool


@dataclass(frozen=True)
class BiasAudit:
    sample: int  # candidates with a score
    median: float
    above_median: int
    not_scored: int  # results without a score (unreadable, not a résumé): not in the sample
    unmatched: int  # rows of the groups table whose candidate id has no scored result
    columns: tuple[str, ...]
    rows: tuple[GroupRow, ...]

    @property
    def flagged(self) -> tuple[GroupRow, ...]:
        return tuple(r for r in self.rows if r.low_ratio or r.small)


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def read_groups(text: str) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
    """Parse the groups table (CSV with a header): the id column, then any category columns.
    Returns (category columns, {candidate id: {column: answer}})."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise BiasAuditError("the groups table is empty")
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    key = next((lowered.index(c) for c in ID_COLUMNS if c in lowered), None)
    if key is None:
        raise BiasAuditError("the groups table needs a candidate_id column")
    columns = tuple(h for i, h in enumerate(header) if i != key and h)
    if not columns:
        raise BiasAuditError("the groups table has no category columns besides candidate_id")
    if len(set(columns)) != len(columns):
        raise BiasAuditError("the groups table repeats a column name")
    groups: dict[str, dict[str, str]] = {}
    for n, row in enumerate(rows[1:], start=2):
        row = row + [""] * (len(header) - len(row))
        cid = row[key].strip()
        if not cid:
            raise BiasAuditError(f"row {n} of the groups table has no candidate id")
        if cid in groups:
            raise BiasAuditError(f"candidate {cid} appears twice in the groups table (row {n})")
        groups[cid] = {h: row[i].strip() for i, h in enumerate(header) if i != key and h}
    return columns, groups


def scores_from_results(payload: dict) -> tuple[dict[str, float], int]:
    """({candidate id: overall score} for scored results, number of results without a score)
    from a results.json payload ``{"schema_version", "run", "results": [...]}``."""
    try:
        results = payload["results"]
    except (KeyError, TypeError):
        raise BiasAuditError("not a rolefit results file: no 'results' list") from None
    scores: dict[str, float] = {}
    not_scored = 0
    for item in results:
        fit = item.get("fit") or {}
        if item.get("status") == "scored" and isinstance(fit.get("overall"), (int, float)):
            scores[str(item["candidate_id"])] = float(fit["overall"])
        else:
            not_scored += 1
    return scores, not_scored


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def _answer(groups: dict[str, dict[str, str]], cid: str, column: str) -> str:
    value = groups.get(cid, {}).get(column, "").strip()
    return UNKNOWN if value.lower() in UNKNOWN_ANSWERS else value


def _dimension_rows(
    name: str, labels: dict[str, str], scores: dict[str, float], median: float
) -> list[GroupRow]:
    sample = len(scores)
    members: dict[str, list[str]] = {}
    for cid, label in labels.items():
        members.setdefault(label, []).append(cid)
    rates = {}
    for label, ids in members.items():
        rates[label] = sum(scores[c] > median for c in ids) / len(ids)
    known = [rate for label, rate in rates.items() if UNKNOWN not in label.split(JOIN)]
    top = max(known, default=0.0)
    rows = []
    order = sorted(members, key=lambda lb: (UNKNOWN in lb.split(JOIN), lb.lower()))
    for label in order:
        ids = members[label]
        unknown = UNKNOWN in label.split(JOIN)
        ratio = None if unknown or top == 0 else rates[label] / top
        share = len(ids) / sample
        rows.append(
            GroupRow(
                dimension=name,
                category=label,
                count=len(ids),
                share=share,
                above_median=sum(scores[c] > median for c in ids),
                scoring_rate=rates[label],
                impact_ratio=ratio,
                low_ratio=ratio is not None and ratio < LOW_RATIO,
                small=not unknown and share < SMALL_SHARE,
                unknown=unknown,
            )
        )
    return rows


def bias_audit(
    scores: dict[str, float],
    columns: tuple[str, ...],
    groups: dict[str, dict[str, str]],
    not_scored: int = 0,
) -> BiasAudit:
    """Scoring rates and impact ratios per category of every column and every intersection."""
    if not scores:
        raise BiasAuditError("no scored candidates to audit")
    median = statistics.median(scores.values())
    rows: list[GroupRow] = []
    for size in range(1, len(columns) + 1):
        for combo in itertools.combinations(columns, size):
            labels = {cid: JOIN.join(_answer(groups, cid, col) for col in combo) for cid in scores}
            rows += _dimension_rows(JOIN.join(combo), labels, scores, median)
    return BiasAudit(
        sample=len(scores),
        median=median,
        above_median=sum(s > median for s in scores.values()),
        not_scored=not_scored,
        unmatched=sum(cid not in scores for cid in groups),
        columns=tuple(columns),
        rows=tuple(rows),
    )
