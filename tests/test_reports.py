"""The HTML reports and exports: what a recruiter reads, from hand-built results and the examples.

Hand-built results (``make_result``) pin exact content; the bundled examples go through the real
pipeline once per module and are checked against the JSON Schema and the CSV layout.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from pipeline.types import (
    CategoryScore,
    CompetencyScore,
    Contact,
    Diagnostics,
    Evidence,
    Experience,
    Fit,
    Level,
    Line,
    Position,
    Problem,
    Profile,
    Result,
    RubricRef,
    Section,
    Signal,
    Verdict,
    YearMonth,
)
from reports.render import (
    RESULTS_SCHEMA_VERSION,
    SCHEMA_PATH,
    RunInfo,
    diagnostics_in_words,
    page_name,
    result_to_page,
    results_to_csv,
    results_to_index,
    results_to_json,
    write_reports,
)
from tests.conftest import AS_OF, EXAMPLES

LEVELS = (("associate", "Associate TPM"), ("tpm", "TPM"), ("senior", "Senior TPM"),
          ("principal", "Principal PM / Product Director"), ("vp", "VP of Product / CPO"))
RUN = RunInfo(rubric_name="Technical Product Manager", rubric_id="tpm", rubric_version="0.1.0",
              rubric_sha256="ab" * 32, as_of=AS_OF.isoformat(), version="9.9.9", duration_s=12.34, levels=LEVELS)
CATEGORIES = (("technical", "Core technical skills", 0.3), ("product", "Product and business skills", 0.3),
              ("soft", "Soft skills", 0.15), ("responsibilities", "TPM responsibilities and impact", 0.25))


def line(text: str, page: int = 1) -> Line:
    return Line(text=text, raw=text, page=page, x0=0, top=0, x1=100, bottom=10, size=10, bold=False)


def position(title, org, start, end, current=False, datable=True, date_text="") -> Position:
    ym = lambda t: YearMonth(*t) if t else None  # noqa: E731
    months = 0
    if start and (end or current):
        e = end or (AS_OF.year, AS_OF.month)
        months = (e[0] - start[0]) * 12 + e[1] - start[1] + 1
    return Position(title=title, organisation=org, start=ym(start), end=ym(end), current=current, bullets=(),
                    months=months, datable=datable, date_text=date_text or f"{start} – {end or 'Present'}")


def make_result(name="Ada Example", source="ada.pdf", overall=60.0, sha=None, status="scored", *,
                level="senior", quote="Launched the payments API used by 40 partners", text="",
                positions=None, diagnostics=None, links=(), problem=None) -> Result:
    """A complete scored result (or an unscored one, by ``status``) with every field filled in."""
    sha = sha or (re.sub(r"[^0-9a-f]", "", (source + name).encode().hex()) + "0" * 64)[:64]
    comps, cats = [], []
    for i, (cid, cname, weight) in enumerate(CATEGORIES):
        score = max(0.0, min(100.0, overall + 10 * (i - 1)))
        cats.append(CategoryScore(id=cid, name=cname, score=score, weight=weight))
        ev = (Evidence(quote=f"{quote} ({cid})", section="experience", page=i % 2 + 1, kind="result_bullet",
                       strength=0.8, matched=cid),)
        comps.append(CompetencyScore(id=f"{cid}_a", name=f"{cname.split()[0]} strength", category=cid, score=0.8, evidence=ev))
        comps.append(CompetencyScore(id=f"{cid}_b", name=f"{cname.split()[0]} missing", category=cid, score=0.0, evidence=()))
    if positions is None:
        positions = (position("Senior Technical Product Manager", "Acme Payments", (2021, 1), None, current=True),
                     position("Product Manager", "Lumen Ledger", (2017, 6), (2021, 3)))
    profile = Profile(
        as_of=AS_OF,
        sections=(Section(kind="experience", heading="Experience", lines=(line(quote), line(text))),),
        contact=Contact(name=name, email="ada@example.com", phone="+1 555 0100", links=tuple(links), location="Oslo"),
        positions=tuple(positions), education=(), certifications=(), skills=("APIs",),
        experience=Experience(total_months=110, product_months=100, leadership_months=30, employer_count=2,
                              average_tenure_months=55, undatable_positions=sum(not p.datable for p in positions),
                              max_team_size=12),
        verdict=Verdict(scorable=status == "scored", reason="" if status == "scored" else "no experience or education"),
    )
    probs = tuple((lid, 0.7 if lid == level else 0.3 / (len(LEVELS) - 1)) for lid, _ in LEVELS)
    common = dict(candidate_id="c" + sha[:12], source=source, sha256=sha, rubric=RubricRef("tpm", "0.1.0", "ab" * 32),
                  as_of=AS_OF, pipeline_version="9.9.9",
                  diagnostics=diagnostics or Diagnostics(pages=2, chars_per_page=(2000, 1500), columns_per_page=(1, 1)))
    if status == "unreadable":
        return Result(**common, status=status, problem=problem or Problem("corrupt", "corrupt or truncated PDF (PSEOF)"))
    if status == "not_resume":
        return Result(**common, status=status, problem=problem or Problem("not_resume", "not a scorable résumé: no experience"),
                      profile=profile)
    return Result(
        **common, status="scored", problem=None, profile=profile,
        fit=Fit(overall=overall, categories=tuple(cats), competencies=tuple(comps)),
        level=Level(level=level, name=dict(LEVELS)[level], probabilities=probs, confidence=0.7,
                    reasons=("8.5 years of experience (overlapping roles counted once)", "most senior product title: “Senior Technical Product Manager”"),
                    signals=(Signal("total_years", "8.5 years", "102 months of dated positions"),),
                    next_level=("a portfolio: strategy over years",)),
    )


@dataclass(frozen=True)
class _Skill:  # the shape of pipeline.types.JobSkill / JobSkillMatch / JobMatch (issue 5)
    name: str
    quote: str
    required: bool


@dataclass(frozen=True)
class _SkillMatch:
    skill: _Skill
    score: float
    evidence: tuple


@dataclass(frozen=True)
class _JobMatch:
    source: str
    title: str
    score: float
    skills: tuple
    years_required: float | None = None
    years_found: float = 0.0
    years_met: bool | None = None


def with_job_match(result: Result, score: float) -> Result:
    """Attach a job match the way ``Result.job_match`` holds one (the field may not exist yet)."""
    ev = (Evidence(quote="Ran Kafka event pipelines", section="experience", page=1, kind="bullet", strength=0.6, matched="kafka"),)
    jm = _JobMatch(source="payments-tpm.txt", title="Payments TPM", score=score, years_required=5.0, years_found=8.5, years_met=True,
                   skills=(_SkillMatch(_Skill("Kafka", "Experience with Kafka", True), 1.0, ev),
                           _SkillMatch(_Skill("Go", "Go is a plus", False), 0.0, ())))
    copy = replace(result)
    object.__setattr__(copy, "job_match", jm)
    return copy


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------------------------------------
# The batch index
# ---------------------------------------------------------------------------------------------


@pytest.fixture()
def batch():
    return [
        make_result("Low Larsen", "low.pdf", 20.0, level="tpm"),
        make_result("Top Tanaka", "top.pdf", 88.0, level="principal"),
        make_result("Mid Moreau", "mid.pdf", 55.0),
        make_result("Bad File", "broken.pdf", status="unreadable"),
        make_result("Chef Chen", "chef.pdf", status="not_resume"),
    ]


def ranked_names(html: str) -> list[str]:
    body = html.split('<table id="ranked"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="cand" data-v="([^"]*)"', body)


def test_index_ranks_scored_candidates_best_first_then_unscored(batch):
    html = results_to_index(batch, RUN)
    assert ranked_names(html) == ["Top Tanaka", "Mid Moreau", "Low Larsen", "Chef Chen", "broken.pdf"]
    ranks = re.findall(r'<td class="num" data-v="(\d+)">(\d+|–)</td>', html)
    assert [r for _, r in ranks[:3]] == ["1", "2", "3"]


def test_index_row_shows_overall_level_category_bars_status_and_why(batch):
    html = results_to_index(batch, RUN)
    row = html.split('data-v="Top Tanaka"', 1)[0].rsplit("<tr", 1)[1] + html.split('data-v="Top Tanaka"', 1)[1].split("</tr>", 1)[0]
    text = visible_text(row)
    assert "88" in text and "Principal PM / Product Director · 70%" in text
    for _, cname, _ in CATEGORIES:
        assert f'aria-label="{cname}: ' in row
    assert "Strong:" in text and "Core strength" in text
    assert "4 gaps" in text and 'title="No evidence for 4 of 8: Core missing' in row and "No evidence for: Core missing" in text
    assert 'class="status scored"' in row
    assert 'href="candidates/c' in row


def test_index_lists_every_unscored_file_with_its_reason(batch):
    html = results_to_index(batch, RUN)
    section = visible_text(html.split("<h2>Not scored</h2>", 1)[1])
    assert "broken.pdf" in section and "corrupt or truncated PDF (PSEOF)" in section
    assert "chef.pdf" in section and "not a scorable résumé: no experience" in section


def test_index_shows_run_metadata_and_the_advisory_line(batch):
    text = visible_text(results_to_index(batch, RUN))
    for expected in ("tpm v0.1.0", "ab" * 8, "2026-11-26", "9.9.9", "5: 3 scored, 1 not a résumé, 1 unreadable",
                     "12.3 s", "must not be the only basis"):
        assert expected in text, expected


def test_index_charts_count_levels_and_scores(batch):
    html = results_to_index(batch, RUN)
    desc = re.search(r'<desc id="levels-desc">([^<]*)</desc>', html).group(1)
    assert "Senior TPM: 1" in desc and "TPM: 1" in desc and "Principal PM / Product Director: 1" in desc
    assert "VP of Product / CPO: 0" in desc
    hist = re.search(r'<desc id="hist-desc">([^<]*)</desc>', html).group(1)
    assert "20 to 30: 1" in hist and "50 to 60: 1" in hist and "80 to 90: 1" in hist and "0 to 10: 0" in hist


def test_index_reads_fully_without_javascript(batch):
    html = results_to_index(batch, RUN)
    assert len(ranked_names(html)) == len(batch), "every row is in the HTML, not built by script"
    assert re.search(r'<form id="filters" hidden', html), "filter controls appear only when the script runs"
    assert html.count("<script>") == 1 and "src=" not in html.split("<script>", 1)[1].split("</script>", 1)[0][:50]


def test_job_match_column_appears_only_when_a_job_description_was_given(batch):
    assert "Job match" not in results_to_index(batch, RUN)
    with_jd = [with_job_match(r, 70.0 - i) if r.status == "scored" else r for i, r in enumerate(batch)]
    html = results_to_index(with_jd, RUN)
    assert "Job match" in html and 'data-v="70.0">70</td>' in html
    page = visible_text(result_to_page(with_jd[0], RUN))
    assert "Job match" in page and "Job description match: Payments TPM (70 / 100)" in page
    assert "Kafka required 100% “Ran Kafka event pipelines” — experience, page 1" in page
    assert "Go preferred 0% not found" in page and "Asked for but not found: Go." in page
    assert "Asks for 5.0 years; the résumé shows 8.5 (met)." in page
    rows = read_csv(results_to_csv(with_jd, RUN))
    assert [r["job_match"] for r in rows[:3]] == ["69.0", "68.0", "70.0"]


# ---------------------------------------------------------------------------------------------
# The candidate page
# ---------------------------------------------------------------------------------------------


def test_candidate_page_shows_scores_level_evidence_and_gaps():
    r = make_result()
    html = result_to_page(r, RUN)
    text = visible_text(html)
    assert "Overall fit" in text and "60 / 100" in text
    for cat in r.fit.categories:
        assert f'aria-label="{cat.name}: {cat.score:.0f} of 100"' in html
    assert re.search(r'<polygon points="[\d., ]+" fill="#3566c4"', html), "radar chart"
    assert "Likely level: Senior TPM (70%)" in text
    for _, name in LEVELS:
        assert name in text, "probabilities are labelled with level names"
    for reason in r.level.reasons:
        assert reason in text
    assert "What would show the next level: a portfolio: strategy over years" in text
    for comp in r.fit.competencies:
        assert comp.name in text
        for e in comp.evidence:
            assert f"“{e.quote}” — {e.section}, page {e.page}" in text
    assert text.count("gap: no evidence found") == len(r.fit.gaps) == 4
    assert "Gaps in soft skills: Soft missing." in text


def test_timeline_puts_positions_on_a_time_axis_and_marks_overlaps():
    overlapping = (position("Product Manager", "Northwind", (2018, 1), (2021, 12)),
                   position("Advisor", "Side Co", (2020, 6), (2022, 6)),
                   position("Lead PM", "Contoso", (2022, 7), None, current=True))
    html = result_to_page(make_result(positions=overlapping), RUN)
    tl = html.split('aria-labelledby="tl-title"', 1)[1].split("</svg>", 1)[0]
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="12" rx="2" fill="(#\w+)"', tl)
    assert len(bars) == 3
    xs = [float(x) for x, _, _ in bars]
    assert xs == sorted(xs), "oldest first, left to right"
    assert [fill for _, _, fill in bars] == ["#a33a00", "#a33a00", "#3566c4"], "the two overlapping roles are marked"
    assert "19 months in which two or more roles overlap" in visible_text(html)
    for year in ("2018", "2020", "2022", "2024", "2026"):
        assert f">{year}</text>" in tl


def test_timeline_without_overlaps_says_so_and_lists_undatable_positions():
    positions = (position("PM", "A", (2019, 1), (2020, 12)), position("PM", "B", (2021, 1), None, current=True),
                 position("Consultant", "C", None, None, datable=False, date_text="some time"))
    text = visible_text(result_to_page(make_result(positions=positions), RUN))
    assert "No overlapping roles." in text
    assert "dates not readable" in text and "1 position has no readable dates and is listed below only." in text


@pytest.mark.parametrize("diagnostics, positions_undated, expected", [
    (Diagnostics(pages=1, chars_per_page=(1705,), columns_per_page=(1,)), 0, ["1 page, 1,705 characters of text read.", "One column of text."]),
    (Diagnostics(pages=2, chars_per_page=(10, 20), columns_per_page=(2, 2)), 0, ["Two columns detected on every page; each column was read separately."]),
    (Diagnostics(pages=3, chars_per_page=(1, 1, 1), columns_per_page=(1, 2, 1)), 0, ["Two columns detected on page 2; each column was read separately."]),
    (Diagnostics(pages=1, chars_per_page=(1,), glued_share=0.12), 0, ["About 12% of words looked glued together; matching may miss some of them."]),
    (Diagnostics(pages=1, chars_per_page=(1,), unknown_glyphs=7), 0, ["7 symbols could not be read (icons or unmapped characters) and were left out."]),
    (Diagnostics(pages=1, chars_per_page=(1,), hidden_chars=1), 0, ["1 hidden character (white or tiny text) ignored and not scored."]),
    (Diagnostics(pages=1, chars_per_page=(0,), no_text_layer=True), 0, ["No text layer: the file looks like a scan or an image, so there was nothing to read."]),
    (Diagnostics(pages=1, chars_per_page=(1,), notes=("Page 2 was blank.",)), 0, ["Page 2 was blank."]),
    (Diagnostics(pages=1, chars_per_page=(1,)), 3, ["Three dates could not be read; those positions are shown but not counted in years of experience."]),
    (Diagnostics(pages=1, chars_per_page=(1,)), 1, ["One date could not be read; that position is shown but not counted in years of experience."]),
])
def test_diagnostics_are_told_in_plain_words(diagnostics, positions_undated, expected):
    positions = tuple(position(f"Role {i}", "X", None, None, datable=False) for i in range(positions_undated))
    words = diagnostics_in_words(make_result(diagnostics=diagnostics, positions=positions))
    for sentence in expected:
        assert sentence in words
    html = result_to_page(make_result(diagnostics=diagnostics, positions=positions), RUN)
    assert expected[-1].replace("'", "&#39;") in html


def test_a_page_that_stands_alone_has_no_link_to_an_index():
    assert 'href="../index.html"' in result_to_page(make_result(), RUN)
    assert "index.html" not in result_to_page(make_result(), RUN, index_link=None)


@pytest.mark.parametrize("status", ["unreadable", "not_resume"])
def test_unscored_results_render_with_their_reason(status):
    r = make_result(status=status)
    text = visible_text(result_to_page(r, RUN))
    assert f"Not scored: {r.problem.reason}" in text
    assert "How the file was read" in text


@pytest.mark.parametrize("change", [
    dict(positions=()),
    dict(diagnostics=Diagnostics()),
    dict(links=("linkedin.com/in/ada", "javascript:alert(1)")),
])
def test_sparse_results_render_without_errors(change):
    r = make_result(**change)
    assert "<h1>" in result_to_page(r, RUN)
    assert "<table" in results_to_index([r], RUN)


def test_scored_result_without_a_level_or_categories_still_renders():
    r = make_result()
    r = replace(r, level=None, fit=replace(r.fit, categories=(), competencies=()))
    assert "Overall fit" in result_to_page(r, RUN)
    assert "Ada Example" in results_to_index([r], RUN)


def test_level_names_come_from_the_rubric_or_the_batch(rubric, tmp_path):
    run = RunInfo.for_rubric(rubric, as_of=AS_OF.isoformat(), version="1")
    assert run.levels[0] == (rubric.model.ladder.levels[0].id, rubric.model.ladder.levels[0].name)
    assert run.rubric_sha256 == rubric.sha256
    # without the ladder, a page still names every level some candidate in the batch reached
    batch = [make_result(level="senior"), make_result(name="B", source="b.pdf", level="tpm")]
    write_reports(batch, replace(RUN, levels=()), tmp_path)
    page = visible_text((tmp_path / page_name(batch[0])).read_text(encoding="utf-8"))
    assert "TPM 8%" in page and "Senior TPM 70%" in page and "associate" in page


def test_empty_batch_renders():
    html = results_to_index([], RUN)
    assert "0 candidates ranked" in html and "Every file was read and scored." in html


def test_blind_run_hides_names_and_contact_details():
    r = make_result(name="Secret Person")
    blind = replace(RUN, blind=True)
    for html in (result_to_page(r, blind), results_to_index([r], blind)):
        assert "Secret Person" not in html and "ada@example.com" not in html and "ada.pdf" not in html
        assert r.candidate_id in html


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return json.loads(Path(SCHEMA_PATH).read_text(encoding="utf-8"))


def validate(payload, schema):
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(payload),
                    key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_schema_version_is_the_one_written(schema):
    assert schema["properties"]["schema_version"]["const"] == RESULTS_SCHEMA_VERSION
    assert schema["$id"] == "urn:rolefit:results-schema:" + RESULTS_SCHEMA_VERSION


def test_hand_built_results_json_validates_against_the_schema(batch, schema):
    payload = json.loads(results_to_json(batch + [with_job_match(make_result(source="jd.pdf"), 50)], RUN))
    validate(payload, schema)
    assert payload["counts"] == {"scored": 4, "not_resume": 1, "unreadable": 1}
    assert payload["ranking"][0] == batch[1].candidate_id


@pytest.mark.parametrize("break_it", [
    lambda p: p.update(schema_version="0"),
    lambda p: p["results"][0].update(status="maybe"),
    lambda p: p["results"][0].update(sha256="not-a-hash"),
    lambda p: next(r for r in p["results"] if r["status"] == "scored").update(fit=None),
    lambda p: next(r for r in p["results"] if r["status"] == "unreadable").update(problem=None),
    lambda p: p["results"][0].update(page="../../x.html"),
    lambda p: p["run"].pop("rubric_sha256"),
])
def test_schema_rejects_broken_payloads(batch, schema, break_it):
    import jsonschema

    payload = json.loads(results_to_json(batch, RUN))
    break_it(payload)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, schema, cls=jsonschema.Draft202012Validator)


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_file_ranked_first(batch):
    rows = read_csv(results_to_csv(batch, RUN))
    assert len(rows) == len(batch)
    assert [r["name"] for r in rows[:3]] == ["Top Tanaka", "Mid Moreau", "Low Larsen"]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "", ""]
    top = rows[0]
    assert top["overall"] == "88.0" and top["level"] == "principal" and top["level_name"] == "Principal PM / Product Director"
    assert top["category_technical"] == "78.0" and top["status"] == "scored"
    assert top["page"] == page_name(batch[1]) and top["sha256"] == batch[1].sha256
    assert "Core strength" in top["strengths"] and "Core missing" in top["gaps"]
    unreadable = next(r for r in rows if r["status"] == "unreadable")
    assert unreadable["reason"] == "corrupt or truncated PDF (PSEOF)" and unreadable["overall"] == "" and unreadable["page"] == ""


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2", "@SUM(A1)", "\tx"])
def test_csv_cells_can_never_run_as_spreadsheet_formulas(name):
    rows = read_csv(results_to_csv([make_result(name=name, source=name + ".pdf")], RUN))
    assert rows[0]["name"].startswith("'") and rows[0]["source"].startswith("'")


def test_csv_in_blind_mode_has_no_names():
    rows = read_csv(results_to_csv([make_result(name="Secret Person")], replace(RUN, blind=True)))
    assert rows[0]["name"] == "" and rows[0]["source"] == "" and rows[0]["candidate_id"]


# ---------------------------------------------------------------------------------------------
# The examples through the real pipeline
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_site(tmp_path_factory, rubric, settings):
    from pipeline.file_to_result import file_to_result

    results = [file_to_result(p, rubric, settings) for p in sorted(EXAMPLES.glob("*.pdf"))]
    out = tmp_path_factory.mktemp("examples-site")
    return results, out, write_reports(results, RUN, out)


def test_examples_write_index_pages_json_and_csv(example_site, schema):
    results, out, index = example_site
    assert index == out / "index.html"
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    validate(payload, schema)
    assert len(payload["results"]) == len(results)
    rows = read_csv((out / "results.csv").read_text(encoding="utf-8"))
    assert len(rows) == len(results)
    html = index.read_text(encoding="utf-8")
    for r in results:
        if r.status == "scored":
            page = (out / page_name(r)).read_text(encoding="utf-8")
            assert f'href="{page_name(r)}"' in html
            assert "Competencies and evidence" in page and 'aria-labelledby="radar-title"' in page
        elif r.status == "unreadable":
            assert r.problem.reason in html
            assert not (out / page_name(r)).exists()
    pages = sorted(p.name for p in (out / "candidates").iterdir())
    assert len(pages) == sum(r.status != "unreadable" for r in results)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")], "no temporary files left behind"


def test_examples_rendering_is_deterministic(example_site, tmp_path):
    results, out, _ = example_site
    write_reports(list(reversed(results)), RUN, tmp_path)
    for name in ("index.html", "results.json", "results.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
