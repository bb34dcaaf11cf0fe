"""Measure the ladder level against labelled files: the evaluation corpus and the bundled examples.

    python scripts/measure_levels.py                  # corpus (../shared/corpus) and examples
    python scripts/measure_levels.py --corpus DIR     # another labelled folder (labels.csv + pdfs/)
    python scripts/measure_levels.py -v               # also each file's signals and reasons

Prints, for the scorable corpus files: the share whose level is in the label's accepted set and
the share within one level of it, a confusion table, and whether every file of a `group` got
the same level. For the examples, the intended levels of examples/README.md. The corpus is a
test set: nothing here feeds back into the model (see scripts/fit_level_model.py).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.document_to_profile import document_to_profile  # noqa: E402
from pipeline.pdf_to_document import pdf_to_document  # noqa: E402
from pipeline.profile_to_level import profile_to_level  # noqa: E402
from pipeline.rubric import load_rubric  # noqa: E402
from pipeline.types import Settings  # noqa: E402

AS_OF = date(2026, 11, 26)
EXAMPLE_LEVELS = {  # examples/README.md "Intended level" wording -> ladder id
    "associate tpm": "associate",
    "student, below associate tpm": "associate",
    "tpm": "tpm",
    "weak tpm": "tpm",
    "senior tpm": "senior",
    "principal pm / product director": "principal",
    "vp of product / cpo": "vp",
}


def level_of(path: Path, rubric, settings):
    doc = pdf_to_document(path, settings)
    if doc.problem:
        return None, doc.problem.reason
    profile = document_to_profile(doc, settings.as_of)
    if not profile.verdict.scorable:
        return None, profile.verdict.reason
    return profile_to_level(profile, rubric), ""


def show(name: str, level, verbose: bool) -> None:
    if not verbose or level is None:
        return
    for s in level.signals:
        print(f"      {s.name:<18} {s.value:<40} {s.evidence[:90]}")
    for r in level.reasons:
        print(f"      reason: {r}")
    for n in level.next_level:
        print(f"      next:   {n}")


def measure_corpus(corpus: Path, rubric, settings, verbose: bool) -> None:
    order = [lv.id for lv in rubric.model.ladder.levels]
    with open(corpus / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["scorable"] == "yes" and r["levels"]]
    hits = near = 0
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    print(f"corpus: {len(rows)} scorable labelled files in {corpus}")
    for r in rows:
        accepted = r["levels"].split("|")
        level, why = level_of(corpus / "pdfs" / r["file"], rubric, settings)
        got = level.level if level else "-"
        dist = min((abs(order.index(got) - order.index(a)) for a in accepted), default=9) if level else 9
        hits += dist == 0
        near += dist <= 1
        confusion[r["levels"]][got] += 1
        if r["group"]:
            groups[r["group"]].append((r["file"], got))
        mark = "ok" if dist == 0 else ("±1" if dist == 1 else "MISS")
        p = f"{level.confidence:.2f}" if level else why
        print(f"  {mark:<4} {got:<9} accepted {r['levels']:<16} conf {p:<5} {r['role_family']:<11} {r['file'][:60]}")
        show(r["file"], level, verbose)
    n = len(rows) or 1
    print(f"\nin the accepted set: {hits}/{len(rows)} = {hits / n:.0%} (goal >= 80%)")
    print(f"within one level:    {near}/{len(rows)} = {near / n:.0%} (goal 100%)")
    print("\nconfusion (rows: accepted set, columns: predicted level)")
    print("  " + f"{'accepted':<18}" + "".join(f"{o:>10}" for o in order + ["-"]))
    for acc in sorted(confusion, key=lambda a: (order.index(a.split("|")[0]), a)):
        print("  " + f"{acc:<18}" + "".join(f"{confusion[acc].get(o, 0):>10}" for o in order + ["-"]))
    print("\ngroups (one level for all files of a group)")
    for g, items in sorted(groups.items()):
        levels = sorted({lv for _, lv in items})
        print(f"  {g:<12} {len(items)} files -> {', '.join(levels)}  {'consistent' if len(levels) == 1 else 'INCONSISTENT'}")


def measure_examples(rubric, settings, verbose: bool) -> None:
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    intended = {}
    for m in re.finditer(r"^\| `([^`]+\.pdf)` \| [^|]* \| ([^|]*) \|", readme, re.MULTILINE):
        intended[m.group(1)] = m.group(2).strip()
    print(f"\nexamples: {len(intended)} files in examples/applicants")
    agree = total = 0
    for name, wording in intended.items():
        level, why = level_of(ROOT / "examples" / "applicants" / name, rubric, settings)
        want = EXAMPLE_LEVELS.get(wording.lower())
        got = level.level if level else "-"
        if want:
            total += 1
            agree += got == want
        mark = "" if not want else ("ok" if got == want else "MISS")
        print(f"  {mark:<4} {got:<9} intended: {wording:<40} {name}  {why}")
        show(name, level, verbose)
    print(f"examples with an intended ladder level: {agree}/{total} agree")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    rubric = load_rubric()
    settings = Settings(as_of=AS_OF)
    corpus = Path(args.corpus)
    if (corpus / "labels.csv").exists():
        measure_corpus(corpus, rubric, settings, args.verbose)
    else:
        print(f"corpus not found at {corpus}: skipped")
    measure_examples(rubric, settings, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
