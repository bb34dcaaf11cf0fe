"""Stage 2: turn a Document's lines into a typed Profile.

Steps, each a function below:

    lines_to_sections      headings from the line's own signals + the fuzzy heading vocabulary
    header_to_contact      name, email, phone, links, location (display and redaction only)
    lines_to_positions     entries of the experience section: title, organisation, dates, bullets
    positions_to_experience  months against ``as_of``: total (overlaps merged), product, people
    lines_to_education / lines_to_certifications / lines_to_skills
    profile_to_verdict     "not a scorable résumé" and why

The vocabulary (heading names, title words, date words, degrees, certifications, not-a-résumé
signs) lives in ``rubrics/resume.toml``. Dates are read by ``pipeline.dates``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from pipeline.dates import _YEAR4, DateRange, find_date_ranges, merged_months, months_between
from pipeline.rubric import load_data_file
from pipeline.terms import WholeWords, ascii_fold, whole_words
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
    return load_data_file(path)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive phrase match ("Java" is not in "JavaScript")."""
    return _phrase_pattern(phrase).search(text) is not None


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){re.escape(phrase)}(?![\w])", re.IGNORECASE)


@lru_cache(maxsize=64)
@lru_cache(maxsize=64)
def _alternation(phrases: tuple[str, ...]) -> WholeWords | re.Pattern:
    r"""Many phrases as whole words, any case, longest first: what the regex
    ``(?<![\w])(?:phrase|…)(?![\w])`` finds, found without compiling it (``whole_words``)."""
    return whole_words(phrases, "") or _NOTHING


_NOTHING = re.compile("(?!)")  # no phrases: nothing matches


def _date_words(vocab: dict) -> tuple[tuple[str, ...], dict]:
    dates = vocab["dates"]
    return tuple(dates["present"]), {k: tuple(v) for k, v in dates["seasons"].items()}


def line_ranges(text: str, vocab: dict, as_of: date, *, singles: bool = True) -> list[DateRange]:
    present, seasons = _date_words(vocab)
    return find_date_ranges(text, present, seasons, as_of, singles=singles)


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


_HEADING_CACHE: dict[int, dict[str, str]] = {}


def _heading_names(vocab: dict) -> dict[str, str]:
    """Heading name (also without spaces, for letter-spaced headings) → section kind."""
    key = id(vocab["headings"])
    if key not in _HEADING_CACHE:
        names = {}
        for kind, words in vocab["headings"].items():
            if isinstance(words, list):
                for w in words:
                    names[w] = kind
                    names[w.replace(" ", "")] = kind
        _HEADING_CACHE[key] = names
    return _HEADING_CACHE[key]


def _clean_heading(text: str) -> str:
    text = re.sub(r"[^\w&' ]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def heading_kind(line: Line, body_size: float, vocab: dict, body_x0: float | None = None) -> str | None:
    """The section kind a line announces, or None when it is not a heading.

    A heading stands alone: not a bullet, at most ``max_words`` words, no dates, e-mail or URL.
    It is taken when its words are (nearly) a heading name, or when it looks like a heading
    (bold, capitals, larger, or left of the body text) and matches fuzzily or by its last word.
    """
    rules = vocab["headings"]
    raw = line.text.strip().rstrip(":").strip()
    text = _clean_heading(raw)
    if not text or line.bullet or len(text.split()) > rules["max_words"] or len(raw) > 48:
        return None
    if re.search(rf"{_YEAR4}|@|https?:|www\.|\d{{3}}", raw):
        return None
    letters = [c for c in raw if c.isalpha()]
    capitals = len(letters) > 2 and all(c.isupper() for c in letters if c.isascii())
    outdented = body_x0 is not None and line.x0 < body_x0 - 8
    looks = line.bold or capitals or line.size >= body_size + 0.9 or outdented
    names = _heading_names(vocab)
    candidates = {text, text.replace(" ", "")}
    best_name, best_ratio = "", 0.0
    for candidate in candidates:
        found = process.extractOne(candidate, list(names), scorer=fuzz.ratio)
        if found and found[1] > best_ratio:
            best_name, best_ratio = found[0], found[1]
    alone = raw[:1].isupper() and not raw.endswith((".", ","))
    if (alone and best_ratio >= rules["exact_ratio"]) or (looks and best_ratio >= rules["min_ratio"]):
        return names[best_name]
    if looks and len(text.split()) <= 3:
        last = text.split()[-1]
        for kind, words in rules.get("suffixes", {}).items():
            if last in words:
                return kind
    return None


def _body_size(lines: tuple[Line, ...]) -> float:
    sizes = [ln.size for ln in lines for _ in range(max(1, len(ln.text) // 20))]
    return median(sizes) if sizes else 10.0


def _body_x0(lines: tuple[Line, ...]) -> float | None:
    """The most common left edge of long lines: where body text starts."""
    edges = [round(ln.x0) for ln in lines if len(ln.text.split()) >= 8 and ln.column == 0]
    if len(edges) < 5:
        return None
    return float(Counter(edges).most_common(1)[0][0])  # the first of equals, as statistics.mode


def median(values: list[float]) -> float:
    """``statistics.median`` of a non-empty list (the statistics module costs about 4 ms to
    import: fractions and decimal come with it)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def lines_to_sections(lines: tuple[Line, ...], vocab: dict) -> tuple[Section, ...]:
    """Split lines at headings; the lines before the first heading are the header."""
    body_size, body_x0 = _body_size(lines), _body_x0(lines)
    sections: list[Section] = []
    kind, heading, current = "header", "", []
    for line in lines:
        if _NOISE.match(line.text.strip()):  # running headers and footers: "Page 2", "Jane Doe – 1/2"
            continue
        found = heading_kind(line, body_size, vocab, body_x0)
        if found:
            if current or kind != "header":
                sections.append(Section(kind, heading, tuple(current)))
            kind, heading, current = found, line.text, []
        else:
            current.append(line)
    sections.append(Section(kind, heading, tuple(current)))
    return tuple(sections)


def section_lines(sections: tuple[Section, ...], *kinds: str) -> tuple[Line, ...]:
    return tuple(line for s in sections if s.kind in kinds for line in s.lines)


# --------------------------------------------------------------------------------------------
# Contact (display and redaction only; never used for scoring)
# --------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{7,}\d(?![\w])")
_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:linkedin\.com/in/[\w%-]+|github\.com/[\w-]+|gitlab\.com/[\w-]+"
    r"|[\w-]+(?:\.[\w-]+)*\.(?:com|io|dev|me|net|org|ai|co|app|site|page|xyz|info)(?:/[\w./-]*)?)",
    re.IGNORECASE,
)


def _location_pattern(vocab: dict) -> re.Pattern:
    orgs = vocab["organisations"]
    return _compiled_location(tuple(orgs["regions"]), tuple(orgs["state_codes"]))


@lru_cache(maxsize=4)
def _compiled_location(regions: tuple[str, ...], codes: tuple[str, ...]) -> re.Pattern:
    region = "|".join(re.escape(r) for r in sorted(regions, key=len, reverse=True))
    code = "|".join(re.escape(c) for c in codes)
    city = r"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}"
    return re.compile(
        rf"(?<![\w])(?:{city}\s*,\s*(?:(?:{code})|(?i:{region}))(?![\w])|(?i:remote)(?![\w])"
        r"|City\s*,\s*[A-Z][\w.]*(?:\s*,\s*[A-Z]{2})?)"  # livecareer's anonymised "City , State"
    )


def _location_words(match: str, vocab: dict) -> tuple[str, str]:
    """Split a location match into (leading words that are not the place, the place)."""
    city, _, rest = match.partition(",")
    words = city.split()
    keep = _alternation(tuple(vocab["titles"]["words"] + vocab["organisations"]["org_suffixes"]))
    cut = 0
    for n, w in enumerate(words[:-1]):
        if keep.fullmatch(w.rstrip(".")) or keep.fullmatch(w) or w.endswith((".", ")")) or w == "&":
            cut = n + 1
    return " ".join(words[:cut]), " ".join(words[cut:]) + "," + rest


def header_to_contact(header: tuple[Line, ...], all_lines: tuple[Line, ...], vocab: dict | None = None) -> Contact:
    vocab = vocab or load_vocabulary()
    top = all_lines[:40]
    text = "\n".join(line.text for line in top)
    email = _EMAIL.search(text)
    phone = next((m.group().strip() for m in _PHONE.finditer(text) if _phone_like(m.group())), "")
    links: list[str] = []
    for m in _LINK.finditer(text):
        link = m.group()
        if email and link.lower() in email.group().lower():
            continue
        if "@" in text[max(0, m.start() - 1) : m.start()]:
            continue
        if link not in links:
            links.append(link)
    # A sidebar "Contact" block is a section of its own: look near the e-mail line too.
    at = next((i for i, ln in enumerate(top) if email and email.group() in ln.text), 0)
    return Contact(
        name=_name(header or top[:3], vocab),
        email=email.group() if email else "",
        phone=phone,
        links=tuple(links),
        location=_location(header or top[:8], vocab) or _location(top[max(0, at - 3) : at + 4], vocab),
    )


def _name(lines: tuple[Line, ...], vocab: dict) -> str:
    """The largest short line near the top made of name-like words and no job-title words."""
    titles = _alternation(tuple(vocab["titles"]["words"]))
    candidates = []
    for i, line in enumerate(lines[:6]):
        words = line.text.split()
        if not 1 < len(words) <= 5 or titles.search(line.text) or _EMAIL.search(line.text):
            continue
        if all(re.match(r"^[^\W\d_][\w.'-]*$", w) for w in words):
            candidates.append((-line.size, i, line.text))
    return min(candidates)[2] if candidates else ""


def _location(lines: tuple[Line, ...], vocab: dict) -> str:
    pattern = _location_pattern(vocab)
    for line in lines[:8]:
        m = pattern.search(line.text)
        if m and not _EMAIL.search(m.group()):
            return _location_words(m.group(), vocab)[1].strip()
    return ""


def _phone_like(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"(19|20)\d{2}\s*[-–]\s*(19|20)\d{2}", text.strip()):
        return False
    return 9 <= len(digits) <= 15


# --------------------------------------------------------------------------------------------
# Positions
# --------------------------------------------------------------------------------------------

_NOISE = re.compile(
    r"(?i)^(?:page\s*\d+(?:\s*of\s*\d+)?|.{0,40}\b\d{1,2}\s*/\s*\d{1,2}"
    r"|.{0,60}(?:résumé|resume|curriculum vitae|cv)\s*\d+)$"
)
_DURATION = re.compile(
    r"\(?\b\d+(?:\.\d+)?\+?\s*(?:years?|yrs?|months?|mos?)\b(?:,?\s*\d+\s*(?:months?|mos?)\b)?\)?", re.IGNORECASE
)
_PARTS = re.compile(r"\s*(?:\s\|\s|\||\s[–—-]\s|\s,\s|,\s|\sat\s|\s@\s|•|·|ï1⁄4|ï¼|\s{3,}|:\s)\s*")


@dataclass
class _Entry:
    anchor: int  # index of the line holding the dates (-1: undatable)
    dates: DateRange | None
    head: list[int]  # indices of head lines (title, organisation, dates)
    body: list[int]


def _body_flags(lines: tuple[Line, ...], vocab: dict, as_of: date) -> list[bool]:
    """True for lines that are entry text (bullets, indented or wrapped lines, prose)."""
    margin: dict[tuple[int, int], float] = {}
    for ln in lines:
        key = (ln.page, ln.column)
        margin[key] = min(margin.get(key, ln.x0), ln.x0)
    flags = []
    for i, ln in enumerate(lines):
        words = ln.text.split()
        ranges = line_ranges(ln.text, vocab, as_of, singles=False)
        undated = _strip_spans(ln.text, [r.span for r in ranges])
        date_line = bool(ranges) and (len(undated.split()) <= 6 or (ranges[0].span[0] <= 2 and not ln.bullet))
        indented = ln.x0 > margin[(ln.page, ln.column)] + max(6.0, 0.6 * ln.size)
        prose = len(words) > 16 or (len(words) > 9 and ln.text.rstrip().endswith(".")) or (
            len(words) > 3 and _starts_with_verb(ln.text, vocab)
        )
        wrapped = i > 0 and flags[-1] and ln.x0 > margin[(ln.page, ln.column)] + 2 and not date_line
        flags.append(not date_line and (ln.bullet or indented or prose or wrapped))
    return flags


def _starts_with_verb(text: str, vocab: dict) -> bool:
    m = re.match(r"([A-Za-z]+)\b", text)
    if not m:
        return False
    word = m.group(1).lower()
    rules = vocab["body"]
    if word in rules["not_verbs"]:
        return False
    return word in rules["verbs"] or (word.endswith("ed") and len(word) > 4)


def _strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for a, b in sorted(spans):
        out.append(text[last:a])
        out.append(" | ")
        last = b
    out.append(text[last:])
    return "".join(out)


def _anchor_range(ranges: list[DateRange], text: str, *, at_end: bool) -> DateRange | None:
    full = [r for r in ranges if not r.single]
    if at_end:
        full = [r for r in full if len(text) - r.span[1] <= 3]
        return full[-1] if full else None
    return (full or ranges or [None])[0]


def _entries(lines: tuple[Line, ...], vocab: dict, as_of: date) -> list[_Entry]:
    body = _body_flags(lines, vocab, as_of)
    noise = [bool(_NOISE.match(ln.text.strip())) for ln in lines]
    anchors: dict[int, DateRange] = {}
    for i, ln in enumerate(lines):
        if noise[i]:
            continue
        ranges = line_ranges(ln.text, vocab, as_of)
        if not ranges:
            continue
        if not body[i]:
            r = _anchor_range(ranges, ln.text, at_end=False)
        else:
            # Dates right-aligned on the first bullet row of an entry (the head above has none).
            prev = i - 1
            ok = prev >= 0 and not body[prev] and prev not in anchors and not noise[prev]
            r = _anchor_range(ranges, ln.text, at_end=True) if ok else None
        if r is not None:
            anchors[i] = r
    if not anchors:
        return []
    order = sorted(anchors)
    first = order[0]
    first_rest = _strip_spans(lines[first].text, [anchors[first].span]).replace("|", " ")
    dates_first = len(first_rest.split()) <= 1 and not any(not body[j] and not noise[j] for j in range(first))
    entries = [_Entry(i, anchors[i], [i], []) for i in order]
    for k, i in enumerate(order):
        nxt = order[k + 1] if k + 1 < len(order) else len(lines)
        between = list(range(i + 1, nxt))
        first_body = next((j for j in between if body[j]), None)
        last_body = max((j for j in between if body[j]), default=None)
        closed = False
        for j in between:
            if noise[j] or closed:
                continue
            if body[j]:
                entries[k].body.append(j)
                continue
            before_body = first_body is None or j < first_body
            after_body = last_body is not None and j > last_body
            if dates_first:  # head lines follow their dates
                target = k if before_body else None
            elif first_body is None:  # no bullets between two dates: the head of the next one
                target = k + 1 if k + 1 < len(order) else k
            elif k + 1 == len(order) and j > first_body and _title_score(lines[j].text, vocab):
                closed = True  # a titled line after the last entry's bullets: see _undatable
                continue
            elif before_body and j - i <= 2:
                target = k
            elif after_body and k + 1 < len(order):
                target = k + 1
            else:
                target = None
            if target is None:
                entries[k].body.append(j)
            else:
                entries[target].head.append(j)
    if not dates_first:  # head lines above the first entry's dates belong to it
        j = first - 1
        while j >= 0 and not body[j] and first - j <= 3:
            if not noise[j]:
                entries[0].head.append(j)
            j -= 1
    for e in entries:
        e.head.sort()
        e.body = [j for j in e.body if j not in e.head and j != e.anchor]
    # A bullet row that carried the dates is also the entry's first bullet.
    for e in entries:
        if body[e.anchor]:
            e.body.insert(0, e.anchor)
            e.head.remove(e.anchor)
            e.head.insert(0, e.anchor)
    used = {j for e in entries for j in e.head + e.body}
    entries.extend(_undatable(lines, body, noise, used, vocab))
    return sorted(entries, key=lambda e: min(e.head))


def _undatable(lines, body, noise, used, vocab) -> list[_Entry]:
    """Head lines with a job title and bullets under them, but no readable dates."""
    titles = _alternation(tuple(vocab["titles"]["words"]))
    found = []
    for j, ln in enumerate(lines):
        if j in used or body[j] or noise[j] or len(ln.text.split()) > 12:
            continue
        if titles.search(ln.text) and j + 1 < len(lines) and body[j + 1] and j + 1 not in used:
            rest = []
            k = j + 1
            while k < len(lines) and body[k] and k not in used:
                rest.append(k)
                k += 1
            found.append(_Entry(-1, None, [j], rest))
            used.update([j, *rest])
    return found


def _split_parts(text: str, vocab: dict) -> list[str]:
    location = _location_pattern(vocab)
    placeholders = _alternation(tuple(vocab["organisations"]["placeholders"]))
    text = placeholders.sub(lambda m: f" | {m.group()} | ", text.replace("\u00ad", "-"))
    text = location.sub(lambda m: _location_words(m.group(), vocab)[0] + " | ", text)
    text = _DURATION.sub(" | ", text)
    parts = []
    for p in _PARTS.split(text):
        p = p.strip(" ,|–—-·•:;")
        if p.count("(") != p.count(")"):
            p = p.strip("()")
        if len(p) > 1 and re.search(r"[^\W\d_]", p):
            parts.append(p)
    return parts


def _title_score(part: str, vocab: dict) -> int:
    titles = _alternation(tuple(vocab["titles"]["words"] + vocab["titles"]["management"]))
    return len(titles.findall(part))


def _title_and_org(head: list[tuple[str, int]], vocab: dict) -> tuple[str, str]:
    """(text, line index) pairs with the dates removed → (title, organisation)."""
    placeholder = _alternation(tuple(vocab["organisations"]["placeholders"]))
    parts = [(p, j) for text, j in head for p in _split_parts(text, vocab)]
    orgs = [p for p, _ in parts if placeholder.fullmatch(p)]
    parts = [(p, j) for p, j in parts if not placeholder.fullmatch(p)]
    if not parts:
        return "", (orgs or [""])[0]
    if not parts:
        return "", ""
    scored = [(_title_score(p, vocab), -n, p, j) for n, (p, j) in enumerate(parts)]
    best = max(scored)
    if best[0] > 0:
        title, title_line = best[2], best[3]
    else:
        title, title_line = parts[0]
    others = [(p, j) for p, j in parts if p != title and _title_score(p, vocab) == 0]
    others = others or [(p, j) for p, j in parts if p != title]
    other_line = [p for p, j in others if j != title_line]
    org = (orgs or other_line or [p for p, _ in others] or [""])[0]
    return title, org


def lines_to_positions(lines: tuple[Line, ...], vocab: dict, as_of: date) -> tuple[Position, ...]:
    positions: list[Position] = []
    for e in _entries(lines, vocab, as_of):
        head_texts = []
        for j in e.head:
            text = lines[j].text
            if j == e.anchor and e.dates is not None:
                a, b = e.dates.span
                text = text[:a] + " | " + text[b:]
                if e.body and e.body[0] == j:  # dates on a bullet row: the row is not a title
                    continue
            head_texts.append((text, j))
        title, org = _title_and_org(head_texts, vocab)
        dates = e.dates
        datable = dates is not None and dates.start is not None and dates.end is not None
        positions.append(
            Position(
                title=title,
                organisation=org,
                start=dates.start if dates else None,
                end=dates.end if dates else None,
                current=dates.current if dates else False,
                bullets=tuple(lines[j] for j in e.body),
                heading_line=lines[e.anchor] if e.anchor >= 0 else lines[e.head[0]],
                months=months_between(dates.start, dates.end) if datable else 0,
                datable=datable,
                date_text=dates.text if dates else "",
            )
        )
    # Several roles under one employer line: a role without an organisation inherits it.
    for k in range(1, len(positions)):
        if not positions[k].organisation and positions[k - 1].organisation:
            positions[k] = replace(positions[k], organisation=positions[k - 1].organisation)
    return tuple(positions)


def experience_to_positions(lines: tuple[Line, ...], vocab: dict, as_of: date) -> tuple[Position, ...]:
    """Kept for callers of the first version: the same as ``lines_to_positions``."""
    return lines_to_positions(lines, vocab, as_of)


# --------------------------------------------------------------------------------------------
# Tenure
# --------------------------------------------------------------------------------------------

_NUM_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}  # fmt: skip
_N = r"(\d{1,4}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)\+?"
_GROUP = r"(?:team|teams|org|organi[sz]ation|group|department|staff|function|squad|crew|kitchen)"
_PEOPLE = r"(?:direct reports|reports|engineers|developers|pms|product managers|people|staff|employees|designers|analysts|managers|members|cooks|technicians|teachers|associates)"


_FILLER = (
    r"(?:(?:a|an|the|my|our|its|their|and|global|cross-functional|distributed|remote|new|core|entire"
    r"|whole|own|direct|product|engineering|design|kitchen|sales|support|development|dev|qa)\s+){0,3}"
)
_SIZE = (
    rf"(?:{_GROUP}\s+(?:of\s+(?:up\s+to\s+|over\s+|more\s+than\s+)?{_N}|from\s+{_N}\s+to\s+{_N})"
    rf"|{_N}\s+(?:[\w-]+\s+){{0,2}}{_PEOPLE}\b)"
)


@lru_cache(maxsize=4)
def _team_patterns(verbs: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    """(verb + team size: "managed a team of 8", "grew the team from 3 to 28"; the size alone)."""
    verb = "|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True))
    led = re.compile(rf"\b(?:{verb})\s+{_FILLER}{_SIZE}", re.IGNORECASE)
    return led, re.compile(_SIZE, re.IGNORECASE)


def _num(text: str) -> int:
    text = text.lower().rstrip("+")
    return int(text) if text.isdigit() else _NUM_WORDS.get(text, 0)


def team_size(text: str, vocab: dict | None = None) -> int:
    """The largest team the text says its author led ("managed a team of 8" → 8), else 0."""
    vocab = vocab or load_vocabulary()
    led, size = _team_patterns(tuple(vocab["people"]["verbs"]))
    best = 0
    for m in led.finditer(text):
        for s in size.finditer(m.group()):
            nums = [_num(g) for g in s.groups() if g]
            if nums:
                best = max(best, nums[-1])
    return best if best < 100000 else 0


def is_management_title(title: str, vocab: dict) -> bool:
    return _alternation(tuple(vocab["titles"]["management"])).search(title) is not None


def is_leadership_title(title: str, vocab: dict) -> bool:
    t = _alternation(tuple(vocab["titles"]["not_leadership"])).sub(" ", title)
    return _alternation(tuple(vocab["titles"]["leadership"])).search(t) is not None


def _employer_key(org: str, index: int, vocab: dict) -> str:
    key = re.sub(r"[^\w ]+", " ", org.lower())
    key = re.sub(r"\b(inc|llc|ltd|corp|co|gmbh|plc|the)\b", " ", key)
    key = " ".join(key.split())
    if not key or _alternation(tuple(vocab["organisations"]["placeholders"])).fullmatch(key):
        return f"#unknown-{index}"
    return key


def positions_to_experience(positions: tuple[Position, ...], vocab: dict) -> Experience:
    dated = [p for p in positions if p.datable and p.months > 0]
    spans = [(p.start, p.end) for p in dated]
    product = [(p.start, p.end) for p in dated if is_management_title(p.title, vocab)]
    teams = [team_size(" ".join(b.text for b in p.bullets), vocab) for p in positions]
    leading = [
        (p.start, p.end)
        for p, team in zip(positions, teams)
        if p.datable and p.months > 0 and (is_leadership_title(p.title, vocab) or team >= 2)
    ]
    by_employer: dict[str, list] = defaultdict(list)
    for n, p in enumerate(positions):
        by_employer[_employer_key(p.organisation, n, vocab)].append(p)
    tenures = [
        merged_months([(p.start, p.end) for p in ps if p.datable])
        for ps in by_employer.values()
        if any(p.datable for p in ps)
    ]
    return Experience(
        total_months=merged_months(spans),
        product_months=merged_months(product),
        leadership_months=merged_months(leading),
        employer_count=len(by_employer),
        average_tenure_months=round(sum(tenures) / len(tenures), 1) if tenures else 0.0,
        undatable_positions=sum(not p.datable for p in positions),
        max_team_size=max(teams, default=0),
    )


_STATED = re.compile(
    r"(?:(?:over|more than|almost|nearly|about)\s+)?\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)\+?\s*(?:years?|yrs?)\b",
    re.IGNORECASE,
)


def stated_years(lines: tuple[Line, ...]) -> int:
    """Years of experience the candidate claims in the summary ("over 8 years experience")."""
    for line in lines:
        for m in _STATED.finditer(line.text):
            after = line.text[m.end() : m.end() + 60].lower()
            if "experience" in after or " in " in after[:5] or " of " in after[:5] or "as " in after[:5]:
                n = _num(m.group(1))
                if 0 < n <= 50:
                    return n
    return 0


# --------------------------------------------------------------------------------------------
# Education, certifications, skills
# --------------------------------------------------------------------------------------------

_INSTITUTION = re.compile(
    r"\b(university|universit[àé]|college|institute|school|academy|polytechnic|école|ecole|conservatory|seminary)\b",
    re.IGNORECASE,
)
_DEGREE_PHRASE = re.compile(
    r"\b(?:bachelor|master|doctor|associate)(?:'?s)?(?:\s+degree)?\s+(?:of|in)\s+"
    r"(?:science|arts|engineering|business administration|fine arts|applied science|education|laws|technology|philosophy)\b"
    r"|\b(?:ph\.?\s?d|m\.?b\.?a|m\.?s|b\.?s|b\.?a|m\.?a|b\.?e|m\.?eng|b\.?eng|b\.?tech|m\.?tech|msc|bsc|m\.sc|b\.sc|meng)\b\.?",
    re.IGNORECASE,
)


def _degree_level(text: str, vocab: dict) -> str:
    for level, words in vocab["degrees"].items():
        if _alternation(tuple(words)).search(text):
            return level
    return ""


def lines_to_education(lines: tuple[Line, ...], vocab: dict, as_of: date | None = None) -> tuple[Education, ...]:
    """One entry per line naming a degree, with the institution and year from the entry's lines.

    An entry is the degree line, the line above it when that names an institution, and up to two
    lines below it before the next degree. The year is the last year of a written range (the
    graduation year, expected or not), else the latest year written in the entry.
    """
    as_of = as_of or date.today()
    levels = [_degree_level(ln.text, vocab) for ln in lines]
    degree_rows = [i for i, lv in enumerate(levels) if lv]
    found = []
    taken: set[int] = set()
    for n, i in enumerate(degree_rows):
        nxt = degree_rows[n + 1] if n + 1 < len(degree_rows) else len(lines)
        rows = [i] + list(range(i + 1, min(nxt, i + 3)))
        above = i - 1
        if above >= 0 and above not in taken and not levels[above] and _INSTITUTION.search(lines[above].text):
            rows.insert(0, above)
        taken.update(rows)
        texts = [lines[k].text for k in rows]
        institution = ""
        for t in texts:
            if _INSTITUTION.search(t):
                institution = _institution_part(t, vocab)
                break
        found.append(
            Education(levels[i], _field(lines[i].text, institution, vocab), institution, _grad_year(texts, vocab, as_of), lines[i])
        )
    return tuple(found)


def _grad_year(texts: list[str], vocab: dict, as_of: date) -> int | None:
    for t in texts:
        for r in line_ranges(t, vocab, as_of, singles=False):
            if r.current:
                return None
            written = re.findall(rf"{_YEAR4}", r.text)
            if written:
                return int(written[-1])
    years = [int(y) for t in texts for y in re.findall(rf"\b({_YEAR4})\b", t)]
    return max((y for y in years if y <= as_of.year + 8), default=None)


def _institution_part(text: str, vocab: dict) -> str:
    for part in _split_parts(re.sub(rf"{_YEAR4}", " | ", text), vocab):
        if _INSTITUTION.search(part):
            return " ".join(_DEGREE_PHRASE.sub(" ", part).split())
    return ""


def _field(text: str, institution: str, vocab: dict) -> str:
    text = text.replace(institution, " | ") if institution else text
    text = re.sub(rf"(?i)\b(?:expected|exp\.|graduat\w*|gpa\b.*|class of)|{_YEAR4}", " | ", text)
    for r in line_ranges(text, vocab, date.today()):
        text = text.replace(r.text, " | ")
    m = re.search(r"\b(?:in|of)\s+([A-Z][\w&/ -]+?)(?=\s*(?:[,|(–—]|\s-\s|$))", _DEGREE_PHRASE.sub(" ", text))
    if m and not _degree_level(m.group(1), vocab):
        return m.group(1).strip(" -")
    rest = _DEGREE_PHRASE.sub(" | ", text)
    for part in _split_parts(rest, vocab):
        if len(part.split()) <= 6 and not _degree_level(part, vocab) and part[0].isupper():
            return part
    return ""


def lines_to_certifications(lines: tuple[Line, ...], vocab: dict) -> tuple[str, ...]:
    """Known certifications named anywhere (PMP, CSPO, PSM, cloud certificates), in table order.

    Acronyms count only when written in capitals ("PMP", not "pmp"), so ordinary words that
    happen to spell one do not.
    """
    text = "\n".join(line.text for line in lines)
    folded = ascii_fold(text)
    found = []
    for cert in vocab["certifications"]:
        for pattern in cert["patterns"]:
            acronym = re.fullmatch(r"[a-z0-9-]+", pattern) and len(pattern) <= 7
            flags = 0 if acronym else re.IGNORECASE
            needle = pattern.upper() if acronym else pattern
            # Plain string search first: most patterns are nowhere in the text, and a regex
            # search per pattern over the whole résumé is most of this function's time.
            if acronym:
                present = needle in text
            else:
                present = not needle.isascii() or needle.lower() in folded
            if present and re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text, flags):
                found.append(cert["name"])
                break
    return tuple(found)


def lines_to_skills(lines: tuple[Line, ...]) -> tuple[str, ...]:
    skills: list[str] = []
    seen: set[str] = set()
    for line in lines:
        text = line.text
        if ":" in text[:40]:
            text = text.split(":", 1)[1]
        for item in re.split(r"\s*(?:,|;|\||•|·|\s/\s)\s*", text):
            item = item.strip(" .")
            if 1 < len(item) <= 40 and len(item.split()) <= 5 and item.lower() not in seen:
                seen.add(item.lower())
                skills.append(item)
    return tuple(skills)


# --------------------------------------------------------------------------------------------
# Verdict
# --------------------------------------------------------------------------------------------


def profile_to_verdict(
    doc: Document, sections: tuple[Section, ...], positions, vocab: dict, education=()
) -> Verdict:
    rules = vocab["not_resume"]
    text = doc.text.lower()
    words = len(text.split())
    if words < rules["min_words"]:
        return Verdict(False, f"near-empty document: {words} words, fewer than {rules['min_words']}")
    hits, seen = 0, []
    for pattern in rules["placeholder_patterns"]:
        found = re.findall(pattern, text, re.IGNORECASE)
        if found:
            hits += min(2, len(found))
            seen.append(found[0] if isinstance(found[0], str) else pattern)
    if hits >= rules["placeholder_min_hits"]:
        return Verdict(False, "template with placeholder text (" + ", ".join(f'"{s}"' for s in seen[:3]) + ")")
    letter = [p for p in rules["cover_letter_phrases"] if p in text]
    if len(letter) >= rules["cover_letter_min_hits"] and not any(p.datable for p in positions):
        return Verdict(False, "a cover letter, not a résumé (" + ", ".join(letter[:3]) + ")")
    kinds = {s.kind for s in sections}
    if not positions and not ({"experience", "education"} & kinds) and not education:
        return Verdict(False, "no experience or education found: does not read as a résumé")
    if not any(p.datable for p in positions) and not any(e.year for e in education):
        return Verdict(False, "no dated work or education history found: does not read as a résumé")
    return Verdict(True, "")


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------

_NOT_WORK = ("education", "projects", "awards", "certifications", "skills", "header", "summary")


def document_to_profile(doc: Document, as_of: date, vocab: dict | None = None) -> Profile:
    vocab = vocab or load_vocabulary()
    sections = lines_to_sections(doc.lines, vocab)
    header = section_lines(sections, "header")
    positions = lines_to_positions(section_lines(sections, "experience"), vocab, as_of)
    if not positions:  # no experience heading found: read the sections that may hold work
        body = tuple(ln for s in sections if s.kind not in _NOT_WORK for ln in s.lines)
        positions = lines_to_positions(body, vocab, as_of)
    education = lines_to_education(section_lines(sections, "education"), vocab, as_of)
    experience = replace(
        positions_to_experience(positions, vocab),
        stated_years=stated_years(section_lines(sections, "summary", "header")),
    )
    profile = Profile(
        as_of=as_of,
        sections=sections,
        contact=header_to_contact(header, doc.lines, vocab),
        positions=positions,
        education=education,
        certifications=lines_to_certifications(doc.lines, vocab),
        skills=lines_to_skills(section_lines(sections, "skills")),
        experience=experience,
        verdict=Verdict(True),
        notes=_notes(doc, positions, sections, as_of),
    )
    return replace(profile, verdict=profile_to_verdict(doc, sections, positions, vocab, education))


def _notes(doc: Document, positions, sections, as_of: date) -> tuple[str, ...]:
    notes = []
    undatable = sum(not p.datable for p in positions)
    if undatable:
        notes.append(f"{undatable} position(s) without readable dates: kept, not counted in tenure")
    if positions and not any(s.kind == "experience" for s in sections):
        notes.append("no experience heading found: positions were read from the other sections")
    if any(p.current for p in positions):
        years = [int(y) for y in re.findall(rf"\b({_YEAR4})\b", doc.text) if int(y) <= as_of.year]
        latest = max(years, default=0)
        if latest and as_of.year - latest >= 3:
            notes.append(
                f"the latest year written is {latest}, but a position is open ('present'): it is "
                f"counted up to the as-of date {as_of.isoformat()}; if the résumé is older, its "
                "tenure is overstated"
            )
    return tuple(notes)
