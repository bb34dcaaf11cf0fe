"""Stage 2 (document_to_profile): profiles built from synthetic lines, one layout per test.

Each layout test is a fixture for a bug found on real résumés (named in the test).
"""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.document_to_profile import (
    document_to_profile,
    heading_kind,
    lines_to_certifications,
    load_vocabulary,
    team_size,
)
from pipeline.types import Document, Line, YearMonth

AS_OF = date(2026, 11, 26)
VOCAB = load_vocabulary()


def L(text, x0=40.0, size=10.0, bold=False, bullet=False, page=1):  # noqa: N802 - a tiny builder
    return Line(text=text, raw=text, page=page, x0=x0, top=0.0, x1=500.0, bottom=10.0, size=size, bold=bold, bullet=bullet)


def H(text):  # noqa: N802 - a bold heading line
    return L(text, size=12.0, bold=True)


def B(text):  # noqa: N802 - a bullet
    return L(text, x0=48.0, bullet=True)


FILLER = [B(f"Delivered outcome number {n} for the platform with measurable impact") for n in range(8)]


def profile_of(*lines):
    header = [L("Jane Q Example", size=20, bold=True), L("jane@example.com | (555) 010-2000 | Denver, CO")]
    return document_to_profile(Document("t.pdf", "0" * 64, 1, lines=tuple(header + list(lines))), AS_OF)


def spans(profile):
    return [(p.title, p.organisation, p.start, p.end, p.current) for p in profile.positions]


# ---------------------------------------------------------------------------------------------
# Headings
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, kind",
    [
        (H("Experience"), "experience"),
        (L("EXPERIENCE"), "experience"),  # capitals
        (L("Work History"), "experience"),  # stands alone, exact name
        (L("Professional Experience:"), "experience"),
        (H("Experiance"), "experience"),  # misspelt, but looks like a heading
        (H("Teaching Experience"), "experience"),  # by its last word
        (H("INTERNSHIPS"), "experience"),
        (H("Employment"), "experience"),
        (H("Education"), "education"),
        (L("Education and Training"), "education"),
        (H("Technical Skills"), "skills"),
        (H("Licenses and Certifications"), "certifications"),
        (H("Selected Honors"), "awards"),
        (H("Projects"), "projects"),
        (H("Professional Summary"), "summary"),
        (H("int erests"), "other"),  # letter-spaced heading split by the extractor
        (L("Experiance"), None),  # a misspelling needs a heading look
        (L("skills."), None),  # the end of a wrapped sentence
        (B("Experience"), None),  # bullets are never headings
        (H("Experience 2019 – 2021"), None),
        (H("Software Engineer at Example Corporation"), None),
        (L("Managed the experience of our customers across regions"), None),
    ],
)
def test_heading_lines(line, kind):
    assert heading_kind(line, 10.0, VOCAB) == kind


# ---------------------------------------------------------------------------------------------
# Positions: one test per layout
# ---------------------------------------------------------------------------------------------


def test_title_org_and_dates_on_one_line():
    p = profile_of(
        H("Experience"),
        L("Technical Product Manager , Halcyon Freight 04/2022 - Present"),
        B("Own the roadmap for the tracking API"),
        L("Product Analyst , Halcyon Freight 06/2020 - 03/2022"),
        B("Built SQL reporting"),
    )
    assert spans(p) == [
        ("Technical Product Manager", "Halcyon Freight", YearMonth(2022, 4), YearMonth(2026, 11), True),
        ("Product Analyst", "Halcyon Freight", YearMonth(2020, 6), YearMonth(2022, 3), False),
    ]
    assert [len(x.bullets) for x in p.positions] == [1, 1]
    assert p.experience.employer_count == 1


def test_title_line_then_organisation_and_dates():
    p = profile_of(
        H("Experience"),
        L("Associate Product Manager", bold=True),
        L("Shiftwise Scheduling | Aug 2025 – Present"),
        B("Shipped shift swapping"),
        L("Product Management Intern", bold=True),
        L("Brightlane Health | Summer 2024"),
        B("Ran customer interviews"),
    )
    assert [(x.title, x.organisation, x.months) for x in p.positions] == [
        ("Associate Product Manager", "Shiftwise Scheduling", 16),
        ("Product Management Intern", "Brightlane Health", 3),
    ]


def test_dates_first_layout_livecareer():
    """livecareer ENGINEERING__11981094: the dates stand alone above the title line."""
    p = profile_of(
        L("Experience", x0=33),
        L("09/2009 to Current", x0=33),
        L("Software Engineering Manager Company Name ï1⁄4 City , State", x0=33),
        L("Development and team management, Nexio servers: Led team of 22 developers from Burbank", x0=57),
        L("and leading team of 3 to 6 from Burbank since 2014, adopted Scrum", x0=57),
        L("11/2005 to 08/2009", x0=33),
        L("Software Engineer Company Name ï1⁄4 City , State", x0=33),
        L("Hired, mentored and built core editing team to size of 8 from Naperville", x0=57),
    )
    assert [(x.title, x.organisation, x.start, x.end) for x in p.positions] == [
        ("Software Engineering Manager", "Company Name", YearMonth(2009, 9), YearMonth(2026, 11)),
        ("Software Engineer", "Company Name", YearMonth(2005, 11), YearMonth(2009, 8)),
    ]
    # "since 2014" inside an indented line is not a position; anonymised employers count apart
    assert p.experience.employer_count == 2
    assert p.experience.max_team_size == 22


def test_dates_right_aligned_on_the_first_bullet_row():
    """RenderCV classic theme: the date column shares its row with the first bullet."""
    p = profile_of(
        H("Experience"),
        L("Nexus AI , Co-Founder & CTO San Francisco, CA", x0=56),
        L("Built foundation model infrastructure serving 2M+ requests June 2023 – present", x0=60, bullet=True),
        L("uptime 2 years 10 months", x0=68),
        L("Scaled engineering team from 3 to 28 across ML research", x0=60, bullet=True),
        L("NVIDIA Research , Research Intern Santa Clara, CA", x0=56),
        L("Designed sparse attention reducing memory by 4.2x May 2022 – Aug 2022", x0=60, bullet=True),
    )
    assert [(x.title, x.organisation, x.months) for x in p.positions] == [
        ("Co-Founder & CTO", "Nexus AI", 42),
        ("Research Intern", "NVIDIA Research", 4),
    ]
    assert p.positions[0].bullets[0].text.startswith("Built foundation")
    assert p.experience.max_team_size == 28


def test_organisation_line_then_title_and_dates():
    """Awesome-CV: employer (bold) with its city, then the title with the dates."""
    p = profile_of(
        H("Work Experience"),
        L("Dunamu Inc. Seoul, S.Korea", bold=True),
        L("DevOps Engineer Sep. 2023 \u00ad Mar. 2024", size=8),
        B("Led service mesh research"),
        L("Danggeun Pay Inc. (KarrotPay) Seoul, S.Korea", bold=True),
        L("Founding Member & Site Reliability Engineer Mar. 2021 \u00ad Jun. 2023", size=8),
        B("Designed the infrastructure"),
    )
    assert [(x.title, x.organisation, x.months) for x in p.positions] == [
        ("DevOps Engineer", "Dunamu Inc.", 7),
        ("Founding Member & Site Reliability Engineer", "Danggeun Pay Inc. (KarrotPay)", 28),
    ]


def test_bullets_without_glyphs_are_not_titles():
    """Yasas2000 Cv_App: achievements written as plain lines at the title's margin."""
    p = profile_of(
        H("WORK EXPERIENCE"),
        L("Senior Backend Engineer - Enterprise Cloud Solutions"),
        L("Jan 2019 - Present (5 years)"),
        L("Architected microservices platform using Spring Boot serving 1M+ users"),
        L("Reduced infrastructure costs by 35% through cloud optimization"),
        L("Java Developer - Corporate Systems Ltd."),
        L("Jun 2017 - Dec 2018 (1.5 years)"),
        L("Developed RESTful APIs using Spring Boot"),
    )
    assert [(x.title, x.organisation, len(x.bullets)) for x in p.positions] == [
        ("Senior Backend Engineer", "Enterprise Cloud Solutions", 2),
        ("Java Developer", "Corporate Systems Ltd.", 1),
    ]


def test_undatable_position_is_kept_and_flagged():
    p = profile_of(
        H("Experience"),
        L("Product Manager, Acme Corp 2019 – 2021"),
        B("Launched a thing"),
        L("Freelance Consultant"),
        B("Advised startups on pricing"),
    )
    assert [(x.title, x.datable) for x in p.positions] == [("Product Manager", True), ("Freelance Consultant", False)]
    assert p.experience.undatable_positions == 1
    assert p.experience.total_months == 24
    assert any("without readable dates" in n for n in p.notes)


# ---------------------------------------------------------------------------------------------
# Tenure
# ---------------------------------------------------------------------------------------------


def test_overlapping_positions_are_merged_not_summed():
    p = profile_of(
        H("Experience"),
        L("Product Manager, Acme Corp Jan 2018 – Dec 2020"),
        B("Owned the roadmap"),
        L("Advisor, Side Startup Jan 2019 – Dec 2019"),
        B("Advised on pricing"),
        L("Senior Product Manager, Beta Inc Jul 2020 – Jun 2021"),
        B("Led discovery"),
    )
    assert [x.months for x in p.positions] == [36, 12, 12]
    assert p.experience.total_months == 42  # Jan 2018 .. Jun 2021, not 60
    assert p.experience.product_months == 42
    assert p.experience.employer_count == 3


def test_product_and_leadership_months():
    p = profile_of(
        H("Experience"),
        L("Engineering Manager, Acme Corp 2020 – 2024"),
        B("Managed a team of 8 engineers"),
        L("Software Engineer, Acme Corp 2016 – 2020"),
        B("Led a team of 4 developers on the billing rewrite"),
        L("Technical Program Manager, Beta Inc 2024 – Present"),
        B("Ran sprint planning with a team of 7 engineers"),
    )
    exp = p.experience
    assert exp.total_months == months(2016, 1, 2026, 11)
    assert exp.product_months == months(2024, 1, 2026, 11)
    assert exp.leadership_months == months(2016, 1, 2023, 12)  # titles and "led a team of 4"
    assert exp.max_team_size == 8
    assert exp.employer_count == 2
    assert exp.average_tenure_months == (96 + 35) / 2


def months(y1, m1, y2, m2):
    return (y2 * 12 + m2) - (y1 * 12 + m1) + 1


@pytest.mark.parametrize(
    "text, size",
    [
        ("Managed a team of 8 engineers", 8),
        ("Scaled engineering team from 3 to 28", 28),
        ("Hired and coached 4 PMs", 4),
        ("Built a team of twelve", 12),
        ("leading an organization of 85 people", 85),
        ("run sprint planning with a team of 7 engineers", 0),  # working with, not leading
        ("Mentored team of 4 junior developers", 0),
        ("Grew revenue from 3 to 28 million", 0),
    ],
)
def test_team_size(text, size):
    assert team_size(text, VOCAB) == size


def test_education_and_project_dates_are_not_work():
    p = profile_of(
        H("Education"),
        L("B.S. Computer Science, State University 2012 – 2016"),
        H("Experience"),
        L("Software Engineer, Acme Corp Jan 2020 – Dec 2020"),
        B("Shipped the API"),
        H("Projects"),
        L("FlashInfer Jan 2021 – present"),
        B("Open-source inference kernels"),
        H("Awards"),
        L("Best Paper May 2021"),
    )
    assert [x.organisation for x in p.positions] == ["Acme Corp"]
    assert p.experience.total_months == 12
    (edu,) = p.education
    assert (edu.degree_level, edu.field, edu.institution, edu.year) == (
        "bachelors",
        "Computer Science",
        "State University",
        2016,
    )


def test_stale_current_position_is_noted():
    """livecareer ENGINEERING__17926546: 'Associate' held since 2008, written around 2015."""
    p = profile_of(
        H("Profile"),
        L("Team-oriented Engineering Associate with over 8 years experience designing systems."),
        H("Professional Experience"),
        L("Engineering Associate 05/2008 to Current Company Name City , State", x0=33),
        L("Started as an instrument tech on the manufacturing floor in 2011.", x0=57),
        L("Electrical Technician 02/2007 to 03/2008 Company Name City , State", x0=33),
        L("Resolved part and assembly discrepancies in 2015.", x0=57),
    )
    assert p.experience.stated_years == 8
    assert p.positions[0].title == "Engineering Associate"
    assert p.positions[0].current
    assert any("latest year written is 2015" in n for n in p.notes)


# ---------------------------------------------------------------------------------------------
# Contact, certifications, skills
# ---------------------------------------------------------------------------------------------


def test_contact():
    p = profile_of(H("Experience"), L("Engineer, Acme Corp 2019 – 2021"), B("x"))
    c = p.contact
    assert (c.name, c.email, c.phone, c.location) == ("Jane Q Example", "jane@example.com", "(555) 010-2000", "Denver, CO")


def test_name_is_not_a_job_title():
    """livecareer: the first line is the headline title, the name is anonymised away."""
    doc = Document("t.pdf", "0" * 64, 1, lines=(L("SOFTWARE ENGINEERING MANAGER"), H("Summary"), *FILLER))
    assert document_to_profile(doc, AS_OF).contact.name == ""


@pytest.mark.parametrize(
    "text, certs",
    [
        ("PMP, CSPO", ("PMP", "CSPO")),
        ("Project Management Professional (PMP) 2018", ("PMP",)),
        ("AWS Certified Cloud Practitioner, 2023", ("AWS Certified",)),
        ("Professional Scrum Master I (PSM I)", ("PSM",)),
        ("Scaled Agile Framework (SAFe) practices", ()),  # a method, not a certificate
        ("BUSINESS ANALYST / SCRUM MASTER", ()),  # a title, not a certificate
        ("Used pmp files", ()),  # acronyms count only in capitals
        ("CERTİFİED SCRUMMASTER; ſafe agiliſt", ("CSM", "SAFe")),  # as re.IGNORECASE reads İ and ſ
        ("İTIL, Pmp", ()),
    ],
)
def test_certifications(text, certs):
    assert lines_to_certifications((L(text),), VOCAB) == certs


def _certifications_by_definition(text: str) -> tuple[str, ...]:
    """One regex search per pattern, as the certification table defines a match."""
    found = []
    for cert in VOCAB["certifications"]:
        for pattern in cert["patterns"]:
            acronym = re.fullmatch(r"[a-z0-9-]+", pattern) and len(pattern) <= 7
            needle = pattern.upper() if acronym else pattern
            if re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text, 0 if acronym else re.IGNORECASE):
                found.append(cert["name"])
                break
    return tuple(found)


def test_certifications_found_by_string_search_first_are_those_the_patterns_define():
    from tests.conftest import rubric_and_example_lines

    lines = rubric_and_example_lines()
    texts = lines + ["\n".join(lines[i:i + 40]) for i in range(0, len(lines), 40)]
    assert sum(bool(_certifications_by_definition(t)) for t in texts) >= 10
    for text in texts:
        assert lines_to_certifications((L(text),), VOCAB) == _certifications_by_definition(text), text


def test_skills_section_as_a_list():
    p = profile_of(
        H("Skills"),
        L("Languages: Python, SQL, Go"),
        L("Jira • Confluence • Figma"),
        H("Experience"),
        L("Engineer, Acme Corp 2019 – 2021"),
        B("x"),
    )
    assert p.skills == ("Python", "SQL", "Go", "Jira", "Confluence", "Figma")


# ---------------------------------------------------------------------------------------------
# Verdict
# ---------------------------------------------------------------------------------------------


def test_a_resume_is_scorable():
    p = profile_of(H("Experience"), L("Product Manager, Acme Corp 2019 – 2021"), *FILLER, H("Education"), L("BA Economics, State University 2015"))
    assert p.verdict.scorable, p.verdict.reason


@pytest.mark.parametrize(
    "lines, reason",
    [
        ([L("Jane Doe"), L("jane@example.com")], "near-empty"),
        (
            [L("Dear Hiring Manager,"), *FILLER, L("I am writing to apply for the role."), L("Sincerely, Jane")],
            "cover letter",
        ),
        (
            [L("YOUR NAME HERE"), L("Your Position or Tagline Here"), H("Experience"), L("Job Title 1"), L("Company 1"),
             L("Month 20XX – Ongoing"), *FILLER],
            "placeholder",
        ),
        ([H("Experience"), L("Product Manager, Acme Corp"), *FILLER, H("Education"), L("B.A. Economics")], "no dated"),
    ],
)
def test_not_a_scorable_resume(lines, reason):
    p = document_to_profile(Document("t.pdf", "0" * 64, 1, lines=tuple(lines)), AS_OF)
    assert not p.verdict.scorable
    assert reason in p.verdict.reason


def test_same_input_same_profile():
    lines = (H("Experience"), L("Product Manager, Acme Corp 2019 – Present"), *FILLER)
    doc = Document("t.pdf", "0" * 64, 1, lines=lines)
    assert document_to_profile(doc, AS_OF) == document_to_profile(doc, AS_OF)
    assert document_to_profile(doc, date(2030, 1, 1)).experience.total_months > document_to_profile(doc, AS_OF).experience.total_months


def test_corpus_associate_with_eight_years(settings):
    """ENGINEERING__17926546: the 'Associate' title was held about 8 years when written."""
    from conftest import corpus_or_skip

    from pipeline.pdf_to_document import pdf_to_document

    path = corpus_or_skip() / "pdfs" / "Sbhawal__resumeScraper__ENGINEERING__17926546.pdf"
    profile = document_to_profile(pdf_to_document(path, settings), date(2016, 6, 1))
    first = profile.positions[0]
    assert first.title == "Engineering Associate"
    assert 95 <= first.months <= 100  # May 2008 .. Jun 2016, as of mid-2016
    assert profile.experience.stated_years == 8


@given(st.lists(st.one_of(st.integers(-50, 50), st.sampled_from([9.5, 10.0, 10.5, 11.0, 12.0])), min_size=1, max_size=30))
def test_body_size_and_left_edge_are_the_median_and_mode_statistics_gives(values):
    import statistics
    from collections import Counter

    from pipeline.document_to_profile import median

    assert median(values) == statistics.median(values)
    assert Counter(values).most_common(1)[0][0] == statistics.mode(values)
