"""Stage 3: score a Profile against a rubric, every number backed by quoted evidence.

Steps, each a function below:

1. ``profile_to_units``: the résumé as units of evidence: one experience bullet (its wrapped
   lines joined), skills line, summary line … each with its section, page, kind (how strong
   such evidence is) and recency (how long ago its role ended), and whether its line or role
   names a technical or product context.
2. ``unit_to_hits``: which competencies a unit is evidence for, and how: an alias on token
   boundaries (quality 1), a near-spelling of a long alias (rapidfuzz; "Kubernets"), an
   everyday keyword next to a context word, or a paraphrase of a reference sentence
   (TF-IDF over words and character n-grams, fitted on the rubric's own text only, so a
   candidate's score never depends on who else is in the batch).
3. ``units_to_fit``: per competency, the strongest distinct units: the best counts in full and
   the next ones only by the rubric's corroboration shares, so repetition saturates; then
   weighted category and overall scores.

Nothing here reads the contact details, so names, emails, phones and addresses cannot move a
score. Stage data only: the rubric supplies every term, weight and threshold.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from pipeline.rubric import Competency, Rubric
from pipeline.terms import _RUN, LiteralTerms, TermMatch
from pipeline.tfidf import CosineIndex, ReferenceTfidf, load_stop_words
from pipeline.types import CategoryScore, CompetencyScore, Evidence, Fit, Line, Position, Profile

# A measurable result: a percentage, money, a multiplier, or a count that is not a year.
_RESULT = re.compile(
    r"\d+(?:\.\d+)?\s*%|[$€£¥₹]\s*\d|\b\d+(?:\.\d+)?\s*(?:x|k|m|mm|bn|million|billion)\b"
    r"|\b(?!(?:19|20)\d\d\b)\d{2,}(?:[,.]\d+)?\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_][\w+#]*(?:[./&'-][\w+#]+)*")
# A web or e-mail address: a scheme or "www.", an "@" between names, or a domain with a path.
_ADDRESS = re.compile(
    r"\S*(?:://|\bwww\.)\S*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|us|uk|co|me)/\S*",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[.,;:!?]|\bbut\b")
_CONTINUES = re.compile(r"(?:[,;:&/(-]|\b(?:and|or|of|to|the|with|for|in|on|a|an|by|from|at|as|into))$", re.I)
_QUOTE_CHARS = 320
_HITS_REMEMBERED = 2_000  # units whose matches a RubricMatcher keeps (a résumé has ~20-200; ~2 MB at most)
# Words that never carry evidence, including pronouns, so "she" vs "he" vs "they" cannot matter.
_STOP = load_stop_words()


@dataclass(frozen=True)
class Unit:
    """One piece of the résumé that can be quoted as evidence, and where it came from."""

    text: str  # normalised text, wrapped lines joined
    quote: str  # the résumé's own words (raw), for display
    section: str  # section kind
    page: int
    kind: str  # key of the rubric's evidence weights
    recency: float  # 1.0 for a current role or a non-role line, lower for old roles
    context: tuple[str, ...]  # technical or product context words in the unit or its role


# ---------------------------------------------------------------------------------------------
# 1. Units
# ---------------------------------------------------------------------------------------------


def lines_to_items(lines: tuple[Line, ...] | list[Line]) -> list[list[Line]]:
    """Group wrapped lines into items: a bullet starts an item; a line that visibly continues
    the previous one (starts in lower case, or the previous ends mid-phrase) joins it."""
    items: list[list[Line]] = []
    for line in lines:
        if items and not line.bullet and line.page == items[-1][-1].page and line.text:
            prev = items[-1][-1].text
            if line.text[0].islower() or _CONTINUES.search(prev):
                items[-1].append(line)
                continue
        items.append([line])
    return items


def _join(lines: list[Line], attr: str) -> str:
    return " ".join(getattr(ln, attr) or ln.text for ln in lines).strip()


def _unit_text(lines: list[Line]) -> str:
    """What a unit says, for matching: its lines joined, web and e-mail addresses left out (a
    link's "…/api.html" is an address, not evidence, and blind review removes addresses)."""
    return unit_text(_join(lines, "text"))


def unit_text(text: str) -> str:
    """A unit's text as matching reads it: addresses left out, spaces made single."""
    if "/" in text or "@" in text or "www." in text.lower():  # no address without one of these
        text = _ADDRESS.sub(" ", text)
    return " ".join(text.split())


def _quote(lines: list[Line]) -> str:
    text = " ".join(" ".join((ln.raw or ln.text).split()) for ln in lines)
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1].rstrip() + "…"


def _months(ym) -> int:
    return ym.year * 12 + ym.month


def _contact_values(profile: Profile) -> list[str]:
    c = profile.contact
    return [v.lower() for v in (c.name, c.email, c.phone, c.location, *c.links) if v and len(v) > 2]


def profile_to_units(profile: Profile, rubric: Rubric) -> list[Unit]:
    roles, rest = profile_to_unit_groups(profile, rubric)
    return [unit for role in roles for unit in role] + rest


def profile_to_unit_groups(profile: Profile, rubric: Rubric) -> tuple[list[list[Unit]], list[Unit]]:
    """The units of each role (in the profile's order), then those of every other section. A
    role's units depend on that role alone: the advice, which adds one bullet to one role, reads
    only that role again (``role_to_units``)."""
    roles = [role_to_units(pos, profile, rubric) for pos in profile.positions]
    used: set[int] = set()
    for pos in profile.positions:
        used.update(id(ln) for ln in pos.bullets)
        if pos.heading_line is not None:
            used.add(id(pos.heading_line))
    return roles, sections_to_units(profile, used, rubric)


def role_to_units(pos: Position, profile: Profile, rubric: Rubric) -> list[Unit]:
    """One role's bullets: weighted by how recent the role is, in its technical context."""
    scoring = rubric.model.scoring
    matcher = rubric_matcher(rubric)
    now = _months(profile.as_of)
    ended = _months(pos.end) if pos.end else now
    years_ago = max(0.0, (now - ended) / 12 - scoring.recency_full_years)
    recency = max(scoring.recency_floor, 0.5 ** (years_ago / scoring.recency_half_life_years))
    items = lines_to_items(pos.bullets)
    texts = [_unit_text(item) for item in items]
    own = [matcher.context_in(text) for text in texts]
    # The role's context: its title's, else what its organisation and its items name (three
    # words at least). Item by item, so a bullet added to the role (the advice's probes) reads
    # only itself; a phrase split across two bullets is no context.
    role_words = matcher.context_in(pos.title) or _at_least(
        tuple(sorted(set(matcher.context_in(pos.organisation)).union(*own))), 3)
    units = []
    for item, text, words in zip(items, texts, own):
        kind = "result_bullet" if _RESULT.search(text) else "bullet"
        context = tuple(sorted(set(role_words) | set(words)))
        units.append(Unit(text, _quote(item), "experience", item[0].page, kind, recency, context))
    return units


def sections_to_units(profile: Profile, used: set[int], rubric: Rubric) -> list[Unit]:
    """Every section's lines that no role holds (``used``: ids of role lines), education and
    contact details left out."""
    matcher = rubric_matcher(rubric)
    units: list[Unit] = []
    kinds = {"skills": "skill", "summary": "summary", "projects": "project", "experience": "bullet"}
    private = _contact_values(profile)
    for section in profile.sections:
        if section.kind == "education":
            continue
        lines = [ln for ln in section.lines if id(ln) not in used]
        if section.kind == "header":  # contact lines never count; anything else is "other"
            lines = [ln for ln in lines if not any(v in ln.text.lower() for v in private)]
        # Skills lines are lists: one line, one entry, never joined.
        items = [[ln] for ln in lines] if section.kind == "skills" else lines_to_items(lines)
        kind = kinds.get(section.kind, "other")
        for item in items:
            text = _unit_text(item)
            if kind == "bullet" and _RESULT.search(text):
                kind_here = "result_bullet"
            else:
                kind_here = kind
            context = matcher.context_in(text)
            units.append(Unit(text, _quote(item), section.kind, item[0].page, kind_here, 1.0, context))
    return units


# ---------------------------------------------------------------------------------------------
# 2. Matching
# ---------------------------------------------------------------------------------------------


def _term_regex(terms: list[str], case_sensitive: bool) -> re.Pattern | None:
    """One pattern for many terms, on token boundaries: "Java" never matches "JavaScript",
    "Go" never matches "good" (nor "Go-live"), "api" matches "API-first" and "(API)". This is
    the definition of a term match; ``LiteralTerms`` finds the same matches without it."""
    if not terms:
        return None
    alts = "|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t)))
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<![\w+#@])(?:{alts})(?![\w+#@]|-\w)" if case_sensitive else
                      rf"(?<![\w+#@])(?:{alts})(?![\w+#@])", flags)


def _first_run(term: str) -> str | None:
    """The run a match of ``term`` must start with, lower-case (None: the term does not start
    with one, or is not ASCII, so no text can be ruled out by it)."""
    m = _RUN.match(term)
    return m.group().lower() if m and term.isascii() else None


def text_runs(text: str) -> frozenset[str]:
    """The runs of ``text`` (case-folded): a term can match only where its first run is one."""
    return frozenset(_RUN.findall(text.casefold()))


def _neighbour_regex(words: tuple[str, ...], before: bool) -> re.Pattern | None:
    """Words right before a term (searched up to the term's start) or right after it (matched
    from its end): whole words, any case, only spaces, a hyphen or a slash in between."""
    if not words:
        return None
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    if before:
        return re.compile(rf"(?<![\w+#@])(?:{alts})[\s/-]*\Z", re.IGNORECASE)
    return re.compile(rf"[\s/-]*(?:{alts})(?![\w+#@])", re.IGNORECASE)


class RegexTerms:
    """Terms that are not all ASCII, matched by ``_term_regex`` (compiled on first use)."""

    def __init__(self, terms, case_sensitive: bool):
        self.terms, self.case_sensitive = tuple(terms), case_sensitive
        self._pattern = None
        self._rest: dict[frozenset[str], re.Pattern | None] = {}

    def search(self, text: str, pos: int = 0) -> tuple[int, int] | None:
        if self._pattern is None:
            self._pattern = _term_regex(list(self.terms), self.case_sensitive)
        m = self._pattern.search(text, pos)
        return (m.start(), m.end()) if m else None

    def match(self, text: str, p: int, skip: frozenset[str]) -> int | None:
        if skip not in self._rest:
            rest = [t for t in self.terms if t.lower() not in skip]
            self._rest[skip] = _term_regex(rest, self.case_sensitive)
        rest = self._rest[skip]
        m = rest.match(text, p) if rest is not None else None
        return m.end() if m else None


def _terms(terms: list[str], case_sensitive: bool):
    if not terms:
        return None
    return (LiteralTerms if all(t.isascii() for t in terms) else RegexTerms)(terms, case_sensitive)


@dataclass(frozen=True)
class TermSet:
    folded: LiteralTerms | RegexTerms | None  # lower-case terms, any case in the text
    exact: LiteralTerms | RegexTerms | None  # terms written with a capital: case-sensitive
    # Every term's first run ("a/b testing" -> "a", "ci/cd" -> "ci"): a match starts on a
    # boundary and ends on one, so a text none of whose runs is among these cannot match, and
    # its search is skipped. None when some term gives no such run (always search).
    firsts: frozenset[str] | None = None
    # The rubric's term exceptions for these terms: (term lower-cased, words before, words after).
    exceptions: tuple[tuple[str, re.Pattern | None, re.Pattern | None], ...] = ()
    # The excepted terms (lower-cased): where one did not count, the longest other term that
    # starts at the same place is tried (a shorter term may start there).
    skip: frozenset[str] = frozenset()

    @classmethod
    def of(cls, terms: tuple[str, ...], exceptions=()) -> "TermSet":
        """``exceptions``: the rubric's ``scoring.term_exceptions`` (those about other terms are ignored)."""
        exact = [t for t in terms if t != t.lower()]
        folded = [t for t in terms if t == t.lower()]
        runs = [_first_run(t) for t in terms]
        firsts = None if any(r is None for r in runs) else frozenset(runs)
        lowered = {t.lower() for t in terms}
        excepted = tuple((e.term.lower(), _neighbour_regex(e.preceded_by, True), _neighbour_regex(e.followed_by, False))
                         for e in exceptions if e.term.lower() in lowered)
        skip = frozenset(term for term, _, _ in excepted)
        return cls(_terms(folded, False), _terms(exact, True), firsts, excepted, skip)

    def search(self, text: str, runs: frozenset[str] | None = None) -> str | None:
        """The first term in ``text``; ``runs`` (``text_runs(text)``) lets most texts skip the search."""
        if runs is not None and self.firsts is not None and self.firsts.isdisjoint(runs):
            return None
        found = []
        for terms in (self.exact, self.folded):
            if terms is not None:
                m = self._first(terms, text)
                if m:
                    found.append((m[0], text[m[0]:m[1]]))
        return min(found)[1] if found else None

    def finditer(self, text: str):
        """Every match of a term in ``text`` that counts (its exceptions left out)."""
        for terms in (self.exact, self.folded):
            if terms is None:
                continue
            pos = 0
            while (m := terms.search(text, pos)) is not None:
                if not self.excepted(text, *m):
                    yield TermMatch(text, *m)
                pos = m[1]

    def _first(self, terms, text: str) -> tuple[int, int] | None:
        pos = 0
        while (m := terms.search(text, pos)) is not None:
            if not self.excepted(text, *m):
                return m
            shorter = terms.match(text, m[0], self.skip)
            if shorter is not None:
                return (m[0], shorter)
            pos = m[1]
        return None

    def excepted(self, text: str, start: int, end: int) -> bool:
        """Whether the rubric's exceptions say this match of a term is not evidence."""
        if not self.exceptions:
            return False
        term = text[start:end].lower()
        for excepted, before, after in self.exceptions:
            if term == excepted and ((before is not None and before.search(text, 0, start))
                                     or (after is not None and after.match(text, end))):
                return True
        return False


def _analyse(text: str) -> list[str]:
    """Word 1-2 grams and character 3-5 grams of the content words (stop words and pronouns
    dropped first, so they can never move a similarity)."""
    words = [w for w in re.findall(r"[a-z0-9][a-z0-9+#]*", text.lower()) if w not in _STOP]
    feats = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    for w in words:
        padded = f" {w} "
        feats += [padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
    return feats


class RubricMatcher:
    """Everything compiled from one rubric, built once per rubric content hash."""

    def __init__(self, rubric: Rubric):
        model = rubric.model
        scoring = model.scoring
        self.competencies: list[Competency] = [c for cat in model.categories for c in cat.competencies]
        exceptions = scoring.term_exceptions
        self.aliases = [TermSet.of(c.aliases, exceptions) for c in self.competencies]
        self.keywords = [TermSet.of(c.keywords, exceptions) for c in self.competencies]
        self.context = TermSet.of(scoring.context_words, exceptions)
        # Near-spellings: long single alias words, and the real words that must stay themselves.
        words = {w for c in self.competencies for a in c.aliases if a == a.lower() for w in a.split()}
        self.fuzzy_targets = sorted(w for w in words if len(w) >= scoring.fuzzy_min_length and w.isalpha())
        self.known = set(words) | {w.lower() for w in scoring.not_typos}
        self.term_words = {w for c in self.competencies for t in c.aliases + c.keywords
                           for w in re.findall(r"[a-z0-9+#]+", t.lower())}
        self.min_ratio = scoring.fuzzy_min_ratio
        self.fuzzy_min_length = scoring.fuzzy_min_length
        self._fixed: dict[str, str] = {}  # word -> its correction (a pure function of the rubric)
        self._hits: dict[Unit, dict[int, Hit]] = {}
        self._read: dict[tuple, object] = {}  # what a text says, by (what, …, text): see _remember
        negations = "|".join(re.escape(w) for w in sorted(scoring.negations, key=lambda w: (-len(w), w)))
        self.negation = re.compile(rf"(?<![\w'])(?:{negations})(?![\w'])(?! only\b)", re.I) if negations else None
        # Paraphrases: TF-IDF fitted on the rubric's own sentences, never on a batch.
        refs = [(i, r) for i, c in enumerate(self.competencies) for r in c.references]
        self.ref_cols = [[k for k, (i, _) in enumerate(refs) if i == j] for j in range(len(self.competencies))]
        self.ref_text = [r for _, r in refs]
        corpus = self.ref_text + [c.description for c in self.competencies]
        self.vectorizer = ReferenceTfidf(analyzer=_analyse).fit(corpus)
        self.ref_index = CosineIndex(self.vectorizer.transform(self.ref_text))
        self.min_similarity = scoring.paraphrase_min_similarity
        self.common = frozenset(w.lower()[:5] for w in scoring.paraphrase_common_words)
        self.paraphrase_quality = scoring.paraphrase_quality

    def denied(self, text: str, term: str) -> bool:
        """"I do not set product roadmaps; I make sure they ship": a term denied by one of the
        rubric's negations among the four words before it, in its own clause, is not evidence."""
        if self.negation is None:
            return False
        clause = _CLAUSE.split(text[: max(0, text.lower().find(term.lower()))])[-1]
        return self.negation.search(" ".join(clause.split()[-4:])) is not None

    def stuffing_key(self, text: str) -> str:
        """What a line says besides the rubric's own terms, as a set of words: two lines that
        match the same term and differ only in repeated or added terms are one piece of evidence."""
        def key() -> str:
            words = set(re.findall(r"[a-z0-9+#]+", text.lower())) - self.term_words - _STOP
            return " ".join(sorted(words))

        return self._remember(("stuffing", text), key)

    def context_in(self, text: str) -> tuple[str, ...]:
        """The context words ``text`` names (each once, sorted)."""
        def found() -> tuple[str, ...]:
            return tuple(sorted({m.group().lower() for m in self.context.finditer(text)}))

        return self._remember(("context", text), found)

    def correct(self, text: str) -> str:
        """The text with near-spellings of long alias words replaced by the alias word."""
        if not self.fuzzy_targets:
            return text

        return _WORD.sub(lambda m: self._fix(m.group()), text)

    def _fix(self, word: str) -> str:
        if word not in self._fixed:
            low = word.lower()
            fixed = word
            if len(low) >= self.fuzzy_min_length - 2 and low not in self.known and low.isalpha():
                best = process.extractOne(low, self.fuzzy_targets, scorer=fuzz.ratio, score_cutoff=self.min_ratio)
                if best and best[0][:2] == low[:2]:
                    fixed = best[0]
            self._fixed[word] = fixed
        return self._fixed[word]

    def hits(self, unit: Unit) -> dict[int, Hit]:
        """``unit_to_hits`` for one unit, remembered: it is a pure function of the unit and the
        rubric, so re-scoring a résumé with one more bullet (as the advice does for every open
        competency) matches only the new unit. Never shared across rubrics; bounded."""
        found = self._hits.get(unit)
        if found is None:
            if len(self._hits) >= _HITS_REMEMBERED:
                self._hits.clear()
            found = self._hits[unit] = readings_to_hits(self.readings(unit.text, _in_context(unit)), unit)
        return found

    def readings(self, text: str, in_context: bool) -> tuple[Reading, ...]:
        """``text_to_readings`` of a text, with its corrections and similarities: the same words
        in another role or context are read once (see _remember)."""
        corrected, similarity = self._remember(
            ("read", text), lambda: (self.correct(text), self.similarities([text])[0]))
        return self._remember(("readings", text, in_context),
                              lambda: text_to_readings(text, corrected, similarity, self, in_context))

    def read_ahead(self, text: str) -> None:
        """Read a unit's text before the unit exists (its context words, and its readings in a
        context), so that ``hits`` of a unit with these words only combines them. Changes no
        result: what it computes is what ``context_in`` and ``hits`` would."""
        self.context_in(text)
        self.readings(text, True)

    def find(self, terms: str, j: int, text: str) -> str | None:
        """The first of competency ``j``'s ``terms`` ("aliases" or "keywords") in ``text``."""
        def search() -> str | None:
            return getattr(self, terms)[j].search(text, self._remember(("runs", text), lambda: text_runs(text)))

        return self._remember((terms, j, text), search)

    def _remember(self, key: tuple, compute):
        """What a text says (its corrections and similarities, the terms and context words it
        names, its stuffing key) is a pure function of the text and the rubric: computed once per
        text, so a re-score whose role context changed does not read the words again. Bounded."""
        if key not in self._read:
            if len(self._read) >= 20 * _HITS_REMEMBERED:
                self._read.clear()
            self._read[key] = compute()
        return self._read[key]

    def similarities(self, texts: list[str]) -> list[list[float]]:
        """(units × reference sentences) cosine similarity."""
        return [self.ref_index.similarities(row) for row in self.vectorizer.transform(texts)]

    def best_reference(self, sims: list[float], j: int) -> tuple[str, float]:
        """The reference sentence of competency ``j`` closest to a unit (the first of equals),
        and its similarity."""
        cols = self.ref_cols[j]
        if not cols:
            return "", 0.0
        k = max(cols, key=lambda c: (sims[c], -c))
        return self.ref_text[k], float(sims[k])


_MATCHERS: dict[str, RubricMatcher] = {}


def rubric_matcher(rubric: Rubric) -> RubricMatcher:
    key = rubric.sha256
    if key not in _MATCHERS:
        _MATCHERS[key] = RubricMatcher(rubric)
    return _MATCHERS[key]


_STEM_WORD = re.compile(r"[a-z][a-z0-9+#]+")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _STEM_WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP}


def _paraphrase_like(text: str, reference: str, common: frozenset[str] = frozenset()) -> bool:
    """A paraphrase is a sentence (five words or more, not a job title) that shares at least two
    content words (by their first five letters) with the reference, not counting the rubric's
    everyday work words: one shared word is a coincidence, not a paraphrase."""
    return len(text.split()) >= 5 and len((_stems(text) & _stems(reference)) - common) >= 2


def _at_least(words: tuple[str, ...], n: int) -> tuple[str, ...]:
    return words if len(words) >= n else ()


def _within(part: str, whole: str) -> bool:
    """``part`` is ``whole`` or a run of its words ("api" in "api integration"; "it" is not in
    "with", "app" is not in "approved by"): an occurrence with no word character (``\\w``, "+"
    or "#") on either side. Plain string search, as every pair of words is new: a regex per pair
    would be compiled on every call once Python's regex cache is full."""
    at = whole.find(part)
    while at >= 0:
        end = at + len(part)
        if (at == 0 or not _word_char(whole[at - 1])) and (end == len(whole) or not _word_char(whole[end])):
            return True
        at = whole.find(part, at + 1)
    return False


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_+#"


def _other_context(context: tuple[str, ...], term: str) -> bool:
    """A keyword is never its own context ("database" alone does not make "database" count)."""
    t = term.lower()
    return any(not _within(c, t) and not _within(t, c) for c in context)


@dataclass(frozen=True)
class Hit:
    matched: str  # the alias, keyword or reference sentence that matched
    how: str  # "alias" | "near-spelling" | "keyword" | "paraphrase"
    quality: float  # 0..1


def unit_to_hits(unit: Unit, corrected: str, similarity: list[float], matcher: RubricMatcher) -> dict[int, Hit]:
    """Competency index → how this unit is evidence for it (at most one hit per competency)."""
    return readings_to_hits(text_to_readings(unit.text, corrected, similarity, matcher, _in_context(unit)), unit)


def _in_context(unit: Unit) -> bool:
    """Whether everyday keywords and paraphrases can count in this unit: it names a technical or
    product context (or its role does), and it is not a line of a skills list (a list, not a
    sentence)."""
    return bool(unit.context) and unit.kind != "skill"


# What a text says of one competency, whatever the unit around it: (index, final, hit, keyword,
# paraphrase). Final: an alias or a near-spelling, whose hit (None when a negation denies it) is
# all the competency gets. Otherwise the everyday keyword the text names (if any) with its hit
# (None when denied), and the paraphrase hit it makes (if any): these count only in a context.
Reading = tuple[int, bool, Hit | None, str | None, Hit | None]


def text_to_readings(text: str, corrected: str, similarity: list[float], matcher: RubricMatcher,
                     in_context: bool = True) -> tuple[Reading, ...]:
    """What ``text`` says of each competency it could be evidence of (in rubric order); without
    ``in_context``, only the aliases and near-spellings (nothing else can count). A pure function
    of the text and the rubric, so a unit whose role context changes is not read again
    (``RubricMatcher.hits``).

    The rules, in order: an alias counts (quality 1) unless a negation denies it, and then
    nothing else does for that competency; likewise a near-spelling of an alias (quality 0.9);
    then, only in a technical or product context and not in a skills list, an everyday keyword
    next to a context word other than itself, unless denied (and then nothing else counts);
    else a paraphrase of one of the competency's reference sentences (``readings_to_hits``)."""
    readings: list[Reading] = []
    denied = matcher.denied
    for j in range(len(matcher.competencies)):
        term = matcher.find("aliases", j, text)
        if term:
            readings.append((j, True, None if denied(text, term) else Hit(term, "alias", 1.0), None, None))
            continue
        if corrected != text:
            term = matcher.find("aliases", j, corrected)
            if term:
                readings.append((j, True, None if denied(corrected, term) else Hit(term, "near-spelling", 0.9), None, None))
                continue
        if not in_context:
            continue
        keyword = matcher.find("keywords", j, text)
        reference, sim = matcher.best_reference(similarity, j)
        paraphrase = None
        if sim >= matcher.min_similarity and _paraphrase_like(text, reference, matcher.common):
            paraphrase = Hit(reference, "paraphrase", matcher.paraphrase_quality)
        if keyword or paraphrase:
            hit = Hit(keyword, "keyword", 1.0) if keyword and not denied(text, keyword) else None
            readings.append((j, False, hit, keyword, paraphrase))
    return tuple(readings)


def readings_to_hits(readings: tuple[Reading, ...], unit: Unit) -> dict[int, Hit]:
    """The hits a unit's readings make in its context (the rules: ``text_to_readings``)."""
    hits: dict[int, Hit] = {}
    in_context = _in_context(unit)
    for j, final, hit, keyword, paraphrase in readings:
        if final:
            if hit is not None:
                hits[j] = hit
        elif in_context:
            if keyword and _other_context(unit.context, keyword):
                if hit is not None:
                    hits[j] = hit
            elif paraphrase is not None:
                hits[j] = paraphrase
    return hits


# ---------------------------------------------------------------------------------------------
# 3. Scores
# ---------------------------------------------------------------------------------------------


def unit_to_evidence(unit: Unit, strength: float, matched: str, how: str) -> Evidence:
    return Evidence(quote=unit.quote, section=unit.section, page=unit.page, kind=unit.kind,
                    strength=strength, matched=matched, how=how)


def unit_to_pieces(unit: Unit, rubric: Rubric) -> list[tuple[int, str, Evidence]]:
    """What one unit is evidence of: (competency index, key, evidence) for each of its hits. The
    key names what the evidence shows (the term matched and the unit's words), so that the same
    thing said twice counts once. A pure function of the unit and the rubric: remembered, like
    the unit's hits."""
    matcher = rubric_matcher(rubric)

    def pieces() -> list[tuple[int, str, Evidence]]:
        weights = matcher._remember(("evidence weights",), lambda: dataclasses.asdict(rubric.model.scoring.evidence_weights))
        found = []
        for j, hit in matcher.hits(unit).items():
            strength = round(weights[unit.kind] * unit.recency * hit.quality, 4)
            key = hit.matched.lower() + "|" + matcher.stuffing_key(unit.text)
            found.append((j, key, unit_to_evidence(unit, strength, hit.matched, hit.how)))
        return found

    return matcher._remember(("evidence", unit), pieces)


def units_to_evidence(units: list[Unit], rubric: Rubric) -> list[list[Evidence]]:
    """For each competency (in rubric order), its distinct evidence, strongest first."""
    best: list[dict[str, Evidence]] = [{} for _ in rubric_matcher(rubric).competencies]
    for unit in units:
        for j, key, ev in unit_to_pieces(unit, rubric):
            old = best[j].get(key)
            if old is None or (old.strength, old.quote) < (ev.strength, ev.quote):
                best[j][key] = ev
    return [sorted(b.values(), key=lambda e: (-e.strength, e.page, e.quote, e.matched)) for b in best]


def evidence_to_score(evidence: list[Evidence], shares: tuple[float, ...]) -> float:
    """The strongest piece counts in full, the next ones by ``shares``; capped at 1."""
    return strengths_to_score([e.strength for e in evidence], shares)


def strengths_to_score(strengths: list[float], shares: tuple[float, ...]) -> float:
    """``evidence_to_score`` of evidence with these strengths, strongest first."""
    total = sum(strength * share for strength, share in zip(strengths, shares))
    return round(min(1.0, total), 4)


def profile_to_fit(profile: Profile, rubric: Rubric) -> Fit:
    return units_to_fit(profile_to_units(profile, rubric), rubric)


def units_to_fit(units: list[Unit], rubric: Rubric) -> Fit:
    scoring = rubric.model.scoring
    evidence = units_to_evidence(units, rubric)
    scores = [evidence_to_score(ev, scoring.corroboration) for ev in evidence]
    competencies = []
    j = 0
    for cat in rubric.model.categories:
        for comp in cat.competencies:
            shown = tuple(evidence[j][: scoring.max_evidence_per_competency]) if scores[j] > 0 else ()
            competencies.append(CompetencyScore(comp.id, comp.name, cat.id, scores[j], shown))
            j += 1
    categories, overall = scores_to_categories(scores, rubric)
    return Fit(overall=overall, categories=categories, competencies=tuple(competencies))


def scores_to_categories(scores: list[float], rubric: Rubric) -> tuple[tuple[CategoryScore, ...], float]:
    """The weighted category scores and the overall score, from the competency scores (in
    rubric order)."""
    categories = []
    j = 0
    for cat in rubric.model.categories:
        weighted = 0.0
        for comp in cat.competencies:
            weighted += comp.weight * scores[j]
            j += 1
        total_weight = sum(c.weight for c in cat.competencies)
        categories.append(CategoryScore(cat.id, cat.name, round(100 * weighted / total_weight, 1), cat.weight))
    cat_weight = sum(c.weight for c in categories)
    overall = round(sum(c.score * c.weight for c in categories) / cat_weight, 1)
    return tuple(categories), overall