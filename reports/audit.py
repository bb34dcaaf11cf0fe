"""Accountability documents: the bias-audit summary (HTML and CSV) and the candidate notice.

    audit_to_csv(audit)                     -> str  one row per category and intersection
    audit_to_html(audit, source)            -> str  the same, with the sample and the rules
    notice_to_html(rubric, contact, ...)    -> str  what the tool assesses, for candidates

Reads pipeline data; never runs a stage.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from pipeline import __version__
from pipeline.bias_audit import LOW_RATIO, SMALL_SHARE, BiasAudit
from pipeline.rubric import RUBRICS_DIR, Rubric
from reports.render import environment

CSV_COLUMNS = (
    "dimension",
    "category",
    "count",
    "share_of_sample",
    "above_median",
    "scoring_rate",
    "impact_ratio",
    "impact_ratio_under_0_8",
    "under_2_percent_of_sample",
    "unknown",
)

def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def audit_to_csv(audit: BiasAudit) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in audit.rows:
        writer.writerow(
            [
                r.dimension,
                r.category,
                r.count,
                f"{r.share:.4f}",
                r.above_median,
                f"{r.scoring_rate:.4f}",
                "" if r.impact_ratio is None else f"{r.impact_ratio:.4f}",
                _yes(r.low_ratio),
                _yes(r.small),
                _yes(r.unknown),
            ]
        )
    return out.getvalue()


def audit_to_html(audit: BiasAudit, source: str, run: dict | None = None) -> str:
    dimensions: dict[str, list] = {}
    for row in audit.rows:
        dimensions.setdefault(row.dimension, []).append(row)
    return environment().get_template("audit.html").render(
        audit=audit,
        dimensions=dimensions,
        source=source,
        run=run or {},
        low_ratio=LOW_RATIO,
        small_share=SMALL_SHARE,
        version=__version__,
    )


# Plain words for the level model's inputs (its "features", listed in the rubric's ladder
# model file). An input the model adds later without words here is shown by its name.
LEVEL_SIGNALS = {
    "total_years": "your years of work experience, counted from the dates of the jobs you list (overlapping jobs count once)",
    "product_years": "your years in product, program or project management jobs",
    "title_rank": "the seniority of your most senior job title, and the kind of career it belongs to",
    "title_years": "how long you have held titles at that seniority",
    "scope": "the widest area you say you owned: a feature, a team, several teams, a portfolio, a whole function",
    "people_led": "the largest team you say you led",
    "pms_led": "how many product managers you say you managed or mentored",
    "horizon": "how far ahead you say you planned, from sprints to multi-year strategy",
    "budget": "whether you say you owned a budget or a profit and loss",
    "student": "whether you are still studying (a degree you are still working towards) and have held only internships",
}


def level_signals(rubric: Rubric) -> list[str]:
    """The level model's inputs, in plain words, read from the model file the rubric names."""
    name = rubric.model.ladder.model_file
    beside = Path(rubric.path).resolve().parent / name
    try:
        features = json.loads((beside if beside.exists() else RUBRICS_DIR / name).read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError):
        features = list(LEVEL_SIGNALS)
    return [LEVEL_SIGNALS.get(f, f.replace("_", " ")) for f in features]


def notice_to_html(
    rubric: Rubric,
    contact: str,
    retention_days: int,
    employer: str = "",
    today: date | None = None,
) -> str:
    model = rubric.model
    total = sum(c.weight for c in model.categories)
    categories = [
        {
            "name": c.name,
            "share": round(100 * c.weight / total),
            "competencies": [{"name": k.name, "description": k.description} for k in c.competencies],
        }
        for c in model.categories
    ]
    levels = [
        {
            "name": lv.name,
            "years": lv.typical_years,
            "scope": lv.scope,
            "titles": lv.title_words,
        }
        for lv in model.ladder.levels
    ]
    return environment().get_template("notice.html").render(
        role=model.name,
        description=model.description,
        categories=categories,
        levels=levels,
        signals=level_signals(rubric),
        contact=contact,
        employer=employer,
        retention_days=retention_days,
        rubric_id=model.id,
        rubric_version=model.version,
        rubric_sha256=rubric.sha256,
        version=__version__,
        today=(today or date.today()).isoformat(),
    )
