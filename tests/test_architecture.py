"""The import rules of DEVELOPERS.md, checked on the source (runs in CI with the suite)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(*folders: str) -> list[Path]:
    files = [p for f in folders for p in (ROOT / f).rglob("*.py")]
    files += [p for p in ROOT.glob("*.py")]
    return sorted(files)


ALL = python_files("pipeline", "reports", "cli", "tests", "scripts", "examples")


@pytest.mark.parametrize("path", sorted((ROOT / "pipeline").rglob("*.py")), ids=lambda p: p.name)
def test_pipeline_imports_no_prefect_jinja2_or_reports(path):
    assert not imported_modules(path) & {"prefect", "jinja2", "reports", "flows", "cli"}


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_flows_imports_prefect(path):
    if path.name == "flows.py" and path.parent == ROOT or path.parent.name == "tests":
        return
    assert "prefect" not in imported_modules(path)


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_pdf_reader_imports_pdfplumber(path):
    if path.parent.name in ("tests", "scripts", "examples"):
        return  # tests, benchmarks and the example generator measure or build PDFs
    if path == ROOT / "pipeline" / "pdf_to_document.py":
        return
    assert not imported_modules(path) & {"pdfplumber", "pdfminer", "pypdfium2"}


@pytest.mark.parametrize("path", sorted((ROOT / "reports").rglob("*.py")), ids=lambda p: p.name)
def test_reports_never_run_a_stage(path):
    stages = {"pdf_to_document", "document_to_profile", "profile_to_fit", "profile_to_level", "file_to_result"}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[-1] not in stages, node.module


def test_templates_never_mark_text_safe():
    for template in (ROOT / "reports" / "templates").rglob("*"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), template
        assert "Markup(" not in text, template
