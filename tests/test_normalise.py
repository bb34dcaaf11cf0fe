"""Text clean-up, one line at a time and across line ends (pipeline.normalise)."""

import pytest

from pipeline.normalise import clean_line, glued_counts, is_bullet, join_hyphenated, normalise_line

# raw line as the PDF gives it -> (normalised text, bullet, unknown glyphs dropped)
CASES = [
    ("Led the ﬁrst ﬂeet rollout", "Led the first fleet rollout", False, 0),  # ligatures (NFKC)
    ("Ｆｕｌｌ\u00a0width", "Full width", False, 0),  # full-width forms, no-break space
    ("• Shipped billing v2", "Shipped billing v2", True, 0),
    ("●Shipped billing v2", "Shipped billing v2", True, 0),
    ("▪ Owned roadmap", "Owned roadmap", True, 0),
    ("➢ Owned roadmap", "Owned roadmap", True, 0),
    ("– Owned roadmap", "Owned roadmap", True, 0),
    ("- Owned roadmap", "Owned roadmap", True, 0),
    ("* Owned roadmap", "Owned roadmap", True, 0),
    ("o Owned roadmap", "Owned roadmap", True, 0),  # Word's second-level bullet
    ("(cid:127) Built a data platform", "Built a data platform", True, 0),  # LaTeX bullet glyph
    ("\uf0b7 Built a data platform", "Built a data platform", True, 0),  # Symbol-font bullet
    ("-5% churn after launch", "-5% churn after launch", False, 0),  # a minus, not a bullet
    ("oversaw the migration", "oversaw the migration", False, 0),
    ("(cid:66) jane@example.com • (cid:205) example.com", "jane@example.com • example.com", True, 1),
    ("Call \uf095 555 0100 or \uf0e0 mail", "Call 555 0100 or mail", False, 2),  # icon fonts
    ("Company Name â€“ City , State", "Company Name – City , State", False, 0),  # mojibake
    ("CafÃ© owner, DISEÃ‘ADOR", "Café owner, DISEÑADOR", False, 0),
    ("Corel Draw GraphicsÂ proficient", "Corel Draw Graphics proficient", False, 0),
    ("AutoCAD proficientÂ", "AutoCAD proficient", False, 0),
    ("Â Consulting", "Consulting", False, 0),
    ("Beyoncé – naïve café", "Beyoncé – naïve café", False, 0),  # correct text left alone
    ("high\u00adimpact launches", "high-impact launches", False, 0),  # visible soft hyphen
    ("“Quoted” and ‘single’", "\"Quoted\" and 'single'", False, 0),
    ("zero\u200bwidth\u200e marks\x07", "zerowidth marks", False, 0),
    ("  many   spaces\there ", "many spaces here", False, 0),
    ("语 言 技 能 Python", "语言技能 Python", False, 0),  # no spaces between CJK glyphs
    ("プロダクト マネージャー 〜 SQL", "プロダクトマネージャー〜 SQL", False, 0),  # kana, and U+301C, the first block
]


@pytest.mark.parametrize("raw, text, bullet, unknown", CASES)
def test_clean_line(raw, text, bullet, unknown):
    cleaned = clean_line(raw)
    assert (cleaned.text, cleaned.bullet, cleaned.unknown_glyphs) == (text, bullet, unknown)
    assert normalise_line(raw) == text
    assert is_bullet(raw) == bullet


def test_mojibake_repair_is_reported():
    assert clean_line("Company Name â€“ City").repaired
    assert not clean_line("Company Name – City").repaired


def test_soft_hyphen_at_line_end_is_a_break():
    cleaned = clean_line("develop\u00ad")
    assert cleaned.text == "develop" and cleaned.soft_break
    assert join_hyphenated(cleaned.text, "ment of the API", soft=True) == ("development", "of the API")


# (first line, next line) -> rejoined lines, or None when they stay as they are
HYPHENATION = [
    (("Led the develop-", "ment of our API"), ("Led the development", "of our API")),
    (("Worked with cross-", "functional teams"), ("Worked with cross-functional", "teams")),
    (("Built a data-", "driven culture"), ("Built a data-driven", "culture")),
    (("Owned the roadmap for 2019 -", "2021 releases"), None),  # not a word break
    (("Owned the road-", "Map team"), None),  # next line starts a new sentence
    (("Owned the roadmap", "for two teams"), None),
    (("Reduced costs by 5 –", "and more"), None),  # an en dash is not a hyphen
]


@pytest.mark.parametrize("lines, joined", HYPHENATION)
def test_join_hyphenated(lines, joined):
    assert join_hyphenated(*lines) == joined


@pytest.mark.parametrize(
    "text, glued",
    [
        ("Led and shipped Yoda the admin interface", 0),
        ("LedandshippedYodatheadmininterface for Phoenix", 1),
        ("telecommunications internationalization", 0),  # real long words
        ("DevOpsEngineerwithtenyears", 1),
        ("修复了连接未正常关闭导致文件描述符耗尽的问题", 0),  # no spaces in Chinese
    ],
)
def test_glued_counts(text, glued):
    assert glued_counts(text)[0] == glued
