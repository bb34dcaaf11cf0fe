"""Date ranges as résumés write them, and month arithmetic (pipeline/dates.py)."""

from datetime import date

import pytest

from pipeline.dates import find_date_range, find_date_ranges, merged_months, months_between
from pipeline.types import YearMonth as YM

AS_OF = date(2026, 11, 26)
NOW = YM(2026, 11)


@pytest.mark.parametrize(
    "text, start, end, current",
    [
        ("Jan 2020 – Present", YM(2020, 1), NOW, True),
        ("01/2019 - 03/2021", YM(2019, 1), YM(2021, 3), False),
        ("2018–2020", YM(2018, 1), YM(2019, 12), False),  # bare years: (2020-2018)*12 months
        ("2019 – 2019", YM(2019, 1), YM(2019, 12), False),
        ("Summer 2019", YM(2019, 6), YM(2019, 8), False),
        ("Summer 2019 – Fall 2020", YM(2019, 6), YM(2020, 11), False),
        ("since 2021", YM(2021, 1), NOW, True),
        ("Since March 2021", YM(2021, 3), NOW, True),
        ("2021 - Current", YM(2021, 1), NOW, True),
        ("March 2017 to June 2019", YM(2017, 3), YM(2019, 6), False),
        ("Sept. 2014 — June 2018", YM(2014, 9), YM(2018, 6), False),
        ("Jan '19 – Mar '21", YM(2019, 1), YM(2021, 3), False),
        ("Jan – Mar 2020", YM(2020, 1), YM(2020, 3), False),
        ("Nov – Feb 2020", YM(2019, 11), YM(2020, 2), False),
        ("2019-01 – 2021-03", YM(2019, 1), YM(2021, 3), False),
        ("Quillfeather Software | 2021 –", YM(2021, 1), NOW, True),
        ("Jan 2020 - to date", YM(2020, 1), NOW, True),
        ("May 2021", YM(2021, 5), YM(2021, 5), False),
        # Awesome-CV (LuaTeX) draws its dash as a soft hyphen.
        ("DevOps Engineer Sep. 2023 \u00ad Mar. 2024", YM(2023, 9), YM(2024, 3), False),
        ("Engineering Associate 05/2008 to Current Company Name", YM(2008, 5), NOW, True),
        # Nothing ends after the as-of month.
        ("Jan 2026 – Dec 2027", YM(2026, 1), NOW, False),
    ],
)
def test_date_forms(text, start, end, current):
    r = find_date_range(text, as_of=AS_OF)
    assert r is not None, text
    assert (r.start, r.end, r.current) == (start, end, current)


@pytest.mark.parametrize(
    "text",
    ["call 607.379.5733", "GPA 3.8/4.0", "Current", "Led 12 engineers", "ISO 9001 audit", "+1 (234) 567 890"],
)
def test_not_dates(text):
    assert find_date_range(text, as_of=AS_OF) is None


def test_every_range_in_a_line_in_order():
    ranges = find_date_ranges("Harvard 2010 – 2014, MIT 2014 – 2016", as_of=AS_OF)
    assert [r.text for r in ranges] == ["2010 – 2014", "2014 – 2016"]


def test_single_months_only_when_asked():
    assert find_date_ranges("Best paper, May 2021", as_of=AS_OF, singles=False) == []


@pytest.mark.parametrize(
    "start, end, months",
    [(YM(2020, 1), YM(2020, 12), 12), (YM(2020, 1), YM(2020, 1), 1), (YM(2021, 3), YM(2020, 1), 0)],
)
def test_months_between_is_inclusive(start, end, months):
    assert months_between(start, end) == months


@pytest.mark.parametrize(
    "intervals, months",
    [
        ([], 0),
        ([(YM(2020, 1), YM(2020, 12))], 12),
        # overlapping positions are merged, not summed
        ([(YM(2020, 1), YM(2020, 12)), (YM(2020, 7), YM(2021, 6))], 18),
        # one inside another
        ([(YM(2015, 1), YM(2024, 12)), (YM(2018, 1), YM(2018, 12))], 120),
        # adjacent months join, a gap is not counted
        ([(YM(2020, 1), YM(2020, 6)), (YM(2020, 7), YM(2020, 12))], 12),
        ([(YM(2018, 1), YM(2018, 12)), (YM(2020, 1), YM(2020, 12))], 24),
        # three concurrent jobs
        ([(YM(2019, 1), YM(2019, 12))] * 3, 12),
        # an interval with an unknown end is ignored
        ([(YM(2019, 1), None), (YM(2020, 1), YM(2020, 2))], 2),
    ],
)
def test_merged_months(intervals, months):
    assert merged_months(intervals) == months
