"""The example MSc and PhD courses that `manage.py load_eisen` adds, kept in courses/data.

Each sample row is created through the services only when no row ever had its identity (name, or
code and year): a row that is there is left as it is, so a lead who rewrote the example outcomes
keeps them and a re-run writes nothing, not even history. The history also answers for rows that
are no longer there under that identity: one that was renamed is still found and used, and one
that was deleted stays deleted, so `make run` does not bring back examples someone removed.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from competencies.services.loading import eisen_framework_load
from courses.models import Course, Institution, LearningOutcome, OutcomeMapping, Programme
from courses.services.catalogue import course_create, institution_create, programme_create
from courses.services.mapping import outcome_map
from courses.services.outcomes import outcome_create
from eisen.roles import Role

SAMPLE_COURSES_FILE = Path(__file__).resolve().parent.parent / "data" / "sample_courses.json"


@dataclass
class SampleContent:
    """The rows one load created; empty when everything was already there."""

    institutions: list[Institution] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    outcomes: list[LearningOutcome] = field(default_factory=list)
    mappings: list[OutcomeMapping] = field(default_factory=list)


def _sample_row(model, **identity):
    """The row that has, or once had, this identity (None if it was deleted), and whether any
    row ever had it."""
    row = model.objects.filter(**identity).first()
    if row is not None:
        return row, True
    past = model.history.filter(**identity).values_list("id", flat=True)
    if not past:
        return None, False
    return model.objects.filter(pk__in=past).first(), True


def _institution(data: dict, made: SampleContent) -> Institution | None:
    institution, seen = _sample_row(Institution, name=data["name"])
    if not seen:
        institution = institution_create(
            name=data["name"], country=data["country"], is_example=True
        )
        made.institutions.append(institution)
    return institution


def _programme(data: dict, institution: Institution | None, made: SampleContent):
    if institution is None:
        return None
    programme, seen = _sample_row(Programme, institution_id=institution.pk, name=data["name"])
    if not seen:
        programme = programme_create(
            institution=institution,
            name=data["name"],
            award=data["award"],
            eqf_level=data["eqf_level"],
            ects=Decimal(data["ects"]),
            is_example=True,
        )
        made.programmes.append(programme)
    return programme


def _course(data: dict, institution, programme, framework, made: SampleContent) -> None:
    if institution is None or programme is None:
        return
    lookup = {"code": data["code"], "academic_year": data["academic_year"]}
    if _sample_row(Course, institution_id=institution.pk, **lookup)[1]:
        return
    course = course_create(
        institution=institution,
        programme=programme,
        framework=framework,
        title=data["title"],
        eqf_level=data["eqf_level"],
        ects=Decimal(data["ects"]),
        semester=data["semester"],
        delivery_mode=data["delivery_mode"],
        description=data["description"],
        is_example=True,
        **lookup,
    )
    made.courses.append(course)
    capabilities = {capability.code: capability for capability in framework.capabilities.all()}
    for outcome_data in data["outcomes"]:
        outcome = outcome_create(course=course, text=outcome_data["text"])
        made.outcomes.append(outcome)
        for mapping in outcome_data["mappings"]:
            made.mappings.append(
                outcome_map(
                    outcome=outcome,
                    capability=capabilities[mapping["capability"]],
                    emphasis=mapping["emphasis"],
                    note=mapping.get("note", ""),
                )
            )


@transaction.atomic
def eisen_sample_courses_load() -> SampleContent:
    """Add the example institutions, programmes and courses that are missing; see the module."""
    with SAMPLE_COURSES_FILE.open(encoding="utf-8") as data_file:
        data = json.load(data_file)
    framework = eisen_framework_load()
    made = SampleContent()
    institutions = {item["name"]: _institution(item, made) for item in data["institutions"]}
    programmes = {
        item["name"]: _programme(item, institutions[item["institution"]], made)
        for item in data["programmes"]
    }
    for item in data["courses"]:
        _course(
            item, institutions[item["institution"]], programmes[item["programme"]], framework, made
        )
    return made


def eisen_sample_courses_load_summary() -> str:
    made = eisen_sample_courses_load()
    examples = Course.objects.filter(is_example=True).order_by("eqf_level", "code")
    listed = ", ".join(f"{course.code} (EQF {course.eqf_level})" for course in examples)
    if not made.courses and not made.institutions and not made.programmes:
        return f"example courses already there: {listed or 'none'}; nothing added"
    return (
        f"example courses {listed}; added {len(made.institutions)} institutions, "
        f"{len(made.programmes)} programmes, {len(made.courses)} courses, "
        f"{len(made.outcomes)} outcomes, {len(made.mappings)} mappings"
    )


def example_courses_for_demo(accounts: dict) -> str:
    """Make the demo course lead a lead of the example courses, so they can try editing them."""
    lead = accounts.get(Role.COURSE_LEAD)
    examples = list(Course.objects.filter(is_example=True).order_by("eqf_level", "code"))
    if lead is None or not examples:
        return ""
    for course in examples:
        course.leads.add(lead)
    codes = ", ".join(course.code for course in examples)
    return f"  {lead.get_username()} leads the example courses {codes}"
