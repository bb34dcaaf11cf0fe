"""A Profile against one job description: a separate "job match", with its own evidence and gaps.

The rubric stays the backbone of the fit score; the job match only re-reads the same evidence
through the job description's eyes:
- a line of the job description that asks for rubric competencies is met as well as the best of
  those competencies is (the same quotes the fit shows);
- a tool or term it names in a list ("SQL, Tableau, Mixpanel") is searched for in the résumé as
  written, on token boundaries, with the same strength rules (result bullet > bullet > skill …);
- the years it asks for are compared with the résumé's dated experience.
Required lines weigh twice as much as preferred ones; years weigh as one required line.
"""

from __future__ import annotations

import dataclasses
import re

from pipeline.profile_to_fit import TermSet, profile_to_fit, profile_to_units, unit_to_evidence
from pipeline.rubric import Rubric
from pipeline.types import Evidence, Fit, JobDescription, JobMatch, JobSkill, JobSkillMatch, Profile

REQUIRED_WEIGHT = 2.0
PREFERRED_WEIGHT = 1.0


def _term_evidence(skill: JobSkill, units, rubric: Rubric) -> list[Evidence]:
    weights = dataclasses.asdict(rubric.model.scoring.evidence_weights)
    found: dict[str, Evidence] = {}
    for term in skill.terms:
        pattern = TermSet.of((term.lower(),))
        for u in units:
            if pattern.search(u.text):
                ev = unit_to_evidence(u, round(weights[u.kind] * u.recency, 4), term, "job term")
                if term not in found or found[term].strength < ev.strength:
                    found[term] = ev
    return sorted(found.values(), key=lambda e: (-e.strength, e.quote))


def skill_to_match(skill: JobSkill, fit: Fit, units, rubric: Rubric) -> JobSkillMatch:
    comps = [c for c in fit.competencies if c.id in skill.competencies]
    comp_score = max((c.score for c in comps), default=0.0)
    evidence: list[Evidence] = [e for c in sorted(comps, key=lambda c: -c.score) for e in c.evidence[:1]]
    term_score = 0.0
    if skill.terms:
        term_ev = _term_evidence(skill, units, rubric)
        # Every named term is asked for: the share found, at the strength it was found.
        term_score = round(sum(e.strength for e in term_ev) / len(skill.terms), 4)
        evidence = term_ev + evidence
    score = round(min(1.0, max(comp_score, term_score)), 4)
    seen, unique = set(), []
    for e in evidence:
        if (e.quote, e.matched) not in seen:
            seen.add((e.quote, e.matched))
            unique.append(e)
    return JobSkillMatch(skill=skill, score=score, evidence=tuple(unique[:3]) if score > 0 else ())


def profile_to_job_match(profile: Profile, job: JobDescription, rubric: Rubric, fit: Fit | None = None) -> JobMatch:
    fit = fit or profile_to_fit(profile, rubric)
    units = profile_to_units(profile, rubric)
    matches = tuple(skill_to_match(s, fit, units, rubric) for s in job.skills)
    # "4+ years in product management" asks for product years; otherwise any dated experience.
    product = re.search(r"\b(product|program|project)\b", job.years_quote, re.I)
    months = profile.experience.product_months if product else profile.experience.total_months
    years = round(months / 12, 1)
    total = sum(REQUIRED_WEIGHT if m.skill.required else PREFERRED_WEIGHT for m in matches)
    got = sum((REQUIRED_WEIGHT if m.skill.required else PREFERRED_WEIGHT) * m.score for m in matches)
    years_met = None
    if job.min_years:
        years_met = years >= job.min_years
        total += REQUIRED_WEIGHT
        got += REQUIRED_WEIGHT * min(1.0, years / job.min_years)
    score = round(100 * got / total, 1) if total else 0.0
    return JobMatch(source=job.source, title=job.title, score=score, skills=matches,
                    years_required=job.min_years, years_found=years, years_met=years_met)
