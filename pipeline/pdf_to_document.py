"""Stage 1: read a PDF file into clean lines in reading order, with diagnostics.

The only module that uses pdfplumber, pdfminer and pdfium (the pdfium functions the pre-flight
needs are declared here on the library pypdfium2 ships; ``pdfium_functions``). It never raises:
a file it cannot read becomes a ``Document`` whose ``problem`` says why, in words a person
understands.

How one file is read (``bytes_to_document``):

1. Cheap checks on the bytes: empty, too large, no ``%PDF-`` header.
2. In a forked worker (``pipeline.isolation``) with a time and a memory limit:
   a pdfium pre-flight (password, page count, glyphs per page), then pdfplumber page by page
   (every other page in a second process when the caller asks for two workers):
   hidden characters dropped (white on a light background, tiny, off the page), words built
   with a tolerance taken from the page's own glyph sizes, columns found from the empty
   vertical gutter between word segments, lines assembled column by column.
3. Document-wide clean-up: repeated headers/footers and page numbers removed, words hyphenated
   across line ends rejoined, diagnostics summed up.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import hashlib
import importlib
import importlib.util
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
from dataclasses import dataclass
from functools import partial
from pathlib import Path


class _ImportedOnUse(types.ModuleType):
    """Stands in ``sys.modules`` for a module until one of its attributes is read; then imports
    the module, takes its place and answers from it."""

    def __getattr__(self, attr: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)  # later reads through this stand-in skip the import
        return getattr(module, attr)


def import_on_use(name: str) -> None:
    """Let ``import name`` bind a stand-in that imports the module when it is first used, where
    the module is installed and not imported yet. For pdfminer's ``charset_normalizer``: pdfminer
    imports it at start-up only to guess the encoding of a byte string in its XML and HTML
    output, which this module never asks for, and the import costs 20-30 ms of every read.
    (``importlib.util.LazyLoader`` does not help: on Python 3.11 the ``import`` statement itself
    reads the lazy module's ``__spec__`` and so runs the module.)"""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is not None:
        stand_in = _ImportedOnUse(name)
        stand_in.__spec__ = spec  # what importlib.util.find_spec(name) answers from now on
        sys.modules[name] = stand_in


import_on_use("charset_normalizer")  # before pdfplumber imports pdfminer
import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.text import WordExtractor

from pipeline.isolation import run_isolated, start_isolated
from pipeline.outcome_to_problem import outcome_to_problem
from pipeline.normalise import clean_line, glued_counts, join_hyphenated
from pipeline.types import Diagnostics, Document, Line, Problem, Settings

logging.getLogger("pdfminer").setLevel(logging.ERROR)

PDF_HEADER = b"%PDF-"

# Hidden text (keyword-stuffing guard): smaller than this is unreadable on paper.
MIN_READABLE_SIZE = 4.0
# Word building: a new word starts when the gap exceeds this share of the glyph's font size.
# pdfplumber's default (3 pt, absolute) glues words on LaTeX PDFs that have no space glyphs.
WORD_GAP_RATIO = 0.12
# Column detection (see ``find_gutter``).
SEGMENT_GAP_EM = 0.9  # words closer than this (× font size) belong to one segment
MIN_GUTTER_WIDTH = 8.0  # points
GUTTER_SEARCH = (0.2, 0.8)  # share of the text width searched for a gutter
MIN_SIDE_SHARE = 0.22  # the narrow side must span at least this share of the text width
MAX_RAIL_SHARE = 0.35  # more date/place words than this on the narrow side: a date rail
MAX_CROSSING_SHARE = 0.1  # more full-width rows between column rows than this: one column
MIN_SIDE_WORDS = 8
MAX_PAIRED_SHARE = 0.95  # the shorter side's rows that have words on the other side too
# Headers and footers: lines in the top/bottom band of the page.
MARGIN_SHARE = 0.09
# A second reading process (extract_pages, workers=2) gets every other page only when those
# pages hold at least this many glyphs (pdfium's count): about 50 ms of parsing, enough to
# pay for the fork, for parsing the same fonts twice and for sending the lines back. A short
# second page (a few hundred glyphs) is read faster where the first one was.
SECOND_WORKER_GLYPHS = 1500


# ---------------------------------------------------------------------------------------------
# Front door
# ---------------------------------------------------------------------------------------------


def pdf_to_document(path: str | Path, settings: Settings) -> Document:
    """Read one PDF file. Never raises for a bad file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Document(
            source=path.name,
            sha256="",
            size_bytes=0,
            problem=Problem("unreadable", f"cannot read file: {exc.strerror or exc}"),
        )
    return bytes_to_document(data, path.name, settings)


def bytes_to_document(data: bytes, source: str, settings: Settings, workers: int = 1) -> Document:
    """Read one PDF given as bytes (e.g. from stdin). Never raises for a bad file.

    ``workers=2`` reads every other page in a second process (``extract_pages``): for a caller
    that reads one file with a core to spare (``rolefit score``), not for a batch that already
    reads a file per core."""
    base = dict(source=source, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
    problem = bytes_to_problem(data, settings)
    if problem:
        return Document(**base, problem=problem)
    if settings.isolate:
        outcome = run_isolated(
            read_pdf, data, settings, workers, timeout_s=settings.timeout_s, memory_bytes=settings.memory_bytes
        )
        if outcome.status == "ok":
            read = outcome.value
        else:
            read = Read(problem=outcome_to_problem(outcome.status, outcome.detail, settings))
    else:  # no memory or time limit, and a pdfium abort takes the process with it
        try:
            read = read_pdf(data, settings, workers)
        except MemoryError:
            read = Read(problem=outcome_to_problem("memory", "", settings))
        except Exception as exc:  # noqa: BLE001 - never raise for a bad file
            read = Read(problem=outcome_to_problem("error", f"{type(exc).__name__}: {exc}"[:120], settings))
    return Document(**base, lines=read.lines, diagnostics=read.diagnostics, problem=read.problem)


def bytes_to_problem(data: bytes, settings: Settings) -> Problem | None:
    """Cheap checks before parsing: empty, too large, not a PDF (by header, not by extension)."""
    if not data:
        return Problem("empty", "empty file (0 bytes)")
    if len(data) > settings.max_bytes:
        return Problem(
            "too_large",
            f"file is {len(data) / 1e6:.1f} MB, over the limit of {settings.max_bytes / 1e6:.0f} MB",
        )
    if PDF_HEADER not in data[:1024]:
        return Problem("not_pdf", "not a PDF file (no %PDF- header)")
    return None


# ---------------------------------------------------------------------------------------------
# Reading (runs in the worker)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    lines: tuple[Line, ...] = ()
    diagnostics: Diagnostics = Diagnostics()
    problem: Problem | None = None


@dataclass
class PageRead:
    lines: list[Line]
    height: float
    chars: int  # visible characters kept
    hidden: int  # white, tiny, invisible or off-page characters dropped
    columns: int


def read_pdf(data: bytes, settings: Settings, workers: int = 1) -> Read:
    """Pre-flight, extract, clean up. Parser errors become a ``Read`` with a problem."""
    try:
        preflight = pdfium_preflight(data, settings)
        if isinstance(preflight, Problem):
            return Read(diagnostics=Diagnostics(pages=_page_count_hint(preflight)), problem=preflight)
        pages = extract_pages(data, settings, preflight, workers)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error is data
        return Read(problem=exception_to_problem(exc))
    if isinstance(pages, Problem):
        return Read(problem=pages)
    notes: list[str] = []
    if settings.ocr and sum(p.chars + p.hidden for p in pages) == 0:
        ocr = ocr_pdf(data, settings)
        if isinstance(ocr, bytes):
            pages = extract_pages(ocr, settings, Preflight())
            notes.append("no text layer: the text was read by OCR (tesseract), expect errors")
        else:
            notes.append(ocr)
    if isinstance(pages, Problem):
        return Read(problem=pages)
    return pages_to_read(pages, notes)


def _page_count_hint(problem: Problem) -> int:
    match = re.match(r"(\d+) pages", problem.reason)
    return int(match.group(1)) if match else 0


def exception_to_problem(exc: BaseException) -> Problem:
    """pdfplumber wraps parser errors in ``PdfminerException``; the real cause is ``args[0]``."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return Problem("encrypted", "encrypted PDF: a password is needed to open it")
    if isinstance(cause, RecursionError):
        return Problem("corrupt", "corrupt PDF: its structure loops back on itself")
    name = type(cause).__name__
    message = str(cause)[:80]
    detail = f"{name}: {message}" if message else name
    return Problem("corrupt", f"corrupt or truncated PDF ({detail})")


Box = tuple[float, float, float, float]  # x0, top, x1, bottom (pdfplumber's coordinates)


@dataclass(frozen=True)
class Preflight:
    """What pdfium saw before pdfplumber parses: the boxes of invisible text (render mode 3)
    per page index, which pdfplumber cannot see, and each page's glyph count (empty when pdfium
    could not open the file)."""

    invisible: dict[int, list[Box]] = dataclasses.field(default_factory=dict)
    glyphs: tuple[int, ...] = ()


def pdfium_preflight(data: bytes, settings: Settings) -> Problem | Preflight:
    """Cheap checks with pdfium before pdfplumber's slow parse: password, pages, glyph counts.

    Returns a problem, or what pdfplumber needs to know (``Preflight``). A file pdfium cannot
    open for another reason is left to pdfplumber, which may still read it.
    """
    pdfium = pdfium_functions()
    pdf = pdfium.FPDF_LoadMemDocument64(data, len(data), None)
    if not pdf:
        if pdfium.FPDF_GetLastError() == FPDF_ERR_PASSWORD:
            return Problem("encrypted", "encrypted PDF: a password is needed to open it")
        return Preflight()
    invisible: dict[int, list[Box]] = {}
    counts: list[int] = []
    try:
        n_pages = pdfium.FPDF_GetPageCount(pdf)
        if n_pages > settings.max_pages:
            return Problem("too_many_pages", f"{n_pages} pages, over the limit of {settings.max_pages}")
        for index in range(n_pages):
            page = pdfium.FPDF_LoadPage(pdf, index)
            if not page:
                raise PdfiumError("Failed to load page.")
            try:
                glyphs = _count_glyphs(pdfium, page)
                counts.append(glyphs)
                if 0 < glyphs <= settings.max_glyphs_per_page:
                    boxes = _invisible_text_boxes(pdfium, page)
                    if boxes:
                        invisible[index] = boxes
            finally:
                pdfium.FPDF_ClosePage(page)
            if glyphs > settings.max_glyphs_per_page:
                return Problem(
                    "too_large",
                    f"page {index + 1} has {glyphs:,} characters, over the limit of "
                    f"{settings.max_glyphs_per_page:,} per page",
                )
    finally:
        pdfium.FPDF_CloseDocument(pdf)
    return Preflight(invisible, tuple(counts))


def _count_glyphs(pdfium, page) -> int:
    textpage = pdfium.FPDFText_LoadPage(page)
    if not textpage:
        raise PdfiumError("Failed to load text page.")
    try:
        glyphs = pdfium.FPDFText_CountChars(textpage)
    finally:
        pdfium.FPDFText_ClosePage(textpage)
    if glyphs == -1:
        raise PdfiumError("Failed to get character count.")
    return glyphs


def _invisible_text_boxes(pdfium, page) -> list[Box]:
    """Boxes of text objects drawn in render mode 3 (invisible), forms included.

    Walks pdfium's raw object list: object wrappers would cost ≈ 3× more on pages made of
    thousands of text objects.
    """
    height = pdfium.FPDF_GetPageHeightF(page)
    found: list = []
    _walk_objects(pdfium, pdfium.FPDFPage_CountObjects(page), partial(pdfium.FPDFPage_GetObject, page), found, 4)
    boxes = []
    for obj in found:
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        if pdfium.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            boxes.append((left.value, height - top.value, right.value, height - bottom.value))
    return boxes


def _walk_objects(pdfium, count: int, get, found: list, depth: int) -> None:
    for index in range(count):
        obj = get(index)
        mode = pdfium.FPDFTextObj_GetTextRenderMode(obj)  # -1 for anything but text
        if mode == FPDF_TEXTRENDERMODE_INVISIBLE:
            found.append(obj)
        elif mode < 0 and depth and pdfium.FPDFPageObj_GetType(obj) == FPDF_PAGEOBJ_FORM:
            count = pdfium.FPDFFormObj_CountObjects(obj)
            _walk_objects(pdfium, count, partial(pdfium.FPDFFormObj_GetObject, obj), found, depth - 1)


# ---------------------------------------------------------------------------------------------
# pdfium's functions, as the pre-flight calls them
# ---------------------------------------------------------------------------------------------

# pdfium's constants (public/fpdfview.h, fpdf_edit.h).
FPDF_ERR_PASSWORD = 4
FPDF_TEXTRENDERMODE_INVISIBLE = 3
FPDF_PAGEOBJ_FORM = 5

# The C signatures (result, arguments) of the pdfium functions the pre-flight calls. Importing
# pypdfium2 declares all of pdfium's ≈ 1,000 functions, and its helpers: 17-25 ms, which
# ``rolefit score`` pays on its critical path, against ≈ 1 ms to declare these on the library
# pypdfium2 ships (``pdfium_functions``).
_HANDLE = ctypes.c_void_p
_PDFIUM_SIGNATURES = {
    "FPDF_InitLibraryWithConfig": (None, [ctypes.c_void_p]),
    "FPDF_LoadMemDocument64": (_HANDLE, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]),
    "FPDF_GetLastError": (ctypes.c_ulong, []),
    "FPDF_GetPageCount": (ctypes.c_int, [_HANDLE]),
    "FPDF_CloseDocument": (None, [_HANDLE]),
    "FPDF_LoadPage": (_HANDLE, [_HANDLE, ctypes.c_int]),
    "FPDF_ClosePage": (None, [_HANDLE]),
    "FPDF_GetPageHeightF": (ctypes.c_float, [_HANDLE]),
    "FPDFText_LoadPage": (_HANDLE, [_HANDLE]),
    "FPDFText_CountChars": (ctypes.c_int, [_HANDLE]),
    "FPDFText_ClosePage": (None, [_HANDLE]),
    "FPDFPage_CountObjects": (ctypes.c_int, [_HANDLE]),
    "FPDFPage_GetObject": (_HANDLE, [_HANDLE, ctypes.c_int]),
    "FPDFPageObj_GetType": (ctypes.c_int, [_HANDLE]),
    "FPDFPageObj_GetBounds": (ctypes.c_int, [_HANDLE] + [ctypes.POINTER(ctypes.c_float)] * 4),
    "FPDFTextObj_GetTextRenderMode": (ctypes.c_int, [_HANDLE]),
    "FPDFFormObj_CountObjects": (ctypes.c_int, [_HANDLE]),
    "FPDFFormObj_GetObject": (_HANDLE, [_HANDLE, ctypes.c_ulong]),
}


class PdfiumError(Exception):
    """pdfium could not load a page or its text (worded as pypdfium2 words it)."""


class _LibraryConfig(ctypes.Structure):  # FPDF_LIBRARY_CONFIG, version 2
    _fields_ = [
        ("version", ctypes.c_int),
        ("m_pUserFontPaths", ctypes.c_void_p),
        ("m_pIsolate", ctypes.c_void_p),
        ("m_v8EmbedderSlot", ctypes.c_uint),
    ]


@functools.cache
def pdfium_functions():
    """pdfium's functions for the pre-flight, pdfium initialised: declared here on the library
    pypdfium2 ships, or pypdfium2's own bindings when that library is not where pypdfium2 keeps
    it (a build against the system's pdfium) or pypdfium2 is already loaded."""
    if "pypdfium2" in sys.modules:  # pdfium is initialised already, and pypdfium2 owns that
        return pypdfium2_pdfium()
    return declared_pdfium() or pypdfium2_pdfium()


def declared_pdfium() -> types.SimpleNamespace | None:
    """The functions in ``_PDFIUM_SIGNATURES``, declared on pypdfium2's library, which is then
    initialised (a second initialisation does nothing); None where that library is not."""
    spec = importlib.util.find_spec("pypdfium2_raw")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return None
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        name = "pdfium.dll"
    else:
        name = "libpdfium.dylib" if sys.platform.startswith(("darwin", "ios")) else "libpdfium.so"
    path = Path(next(iter(spec.submodule_search_locations))) / name
    if not path.is_file():
        return None
    library = ctypes.CDLL(str(path))
    functions = {}
    for function, (result, arguments) in _PDFIUM_SIGNATURES.items():
        declared = getattr(library, function)
        declared.restype, declared.argtypes = result, arguments
        functions[function] = declared
    pdfium = types.SimpleNamespace(**functions)
    pdfium.FPDF_InitLibraryWithConfig(ctypes.byref(_LibraryConfig(version=2)))
    return pdfium


def pypdfium2_pdfium() -> types.SimpleNamespace:
    import pypdfium2  # noqa: F401 - initialises pdfium
    import pypdfium2.raw

    return types.SimpleNamespace(**{function: getattr(pypdfium2.raw, function) for function in _PDFIUM_SIGNATURES})


def extract_pages(
    data: bytes, settings: Settings, preflight: Preflight, workers: int = 1
) -> list[PageRead] | Problem:
    """Every page read (``page_to_read``), in order. With ``workers=2``, a second process
    (``start_isolated``, forked once the page tree is read) reads every other page while this
    one reads the rest, when those pages hold enough glyphs to be worth it
    (``SECOND_WORKER_GLYPHS``): each parses only its own pages, and the result is the same
    list. If that process fails (a crash, its memory or time limit), this one reads its pages
    too, so a failure ends as it would have without it."""
    invisible = preflight.invisible
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        n_pages = len(pdf.pages)
        if n_pages > settings.max_pages:
            return Problem("too_many_pages", f"{n_pages} pages, over the limit of {settings.max_pages}")
        theirs = range(1, n_pages, 2) if workers > 1 else range(0)
        if sum(preflight.glyphs[i] for i in theirs if i < len(preflight.glyphs)) < SECOND_WORKER_GLYPHS:
            theirs = range(0)
        if not theirs:
            pages = _read_pages(pdf, range(n_pages), invisible)
        else:
            helper = start_isolated(_read_pages, pdf, theirs, invisible,
                                    timeout_s=settings.timeout_s, memory_bytes=settings.memory_bytes)
            try:
                pages = _read_pages(pdf, [i for i in range(n_pages) if i not in theirs], invisible)
            except BaseException:  # this process's pages failed: the helper's answer is not needed
                helper.cancel()
                raise
            outcome = helper.outcome()
            pages.update(outcome.value if outcome.status == "ok" else _read_pages(pdf, theirs, invisible))
    return [pages[i] for i in range(n_pages)]


def _read_pages(pdf, indices, invisible: dict[int, list[Box]]) -> dict[int, PageRead]:
    read = {}
    for index in indices:
        page = pdf.pages[index]
        read[index] = page_to_read(page, invisible.get(index, []))
        page.close()
    return read


# ---------------------------------------------------------------------------------------------
# One page
# ---------------------------------------------------------------------------------------------


def page_to_read(page, invisible: list[Box] = ()) -> PageRead:
    chars = dedupe_chars(page.chars)
    visible, hidden = split_hidden(chars, page, invisible)
    words = chars_to_words(visible)
    lines, columns = words_to_lines(words, page.page_number)
    n_visible = sum(1 for c in visible if not c["text"].isspace())
    return PageRead(lines, float(page.height), n_visible, hidden, columns)


_CELL = 8.0  # pt: the grid dedupe_chars files glyphs in


def dedupe_chars(chars: list[dict]) -> list[dict]:
    """Drop a glyph drawn again at (almost) the same place: "poor man's bold" overprinting.

    Same text as a glyph kept before it, within a tenth of its font size (at most 1 pt) in
    both directions. pdfplumber's own ``dedupe_chars`` costs ≈ 1 s on a dense page; this is
    a hash lookup: kept glyphs are filed by text in 8-pt cells, so a glyph's tolerance box
    lies in one cell (most glyphs: one lookup) or two along an axis.
    """
    seen: dict[tuple[str, int, int], list[dict]] = {}
    kept = []
    for char in chars:
        tolerance = min(1.0, 0.1 * char.get("size", 10))
        x, y, text = char["x0"], char["top"], char["text"]
        x0, x1 = int((x - tolerance) // _CELL), int((x + tolerance) // _CELL)
        y0, y1 = int((y - tolerance) // _CELL), int((y + tolerance) // _CELL)
        duplicate = False
        for cx in (x0,) if x0 == x1 else (x0, x1):
            for cy in (y0,) if y0 == y1 else (y0, y1):
                for other in seen.get((text, cx, cy), ()):
                    if abs(other["x0"] - x) <= tolerance and abs(other["top"] - y) <= tolerance:
                        duplicate = True
        if not duplicate:
            seen.setdefault((text, int(x // _CELL), int(y // _CELL)), []).append(char)
            kept.append(char)
    return kept


def split_hidden(chars: list[dict], page, invisible: list[Box] = ()) -> tuple[list[dict], int]:
    """Drop text nobody can see: tiny, white on a light background, off the page, or drawn
    invisible (render mode 3) anywhere but over an image (where it is an OCR text layer)."""
    backgrounds = None
    images = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images] if invisible else []
    visible: list[dict] = []
    hidden = 0
    width, height = float(page.width), float(page.height)
    x_off, y_off = float(page.bbox[0]), float(page.bbox[1])
    for char in chars:
        if char["text"].isspace():
            visible.append(char)
            continue
        off_page = (
            char["x1"] <= x_off
            or char["x0"] >= x_off + width
            or char["bottom"] <= y_off
            or char["top"] >= y_off + height
        )
        tiny = char.get("size", 10) < MIN_READABLE_SIZE
        white = _is_light(char.get("non_stroking_color"))
        if white and not off_page and not tiny:
            if backgrounds is None:
                backgrounds = _dark_backgrounds(page)
            cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            white = not _inside(cx, cy, backgrounds)
        if invisible and not (off_page or tiny or white):
            cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            white = _inside(cx, cy, invisible) and not _inside(cx, cy, images)
        if off_page or tiny or white:
            hidden += 1
        else:
            visible.append(char)
    return visible, hidden


def _inside(x: float, y: float, boxes, margin: float = 0.5) -> bool:
    return any(x0 - margin <= x <= x1 + margin and top - margin <= y <= bottom + margin for x0, top, x1, bottom in boxes)


def _is_light(color) -> bool:
    """White or nearly white, in gray, RGB or CMYK."""
    try:
        return _LIGHT[color]
    except (KeyError, TypeError):  # TypeError: an unhashable colour value
        light = _is_light_uncached(color)
    try:
        _LIGHT[color] = light
    except TypeError:
        pass
    return light


_LIGHT: dict = {}


def _is_light_uncached(color) -> bool:
    if not isinstance(color, (tuple, list)) or not color:
        return False
    if not all(isinstance(v, (int, float)) for v in color):
        return False  # pattern or named colour: cannot tell
    if len(color) == 4:
        return max(color) <= 0.05
    return min(color) >= 0.95


def _dark_backgrounds(page) -> list[tuple[float, float, float, float]]:
    """Boxes that white text may sit on: filled shapes that are not light, and images."""
    boxes = []
    for shape in list(page.rects) + list(page.curves):
        if shape.get("fill") and not _is_light(shape.get("non_stroking_color")):
            boxes.append((shape["x0"], shape["top"], shape["x1"], shape["bottom"]))
    for image in page.images:
        boxes.append((image["x0"], image["top"], image["x1"], image["bottom"]))
    return boxes


def chars_to_words(chars: list[dict]) -> list[dict]:
    """Words with a gap tolerance proportional to each glyph's size (no glued LaTeX words).

    A change of font inside a word does not split it (a fallback font for "ğ" in "Boğaziçi");
    each word takes the font and size of its middle glyph.
    """
    extractor = WordExtractor(
        x_tolerance_ratio=WORD_GAP_RATIO, y_tolerance=3, keep_blank_chars=False, use_text_flow=False
    )
    words = []
    for word in extractor.extract_words(chars, return_chars=True):
        if not word.get("upright", True):
            continue
        glyphs = word.pop("chars")
        middle = glyphs[len(glyphs) // 2]
        word["fontname"], word["size"] = middle["fontname"], middle["size"]
        words.append(word)
    return words


# ---------------------------------------------------------------------------------------------
# Rows, segments, columns
# ---------------------------------------------------------------------------------------------


def words_to_rows(words: list[dict]) -> list[list[dict]]:
    """Group words into visual rows (vertical overlap), each sorted left to right."""
    rows: list[list[dict]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        height = word["bottom"] - word["top"]
        if rows:
            overlap = min(bottom, word["bottom"]) - max(top, word["top"])
            if overlap >= 0.5 * min(height, bottom - top):
                rows[-1].append(word)
                bottom = max(bottom, word["bottom"])
                continue
        rows.append([word])
        top, bottom = word["top"], word["bottom"]
    for row in rows:
        row.sort(key=lambda w: w["x0"])
    return rows


def row_segments(row: list[dict]) -> list[tuple[float, float, list[dict]]]:
    """Runs of words in one row separated by less than about a space; a full line is one run."""
    segments: list[tuple[float, float, list[dict]]] = []
    for word in row:
        gap_limit = SEGMENT_GAP_EM * word["size"]
        if segments and word["x0"] - segments[-1][1] <= gap_limit:
            x0, x1, seg_words = segments[-1]
            segments[-1] = (x0, max(x1, word["x1"]), seg_words + [word])
        else:
            segments.append((word["x0"], word["x1"], [word]))
    return segments


_RAIL_WORD = re.compile(
    r"^(?:\(?(?:19|20)\d\d\)?[.,]?|\d{1,2}[/.]\d{2,4}|[-–—]|to|present|current|now|today|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"remote|hybrid)\.?$",
    re.IGNORECASE,
)
_REGION_CODE = re.compile(r"[A-Z]{2}[.,]?")


def rail_share(words: list[str]) -> float:
    """Share of words typical of a rail of dates and places ("Jan 2019 – Present", "Austin, TX").

    A comma alone is no sign of a place: sidebars list skills as "SQL, Python, Jira".
    """
    if not words:
        return 0.0
    flags = [bool(_RAIL_WORD.match(w)) for w in words]
    for i in range(len(words) - 1):
        if words[i].endswith(",") and _REGION_CODE.fullmatch(words[i + 1]):
            flags[i] = flags[i + 1] = True
    return sum(flags) / len(words)


@dataclass(frozen=True)
class Gutter:
    x0: float
    x1: float

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


def find_gutter(rows: list[list[dict]]) -> Gutter | None:
    """The empty vertical band between two columns, or None for a one-column page.

    Segments (runs of words) are histogrammed over x in the middle of the text width; the
    least covered band at least ``MIN_GUTTER_WIDTH`` wide is the candidate. It is rejected when
    too many rows cross it (one column with a few short lines), when a side has too few words,
    and by the date-rail guard: a narrow side under ``MIN_SIDE_SHARE`` of the text width or made
    mostly of dates and places is a one-column page with right-aligned dates.
    """
    segments = [seg for row in rows for seg in row_segments(row)]
    if len(rows) < 6 or len(segments) < 8:
        return None
    left = min(s[0] for s in segments)
    right = max(s[1] for s in segments)
    width = right - left
    if width <= 0:
        return None
    lo = int(left + GUTTER_SEARCH[0] * width)
    hi = int(left + GUTTER_SEARCH[1] * width)
    coverage = [0] * (hi - lo + 1)
    for x0, x1, _ in segments:
        for x in range(max(lo, int(x0)), min(hi, int(x1)) + 1):
            coverage[x - lo] += 1
    best: tuple[int, int, int] | None = None  # (coverage, -width, start)
    floor = min(coverage)
    for level in sorted(set(coverage)):
        if level > floor + max(1, len(rows) // 10):
            break
        start = None
        for i, cov in enumerate(coverage + [level + 1]):
            if cov <= level and start is None:
                start = i
            elif cov > level and start is not None:
                run = i - start
                if run >= MIN_GUTTER_WIDTH and (best is None or (level, -run) < best[:2]):
                    best = (level, -run, start)
                start = None
        if best is not None:
            break
    if best is None:
        return None
    gutter = Gutter(lo + best[2], lo + best[2] - best[1] - 1)
    return gutter if _gutter_holds(gutter, rows, left, right) else None


def _gutter_holds(gutter: Gutter, rows: list[list[dict]], left: float, right: float) -> bool:
    crossing_at: list[int] = []
    side_at: list[int] = []
    sides: dict[str, list[dict]] = {"left": [], "right": []}
    side_rows = {"left": 0, "right": 0}
    paired = 0  # rows with words on both sides
    for index, row in enumerate(rows):
        if _crosses(row, gutter):
            crossing_at.append(index)
            continue
        side_at.append(index)
        paired += row[0]["x1"] <= gutter.x0 + 0.5 and row[-1]["x0"] >= gutter.x1 - 0.5
        for name, words in (
            ("left", [w for w in row if w["x1"] <= gutter.x0 + 0.5]),
            ("right", [w for w in row if w["x0"] >= gutter.x1 - 0.5]),
        ):
            if words:
                sides[name].extend(words)
                side_rows[name] += 1
    if not side_at:
        return False
    # Full-width rows above or below the columns (a name, a header band) are normal; full-width
    # rows in between mean one column with some short lines (or side-by-side lists).
    interior = sum(side_at[0] < i < side_at[-1] for i in crossing_at)
    if interior > MAX_CROSSING_SHARE * len(rows):
        return False
    if min(len(sides["left"]), len(sides["right"])) < MIN_SIDE_WORDS or min(side_rows.values()) < 3:
        return False
    # Every row of a much shorter side has a partner on the other: side-by-side lists inside
    # one column (moderncv's double items), read row by row.
    short, long = sorted(side_rows.values())
    if paired >= MAX_PAIRED_SHARE * short and short < 0.5 * long:
        return False
    extents = {
        name: max(w["x1"] for w in words) - min(w["x0"] for w in words) for name, words in sides.items()
    }
    narrow = min(extents, key=extents.get)
    if extents[narrow] < MIN_SIDE_SHARE * (right - left):
        return False
    return rail_share([w["text"] for w in sides[narrow]]) <= MAX_RAIL_SHARE


def _crosses(row: list[dict], gutter: Gutter) -> bool:
    return any(x0 < gutter.x1 and x1 > gutter.x0 for x0, x1, _ in row_segments(row))


def words_to_lines(words: list[dict], page_number: int) -> tuple[list[Line], int]:
    """Lines in reading order: full-width rows in place, two-column bands left side first."""
    rows = words_to_rows(words)
    gutter = find_gutter(rows)
    if gutter is None:
        return [row_to_line(row, page_number, 0) for row in rows], 1
    lines: list[Line] = []
    band: dict[int, list[dict]] = {1: [], 2: []}

    def flush() -> None:
        for column in (1, 2):
            lines.extend(row_to_line(r, page_number, column) for r in words_to_rows(band[column]))
            band[column] = []

    for row in rows:
        if _crosses(row, gutter):
            flush()
            lines.append(row_to_line(row, page_number, 0))
            continue
        for word in row:
            band[1 if (word["x0"] + word["x1"]) / 2 < gutter.middle else 2].append(word)
    flush()
    return lines, 2


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|\bbx|cmbx|sfbx|-bd\b|,b$|-b$", re.IGNORECASE)


def row_to_line(row: list[dict], page_number: int, column: int) -> Line:
    raw = " ".join(w["text"] for w in row)
    # Size and boldness of the majority of letters (a long word counts more than a short one).
    sizes = sorted((w["size"], len(w["text"])) for w in row)
    half, seen, size = sum(n for _, n in sizes) / 2, 0, sizes[-1][0]
    for value, n in sizes:
        seen += n
        if seen >= half:
            size = value
            break
    bold = sum(len(w["text"]) for w in row if _BOLD_FONT.search(w["fontname"])) / (2 * half)
    return Line(
        text=raw,  # normalised later, document-wide
        raw=raw,
        page=page_number,
        x0=round(min(w["x0"] for w in row), 2),
        top=round(min(w["top"] for w in row), 2),
        x1=round(max(w["x1"] for w in row), 2),
        bottom=round(max(w["bottom"] for w in row), 2),
        size=round(size, 2),
        bold=bold >= 0.5,
        column=column,
    )


# ---------------------------------------------------------------------------------------------
# Document-wide clean-up and diagnostics
# ---------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?#(?:\s*(?:of|/)\s*#)?$|\bpage\s*#(?:\s*(?:of|/)\s*#)?$", re.IGNORECASE)


def margin_lines(pages: list[PageRead]) -> set[tuple[int, int]]:
    """(page index, line index) of page numbers and of repeated headers/footers after the first."""
    found: set[tuple[int, int]] = set()
    keyed: dict[str, set[int]] = {}
    candidates: list[tuple[int, int, str]] = []
    for p, page in enumerate(pages):
        for i, line in enumerate(page.lines):
            if line.top > MARGIN_SHARE * page.height and line.bottom < (1 - MARGIN_SHARE) * page.height:
                continue
            key = re.sub(r"\d+", "#", " ".join(line.raw.lower().split()))
            if _PAGE_NUMBER.search(key):
                found.add((p, i))
                continue
            candidates.append((p, i, key))
            keyed.setdefault(key, set()).add(p)
    if len(pages) >= 2:
        first: dict[str, int] = {}
        for p, i, key in candidates:
            if len(keyed[key]) >= max(2, (len(pages) + 1) // 2):
                # Keep the first copy: running footers often carry the e-mail and web address.
                if first.setdefault(key, p) != p:
                    found.add((p, i))
    return found


def pages_to_read(pages: list[PageRead], notes: list[str]) -> Read:
    dropped = margin_lines(pages)
    raw_lines = [
        line for p, page in enumerate(pages) for i, line in enumerate(page.lines) if (p, i) not in dropped
    ]
    cleaned = [clean_line(line.raw) for line in raw_lines]
    texts = [c.text for c in cleaned]
    # Words hyphenated across line ends, within one column of one page.
    for i in range(len(raw_lines) - 1):
        a, b = raw_lines[i], raw_lines[i + 1]
        if a.page == b.page and a.column == b.column and texts[i]:
            joined = join_hyphenated(texts[i], texts[i + 1], soft=cleaned[i].soft_break)
            if joined:
                texts[i], texts[i + 1] = joined
    lines = tuple(
        _with_text(line, text, clean.bullet)
        for line, text, clean in zip(raw_lines, texts, cleaned)
        if text
    )
    glued, tokens = glued_counts("\n".join(line.text for line in lines))
    chars_per_page = tuple(p.chars for p in pages)
    columns = tuple(p.columns for p in pages)
    hidden = sum(p.hidden for p in pages)
    unknown = sum(c.unknown_glyphs for c in cleaned)
    repaired = sum(c.repaired for c in cleaned)
    two = [str(i + 1) for i, c in enumerate(columns) if c == 2]
    counted = [
        (len(two), f"two columns detected on page{'' if len(two) == 1 else 's'} {', '.join(two)}"),
        (hidden, f"{_count(hidden, 'hidden character')} (white, invisible, tiny or off the page) ignored"),
        (unknown, f"{_count(unknown, 'icon or unmapped glyph')} dropped"),
        (repaired, f"garbled characters (mojibake) repaired on {_count(repaired, 'line')}"),
        (len(dropped), f"{_count(len(dropped), 'header, footer or page-number line')} removed"),
        (glued, f"{glued:,} of {_count(tokens, 'word')} look like several words run together"),
    ]
    notes = list(notes) + [note for n, note in counted if n]
    no_text = sum(chars_per_page) == 0 and hidden == 0
    diagnostics = Diagnostics(
        pages=len(pages),
        chars_per_page=chars_per_page,
        columns_per_page=columns,
        glued_share=round(glued / tokens, 4) if tokens else 0.0,
        unknown_glyphs=unknown,
        hidden_chars=hidden,
        no_text_layer=no_text,
        notes=tuple(notes),
    )
    if not lines:
        if no_text:
            problem = Problem("no_text", "scanned image; no text to score")
        elif hidden:
            problem = Problem("no_text", f"no visible text: all {hidden:,} characters are white, tiny or off the page")
        else:
            problem = Problem("no_text", "no readable text on any page")
        return Read(diagnostics=diagnostics, problem=problem)
    return Read(lines=lines, diagnostics=diagnostics)


def _with_text(line: Line, text: str, bullet: bool) -> Line:
    return dataclasses.replace(line, text=text, bullet=bullet)


def _count(n: int, noun: str) -> str:
    """1 -> "1 line", 3 -> "3 lines"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------------------------------------
# Optional OCR (extra ``rolefit[ocr]``: ocrmypdf + the tesseract program)
# ---------------------------------------------------------------------------------------------


def ocr_available() -> bool:
    return shutil.which("ocrmypdf") is not None and shutil.which("tesseract") is not None


def ocr_pdf(data: bytes, settings: Settings) -> bytes | str:
    """A copy of the PDF with an OCR text layer, or a note saying why there is none."""
    if not ocr_available():
        return "no text layer, and OCR is not installed (pip install 'rolefit[ocr]' and tesseract)"
    with tempfile.TemporaryDirectory(prefix="rolefit-ocr-") as tmp:
        src, out = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(data)
        command = [
            "ocrmypdf", "--quiet", "--output-type", "pdf", "--rasterizer", "pypdfium",  # no Ghostscript
            "--force-ocr", "--jobs", "1", str(src), str(out),
        ]
        try:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=max(1.0, settings.timeout_s - 2),
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
        except subprocess.TimeoutExpired:
            return f"no text layer, and OCR did not finish within {settings.timeout_s:g} s"
        except (OSError, subprocess.SubprocessError) as exc:
            return f"no text layer, and OCR failed ({type(exc).__name__})"
        return out.read_bytes()
