"""Stage 1: read a PDF file into clean lines in reading order.

The only module that imports pdfplumber. It never raises: a file it cannot read becomes a
``Document`` whose ``problem`` says why.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect

from pipeline.normalise import is_bullet, normalise_line
from pipeline.types import Diagnostics, Document, Line, Problem, Settings

logging.getLogger("pdfminer").setLevel(logging.ERROR)

PDF_HEADER = b"%PDF-"


def bytes_to_problem(data: bytes, settings: Settings) -> Problem | None:
    """Cheap checks before parsing: empty, too large, not a PDF (by header, not by extension)."""
    if not data:
        return Problem("empty", "empty file (0 bytes)")
    if len(data) > settings.max_bytes:
        return Problem(
            "too_large",
            f"file is {len(data) / 1e6:.1f} MB, over the {settings.max_bytes / 1e6:.0f} MB limit",
        )
    if PDF_HEADER not in data[:1024]:
        return Problem("not_pdf", "not a PDF file (no %PDF- header)")
    return None


def _exception_to_problem(exc: BaseException) -> Problem:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(cause, PDFPasswordIncorrect):
        return Problem("encrypted", "encrypted PDF: a password is needed to open it")
    return Problem("corrupt", f"corrupt or truncated PDF ({type(cause).__name__})")


def pdf_to_document(path: str | Path, settings: Settings) -> Document:
    """Read one PDF. Never raises for a bad file."""
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


def bytes_to_document(data: bytes, source: str, settings: Settings) -> Document:
    digest = hashlib.sha256(data).hexdigest()
    base = dict(source=source, sha256=digest, size_bytes=len(data))
    problem = bytes_to_problem(data, settings)
    if problem:
        return Document(**base, problem=problem)
    try:
        import io

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n_pages = len(pdf.pages)
            if n_pages > settings.max_pages:
                return Document(
                    **base,
                    diagnostics=Diagnostics(pages=n_pages),
                    problem=Problem(
                        "too_many_pages",
                        f"{n_pages} pages, over the limit of {settings.max_pages}",
                    ),
                )
            lines: list[Line] = []
            chars_per_page: list[int] = []
            for page in pdf.pages:
                page_lines, n_chars = page_to_lines(page)
                lines.extend(page_lines)
                chars_per_page.append(n_chars)
                page.close()
    except Exception as exc:  # noqa: BLE001 - the isolation boundary: any parser error is data
        return Document(**base, problem=_exception_to_problem(exc))
    diagnostics = Diagnostics(
        pages=n_pages,
        chars_per_page=tuple(chars_per_page),
        columns_per_page=tuple(1 for _ in chars_per_page),
        no_text_layer=sum(chars_per_page) == 0,
    )
    if diagnostics.no_text_layer:
        return Document(
            **base,
            diagnostics=diagnostics,
            problem=Problem("no_text", "scanned image; no text to score"),
        )
    return Document(**base, lines=tuple(lines), diagnostics=diagnostics)


def _x_tolerance(chars: list[dict]) -> float:
    """Word-gap tolerance from the page's own glyph widths (LaTeX PDFs have no space glyphs)."""
    widths = [c["width"] for c in chars if c["text"].strip() and c["width"] > 0]
    if not widths:
        return 1.0
    return max(0.5, min(3.0, 0.15 * statistics.median(widths)))


def page_to_lines(page) -> tuple[list[Line], int]:
    chars = page.chars
    words = page.extract_words(
        x_tolerance=_x_tolerance(chars),
        keep_blank_chars=False,
        use_text_flow=False,
        extra_attrs=["fontname", "size"],
    )
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    rows: list[list[dict]] = []
    for word in words:
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= max(2.0, word["size"] * 0.3):
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        raw = " ".join(w["text"] for w in row)
        text = normalise_line(raw)
        if not text:
            continue
        sizes = [w["size"] for w in row]
        bold_share = sum("bold" in w["fontname"].lower() for w in row) / len(row)
        lines.append(
            Line(
                text=text,
                raw=raw,
                page=page.page_number,
                x0=min(w["x0"] for w in row),
                top=min(w["top"] for w in row),
                x1=max(w["x1"] for w in row),
                bottom=max(w["bottom"] for w in row),
                size=statistics.median(sizes),
                bold=bold_share >= 0.5,
                bullet=is_bullet(raw),
            )
        )
    return lines, len(chars)
