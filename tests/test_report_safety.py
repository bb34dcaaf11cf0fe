"""Hostile résumés and hostile file names: reports stay inert, self-contained and inside OUT.

A résumé is text the applicant controls. Whatever it says (markup, event handlers, ``javascript:``
links) must reach the recruiter's browser as text; whatever the file is called must never pick
where a report is written.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports.render import page_name, page_names, result_to_page, results_to_index, safe_link, write_reports
from tests.conftest import EXAMPLES
from tests.test_reports import RUN, make_result, position

SCRIPT = "<script>alert('pwned')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_LINK = "javascript:alert(document.cookie)"
HOSTILE = [SCRIPT, IMG, JS_LINK, "<a href='javascript:alert(2)'>click</a>", "{{ 7*7 }}{% raw %}", "<svg onload=alert(3)>",
           "</style><style>body{background:url(https://evil.example/x.png)}</style>", "<!--", "]]><iframe src=//evil.example>"]


OWN_LINKS = ("../index.html", "results.csv", "results.json")  # plus candidate pages (PAGE)


class Elements(HTMLParser):
    """Every element and attribute the browser would build from a page, plus inline scripts and CSS."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def assert_inert(html: str, own_scripts: int) -> None:
    page = Elements(html)
    tags = [t for t, _ in page.tags]
    assert tags.count("script") == own_scripts, "only our own script"
    forbidden = {"img", "iframe", "frame", "object", "embed", "link", "base", "audio", "video", "image", "use", "foreignobject"}
    assert not forbidden & set(tags)
    assert tags.count("style") == 1
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), (tag, name)
        if tag == "a" and attrs["href"] not in OWN_LINKS and not PAGE.fullmatch(attrs["href"]):
            assert attrs["href"].startswith("https://") and attrs.get("rel") == "noopener noreferrer", attrs
        if tag == "script":
            assert "src" not in attrs
        if tag == "meta" and attrs.get("http-equiv"):
            assert attrs["http-equiv"] == "Content-Security-Policy" and "default-src 'none'" in attrs["content"]
    assert "evil.example" not in "".join(page.styles)


def assert_self_contained(html: str) -> None:
    """No URL, font or script from anywhere else: the page works offline and as an attachment."""
    page = Elements(html)
    for tag, attrs in page.tags:
        for name in ("src", "srcset", "xlink:href", "action", "poster", "data", "background", "formaction"):
            assert name not in attrs or not attrs[name], (tag, name)
        if "href" in attrs and tag != "a":
            raise AssertionError(f"<{tag} href> loads a resource")
    css = "".join(page.styles)
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert not re.search(r"(fetch|XMLHttpRequest|import\(|\.src\s*=|WebSocket)", "".join(page.scripts))


# ---------------------------------------------------------------------------------------------


def hostile_result(**kw):
    everything = " ".join(HOSTILE)
    positions = (position(SCRIPT, IMG, (2019, 1), None, current=True, date_text=JS_LINK),
                 position("PM", everything, None, None, datable=False, date_text=IMG))
    r = make_result(name=SCRIPT + IMG, source=f"{IMG}.pdf", quote=everything, text=everything, positions=positions,
                    links=(JS_LINK, "https://ok.example/in/x\" onmouseover=\"alert(1)", "data:text/html,<script>x</script>",
                           "linkedin.com/in/ada"), **kw)
    level = replace(r.level, reasons=(everything,), next_level=(SCRIPT,), name=IMG)
    problem_free = replace(r, level=level, diagnostics=replace(r.diagnostics, notes=(everything,)))
    return problem_free


def test_hostile_text_in_every_field_renders_inert():
    r = hostile_result()
    for html, scripts in ((result_to_page(r, RUN), 0), (results_to_index([r, make_result(status="unreadable", problem=None)], RUN), 1)):
        assert_inert(html, scripts)
        assert_self_contained(html)
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7*7 }}" in result_to_page(r, RUN), "résumé text is never evaluated as a template"


def test_unreadable_reason_and_file_name_render_inert():
    from pipeline.types import Problem

    r = make_result(status="unreadable", source=SCRIPT + ".pdf", problem=Problem("corrupt", IMG))
    html = results_to_index([r], RUN)
    assert_inert(html, 1)
    assert "&#34;&gt;&lt;img" in html


@pytest.mark.parametrize("text, href", [
    ("https://www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"),
    ("linkedin.com/in/ada", "https://linkedin.com/in/ada"),
    ("github.com/ada/", "https://github.com/ada/"),
    ("http://example.com", None),  # not https: shown as text
    (JS_LINK, None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html;base64,PHNjcmlwdD4=", None),
    ("https://ok.example/x\" onmouseover=\"alert(1)", None),
    ("https://user:pass@ok.example/", None),
    ("https://ok.example/?q=<script>", None),
    ("//evil.example/x", None),
    ("ada@example.com", None),
])
def test_only_plain_https_links_become_clickable(text, href):
    assert safe_link(text) == href


def test_resume_links_are_text_or_noopener_https_links():
    html = result_to_page(hostile_result(), RUN)
    anchors = [a for t, a in Elements(html).tags if t == "a"]
    external = [a for a in anchors if a["href"] != "../index.html"]
    assert external == [{"href": "https://linkedin.com/in/ada", "rel": "noopener noreferrer"}]
    assert "javascript:alert(document.cookie)" in html, "the hostile link is still shown, as text"


# ---------------------------------------------------------------------------------------------
# A real hostile PDF through the real pipeline
# ---------------------------------------------------------------------------------------------


def hostile_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    lines = [
        ("Helvetica-Bold", 18, f"Mallory {SCRIPT}"),
        ("Helvetica", 10, f"mallory@example.com | {JS_LINK} | linkedin.com/in/mallory"),
        ("Helvetica-Bold", 13, "Summary"),
        ("Helvetica", 10, f"Technical product manager {IMG} who owns the API roadmap."),
        ("Helvetica-Bold", 13, "Experience"),
        ("Helvetica-Bold", 11, "Senior Technical Product Manager"),
        ("Helvetica", 10, "Acme Payments | Jan 2019 - Present"),
        ("Helvetica", 10, f"- Launched a payments API used by 40 partners {SCRIPT}"),
        ("Helvetica", 10, f"- Owned the product roadmap and backlog {IMG}"),
        ("Helvetica", 10, "- Wrote specs and user stories with acceptance criteria <a href='javascript:alert(2)'>x</a>"),
        ("Helvetica-Bold", 11, "Product Manager"),
        ("Helvetica", 10, "Lumen Ledger | Jun 2015 - Dec 2018"),
        ("Helvetica", 10, "- Ran A/B tests and stakeholder reviews for the checkout <svg onload=alert(3)>"),
        ("Helvetica-Bold", 13, "Education"),
        ("Helvetica", 10, "B.Sc. Computer Science | Example University | 2015"),
        ("Helvetica-Bold", 13, "Skills"),
        ("Helvetica", 10, f"REST APIs, SQL, AWS, Jira, {JS_LINK}"),
    ]
    y = 740
    for font, size, text in lines:
        c.setFont(font, size)
        c.drawString(54, y, text)
        y -= size + 8
    c.linkURL(JS_LINK, (54, 700, 300, 712))
    c.save()
    return path


def test_a_hostile_pdf_renders_inert_through_the_real_pipeline(tmp_path, rubric, settings):
    from pipeline.file_to_result import file_to_result

    folder = tmp_path / "in"
    folder.mkdir()
    result = file_to_result(hostile_pdf(folder / "mallory.pdf"), rubric, settings)
    assert result.status in ("scored", "not_resume"), result.problem
    out = tmp_path / "out"
    index = write_reports([result], RUN, out)
    page = (out / page_name(result)).read_text(encoding="utf-8")
    html = index.read_text(encoding="utf-8")
    assert_inert(page, 0)
    assert_inert(html, 1)
    assert_self_contained(page)
    assert_self_contained(html)
    assert "&lt;script&gt;" in page, "the markup is shown as text"
    if result.status == "scored":
        assert "onerror=alert(1)&gt;" in page


# ---------------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------------

NASTY_NAMES = ["../../x.pdf", "<b>.pdf", "with space.pdf", "quote\"s and 'apostrophes'.pdf", "ünïcødé résumé 履歴書.pdf",
               "new\nline.pdf", "/etc/passwd.pdf", "..", "candidates/../../escape.pdf", "CON.pdf", "x" * 300 + ".pdf"]
PAGE = re.compile(r"candidates/[a-z0-9][a-z0-9_-]*\.html")


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_nasty_file_names_never_write_outside_out_or_collide(tmp_path):
    results = [make_result(name=f"Person {i}", source=name, sha=f"{i:064x}") for i, name in enumerate(NASTY_NAMES)]
    results.append(make_result(name="Bad id", source="id.pdf", sha="f" * 64))
    results[-1] = replace(results[-1], candidate_id="../../../tmp/evil id")
    out = tmp_path / "deep" / "out"
    before = files_under(tmp_path)
    write_reports(results, RUN, out)
    written = files_under(tmp_path) - before
    assert all(p.is_relative_to(out) for p in written), written
    pages = sorted(p.relative_to(out).as_posix() for p in written if p.suffix == ".html" and p.name != "index.html")
    assert len(pages) == len(results), "one page per candidate, no collisions"
    assert all(PAGE.fullmatch(p) for p in pages), pages
    for r in results:
        assert PAGE.fullmatch(page_name(r))


def test_same_candidate_id_with_different_content_gets_two_pages():
    a = make_result(name="A", source="a.pdf", sha="a" * 64)
    b = replace(make_result(name="B", source="b.pdf", sha="b" * 64), candidate_id=a.candidate_id)
    twin = make_result(name="A", source="a copy.pdf", sha="a" * 64)
    names = page_names([a, b, twin])
    assert names[id(a)] != names[id(b)]
    assert names[id(a)] == names[id(twin)], "the same file uploaded twice is the same candidate"


def test_nasty_file_names_through_the_flow_file_listing(tmp_path, rubric, settings):
    """Real files with hostile names, listed the way the batch flow lists them, scored and written."""
    from flows import list_pdfs
    from pipeline.file_to_result import file_to_result

    folder = tmp_path / "in"
    folder.mkdir()
    sources = sorted(EXAMPLES.glob("0*.pdf"))
    names = [n for n in NASTY_NAMES if "/" not in n and n != ".." and len(n.encode()) < 250]
    for name, src in zip(names, sources):
        shutil.copyfile(src, folder / name)
    shutil.copyfile(sources[0], folder / "same content again.pdf")
    listed = list_pdfs(folder)
    assert len(listed) == len(names[: len(sources)]) + 1
    results = [file_to_result(p, rubric, settings) for p in listed]
    out = tmp_path / "out"
    before = files_under(tmp_path)
    write_reports(results, RUN, out)
    written = files_under(tmp_path) - before
    assert all(p.is_relative_to(out) for p in written)
    pages = {p for p in written if p.parent == out / "candidates"}
    assert len(pages) == len({r.sha256 for r in results if r.status != "unreadable"}), "one page per distinct file"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert_inert(index, 1)
    assert "&lt;b&gt;.pdf" in index


def test_page_name_never_depends_on_the_uploaded_name():
    r = make_result()
    assert page_name(r) == page_name(replace(r, source="../../other name.pdf")) == f"candidates/{r.candidate_id}.html"
