"""``rolefit rubric check FILE``: validate a rubric; problems as file, field, reason."""

from __future__ import annotations

import argparse
import sys


def check(args: argparse.Namespace) -> int:
    from pipeline.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(args.file, cache=False)  # always validate: that is what check is for
    except RubricError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 1
    model = rubric.model
    count = sum(len(c.competencies) for c in model.categories)
    print(
        f"{args.file}: ok ({model.id} {model.version}, {len(model.categories)} categories, "
        f"{count} competencies, sha256 {rubric.sha256[:12]})"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rubric", help="rubric tools")
    rsub = p.add_subparsers(dest="rubric_command", required=True)
    c = rsub.add_parser("check", help="validate a rubric file")
    c.add_argument("file")
    c.set_defaults(func=check)
