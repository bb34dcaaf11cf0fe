"""``rolefit score``: one résumé for the candidate; bad input is one line and a non-zero exit."""

import json
import os
import subprocess
import sys

import pytest

from cli import main
from pipeline.file_to_result import file_to_result
from tests.conftest import AS_OF, EXAMPLES, ROOT

RESUME = EXAMPLES / "02-tpm-daniela-ferreira-holt.pdf"


def rolefit(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "cli", *map(str, args)],
        capture_output=True, cwd=ROOT, timeout=300, input=stdin, env=_env(),
    )


def _env():
    import os

    return {**os.environ, "COLUMNS": "100"}


def score(capsys, *args):
    """Run ``rolefit score`` in this process: (exit code, stdout, stderr)."""
    code = main(["score", *map(str, args), "--as-of", AS_OF.isoformat()])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------------------------------------
# Generated bad files
# ---------------------------------------------------------------------------------------------


def pdf(path, lines=(), *, encrypt=None, image_only=False):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt, invariant=1)
    if image_only:  # a "scan": shapes, no text layer
        c.rect(72, 500, 300, 200, fill=1)
    y = 780
    for text in lines:
        c.drawString(72, y, text)
        y -= 16
    c.showPage()
    c.save()
    return path


RECIPE = [
    "Grandmother's apple pie",
    "Ingredients: six apples, flour, butter, sugar, cinnamon and a pinch of salt.",
    "Peel and slice the apples. Mix them with the sugar and the cinnamon.",
    "Rub the butter into the flour until it looks like breadcrumbs, then add cold water.",
    "Roll out the pastry, fill the dish, cover it and bake for forty minutes.",
    "Serve warm with cream or ice cream. Serves six people as a dessert after dinner.",
    "For a crisper crust, bake the empty pastry case for ten minutes before filling it.",
    "Tart apples hold their shape best; sweet ones turn soft and need less sugar.",
    "The pie keeps for two days in a cool place and can be warmed again in the oven.",
]


def bad_file(kind, tmp_path):
    path = tmp_path / f"{kind}.pdf"
    if kind == "not_pdf":
        path.write_text("<html><body>My résumé</body></html>")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "no_text":
        pdf(path, image_only=True)
    elif kind == "encrypted":
        from reportlab.lib import pdfencrypt

        pdf(path, ["Jane Doe", "Experience"], encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    elif kind == "not_resume":
        pdf(path, RECIPE)
    elif kind == "corrupt":
        path.write_bytes(RESUME.read_bytes()[:1500])
    return path


@pytest.mark.parametrize(
    "kind, says",
    [
        ("not_pdf", "not a PDF"),
        ("empty", "empty"),
        ("no_text", "text"),
        ("encrypted", "password"),
        ("not_resume", "does not read as a résumé"),
        ("corrupt", "PDF"),
    ],
)
def test_bad_file_is_one_line_and_exit_1(capsys, tmp_path, kind, says):
    code, out, err = score(capsys, bad_file(kind, tmp_path))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"rolefit: {kind}.pdf: ")
    assert says.lower() in lines[0].lower()
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args, says",
    [
        (("missing.pdf",), "file not found: missing.pdf"),
        ((".",), "is a folder"),
        ((RESUME, "--target", "wizard"), "not a level on the ladder"),
        ((RESUME, "--as-of", "yesterday"), "--as-of must be a date"),
        ((RESUME, "--html", "/nonexistent-folder/page.html"), "does not exist"),
        ((RESUME, "--jd", "missing-job.md"), "job description not found"),
    ],
    ids=["missing", "folder", "bad-target", "bad-date", "bad-html-folder", "missing-jd"],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, args, says, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["score", *map(str, args)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert says in err


# ---------------------------------------------------------------------------------------------
# A good résumé: the recruiter's numbers, phrased for the candidate
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected(rubric, settings):
    return file_to_result(RESUME, rubric, settings)


def test_summary_shows_scores_level_and_five_suggestions(capsys, expected):
    code, out, err = score(capsys, RESUME, "--target", "senior")
    assert code == 0, err
    assert f"fit {expected.fit.overall:.0f}/100" in out
    for cat in expected.fit.categories:
        assert cat.name in out
    assert f"Likely level {expected.level.name}" in out
    assert f"Why {expected.level.name}" in out
    assert "Top 5 changes, biggest effect first" in out
    for i in range(1, 6):
        assert f" {i}. " in out
    assert "Only describe work you have actually done" in out
    assert "Gap to Senior TPM" in out or "Target Senior TPM" in out



@pytest.mark.parametrize("width", [50, 80, 120])
def test_summary_lists_wrap_within_the_width_under_their_first_word(expected, rubric, width):
    """Every line fits the terminal; a suggestion's wrapped lines start under its first word."""
    import io

    from rich.console import Console

    from cli.score import print_summary
    from pipeline.fit_to_advice import fit_to_advice

    advice = fit_to_advice(expected.profile, expected.fit, expected.level, rubric, "principal")
    console = Console(file=io.StringIO(), width=width, highlight=False, soft_wrap=False)
    print_summary(expected, advice, rubric.model.name, console)
    lines = console.file.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    first = lines.index(next(line for line in lines if line.startswith(" 1. ")))
    words = " ".join(line.strip() for line in lines[first:first + 6])
    assert advice.suggestions[0].action.split()[0] in words
    for line in lines[first + 1:first + 4]:
        assert line.startswith("    ") and line[4] != " ", line

def test_json_has_the_same_numbers_as_the_pipeline(capsys, expected):
    code, out, _ = score(capsys, RESUME, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["result"]["fit"]["overall"] == expected.fit.overall
    assert data["result"]["level"]["level"] == expected.level.level
    assert [c["score"] for c in data["result"]["fit"]["competencies"]] == [c.score for c in expected.fit.competencies]
    gains = [s["gain"] for s in data["advice"]["suggestions"]]
    assert gains and gains == sorted(gains, reverse=True)
    assert data["advice"]["target"] is None


def test_jd_adds_the_pipelines_job_match(capsys, tmp_path, rubric, settings):
    from pipeline.text_to_job import file_to_job

    jd = tmp_path / "job.md"
    jd.write_text("# Payments TPM\n## Requirements\n- 5+ years of product management\n"
                  "- Designing public APIs and partner integrations\n- Strong SQL (Snowflake, Kafka)\n", encoding="utf-8")
    expected = file_to_result(RESUME, rubric, settings, file_to_job(jd, settings, rubric))
    code, out, _ = score(capsys, RESUME, "--jd", jd, "--json")
    assert code == 0
    assert json.loads(out)["result"]["job_match"]["score"] == expected.job_match.score
    code, out, _ = score(capsys, RESUME, "--jd", jd)
    assert code == 0 and f"Job match: Payments TPM  {expected.job_match.score:.0f}/100" in out


def test_html_page_is_written_and_self_contained(capsys, tmp_path, expected):
    page = tmp_path / "me.html"
    code, out, err = score(capsys, RESUME, "--html", page, "--target", "senior")
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert expected.profile.contact.name in html
    assert "<script src=" not in html and "<link " not in html
    assert str(page) in out


def test_html_page_carries_the_same_advice_as_the_terminal(capsys, tmp_path):
    """The page shows every suggestion of ``--json`` in order with its gain, the honesty note and
    the gap to the target level."""
    import html as html_lib

    page = tmp_path / "me.html"
    code, _, err = score(capsys, RESUME, "--html", page, "--target", "principal")
    assert code == 0, err
    code, out, _ = score(capsys, RESUME, "--json", "--target", "principal")
    advice = json.loads(out)["advice"]
    text = html_lib.unescape(page.read_text(encoding="utf-8"))
    assert "What to change, biggest effect first" in text
    assert advice["honesty"] in text
    positions = [text.index(f"{s['name']}</strong> <span class=\"small\">(+{s['gain']:.1f} points") for s in advice["suggestions"]]
    assert positions == sorted(positions) and len(positions) == len(advice["suggestions"]) > 0
    for s in advice["suggestions"]:
        assert s["action"] in text
    target = advice["target"]
    assert target["name"] in text
    for check in target["checks"]:
        assert check["label"] in text and check["expected"] in text


def test_stdin_pipe_gives_the_same_result_without_prefect(expected):
    """``rolefit score -`` in a fresh process: same numbers; Prefect is never imported, and the PDF
    libraries only in the child that reads the file."""
    probe = (
        "import json, sys\n"
        "from cli import main\n"
        f"code = main(['score', '-', '--json', '--as-of', '{AS_OF.isoformat()}'])\n"
        "print(json.dumps({'code': code, 'loaded': sorted(m for m in ('prefect', 'flows', 'jinja2', 'pdfplumber') if m in sys.modules)}), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], input=RESUME.read_bytes(), capture_output=True, cwd=ROOT, timeout=300)
    status = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    assert status == {"code": 0, "loaded": []}
    data = json.loads(proc.stdout)
    assert data["result"]["source"] == "stdin"
    assert data["result"]["fit"]["overall"] == expected.fit.overall
    assert data["result"]["sha256"] == expected.sha256


def test_the_command_end_to_end_never_shows_a_traceback(tmp_path):
    ok = rolefit("score", RESUME)
    assert ok.returncode == 0 and b"Top 5 changes" in ok.stdout
    bad = rolefit("score", "-", stdin=b"%PDF-1.4 this is not really a PDF")
    assert bad.returncode == 1
    assert bad.stderr.decode().startswith("rolefit: stdin: ")
    assert b"Traceback" not in bad.stderr


def test_the_program_ends_at_once_with_everything_written(tmp_path, capsys):
    """``rolefit score`` as a program skips the interpreter's teardown (``cli.exit_at_once``):
    its output through a pipe, its page and its exit codes are those of the in-process run."""
    page = tmp_path / "me.html"
    proc = rolefit("score", RESUME, "--json", "--html", page, "--as-of", AS_OF.isoformat())
    code, out, _ = score(capsys, RESUME, "--json", "--as-of", AS_OF.isoformat())
    assert (proc.returncode, proc.stdout.decode()) == (code, out) == (0, out)
    assert page.read_text(encoding="utf-8").rstrip().endswith("</html>")
    usage = rolefit("score", RESUME, "--target", "astronaut")
    assert usage.returncode == 2 and usage.stderr.decode().startswith("rolefit: --target 'astronaut'")
    # A reader that stops early (| head -c 1) leaves no traceback and no "Exception ignored".
    closed = subprocess.run(f"{sys.executable} -m cli score {RESUME} | head -c 1", shell=True, capture_output=True,
                            cwd=ROOT, timeout=300, env=_env())
    assert closed.stdout and closed.stderr == b""


# ---------------------------------------------------------------------------------------------
# The child processes: a reader that dies, a re-scoring child that fails
# ---------------------------------------------------------------------------------------------


def _abort(*_):
    import faulthandler
    import os

    faulthandler.disable()  # pytest's fault handler would print the dying child's stack
    os.abort()


def _segfault(*_):
    import faulthandler
    import os
    import signal

    faulthandler.disable()
    os.kill(os.getpid(), signal.SIGSEGV)


@pytest.mark.parametrize("die, reason", [
    # pdfium aborts when an allocation fails under the memory limit: worded as the reader does
    (_abort, "exceeded memory limit (1 GiB): the PDF reader aborted. "
             "The file needs too much memory to read: export the PDF again, without images."),
    (_segfault, "the PDF reader crashed on this file (SIGSEGV). The file looks damaged or cut short: export the PDF again."),
])
def test_a_reader_that_dies_is_one_line_not_a_crash(capsys, monkeypatch, die, reason):
    import cli.score

    monkeypatch.setattr(cli.score, "_read", die)
    code, out, err = score(capsys, RESUME)
    assert code == 1 and out == ""
    assert err.strip() == f"rolefit: {RESUME.name}: {reason}"


MiB = 1 << 20


@pytest.mark.parametrize("make, changes, code, reason", [
    (lambda h: h.bomb_pdf(160 * MiB), {"memory_bytes": 64 * MiB}, "memory", "exceeded memory limit (64 MiB)"),
    (lambda h: h.many_glyphs_pdf(100_000), {"timeout_s": 1, "max_glyphs_per_page": 10**6}, "timeout",
     "gave up after 1 s"),
], ids=["decompression bomb", "slow page"])
def test_the_reading_child_words_its_limits_as_the_reader_does(settings, make, changes, code, reason):
    """``rolefit score`` reads in its own child with the reader's limits (the reader does not
    fork again): a hostile file still gets the reader's own problem and words."""
    from dataclasses import replace

    import cli.score
    from tests import hostile_pdfs

    data = make(hostile_pdfs)
    limited = replace(settings, **changes)
    doc = cli.score.read_document(cli.score.start_reading(data, "x.pdf", limited), data, "x.pdf", limited)
    assert doc.problem is not None and doc.problem.code == code
    assert doc.problem.reason.startswith(reason)


def _sleep(*_):
    import time

    time.sleep(60)


def test_a_usage_error_after_the_child_started_stops_the_child(capsys, monkeypatch):
    """``--target`` is checked against the rubric, which loads while the child reads: a wrong
    one ends the command at once, and the reading child with it (no orphan left reading)."""
    import time

    import cli.score

    started = []
    start_reading = cli.score.start_reading
    monkeypatch.setattr(cli.score, "_read", _sleep)  # a reader that would take a minute
    monkeypatch.setattr(cli.score, "start_reading", lambda *a: started.append(start_reading(*a)) or started[-1])
    begin = time.monotonic()
    code, _, err = score(capsys, RESUME, "--target", "astronaut")
    assert code == 2 and "--target 'astronaut'" in err
    assert time.monotonic() - begin < 30
    (reading,) = started
    assert reading.outcome().status == "timeout"  # killed, and reaped
    with pytest.raises(ProcessLookupError):
        os.kill(reading.pid, 0)


@pytest.mark.parametrize("rubric_file", ["tpm.toml", "pm.toml"])
def test_the_warm_up_resume_is_scored_so_the_engine_is_ready_before_the_pdf(settings, rubric_file):
    """The warm-up runs while the child reads the PDF; a warm-up résumé that the pipeline
    rejected (too short, no dated roles) would leave every pattern to compile afterwards."""
    import cli.score
    from pipeline.rubric import RUBRICS_DIR, load_rubric

    assert cli.score.warm_up(load_rubric(RUBRICS_DIR / rubric_file), settings, summary=lambda: True) is True


@pytest.mark.parametrize("after,scorable,drawn", [(0, False, False), (1, True, False), (4, True, False), (99, True, True)])
def test_the_warm_up_stops_once_the_pdf_is_read(settings, rubric, monkeypatch, after, scorable, drawn):
    """Once the child has answered, the warm-up leaves its next stages to the real run: none
    when the PDF is already read, the drawing only when nothing stopped it."""
    import cli.score

    drawings = []
    monkeypatch.setattr(cli.score, "warm_up_rendering", drawings.append)
    reading = _Reading(after)
    assert cli.score.warm_up(rubric, settings, summary=lambda: True, stop=reading.ready) is scorable
    assert bool(drawings) is drawn
    assert reading.checks == min(after + 1, 5)


class _Reading:
    """A stand-in for the reading child that has answered after ``after`` checks."""

    def __init__(self, after: int):
        self.checks, self.after = 0, after

    def ready(self) -> bool:
        self.checks += 1
        return self.checks > self.after


@pytest.mark.parametrize("after,steps,run", [(0, 5, 0), (3, 5, 3), (10, 5, 5), (10, 0, 0)])
def test_spare_time_work_stops_once_the_pdf_is_read(after, steps, run):
    """``rolefit score`` reads probes ahead only while the child is still reading: one step at
    a time, none once the child has answered, never more steps than there are."""
    from cli.score import use_spare_time

    done = []
    work = (done.append(i) for i in range(steps))
    assert use_spare_time(_Reading(after), work) == run == len(done)
