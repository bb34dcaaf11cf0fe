"""Blind review on the evaluation corpus (../shared/corpus): how often the blind score equals the
unredacted one, what differed when it did not, and what identifying text was still found.

    python scripts/measure_blind.py [--livecareer N]

Prints one line per file whose check failed or where a leak was found, then the totals. A "leak"
is the profile's own email, phone digits, link or name still present in the blind result, or a
year right after a school word; it is a lower bound on misses, not a proof of blindness.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("ROLEFIT_CORPUS", ROOT.parent / "shared" / "corpus"))

from pipeline.file_to_result import document_to_result  # noqa: E402
from pipeline.pdf_to_document import pdf_to_document  # noqa: E402
from pipeline.redact import identity_of, redact_document, redact_result, shown_strings  # noqa: E402
from pipeline.rubric import load_rubric  # noqa: E402
from pipeline.serialise import to_jsonable  # noqa: E402
from pipeline.types import Settings  # noqa: E402


def leaks(plain, shown: list[str]) -> list[str]:
    found = []
    if plain.profile is None:
        return found
    c = plain.profile.contact
    identity = identity_of(plain)
    name = identity.name if identity.name_in_body else ""  # a job title taken for a name is kept in the body
    links = [link for link in c.links if "/" in link or link == link.lower()]  # not "lessons.Com" glued text
    text = "\n".join(shown).lower()
    for label, value in (("email", c.email), ("name", name), ("location", c.location), *(("link", link) for link in links)):
        if value and value.lower() in text:
            found.append(f"{label} {value!r}")
    digits = re.sub(r"\D", "", c.phone)
    if len(digits) >= 7 and len(set(digits)) > 1 and any(digits[-7:] in re.sub(r"\D", "", s) for s in shown):
        found.append(f"phone {c.phone!r}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--livecareer", type=int, default=2, help="files per livecareer category (0 to skip)")
    args = parser.parse_args()
    if not (CORPUS / "labels.csv").exists():
        print(f"corpus not found at {CORPUS}; nothing to measure")
        return
    files = sorted((CORPUS / "pdfs").glob("*.pdf"))
    for folder in sorted(p for p in (CORPUS / "livecareer").iterdir() if p.is_dir()):
        files += sorted(folder.glob("*.pdf"))[: args.livecareer]
    rubric = load_rubric()
    settings = Settings(as_of=date(2026, 11, 26))
    totals: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for path in files:
        doc = pdf_to_document(path, settings)
        plain = document_to_result(doc, rubric, settings)
        again = document_to_result(redact_document(doc, plain), rubric, settings) if doc.lines else None
        blind = redact_result(plain, again)
        totals[plain.status] += 1
        kinds.update(blind.blind.redacted)
        shown = list(shown_strings(to_jsonable(blind)))
        found = leaks(plain, shown)
        if not blind.blind.holds:
            totals["check failed"] += 1
            print(f"DIFFERS {path.name}: {'; '.join(blind.blind.differences)}")
        if found:
            totals["with a leak"] += 1
            print(f"LEAK    {path.name}: {', '.join(found)}")
    print(f"\n{len(files)} files: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    print("redacted kinds (files): " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    checked = len(files) - totals["unreadable"]
    print(f"blind score equals unredacted: {checked - totals['check failed']}/{checked} files with text")


if __name__ == "__main__":
    main()
