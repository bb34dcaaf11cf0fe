"""Finding terms and phrases in text exactly where a regex of alternatives would find them,
without compiling that regex.

A Python regex of a few dozen alternatives takes about half a millisecond to compile, and the
rubric and the vocabularies have a few hundred of them: most of what ``rolefit score`` would
spend before its first match. Here a term is filed under its first run of word characters and
tried, longest first, only where such a run starts in the text.

- ``LiteralTerms``: the rubric's terms, as ``profile_to_fit._term_regex`` defines a match.
- ``WholeWords``: phrases as whole words, any case, with a compiled pattern's methods
  (``search``, ``finditer``, ``findall``, ``fullmatch``, ``sub``); ``whole_words_regex`` is the
  regex it stands for. Used for the résumé and ladder-signal vocabularies.

Tests compare each with its regex on random text, on boundary and Unicode cases, and on every
rubric and example line (tests/test_profile_to_fit.py, tests/test_terms.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

_RUN = re.compile(r"[\w+#@]+")  # a run of the characters a term's boundaries are made of


# Case-insensitive matching of ASCII terms is matching on the text with these characters
# replaced, one for one: A-Z, and the four others that Python's re.IGNORECASE takes for an
# ASCII letter (İ and ı for i, the Kelvin sign for k, the long s for s).
_FOLD = str.maketrans({**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
                       "\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"})


def ascii_fold(text: str) -> str:
    """The text as ``re.IGNORECASE`` compares it with ASCII: an ASCII phrase matches it there,
    in any case, exactly where its lower case is found in this (same length, same places)."""
    return text.translate(_FOLD)


TERM_RUN = "+#@"  # what a run is made of besides \w, for the rubric's terms


def _in_run(c: str, extra: str = TERM_RUN) -> bool:  # [\w{extra}]: \w is str.isalnum() or "_"
    return c.isalnum() or c == "_" or c in extra


@lru_cache(maxsize=8)
def _run_regex(extra: str) -> re.Pattern:
    return _RUN if extra == TERM_RUN else re.compile(rf"[\w{re.escape(extra)}]+")


@lru_cache(maxsize=256)
def _scan(text: str, case_sensitive: bool, extra: str = TERM_RUN) -> tuple[str, list[int], list[str]]:
    """The text as terms are compared with it (folded unless ``case_sensitive``), and where
    each of its runs starts, with the run."""
    s = text if case_sensitive else text.translate(_FOLD)
    starts, runs = [], []
    for m in _run_regex(extra).finditer(s):
        starts.append(m.start())
        runs.append(m.group())
    return s, starts, runs


class LiteralTerms:
    r"""ASCII terms found exactly where ``profile_to_fit._term_regex`` would find them, without
    compiling it.

    A Python regex of a few dozen alternatives takes about half a millisecond to compile, and
    a rubric has a hundred of them: most of what ``rolefit score`` would spend before its
    first match. Here a term is filed under its first run ("ci/cd" under "ci"). A term that
    starts with a run can only match where a run of the text starts (the boundary before it),
    and only if that run is its first one; the others (".net") are looked for with
    ``str.find``. At a place, terms are tried longest first, as the regex's alternation does,
    and one counts when no run character follows it (nor, case-sensitive, a hyphen and a word
    character). tests/test_profile_to_fit.py compares the two on random and real text.

    ``extra``: the characters a run is made of besides ``\w`` (the rubric's terms: "+#@").
    Case-insensitive terms must be given in lower case."""

    def __init__(self, terms, case_sensitive: bool, extra: str = TERM_RUN):
        self.case_sensitive, self.extra = case_sensitive, extra
        self.run = _run_regex(extra)
        ordered = sorted(set(terms), key=lambda t: (-len(t), t))
        self.starting: dict[str, list[str]] = {}
        self.loose: list[str] = []  # terms that start with another character
        for term in ordered:
            m = self.run.match(term)
            if m:
                self.starting.setdefault(m.group(), []).append(term)
            else:
                self.loose.append(term)

    def _ends(self, s: str, end: int) -> bool:
        if end == len(s):
            return True
        c = s[end]
        if _in_run(c, self.extra):
            return False
        return not (self.case_sensitive and c == "-" and end + 1 < len(s) and (s[end + 1].isalnum() or s[end + 1] == "_"))

    def _at(self, s: str, p: int, terms, skip=frozenset()) -> int | None:
        for term in terms:
            if s.startswith(term, p) and (not skip or term.lower() not in skip) and self._ends(s, p + len(term)):
                return p + len(term)
        return None

    def search(self, text: str, pos: int = 0) -> tuple[int, int] | None:
        """(start, end) of the first match at or after ``pos``."""
        s, starts, runs = _scan(text, self.case_sensitive, self.extra)
        found = None
        for i in range(bisect_left(starts, pos), len(starts)):
            terms = self.starting.get(runs[i])
            if terms:
                end = self._at(s, starts[i], terms)
                if end is not None:
                    found = (starts[i], end)
                    break
        for term in self.loose:  # rare; never at a run's start, so never at the same place as above
            at = s.find(term, pos)
            while at >= 0 and (found is None or at < found[0]):
                if (at == 0 or not _in_run(s[at - 1], self.extra)) and self._ends(s, at + len(term)):
                    found = (at, at + len(term))
                    break
                at = s.find(term, at + 1)
        return found

    def match(self, text: str, p: int, skip: frozenset[str]) -> int | None:
        """The end of the longest term, not one of ``skip`` (lower-cased), that matches at ``p``
        (a place where some term matched)."""
        s = _scan(text, self.case_sensitive, self.extra)[0]
        m = self.run.match(s, p)
        return self._at(s, p, self.starting.get(m.group(), ()) if m else self.loose, skip)


@dataclass(frozen=True)
class TermMatch:
    """Where a term was found: the text's own words (``group()``), as a regex match gives them."""

    text: str
    begin: int
    finish: int

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError("no such group: a term match has only the whole match")
        return self.text[self.begin:self.finish]

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


class WholeWords:
    r"""Phrases found in any case, as whole words (no run character, ``\w`` or one of ``extra``,
    right before or after), at each place the longest: what the regex
    ``(?<![\w{extra}])(?:phrase|…)(?![\w{extra}])`` with ``re.IGNORECASE`` and its phrases
    longest first finds, with a compiled pattern's ``search``, ``finditer``, ``findall``,
    ``fullmatch`` and ``sub``, but without compiling it (``LiteralTerms``). ASCII phrases only
    (``whole_words`` falls back to the regex)."""

    def __init__(self, phrases, extra: str):
        self.phrases = frozenset(p.lower() for p in phrases)
        self.terms = LiteralTerms(self.phrases, False, extra)

    def search(self, text: str, pos: int = 0) -> TermMatch | None:
        found = self.terms.search(text, pos)
        return TermMatch(text, *found) if found else None

    def finditer(self, text: str):
        pos = 0
        while (found := self.terms.search(text, pos)) is not None:
            yield TermMatch(text, *found)
            pos = found[1]

    def findall(self, text: str) -> list[str]:
        return [m.group() for m in self.finditer(text)]

    def fullmatch(self, text: str) -> TermMatch | None:
        """The whole text is one of the phrases (in any case): its edges are word edges."""
        return TermMatch(text, 0, len(text)) if text.translate(_FOLD) in self.phrases else None

    def sub(self, repl, text: str) -> str:
        """Every match replaced by ``repl``: a string (taken literally, so no backslash) or a
        function of the match."""
        if isinstance(repl, str) and "\\" in repl:
            raise ValueError("a replacement with a backslash needs the regex (group references)")
        out, last = [], 0
        for m in self.finditer(text):
            out += [text[last:m.start()], repl(m) if callable(repl) else repl]
            last = m.end()
        return "".join(out) + text[last:] if out else text


def whole_words_regex(phrases, extra: str) -> re.Pattern | None:
    """The definition of a ``WholeWords`` match (None for no phrases)."""
    phrases = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
    if not phrases:
        return None
    body = "|".join(re.escape(p) for p in phrases)
    return re.compile(rf"(?<![\w{re.escape(extra)}])(?:{body})(?![\w{re.escape(extra)}])", re.IGNORECASE)


def whole_words(phrases, extra: str) -> WholeWords | re.Pattern | None:
    """``WholeWords`` of the phrases, or ``whole_words_regex`` where one is not ASCII; None for none."""
    phrases = [p for p in phrases if p]
    if not phrases:
        return None
    return WholeWords(phrases, extra) if all(p.isascii() for p in phrases) else whole_words_regex(phrases, extra)
