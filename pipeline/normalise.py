"""Text clean-up for one extracted line: pure string functions, no PDF library."""

from __future__ import annotations

import re
import unicodedata

_CID = re.compile(r"\(cid:\d+\)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_BULLETS = re.compile(r"^\s*[•·▪▫◦●○■□♦◆►▶➢➤✓✔\-–—*]+\s+")
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "‐": "-", "‑": "-", "‒": "-"})


def is_bullet(raw: str) -> bool:
    return bool(_BULLETS.match(unicodedata.normalize("NFKC", raw)))


def normalise_line(raw: str) -> str:
    """NFKC, drop icon glyphs and controls, unify quotes, strip bullets and extra spaces."""
    text = unicodedata.normalize("NFKC", raw)
    text = _CID.sub("", text)
    text = _PRIVATE_USE.sub("", text)
    text = _CONTROLS.sub("", text)
    text = text.translate(_QUOTES)
    text = _BULLETS.sub("", text)
    return _SPACES.sub(" ", text).strip()
