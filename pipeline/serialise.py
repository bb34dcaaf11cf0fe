"""Stage data to plain JSON-able values (dicts, lists, strings, numbers), deterministically, and
back (``from_jsonable``: how a run reloads the results it stored)."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from typing import Any, Callable


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
    return _converter(kind)(value)


_CONVERTERS: dict[Any, Callable[[Any], Any]] = {}


def _same(value: Any) -> Any:
    return value


def _converter(kind: Any) -> Callable[[Any], Any]:
    """A function from JSON data to ``kind``, built once per type (reloading a batch's stored
    results walks thousands of values)."""
    if kind not in _CONVERTERS:
        _CONVERTERS[kind] = lambda value: _CONVERTERS[kind](value)  # until built: a type may refer to itself
        _CONVERTERS[kind] = _build(kind)
    return _CONVERTERS[kind]


def _build(kind: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _converter(options[0]) if len(options) == 1 else _same
        return lambda v: None if v is None else inner(v)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])
        return lambda v: None if v is None else tuple(map(item, v))
    if origin is tuple and args:
        items = [_converter(a) for a in args]
        return lambda v: None if v is None else tuple(c(x) for c, x in zip(items, v))
    if origin is list:
        item = _converter(args[0]) if args else _same
        return lambda v: None if v is None else list(map(item, v))
    if origin is dict:
        item = _converter(args[1]) if args else _same
        return lambda v: None if v is None else {k: item(x) for k, x in v.items()}
    if origin is tuple or kind is tuple:
        return lambda v: None if v is None else tuple(v)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _converter(hints[f.name])) for f in dataclasses.fields(kind) if f.init]
        return lambda v: None if v is None else kind(**{name: c(v[name]) for name, c in fields if name in v})
    if kind is date:
        return lambda v: None if v is None else date.fromisoformat(v)
    if kind is float:
        return lambda v: None if v is None else float(v)
    return _same
