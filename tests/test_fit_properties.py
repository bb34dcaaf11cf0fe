"""Invariants of the fit score, as hypothesis properties over generated profiles.

- every score is in range and every non-zero score has a quote;
- adding a bullet never lowers any score;
- the same input gives byte-identical results (also with a freshly fitted matcher);
- name, email, phone, address, pronouns never move any score (photo: an image has no text;
  the end-to-end check with a generated PDF is in test_profile_to_fit's PDF tests below);
- the same content in another layout moves the overall score by at most 2 points.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.profile_to_fit import profile_to_fit
from pipeline.rubric import load_rubric
from pipeline.serialise import to_jsonable
from pipeline.types import Contact, YearMonth
from tests.test_profile_to_fit import make_profile

RUBRIC = load_rubric()
TERMS = sorted({t for cat in RUBRIC.model.categories for c in cat.competencies for t in c.aliases + c.keywords})
REFERENCES = [r for cat in RUBRIC.model.categories for c in cat.competencies for r in c.references]
FILLER = ["the", "team", "with", "for", "our", "customers", "platform", "kitchen", "menu", "guests",
          "improved", "by", "30%", "in", "2019", "she", "he", "they", "her", "his", "their", "weekly"]
PRONOUNS = {"she": "he", "he": "they", "they": "she", "her": "his", "his": "their", "their": "her"}

phrase = st.one_of(st.sampled_from(TERMS), st.sampled_from(REFERENCES), st.sampled_from(FILLER))
bullet = st.lists(phrase, min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize())
bullets = st.lists(bullet, min_size=0, max_size=6)
skills = st.lists(st.lists(st.sampled_from(TERMS), min_size=1, max_size=5).map(", ".join), max_size=2)
summary = st.lists(bullet, max_size=2)
end = st.one_of(st.none(), st.builds(YearMonth, st.integers(2000, 2026), st.integers(1, 12)))
name_part = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def profile(b, s, su, e=None, **kw):
    start = YearMonth(min(e.year, 2020) - 1, 1) if e else YearMonth(2020, 1)
    return make_profile(bullets=b, skills=s, summary=su, end=e, start=start, **kw)


@SETTINGS
@given(bullets, skills, summary, end)
def test_scores_in_range_with_quotes(b, s, su, e):
    fit = profile_to_fit(profile(b, s, su, e), RUBRIC)
    assert 0 <= fit.overall <= 100
    assert all(0 <= c.score <= 100 for c in fit.categories)
    for c in fit.competencies:
        assert 0 <= c.score <= 1
        assert (c.score > 0) == bool(c.evidence)
        assert all(ev.quote for ev in c.evidence)


@SETTINGS
@given(bullets, skills, summary, end, bullet)
def test_adding_a_bullet_never_lowers_any_score(b, s, su, e, extra):
    before = profile_to_fit(profile(b, s, su, e), RUBRIC)
    after = profile_to_fit(profile(b + [extra], s, su, e), RUBRIC)
    assert after.overall >= before.overall
    for x, y in zip(before.categories, after.categories):
        assert y.score >= x.score
    for x, y in zip(before.competencies, after.competencies):
        assert y.score >= x.score, (x.id, extra)


@SETTINGS
@given(bullets, skills, summary, end)
def test_same_input_byte_identical_result(b, s, su, e):
    from pipeline import profile_to_fit as stage

    p = profile(b, s, su, e)
    first = json.dumps(to_jsonable(profile_to_fit(p, RUBRIC)), ensure_ascii=False)
    stage._MATCHERS.clear()  # a freshly fitted paraphrase model gives the same bytes
    second = json.dumps(to_jsonable(profile_to_fit(p, RUBRIC)), ensure_ascii=False)
    assert first == second


def swap_pronouns(text: str) -> str:
    """Swap each pronoun for another, keeping its capitalisation ("She" -> "He", "she" -> "he")."""

    def swap(m: re.Match) -> str:
        word = PRONOUNS[m.group().lower()]
        return word.capitalize() if m.group()[0].isupper() else word

    return re.sub(r"\b(she|he|they|her|his|their)\b", swap, text, flags=re.IGNORECASE)


@SETTINGS
@given(bullets, skills, summary, name_part, name_part, st.integers(100, 999), name_part)
@example(b=[], s=[], su=["Ga release", "She api"], first="AA", last="AA", number=100, town="AA")
def test_identity_and_pronouns_never_move_a_score(b, s, su, first, last, number, town):
    base = profile(b, s, su)
    contact = Contact(name=f"{first} {last}", email=f"{first.lower()}@{last.lower()}.example.com",
                      phone=f"+1 555 {number} 0100", location=f"{town}, CA")
    header = [contact.name, f"{contact.email} | {contact.phone}", contact.location]
    other = profile([swap_pronouns(x) for x in b], s, [swap_pronouns(x) for x in su], contact=contact,
                    header=header)
    f1, f2 = profile_to_fit(base, RUBRIC), profile_to_fit(other, RUBRIC)
    assert f1.overall == f2.overall
    assert [c.score for c in f1.competencies] == [c.score for c in f2.competencies]


@SETTINGS
@given(bullets, skills, summary)
def test_same_content_another_layout_moves_overall_at_most_2(b, s, su):
    """The same words, once as one-line bullets and once wrapped over two lines each (as a
    narrow column would print them), score within 2 points."""
    from pipeline.types import Line

    one = profile(b, s, su)
    wrapped_lines = []
    for text in b:
        words = text.split()
        cut = max(1, len(words) // 2)
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        wrapped_lines.append(Line(head, head, 1, 300, 0, 500, 10, 9, False, column=2, bullet=True))
        if tail:
            tail = tail[0].lower() + tail[1:]  # a wrapped line continues in lower case
            wrapped_lines.append(Line(tail, tail, 1, 300, 11, 500, 21, 9, False, column=2, bullet=False))
    pos = replace(one.positions[0], bullets=tuple(wrapped_lines))
    sections = tuple(replace(sec, lines=tuple(wrapped_lines)) if sec.kind == "experience" else sec
                     for sec in one.sections)
    two = replace(one, positions=(pos,), sections=sections)
    assert abs(profile_to_fit(one, RUBRIC).overall - profile_to_fit(two, RUBRIC).overall) <= 2


# ----------------------------------------------------------------------------------------------
# Generated PDFs: another layout, white and tiny text, a photo
# ----------------------------------------------------------------------------------------------


def _score_pdf(path, settings_):
    from pipeline.document_to_profile import document_to_profile
    from pipeline.pdf_to_document import pdf_to_document

    doc = pdf_to_document(path, settings_)
    assert doc.problem is None, doc.problem
    return profile_to_fit(document_to_profile(doc, settings_.as_of), RUBRIC)


def _layout_scores(tmp_path, settings, name, layouts) -> dict[str, float]:
    """The overall score of one bundled example's source rendered in each layout."""
    pytest.importorskip("reportlab")
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "examples"))
    import make_examples

    resume = make_examples.parse_resume(ROOT / "examples" / "source" / f"{name}.txt")
    scores = {}
    for layout in layouts:
        out = tmp_path / f"{layout}.pdf"
        make_examples.render_resume(replace(resume, layout=layout), out)
        scores[layout] = _score_pdf(out, settings).overall
    return scores


@pytest.mark.parametrize("name", ["02-tpm-daniela-ferreira-holt", "03-senior-tpm-maya-lindqvist"])
def test_bundled_example_in_another_layout_moves_overall_at_most_2(tmp_path, settings, name):
    scores = _layout_scores(tmp_path, settings, name, ("one-column", "date-rail"))
    assert max(scores.values()) - min(scores.values()) <= 2, scores


@pytest.mark.parametrize("name", ["01-associate-pm-jonah-okafor-reyes", "03-senior-tpm-maya-lindqvist"])
def test_bundled_example_two_column_moves_overall_at_most_2(tmp_path, settings, name):
    scores = _layout_scores(tmp_path, settings, name, ("one-column", "two-column"))
    assert max(scores.values()) - min(scores.values()) <= 2, scores


def _write_pdf(path, lines, hidden=(), photo=False):
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    y = 740
    if photo:
        c.setFillColorRGB(0.4, 0.5, 0.6)
        c.rect(470, 680, 80, 90, fill=1, stroke=0)  # a stand-in for a portrait photo
        c.setFillColorRGB(0, 0, 0)
    for text, size, bold in lines:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        c.drawString(60, y, text)
        y -= size + 6
    for text in hidden:  # white text and 1-pt text: invisible to a reader
        c.setFillColorRGB(1, 1, 1)
        c.setFont("Helvetica", 10)
        c.drawString(60, y, text)
        y -= 14
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica", 1)
        c.drawString(60, y, text)
        y -= 4
    c.save()


RESUME_LINES = [
    ("Alex Example", 16, True), ("alex@example.com | (555) 010-2030", 10, False),
    ("EXPERIENCE", 12, True),
    ("Product Manager | Example Corp | 01/2022 - Present", 10, True),
    ("• Owned the roadmap for the payments API; 9 partners integrated it in 6 months", 10, False),
    ("• Ran A/B tests on checkout and raised conversion by 4%", 10, False),
    ("• Wrote user stories and ran sprint planning with 6 engineers", 10, False),
    ("Retail Associate | Corner Shop | 06/2018 - 12/2021", 10, True),
    ("• Served customers and handled the till", 10, False),
    ("EDUCATION", 12, True),
    ("B.S. Economics, Example University, 2018", 10, False),
]
HIDDEN = ["Kubernetes microservices system design CI/CD Terraform AWS GraphQL SQL stakeholder alignment "
          "mentored product managers PRD technical specifications acceptance criteria"]


def test_hidden_white_and_tiny_text_do_not_raise_the_score(tmp_path, settings):
    pytest.importorskip("reportlab")
    plain, stuffed = tmp_path / "plain.pdf", tmp_path / "stuffed.pdf"
    _write_pdf(plain, RESUME_LINES)
    _write_pdf(stuffed, RESUME_LINES, hidden=HIDDEN)
    assert _score_pdf(plain, settings).overall > 0
    assert _score_pdf(stuffed, settings).overall == _score_pdf(plain, settings).overall


def test_a_photo_does_not_change_the_score(tmp_path, settings):
    pytest.importorskip("reportlab")
    plain, with_photo = tmp_path / "plain.pdf", tmp_path / "photo.pdf"
    _write_pdf(plain, RESUME_LINES)
    _write_pdf(with_photo, RESUME_LINES, photo=True)
    assert _score_pdf(with_photo, settings) == _score_pdf(plain, settings)
