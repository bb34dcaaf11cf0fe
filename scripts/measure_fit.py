"""Measure the fit score on the evaluation corpus and the bundled examples (prints figures).

    python scripts/measure_fit.py [--corpus ../shared/corpus] [--rubric rubrics/tpm.toml]
                                  [--jd FILE] [--cache DIR] [--top 5]

Reports, as the issue asks:
- the spread (max - min) of the overall score within each ``group`` of labels.csv;
- the ranking AUC: the share of (technical, non-technical) livecareer pairs in which the
  INFORMATION-TECHNOLOGY / ENGINEERING / CONSULTANT / DIGITAL-MEDIA résumé outscores the
  CHEF / FITNESS / AGRICULTURE / APPAREL / ARTS one (ties count half);
- the highest and lowest scored files with their strongest evidence, to read;
- the bundled examples, ranked.

``--cache DIR`` keeps extracted Profiles (pickled, keyed on the file's hash) between runs so that
scoring changes can be measured quickly; leave it out for a clean measurement.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import pickle
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.document_to_profile import document_to_profile  # noqa: E402
from pipeline.pdf_to_document import pdf_to_document  # noqa: E402
from pipeline.profile_to_fit import profile_to_fit  # noqa: E402
from pipeline.rubric import load_rubric  # noqa: E402
from pipeline.types import Settings  # noqa: E402

AS_OF = date(2026, 11, 26)
TECHNICAL = {"INFORMATION-TECHNOLOGY", "ENGINEERING", "CONSULTANT", "DIGITAL-MEDIA"}
NON_TECHNICAL = {"CHEF", "FITNESS", "AGRICULTURE", "APPAREL", "ARTS"}


def load_profile(path: Path, cache: Path | None):
    key = None
    if cache is not None:
        key = cache / (hashlib.sha256(path.read_bytes()).hexdigest() + ".pickle")
        if key.exists():
            return pickle.loads(key.read_bytes())
    doc = pdf_to_document(path, Settings(as_of=AS_OF))
    profile = None if doc.problem else document_to_profile(doc, AS_OF)
    if profile is not None and not profile.verdict.scorable:
        profile = None
    if key is not None:
        key.write_bytes(pickle.dumps(profile))
    return profile


def _load(args):
    return load_profile(*args)


def auc(positives: list[float], negatives: list[float]) -> float:
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def what_it_is(profile) -> str:
    """The first role's title (or the first header line): what a reader sees first."""
    if profile is None:
        return ""
    if profile.positions and profile.positions[0].title:
        return profile.positions[0].title[:60]
    header = next((s for s in profile.sections if s.kind == "header" and s.lines), None)
    return header.lines[0].text[:60] if header else ""


def top_evidence(fit, n: int = 3) -> list[str]:
    ev = [(e.strength, c.name, e) for c in fit.competencies for e in c.evidence]
    ev.sort(key=lambda t: (-t[0], t[1]))
    return [f"{name}: \"{e.quote[:90]}\" ({e.section}, p{e.page}, {e.matched})" for _, name, e in ev[:n]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--rubric", default=None)
    ap.add_argument("--jd", default=None, help="also show the job match against this job description")
    ap.add_argument("--cache", default=None, help="folder for cached Profiles (speeds up re-runs)")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    rubric = load_rubric(args.rubric) if args.rubric else load_rubric()
    corpus = Path(args.corpus)
    cache = Path(args.cache) if args.cache else None
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    job = None
    if args.jd:
        from pipeline.profile_to_job_match import profile_to_job_match
        from pipeline.text_to_job import file_to_job

        job = file_to_job(args.jd, Settings(as_of=AS_OF), rubric)
        print(f"job description {args.jd}: {len(job.required)} required, {len(job.preferred)} preferred, "
              f"years {job.min_years}")

    files: list[tuple[Path, str, str]] = []  # path, kind, label
    if (corpus / "labels.csv").exists():
        for row in csv.DictReader(open(corpus / "labels.csv", encoding="utf-8")):
            files.append((corpus / "pdfs" / row["file"], "labels", row["group"]))
        for row in csv.DictReader(open(corpus / "livecareer.csv", encoding="utf-8")):
            files.append((corpus / row["file"], "livecareer", row["category"]))
    else:
        print(f"corpus not found at {corpus}: examples only")
    examples = sorted((ROOT / "examples" / "applicants").glob("*.pdf"))
    files += [(p, "example", "") for p in examples]

    started = time.monotonic()
    with ProcessPoolExecutor(args.workers) as pool:
        profiles = list(pool.map(_load, [(p, cache) for p, _, _ in files], chunksize=8))
    read_s = time.monotonic() - started
    started = time.monotonic()
    fits = [profile_to_fit(pr, rubric) if pr is not None else None for pr in profiles]
    score_s = time.monotonic() - started
    n_scored = sum(f is not None for f in fits)
    print(f"rubric {rubric.model.id} {rubric.model.version} sha256 {rubric.sha256[:12]}; "
          f"{len(files)} files, {n_scored} scored; read {read_s:.1f} s, scoring {score_s:.2f} s "
          f"({1000 * score_s / max(1, n_scored):.1f} ms per résumé)")

    rows = [(p, kind, label, f) for (p, kind, label), f in zip(files, fits)]
    profile_of = {p: pr for (p, _, _), pr in zip(files, profiles)}

    groups: dict[str, list[tuple[str, float]]] = {}
    for p, kind, label, f in rows:
        if kind == "labels" and label and f is not None:
            groups.setdefault(label, []).append((p.name, f.overall))
    print("\nSpread of the overall score within each group (goal <= 2 points):")
    for g, members in sorted(groups.items()):
        scores = [s for _, s in members]
        print(f"  {g:12s} n={len(scores):2d}  min {min(scores):5.1f}  max {max(scores):5.1f}  "
              f"spread {max(scores) - min(scores):4.1f}   " + " ".join(f"{s:.1f}" for s in scores))

    pos = [f.overall for _, kind, label, f in rows if kind == "livecareer" and label in TECHNICAL and f]
    neg = [f.overall for _, kind, label, f in rows if kind == "livecareer" and label in NON_TECHNICAL and f]
    print(f"\nRanking AUC, technical vs non-technical livecareer (goal >= 0.9): {auc(pos, neg):.3f} "
          f"({len(pos)} x {len(neg)} pairs)")
    by_cat: dict[str, list[float]] = {}
    for _, kind, label, f in rows:
        if kind == "livecareer" and f:
            by_cat.setdefault(label, []).append(f.overall)
    print("  mean overall by livecareer category:")
    for cat, scores in sorted(by_cat.items(), key=lambda kv: -statistics.mean(kv[1])):
        mark = "+" if cat in TECHNICAL else ("-" if cat in NON_TECHNICAL else " ")
        print(f"   {mark} {cat:24s} mean {statistics.mean(scores):5.1f}  median {statistics.median(scores):5.1f}"
              f"  max {max(scores):5.1f}")
    tech_rows = sorted((f.overall, p, label) for p, kind, label, f in rows
                       if kind == "livecareer" and label in TECHNICAL and f)
    print(f"  the {args.top * 2} lowest technical-category files (is their work technical?):")
    for score, p, label in tech_rows[: args.top * 2]:
        print(f"    {score:5.1f}  {p.relative_to(corpus)}  first role: {what_it_is(profile_of[p])}")

    corpus_rows = [r for r in rows if r[1] != "example" and r[3] is not None]
    corpus_rows.sort(key=lambda r: (-r[3].overall, r[0].name))
    zeros = sum(r[3].overall == 0 for r in corpus_rows)
    print(f"\n{zeros} of {len(corpus_rows)} scored corpus files score 0 (no evidence at all).")
    for title, chosen in (("highest", corpus_rows[: args.top]), ("lowest", corpus_rows[-args.top:])):
        print(f"\nThe {args.top} {title} scored corpus files:")
        for p, kind, label, f in chosen:
            print(f"  {f.overall:5.1f}  {p.relative_to(corpus)}  [{label}]  first role: {what_it_is(profile_of[p])}")
            for line in top_evidence(f):
                print(f"         {line}")

    print("\nBundled examples, ranked:")
    ex = [(p, f) for p, kind, _, f in rows if kind == "example"]
    ex.sort(key=lambda t: -(t[1].overall if t[1] else -1))
    for (p, f), pr in ((t, profiles[files.index((t[0], "example", ""))]) for t in ex):
        if f is None:
            print(f"    --   {p.name} (not scored)")
            continue
        cats = " ".join(f"{c.id[:4]} {c.score:4.1f}" for c in f.categories)
        extra = ""
        if job is not None:
            extra = f"  job match {profile_to_job_match(pr, job, rubric).score:5.1f}"
        print(f"  {f.overall:5.1f}  {p.name:55s} {cats}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
