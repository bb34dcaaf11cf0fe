"""Ladder level: title normalisation, the traps of issue 6, the shape of the output, the shipped model.

Profiles here are built by hand (fictional people), so these tests do not depend on how well the
understanding stage reads a PDF; one table checks the bundled examples end to end.
"""


import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline.profile_to_level import (
    load_signal_vocabulary,
    profile_to_level,
    read_title,
)
from pipeline.rubric import RUBRICS_DIR
from pipeline.types import Contact, Education, Experience, Line, Position, Profile, Section, Verdict, YearMonth
from tests.conftest import AS_OF, EXAMPLES

LEVELS = ("associate", "tpm", "senior", "principal", "vp")


@pytest.fixture(scope="module")
def vocab():
    return load_signal_vocabulary(str(RUBRICS_DIR / "ladder_signals.toml"))


def line(text: str, bullet: bool = True) -> Line:
    return Line(text=text, raw=text, page=1, x0=0, top=0, x1=100, bottom=10, size=10, bold=False, bullet=bullet)


def position(title, org, start, end, bullets=()):
    s, e = YearMonth(start, 1), (YearMonth(end, 12) if end else YearMonth(AS_OF.year, AS_OF.month))
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    return Position(title, org, s, e, end is None, tuple(line(b) for b in bullets), months=months, date_text=f"{start} – {end or 'Present'}")


def profile(positions, product_months=0, summary=(), education=()):
    total = 0
    spans = sorted((p.start.year * 12 + p.start.month, p.end.year * 12 + p.end.month) for p in positions)
    last = -1
    for a, b in spans:  # overlaps merged
        a = max(a, last + 1)
        if b >= a:
            total += b - a + 1
            last = b
    sections = (Section("summary", "Summary", tuple(line(t, False) for t in summary)),) if summary else ()
    return Profile(
        as_of=AS_OF,
        sections=sections,
        contact=Contact(),
        positions=tuple(positions),
        education=tuple(education),
        certifications=(),
        skills=(),
        experience=Experience(total_months=total, product_months=product_months),
        verdict=Verdict(True),
    )


# ---------------------------------------------------------------------------------------------
# Title wording, normalised
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, seniority, family",
    [
        ("Associate Product Manager", "associate", "product"),
        ("Junior Product Owner", "associate", "product"),
        ("Product Management Intern", "intern", "product"),
        ("Technical Product Manager", "mid", "product"),
        ("Senior Technical Product Manager", "senior", "product"),
        ("Sr. Product Manager", "senior", "product"),
        ("Lead Product Manager", "lead", "product"),
        ("Group Product Manager", "staff", "product"),
        ("Principal Product Manager", "staff", "product"),
        ("Associate Director of Product", "staff", "product"),
        ("Head of Product", "director", "product"),
        ("Director of Product Management", "director", "product"),
        ("VP of Product", "vp", "product"),
        ("Senior Vice President, Product", "vp", "product"),
        ("Chief Product Officer", "chief", "product"),
        ("Technical Program Manager", "mid", "program"),
        ("Senior Software Engineer", "senior", "engineering"),
        ("Staff Engineer", "staff", "engineering"),
        ("Product Designer", "mid", "adjacent"),
        ("Head Undergraduate Researcher", "intern", "adjacent"),
        ("Executive Chef", "mid", "other"),
        ("Co-owner/Executive Chef", "mid", "other"),
        ("Co-founder & CEO", "chief", "adjacent"),
    ],
)
def test_title_wording_is_normalised(vocab, title, seniority, family):
    reading = read_title(title, vocab)
    assert (reading.seniority, reading.family) == (seniority, family)


@pytest.mark.parametrize(
    "title, context, capped",
    [
        ("CTO", "Co-founded a three-person startup building scheduling tools", True),
        ("CEO", "Founder of a 4-person company", True),
        ("Co-Founder & CTO", "Scaled the engineering team from 3 to 28 people", False),
        ("CTO", "Led 120 engineers across a 400-person company", False),
        ("Head of Product", "Early-stage startup; worked with two engineers", True),
        ("VP of Product", "Lead a product organization of 40 people", False),
    ],
)
def test_small_organisation_caps_chief_titles(vocab, title, context, capped):
    from pipeline.profile_to_level import people_led_of

    reading = read_title(title, vocab, context, people_led_of([context], vocab)[0])
    assert bool(reading.small_org) is capped
    assert (reading.capped_rank <= 2) is capped


# ---------------------------------------------------------------------------------------------
# The traps
# ---------------------------------------------------------------------------------------------


def test_cto_of_a_three_person_startup_is_not_vp_level(rubric):
    p = profile(
        [
            position("CTO", "Tinyloop", 2022, None, ["Co-founded a three-person startup; built the MVP in Go"]),
            position("Software Engineer", "Bigcorp", 2018, 2021, ["Built REST APIs for billing"]),
        ]
    )
    level = profile_to_level(p, rubric)
    assert level.level in ("associate", "tpm", "senior")
    assert any("not that level of product leadership" in r for r in level.reasons)


def test_an_associate_title_held_for_eight_years_is_not_entry_level(rubric):
    p = profile(
        [position("Associate Product Manager", "Steadyware", 2018, None, ["Own the roadmap for the billing product and its team"])],
        product_months=100,
    )
    level = profile_to_level(p, rubric)
    assert level.level != "associate"
    assert any("not entry level" in r for r in level.reasons)


def test_a_student_with_internships_is_associate(rubric):
    edu = Education("bachelors", "Computer Science", "Lakeside University", 2027, line("B.S. Computer Science (expected May 2027)", False))
    p = profile(
        [
            position("Product Management Intern", "Brightlane", 2025, 2025, ["Wrote user stories for a checkout feature"]),
            position("Software Engineering Intern", "Parcelstream", 2024, 2024, ["Fixed bugs in the web app"]),
        ],
        education=[edu],
    )
    level = profile_to_level(p, rubric)
    assert level.level == "associate"
    assert any(s.name == "student" for s in level.signals)


def test_program_and_product_managers_get_comparable_levels(rubric):
    bullets = ["Run the platform roadmap across 4 engineering teams", "Planned quarterly OKRs with engineering leads"]
    product = profile([position("Senior Technical Product Manager", "Acme", 2018, None, bullets)], product_months=107)
    program = profile([position("Senior Technical Program Manager", "Acme", 2018, None, bullets)], product_months=107)
    a, b = profile_to_level(product, rubric), profile_to_level(program, rubric)
    assert abs(LEVELS.index(a.level) - LEVELS.index(b.level)) <= 1
    families = {s.value.split(" · ")[1] for lv in (a, b) for s in lv.signals if s.name == "most_senior_title"}
    assert families == {"product management", "program or project management"}
    assert any("different role from product management" in r for r in b.reasons)
    assert not any("different role" in r for r in a.reasons)


def test_a_product_title_speaks_for_itself_over_years_in_an_earlier_career(rubric):
    p = profile(
        [
            position("Product Owner", "Cedarline", 2022, None, ["Wrote user stories for the claims portal"]),
            position("Business Analyst", "Cedarline", 2015, 2021, ["Documented requirements"]),
        ],
        product_months=59,
    )
    level = profile_to_level(p, rubric)
    title = next(s for s in level.signals if s.name == "most_senior_title")
    assert "Product Owner" in title.evidence
    assert level.level == "tpm"


def expected_index(level) -> float:
    return sum(i * p for i, (_, p) in enumerate(level.probabilities))


TECHNICAL = ["Built the payments API in Go", "Reduced p99 latency by 40%"]
CROSS_TEAM = ["Designed the payments API with two other teams", "Mentored 3 engineers"]


@pytest.mark.parametrize(
    "bullets, start, levels",
    [
        (CROSS_TEAM, 2023, None),
        (CROSS_TEAM, 2020, None),
        (CROSS_TEAM, 2016, None),
        (TECHNICAL, 2021, ("tpm", "senior")),  # six years: a Senior TPM's record, a TPM's entry for the engineer
        (TECHNICAL, 2016, None),
    ],
)
def test_a_senior_engineer_enters_the_ladder_lower_and_says_why(rubric, bullets, start, levels):
    """The same record under a Senior Software Engineer title and a Senior TPM title: the engineer
    sits lower (no time in a product title), never higher, and the reasons say why. How much lower
    follows the labelling convention for non-product résumés (the career seniority they would most
    plausibly enter at), so a senior engineer may still enter as a Senior TPM, with less
    confidence than a Senior TPM with the same record."""
    months = (AS_OF.year - start) * 12 + AS_OF.month
    engineer = profile([position("Senior Software Engineer", "Acme", start, None, bullets)])
    tpm = profile([position("Senior Technical Product Manager", "Acme", start, None, bullets)], product_months=months)
    e, t = profile_to_level(engineer, rubric), profile_to_level(tpm, rubric)
    assert LEVELS.index(e.level) <= LEVELS.index(t.level)
    assert expected_index(e) < expected_index(t) - 0.05
    assert any("not product management" in r and "lower" in r for r in e.reasons)
    if levels:
        assert (e.level, t.level) == levels


@pytest.mark.parametrize(
    "title, start, want",
    [
        ("Senior Software Engineer", 2024, "tpm"),  # "Senior" after two years is not a senior's record
        ("Senior Software Engineer", 2019, "senior"),  # the senior band's years: the title's level carries over
        ("Software Engineer", 2024, "associate"),  # no seniority word: years decide
        ("Staff Software Engineer", 2012, "senior"),  # above senior, engineering seniority enters a level lower
        ("Senior Product Designer", 1990, "senior"),  # decades in one craft: principal-level seniority at most, entering at senior
    ],
)
def test_a_career_outside_product_enters_by_its_title_and_years(rubric, title, start, want):
    assert profile_to_level(profile([position(title, "Acme", start, None, TECHNICAL)]), rubric).level == want


# ---------------------------------------------------------------------------------------------
# An old résumé: "Present" means when it was written, not the as-of date
# ---------------------------------------------------------------------------------------------


def total_years(level) -> float:
    return float(next(s.value for s in level.signals if s.name == "total_years").split()[0])


def test_a_resume_dated_in_its_header_counts_present_to_that_date(rubric):
    from dataclasses import replace

    positions = [
        position("Software Engineer", "Bigsocial", 2015, None),
        position("Software Engineering Intern", "Searchco", 2014, 2014, ["Built a captions editor"]),
    ]
    header = Section("header", "", (line("Ana Lima · Last updated on 21st January 2015", False),))
    fresh = profile(positions)
    dated = replace(fresh, sections=(header,))
    old, new = profile_to_level(dated, rubric), profile_to_level(fresh, rubric)
    assert total_years(old) < 1.5 < 10 < total_years(new)
    assert old.level == "associate" and LEVELS.index(new.level) > 0
    assert any("January 2015" in r and "older than the as-of date" in r for r in old.reasons)
    assert not any("older than the as-of date" in r for r in new.reasons)


@pytest.mark.parametrize(
    "summary, positions, years",
    [
        # the summary's count dates the résumé: its open position ends where the count is reached
        ("7 years of backend development experience", [("Senior Backend Engineer", 2019, None), ("Java Developer", 2017, 2018)], 7.5),
        # a count below even the closed record counts something narrower: the dates stand
        ("3 years of experience in Python", [("Senior Engineer", 2018, None), ("Engineer", 2010, 2017)], 16.9),
        # a count the dates bear out (within a year) changes nothing
        ("9 years of experience in fintech", [("Senior Engineer", 2018, None), ("Engineer", 2017, 2017)], 9.9),
    ],
)
def test_a_summary_count_of_years_below_the_dates_dates_the_resume(rubric, summary, positions, years):
    p = profile([position(t, "Acme", a, b, ["Built the billing service"]) for t, a, b in positions], summary=[summary])
    level = profile_to_level(p, rubric)
    assert total_years(level) == pytest.approx(years, abs=0.1)
    dated = any("older than the as-of date" in r for r in level.reasons)
    assert dated == (years < 9)


# ---------------------------------------------------------------------------------------------
# The output
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "positions, product_months, want",
    [
        ([("Associate Product Manager", 2025, None)], 22, "associate"),
        ([("Product Manager", 2022, None)], 58, "tpm"),
        ([("Senior Product Manager", 2018, None)], 107, "senior"),
        ([("Director of Product", 2012, None)], 178, "principal"),
        ([("Chief Product Officer", 2018, None), ("VP of Product", 2008, 2017)], 227, "vp"),
    ],
)
def test_a_plain_career_lands_on_its_level(rubric, positions, product_months, want):
    bullets = {
        "associate": ["Wrote user stories for the checkout feature in two-week sprints"],
        "tpm": ["Own the roadmap for the shipment API and its team"],
        "senior": ["Lead the platform across 4 engineering teams", "Set the annual roadmap", "Mentored 2 PMs"],
        "principal": ["Own a portfolio of 4 products", "Manage a team of 5 product managers", "Set the three-year strategy"],
        "vp": ["Lead a product organization of 85 people", "Own a $140M P&L", "Wrote the five-year product strategy", "Manage 12 product managers"],
    }[want]
    p = profile([position(t, "Acme", s, e, bullets) for t, s, e in positions], product_months=product_months)
    assert profile_to_level(p, rubric).level == want


def test_level_output_has_probabilities_reasons_and_next_step(rubric):
    p = profile([position("Product Manager", "Acme", 2022, None, ["Own the roadmap for the billing API"])], product_months=58)
    level = profile_to_level(p, rubric)
    assert [lv for lv, _ in level.probabilities] == list(LEVELS)
    assert abs(sum(p for _, p in level.probabilities) - 1) < 1e-9
    assert dict(level.probabilities)[level.level] == max(p for _, p in level.probabilities)
    assert 0 < level.confidence <= 1
    assert 3 <= len(level.reasons) <= 5
    assert level.next_level and all(level.next_level)
    names = {s.name for s in level.signals}
    assert {"total_years", "product_years", "most_senior_title", "scope", "people_led", "pms_led", "horizon", "budget"} <= names


def test_every_signal_quotes_its_evidence(rubric):
    bullets = [
        "Lead a portfolio of 4 products across the payments business unit",
        "Manage a team of 5 product managers and coached 2 APMs",
        "Lead a product group of 30 people",
        "Set the three-year product strategy with the executive team",
        "Own a $12M annual budget for the platform",
    ]
    p = profile([position("Director of Product", "Acme", 2013, None, bullets)], product_months=166)
    signals = {s.name: s for s in profile_to_level(p, rubric).signals}
    assert signals["scope"].value in ("a portfolio", "the whole function")
    assert signals["people_led"].value == "30"
    assert signals["pms_led"].value == "5"
    assert signals["horizon"].value == "multi-year strategy"
    assert signals["budget"].value == "yes"
    for name in ("scope", "people_led", "pms_led", "horizon", "budget"):
        assert signals[name].evidence in bullets, name
    assert "Director of Product" in signals["most_senior_title"].evidence
    assert "months" in signals["total_years"].evidence


def test_the_top_level_has_no_next_level(rubric):
    bullets = ["Lead a product organization of 85 people", "Own a $140M P&L", "Wrote the five-year product strategy"]
    p = profile([position("Chief Product Officer", "Acme", 2005, None, bullets)], product_months=260)
    level = profile_to_level(p, rubric)
    assert level.level == "vp" and level.next_level == ()


def test_no_positions_gives_a_level_with_low_confidence(rubric):
    level = profile_to_level(profile([]), rubric)
    assert level.level == "associate"
    assert level.confidence <= 0.6


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    title=st.sampled_from(["", "Product Manager", "Senior Software Engineer", "CTO", "Executive Chef", "VP of Product", "Intern"]),
    years=st.floats(0, 40),
    product_share=st.floats(0, 1),
    scope=st.integers(0, 4),
    horizon=st.integers(0, 3),
    people=st.integers(0, 5000),
    pms=st.integers(0, 200),
    budget=st.booleans(),
    student=st.booleans(),
)
def test_any_signals_give_a_well_formed_level(rubric, title, years, product_share, scope, horizon, people, pms, budget, student):
    from pipeline.profile_to_level import LevelSignals, signals_to_level, title_entry

    vocab = load_signal_vocabulary(str(RUBRICS_DIR / "ladder_signals.toml"))
    reading = read_title(title, vocab) if title else None
    rank = title_entry(reading, years, rubric.model.ladder.levels)[0] if reading else 0
    signals = LevelSignals(years, years * product_share, reading, rank, years, scope, people, pms, horizon, budget, student)
    level = signals_to_level(signals, rubric)
    probs = [p for _, p in level.probabilities]
    assert len(probs) == 5 and all(0 <= p <= 1 for p in probs) and abs(sum(probs) - 1) < 1e-9
    assert level.level in LEVELS and 0 <= level.confidence <= 1
    assert 3 <= len(level.reasons) <= 5 and all(level.reasons)
    assert bool(level.next_level) == (level.level != "vp")


# ---------------------------------------------------------------------------------------------
# The shipped model is the committed reference set, refitted
# ---------------------------------------------------------------------------------------------


def test_the_shipped_ladder_files_check_clean_and_a_broken_one_is_named(rubric, tmp_path):
    from dataclasses import replace

    from pipeline.profile_to_level import check_ladder_files

    assert check_ladder_files(rubric) == []
    (tmp_path / "tpm.toml").write_text("", encoding="utf-8")
    (tmp_path / "level_model.json").write_text('{"classes": ["a", "b"]}', encoding="utf-8")
    broken = replace(rubric, path=str(tmp_path / "tpm.toml"))
    problems = check_ladder_files(broken)
    assert len(problems) == 1 and problems[0].startswith("ladder.model_file: level_model.json")


def test_shipped_level_model_matches_a_refit_of_the_reference_set(capsys):
    from scripts.fit_level_model import main

    assert main(["--check"]) == 0, capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Bundled examples, end to end (intended levels from examples/README.md)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, want",
    [
        ("01-associate-pm-jonah-okafor-reyes.pdf", "associate"),
        ("02-tpm-daniela-ferreira-holt.pdf", "tpm"),
        ("03-senior-tpm-maya-lindqvist.pdf", "senior"),
        ("05-cpo-celeste-marchetti-obi.pdf", "vp"),
        ("10-student-leo-castellanos.pdf", "associate"),
    ],
)
def test_bundled_examples_land_on_their_intended_level(rubric, settings, name, want):
    from pipeline.file_to_result import file_to_result

    assert file_to_result(EXAMPLES / name, rubric, settings).level.level == want


# ---------------------------------------------------------------------------------------------
# The signal vocabulary's word lists are found without compiling a regex (``WholeWords``;
# tests/test_terms.py checks them against the regex that defines a match)
# ---------------------------------------------------------------------------------------------


def test_the_signal_word_lists_are_matched_without_a_regex():
    from pipeline.profile_to_level import load_signal_vocabulary
    from pipeline.terms import WholeWords

    vocab = load_signal_vocabulary(str(RUBRICS_DIR / "ladder_signals.toml"))
    lists = [s[3] for s in vocab.seniority] + [f[3] for f in vocab.families] + list(vocab.scope_words) + [
        *vocab.horizon_words, vocab.small_words, vocab.budget_words, vocab.pm_words, vocab.student_words, vocab.dated_words]
    assert len([w for w in lists if w is not None]) >= 25
    assert all(isinstance(words, WholeWords) for words in lists if words is not None)
