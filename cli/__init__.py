"""The ``rolefit`` command: a thin layer over the pipeline, the reports and the flows.

One module per sub-command; each has ``register(subparsers)``. Errors the user can fix raise
``UsageError``: one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

COMMANDS = ("batch", "serve", "score", "rubric", "audit", "notice")  # modules of this package, in the order shown in --help


class UsageError(Exception):
    """A mistake in what the user asked for: one line on stderr, exit code 2."""


def build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    """The parser for ``commands`` (all of them by default; ``main`` builds only the one it was
    given, which keeps the other commands' imports out of ``rolefit score``'s start-up)."""
    import importlib

    parser = argparse.ArgumentParser(prog="rolefit", description="Offline, explainable résumé-to-role fit scoring.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in commands:
        importlib.import_module(f"cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None, *, program: bool = False) -> int:
    """Run one command and return its exit code. ``program`` is true when this process is the
    ``rolefit`` program itself: a command that asks for it (``set_defaults(exit_at_once=True)``)
    then ends the process here, see ``exit_at_once``."""
    given = sys.argv[1:] if argv is None else argv
    args = build_parser((given[0],) if given and given[0] in COMMANDS else COMMANDS).parse_args(given)
    try:
        code = args.func(args)
    except UsageError as exc:
        print(f"rolefit: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("rolefit: interrupted", file=sys.stderr)
        code = 130
    if program and getattr(args, "exit_at_once", False):
        exit_at_once(code)
    return code


def exit_at_once(code: int) -> None:
    """End the process now, once standard output and error are flushed, without the
    interpreter's teardown: freeing every module and object a command loaded (rich, rapidfuzz,
    the stages and their compiled vocabularies) takes about 25 ms, a twentieth of what
    ``rolefit score`` spends in all. Only for commands that have closed every file they wrote
    and have no child, thread or exit handler left to wait for."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (rolefit score ... | head -1): nothing to save
            pass
    os._exit(code)


def program() -> None:
    """The ``rolefit`` executable (and ``python -m cli``)."""
    sys.exit(main(program=True))
