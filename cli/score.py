"""``rolefit score RESUME``: one résumé, scored and explained for the candidate, in seconds.

No flow, no server, no upload: the pipeline runs in this process (Prefect is never imported).
The same engine and numbers as the recruiter's report (``document_to_result``), then the
candidate's advice (``fit_to_advice``).

Start-up is most of the cost, so the work is overlapped: the PDF is read in a forked child
(``pipeline.isolation``: a hostile file can neither crash nor exhaust this process) while this
process loads the rubric and warms the stages up (``warm_up``), and the process ends as soon as
its output is written (``cli.exit_at_once``). Exit codes: 0 scored, 1 the file cannot be
scored (one line on stderr says why), 2 a usage error, 3 an internal error (one line; the
traceback with ROLEFIT_DEBUG=1).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from cli import UsageError

EXIT_UNSCORABLE = 1
EXIT_INTERNAL = 3
TOP = 5


class Unscorable(Exception):
    """The file was read but cannot be scored: one line on stderr, exit code 1."""


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


def read_input(name: str) -> tuple[bytes, str]:
    """The PDF's bytes and the name to show for it; ``-`` reads standard input."""
    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no PDF on standard input (pipe one in: rolefit score - < resume.pdf)")
        return sys.stdin.buffer.read(), "stdin"
    path = Path(name)
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError:
        raise UsageError(f"file not found: {name}") from None
    except IsADirectoryError:
        raise UsageError(f"{name} is a folder; give one PDF file (rolefit batch scores a folder)") from None
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None


def check_output(path: str | None) -> None:
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    if Path(path).is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")


# ---------------------------------------------------------------------------------------------
# Work in a forked child, overlapped with the caller (reading the PDF)
# ---------------------------------------------------------------------------------------------


def use_spare_time(reading, steps) -> int:
    """Run the steps of ``steps`` (an iterator of optional work, such as ``read_probes_ahead``)
    one by one until the child has read the PDF or none is left; the number run. Each step is
    short (0.2-0.3 ms), so the answer waits at most that long."""
    done = 0
    while not reading.ready():
        if next(steps, StopIteration) is StopIteration:
            break
        done += 1
    return done


def _read(data: bytes, source: str, settings):
    """Runs in the child: the only place the PDF libraries are imported. The child already has
    the reader's time and memory limits (``start_reading``), so the reader does not isolate
    itself again; it forks once more only to read every other page of a longer résumé at the
    same time (``workers=2``: this process's core is free once the engine is warm)."""
    from dataclasses import replace

    from pipeline.pdf_to_document import bytes_to_document

    return bytes_to_document(data, source, replace(settings, isolate=False), workers=2)


def start_reading(data: bytes, source: str, settings):
    """Read the PDF in a forked child (``pipeline.isolation``: time and memory limits, a crash
    stays in the child) while this process goes on; the answer is the ``Pending`` call's
    ``outcome()``. The fork has happened when this returns, so this process's own imports and
    work never race it. It is made by the calling thread, not a helper thread that waits for the
    answer: forked from a helper thread, the child and this process's main thread often stayed
    on one CPU for the whole run (measured on a 2-CPU machine: one CPU idle for 270-330 ms in 7
    of 12 runs, none of 12 forked from the main thread)."""
    from pipeline.isolation import start_isolated

    return start_isolated(_read, data, source, settings, timeout_s=settings.timeout_s, memory_bytes=settings.memory_bytes)


def read_document(reading, data: bytes, source: str, settings):
    """The child's Document, or one whose problem says how the child ended, in the reader's words."""
    outcome = reading.outcome()
    if outcome.status == "ok":
        return outcome.value
    import hashlib

    from pipeline.outcome_to_problem import outcome_to_problem
    from pipeline.types import Document

    problem = outcome_to_problem(outcome.status, outcome.detail, settings)
    return Document(source=source, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data), problem=problem)


# ---------------------------------------------------------------------------------------------
# The engine: rubric, stages, warm-up (overlaps the child's reading)
# ---------------------------------------------------------------------------------------------


def load_engine(rubric_path: str | None, settings, summary=lambda: False, stop=lambda: False):
    """The rubric, validated, with the stages warmed up (``warm_up``, which see for ``summary``
    and ``stop``)."""
    from pipeline.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(rubric_path) if rubric_path else load_rubric()
    except RubricError as exc:
        raise UsageError(f"invalid rubric:\n{exc}") from None
    warm_up(rubric, settings, summary, stop)
    return rubric


# A complete résumé in the shapes real ones take (a contact line, a summary, roles with their
# title, company and dates on one line or two and in several date styles, measured bullets,
# education, skills, certifications, projects): scoring it builds everything a real résumé
# needs (the rubric's matcher and its compiled terms, the contact, title, date and level
# vocabularies, the advice text), so that little is left to compile once the PDF is read. It
# must be scored, not rejected, or the warm-up does nothing: tests/test_score_cli.py checks that.
WARM_UP = (
    ("Alex Example", True, False),
    ("alex.example@example.com | +1 (555) 010-0199 | Portland, OR | linkedin.com/in/alexexample", False, False),
    ("Summary", True, False),
    ("Technical product manager with eight years of experience building software platforms and APIs.", False, False),
    ("I work through architecture trade-offs with engineers and mentor product managers.", False, False),
    ("Experience", True, False),
    ("Senior Technical Product Manager | Example Software | Jan 2022 – Present", True, False),
    ("Owned the roadmap for the payments API and prioritised it with engineering and design.", False, True),
    ("Wrote user stories, specs and acceptance criteria; ran sprint planning and backlog refinement.", False, True),
    ("Launched a beta to 40 customers, then a staged rollout that grew revenue by 12% in 2023.", False, True),
    ("Led a team of 6 engineers and partnered with security on the platform strategy.", False, True),
    ("Product Manager", True, False),
    ("Sample Cloud, Seattle, WA", False, False),
    ("03/2019 to 12/2021", False, False),
    ("Defined success metrics and dashboards, ran A/B tests and mentored two junior product managers.", False, True),
    ("Shipped integrations with 14 partners; the app's release cadence went from monthly to weekly.", False, True),
    ("Business Analyst, Northwind Traders (Summer ’18)", True, False),
    ("Gathered requirements from stakeholders and wrote SQL reports for the operations team.", False, True),
    ("Education", True, False),
    ("BSc Computer Science, Example University, 2012 - 2016", False, False),
    ("Skills", True, False),
    ("SQL, REST APIs, AWS, Jira, system design, CI/CD, Kubernetes, stakeholder alignment", False, False),
    ("Certifications", True, False),
    ("AWS Certified Solutions Architect – Associate, 2021", False, False),
    ("Projects", True, False),
    ("Built a small open-source command-line tool in Python used by 300 developers.", False, True),
)


def warm_up(rubric, settings, summary=lambda: False, stop=lambda: False) -> bool:
    """Score ``WARM_UP`` and advise on it, stage by stage, so that vocabularies load and
    patterns compile now, while the child is still reading the PDF. With ``summary()`` true (a
    terminal summary will be printed), also load rich and draw one of each thing the summary
    draws, to nowhere (``warm_up_rendering``). Only an optimisation: a failure here is ignored
    (the real run reports its own errors), and once ``stop()`` is true (the PDF has been read:
    on a first run, validating the rubric can take longer than reading a page) the next stages
    are left to the real run, which compiles what it needs as it goes. True when the warm-up
    résumé was found scorable."""
    from pipeline.document_to_profile import document_to_profile
    from pipeline.fit_to_advice import competency_gains, fit_to_advice, open_competencies
    from pipeline.profile_to_fit import profile_to_fit
    from pipeline.profile_to_level import profile_to_level
    from pipeline.types import Document, Line

    lines = tuple(Line(text, text, 1, 50.0, 60.0 + 14 * i, 500.0, 70.0 + 14 * i, 12.0 if heading else 10.0, heading,
                       bullet=bullet) for i, (text, heading, bullet) in enumerate(WARM_UP))
    try:
        if stop():
            return False
        profile = document_to_profile(Document("warm-up", "0" * 64, 0, lines), settings.as_of)
        if not profile.verdict.scorable:
            return False
        if stop():
            return True
        fit = profile_to_fit(profile, rubric)
        if stop():
            return True
        level = profile_to_level(profile, rubric)
        if stop():
            return True
        # One probe: the re-score's code paths (the probes themselves are read while the PDF is
        # being read, as time allows: read_probes_ahead).
        gains = competency_gains(profile, fit, rubric, open_competencies(fit)[:1])
        target = rubric.model.ladder.levels[-1].id  # the target-gap path warms up too
        fit_to_advice(profile, fit, level, rubric, target, gains, None)
        if summary() and not stop():
            import io

            from rich.console import Console

            warm_up_rendering(Console(file=io.StringIO(), highlight=False))
        return True
    except Exception:  # noqa: BLE001 - see the docstring
        return False


def load_job(path: str | None, rubric, settings):
    """The job description given with ``--jd`` (text, Markdown or PDF), or None."""
    if path is None:
        return None
    from pipeline.text_to_job import file_to_job

    job = file_to_job(path, settings, rubric)
    if job.problem:
        raise UsageError(f"cannot use job description {path}: {job.problem.reason}")
    if not job.skills and not job.min_years:
        raise UsageError(f"cannot use job description {path}: no requirements found in it")
    return job


def check_target(rubric, target: str | None) -> None:
    from pipeline.fit_to_advice import find_level

    if target is not None and find_level(rubric, target) is None:
        ids = ", ".join(lv.id for lv in rubric.model.ladder.levels)
        raise UsageError(f"--target {target!r} is not a level on the ladder; use one of: {ids}")


def problem_line(result, rubric) -> str:
    from pipeline.fit_to_advice import advice_text

    problem = result.problem
    hint = advice_text(rubric)["problems"].get(problem.code, "") if problem else ""
    reason = problem.reason if problem else result.status
    return f"{result.source}: {reason}" + (f". {hint}" if hint else "")


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def to_json(result, advice) -> str:
    import json

    from pipeline.serialise import to_jsonable

    payload = {"schema": "rolefit-score/1", "result": to_jsonable(result), "advice": to_jsonable(advice)}
    return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True)


def write_page(path: str, result, advice, rubric, settings) -> None:
    from pipeline import __version__
    from reports.render import RunInfo, result_to_page, write_atomic

    run = RunInfo.for_rubric(rubric, settings.as_of.isoformat(), __version__)
    try:
        write_atomic(Path(path), result_to_page(result, run, index_link=None, advice=advice))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _bar(score: float, width: int = 20) -> str:
    filled = round(score / 100 * width)
    return "█" * filled + "░" * (width - filled)


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _items(console, rows, indent: str = "  ", mark: str = "•") -> None:
    """A list with hanging indents: ``rows`` are (mark or None, rich Text) pairs. The marks of
    one list have one width; each text is wrapped to what is left of the console's width and
    its lines start under its first word (what a two-column grid draws, drawn directly: a grid
    measures every cell before drawing it)."""
    from rich.text import Text

    marks = [f"{indent}{m if m is not None else mark}" for m, _ in rows]
    width = max((len(m) for m in marks), default=0) + 1
    out = []
    for m, (_, text) in zip(marks, rows):
        lines = text.wrap(console, max(1, console.width - width), overflow="fold")
        for i, line in enumerate(lines):
            line.rstrip()
            out.append(Text(m.ljust(width) if i == 0 else " " * width) + line)
    console.print(Text("\n").join(out), soft_wrap=True)


def warm_up_rendering(console) -> None:
    """Draw one of each thing ``print_summary`` draws (a styled line, a grid of score bars, a
    list with hanging indents and wrapped text): rich's first drawing of each kind costs about
    10 ms more than the next. Drawing the warm-up résumé's whole summary would cost 20 ms here
    to save those 10; this costs about 5 and saves about 8."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text.assemble(("Alex Example", "bold"), ("  ·  warm-up.pdf", "dim")))
    bars = Table.grid(padding=(0, 2))
    bars.add_row("  Category", Text(_bar(50.0), style="cyan"), Text(" 50", justify="right"))
    console.print(bars)
    body = Text.assemble(("Competency", "bold"), ("  +1.0 points", "bold green"), ("  Category", "dim"))
    body.append("\n" + "A suggestion long enough to be wrapped at the width of the summary. " * 3)
    body.append("\nWhy: a reason.", style="dim")
    _items(console, [("1.", body)], indent=" ")


def print_summary(result, advice, rubric_name: str, console, html: str | None = None) -> None:
    """The candidate's summary: scores, likely level and why, the top suggestions, the target gap."""
    from rich.table import Table
    from rich.text import Text

    fit, level = result.fit, result.level
    name = result.profile.contact.name if result.profile else ""
    console.print(Text.assemble((name or result.source, "bold"), (f"  ·  {result.source}" if name else "", "dim")))
    console.print(Text.assemble(
        (f"{rubric_name} fit ", "bold"), (f"{fit.overall:.0f}", "bold cyan"), ("/100", "cyan"),
        ("   Likely level ", "bold"), (level.name, "bold cyan"), (f" ({level.confidence * 100:.0f}% confident)", "dim"),
    ))
    cats = Table.grid(padding=(0, 2))
    for cat in fit.categories:
        cats.add_row(f"  {cat.name}", Text(_bar(cat.score), style="cyan"), Text(f"{cat.score:3.0f}", justify="right"))
    console.print(cats)

    if level.reasons:
        console.print(Text(f"\nWhy {level.name}", style="bold"))
        _items(console, [(None, Text(r)) for r in level.reasons])

    top = advice.suggestions[:TOP]
    if top:
        console.print(Text(f"\nTop {len(top)} changes, biggest effect first", style="bold"))
        rows = []
        for i, s in enumerate(top, 1):
            body = Text.assemble((s.name, "bold"), (f"  +{s.gain:.1f} points", "bold green"), (f"  {s.category}", "dim"))
            body.append("\n" + s.action)
            body.append(f"\nWhy: {s.why}", style="dim")
            if s.target_note:
                body.append(f"\n{s.target_note}", style="yellow")
            if s.job_note:
                body.append(f"\n{_short(s.job_note, 160)}", style="magenta")
            rows.append((f"{i}.", body))
        _items(console, rows, indent=" ")
    else:
        console.print(Text("\nEvery competency already has full evidence: no single change would raise the score.", style="bold"))
    console.print(Text(f"\n{advice.honesty}", style="italic"))

    if advice.target is not None:
        print_target(advice.target, console)
    if getattr(result, "job_match", None) is not None:
        print_job(result.job_match, console)
    if result.diagnostics.notes:
        console.print(Text("\nHow your PDF reads", style="bold"))
        _items(console, [(None, Text(n)) for n in result.diagnostics.notes])
    if html:
        console.print(Text.assemble(("\nFull page: ", "bold"), html))


def print_target(gap, console) -> None:
    from rich.table import Table
    from rich.text import Text

    missing = len(gap.missing)
    if gap.reached and not missing:
        title = f"\nTarget {gap.name}: your résumé shows what this level expects (it reads as {gap.current_name})"
    else:
        still = f"{missing} of {len(gap.checks)} signals not shown yet" if missing else "every signal shown"
        title = f"\nGap to {gap.name}: your résumé reads as {gap.current_name}; {still}"
    console.print(Text(title, style="bold"))
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim", pad_edge=False)
    table.add_column("   ", no_wrap=True)
    table.add_column("signal", no_wrap=True)
    table.add_column("the level typically shows", overflow="fold")
    table.add_column("your résumé shows", overflow="fold")
    for c in gap.checks:
        mark = Text("  ✓", style="green") if c.met else Text("  ✗", style="yellow")
        table.add_row(mark, c.label, c.expected, _short(c.shown, 40))
    console.print(table)
    hints = list(dict.fromkeys(c.hint for c in gap.missing if c.hint))  # once each, in order
    hints = [(None, Text(h)) for h in hints]
    if hints:
        console.print(Text("What would show it", style="bold"))
        _items(console, hints)


def print_job(job, console) -> None:
    """The job description match: its score, the years it asks for, what it asks that is not shown."""
    from rich.text import Text

    title = job.title or job.source
    console.print(Text.assemble(("\nJob match: ", "bold"), (title, "bold"), ("  ", ""),
                                (f"{job.score:.0f}", "bold cyan"), ("/100", "cyan")))
    rows = []
    if job.years_met is not None:
        mark = "✓" if job.years_met else "✗"
        rows.append((mark, Text(f"asks for {job.years_required:g}+ years; your résumé shows {job.years_found:g}")))
    full = sum(1 for m in job.skills if m.score >= 1.0)
    verb = "is" if full == 1 else "are"
    rows.append(("✓", Text(f"{full} of its {len(job.skills)} requirements {verb} fully shown in your résumé")))
    open_ = sorted((m for m in job.skills if m.score < 1.0), key=lambda m: (not m.skill.required, m.score))
    for m in open_[:TOP]:
        kind = "required" if m.skill.required else "preferred"
        state = "not shown yet" if m.score <= 0 else f"partly shown ({m.score * 100:.0f}%)"
        rows.append(("✗" if m.score <= 0 else "~", Text(f"{state}, {kind}: “{_short(m.skill.quote, 110)}”")))
    _items(console, rows)


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def score(args: argparse.Namespace) -> int:
    from cli.batch import check_date

    as_of = check_date(args.as_of)
    check_output(args.html)
    if args.jd is not None and not Path(args.jd).is_file():
        raise UsageError(f"job description not found: {args.jd}")
    data, source = read_input(args.resume)

    from pipeline.types import Settings

    settings = Settings(as_of=date.fromisoformat(as_of) if as_of else date.today())
    reading = start_reading(data, source, settings)
    try:
        rubric = load_engine(args.rubric, settings, summary=lambda: not args.json, stop=reading.ready)
        check_target(rubric, args.target)
        job = load_job(args.jd, rubric, settings)
    except BaseException:  # a usage error (or an interrupt) before the PDF is needed: no orphan reader
        reading.cancel()
        raise
    console = None
    if not args.json:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=False)
    # What the output needs, imported now while the child is still reading.
    if args.json:
        import pipeline.serialise  # noqa: F401
    if args.html:
        import reports.render  # noqa: F401

    from pipeline.file_to_result import document_to_result
    from pipeline.fit_to_advice import competency_gains, fit_to_advice, open_competencies, read_probes_ahead

    use_spare_time(reading, read_probes_ahead(rubric))
    result = document_to_result(read_document(reading, data, source, settings), rubric, settings, job)
    if result.status != "scored":
        raise Unscorable(problem_line(result, rubric))
    gains = competency_gains(result.profile, result.fit, rubric, open_competencies(result.fit))
    advice = fit_to_advice(result.profile, result.fit, result.level, rubric, args.target, gains, result.job_match)
    if args.html:
        write_page(args.html, result, advice, rubric, settings)
    if args.json:
        sys.stdout.write(to_json(result, advice) + "\n")
    elif console.is_terminal:
        print_summary(result, advice, rubric.model.name, console, args.html)
    else:  # piped or redirected: plain text without the padding rich adds to wrapped lines
        with console.capture() as captured:
            print_summary(result, advice, rubric.model.name, console, args.html)
        sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return score(args)
    except Unscorable as exc:
        print(f"rolefit: {exc}", file=sys.stderr)
        return EXIT_UNSCORABLE
    except (UsageError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - a bug, not the candidate's file: one line, not a traceback
        if os.environ.get("ROLEFIT_DEBUG"):
            raise
        print(f"rolefit: internal error ({type(exc).__name__}: {exc}); set ROLEFIT_DEBUG=1 for details", file=sys.stderr)
        return EXIT_INTERNAL


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="score one résumé for yourself: scores, likely level and what to change",
        description="Score one résumé against the rubric and say what would raise the score. "
        "Offline: nothing leaves the machine.",
    )
    p.add_argument("resume", help="a PDF file, or - to read a PDF from standard input")
    p.add_argument("--jd", default=None, metavar="FILE",
                   help="a job description (text, Markdown or PDF): adds a job match and marks what it asks for")
    p.add_argument("--target", default=None, metavar="LEVEL", help="a ladder level to compare with, e.g. senior")
    p.add_argument("--html", default=None, metavar="FILE", help="also write a self-contained page to FILE")
    p.add_argument("--json", action="store_true", help="print the result and the advice as JSON instead")
    p.add_argument("--rubric", default=None, help="rubric file (default: the bundled TPM rubric)")
    p.add_argument("--as-of", default=None, help="date durations are computed against (default: today)")
    # When run() returns, everything is written and the reading child is gone (waited for, or
    # stopped after a usage error found once it had started).
    p.set_defaults(func=run, exit_at_once=True)
