"""Stage 4: the most plausible level on the rubric's ladder, with probabilities and reasons.

A first, transparent model: each level gets a score from how well the candidate's years fit
the level's typical years and from the most senior title held; a softmax turns the scores into
probabilities. Signals and their evidence are kept so that reports can show why.
"""

from __future__ import annotations

import math

from pipeline.document_to_profile import contains_phrase, is_management_title, load_vocabulary
from pipeline.rubric import Rubric
from pipeline.types import Level, Profile, Signal


def _years_fit(years: float, low: float, high: float) -> float:
    if low <= years <= high:
        return 1.0
    distance = low - years if years < low else years - high
    return math.exp(-distance / 2.0)


def title_level(title: str, rubric: Rubric) -> int | None:
    """Index of the highest ladder level whose title words appear in ``title``."""
    found = None
    for i, level in enumerate(rubric.model.ladder.levels):
        if any(contains_phrase(title, w) for w in level.title_words):
            found = i
    return found


def profile_to_level(profile: Profile, rubric: Rubric) -> Level:
    vocab = load_vocabulary()
    levels = rubric.model.ladder.levels
    exp = profile.experience
    years = exp.total_months / 12
    signals = [
        Signal("total_years", f"{years:.1f} years", f"{exp.total_months} months of dated positions, overlaps merged"),
        Signal("product_years", f"{exp.product_months / 12:.1f} years", f"{exp.product_months} months in product, program or project management titles"),
    ]
    best_title, best_index, best_is_product = "", None, False
    for pos in profile.positions:
        idx = title_level(pos.title, rubric)
        if idx is None:
            continue
        is_product = is_management_title(pos.title, vocab) or any(
            contains_phrase(pos.title, w) for w in rubric.model.role_words
        )
        effective = idx if is_product else max(0, idx - 1)
        if best_index is None or effective > best_index:
            best_title, best_index, best_is_product = pos.title, effective, is_product
    reasons = [f"{years:.1f} years of experience (overlapping roles counted once)"]
    if best_title:
        signals.append(Signal("most_senior_title", best_title, best_title))
        if best_is_product:
            reasons.append(f"most senior product title: “{best_title}”")
        else:
            reasons.append(
                f"most senior title “{best_title}” is not a product title, so it counts one level lower"
            )
    if exp.product_months:
        reasons.append(f"{exp.product_months / 12:.1f} years in product, program or project roles")
    if exp.max_team_size:
        signals.append(Signal("people_led", str(exp.max_team_size), "largest team mentioned in bullets"))
        reasons.append(f"led a team of up to {exp.max_team_size}")
    scores = []
    for i, level in enumerate(levels):
        s = 2.0 * _years_fit(years, *level.typical_years)
        if best_index is not None:
            s += 1.5 * math.exp(-abs(best_index - i))
        scores.append(s)
    top = max(scores)
    exps = [math.exp(3.0 * (s - top)) for s in scores]
    total = sum(exps)
    probs = [round(e / total, 4) for e in exps]
    probs[probs.index(max(probs))] += round(1.0 - sum(probs), 4)  # exact sum of 1
    chosen = max(range(len(levels)), key=lambda i: (probs[i], -i))
    level = levels[chosen]
    next_level = (level.next_step,) if level.next_step else ()
    return Level(
        level=level.id,
        name=level.name,
        probabilities=tuple((lv.id, p) for lv, p in zip(levels, probs)),
        confidence=round(probs[chosen], 4),
        reasons=tuple(reasons[:5]),
        signals=tuple(signals),
        next_level=next_level,
    )
