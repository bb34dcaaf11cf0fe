"""Optional job description: skills and years extracted (text, Markdown, PDF), and a separate
job match with its own evidence and gaps; the fit score does not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.profile_to_job_match import profile_to_job_match
from pipeline.text_to_job import file_to_job, text_to_job
from pipeline.types import Experience
from tests.test_profile_to_fit import make_profile

JDS = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "jds"

JD = """# Senior Technical Product Manager, Payments Platform

**Location:** Remote

## About us
We are a fast-growing company with great benefits and a friendly team.

## What you'll do
- Own the roadmap for our payments APIs and developer platform
- Write PRDs and technical specifications with engineering
- Define success metrics and run A/B tests

## Requirements
- 5+ years of product management experience
- Data analysis (SQL, Looker, dbt)

## Nice to have
- Experience with Kubernetes or other cloud platforms
- Tools: Figma, Confluence

## Benefits
- Competitive salary and a stipend for your home office roadmap
"""


def job_of(rubric, text=JD):
    return text_to_job(text, "jd.md", rubric)


def test_required_preferred_and_years_are_extracted(rubric):
    job = job_of(rubric)
    assert job.problem is None
    assert job.title == "Senior Technical Product Manager, Payments Platform"
    assert job.min_years == 5 and job.max_years is None
    required = {s.quote for s in job.required}
    preferred = {s.quote for s in job.preferred}
    assert "Own the roadmap for our payments APIs and developer platform" in required
    assert "Data analysis (SQL, Looker, dbt)" in required
    assert "Experience with Kubernetes or other cloud platforms" in preferred
    assert "Tools: Figma, Confluence" in preferred
    # Company, location and benefit lines are not asked of the candidate.
    assert not any("salary" in q or "friendly" in q or "Remote" in q for q in required | preferred)
    by_quote = {s.quote: s for s in job.skills}
    assert {"apis", "roadmap"} <= set(by_quote["Own the roadmap for our payments APIs and developer platform"].competencies)
    assert "specs" in by_quote["Write PRDs and technical specifications with engineering"].competencies
    assert by_quote["Data analysis (SQL, Looker, dbt)"].terms == ("SQL", "Looker", "dbt")


@pytest.mark.parametrize(
    "text,low,high",
    [("Minimum of 5 years of experience", 5, None), ("3-5 years in product roles", 3, 5),
     ("Experience Required: 5–8 years", 5, 8), ("10+ years building software", 10, None)],
)
def test_years(rubric, text, low, high):
    job = job_of(rubric, f"## Requirements\n- {text}\n- Strong SQL skills\n")
    assert (job.min_years, job.max_years) == (low, high)


def test_a_job_description_with_nothing_asked_is_a_problem(rubric):
    job = job_of(rubric, "## About us\nWe sell bread.\n")
    assert job.problem is not None and job.problem.code == "no_skills"


def test_job_match_has_its_own_evidence_and_gaps(rubric):
    job = job_of(rubric)
    p = make_profile(bullets=["Owned the roadmap for the payments API; 12 partners integrated in a year",
                              "Wrote SQL in Looker to size the checkout drop-off"])
    match = profile_to_job_match(p, job, rubric)
    assert 0 < match.score < 100
    met = {m.skill.quote: m for m in match.skills}
    roadmap = met["Own the roadmap for our payments APIs and developer platform"]
    assert roadmap.score > 0 and roadmap.evidence and "payments API" in roadmap.evidence[0].quote
    data = met["Data analysis (SQL, Looker, dbt)"]
    assert 0 < data.score < 1  # SQL and Looker found, dbt not
    assert {e.matched for e in data.evidence} >= {"SQL", "Looker"}
    gaps = {g.skill.quote for g in match.gaps}
    assert "Tools: Figma, Confluence" in gaps
    for m in match.skills:
        assert (m.score > 0) == bool(m.evidence)


def test_years_count_toward_the_job_match(rubric):
    job = job_of(rubric)
    p = make_profile(bullets=["Owned the roadmap for the payments API"])
    junior = profile_to_job_match(p, job, rubric)
    senior = profile_to_job_match(
        make_profile(bullets=["Owned the roadmap for the payments API"]).__class__(
            **{**p.__dict__, "experience": Experience(total_months=96, product_months=96)}), job, rubric)
    assert junior.years_met is False and senior.years_met is True
    assert senior.score > junior.score


def test_the_fit_score_does_not_depend_on_the_job_description(rubric, settings, tmp_path):
    from pipeline.file_to_result import file_to_result
    from tests.conftest import EXAMPLES

    jd = tmp_path / "jd.md"
    jd.write_text(JD, encoding="utf-8")
    job = file_to_job(jd, settings, rubric)
    pdf = EXAMPLES / "02-tpm-daniela-ferreira-holt.pdf"
    plain = file_to_result(pdf, rubric, settings)
    with_jd = file_to_result(pdf, rubric, settings, job)
    assert plain.job_match is None and with_jd.job_match is not None
    assert with_jd.fit == plain.fit
    assert with_jd.job_match.source == "jd.md"


@pytest.mark.parametrize("name", ["eajr__jobdescriptions-fyi__technical-product-manager.md",
                                  "shailendraPanda__HRGraphRAG__JD_ProductManager.md"])
def test_reference_job_descriptions(rubric, settings, name):
    path = JDS / name
    if not path.exists():
        pytest.skip(f"reference job descriptions not found at {JDS}")
    job = file_to_job(path, settings, rubric)
    assert job.problem is None and len(job.required) >= 5 and job.min_years in (4, 5)


def test_pdf_job_description(rubric, settings, tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    path = tmp_path / "jd.pdf"
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    y = 740
    for text, bold in [("Technical Product Manager", True), ("Requirements", True),
                       ("• 4+ years of product management experience", False),
                       ("• Define the roadmap for our public APIs", False),
                       ("• Write technical specifications with engineering", False),
                       ("Nice to have", True), ("• Experience with Kubernetes", False)]:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", 11)
        c.drawString(60, y, text)
        y -= 18
    c.save()
    job = file_to_job(path, settings, rubric)
    assert job.problem is None, job.problem
    assert job.min_years == 4
    assert any("apis" in s.competencies for s in job.required)
    assert any("cloud" in s.competencies for s in job.preferred)


def test_unreadable_job_description_is_a_problem(rubric, settings, tmp_path):
    job = file_to_job(tmp_path / "missing.md", settings, rubric)
    assert job.problem is not None and job.problem.code == "unreadable"


def test_batch_refuses_a_missing_or_empty_job_description_before_starting(tmp_path):
    import subprocess
    import sys

    from tests.conftest import EXAMPLES, ROOT

    empty = tmp_path / "empty.md"
    empty.write_text("## About us\nWe sell bread.\n", encoding="utf-8")
    for jd, says in ((tmp_path / "missing.md", "job description not found"),
                     (empty, "no skills or requirements found")):
        run = subprocess.run([sys.executable, "-m", "cli", "batch", str(EXAMPLES), "--out", str(tmp_path / "out"),
                              "--jd", str(jd)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 2 and says in run.stderr, run.stderr
        assert not (tmp_path / "out" / "index.html").exists()
