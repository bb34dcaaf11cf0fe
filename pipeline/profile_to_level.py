"""Stage 4: the most plausible level on the rubric's ladder, with probabilities and reasons.

Three steps, each a function below:

1. ``profile_to_signals``: read the level signals from the profile, each with its evidence:
   total and product/program months (from the understanding stage, overlaps merged), the most
   senior title (seniority words normalised, career family, a small-organisation cap) and how
   long it was held, scope (or the scope a senior title implies), people led, PMs managed or
   mentored, time horizon, budget or P&L, and whether the candidate is still a student. Words live in ``rubrics/ladder_signals.toml``. An old résumé (dated in its header, or
   whose summary counts fewer years than its dates show through an open position) has its open
   position counted to when it was written (``resume_date``), and the reasons say so.
2. ``signals_to_features``: ten numbers, the same for a profile and for a row of the reference
   set (``rubrics/level_reference.csv``).
3. ``features_to_probabilities``: an ordinal logistic model whose coefficients are data
   (``rubrics/level_model.json``, written by ``scripts/fit_level_model.py`` from the committed
   reference set, never from a batch). Reasons are the title rules that applied and the signals
   that lifted or held down the candidate's score most; "next level" compares the signals with what
   the level above typically shows (the ladder's ``expects``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.dates import _YEAR4, find_date_ranges, merged_months, month_index
from pipeline.document_to_profile import load_vocabulary, positions_to_experience
from pipeline.terms import WholeWords, whole_words
from pipeline.rubric import RUBRICS_DIR, LadderLevel, Rubric, load_data_file
from pipeline.types import Experience, Level, Position, Profile, Signal, YearMonth

FEATURES = (
    "total_years",
    "product_years",
    "title_rank",
    "title_years",
    "scope",
    "people_led",
    "pms_led",
    "horizon",
    "budget",
    "student",
)

# ---------------------------------------------------------------------------------------------
# Vocabulary and model (data files next to the rubric)
# ---------------------------------------------------------------------------------------------


Words = WholeWords | re.Pattern  # what ``_alternation`` gives: ``search`` and ``finditer``


def _alternation(phrases) -> Words | None:
    """Whole words ("&" counts as a word character: "R&D"), any case; at any position the
    longest phrase matches. Found without compiling a regex (``whole_words``): the signal
    vocabulary has about thirty such lists, which would take about 6 ms to compile."""
    return whole_words(phrases, "&")


def _longest(pattern: Words | None, text: str) -> str:
    if pattern is None:
        return ""
    return max((m.group(0) for m in pattern.finditer(text)), key=len, default="")


@dataclass(frozen=True)
class Vocabulary:
    seniority: tuple[tuple[str, str, int, Words | None], ...]  # id, label, rank, words
    families: tuple[tuple, ...]  # id, label, offset, words, fallback, keeps, years cap, senior title scope
    small_max_people: int
    small_cap_rank: int
    small_words: Words | None
    small_patterns: tuple[re.Pattern, ...]
    scope_labels: tuple[str, ...]
    scope_words: tuple[Words | None, ...]  # one per level
    scope_counts: tuple[tuple[re.Pattern, int], ...]
    horizon_labels: tuple[str, ...]
    horizon_words: tuple[Words | None, ...]
    budget_words: Words | None
    budget_patterns: tuple[re.Pattern, ...]
    numbers: dict[str, int]
    pm_patterns: tuple[re.Pattern, ...]
    pm_words: Words | None
    led_patterns: tuple[re.Pattern, ...]
    student_words: Words | None
    claimed_years: re.Pattern
    dated_words: Words | None


@lru_cache(maxsize=4)
def load_signal_vocabulary(path: str) -> Vocabulary:
    raw = load_data_file(path)
    rx = lambda items: tuple(re.compile(p, re.IGNORECASE) for p in items)  # noqa: E731
    numbers = dict(raw["people"]["number_words"])
    number_alt = "|".join(sorted(numbers, key=len, reverse=True))
    counts = tuple(
        (re.compile(rf"\b(\d{{1,3}}|{number_alt})\s+(?:\w+\s+)?{re.escape(w)}\b", re.IGNORECASE), lv)
        for w, lv in raw["scope"]["count_words"]
    )
    return Vocabulary(
        seniority=tuple((s["id"], s["label"], s["rank"], _alternation(s["words"])) for s in raw["seniority"]),
        families=tuple(
            (
                f["id"], f["label"], f["offset"], _alternation(f["words"]), _alternation(f.get("fallback_words", ())),
                f.get("keeps_title_rank", -1), f.get("years_cap_rank", 4), f.get("senior_title_scope", 0),
            )
            for f in raw["family"]
        ),
        small_max_people=raw["small_org"]["max_people"],
        small_cap_rank=raw["small_org"]["cap_rank"],
        small_words=_alternation(raw["small_org"]["words"]),
        small_patterns=rx(raw["small_org"]["patterns"]),
        scope_labels=tuple(raw["scope"]["labels"]),
        scope_words=tuple(_alternation(raw["scope"][f"level_{i}"]) for i in range(5)),
        scope_counts=counts,
        horizon_labels=tuple(raw["horizon"]["labels"]),
        horizon_words=tuple(_alternation(raw["horizon"][f"level_{i}"]) for i in range(4)),
        budget_words=_alternation(raw["budget"]["words"]),
        budget_patterns=rx(raw["budget"]["patterns"]),
        numbers=numbers,
        pm_patterns=rx(raw["people"]["pm_patterns"]),
        pm_words=_alternation(raw["people"]["pm_words"]),
        led_patterns=rx(raw["people"]["led_patterns"]),
        student_words=_alternation(raw["student"]["words"]),
        claimed_years=re.compile(raw["claimed_years"]["pattern"], re.IGNORECASE),
        dated_words=_alternation(raw["resume_date"]["words"]),
    )


@dataclass(frozen=True)
class LevelModel:
    """An ordinal (cumulative-logit) model: one score ``weights · z`` on standardised features,
    and ``P(level <= k) = sigmoid(thresholds[k] - score)``. One score keeps the levels in order:
    the probabilities never say "TPM or VP, but not in between"."""

    classes: tuple[str, ...]  # ladder ids, lowest first
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    thresholds: tuple[float, ...]  # one fewer than classes, increasing


@lru_cache(maxsize=4)
def load_level_model(path: str) -> LevelModel:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    model = LevelModel(
        classes=tuple(raw["classes"]),
        features=tuple(raw["features"]),
        mean=tuple(raw["mean"]),
        scale=tuple(raw["scale"]),
        weights=tuple(raw["weights"]),
        thresholds=tuple(raw["thresholds"]),
    )
    if model.features != FEATURES or len(model.thresholds) != len(model.classes) - 1:
        raise ValueError(f"{path}: not a level model for these features; run scripts/fit_level_model.py")
    return model


def _rubric_file(rubric: Rubric, name: str) -> str:
    """A ladder data file: next to the rubric when it is there, else in ``rubrics/``."""
    beside = Path(rubric.path).resolve().parent / name
    return str(beside if beside.exists() else RUBRICS_DIR / name)


# ---------------------------------------------------------------------------------------------
# Step 1: signals
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleReading:
    """One title, normalised: seniority word, career family, and its rank on the product ladder."""

    title: str
    seniority: str  # seniority id ("mid" when no seniority word)
    seniority_label: str
    family: str
    family_label: str
    rank: int  # seniority rank before the family offset
    offset: int
    small_org: str  # why the organisation counts as small ("" when it does not)
    capped_rank: int  # rank after the small-organisation cap
    effective: int  # product-ladder rank: capped rank + family offset, within 0..4
    keeps: int = -1  # outside product: a seniority word up to this rank enters the ladder as named
    years_cap: int = 4  # outside product: the highest seniority years alone can show
    title_scope: int = 0  # the scope a senior (or higher) title implies in this family


def _count(text: str, vocab: Vocabulary) -> int:
    text = text.lower()
    return int(text) if text.isdigit() else vocab.numbers.get(text, 0)


def small_org_reason(context: str, people_led: int, vocab: Vocabulary) -> str:
    """Why an organisation reads as small (head-count or start-up words), or ""."""
    sizes = [_count(m.group(1), vocab) for p in vocab.small_patterns for m in p.finditer(context)]
    sizes = [n for n in sizes if n > 0]
    if sizes:
        size = min(sizes)
        return f"a {size}-person organisation" if size <= vocab.small_max_people else ""
    word = _longest(vocab.small_words, context)
    if word and people_led < vocab.small_max_people:
        return f"a small organisation (“{word}”, no team of {vocab.small_max_people} or more)"
    return ""


def read_title(title: str, vocab: Vocabulary, context: str = "", people_led: int = 0) -> TitleReading:
    """Normalise a job title; ``context`` (organisation and bullets) feeds the small-org cap."""
    best = ("mid", "no seniority word", 1, "")
    for sid, label, rank, pattern in vocab.seniority:
        word = _longest(pattern, title)
        if len(word) > len(best[3]):
            best = (sid, label, rank, word)
    family = vocab.families[-1]  # the last family (careers outside product and technology) takes the rest
    found = ""
    for use_fallback in (False, True):
        for fam in vocab.families:
            word = _longest(fam[4] if use_fallback else fam[3], title)
            if len(word) > len(found):
                family, found = fam, word
        if found:
            break
    sid, slabel, rank, _ = best
    small = small_org_reason(title + "\n" + context, people_led, vocab) if rank > vocab.small_cap_rank else ""
    capped = min(rank, vocab.small_cap_rank) if small else rank
    effective = max(0, min(4, capped + family[2]))
    return TitleReading(
        title, sid, slabel, family[0], family[1], rank, family[2], small, capped, effective, *family[5:8]
    )


def ladder_position(rank: float, names: tuple[str, ...]) -> str:
    """A fractional ladder rank in words: a level, or "between" two."""
    low = int(rank)
    if rank - low <= 0.15 or low + 1 >= len(names):
        return names[low]
    if low + 1 - rank <= 0.15:
        return names[low + 1]
    return f"between {names[low]} and {names[low + 1]}"


def implied_scope(reading: TitleReading) -> int:
    """The scope a senior (or higher) title implies in its family (``senior_title_scope``): a
    senior engineer, designer or PM owns at least a team's system or product area, whether or not
    they describe it in the product words the scope signal reads (engineers use their trade's)."""
    return reading.title_scope if reading.capped_rank >= 2 else 0


def years_rank(years: float, levels: tuple[LadderLevel, ...]) -> float:
    """The ladder position that ``years`` of experience alone suggest: level i once the years
    reach the top of level i-1's typical range, linear in between (no cliff at a boundary)."""
    marks = [0.0] + [float(lv.typical_years[1]) for lv in levels[:-1]]  # years at which level i starts
    for i in range(1, len(marks)):
        if years < marks[i]:
            return i - 1 + (years - marks[i - 1]) / (marks[i] - marks[i - 1])
    return float(len(levels) - 1)


def title_entry(
    reading: TitleReading, total_years: float, levels: tuple[LadderLevel, ...], from_years: bool = True
) -> tuple[float, str]:
    """Where a title enters the product ladder, and why in plain words.

    A product or program title is read as written. Outside them, the career's own seniority is
    the higher of its title and its years (other ladders name levels differently; ``from_years``
    is False when the candidate also holds a product or program title, which then speaks for
    itself; years alone show at most the family's ``years_cap``), and it enters the product ladder
    ``-offset`` levels lower, but never below a seniority word the ladders share (up to the
    family's ``keeps`` rank: a Senior Engineer is not read as a mid-level one)."""
    if reading.offset >= 0:
        why = ""
        if reading.family == "program":
            why = (
                f"“{reading.title}” is a program or project management title, a different role from "
                f"product management (the fit score weighs that); its seniority counts the same on this ladder"
            )
        return reading.effective, why
    by_years = years_rank(total_years, levels) if from_years else 0.0
    by_years = min(by_years, float(reading.years_cap))
    own = max(float(reading.capped_rank), by_years)
    # a shared seniority word carries over as far as the years bear it out ("Senior" after two years is not)
    named = 0.0
    if reading.seniority != "mid" and reading.keeps > 0:
        named = min(float(min(reading.capped_rank, reading.keeps)), years_rank(total_years, levels))
    rank = max(0.0, min(len(levels) - 1.0, max(named, own + reading.offset)))
    names = tuple(lv.name for lv in levels)
    n = -reading.offset
    if rank > own + reading.offset:
        why = (
            f"the most senior title “{reading.title}” is in {reading.family_label}, not product management: "
            f"its “{reading.seniority_label}” carries over to the product ladder, at {ladder_position(rank, names)}, "
            f"as far as its {total_years:.0f} years bear it out, but it enters lower than the same record under a "
            f"product title, as years outside product management count {n} level{'s' if n > 1 else ''} lower"
        )
    else:
        basis = "its title" if reading.capped_rank >= by_years else f"{total_years:.0f} years"
        why = (
            f"the most senior title “{reading.title}” is in {reading.family_label}, not product management: "
            f"its own seniority ({_rank_word(int(own))}, from {basis}) enters the product ladder "
            f"{n} level{'s' if n > 1 else ''} lower, at {ladder_position(rank, names)}"
        )
    return rank, why


@dataclass(frozen=True)
class LevelSignals:
    """The level signals of one candidate (or one reference row), each value with its evidence."""

    total_years: float = 0.0
    product_years: float = 0.0
    title: TitleReading | None = None
    title_rank: float = 0.0  # where the most senior title enters the product ladder (title_entry)
    title_years: float = 0.0
    scope: int = 0
    people_led: int = 0
    pms_led: int = 0
    horizon: int = 0
    budget: bool = False
    student: bool = False
    evidence: tuple[tuple[str, str], ...] = ()  # (signal name, quote or figure)
    notes: tuple[str, ...] = ()  # title rules that applied, in plain words

    def quote(self, name: str) -> str:
        return next((e for n, e in self.evidence if n == name), "")


def _max_level(lines: list[str], patterns: tuple[Words | None, ...]) -> tuple[int, str]:
    best, quote = 0, ""
    for text in lines:
        for level in range(len(patterns) - 1, best, -1):
            if _longest(patterns[level], text):
                best, quote = level, text
                break
    return best, quote


def scope_of(lines: list[str], vocab: Vocabulary) -> tuple[int, str]:
    best, quote = _max_level(lines, vocab.scope_words)
    for text in lines:
        for pattern, level in vocab.scope_counts:
            if level > best and any(_count(m.group(1), vocab) >= 2 for m in pattern.finditer(text)):
                best, quote = level, text
    return best, quote


def horizon_of(lines: list[str], vocab: Vocabulary) -> tuple[int, str]:
    return _max_level(lines, vocab.horizon_words)


def _largest(lines: list[str], patterns: tuple[re.Pattern, ...], vocab: Vocabulary) -> tuple[int, str]:
    best, quote = 0, ""
    for text in lines:
        for pattern in patterns:
            for m in pattern.finditer(text):
                n = _count(m.group(1), vocab)
                if n > best:
                    best, quote = n, text
    return best, quote


def people_led_of(lines: list[str], vocab: Vocabulary) -> tuple[int, str]:
    return _largest(lines, vocab.led_patterns, vocab)


def pms_led_of(lines: list[str], vocab: Vocabulary) -> tuple[int, str]:
    n, quote = _largest(lines, vocab.pm_patterns, vocab)
    if n == 0:
        quote = next((t for t in lines if _longest(vocab.pm_words, t)), "")
        n = 1 if quote else 0
    return n, quote


def budget_of(lines: list[str], vocab: Vocabulary) -> str:
    for text in lines:
        if _longest(vocab.budget_words, text) or any(p.search(text) for p in vocab.budget_patterns):
            return text
    return ""


def _section_texts(profile: Profile, kinds: tuple[str, ...]) -> list[str]:
    return [ln.text for s in profile.sections if s.kind in kinds for ln in s.lines]


def _position_texts(pos: Position) -> list[str]:
    return [b.text for b in pos.bullets]


# ---------------------------------------------------------------------------------------------
# How old the résumé is: an open ("present") position is counted to the as-of date, which
# overstates the tenure of a résumé written years before it.
# ---------------------------------------------------------------------------------------------


def _latest_year_written(profile: Profile) -> int:
    """The latest year outside education (graduation years are a blind review's to hide, and the
    level must not change when they are)."""
    years = [int(y) for s in profile.sections if s.kind != "education"
             for ln in s.lines for y in re.findall(rf"\b({_YEAR4})\b", ln.text)]
    return max((y for y in years if y <= profile.as_of.year), default=0)


def _cut(positions: tuple[Position, ...], when: YearMonth) -> tuple[Position, ...]:
    """The positions as they stood at ``when``: open ones end there (none starts after it)."""
    out = []
    for p in positions:
        if p.current and p.datable and p.start and p.end and month_index(p.end) > month_index(when):
            months = max(0, month_index(when) - month_index(p.start) + 1)
            p = Position(p.title, p.organisation, p.start, when, True, p.bullets, p.heading_line, months, p.datable, p.date_text)
        out.append(p)
    return tuple(out)


def resume_date(profile: Profile, vocab: Vocabulary, stated: tuple[int, str] | None) -> tuple[YearMonth | None, str]:
    """When the résumé says, or its own count of years implies, it was written well before the
    as-of date; (None, "") otherwise. Only a résumé with an open position can be stale.

    1. Its own date in the header ("Last updated on 21 January 2015").
    2. The summary's count of years (``stated``: years, quote) when it is more than a year short of
       the dated positions counted to the as-of date: the month at which the dated positions
       reach that count (plus half a year, as "7 years" means seven to eight). Never before the
       latest year the résumé writes; when even that gives more years than the summary states,
       the summary is counting something narrower and the dates stand.
    """
    now = YearMonth(profile.as_of.year, profile.as_of.month)
    open_starts = [p.start for p in profile.positions if p.current and p.datable and p.start]
    if not open_starts:
        return None, ""
    for text in _section_texts(profile, ("header",)):
        m = vocab.dated_words.search(text) if vocab.dated_words else None
        found = find_date_ranges(text[m.end() : m.end() + 40], as_of=profile.as_of) if m else []
        if found and found[0].start:
            when = found[0].start
            if month_index(now) - month_index(when) >= 12 and month_index(when) >= max(map(month_index, open_starts)):
                return when, f"the résumé is dated {found[0].text} (“{text.strip()}”)"
    if not stated:
        return None, ""
    years, quote = stated
    target = years * 12 + 6
    total = profile.experience.total_months
    if total <= target + 6:
        return None, ""
    written = [p.start for p in profile.positions if p.start] + [p.end for p in profile.positions if p.end and not p.current]
    latest = _latest_year_written(profile)
    if latest:
        written.append(YearMonth(latest, 1))
    floor = max(written, key=month_index)  # a résumé is not older than the dates it writes
    if _dated_as_of(profile, floor).total_months > target:
        return None, ""
    lo, hi = month_index(floor), month_index(now)  # the first month at which the dates reach the count
    while lo < hi:
        mid = (lo + hi) // 2
        if _dated_as_of(profile, YearMonth(mid // 12, mid % 12 + 1)).total_months >= target:
            hi = mid
        else:
            lo = mid + 1
    when = YearMonth(lo // 12, lo % 12 + 1)
    return when, f"the summary counts {years} years (“{quote.strip()}”)"


@lru_cache(maxsize=1)
def _understanding() -> dict:
    return load_vocabulary()


def _dated_as_of(profile: Profile, when: YearMonth) -> Experience:
    """The understanding stage's tenure figures with open positions ending at ``when``."""
    return positions_to_experience(_cut(profile.positions, when), _understanding())


def profile_to_signals(profile: Profile, vocab: Vocabulary, levels: tuple[LadderLevel, ...]) -> LevelSignals:
    exp = profile.experience
    evidence: list[tuple[str, str]] = []
    notes: list[str] = []
    summary = _section_texts(profile, ("summary",))
    bullets = [t for p in profile.positions for t in _position_texts(p)]
    if not profile.positions:
        bullets = _section_texts(profile, ("experience", "projects"))
    lines = bullets + summary

    intro = _section_texts(profile, ("summary", "header"))
    claimed = [(int(m.group(1)), t) for t in intro for m in vocab.claimed_years.finditer(t)]
    claimed = [(n, t) for n, t in claimed if 0 < n <= 45]
    stated = getattr(exp, "stated_years", 0) or 0  # the understanding stage's reading, when it has one
    if 0 < stated <= 45 and not any(n == stated for n, _ in claimed):
        claimed.append((stated, f"{stated} years stated in the summary"))
    positions = profile.positions
    when, dated_why = resume_date(profile, vocab, max(claimed) if claimed else None)
    counted_to = ""
    if when:  # an old résumé: its open positions end when it was written
        exp, positions = _dated_as_of(profile, when), _cut(profile.positions, when)
        counted_to = f", open positions counted to {when.year}-{when.month:02d}"
        notes.append(
            f"{dated_why}: the résumé is older than the as-of date, so its open (“present”) position is "
            f"counted up to about {when.year}-{when.month:02d}, not {profile.as_of.year}-{profile.as_of.month:02d}"
        )
    total_years = exp.total_months / 12
    evidence.append(("total_years", f"{exp.total_months} months of dated positions, overlaps merged{counted_to}"))
    if claimed and max(claimed)[0] > total_years + 1:
        n, text = max(claimed)
        notes.append(f"the summary claims {n} years (“{text.strip()}”), more than the dated positions show; the claim is used")
        total_years = float(n)
        evidence[-1] = ("total_years", f"summary: “{text.strip()}” ({exp.total_months} months dated)")
    product_years = exp.product_months / 12
    evidence.append(("product_years", f"{exp.product_months} months in product, program or project management titles"))

    # The most senior title, read one position at a time (its own bullets decide a small org).
    readings: list[tuple[TitleReading, Position]] = []
    for pos in positions:
        if not pos.title:
            continue
        context = pos.organisation + "\n" + "\n".join(_position_texts(pos))
        led, _ = people_led_of(_position_texts(pos), vocab)
        readings.append((read_title(pos.title, vocab, context, max(led, 0)), pos))
    top: TitleReading | None = None
    title_years, title_rank = 0.0, 0.0
    if readings:
        from_years = not any(r.offset >= 0 for r, _ in readings)
        entries = [(title_entry(r, total_years, levels, from_years), r, p) for r, p in readings]
        (title_rank, why), top, top_pos = max(
            entries, key=lambda e: (e[0][0], e[1].offset >= 0, e[1].rank, e[2].months)
        )
        spans = [(p.start, p.end) for (rank, _), r, p in entries if rank >= title_rank and p.datable]
        title_years = merged_months(spans) / 12 if spans else 0.0
        where = f" at {top_pos.organisation}" if top_pos.organisation else ""
        evidence.append(("title", f"“{top.title}”{where}, {top_pos.date_text or 'dates not read'}"))
        if top.small_org:
            notes.append(
                f"“{top.title}” at {top.small_org} is not that level of product leadership: counted as {_rank_word(top.capped_rank)} seniority"
            )
        if why:
            notes.append(why)
        if top.seniority in ("associate", "intern") and title_years >= 4:
            notes.append(
                f"an “{top.title}” title held for {title_years:.0f} years is not entry level: years and scope count, not the word"
            )

    scope, scope_quote = scope_of(lines, vocab)
    if top and implied_scope(top) > scope:
        scope, scope_quote = implied_scope(top), f"implied by the title “{top.title}”"
    horizon, horizon_quote = horizon_of(lines, vocab)
    people, people_quote = people_led_of(lines, vocab)
    pms, pms_quote = pms_led_of(lines, vocab)
    budget_quote = budget_of(lines, vocab)
    evidence += [
        ("scope", scope_quote),
        ("horizon", horizon_quote),
        ("people_led", people_quote),
        ("pms_led", pms_quote),
        ("budget", budget_quote),
    ]

    only_internships = all(r.seniority == "intern" for r, _ in readings)
    studying = any(
        (e.year and e.year >= profile.as_of.year) or (e.line and _longest(vocab.student_words, e.line.text))
        for e in profile.education
    )
    student = only_internships and (studying or total_years < 1)
    if student:
        edu = next((e.line.text for e in profile.education if e.line), "")
        evidence.append(("student", edu or "no positions beyond internships"))
    return LevelSignals(
        total_years=total_years,
        product_years=product_years,
        title=top,
        title_rank=title_rank,
        title_years=title_years,
        scope=scope,
        people_led=people,
        pms_led=pms,
        horizon=horizon,
        budget=bool(budget_quote),
        student=student,
        evidence=tuple(evidence),
        notes=tuple(notes),
    )


_RANK_WORDS = ("entry level", "mid level", "senior", "principal or director level", "executive level")


def _rank_word(rank: int) -> str:
    return _RANK_WORDS[max(0, min(4, rank))]


# ---------------------------------------------------------------------------------------------
# Step 2: features (the same for a profile and for a reference row)
# ---------------------------------------------------------------------------------------------


def signals_to_features(s: LevelSignals) -> tuple[float, ...]:
    return (
        min(s.total_years, 20.0),
        min(s.product_years, 25.0),
        float(s.title_rank),
        min(s.title_years, 15.0),
        float(s.scope),
        math.log2(1 + min(s.people_led, 1000)),
        math.log2(1 + min(s.pms_led, 100)),
        float(s.horizon),
        1.0 if s.budget else 0.0,
        1.0 if s.student else 0.0,
    )


# ---------------------------------------------------------------------------------------------
# Step 3: probabilities, reasons, next level
# ---------------------------------------------------------------------------------------------


def standardise(model: LevelModel, x: tuple[float, ...]) -> tuple[float, ...]:
    return tuple((v - m) / s for v, m, s in zip(x, model.mean, model.scale))


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


def features_to_probabilities(model: LevelModel, x: tuple[float, ...]) -> tuple[float, ...]:
    score = sum(w * v for w, v in zip(model.weights, standardise(model, x)))
    cumulative = [_sigmoid(t - score) for t in model.thresholds] + [1.0]
    return tuple(c - (cumulative[k - 1] if k else 0.0) for k, c in enumerate(cumulative))


def _rounded(probs: tuple[float, ...]) -> list[float]:
    out = [round(p, 4) for p in probs]
    i = out.index(max(out))
    out[i] = round(out[i] + 1.0 - sum(out), 4)  # sums to exactly 1 after rounding
    return out


def _sentence(name: str, s: LevelSignals, vocab: Vocabulary, names: tuple[str, ...]) -> str:
    quote = s.quote(name)
    q = f" (“{quote.strip()}”)" if quote and name not in ("total_years", "product_years") else ""
    if name == "total_years":
        return f"{s.total_years:.1f} years of experience (overlapping roles counted once)"
    if name == "product_years":
        if s.product_years <= 0:
            return "no time in a product, program or project management title"
        return f"{s.product_years:.1f} years in product, program or project management titles"
    if name == "title_rank":
        if not s.title:
            return "no job title recognised"
        t = s.title
        return f"most senior title “{t.title}” ({t.seniority_label}, {t.family_label}) reads as {ladder_position(s.title_rank, names)}"
    if name == "title_years":
        if not s.title:
            return "no time in a titled role"
        return f"held a title at that level ({ladder_position(s.title_rank, names)}) for {s.title_years:.1f} years"
    if name == "scope":
        return f"widest scope owned: {vocab.scope_labels[s.scope]}{q}"
    if name == "horizon":
        return f"longest time horizon: {vocab.horizon_labels[s.horizon]}{q}" if s.horizon else f"longest time horizon: sprints or none stated{q}"
    if name == "people_led":
        return f"led up to {s.people_led} people{q}" if s.people_led else "no people led on record"
    if name == "pms_led":
        return f"managed or mentored {s.pms_led} product manager{'s' if s.pms_led != 1 else ''}{q}" if s.pms_led else "no product managers managed or mentored"
    if name == "budget":
        return f"owns a budget or P&L{q}" if s.budget else "no budget or P&L ownership stated"
    if name == "student":
        return f"still a student or only internships{q}" if s.student else "not a student"
    return name


_ABSENT = {
    "product_years": "time in a product or program management title",
    "people_led": "people led",
    "pms_led": "product managers managed or mentored",
    "budget": "budget or P&L ownership",
    "horizon": "plans beyond sprints",
}


def _absent(name: str, s: LevelSignals) -> bool:
    value = {"product_years": s.product_years, "people_led": s.people_led, "pms_led": s.pms_led,
             "budget": s.budget, "horizon": s.horizon}.get(name, 1)  # fmt: skip
    return not value


def decisive_reasons(
    model: LevelModel, x: tuple[float, ...], chosen: int, s: LevelSignals, vocab: Vocabulary, names: tuple[str, ...]
) -> tuple[str, ...]:
    """Three to five reasons: the title rules that applied, then the signals that lifted the
    candidate's score most (why not lower) and those that held it down most (why not higher).
    A signal's part is its weight times how far it is from a typical reference candidate.
    Missing signals that held the level down are gathered into one reason, last."""
    top = len(model.classes) - 1
    parts = [
        (w * v, name)
        for w, v, name in zip(model.weights, standardise(model, x), model.features)
        if not (name == "student" and not s.student) and not (name == "title_rank" and s.notes)
    ]
    lifted = [n for c, n in sorted(parts, key=lambda p: -p[0]) if c > 0]
    held = [n for c, n in sorted(parts, key=lambda p: p[0]) if c < 0]
    held_absent = [n for n in held if _absent(n, s)] if chosen < top else []
    held_present = [n for n in held if not _absent(n, s)] if chosen < top else []
    if chosen == 0:
        lifted = []
    notes = list(s.notes[:2])
    room = 5 - len(notes) - (1 if held_absent else 0)
    n_held = min(len(held_present), 1 if chosen else room)
    picked = lifted[: max(0, room - n_held)] + held_present[:n_held]
    rest = [n for n in lifted + held_present if n not in picked] + [n for _, n in parts if n not in lifted + held]
    while len(notes) + len(picked) + (1 if held_absent else 0) < 3 and rest:
        picked.append(rest.pop(0))
    reasons = notes + [_sentence(n, s, vocab, names) for n in picked]
    if held_absent:
        words = [_ABSENT[n] for n in held_absent]
        reasons.append("no sign of " + ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1])
    return tuple(reasons[:5])


def next_level_evidence(levels: tuple[LadderLevel, ...], chosen: int, s: LevelSignals, vocab: Vocabulary) -> tuple[str, ...]:
    """What evidence would move the candidate one level up, from the level above's ``expects``."""
    if chosen + 1 >= len(levels):
        return ()
    up = levels[chosen + 1]
    e = up.expects
    out = [f"for {up.name}: {levels[chosen].next_step}"] if levels[chosen].next_step else []
    if s.product_years < e.product_years:
        have = f"{s.product_years:.1f} years" if s.product_years else "none"
        out.append(f"about {e.product_years:g} years in a product management title (now {have})")
    if s.scope < e.scope:
        out.append(f"ownership of {vocab.scope_labels[e.scope]} (the résumé shows {vocab.scope_labels[s.scope]})")
    if s.horizon < e.horizon:
        out.append(f"plans over {vocab.horizon_labels[e.horizon]} (the résumé shows {vocab.horizon_labels[s.horizon]})")
    if s.pms_led < e.pms_led:
        out.append(f"product managers you managed or mentored ({e.pms_led} or more)")
    if s.people_led < e.people_led:
        out.append(f"a team of {e.people_led} or more people you led")
    if e.budget and not s.budget:
        out.append("a budget or P&L you owned")
    return tuple(out[:5])


def _signals_out(s: LevelSignals, vocab: Vocabulary, rubric_names: tuple[str, ...]) -> tuple[Signal, ...]:
    t = s.title
    out = [
        Signal("total_years", f"{s.total_years:.1f} years", s.quote("total_years")),
        Signal("product_years", f"{s.product_years:.1f} years", s.quote("product_years")),
    ]
    if t:
        value = f"{t.seniority_label} · {t.family_label} · reads as {ladder_position(s.title_rank, rubric_names)}"
        if t.small_org:
            value += f" (capped: {t.small_org})"
        out.append(Signal("most_senior_title", value, s.quote("title")))
        out.append(Signal("title_years", f"{s.title_years:.1f} years", "months in titles at that level, overlaps merged"))
    out += [
        Signal("scope", vocab.scope_labels[s.scope], s.quote("scope")),
        Signal("people_led", str(s.people_led), s.quote("people_led")),
        Signal("pms_led", str(s.pms_led), s.quote("pms_led")),
        Signal("horizon", vocab.horizon_labels[s.horizon], s.quote("horizon")),
        Signal("budget", "yes" if s.budget else "no", s.quote("budget")),
    ]
    if s.student:
        out.append(Signal("student", "yes", s.quote("student")))
    return tuple(out)


def check_ladder_files(rubric: Rubric) -> list[str]:
    """Problems with the rubric's ladder data files, in plain words ([] when they load and fit the
    ladder). For ``rolefit rubric check``: a broken file should stop a run before its first PDF."""
    ladder = rubric.model.ladder
    problems = []
    for name in (ladder.signals_file, ladder.model_file):
        loader = load_signal_vocabulary if name == ladder.signals_file else load_level_model
        try:
            loaded = loader(_rubric_file(rubric, name))
        except (OSError, ValueError, KeyError, TypeError, re.error) as exc:  # a TOML syntax error is a ValueError
            problems.append(f"ladder.{'signals_file' if loader is load_signal_vocabulary else 'model_file'}: {name}: {exc}")
            continue
        if isinstance(loaded, LevelModel) and loaded.classes != tuple(lv.id for lv in ladder.levels):
            problems.append(f"ladder.model_file: {name} was fitted for the levels {list(loaded.classes)}; refit it")
    return problems


def signals_to_level(s: LevelSignals, rubric: Rubric, confidence_factor: float = 1.0) -> Level:
    ladder = rubric.model.ladder
    vocab = load_signal_vocabulary(_rubric_file(rubric, ladder.signals_file))
    model = load_level_model(_rubric_file(rubric, ladder.model_file))
    levels = ladder.levels
    if model.classes != tuple(lv.id for lv in levels):
        raise ValueError(f"the level model was fitted for the ladder {model.classes}; refit it for this rubric")
    x = signals_to_features(s)
    probs = features_to_probabilities(model, x)
    rounded = _rounded(probs)
    chosen = max(range(len(levels)), key=lambda i: (rounded[i], -i))
    level = levels[chosen]
    return Level(
        level=level.id,
        name=level.name,
        probabilities=tuple((lv.id, p) for lv, p in zip(levels, rounded)),
        confidence=round(probs[chosen] * confidence_factor, 4),
        reasons=decisive_reasons(model, x, chosen, s, vocab, tuple(lv.name for lv in levels)),
        signals=_signals_out(s, vocab, tuple(lv.name for lv in levels)),
        next_level=next_level_evidence(levels, chosen, s, vocab),
    )


def profile_to_level(profile: Profile, rubric: Rubric) -> Level:
    vocab = load_signal_vocabulary(_rubric_file(rubric, rubric.model.ladder.signals_file))
    signals = profile_to_signals(profile, vocab, rubric.model.ladder.levels)
    # Less to go on, less confidence: no dated position at all, or some positions undatable.
    exp = profile.experience
    factor = 1.0 if exp.total_months > 0 else 0.6
    if exp.undatable_positions:
        factor *= 0.85
    return signals_to_level(signals, rubric, factor)
