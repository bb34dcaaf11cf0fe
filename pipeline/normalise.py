"""Text clean-up for extracted lines: pure string functions, no PDF library.

One line at a time (``clean_line``): mojibake repair, soft hyphens, bullets, icon glyphs,
NFKC, controls, quotes. Across lines (``join_hyphenated``): words hyphenated at a line end.
Over a document (``glued_counts``): how many tokens look like several words glued together.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

SOFT_HYPHEN = "\u00ad"

_CID = re.compile(r"\(cid:\d+\)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd]")
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffd]"
)
# Bullet glyphs as they come out of PDFs: typographic bullets, arrows, check marks, dashes, the
# asterisk, Word's "o" sub-bullet before a capital, an unmapped glyph "(cid:N)" or a private-use
# (Wingdings/Symbol/icon font) character at the start of a line.
_BULLET_CHARS = "•·∙⋅⦁▪▫◦●○◉◘■□♦◆◇❖►▶▸▹‣⁃➢➤➣➔→⇒✓✔✗✘★☆✦✧∗*>\\-–—"
_BULLET = re.compile(
    rf"^\s*(?:(?:[{_BULLET_CHARS}]|\(cid:\d+\)|[\ue000-\uf8ff])+\s*(?=\S|$)|o\s+(?=[A-Z]))"
)
# After a bullet glyph, a dash or asterisk only counts when a space follows ("- Led", not "-5%").
_DASH_NO_SPACE = re.compile(r"^\s*[\-–—*>]+(?=\S)")
_SPACES = re.compile(r"\s+")
# Chinese and Japanese have no spaces between words; PDF glyph gaps are not word breaks.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_FIRST = "\u3000"  # the lowest code point in _CJK: text with none at or above it has no gap to close


@functools.cache
def _cjk_gap() -> re.Pattern:  # compiled when first needed: ≈ 3 ms, and most résumés never need it
    return re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‐": "-", "‑": "-", "‒": "-"}
)
# Mojibake markers: UTF-8 read as Windows-1252/Latin-1 ("â€“", "Ã©", "Â ").
_MOJIBAKE_HINT = re.compile("[ÃÂâ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122 ]|Â$")
# A lone "Â" left where a no-break space was (word end, line end, or standing alone).
_STRAY_A_CIRC = re.compile(r"(?<=[a-z0-9.,;:)\]])Â(?=\s|$)|(?:(?<=\s)|^)Â(?=\s|$)")


@dataclass(frozen=True)
class CleanLine:
    text: str  # normalised
    bullet: bool  # the raw line started with a bullet glyph (stripped from ``text``)
    unknown_glyphs: int  # (cid:N) and private-use glyphs dropped (a leading bullet not counted)
    repaired: bool  # mojibake was repaired
    soft_break: bool  # ended in a soft hyphen: the last word continues on the next line


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-Latin-1 where it is unambiguous (ftfy's judgement), plus stray ``Â``."""
    if not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy  # here, not at the top: most lines never need it and it costs ≈ 35 ms to import

    fixed = ftfy.fix_encoding(text)
    return _STRAY_A_CIRC.sub(" ", fixed)


def clean_line(raw: str) -> CleanLine:
    """Normalise one visual line as the PDF gave it."""
    text = repair_mojibake(raw)
    repaired = text != raw
    text = text.rstrip()
    soft_break = text.endswith(SOFT_HYPHEN)
    # A soft hyphen inside a line is a visible hyphen (LuaTeX Awesome-CV); at the end, a break.
    text = text.rstrip(SOFT_HYPHEN).replace(SOFT_HYPHEN, "-")
    bullet = False
    match = _BULLET.match(text)
    if match and not _DASH_NO_SPACE.match(text):
        bullet = True
        text = text[match.end():]
    unknown = len(_CID.findall(text)) + len(_PRIVATE_USE.findall(text))
    text = _PRIVATE_USE.sub("", _CID.sub("", text))
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROLS.sub("", text).translate(_QUOTES)
    text = _SPACES.sub(" ", text).strip()
    if text and max(text) >= _CJK_FIRST:
        text = _cjk_gap().sub("", text)
    return CleanLine(text, bullet, unknown, repaired, soft_break)


def normalise_line(raw: str) -> str:
    """The normalised text of one line (see ``clean_line``)."""
    return clean_line(raw).text


def is_bullet(raw: str) -> bool:
    return clean_line(raw).bullet


# ---------------------------------------------------------------------------------------------
# Words hyphenated across line ends
# ---------------------------------------------------------------------------------------------

# First or second halves that make a real hyphenated compound: "cross-/functional" stays
# "cross-functional"; "develop-/ment" becomes "development".
COMPOUND_FIRST = frozenset(
    "cross self end co non multi full part long short high low well real one two three four five "
    "front back third first second top mid wide world best data user customer client team "
    "market cost time fast state follow start open close hands go e b x".split()
)
COMPOUND_SECOND = frozenset(
    "based driven facing focused oriented functional level scale term time stack end side "
    "source house date to up on off over out making minded wide class grade world quality "
    "related specific friendly ready first native owned led run".split()
)
_LINE_END_HYPHEN = re.compile(r"([A-Za-z]{2,})-$")
_NEXT_WORD = re.compile(r"^([a-z][a-z]*)(.*)$", re.DOTALL)


def join_hyphenated(first: str, second: str, soft: bool = False) -> tuple[str, str] | None:
    """Rejoin a word split across two lines; returns the two new texts, or None to leave them.

    ``soft``: the first line ended in a soft hyphen (always a break inside one word).
    """
    nxt = _NEXT_WORD.match(second)
    if not nxt:
        return None
    word, rest = nxt.group(1), nxt.group(2).lstrip()
    if soft:
        return first + word, rest
    end = _LINE_END_HYPHEN.search(first)
    if not end:
        return None
    head = end.group(1).lower()
    keep_hyphen = head in COMPOUND_FIRST or word in COMPOUND_SECOND
    joined = first if keep_hyphen else first[:-1]
    return joined + word, rest


# ---------------------------------------------------------------------------------------------
# Glued words
# ---------------------------------------------------------------------------------------------

GLUED_MIN_LETTERS = 18
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# Real English words of 18+ letters that a résumé may contain; anything else that long is
# almost always several words run together ("Ledandshippedthenewplatform").
LONG_WORDS = frozenset(
    """
    telecommunications internationalization internationalisation characterization
    characterisation counterintelligence electroencephalography interdisciplinarity
    institutionalization institutionalisation compartmentalization compartmentalisation
    industrialization industrialisation commercialization commercialisation
    deinstitutionalization electromechanical electrophysiology electrophysiological
    microelectromechanical microelectronics immunohistochemistry neuropsychological
    psychopharmacology otorhinolaryngology spectrophotometry chromatographically
    uncharacteristically counterproductive disproportionately interrelationships
    misunderstandings oversimplification straightforwardness incomprehensibility
    responsibilities multidisciplinary transformational representationally
    """.split()
)


_LATIN = re.compile("[A-Za-z\u00c0-\u024f]+")


def is_glued(token: str) -> bool:
    """A Latin-letters token long enough to be several words, and not a known long word.

    Scripts written without spaces (Chinese, Japanese) never count.
    """
    return len(token) >= GLUED_MIN_LETTERS and token.lower() not in LONG_WORDS and bool(_LATIN.fullmatch(token))


def glued_counts(text: str) -> tuple[int, int]:
    """(glued tokens, all letter tokens) in ``text``."""
    tokens = _LETTER_RUN.findall(text)
    return sum(is_glued(t) for t in tokens), len(tokens)
