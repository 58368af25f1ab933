"""Coverage of a framework by a set of courses: the heatmap, the gap lists and the progression
check. Read by the coverage page, its downloads and the API alike, in a fixed number of queries.

How it is built is in `courses.coverage_build`; here are the ways in (`coverage`, `coverage_json`),
the selection of courses, and the JSON-ready forms the API answers.
"""

import gc
import json
from contextlib import contextmanager

from django.utils.translation import gettext as _

from competencies.models import Framework
from courses.coverage_build import (
    CapabilityRef,
    Cell,
    Coverage,
    DomainBlock,
    MappedOutcome,
    ProgressionProblem,
    build_coverage,
    default_framework,
    split_by_framework,
)
from courses.models import Course

__all__ = [
    "CapabilityRef",
    "Cell",
    "Coverage",
    "DomainBlock",
    "MappedOutcome",
    "ProgressionProblem",
    "course_selection",
    "coverage",
    "coverage_as_data",
    "coverage_json",
    "cyclic_gc_paused",
    "default_framework",
    "gaps_as_data",
    "progression_message",
    "split_by_framework",
]


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cycle collector while tens of thousands of small objects are made.

    They hold no reference cycles, so the collector frees nothing; but every few hundred new
    objects it walks the young ones again, and now and then the whole heap, which took two thirds
    of the time of a 400,000-cell coverage. Memory is still freed by reference counting. Callers
    that drop the objects before the pause ends (`coverage_json`, the coverage page) spare the
    collector from walking them at all.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def course_selection(
    *,
    programme=None,
    institution=None,
    eqf_level: int | None = None,
    academic_year: int | None = None,
    courses=None,
):
    """The courses a coverage is asked for; filters combine, none means every course."""
    queryset = Course.objects.select_related("institution", "programme", "framework")
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    if eqf_level is not None:
        queryset = queryset.filter(eqf_level=eqf_level)
    if academic_year is not None:
        queryset = queryset.filter(academic_year=academic_year)
    if courses:
        queryset = queryset.filter(uuid__in=[course.uuid for course in courses])
    return queryset.order_by("semester", "code", "academic_year", "pk")


def coverage(courses, framework: Framework | None = None) -> Coverage:
    """The coverage of `framework` (by default, the newest version most of the courses map to)
    by `courses`."""
    with cyclic_gc_paused():
        return build_coverage(list(courses), framework)


def _progression_text() -> str:
    return _(
        "%(capability)s is Mastered in %(course)s (semester %(semester)s) but no earlier course "
        "of the programme Introduces or Reinforces it."
    )


def progression_message(problem: ProgressionProblem, text: str | None = None) -> str:
    """What is wrong, in a sentence; `text` is the translated sentence when it is at hand."""
    return (text or _progression_text()) % {
        "capability": problem.capability.code,
        "course": problem.course.code,
        "semester": problem.course.semester,
    }


class _CapabilityData:
    """Each capability's JSON-ready data, made once however often it is listed."""

    def __init__(self):
        self.by_pk: dict[int, dict] = {}

    def __getitem__(self, capability: CapabilityRef) -> dict:
        data = self.by_pk.get(capability.pk)
        if data is None:
            data = self.by_pk[capability.pk] = {
                "uuid": str(capability.uuid),
                "code": capability.code,
                "title": capability.title,
                "domain": capability.domain.name,
            }
        return data


def gaps_as_data(result: Coverage, capability_data: _CapabilityData | None = None) -> dict:
    """The gap lists and progression problems, as JSON-ready data."""
    capability_data = _CapabilityData() if capability_data is None else capability_data
    text = _progression_text()
    courses = {course.pk: str(course.uuid) for course in result.courses}
    return {
        "unmapped_capabilities": [capability_data[item] for item in result.unmapped_capabilities],
        "introduced_only": [capability_data[item] for item in result.introduced_only],
        "unmapped_outcomes": [
            {
                "uuid": str(item["uuid"]),
                "code": item["code"],
                "text": item["text"],
                "course": str(item["course__uuid"]),
                "course_code": item["course__code"],
            }
            for item in result.unmapped_outcomes
        ],
        "progression": [
            {
                "capability": capability_data[problem.capability],
                "course": courses[problem.course.pk],
                "course_code": problem.course.code,
                "semester": problem.course.semester,
                "outcomes": [outcome.code for outcome in problem.outcomes],
                "message": progression_message(problem, text),
            }
            for problem in result.progression
        ],
    }


def coverage_json(courses, framework: Framework | None = None) -> str:
    """The coverage as a compact JSON document (as the API renders it).

    Built and serialised with the cycle collector paused, so the intermediate objects are gone
    before it runs again.
    """
    with cyclic_gc_paused():
        return json.dumps(coverage_as_data(coverage(courses, framework)), separators=(",", ":"))


def coverage_as_data(result: Coverage) -> dict:
    """The coverage as JSON-ready data: only cells that hold a mapping are listed."""
    with cyclic_gc_paused():
        return _coverage_data(result)


def _coverage_data(result: Coverage) -> dict:
    framework = result.framework
    capability_data = _CapabilityData()
    return {
        "framework": None
        if framework is None
        else {
            "uuid": str(framework.uuid),
            "title": framework.title,
            "version": framework.version_label,
        },
        "courses": [
            {
                "uuid": str(course.uuid),
                "code": course.code,
                "title": course.title,
                "academic_year": course.academic_year,
                "semester": course.semester,
                "eqf_level": course.eqf_level,
            }
            for course in result.courses
        ],
        "other_framework_courses": [str(course.uuid) for course in result.other_framework_courses],
        "mappings_outside_version": result.mappings_outside_version,
        "domains": [
            {
                "code": block.code,
                "name": block.name,
                "capabilities": len(block.rows),
                "covered": block.covered,
                "course_totals": block.course_totals,
            }
            for block in result.domains
        ],
        "capabilities": [
            {
                **capability_data[row.capability],
                "highest": row.highest,
                "cells": [
                    {
                        "course": index,
                        "emphasis": cell.emphasis,
                        "outcomes": [
                            {"code": outcome.code, "emphasis": outcome.emphasis}
                            for outcome in cell.outcomes
                        ],
                    }
                    for index, cell in row.cells_in_column_order()
                ],
            }
            for row in result.rows
        ],
        "gaps": gaps_as_data(result, capability_data),
    }
