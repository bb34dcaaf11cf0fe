"""Candidate advice: Profile + Fit + Level + Rubric [+ target level] -> Advice.

The same engine and numbers as the recruiter's report, phrased for the candidate:

1. ``fit_to_suggestions``: for every competency below full marks, add one hypothetical strong,
   measured bullet for it to the most recent role, re-score the profile (as ``profile_to_fit``
   would; ``BulletProbe`` reads only what the bullet changes) and take the difference in the
   overall score. Suggestions are ordered by that gain; each says
   what the résumé shows now, why the competency matters and what kind of evidence would show
   it. The hypothetical bullet is never shown: the advice is to make real work visible, never to
   invent it (``honesty``).
2. ``level_to_target``: the ladder signals the level stage read (years, scope, people,
   strategy) against what a target level typically shows (the ladder's ``expects``).
3. With a job match (``--jd``), suggestions for what the job description asks for and the
   résumé does not fully show yet quote the line that asks for it.

Phrasing is data (``rubrics/advice.toml``); what counts and how much is the rubric's.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from pathlib import Path

from pipeline.profile_to_fit import (
    profile_to_unit_groups,
    role_to_units,
    rubric_matcher,
    scores_to_categories,
    strengths_to_score,
    unit_text,
    unit_to_pieces,
    units_to_fit,
)
from pipeline.rubric import RUBRICS_DIR, Rubric, load_data_file
from pipeline.types import (
    Advice,
    CompetencyScore,
    Fit,
    GapCheck,
    JobMatch,
    Level,
    Line,
    Position,
    Profile,
    Signal,
    Suggestion,
    TargetGap,
)

ADVICE_FILE = "advice.toml"
KINDS = ("add", "listed_only", "no_result", "more")
DIMENSIONS = ("years", "scope", "people", "strategy")


class AdviceDataError(ValueError):
    """The advice phrasing file is missing a key the stage needs."""


def _beside(rubric: Rubric, name: str) -> Path:
    """A data file next to the rubric when it is there, else the bundled one in ``rubrics/``."""
    beside = Path(rubric.path).resolve().parent / name
    return beside if beside.exists() else RUBRICS_DIR / name


@lru_cache(maxsize=4)
def load_advice_text(path: str) -> dict:
    data = load_data_file(path)
    missing = [k for k in ("honesty", "probe", "kinds", "where", "why", "dimensions", "problems") if k not in data]
    missing += [f"kinds.{k}" for k in KINDS if k not in data.get("kinds", {})]
    missing += [f"dimensions.{d}" for d in DIMENSIONS if d not in data.get("dimensions", {})]
    if missing:
        raise AdviceDataError(f"{path}: missing {', '.join(missing)}")
    return data


def advice_text(rubric: Rubric) -> dict:
    return load_advice_text(str(_beside(rubric, ADVICE_FILE)))


# ---------------------------------------------------------------------------------------------
# Step 1: suggestions, ordered by how much they would move the overall score
# ---------------------------------------------------------------------------------------------


def _latest(positions: tuple[Position, ...]) -> int | None:
    """Index of the most recent role (current first, then the latest end), or None."""

    def key(i: int) -> tuple:
        p = positions[i]
        end = p.end or p.start
        return (p.current, (end.year, end.month) if end else (0, 0), -i)

    return max(range(len(positions)), key=key) if positions else None


def with_bullet(profile: Profile, text: str) -> Profile:
    """The profile with one more bullet in its most recent role (a new current role if it has none)."""
    i = _latest(profile.positions)
    like = profile.positions[i].bullets[-1] if i is not None and profile.positions[i].bullets else None
    line = Line(
        text=text,
        raw=text,
        page=like.page if like else 1,
        x0=like.x0 if like else 0.0,
        top=(like.bottom + 1.0) if like else 0.0,
        x1=like.x1 if like else 0.0,
        bottom=(like.bottom + 12.0) if like else 12.0,
        size=like.size if like else 10.0,
        bold=False,
        bullet=True,
    )
    if i is None:
        role = Position(title="", organisation="", start=None, end=None, current=True, bullets=(line,))
        return dataclasses.replace(profile, positions=(role,))
    pos = profile.positions[i]
    positions = list(profile.positions)
    positions[i] = dataclasses.replace(pos, bullets=pos.bullets + (line,))
    return dataclasses.replace(profile, positions=tuple(positions))


def probe_text(comp, template: str) -> str:
    """The hypothetical strong bullet for one competency (never shown to the candidate)."""
    reference = comp.references[0] if comp.references else comp.name
    return template.format(reference=reference, alias=comp.aliases[0])


def read_probes_ahead(rubric: Rubric):
    """Read each competency's probe bullet before any résumé (``RubricMatcher.read_ahead``): a
    probe's words do not depend on the résumé, so ``competency_gains`` then only combines them
    with the résumé's. One probe per step of this generator, for a caller with time to spare
    (``rolefit score`` while its PDF is being read). Changes no result."""
    matcher = rubric_matcher(rubric)
    template = advice_text(rubric)["probe"]
    for cat in rubric.model.categories:
        for comp in cat.competencies:
            matcher.read_ahead(unit_text(probe_text(comp, template)))
            yield


def fit_with_bullet(profile: Profile, rubric: Rubric, text: str, groups=None) -> Fit:
    """The fit of the profile with the bullet ``text`` added (``with_bullet``).

    The bullet changes one role, so only that role is read again; ``groups`` are the profile's
    units (``profile_to_unit_groups``), computed once by a caller that tries many bullets. The
    result is the same as ``profile_to_fit`` of the changed profile: tests/test_fit_to_advice.py
    compares the two for every competency on every example."""
    changed = with_bullet(profile, text)
    roles, rest, i = _units_and_changed_role(profile, rubric, groups)
    roles = [*roles[:i], role_to_units(changed.positions[i], changed, rubric), *roles[i + 1:]]
    return units_to_fit([u for role in roles for u in role] + rest, rubric)


def _units_and_changed_role(profile: Profile, rubric: Rubric, groups=None):
    """The profile's units (each role's, the rest) and the index of the role ``with_bullet``
    changes: the latest, or a new only role (given no units) when the profile has none."""
    roles, rest = groups if groups is not None else profile_to_unit_groups(profile, rubric)
    i = _latest(profile.positions)
    if i is None:
        return [[]], rest, 0
    return roles, rest, i


class BulletProbe:
    """``fit_with_bullet(profile, rubric, text).overall`` for many bullets, each computed from
    what the bullet changes: the latest role's units, and the scores of the competencies they
    are evidence of. Every other competency keeps its score. An overall score needs only each
    competency's strongest strength per distinct piece of evidence, not the evidence itself.
    tests/test_fit_to_advice.py compares the two for every competency on every example."""

    def __init__(self, profile: Profile, rubric: Rubric):
        self.profile, self.rubric = profile, rubric
        self.shares = rubric.model.scoring.corroboration
        roles, rest, self.role = _units_and_changed_role(profile, rubric)
        # Each competency's strongest strength per key, from every unit but the latest role's.
        self.others = _strengths([u for k, role in enumerate(roles) if k != self.role for u in role] + rest, rubric)
        old = _strengths(roles[self.role], rubric)
        self.old_role = {j for j, by_key in enumerate(old) if by_key}
        self.scores = [self._score(j, old[j]) for j in range(len(self.others))]

    def _score(self, j: int, role: dict[str, float]) -> float:
        merged = dict(self.others[j])
        for key, strength in role.items():
            if strength > merged.get(key, -1.0):
                merged[key] = strength
        return strengths_to_score(sorted(merged.values(), reverse=True), self.shares)

    def overall(self, text: str) -> float:
        changed = with_bullet(self.profile, text)
        new = _strengths(role_to_units(changed.positions[self.role], changed, self.rubric), self.rubric)
        scores = list(self.scores)
        for j in self.old_role | {j for j, by_key in enumerate(new) if by_key}:
            scores[j] = self._score(j, new[j])
        return scores_to_categories(scores, self.rubric)[1]


def _strengths(units, rubric: Rubric) -> list[dict[str, float]]:
    """For each competency, the strongest strength per key (``unit_to_pieces``) in ``units``: the
    strength of the evidence ``units_to_evidence`` would keep for that key."""
    found: list[dict[str, float]] = [{} for _ in range(sum(len(c.competencies) for c in rubric.model.categories))]
    for unit in units:
        for j, key, ev in unit_to_pieces(unit, rubric):
            if ev.strength > found[j].get(key, -1.0):
                found[j][key] = ev.strength
    return found


_BULLET = re.compile(r"^[\s•·▪◦‣∙*–—-]+")


def _clean(quote: str) -> str:
    return _BULLET.sub("", " ".join(quote.split()))


def evidence_state(cs: CompetencyScore) -> tuple[str, str, str]:
    """(kind, quote, where): what the résumé shows for a competency now."""
    if cs.score <= 0 or not cs.evidence:
        return "add", "", ""
    best = cs.evidence[0]
    if best.kind in ("skill", "summary", "other"):
        term = best.kind == "skill" and getattr(best, "how", "alias") != "paraphrase"
        return "listed_only", best.matched if term else _clean(best.quote), best.kind
    if not any(e.kind == "result_bullet" for e in cs.evidence):
        return "no_result", _clean(best.quote), best.kind
    return "more", _clean(best.quote), best.kind


def open_competencies(fit: Fit) -> tuple[str, ...]:
    """Competencies below full marks: the only ones a new bullet could raise."""
    return tuple(c.id for c in fit.competencies if c.score < 1.0)


def competency_gains(profile: Profile, fit: Fit, rubric: Rubric, ids: tuple[str, ...]) -> dict[str, float]:
    """For each competency id, the overall points one strong, measured bullet for it would add.
    One re-score per competency (``BulletProbe``; independent of each other: callers may split
    ``ids``)."""
    comps = {c.id: c for cat in rubric.model.categories for c in cat.competencies}
    template = advice_text(rubric)["probe"]
    probe = BulletProbe(profile, rubric)
    return {i: round(probe.overall(probe_text(comps[i], template)) - fit.overall, 1) for i in ids if i in comps}


def fit_to_suggestions(
    profile: Profile, fit: Fit, rubric: Rubric, text: dict, gains: dict[str, float] | None = None
) -> tuple[Suggestion, ...]:
    scores = {c.id: c for c in fit.competencies}
    if gains is None:
        gains = competency_gains(profile, fit, rubric, open_competencies(fit))
    out: list[tuple[float, int, Suggestion]] = []
    order = 0
    for cat in rubric.model.categories:
        for comp in cat.competencies:
            order += 1
            cs, gain = scores.get(comp.id), gains.get(comp.id, 0.0)
            if cs is None or gain <= 0:
                continue
            kind, quote, where = evidence_state(cs)
            advice = comp.advice or f"a bullet that shows {comp.description[0].lower()}{comp.description[1:]}"
            action = text["kinds"][kind].format(
                advice=advice.rstrip("."), quote=quote, where=text["where"].get(where, where)
            )
            suggestion = Suggestion(
                competency=comp.id,
                name=comp.name,
                category=cat.name,
                score=cs.score,
                gain=gain,
                kind=kind,
                why=comp.why or text["why"].get(comp.id, comp.description),
                action=action,
                quote=quote,
            )
            out.append((-gain, order, suggestion))
    return tuple(s for _, _, s in sorted(out, key=lambda t: (t[0], t[1])))


# ---------------------------------------------------------------------------------------------
# Step 2: the gap to a target level, from the ladder signals
# ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _number(signal: Signal | None) -> float:
    m = _NUMBER.search(signal.value) if signal else None
    return float(m.group(0)) if m else 0.0


@lru_cache(maxsize=4)
def _labels(path: str) -> dict[str, tuple[str, ...]]:
    try:
        raw = load_data_file(path)
    except OSError:
        return {}
    return {k: tuple(raw.get(k, {}).get("labels", ())) for k in ("scope", "horizon")}


def signal_labels(rubric: Rubric) -> dict[str, tuple[str, ...]]:
    """The scope and horizon labels the level stage writes into its signals, lowest first."""
    name = getattr(rubric.model.ladder, "signals_file", "")
    return _labels(str(_beside(rubric, name))) if name else {}


def find_level(rubric: Rubric, wanted: str) -> int | None:
    """Ladder index of a level given by id or name (case-insensitive; "senior", "Senior TPM")."""
    w = " ".join(wanted.lower().split())
    for i, lv in enumerate(rubric.model.ladder.levels):
        if w in (lv.id.lower(), lv.name.lower()):
            return i
    return None


def _ordinal(labels: tuple[str, ...], value: str) -> int | None:
    return labels.index(value) if value in labels else None


def _check(dimension, label, expected, shown, met, signal, text, hint: str = "hint") -> GapCheck:
    words = "" if met else text["dimensions"][dimension].get(hint) or text["dimensions"][dimension]["hint"]
    return GapCheck(dimension, label, expected, shown, met, signal.evidence if signal else "", words)


def level_to_target(level: Level, rubric: Rubric, target: int, text: dict) -> TargetGap:
    levels = rubric.model.ladder.levels
    want = levels[target]
    current = next((i for i, lv in enumerate(levels) if lv.id == level.level), 0)
    sig = {s.name: s for s in level.signals}
    labels = signal_labels(rubric)
    expects = getattr(want, "expects", None)
    checks: list[GapCheck] = []

    low, high = want.typical_years
    total = sig.get("total_years")
    checks.append(_check("years", "Experience", f"typically {low:g}–{high:g} years",
                         total.value if total else "no dated roles", _number(total) >= low, total, text))
    if expects is not None and expects.product_years > 0:
        s = sig.get("product_years")
        checks.append(_check("years", "Years in product roles", f"about {expects.product_years:g} years",
                             s.value if s else "none", _number(s) >= expects.product_years, s, text, "product_hint"))

    s = sig.get("scope")
    scope_labels = labels.get("scope", ())
    if expects is not None and scope_labels and expects.scope < len(scope_labels):
        have = _ordinal(scope_labels, s.value) if s else None
        met = have is not None and have >= expects.scope
        expected = want.scope or scope_labels[expects.scope]
    else:  # no ordinal scope to compare: the likely level stands for it
        met, expected = current >= target, want.scope or want.name
    checks.append(_check("scope", "Scope", expected, s.value if s else "not shown yet", met, s, text))

    if expects is not None:
        for name, label, need in (("people_led", "People led", expects.people_led),
                                  ("pms_led", "PMs managed or mentored", expects.pms_led)):
            if need > 0:
                s = sig.get(name)
                n = int(_number(s))
                checks.append(_check("people", label, f"{need} or more", str(n) if n else "not shown yet",
                                     n >= need, s, text))
        horizon_labels = labels.get("horizon", ())
        if expects.horizon > 0 and expects.horizon < len(horizon_labels):
            s = sig.get("horizon")
            have = _ordinal(horizon_labels, s.value) if s else None
            checks.append(_check("strategy", "Planning horizon", horizon_labels[expects.horizon],
                                 s.value if s and have else "not shown yet",
                                 have is not None and have >= expects.horizon, s, text))
        if expects.budget:
            s = sig.get("budget")
            met = bool(s) and s.value.lower() in ("yes", "true")
            checks.append(_check("strategy", "Budget or P&L", "owned", "yes" if met else "not shown yet", met, s, text))
    return TargetGap(
        level=want.id,
        name=want.name,
        current=level.level,
        current_name=level.name,
        reached=current >= target,
        checks=tuple(checks),
    )


def _for_target(suggestions: tuple[Suggestion, ...], gap: TargetGap, text: dict) -> tuple[Suggestion, ...]:
    """Mark suggestions that would also show a ladder signal the target level expects."""
    notes: dict[str, list[str]] = {}
    for check in gap.missing:
        for comp in text["dimensions"][check.dimension].get("competencies", ()):
            notes.setdefault(comp, []).append(f"{check.label.lower()}: {check.expected}")
    out = []
    for s in suggestions:
        if s.competency in notes:
            s = dataclasses.replace(s, target_note=f"Also shows {gap.name}'s {'; '.join(notes[s.competency])}.")
        out.append(s)
    return tuple(out)


def _for_job(suggestions: tuple[Suggestion, ...], job: JobMatch) -> tuple[Suggestion, ...]:
    """Mark suggestions for competencies the job description asks for and the résumé does not
    fully show yet (a required line first)."""
    asks: dict[str, tuple] = {}
    for m in sorted(job.skills, key=lambda m: (not m.skill.required, m.score)):
        if m.score < 1.0:
            for comp in m.skill.competencies:
                asks.setdefault(comp, m.skill)
    out = []
    for s in suggestions:
        skill = asks.get(s.competency)
        if skill is not None:
            how = "requires" if skill.required else "prefers"
            s = dataclasses.replace(s, job_note=f"The job description {how} it: “{_clean(skill.quote)}”.")
        out.append(s)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------------------------


def fit_to_advice(
    profile: Profile,
    fit: Fit,
    level: Level,
    rubric: Rubric,
    target: str | None = None,
    gains: dict[str, float] | None = None,
    job: JobMatch | None = None,
) -> Advice:
    """Ordered suggestions, and with ``target`` (a level id or name) the gap to that level.
    ``gains`` may be given when already computed (``competency_gains``, e.g. in parallel).
    With a job match (``--jd``), suggestions the job description asks for say so.

    Raises ``ValueError`` for a target that is not on the rubric's ladder (a usage error)."""
    text = advice_text(rubric)
    suggestions = fit_to_suggestions(profile, fit, rubric, text, gains)
    gap = None
    if target is not None:
        index = find_level(rubric, target)
        if index is None:
            ids = ", ".join(lv.id for lv in rubric.model.ladder.levels)
            raise ValueError(f"unknown level {target!r}; the ladder has: {ids}")
        gap = level_to_target(level, rubric, index, text)
        suggestions = _for_target(suggestions, gap, text)
    if job is not None:
        suggestions = _for_job(suggestions, job)
    return Advice(overall=fit.overall, suggestions=suggestions, target=gap, honesty=" ".join(text["honesty"].split()))
