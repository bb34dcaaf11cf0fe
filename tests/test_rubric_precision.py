"""Precision of the TPM rubric's everyday words: a quote credited to a competency must show it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "keyword,bullet,title,counts",
    [
        ("with engineering", "Worked with engineering on the office rollout", "IT Support", True),
        ("architecture", "Documented the disaster recovery architecture", "IT Support", True),
        ("approved by", "The app's release was approved by the board", "Coordinator", True),
        ("it security", "Owned IT security for the office", "IT Support", False),
    ],
)
def test_a_keyword_is_not_its_own_context_word_by_word(rubric, keyword, bullet, title, counts):
    """A keyword is never its own context, compared word by word: the context word "IT" is not
    inside "with engineering" or "architecture", nor "app" inside "approved by", so they count;
    "IT" is inside "IT security", which needs another context."""
    from pipeline.profile_to_fit import profile_to_fit
    from tests.test_profile_to_fit import _one_competency_rubric, comp, make_profile

    custom, cid = _one_competency_rubric(rubric, [], [keyword])
    fit = profile_to_fit(make_profile(bullets=[bullet], title=title), custom)
    assert (comp(fit, cid).score > 0) == counts
