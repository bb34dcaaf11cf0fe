"""Blind review, what a reader sees (issue 10): every token of the name, every school an education
entry names (with or without a school word), every year, and a timeline with no calendar dates;
the blind score still equals the unredacted one."""

import html
import re
from dataclasses import replace

import pytest

from tests.conftest import AS_OF, EXAMPLES, ROOT

SOURCES = ROOT / "examples" / "source"
# A year as a blind reader must never see it: 1940-2039 as four digits, or '09.
YEAR = re.compile(r"(?<![\w.,$])(?:19[4-9]\d|20[0-3]\d)(?![\w%]|[.,]\d)|(?<![\w'’])['’]\d{2}(?![\w'’])")


def _identity(name="", **kw):
    from pipeline.redact import Identity, name_tokens

    return Identity(name=name, name_parts=name_tokens(name), **kw)


# ---------------------------------------------------------------------------------------------
# 2. Every token of the name, everywhere (display)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, tokens",
    [
        ("Maya Lindqvist", ("Maya", "Lindqvist")),
        ("Daniela Ferreira-Holt", ("Daniela", "Ferreira", "Holt")),
        ("Ludwig van Beethoven", ("Ludwig", "Beethoven")),  # a particle is not a name on its own
        ("Van Nguyen", ("Van", "Nguyen")),  # ... unless it opens the name
        ("Jane Q. Roe, PMP", ("Jane", "Roe")),  # initials and credentials are not names
        ("Li Na", ("Li", "Na")),  # two letters are enough
        ("Seán O'Brien Jr.", ("Seán", "O'Brien")),
    ],
)
def test_name_tokens(name, tokens):
    from pipeline.redact import name_tokens

    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("Maya Lindqvist", "Maya led the migration", "[name] led the migration"),
        ("Maya Lindqvist", "Lindqvist et al. showed", "[name] et al. showed"),
        ("Maya Lindqvist", "Maya's roadmap and Lindqvist’s team", "[name]'s roadmap and [name]’s team"),
        ("Maya Lindqvist", "MAYA LINDQVIST, maya and lindqvist", "[name], [name] and [name]"),
        ("Maya Lindqvist", "Mayan ruins, Lindqvists", "Mayan ruins, Lindqvists"),  # whole tokens only
        ("Daniela Ferreira-Holt", "Holt's plan, Ferreira's review", "[name]'s plan, [name]'s review"),
        ("Jane Roe", "Roe & Partners", "[name] & Partners"),
        ("Ludwig van Beethoven", "rented a van", "rented a van"),
        ("Jane Roe, PMP", "PMP certified", "PMP certified"),
        ("Your Name", "Your Name wrote; your name here", "[name] wrote; [name] here"),  # no "[[name]]"
        ("Name Here", "[name] here", "[name] [name]"),
    ],
)
def test_every_name_token_is_hidden_from_a_blind_reader(name, text, expected):
    from pipeline.redact import shown_text

    assert shown_text(text, _identity(name)) == expected


def test_a_name_that_reads_like_a_job_title_stays_in_the_body():
    from pipeline.redact import shown_text

    identity = _identity("LEAD INTERACTION DESIGNER", name_in_body=False)
    assert shown_text("I was lead interaction designer", identity) == "I was lead interaction designer"
    assert shown_text("LEAD INTERACTION DESIGNER", identity, header=True) == "[name]"


@pytest.mark.parametrize(
    "name, body, shown",
    [
        ("Maya Lindqvist", "Maya led the migration; MAYA and Lindqvist's team", "[name] led the migration; [name] and [name]'s team"),
        # a name with a job-title word: the title word stays in the body, the other tokens do not
        ("Mason Cook", "Mason led the migration for the line cook team", "[name] led the migration for the line cook team"),
    ],
)
def test_name_tokens_in_the_body_of_a_resume(rubric, settings, name, body, shown):
    from pipeline.redact import identity_of

    plain, blind = _blind(_resume(["B.A. Economics | Riverbend State University | 2010"], body, name), rubric, settings)
    assert identity_of(plain).name == name
    assert blind.blind.holds and shown in _shown(blind)


@pytest.mark.parametrize(
    "name, reads",
    [("Maya Lindqvist", True), ("Ludwig van Beethoven", True), ("MAYA LINDQVIST", True), ("Seán O'Brien", True),
     ("prosperity through strategic business plans.", False), ("Jane Roe 2019", False), ("Summary:", False),
     ("A B C D E F", False)],
)
def test_what_reads_like_a_name(name, reads):
    from pipeline.redact import _reads_like_a_name

    assert _reads_like_a_name(name) is reads


def test_a_heading_read_as_a_name_does_not_hide_its_words_in_the_body(rubric, settings):
    from pipeline.redact import identity_of

    plain, blind = _blind(_resume([], "Professional services overview for the executive team", "Professional Overview"), rubric, settings)
    identity = identity_of(plain)
    if identity.name != "Professional Overview":
        pytest.skip(f"the profile did not read the heading as a name ({identity.name!r})")
    assert not identity.name_in_body and identity.body_name_parts == ()
    assert "Professional services overview for the executive team" in _shown(blind)


# ---------------------------------------------------------------------------------------------
# 4. Every year, not other numbers (display)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Joined in 2015 as the first PM", "Joined in [year] as the first PM"),
        ("2015 rewrite of the billing API", "[year] rewrite of the billing API"),
        ("Class of 2008", "Class of [year]"),
        ("Class of '09", "Class of [year]"),
        ("the ’90s dot-com boom", "the [year] dot-com boom"),
        ("1998–2003", "[year]–[year]"),
        ("1998 - 2003", "[year] - [year]"),
        ("2015 to 2019", "[year] to [year]"),
        ("'18–'22", "[year]–[year]"),
        ("the 2019/20 season", "the [year]/[year] season"),
        ("FY2019 plan", "FY[year] plan"),
        ("released 2019-03-01", "released [year]"),
        ("May 2027, 04/2022, Summer 2026", "[year], [year], [year]"),
        ("mid-2019", "mid-[year]"),
        ("Fintech Product Summit 2024", "Fintech Product Summit [year]"),
        ("Born in 1951", "Born in [year]"),
        # version years are years too (chosen: hidden, like any other year)
        ("Windows 2000 and SQL Server 2019", "Windows [year] and SQL Server [year]"),
        ("ISO 9001:2015", "ISO 9001:[year]"),
        # numbers that are not years stay
        ("cut costs 40% and saved $2M", "cut costs 40% and saved $2M"),
        ("led 12 engineers", "led 12 engineers"),
        ("ISO 27001 and ISO 20000-1", "ISO 27001 and ISO 20000-1"),
        ("Python 3.11 on port 8080", "Python 3.11 on port 8080"),
        ("grew to 2000 customers and 1950 users", "grew to 2000 customers and 1950 users"),
        ("2000+ merchants, 2,015 stores, 2015.5 req/s", "2000+ merchants, 2,015 stores, 2015.5 req/s"),
        ("a $2015 budget, 2019% growth", "a $2015 budget, 2019% growth"),
        ("2.3B calls, 4,000 integrations, 99.9% uptime", "2.3B calls, 4,000 integrations, 99.9% uptime"),
        ("Launched in 2021 to 40 customers", "Launched in [year] to 40 customers"),
        ("rock 'n' roll, 'quoted'", "rock 'n' roll, 'quoted'"),
    ],
)
def test_every_year_is_hidden_and_other_numbers_stay(text, expected):
    from pipeline.redact import hide_dates

    assert hide_dates(text) == expected


# ---------------------------------------------------------------------------------------------
# 1. Schools with or without a school word, through the real pipeline
# ---------------------------------------------------------------------------------------------


def _line(text, top, size=10.0, bold=False, bullet=False):
    from pipeline.types import Line

    return Line(text, text, 1, 40.0, top, 500.0, top + 10, size, bold, 0, bullet)


def _resume(education: list[str], body: str, name: str = "Jordan Quist"):
    from pipeline.types import Document

    texts = [
        (name, 20, 16.0, True, False),
        ("jordan.q@example.com | (555) 101-2020 | Austin, TX", 40, 10.0, False, False),
        ("EXPERIENCE", 70, 12.0, True, False),
        ("Product Manager | Acme Software | 01/2019 - Present", 90, 10.0, True, False),
        ("Prioritised the product backlog with RICE scoring and shipped 3 API launches", 110, 10.0, False, True),
        (body, 125, 10.0, False, True),
        ("Wrote SQL for the A/B test of the web app and the PRD for the API with 12 engineers", 140, 10.0, False, True),
        ("Ran discovery interviews with 40 customers and turned them into user stories for the "
         "backlog, agreed acceptance criteria with QA and engineering, wrote the API documentation, "
         "and presented the quarterly results to executive stakeholders", 150, 10.0, False, True),
        ("EDUCATION", 160, 12.0, True, False),
        *((text, 180 + 15 * i, 10.0, False, False) for i, text in enumerate(education)),
    ]
    return Document("jordan.pdf", "ab" * 32, 1000, tuple(_line(*t) for t in texts))


def _blind(doc, rubric, settings):
    from pipeline.file_to_result import document_to_result
    from pipeline.redact import redact_document, redact_result

    plain = document_to_result(doc, rubric, settings)
    return plain, redact_result(plain, document_to_result(redact_document(doc, plain), rubric, settings))


def _shown(result) -> str:
    from pipeline.redact import shown_strings
    from pipeline.serialise import to_jsonable

    return "\n".join(shown_strings(to_jsonable(result)))


@pytest.mark.parametrize(
    "education, school, kept",
    [
        (["M.S. Computer Science | MIT | 2016 – 2018"], "MIT", "M.S. Computer Science"),
        (["MBA, Stanford, 2015"], "Stanford", "MBA"),
        (["M.S. Information Networking | Carnegie Mellon | 2012 – 2014"], "Carnegie Mellon", "M.S. Information Networking"),
        (["Carnegie Mellon", "M.S. Information Networking, 2014"], "Carnegie Mellon", "M.S. Information Networking"),
        (["MSc Computer Science, ETH Zürich, 2015"], "ETH Zürich", "MSc Computer Science"),
        (["B.Tech Electrical Engineering | IIT Bombay | Class of 2008"], "IIT Bombay", "B.Tech Electrical Engineering"),
        (["Master in Public Policy, Sciences Po ('09)"], "Sciences Po", "Master in Public Policy"),
        (["B.A. Economics | Riverbend Polytech | 2004 – 2008"], "Riverbend Polytech", "B.A. Economics"),  # no list, no school word
        (["B.S. Mathematics – Lakemont – 2001"], "Lakemont", "B.S. Mathematics"),
        (["CORNELL UNIVERSITY", "B.S. Computer Science, 2011"], "CORNELL UNIVERSITY", "B.S. Computer Science"),
        (["M.S. Information Systems, Pacific Sound University 2016 – 2018"], "Pacific Sound", "M.S. Information Systems"),
        (["B.S. Information Science | Great Lakes State University | 2023 – 2027"], "GLSU", "B.S. Information Science"),
        (["A.A. : Business Management , 2016 Treasure Valley Community College"], "Treasure Valley", "A.A. : Business Management"),
    ],
)
def test_the_school_of_every_education_entry_is_hidden_wherever_it_appears(rubric, settings, education, school, kept):
    """Hidden in the education line and in the body ("lecturer at MIT"); the degree and the field
    stay visible, and the blind score still equals the unredacted one."""
    doc = _resume(education, f"Guest lecturer at {school} on API design in 2019 with Quist's team")
    plain, blind = _blind(doc, rubric, settings)
    assert plain.status == "scored" and school in _shown(plain)
    assert blind.blind.holds, blind.blind.differences
    shown = _shown(blind)
    assert not re.search(rf"(?<!\w){re.escape(school)}(?!\w)", shown), shown
    assert kept in shown
    assert "Guest lecturer at [school] on API design in [year] with [name]'s team" in shown
    assert not YEAR.search(shown) and "Quist" not in shown and "Jordan" not in shown


@pytest.mark.parametrize(
    "education",
    [
        ["B.S. Information Science | Riverbend State University | 2023 – 2027",
         "GPA 3.7/4.0; Dean's List for four semesters", "Coursework: Databases, Statistics"],
        ["MBA, Magna Cum Laude, Stanford, 2015"],
    ],
)
def test_study_terms_and_coursework_are_not_taken_for_a_school(rubric, settings, education):
    from pipeline.redact import identity_of

    plain, blind = _blind(_resume(education, "Ran discovery interviews"), rubric, settings)
    names = identity_of(plain).school_names
    assert not any(w in n for n in names for w in ("GPA", "Dean", "Databases", "Statistics", "Magna", "Laude")), names
    shown = _shown(blind)
    assert "Dean's List" in shown or "Magna Cum Laude" in shown


def test_a_list_of_courses_and_ordinary_words_stay_outside_the_education_section(rubric, settings):
    """A degree line listing four or more courses is a list, not a school; a part of an entry that
    the résumé also writes as an ordinary lower-case word ("summit") is hidden in the education
    section only; initials that are something else first ("API") are never a school."""
    from pipeline.redact import identity_of

    education = ["M.S. Industrial Engineering: Facility Design, Quality Assurance, Lean Manufacturing, Reaction Kinetics",
                 "Associate of Personal Insurance (API)", "B.A. Economics | Summit | 2004 – 2008"]
    body = "Ran the partner summit and shipped a new API; Summit Labs adopted it"
    plain, blind = _blind(_resume(education, body), rubric, settings)
    identity = identity_of(plain)
    assert identity.education_school_names == ("Summit",)
    for word in ("Quality Assurance", "Lean Manufacturing", "API", "Summit"):
        assert word not in identity.school_names, word
    shown = _shown(blind)
    assert body in shown and "B.A. Economics | [school] | [year] – [year]" in shown


# ---------------------------------------------------------------------------------------------
# The bundled examples, with the cases written into them
# ---------------------------------------------------------------------------------------------

# (education line, school, what stays visible) written into each example in turn
PROBE_SCHOOLS = [
    ("M.S. Computer Science | MIT | 2009 – 2011", "MIT", "Computer Science"),
    ("MBA, Stanford, 2015", "Stanford", "MBA"),
    ("M.S. Software Engineering | Carnegie Mellon | 1998 – 2003", "Carnegie Mellon", "Software Engineering"),
    ("MSc Computer Science, ETH Zürich, 2008", "ETH Zürich", "MSc Computer Science"),
    ("B.Tech Electrical Engineering | IIT Bombay | Class of 2008", "IIT Bombay", "Electrical Engineering"),
    ("Master in Public Policy, Sciences Po ('09)", "Sciences Po", "Public Policy"),
]
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.glob("*.pdf") if (SOURCES / p.name.replace(".pdf", ".txt")).exists())


def _author(name: str):
    """The example's name and schools as its author wrote them (examples/source)."""
    lines = (SOURCES / name.replace(".pdf", ".txt")).read_text(encoding="utf-8").splitlines()
    schools, section = [], ""
    for line in lines:
        if line.startswith("## "):
            section = line[3:].strip().lower()
        elif section == "education" and line.startswith("### "):
            schools.append(line[4:].split(" | ")[1].strip())
    return lines[0].lstrip("# ").strip(), schools


def _with_probes(doc, name: str, probe):
    """The example with the issue's cases written in: the first name and the surname alone in a
    bullet, a school without a school word in the education section and in a bullet, years."""
    first, last = name.split()[0], name.split()[-1]
    education_line, school, _ = probe
    lines = list(doc.lines)
    bullet = next(i for i, ln in enumerate(lines) if ln.bullet)
    heading = next(i for i, ln in enumerate(lines) if ln.text.strip().lower() == "education")
    size = lines[bullet].size

    def at(i, text, is_bullet):
        return replace(lines[i], text=text, raw=text, top=lines[i].top + 0.5, bullet=is_bullet, bold=False, size=size)

    probes = {
        bullet: [at(bullet, f"{first} led the migration in 2015; {last}'s plan cut costs 40% with 12 engineers on Python 3.11", True),
                 at(bullet, f"{last} et al. presented it at {school} in '09 (port 8080, ISO 27001)", True)],
        heading: [at(heading, education_line, False)],
    }
    out = []
    for i, ln in enumerate(lines):
        out.append(ln)
        out += probes.get(i, [])
    return replace(doc, lines=tuple(out))


@pytest.fixture(scope="module")
def probed(rubric, settings):
    from pipeline.pdf_to_document import pdf_to_document

    out = {}
    for i, name in enumerate(EXAMPLE_NAMES):
        author, schools = _author(name)
        probe = PROBE_SCHOOLS[i % len(PROBE_SCHOOLS)]
        doc = _with_probes(pdf_to_document(EXAMPLES / name, settings), author, probe)
        out[name] = (author, schools, probe, *_blind(doc, rubric, settings))
    return out


def _page_text(result, rubric, blind=True) -> str:
    from reports.render import RunInfo, result_to_page

    run = RunInfo.for_rubric(rubric, AS_OF.isoformat(), "test", blind=blind)
    page = result_to_page(result, run)
    page = re.sub(r"(?s)<head>.*?</head>|<style.*?</style>|<script.*?</script>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page)).replace(AS_OF.isoformat(), " ")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_name_token_school_or_year_survives_on_an_example(probed, rubric, name):
    author, schools, (_, school, kept), plain, blind = probed[name]
    assert blind.blind.holds, blind.blind.differences
    if blind.status != "scored":
        pytest.skip("not scored")
    shown = _shown(blind) + "\n" + _page_text(blind, rubric)
    plain_shown = _shown(plain)
    for token in re.split(r"[\s-]+", author):
        assert re.search(rf"(?<!\w){token}(?!\w)", plain_shown, re.I), token  # the check is not vacuous
        assert not re.search(rf"(?<!\w){token}(?!\w)", shown, re.I), token
    for s in [school, *schools]:
        assert s in plain_shown and s not in shown, s
    assert YEAR.search(plain_shown) and not YEAR.search(shown), YEAR.findall(shown)
    for visible in (kept, "40%", "12 engineers", "Python 3.11", "port 8080", "ISO 27001", "[name] led the migration",
                    "[name]'s plan", "[name] et al. presented it at [school] in [year]"):
        assert visible in shown, visible


# ---------------------------------------------------------------------------------------------
# 3. A timeline with the career's shape and no calendar dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "months, shown",
    [(0, "0 m"), (8, "8 m"), (12, "1 y"), (38, "3 y 2 m"), (59, "4 y 11 m"), (240, "20 y")],
)
def test_duration(months, shown):
    from reports.render import duration

    assert duration(months) == shown


@pytest.fixture(scope="module")
def plain_and_blind(rubric, settings):
    from pipeline.file_to_result import file_to_result

    names = ["03-senior-tpm-maya-lindqvist.pdf", "05-cpo-celeste-marchetti-obi.pdf", "10-student-leo-castellanos.pdf"]
    return {n: (file_to_result(EXAMPLES / n, rubric, settings), file_to_result(EXAMPLES / n, rubric, replace(settings, blind=True)))
            for n in names}


@pytest.mark.parametrize("name", ["03-senior-tpm-maya-lindqvist.pdf", "05-cpo-celeste-marchetti-obi.pdf", "10-student-leo-castellanos.pdf"])
def test_the_blind_timeline_keeps_order_and_lengths_without_dates(plain_and_blind, rubric, name):
    from reports.render import timeline

    plain, blind = plain_and_blind[name]
    a, b = timeline(plain, plain.as_of), timeline(blind, blind.as_of)
    assert b is not None and b["relative"] and not a["relative"]
    # the same bars, in the same order, the same months apart, as long as before
    assert [(r["start"], r["end"], r["title"]) for r in b["rows"]] == [(r["start"], r["end"], r["title"]) for r in a["rows"]]
    assert b["overlap_months"] == a["overlap_months"] and not b["undated"]
    labels = [t["label"] for t in b["ticks"]]
    assert labels[0] == "now" and all(re.fullmatch(r"−\d+ y", label) for label in labels[1:]), labels
    assert all(t["year"] is None for t in b["ticks"])
    text = _page_text(blind, rubric)
    assert "Experience timeline:" in text and "years back from the run date" in text
    assert not YEAR.search(text), YEAR.findall(text)
    for row in b["rows"]:
        assert row["duration"] in text
    assert re.search(r"\d+ [ym]( \d+ m)? ago to (now|\d+ [ym]( \d+ m)? ago)", text)  # the positions table


def test_the_positions_table_says_how_long_ago(plain_and_blind, rubric):
    """Jan 2022 – Present, as of Nov 2026: started 4 y 10 m before the run date, still current."""
    _, blind = plain_and_blind["03-senior-tpm-maya-lindqvist.pdf"]
    text = _page_text(blind, rubric)
    assert "4 y 10 m ago to now" in text and "6 y 8 m ago to 4 y 11 m ago" in text


def test_a_long_career_shows_its_length_but_no_start_year(plain_and_blind, rubric):
    """A 18-year career: the axis goes back 18+ years from now, but no calendar year is shown."""
    plain, blind = plain_and_blind["05-cpo-celeste-marchetti-obi.pdf"]
    text = _page_text(blind, rubric)
    assert "2008" in _page_text(plain, rubric, blind=False) and "2008" not in text
    assert "−15 y" in text  # ticks every 5 years on a long axis
    first = min(p.relative_months[0] for p in blind.profile.positions if p.relative_months)
    assert first <= -18 * 12
