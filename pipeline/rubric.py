"""Load and validate a role rubric (a TOML data file in ``rubrics/``).

A rubric holds everything that is a judgement rather than logic: competencies and their
aliases, weights, evidence strengths, thresholds and the ladder of levels. It is validated on
load; a broken rubric raises ``RubricError`` listing every problem as (file, field, reason),
before any file of a batch is read.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.types import RubricRef

RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"
DEFAULT_RUBRIC = RUBRICS_DIR / "tpm.toml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Competency(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    weight: float = Field(gt=0)
    # Specific terms that are evidence wherever they appear (near-spellings count too). An alias
    # with a capital letter ("RICE", "Go") is matched case-sensitively; all others ignore case.
    aliases: tuple[str, ...] = Field(min_length=1)
    # Everyday words ("launch", "risk", "release") that count only next to a technical or
    # product context word (``scoring.context_words``) in the same line or role.
    keywords: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # paraphrase anchors: sentences a résumé might say
    advice: str = ""  # what evidence would show it, phrased for a candidate
    why: str = ""  # why it matters for this role, phrased for a candidate (else advice.toml's [why])

    @field_validator("aliases", "keywords", "references")
    @classmethod
    def _no_blank_terms(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(not t.strip() for t in v):
            raise ValueError("terms must not be blank")
        return v


class Category(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    weight: float = Field(gt=0)
    competencies: tuple[Competency, ...] = Field(min_length=1)


class EvidenceWeights(_Model):
    result_bullet: float = Field(ge=0, le=1)  # an experience bullet with a measurable result
    bullet: float = Field(ge=0, le=1)  # an experience bullet
    project: float = Field(ge=0, le=1)  # a line in a projects section
    skill: float = Field(ge=0, le=1)  # a skills-list entry
    summary: float = Field(ge=0, le=1)  # a mention in the summary
    other: float = Field(ge=0, le=1)  # anywhere else (awards, certifications, header)

    @model_validator(mode="after")
    def _ordered(self) -> "EvidenceWeights":
        if not (self.result_bullet >= self.bullet >= self.project >= self.skill >= self.summary):
            raise ValueError("must satisfy result_bullet >= bullet >= project >= skill >= summary")
        return self


class Scoring(_Model):
    evidence_weights: EvidenceWeights
    recency_half_life_years: float = Field(gt=0)
    recency_floor: float = Field(ge=0, le=1)  # the least an old role's evidence counts
    # A role that ended at most this many years ago counts as current (the half-life runs after).
    recency_full_years: float = Field(default=0, ge=0)
    fuzzy_min_ratio: float = Field(ge=50, le=100)
    fuzzy_min_length: int = Field(ge=4)  # shorter alias words are matched exactly only
    not_typos: tuple[str, ...] = ()  # real words never read as a near-spelling of an alias
    paraphrase_min_similarity: float = Field(gt=0, lt=1)
    paraphrase_quality: float = Field(gt=0, le=1)  # a paraphrase counts this much of an alias
    # Words too common to make two sentences paraphrases of each other when shared ("managed").
    paraphrase_common_words: tuple[str, ...] = ()
    # Strongest evidence counts in full, the next ones by these shares (corroboration):
    # a competency scores min(1, s1 * c[0] + s2 * c[1] + ...), so repetition saturates fast.
    corroboration: tuple[float, ...] = Field(min_length=1)
    max_evidence_per_competency: int = Field(ge=1)  # quotes kept (and shown) per competency
    context_words: tuple[str, ...] = Field(min_length=1)  # what makes a keyword count
    # Words that deny a term when they come just before it in its clause ("did not own the
    # roadmap"); followed by "only" they do not ("not only the roadmap").
    negations: tuple[str, ...] = ()

    @field_validator("corroboration")
    @classmethod
    def _shares(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if v[0] != 1 or any(not 0 <= x <= 1 for x in v) or list(v) != sorted(v, reverse=True):
            raise ValueError("must start with 1 and not increase, every share in [0, 1]")
        return v


class LevelExpectations(_Model):
    """What a level typically shows, in the units of rubrics/ladder_signals.toml (used to say
    what evidence would move a candidate up to this level)."""

    scope: int = Field(default=0, ge=0, le=4)  # 0 feature … 4 the whole function
    horizon: int = Field(default=0, ge=0, le=3)  # 0 sprints … 3 multi-year strategy
    people_led: int = Field(default=0, ge=0)
    pms_led: int = Field(default=0, ge=0)  # PMs managed or mentored
    budget: bool = False  # budget or P&L ownership
    product_years: float = Field(default=0, ge=0)


class LadderLevel(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    typical_years: tuple[float, float]
    title_words: tuple[str, ...] = ()
    scope: str = ""
    next_step: str = ""  # what would show readiness for the level above
    expects: LevelExpectations = LevelExpectations()

    @field_validator("typical_years")
    @classmethod
    def _years(cls, v: tuple[float, float]) -> tuple[float, float]:
        if v[0] < 0 or v[1] < v[0]:
            raise ValueError("must be [low, high] with 0 <= low <= high")
        return v


class Ladder(_Model):
    levels: tuple[LadderLevel, ...] = Field(min_length=2)
    # Files next to the rubric: the level-signal vocabulary and the fitted level model
    # (written by scripts/fit_level_model.py from the committed reference set).
    signals_file: str = "ladder_signals.toml"
    model_file: str = "level_model.json"


class RubricModel(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    role_words: tuple[str, ...] = Field(min_length=1)  # title words that mark the role itself
    scoring: Scoring
    categories: tuple[Category, ...] = Field(min_length=1)
    ladder: Ladder

    @model_validator(mode="after")
    def _unique_ids(self) -> "RubricModel":
        seen: set[str] = set()
        cats = [c.id for c in self.categories]
        if len(set(cats)) != len(cats):
            raise ValueError("category ids must be unique")
        if self.scoring.max_evidence_per_competency < len(self.scoring.corroboration):
            raise ValueError("scoring.max_evidence_per_competency must be at least len(corroboration)")
        for cat in self.categories:
            for comp in cat.competencies:
                if comp.id in seen:
                    raise ValueError(f"competency id {comp.id!r} is used twice")
                seen.add(comp.id)
        levels = [lv.id for lv in self.ladder.levels]
        if len(set(levels)) != len(levels):
            raise ValueError("ladder level ids must be unique")
        return self


@dataclass(frozen=True)
class Rubric:
    """A validated rubric plus where it came from and its content hash."""

    model: RubricModel
    path: str
    sha256: str

    @property
    def ref(self) -> RubricRef:
        return RubricRef(id=self.model.id, version=self.model.version, sha256=self.sha256)


@dataclass(frozen=True)
class RubricIssue:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class RubricError(Exception):
    def __init__(self, issues: list[RubricIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_rubric(path: str | Path = DEFAULT_RUBRIC) -> Rubric:
    """Read, parse and validate a rubric file; raise ``RubricError`` with every problem found."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RubricError([RubricIssue(name, "(file)", exc.strerror or str(exc))]) from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise RubricError([RubricIssue(name, "(file)", "not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError([RubricIssue(name, "(syntax)", str(exc))]) from None
    try:
        model = RubricModel.model_validate(raw)
    except ValidationError as exc:
        issues = [RubricIssue(name, _field_path(e["loc"]), e["msg"]) for e in exc.errors()]
        raise RubricError(issues) from None
    return Rubric(model=model, path=name, sha256=hashlib.sha256(data).hexdigest())
