"""What a curriculum export may be asked for: the form's parameters and summary, its refusals
(each naming the field), and the kind as registered with its permissions.

The curriculum is the one of tests.courses.curriculum_pdf_support: IMP101, IMP102 and IMP103 of "MSc
Implementation Science" on the EISEN framework, and OTH100 of the same programme on another.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils import timezone

from competencies.models import Framework
from courses.curriculum_pdf.form import SECTION_NAMES, CurriculumExportForm
from courses.curriculum_pdf.kind import CURRICULUM_EXPORT
from courses.models import Course
from eisen import export_kinds
from eisen.roles import Role
from tests.courses import curriculum_pdf_support
from tests.factories import CourseFactory, FrameworkFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

# A fixture is found by pytest under a name of the test module.
courses = curriculum_pdf_support.courses

EISEN = "EISEN Competency Framework 1.0"


def valid_form(data) -> CurriculumExportForm:
    form = CurriculumExportForm(data)
    assert form.is_valid(), form.errors
    return form


def refusal(data) -> dict[str, list[str]]:
    form = CurriculumExportForm(data)
    assert not form.is_valid()
    return form.errors


# --- what is stored ------------------------------------------------------------------------------


def test_by_default_every_course_of_the_most_used_framework_every_section_in_english(
    courses, eisen_framework
):
    form = valid_form({})
    parameters = form.export_parameters()
    assert parameters == {
        "framework": str(eisen_framework.uuid),
        "courses": [str(courses[code].uuid) for code in ("IMP101", "IMP102", "IMP103")],
        "selection": {
            "programme": None,
            "institution": None,
            "eqf_level": None,
            "academic_year": None,
            "hand_picked": False,
        },
        "left_out": [{"code": "OTH100", "framework": "Other framework 1.0"}],
        "sections": list(SECTION_NAMES),
        "language": "en",
    }
    assert json.loads(json.dumps(parameters)) == parameters
    assert form.export_summary() == f"{EISEN} · all 3 courses · all sections · English"


def test_a_programme_is_named_in_the_summary(courses):
    programme = courses["IMP101"].programme
    form = valid_form({"programme": programme.pk, "framework": ""})
    assert form.export_parameters()["selection"]["programme"] == "MSc Implementation Science"
    assert form.export_summary() == (
        f"{EISEN} · 3 courses of MSc Implementation Science · all sections · English"
    )


def test_institution_level_and_year_are_named_too(courses):
    institution = courses["IMP101"].institution
    form = valid_form({"institution": institution.pk, "eqf_level": "7", "academic_year": "2026"})
    assert form.export_summary().split(" · ")[1] == (
        f"3 courses of {institution.name}, EQF level 7, 2026/27"
    )


def test_hand_picked_courses_keep_the_coverage_order(courses):
    picked = [str(courses["IMP103"].uuid), str(courses["IMP101"].uuid)]
    form = valid_form(QueryDict(f"course={picked[0]}&course={picked[1]}&sections=matrix"))
    parameters = form.export_parameters()
    assert parameters["courses"] == picked[::-1]
    assert parameters["selection"]["hand_picked"] is True
    assert form.export_summary() == f"{EISEN} · 2 hand-picked courses · Coverage matrix · English"


def test_sections_come_in_the_document_s_order_and_one_may_be_given_alone(courses):
    form = valid_form({"sections": ["gaps", "framework", "gaps"]})
    assert form.export_parameters()["sections"] == ["framework", "gaps"]
    assert form.export_summary().endswith(" · The framework, Gaps · English")
    assert valid_form({"sections": "matrix"}).export_parameters()["sections"] == ["matrix"]


def test_a_newer_version_of_the_courses_framework_may_be_chosen(courses, eisen_framework):
    newer = FrameworkFactory(
        slug=eisen_framework.slug,
        title=eisen_framework.title,
        version_label="2.0",
        previous_version=eisen_framework,
    )
    form = valid_form({"framework": str(newer.uuid)})
    assert form.export_parameters()["framework"] == str(newer.uuid)
    assert len(form.export_parameters()["courses"]) == 3
    assert form.export_summary().startswith("EISEN Competency Framework 2.0 · ")


def test_an_archived_version_may_be_chosen(courses, eisen_framework):
    Framework.objects.filter(pk=eisen_framework.pk).update(status=Framework.Status.ARCHIVED)
    form = valid_form({"framework": str(eisen_framework.uuid)})
    assert form.export_parameters()["framework"] == str(eisen_framework.uuid)


def test_by_default_the_newest_version_the_courses_map_to(courses, eisen_framework):
    newer = FrameworkFactory(
        slug=eisen_framework.slug,
        version_label="2.0",
        published_at=timezone.now() + timedelta(days=1),
    )
    Course.objects.filter(pk=courses["IMP103"].pk).update(framework=newer)
    assert valid_form({}).export_parameters()["framework"] == str(newer.uuid)


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_every_language_in_settings_is_accepted(courses, settings, language):
    settings.LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål"), ("sv", "Svenska")]
    form = valid_form({"language": language})
    assert form.export_parameters()["language"] == language
    assert form.export_summary().endswith(dict(settings.LANGUAGES)[language])


# --- refusals ------------------------------------------------------------------------------------


def test_a_selection_without_courses_is_refused(courses):
    empty = ProgrammeFactory(name="MSc Nothing Yet")
    assert refusal({"programme": empty.pk})["course"] == [
        (
            "No course matches this selection (MSc Nothing Yet): choose another programme, "
            "institution, EQF level or year, or pick the courses."
        )
    ]
    assert refusal({"academic_year": "2030"})["course"] == [
        (
            "No course matches this selection (2030/31): choose another programme, institution, "
            "EQF level or year, or pick the courses."
        )
    ]


def test_hand_picked_courses_outside_the_other_choices_are_refused(courses):
    other = ProgrammeFactory(name="MSc Elsewhere")
    CourseFactory(programme=other, institution=other.institution)
    errors = refusal({"programme": other.pk, "course": [str(courses["IMP101"].uuid)]})
    assert errors["course"] == [
        "No course matches this selection: none of the hand-picked courses is one of MSc Elsewhere."
    ]


def test_no_courses_at_all_is_refused(db):
    assert refusal({})["course"] == ["No course matches this selection: there are no courses yet."]


def test_a_framework_none_of_the_courses_maps_to_is_refused_naming_their_versions(courses):
    unused = FrameworkFactory(title="Unused framework")
    programme = courses["IMP101"].programme
    errors = refusal({"programme": programme.pk, "framework": str(unused.uuid)})
    assert errors["framework"] == [
        (
            "None of the chosen courses maps to Unused framework 1.0; they map to "
            f"{EISEN} (3 courses), Other framework 1.0 (1 course)."
        )
    ]


def test_a_draft_or_unknown_framework_is_refused(courses):
    draft = FrameworkFactory(draft=True)
    for identifier in (str(draft.uuid), str(uuid.uuid4())):
        assert refusal({"framework": identifier})["framework"] == [
            "No published framework version has this identifier."
        ]
    assert refusal({"framework": "eisen"})["framework"] == [
        "“eisen” is not a framework identifier."
    ]


def test_an_unknown_language_is_refused_naming_it_and_those_allowed(courses, settings):
    assert refusal({"language": "xx"})["language"] == [
        (
            "“xx” is not a language the PDF can be written in; choose one of en (English), "
            "nb (Norwegian Bokmål), sv (Swedish)."
        )
    ]
    settings.LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]
    assert refusal({"language": "sv"})["language"] == [
        (
            "“sv” is not a language the PDF can be written in; choose one of en (English), "
            "nb (Norsk bokmål)."
        )
    ]


@pytest.mark.parametrize(
    "data", [{"sections": []}, QueryDict("sections="), QueryDict("sections=&sections=")]
)
def test_no_section_is_refused(courses, data):
    assert refusal(data)["sections"] == [
        "Choose at least one section: The framework, Course specifications, Coverage matrix, Gaps."
    ]


def test_an_unknown_section_is_refused_naming_it(courses):
    assert refusal({"sections": ["matrix", "appendix"]})["sections"] == [
        "“appendix” is not a section; the sections are framework, courses, matrix and gaps."
    ]


def test_the_coverage_selection_s_own_refusals_still_apply(courses):
    other = ProgrammeFactory(name="MSc Elsewhere")
    errors = refusal(
        {"programme": other.pk, "institution": courses["IMP101"].institution.pk, "eqf_level": "9"}
    )
    assert errors["eqf_level"] == ["The EQF level must be 7 (MSc) or 8 (PhD), not 9."]
    assert errors["programme"][0].startswith("MSc Elsewhere belongs to ")


# --- the kind ------------------------------------------------------------------------------------


def test_the_curriculum_kind_is_registered_with_its_form_and_builder():
    kind = export_kinds.get("curriculum")
    assert kind is CURRICULUM_EXPORT
    assert kind.form_class is CurriculumExportForm
    assert str(kind.label) == "Curriculum"
    assert kind.description


@pytest.mark.parametrize(
    ("persona", "may_start", "may_download"),
    [
        ("administrator", True, True),
        ("designer", False, True),
        ("course_lead", False, True),
        ("evaluator", False, False),
        ("plain_user", False, False),
    ],
)
def test_administrators_start_and_designers_and_leads_also_download(
    request, persona, may_start, may_download
):
    user = request.getfixturevalue(persona)
    assert CURRICULUM_EXPORT.may_start(user) is may_start
    assert CURRICULUM_EXPORT.may_download(user) is may_download


def test_inactive_and_anonymous_users_may_do_nothing(db):
    inactive = UserFactory(roles=[Role.ADMINISTRATOR], is_active=False)
    for user in (inactive, AnonymousUser()):
        assert not CURRICULUM_EXPORT.may_start(user)
        assert not CURRICULUM_EXPORT.may_download(user)
