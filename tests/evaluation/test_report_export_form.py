"""What an evaluation report export may be asked for: defaults, JSON-ready parameters, a one-line
summary, refusals that name the field, and who may start and download such exports."""

import json
import uuid

import pytest
from django.http import QueryDict

from eisen import export_kinds
from evaluation.report_pdf.form import EvaluationReportForm
from evaluation.report_pdf.kind import EVALUATION_REPORT_EXPORT
from tests.evaluation.factories import FocusGroupFactory, LogicModelFactory
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

ALL_SECTIONS = ["logic_model", "mechanisms", "charts", "action_log"]
SECTIONS_LISTED = (
    "logic_model (Logic model), mechanisms (Mechanisms), charts (Charts), "
    "action_log (Formative action log)"
)


@pytest.fixture
def logic_model():
    return LogicModelFactory(title="EISEN logic model")


@pytest.fixture
def course():
    course = CourseFactory(code="IMP101", academic_year=2026)
    FocusGroupFactory(course=course)
    return course


def valid_form(data) -> EvaluationReportForm:
    form = EvaluationReportForm(data)
    assert form.is_valid(), form.errors
    return form


def errors_of(data) -> dict:
    form = EvaluationReportForm(data)
    assert not form.is_valid()
    return form.errors


def test_defaults_are_the_newest_logic_model_every_course_and_section_and_site_language(
    logic_model, course
):
    newest = LogicModelFactory(title="A later model")

    form = valid_form({})

    assert form.export_parameters() == {
        "logic_model": str(newest.uuid),
        "courses": [],
        "sections": ALL_SECTIONS,
        "language": "en",
    }
    assert form.export_summary() == "A later model · every course · every section · English"


def test_parameters_are_json_ready_with_identifiers_and_sections_in_report_order(
    logic_model, course
):
    other = CourseFactory(code="IMP050", academic_year=2025)
    form = valid_form(
        {
            "logic_model": str(logic_model.uuid),
            "courses": [str(course.uuid), str(other.uuid)],
            "sections": ["action_log", "logic_model"],
            "language": "en",
        }
    )

    parameters = form.export_parameters()

    assert json.loads(json.dumps(parameters)) == {
        "logic_model": str(logic_model.uuid),
        "courses": [str(other.uuid), str(course.uuid)],
        "sections": ["logic_model", "action_log"],
        "language": "en",
    }
    assert form.export_summary() == (
        "EISEN logic model · IMP050 (2025/26), IMP101 (2026/27) · "
        "Logic model, Formative action log · English"
    )


def test_the_export_page_query_string_gives_the_same_parameters(logic_model, course):
    query = QueryDict(mutable=True)
    query.setlist("courses", [str(course.uuid)])
    query.setlist("sections", ["mechanisms", "charts"])
    query["logic_model"] = str(logic_model.uuid)

    assert valid_form(query).export_parameters() == {
        "logic_model": str(logic_model.uuid),
        "courses": [str(course.uuid)],
        "sections": ["mechanisms", "charts"],
        "language": "en",
    }


def test_summary_names_four_courses_and_counts_the_rest(logic_model):
    courses = [CourseFactory(code=f"C{number}") for number in range(6)]
    for course in courses:
        FocusGroupFactory(course=course)

    form = valid_form({"courses": [str(course.uuid) for course in courses]})

    assert " · C0 (2026/27), C1 (2026/27), C2 (2026/27), C3 (2026/27) and 2 more · " in (
        form.export_summary()
    )


def test_an_unbound_form_offers_every_section_ticked_and_the_site_language(logic_model, course):
    html = EvaluationReportForm().as_div()

    for section in ALL_SECTIONS:
        assert f'value="{section}" id="evaluation-report-sections_' in html
    assert html.count("checked") == len(ALL_SECTIONS)
    assert '<option value="en" selected>English</option>' in html


# --- refusals ---------------------------------------------------------------------------------


def test_an_unknown_logic_model_is_refused(logic_model, course):
    assert errors_of({"logic_model": str(uuid.uuid4())}) == {
        "logic_model": ["No logic model has this identifier."]
    }
    assert errors_of({"logic_model": "not-a-uuid"}) == {
        "logic_model": ["“not-a-uuid” is not a logic model identifier."]
    }


def test_without_any_logic_model_there_is_nothing_to_report(course):
    assert errors_of({}) == {
        "logic_model": ["There is no logic model yet: there is nothing to report."]
    }


def test_courses_without_focus_groups_are_refused_as_nothing_to_report(logic_model, course):
    quiet = CourseFactory(code="NOFG1")

    assert errors_of({"courses": [str(quiet.uuid)]}) == {
        "courses": [
            (
                "None of the chosen courses (NOFG1) has held a focus group: there is nothing to "
                "report. Choose courses with focus groups, or none for every course."
            )
        ]
    }
    valid_form({"courses": [str(quiet.uuid), str(course.uuid)]})


def test_without_any_focus_group_there_is_nothing_to_report(logic_model):
    CourseFactory()

    assert errors_of({}) == {
        "courses": ["No course has held a focus group yet: there is nothing to report."]
    }


def test_an_unknown_course_is_refused(logic_model, course):
    missing = str(uuid.uuid4())

    assert errors_of({"courses": [str(course.uuid), missing]}) == {
        "courses": [f"No course has the identifier {missing}."]
    }
    assert errors_of({"courses": ["IMP101"]}) == {
        "courses": ["“IMP101” is not a course identifier."]
    }


def test_an_unknown_language_is_refused_listing_the_languages_of_the_site(
    logic_model, course, settings
):
    assert errors_of({"language": "xx"}) == {
        "language": [
            (
                "“xx” is not a language of this site; choose one of en (English), "
                "nb (Norwegian Bokmål), sv (Swedish)."
            )
        ]
    }

    settings.LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]

    assert valid_form({"language": "nb"}).export_parameters()["language"] == "nb"
    assert errors_of({"language": "sv"}) == {
        "language": [
            "“sv” is not a language of this site; choose one of en (English), nb (Norsk bokmål)."
        ]
    }


@pytest.mark.parametrize("sections", [[], [""], QueryDict("sections=")])
def test_naming_no_section_is_refused(logic_model, course, sections):
    data = sections if isinstance(sections, QueryDict) else {"sections": sections}

    assert errors_of(data) == {"sections": [f"Choose at least one section: {SECTIONS_LISTED}."]}


def test_an_unknown_section_is_refused_listing_the_sections(logic_model, course):
    assert errors_of({"sections": ["mechanisms", "appendix"]}) == {
        "sections": [
            f"“appendix” is not a section of the report; the sections are {SECTIONS_LISTED}."
        ]
    }


# --- the kind ---------------------------------------------------------------------------------


def test_the_kind_is_registered_with_its_form_and_builder():
    kind = export_kinds.get("evaluation-report")

    assert kind is EVALUATION_REPORT_EXPORT
    assert kind.form_class is EvaluationReportForm
    assert str(kind.label) == "Evaluation report"


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("administrator", True),
        ("evaluator", True),
        ("designer", False),
        ("course_lead", False),
        ("plain_user", False),
    ],
)
def test_only_administrators_and_evaluators_start_and_download_evaluation_reports(
    request, persona, allowed
):
    user = request.getfixturevalue(persona)

    assert EVALUATION_REPORT_EXPORT.may_start(user) is allowed
    assert EVALUATION_REPORT_EXPORT.may_download(user) is allowed
