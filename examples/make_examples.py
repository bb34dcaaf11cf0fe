"""Regenerate the example applicant PDFs in examples/applicants/ from examples/source/.

Usage:
    python examples/make_examples.py          # rewrite examples/applicants/*.pdf, drop stale ones
    python examples/make_examples.py --check  # exit 1 if the committed PDFs are stale

Needs reportlab, a development-only dependency: the rolefit package never imports it.
The output is byte-for-byte reproducible (reportlab's invariant mode).

Source markup: one UTF-8 ``.txt`` file per résumé; ``NN-slug.txt`` becomes ``NN-slug.pdf``.

    # Full Name                        first line: the applicant's name
    layout: date-rail                  optional: one-column (default), date-rail, two-column
    paper: a4                          optional: letter (default) or a4
    jo@example.com | (555) 010-2030    any other line before the first section: contact details
    ## Experience                      a section heading
    ### Title | Organisation | Dates    a position; organisation and dates may be left out
    - Shipped the thing                a bullet point
    Any other text                     a paragraph
Blank lines are ignored.

Layouts: one-column puts the organisation and dates on a line under the position title;
date-rail puts the dates right-aligned on the title's line; two-column draws a left sidebar
holding the contact lines and the sections named in SIDEBAR_SECTIONS, beside a main column
holding the rest, so lines of both columns share vertical positions.

The script also writes zz-corrupt-upload.pdf: the first 40% of the first résumé's bytes,
which keeps the %PDF- header but loses the cross-reference table and trailer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

EXAMPLES_DIR = Path(__file__).resolve().parent
SOURCE_DIR = EXAMPLES_DIR / "source"
APPLICANTS_DIR = EXAMPLES_DIR / "applicants"
CORRUPT_NAME = "zz-corrupt-upload.pdf"
CORRUPT_FRACTION = 0.4

LAYOUTS = ("one-column", "date-rail", "two-column")
PAPER_SIZES = {"letter": LETTER, "a4": A4}
SIDEBAR_SECTIONS = {"Skills", "Certifications", "Languages"}

MARGIN = 0.6 * inch
SIDEBAR_WIDTH = 2.1 * inch
COLUMN_GAP = 0.3 * inch
HEADER_HEIGHT = 0.75 * inch
DATE_RAIL_WIDTH = 1.5 * inch
SIDEBAR_TINT = colors.Color(0.93, 0.94, 0.96)
MUTED = colors.Color(0.3, 0.3, 0.3)


@dataclass
class Position:
    title: str
    organisation: str = ""
    dates: str = ""


@dataclass
class Bullet:
    text: str


@dataclass
class Text:
    text: str


@dataclass
class Section:
    heading: str
    items: list[Position | Bullet | Text] = field(default_factory=list)


@dataclass
class Resume:
    name: str
    layout: str = "one-column"
    paper: str = "letter"
    contact: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


class SourceError(ValueError):
    """A source file does not follow the markup described in this module's docstring."""


def parse_resume(path: Path) -> Resume:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# "):
        raise SourceError(f"{path}:1: the first line must be '# Full Name'")
    resume = Resume(name=lines[0][2:].strip())
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line:
            continue
        where = f"{path}:{number}"
        if line.startswith("## "):
            resume.sections.append(Section(heading=line[3:].strip()))
        elif not resume.sections:
            read_header_line(resume, line, where)
        elif line.startswith("### "):
            resume.sections[-1].items.append(parse_position(line[4:], where))
        elif line.startswith("- "):
            resume.sections[-1].items.append(Bullet(line[2:].strip()))
        else:
            resume.sections[-1].items.append(Text(line))
    return resume


def read_header_line(resume: Resume, line: str, where: str) -> None:
    key, _, value = line.partition(":")
    value = value.strip()
    if key == "layout":
        if value not in LAYOUTS:
            raise SourceError(f"{where}: layout must be one of {', '.join(LAYOUTS)}")
        resume.layout = value
    elif key == "paper":
        if value not in PAPER_SIZES:
            raise SourceError(f"{where}: paper must be one of {', '.join(PAPER_SIZES)}")
        resume.paper = value
    else:
        resume.contact.append(line)


def parse_position(text: str, where: str) -> Position:
    parts = [part.strip() for part in text.split("|")]
    if len(parts) > 3:
        raise SourceError(f"{where}: a position has at most 'Title | Organisation | Dates'")
    return Position(*parts)


def make_styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5)
    return {
        "name": ParagraphStyle("name", fontName="Helvetica-Bold", fontSize=20, leading=24),
        "contact": ParagraphStyle("contact", parent=body, fontSize=9, textColor=MUTED),
        "section": ParagraphStyle(
            "section", fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=10
        ),
        "sidebar_section": ParagraphStyle(
            "sidebar_section", fontName="Helvetica-Bold", fontSize=9.5, leading=12, spaceBefore=12
        ),
        "title": ParagraphStyle(
            "title", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=6
        ),
        "rail_title": ParagraphStyle("rail_title", fontName="Helvetica", fontSize=10, leading=13),
        "rail_dates": ParagraphStyle(
            "rail_dates", fontName="Helvetica", fontSize=10, leading=13, alignment=TA_RIGHT
        ),
        "meta": ParagraphStyle(
            "meta", parent=body, fontName="Helvetica-Oblique", textColor=MUTED, spaceAfter=1
        ),
        "body": ParagraphStyle("body_spaced", parent=body, spaceBefore=2),
        # Symbol's bullet extracts as U+2022; Helvetica's comes out of pdfminer as "(cid:127)".
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=12, bulletIndent=2, spaceBefore=1.5,
            bulletFontName="Symbol",
        ),
        "sidebar_body": ParagraphStyle("sidebar_body", parent=body, fontSize=9, leading=12),
    }


def markup(text: str) -> str:
    """Escape source text for reportlab's paragraph markup."""
    return escape(text)


def section_heading(
    heading: str, styles: dict[str, ParagraphStyle], style: str
) -> list[Flowable]:
    return [
        Paragraph(markup(heading.upper()), styles[style]),
        HRFlowable(width="100%", thickness=0.6, color=MUTED, spaceBefore=1, spaceAfter=3),
    ]


def position_one_column(position: Position, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = [Paragraph(markup(position.title), styles["title"])]
    meta = " | ".join(part for part in (position.organisation, position.dates) if part)
    if meta:
        flowables.append(Paragraph(markup(meta), styles["meta"]))
    return flowables


def position_date_rail(
    position: Position, styles: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    title = f"<b>{markup(position.title)}</b>"
    if position.organisation:
        title += f", {markup(position.organisation)}"
    row = [
        Paragraph(title, styles["rail_title"]),
        Paragraph(markup(position.dates), styles["rail_dates"]),
    ]
    table = Table([row], colWidths=[width - DATE_RAIL_WIDTH, DATE_RAIL_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return [Spacer(1, 6), table]


def position_flowables(
    position: Position, styles: dict[str, ParagraphStyle], layout: str, width: float
) -> list[Flowable]:
    if layout == "date-rail":
        return position_date_rail(position, styles, width)
    return position_one_column(position, styles)


def item_paragraph(item: Bullet | Text, styles: dict[str, ParagraphStyle]) -> Paragraph:
    if isinstance(item, Bullet):
        return Paragraph(markup(item.text), styles["bullet"], bulletText="\u2022")
    return Paragraph(markup(item.text), styles["body"])


def section_flowables(
    section: Section, styles: dict[str, ParagraphStyle], layout: str, width: float
) -> list[Flowable]:
    """Lay out one main-column section.

    A heading stays on a page with what follows it, and a position with its first line.
    """
    chunks: list[list[Flowable]] = [section_heading(section.heading, styles, "section")]
    position_waiting = False  # the last chunk is a position without its first line yet
    for item in section.items:
        if isinstance(item, Position):
            chunks.append(position_flowables(item, styles, layout, width))
            position_waiting = True
        elif position_waiting:
            chunks[-1].append(item_paragraph(item, styles))
            position_waiting = False
        else:
            chunks.append([item_paragraph(item, styles)])
    if len(chunks) > 1:
        chunks[:2] = [chunks[0] + chunks[1]]
    return [KeepTogether(chunk) for chunk in chunks]


def sidebar_section_flowables(
    section: Section, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """Lay out one sidebar section: every item becomes a plain line."""
    flowables = section_heading(section.heading, styles, "sidebar_section")
    for item in section.items:
        text = item.title if isinstance(item, Position) else item.text
        flowables.append(Paragraph(markup(text), styles["sidebar_body"]))
    return flowables


def unpadded_frame(x: float, y: float, width: float, height: float, name: str) -> Frame:
    return Frame(x, y, width, height, id=name,
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def document(resume: Resume, path: Path, templates: list[PageTemplate]) -> BaseDocTemplate:
    return BaseDocTemplate(
        str(path),
        pagesize=PAPER_SIZES[resume.paper],
        pageTemplates=templates,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{resume.name} - Résumé",
        author=resume.name,
        subject="Fictional example applicant for rolefit",
        creator="rolefit examples/make_examples.py",
        invariant=1,
    )


def render_one_column(resume: Resume, path: Path) -> None:
    page_width, page_height = PAPER_SIZES[resume.paper]
    width = page_width - 2 * MARGIN
    frame = unpadded_frame(MARGIN, MARGIN, width, page_height - 2 * MARGIN, "body")
    styles = make_styles()
    story: list[Flowable] = [Paragraph(markup(resume.name), styles["name"])]
    story += [Paragraph(markup(line), styles["contact"]) for line in resume.contact]
    for section in resume.sections:
        story += section_flowables(section, styles, resume.layout, width)
    document(resume, path, [PageTemplate(id="page", frames=[frame])]).build(story)


def render_two_column(resume: Resume, path: Path) -> None:
    page_width, page_height = PAPER_SIZES[resume.paper]
    main_x = MARGIN + SIDEBAR_WIDTH + COLUMN_GAP
    main_width = page_width - MARGIN - main_x
    columns_top = page_height - MARGIN - HEADER_HEIGHT
    header = unpadded_frame(MARGIN, columns_top, page_width - 2 * MARGIN, HEADER_HEIGHT, "header")
    sidebar = unpadded_frame(MARGIN, MARGIN, SIDEBAR_WIDTH, columns_top - MARGIN, "sidebar")
    main = unpadded_frame(main_x, MARGIN, main_width, columns_top - MARGIN, "main")
    later_main = unpadded_frame(main_x, MARGIN, main_width, page_height - 2 * MARGIN, "later_main")

    def draw_sidebar_tint(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFillColor(SIDEBAR_TINT)
        canvas.rect(MARGIN - 8, MARGIN - 8, SIDEBAR_WIDTH + 16, columns_top - MARGIN + 8,
                    stroke=0, fill=1)
        canvas.restoreState()

    styles = make_styles()
    story: list[Flowable] = [
        NextPageTemplate("later"),
        Paragraph(markup(resume.name), styles["name"]),
        FrameBreak(),
    ]
    story += section_heading("Contact", styles, "sidebar_section")
    story += [Paragraph(markup(line), styles["sidebar_body"]) for line in resume.contact]
    for section in resume.sections:
        if section.heading in SIDEBAR_SECTIONS:
            story += sidebar_section_flowables(section, styles)
    story.append(FrameBreak())
    for section in resume.sections:
        if section.heading not in SIDEBAR_SECTIONS:
            story += section_flowables(section, styles, "one-column", main_width)
    templates = [
        PageTemplate(id="first", frames=[header, sidebar, main], onPage=draw_sidebar_tint),
        PageTemplate(id="later", frames=[later_main]),
    ]
    document(resume, path, templates).build(story)


def render_resume(resume: Resume, path: Path) -> None:
    if resume.layout == "two-column":
        render_two_column(resume, path)
    else:
        render_one_column(resume, path)


def write_corrupt_upload(valid_pdf: Path, path: Path) -> None:
    data = valid_pdf.read_bytes()
    path.write_bytes(data[: int(len(data) * CORRUPT_FRACTION)])


def generate_all(out_dir: Path) -> list[Path]:
    """Write every example PDF into out_dir and return their paths."""
    sources = sorted(SOURCE_DIR.glob("*.txt"))
    if not sources:
        raise SourceError(f"no résumé sources in {SOURCE_DIR}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        pdf = out_dir / f"{source.stem}.pdf"
        render_resume(parse_resume(source), pdf)
        written.append(pdf)
    corrupt = out_dir / CORRUPT_NAME
    write_corrupt_upload(written[0], corrupt)
    written.append(corrupt)
    return written


def remove_stale_pdfs(out_dir: Path, keep: list[Path]) -> None:
    for pdf in out_dir.glob("*.pdf"):
        if pdf not in keep:
            pdf.unlink()


def stale_examples() -> list[str]:
    """Regenerate into a temporary folder and list files that differ from the committed ones."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {path.name: path.read_bytes() for path in generate_all(Path(tmp))}
    committed = {path.name: path.read_bytes() for path in APPLICANTS_DIR.glob("*.pdf")}
    problems = [f"missing: {name}" for name in sorted(fresh.keys() - committed.keys())]
    problems += [f"unexpected: {name}" for name in sorted(committed.keys() - fresh.keys())]
    problems += [
        f"differs: {name}"
        for name in sorted(fresh.keys() & committed.keys())
        if fresh[name] != committed[name]
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and fail if examples/applicants/ differs",
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = stale_examples()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("examples/applicants/ is stale: run python examples/make_examples.py",
                  file=sys.stderr)
            return 1
        print("examples/applicants/ is up to date")
        return 0
    written = generate_all(APPLICANTS_DIR)
    remove_stale_pdfs(APPLICANTS_DIR, written)
    for path in written:
        print(path.relative_to(EXAMPLES_DIR.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
