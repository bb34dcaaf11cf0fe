"""The candidate's advice: ordered by what the engine says each change is worth, honest, concrete."""

import dataclasses
import tomllib

import pytest

from pipeline.file_to_result import file_to_result
from pipeline.fit_to_advice import (
    BulletProbe,
    advice_text,
    competency_gains,
    find_level,
    fit_with_bullet,
    fit_to_advice,
    open_competencies,
    probe_text,
    read_probes_ahead,
    with_bullet,
)
from pipeline.profile_to_fit import profile_to_fit, profile_to_unit_groups
from pipeline.types import Contact, Experience, Line, Position, Profile, Section, Verdict, YearMonth
from tests.conftest import AS_OF, EXAMPLES, ROOT, corpus_or_skip

SCORED = [
    "01-associate-pm-jonah-okafor-reyes.pdf",
    "02-tpm-daniela-ferreira-holt.pdf",
    "03-senior-tpm-maya-lindqvist.pdf",
    "05-cpo-celeste-marchetti-obi.pdf",
    "06-product-owner-henrik-solberg.pdf",
]


@pytest.fixture(scope="module")
def results(rubric, settings):
    return {name: file_to_result(EXAMPLES / name, rubric, settings) for name in SCORED}


@pytest.fixture(scope="module")
def advices(results, rubric):
    return {name: fit_to_advice(r.profile, r.fit, r.level, rubric) for name, r in results.items()}


def line(text: str, bullet: bool = True) -> Line:
    return Line(text, text, 1, 50.0, 100.0, 500.0, 110.0, 10.0, False, bullet=bullet)


def tiny_profile(bullets=(), skills=(), ended: YearMonth | None = None) -> Profile:
    start = YearMonth(ended.year - 3, ended.month) if ended else YearMonth(2022, 1)
    role = Position("Product Manager", "Example Co", start, ended, ended is None, tuple(line(b) for b in bullets))
    sections = (Section("skills", "Skills", tuple(line(s, bullet=False) for s in skills)),) if skills else ()
    return Profile(AS_OF, sections, Contact(), (role,), (), (), (), Experience(total_months=58), Verdict(True))


# ---------------------------------------------------------------------------------------------
# Ordering and gains: the engine's own numbers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCORED)
def test_suggestions_are_ordered_by_gain_and_gains_are_real(results, advices, name):
    r, advice = results[name], advices[name]
    gains = [s.gain for s in advice.suggestions]
    assert gains == sorted(gains, reverse=True)
    assert all(g > 0 for g in gains)
    assert advice.overall == r.fit.overall
    full = {c.id for c in r.fit.competencies if c.score >= 1.0}
    assert not full & {s.competency for s in advice.suggestions}, "a competency at full marks cannot gain"


def test_doing_the_top_suggestion_moves_the_score_by_its_gain(results, advices, rubric):
    r = results["02-tpm-daniela-ferreira-holt.pdf"]
    top = advices["02-tpm-daniela-ferreira-holt.pdf"].suggestions[0]
    comp = next(c for cat in rubric.model.categories for c in cat.competencies if c.id == top.competency)
    rescored = profile_to_fit(with_bullet(r.profile, probe_text(comp, advice_text(rubric)["probe"])), rubric)
    assert rescored.overall == pytest.approx(r.fit.overall + top.gain, abs=0.05)
    assert next(c for c in rescored.competencies if c.id == top.competency).score > top.score


def test_gains_do_not_depend_on_how_the_work_is_split(results, advices, rubric):
    name = "03-senior-tpm-maya-lindqvist.pdf"
    r = results[name]
    ids = open_competencies(r.fit)
    split = {**competency_gains(r.profile, r.fit, rubric, ids[1::2]), **competency_gains(r.profile, r.fit, rubric, ids[::2])}
    assert {s.competency: s.gain for s in advices[name].suggestions} == {k: v for k, v in split.items() if v > 0}
    assert fit_to_advice(r.profile, r.fit, r.level, rubric, gains=split) == advices[name]


def test_a_re_score_that_reads_only_the_changed_role_equals_a_full_re_score(results, rubric):
    """The advice re-scores each probe by reading again only the role the bullet was added to
    (``fit_with_bullet`` with the profile's unit groups): every Fit, with all its evidence, must
    be the one a full ``profile_to_fit`` gives, for every competency and every example."""
    template = advice_text(rubric)["probe"]
    profiles = [r.profile for r in results.values() if r.profile is not None]
    profiles.append(dataclasses.replace(tiny_profile(), positions=()))  # no role: one is made
    for profile in profiles:
        groups = profile_to_unit_groups(profile, rubric)
        for cat in rubric.model.categories:
            for comp in cat.competencies:
                text = probe_text(comp, template)
                assert fit_with_bullet(profile, rubric, text, groups) == profile_to_fit(with_bullet(profile, text), rubric)



def test_probes_read_ahead_change_no_gain_and_are_not_read_again(results, rubric):
    """``read_probes_ahead`` (``rolefit score`` while its PDF is read) reads each probe bullet
    before any résumé: every gain is the same as without it, and the gains then read no probe's
    text again."""
    import pipeline.profile_to_fit as stage

    def gains_with_a_new_matcher(ahead: bool):
        stage._MATCHERS.clear()
        steps = sum(1 for _ in read_probes_ahead(rubric)) if ahead else 0
        read = set(stage.rubric_matcher(rubric)._read)
        gains = {name: competency_gains(r.profile, r.fit, rubric, open_competencies(r.fit)) for name, r in results.items()}
        new = {key for key in stage.rubric_matcher(rubric)._read if key not in read and key[0] == "readings"}
        return steps, gains, new

    try:
        _, plain, _ = gains_with_a_new_matcher(False)
        steps, ahead, new = gains_with_a_new_matcher(True)
    finally:
        stage._MATCHERS.clear()
    assert steps == sum(len(c.competencies) for c in rubric.model.categories)
    assert ahead == plain and any(plain.values())
    template = advice_text(rubric)["probe"]
    probes = {probe_text(c, template) for cat in rubric.model.categories for c in cat.competencies}
    assert not {key[1] for key in new} & probes

def _probe_profiles(results, rubric, settings, corpus_files: int = 0):
    profiles = [r.profile for r in results.values() if r.profile is not None]
    profiles.append(dataclasses.replace(tiny_profile(), positions=()))  # no role: one is made
    profiles.append(tiny_profile(["Wrote the specs for the billing API"]))  # a title with no context
    if corpus_files:
        livecareer = sorted((corpus_or_skip() / "livecareer").glob("*/*.pdf"))
        for path in livecareer[:: max(1, len(livecareer) // corpus_files)][:corpus_files]:
            r = file_to_result(path, rubric, settings)
            if r.profile is not None and r.profile.positions:
                profiles.append(r.profile)
    return profiles


@pytest.mark.parametrize("corpus_files", [0, 24], ids=["examples", "corpus"])
def test_the_bullet_probe_gives_the_overall_of_a_full_re_score(results, rubric, settings, corpus_files):
    """``BulletProbe`` (what ``competency_gains`` uses) re-scores only the competencies a bullet
    changes: its overall must be that of ``fit_with_bullet`` (itself checked against a full
    ``profile_to_fit`` above), for every competency, on the examples and on real résumés."""
    template = advice_text(rubric)["probe"]
    checked = 0
    for profile in _probe_profiles(results, rubric, settings, corpus_files):
        probe = BulletProbe(profile, rubric)
        groups = profile_to_unit_groups(profile, rubric)
        assert probe.overall("") == probe.overall("") and probe.scores == [
            c.score for c in profile_to_fit(profile, rubric).competencies]
        for cat in rubric.model.categories:
            for comp in cat.competencies:
                text = probe_text(comp, template)
                assert probe.overall(text) == fit_with_bullet(profile, rubric, text, groups).overall, (comp.id, text)
                checked += 1
    assert checked >= 18 * (len(SCORED) + 2 + corpus_files // 2)


def test_the_probe_bullet_shows_one_competency_and_nothing_else(rubric):
    """The hypothetical bullet measures one competency: it must not raise any other."""
    base = tiny_profile()
    template = advice_text(rubric)["probe"]
    for cat in rubric.model.categories:
        for comp in cat.competencies:
            fit = profile_to_fit(with_bullet(base, probe_text(comp, template)), rubric)
            raised = {c.id for c in fit.competencies if c.score > 0}
            assert raised == {comp.id}, (comp.id, raised)


def test_a_profile_without_roles_gets_a_hypothetical_current_role(rubric):
    bare = dataclasses.replace(tiny_profile(), positions=())
    probed = with_bullet(bare, "api: a 30% improvement")
    assert len(probed.positions) == 1 and probed.positions[0].current
    assert profile_to_fit(probed, rubric).overall > profile_to_fit(bare, rubric).overall


# ---------------------------------------------------------------------------------------------
# Phrasing: names the competency, says why and what evidence; never invents
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bullets, skills, ended, kind, quoted",
    [
        ((), (), None, "add", ""),
        ((), ("SQL, Jira, Figma",), None, "listed_only", "sql"),
        (("Wrote SQL queries to size the onboarding problem",), (), None, "no_result", "Wrote SQL queries to size the onboarding problem"),
        (("Wrote SQL queries that cut report time by 40%",), (), YearMonth(2016, 6), "more", "Wrote SQL queries that cut report time by 40%"),
    ],
    ids=["nothing", "skills-only", "bullet-without-figure", "old-measured-bullet"],
)
def test_suggestion_kind_follows_what_the_resume_shows(rubric, bullets, skills, ended, kind, quoted):
    from pipeline.profile_to_level import profile_to_level

    profile = tiny_profile(bullets, skills, ended)
    fit = profile_to_fit(profile, rubric)
    assert next(c for c in fit.competencies if c.id == "data").score < 1.0

    advice = fit_to_advice(profile, fit, profile_to_level(profile, rubric), rubric)
    s = next(s for s in advice.suggestions if s.competency == "data")
    assert s.kind == kind
    assert s.quote.lower() == quoted.lower()
    if quoted:
        assert quoted.lower() in s.action.lower()


@pytest.mark.parametrize("name", SCORED)
def test_every_suggestion_is_concrete_and_honest(advices, rubric, name):
    advice = advices[name]
    comps = {c.id: c for cat in rubric.model.categories for c in cat.competencies}
    assert "never" in advice.honesty and "actually done" in advice.honesty
    for s in advice.suggestions:
        assert s.name == comps[s.competency].name
        assert s.why and s.action
        assert comps[s.competency].advice.rstrip(".") in s.action  # what kind of evidence would show it
        if s.kind == "add":
            assert s.action.startswith("No evidence yet. If you have done this")


def test_advice_text_covers_every_competency_and_dimension(rubric):
    data = tomllib.loads((ROOT / "rubrics" / "advice.toml").read_text(encoding="utf-8"))
    ids = {c.id for cat in rubric.model.categories for c in cat.competencies}
    assert ids <= set(data["why"]), ids - set(data["why"])
    assert set(data["dimensions"]) == {"years", "scope", "people", "strategy"}
    for dim in data["dimensions"].values():
        assert set(dim["competencies"]) <= ids


def test_another_roles_rubric_gives_its_own_reasons(settings):
    """A second rubric (pm.toml) says why each competency matters in its own words, not the TPM's."""
    from pipeline.rubric import RUBRICS_DIR, load_rubric

    pm = load_rubric(RUBRICS_DIR / "pm.toml")
    whys = {c.id: c.why for cat in pm.model.categories for c in cat.competencies}
    assert all(whys.values()), [k for k, v in whys.items() if not v]
    result = file_to_result(EXAMPLES / "01-associate-pm-jonah-okafor-reyes.pdf", pm, settings)
    advice = fit_to_advice(result.profile, result.fit, result.level, pm)
    assert advice.suggestions
    assert [s.why for s in advice.suggestions] == [whys[s.competency] for s in advice.suggestions]


# ---------------------------------------------------------------------------------------------
# --target: the gap to a level, from the ladder signals
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wanted, expected", [("senior", 2), ("Senior TPM", 2), ("  VP of product / CPO ", 4), ("nope", None)])
def test_find_level_by_id_or_name(rubric, wanted, expected):
    assert find_level(rubric, wanted) == expected


def test_target_above_shows_which_signals_are_missing(results, rubric):
    r = results["01-associate-pm-jonah-okafor-reyes.pdf"]
    gap = fit_to_advice(r.profile, r.fit, r.level, rubric, target="principal").target
    assert gap.level == "principal" and not gap.reached
    dims = {c.dimension for c in gap.checks}
    assert {"years", "scope", "people", "strategy"} <= dims
    missing = {c.dimension for c in gap.missing}
    assert {"years", "scope", "people"} <= missing
    assert all(c.hint for c in gap.missing)
    assert all(c.expected and c.shown for c in gap.checks)


def test_target_at_or_below_the_likely_level_is_reached(results, rubric):
    r = results["05-cpo-celeste-marchetti-obi.pdf"]
    gap = fit_to_advice(r.profile, r.fit, r.level, rubric, target="tpm").target
    assert gap.reached
    assert not gap.missing


def test_target_marks_suggestions_that_also_show_a_missing_signal(results, rubric):
    r = results["01-associate-pm-jonah-okafor-reyes.pdf"]
    advice = fit_to_advice(r.profile, r.fit, r.level, rubric, target="principal")
    marked = {s.competency for s in advice.suggestions if s.target_note}
    assert marked and marked <= {"stakeholders", "communication", "architecture", "mentoring", "roadmap", "business"}
    assert not any(s.target_note for s in fit_to_advice(r.profile, r.fit, r.level, rubric).suggestions)


def test_unknown_target_is_a_value_error(results, rubric):
    r = results["02-tpm-daniela-ferreira-holt.pdf"]
    with pytest.raises(ValueError, match="unknown level"):
        fit_to_advice(r.profile, r.fit, r.level, rubric, target="wizard")


# ---------------------------------------------------------------------------------------------
# --jd: suggestions the job description asks for say so
# ---------------------------------------------------------------------------------------------

JOB = """# Senior Technical Product Manager
## Requirements
- 5+ years of product management experience
- Run customer discovery and user research with design
- Experience defining success metrics and acceptance criteria
## Nice to have
- Experience mentoring product managers
"""


def test_job_description_marks_the_suggestions_it_asks_for(rubric, settings):
    from pipeline.text_to_job import text_to_job

    job = text_to_job(JOB, "job.md", rubric)
    r = file_to_result(EXAMPLES / "03-senior-tpm-maya-lindqvist.pdf", rubric, settings, job)
    advice = fit_to_advice(r.profile, r.fit, r.level, rubric, job=r.job_match)
    unmet = {c for m in r.job_match.skills if m.score < 1.0 for c in m.skill.competencies}
    assert unmet, "the job description should ask for something this résumé does not fully show"
    for s in advice.suggestions:
        assert bool(s.job_note) == (s.competency in unmet), s.competency
    noted = [s for s in advice.suggestions if s.job_note]
    assert noted and all(s.job_note.startswith("The job description") for s in noted)
    assert [s.gain for s in advice.suggestions] == [s.gain for s in fit_to_advice(r.profile, r.fit, r.level, rubric).suggestions]
