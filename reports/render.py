"""Render pipeline results as HTML pages and exports. Reads pipeline data; never runs a stage.

    results_to_index(results, run)   -> str   the ranked batch page
    result_to_page(result, run)      -> str   one candidate's page
    results_to_json(results, run)    -> str   results.json (schema: reports/results.schema.json)
    results_to_csv(results, run)     -> str   results.csv, one row per file
    write_reports(results, run, out) -> Path  index.html, candidates/*.html, results.json/.csv
    write_batch(keys, load, run, out)         the same, loading one result at a time (the flow's
                                               way: memory does not grow with the batch)

Safety rules (tested in tests/test_report_safety.py): templates autoescape with StrictUndefined
and never mark text safe; pages are single self-contained files with a Content-Security-Policy
that allows no external resource and only our own inline script (by hash); page file names come
from the content-hash candidate id, never from the uploaded file name.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from pipeline.atomic import atomic_writer, write_atomic  # write_atomic is re-exported for the CLI commands
from pipeline.serialise import to_jsonable
from pipeline.types import Advice, CategoryScore, Diagnostics, Fit, Level, Result

RESULTS_SCHEMA_VERSION = "1"
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")
PAGED = ("scored", "not_resume")  # statuses that get a candidate page


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
    levels: tuple[tuple[str, str], ...] = ()  # the rubric's ladder as (id, name), lowest first

    @classmethod
    def for_rubric(cls, rubric, as_of: str, version: str, **more) -> RunInfo:
        """The run facts of a ``pipeline.rubric.Rubric``, its ladder's level names included."""
        return cls(
            rubric_name=rubric.model.name, rubric_id=rubric.model.id, rubric_version=rubric.model.version,
            rubric_sha256=rubric.sha256, as_of=as_of, version=version,
            levels=tuple((lv.id, lv.name) for lv in rubric.model.ladder.levels), **more,
        )


# ---------------------------------------------------------------------------------------------
# Jinja environment
# ---------------------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["page_name"] = page_name
    env.filters["pct"] = lambda x: f"{x * 100:.0f}%"
    env.filters["num"] = lambda x: f"{x:.0f}"
    env.filters["unbullet"] = lambda text: text.lstrip("•·▪‣◦*-–— \t")
    return env


_ENV = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def _csp(script: str | None) -> str:
    """No external anything; our one inline script is allowed by its hash, nothing else runs."""
    if script is None:
        scripts = "'none'"
    else:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        scripts = f"'sha256-{digest}'"
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {scripts}; base-uri 'none'; form-action 'none'"
    )


# ---------------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------------

_SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def safe_id(candidate_id: str) -> str:
    """A file-name-safe form of a candidate id: the id itself when it is plain, else a hash of it."""
    if _SAFE_ID.fullmatch(candidate_id):
        return candidate_id
    return "c" + hashlib.sha256(candidate_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def page_name(result: Result) -> str:
    """A candidate page's file name: from the content-hash id, never from the uploaded name."""
    return f"candidates/{safe_id(result.candidate_id)}.html"


def page_names(results: list[Result]) -> dict[int, str]:
    """Page of every result that gets one, keyed by ``id(result)``. Files with the same content are
    the same candidate and share a page; different content never shares a page, even when a
    hand-made candidate id repeats."""
    names: dict[int, str] = {}
    owner: dict[str, str] = {}  # page name -> sha256 of the content it shows
    for r in sorted(results, key=lambda r: (r.source, r.sha256)):
        if r.status not in PAGED:
            continue
        name, n = page_name(r), 1
        while owner.get(name, r.sha256) != r.sha256:
            n += 1
            name = f"candidates/{safe_id(r.candidate_id)}-{n}.html"
        owner[name] = r.sha256
        names[id(r)] = name
    return names


# ---------------------------------------------------------------------------------------------
# View model: plain dicts the templates read, so an optional field is handled here, once
# ---------------------------------------------------------------------------------------------

_SMALL = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _words(n: int) -> str:
    return _SMALL.get(n, str(n))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def level_names(results: list[Result], run: RunInfo) -> dict[str, str]:
    names = dict(run.levels)
    for r in results:
        if r.level is not None:
            names.setdefault(r.level.level, r.level.name)
    return names


def level_order(results: list[Result], run: RunInfo) -> list[str]:
    if run.levels:
        return [i for i, _ in run.levels]
    for r in results:
        if r.level is not None and r.level.probabilities:
            return [i for i, _ in r.level.probabilities]
    return []


def display_name(result: Result, run: RunInfo) -> str:
    if run.blind:
        return result.candidate_id
    if result.profile is not None and result.profile.contact.name:
        return result.profile.contact.name
    return result.source


def job_match(result: Result) -> dict | None:
    """The optional job-description match (``Result.job_match``), if the run had one.

    Read defensively: score 0..100; ``skills`` each with a ``skill`` (name, quote, required), a
    ``score`` 0..1 and ``evidence``; the years asked for and found."""
    jm = getattr(result, "job_match", None)
    if jm is None:
        return None
    score = getattr(jm, "score", None)
    skills = []
    for m in getattr(jm, "skills", None) or ():
        skill = getattr(m, "skill", m)
        evidence = getattr(m, "evidence", None) or ()
        skills.append({
            "name": _label(skill), "quote": str(getattr(skill, "quote", "") or ""),
            "required": bool(getattr(skill, "required", True)), "score": float(getattr(m, "score", 0.0) or 0.0),
            "evidence": [{"quote": e.quote, "section": e.section, "page": e.page} for e in evidence[:2]],
        })
    return {
        "score": float(score) if isinstance(score, (int, float)) else None,
        "title": str(getattr(jm, "title", "") or ""), "source": str(getattr(jm, "source", "") or ""),
        "skills": skills,
        "matched": [s["name"] for s in skills if s["score"] > 0],
        "missing": [s["name"] for s in skills if s["score"] == 0],
        "years_required": getattr(jm, "years_required", None), "years_found": getattr(jm, "years_found", None),
        "years_met": getattr(jm, "years_met", None),
    }


def _label(item: Any) -> str:
    for attr in ("name", "text", "phrase", "term"):
        value = getattr(item, attr, None)
        if isinstance(value, str):
            return value
    return str(item)


def strengths(result: Result, n: int = 3) -> list[str]:
    """The best-evidenced competencies, strongest first (ties by rubric order)."""
    comps = [c for c in result.fit.competencies if c.score > 0] if result.fit else []
    comps = sorted(enumerate(comps), key=lambda ic: (-ic[1].score, ic[0]))
    return [c.name for _, c in comps[:n]]


def gap_names(result: Result) -> list[str]:
    return [c.name for c in result.fit.gaps] if result.fit else []


_LINK_HOST = re.compile(r"(?:https://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(/[A-Za-z0-9._~%/-]*)?/?", re.I)


def safe_link(text: str) -> str | None:
    """An ``https:`` URL for a link found in a résumé, or None: then it is shown as text only.
    Only plain host names and paths qualify; any other scheme (``javascript:``, ``data:``) and
    anything with quotes, spaces, query strings or credentials is never made clickable."""
    m = _LINK_HOST.fullmatch(text.strip())
    if not m:
        return None
    return f"https://{m.group(1)}{m.group(2) or ''}"


def diagnostics_in_words(result: Result) -> list[str]:
    d = result.diagnostics
    out = []
    if d.pages:
        chars = sum(d.chars_per_page)
        out.append(f"{_plural(d.pages, 'page')}, {_plural(chars, 'character')} of text read.")
    if d.no_text_layer:
        out.append("No text layer: the file looks like a scan or an image, so there was nothing to read.")
    multi = [(i + 1, c) for i, c in enumerate(d.columns_per_page) if c > 1]
    if multi:
        by_count: dict[int, list[int]] = {}
        for page, cols in multi:
            by_count.setdefault(cols, []).append(page)
        for cols, pages in sorted(by_count.items()):
            if len(pages) == d.pages > 1:
                where = "every page"
            else:
                where = ("page " if len(pages) == 1 else "pages ") + ", ".join(map(str, pages))
            out.append(f"{_words(cols).capitalize()} columns detected on {where}; each column was read separately.")
    elif d.columns_per_page:
        out.append("One column of text.")
    if d.glued_share >= 0.01:
        out.append(f"About {d.glued_share * 100:.0f}% of words looked glued together; matching may miss some of them.")
    if d.unknown_glyphs:
        out.append(f"{_plural(d.unknown_glyphs, 'symbol')} could not be read (icons or unmapped characters) and were left out.")
    if d.hidden_chars:
        out.append(f"{_plural(d.hidden_chars, 'hidden character')} (white or tiny text) ignored and not scored.")
    if result.profile is not None:
        undated = sum(1 for p in result.profile.positions if not p.datable)
        if undated:
            out.append(f"{_words(undated).capitalize()} {'date' if undated == 1 else 'dates'} could not be read; "
                       f"{'that position is' if undated == 1 else 'those positions are'} shown but not counted in years of experience.")
    out.extend(str(n) for n in d.notes)
    return out


def _months(ym) -> int:
    return ym.year * 12 + (ym.month - 1)


def duration(months: int) -> str:
    """A length of employment without dates: "3 y 2 m", "2 y", "8 m"."""
    years, rest = divmod(max(int(months), 0), 12)
    return " ".join(part for part in (f"{years} y" if years else "", f"{rest} m" if rest or not years else "") if part)


def timeline(result: Result, as_of: date, width: int = 820) -> dict | None:
    """Geometry for the experience timeline: one row per dated position, overlaps marked."""
    if result.profile is None:
        return None
    now = as_of.year * 12 + as_of.month - 1
    rows = []
    for p in result.profile.positions:
        relative = getattr(p, "relative_months", None)  # a blind result: no calendar dates, months before as_of
        if p.datable and p.start is None and relative is not None:
            rows.append({"p": p, "start": now + relative[0], "end": now + relative[1]})
            continue
        if not p.datable or p.start is None:
            continue
        start = _months(p.start)
        end = _months(p.end) + 1 if p.end is not None else (now + 1 if p.current else start + 1)
        rows.append({"p": p, "start": start, "end": max(end, start + 1)})
    if not rows:
        return None
    rows.sort(key=lambda r: (r["start"], r["end"]))
    blind = all(r["p"].start is None for r in rows)  # axis in years before the as-of date, no calendar year
    lo = min(r["start"] for r in rows) // 12 * 12
    hi = max(max(r["end"] for r in rows), now + 1)
    if blind:  # whole years back from the as-of month ("now")
        lo = now + 1 - -(-(now + 1 - min(r["start"] for r in rows)) // 12) * 12
    span = max(hi - lo, 12)
    label_w, row_h, top = 16, 34, 22

    def x(m: int) -> float:
        return round(label_w + (m - lo) / span * width, 1)

    for i, r in enumerate(rows):
        others = [o for j, o in enumerate(rows) if j != i and o["start"] < r["end"] and r["start"] < o["end"]]
        r.update(
            x=x(r["start"]), w=max(round(x(r["end"]) - x(r["start"]), 1), 3), y=top + i * row_h,
            overlap=bool(others), title=r["p"].title, organisation=r["p"].organisation,
            current=r["p"].current, date_text=r["p"].date_text, months=r["p"].months,
            duration=duration(r["p"].months),
        )
    overlaps = []  # stretches where two or more positions run at once, drawn as a band on the axis
    for m in range(lo, hi):
        n = sum(1 for r in rows if r["start"] <= m < r["end"])
        if n > 1:
            if overlaps and overlaps[-1][1] == m:
                overlaps[-1][1] = m + 1
            else:
                overlaps.append([m, m + 1])
    step = 1 if span <= 8 * 12 else (2 if span <= 16 * 12 else 5)
    ticks = [{"x": x(y * 12), "year": y, "label": str(y)} for y in range(lo // 12, hi // 12 + 1) if y % step == 0 and lo <= y * 12 <= hi]
    if blind:
        ticks = [{"x": x(now + 1 - k * 12), "year": None, "label": f"\u2212{k} y" if k else "now"}
                 for k in range((now + 1 - lo) // 12 + 1) if k % step == 0]
    height = top + len(rows) * row_h + 6
    return {
        "rows": rows, "ticks": ticks, "width": width + 2 * label_w, "height": height,
        "overlaps": [{"x": x(a), "w": max(round(x(b) - x(a), 1), 2)} for a, b in overlaps],
        "overlap_months": sum(b - a for a, b in overlaps),
        "undated": [p for p in result.profile.positions
                    if not p.datable or (p.start is None and getattr(p, "relative_months", None) is None)],
        "relative": blind,
    }


def radar(categories, size: int = 270) -> dict | None:
    """A radar chart of the category scores: axis ends, grid rings and the score polygon."""
    n = len(categories)
    if n < 3:
        return None
    c, r = size / 2, size / 2 - 52

    def pt(i: int, v: float) -> tuple[float, float]:
        a = -math.pi / 2 + 2 * math.pi * i / n
        return round(c + r * v * math.cos(a), 1), round(c + r * v * math.sin(a), 1)

    axes = []
    for i, cat in enumerate(categories):
        x, y = pt(i, 1.0)
        lx, ly = pt(i, 1.18)
        anchor = "middle" if abs(lx - c) < 4 else ("start" if lx > c else "end")
        axes.append({"x": x, "y": y, "lx": lx, "ly": round(ly + (4 if ly > c else 0), 1), "anchor": anchor,
                     "label": cat.name.split(" ")[0] if len(cat.name) > 14 else cat.name, "score": cat.score})
    rings = [" ".join(f"{a},{b}" for a, b in (pt(i, f) for i in range(n))) for f in (0.25, 0.5, 0.75, 1.0)]
    poly = " ".join(f"{a},{b}" for a, b in (pt(i, max(cat.score, 0) / 100) for i, cat in enumerate(categories)))
    return {"size": size, "c": c, "axes": axes, "rings": rings, "poly": poly}


def candidate_view(result: Result, run: RunInfo, names: dict[str, str] | None = None) -> dict:
    names = names if names is not None else level_names([result], run)
    v: dict[str, Any] = {
        "name": display_name(result, run),
        "status": result.status,
        "status_label": result.status.replace("_", " "),
        "reason": result.problem.reason if result.problem else "",
        "diagnostics": diagnostics_in_words(result),
        "job": job_match(result),
        "fit": None, "level": None, "timeline": None, "radar": None, "contact": None,
    }
    if result.profile is not None and not run.blind:
        ct = result.profile.contact
        v["contact"] = {
            "email": ct.email, "phone": ct.phone, "location": ct.location,
            "links": [{"text": link, "href": safe_link(link)} for link in ct.links],
        }
    if result.fit is not None:
        cats = []
        for cat in result.fit.categories:
            comps = [c for c in result.fit.competencies if c.category == cat.id]
            cats.append({"c": cat, "competencies": comps, "gaps": [c for c in comps if c.score == 0]})
        v["fit"] = {"overall": result.fit.overall, "categories": cats,
                    "strengths": strengths(result), "gaps": gap_names(result)}
        v["radar"] = radar(result.fit.categories)
    if result.level is not None:
        lv = result.level
        v["level"] = {
            "l": lv,
            "probabilities": [{"id": i, "name": names.get(i, i), "p": p, "top": i == lv.level} for i, p in lv.probabilities],
        }
    if result.profile is not None:
        v["timeline"] = timeline(result, result.as_of)
        v["experience"] = result.profile.experience
    return v


# ---------------------------------------------------------------------------------------------
# Summaries: what the index and results.csv need from one result. A batch's reports are built
# from these and from one full result at a time, so memory does not grow with the batch.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """One result as the index, results.csv and the blind notice show it, in a few hundred bytes.
    ``r`` is the result without its bulky parts (no profile, diagnostics, competencies, evidence,
    level reasons or job match: the templates' ``r`` reads status, source, ids, problem, overall
    and category scores, level and blind check); the rest is what the index derives from the
    parts left out. ``key`` loads the full result again."""

    r: Result
    name: str
    strengths: tuple[str, ...]
    gaps: tuple[str, ...]
    competencies: int  # how many competencies the rubric scored
    job: dict | None
    key: Any = None


_NO_DIAGNOSTICS = Diagnostics()


@lru_cache(maxsize=512)
def _one(value: Any) -> Any:
    """The first-seen object equal to ``value``: category names, level ids, the rubric reference
    and the as-of date repeat in every summary and are kept once."""
    return value


def summarise(result: Result, run: RunInfo, key: Any = None) -> Summary:
    fit, level = result.fit, result.level
    if fit is not None:
        fit = Fit(fit.overall, tuple(CategoryScore(_one(c.id), _one(c.name), c.score, c.weight) for c in fit.categories), ())
    if level is not None:
        level = Level(_one(level.level), _one(level.name), tuple((_one(i), p) for i, p in level.probabilities),
                      level.confidence, (), (), ())
    jm = job_match(result)
    light = replace(result, status=_one(result.status), rubric=_one(result.rubric), as_of=_one(result.as_of),
                    pipeline_version=_one(result.pipeline_version), diagnostics=_NO_DIAGNOSTICS,
                    profile=None, fit=fit, level=level, job_match=None)
    return Summary(
        r=light, name=display_name(result, run), strengths=tuple(map(_one, strengths(result))),
        gaps=tuple(map(_one, gap_names(result))),
        competencies=len(result.fit.competencies) if result.fit else 0,
        job=None if jm is None else {k: v for k, v in jm.items() if k != "skills"}, key=key,
    )


def _split(items: list, result_of: Callable[[Any], Result] = lambda r: r) -> tuple[list, list]:
    """Scored items ranked by overall fit (ties by candidate id), and the others by status and
    file name."""
    ranked, others = [], []
    for item in items:
        r = result_of(item)
        (ranked if r.status == "scored" and r.fit is not None else others).append(item)
    ranked.sort(key=lambda i: (-result_of(i).fit.overall, result_of(i).candidate_id))
    others.sort(key=lambda i: (result_of(i).status, result_of(i).source))
    return ranked, others


def _light(s: Summary) -> Result:
    return s.r


def rank(results: list[Result]) -> list[Result]:
    return _split(results)[0]


def _counts(results: list[Result]) -> dict[str, int]:
    return {s: sum(1 for r in results if r.status == s) for s in ("scored", "not_resume", "unreadable")}


def _histogram(scores: list[float], bins: int = 10) -> list[dict]:
    counts = [0] * bins
    for s in scores:
        counts[min(int(s // (100 / bins)), bins - 1)] += 1
    top = max(counts) or 1
    return [{"lo": i * 100 // bins, "hi": (i + 1) * 100 // bins, "n": n, "h": round(n / top, 3)}
            for i, n in enumerate(counts)]


def _level_counts(ranked: list[Result], order: list[str], names: dict[str, str]) -> list[dict]:
    counts = {i: 0 for i in order}
    for r in ranked:
        counts[r.level.level if r.level else "?"] = counts.get(r.level.level if r.level else "?", 0) + 1
    top = max(counts.values(), default=0) or 1
    return [{"id": i, "name": names.get(i, i), "n": n, "w": round(n / top, 3)} for i, n in counts.items()]


def _index_chunks(summaries: list[Summary], run: RunInfo, pages: dict[int, str]) -> Iterator[str]:
    """index.html, piece by piece. ``pages``: ``page_names`` of the summaries' results."""
    ranked_s, others_s = _split(summaries, _light)
    ranked, others, light = [s.r for s in ranked_s], [s.r for s in others_s], [s.r for s in summaries]
    names, order = level_names(light, run), level_order(light, run)
    categories = list(ranked[0].fit.categories) if ranked else []
    rows = []
    for i, s in enumerate(ranked_s + others_s):
        r = s.r
        rows.append({
            "r": r, "rank": i + 1 if i < len(ranked) else None, "name": s.name, "page": pages.get(id(r)),
            "job": s.job, "status_label": r.status.replace("_", " "),
            "reason": r.problem.reason if r.problem else "",
            "level": r.level, "level_name": names.get(r.level.level, r.level.name) if r.level else "",
            "level_rank": order.index(r.level.level) if r.level and r.level.level in order else -1,
            "strengths": s.strengths, "gaps": s.gaps, "competencies": s.competencies,
            "cats": {c.id: c.score for c in r.fit.categories} if r.fit else {},
        })
    script = environment().get_template("index.js").render()
    return environment().get_template("index.html").generate(
        rows=rows, ranked=ranked, others=others, run=run, total=len(light), categories=categories,
        has_job=any(v["job"] is not None for v in rows), counts=_counts(light),
        levels=[{"id": i, "name": names.get(i, i)} for i in order if any(r.level and r.level.level == i for r in ranked)],
        level_counts=_level_counts(ranked, order, names),
        histogram=_histogram([r.fit.overall for r in ranked]),
        csp=_csp(script), pages=pages,
    )


def results_to_index(results: list[Result], run: RunInfo) -> str:
    summaries = [summarise(r, run) for r in results]
    return "".join(_index_chunks(summaries, run, page_names([s.r for s in summaries])))


def result_to_page(result: Result, run: RunInfo, names: dict[str, str] | None = None,
                   index_link: str | None = "../index.html", advice: Advice | None = None) -> str:
    """One candidate's page, written to ``candidates/``; ``index_link=None`` for a page that stands
    alone (no batch index beside it); ``advice`` adds the candidate's suggestions (``rolefit
    score --html``). Level names come from ``run.levels`` (see ``RunInfo.for_rubric``), else from
    ``names``."""
    names = {**(names or {}), **level_names([result], run)}
    return environment().get_template("candidate.html").render(
        r=result, v=candidate_view(result, run, names), run=run, csp=_csp(None), index_link=index_link,
        advice=advice,
    )


# results.json is one JSON document, written as its frame and one item per result; the pieces
# are dumped with the same options, so the bytes equal one ``json.dumps`` of the whole payload.


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def _json_frame(light: list[Result], run: RunInfo) -> tuple[str, str]:
    """What comes before and after the ``results`` array (keys in sorted order, as sort_keys puts them)."""
    head = f'{{"counts":{_dump(_counts(light))},"ranking":{_dump([r.candidate_id for r in rank(light)])},"results":['
    tail = f'],"run":{_dump(to_jsonable(run))},"schema_version":{_dump(RESULTS_SCHEMA_VERSION)}}}'
    return head, tail


def _json_item(result: Result, page: str | None) -> str:
    return _dump({**to_jsonable(result), "page": page})


def _json_order(summaries: list[Summary]) -> list[Summary]:
    return sorted(summaries, key=lambda s: (s.r.source, s.r.candidate_id))


def results_to_json(results: list[Result], run: RunInfo) -> str:
    summaries = [summarise(r, run, i) for i, r in enumerate(results)]
    light = [s.r for s in summaries]
    pages = page_names(light)
    head, tail = _json_frame(light, run)
    items = (_json_item(results[s.key], pages.get(id(s.r))) for s in _json_order(summaries))
    return head + ",".join(items) + tail


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A spreadsheet cell that can never run as a formula (CSV injection guard)."""
    if isinstance(value, str):
        value = value.replace("\r", " ").replace("\n", " ")
        if value.startswith(_FORMULA):
            return "'" + value
    return value


def csv_columns(categories) -> list[str]:
    return (["rank", "candidate_id", "name", "source", "status", "overall", "level", "level_name",
             "level_confidence", "job_match"]
            + [f"category_{c.id}" for c in categories]
            + ["strengths", "gaps", "reason", "page", "sha256", "rubric_id", "rubric_version", "as_of"])


def _write_csv(fh, summaries: list[Summary], run: RunInfo, pages: dict[int, str]) -> None:
    """results.csv into ``fh``: one row per file (scored ones ranked first)."""
    ranked, others = _split(summaries, _light)
    categories = list(ranked[0].r.fit.categories) if ranked else []
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(csv_columns(categories))
    for i, s in enumerate(ranked + others):
        r, jm = s.r, s.job
        scores = {c.id: c.score for c in r.fit.categories} if r.fit else {}
        row = [
            i + 1 if i < len(ranked) else "", r.candidate_id, "" if run.blind else s.name,
            "" if run.blind else r.source, r.status,
            f"{r.fit.overall:.1f}" if r.fit else "",
            r.level.level if r.level else "", r.level.name if r.level else "",
            f"{r.level.confidence:.2f}" if r.level else "",
            f"{jm['score']:.1f}" if jm and jm["score"] is not None else "",
            *[f"{scores[c.id]:.1f}" if c.id in scores else "" for c in categories],
            "; ".join(s.strengths), "; ".join(s.gaps),
            r.problem.reason if r.problem else "", pages.get(id(r)) or "", r.sha256,
            r.rubric.id, r.rubric.version, r.as_of.isoformat(),
        ]
        writer.writerow([_cell(v) for v in row])


def results_to_csv(results: list[Result], run: RunInfo) -> str:
    """One row per file (scored ones ranked first), for spreadsheets and applicant-tracking imports."""
    summaries = [summarise(r, run) for r in results]
    buf = io.StringIO()
    _write_csv(buf, summaries, run, page_names([s.r for s in summaries]))
    return buf.getvalue()


def _inside(out: Path, relative: str) -> Path:
    """``out / relative``, refusing anything that would land outside ``out``."""
    target = (out / relative).resolve()
    if not target.is_relative_to(out.resolve()):
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return target


@dataclass(frozen=True)
class Written:
    """What ``write_batch`` wrote: the index, every result it shows as a summary, the page of each
    (``page_names`` of the summaries' results) and the keys whose result could not be loaded."""

    index: Path
    summaries: list[Summary]
    pages: dict[int, str]
    missing: list


def write_batch(keys: Iterable[Any], load: Callable[[Any], Result | None], run: RunInfo, out: Path) -> Written:
    """Write index.html, candidates/*.html, results.json and results.csv for the results that
    ``load(key)`` returns (None: left out), holding one full result at a time: a first pass keeps
    a summary of each, a second loads each again for its page and its results.json item. Every
    file is written atomically; results.json and results.csv are streamed to disk."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summaries, missing = [], []
    for key in keys:
        result = load(key)
        if result is None:
            missing.append(key)
        else:
            summaries.append(summarise(result, run, key))
    light = [s.r for s in summaries]
    pages, names = page_names(light), level_names(light, run)
    head, tail = _json_frame(light, run)
    with atomic_writer(_inside(out, "results.json")) as fh:
        fh.write(head)
        for i, s in enumerate(_json_order(summaries)):
            result, page = load(s.key), pages.get(id(s.r))
            if result is None:  # gone since the first pass: listed as summarised, no page
                missing.append(s.key)
                result = s.r
            elif page is not None:
                write_atomic(_inside(out, page), result_to_page(result, run, names))
            fh.write(("," if i else "") + _json_item(result, page))
        fh.write(tail)
    with atomic_writer(_inside(out, "results.csv")) as fh:
        _write_csv(fh, summaries, run, pages)
    index = out / "index.html"
    with atomic_writer(_inside(out, "index.html")) as fh:
        for chunk in _index_chunks(summaries, run, pages):
            fh.write(chunk)
    return Written(index, summaries, pages, missing)


def write_reports(results: list[Result], run: RunInfo, out: Path) -> Path:
    return write_batch(range(len(results)), results.__getitem__, run, out).index
