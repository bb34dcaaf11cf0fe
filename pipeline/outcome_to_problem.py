"""How an isolated PDF read ended (``pipeline.isolation``) -> the ``Problem`` a person reads.

Shared by the reader, which isolates itself, and by ``rolefit score``, which runs the reader in
its own child (and must not import the PDF libraries to word the outcome).
"""

from __future__ import annotations

from pipeline.isolation import format_bytes
from pipeline.types import Problem, Settings


def outcome_to_problem(status: str, detail: str, settings: Settings) -> Problem:
    """``status`` is an ``isolation.Outcome`` status other than "ok"; ``detail`` its detail."""
    limit = format_bytes(settings.memory_bytes)
    if status == "timeout":
        return Problem("timeout", f"gave up after {settings.timeout_s:g} s")
    if status == "memory":
        return Problem("memory", f"exceeded memory limit ({limit})")
    if status == "crashed" and detail == "SIGABRT":
        # pdfium aborts the process when an allocation fails under the memory limit.
        return Problem("memory", f"exceeded memory limit ({limit}): the PDF reader aborted")
    if status == "crashed":
        return Problem("corrupt", f"the PDF reader crashed on this file ({detail})")
    return Problem("corrupt", f"corrupt or unreadable PDF ({detail})")
