"""The curriculum PDF's HTML, built from an export's parameters by a worker or the command line.

Everything is read again by identifier (a course may have been deleted since the export was
asked for) in a fixed number of queries: the framework version, the courses with their leads,
the coverage (three queries), the framework's tree (five) and the courses' outcomes. The
outcomes' mapped capabilities come from the coverage's cells, so the course pages and the
matrix agree. Rendered in the export's language; every text users wrote is escaped by the
template.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competencies.models import Framework, LevelDescriptor
from competencies.selectors import framework_tree
from courses.coverage import Coverage, coverage, progression_message
from courses.curriculum_pdf.form import SECTIONS, language_name, selection_phrase
from courses.curriculum_pdf.matrix import MAX_DEPTH, matrix_tables
from courses.models import BloomLevel, Course, Emphasis, LearningOutcome
from eisen.export_kinds import ExportDocument, ExportFailed

TEMPLATE = "courses/print/curriculum.html"
#: Left-out courses named on the cover, per framework; the others are counted.
LEFT_OUT_CODES_SHOWN = 5


@dataclass(frozen=True)
class LeftOut:
    """Chosen courses left out because they map to another framework."""

    framework: str
    count: int
    #: The first LEFT_OUT_CODES_SHOWN codes, and how many more there are.
    codes: list[str]
    more: int


@dataclass(frozen=True)
class MappedCapability:
    code: str
    title: str
    emphasis_label: str


@dataclass(frozen=True)
class OutcomeSpecification:
    code: str
    text: str
    bloom_level: str
    capabilities: list[MappedCapability]


@dataclass(frozen=True)
class CourseSpecification:
    number: int
    course: Course
    leads: list[str]
    outcomes: list[OutcomeSpecification]


def build(parameters: dict) -> ExportDocument:
    """The curriculum document of an export; `ExportFailed` when its data is gone."""
    language = parameters["language"]
    with translation.override(language):
        framework, courses = _read(parameters)
        result = coverage(courses, framework)
        context = _context(parameters, framework, result)
        html = render_to_string(TEMPLATE, context)
    return ExportDocument(
        html=html, title=context["title"], language=language, filename=filename(framework)
    )


def filename(framework: Framework) -> str:
    """'curriculum-eisen-competency-framework-1-0.pdf'."""
    version = slugify(framework.version_label.replace(".", "-"))
    return f"curriculum-{slugify(framework.slug)}-{version}.pdf"


def _read(parameters: dict) -> tuple[Framework, list[Course]]:
    framework = Framework.objects.filter(uuid=parameters["framework"]).first()
    if framework is None:
        raise ExportFailed(
            _("The framework version of this export no longer exists; ask for a new export.")
        )
    identifiers = parameters["courses"]
    found = {
        str(course.uuid): course
        for course in Course.objects.filter(uuid__in=identifiers)
        .select_related("institution", "programme", "framework")
        .prefetch_related("leads")
    }
    missing = [identifier for identifier in identifiers if identifier not in found]
    if missing:
        raise ExportFailed(
            ngettext(
                "%(count)d course of this export no longer exists; ask for a new export.",
                "%(count)d courses of this export no longer exist; ask for a new export.",
                len(missing),
            )
            % {"count": len(missing)}
        )
    return framework, [found[identifier] for identifier in identifiers]


def _context(parameters: dict, framework: Framework, result: Coverage) -> dict:
    sections = parameters["sections"]
    labels = dict(SECTIONS)
    left_out = list(parameters["left_out"]) + [
        {"code": course.code, "framework": str(course.framework)}
        for course in result.other_framework_courses
    ]
    context = {
        "language": parameters["language"],
        "language_name": language_name(parameters["language"]),
        "title": _("Curriculum: %(framework)s") % {"framework": framework},
        "framework": framework,
        "selection": selection_phrase(parameters["selection"], len(result.courses)),
        "left_out": _left_out_by_framework(left_out),
        "today": timezone.localdate(),
        "sections": {name: labels[name] for name in sections},
        "courses": result.courses,
        "emphases": Emphasis.choices,
    }
    if "framework" in sections:
        context["tree"] = _framework_tree(framework)
    if "courses" in sections:
        context["specifications"] = course_specifications(result)
    if "matrix" in sections:
        context["matrix_tables"] = matrix_tables(result)
        context["mappings_outside_version"] = result.mappings_outside_version
    if "gaps" in sections:
        context["gaps"] = _gaps(result)
    return context


def _left_out_by_framework(left_out: list[dict]) -> list[LeftOut]:
    codes: dict[str, list[str]] = defaultdict(list)
    for item in left_out:
        codes[item["framework"]].append(item["code"])
    return [
        LeftOut(
            framework,
            len(found),
            found[:LEFT_OUT_CODES_SHOWN],
            max(0, len(found) - LEFT_OUT_CODES_SHOWN),
        )
        for framework, found in codes.items()
    ]


def _framework_tree(framework: Framework) -> dict:
    """`framework_tree` with each capability's level descriptors labelled and its indent."""
    tree = framework_tree(framework)
    eqf_labels = dict(LevelDescriptor.EqfLevel.choices)
    for domain in tree["domains"]:
        for capability in domain["capabilities"]:
            capability["indent"] = min(capability["depth"], MAX_DEPTH)
            capability["levels"] = [
                (eqf_labels[descriptor["eqf_level"]], descriptor["text"])
                for descriptor in capability["level_descriptors"]
            ]
    return tree


def course_specifications(result: Coverage) -> list[CourseSpecification]:
    """Each course with its leads and its outcomes, each with the capabilities it maps to."""
    emphasis_labels = dict(Emphasis.choices)
    bloom_labels = dict(BloomLevel.choices)
    mapped: dict[int, list[MappedCapability]] = defaultdict(list)
    for row in result.rows:
        capability = row.capability
        for cell in row.cells.values():
            for outcome in cell.outcomes:
                mapped[outcome.pk].append(
                    MappedCapability(
                        capability.code, capability.title, emphasis_labels[outcome.emphasis]
                    )
                )
    outcomes: dict[int, list[OutcomeSpecification]] = defaultdict(list)
    for course_id, pk, code, text, bloom_level in (
        LearningOutcome.objects.filter(course_id__in=[course.pk for course in result.courses])
        .order_by("course_id", "position")
        .values_list("course_id", "pk", "code", "text", "bloom_level")
    ):
        outcomes[course_id].append(
            OutcomeSpecification(code, text, bloom_labels.get(bloom_level, ""), mapped[pk])
        )
    return [
        CourseSpecification(
            number,
            course,
            sorted(lead.get_full_name() or lead.get_username() for lead in course.leads.all()),
            outcomes[course.pk],
        )
        for number, course in enumerate(result.courses, start=1)
    ]


def _gaps(result: Coverage) -> dict:
    return {
        "unmapped_capabilities": result.unmapped_capabilities,
        "introduced_only": result.introduced_only,
        "unmapped_outcomes": result.unmapped_outcomes,
        "shows_progression": any(course.programme_id for course in result.courses),
        "progression": [
            (progression_message(problem), [outcome.code for outcome in problem.outcomes])
            for problem in result.progression
        ],
    }
