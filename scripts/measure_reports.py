"""Measure report rendering: time and output size for a batch of N candidates.

    python scripts/measure_reports.py [N] [--out FOLDER]

The bundled examples go through the real pipeline once; they are then repeated with fresh ids,
names and scaled scores up to N results (a stand-in for a large batch), and ``write_reports``
is timed on them. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.file_to_result import file_to_result  # noqa: E402
from pipeline.rubric import load_rubric  # noqa: E402
from pipeline.types import Settings  # noqa: E402
from reports.render import RunInfo, results_to_csv, results_to_index, results_to_json, write_reports  # noqa: E402

FIRST = ["Ada", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Mo", "Nia"]
LAST = ["Okafor", "Lindqvist", "Marchetti", "Nwosu", "Halvorsen", "Fenwick", "Quill", "Tanaka", "Moreau"]


def synthetic_batch(n: int, as_of: date):
    rubric = load_rubric()
    settings = Settings(as_of=as_of)
    base = [file_to_result(p, rubric, settings) for p in sorted((ROOT / "examples" / "applicants").glob("*.pdf"))]
    rng = random.Random(7)
    results = []
    for i in range(n):
        r = base[i % len(base)]
        sha = hashlib.sha256(str(i).encode()).hexdigest()
        r = replace(r, candidate_id="c" + sha[:12], sha256=sha, source=f"applicant-{i:04d}.pdf")
        if r.fit is not None:
            k = rng.uniform(0.5, 1.6)
            cats = tuple(replace(c, score=min(100.0, c.score * k)) for c in r.fit.categories)
            contact = replace(r.profile.contact, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}")
            r = replace(r, fit=replace(r.fit, overall=min(100.0, r.fit.overall * k), categories=cats),
                        profile=replace(r.profile, contact=contact))
        results.append(r)
    return rubric, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    as_of = date(2026, 11, 26)
    rubric, results = synthetic_batch(args.n, as_of)
    run = RunInfo.for_rubric(rubric, as_of=as_of.isoformat(), version="measure")
    out = args.out or Path(tempfile.mkdtemp(prefix="rolefit-reports-"))
    for name, fn in (("index.html", results_to_index), ("results.json", results_to_json), ("results.csv", results_to_csv)):
        t = time.perf_counter()
        fn(results, run)
        print(f"{name:<14} {time.perf_counter() - t:6.2f} s")
    t = time.perf_counter()
    write_reports(results, run, out)
    total = time.perf_counter() - t
    pages = list((out / "candidates").glob("*.html"))
    sizes = sorted(p.stat().st_size for p in pages)
    print(f"write_reports  {total:6.2f} s for {len(results)} results ({total / len(results) * 1000:.1f} ms each), {len(pages)} pages")
    print(f"index.html     {(out / 'index.html').stat().st_size / 1024:6.0f} KiB")
    print(f"results.json   {(out / 'results.json').stat().st_size / 1024:6.0f} KiB")
    print(f"results.csv    {(out / 'results.csv').stat().st_size / 1024:6.0f} KiB")
    if sizes:
        print(f"page size      median {sizes[len(sizes) // 2] / 1024:.0f} KiB, max {sizes[-1] / 1024:.0f} KiB")
    print(f"output in {out}")


if __name__ == "__main__":
    main()
