"""Date ranges as résumés write them, and month arithmetic. Pure functions, no I/O.

Forms read (case-insensitive, any dash, "to", "until", a soft hyphen, "~"):

    "Jan 2020 – Present"   "01/2019 - 03/2021"   "2018–2020"        "Summer 2019"
    "since 2021"           "2021 - Current"      "Jan '19 – Mar '21" "Sept. 2014 to June 2018"
    "Jan – Mar 2020"       "2019-01 – 2021-03"   "2021 –" (open end)  "May 2021" (one month)

Conventions (so the same text always gives the same months):
- ranges are inclusive of both months: Jan 2020 – Dec 2020 is 12 months;
- a bare start year starts in January; a bare end year B after a start year A ends in December of
  B-1, so "2017 – 2020" is 36 months and "2014 – 2017", "2017 – 2020" meet without overlapping;
  "2019 – 2019" (or a lone year) is the whole year;
- a season is its three months (summer = June..August, from ``rubrics/resume.toml``);
- "present" words end at the as-of month; nothing ends after it; a start after it gives no months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.types import YearMonth

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

DEFAULT_PRESENT = ("present", "current", "currently", "now", "today", "ongoing", "to date", "till date")
DEFAULT_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}

_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR4 = r"(?:19[5-9]\d|20[0-4]\d)"
_YEAR = rf"(?:{_YEAR4}|['’]\d\d)"
_NUM_MONTH = r"(?:0?[1-9]|1[0-2])"
_SEP = r"\s*(?:-{1,2}|–|—|―|‐|‑|−|~|\u00ad|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*"


def _point(seasons: str) -> str:
    return (
        rf"(?:{_MONTH_WORD}\s*,?\s*{_YEAR}"
        rf"|(?:{seasons})\s*,?\s*{_YEAR}"
        rf"|{_NUM_MONTH}\s*[/.]\s*{_YEAR4}"
        rf"|{_YEAR4}\s*[/.-]\s*(?:0[1-9]|1[0-2])(?![\d])"
        rf"|{_YEAR4})"
    )


@dataclass(frozen=True)
class DateRange:
    start: YearMonth | None
    end: YearMonth | None
    current: bool
    text: str  # the matched text, as written
    span: tuple[int, int]
    single: bool = False  # one month or season written alone ("May 2021", "Summer 2019")


@dataclass(frozen=True)
class _Patterns:
    rng: re.Pattern
    short_range: re.Pattern  # "Jan – Mar 2020": the start borrows the end's year
    since: re.Pattern
    open_end: re.Pattern
    single: re.Pattern


_CACHE: dict[tuple, _Patterns] = {}


def _patterns(present_words: tuple[str, ...], season_names: tuple[str, ...]) -> _Patterns:
    key = (present_words, season_names)
    if key not in _CACHE:
        present = "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(present_words, key=len, reverse=True)
        )
        seasons = "|".join(re.escape(s) for s in season_names) or "(?!)"
        point = _point(seasons)
        edge_l, edge_r = r"(?<![\w/.])", r"(?![\w/])"
        flags = re.IGNORECASE
        _CACHE[key] = _Patterns(
            rng=re.compile(rf"{edge_l}(?P<start>{point}){_SEP}(?P<end>{point}|(?:{present})\b)", flags),
            short_range=re.compile(
                rf"{edge_l}(?P<m1>{_MONTH_WORD}){_SEP}(?P<end>{_MONTH_WORD}\s*,?\s*{_YEAR}){edge_r}", flags
            ),
            since=re.compile(rf"\b(?:since|from)\s+(?P<start>{point}){edge_r}(?!{_SEP}\w)", flags),
            open_end=re.compile(rf"{edge_l}(?P<start>{point})\s*[-–—]\s*$", flags),
            single=re.compile(
                rf"{edge_l}(?P<single>{_MONTH_WORD}\s*,?\s*{_YEAR}|(?:{seasons})\s*,?\s*{_YEAR}){edge_r}", flags
            ),
        )
    return _CACHE[key]


def _year(text: str) -> int | None:
    m = re.search(_YEAR4, text)
    if m:
        return int(m.group())
    m = re.search(r"['’](\d\d)", text)
    if m:
        yy = int(m.group(1))
        return 2000 + yy if yy <= 49 else 1900 + yy
    return None


def _season(text: str, seasons: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    word = re.match(r"^([a-z]+)", text)
    if word and word.group(1) in seasons:
        first, last = seasons[word.group(1)]
        return int(first), int(last)
    return None


def parse_point(
    text: str, seasons: dict[str, tuple[int, int]] | None = None, *, is_end: bool, start_year: int | None = None
) -> YearMonth | None:
    """One end of a range. ``is_end`` picks the last month of a season or a bare year."""
    seasons = DEFAULT_SEASONS if seasons is None else seasons
    t = text.strip().lower().rstrip(".")
    year = _year(t)
    if year is None:
        return None
    numeric = re.match(rf"^({_NUM_MONTH})\s*[/.]\s*\d{{4}}$", t)
    if numeric:
        return YearMonth(year, int(numeric.group(1)))
    iso = re.match(r"^\d{4}\s*[/.-]\s*(\d\d)$", t)
    if iso:
        return YearMonth(year, int(iso.group(1)))
    season = _season(t, seasons)
    if season:
        first, last = season
        if is_end:
            return YearMonth(year + 1, last) if last < first else YearMonth(year, last)
        return YearMonth(year, first)
    word = re.match(r"^([a-z]+)", t)
    if word and word.group(1)[:3] in MONTHS:
        return YearMonth(year, MONTHS[word.group(1)[:3]])
    if not is_end:
        return YearMonth(year, 1)
    # A bare end year: December of the year before, unless the range starts in that same year.
    if start_year is not None and year > start_year:
        return YearMonth(year - 1, 12)
    return YearMonth(year, 12)


def _build(
    start_text: str, end_text: str | None, seasons, now: YearMonth, text: str, span, *, single=False
) -> DateRange:
    start = parse_point(start_text, seasons, is_end=False)
    if end_text is None:  # "since 2021", "2021 –"
        return DateRange(start, now, True, text, span)
    end = parse_point(end_text, seasons, is_end=True, start_year=start.year if start else None)
    current = end is None
    if current:
        end = now
    return DateRange(start, clamp(end, now), current, text, span, single)


def find_date_ranges(
    text: str,
    present_words: tuple[str, ...] = DEFAULT_PRESENT,
    seasons: dict[str, tuple[int, int]] | None = None,
    as_of: date | None = None,
    *,
    singles: bool = True,
) -> list[DateRange]:
    """Every date range in a line, left to right, without overlaps.

    With ``singles`` a month or season written alone ("May 2021") is a one-point range too.
    """
    seasons = DEFAULT_SEASONS if seasons is None else {k: tuple(v) for k, v in seasons.items()}
    pats = _patterns(tuple(present_words), tuple(seasons))
    as_of = as_of or date.today()
    now = YearMonth(as_of.year, as_of.month)
    found: list[DateRange] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    def add(r: DateRange) -> None:
        found.append(r)
        taken.append(r.span)

    for m in pats.rng.finditer(text):
        add(_build(m.group("start"), m.group("end"), seasons, now, m.group(0), m.span()))
    for m in pats.short_range.finditer(text):
        if free(m.span()):
            end = parse_point(m.group("end"), seasons, is_end=True)
            start_text = f"{m.group('m1')} {end.year if end else ''}"
            if end and MONTHS.get(m.group("m1").lower()[:3], 13) > end.month:
                start_text = f"{m.group('m1')} {end.year - 1}"
            add(_build(start_text, m.group("end"), seasons, now, m.group(0), m.span()))
    for m in pats.since.finditer(text):
        if free(m.span()):
            add(_build(m.group("start"), None, seasons, now, m.group(0), m.span()))
    m = pats.open_end.search(text)
    if m and free(m.span()):
        add(_build(m.group("start"), None, seasons, now, m.group(0), m.span()))
    if singles:
        for m in pats.single.finditer(text):
            if free(m.span()):
                add(_build(m.group("single"), m.group("single"), seasons, now, m.group(0), m.span(), single=True))
    return sorted(found, key=lambda r: r.span)


def find_date_range(
    text: str,
    present_words: tuple[str, ...] = DEFAULT_PRESENT,
    seasons: dict[str, tuple[int, int]] | None = None,
    as_of: date | None = None,
) -> DateRange | None:
    """The first range in a line; a single month or season only when there is no range."""
    ranges = find_date_ranges(text, present_words, seasons, as_of)
    full = [r for r in ranges if not r.single]
    return (full or ranges or [None])[0]


def clamp(point: YearMonth | None, now: YearMonth) -> YearMonth | None:
    if point is None:
        return None
    return now if (point.year, point.month) > (now.year, now.month) else point


def month_index(point: YearMonth) -> int:
    return point.year * 12 + point.month - 1


def months_between(start: YearMonth, end: YearMonth) -> int:
    """Inclusive month count: Jan 2020 – Dec 2020 is 12 months; an end before the start is 0."""
    return max(0, month_index(end) - month_index(start) + 1)


def merged_months(intervals: list[tuple[YearMonth | None, YearMonth | None]]) -> int:
    """Months covered by the union of the intervals: overlaps are counted once."""
    spans = sorted((month_index(s), month_index(e)) for s, e in intervals if s and e)
    total, cur_start, cur_end = 0, None, None
    for s, e in spans:
        if e < s:
            continue
        if cur_end is None or s > cur_end + 1:
            if cur_end is not None:
                total += cur_end - cur_start + 1
            cur_start, cur_end = s, e
        else:
            cur_end = max(cur_end, e)
    if cur_end is not None:
        total += cur_end - cur_start + 1
    return total
