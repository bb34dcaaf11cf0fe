"""Date ranges as résumés write them, and month arithmetic. Pure functions, no I/O.

    "Jan 2020 – Present", "01/2019 - 03/2021", "2018–2020", "Summer 2019", "since 2021",
    "March 2017 to June 2019", "2021 - Current"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.types import YearMonth

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_MONTH_WORD = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_POINT = (
    rf"(?:{_MONTH_WORD}\s*,?\s*'?{_YEAR}|{_SEASON}\s+{_YEAR}|(?:0?[1-9]|1[0-2])\s*[/.-]\s*{_YEAR}|{_YEAR})"
)
_SEP = r"\s*(?:-|–|—|―|to|until|till|through|thru)\s*"


@dataclass(frozen=True)
class DateRange:
    start: YearMonth | None
    end: YearMonth | None
    current: bool
    text: str  # the matched text, as written
    span: tuple[int, int]


def _compile(present_words: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    present = "|".join(re.escape(w) for w in sorted(present_words, key=len, reverse=True))
    rng = re.compile(
        rf"(?<![\w/])(?P<start>{_POINT}){_SEP}(?P<end>{_POINT}|{present})(?![\w/])",
        re.IGNORECASE,
    )
    since = re.compile(
        rf"(?<![\w/])(?:since|from)\s+(?P<start>{_POINT})(?![\w/])|(?<![\w/])(?P<single>{_MONTH_WORD}\s*,?\s*{_YEAR}|{_SEASON}\s+{_YEAR})(?![\w/])",
        re.IGNORECASE,
    )
    return rng, since


_CACHE: dict[tuple[str, ...], tuple[re.Pattern, re.Pattern]] = {}


def parse_point(text: str, seasons: dict[str, int], *, is_end: bool) -> YearMonth | None:
    t = text.strip().lower().rstrip(".")
    year_match = re.search(_YEAR, t)
    if not year_match:
        return None
    year = int(year_match.group())
    numeric = re.match(r"^(0?[1-9]|1[0-2])\s*[/.-]\s*\d{4}$", t)
    if numeric:
        return YearMonth(year, int(numeric.group(1)))
    for word, month in seasons.items():
        if t.startswith(word):
            return YearMonth(year, month)
    word = re.match(r"^([a-z]+)", t)
    if word and word.group(1)[:4] in MONTHS:
        return YearMonth(year, MONTHS[word.group(1)[:4]])
    if word and word.group(1)[:3] in MONTHS:
        return YearMonth(year, MONTHS[word.group(1)[:3]])
    # A bare year: from January when it starts a range, to December when it ends one.
    return YearMonth(year, 12 if is_end else 1)


def find_date_range(
    text: str, present_words: tuple[str, ...], seasons: dict[str, int], as_of: date
) -> DateRange | None:
    """The first date range in a line, or a single month/season (a one-month position)."""
    key = tuple(present_words)
    if key not in _CACHE:
        _CACHE[key] = _compile(key)
    rng, since = _CACHE[key]
    now = YearMonth(as_of.year, as_of.month)
    m = rng.search(text)
    if m:
        start = parse_point(m.group("start"), seasons, is_end=False)
        end_text = m.group("end")
        end = parse_point(end_text, seasons, is_end=True)
        current = end is None
        if current:
            end = now
        return DateRange(start, clamp(end, now), current, m.group(0), m.span())
    m = since.search(text)
    if m and m.group("start"):
        start = parse_point(m.group("start"), seasons, is_end=False)
        return DateRange(start, now, True, m.group(0), m.span())
    if m and m.group("single"):
        point = parse_point(m.group("single"), seasons, is_end=False)
        return DateRange(point, point, False, m.group(0), m.span())
    return None


def clamp(point: YearMonth | None, now: YearMonth) -> YearMonth | None:
    if point is None:
        return None
    return now if (point.year, point.month) > (now.year, now.month) else point


def month_index(point: YearMonth) -> int:
    return point.year * 12 + point.month - 1


def months_between(start: YearMonth, end: YearMonth) -> int:
    """Inclusive month count: Jan 2020 – Dec 2020 is 12 months."""
    return max(0, month_index(end) - month_index(start) + 1)


def merged_months(intervals: list[tuple[YearMonth, YearMonth]]) -> int:
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
