"""Stage 1: PDF -> Document. Hostile files become problems with reasons; layouts read in order."""

import csv
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import hostile_pdfs as hostile
from conftest import EXAMPLES, corpus_or_skip
from pipeline.pdf_to_document import bytes_to_document, pdf_to_document

MiB = 1 << 20

# name, file bytes, settings changes, expected code, expected reason (a regular expression)
HOSTILE = [
    ("zero bytes", lambda: b"", {}, "empty", r"empty file \(0 bytes\)"),
    ("html renamed .pdf", lambda: b"<!doctype html><html>CV</html>", {}, "not_pdf", r"not a PDF file \(no %PDF- header\)"),
    ("png renamed .pdf", lambda: b"\x89PNG\r\n\x1a\n" + bytes(64), {}, "not_pdf", r"not a PDF file"),
    ("docx renamed .pdf", lambda: b"PK\x03\x04" + bytes(64), {}, "not_pdf", r"not a PDF file"),
    ("truncated", hostile.truncated_pdf, {}, "corrupt", r"^corrupt or truncated PDF \("),
    ("page tree loops", hostile.looping_pages_pdf, {}, "corrupt", r"^corrupt"),
    ("user password", lambda: hostile.encrypted_pdf("s3cret"), {}, "encrypted",
     r"^encrypted PDF: a password is needed to open it$"),
    ("image only", hostile.image_only_pdf, {}, "no_text", r"^scanned image; no text to score$"),
    ("21 pages", lambda: hostile.many_pages_pdf(21), {}, "too_many_pages", r"^21 pages, over the limit of 20$"),
    ("3 pages, limit 2", lambda: hostile.many_pages_pdf(3), {"max_pages": 2}, "too_many_pages",
     r"^3 pages, over the limit of 2$"),
    ("over the size limit", hostile.text_pdf, {"max_bytes": 500}, "too_large", r"MB, over the limit of 0 MB$"),
    ("glyph flood", lambda: hostile.many_glyphs_pdf(60_000), {}, "too_large",
     r"^page 1 has 60,\d{3} characters, over the limit of 50,000 per page$"),
    ("decompression bomb", lambda: hostile.bomb_pdf(160 * MiB), {"memory_bytes": 64 * MiB}, "memory",
     r"^exceeded memory limit \(64 MiB\)"),
    ("slow page", lambda: hostile.many_glyphs_pdf(100_000), {"timeout_s": 1, "max_glyphs_per_page": 10**6},
     "timeout", r"^gave up after 1 s$"),
]


@pytest.mark.parametrize("name, make, changes, code, reason", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_becomes_a_problem(settings, name, make, changes, code, reason):
    doc = bytes_to_document(make(), "upload.pdf", replace(settings, **changes))
    assert doc.problem is not None, name
    assert doc.problem.code == code
    assert re.search(reason, doc.problem.reason), doc.problem.reason
    assert doc.lines == ()


@pytest.mark.parametrize(
    "name, make",
    [
        ("owner password only", lambda: hostile.encrypted_pdf("")),
        ("broken xref table", hostile.corrupt_xref_pdf),
    ],
)
def test_damaged_but_readable_files_are_read(settings, name, make):
    doc = bytes_to_document(make(), "cv.pdf", settings)
    assert doc.problem is None
    assert doc.text.splitlines() == ["Jane Example", "Technical Product Manager", "Led the platform roadmap."]


def test_path_front_door(settings, tmp_path):
    html = tmp_path / "cv.pdf"
    html.write_text("<html>not a pdf</html>")
    assert pdf_to_document(html, settings).problem.code == "not_pdf"
    missing = pdf_to_document(tmp_path / "missing.pdf", settings)
    assert missing.problem.code == "unreadable" and missing.source == "missing.pdf"
    good = tmp_path / "good.pdf"
    good.write_bytes(hostile.text_pdf())
    doc = pdf_to_document(good, settings)
    assert doc.problem is None and doc.source == "good.pdf" and doc.size_bytes == good.stat().st_size


def test_isolated_and_in_process_reads_agree(settings):
    data = (EXAMPLES / "04-product-director-theodore-achterberg.pdf").read_bytes()
    assert bytes_to_document(data, "x.pdf", settings) == bytes_to_document(data, "x.pdf", replace(settings, isolate=False))


def test_two_column_page_is_read_column_by_column(settings):
    doc = bytes_to_document(hostile.two_column_pdf(), "cv.pdf", settings)
    assert doc.diagnostics.columns_per_page == (2,)
    assert "two columns detected on page 1" in doc.diagnostics.notes
    assert [line.text for line in doc.lines] == ["Jane Example", *hostile.SIDEBAR, *hostile.MAIN]
    # The name sits above the sidebar, left of the gutter: column 1 or full width, read first.
    assert [line.column for line in doc.lines[1:]] == [1] * len(hostile.SIDEBAR) + [2] * len(hostile.MAIN)


def test_date_rail_stays_one_column(settings):
    doc = bytes_to_document(hostile.date_rail_pdf(), "cv.pdf", settings)
    assert doc.diagnostics.columns_per_page == (1,)
    expected = ["Jane Example"] + [f"{left} {right}" if right else left for left, right in hostile.DATE_RAIL]
    assert [line.text for line in doc.lines] == expected
    assert {line.column for line in doc.lines} == {0}


def test_hidden_text_is_dropped_and_counted(settings):
    doc = bytes_to_document(hostile.hidden_text_pdf(), "cv.pdf", settings)
    assert doc.text.splitlines() == ["Visible product manager", "White on dark band"]
    stuffed = "kubernetes blockchain stakeholder roadmap" + "tinytextstuffing" + "invisiblekeywords"
    assert doc.diagnostics.hidden_chars == len(stuffed.replace(" ", ""))


def _source_bullets(stem: str) -> list[str]:
    source = EXAMPLES.parent / "source" / f"{stem}.txt"
    return [line[2:].strip() for line in source.read_text(encoding="utf-8").splitlines() if line.startswith("- ")]


@pytest.mark.parametrize(
    "stem, columns",
    [
        ("02-tpm-daniela-ferreira-holt", 1),  # date rail
        ("03-senior-tpm-maya-lindqvist", 1),  # date rail
        ("07-technical-program-manager-amara-nwosu-patel", 1),  # date rail
        ("04-product-director-theodore-achterberg", 2),
        ("09-product-designer-isla-fenwick", 2),
    ],
)
def test_example_layouts(settings, stem, columns):
    doc = pdf_to_document(EXAMPLES / f"{stem}.pdf", settings)
    assert doc.problem is None
    assert doc.diagnostics.columns_per_page[0] == columns
    # Every bullet of the source comes out as one unbroken run of words: nothing from the other
    # column is mixed into it, and the order inside it is the writer's.
    words = " ".join(doc.text.split())
    for bullet in _source_bullets(stem):
        assert " ".join(bullet.split()) in words, bullet
    assert sum(line.bullet for line in doc.lines) == len(_source_bullets(stem))
    if columns == 2:
        left = [line for line in doc.lines if line.column == 1]
        right = [line for line in doc.lines if line.column == 2]
        assert left and right and max(line.x1 for line in left) < min(line.x0 for line in right)


@pytest.mark.parametrize("stem", ["01-associate-pm-jonah-okafor-reyes", "03-senior-tpm-maya-lindqvist"])
def test_two_column_rendering_with_a_comma_list_sidebar(settings, tmp_path, stem):
    """A sidebar of "SQL, Python, Jira," is not a rail of places: the page is still two columns."""
    import sys

    sys.path.insert(0, str(EXAMPLES.parent))
    import make_examples

    resume = make_examples.parse_resume(EXAMPLES.parent / "source" / f"{stem}.txt")
    out = tmp_path / "two.pdf"
    make_examples.render_resume(replace(resume, layout="two-column"), out)
    doc = pdf_to_document(out, settings)
    assert doc.diagnostics.columns_per_page == (2,)
    words = " ".join(doc.text.split())
    for bullet in _source_bullets(stem):
        assert " ".join(bullet.split()) in words, bullet


def test_line_attributes(settings):
    doc = pdf_to_document(EXAMPLES / "04-product-director-theodore-achterberg.pdf", settings)
    name = doc.lines[0]
    assert (name.text, name.page, name.bold, name.size) == ("Theodore Achterberg", 1, True, 20.0)
    bullets = [line for line in doc.lines if line.bullet]
    assert bullets and all(not line.bold and line.raw.lstrip()[0] in "•·-–" for line in bullets)
    assert all(line.x0 < line.x1 and line.top < line.bottom for line in doc.lines)


def test_examples_have_no_glued_words_and_the_corrupt_upload_is_named(settings):
    for path in sorted(EXAMPLES.glob("*.pdf")):
        doc = pdf_to_document(path, settings)
        if path.name.startswith("zz-"):
            assert doc.problem.code == "corrupt"
        else:
            assert doc.problem is None and doc.diagnostics.glued_share < 0.01, path.name


# ---------------------------------------------------------------------------------------------
# The evaluation corpus (skipped when ../shared/corpus is absent)
# ---------------------------------------------------------------------------------------------


def _labels():
    corpus = corpus_or_skip()
    with open(corpus / "labels.csv", newline="", encoding="utf-8") as f:
        return corpus, list(csv.DictReader(f))


# Every two-column file, and the one-column files most likely to be split wrongly (date rails,
# moderncv's side-by-side lists). The whole corpus is measured by scripts/bench_extract.py.
RISKY = re.compile(r"two-column|ClassicTheme|Engineeringclassic|ModerncvTheme|Awesome-CV__resume|moderncv__|open-resume")


def test_corpus_columns_and_glue(settings):
    corpus, rows = _labels()
    fast = replace(settings, isolate=False)
    wrong = []
    for row in rows:
        if not RISKY.search(row["file"] + row["layout"]):
            continue
        doc = pdf_to_document(corpus / "pdfs" / row["file"], fast)
        assert doc.problem is None, (row["file"], doc.problem)
        columns = doc.diagnostics.columns_per_page
        if (row["layout"] == "two-column") != (columns[0] == 2) or (row["layout"] == "one-column" and 2 in columns):
            wrong.append((row["file"], row["layout"], columns))
        if row["language"] == "en":
            assert doc.diagnostics.glued_share < 0.005, row["file"]
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# Opt-in OCR (skipped unless ocrmypdf and tesseract are installed: pip install 'rolefit[ocr]')
# ---------------------------------------------------------------------------------------------


def test_scanned_page_is_read_by_ocr_when_asked(settings):
    from pipeline.pdf_to_document import ocr_available

    if not ocr_available():
        pytest.skip("ocrmypdf/tesseract not installed")
    scan = hostile.scanned_pdf(hostile.text_pdf(size=16))
    without = bytes_to_document(scan, "scan.pdf", settings)
    assert without.problem.code == "no_text"
    doc = bytes_to_document(scan, "scan.pdf", replace(settings, ocr=True, timeout_s=120))
    assert doc.problem is None, doc.diagnostics.notes
    assert "Technical Product Manager" in doc.text
    assert any("OCR" in note for note in doc.diagnostics.notes)


def test_ocr_not_installed_says_so(settings, monkeypatch):
    import pipeline.pdf_to_document as stage

    monkeypatch.setattr(stage.shutil, "which", lambda name: None)
    doc = bytes_to_document(hostile.image_only_pdf(), "scan.pdf", replace(settings, ocr=True))
    assert doc.problem.reason == "scanned image; no text to score"
    assert any("OCR is not installed" in note for note in doc.diagnostics.notes)


def _dedupe_by_definition(chars):
    kept = []
    for c in chars:
        tol = min(1.0, 0.1 * c.get("size", 10))
        if not any(k["text"] == c["text"] and abs(k["x0"] - c["x0"]) <= tol and abs(k["top"] - c["top"]) <= tol
                   for k in kept):
            kept.append(c)
    return kept


_coordinate = st.floats(min_value=-6, max_value=6, allow_nan=False).map(lambda v: round(v, 2))


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({"text": st.sampled_from("ab"), "x0": _coordinate, "top": _coordinate,
                                       "size": st.sampled_from([4.0, 9.5, 10.0, 12.0])}), max_size=14))
def test_overprinted_glyphs_are_dropped_exactly_as_defined(chars):
    """``dedupe_chars`` (filed in 8-pt cells) keeps exactly the glyphs the plain definition
    keeps: no earlier kept glyph with the same text within min(1, size/10) pt on both axes."""
    from pipeline.pdf_to_document import dedupe_chars

    assert dedupe_chars(chars) == _dedupe_by_definition(chars)


# The pre-flight calls pdfium through functions it declares itself (``declared_pdfium``), not
# through pypdfium2's bindings (17-25 ms to import). Both must give the same answer.
PREFLIGHT = [
    ("invisible text", hostile.hidden_text_pdf),
    ("user password", lambda: hostile.encrypted_pdf("s3cret")),
    ("owner password only", lambda: hostile.encrypted_pdf("")),
    ("21 pages", lambda: hostile.many_pages_pdf(21)),
    ("glyph flood", lambda: hostile.many_glyphs_pdf(60_000)),
    ("truncated", hostile.truncated_pdf),
    ("page tree loops", hostile.looping_pages_pdf),
    ("broken xref table", hostile.corrupt_xref_pdf),
    ("image only", hostile.image_only_pdf),
    ("two columns", hostile.two_column_pdf),
    *((path.stem, path.read_bytes) for path in sorted(EXAMPLES.glob("*.pdf"))),
]


@pytest.mark.parametrize("name, make", PREFLIGHT, ids=[p[0] for p in PREFLIGHT])
def test_preflight_with_declared_pdfium_agrees_with_pypdfium2(settings, monkeypatch, name, make):
    import pipeline.pdf_to_document as stage

    def preflight(functions):
        monkeypatch.setattr(stage, "pdfium_functions", lambda: functions)
        try:
            return stage.pdfium_preflight(make(), settings)
        except stage.PdfiumError as exc:  # read_pdf words it as a corrupt file
            return f"PdfiumError: {exc}"

    declared = stage.declared_pdfium()
    assert declared is not None, "pypdfium2's pdfium library was not found where pypdfium2 keeps it"
    assert preflight(declared) == preflight(stage.pypdfium2_pdfium())


def _in_fresh_python(then: str) -> list[str]:
    """The lines a fresh Python prints when it has read example 03 in process and then runs
    ``then``."""
    import subprocess
    import sys

    code = (
        "import sys; from datetime import date\n"
        "from pipeline.pdf_to_document import pdf_to_document\n"
        "from pipeline.types import Settings\n"
        f"doc = pdf_to_document({str(next(EXAMPLES.glob('03-*.pdf')))!r}, Settings(as_of=date(2026, 1, 1), isolate=False))\n"
        "assert doc.problem is None and doc.lines, doc.problem\n"
    )
    return subprocess.run([sys.executable, "-c", code + then], capture_output=True, text=True, check=True).stdout.splitlines()


def test_reading_a_pdf_does_not_import_pypdfium2():
    """pypdfium2's bindings cost 17-25 ms to import, on ``rolefit score``'s critical path."""
    assert _in_fresh_python("print(sorted(name for name in sys.modules if name.startswith('pypdfium2')))") == ["[]"]


def test_charset_normalizer_is_imported_only_when_used():
    """pdfminer imports charset_normalizer (20-30 ms) only to guess encodings in output this
    reader never asks for: reading leaves it unimported, and a caller that does use it gets
    the real module and the same answer as without the stand-in."""
    import subprocess
    import sys

    sample = "b'caf\\xe9 r\\xe9sum\\xe9 na\\xefve \\xe9t\\xe9 soir\\xe9e'"
    unused, used, real = _in_fresh_python(
        "print(sorted(name for name in sys.modules if name.startswith('charset_normalizer.')))\n"
        "import importlib.util; assert importlib.util.find_spec('charset_normalizer').origin.endswith('__init__.py')\n"
        "from pdfminer.utils import make_compat_str\n"
        f"print(make_compat_str({sample}))\n"
        "import charset_normalizer\n"
        "print(type(charset_normalizer) is type(sys), sys.modules['charset_normalizer'].__file__ == charset_normalizer.__file__)\n"
    )
    plain = f"import charset_normalizer\ndata = {sample}\nprint(data.decode(charset_normalizer.detect(data)['encoding']))\n"
    assert unused == "[]"
    assert used == subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, check=True).stdout.strip()
    assert real == "True True"


# ``workers=2`` (what ``rolefit score`` asks for): every other page read in a second process.

def _long_pages_pdf(pages: int) -> bytes:
    """Pages of about 3,000 glyphs each: enough for a second reading process."""
    return hostile.text_pdf([[f"Page {i + 1}, line {j + 1}: led the platform roadmap with engineering"
                              for j in range(55)] for i in range(pages)], size=8)


def _multi_page_files():
    files = [(p.name, p.read_bytes) for p in sorted(EXAMPLES.glob("*.pdf"))]
    files += [("3 short pages", lambda: hostile.many_pages_pdf(3)), ("3 long pages", lambda: _long_pages_pdf(3)),
              ("two pages", lambda: hostile.text_pdf([["Jane Example", "Experience"], ["Skills", "SQL, Python"]]))]
    return files


@pytest.mark.parametrize("name, make", _multi_page_files(), ids=[f[0] for f in _multi_page_files()])
def test_a_second_reading_process_gives_the_same_document(settings, name, make):
    data = make()
    one = bytes_to_document(data, "cv.pdf", replace(settings, isolate=False))
    two = bytes_to_document(data, "cv.pdf", replace(settings, isolate=False), workers=2)
    assert two == one


def test_a_second_reading_process_gives_the_same_document_on_real_resumes(settings):
    corpus = corpus_or_skip()
    files = sorted((corpus / "livecareer").glob("*/*.pdf"))[::25] + sorted((corpus / "pdfs").glob("*.pdf"))[::6]
    multi = 0
    for path in files:
        data = path.read_bytes()
        one = bytes_to_document(data, path.name, replace(settings, isolate=False))
        two = bytes_to_document(data, path.name, replace(settings, isolate=False), workers=2)
        assert two == one, path.name
        multi += one.diagnostics.pages > 1
    assert multi >= 5


def test_a_failed_second_reading_process_leaves_its_pages_to_the_first(settings, monkeypatch, tmp_path):
    """The second process dies (as on its memory limit); this one reads its pages instead."""
    import os

    import pipeline.pdf_to_document as stage

    reader = os.getpid()
    read_pages = stage._read_pages
    died = tmp_path / "died"

    def dies_in_the_second_process(pdf, indices, invisible):
        if os.getpid() != reader:
            died.write_text(",".join(map(str, indices)))
            os._exit(9)
        return read_pages(pdf, indices, invisible)

    monkeypatch.setattr(stage, "_read_pages", dies_in_the_second_process)
    data = _long_pages_pdf(3)
    two = bytes_to_document(data, "cv.pdf", replace(settings, isolate=False), workers=2)
    monkeypatch.setattr(stage, "_read_pages", read_pages)
    assert two == bytes_to_document(data, "cv.pdf", replace(settings, isolate=False))
    assert two.problem is None and two.diagnostics.pages == 3
    assert died.read_text() == "1"  # the second process had page 2, and died


@pytest.mark.parametrize("name, make, second", [
    ("a long second page", lambda: _long_pages_pdf(2), True),
    ("a short second page (example 05)", lambda: (EXAMPLES / "05-cpo-celeste-marchetti-obi.pdf").read_bytes(), False),
    ("one page", lambda: _long_pages_pdf(1), False),
])
def test_a_second_reading_process_is_started_only_for_pages_worth_it(settings, monkeypatch, name, make, second):
    import pipeline.pdf_to_document as stage

    started = []
    start_isolated = stage.start_isolated
    monkeypatch.setattr(stage, "start_isolated", lambda *a, **k: started.append(a[2]) or start_isolated(*a, **k))
    doc = bytes_to_document(make(), "cv.pdf", replace(settings, isolate=False), workers=2)
    assert doc.problem is None
    assert started == ([range(1, doc.diagnostics.pages, 2)] if second else [])


def test_a_failure_in_the_first_reading_process_stops_the_second(settings, monkeypatch, tmp_path):
    """This process's own pages fail (a parser error): the second process, still reading, is
    stopped and reaped, and the file is a problem as it would be with one process."""
    import os
    import time

    import pipeline.pdf_to_document as stage

    reader = os.getpid()
    pid_file = tmp_path / "pid"

    def second_reads_slowly_first_fails(pdf, indices, invisible):
        if os.getpid() != reader:
            pid_file.write_text(str(os.getpid()))
            time.sleep(30)
        while not pid_file.exists():
            time.sleep(0.01)
        raise ValueError("broken page")

    monkeypatch.setattr(stage, "_read_pages", second_reads_slowly_first_fails)
    doc = bytes_to_document(_long_pages_pdf(2), "cv.pdf", replace(settings, isolate=False), workers=2)
    assert doc.problem is not None and doc.problem.code == "corrupt"
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
