"""Stage 2: turn a Document's lines into a typed Profile.

Steps, each a function below: lines_to_sections → header_to_contact → experience_to_positions
→ positions_to_experience → education / certifications / skills → profile_to_verdict.
The vocabulary (heading names, title words, date words, not-a-résumé phrases) lives in
``rubrics/resume.toml``.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from dataclasses import replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from pipeline.dates import find_date_range, merged_months, months_between
from pipeline.types import (
    Contact,
    Document,
    Education,
    Experience,
    Line,
    Position,
    Profile,
    Section,
    Verdict,
)

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "rubrics" / "resume.toml"


@lru_cache(maxsize=4)
def load_vocabulary(path: str = str(VOCABULARY_FILE)) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive phrase match ("Java" is not in "JavaScript")."""
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text, re.IGNORECASE) is not None


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def _heading_names(vocab: dict) -> dict[str, str]:
    names = {}
    for kind, words in vocab["headings"].items():
        if isinstance(words, list):
            for w in words:
                names[w] = kind
    return names


def heading_kind(line: Line, body_size: float, vocab: dict) -> str | None:
    """The section kind a line announces, or None when it is not a heading."""
    text = line.text.strip().strip(":").strip()
    if not text or line.bullet or len(text.split()) > vocab["headings"]["max_words"]:
        return None
    if re.search(r"\d{4}|@|https?:", text):
        return None
    looks = line.bold or (text.isupper() and len(text) > 2) or line.size >= body_size + 0.9
    names = _heading_names(vocab)
    best = process.extractOne(text.lower(), list(names), scorer=fuzz.ratio)
    if not best:
        return None
    ratio = best[1]
    threshold = vocab["headings"]["min_ratio"]
    if ratio >= threshold and (looks or ratio >= 99):
        return names[best[0]]
    return None


def lines_to_sections(lines: tuple[Line, ...], vocab: dict) -> tuple[Section, ...]:
    body_size = statistics.median([ln.size for ln in lines]) if lines else 10.0
    sections: list[Section] = []
    kind, heading, current = "header", "", []
    for line in lines:
        found = heading_kind(line, body_size, vocab)
        if found:
            if current or kind != "header":
                sections.append(Section(kind, heading, tuple(current)))
            kind, heading, current = found, line.text, []
        else:
            current.append(line)
    sections.append(Section(kind, heading, tuple(current)))
    return tuple(sections)


def section_lines(sections: tuple[Section, ...], kind: str) -> tuple[Line, ...]:
    return tuple(line for s in sections if s.kind == kind for line in s.lines)


# --------------------------------------------------------------------------------------------
# Contact
# --------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d\s().-]{7,}\d)(?!\w)")
_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:linkedin\.com/in/[\w-]+|github\.com/[\w-]+|[\w-]+\.(?:com|io|dev|me|net|org)(?:/[\w./-]*)?)",
    re.IGNORECASE,
)
_LOCATION = re.compile(r"\b[A-Z][a-zA-Z. ]+,\s*(?:[A-Z]{2}|[A-Z][a-z]+)\b")


def header_to_contact(header: tuple[Line, ...], all_lines: tuple[Line, ...]) -> Contact:
    text = "\n".join(line.text for line in all_lines[:40])
    email = _EMAIL.search(text)
    phone = next((m.group().strip() for m in _PHONE.finditer(text) if _phone_like(m.group())), "")
    links = []
    for m in _LINK.finditer(text):
        link = m.group()
        if email and link in email.group():
            continue
        if link not in links:
            links.append(link)
    name = ""
    for line in header[:3] or all_lines[:1]:
        words = line.text.split()
        if 1 < len(words) <= 5 and all(re.match(r"^[^\W\d_][\w.'-]*$", w) for w in words):
            name = line.text
            break
    location = ""
    for line in header[:8]:
        m = _LOCATION.search(line.text)
        if m and not _EMAIL.search(m.group()):
            location = m.group().strip()
            break
    return Contact(
        name=name,
        email=email.group() if email else "",
        phone=phone,
        links=tuple(links),
        location=location,
    )


def _phone_like(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"(19|20)\d{2}\s*[-–]\s*(19|20)\d{2}", text.strip()):
        return False
    return 9 <= len(digits) <= 15


# --------------------------------------------------------------------------------------------
# Positions and tenure
# --------------------------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*(?:\||•|·|—|–|\s-\s|,|\bat\b|@)\s*")


def _is_title(text: str, vocab: dict) -> bool:
    words = vocab["titles"]["words"] + vocab["titles"]["management"]
    return any(contains_phrase(text, w) for w in words)


def _title_and_org(header_texts: list[str], vocab: dict) -> tuple[str, str]:
    parts = [p.strip() for t in header_texts for p in _SPLIT.split(t) if p and p.strip()]
    parts = [p for p in parts if not _LOCATION.fullmatch(p) and len(p) > 1]
    title = next((p for p in parts if _is_title(p, vocab)), "")
    org = next((p for p in parts if p != title), "")
    return title, org


def experience_to_positions(
    lines: tuple[Line, ...], vocab: dict, as_of: date
) -> tuple[Position, ...]:
    present = tuple(vocab["dates"]["present"])
    seasons = vocab["dates"]["seasons"]
    ranges = [find_date_range(line.text, present, seasons, as_of) for line in lines]
    anchors = [i for i, r in enumerate(ranges) if r and not lines[i].bullet]
    positions: list[Position] = []
    header_starts: list[int] = []
    for k, i in enumerate(anchors):
        floor = anchors[k - 1] + 1 if k else 0
        h = i
        while h - 1 >= floor and i - (h - 1) <= 2 and not lines[h - 1].bullet:
            if len(lines[h - 1].text.split()) > 12:
                break
            h -= 1
        header_starts.append(h)
    for k, i in enumerate(anchors):
        end = header_starts[k + 1] if k + 1 < len(anchors) else len(lines)
        rng = ranges[i]
        header = [lines[j].text for j in range(header_starts[k], i)]
        date_line = lines[i].text
        rest = (date_line[: rng.span[0]] + " " + date_line[rng.span[1] :]).strip(" |,-–—")
        header.append(rest)
        body = list(lines[i + 1 : end])
        # A title or company written just under the dates belongs to the header.
        while body and not body[0].bullet and len(header) < 3 and len(body[0].text.split()) <= 8:
            if not _is_title(" ".join(header), vocab) or not any(h.strip() for h in header):
                header.append(body.pop(0).text)
            else:
                break
        title, org = _title_and_org([h for h in header if h], vocab)
        datable = rng.start is not None and rng.end is not None
        months = months_between(rng.start, rng.end) if datable else 0
        positions.append(
            Position(
                title=title,
                organisation=org,
                start=rng.start,
                end=rng.end,
                current=rng.current,
                bullets=tuple(body),
                heading_line=lines[i],
                months=months,
                datable=datable,
                date_text=rng.text,
            )
        )
    return tuple(positions)


_TEAM = re.compile(
    r"\b(?:managed|led|leading|managing|built|grew|hired|supervised|directed)\b[^.;]{0,40}?\b(?:team|org|organi[sz]ation|group)\s+of\s+(\d{1,4})\b"
    r"|\b(\d{1,4})\s+(?:direct reports|reports|engineers|pms|product managers|people|staff|employees)\b",
    re.IGNORECASE,
)


def team_size(text: str) -> int:
    sizes = [int(g) for m in _TEAM.finditer(text) for g in m.groups() if g]
    return max(sizes, default=0)


def is_management_title(title: str, vocab: dict) -> bool:
    return any(contains_phrase(title, w) for w in vocab["titles"]["management"])


def is_leadership_title(title: str, vocab: dict) -> bool:
    t = title
    for w in vocab["titles"]["not_leadership"]:
        t = re.sub(rf"(?i)\b{re.escape(w)}\b", " ", t)
    return any(contains_phrase(t, w) for w in vocab["titles"]["leadership"])


def positions_to_experience(positions: tuple[Position, ...], vocab: dict) -> Experience:
    dated = [p for p in positions if p.datable]
    spans = [(p.start, p.end) for p in dated]
    product = [(p.start, p.end) for p in dated if is_management_title(p.title, vocab)]
    teams = {id(p): team_size(" ".join(b.text for b in p.bullets)) for p in positions}
    leading = [
        (p.start, p.end)
        for p in dated
        if is_leadership_title(p.title, vocab) or teams[id(p)] >= 2
    ]
    orgs = {p.organisation.lower() for p in positions if p.organisation}
    employer_count = len(orgs) or len(positions)
    total = merged_months(spans)
    return Experience(
        total_months=total,
        product_months=merged_months(product),
        leadership_months=merged_months(leading),
        employer_count=employer_count,
        average_tenure_months=round(total / employer_count, 1) if employer_count else 0.0,
        undatable_positions=sum(not p.datable for p in positions),
        max_team_size=max(teams.values(), default=0),
    )


# --------------------------------------------------------------------------------------------
# Education, certifications, skills
# --------------------------------------------------------------------------------------------

_INSTITUTION = re.compile(r"\b(university|college|institute|school|academy|polytechnic)\b", re.I)


def lines_to_education(lines: tuple[Line, ...], vocab: dict) -> tuple[Education, ...]:
    found = []
    for i, line in enumerate(lines):
        level = next(
            (lv for lv, words in vocab["degrees"].items() if any(contains_phrase(line.text, w) for w in words)),
            "",
        )
        if not level:
            continue
        near = [ln.text for ln in lines[max(0, i - 1) : i + 2]]
        institution = next((t for t in near if _INSTITUTION.search(t)), "")
        year = max((int(y) for t in near for y in re.findall(r"\b(19[5-9]\d|20[0-4]\d)\b", t)), default=None)
        m = re.search(r"\b(?:in|of)\s+([A-Z][\w &/-]+)", line.text)
        found.append(Education(level, m.group(1).strip() if m else "", institution, year, line))
    return tuple(found)


def lines_to_certifications(lines: tuple[Line, ...], vocab: dict) -> tuple[str, ...]:
    text = "\n".join(line.text for line in lines)
    return tuple(n.upper() if len(n) <= 5 else n for n in vocab["certifications"]["names"] if contains_phrase(text, n))


def lines_to_skills(lines: tuple[Line, ...]) -> tuple[str, ...]:
    skills: list[str] = []
    for line in lines:
        text = line.text.split(":", 1)[1] if ":" in line.text[:30] else line.text
        for item in re.split(r"\s*(?:,|;|\||•|·)\s*", text):
            item = item.strip(" .")
            if 1 < len(item) <= 40 and item.lower() not in {s.lower() for s in skills}:
                skills.append(item)
    return tuple(skills)


# --------------------------------------------------------------------------------------------
# Verdict
# --------------------------------------------------------------------------------------------


def profile_to_verdict(doc: Document, sections: tuple[Section, ...], positions, vocab: dict) -> Verdict:
    rules = vocab["not_resume"]
    text = doc.text.lower()
    words = len(text.split())
    if words < rules["min_words"]:
        return Verdict(False, f"near-empty document: {words} words, fewer than {rules['min_words']}")
    placeholders = [p for p in rules["placeholder_phrases"] if p in text]
    if len(placeholders) >= rules["placeholder_min_hits"]:
        return Verdict(False, "template with placeholder text (" + ", ".join(placeholders[:3]) + ")")
    letter = [p for p in rules["cover_letter_phrases"] if p in text]
    if len(letter) >= rules["cover_letter_min_hits"] and not positions:
        return Verdict(False, "a cover letter, not a résumé (" + ", ".join(letter[:3]) + ")")
    kinds = {s.kind for s in sections}
    if not positions and not ({"experience", "education"} & kinds):
        return Verdict(False, "no experience or education found: does not read as a résumé")
    return Verdict(True, "")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------


def document_to_profile(doc: Document, as_of: date, vocab: dict | None = None) -> Profile:
    vocab = vocab or load_vocabulary()
    sections = lines_to_sections(doc.lines, vocab)
    header = section_lines(sections, "header")
    experience_lines = section_lines(sections, "experience")
    positions = experience_to_positions(experience_lines, vocab, as_of)
    if not positions:  # résumés without a recognised experience heading
        body = tuple(ln for s in sections if s.kind not in ("education", "header") for ln in s.lines)
        positions = experience_to_positions(body, vocab, as_of)
    profile = Profile(
        as_of=as_of,
        sections=sections,
        contact=header_to_contact(header, doc.lines),
        positions=positions,
        education=lines_to_education(section_lines(sections, "education"), vocab),
        certifications=lines_to_certifications(doc.lines, vocab),
        skills=lines_to_skills(section_lines(sections, "skills")),
        experience=positions_to_experience(positions, vocab),
        verdict=Verdict(True),
    )
    return replace(profile, verdict=profile_to_verdict(doc, sections, positions, vocab))
