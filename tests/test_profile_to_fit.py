"""Stage 3 (profile_to_fit): what counts as evidence, how strong, and what never counts.

Profiles are built directly (no PDF) so each rule is tested on exactly the words it is about.
``make_profile`` is shared with the property tests.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline.profile_to_fit import lines_to_items, profile_to_fit
from pipeline.types import Contact, Experience, Line, Position, Profile, Section, Verdict, YearMonth

AS_OF = date(2026, 11, 26)


def line(text: str, page: int = 1, bullet: bool = True, top: float = 0.0) -> Line:
    return Line(text=text, raw=text, page=page, x0=50, top=top, x1=500, bottom=top + 10, size=10, bold=False,
                bullet=bullet)


def make_profile(
    bullets: list[str] = (),
    skills: list[str] = (),
    summary: list[str] = (),
    title: str = "Technical Product Manager",
    end: YearMonth | None = None,
    start: YearMonth = YearMonth(2022, 1),
    contact: Contact = Contact(name="Alex Example", email="alex@example.com", phone="+1 555 0100"),
    header: list[str] | None = None,
    more_positions: tuple[Position, ...] = (),
) -> Profile:
    header_lines = tuple(line(t, bullet=False) for t in (header if header is not None else [contact.name, contact.email]))
    bullet_lines = tuple(line(t) for t in bullets)
    position = Position(
        title=title, organisation="Example Corp", start=start, end=end, current=end is None,
        bullets=bullet_lines, months=12,
    )
    sections = [Section("header", "", header_lines)]
    if summary:
        sections.append(Section("summary", "Summary", tuple(line(t, bullet=False) for t in summary)))
    sections.append(Section("experience", "Experience", bullet_lines))
    if skills:
        sections.append(Section("skills", "Skills", tuple(line(t, bullet=False) for t in skills)))
    return Profile(
        as_of=AS_OF, sections=tuple(sections), contact=contact, positions=(position, *more_positions),
        education=(), certifications=(), skills=tuple(skills), experience=Experience(),
        verdict=Verdict(True),
    )


def comp(fit, cid):
    return next(c for c in fit.competencies if c.id == cid)


def score_of(rubric, cid, **kw) -> float:
    return comp(profile_to_fit(make_profile(**kw), rubric), cid).score


# ----------------------------------------------------------------------------------------------
# Aliases on token boundaries and near-spellings
# ----------------------------------------------------------------------------------------------

MATCHES = [
    # (bullet, competency, counts?)
    ("Moved the team to CI/CD with GitHub Actions for the product", "devops", True),
    ("Introduced continuous delivery for the mobile app", "devops", True),
    ("Ran the product on k8s across three regions", "cloud", True),
    ("Migrated the product's services to Kubernets", "cloud", True),  # near-spelling
    ("Wrote PRDs and API specs with the platform team", "specs", True),
    ("Prioritised the roadmap with RICE scoring", "roadmap", True),
    ("Ran A/B tests on the checkout flow", "data_driven", True),
    ("Cooked rice and beans for 300 guests daily", "roadmap", False),  # "RICE" is case-sensitive
    ("Throughout the year I supported the office", "scalability", False),  # not "throughput"
]


@pytest.mark.parametrize("bullet,cid,counts", MATCHES)
def test_alias_and_near_spelling_matches(rubric, bullet, cid, counts):
    assert (score_of(rubric, cid, bullets=[bullet]) > 0) == counts


def _one_competency_rubric(rubric, aliases, keywords=()):
    """The TPM rubric with one competency's terms replaced (to test the matcher on any term)."""
    from dataclasses import replace

    from pipeline.rubric import Rubric

    model = rubric.model
    cat = model.categories[0]
    first = replace(cat.competencies[0], aliases=tuple(aliases), keywords=tuple(keywords), references=())
    cat = replace(cat, competencies=(first,) + cat.competencies[1:])
    model = replace(model, categories=(cat,) + model.categories[1:])
    return Rubric(model=model, path="test", sha256="test-" + "-".join(aliases) + "|" + "-".join(keywords)), first.id


@pytest.mark.parametrize(
    "aliases,text,counts",
    [
        (["java"], "Built services in Java and Kotlin", True),
        (["java"], "Built web front ends in JavaScript", False),
        (["Go"], "Wrote the ingestion service in Go", True),
        (["Go"], "Good at building good relationships", False),
        (["Go"], "Ran the go-live of the new menu", False),
        (["c++"], "Systems programming in C++ and Rust", True),
        (["sql"], "Wrote SQL against the warehouse", True),
        (["sql"], "Used NoSQL stores", False),
    ],
)
def test_token_boundaries(rubric, aliases, text, counts):
    custom, cid = _one_competency_rubric(rubric, aliases)
    assert (comp(profile_to_fit(make_profile(bullets=[text]), custom), cid).score > 0) == counts


def test_pm_initials_are_not_product_management(rubric):
    """"PM" as a person's initials, or a time of day, is not evidence of product work."""
    plain = make_profile(bullets=["Answered phones for the front desk"])
    initials = make_profile(bullets=["Answered phones for the front desk (supervisor: P.M. Jones, PM)",
                                     "Shift ended at 5 PM"])
    assert profile_to_fit(initials, rubric).overall == profile_to_fit(plain, rubric).overall


# ----------------------------------------------------------------------------------------------
# Everyday words need a technical or product context
# ----------------------------------------------------------------------------------------------

CONTEXT = [
    ("Launched a new seasonal menu across four restaurants", "launches", "Executive Chef", False),
    ("Launched the beta of our mobile app to 5,000 users", "launches", "Product Manager", True),
    ("Assessed credit risk for the commercial loan book", "risk", "Credit Analyst", False),
    ("Tracked delivery risks and dependencies across the platform teams", "risk", "Product Manager", True),
    ("Wrote the press release for the gallery opening", "launches", "Publicist", False),
    ("Delivered excellent table service to 200 guests a night", "launches", "Server", False),
    ("Managed the release of the Android app every two weeks", "launches", "Product Manager", True),
    # Bare "performance", "security", "cloud", "beta", "stories", "coding" are other trades' words too.
    ("Built SQL and Tableau reporting on carrier performance for the software team", "scalability",
     "Product Manager", False),
    ("Cut page load time by 40% for the web app", "scalability", "Product Manager", True),
    ("Ran store security and loss prevention for the flagship", "scalability", "Store Manager", False),
    ("Rolled out IT security policies for the SaaS platform", "scalability", "IT Manager", True),
    ("Designed brochures in Adobe Creative Cloud for the web team", "cloud", "Designer", False),
    ("Moved the app's back end to the cloud", "cloud", "Product Manager", True),
    ("Member of Tau Beta Pi, the engineering honor society", "launches", "Engineer", False),
    ("Edited feature stories for the web edition", "backlog", "Editor", False),
    ("Coded and paid invoices in the ERP", "engineering", "Accountant", False),
    ("Met editorial deadlines every week", "delivery", "Editor", False),
    ("Tracked milestones and deadlines for the Android release with engineering", "delivery",
     "Product Manager", True),
]


@pytest.mark.parametrize("bullet,cid,title,counts", CONTEXT)
def test_everyday_words_count_only_in_context(rubric, bullet, cid, title, counts):
    assert (score_of(rubric, cid, bullets=[bullet], title=title) > 0) == counts


HANDS_ON = [
    # (bullet, counts as a hands-on technical background?)
    ("Wrote Python scripts to clean the usage data", True),
    ("Built the internal admin tool in Django and PostgreSQL", True),
    ("Administered Linux servers and the office VPN", True),
    ("Designed the charger housing in SolidWorks and ran finite element analysis", True),
    ("Organised the Back to School Bash for 300 families", False),  # a party, not the shell
    ("Secured magazine covers for Taylor Swift and Rihanna", False),  # a singer, not the language
    ("Barista at BigFoot java bar", False),  # lower-case "java" is coffee; "Java" the language
]


@pytest.mark.parametrize("bullet,counts", HANDS_ON)
def test_hands_on_technical_background(rubric, bullet, counts):
    assert (score_of(rubric, "engineering", bullets=[bullet], title="Associate") > 0) == counts


@pytest.mark.parametrize("address", [
    "www.example.lib.ks.us/history/api.html",
    "https://github.com/someone/kubernetes-roadmap",
    "portfolio: someone.com/sql/ci-cd",
    "api.roadmap@example.com",
])
def test_web_and_mail_addresses_in_the_body_are_not_evidence(rubric, address):
    """An address is not work: blind review removes it, so it must not count before either."""
    plain = profile_to_fit(make_profile(bullets=["Answered the phone for the store"]), rubric)
    linked = profile_to_fit(make_profile(bullets=[f"Answered the phone for the store {address}"]), rubric)
    assert [c.score for c in linked.competencies] == [c.score for c in plain.competencies]
    assert linked.overall == plain.overall == 0


@pytest.mark.parametrize(
    "summary,counts",
    [
        ("Technical program manager. I do not set product roadmaps; I make sure they ship.", False),
        ("Program manager who never owned a product roadmap", False),
        ("Not only owned the product roadmap but also ran the launches", True),
        ("Never missed a date, and owned the product roadmap for the platform", True),
        ("Owned the product roadmap without a dedicated designer", True),
    ],
)
def test_a_denied_term_is_not_evidence(rubric, summary, counts):
    assert (score_of(rubric, "roadmap", bullets=["Answered the phone"], summary=[summary]) > 0) == counts


def test_a_keyword_is_not_its_own_context(rubric):
    """"database" is a context word and a keyword: alone it does not make itself count."""
    assert score_of(rubric, "data", bullets=["Kept the recipe database up to date"], title="Chef") == 0



def test_a_roles_context_is_read_item_by_item(rubric):
    """A role's context is what its title names, else what its organisation and each of its
    items name: a phrase split across two bullets ("the data" / "center staff") is no context,
    and a probe bullet the advice adds reads only itself."""
    from pipeline.profile_to_fit import role_to_units

    profile = make_profile(bullets=["Worked with the data", "center staff on the mobile app, the web app and the SaaS platform"],
                           title="Coordinator")
    units = role_to_units(profile.positions[0], profile, rubric)
    assert [u.text for u in units] == ["Worked with the data", "center staff on the mobile app, the web app and the SaaS platform"]
    assert {"mobile app", "web app", "saas"} <= set(units[0].context)
    assert all("data center" not in u.context for u in units)

# ----------------------------------------------------------------------------------------------
# Paraphrases (TF-IDF fitted on the rubric's own text)
# ----------------------------------------------------------------------------------------------

PARAPHRASES = [
    ("Turned customer requirements into technical specifications the engineers built from", "specs"),
    ("Interviewed customers to learn their problems before we built the product", "discovery"),
    ("Mentored two junior product managers on the platform team", "mentoring"),
]


@pytest.mark.parametrize("bullet,cid", PARAPHRASES)
def test_paraphrases_count(rubric, bullet, cid):
    fit = profile_to_fit(make_profile(bullets=[bullet]), rubric)
    assert comp(fit, cid).score > 0


def test_a_pure_paraphrase_is_found(rubric):
    """No alias or keyword of the competency in the line: only the TF-IDF similarity finds it."""
    bullet = "Documented in detail what engineering should build for the platform and why"
    c = comp(profile_to_fit(make_profile(bullets=[bullet]), rubric), "specs")
    assert c.score > 0
    assert c.evidence[0].how == "paraphrase"


def test_paraphrase_model_is_fitted_on_the_rubric_only(rubric):
    """The matcher is built from the rubric alone: scoring other candidates first changes nothing."""
    from pipeline import profile_to_fit as stage

    p = make_profile(bullets=["Documented in detail what engineering should build for the platform and why"])
    stage._MATCHERS.clear()
    alone = profile_to_fit(p, rubric)
    for other in (["Cooked for 300 guests"], ["Built Kubernetes platform APIs"] * 3):
        profile_to_fit(make_profile(bullets=other), rubric)
    assert profile_to_fit(p, rubric) == alone


# ----------------------------------------------------------------------------------------------
# Strength of evidence
# ----------------------------------------------------------------------------------------------


def test_strength_order_result_bullet_bullet_skill_summary(rubric):
    result = score_of(rubric, "apis", bullets=["Designed the public API, adopted by 40 partners in 6 months"])
    bullet = score_of(rubric, "apis", bullets=["Designed the public API for partners"])
    skill = score_of(rubric, "apis", bullets=["Answered the phone"], skills=["REST API design, GraphQL"])
    summary = score_of(rubric, "apis", bullets=["Answered the phone"], summary=["Product manager who loves the API economy"])
    assert result > bullet > skill > summary > 0


def test_recent_roles_count_more(rubric):
    bullet = ["Designed the public API for partners"]
    recent = score_of(rubric, "apis", bullets=bullet, end=None)
    old = score_of(rubric, "apis", bullets=bullet, start=YearMonth(2008, 1), end=YearMonth(2012, 1))
    assert recent > old > 0


def test_a_role_ended_within_the_full_recency_window_counts_as_current(rubric):
    """A career break or a résumé written a while ago: work from the last few years is current."""
    bullet = ["Designed the public API for partners"]
    recent = score_of(rubric, "apis", bullets=bullet, end=None)
    window = rubric.model.scoring.recency_full_years
    assert window > 0
    ended = YearMonth(AS_OF.year - int(window), AS_OF.month)
    assert score_of(rubric, "apis", bullets=bullet, end=ended) == recent
    older = YearMonth(AS_OF.year - int(window) - 3, AS_OF.month)
    assert score_of(rubric, "apis", bullets=bullet, start=YearMonth(2015, 1), end=older) < recent


def test_years_alone_are_not_a_measurable_result(rubric):
    fit = profile_to_fit(make_profile(bullets=["Designed the public API for partners in 2019"]), rubric)
    assert comp(fit, "apis").evidence[0].kind == "bullet"


def test_keyword_stuffing_does_not_raise_a_score(rubric):
    once = profile_to_fit(make_profile(bullets=["Owned the Kubernetes platform roadmap"]), rubric)
    stuffed = profile_to_fit(
        make_profile(bullets=["Owned the Kubernetes platform roadmap Kubernetes Kubernetes Kubernetes k8s k8s"] +
                     ["Owned the Kubernetes platform roadmap"] * 20),
        rubric,
    )
    assert stuffed.overall == once.overall
    assert [c.score for c in stuffed.competencies] == [c.score for c in once.competencies]


def test_a_skills_list_alone_is_weak_evidence(rubric):
    """Listing every keyword in a skills section cannot buy a high score."""
    every_alias = [", ".join(c.aliases) for cat in rubric.model.categories for c in cat.competencies]
    fit = profile_to_fit(make_profile(bullets=["Answered the phone"], skills=every_alias), rubric)
    assert fit.overall < 45
    assert all(c.score <= 0.6 for c in fit.competencies)


def test_wrapped_lines_are_joined_into_one_bullet():
    lines = [line("Introduced continuous"), line("delivery for the payments team", bullet=False),
             line("Next bullet")]
    assert [[ln.text for ln in item] for item in lines_to_items(lines)] == [
        ["Introduced continuous", "delivery for the payments team"], ["Next bullet"]]


# ----------------------------------------------------------------------------------------------
# Output shape
# ----------------------------------------------------------------------------------------------


def test_every_nonzero_score_has_a_quote_and_gaps_are_listed(rubric):
    p = make_profile(
        bullets=["Owned the payments API roadmap; cut checkout latency by 40%", "Ran A/B tests on onboarding"],
        skills=["SQL, AWS, Jira"],
    )
    fit = profile_to_fit(p, rubric)
    assert 0 <= fit.overall <= 100
    for cat in fit.categories:
        assert 0 <= cat.score <= 100
    for c in fit.competencies:
        assert 0 <= c.score <= 1
        assert (c.score > 0) == bool(c.evidence)
        for e in c.evidence:
            assert e.quote and e.section and e.page >= 1 and e.matched
    assert fit.gaps and all(g.score == 0 for g in fit.gaps)
    ids = {c.id for c in fit.competencies}
    assert ids == {c.id for cat in rubric.model.categories for c in cat.competencies}


def test_contact_details_never_count(rubric):
    p = make_profile(bullets=["Answered the phone"])
    loud = replace(p, contact=Contact(name="Kubernetes Roadmap", email="api@sql.example.com", phone="1"),
                   sections=(Section("header", "", (line("Kubernetes Roadmap", bullet=False),
                                                     line("api@sql.example.com", bullet=False))),) + p.sections[1:])
    assert profile_to_fit(loud, rubric) == profile_to_fit(p, rubric)


@pytest.mark.parametrize(
    "name",
    ["01-associate", "02-tpm", "03-senior-tpm", "05-cpo"],
)
def test_tpm_examples_outscore_non_tpm_examples(name, example_fits):
    tpm = next(v for k, v in example_fits.items() if k.startswith(name))
    for other in ("08-backend-engineer", "09-product-designer", "11-chef", "12-teacher"):
        non = next(v for k, v in example_fits.items() if k.startswith(other))
        assert tpm.overall >= non.overall + 10, (name, other, tpm.overall, non.overall)


@pytest.fixture(scope="module")
def example_fits(rubric, settings):
    from pipeline.document_to_profile import document_to_profile
    from pipeline.pdf_to_document import pdf_to_document
    from tests.conftest import EXAMPLES

    out = {}
    for path in sorted(EXAMPLES.glob("*.pdf")):
        doc = pdf_to_document(path, settings)
        if doc.problem:
            continue
        out[path.name] = profile_to_fit(document_to_profile(doc, settings.as_of), rubric)
    return out


# ---------------------------------------------------------------------------------------------
# The first-run prefilter of TermSet.search only skips texts that cannot match
# ---------------------------------------------------------------------------------------------

_PIECES = ["CI/CD", "ci", "cd", "A/B", "a/b testing", "API", "api-first", "(API)", "k8s", "Go", "go-live", "good",
           "Java", "JavaScript", "C++", "C#", ".NET", "net", "roadmaps", "roadmap", "RICE", "price", "ſcrum",
           "Scrum", "İT", "IT", "it", "e-commerce", "@api", "#api", "api+", "Kelvin", "K8S", "p&l", "P&L"]


def _all_term_sets():
    from pipeline.profile_to_fit import rubric_matcher
    from pipeline.rubric import RUBRICS_DIR, load_rubric

    for name in ("tpm.toml", "pm.toml"):
        m = rubric_matcher(load_rubric(RUBRICS_DIR / name))
        yield from m.aliases + m.keywords + [m.context]


@given(st.lists(st.sampled_from(_PIECES + [" ", "-", "/", ",", ".", "_", "x"]), max_size=12).map("".join))
@hypothesis_settings(max_examples=300, deadline=None)
def test_the_prefilter_never_changes_what_is_found(text):
    from pipeline.profile_to_fit import text_runs

    runs = text_runs(text)
    for terms in _all_term_sets():
        assert terms.search(text, runs) == terms.search(text)


def test_the_prefilter_on_every_example_line():
    from pipeline.profile_to_fit import text_runs
    from pipeline.rubric import RUBRICS_DIR

    lines = [ln for f in (RUBRICS_DIR / "tpm.toml", RUBRICS_DIR / "pm.toml")
             for ln in f.read_text(encoding="utf-8").splitlines()]
    sets = list(_all_term_sets())
    for line in lines:
        runs = text_runs(line)
        for terms in sets:
            assert terms.search(line, runs) == terms.search(line), line


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab +#_-.é1", min_size=1, max_size=5), st.text(alphabet="ab +#_-.é1", max_size=12))
def test_a_word_run_inside_a_text_is_found_as_the_boundary_regex_finds_it(part, whole):
    """``_within`` (plain string search) agrees with the regex it replaced, on every boundary."""
    import re

    from pipeline.profile_to_fit import _within

    assert _within(part, whole) == (re.search(rf"(?<![\w+#]){re.escape(part)}(?![\w+#])", whole) is not None)


# ---------------------------------------------------------------------------------------------
# LiteralTerms finds terms exactly where the regex that defines a match finds them
# ---------------------------------------------------------------------------------------------


class _RegexTermSet:
    """The definition: ``_term_regex`` patterns (exact and folded), exceptions, and a shorter
    term tried where an excepted one did not count, as TermSet did before LiteralTerms."""

    def __init__(self, terms, exceptions=()):
        from pipeline.profile_to_fit import TermSet, _term_regex

        exact = [t for t in terms if t != t.lower()]
        folded = [t for t in terms if t == t.lower()]
        self.spec = TermSet.of(tuple(terms), exceptions)  # for its exceptions only
        skip = self.spec.skip
        self.patterns = ((_term_regex(exact, True), _term_regex([t for t in exact if t.lower() not in skip], True)),
                         (_term_regex(folded, False), _term_regex([t for t in folded if t not in skip], False)))

    def search(self, text):
        found = []
        for pattern, rest in self.patterns:
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if not self.spec.excepted(text, m.start(), m.end()):
                    found.append((m.start(), m.group()))
                    break
                shorter = rest.match(text, m.start()) if rest is not None else None
                if shorter:
                    found.append((shorter.start(), shorter.group()))
                    break
        return min(found)[1] if found else None

    def finditer(self, text):
        return [(m.start(), m.end()) for pattern, _ in self.patterns if pattern is not None
                for m in pattern.finditer(text) if not self.spec.excepted(text, m.start(), m.end())]


def _term_lists():
    from pipeline.rubric import RUBRICS_DIR, load_rubric

    for name in ("tpm.toml", "pm.toml"):
        model = load_rubric(RUBRICS_DIR / name).model
        exceptions = model.scoring.term_exceptions
        for comp in (c for cat in model.categories for c in cat.competencies):
            yield comp.aliases, exceptions
            yield comp.keywords, exceptions
        yield model.scoring.context_words, exceptions
    yield (".NET", ".net", "c#", "C++", "c++", "p&l", "(api)", "-x", "ab", "a"), ()  # terms that start with no run
    # Not all ASCII: matched by RegexTerms, with the TPM rubric's exceptions ("with a team of").
    tpm_exceptions = load_rubric(RUBRICS_DIR / "tpm.toml").model.scoring.term_exceptions
    yield ("é", "ab", "Straße", "ſcrum", "team of", "team", "trained"), tpm_exceptions


_PAIRS = None


def _pairs():
    global _PAIRS
    if _PAIRS is None:
        from pipeline.profile_to_fit import TermSet

        _PAIRS = [(TermSet.of(tuple(t), e), _RegexTermSet(t, e)) for t, e in _term_lists()]
    return _PAIRS


def _same_matches(text):
    for fast, slow in _pairs():
        assert fast.search(text) == slow.search(text), text
        assert [(m.start(), m.end()) for m in fast.finditer(text)] == slow.finditer(text), text


@given(st.lists(st.sampled_from(_PIECES + [" ", "-", "/", ",", ".", "_", "x", "ı", "K", "ß", "é", "(", ")"]),
                max_size=12).map("".join))
@hypothesis_settings(max_examples=300, deadline=None)
def test_literal_terms_match_where_the_defining_regex_matches(text):
    _same_matches(text)


def test_literal_terms_match_where_the_defining_regex_matches_on_every_example_and_rubric_line():
    from tests.conftest import rubric_and_example_lines

    for line in rubric_and_example_lines():
        _same_matches(line)


@pytest.mark.parametrize("text", [
    "ſcrum and ſprint", "İT ops, ıT", "İntegrations, ıntegrations", "\u212a8s and \u212aubernetes", "K8S-ready", "Go-live", "Go, C++ and C#",
    "(API) api-first APIs api", ".NET, .net-core and ASP.NET", "P&L owner; p&l", "CI/CD or ci-cd", "a/b-tested",
    "roadmap-roadmaps ROADMAP", "Straße API", "team of 5 with a team of 6", "@api #api api+ api_v2",
])
def test_literal_terms_match_the_defining_regex_on_unicode_and_boundaries(text):
    _same_matches(text)
