"""Render pipeline results as HTML pages and exports. Reads pipeline data; never runs a stage.

    results_to_index(results, run)   -> str   the ranked batch page
    result_to_page(result, run)      -> str   one candidate's page
    write_reports(results, run, out) -> Path  index.html, candidates/*.html, results.json
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from pipeline.serialise import to_jsonable
from pipeline.types import Result

RESULTS_SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class RunInfo:
    """Facts about the run shown on every page."""

    rubric_name: str
    rubric_id: str
    rubric_version: str
    rubric_sha256: str
    as_of: str
    version: str
    duration_s: float = 0.0
    blind: bool = False
    extra: dict = field(default_factory=dict)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["page_name"] = page_name
    return env


_ENV = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def page_name(result: Result) -> str:
    """A candidate page's file name: from the content-hash id, never from the uploaded name."""
    return f"candidates/{result.candidate_id}.html"


def rank(results: list[Result]) -> list[Result]:
    scored = [r for r in results if r.status == "scored"]
    scored.sort(key=lambda r: (-r.fit.overall, r.candidate_id))
    return scored


def results_to_index(results: list[Result], run: RunInfo) -> str:
    ranked = rank(results)
    others = sorted((r for r in results if r.status != "scored"), key=lambda r: r.source)
    return environment().get_template("index.html").render(ranked=ranked, others=others, run=run, total=len(results))


def result_to_page(result: Result, run: RunInfo) -> str:
    return environment().get_template("candidate.html").render(r=result, run=run)


def results_to_json(results: list[Result], run: RunInfo) -> str:
    payload = {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "run": to_jsonable(run),
        "results": [to_jsonable(r) for r in sorted(results, key=lambda r: (r.source, r.candidate_id))],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file, fsync and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(results: list[Result], run: RunInfo, out: Path) -> Path:
    out = Path(out)
    for result in results:
        if result.status in ("scored", "not_resume"):
            write_atomic(out / page_name(result), result_to_page(result, run))
    write_atomic(out / "results.json", results_to_json(results, run))
    index = out / "index.html"
    write_atomic(index, results_to_index(results, run))
    return index
