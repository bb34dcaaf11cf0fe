"""Run the four stages for one file: the unit of work a batch repeats. Never raises for bad input."""

from __future__ import annotations

from pathlib import Path

from pipeline import __version__
from pipeline.document_to_profile import document_to_profile
from pipeline.profile_to_fit import profile_to_fit
from pipeline.profile_to_level import profile_to_level
from pipeline.rubric import Rubric
from pipeline.types import Document, JobDescription, Problem, Result, Settings


def candidate_id(sha256: str) -> str:
    """A stable id from the file's content: the same file is the same candidate, whatever its name."""
    return "c" + sha256[:12]


def document_to_result(doc: Document, rubric: Rubric, settings: Settings, job: JobDescription | None = None) -> Result:
    common = dict(
        candidate_id=candidate_id(doc.sha256),
        source=doc.source,
        sha256=doc.sha256,
        rubric=rubric.ref,
        as_of=settings.as_of,
        pipeline_version=__version__,
        diagnostics=doc.diagnostics,
    )
    if doc.problem:
        return Result(**common, status="unreadable", problem=doc.problem)
    profile = document_to_profile(doc, settings.as_of)
    if not profile.verdict.scorable:
        problem = Problem("not_resume", f"not a scorable résumé: {profile.verdict.reason}")
        return Result(**common, status="not_resume", problem=problem, profile=profile)
    fit = profile_to_fit(profile, rubric)
    job = job if job is not None else settings.job
    job_match = None
    if job is not None and job.problem is None:  # optional job description (--jd), beside the fit
        from pipeline.profile_to_job_match import profile_to_job_match

        job_match = profile_to_job_match(profile, job, rubric, fit)
    return Result(
        **common,
        status="scored",
        problem=None,
        profile=profile,
        fit=fit,
        level=profile_to_level(profile, rubric),
        job_match=job_match,
    )


def file_to_result(path: str | Path, rubric: Rubric, settings: Settings, job: JobDescription | None = None) -> Result:
    # Imported here: document_to_result's callers (rolefit score reads the PDF in a child
    # process) never load the PDF libraries.
    from pipeline.pdf_to_document import pdf_to_document

    doc = pdf_to_document(path, settings)
    result = document_to_result(doc, rubric, settings, job)
    if settings.blind:  # redact, score the redacted document again, keep any difference as an error
        from pipeline.redact import redact_document, redact_result  # only blind runs need it (≈ 8 ms of imports)

        rescored = document_to_result(redact_document(doc, result), rubric, settings, job) if doc.lines else None
        result = redact_result(result, rescored)
    return result
