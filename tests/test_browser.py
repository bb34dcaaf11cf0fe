"""The reports in a real browser: headless Debian Chromium, driven over the DevTools protocol.

Opens the batch index and a candidate page rendered from the bundled examples, and checks what a
person would meet: no console errors (a Content-Security-Policy violation is one), no request
leaves the page, sorting and filtering work, axe-core finds no serious or critical accessibility
violation, and the candidate page prints on A4 and Letter with nothing cut off. Screenshots go
to a temporary folder, or to ``$ROLEFIT_SCREENSHOTS`` when set.

Skips only when Chromium is not installed (``.ci/run`` installs it and axe-core).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

CHROMIUM = next((p for p in (os.environ.get("ROLEFIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p and Path(p).exists()), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does it)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
         "--mute-audio", "--hide-scrollbars", "--remote-debugging-port=0"]


def axe_source() -> str:
    """axe-core's browser build, from npm (``npm install -g axe-core``, done by .ci/run)."""
    candidates = [os.environ.get("ROLEFIT_AXE_JS")]
    npm = shutil.which("npm")
    if npm:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60).stdout.strip()
        candidates.append(os.path.join(root, "axe-core", "axe.min.js"))
    candidates += ["/usr/local/lib/node_modules/axe-core/axe.min.js", "/usr/lib/node_modules/axe-core/axe.min.js",
                   str(Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js")]
    for path in candidates:
        if path and Path(path).is_file():
            return Path(path).read_text(encoding="utf-8")
    pytest.fail("axe-core not found: run `npm install -g axe-core@4` (bash .ci/run does) or set ROLEFIT_AXE_JS")


class Browser:
    """Just enough of the DevTools protocol: one browser, pages as flat sessions, events kept."""

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        self.log = open(profile.parent / "chromium.log", "wb")
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"Chromium did not start: {(profile.parent / 'chromium.log').read_text()[-2000:]}")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=20)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1))))

    def open(self, url: str, width: int = 1366, height: int = 900) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session)

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


class Page:
    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def js(self, expression: str, timeout: float = 60):
        reply = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, timeout)
        if "exceptionDetails" in reply:
            raise AssertionError(f"JavaScript failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def set(self, control: str, value: str) -> None:
        """Set a form control as a person would: the value, then the input and change events."""
        self.js(f"(e => {{ e.value = {json.dumps(value)}; e.dispatchEvent(new Event('input')); "
                f"e.dispatchEvent(new Event('change')); }})(document.getElementById({json.dumps(control)}))")

    def events(self) -> list[dict]:
        return [e for e in self.browser.events if e.get("sessionId") == self.session]

    def errors(self) -> list[str]:
        found = []
        for e in self.events():
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e.get("method") == "Runtime.exceptionThrown":
                found.append(p["exceptionDetails"].get("text", "") + str(p["exceptionDetails"].get("exception", {}).get("description", "")))
            elif e.get("method") == "Log.entryAdded" and p["entry"].get("level") == "error":
                found.append(p["entry"].get("text", ""))
        return found

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events() if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path) -> Path:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                    "clip": {"x": 0, "y": 0, "width": size["width"],
                                                             "height": min(size["height"], 6000), "scale": 1}})
        import base64

        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def axe_violations(self, source: str) -> list[dict]:
        self.js(source + "\n;0")
        return self.js(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ("
            "{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
        )


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory, rubric, settings):
    """The examples through the real pipeline, rendered once for every browser test."""
    from pipeline.file_to_result import file_to_result
    from reports.render import RunInfo, write_reports

    results = [file_to_result(p, rubric, settings) for p in sorted(EXAMPLES.glob("*.pdf"))]
    run = RunInfo.for_rubric(rubric, as_of=settings.as_of.isoformat(), version="test", duration_s=1.5)
    out = tmp_path_factory.mktemp("site")
    write_reports(results, run, out)
    best = max((r for r in results if r.fit), key=lambda r: r.fit.overall)
    from reports.render import page_name

    return out, out / page_name(best), results


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium") / "profile"
    profile.mkdir()
    b = Browser(profile)
    yield b
    b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("ROLEFIT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_clean(page: Page) -> None:
    assert page.errors() == []
    outside = [u for u in page.requests() if not u.startswith(("file:", "data:", "about:"))]
    assert outside == [], "the page asked for something outside itself"


def test_index_sorts_filters_and_has_no_console_errors(browser, site, shots):
    out, _, results = site
    page = browser.open((out / "index.html").as_uri())
    assert page.js("document.getElementById('filters').hidden") is False, "the inline script did not run (CSP hash?)"
    scores = "Array.from(document.querySelectorAll('#ranked tbody tr')).map(r => parseFloat(r.dataset.score))"
    first = page.js(scores)
    assert first == sorted(first, reverse=True), "initially ranked best first"
    overall = "Array.from(document.querySelectorAll('#ranked th button')).find(b => b.textContent.trim() === 'Overall')"
    page.js(f"{overall}.click()")
    assert page.js(scores) == sorted(first, reverse=True)
    page.js(f"{overall}.click()")
    assert page.js(scores) == sorted(first), "a second click sorts lowest first"
    assert page.js(f"{overall}.parentElement.getAttribute('aria-sort')") == "ascending"
    names = "Array.from(document.querySelectorAll('#ranked tbody tr td.cand')).map(c => c.dataset.v.toLowerCase())"
    page.js("Array.from(document.querySelectorAll('#ranked th button')).find(b => b.textContent.startsWith('Candidate')).click()")
    assert page.js(names) == sorted(page.js(names))
    page.js("document.querySelector('#ranked th button').click()")  # back to rank order
    assert page.js(scores) == first

    page.set("f-min", "30")
    visible = page.js("Array.from(document.querySelectorAll('#ranked tbody tr')).filter(r => !r.hidden).map(r => parseFloat(r.dataset.score))")
    assert visible and all(s >= 30 for s in visible)
    assert len(visible) == sum(1 for r in results if r.fit and r.fit.overall >= 30)
    assert page.js("document.getElementById('f-count').textContent") == f"Showing {len(visible)} of {len(results)}"
    page.set("f-min", "0")
    page.set("f-status", "unreadable")
    unreadable = page.js("Array.from(document.querySelectorAll('#ranked tbody tr')).filter(r => !r.hidden).map(r => r.dataset.status)")
    assert unreadable == ["unreadable"] * sum(1 for r in results if r.status == "unreadable")
    page.set("f-status", "")
    level = next(r.level.level for r in results if r.level)
    page.set("f-level", level)
    levels = page.js("Array.from(document.querySelectorAll('#ranked tbody tr')).filter(r => !r.hidden).map(r => r.dataset.level)")
    assert levels and set(levels) == {level}
    page.set("f-level", "")

    page.screenshot(shots / "index.png")
    assert_clean(page)


def test_candidate_page_has_no_console_errors_and_links_back(browser, site, shots):
    out, best, _ = site
    page = browser.open(best.as_uri())
    assert page.js("document.querySelectorAll('svg').length") >= 2, "radar and timeline"
    assert page.js("document.querySelector('a[href=\"../index.html\"]') !== null")
    page.screenshot(shots / "candidate.png")
    assert_clean(page)


@pytest.mark.parametrize("which", ["index", "candidate"])
def test_axe_finds_no_serious_or_critical_violations(browser, site, which):
    out, best, _ = site
    page = browser.open((out / "index.html" if which == "index" else best).as_uri())
    violations = page.axe_violations(axe_source())
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)


PAPERS = [("A4", 8.27, 11.69), ("Letter", 8.5, 11.0)]
MARGIN_IN = 0.5


def print_problems(page: Page, pdf_path: Path, width_in: float, height_in: float) -> tuple[list[str], list[str], str]:
    """Print the page to PDF; return the elements wider than the printable width (print media),
    the characters that landed outside a PDF page, and the printed text."""
    import base64

    import pdfplumber

    pdf = page.send("Page.printToPDF", {"paperWidth": width_in, "paperHeight": height_in, "marginTop": MARGIN_IN,
                                        "marginBottom": MARGIN_IN, "marginLeft": MARGIN_IN, "marginRight": MARGIN_IN,
                                        "printBackground": True})
    pdf_path.write_bytes(base64.b64decode(pdf["data"]))
    printable = round((width_in - 2 * MARGIN_IN) * 96)  # CSS pixels
    page.send("Emulation.setEmulatedMedia", {"media": "print"})
    page.send("Emulation.setDeviceMetricsOverride", {"width": printable, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    wide = page.js(
        f"Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > {printable} + 1)"
        ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    outside = []
    with pdfplumber.open(pdf_path) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
        for p in doc.pages:
            outside += [c["text"] for c in p.chars if c["x0"] < -0.5 or c["x1"] > p.width + 0.5
                        or c["top"] < -0.5 or c["bottom"] > p.height + 0.5]
    return wide, outside, text.replace("\n", " ")


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p[0])
def test_candidate_page_prints_without_cut_off_content(browser, site, shots, paper):
    name, width_in, height_in = paper
    out, best, _ = site
    page = browser.open(best.as_uri())
    wide, outside, text = print_problems(page, shots / f"candidate-{name}.pdf", width_in, height_in)
    assert wide == [], f"wider than {name} paper"
    assert outside == [], "characters off the page"
    for expected in ("Competencies and evidence", "How the file was read", "must not be the only basis"):
        assert expected in text


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    """The browser checks themselves can fail: a page with an unlabelled field, a script error and
    a table wider than the paper is caught by axe, the console check and the print check."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html><head><title>bad</title></head><body><main><input type='text'>"
                   "<table><tr><td style='min-width:1400px'>far too wide to print</td></tr></table>"
                   "<script>undefinedFunction()</script></main></body></html>", encoding="utf-8")
    page = browser.open(bad.as_uri())
    assert any("undefinedFunction" in e for e in page.errors())
    assert any(v["impact"] in ("serious", "critical") for v in page.axe_violations(axe_source()))
    wide, _, _ = print_problems(page, tmp_path / "bad.pdf", 8.27, 11.69)
    assert wide
