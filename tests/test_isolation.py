"""pipeline.isolation: a call in a forked child with time and memory limits, never raising."""

import os
import time

from pipeline.isolation import format_bytes, run_isolated

MiB = 1 << 20


def _add(a, b):
    return a + b


def _fail():
    raise ValueError("bad input")


def _sleep():
    time.sleep(30)


def _spin():
    while True:
        pass


def _allocate():
    return len(bytearray(512 * MiB))


def _abort():
    os.abort()


def _exit_early():
    os._exit(3)


def test_value_comes_back():
    outcome = run_isolated(_add, 2, 3, timeout_s=10, memory_bytes=256 * MiB)
    assert (outcome.status, outcome.value) == ("ok", 5)


def test_exception_is_reported_not_raised():
    outcome = run_isolated(_fail, timeout_s=10, memory_bytes=256 * MiB)
    assert (outcome.status, outcome.detail) == ("error", "ValueError: bad input")


def test_wall_clock_limit():
    outcome = run_isolated(_sleep, timeout_s=0.5, memory_bytes=256 * MiB)
    assert outcome.status == "timeout"


def test_cpu_limit():
    outcome = run_isolated(_spin, timeout_s=0.5, memory_bytes=256 * MiB)
    assert outcome.status == "timeout"


def test_memory_limit():
    outcome = run_isolated(_allocate, timeout_s=10, memory_bytes=64 * MiB)
    assert outcome.status == "memory"


def test_abort_is_contained():
    outcome = run_isolated(_abort, timeout_s=10, memory_bytes=256 * MiB)
    assert (outcome.status, outcome.detail) == ("crashed", "SIGABRT")


def test_child_dying_without_an_answer():
    outcome = run_isolated(_exit_early, timeout_s=10, memory_bytes=256 * MiB)
    assert outcome.status == "crashed" and "exit status 3" in outcome.detail


def test_format_bytes():
    assert [format_bytes(n) for n in (1 << 30, 200 * MiB, 1536 * MiB, 512)] == ["1 GiB", "200 MiB", "1.5 GiB", "512 bytes"]


def _record_pid_and_sleep(path):
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(30)


def _start_a_sleeper_and_sleep(path):
    from pipeline.isolation import start_isolated

    start_isolated(_record_pid_and_sleep, path, timeout_s=30, memory_bytes=256 * MiB)
    time.sleep(30)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_a_child_of_a_child_ends_with_it(tmp_path):
    """A call killed at its deadline takes the process it started with it (``start_isolated``
    inside ``run_isolated``, as the reader does for a second worker): nothing works on."""
    if not os.path.exists("/proc/self/stat"):
        import pytest

        pytest.skip("needs /proc (Linux)")
    path = tmp_path / "pid"
    outcome = run_isolated(_start_a_sleeper_and_sleep, str(path), timeout_s=1, memory_bytes=256 * MiB)
    assert outcome.status == "timeout"
    pid = int(path.read_text())
    for _ in range(100):
        if not _running(pid):
            break
        time.sleep(0.02)
    assert not _running(pid)


def _wait_for(path):
    for _ in range(500):
        if os.path.exists(path):
            return True
        time.sleep(0.01)
    return False


def test_a_started_call_runs_while_the_caller_goes_on(tmp_path):
    """``start_isolated`` returns while the child runs: the child sees a file the caller makes
    only after the call has returned."""
    from pipeline.isolation import start_isolated

    path = tmp_path / "go"
    pending = start_isolated(_wait_for, str(path), timeout_s=10, memory_bytes=256 * MiB)
    path.touch()
    assert pending.outcome().value is True


def test_a_started_call_is_ready_once_the_child_has_answered(tmp_path):
    """``ready()`` says whether ``outcome()`` would wait for the child: not while it works, yes
    once it has answered or died."""
    from pipeline.isolation import start_isolated

    path = tmp_path / "go"
    pending = start_isolated(_wait_for, str(path), timeout_s=10, memory_bytes=256 * MiB)
    time.sleep(0.05)
    assert pending.ready() is False
    path.touch()
    deadline = time.monotonic() + 10
    while not pending.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pending.ready() is True and pending.outcome().value is True
    dying = start_isolated(os._exit, 3, timeout_s=10, memory_bytes=256 * MiB)
    while not dying.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dying.ready() is True and dying.outcome().status == "crashed"


def test_a_collected_call_gives_its_outcome_again_and_is_never_killed_after(monkeypatch):
    """The child is reaped once: ``outcome()`` and ``cancel()`` after it give the same outcome,
    and a cancel then sends no signal (the pid may belong to another process by now)."""
    import pipeline.isolation as isolation

    pending = isolation.start_isolated(sum, [1, 2], timeout_s=10, memory_bytes=256 * MiB)
    first = pending.outcome()
    killed = []
    monkeypatch.setattr(isolation, "_kill", killed.append)
    assert pending.outcome() is first and pending.cancel() is first and first.value == 3
    assert pending.ready() is True and killed == []
