"""``rolefit serve``: the batch flow as a Prefect deployment on a cron schedule. The schedule is
checked offline; one test starts a real Prefect server on a loopback port, serves the folder and
triggers a run (without waiting for the clock)."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from tests.conftest import AS_OF, EXAMPLES, ROOT

EVERY_15_MIN = "*/15 * * * *"


def test_the_deployment_carries_the_schedule_and_the_folder():
    from prefect.server.schemas.schedules import CronSchedule

    from flows import batch_deployment

    parameters = {"folder": "/data/applicants", "out": "/data/out", "workers": 2}
    deployment = batch_deployment("applicants", EVERY_15_MIN, parameters)
    assert deployment.name == "applicants" and deployment.entrypoint == "flows.batch_flow"
    assert deployment.parameters == parameters
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == EVERY_15_MIN and schedule.active
    start = datetime(2026, 11, 26, 10, 7, tzinfo=timezone.utc)
    dates = asyncio.run(CronSchedule(cron=schedule.schedule.cron, timezone="UTC").get_dates(n=3, start=start))
    assert [(d.hour, d.minute) for d in dates] == [(10, 15), (10, 30), (10, 45)]


def test_an_invalid_cron_expression_is_refused():
    from flows import batch_deployment

    with pytest.raises(ValueError, match="invalid cron expression"):
        batch_deployment("applicants", "every quarter hour", {"folder": "/x", "out": "/y"})


def rolefit(*args, env=None):
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--cron", EVERY_15_MIN], "schedules need a running Prefect server"),
        (["--cron", "61 * * * *"], "invalid cron expression"),
    ],
)
def test_serve_refuses_with_one_line(tmp_path, args, expected):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if "61" in args[1]:
        env["PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # never contacted: the cron is checked first
    proc = rolefit("serve", EXAMPLES, "--out", tmp_path / "out", *args, env=env)
    assert proc.returncode == 2
    assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc, log in procs:
            assert proc.poll() is None, f"{proc.args} exited: {log.read_text()[-3000:]}"
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_served_deployment_registers_its_schedule_and_a_triggered_run_scores_the_folder(tmp_path):
    import httpx

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # pick triggered runs up within a second, not ten
    }
    out = tmp_path / "out"
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=server_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    served = None
    try:
        client = httpx.Client(base_url=api, timeout=10)

        def healthy():
            try:
                return client.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("the Prefect server", healthy, 180, [(server, server_log)])
        cron = "0 3 * * *"  # not due while the test runs: only the triggered run happens
        served = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", str(EXAMPLES), "--out", str(out), "--cron", cron,
             "--name", "test-applicants", "--as-of", AS_OF.isoformat(), "--workers", "2"],
            cwd=ROOT, env={**env, "PREFECT_API_URL": api}, stdout=serve_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )

        def deployment():
            reply = client.get("/deployments/name/rolefit-batch/test-applicants")
            return reply.json() if reply.status_code == 200 else None

        registered = wait_for("the deployment", deployment, 120, [(served, serve_log), (server, server_log)])
        assert [s["schedule"]["cron"] for s in registered["schedules"]] == [cron]
        assert registered["parameters"]["folder"] == str(EXAMPLES.resolve())

        replies = []

        def created():
            # A busy server can answer with an error (the run is then not created): ask again.
            reply = client.post(f"/deployments/{registered['id']}/create_flow_run", json={})
            replies.append(f"{reply.status_code} {reply.text[:300]}")
            return reply.json() if reply.status_code in (200, 201) else None

        try:
            run = wait_for("the flow run to be created", created, 60, [(served, serve_log), (server, server_log)])
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the server answered: {replies[-3:]}") from None

        def finished():
            reply = client.get(f"/flow_runs/{run['id']}")
            state = reply.json().get("state") if reply.status_code == 200 else None
            return state if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        state = wait_for("the triggered run", finished, 240, [(served, serve_log)])
        assert state["type"] == "COMPLETED", serve_log.read_text()[-3000:]
        exported = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
        assert len(exported) == len(list(EXAMPLES.glob("*.pdf")))

        def per_file_logs():  # the run's last log lines may reach the server just after its state
            logs = client.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200}).json()
            lines = [log["message"] for log in logs if ".pdf: " in log["message"]]
            return lines if len(lines) >= len(exported) else None

        assert len(wait_for("one log line per file", per_file_logs, 60)) == len(exported)
        artifacts = client.post("/artifacts/filter", json={"artifacts": {"key": {"any_": ["rolefit-run-summary"]}}}).json()
        assert any(str(out / "index.html") in a["data"] and a["flow_run_id"] == run["id"] for a in artifacts)
    finally:
        if served is not None:
            stop(served)
        stop(server)
