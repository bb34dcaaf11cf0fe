"""Files are scored in processes, or on a Dask cluster, with the same results as one by one."""

import json

import pytest

from tests.conftest import AS_OF, EXAMPLES

FILES = sorted(EXAMPLES.glob("*.pdf"))


@pytest.fixture(scope="module")
def one_by_one(rubric, settings):
    from pipeline.files_to_outcomes import file_to_outcome
    from pipeline.manifest import file_sha256

    return {p.name: file_to_outcome(p, file_sha256(p), rubric, settings) for p in FILES}


def test_a_process_pool_gives_the_same_outcomes(one_by_one, rubric, settings):
    from pipeline.files_to_outcomes import files_to_outcomes

    items = [(str(p), one_by_one[p.name].sha256) for p in FILES]
    outcomes = list(files_to_outcomes(items, rubric, settings, workers=2))
    assert len(outcomes) == len(FILES)
    assert {o.name: o for o in outcomes} == one_by_one


def test_a_file_changed_since_it_was_hashed_is_retried_not_stored(rubric, settings):
    from pipeline.files_to_outcomes import CHANGED, file_to_outcome

    outcome = file_to_outcome(FILES[0], "0" * 64, rubric, settings)
    assert outcome.status == CHANGED and outcome.data == ""


def test_dask_cluster_scores_the_batch(tmp_path, prefect_harness, one_by_one):
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("prefect_dask")
    from flows import batch_flow

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = batch_flow(str(EXAMPLES), str(tmp_path / "out"), as_of=AS_OF.isoformat(), workers=2, dask_address=cluster.scheduler_address)
            ran = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    assert summary["new"] == len(FILES)
    assert any("score_chunk" in str(key) or "score-chunk" in str(key) for key in ran), ran
    stored = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["results"]
    by_name = {r["source"]: r for r in stored}
    for name, outcome in one_by_one.items():
        expected = json.loads(outcome.data)
        assert by_name[name]["sha256"] == expected["sha256"] and by_name[name]["status"] == expected["status"], name
        if expected["fit"]:
            assert by_name[name]["fit"]["overall"] == expected["fit"]["overall"], name
