"""The audit record: one JSON line per run, appended to ``audit.jsonl`` in the output folder.

A record says when the run happened, which files went in (content hashes), which rubric and
pipeline version scored them, with which settings, and per candidate the scores and references
to the evidence behind them (section, page, kind, matched phrase and a hash of the quote). It
holds no name, contact detail, file name or quote: candidates appear only by content hash, so
the record can be kept longer than the reports and shown to an auditor.

A run that left the reports as they were (a scheduled run over an unchanged folder) appends a
short record instead: its own time, run, rubric, settings and version, ``reports_unchanged``,
the time of the full record it repeats (``same_as``) and the SHA-256 of that record's inputs and
candidates, so an hourly schedule adds about a kilobyte an hour, not the whole batch again.
``read_records`` gives every record complete, the short ones filled in from the record they
name (and checked against its hashes).

Records older than the retention period (``--audit-retention-days``, default 365 days; 0 keeps
every record) are removed when the next run appends its own, except a full record that a kept
short record names; nothing else ever rewrites a line.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import datetime, timedelta, timezone
from collections.abc import Iterable
from itertools import chain
from typing import IO
from pathlib import Path

from pipeline.atomic import atomic_writer
from pipeline.serialise import to_jsonable
from pipeline.types import Result, RubricRef, Settings

RECORD_VERSION = "1"
AUDIT_FILE = "audit.jsonl"
DEFAULT_RETENTION_DAYS = 365


def _candidate(result: Result) -> dict:
    entry: dict = {
        "candidate_id": result.candidate_id,
        "sha256": result.sha256,
        "status": result.status,
        "problem": result.problem.code if result.problem else None,
    }
    if result.fit is not None:
        entry["overall"] = result.fit.overall
        entry["categories"] = {c.id: c.score for c in result.fit.categories}
        entry["competencies"] = {
            c.id: {
                "score": c.score,
                "evidence": [
                    {
                        "section": e.section,
                        "page": e.page,
                        "kind": e.kind,
                        "strength": e.strength,
                        "matched": e.matched,
                        "quote_sha256": hashlib.sha256(e.quote.encode("utf-8")).hexdigest(),
                    }
                    for e in c.evidence
                ],
            }
            for c in result.fit.competencies
        }
    if result.level is not None:
        entry["level"] = {"id": result.level.level, "confidence": result.level.confidence}
    if result.blind is not None:
        entry["blind"] = {
            "redacted": list(result.blind.redacted),
            "unredacted_overall": result.blind.unredacted_overall,
            "blind_overall": result.blind.blind_overall,
            "differences": list(result.blind.differences),
        }
    return entry


def run_record(
    results: list[Result],
    rubric: RubricRef,
    settings: Settings,
    pipeline_version: str,
    time: datetime,
    extra: dict | None = None,
) -> dict:
    """The audit record of one run, as plain JSON-able data (no I/O)."""
    ordered = sorted(results, key=lambda r: (r.sha256, r.candidate_id))
    return _record(ordered, rubric, settings, pipeline_version, time, extra)


def _record(ordered: Iterable[Result], rubric: RubricRef, settings: Settings, pipeline_version: str,
            time: datetime, extra: dict | None, spool: IO[str] | None = None) -> dict:
    """The record from results already in order, taken one at a time: only the small per-candidate
    entries are kept, never the results themselves; with ``spool``, not even those: each is
    written there as JSON (", " between them) and ``candidates`` stays empty."""
    inputs, candidates, failures = [], [], []
    counts = dict.fromkeys(("scored", "unreadable", "not_resume"), 0)
    for i, r in enumerate(ordered):
        inputs.append({"sha256": r.sha256, "candidate_id": r.candidate_id})
        if r.status in counts:
            counts[r.status] += 1
        if r.blind is not None and not r.blind.holds:
            failures.append(r.candidate_id)
        if spool is None:
            candidates.append(_candidate(r))
        else:
            spool.write((", " if i else "") + _dumps(_candidate(r)))
    return {
        "record_version": RECORD_VERSION,
        "time": time.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "pipeline_version": pipeline_version,
        "rubric": {"id": rubric.id, "version": rubric.version, "sha256": rubric.sha256},
        "settings": to_jsonable(settings),
        "run": dict(sorted((extra or {}).items())),
        "inputs": inputs,
        "counts": counts,
        "blind_check_failures": failures,
        "candidates": candidates,
    }


def keep_record(line: str, cutoff: datetime | None) -> bool:
    """Whether one line of the audit file is kept under the retention cutoff. Lines that cannot
    be read are kept: retention never deletes what it does not understand."""
    if cutoff is None:
        return True
    try:
        return datetime.fromisoformat(json.loads(line)["time"]) >= cutoff
    except (ValueError, KeyError, TypeError):
        return True


def _needs_pruning(path: Path, cutoff: datetime) -> bool:
    """Records are appended in time order: only the oldest readable one needs a look."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not keep_record(line, cutoff):
                return True
            try:
                json.loads(line)["time"]
                return False
            except (ValueError, KeyError, TypeError):
                continue
    return False


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _parsed(line: str) -> dict | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _is_full(line: str) -> bool:
    record = _parsed(line)
    return record is not None and "candidates" in record


def _is_short(line: str) -> bool:
    record = _parsed(line)
    return record is not None and "same_as" in record


def _sha256_of(value) -> str:
    return hashlib.sha256(_dumps(value).encode("utf-8")).hexdigest()


def short_record(previous: dict, fresh: dict) -> dict:
    """The record of a run that repeats ``previous`` (a full record): ``fresh``'s own fields,
    and what names and checks the repeated record instead of its inputs and candidates."""
    own = ("record_version", "time", "pipeline_version", "rubric", "settings", "run")
    return {
        **{k: fresh[k] for k in own},
        "reports_unchanged": True,
        "same_as": previous["time"],
        "inputs_sha256": _sha256_of(previous.get("inputs", [])),
        "candidates_sha256": _sha256_of(previous.get("candidates", [])),
        "counts": previous.get("counts", {}),
        "blind_check_failures": previous.get("blind_check_failures", []),
    }


class AuditRecordError(ValueError):
    """A short record names a full record that is missing or does not match its hashes."""


def read_records(out: Path):
    """Every readable record of the output folder's audit file, oldest first, each complete: a
    short record comes with the inputs and candidates of the full record it names, after checking
    them against its hashes (``AuditRecordError`` when they do not match or the record is
    missing). Only the latest full record is held in memory."""
    path = Path(out) / AUDIT_FILE
    if not path.exists():
        return
    full = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = _parsed(line) if line.strip() else None
            if record is None:
                continue
            if "candidates" in record:
                full = record
            elif "same_as" in record:
                if full is None or full.get("time") != record["same_as"]:
                    raise AuditRecordError(f"the record of {record.get('time')} repeats {record['same_as']}, "
                                           "which is not the full record before it")
                inputs, candidates = full.get("inputs", []), full.get("candidates", [])
                if (_sha256_of(inputs), _sha256_of(candidates)) != (record["inputs_sha256"], record["candidates_sha256"]):
                    raise AuditRecordError(f"the record of {record['same_as']} does not match the hashes "
                                           f"that the record of {record.get('time')} holds for it")
                record = {**record, "inputs": inputs, "candidates": candidates}
            yield record


def append_record(out: Path, record: dict, retention_days: int = DEFAULT_RETENTION_DAYS) -> Path:
    """Prune records older than ``retention_days`` before the record's time (0: keep all), then
    append ``record`` as one line and flush it to disk. Returns the audit file's path."""
    return _append_line(Path(out) / AUDIT_FILE, record["time"], [_dumps(record)], retention_days, "same_as" in record)


def _append_line(path: Path, time_iso: str, pieces: Iterable[str], retention_days: int, short: bool = False) -> Path:
    """Prune (streaming the kept lines into a new file), then append the line written as
    ``pieces`` (a short record when ``short``) and flush it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if retention_days > 0 and path.exists():
        cutoff = datetime.fromisoformat(time_iso) - timedelta(days=retention_days)
        if _needs_pruning(path, cutoff):
            with open(path, encoding="utf-8") as old, atomic_writer(path) as new:
                named = None  # the newest full record pruned so far: what a short record after it names
                kept_any = False
                for ln in old:
                    if not ln.strip():
                        continue
                    if keep_record(ln, cutoff):
                        if not kept_any and named is not None and _is_short(ln):
                            new.write(named)
                        kept_any = True
                        new.write(ln if ln.endswith("\n") else ln + "\n")
                    elif _is_full(ln):
                        named = ln if ln.endswith("\n") else ln + "\n"
                if not kept_any and named is not None and short:  # the record being appended names it
                    new.write(named)
    lead = "\n" if path.exists() and path.stat().st_size and not _ends_with_newline(path) else ""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(lead)  # a line cut short by a crash stays a line of its own
        for piece in pieces:
            fh.write(piece)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path


def _append_streamed(out: Path, ordered: Iterable[Result], rubric: RubricRef, settings: Settings, pipeline_version: str,
                     time: datetime, extra: dict | None, retention_days: int) -> Path:
    """Append the record of results taken one at a time, in the record's order: each candidate's
    entry goes to a temporary file as it is made and is copied into the line, so neither the
    results nor their entries are ever all in memory. The line is the one ``append_record`` would
    write for ``run_record`` of the same results."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        record = _record(ordered, rubric, settings, pipeline_version, time, extra, spool)
        spool.seek(0)
        # sorted keys: "blind_check_failures" comes first, then "candidates": nothing before it can
        # hold this text unescaped, so the first occurrence is the place for the spooled entries
        head, tail = _dumps(record).split('"candidates": []', 1)
        pieces = chain([head, '"candidates": ['], iter(lambda: spool.read(1 << 16), ""), ["]", tail])
        return _append_line(Path(out) / AUDIT_FILE, record["time"], pieces, retention_days)


def last_record(out: Path) -> dict | None:
    """The newest readable full record (one with its candidates) in the output folder's audit
    file, reading from the end."""
    path = Path(out) / AUDIT_FILE
    if not path.exists():
        return None
    with open(path, "rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        block, tail = 1 << 16, b""
        pos = end
        while pos > 0:
            step = min(block, pos)
            pos -= step
            fh.seek(pos)
            tail = fh.read(step) + tail
            lines = tail.split(b"\n")
            for raw in reversed(lines[1:] if pos > 0 else lines):
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(record, dict) and "candidates" in record:
                    return record
            tail = lines[0] if pos > 0 else b""
    return None


def audit_run(
    out: Path,
    results: list[Result] | None,
    shown: list[str],
    read_result,
    rubric: RubricRef,
    settings: Settings,
    pipeline_version: str,
    time: datetime,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    extra: dict | None = None,
    reports_rebuilt: bool = False,
) -> Path:
    """Append the record of one run. ``results``: what the run's reports show, or None to read
    them back with ``read_result(sha256)``, one at a time. When the reports were left as they were
    (``reports_rebuilt`` False and no ``results``) and the previous full record covers exactly the
    ``shown`` file hashes under the same rubric, settings and version, a short record repeats it."""
    if results is not None:
        ordered = sorted(results, key=lambda r: (r.sha256, r.candidate_id))
        return _append_streamed(out, ordered, rubric, settings, pipeline_version, time, extra, retention_days)
    if not reports_rebuilt:
        previous = last_record(out)
        fresh = _record([], rubric, settings, pipeline_version, time, extra)
        same = previous is not None and all(previous.get(k) == fresh[k] for k in ("rubric", "settings", "pipeline_version"))
        if same and sorted(i["sha256"] for i in previous.get("inputs", [])) == sorted(shown):
            return append_record(out, short_record(previous, fresh), retention_days)
        del previous
    loaded = (read_result(sha) for sha in sorted(set(shown)))  # each content once, in the record's order
    return _append_streamed(out, (r for r in loaded if r is not None), rubric, settings, pipeline_version, time, extra,
                            retention_days)
