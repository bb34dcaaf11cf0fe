"""Measure the profile stage (issue 4) on the evaluation corpus and the example applicants.

    python scripts/measure_profiles.py [--as-of 2026-11-26] [--positions] [--examples]

Reads ``../shared/corpus/labels.csv`` (skips with a message when the corpus is absent), runs
``pdf_to_document`` + ``document_to_profile`` on every file and prints:

1. the verdict check: every ``scorable=no`` file must get "not a scorable résumé" and no
   ``scorable=yes`` file may;
2. the group check: within each ``group`` the positions and the total months must agree.
   RenderCV and Deedy render one content several ways, so all members must give the same
   (start, end) list and the same total. Awesome-CV's résumé and CV are two *different*
   documents by the same person (the CV is the long form, with older roles and activities), so
   they are compared on the positions they share: every dated position of the résumé must be
   found in the CV with the same start and end (matched by start month), and each side's total
   is printed;
3. a table of each scorable file: detected sections, positions found, total years.

``--positions`` also prints every position read (title, organisation, dates, months) and
``--examples`` adds the bundled ``examples/applicants`` with their intended years.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.document_to_profile import document_to_profile  # noqa: E402
from pipeline.pdf_to_document import pdf_to_document  # noqa: E402
from pipeline.types import Profile, Settings  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLES = ROOT / "examples" / "applicants"


def _ym(p) -> str:
    return f"{p.year}-{p.month:02d}" if p else "?"


def dated_spans(profile: Profile) -> list[tuple[str, str]]:
    return [(_ym(p.start), _ym(p.end)) for p in profile.positions if p.datable]


def read(path: Path, settings: Settings) -> tuple[Profile | None, str]:
    doc = pdf_to_document(path, settings)
    if doc.problem:
        return None, f"unreadable: {doc.problem.reason}"
    return document_to_profile(doc, settings.as_of), ""


def print_positions(name: str, profile: Profile) -> None:
    print(f"  {name}")
    for p in profile.positions:
        flag = "" if p.datable else "  [undatable]"
        print(
            f"    {_ym(p.start)} .. {_ym(p.end)}{' (present)' if p.current else ''}"
            f"  {p.months:3d} m  {p.title[:45]!r} @ {p.organisation[:40]!r}{flag}"
        )


def group_check(rows: list[dict], profiles: dict[str, Profile]) -> int:
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["group"] and row["scorable"] == "yes" and row["file"] in profiles:
            groups[row["group"]].append(row["file"])
    failures = 0
    print("\n== groups: positions and total months within each group")
    for group, files in sorted(groups.items()):
        if group == "awesome-cv":
            resume = next(f for f in files if f.endswith("resume.pdf"))
            cv = next(f for f in files if f.endswith("cv.pdf"))
            short, long_ = profiles[resume], profiles[cv]
            by_start = {_ym(p.start): p for p in long_.positions if p.datable}
            shared = [p for p in short.positions if p.datable and _ym(p.start) in by_start]
            same = [p for p in shared if _ym(by_start[_ym(p.start)].end) == _ym(p.end)]
            ok = len(same) == len(shared)
            print(
                f"  {group}: résumé {len(dated_spans(short))} dated positions, {short.experience.total_months} "
                f"months; CV {len(dated_spans(long_))} dated positions, {long_.experience.total_months} months; "
                f"résumé positions whose start month is also in the CV: {len(shared)}, with the same end: "
                f"{len(same)} -> {'OK' if ok else 'DIFFERS (check the PDFs: the two texts may differ)'}"
            )
            for p in short.positions:
                if p.datable and p not in same:
                    other = by_start.get(_ym(p.start))
                    where = f"CV has {_ym(other.start)}..{_ym(other.end)} ({other.date_text!r})" if other else "not in the CV"
                    print(f"      résumé {_ym(p.start)}..{_ym(p.end)} ({p.date_text!r}) {p.title[:40]!r}: {where}")
        else:
            keys = {
                f: (tuple(dated_spans(profiles[f])), profiles[f].experience.total_months) for f in files
            }
            ok = len(set(keys.values())) == 1
            sample = next(iter(keys.values()))
            print(
                f"  {group}: {len(files)} files, {len(sample[0])} positions, {sample[1]} months -> "
                f"{'OK (all identical)' if ok else 'DIFFERS'}"
            )
            if not ok:
                for f, k in keys.items():
                    print(f"      {f}: {len(k[0])} positions, {k[1]} months {k[0]}")
        failures += not ok
    return failures


def table(rows: list[dict], profiles: dict[str, Profile]) -> None:
    print("\n== scorable files: sections, positions, total years")
    print(f"  {'file':62} {'pos':>3} {'undat':>5} {'years':>6} {'stated':>6}  sections")
    for row in rows:
        profile = profiles.get(row["file"])
        if row["scorable"] != "yes" or profile is None:
            continue
        kinds = [s.kind for s in profile.sections if s.kind != "header"]
        exp = profile.experience
        print(
            f"  {row['file'][:62]:62} {len(profile.positions):3d} {exp.undatable_positions:5d} "
            f"{exp.total_months / 12:6.1f} {exp.stated_years or '':>6}  {','.join(kinds)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--positions", action="store_true")
    parser.add_argument("--examples", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings(as_of=date.fromisoformat(args.as_of))
    labels = CORPUS / "labels.csv"
    if not labels.exists():
        print(f"evaluation corpus not found at {CORPUS}: nothing to measure")
        return 0
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    profiles: dict[str, Profile] = {}
    print(f"== verdicts (as of {settings.as_of}): {len(rows)} labelled files")
    wrong = 0
    for row in rows:
        profile, problem = read(CORPUS / "pdfs" / row["file"], settings)
        if profile is None:
            print(f"  {row['file']}: {problem}")
            wrong += row["scorable"] == "yes"
            continue
        profiles[row["file"]] = profile
        expected = row["scorable"] == "yes"
        got = profile.verdict.scorable
        wrong += got != expected
        if not expected or got != expected:
            mark = "ok " if got == expected else "WRONG"
            print(f"  {mark} {row['file']}: scorable={got} {profile.verdict.reason}")
    print(f"  verdicts matching the labels: {len(rows) - wrong}/{len(rows)}")
    failures = group_check(rows, profiles)
    table(rows, profiles)
    if args.positions:
        print("\n== positions read")
        for row in rows:
            if row["file"] in profiles and row["scorable"] == "yes":
                print_positions(row["file"], profiles[row["file"]])
    if args.examples:
        print("\n== example applicants (intended years: examples/README.md, examples/source/*.txt)")
        for path in sorted(EXAMPLES.glob("*.pdf")):
            profile, problem = read(path, settings)
            if profile is None:
                print(f"  {path.name}: {problem}")
                continue
            exp = profile.experience
            print(
                f"  {path.name:58} scorable={profile.verdict.scorable!s:5} positions={len(profile.positions)} "
                f"years={exp.total_months / 12:.1f} product={exp.product_months / 12:.1f} "
                f"leading={exp.leadership_months / 12:.1f} stated={exp.stated_years}"
            )
            if args.positions:
                print_positions(path.name, profile)
    print(f"\nverdict mismatches: {wrong}, groups that differ: {failures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
