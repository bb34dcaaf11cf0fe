"""A job description (text, Markdown or PDF) → what it asks for: skills and years.

Steps: file_to_lines (a PDF's text comes from ``pipeline.pdf_to_document``) → lines_to_blocks
(headings, and each line under the heading it belongs to) → block lines to ``JobSkill``s:
the rubric competencies a line asks for (the same matcher that scores résumés: aliases,
keywords, paraphrases of the rubric's reference sentences) plus the tools it names in a list
("Tools: JIRA, Confluence, Figma") → the years of experience asked for.

Sections about the company, benefits or pay are skipped; lines under "preferred", "nice to
have" or "bonus" headings, or that say so themselves, are preferred, everything else required.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.profile_to_fit import Unit, rubric_matcher, unit_to_hits
from pipeline.rubric import Rubric
from pipeline.types import JobDescription, JobSkill, Problem, Settings


# Heading words, checked in this order: a heading naming none of them keeps the current kind.
_HEADING_KINDS = (
    ("skip", ("about us", "about the company", "benefit", "perk", "why join", "compensation", "salary",
              "equal opportunity", "how to apply", "location", "our values", "who we are", "company",
              "overview", "about the role", "summary")),
    ("preferred", ("preferred", "nice to have", "nice-to-have", "bonus", "desired", "plus", "ideally")),
    ("required", ("qualification", "requirement", "required", "must have", "must-have", "what you bring",
                  "looking for", "you have", "skills", "experience", "responsibilit", "what you'll do",
                  "what you will do", "duties", "the role", "key", "you will")),
)
_PREFERRED_LINE = re.compile(r"\b(preferred|nice[- ]to[- ]have|a plus|is a plus|are a plus|bonus|ideally|desirable)\b", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦●]|\d+[.)])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
_BOLD_LINE = re.compile(r"^\s*\*\*([^*]+)\*\*\s*:?\s*$")
_YEARS = re.compile(
    r"(?:minimum of|at least|min\.?)?\s*(\d{1,2})(?:\s*\+|\s*plus)?\s*(?:(?:-|–|—|to)\s*(\d{1,2})\s*\+?)?\s*years?",
    re.I,
)
_LIST = re.compile(r"\(([^)]{3,})\)|:\s*(.+)$")
_MARKUP = re.compile(r"[*_`#>]+")


def file_to_lines(path: str | Path, settings: Settings) -> tuple[list[str], Problem | None]:
    """The job description's lines; a PDF (by name or by header) is read by pdf_to_document."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], Problem("unreadable", f"cannot read job description: {exc.strerror or exc}")
    if path.suffix.lower() == ".pdf" or data[:1024].find(b"%PDF-") >= 0:
        from pipeline.pdf_to_document import pdf_to_document

        doc = pdf_to_document(path, settings)
        if doc.problem:
            return [], doc.problem
        body = sorted(ln.size for ln in doc.lines)[len(doc.lines) // 2] if doc.lines else 0
        lines = []
        for ln in doc.lines:  # bold or larger short lines are headings; bullets stay bullets
            heading = not ln.bullet and (ln.bold or ln.size > body + 0.9) and len(ln.text.split()) <= 6
            lines.append(("## " if heading else "- " if ln.bullet else "") + ln.text)
        return lines, None
    return data.decode("utf-8", errors="replace").splitlines(), None


def _heading(line: str) -> str | None:
    m = _MD_HEADING.match(line) or _BOLD_LINE.match(line)
    if m:
        return m.group(1).strip()
    text = line.strip()
    if text.endswith(":") and len(text.split()) <= 6 and not _BULLET.match(line):
        return text[:-1]
    return None


def _heading_kind(heading: str, current: str) -> str:
    low = heading.lower()
    for kind, words in _HEADING_KINDS:
        if any(w in low for w in words):
            return kind
    return current


def _clean(text: str) -> str:
    text = _BULLET.sub("", text)
    text = _MARKUP.sub("", text)
    return " ".join(text.split()).strip(" .;")


def _listed_terms(text: str) -> tuple[str, ...]:
    """Named tools in a list inside the line: "(SQL, Tableau, Mixpanel)", "Tools: JIRA, Figma"."""
    out: list[str] = []
    for m in _LIST.finditer(text):
        chunk = m.group(1) or m.group(2) or ""
        items = [i.strip(" .") for i in re.split(r",|/|;|\bor\b|\band\b", chunk)]
        items = [re.sub(r"^(?:e\.g\.?|i\.e\.?|such as|like)\s*", "", i, flags=re.I) for i in items]
        items = [i for i in items if len(i.split()) <= 3 and len(i) >= 2 and not re.search(r"\d", i)
                 and i.lower() not in ("etc", "e.g", "other")]
        if len(items) >= 2:
            out += items
    return tuple(dict.fromkeys(out))


def lines_to_job(lines: list[str], source: str, rubric: Rubric) -> JobDescription:
    matcher = rubric_matcher(rubric)
    title = ""
    kind = "intro"
    skills: list[JobSkill] = []
    candidates: list[tuple[str, bool]] = []
    min_years = max_years = None
    years_quote = ""
    for raw in lines:
        if not raw.strip() or raw.strip() == "---":
            continue
        if not title:
            m = re.match(r"^\s*(?:\*\*)?(?:title|role title|role)(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.+)$", raw, re.I)
            if m:
                title = _clean(m.group(1))
        heading = _heading(raw)
        if heading is not None:
            kind = _heading_kind(heading, kind)
            if not title and kind == "intro":
                title = re.sub(r"^job description\s*[:-]\s*", "", _clean(heading), flags=re.I)
            continue
        text = _clean(raw)
        if not text:
            continue
        if min_years is None and kind != "skip":
            m = _YEARS.search(text)
            if m:
                min_years = float(m.group(1))
                max_years = float(m.group(2)) if m.group(2) else None
                years_quote = text
        if kind in ("skip", "intro") and not _BULLET.match(raw):
            continue
        if kind == "skip":
            continue
        candidates.append((text, kind == "preferred" or bool(_PREFERRED_LINE.search(text))))
    texts = [t for t, _ in candidates]
    sims = matcher.similarities(texts)
    for i, (text, preferred) in enumerate(candidates):
        unit = Unit(text, text, "job", 1, "bullet", 1.0, ("job description",))
        hits = unit_to_hits(unit, matcher.correct(text), sims[i], matcher)
        comps = tuple(matcher.competencies[j].id for j in sorted(hits))
        terms = _listed_terms(text)
        if not comps and not terms:
            continue
        name = text if len(text) <= 90 else text[:89].rstrip() + "…"
        skills.append(JobSkill(name=name, quote=text, required=not preferred, terms=terms, competencies=comps))
    problem = None if skills else Problem("no_skills", "no skills or requirements found in the job description")
    return JobDescription(source=source, title=title, skills=tuple(skills), min_years=min_years,
                          max_years=max_years, years_quote=years_quote, problem=problem)


def text_to_job(text: str, source: str, rubric: Rubric) -> JobDescription:
    return lines_to_job(text.splitlines(), source, rubric)


def file_to_job(path: str | Path, settings: Settings, rubric: Rubric) -> JobDescription:
    """Read a job description (.pdf, or text/Markdown); a problem is data, never raised."""
    path = Path(path)
    lines, problem = file_to_lines(path, settings)
    if problem:
        return JobDescription(source=path.name, problem=problem)
    return lines_to_job(lines, path.name, rubric)
