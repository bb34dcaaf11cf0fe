import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests explore at random on a developer's machine, but CI replays a fixed sequence so
# that main never goes red by chance; a failure found locally becomes a fixed example or a fix.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "examples" / "applicants"
CORPUS = ROOT.parent / "shared" / "corpus"
AS_OF = date(2026, 11, 26)

# Validated rubrics are cached (pipeline.rubric): keep the tests' cache out of the user's home,
# in a folder of this run (subprocesses inherit it).
os.environ["ROLEFIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="rolefit-test-cache-")


@pytest.fixture(scope="session", autouse=True)
def _prefect_home(tmp_path_factory):
    """Keep Prefect's files out of the user's home and quiet during tests."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    yield


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the session's flow tests, stopped while pytest still
    owns the output streams (Prefect's own atexit shutdown logs into closed streams)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # its first start builds a database: slow on a busy machine
        yield


@pytest.fixture(scope="session")
def rubric():
    from pipeline.rubric import load_rubric

    return load_rubric()


@pytest.fixture(scope="session")
def settings():
    from pipeline.types import Settings

    return Settings(as_of=AS_OF)


def rubric_and_example_lines() -> list[str]:
    """Every line of the shipped rubric files and of the examples' source text: real wording
    for the tests that compare a matcher with the regex that defines it."""
    rubrics = sorted((ROOT / "rubrics").glob("*.toml"))
    sources = sorted((ROOT / "examples" / "source").glob("*.txt"))
    return [ln for f in rubrics + sources for ln in f.read_text(encoding="utf-8").splitlines()]


def corpus_or_skip() -> Path:
    if not (CORPUS / "labels.csv").exists():
        pytest.skip(f"evaluation corpus not found at {CORPUS}")
    return CORPUS
