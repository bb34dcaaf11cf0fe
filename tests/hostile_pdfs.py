"""A tiny generator of PDFs for tests: ordinary layouts with a known reading order, and hostile
files (empty, not a PDF, truncated, broken xref, encrypted, image-only, too many pages, too many
glyphs, a decompression bomb, a page tree that loops).

Built with reportlab (the ``test`` extra) or as raw bytes, in memory, in milliseconds.
"""

from __future__ import annotations

import io
import re
import zlib

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = letter


def _canvas(buffer: io.BytesIO, **kwargs) -> canvas.Canvas:
    return canvas.Canvas(buffer, pagesize=letter, invariant=1, **kwargs)


def text_pdf(pages: list[list[str]] | None = None, size: float = 11, **kwargs) -> bytes:
    """One line of text per list item, top to bottom, one list per page."""
    pages = pages or [["Jane Example", "Technical Product Manager", "Led the platform roadmap."]]
    buffer = io.BytesIO()
    pdf = _canvas(buffer, **kwargs)
    for lines in pages:
        pdf.setFont("Helvetica", size)
        y = HEIGHT - 72
        for line in lines:
            pdf.drawString(72, y, line)
            y -= size * 1.4
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def placed_pdf(items: list[tuple[float, float, str, dict]], extra=None) -> bytes:
    """Text at (x, y-from-top) with per-item options: size, font, color (r, g, b), right (align)."""
    buffer = io.BytesIO()
    pdf = _canvas(buffer)
    if extra:
        extra(pdf)
    for x, y, text, opts in items:
        pdf.setFont(opts.get("font", "Helvetica"), opts.get("size", 10))
        pdf.setFillColorRGB(*opts.get("color", (0, 0, 0)))
        if opts.get("right"):
            pdf.drawRightString(x, HEIGHT - y, text)
        else:
            pdf.drawString(x, HEIGHT - y, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


SIDEBAR = ["CONTACT", "jane@example.com", "Berlin, Germany", "SKILLS", "Roadmapping", "SQL and Looker",
           "Stakeholder alignment", "Discovery interviews", "LANGUAGES", "German (native)", "English (fluent)",
           "Spanish (basic)"]
MAIN = ["EXPERIENCE", "Senior Product Manager, Acme Cloud", "Owned the billing platform roadmap for four teams",
        "Cut invoice disputes by a third with a new dunning flow", "Product Manager, Nordwind Logistics",
        "Launched route planning used by 900 fleet customers", "Ran weekly discovery with drivers and dispatchers",
        "EDUCATION", "MSc Computer Science, TU Berlin", "BSc Mathematics, Uni Hamburg", "PROJECTS",
        "Open-source feature flag service with 2k stars"]


def two_column_pdf() -> bytes:
    """A full-width name, then a sidebar (left) and a main column (right) on the same baselines."""
    items = [(72, 60, "Jane Example", {"size": 20, "font": "Helvetica-Bold"})]
    for i, line in enumerate(SIDEBAR):
        items.append((72, 110 + i * 16, line, {"size": 9.5}))
    for i, line in enumerate(MAIN):
        items.append((230, 110 + i * 16 + (4 if i % 3 == 0 else 0), line, {"size": 9.5}))
    return placed_pdf(items)


DATE_RAIL = [
    ("Senior Product Manager, Acme Cloud", "Jan 2020 – Present"),
    ("Owned the billing platform roadmap across four engineering teams and two regions", None),
    ("Cut invoice disputes by a third with a new dunning flow for enterprise customers", None),
    ("Product Manager, Nordwind Logistics", "Mar 2016 – Dec 2019"),
    ("Launched route planning used by 900 fleet customers in six countries", None),
    ("Ran weekly discovery with drivers, dispatchers and the sales team", None),
    ("Business Analyst, Hafen Bank", "Sep 2013 – Feb 2016"),
    ("Wrote SQL reports for the risk team and automated the monthly close", None),
    ("Berlin, Germany", "2008 – 2013"),
    ("MSc Computer Science, TU Berlin", "Hamburg, DE"),
]


def date_rail_pdf() -> bytes:
    """One column with right-aligned dates: must stay one column."""
    items = [(72, 60, "Jane Example", {"size": 20, "font": "Helvetica-Bold"})]
    for i, (left, right) in enumerate(DATE_RAIL):
        items.append((72, 110 + i * 16, left, {"size": 9.5}))
        if right:
            items.append((540, 110 + i * 16, right, {"size": 9.5, "right": True}))
    return placed_pdf(items)


def hidden_text_pdf() -> bytes:
    """Visible text; white, 1-pt and invisible (render mode 3) keyword stuffing; white text on
    a dark band (visible)."""

    def dark_band(pdf):
        pdf.setFillColorRGB(0.1, 0.2, 0.4)
        pdf.rect(60, HEIGHT - 215, 400, 30, fill=1, stroke=0)

    def dark_band_and_invisible_text(pdf):
        dark_band(pdf)
        pdf.saveState()  # the render mode is graphics state: keep it to this text
        text = pdf.beginText(72, HEIGHT - 260)
        text.setTextRenderMode(3)  # invisible
        text.setFont("Helvetica", 10)
        text.textLine("invisiblekeywords")
        pdf.drawText(text)
        pdf.restoreState()

    return placed_pdf(
        [
            (72, 80, "Visible product manager", {}),
            (72, 120, "kubernetes blockchain stakeholder roadmap", {"color": (1, 1, 1)}),
            (72, 150, "tinytextstuffing", {"size": 1}),
            (72, 200, "White on dark band", {"color": (1, 1, 1)}),
        ],
        extra=dark_band_and_invisible_text,
    )


def encrypted_pdf(user_password: str, owner_password: str = "owner-secret") -> bytes:
    return text_pdf(encrypt=_encryption(user_password, owner_password))


def _encryption(user_password: str, owner_password: str):
    from reportlab.lib.pdfencrypt import StandardEncryption

    return StandardEncryption(user_password, owner_password, canPrint=0, canModify=0, canCopy=0, strength=128)


def truncated_pdf() -> bytes:
    data = text_pdf()
    return data[: len(data) // 2]


def corrupt_xref_pdf() -> bytes:
    """Every xref offset wrong and startxref pointing nowhere: readers must rebuild the table."""
    data = text_pdf()
    data = re.sub(rb"\d{10} 00000 n", b"0000000999 00000 n", data)
    return re.sub(rb"startxref\s+\d+", b"startxref\n123", data)


# ---------------------------------------------------------------------------------------------
# Raw PDFs (objects written by hand)
# ---------------------------------------------------------------------------------------------


def raw_pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n (1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(content: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        content = zlib.compress(content, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _one_page(content_obj: bytes, resources: bytes = b"<< /Font << /F1 5 0 R >> >>") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources %s >>" % resources,
        content_obj,
        _FONT,
    ]


def image_only_pdf() -> bytes:
    """A 'scan': one gray image over the page, no text at all."""
    pixels = bytes(range(64)) * 64
    image = _stream(pixels, b" /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray"
                            b" /BitsPerComponent 8", compress=True)
    objects = _one_page(_stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"), b"<< /XObject << /Im1 5 0 R >> >>")
    objects[4] = image
    return raw_pdf(objects)


def many_glyphs_pdf(glyphs: int) -> bytes:
    """One page with ``glyphs`` characters of 2-pt text: slow for pdfplumber, cheap for pdfium."""
    per_line = 500
    rows = []
    for row in range(glyphs // per_line):
        rows.append(b"1 0 0 1 10 %d Tm (%s) Tj" % (780 - (row % 380) * 2, b"x" * per_line))
    content = b"BT /F1 2 Tf " + b" ".join(rows) + b" ET"
    return raw_pdf(_one_page(_stream(content, compress=True)))


def bomb_pdf(inflated_bytes: int) -> bytes:
    """A content stream that inflates from a few hundred KB to ``inflated_bytes`` of spaces.

    One 1 MiB block is deflated once (ending in a full flush, so it references nothing before
    it) and repeated: building a 400 MB bomb takes milliseconds, not seconds.
    """
    prefix = b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET "
    chunk = b" " * (1 << 20)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(prefix) + first.flush(zlib.Z_FULL_FLUSH)
    repeat = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = repeat.compress(chunk) + repeat.flush(zlib.Z_FULL_FLUSH)
    final = repeat.flush()
    count = inflated_bytes // len(chunk)
    checksum = zlib.adler32(prefix)
    for _ in range(count):
        checksum = zlib.adler32(chunk, checksum)
    packed = b"\x78\xda" + head + block * count + final + checksum.to_bytes(4, "big")
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    return raw_pdf(_one_page(content))


def looping_pages_pdf() -> bytes:
    """A page tree whose node lists itself as its own kid."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
        ]
    )


def many_pages_pdf(pages: int) -> bytes:
    return text_pdf([[f"Page {i + 1} of a very long document"] for i in range(pages)])


def scanned_pdf(data: bytes, dpi: int = 150) -> bytes:
    """The first page of ``data`` as a picture only (a 'scan'); needs Pillow (ocr extra)."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader

    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=dpi / 72).to_pil()
    buffer = io.BytesIO()
    pdf = _canvas(buffer)
    pdf.drawImage(ImageReader(image), 0, 0, WIDTH, HEIGHT)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
