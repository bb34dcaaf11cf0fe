"""The in-house TF-IDF (``pipeline.tfidf``) computes what scikit-learn's TfidfVectorizer computes,
fitted on the rubric's own sentences only, and the stop-word data holds scikit-learn's list."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from pipeline.profile_to_fit import _STOP, _analyse, rubric_matcher
from pipeline.rubric import RUBRICS_DIR, load_rubric
from pipeline.tfidf import CosineIndex, ReferenceTfidf, load_stop_words

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples" / "source").glob("*.txt"))


def _sklearn_similarities(corpus: list[str], refs: list[str], texts: list[str]):
    vec = TfidfVectorizer(analyzer=_analyse, sublinear_tf=True, norm="l2").fit(corpus)
    return (vec.transform(texts) @ vec.transform(refs).T).toarray()


def _example_lines() -> list[str]:
    lines = [ln.strip() for src in SOURCES for ln in src.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines if ln] + ["", "the and of", "Kubernetes Kubernetes Kubernetes k8s"]


@pytest.mark.parametrize("rubric_file", ["tpm.toml", "pm.toml"])
def test_similarities_equal_scikit_learn(rubric_file):
    matcher = rubric_matcher(load_rubric(RUBRICS_DIR / rubric_file))
    corpus = matcher.ref_text + [c.description for c in matcher.competencies]
    texts = _example_lines()
    expected = _sklearn_similarities(corpus, matcher.ref_text, texts)
    got = matcher.similarities(texts)
    assert len(got) == len(texts)
    assert max(abs(g - e) for row_g, row_e in zip(got, expected) for g, e in zip(row_g, row_e)) < 1e-12
    for sims, row in zip(got, expected):
        for j, cols in enumerate(matcher.ref_cols):
            if cols:
                ref, sim = matcher.best_reference(sims, j)
                assert sim == pytest.approx(max(row[c] for c in cols), abs=1e-12)
                assert ref in matcher.competencies[j].references


def test_best_reference_takes_the_first_of_equals():
    matcher = rubric_matcher(load_rubric())
    j = next(j for j, cols in enumerate(matcher.ref_cols) if len(cols) >= 2)
    sims = [0.0] * len(matcher.ref_text)
    for c in matcher.ref_cols[j]:
        sims[c] = 0.5
    assert matcher.best_reference(sims, j) == (matcher.ref_text[matcher.ref_cols[j][0]], 0.5)


@pytest.mark.parametrize("corpus, texts", [
    (["api design review", "roadmap and backlog", "api roadmap"], ["api api api", "nothing known", "roadmap"]),
    (["one"], ["one one", "two"]),
])
def test_weights_equal_scikit_learn(corpus, texts):
    def words(text):
        return text.split()

    ours = ReferenceTfidf(words).fit(corpus)
    theirs = TfidfVectorizer(analyzer=words, sublinear_tf=True, norm="l2").fit(corpus)
    assert ours.vocabulary_ == theirs.vocabulary_
    assert ours.idf_ == pytest.approx(list(theirs.idf_), abs=1e-15)
    dense = theirs.transform(texts).toarray()
    for row, expected in zip(ours.transform(texts), dense):
        assert [row.get(i, 0.0) for i in range(len(expected))] == pytest.approx(list(expected), abs=1e-15)


def test_fitting_never_sees_the_texts_it_transforms():
    vec = ReferenceTfidf(str.split).fit(["api design", "roadmap"])
    before = (dict(vec.vocabulary_), list(vec.idf_))
    vec.transform(["brand new words api", "roadmap roadmap"])
    assert (vec.vocabulary_, vec.idf_) == before


def test_cosine_index_is_the_dot_product():
    rows = [{0: 0.6, 1: 0.8}, {1: 1.0}, {}]
    index = CosineIndex(rows)
    assert index.similarities({0: 1.0}) == [0.6, 0.0, 0.0]
    assert index.similarities({1: 1.0}) == [0.8, 1.0, 0.0]
    assert index.similarities({}) == [0.0, 0.0, 0.0]


def test_stop_words_hold_scikit_learns_list_and_the_pronouns():
    words = load_stop_words()
    assert frozenset(ENGLISH_STOP_WORDS) <= words
    assert {"she", "he", "they", "xe", "ze", "mx"} <= words
    assert _STOP == words


def test_scoring_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = ("import sys; from pipeline.file_to_result import document_to_result; "
            "from pipeline.fit_to_advice import fit_to_advice; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
