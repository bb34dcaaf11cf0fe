"""Precision of the TPM rubric's everyday words: a quote credited to a competency must show it.

Each row is a line read on a real résumé (reworded) next to the competency it was, or must be,
credited to. The "must not count" rows are lines every trade writes ("support for customers",
"coordinated the office move", "Computer Vision"); the "must count" rows are the narrower
phrases that keep the real evidence ("increased sales", "coordinated with", "vision to").
"""

from __future__ import annotations

import pytest

from tests.test_profile_to_fit import score_of

# (bullet, role title, competency, counts?). "IT" and "front-end" in a title are technical
# contexts, so a row that does not count fails on its words, not on a missing context.
PRECISION = [
    # Business and go-to-market: not "customers", "sales" or "commercial" alone.
    ("Provide remote control support for customers throughout the state", "IT Support", "business", False),
    ("Direct IT operations for a global institutional sales and trading firm", "IT Director", "business", False),
    ("Designed lighting systems for residential and commercial customers", "IT Engineer", "business", False),
    ("Increased sales by 17% with the new e-commerce site", "IT Manager", "business", True),
    ("Developed targeted collateral for the sales team for the SaaS launch", "IT Manager", "business", True),
    # Cross-functional communication: the words must say who was brought together.
    ("Coordinated new desktop equipment deployment and the loaner hardware pool", "IT Support",
     "communication", False),
    ("Utilize Salesforce to log customer communication", "IT Manager", "communication", False),
    ("Presented constant digital support and expertise to the account", "IT Manager", "communication", False),
    ("Coordinated with the installation network office to set up domain and mail accounts", "IT Support",
     "communication", True),  # "IT" is a context word; "with" is not "IT"
    ("Collaborated with designers to implement pixel-perfect UI components", "Front-end Developer",
     "communication", True),
    ("Encouraged early and frequent communication between development and operations", "IT Manager",
     "communication", True),
    ("Presented the quarterly IT plan to senior leadership", "IT Manager", "communication", True),
    ("Created a presentation to the Technical Review Board on product changes for the platform", "IT Engineer",
     "communication", True),
    ("Introduced peer reviews, and all 3 teams collaborated as one large team", "Software Engineering Manager",
     "communication", True),
    # Stakeholder alignment: not "re-alignment" of a cluster, not Random Sample Consensus.
    ("Backed up data and ran cluster re-alignment projects with customers", "IT Support", "stakeholders", False),
    ("Studied optical flow and RANSAC (Random Sample Consensus) in Python", "IT Intern", "stakeholders", False),
    ("Brought engineering and support together to build consensus on the release plan", "IT Manager",
     "stakeholders", True),
    ("Drove cross-functional alignment on the platform priorities", "IT Manager", "stakeholders", True),
    ("Supervised and trained the Account Executives of the digital team", "IT Manager", "stakeholders", False),
    ("Presented the platform plan to executives and won their support", "IT Manager", "stakeholders", True),
    # Roadmaps and prioritisation: not a testing, CRM or media strategy, not a product named Vision.
    ("Implemented CRM strategy to automate leads management", "IT Manager", "roadmap", False),
    ("Develop testing strategy for continuous improvement and optimization", "IT Manager", "roadmap", False),
    ("Implemented company accounting software, Deltek Advantage/Vision", "IT Manager", "roadmap", False),
    ("Computer Vision: camera models and optical flow in Python", "IT Intern", "roadmap", False),
    ("Owned the technology strategy for the trading platform", "IT Director", "roadmap", True),
    ("Vision to create personalized experiences based on machine learning", "IT Manager", "roadmap", True),
    # Scalability, performance and security: not safety compliance, not Scaled Agile or a team.
    ("Monitored electronics manufacturing to ensure compliance with safety protocols", "IT Engineer",
     "scalability", False),
    ("Trained the delivery teams on the Scaled Agile Framework", "IT Manager", "scalability", False),
    ("Scaled engineering team from 3 to 28 across research and platform", "IT Director", "scalability", False),
    ("Met security compliance requirements for the cloud platform", "IT Manager", "scalability", True),
    # Specific-looking words that other trades use too need a technical or product context.
    ("Met and exceeded SLA's by handling other functions when volumes fluctuate", "Call Center Agent",
     "scalability", False),
    ("Defined SLAs and error budgets for the public API", "Product Manager", "scalability", True),
    ("Adjusted backlog claims using the clients' claims system", "Claims Adjuster", "backlog", False),
    ("Groomed the backlog with the engineering team every sprint", "Product Manager", "backlog", True),
    ("Guided a cohort of college students through their first term", "Advisor", "data_driven", False),
    ("Ran cohort analysis on retention of the mobile app", "Product Manager", "data_driven", True),
    ("Rapid prototyping, welding and 3D printing of fixtures", "Manufacturing Engineer", "discovery", False),
    ("Tested early prototyping of the app with five customers", "Product Manager", "discovery", True),
    # Partners, targets and hosting: which partners, whose targets, what is hosted.
    ("Cognizant and T-Systems are strategic business partners of the software group", "IT Consultant",
     "apis", False),
    ("Onboarded twelve integration partners to the platform", "Product Manager", "apis", True),
    ("Evaluated electrical failures that impact daily production targets", "IT Engineer", "acceptance", False),
    ("Defined targets for activation before the app's beta", "Product Manager", "acceptance", True),
    ("Hosting regular sessions to update the web team on campaign results", "IT Coordinator", "cloud", False),
    ("Moved the web hosting environment to a managed provider", "IT Manager", "cloud", True),
    # A department called Risk and "meeting deadlines" are not risk management or delivery.
    ("Worked with Marketing, Risk, Fraud and Operations on the bank card projects", "IT Analyst", "risk", False),
    ("Identified delivery risks early and agreed mitigations with the platform team", "IT Manager", "risk", True),
    ("Lead the payments platform (ledger, payouts and risk APIs) across 4 engineering teams", "Senior TPM",
     "risk", False),
    ("Built the integrated master schedule and a weekly risk review for the platform", "TPM", "risk", True),
    ("Accountant consistently meeting deadlines under pressure with accounting software", "IT Clerk",
     "delivery", False),
    ("Tracked milestones for the IT migration and delivered it on schedule", "IT Manager", "delivery", True),
    # Term exceptions (scoring.term_exceptions): the same word next to these names something else.
    ("Bought materials to meet the manufacturing build requirements, with the engineering team", "IT Engineer",
     "specs", False),
    ("Kept the software compliant with evolving regulatory requirements", "IT Manager", "specs", False),
    ("Gathered requirements from the users of the web platform", "IT Manager", "specs", True),
    ("Was trained in the help desk ticketing tool", "IT Support", "mentoring", False),
    ("Trained and work directly with the headquarters' web team on campaigns", "IT Coordinator", "mentoring", False),
    ("Trained a learning model to predict churn for the app", "IT Analyst", "mentoring", False),
    ("Trained users on the new SharePoint site", "IT Support", "mentoring", False),
    ("Trained fourteen help desk staff on the new phone client", "IT Support", "mentoring", True),
    ("Interviewed and trained new engineering personnel", "IT Manager", "mentoring", True),
    ("Experienced in Supervised Learning (regression, decision trees) in Python", "IT Analyst", "mentoring", False),
    ("Supervised junior account staff on the web team", "IT Manager", "mentoring", True),
    ("Worked with a team of geologists and engineers on the reservoir models", "IT Engineer", "mentoring", False),
    ("Led a team of 8 analysts on the web analytics platform", "IT Manager", "mentoring", True),
    ("Worked with vendors to upgrade the market data software and hardware", "IT Manager", "business", False),
    ("Grew the SaaS product's market share in two regions", "IT Manager", "business", True),
    ("Observed and documented patient status in the IT system", "IT Support", "documentation", False),
    ("Documented process flows for the software rollout", "IT Support", "documentation", True),
    # Context words that name another trade there: these lines have no technical context left.
    ("Documented the release process for the ward", "Patient Care Tech", "documentation", False),
    ("Documented the release process for the team", "Tech Lead", "documentation", True),
    ("Created daily features and documented the recipes", "Chef", "documentation", False),
    ("Wrote the documentation of the new features", "Chef", "documentation", True),
    ("Coordinated with contractors and project engineers and kept the project documentation",
     "Water Resources Specialist", "documentation", False),
    ("Kept the documentation the engineers built from up to date", "Water Resources Specialist",
     "documentation", True),
    ("Trained new staff to post across social media platforms", "Social Media Agent", "mentoring", False),
    ("Trained new staff to support the platforms", "Support Agent", "mentoring", True),
    ("Worked with lab and pilot plant scale projects in minerals processing", "Engineering Intern", "launches",
     False),
    ("Ran a pilot of the app with five customers", "Product Manager", "launches", True),
    ("Posted debit and credit accounts on spreadsheets/databases with accounting software", "Clerk", "data",
     False),
    ("Designed the databases behind the accounting software", "Clerk", "data", True),
    # Self-descriptions are not evidence: "strong analytical and problem solving skills".
    ("Strong analytical skills and attention to detail for the IT team", "IT Analyst", "problem_solving", False),
    ("Excellent problem solving skills in UNIX and Linux", "IT Engineer", "problem_solving", False),
    ("Found the root cause of the outage on the IT platform", "IT Engineer", "problem_solving", True),
    # Recall: specific terms read on technical résumés that had no credit (issue 5's recall audit).
    ("Consulted with dealer partners on best practices to improve click through rates", "Sales Representative",
     "data_driven", True),
    ("Ran monthly reviews of audience conversion rates with partners", "Sales Representative", "data_driven", True),
    ("Used data analysis tools to optimise campaigns and improve CTRs", "Director", "data_driven", True),
    ("Planned the furnace trials with a design of experiments", "Process Engineer", "data_driven", True),
    ("Ran a Failure Mode and Effects Analysis (FMEA) on the oil pump", "Mechanical Engineering Intern", "risk",
     True),
    ("Performed a failure investigation of the mufflers with the engineering team", "Intern", "problem_solving",
     True),
    ("Managed cross-functionally across all departments for the digital platforms", "Sales Director",
     "communication", True),
    ("Facilitated an organisation-wide move to new electronic health record systems", "Consultant",
     "communication", True),
    ("Facilitated an organisation-wide move to the new office", "Consultant", "communication", False),
]


@pytest.mark.parametrize("bullet,title,cid,counts", PRECISION)
def test_only_real_evidence_counts(rubric, bullet, title, cid, counts):
    assert (score_of(rubric, cid, bullets=[bullet], title=title) > 0) == counts


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


@pytest.mark.parametrize(
    "exception,text,found",
    [
        # (term exception in TOML, text, the term found)
        ('term = "team of"\npreceded_by = ["with a"]', "Worked with a team of geologists", None),
        ('term = "team of"\npreceded_by = ["with a"]', "Led a team of four", "team of"),
        ('term = "team of"\npreceded_by = ["with a"]', "Worked with a team of six, then led a team of four", "team of"),
        ('term = "team of"\npreceded_by = ["with a"]', "Worked with a team-of-teams", None),  # a hyphen joins
        ('term = "team of"\npreceded_by = ["with a"]', "Worked with a, team of four", "team of"),  # not adjacent
        ('term = "trained"\nfollowed_by = ["in"]', "Trained in Excel", None),
        ('term = "trained"\nfollowed_by = ["in"]', "Trained interns", "trained"),  # whole words only
        ('term = "trained"\nfollowed_by = ["in"]', "TRAINED IN Excel", None),  # any case
        ('term = "trained"\nfollowed_by = ["in"]', "Trained/in Excel", None),  # a slash separates too
        # Where the excepted term does not count, a shorter term at the same place still can.
        ('term = "team of"\npreceded_by = ["with a"]', "Worked with a team of six", "team"),
    ],
)
def test_term_exceptions(tmp_path, exception, text, found):
    """A term excepted next to certain words is skipped there, and only there."""
    from pipeline.profile_to_fit import TermSet

    model = _rubric_with(tmp_path, exception).model
    terms = ("team of", "trained") + (("team",) if found == "team" else ())
    term = TermSet.of(terms, model.scoring.term_exceptions).search(text)
    assert (term and term.lower()) == found


def _rubric_with(tmp_path, exception: str):
    from pipeline.rubric import RUBRICS_DIR, load_rubric

    text = (RUBRICS_DIR / "tpm.toml").read_text(encoding="utf-8")
    start = text.index("[[scoring.term_exceptions]]")
    end = text.index("[[categories]]")
    path = tmp_path / "rubric.toml"
    path.write_text(text[:start] + "[[scoring.term_exceptions]]\n" + exception + "\n\n" + text[end:], encoding="utf-8")
    return load_rubric(path, cache=False)


@pytest.mark.parametrize(
    "exception,reason",
    [
        ('term = "requirements"', "preceded_by or followed_by"),
        ('term = "requirementz"\npreceded_by = ["permit"]', "not an alias, keyword or context word"),
        ('term = "requirements"\nafter = ["permit"]', "extra"),
    ],
)
def test_a_broken_term_exception_is_a_rubric_error(tmp_path, exception, reason):
    from pipeline.rubric import RubricError

    with pytest.raises(RubricError) as err:
        _rubric_with(tmp_path, exception)
    assert any(reason in i.reason.lower() for i in err.value.issues), err.value.issues
