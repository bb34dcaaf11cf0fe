"""Stage 3: score a Profile against a rubric, every number backed by quoted evidence.

Steps: profile_to_units (every line with where it came from and how recent it is) →
unit_matches (aliases on token boundaries, near-spellings) → competency scores (strongest
distinct evidence, capped, so repetition adds nothing) → category and overall scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.rubric import Competency, Rubric
from pipeline.types import CategoryScore, CompetencyScore, Evidence, Fit, Line, Profile

_RESULT = re.compile(r"\d+\s*%|[$€£]\s*\d|\b\d+(?:\.\d+)?\s*(?:x|k|m|bn|million|billion)\b|\b\d{2,}\b", re.I)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#./&-]*", re.I)


@dataclass(frozen=True)
class Unit:
    """One line of evidence and where it came from."""

    line: Line
    section: str
    kind: str  # key of the rubric's evidence weights
    recency: float  # 1.0 for a current role, halving every half-life


def profile_to_units(profile: Profile, half_life_years: float) -> list[Unit]:
    units: list[Unit] = []
    in_position: set[int] = set()
    now = profile.as_of.year * 12 + profile.as_of.month
    for pos in profile.positions:
        ended = (pos.end.year * 12 + pos.end.month) if pos.end else now
        recency = 0.5 ** (max(0, now - ended) / 12 / half_life_years)
        for line in pos.bullets:
            kind = "result_bullet" if _RESULT.search(line.text) else "bullet"
            units.append(Unit(line, "experience", kind, recency))
            in_position.add(id(line))
        if pos.heading_line is not None:
            in_position.add(id(pos.heading_line))
    section_kind = {"skills": "skill", "summary": "summary", "projects": "bullet"}
    for section in profile.sections:
        for line in section.lines:
            if id(line) in in_position or section.kind in ("header", "education"):
                continue
            units.append(Unit(line, section.kind, section_kind.get(section.kind, "other"), 1.0))
    return units


@lru_cache(maxsize=4096)
def _alias_pattern(alias: str) -> re.Pattern:
    return re.compile(rf"(?<![\w/+#-]){re.escape(alias)}(?![\w+#])", re.IGNORECASE)


def alias_match(text: str, tokens: tuple[str, ...], comp: Competency, min_ratio: float) -> tuple[str, float] | None:
    """(alias, quality) for the best alias of ``comp`` in ``text``: exact on word boundaries
    (quality 1.0), or a near-spelling of a single long word (quality scaled by the ratio)."""
    for alias in comp.aliases:
        if _alias_pattern(alias).search(text):
            return alias, 1.0
    for alias in comp.aliases:
        if " " in alias or len(alias) < 6:
            continue
        for token in tokens:
            if abs(len(token) - len(alias)) <= 2 and token[0] == alias[0]:
                ratio = fuzz.ratio(token, alias)
                if ratio >= min_ratio:
                    return alias, ratio / 100
    return None


def profile_to_fit(profile: Profile, rubric: Rubric) -> Fit:
    model = rubric.model
    scoring = model.scoring
    weights = scoring.evidence_weights.model_dump()
    units = profile_to_units(profile, scoring.recency_half_life_years)
    tokenised = [(u, tuple(t.lower() for t in _TOKEN.findall(u.line.text))) for u in units]
    categories, competencies = [], []
    for cat in model.categories:
        weighted = 0.0
        for comp in cat.competencies:
            best: dict[str, Evidence] = {}
            for unit, tokens in tokenised:
                hit = alias_match(unit.line.text, tokens, comp, scoring.fuzzy_min_ratio)
                if not hit:
                    continue
                strength = round(weights[unit.kind] * unit.recency * hit[1], 4)
                key = " ".join(unit.line.text.lower().split())  # the same line counts once
                if key not in best or best[key].strength < strength:
                    best[key] = Evidence(
                        quote=unit.line.raw or unit.line.text,
                        section=unit.section,
                        page=unit.line.page,
                        kind=unit.kind,
                        strength=strength,
                        matched=hit[0],
                    )
            top = sorted(best.values(), key=lambda e: (-e.strength, e.page, e.quote))
            top = top[: scoring.max_evidence_per_competency]
            score = round(min(1.0, sum(e.strength for e in top) / scoring.saturation), 4)
            competencies.append(CompetencyScore(comp.id, comp.name, cat.id, score, tuple(top)))
            weighted += comp.weight * score
        total_weight = sum(c.weight for c in cat.competencies)
        categories.append(
            CategoryScore(cat.id, cat.name, round(100 * weighted / total_weight, 1), cat.weight)
        )
    cat_weight = sum(c.weight for c in categories)
    overall = round(sum(c.score * c.weight for c in categories) / cat_weight, 1)
    return Fit(overall=overall, categories=tuple(categories), competencies=tuple(competencies))
