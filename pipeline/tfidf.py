"""TF-IDF over a fixed reference text, with scikit-learn's conventions and none of its start-up.

``ReferenceTfidf`` computes exactly what ``sklearn.feature_extraction.text.TfidfVectorizer(
analyzer=..., sublinear_tf=True, smooth_idf=True, norm="l2")`` computes (``tests/test_tfidf.py``
checks it against scikit-learn, which stays a test dependency): smoothed inverse document
frequencies ``ln((1 + n) / (1 + df)) + 1``, term frequencies ``1 + ln(tf)``, rows scaled to unit
length. It follows the estimator conventions (``fit`` returns ``self``, learned state ends in
``_``) but stores rows as sparse ``{feature index: weight}`` dicts.

Why not scikit-learn itself: importing it costs about a second, several times the whole of
``rolefit score`` on a one-page résumé, for a vectorizer fitted on a few hundred rubric sentences.
The stop words that TF-IDF and the evidence matcher ignore are data too
(``rubrics/stop_words.txt``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

STOP_WORDS_FILE = Path(__file__).resolve().parent.parent / "rubrics" / "stop_words.txt"

Row = dict[int, float]


def load_stop_words(path: Path = STOP_WORDS_FILE) -> frozenset[str]:
    """The words of a stop-word file: whitespace-separated, ``#`` starts a comment line."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("#"):
            words.update(line.split())
    return frozenset(words)


class ReferenceTfidf:
    """Fitted once on reference sentences; ``transform`` never changes what was fitted."""

    def __init__(self, analyzer: Callable[[str], list[str]]):
        self.analyzer = analyzer

    def fit(self, documents: Iterable[str]) -> ReferenceTfidf:
        df: Counter[str] = Counter()
        n = 0
        for doc in documents:
            df.update(set(self.analyzer(doc)))
            n += 1
        features = sorted(df)
        self.vocabulary_ = {feature: i for i, feature in enumerate(features)}
        self.idf_ = [math.log((1 + n) / (1 + df[f])) + 1.0 for f in features]
        return self

    def transform(self, documents: Iterable[str]) -> list[Row]:
        vocabulary, idf = self.vocabulary_, self.idf_
        rows = []
        for doc in documents:
            counts = Counter(i for i in map(vocabulary.get, self.analyzer(doc)) if i is not None)
            row = {i: (1.0 + math.log(tf)) * idf[i] for i, tf in counts.items()}
            norm = math.sqrt(sum(w * w for w in row.values()))
            rows.append({i: w / norm for i, w in row.items()} if norm > 0 else row)
        return rows


class CosineIndex:
    """Unit-length reference rows, inverted by feature: ``similarities(row)`` is the row's cosine
    with every reference, touching only the features the row shares with them."""

    def __init__(self, rows: list[Row]):
        self.size = len(rows)
        self._postings: dict[int, list[tuple[int, float]]] = {}
        for k, row in enumerate(rows):
            for i, w in row.items():
                self._postings.setdefault(i, []).append((k, w))

    def similarities(self, row: Row) -> list[float]:
        out = [0.0] * self.size
        postings = self._postings
        for i, w in row.items():
            for k, v in postings.get(i, ()):
                out[k] += w * v
        return out
