"""``pipeline.terms``: phrases found exactly where the regex that defines a match finds them.

``WholeWords`` stands for ``whole_words_regex`` (whole words, any case, longest first) in the
résumé vocabulary (``document_to_profile``: word edges are ``\\w``) and the ladder-signal
vocabulary (``profile_to_level``: "&" is a word character too, as in "R&D"). Compared here on
every list of strings in both files, on random text made of their words, on every rubric and
example line, and on boundary and Unicode cases. (``LiteralTerms`` for the rubric's terms is
compared in tests/test_profile_to_fit.py.)
"""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline.rubric import RUBRICS_DIR
from pipeline.terms import WholeWords, whole_words, whole_words_regex
from tests.conftest import rubric_and_example_lines

VOCABULARIES = [("ladder_signals.toml", "&"), ("resume.toml", "")]


def _string_lists(name: str) -> list[list[str]]:
    """Every list of strings in the file (a superset of the phrase lists: regex patterns are
    taken as phrases too), and a list that stresses the edges."""
    found: list[list[str]] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            if value and all(isinstance(v, str) for v in value):
                found.append(value)
            else:
                for item in value:
                    walk(item)

    walk(tomllib.loads((RUBRICS_DIR / name).read_text(encoding="utf-8")))
    found.append(["r&d", "p&l", "&", "a", "ab", ".net", "(vp)", "sr.", "sr", "k8s", "-lead", "Inc", "LLC"])
    return found


_PAIRS: dict[str, list] = {}


def _pairs(name: str, extra: str) -> list:
    if name not in _PAIRS:
        _PAIRS[name] = [(whole_words(words, extra), whole_words_regex(words, extra)) for words in _string_lists(name)]
    return _PAIRS[name]


def _span(m):
    return (m.start(), m.end(), m.group(0)) if m else None


def _same(text: str) -> None:
    for name, extra in VOCABULARIES:
        for fast, slow in _pairs(name, extra):
            assert _span(fast.search(text)) == _span(slow.search(text)), (name, text)
            assert [_span(m) for m in fast.finditer(text)] == [_span(m) for m in slow.finditer(text)], (name, text)
            assert fast.findall(text) == slow.findall(text), (name, text)
            assert _span(fast.fullmatch(text)) == _span(slow.fullmatch(text)), (name, text)
            assert fast.sub(" ", text) == slow.sub(" ", text), (name, text)
            assert fast.sub(lambda m: f"<{m.group()}>", text) == slow.sub(lambda m: f"<{m.group()}>", text), (name, text)


def test_every_phrase_list_of_the_vocabularies_is_matched_without_a_regex():
    for name, extra in VOCABULARIES:
        phrase_lists = [words for words in _string_lists(name) if all(w.isascii() for w in words)]
        assert len(phrase_lists) >= 20
        assert all(isinstance(whole_words(words, extra), WholeWords) for words in phrase_lists)
        assert not any("" in words for words in _string_lists(name))  # the regex would match an empty phrase


_PIECES = ["Senior", "sr.", "Sr", "VP", "vp of product", "Vice President", "head of", "Head", "R&D", "r & d",
           "P&L", "p & l", "co-founder", "Co-Founder", "founder", "jr.", "iii", "Director", "product manager",
           "PRODUCT MANAGERS", "İntern", "ıntern", "ſenior", "\u212aey", "intern", "internship", "Company Name",
           "Inc", "LLC", "Engineer", "Bachelor of Science", "MBA", "present", "Ph.D"]


@given(st.lists(st.sampled_from(_PIECES + [" ", "-", "/", ",", ".", "_", "&", "x", "é", "(", ")"]),
                max_size=10).map("".join))
@hypothesis_settings(max_examples=250, deadline=None)
def test_phrases_are_found_where_the_defining_regex_finds_them(text):
    _same(text)


def test_phrases_are_found_where_the_defining_regex_finds_them_on_every_example_and_rubric_line():
    lines = rubric_and_example_lines()
    assert len(lines) > 500
    for line in lines:
        _same(line)


def test_a_whole_phrase_in_any_case_is_a_full_match():
    for name, _ in VOCABULARIES:
        for words in _string_lists(name):
            for word in words[:12]:
                for text in (word, word.upper(), word.title(), f" {word}", f"{word}s"):
                    _same(text)


@pytest.mark.parametrize("text", [
    "Senior R&D lead", "Sr. PM; sr.pm; SR.", "VP, Product & Design", "p&l owner, P & L, p&lowner", "İntern and ıntern",
    "ſenior ſtaff", "Head of Product - head-of", "co-founder/cofounder", "(VP) of", "&head", "head&", "vp_product",
    "Company Name, City , State", "ACME Inc.", "Engineer2", "", " ",
])
def test_phrases_are_found_where_the_defining_regex_finds_them_on_boundaries(text):
    _same(text)


def test_a_replacement_with_a_backslash_is_refused():
    with pytest.raises(ValueError):
        whole_words(["vp"], "&").sub(r"\1", "vp")
