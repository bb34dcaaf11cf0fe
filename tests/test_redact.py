"""Blind review: what is hidden, that nothing identifying is left, and that the score is unchanged."""

import re
from dataclasses import replace

import pytest

from tests.conftest import EXAMPLES, ROOT

SOURCES = ROOT / "examples" / "source"


def _identity(**kw):
    from pipeline.redact import Identity

    return Identity(**kw)


@pytest.mark.parametrize(
    "text, identity, where, expected",
    [
        ("Jane Roe", dict(name="Jane Roe"), {}, "[name]"),
        ("jane ROE wrote this", dict(name="Jane Roe"), {}, "[name] wrote this"),
        ("Roe & Partners", dict(name="Jane Roe", name_parts=("Jane", "Roe")), {}, "Roe & Partners"),
        ("I was lead interaction designer", dict(name="LEAD INTERACTION DESIGNER", name_in_body=False), {}, "I was lead interaction designer"),
        ("LEAD INTERACTION DESIGNER", dict(name="LEAD INTERACTION DESIGNER", name_in_body=False), dict(header=True), "[name]"),
        ("Jane R. | Roe", dict(name="Jane Roe", name_parts=("Jane", "Roe")), dict(header=True), "[name] R. | [name]"),
        ("jane.roe@mail.example.org | x", {}, {}, "[email] | x"),
        ("see https://roe.dev/cv and www.roe.io", {}, {}, "see [link] and [link]"),
        ("Portfolio: janeroe.example.com", {}, dict(header=True), "Portfolio: [link]"),
        ("Sold on Booking.com", {}, {}, "Sold on Booking.com"),
        ("linkedin.com/in/janeroe", {}, {}, "[link]"),
        ("(555) 123-4567 | Austin, TX", {}, dict(header=True), "[phone] | [location]"),
        ("call +44 20 7946 0958", {}, dict(header=True), "call [phone]"),
        ("shipped 2019 - 2021 in header", {}, dict(header=True), "shipped 2019 - 2021 in header"),
        ("cut costs 30% for 120000 users", dict(phone_digits="5551234567"), {}, "cut costs 30% for 120000 users"),
        ("reach me at 555 123 4567", dict(phone_digits="5551234567"), {}, "reach me at [phone]"),
        ("office +2 (345) 678 901 • (456) 789-0123", {}, {}, "office [phone] • [phone]"),
        ("(909) 555-\u00ad\u20105555 | Los Angeles, CA", {}, dict(header=True), "[phone] | [location]"),
        ("grew revenue +25% to 1 200 000 users", {}, {}, "grew revenue +25% to 1 200 000 users"),
        ("moved from Austin, TX to Denver", dict(location="Austin, TX"), {}, "moved from [location] to Denver"),
        ("Product Manager, Payments", {}, {}, "Product Manager, Payments"),
        ("B.S. CS | Riverbend State University | 2016 – 2020", {}, dict(education=True), "B.S. CS | [school] | [year] – [year]"),
        ("MBA, Lone Star Graduate School of Business, May 2012", {}, dict(education=True), "MBA, [school], [year]"),
        ("B.S. CS | Riverbend State University | 2023 – 2027", dict(as_of_year=2026), dict(education=True, neutral_years=True), "B.S. CS | [school] | 2000 – 2026"),
        ("M.A. | Lakeshore College | May 2012", dict(as_of_year=2026), dict(education=True, neutral_years=True), "M.A. | [school] | May 2000"),
        ("Teaching assistant, Riverbend State University", dict(schools=("Riverbend State University",)), {}, "Teaching assistant, [school]"),
        ("Date of birth: 12/03/1987", {}, {}, "[birth date]"),
        ("Born 1990 in Oslo", {}, {}, "[birth date] in Oslo"),
        ("Age: 34, married", {}, {}, "[birth date], married"),
        ("average age of 30 users", {}, {}, "average age of 30 users"),
    ],
)
def test_redact_text(text, identity, where, expected):
    from pipeline.redact import redact_text

    assert redact_text(text, _identity(**identity), **where) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Launched in 2021 to 40 customers", "Launched in [year] to 40 customers"),
        ("04/2022 - Present", "[year] - Present"),
        ("March 2020 – Present", "[year] – Present"),
        ("2017 – 2020", "[year] – [year]"),
        ("Summer 2026", "[year]"),
        ("GLSU Hacks 2025: a checker", "GLSU Hacks [year]: a checker"),
        ("Resident advisor (2024 – 2025)", "Resident advisor ([year] – [year])"),
        ("grew to 2000 customers", "grew to 2000 customers"),
        ("2.3B calls, 4,000 integrations, 99.9% uptime", "2.3B calls, 4,000 integrations, 99.9% uptime"),
    ],
)
def test_hide_dates(text, expected):
    from pipeline.redact import hide_dates

    assert hide_dates(text) == expected


# ---------------------------------------------------------------------------------------------
# Every bundled example, scored blind through the real pipeline
# ---------------------------------------------------------------------------------------------


def personal_details(source_txt):
    """What the example's author wrote as identifying: name, contact items, schools, graduation
    years (read from examples/source, independently of the pipeline's own parsing)."""
    lines = source_txt.read_text(encoding="utf-8").splitlines()
    name = lines[0].lstrip("# ").strip()
    words = [name] + re.split(r"[\s-]+", name)
    contact = []
    for line in lines[1:]:
        if line.startswith("## "):
            break
        if line.strip() and not re.match(r"^(layout|paper):", line):
            contact += [item.strip() for item in line.split(" | ") if item.strip()]
    schools, years = [], []
    section = ""
    for line in lines:
        if line.startswith("## "):
            section = line[3:].strip().lower()
        elif section == "education" and line.startswith("### "):
            parts = [p.strip() for p in line[4:].split(" | ")]
            schools.append(parts[1])
            years += re.findall(r"\b(?:19|20)\d\d\b", " ".join(parts[2:]))
    return words, contact, schools, years


@pytest.fixture(scope="module")
def blind_and_plain(rubric, settings):
    from pipeline.file_to_result import file_to_result

    blind = replace(settings, blind=True)
    return {
        p.name: (file_to_result(p, rubric, settings), file_to_result(p, rubric, blind))
        for p in sorted(EXAMPLES.glob("*.pdf"))
    }


EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.glob("*.pdf"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_blind_score_equals_unredacted_score_on_every_example(blind_and_plain, name):
    plain, blind = blind_and_plain[name]
    assert blind.blind is not None and blind.blind.holds, blind.blind.differences
    assert blind.status == plain.status
    if plain.fit:
        assert blind.blind.unredacted_overall == blind.blind.blind_overall == plain.fit.overall
        assert blind.fit.overall == plain.fit.overall
        assert [c.score for c in blind.fit.competencies] == [c.score for c in plain.fit.competencies]
        assert blind.level.probabilities == plain.level.probabilities


@pytest.mark.parametrize("name", [n for n in EXAMPLE_NAMES if (SOURCES / n.replace(".pdf", ".txt")).exists()])
def test_nothing_identifying_is_left_in_a_blind_result(blind_and_plain, name):
    from pipeline.redact import shown_strings
    from pipeline.serialise import to_jsonable

    plain, blind = blind_and_plain[name]
    words, contact, schools, years = personal_details(SOURCES / name.replace(".pdf", ".txt"))
    shown = "\n".join(shown_strings(to_jsonable(blind)))
    assert blind.source == blind.candidate_id
    assert blind.profile.contact.name == blind.profile.contact.email == ""
    for word in words:
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", shown, re.I), word
    for item in contact:
        digits = re.sub(r"\D", "", item)
        if len(digits) >= 7:  # a phone number, however it is punctuated
            assert digits[-7:] not in re.sub(r"\D", "", shown), item
        else:
            assert item.lower() not in shown.lower(), item
    for school in schools:
        assert school not in shown, school
    for year in years:
        assert not re.search(rf"\b{year}\b", shown), year
    # and the plain result does hold them: the check above is not vacuous
    plain_shown = "\n".join(shown_strings(to_jsonable(plain)))
    assert words[0] in plain_shown and any(s in plain_shown for s in schools)


def test_unreadable_upload_keeps_no_file_name(blind_and_plain):
    plain, blind = blind_and_plain["zz-corrupt-upload.pdf"]
    assert plain.status == blind.status == "unreadable"
    assert blind.source == blind.candidate_id and "corrupt-upload" not in blind.problem.reason
    assert blind.blind.holds and blind.blind.blind_overall is None


def test_a_score_that_moves_under_redaction_is_reported(blind_and_plain):
    """The check can fail: a re-score that differs is kept as an error on the blind result."""
    from pipeline.redact import redact_result

    plain, _ = blind_and_plain["02-tpm-daniela-ferreira-holt.pdf"]
    comps = list(plain.fit.competencies)
    comps[0] = replace(comps[0], score=round(comps[0].score + 0.25, 4))
    moved = replace(plain, fit=replace(plain.fit, overall=plain.fit.overall + 1.5, competencies=tuple(comps)))
    check = redact_result(plain, moved).blind
    assert not check.holds
    assert any(d.startswith("overall") for d in check.differences)
    assert any(d.startswith(f"competency {comps[0].id}") for d in check.differences)
    status = redact_result(plain, replace(plain, status="not_resume", fit=None, level=None)).blind
    assert status.differences == ("status scored unredacted, not_resume blind",)


def _line(text, top, size=10.0, bold=False, bullet=False):
    from pipeline.types import Line

    return Line(text, text, 1, 40.0, top, 500.0, top + 10, size, bold, 0, bullet)


def _resume(surname: str, mention: str):
    from pipeline.types import Document

    texts = [
        (f"Jordan {surname}", 20, 16.0, True, False),
        ("jordan.q@example.com | (555) 101-2020 | Austin, TX", 40, 10.0, False, False),
        ("EXPERIENCE", 70, 12.0, True, False),
        ("Product Manager | Acme Software | 01/2019 - Present", 90, 10.0, True, False),
        ("Prioritised the product backlog with RICE scoring and shipped 3 API launches", 110, 10.0, False, True),
        (f"Wrote SQL for the A/B test of the web app; won {mention}", 130, 10.0, False, True),
        ("Ran discovery interviews with 40 customers and turned them into user stories for the "
         "backlog, agreed acceptance criteria with QA and engineering, wrote the PRD and the API "
         "documentation, and presented the quarterly results to executive stakeholders", 140, 10.0, False, True),
        ("EDUCATION", 160, 12.0, True, False),
        ("B.S. Economics | Riverbend State University | 2014 - 2018", 180, 10.0, False, False),
    ]
    return Document("jordan.pdf", "ab" * 32, 1000, tuple(_line(*t) for t in texts))


@pytest.fixture(scope="module")
def name_alias(rubric, settings):
    """A surname that is also a rubric alias (case-insensitive, for a competency the résumé
    shows no other evidence of), so that a mention of the name in a bullet earns a score."""
    from pipeline.file_to_result import document_to_result

    plain = document_to_result(_resume("Quist", "a team award"), rubric, settings)
    unscored = {c.id for c in plain.fit.competencies if c.score == 0}
    for category in rubric.model.categories:
        for comp in category.competencies:
            if comp.id not in unscored:
                continue
            for alias in comp.aliases:
                if alias.isalpha() and alias.islower() and len(alias) >= 5:
                    return alias.capitalize(), comp.id
    pytest.skip("no lowercase one-word alias in the rubric")


@pytest.mark.parametrize("leaks", [False, True])
def test_a_score_that_leans_on_the_name_is_caught(rubric, settings, name_alias, leaks):
    """Redaction keeps scoring words ("RICE scoring") and tenure dates and removes the name,
    school and graduation years. When the name is also a scoring word and the résumé mentions
    it in a bullet ("the Jordan Docker award"), the unredacted score leaned on the name: the
    re-score of the redacted résumé differs, and the difference is kept as an error."""
    from pipeline.file_to_result import document_to_result
    from pipeline.redact import redact_document, redact_result

    surname, competency = name_alias
    doc = _resume(surname, f"the Jordan {surname} award" if leaks else "a team award")
    plain = document_to_result(doc, rubric, settings)
    assert plain.status == "scored"
    redacted = redact_document(doc, plain)
    joined = redacted.text
    assert "Jordan" not in joined and "Austin" not in joined and "2014" not in joined
    assert "RICE scoring" in joined and "01/2019" in joined
    blind = redact_result(plain, document_to_result(redacted, rubric, settings))
    assert blind.blind.holds is not leaks, blind.blind.differences
    if leaks:
        assert any(d.startswith(f"competency {competency}") for d in blind.blind.differences)
    assert "Riverbend" not in str(blind.profile) and "2018" not in str(blind.profile)


def test_blind_batch_writes_nothing_identifying_and_states_the_check(tmp_path, prefect_harness):
    """Through the flow: every file written (pages, exports, audit record) is blind, and every
    page states that the blind score equals the unredacted score."""
    import html
    import json

    from flows import batch_flow
    from tests.conftest import AS_OF

    out = tmp_path / "out"
    summary = batch_flow(str(EXAMPLES), str(out), as_of=AS_OF.isoformat(), blind=True)
    assert summary["blind_errors"] == {} and summary["unreadable"] == 1
    written = {p: html.unescape(p.read_text(encoding="utf-8")) for p in out.rglob("*") if p.is_file()}
    assert {"index.html", "results.json", "audit.jsonl"} <= {p.name for p in written}
    everything = "\n".join(written.values())
    for source in sorted(SOURCES.glob("*.txt")):
        words, contact, schools, years = personal_details(source)
        for word in words:
            assert not re.search(rf"(?<![\w/.-]){re.escape(word)}(?![\w-])", everything, re.I), (source.name, word)
        for item in contact:
            if len(re.sub(r"\D", "", item)) < 7:
                assert item.lower() not in everything.lower(), (source.name, item)
        for school in schools:
            assert school not in everything, (source.name, school)
    pages = [p for p in written if p.parent.name == "candidates"]
    assert len(pages) == summary["scored"] + summary["not_resume"] >= 9
    for page in pages:
        assert "Redaction check passed" in written[page] and "equals the unredacted score" in written[page], page
        # no calendar year on a blind page but the run's own date (the timeline counts back from it)
        text = re.sub(r"(?s)<head>.*?</head>|<[^>]+>", " ", written[page]).replace(AS_OF.isoformat(), " ")
        assert not re.search(r"(?<![\w.,$])(?:19[4-9]\d|20[0-3]\d)(?![\w%]|[.,]\d)", text), page
    assert "Redaction check passed for all" in written[out / "index.html"]
    records = written[out / "audit.jsonl"].splitlines()
    assert len(records) == 1 and json.loads(records[0])["settings"]["blind"] is True


def test_a_blind_result_survives_the_run_store(blind_and_plain):
    """Blind results are kept between runs as JSON (pipeline/manifest.py): the check comes back."""
    from pipeline.serialise import from_jsonable, to_jsonable
    from pipeline.types import Result

    for _, blind in blind_and_plain.values():
        assert from_jsonable(Result, to_jsonable(blind)) == blind


def test_blind_job_match_is_checked_and_redacted(rubric, settings):
    """With a job description (--jd), the job match is compared too, and its quotes are redacted."""
    from pipeline.file_to_result import file_to_result
    from pipeline.redact import redact_result
    from pipeline.serialise import to_jsonable
    from pipeline.text_to_job import text_to_job

    jd = text_to_job(
        "# Technical Product Manager, APIs\n\n## Requirements\n- 3+ years of product management\n"
        "- REST APIs and webhooks\n- SQL\n\n## Nice to have\n- AWS\n", "jd.md", rubric,
    )
    path = EXAMPLES / "02-tpm-daniela-ferreira-holt.pdf"
    plain = file_to_result(path, rubric, settings, jd)
    blind = file_to_result(path, rubric, replace(settings, blind=True), jd)
    assert plain.job_match is not None and blind.job_match.score == plain.job_match.score
    assert blind.blind.holds, blind.blind.differences
    assert "Daniela" not in str(to_jsonable(blind.job_match))
    moved = replace(plain, job_match=replace(plain.job_match, score=plain.job_match.score + 5))
    assert any(d.startswith("job match") for d in redact_result(plain, moved).blind.differences)


def test_every_string_field_is_redacted_not_only_known_ones(blind_and_plain):
    """Display redaction walks every string of the result, so notes and reasons added by any
    stage are covered as well as quotes."""
    from pipeline.redact import redact_result

    plain, _ = blind_and_plain["02-tpm-daniela-ferreira-holt.pdf"]
    note = "Daniela Ferreira-Holt (daniela.fh@example.com) graduated in 2020 from Colorado Plains University"
    noted = replace(
        plain,
        profile=replace(plain.profile, notes=(note,)),
        diagnostics=replace(plain.diagnostics, notes=(note,)),
    )
    shown = redact_result(noted, noted)
    for text in (shown.profile.notes[0], shown.diagnostics.notes[0]):
        assert text == "[name] ([email]) graduated in [year] from [school]", text
    assert [c.id for c in shown.fit.competencies] == [c.id for c in plain.fit.competencies]
    assert shown.level.level == plain.level.level and shown.rubric == plain.rubric


def test_a_student_stays_a_student_in_the_blind_rescore(rubric, settings):
    """A degree still in progress ("2023 - 2027" in late 2026) is what tells the level model that
    someone is still studying; the re-scored document keeps that, and only that."""
    from pipeline.file_to_result import document_to_result
    from pipeline.redact import redact_document, redact_result
    from pipeline.types import Document

    texts = [
        ("Sam Okoro", 20, 16.0, True, False),
        ("sam.okoro@example.com | (555) 101-2020 | Austin, TX", 40, 10.0, False, False),
        ("EDUCATION", 60, 12.0, True, False),
        ("B.S. Information Science | Riverbend State University | 2023 - 2027", 75, 10.0, False, False),
        ("EXPERIENCE", 100, 12.0, True, False),
        ("Product Management Intern | Acme Software | 01/2025 - 08/2025", 120, 10.0, True, False),
        ("Wrote user stories for the web app backlog and ran an A/B test that raised sign-ups 4%", 135, 10.0, False, True),
        ("Product Intern | Beta Cloud | 01/2026 - 08/2026", 150, 10.0, True, False),
        ("Wrote a PRD for the API and queried usage data in SQL for 3 product managers", 165, 10.0, False, True),
        ("Presented the findings to engineering and executive stakeholders in a roadmap review", 180, 10.0, False, True),
        ("SKILLS", 200, 12.0, True, False),
        ("SQL, Jira, Figma, A/B testing, user research, roadmapping", 215, 10.0, False, False),
    ]
    doc = Document("sam.pdf", "cd" * 32, 1000, tuple(_line(*t) for t in texts))
    plain = document_to_result(doc, rubric, settings)
    assert plain.status == "scored"
    redacted = redact_document(doc, plain)
    assert "2027" not in redacted.text and "2023" not in redacted.text
    blind = redact_result(plain, document_to_result(redacted, rubric, settings))
    assert blind.blind.holds, blind.blind.differences


def test_a_name_the_profile_missed_is_still_redacted(blind_and_plain):
    from pipeline.redact import identity_of
    from pipeline.types import Contact

    plain, _ = blind_and_plain["02-tpm-daniela-ferreira-holt.pdf"]
    unnamed = replace(plain, profile=replace(plain.profile, contact=replace(plain.profile.contact, name="")))
    assert identity_of(unnamed).name == "Daniela Ferreira-Holt"
    assert identity_of(replace(plain, profile=replace(plain.profile, contact=Contact()))).name == "Daniela Ferreira-Holt"
