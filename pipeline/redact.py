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
* display redaction (``redact_result``): identity redaction plus, everywhere, every token of the
  name ("Maya led the migration", "Lindqvist et al."), every school an education entry names
  (with or without a school word: "MIT", "Sciences Po"), and every year (1940-2039, "'09",
  "1998-2003"), so that employment dates (which tenure is computed from, and which therefore
  stay in the scored text) are not shown either. Durations are kept, and positions keep their
  place in time relative to the run date (``Position.relative_months``) for a timeline with no
  calendar dates. Numbers that are not years ("40%", "$2M", "2000 customers") stay.

The words these need (name particles, schools written without a school word, field-of-study
words, count nouns) are data: ``rubrics/redact.toml``.

Photos are never extracted from a PDF, so no stage datum can carry one.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

from pipeline.document_to_profile import load_vocabulary
from pipeline.rubric import load_data_file
from pipeline.types import (
    BlindCheck,
    Contact,
    Document,
    Line,
    Profile,
    Result,
    YearMonth,
)

WORDS_FILE = Path(__file__).resolve().parent.parent / "rubrics" / "redact.toml"

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
    rf"(?:(?:[A-Z][\w.&'-]*|of|and|the|for|de|del|di|OF|AND|THE|FOR)\s+)*"
    rf"(?:{_SCHOOL_WORDS}|{_SCHOOL_WORDS.upper()})\b"
    rf"(?:\s+(?:of|for|and|de|del|di|at|OF|FOR|AND|AT)(?:\s+(?:[A-Z][\w.&'-]*|and|the|AND|THE))+)?"
)
_CONTACT_HEADING = re.compile(r"\b(?:contact|personal|details)\b", re.IGNORECASE)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_SEASON = r"(?:Spring|Summer|Autumn|Fall|Winter)"
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
# A year with whatever makes it a date: "May 2027", "04/2022", "Summer 2026".
_DATE = re.compile(rf"(?:(?:{_MONTH}|{_SEASON})\s+|\b\d{{1,2}}[/.-])?\b{_YEAR}\b", re.IGNORECASE)
# What a reader never sees in a blind text: a year from 1940 to 2039 however it is written,
# with whatever makes it a date ("May 2027", "04/2022", "2019-03-01", "FY2019") and the other
# end of a range ("1998–2003", "2019/20"). Not a year: "40%", "$2015", "2,015", "2015.5",
# "ISO 27001", "port 8080", "2000+" and "2000 customers" (see ``count_nouns`` in redact.toml).
_SHOWN_Y = r"(?:19[4-9]\d|20[0-3]\d)"
_NOT_NUMBER_BEFORE = r"(?:(?<=FY)|(?<=fy)|(?<![\w$€£¥#.,+]))"
_NOT_NUMBER_AFTER = r"(?![\w%+]|[.,]\d)"
_SHOWN_YEAR = re.compile(
    rf"{_NOT_NUMBER_BEFORE}(?P<prefix>(?:{_MONTH}|{_SEASON})\s+|\d{{1,2}}[/.-](?:\d{{1,2}}[/.-])?)?"
    rf"(?P<year>{_SHOWN_Y})(?P<iso>[-/.](?:0[1-9]|1[0-2])(?:[-/.]\d\d)?(?!\d))?{_NOT_NUMBER_AFTER}"
    rf"(?:(?P<sep>\s*(?:[-–—/]|to)\s*)(?P<end>{_SHOWN_Y}){_NOT_NUMBER_AFTER}"
    rf"|(?P<short>[-–—/])(?P<end2>\d{{2}}){_NOT_NUMBER_AFTER})?",  # "2019/20"
    re.IGNORECASE,
)
# "'09", "Class of '98", "the '90s", "'18–'22".
_SHORT_YEAR = re.compile(r"(?<![\w'’‘])['’‘]\d{2}s?(?![\w'’‘%])")
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
    name_in_body: bool = True  # False when the name reads like a job title or a heading
    name_parts: tuple[str, ...] = ()  # every token: hidden everywhere, any case
    body_name_parts: tuple[str, ...] = ()  # when not name_in_body: the tokens hidden in the body, as written
    email: str = ""
    phone_digits: str = ""
    links: tuple[str, ...] = ()
    location: str = ""
    schools: tuple[str, ...] = ()  # names with a school word: hidden everywhere, also when re-scored
    # Every institution an education entry names, with or without a school word, their short
    # forms ("Pacific Sound", "GLSU") included: hidden in education lines when re-scored, and
    # everywhere in what a reader sees.
    school_names: tuple[str, ...] = ()
    education_school_names: tuple[str, ...] = ()  # parts of an entry that are also ordinary words
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
            "school names": self.schools or self.school_names,
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
            "name_parts": _phrase_pattern(self.name_parts, re.IGNORECASE),
            "body_name_parts": _phrase_pattern(tuple(v for t in self.body_name_parts for v in (t, t.title(), t.upper())), 0),
            "file": _phrase_pattern((stem,), re.IGNORECASE),
            "location": _phrase_pattern((self.location,), 0),
            "schools": _phrase_pattern(self.schools, 0),
            "school_names": _phrase_pattern(self.school_names, 0),
            "education_school_names": _phrase_pattern(self.school_names + self.education_school_names, 0),
        }


def _phrase_pattern(phrases: tuple[str, ...], flags: int) -> re.Pattern | None:
    """Any of ``phrases``, not inside a longer word; None when there are none."""
    phrases = tuple(sorted({p for p in phrases if p}, key=len, reverse=True))
    if not phrases:
        return None
    # Not inside a placeholder either: a name part "Name" must not turn "[name]" into "[[name]]".
    return re.compile(rf"(?<![\w\[])(?:{'|'.join(map(re.escape, phrases))})(?![\w\]])", flags)


def _lines(profile: Profile, kind: str) -> frozenset[Line]:
    return frozenset(ln for s in profile.sections if s.kind == kind for ln in s.lines)


def _name_like(header: frozenset[Line]) -> str:
    """When the profile found no name: the first header line that reads like one."""
    for line in sorted(header, key=lambda ln: (ln.page, ln.top, ln.x0))[:3]:
        words = line.text.split()
        if 2 <= len(words) <= 5 and all(re.fullmatch(r"[^\W\d_][\w.'’-]*", w) and w[0].isupper() for w in words):
            return line.text.strip()
    return ""


@cache
def redaction_words() -> dict:
    """``rubrics/redact.toml``: name particles, schools written without a school word, field
    words, the terms of an education line that are about the studies, count nouns."""
    return load_data_file(WORDS_FILE)


def name_tokens(name: str) -> tuple[str, ...]:
    """Every token of a name that identifies on its own (2+ characters): "Ferreira-Holt" gives
    Ferreira and Holt. Particles ("van", "de") count only when they open the name ("Van
    Nguyen"); suffixes and credentials ("Jr", "PMP") never do."""
    words = redaction_words()["names"]
    particles, suffixes = set(words["particles"]), set(words["suffixes"])
    out: list[str] = []
    for i, raw in enumerate(t for t in re.split(r"[\s,/()|]+|[-‐–—](?=\w)", name) if t):
        token = raw.strip(".,;:'’\"-")
        low = token.lower()
        if len(token) < 2 or not any(c.isalpha() for c in token) or low.rstrip(".") in suffixes:
            continue
        if low in particles and i > 0:
            continue
        if token not in out:
            out.append(token)
    return tuple(out)


@cache
def _degree_pattern() -> re.Pattern:
    """A degree named by the résumé vocabulary ("M.S.", "MBA", "Bachelor of ..."), whole words."""
    words = sorted({w for ws in load_vocabulary()["degrees"].values() for w in ws}, key=len, reverse=True)
    return re.compile(rf"(?<![\w.])(?:{'|'.join(map(re.escape, words))})(?:'?s)?\.?(?![\w])", re.IGNORECASE)


@cache
def _known_schools() -> re.Pattern:
    names = sorted(redaction_words()["schools"]["names"], key=len, reverse=True)
    return re.compile(rf"(?<![\w\[])(?:{'|'.join(map(re.escape, names))})(?![\w\]])")


@cache
def _study_line() -> re.Pattern:
    labels = sorted(redaction_words()["schools"]["study_lines"], key=len, reverse=True)
    return re.compile(rf"\W*(?:{'|'.join(map(re.escape, labels))})\b", re.IGNORECASE)


@cache
def _keep_terms() -> re.Pattern:
    terms = sorted(redaction_words()["schools"]["keep_terms"], key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, terms))})(?!\w)", re.IGNORECASE)


# Where an education line splits into parts: "M.S. CS | MIT | 2016", "MSc, ETH Zürich (2015)".
_PARTS = re.compile(r"\s*(?:[|•·;,\t()\[\]:]|\s[–—-]\s|[–—]|\s(?:at|from|AT|FROM)\s)\s*")
_CONNECTORS = {"of", "and", "the", "for", "de", "del", "di", "at", "in", "&"}
# Words that say what kind of school, not which one: not a short form on their own.
_GENERIC = {
    "state", "national", "community", "technical", "graduate", "public", "international", "open",
    "city", "central", "metropolitan", "business", "management", "law", "medicine", "technology",
    "engineering", "arts", "science", "sciences", "high", "junior", "senior", "american", "new",
    "university", "college", "institute", "school", "academy", "polytechnic",
}


@cache
def _not_school_words() -> frozenset[str]:
    """Words that never make a part of an education line a school on their own: fields of study,
    kinds of school, job-title and section-heading words, placeholders ("City, State")."""
    vocab = load_vocabulary()
    words = set(redaction_words()["schools"]["field_words"]) | _GENERIC | _CONNECTORS
    words |= set(vocab["titles"]["words"])
    for kind, names in vocab["headings"].items():
        if isinstance(names, list):
            words |= {w for name in names for w in name.lower().split()}
    words |= {w.lower() for w in vocab["organisations"].get("placeholders", []) if isinstance(w, str)}
    return frozenset(words)


def _plain(word: str) -> str:
    return word.lower().strip(".,'’()")


def _school_in_part(part: str, field: str) -> str:
    """The institution in one part of an education entry's line, or "": whatever is left once
    the degree, the field, dates and study terms are taken out, when it reads like a name (every
    word capitalised, four words at most, at least one of them not a field, title or heading
    word)."""
    part = part.strip(" .-–—'’\"")
    if len(part) < 3 or any(c.isdigit() for c in part) or _keep_terms().search(part):
        return ""
    rest = _degree_pattern().sub(" | ", part)
    if field and len(field) >= 3:
        rest = rest.replace(field, " | ")
    common = _not_school_words()
    for piece in _PARTS.split(rest):
        words = piece.split()
        # a school without a school word has a short name ("MIT", "Carnegie Mellon"); a title
        # ("A Quantified Theory of Social Cohesion") is longer
        if not words or len(words) > 4 or words[0] in ("A", "An"):
            continue
        if not all(w[0].isupper() or w.lower() in _CONNECTORS for w in words):
            continue
        first = next((i for i, w in enumerate(words) if _plain(w) not in common), None)
        if first is None:
            continue
        # "MSc Computer Science ETH Zürich": the run of name words after the field
        return " ".join(words if rest.strip() == part else words[first:]).strip()
    return ""


def _short_forms(school: str) -> list[str]:
    """How a résumé may name the same school again: "Pacific Sound University" → "Pacific
    Sound" and "PSU"; "University of Michigan" → "Michigan". Only for a name with a school word,
    and never a field ("Chemistry University of ..." gives no "Chemistry")."""
    words = school.split()
    at = next((i for i, w in enumerate(words) if re.fullmatch(rf"{_SCHOOL_WORDS}|{_SCHOOL_WORDS.upper()}", w)), None)
    if at is None:
        return []
    common = _not_school_words()
    head = words[:at]
    while head and _plain(head[0]) in common:  # "Computer Science Illinois Institute ..."
        head = head[1:]
    tail = words[at + 1 :]
    core = head or (tail[1:] if tail and tail[0].lower() == "of" else [])
    while core and _plain(core[-1]) in _GENERIC | _CONNECTORS:
        core = core[:-1]
    out = []
    if core and any(_plain(w) not in common for w in core) and len(" ".join(core)) >= 4:
        out.append(" ".join(core))
    named = head + [words[at]] + tail
    initials = "".join(w[0] for w in named if w[0].isupper() and w.lower() not in _CONNECTORS)
    if len(initials) >= 3 and len(named) >= 3 and initials not in redaction_words()["schools"]["not_acronyms"]:
        out.append(initials)
    return out


def _education_schools(profile: Profile, education: frozenset[Line]) -> tuple[list[str], list[str]]:
    """Every institution the candidate's education names, as (hidden everywhere, hidden in the
    education section only).

    Everywhere: what the profile parsed, names with a school word and their short forms
    ("Pacific Sound", "PSU"), names from ``rubrics/redact.toml``, and the name-like part of an
    entry's heading lines that is neither the degree, the field, a date nor a study term ("Riverbend
    Polytech"). That last kind stays in the education section only when the résumé also writes it
    in lower case elsewhere ("Insurance" beside "insurance claims": a word, not a name), and a
    line with four or more such parts is a list of courses, not an entry."""
    found: list[str] = []
    local: list[str] = []

    def add(school: str, into: list[str]) -> None:
        school = school.strip(" .,;:-–—|")
        while (m := _degree_pattern().match(school)) is not None:  # "BBA STEPHEN F AUSTIN STATE UNIVERSITY"
            school = school[m.end():].strip(" .,;:-–—|")
        if all(_plain(w) in _GENERIC | _CONNECTORS for w in school.split()):  # "University", "State"
            return
        if _degree_pattern().fullmatch(school) or _degree_pattern().fullmatch(school + "."):  # "A.A"
            return
        if len(school) >= 3 and school not in found and school not in into:
            into.append(school)

    for e in profile.education:
        if e.institution:
            add(" ".join(re.sub(r"\b\d{4}\b|[–—-]", " ", e.institution).split()), found)
    lines = sorted(education, key=lambda ln: (ln.page, ln.top, ln.x0))
    fields = {e.line: e.field for e in profile.education if e.line is not None}
    degree = [bool(_degree_pattern().search(ln.text)) for ln in lines]
    entry: dict[int, str] = {}  # heading lines of an entry, with the entry's field
    for i, ln in enumerate(lines):  # the degree's line, and the line above when it names no degree
        if degree[i]:
            field = fields.get(ln, "")
            for k in (i - 1, i):
                if 0 <= k < len(lines) and (k == i or not (degree[k] or lines[k].bullet)):
                    entry.setdefault(k, field)
    rest_of_text = "\n".join(ln.text for s in profile.sections if s.kind != "education" for ln in s.lines)
    not_acronyms = set(redaction_words()["schools"]["not_acronyms"])
    for i, ln in enumerate(lines):
        for text in dict.fromkeys((ln.text, ln.raw)):
            for m in _SCHOOL.finditer(text):
                if len(m.group().split()) >= 2:
                    add(m.group(), found)
            for m in _known_schools().finditer(text):
                add(m.group(), found)
            if i not in entry or _study_line().match(text):
                continue
            parts = [_school_in_part(part, entry[i]) for part in _PARTS.split(_DATE.sub(" | ", text)) if not _SCHOOL.search(part)]
            parts = [part for part in parts if part and part not in not_acronyms]
            if len(parts) >= 4:  # "Facility Design, Quality Assurance, Lean Manufacturing, ..."
                continue
            for part in parts:
                word = re.search(rf"(?<!\w){re.escape(part.lower())}(?!\w)", rest_of_text)
                add(part, local if word else found)
    for school in list(found):
        for short in _short_forms(school):
            add(short, found)
    return found, [s for s in local if s not in found]


def _reads_like_a_name(name: str) -> bool:
    """One to five words, each capitalised (or a particle: "van"), no digits, not a sentence."""
    words = name.split()
    particles = set(redaction_words()["names"]["particles"])
    return (
        1 <= len(words) <= 5
        and not any(c.isdigit() for c in name)
        and not name.rstrip().endswith((".", ":", ";", "!", "?"))
        and all(w[0].isupper() or w.lower() in particles for w in words)
    )


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
    school_names, education_only = _education_schools(profile, education)
    name = contact.name.strip() or _name_like(_lines(profile, "header"))
    titles = " | ".join(pos.title for pos in profile.positions).lower()
    if name and name.lower() in titles:
        name = ""  # a job title read as a name ("CHEF OWNER" heading the résumé): not identifying
    vocab = load_vocabulary()
    title_words = set(vocab["titles"]["words"])
    heading_words = {w for names in vocab["headings"].values() if isinstance(names, list) for n in names for w in n.lower().split()}
    # "LEAD INTERACTION DESIGNER" may be a title taken for a name, "Professional Overview" a
    # heading: hidden where the name stands (the header), but in the body the same words are the
    # candidate's work, not their name. Their other tokens ("Mason" in "Mason Cook") are still
    # hidden everywhere, as written.
    words = set(re.split(r"[\s-]+", name.lower()))
    name_in_body = not words & (title_words | heading_words)
    parts = name_tokens(name)
    body_parts = () if name_in_body else tuple(t for t in parts if t.lower() not in title_words | heading_words)
    if not _reads_like_a_name(name):  # "prosperity through strategic business plans.": a sentence
        name_in_body, body_parts = False, ()
    return Identity(
        name=name,
        name_in_body=name_in_body,
        name_parts=parts,
        body_name_parts=body_parts,
        email=contact.email,
        phone_digits=re.sub(r"\D", "", contact.phone),
        links=contact.links,
        location=contact.location,
        schools=tuple(sorted(schools, key=len, reverse=True)),
        school_names=tuple(sorted(set(schools) | set(school_names), key=len, reverse=True)),
        education_school_names=tuple(sorted(education_only, key=len, reverse=True)),
        source_stem=stem,
        as_of_year=result.as_of.year,
        header=frozenset(header),
        education=education,
    )


def _phone(identity: Identity, anywhere: bool):
    def sub(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group())
        if re.fullmatch(rf"\(?{_YEAR}\s*[-–]\s*{_YEAR}\)?|{_YEAR}[-./]\d\d[-./]\d\d|\d\d[-./]\d\d[-./]{_YEAR}", m.group().strip()):
            return m.group()  # a range of years or a date ("2025-09-05"), not a phone number
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
        text = _replace(text, phrases["education_school_names"], SCHOOL)
        text = _SCHOOL.sub(_school_mark, text)
        text = re.sub(rf"\b{_YEAR}\b", _neutral(identity), text) if neutral_years else _DATE.sub(YEAR, text)
    return text


def _school_mark(m: re.Match) -> str:
    """``[school]`` for a school-word name of two words or more, keeping a degree in front of it."""
    text = m.group()
    if len(text.split()) < 2:
        return text
    degree = _degree_pattern().match(text)
    return text[: degree.end()] + " " + SCHOOL if degree and text[degree.end():].strip() else SCHOOL


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


@cache
def _count_noun() -> re.Pattern:
    nouns = sorted(redaction_words()["years"]["count_nouns"], key=len, reverse=True)
    return re.compile(rf"\s+(?:{'|'.join(map(re.escape, nouns))})\b")


def _year_mark(m: re.Match) -> str:
    if m.group("end") or m.group("end2"):
        return YEAR + (m.group("sep") or m.group("short")) + YEAR
    if not (m.group("prefix") or m.group("iso")) and _count_noun().match(m.string, m.end()):
        return m.group()  # "2000 customers": a count, not a year
    return YEAR


def hide_dates(text: str) -> str:
    """Every year becomes ``[year]``, with what makes it a date and both ends of a range; other
    numbers stay (see ``_SHOWN_YEAR``)."""
    if not text or not any(c.isdigit() for c in text):
        return text
    return _SHORT_YEAR.sub(YEAR, _SHOWN_YEAR.sub(_year_mark, text))


def shown_text(text: str, identity: Identity, **where: bool) -> str:
    """What a blind reader sees: identity redaction, then everywhere every school the candidate's
    education names, every token of their name (unless the name reads like a job title) and
    every year."""
    text = redact_text(text, identity, **where)
    phrases = identity.phrases
    text = _replace(text, phrases["school_names"], SCHOOL)
    if identity.name_in_body or where.get("header"):
        text = _replace(text, phrases["name_parts"], NAME)
    else:
        text = _replace(text, phrases["body_name_parts"], NAME)
    return hide_dates(text)


def _show_line(line: Line | None, identity: Identity) -> Line | None:
    if line is None:
        return None
    shown = identity.shown_lines.get(line)  # a bullet is also a line of its section: once is enough
    if shown is None:
        where = dict(header=line in identity.header, education=line in identity.education)
        shown = replace(line, text=shown_text(line.text, identity, **where), raw=shown_text(line.raw, identity, **where))
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
        return value if key in _IDS else shown_text(value, identity)
    if isinstance(value, Line):
        return _show_line(value, identity)
    if isinstance(value, tuple):
        return tuple(_scrub(v, identity, key) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub(getattr(value, f.name), identity, f.name) for f in dataclasses.fields(value) if f.init}
        return replace(value, **changes)
    return value


def _month(ym: YearMonth) -> int:
    return ym.year * 12 + ym.month - 1


def relative_months(start: YearMonth | None, end: YearMonth | None, current: bool, as_of) -> tuple[int, int] | None:
    """A position's months relative to the as-of month, end exclusive: (-38, -11) began 38 months
    before and ended 11 months before; a current one ends at 1 (the as-of month included)."""
    if start is None:
        return None
    now = as_of.year * 12 + as_of.month - 1
    first = _month(start)
    last = _month(end) + 1 if end is not None else (now + 1 if current else first + 1)
    return first - now, max(last, first + 1) - now


def _without_dates_and_schools(profile: Profile) -> Profile:
    return replace(
        profile,
        contact=Contact(),
        positions=tuple(
            replace(
                p, start=None, end=None, date_text="",
                relative_months=relative_months(p.start, p.end, p.current, profile.as_of) if p.datable else None,
            )
            for p in profile.positions
        ),
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
    and hashes are not personal, nor the names of the kinds redacted): what a leak check searches."""
    if key in ("as_of", "sha256", "candidate_id", "pipeline_version", "version", "redacted"):
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
    "shown_text",
    "name_tokens",
    "relative_months",
    "score_differences",
    "shown_strings",
    "redact_result",
]
