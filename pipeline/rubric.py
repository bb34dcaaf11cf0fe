"""Load and validate a role rubric (a TOML data file in ``rubrics/``).

A rubric holds everything that is a judgement rather than logic: competencies and their
aliases, weights, evidence strengths, thresholds and the ladder of levels. It is validated on
load; a broken rubric raises ``RubricError`` listing every problem as (file, field, reason),
before any file of a batch is read.

The schema is written once, as frozen dataclasses below; their annotations name the constraints
(``Annotated[float, Field(gt=0)]``) and pydantic checks them (``validate_rubric``). pydantic is
imported only to validate: a validated rubric is kept in a small cache (``RUBRIC_CACHE``, keyed
on the file's bytes and on this schema), so that ``rolefit score`` on an unchanged rubric loads
it without pydantic, in milliseconds. The cache only ever holds what pydantic accepted; any
change to the file or to this module is validated afresh, and ``rolefit rubric check`` always
validates.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.types import RubricRef, stage_data

if TYPE_CHECKING:  # the annotations below are only evaluated when validating (see _schema_names)
    from typing import Annotated

    from pydantic import Field

RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"
DEFAULT_RUBRIC = RUBRICS_DIR / "tpm.toml"
_FORBID_EXTRA = {"extra": "forbid"}  # pydantic's config for each class: unknown fields are errors


@stage_data
class Competency:
    __pydantic_config__ = _FORBID_EXTRA

    id: Id
    name: Text
    description: Text
    weight: Positive
    # Specific terms that are evidence wherever they appear (near-spellings count too). An alias
    # with a capital letter ("RICE", "Go") is matched case-sensitively; all others ignore case.
    aliases: Annotated[Terms, Field(min_length=1)]
    # Everyday words ("launch", "risk", "release") that count only next to a technical or
    # product context word (``scoring.context_words``) in the same line or role.
    keywords: Terms = ()
    references: Terms = ()  # paraphrase anchors: sentences a résumé might say
    advice: str = ""  # what evidence would show it, phrased for a candidate
    why: str = ""  # why it matters for this role, phrased for a candidate (else advice.toml's [why])


@stage_data
class Category:
    __pydantic_config__ = _FORBID_EXTRA

    id: Id
    name: Text
    weight: Positive
    competencies: Annotated[tuple[Competency, ...], Field(min_length=1)]


@stage_data
class EvidenceWeights:
    __pydantic_config__ = _FORBID_EXTRA

    result_bullet: Share  # an experience bullet with a measurable result
    bullet: Share  # an experience bullet
    project: Share  # a line in a projects section
    skill: Share  # a skills-list entry
    summary: Share  # a mention in the summary
    other: Share  # anywhere else (awards, certifications, header)

    def __post_init__(self) -> None:
        if not (self.result_bullet >= self.bullet >= self.project >= self.skill >= self.summary):
            raise ValueError("must satisfy result_bullet >= bullet >= project >= skill >= summary")


@stage_data
class TermException:
    """Where a term is not evidence: right after one of ``preceded_by`` ("regulatory
    requirements") or right before one of ``followed_by`` ("trained in", "Supervised Learning").
    Neighbours are whole words, compared in any case, with only spaces, a hyphen or a slash between."""

    __pydantic_config__ = _FORBID_EXTRA

    term: Text  # an alias, keyword or context word of this rubric
    preceded_by: Terms = ()
    followed_by: Terms = ()

    def __post_init__(self) -> None:
        if not (self.preceded_by or self.followed_by):
            raise ValueError("must list preceded_by or followed_by words")


@stage_data
class Scoring:
    __pydantic_config__ = _FORBID_EXTRA

    evidence_weights: EvidenceWeights
    recency_half_life_years: Positive
    recency_floor: Share  # the least an old role's evidence counts
    fuzzy_min_ratio: Annotated[float, Field(ge=50, le=100)]
    fuzzy_min_length: Annotated[int, Field(ge=4)]  # shorter alias words are matched exactly only
    paraphrase_min_similarity: Annotated[float, Field(gt=0, lt=1)]
    paraphrase_quality: Annotated[float, Field(gt=0, le=1)]  # a paraphrase counts this much of an alias
    # Strongest evidence counts in full, the next ones by these shares (corroboration):
    # a competency scores min(1, s1 * c[0] + s2 * c[1] + ...), so repetition saturates fast.
    corroboration: Shares
    max_evidence_per_competency: Annotated[int, Field(ge=1)]  # quotes kept (and shown) per competency
    context_words: Annotated[Terms, Field(min_length=1)]  # what makes a keyword count
    # A role that ended at most this many years ago counts as current (the half-life runs after).
    recency_full_years: Annotated[float, Field(ge=0)] = 0
    not_typos: Terms = ()  # real words never read as a near-spelling of an alias
    # Words too common to make two sentences paraphrases of each other when shared ("managed").
    paraphrase_common_words: Terms = ()
    # Words that deny a term when they come just before it in its clause ("did not own the
    # roadmap"); followed by "only" they do not ("not only the roadmap").
    negations: Terms = ()
    # Terms that do not count next to certain words (see TermException).
    term_exceptions: tuple[TermException, ...] = ()


@stage_data
class LevelExpectations:
    """What a level typically shows, in the units of rubrics/ladder_signals.toml (used to say
    what evidence would move a candidate up to this level)."""

    __pydantic_config__ = _FORBID_EXTRA

    scope: Annotated[int, Field(ge=0, le=4)] = 0  # 0 feature … 4 the whole function
    horizon: Annotated[int, Field(ge=0, le=3)] = 0  # 0 sprints … 3 multi-year strategy
    people_led: Annotated[int, Field(ge=0)] = 0
    pms_led: Annotated[int, Field(ge=0)] = 0  # PMs managed or mentored
    budget: bool = False  # budget or P&L ownership
    product_years: Annotated[float, Field(ge=0)] = 0


@stage_data
class LadderLevel:
    __pydantic_config__ = _FORBID_EXTRA

    id: Id
    name: Text
    typical_years: Years
    title_words: Terms = ()
    scope: str = ""
    next_step: str = ""  # what would show readiness for the level above
    expects: LevelExpectations = LevelExpectations()


@stage_data
class Ladder:
    __pydantic_config__ = _FORBID_EXTRA

    levels: Annotated[tuple[LadderLevel, ...], Field(min_length=2)]
    # Files next to the rubric: the level-signal vocabulary and the fitted level model
    # (written by scripts/fit_level_model.py from the committed reference set).
    signals_file: str = "ladder_signals.toml"
    model_file: str = "level_model.json"


@stage_data
class RubricModel:
    __pydantic_config__ = _FORBID_EXTRA

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    name: Text
    version: Text
    role_words: Annotated[Terms, Field(min_length=1)]  # title words that mark the role itself
    scoring: Scoring
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    ladder: Ladder
    description: str = ""

    def __post_init__(self) -> None:
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
        terms = {t.lower() for cat in self.categories for comp in cat.competencies
                 for t in comp.aliases + comp.keywords} | {t.lower() for t in self.scoring.context_words}
        for exc in self.scoring.term_exceptions:
            if exc.term.lower() not in terms:
                raise ValueError(f"scoring.term_exceptions: {exc.term!r} is not an alias, keyword or context word")
        levels = [lv.id for lv in self.ladder.levels]
        if len(set(levels)) != len(levels):
            raise ValueError("ladder level ids must be unique")


def _no_blank_terms(v: tuple[str, ...]) -> tuple[str, ...]:
    if any(not t.strip() for t in v):
        raise ValueError("terms must not be blank")
    return v


def _shares(v: tuple[float, ...]) -> tuple[float, ...]:
    if v[0] != 1 or any(not 0 <= x <= 1 for x in v) or list(v) != sorted(v, reverse=True):
        raise ValueError("must start with 1 and not increase, every share in [0, 1]")
    return v


def _years(v: tuple[float, float]) -> tuple[float, float]:
    if v[0] < 0 or v[1] < v[0]:
        raise ValueError("must be [low, high] with 0 <= low <= high")
    return v


def _schema_names() -> dict:
    """The names the annotations above use, built from pydantic (imported only here)."""
    from typing import Annotated

    from pydantic import AfterValidator, Field

    return {
        "Annotated": Annotated,
        "Field": Field,
        "Id": Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")],
        "Text": Annotated[str, Field(min_length=1)],
        "Positive": Annotated[float, Field(gt=0)],
        "Share": Annotated[float, Field(ge=0, le=1)],
        "Terms": Annotated[tuple[str, ...], AfterValidator(_no_blank_terms)],
        "Shares": Annotated[tuple[float, ...], Field(min_length=1), AfterValidator(_shares)],
        "Years": Annotated[tuple[float, float], AfterValidator(_years)],
    }


def validate_rubric(raw: object, name: str) -> RubricModel:
    """Check parsed TOML against the schema with pydantic; ``RubricError`` lists every problem."""
    from pydantic import ValidationError

    try:
        return _adapter().validate_python(raw)
    except ValidationError as exc:
        raise RubricError([RubricIssue(name, _field_path(e["loc"]), _reason(e)) for e in exc.errors()]) from None


@cache
def _adapter():
    """pydantic's validator for RubricModel, built once per process (the annotations' names are
    put in this module's namespace first, where pydantic resolves them)."""
    from pydantic import TypeAdapter

    globals().update(_schema_names())
    return TypeAdapter(RubricModel)


def _reason(error: dict) -> str:
    if error["type"] == "unexpected_keyword_argument":  # a field the schema does not have
        return "Extra inputs are not permitted (not a field of the rubric)"
    return error["msg"]


@stage_data
class Rubric:
    """A validated rubric plus where it came from and its content hash."""

    model: RubricModel
    path: str
    sha256: str

    @property
    def ref(self) -> RubricRef:
        return RubricRef(id=self.model.id, version=self.model.version, sha256=self.sha256)


@stage_data
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


def load_rubric(path: str | Path = DEFAULT_RUBRIC, *, cache: bool = True) -> Rubric:
    """Read, parse and validate a rubric file; raise ``RubricError`` with every problem found.
    With ``cache``, a rubric whose exact bytes were validated before is loaded from the cache."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RubricError([RubricIssue(name, "(file)", exc.strerror or str(exc))]) from None
    sha256 = hashlib.sha256(data).hexdigest()
    entry = _cache_entry(sha256) if cache else None
    model = _from_cache(entry) if entry else None
    if model is None:
        import tomllib

        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise RubricError([RubricIssue(name, "(file)", "not UTF-8 text")]) from None
        except tomllib.TOMLDecodeError as exc:
            raise RubricError([RubricIssue(name, "(syntax)", str(exc))]) from None
        model = validate_rubric(raw, name)
        if entry:
            _to_cache(entry, model)
    return Rubric(model=model, path=name, sha256=sha256)


# ---------------------------------------------------------------------------------------------
# The data files beside a rubric
# ---------------------------------------------------------------------------------------------


def load_data_file(path: str | Path) -> dict:
    """A TOML data file the stages read beside a rubric (the résumé vocabulary, the ladder
    signals, the advice text, the redaction words), parsed. Parsing TOML takes 1.5-4 ms a file,
    on every run; the parsed form is kept in the rubric cache (as JSON, keyed on the file's
    bytes), where it loads in a tenth of that. Raises what reading and parsing the file raise
    (``OSError``, ``UnicodeDecodeError``, ``tomllib.TOMLDecodeError``)."""
    import json

    data = Path(path).read_bytes()
    name = "".join(c if c.isalnum() else "_" for c in Path(path).stem)
    entry = _entry(f"data-{name}", hashlib.sha256(data).hexdigest(), "json")
    cached = _read_entry(entry) if entry else None
    if cached is not None:
        try:
            return json.loads(cached)
        except ValueError:  # damaged: parse again
            pass
    import tomllib

    parsed = tomllib.loads(data.decode("utf-8"))
    if entry:
        try:
            text = json.dumps(parsed, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):  # dates and times, infinities: not kept, parsed every time
            pass
        else:
            _write_entry(entry, text.encode("utf-8"))
    return parsed


# ---------------------------------------------------------------------------------------------
# The cache: validated rubrics, parsed data files
# ---------------------------------------------------------------------------------------------

# ROLEFIT_CACHE_DIR names the folder; "off" (or empty) turns the cache off.
RUBRIC_CACHE = "ROLEFIT_CACHE_DIR"


def _cache_dir() -> Path | None:
    configured = os.environ.get(RUBRIC_CACHE)
    if configured is not None:
        return None if configured.strip().lower() in ("", "off") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rolefit"


def _cache_entry(sha256: str) -> Path | None:
    """Where the validated form of a rubric's bytes lives (any number of rubrics are kept)."""
    return _entry("rubric", sha256, "pickle")


def _entry(prefix: str, sha256: str, suffix: str) -> Path | None:
    """Where the cached form of these bytes lives: keyed on the bytes, on this module's source
    (a schema change invalidates every entry) and on the Python version."""
    folder = _cache_dir()
    schema = _schema_key()
    if folder is None or schema is None:
        return None
    return folder / f"{prefix}-{sha256[:32]}-{schema}-py{sys.version_info[0]}{sys.version_info[1]}.{suffix}"


@cache
def _schema_key() -> str | None:
    """This module's source, hashed once per process (None when it cannot be read)."""
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def _read_entry(entry: Path) -> bytes | None:
    """An entry's bytes, or None. Only an entry this user owns and nobody else may write is read
    (the cache writes its entries that way): a rubric's entry is a pickle, which runs code when
    loaded, and a data file's decides what the stages look for."""
    try:
        st = entry.stat()
        if (hasattr(os, "getuid") and st.st_uid != os.getuid()) or st.st_mode & 0o022:
            return None
        return entry.read_bytes()
    except OSError:
        return None


def _from_cache(entry: Path) -> RubricModel | None:
    """The cached model, or None."""
    data = _read_entry(entry)
    if data is None:
        return None
    try:
        model = pickle.loads(data)
    except Exception:  # noqa: BLE001 - damaged or stale: validate again
        return None
    return model if isinstance(model, RubricModel) else None


def _to_cache(entry: Path, model: RubricModel) -> None:
    _write_entry(entry, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), keep_other_bytes=True)


def _write_entry(entry: Path, data: bytes, keep_other_bytes: bool = False) -> None:
    """Write atomically (a reader never sees half an entry), private to this user; then remove
    the entries with the same prefix that this one replaces: those written by another version
    of this module, and (unless ``keep_other_bytes``: rubrics) those of other bytes, an older
    version of the same data file. A cache that cannot be written is not an error: the next run
    parses or validates again."""
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        prefix, _, schema, _ = entry.name.rsplit("-", 3)
        for other in entry.parent.glob(f"{prefix}-*"):
            parts = other.name[len(prefix) + 1:].split("-")
            if other != entry and len(parts) == 3 and (parts[1] != schema or not keep_other_bytes):
                other.unlink(missing_ok=True)
    except OSError:
        pass
