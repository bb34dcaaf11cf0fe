"""The ``rolefit`` command: a thin layer over the pipeline, the reports and the flows.

One module per sub-command; each has ``register(subparsers)``. Errors the user can fix raise
``UsageError``: one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("batch", "serve", "score", "rubric", "audit", "notice")  # modules of this package, in the order shown in --help


class UsageError(Exception):
    """A mistake in what the user asked for: one line on stderr, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="rolefit", description="Offline, explainable résumé-to-role fit scoring.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"rolefit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rolefit: interrupted", file=sys.stderr)
        return 130
