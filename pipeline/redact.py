"""Blind review: remove what identifies a candidate or reveals their age, and prove the score
did not depend on it.

Two kinds of redaction, both pure:

* identity redaction (``redact_document``, also applied to everything shown): the name, email,
  phone, links, location, school names, graduation years and birth dates. A blind run scores
  the identity-redacted document a second time; the blind score must equal the unredacted one
  (``score_differences``), and any difference is kept on the result as an error. In the
  re-scored document every past graduation year becomes the same year (``NEUTRAL_YEAR``) and
  a future one the current year, so an education entry still reads as dated and still says
  whether someone is studying, but no longer anything about age.
* display redaction (``redact_result``): identity redaction plus every date with a year, so
  that employment dates (which tenure is computed from, and which therefore stay in the scored
  text) are not shown either. Durations in months are kept.

Photos are never extracted from a PDF, so no stage datum can carry one.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, replace
from functools import cached_property

from pipeline.document_to_profile import load_vocabulary
from pipeline.types import (
    BlindCheck,
    Contact,
    Document,
    Line,
    Profile,
    Result,
)

# What a reader sees in place of a redacted span.
NAME, EMAIL, PHONE, LINK, LOCATION, SCHOOL, YEAR, BIRTH = (
    "[name]", "[email]", "[phone]", "[link]", "[location]", "[school]", "[year]", "[birth date]",
)
# What the re-scored document holds in place of every past graduation year: one for everyone.
NEUTRAL_YEAR = "2000"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s|,;()<>]+"
    r"|\b(?:[\w-]+\.)?(?:linkedin|github|gitlab|twitter|x|behance|dribbble|medium|about|bitbucket"
    r"|stackoverflow|instagram|facebook|xing)\.(?:com|me|io)/[^\s|,;()<>]*",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|me|co|ai|app|design|page|site|tech|xyz)\b(?:/[^\s|,;()<>]*)?", re.I)
_DASHES = "\u00ad\u2010-\u2015"  # soft hyphen and Unicode dashes, as PDFs write them
_PHONE = re.compile(rf"\+?\(?\d[\d\s().{_DASHES}-]{{5,}}\d")
# Shapes that are a phone number wherever they are: "+44 20 7946 0958", "(555) 123-4567".
_PHONE_SHAPE = re.compile(rf"\+\d|\(\d{{3}}\)\s?\d{{3}}[\s.{_DASHES}-]+\d{{4}}")
_PLACE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*,\s*[A-Z]{2}\b")
_SCHOOL_WORDS = (
    r"University|Universit[éyàä]t?|Universidad|Universidade|College|Institute|Institut|School"
    r"|Academy|Polytechnic|Politecnico|Hochschule|Conservatory|Conservatoire"
)
_SCHOOL = re.compile(
    rf"(?:(?:[A-Z][\w.&'-]*|of|and|the|for|de|del|di)\s+)*"
    rf"(?:{_SCHOOL_WORDS})\b(?:\s+(?:of|for|and|de|del|di|at)(?:\s+(?:[A-Z][\w.&'-]*|and|the))+)?"
)
_CONTACT_HEADING = re.compile(r"\b(?:contact|personal|details)\b", re.IGNORECASE)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_SEASON = r"(?:Spring|Summer|Autumn|Fall|Winter)"
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
# A year with whatever makes it a date: "May 2027", "04/2022", "Summer 2026".
_DATE = re.compile(rf"(?:(?:{_MONTH}|{_SEASON})\s+|\b\d{{1,2}}[/.-])?\b{_YEAR}\b", re.IGNORECASE)
# A year shown as a date in running text; "2000 customers" is a number, not a date.
_DATED_YEAR = re.compile(
    rf"(?:(?:{_MONTH}|{_SEASON})\s+|\b\d{{1,2}}[/.-])\b{_YEAR}\b"
    rf"|(?:(?<=\bin )|(?<=\bsince )|(?<=\bfrom )|(?<=\buntil )|(?<=\bby )|(?<=\bof )|(?<=\bduring )"
    rf"|(?<=\()|(?<=[–—-] )|(?<=[–—-]))\b{_YEAR}\b"
    rf"|\b{_YEAR}\b(?=\s*(?:[–—-]|to\b|\)|[,;:]|\.(?:\s|$)|$))",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(rf"{_YEAR}")
_BIRTH = re.compile(
    rf"\b(?:born(?:\s+(?:on|in))?|date of birth|birth\s?date|d\.?o\.?b\.?)\s*[:\-]?\s*"
    rf"(?:\d{{1,2}}[/.\s-])?(?:{_MONTH}\s+|\d{{1,2}}[/.\s-])?(?:\d{{1,2}},?\s+)?{_YEAR}"
    rf"|\bage\s*:\s*\d{{1,2}}\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Identity:
    """What identifies one candidate, gathered from their own profile (and file name)."""

    name: str = ""
    name_in_body: bool = True  # False when the name reads like a job title
    name_parts: tuple[str, ...] = ()
    email: str = ""
    phone_digits: str = ""
    links: tuple[str, ...] = ()
    location: str = ""
    schools: tuple[str, ...] = ()
    source_stem: str = ""
    as_of_year: int = 0  # graduation years from this one on mean "still studying"
    header: frozenset[Line] = frozenset()  # contact lines: the header, a contact block
    education: frozenset[Line] = frozenset()  # lines whose years are graduation years

    def kinds(self) -> tuple[str, ...]:
        """The kinds of detail this candidate's redaction removes, for the blind statement."""
        found = {
            "name": self.name,
            "email": self.email,
            "phone": self.phone_digits,
            "links": self.links,
            "location": self.location,
            "school names": self.schools,
            "graduation years": any(_DATE.search(ln.text) for ln in self.education),
        }
        return tuple(k for k, v in found.items() if v)

    @cached_property
    def shown_lines(self) -> dict[Line, Line]:
        """Lines already redacted for display, so each is done once."""
        return {}

    @cached_property
    def phrases(self) -> dict[str, re.Pattern | None]:
        """One compiled pattern per kind of phrase, built once per candidate."""
        stem = self.source_stem if len(self.source_stem) >= 4 else ""
        return {
            "links": _phrase_pattern(self.links, re.IGNORECASE),
            "name": _phrase_pattern((self.name,), re.IGNORECASE),
            "name_parts": _phrase_pattern(self.name_parts, 0),
            "file": _phrase_pattern((stem,), re.IGNORECASE),
            "location": _phrase_pattern((self.location,), 0),
            "schools": _phrase_pattern(self.schools, 0),
        }


def _phrase_pattern(phrases: tuple[str, ...], flags: int) -> re.Pattern | None:
    """Any of ``phrases``, not inside a longer word; None when there are none."""
    phrases = tuple(sorted({p for p in phrases if p}, key=len, reverse=True))
    if not phrases:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, phrases))})(?!\w)", flags)


def _lines(profile: Profile, kind: str) -> frozenset[Line]:
    return frozenset(ln for s in profile.sections if s.kind == kind for ln in s.lines)


def _name_like(header: frozenset[Line]) -> str:
    """When the profile found no name: the first header line that reads like one."""
    for line in sorted(header, key=lambda ln: (ln.page, ln.top, ln.x0))[:3]:
        words = line.text.split()
        if 2 <= len(words) <= 5 and all(re.fullmatch(r"[^\W\d_][\w.'’-]*", w) and w[0].isupper() for w in words):
            return line.text.strip()
    return ""


def identity_of(result: Result) -> Identity:
    """Everything to redact for one result; empty but for the file name when it has no profile."""
    stem = result.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    profile = result.profile
    if profile is None:
        return Identity(source_stem=stem)
    contact = profile.contact
    header = set(_lines(profile, "header"))
    for section in profile.sections:  # a sidebar "Contact" block, or a short block with the email
        texts = " ".join(ln.text for ln in section.lines)
        if _CONTACT_HEADING.search(section.heading) or (
            len(section.lines) <= 10 and contact.email and contact.email in texts
        ):
            header |= set(section.lines)
    education = _lines(profile, "education")
    schools: list[str] = []
    for line in sorted(education, key=lambda ln: (ln.page, ln.top, ln.x0)):
        for text in (line.text, line.raw):
            for m in _SCHOOL.finditer(text):
                school = m.group().strip()
                if len(school.split()) >= 2 and school not in schools:
                    schools.append(school)
    name = contact.name.strip() or _name_like(_lines(profile, "header"))
    titles = " | ".join(pos.title for pos in profile.positions).lower()
    if name and name.lower() in titles:
        name = ""  # a job title read as a name ("CHEF OWNER" heading the résumé): not identifying
    title_words = set(load_vocabulary()["titles"]["words"])
    # "LEAD INTERACTION DESIGNER" may be a title taken for a name: hidden where the name stands
    # (the header), but in the body the same words are the candidate's work, not their name.
    name_in_body = not any(w in title_words for w in re.split(r"[\s-]+", name.lower()))
    parts = tuple(p for p in re.split(r"[\s-]+", name) if len(p) >= 2)
    return Identity(
        name=name,
        name_in_body=name_in_body,
        name_parts=parts,
        email=contact.email,
        phone_digits=re.sub(r"\D", "", contact.phone),
        links=contact.links,
        location=contact.location,
        schools=tuple(sorted(schools, key=len, reverse=True)),
        source_stem=stem,
        as_of_year=result.as_of.year,
        header=frozenset(header),
        education=education,
    )


def _phone(identity: Identity, anywhere: bool):
    def sub(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group())
        if re.fullmatch(rf"\(?{_YEAR}\s*[-–]\s*{_YEAR}\)?", m.group().strip()):
            return m.group()
        if (anywhere or _PHONE_SHAPE.match(m.group())) and 7 <= len(digits) <= 15:
            return PHONE
        if identity.phone_digits and len(digits) >= 7 and identity.phone_digits.endswith(digits[-7:]):
            return PHONE
        return m.group()

    return sub


def _neutral(identity: Identity):
    """A graduation year as the re-scored document says it: the same past year for everyone,
    or the current year for a degree not finished yet (still studying is all it may tell)."""

    def sub(m: re.Match) -> str:
        year = int(m.group())
        return str(identity.as_of_year) if identity.as_of_year and year >= identity.as_of_year else NEUTRAL_YEAR

    return sub


def _replace(text: str, pattern: re.Pattern | None, mark: str) -> str:
    return pattern.sub(mark, text) if pattern is not None else text


def redact_text(
    text: str, identity: Identity, *, header: bool = False, education: bool = False, neutral_years: bool = False
) -> str:
    """Identity redaction of one piece of text. ``header``: contact lines, where any phone number,
    place or name part is the candidate's. ``education``: any year is a graduation year, shown
    as ``[year]``, or with ``neutral_years`` replaced by the same past year for everyone
    (``NEUTRAL_YEAR``; the current year for a degree not finished yet): the text still reads as
    dated and says whether someone is still studying, but nothing about age."""
    if not text:
        return text
    text = _BIRTH.sub(BIRTH, text)
    text = _EMAIL.sub(EMAIL, text)
    phrases = identity.phrases
    text = _replace(text, phrases["links"], LINK)
    text = _URL.sub(LINK, text)
    if any(c.isdigit() for c in text):
        text = _PHONE.sub(_phone(identity, anywhere=header), text)
    if header or identity.name_in_body:
        text = _replace(text, phrases["name"], NAME)
    if header:
        text = _replace(text, phrases["name_parts"], NAME)
    text = _replace(text, phrases["file"], "[file]")
    text = _replace(text, phrases["location"], LOCATION)
    if header:
        text = _DOMAIN.sub(LINK, text)  # a personal site; elsewhere "Booking.com" is an employer
        text = _PLACE.sub(LOCATION, text)
    text = _replace(text, phrases["schools"], SCHOOL)
    if education:
        text = _SCHOOL.sub(lambda m: SCHOOL if len(m.group().split()) >= 2 else m.group(), text)
        text = re.sub(rf"\b{_YEAR}\b", _neutral(identity), text) if neutral_years else _DATE.sub(YEAR, text)
    return text


def _redact_line(line: Line, identity: Identity) -> Line:
    where = dict(header=line in identity.header, education=line in identity.education, neutral_years=True)
    return replace(line, text=redact_text(line.text, identity, **where), raw=redact_text(line.raw, identity, **where))


def redact_document(doc: Document, result: Result) -> Document:
    """The document with the candidate's identity removed: what a blind run scores again."""
    identity = identity_of(result)
    return replace(
        doc,
        source=result.candidate_id,
        lines=tuple(_redact_line(ln, identity) for ln in doc.lines),
    )


# ---------------------------------------------------------------------------------------------
# What a reader sees
# ---------------------------------------------------------------------------------------------


def hide_dates(text: str) -> str:
    """Every year written as a date becomes ``[year]``; plain numbers stay."""
    return _DATED_YEAR.sub(YEAR, text) if text and _ANY_YEAR.search(text) else text


def _show(text: str, identity: Identity, **where: bool) -> str:
    return hide_dates(redact_text(text, identity, **where))


def _show_line(line: Line | None, identity: Identity) -> Line | None:
    if line is None:
        return None
    shown = identity.shown_lines.get(line)  # a bullet is also a line of its section: once is enough
    if shown is None:
        where = dict(header=line in identity.header, education=line in identity.education)
        shown = replace(line, text=_show(line.text, identity, **where), raw=_show(line.raw, identity, **where))
        identity.shown_lines[line] = shown
    return shown


# Fields that hold ids, codes and names from the rubric, never the résumé's own words.
_IDS = frozenset({
    "candidate_id", "sha256", "status", "code", "id", "category", "kind", "section", "matched",
    "level", "probabilities", "pipeline_version", "version", "degree_level", "competency",
    "competencies",
})


def _scrub(value, identity: Identity, key: str = ""):
    """Display redaction of every string in a stage datum, whatever its type (so a field added
    later is covered too), except ids and rubric names."""
    if isinstance(value, str):
        return value if key in _IDS else _show(value, identity)
    if isinstance(value, Line):
        return _show_line(value, identity)
    if isinstance(value, tuple):
        return tuple(_scrub(v, identity, key) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub(getattr(value, f.name), identity, f.name) for f in dataclasses.fields(value) if f.init}
        return replace(value, **changes)
    return value


def _without_dates_and_schools(profile: Profile) -> Profile:
    return replace(
        profile,
        contact=Contact(),
        positions=tuple(replace(p, start=None, end=None, date_text="") for p in profile.positions),
        education=tuple(replace(e, institution="", year=None) for e in profile.education),
    )


def _differ(label: str, pairs) -> list[str]:
    return [f"{label}{name} {a} unredacted, {b} blind" for name, a, b in pairs if a != b]


def score_differences(unredacted: Result, blind: Result) -> tuple[str, ...]:
    """Every way the blind (redacted) scoring differs from the unredacted one; empty when equal."""
    if unredacted.status != blind.status:
        return (f"status {unredacted.status} unredacted, {blind.status} blind",)
    out: list[str] = []
    a, b = unredacted.fit, blind.fit
    if a is not None and b is not None:
        out += _differ("overall", [("", a.overall, b.overall)])
        out += _differ("category ", [(x.id, x.score, y.score) for x, y in zip(a.categories, b.categories)])
        out += _differ("competency ", [(x.id, x.score, y.score) for x, y in zip(a.competencies, b.competencies)])
    ja, jb = unredacted.job_match, blind.job_match
    if (ja is None) != (jb is None):
        out.append("job match present in only one of the two")
    elif ja is not None and jb is not None:
        out += _differ("job match", [("", ja.score, jb.score)])
        out += _differ("job skill ", [(f"“{x.skill.name}”", x.score, y.score) for x, y in zip(ja.skills, jb.skills)])
    la, lb = unredacted.level, blind.level
    if la is not None and lb is not None:
        out += _differ("level", [("", la.level, lb.level)])
        out += _differ("level probability ", [(i, p, q) for (i, p), (_, q) in zip(la.probabilities, lb.probabilities)])
    return tuple(out)


def shown_strings(value, key: str = ""):
    """Every string of a JSON-able result that a report or export could show (run dates, ids
    and hashes are not personal): what a leak check searches."""
    if key in ("as_of", "sha256", "candidate_id", "pipeline_version", "version"):
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from shown_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from shown_strings(v, key)
    elif isinstance(value, str):
        yield value


def redact_result(result: Result, blind_rescored: Result | None = None) -> Result:
    """The version of ``result`` a blind reader may see, with the redaction-invariance check.

    ``blind_rescored`` is the result of scoring ``redact_document(doc, result)``; ``None`` when
    there was nothing to score again (an unreadable file)."""
    identity = identity_of(result)
    differences = score_differences(result, blind_rescored) if blind_rescored is not None else ()
    check = BlindCheck(
        redacted=identity.kinds(),
        unredacted_overall=result.fit.overall if result.fit else None,
        blind_overall=blind_rescored.fit.overall if blind_rescored and blind_rescored.fit else None,
        differences=differences,
    )
    profile = _without_dates_and_schools(result.profile) if result.profile else None
    shown = _scrub(replace(result, profile=profile, blind=None), identity)
    return replace(shown, source=result.candidate_id, blind=check)


__all__ = [
    "Identity",
    "identity_of",
    "redact_text",
    "redact_document",
    "hide_dates",
    "score_differences",
    "shown_strings",
    "redact_result",
]
