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
