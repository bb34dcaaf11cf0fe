"""Run one function call in a forked child process with a wall-clock and a memory limit.

Generic (knows nothing about PDFs). Some parsers cannot be contained by try/except: pdfium
aborts the whole process (SIGABRT) when an allocation fails, a hostile file can loop for
ever or inflate a stream to gigabytes. The child:

- sets ``RLIMIT_AS`` to what the process already maps plus ``memory_bytes`` (the call may use
  that much more), ``RLIMIT_CPU`` a little past the time limit, and no core files;
- runs the call, pickles ``("ok", value)`` or the exception's name into a pipe, and exits.

The parent reads the pipe until the deadline, then SIGKILLs an overrun and reaps the child.
``fork`` is used (not spawn) so the child inherits already-imported libraries: starting a
fresh interpreter per file would cost ≈ 120 ms of imports. Where ``fork`` does not exist, the
call runs in-process and only ordinary exceptions are contained.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None  # type: ignore[assignment]

STATUSES = ("ok", "error", "timeout", "memory", "crashed")


@dataclass(frozen=True)
class Outcome:
    """How an isolated call ended. ``value`` is set only for "ok"."""

    status: str  # one of STATUSES
    value: Any = None
    detail: str = ""  # exception type and message ("error"), signal name ("crashed")
    seconds: float = 0.0


def fork_available() -> bool:
    return hasattr(os, "fork") and resource is not None


def run_isolated(fn: Callable[..., Any], *args: Any, timeout_s: float, memory_bytes: int) -> Outcome:
    """Call ``fn(*args)`` in a child process; never raises for anything the call does."""
    return start_isolated(fn, *args, timeout_s=timeout_s, memory_bytes=memory_bytes).outcome()


def start_isolated(fn: Callable[..., Any], *args: Any, timeout_s: float, memory_bytes: int) -> "Pending":
    """``run_isolated`` without the wait: the child runs ``fn(*args)`` while the caller goes on;
    ``outcome()`` collects it (the deadline counts from now). Without ``fork`` the call runs
    here, now."""
    return Pending(fn, args, timeout_s, memory_bytes)


class Pending:
    """A call running in a child process (``start_isolated``). ``outcome()`` collects it, or
    ``cancel()`` for a caller that no longer wants the answer; the child is reaped once, and
    either then gives the same outcome again."""

    def __init__(self, fn: Callable[..., Any], args: tuple, timeout_s: float, memory_bytes: int):
        self.start = time.monotonic()
        self.deadline = self.start + timeout_s
        self.pid: int | None = None
        self._outcome: Outcome | None = None
        if not fork_available():  # pragma: no cover - exercised on non-POSIX only
            self._outcome = _run_inline(fn, args, self.start)
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns
            os.close(read_fd)
            _child(fn, args, write_fd, timeout_s, memory_bytes)
        os.close(write_fd)
        self.pid, self._read_fd = pid, read_fd

    def ready(self) -> bool:
        """Whether ``outcome()`` would return without waiting for the child to work: it has
        begun to answer, or it has ended, or it was collected (without ``fork``: always)."""
        return self._outcome is not None or bool(select.select([self._read_fd], [], [], 0)[0])

    def outcome(self) -> Outcome:
        """Wait for the child's answer until the deadline (then kill it), and reap it."""
        if self._outcome is None:
            self._outcome = self._collect()
        return self._outcome

    def _collect(self) -> Outcome:
        try:
            payload, timed_out = _read_until(self._read_fd, self.deadline)
        finally:
            os.close(self._read_fd)
        if timed_out:
            _kill(self.pid)
        _, status, _ = os.wait4(self.pid, 0)
        seconds = time.monotonic() - self.start
        if timed_out:
            return Outcome("timeout", seconds=seconds)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig in (signal.SIGXCPU, signal.SIGKILL):  # CPU limit reached (soft, then hard)
                return Outcome("timeout", seconds=seconds)
            return Outcome("crashed", detail=signal.Signals(sig).name, seconds=seconds)
        try:
            kind, value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a child that died before writing its whole answer
            return Outcome("crashed", detail=f"no answer (exit status {os.waitstatus_to_exitcode(status)})", seconds=seconds)
        if kind == "ok":
            return Outcome("ok", value=value, seconds=seconds)
        return Outcome(kind, detail=value, seconds=seconds)

    def cancel(self) -> Outcome:
        """Kill the child now and reap it (the outcome is then "timeout", unless it had already
        answered). A child already collected is left alone: its pid may be another process's."""
        if self._outcome is None and self.pid is not None:
            _kill(self.pid)
        return self.outcome()


def _run_inline(fn: Callable[..., Any], args: tuple, start: float) -> Outcome:
    try:
        value = fn(*args)
    except MemoryError:
        return Outcome("memory", seconds=time.monotonic() - start)
    except Exception as exc:  # noqa: BLE001 - the isolation boundary
        return Outcome("error", detail=_describe(exc), seconds=time.monotonic() - start)
    return Outcome("ok", value=value, seconds=time.monotonic() - start)


def _child(fn, args, write_fd: int, timeout_s: float, memory_bytes: int) -> None:
    code = 0
    try:
        _die_with_parent()
        faulthandler.disable()  # an abort here is an expected outcome, not a crash report
        _set_limits(timeout_s, memory_bytes)
        try:
            answer = ("ok", fn(*args))
        except MemoryError:
            answer = ("memory", "")
        except Exception as exc:  # noqa: BLE001 - the isolation boundary
            answer = ("error", _describe(exc))
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", ""))
        except Exception as exc:  # noqa: BLE001 - an unpicklable value
            data = pickle.dumps(("error", f"unpicklable result: {_describe(exc)}"))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:  # noqa: BLE001 - never let the child run on into the caller's code
        code = 1
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this child when the process that started it ends: a
    caller that is killed (a timeout one level up, an interrupt) leaves no child working on."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _set_limits(timeout_s: float, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = max(1, int(timeout_s) + 1)
    _lower(resource.RLIMIT_CPU, cpu, cpu + 1)
    mapped = _mapped_bytes()
    _lower(resource.RLIMIT_AS, mapped + memory_bytes, mapped + memory_bytes)


def _lower(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never raising an existing lower one (a caller's own limit still holds)."""
    old_soft, old_hard = resource.getrlimit(kind)
    if old_hard != resource.RLIM_INFINITY:
        hard = min(hard, old_hard)
    soft = min(soft, hard)
    if old_soft != resource.RLIM_INFINITY:
        soft = min(soft, old_soft)
    resource.setrlimit(kind, (soft, hard))


def _mapped_bytes() -> int:
    """The process's current virtual size (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything the child writes, or (partial, True) when the deadline passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return b"", True
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _describe(exc: BaseException) -> str:
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def format_bytes(n: int) -> str:
    """1073741824 -> "1 GiB", 209715200 -> "200 MiB"."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"
