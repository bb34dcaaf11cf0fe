"""What blind review and the audit record cost, on the bundled examples (figures, not a test).

    python scripts/bench_blind.py [--repeat N]

Prints, per run of all examples: reading the PDFs, scoring plain, scoring blind (score, redact,
score the redacted document again, redact what is shown; the last step also on its own), and
building + appending the audit record; then the blind/plain ratios measured in this one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import __version__  # noqa: E402
from pipeline.audit_record import append_record, last_record, run_record  # noqa: E402
from pipeline.file_to_result import document_to_result  # noqa: E402
from pipeline.pdf_to_document import pdf_to_document  # noqa: E402
from pipeline.redact import redact_document, redact_result  # noqa: E402
from pipeline.rubric import load_rubric  # noqa: E402
from pipeline.types import Settings  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    runs, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rubric = load_rubric()
    settings = Settings(as_of=date(2026, 11, 26), isolate=False) if "isolate" in Settings.__dataclass_fields__ else Settings(as_of=date(2026, 11, 26))
    files = sorted((ROOT / "examples" / "applicants").glob("*.pdf"))

    read_s, docs = timed(lambda: [pdf_to_document(p, settings) for p in files], args.repeat)
    plain_s, plain = timed(lambda: [document_to_result(d, rubric, settings) for d in docs], args.repeat)

    def blind_all():
        out = []
        for doc, result in zip(docs, plain):
            again = document_to_result(redact_document(doc, result), rubric, settings) if doc.lines else None
            out.append(redact_result(result, again))
        return out

    blind_s, blind = timed(blind_all, args.repeat)
    again = [document_to_result(redact_document(d, r), rubric, settings) if d.lines else None for d, r in zip(docs, plain)]
    shown_s, _ = timed(lambda: [redact_result(r, a) for r, a in zip(plain, again)], args.repeat)
    blind_score_s = plain_s + blind_s  # a blind run scores once plainly, then the rest
    held = sum(r.blind.holds for r in blind)
    with tempfile.TemporaryDirectory() as tmp:
        now = datetime.now(timezone.utc)
        record_s, _ = timed(lambda: append_record(Path(tmp), run_record(blind, rubric.ref, replace(settings, blind=True), __version__, now)), args.repeat)
        last_s, _ = timed(lambda: last_record(Path(tmp)), args.repeat)
        size = (Path(tmp) / "audit.jsonl").stat().st_size / args.repeat

    n = len(files)
    print(f"{n} example files, median of {args.repeat} runs")
    print(f"read PDFs            {read_s * 1000:8.1f} ms  ({read_s / n * 1000:.1f} ms/file)")
    print(f"score plain          {plain_s * 1000:8.1f} ms  ({plain_s / n * 1000:.1f} ms/file)")
    print(f"score blind          {blind_score_s * 1000:8.1f} ms  ({blind_score_s / n * 1000:.1f} ms/file), checks held {held}/{n}")
    print(f"  of which redacting what is shown {shown_s * 1000:6.1f} ms  ({shown_s / n * 1000:.1f} ms/file: identity, name tokens, schools, years)")
    print(f"audit record append  {record_s * 1000:8.1f} ms  ({size / 1024:.0f} KiB per record)")
    print(f"audit last record    {last_s * 1000:8.1f} ms  (after {args.repeat} records)")
    print(f"blind / plain, scoring only:        {blind_score_s / plain_s:.2f}x")
    print(f"blind / plain, reading + scoring:   {(read_s + blind_score_s) / (read_s + plain_s):.2f}x")


if __name__ == "__main__":
    main()
