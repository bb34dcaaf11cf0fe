"""Stage data to plain JSON-able values (dicts, lists, strings, numbers), deterministically, and
back (``from_jsonable``: how a run reloads the results it stored)."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from typing import Any


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_jsonable(kind: Any, value: Any) -> Any:
    """The inverse of ``to_jsonable`` for a value of type ``kind`` (a stage dataclass, usually
    ``Result``), driven by the dataclasses' type hints. A field missing from ``value`` takes its
    default; a key the dataclass no longer has is ignored."""
    if value is None:
        return None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return from_jsonable(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_jsonable(args[0], v) for v in value)
        return tuple(from_jsonable(a, v) for a, v in zip(args, value)) if args else tuple(value)
    if origin is list:
        return [from_jsonable(args[0], v) for v in value] if args else list(value)
    if origin is dict:
        return {k: from_jsonable(args[1], v) for k, v in value.items()} if args else dict(value)
    if dataclasses.is_dataclass(kind):
        hints = _type_hints(kind)
        return kind(**{
            f.name: from_jsonable(hints[f.name], value[f.name])
            for f in dataclasses.fields(kind)
            if f.init and f.name in value
        })
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _type_hints(kind: type) -> dict[str, Any]:
    if kind not in _HINTS:
        _HINTS[kind] = typing.get_type_hints(kind)
    return _HINTS[kind]
