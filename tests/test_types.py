"""Stage data (``pipeline.types``): frozen dataclasses whose equality, hash and repr are shared
functions (``stage_data``) instead of ones generated per class. They must behave exactly as
``@dataclass(frozen=True)`` would: checked on every value that scoring the bundled examples
produces, against a plain frozen dataclass with the same fields."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import FrozenInstanceError, fields, is_dataclass, make_dataclass, replace

import pytest

import pipeline.types as stage_types
from conftest import EXAMPLES
from pipeline.file_to_result import file_to_result
from pipeline.pdf_to_document import pdf_to_document
from pipeline.fit_to_advice import competency_gains, fit_to_advice, open_competencies
from pipeline.text_to_job import text_to_job

JOB = """# Senior Technical Product Manager
## Requirements
- 5+ years of product management experience
- Experience with REST APIs, SQL and AWS
- Write technical specs and acceptance criteria
## Nice to have
- Experience mentoring product managers
"""
STAGE_CLASSES = [value for value in vars(stage_types).values()
                 if isinstance(value, type) and is_dataclass(value) and value.__module__ == stage_types.__name__]


def _plain(cls: type) -> type:
    """``@dataclass(frozen=True)`` with ``cls``'s name and fields: the reference."""
    specs = [(f.name, f.type, dataclasses.field(compare=f.compare, hash=f.hash, repr=f.repr)) for f in fields(cls)]
    plain = make_dataclass(cls.__name__, specs, frozen=True)
    plain.__qualname__ = cls.__qualname__
    return plain


def _walk(value, seen: dict[type, list]) -> None:
    if is_dataclass(value) and not isinstance(value, type):
        if type(value).__eq__ is stage_types._eq:  # made by stage_data (the rubric's schema too)
            seen.setdefault(type(value), []).append(value)
        for f in fields(value):
            _walk(getattr(value, f.name), seen)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            _walk(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, seen)


@pytest.fixture(scope="module")
def instances(rubric, settings) -> dict[type, list]:
    job = text_to_job(JOB, "job.md", rubric)
    seen: dict[type, list] = {}
    _walk(rubric, seen)
    for number, path in enumerate(sorted(EXAMPLES.glob("*.pdf"))):
        run = replace(settings, job=job, blind=number % 2 == 0)
        _walk(run, seen)
        _walk(pdf_to_document(path, run), seen)
        result = file_to_result(path, rubric, run, job)
        _walk(result, seen)
        if result.status == "scored":
            gains = competency_gains(result.profile, result.fit, rubric, open_competencies(result.fit))
            target = rubric.model.ladder.levels[-1].id
            _walk(fit_to_advice(result.profile, result.fit, result.level, rubric, target, gains, result.job_match), seen)
    return seen


def test_every_stage_class_is_a_frozen_dataclass():
    assert len(STAGE_CLASSES) >= 30
    for cls in STAGE_CLASSES:
        assert cls.__dataclass_params__.frozen, cls.__name__


def test_scoring_the_examples_builds_every_stage_class(instances):
    missing = sorted(cls.__name__ for cls in STAGE_CLASSES if cls not in instances)
    assert not missing


def test_the_rubric_schema_is_checked_too(instances):
    import pipeline.rubric

    schema = {cls for cls in instances if cls.__module__ == pipeline.rubric.__name__}
    assert {"Competency", "Category", "Rubric"} <= {cls.__name__ for cls in schema}
    assert len(schema) >= 8


def test_equality_hash_and_repr_are_those_of_a_plain_frozen_dataclass(instances):
    checked = 0
    for cls, values in instances.items():
        plain = _plain(cls)
        for value in values[:40]:
            twin = plain(**{f.name: getattr(value, f.name) for f in fields(cls)})
            assert repr(value) == repr(twin)
            assert hash(value) == hash(twin)
            assert value == replace(value) and not value != replace(value)
            assert value.__eq__(twin) is NotImplemented  # another class is never equal
            assert value.__eq__(object()) is NotImplemented
            checked += 1
    assert checked > 500


def test_a_changed_field_makes_values_unequal(instances):
    for cls, values in instances.items():
        value = values[0]
        for f in fields(cls):
            changed = copy.copy(value)  # not replace(): a __post_init__ would check the new value
            object.__setattr__(changed, f.name, _other(getattr(value, f.name)))
            assert (changed == value) is False, (cls.__name__, f.name)
            assert changed != value


def _other(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return (*value, "x")
    return "something else"


def test_values_stay_frozen(instances):
    for cls, values in instances.items():
        name = fields(cls)[0].name
        with pytest.raises(FrozenInstanceError):
            setattr(values[0], name, None)
        with pytest.raises(FrozenInstanceError):
            delattr(values[0], name)


def test_a_value_that_contains_itself_has_a_finite_repr():
    problem = stage_types.Problem("corrupt", "x")
    object.__setattr__(problem, "reason", problem)
    assert repr(problem) == "Problem(code='corrupt', reason=...)"
