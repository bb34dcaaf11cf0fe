"""Blind review on the bundled examples and the evaluation corpus (../shared/corpus): how often the
blind score equals the unredacted one, what differed when it did not, and what identifying text
is still found in what a blind reader sees.

    python scripts/measure_blind.py [--livecareer N] [--no-corpus] [--probes] [--show N]

``--probes`` also measures the bundled examples with the cases blind review must handle written
into them (the first name and the surname alone in a bullet, a school without a school word in
the education section and in a bullet, plain years, "'09"), one school form per example.

What is searched: every string of the blind result (as ``results.json`` holds it) plus the text
of the blind candidate page (``reports.render.result_to_page``; the run's own date removed).
Leaks are counted by kind, per file and in total:

* name: a token of the candidate's name (2+ characters, whole word, any case), when the name
  is a name (not a job title read as one); name particles (de, van, ...) are not counted;
* school: the institution of an education entry: the profile's own ``Education.institution``,
  the author's school for the examples (``examples/source``), and any name from
  ``rubrics/redact.toml`` written in the unredacted education section;
* email, phone (last 7 digits), link, location: the profile's contact details;
* year: a four-digit year 1950-2039 or an apostrophe year ('09) anywhere.

It is a lower bound on misses (a school the profile did not parse and the list does not know is
not searched for), not a proof of blindness.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("ROLEFIT_CORPUS", ROOT.parent / "shared" / "corpus"))
EXAMPLES = ROOT / "examples" / "applicants"
SOURCES = ROOT / "examples" / "source"

from pipeline.file_to_result import document_to_result  # noqa: E402
from pipeline.pdf_to_document import pdf_to_document  # noqa: E402
from pipeline.redact import identity_of, redact_document, redact_result, shown_strings  # noqa: E402
from pipeline.rubric import load_rubric  # noqa: E402
from pipeline.serialise import to_jsonable  # noqa: E402
from pipeline.types import Settings  # noqa: E402
from reports.render import RunInfo, result_to_page  # noqa: E402

KINDS = ("name", "school", "email", "phone", "link", "location", "year")
PARTICLES = {"de", "da", "di", "do", "dos", "das", "del", "della", "der", "den", "van", "von", "la", "le", "du", "bin", "al", "el", "st"}
YEAR = re.compile(r"(?<![\w.,$€£])(?:19[5-9]\d|20[0-3]\d)(?![\w%]|[.,]\d)|(?<![\w'’‘])['’‘]\d{2}(?![\w'’‘])")


def known_schools() -> list[str]:
    import tomllib

    path = ROOT / "rubrics" / "redact.toml"
    if not path.exists():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("schools", {}).get("names", []))


def source_schools(name: str) -> list[str]:
    """The schools the example's author wrote (examples/source), independently of the pipeline."""
    path = SOURCES / name.replace(".pdf", ".txt")
    if not path.exists():
        return []
    out, section = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
        elif section == "education" and line.startswith("### "):
            out.append(line[4:].split(" | ")[1].strip())
    return out


PROBES = [  # (education line, school) written into the examples in turn
    ("M.S. Computer Science | MIT | 2009 – 2011", "MIT"),
    ("MBA, Stanford, 2015", "Stanford"),
    ("M.S. Software Engineering | Carnegie Mellon | 1998 – 2003", "Carnegie Mellon"),
    ("MSc Computer Science, ETH Zürich, 2008", "ETH Zürich"),
    ("B.Tech Electrical Engineering | IIT Bombay | Class of 2008", "IIT Bombay"),
    ("Master in Public Policy, Sciences Po ('09)", "Sciences Po"),
]


def with_probe(doc, n: int):
    """The example with the issue's cases written in after its first bullet and its education
    heading; returns the document and the probe's school."""
    education, school = PROBES[n % len(PROBES)]
    lines = list(doc.lines)
    name = lines[0].text.split()
    bullet = next(i for i, ln in enumerate(lines) if ln.bullet)
    heading = next((i for i, ln in enumerate(lines) if ln.text.strip().lower() == "education"), None)
    if heading is None:
        return doc, school

    def at(i: int, text: str, is_bullet: bool):
        return replace(lines[i], text=text, raw=text, top=lines[i].top + 0.5, bullet=is_bullet, bold=False, size=lines[bullet].size)

    probes = {
        bullet: [at(bullet, f"{name[0]} led the migration in 2015; {name[-1]}'s plan cut costs 40%", True),
                 at(bullet, f"{name[-1]} et al. presented it at {school} in '09", True)],
        heading: [at(heading, education, False)],
    }
    return replace(doc, lines=tuple(x for i, ln in enumerate(lines) for x in [ln, *probes.get(i, [])])), school


def page_text(page: str, as_of: str) -> str:
    page = re.sub(r"(?s)<head>.*?</head>|<style.*?</style>|<script.*?</script>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page)).replace(as_of, " ")


def leaks(plain, shown: str, schools_known: list[str], extra_schools: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {k: [] for k in KINDS}
    if plain.profile is not None:
        c = plain.profile.contact
        identity = identity_of(plain)
        if identity.name_in_body:
            for token in sorted({t for t in re.split(r"[\s-]+", identity.name) if len(t) >= 2}):
                if token.lower().strip(".") not in PARTICLES and re.search(rf"(?<![\w\[]){re.escape(token)}(?![\w\]])", shown, re.I):
                    found["name"].append(token)
        else:  # a job title or heading taken for a name: its title and heading words stay in the body
            found["name"] += [t for t in getattr(identity, "body_name_parts", ()) if re.search(rf"(?<![\w\[]){re.escape(t)}(?![\w\]])", shown)]
        links = [link for link in c.links if "/" in link or link == link.lower()]  # not "lessons.Com" glued text
        low = shown.lower()
        for kind, values in (("email", [c.email]), ("location", [c.location]), ("link", links)):
            found[kind] += [v for v in values if v and v.lower() in low]
        digits = re.sub(r"\D", "", c.phone)
        spaced = r"[\s().\-–]*".join(digits[-7:])  # the last 7 digits, however they are punctuated
        if len(digits) >= 7 and len(set(digits)) > 1 and re.search(rf"(?<!\d){spaced}", shown):
            found["phone"].append(c.phone)
        education = "\n".join(ln.text for s in plain.profile.sections if s.kind == "education" for ln in s.lines)
        generic = re.compile(r"(?i)(?:the\s+)?(?:state\s+)?(?:university|college|school|institute|academy|high school)")
        schools = {e.institution for e in plain.profile.education  # not "College" or "school full-time"
                   if re.search(r"\b[A-Z]", e.institution) and not generic.fullmatch(e.institution)}
        schools |= set(extra_schools)
        schools |= {s for s in schools_known if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", education)}
        found["school"] = sorted(s for s in schools if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", shown))
    found["year"] = sorted(set(m.group() for m in YEAR.finditer(shown)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--livecareer", type=int, default=2, help="files per livecareer category (0 to skip)")
    parser.add_argument("--no-corpus", action="store_true", help="the bundled examples only")
    parser.add_argument("--show", type=int, default=3, help="leaked strings shown per file and kind")
    parser.add_argument("--probes", action="store_true", help="also the examples with the issue's cases written in")
    args = parser.parse_args()
    groups = {"examples": sorted(EXAMPLES.glob("*.pdf"))}
    if args.probes:
        groups["examples+probes"] = groups["examples"]
    if not args.no_corpus and (CORPUS / "labels.csv").exists():
        files = sorted((CORPUS / "pdfs").glob("*.pdf"))
        for folder in sorted(p for p in (CORPUS / "livecareer").iterdir() if p.is_dir()):
            files += sorted(folder.glob("*.pdf"))[: args.livecareer]
        groups["corpus"] = files
    elif not args.no_corpus:
        print(f"corpus not found at {CORPUS}; examples only")
    rubric = load_rubric()
    settings = Settings(as_of=date(2026, 11, 26))
    run = RunInfo.for_rubric(rubric, settings.as_of.isoformat(), "measure", blind=True)
    schools_known = known_schools()
    for group, files in groups.items():
        totals: Counter[str] = Counter()
        files_with: Counter[str] = Counter()
        occurrences: Counter[str] = Counter()
        for n, path in enumerate(files):
            doc = pdf_to_document(path, settings)
            extra = source_schools(path.name) if group.startswith("examples") else []
            if group == "examples+probes" and doc.lines:
                doc, school = with_probe(doc, n)
                extra.append(school)
            plain = document_to_result(doc, rubric, settings)
            again = document_to_result(redact_document(doc, plain), rubric, settings) if doc.lines else None
            blind = redact_result(plain, again)
            totals[plain.status] += 1
            shown = "\n".join(shown_strings(to_jsonable(blind)))
            if blind.status != "unreadable":
                shown += "\n" + page_text(result_to_page(blind, run), run.as_of)
            found = leaks(plain, shown, schools_known, extra)
            if not blind.blind.holds:
                totals["check failed"] += 1
                print(f"DIFFERS {path.name}: {'; '.join(blind.blind.differences)}")
            kinds = [k for k in KINDS if found[k]]
            for k in kinds:
                files_with[k] += 1
                occurrences[k] += len(found[k])
            if kinds:
                totals["with a leak"] += 1
                print(f"LEAK    {path.name}: " + "; ".join(f"{k} {found[k][: args.show]}" for k in kinds))
        checked = len(files) - totals["unreadable"]
        print(f"\n[{group}] {len(files)} files: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
        print(f"[{group}] files with a leak, by kind: " + ", ".join(f"{k} {files_with[k]}" for k in KINDS))
        print(f"[{group}] distinct leaked strings, by kind: " + ", ".join(f"{k} {occurrences[k]}" for k in KINDS))
        print(f"[{group}] blind score equals unredacted: {checked - totals['check failed']}/{checked} files with text\n")


if __name__ == "__main__":
    main()
