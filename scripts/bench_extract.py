"""Measure the PDF stage on ../shared/corpus: columns, glued words, controls, RenderCV agreement,
speed against plain ``page.extract_text()`` in the same run, and the worker-process overhead.

    python scripts/bench_extract.py                 # everything; livecareer: 2 files per category
    python scripts/bench_extract.py --per-category 10 --show-full-width

Skips cleanly (exit 0, one line) when the corpus is absent. Glued tokens are tokens of 18+
letters not in a word list: /usr/share/dict/words (Debian's ``wamerican``) when present,
otherwise only the stage's own short list of real long words.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import logging
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.normalise import LONG_WORDS, is_glued  # noqa: E402
from pipeline.pdf_to_document import bytes_to_document, pdfium_preflight, read_pdf  # noqa: E402
from pipeline.types import Settings  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
WORDS_FILE = Path("/usr/share/dict/words")
LETTERS = re.compile(r"[^\W\d_]+")
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def word_list() -> set[str]:
    words = set(LONG_WORDS)
    if WORDS_FILE.exists():
        words |= {w.strip().lower() for w in WORDS_FILE.read_text(encoding="utf-8", errors="ignore").split()}
    return words


def glued(text: str, words: set[str]) -> list[str]:
    return [t for t in LETTERS.findall(text) if is_glued(t) and t.lower() not in words]


def plain_text(data: bytes) -> tuple[str, int]:
    """pdfplumber's defaults, page by page: the 'before'."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = []
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            page.close()
    return "\n".join(texts), len(texts)


def section(title: str) -> None:
    print(f"\n== {title}")


def labelled(settings: Settings, words: set[str], show_full_width: bool) -> None:
    with open(CORPUS / "labels.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    docs = {}
    section(f"labels.csv: {len(rows)} files (columns per page, glued tokens before -> after)")
    two_ok = one_ok = two_total = one_total = 0
    mixed_files = []
    before_total = after_total = 0
    for row in rows:
        data = (CORPUS / "pdfs" / row["file"]).read_bytes()
        doc = bytes_to_document(data, row["file"], settings)
        docs[row["file"]] = doc
        before_text, _ = plain_text(data)
        before, after = glued(before_text, words), glued(doc.text, words)
        before_total += len(before)
        after_total += len(after)
        columns = doc.diagnostics.columns_per_page
        if row["layout"] == "two-column":
            two_total += 1
            two_ok += columns[:1] == (2,)
        else:
            one_total += 1
            one_ok += 2 not in columns
        mixed = _mixed_lines(doc)
        if mixed:
            mixed_files.append((row["file"], mixed))
        flag = "" if (row["layout"] == "two-column") == (2 in columns) else "  <-- WRONG"
        if doc.problem:
            flag += f"  PROBLEM: {doc.problem.reason}"
        print(f"{row['file'][:62]:62} {row['layout']:10} cols={columns} glued {len(before):3} -> {len(after)}"
              f"{' ' + ','.join(after[:3]) if after else ''}{flag}")
        if show_full_width and 2 in columns:
            for line in doc.lines:
                if line.column == 0 and columns[line.page - 1] == 2:
                    print(f"      full-width p{line.page}: {line.text[:100]}")
    print(f"two-column files read as two columns: {two_ok}/{two_total}; one-column files kept whole: "
          f"{one_ok}/{one_total}; files with a line straddling the column boundary: {len(mixed_files)}")
    for name, lines in mixed_files:
        print(f"   straddling in {name}: {lines[:3]}")
    print(f"glued tokens (18+ letters, not in {'the word list' if WORDS_FILE.exists() else 'LONG_WORDS'}): "
          f"{before_total} with pdfplumber defaults -> {after_total}")
    controls(rows, docs, words)
    rendercv(rows, docs)


def _mixed_lines(doc) -> list[str]:
    """On two-column pages: a left-column line reaching past the right column's left edge, or the
    reverse. Full-width rows are reported with --show-full-width for reading by eye."""
    bad = []
    pages = defaultdict(list)
    for line in doc.lines:
        pages[line.page].append(line)
    for lines in pages.values():
        left = [line for line in lines if line.column == 1]
        right = [line for line in lines if line.column == 2]
        if left and right:
            edge_right, edge_left = min(line.x0 for line in right), max(line.x1 for line in left)
            bad += [line.text for line in left if line.x1 > edge_right]
            bad += [line.text for line in right if line.x0 < edge_left]
    return bad


def controls(rows, docs, words) -> None:
    section("scorable=no controls: readable text? (first lines, letters-in-word-list share for English)")
    for row in rows:
        if row["scorable"] != "no":
            continue
        doc = docs[row["file"]]
        tokens = LETTERS.findall(doc.text)
        known = sum(t.lower() in words for t in tokens) / len(tokens) if tokens else 0
        share = f"{known:.0%} of {len(tokens)} tokens in word list" if row["language"] == "en" else f"{len(doc.text)} chars"
        first = " | ".join(line.text for line in doc.lines[:4])
        print(f"{row['file'][:50]:50} {row['language']} problem={doc.problem and doc.problem.code} {share}"
              f" unknown_glyphs={doc.diagnostics.unknown_glyphs}\n      {first[:150]}")


def rendercv(rows, docs) -> None:
    group = [row["file"] for row in rows if row["group"] == "rendercv"]
    if not group:
        return
    section(f"RenderCV group ({len(group)} themes) vs the first theme: (a) every whitespace-separated"
            " token, in order; (b) words only (letters/digits, lower case, separators dropped), in"
            " order; (c) words as a multiset")
    reference = group[0]
    tokens = {name: docs[name].text.split() for name in group}
    words = {name: [w.lower() for w in re.findall(r"[^\W_]+", docs[name].text)] for name in group}
    for name in group:
        exact = difflib.SequenceMatcher(a=tokens[reference], b=tokens[name], autojunk=False)
        a, b = words[reference], words[name]
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        diffs = [
            f"{tag}: {' '.join(a[i1:i2])[:50]!r} -> {' '.join(b[j1:j2])[:50]!r}"
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]
        missing = Counter(a) - Counter(b)
        extra = Counter(b) - Counter(a)
        print(f"{name[18:60]:42} tokens={len(tokens[name]):4} (a) {exact.ratio():.3f} (b) {matcher.ratio():.3f}"
              f" {len(diffs)} edits (c) missing={sum(missing.values())} extra={sum(extra.values())}"
              f" {dict(list(missing.items())[:4]) or ''} {dict(list(extra.items())[:4]) or ''}")
        for diff in diffs[:4]:
            print(f"      {diff}")


def speed(settings: Settings, per_category: int) -> None:
    folders = sorted(p for p in (CORPUS / "livecareer").iterdir() if p.is_dir())
    files = [f for folder in folders for f in sorted(folder.glob("*.pdf"))[:per_category]]
    section(f"speed on livecareer: {len(files)} files ({per_category} per category), one run, "
            "each file through every path in turn")
    inproc = replace(settings, isolate=False)
    totals = defaultdict(float)
    pages = 0
    per_file = defaultdict(list)
    paths = {
        "plain extract_text()": lambda d: plain_text(d),
        "pdfium pre-flight": lambda d: pdfium_preflight(d, settings),
        "layout-aware, in process": lambda d: read_pdf(d, inproc),
        "layout-aware, isolated worker": lambda d: bytes_to_document(d, "x.pdf", settings),
    }
    for index, path in enumerate(files):
        data = path.read_bytes()
        pages += plain_text(data)[1]
        names = list(paths)
        names = names[index % len(names):] + names[: index % len(names)]  # rotate the order
        for name in names:
            start = time.perf_counter()
            paths[name](data)
            elapsed = time.perf_counter() - start
            totals[name] += elapsed
            per_file[name].append(elapsed)
    for name in paths:
        print(f"{name:32} {pages / totals[name]:6.2f} pages/s  median {statistics.median(per_file[name]) * 1000:6.0f} ms/file")
    plain = totals["plain extract_text()"]
    layout = totals["layout-aware, in process"]
    isolated = totals["layout-aware, isolated worker"]
    print(f"{pages} pages. layout-aware (in process) / plain extract_text(): {layout / plain:.2f}x  "
          f"(includes the pdfium pre-flight)")
    print(f"isolated worker / in process: {isolated / layout:.2f}x  "
          f"(+{(isolated - layout) / len(files) * 1000:.0f} ms per file: fork, limits, pickling the result)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-category", type=int, default=2, help="livecareer files per category (max 10)")
    parser.add_argument("--show-full-width", action="store_true", help="print full-width rows of two-column pages")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    if not (CORPUS / "labels.csv").exists():
        print(f"corpus not found at {CORPUS}: nothing to measure")
        return 0
    settings = Settings(as_of=date(2026, 1, 1))
    words = word_list()
    print(f"word list: {WORDS_FILE if WORDS_FILE.exists() else 'absent (LONG_WORDS only)'} ({len(words):,} words)")
    labelled(settings, words, args.show_full_width)
    if not args.skip_speed:
        speed(settings, args.per_category)
    return 0


if __name__ == "__main__":
    sys.exit(main())
