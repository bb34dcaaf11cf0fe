"""The whole path on the bundled examples: stages directly, then once through the Prefect flow."""

import json

import pytest

from tests.conftest import AS_OF, EXAMPLES


@pytest.fixture(scope="module")
def example_results(rubric, settings):
    from pipeline.file_to_result import file_to_result

    return {p.name: file_to_result(p, rubric, settings) for p in sorted(EXAMPLES.glob("*.pdf"))}


def test_there_are_enough_examples(example_results):
    assert len(example_results) >= 10


def test_corrupt_example_is_unreadable_with_a_reason(example_results):
    corrupt = [r for name, r in example_results.items() if "corrupt" in name]
    assert corrupt, "the examples include a corrupt file"
    for result in corrupt:
        assert result.status == "unreadable"
        assert "corrupt" in result.problem.reason


def test_every_other_example_is_scored_with_evidence(example_results):
    for name, result in example_results.items():
        if "corrupt" in name:
            continue
        assert result.status == "scored", (name, result.problem)
        assert 0 <= result.fit.overall <= 100
        for comp in result.fit.competencies:
            assert (comp.score > 0) == bool(comp.evidence), (name, comp.id)
        assert abs(sum(p for _, p in result.level.probabilities) - 1) < 1e-6


def test_results_are_deterministic(rubric, settings, example_results):
    from pipeline.file_to_result import file_to_result

    name, first = next(iter(example_results.items()))
    assert file_to_result(EXAMPLES / name, rubric, settings) == first


def test_flow_writes_index_pages_and_json(tmp_path, prefect_harness):
    from flows import batch_flow

    out = tmp_path / "out"
    summary = batch_flow(str(EXAMPLES), str(out), as_of=AS_OF.isoformat())
    assert summary["unreadable"] >= 1 and summary["scored"] >= 9
    index = (out / "index.html").read_text(encoding="utf-8")
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len(data["results"]) == len(list(EXAMPLES.glob("*.pdf")))
    for result in data["results"]:
        if result["status"] == "scored":
            page = out / "candidates" / f"{result['candidate_id']}.html"
            assert page.exists()
            assert f"candidates/{result['candidate_id']}.html" in index
        else:
            assert result["problem"]["reason"] in index
