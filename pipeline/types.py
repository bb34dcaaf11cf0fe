"""Stage data: every value that passes between two stages is one of these frozen dataclasses.

Read top to bottom, they follow the pipeline:

    Settings ─┐
    PDF file ─┴─ pdf_to_document ─▶ Document ─ document_to_profile ─▶ Profile
    Profile + Rubric ─ profile_to_fit ─▶ Fit          Profile + Rubric ─ profile_to_level ─▶ Level
    all of the above ─ file_to_result ─▶ Result

Errors are data: a stage that cannot do its work returns its output with a ``Problem`` set,
never raises into the batch.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter


def stage_data(cls: type) -> type:
    """``@dataclass(frozen=True)``, with the same equality, hash and repr, shared by every class
    instead of generated and compiled for each (on Python 3.11 that halves the cost of creating
    these classes: about 10 ms, paid before ``rolefit score`` can start reading its PDF). The
    rubric's schema (``pipeline.rubric``), the other data every stage reads, uses it too."""
    cls = dataclass(frozen=True, eq=False, repr=False)(cls)
    every = fields(cls)
    cls._compared = _tuple_getter([f.name for f in every if f.compare])
    cls._hashed = _tuple_getter([f.name for f in every if (f.compare if f.hash is None else f.hash)])
    cls._shown = tuple(f.name for f in every if f.repr)
    cls.__eq__, cls.__hash__, cls.__repr__ = _eq, _hash, _repr
    return cls


def _tuple_getter(names: list[str]):
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names) if names else lambda obj: ()


def _eq(self, other) -> bool:
    if other.__class__ is self.__class__:
        return self._compared(self) == other._compared(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self._hashed(self))


@reprlib.recursive_repr()
def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
    return f"{self.__class__.__qualname__}({shown})"


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


@stage_data
class Settings:
    """Everything a run may vary. Recorded in every result so a run can be reproduced."""

    as_of: date
    max_pages: int = 20
    max_bytes: int = 20 * 1024 * 1024
    timeout_s: float = 60.0
    memory_bytes: int = 1024 * 1024 * 1024
    blind: bool = False
    # An optional job description (``--jd``), read once per run; scored as a separate job match.
    # Part of the settings so that it reaches every worker and every cache key with them.
    job: JobDescription | None = None
    isolate: bool = True  # read each PDF in a forked worker with the time and memory limits
    max_glyphs_per_page: int = 50_000  # pre-flight: a dense résumé page has 3-6 thousand
    ocr: bool = False  # opt-in OCR of pages with no text layer (needs the `ocr` extra)


# ---------------------------------------------------------------------------------------------
# Problems (errors as data)
# ---------------------------------------------------------------------------------------------


@stage_data
class Problem:
    """Why a file could not be read or scored. ``code`` is stable, ``reason`` is for people."""

    code: str  # e.g. "not_pdf", "empty", "corrupt", "encrypted", "no_text", "too_many_pages",
    #          "too_large", "timeout", "memory", "not_resume"
    reason: str


# ---------------------------------------------------------------------------------------------
# Stage 1: PDF -> Document
# ---------------------------------------------------------------------------------------------


@stage_data
class Line:
    """One visual line of text in reading order, with the signals section detection needs."""

    text: str  # normalised (NFKC, bullets, hyphenation, mojibake repaired)
    raw: str  # as the PDF says it, for evidence quotes
    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # dominant font size in points
    bold: bool
    column: int = 0  # 0 = full width or single column, 1 = left, 2 = right
    bullet: bool = False  # the line started with a bullet glyph (stripped from ``text``)


@stage_data
class Diagnostics:
    """What the reader saw, in numbers; shown in reports in plain words."""

    pages: int = 0
    chars_per_page: tuple[int, ...] = ()
    columns_per_page: tuple[int, ...] = ()
    glued_share: float = 0.0  # share of tokens that look like several words glued together
    unknown_glyphs: int = 0  # (cid:N) and private-use icon glyphs dropped
    hidden_chars: int = 0  # white or tiny characters dropped (keyword stuffing guard)
    no_text_layer: bool = False
    notes: tuple[str, ...] = ()  # anything else worth telling a reader, in plain words


@stage_data
class Document:
    """A PDF read into clean lines in reading order (stage 1's output), or the problem that stopped it."""

    source: str  # file name as given (display only; never used to build paths)
    sha256: str
    size_bytes: int
    lines: tuple[Line, ...] = ()
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    problem: Problem | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


# ---------------------------------------------------------------------------------------------
# Stage 2: Document -> Profile
# ---------------------------------------------------------------------------------------------

SECTION_KINDS = (
    "header",
    "summary",
    "experience",
    "education",
    "skills",
    "projects",
    "certifications",
    "awards",
    "other",
)


@stage_data
class Section:
    """One section of a résumé: its kind, its heading as written, and its lines."""

    kind: str  # one of SECTION_KINDS
    heading: str  # the heading as written ("" for the header block)
    lines: tuple[Line, ...]


@stage_data
class Contact:
    """For display and redaction only; never used for scoring."""

    name: str = ""
    email: str = ""
    phone: str = ""
    links: tuple[str, ...] = ()
    location: str = ""


@stage_data
class YearMonth:
    """A point in time as résumés give it: a year and a month."""

    year: int
    month: int  # 1..12


@stage_data
class Position:
    """One role: title, organisation, dates and the lines written under it."""

    title: str
    organisation: str
    start: YearMonth | None
    end: YearMonth | None  # None with ``current`` False means unknown
    current: bool
    bullets: tuple[Line, ...]
    heading_line: Line | None = None
    months: int = 0
    datable: bool = True  # False: kept, but flagged (dates could not be read)
    date_text: str = ""
    # Blind results only (``start``/``end`` removed): months from the as-of month to the start and
    # to the end (exclusive) of the position, e.g. (-38, -11); a timeline without calendar dates.
    relative_months: tuple[int, int] | None = None


@stage_data
class Education:
    """One education entry: degree level, field, institution and year."""

    degree_level: str  # "phd", "masters", "bachelors", "associate", "diploma", "" (unknown)
    field: str
    institution: str
    year: int | None
    line: Line | None = None


@stage_data
class Experience:
    """Tenure figures, all computed against ``Profile.as_of``; overlaps merged, not summed."""

    total_months: int = 0
    product_months: int = 0  # product, program or project management roles
    leadership_months: int = 0  # leading people
    employer_count: int = 0
    average_tenure_months: float = 0.0
    undatable_positions: int = 0
    max_team_size: int = 0
    stated_years: int = 0  # years of experience the summary claims ("over 8 years"), 0 if none


@stage_data
class Verdict:
    """Whether a document is a résumé that can be scored, and if not, why."""

    scorable: bool
    reason: str = ""


@stage_data
class Profile:
    """What a résumé says (stage 2's output): sections, contact, positions, education, tenure and skills."""

    as_of: date
    sections: tuple[Section, ...]
    contact: Contact
    positions: tuple[Position, ...]
    education: tuple[Education, ...]
    certifications: tuple[str, ...]
    skills: tuple[str, ...]
    experience: Experience
    verdict: Verdict
    notes: tuple[str, ...] = ()  # plain-language caveats about what was read (stale dates, ...)


# ---------------------------------------------------------------------------------------------
# Stage 3: Profile + Rubric -> Fit
# ---------------------------------------------------------------------------------------------


@stage_data
class Evidence:
    """One quoted piece of a résumé that shows a competency, with where it was found and how strong it is."""

    quote: str  # the résumé's own words
    section: str  # section kind
    page: int
    kind: str  # "result_bullet" | "bullet" | "skill" | "summary" | "other"
    strength: float  # 0..1 after kind, recency and match quality
    matched: str  # the alias or reference phrase that matched
    how: str = "alias"  # "alias" | "near-spelling" | "keyword" (in context) | "paraphrase"


@stage_data
class CompetencyScore:
    """One competency's score (0..1) and the evidence behind it."""

    id: str
    name: str
    category: str
    score: float  # 0..1
    evidence: tuple[Evidence, ...]


@stage_data
class CategoryScore:
    """One rubric category's score (0..100)."""

    id: str
    name: str
    score: float  # 0..100
    weight: float


@stage_data
class Fit:
    """A résumé scored against a rubric (stage 3's output): overall, categories, competencies, gaps."""

    overall: float  # 0..100
    categories: tuple[CategoryScore, ...]
    competencies: tuple[CompetencyScore, ...]

    @property
    def gaps(self) -> tuple[CompetencyScore, ...]:
        return tuple(c for c in self.competencies if c.score == 0)


# ---------------------------------------------------------------------------------------------
# Optional job description: JD file -> JobDescription (text_to_job); Profile + JobDescription
# -> JobMatch (profile_to_job_match). Shown beside the fit; the rubric stays the fit's backbone.
# ---------------------------------------------------------------------------------------------


@stage_data
class JobSkill:
    """One thing a job description asks for, as written there."""

    name: str  # short label for people
    quote: str  # the job description's own line
    required: bool  # False: preferred / nice to have
    terms: tuple[str, ...] = ()  # named tools or terms searched for in the résumé as they are
    competencies: tuple[str, ...] = ()  # rubric competency ids the line asks for


@stage_data
class JobDescription:
    """What a job description asks for: skills (required or preferred) and years."""

    source: str
    title: str = ""
    skills: tuple[JobSkill, ...] = ()
    min_years: float | None = None
    max_years: float | None = None
    years_quote: str = ""
    problem: Problem | None = None

    @property
    def required(self) -> tuple[JobSkill, ...]:
        return tuple(s for s in self.skills if s.required)

    @property
    def preferred(self) -> tuple[JobSkill, ...]:
        return tuple(s for s in self.skills if not s.required)


@stage_data
class JobSkillMatch:
    """One requirement of a job description and the résumé's evidence for it."""

    skill: JobSkill
    score: float  # 0..1
    evidence: tuple[Evidence, ...]


@stage_data
class JobMatch:
    """A résumé against a job description, beside the rubric's fit."""

    source: str  # the job description's file name
    title: str
    score: float  # 0..100
    skills: tuple[JobSkillMatch, ...]
    years_required: float | None = None
    years_found: float = 0.0
    years_met: bool | None = None  # None: the job description names no years

    @property
    def gaps(self) -> tuple[JobSkillMatch, ...]:
        return tuple(m for m in self.skills if m.score == 0)


# ---------------------------------------------------------------------------------------------
# Stage 4: Profile + Rubric -> Level
# ---------------------------------------------------------------------------------------------


@stage_data
class Signal:
    """One ladder signal read from a résumé (years, scope, people led…), with its evidence."""

    name: str  # e.g. "total_years", "most_senior_title", "scope", "people_led"
    value: str  # shown to people
    evidence: str  # quoted text or the figure it came from


@stage_data
class Level:
    """The likely ladder level (stage 4's output): probabilities, signals and reasons."""

    level: str  # level id from the rubric's ladder
    name: str
    probabilities: tuple[tuple[str, float], ...]  # (level id, p) for every level, sums to 1
    confidence: float  # 0..1
    reasons: tuple[str, ...]
    signals: tuple[Signal, ...]
    next_level: tuple[str, ...]  # what evidence would move the candidate one level up


# ---------------------------------------------------------------------------------------------
# Candidate advice: Profile + Fit + Level + Rubric [+ target level] -> Advice (fit_to_advice)
# ---------------------------------------------------------------------------------------------


@stage_data
class Suggestion:
    """One concrete change a candidate could make, and how much it would move the overall score."""

    competency: str  # competency id
    name: str
    category: str  # category name
    score: float = 0.0  # the competency's score now, 0..1
    gain: float = 0.0  # overall points one strong, measured bullet would add (re-scored)
    kind: str = "add"  # "add" (no evidence) | "listed_only" | "no_result" | "more"
    why: str = ""  # why it matters for the role (or for the target level)
    action: str = ""  # what kind of evidence would show it
    quote: str = ""  # the résumé's strongest evidence for it now, if any
    target_note: str = ""  # with a target level: the missing ladder signal this would also show
    job_note: str = ""  # with a job description: the line of it that asks for this competency


@stage_data
class GapCheck:
    """One ladder signal compared with what a target level typically shows."""

    dimension: str  # "years" | "scope" | "people" | "strategy"
    label: str  # e.g. "Product years", "Scope", "PMs managed or mentored"
    expected: str
    shown: str
    met: bool
    evidence: str = ""  # the quote or figure the level stage read
    hint: str = ""  # what would show it, when not met


@stage_data
class TargetGap:
    """How a résumé compares with a target ladder level, signal by signal."""

    level: str  # target level id
    name: str
    current: str  # the likely level's id
    current_name: str
    reached: bool  # the likely level is at or above the target
    checks: tuple[GapCheck, ...] = ()

    @property
    def missing(self) -> tuple[GapCheck, ...]:
        return tuple(c for c in self.checks if not c.met)


@stage_data
class Advice:
    """What a candidate could change, biggest effect first, and the gap to a target level."""

    overall: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()  # biggest gain first
    target: TargetGap | None = None
    honesty: str = ""  # the "never invent experience" note, shown with the suggestions


# ---------------------------------------------------------------------------------------------
# Result: one per input file
# ---------------------------------------------------------------------------------------------

STATUSES = ("scored", "unreadable", "not_resume")


@stage_data
class RubricRef:
    """Which rubric scored a result: id, version and content hash."""

    id: str
    version: str
    sha256: str


@stage_data
class BlindCheck:
    """Blind review (``Settings.blind``): what was hidden, and the redaction-invariance proof.

    The identity-redacted document is scored a second time; ``differences`` lists every way that
    score differs from the unredacted one. Empty: the blind score equals the unredacted score."""

    redacted: tuple[str, ...]  # kinds of detail removed, e.g. ("name", "email", "school names")
    unredacted_overall: float | None
    blind_overall: float | None
    differences: tuple[str, ...] = ()

    @property
    def holds(self) -> bool:
        return not self.differences


@stage_data
class Result:
    """Everything one file produced: the unit a batch stores, reports and audits."""

    candidate_id: str  # stable, derived from the file's content hash
    source: str
    sha256: str
    status: str  # one of STATUSES
    problem: Problem | None
    rubric: RubricRef
    as_of: date
    pipeline_version: str
    diagnostics: Diagnostics
    profile: Profile | None = None
    fit: Fit | None = None
    level: Level | None = None
    blind: BlindCheck | None = None  # set on blind runs only
    job_match: JobMatch | None = None  # set when a job description was given (--jd)
