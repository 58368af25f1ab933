"""Deleting a course that other apps still use is refused with what uses it, not a crash."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from courses.models import Course
from courses.services import catalogue
from evaluation.models import FormativeAction
from evaluation.services.retention import course_evaluation_usages
from tests.evaluation.factories import FocusGroupFactory, ParticipantFactory
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation_registered(monkeypatch):
    """Only the evaluation's finder, as evaluation/apps.py registers it, for these tests."""
    monkeypatch.setattr(catalogue, "_course_usage_finders", [])
    catalogue.register_course_usage(course_evaluation_usages)


@pytest.fixture
def evaluated_course():
    course = CourseFactory(code="IMP321")
    for _ in range(3):
        FocusGroupFactory(course=course)
    for _ in range(12):
        ParticipantFactory(course=course)
    return course


def test_without_the_guard_the_database_refuses_with_a_crash(evaluated_course, monkeypatch):
    monkeypatch.setattr(catalogue, "_course_usage_finders", [])

    with pytest.raises(ProtectedError):
        catalogue.course_delete(course=evaluated_course, expected_revision=None)


def test_a_course_with_evaluation_data_is_refused_listing_it(
    evaluation_registered, evaluated_course
):
    with pytest.raises(ValidationError) as refused:
        catalogue.course_delete(
            course=evaluated_course, expected_revision=evaluated_course.revision
        )

    assert refused.value.messages == [
        (
            f"{evaluated_course} is still used: 3 focus groups and 12 participants in the "
            "evaluation. Remove those before deleting the course."
        )
    ]
    assert Course.objects.filter(pk=evaluated_course.pk).exists()


def test_formative_actions_count_too_and_one_of_each_reads_singular(evaluation_registered):
    course = CourseFactory()
    FocusGroupFactory(course=course)
    ParticipantFactory(course=course)
    FormativeAction.objects.create(course=course, finding="Too many readings.")

    assert course_evaluation_usages(course) == [
        "1 focus group, 1 participant and 1 formative action in the evaluation"
    ]


def test_a_course_the_evaluation_does_not_use_is_deleted(evaluation_registered):
    course = CourseFactory()
    FocusGroupFactory()

    catalogue.course_delete(course=course, expected_revision=course.revision)

    assert not Course.objects.filter(pk=course.pk).exists()


def test_every_registered_finder_is_asked_and_registering_twice_counts_once(monkeypatch):
    monkeypatch.setattr(catalogue, "_course_usage_finders", [])

    def first(course):
        return ["its exam board"]

    def second(course):
        return ["2 outcomes elsewhere"]

    catalogue.register_course_usage(first)
    catalogue.register_course_usage(first)
    catalogue.register_course_usage(second)
    course = CourseFactory()

    with pytest.raises(ValidationError, match="used: its exam board; 2 outcomes elsewhere\\."):
        catalogue.course_delete(course=course, expected_revision=None)


def test_the_api_answers_400_with_the_refusal(evaluation_registered, evaluated_course, designer):
    api = APIClient()
    api.force_authenticate(designer)

    response = api.delete(
        f"/api/v1/courses/{evaluated_course.uuid}/",
        HTTP_IF_MATCH=f'"{evaluated_course.revision}"',
    )

    assert response.status_code == 400
    assert "3 focus groups and 12 participants" in response.json()["non_field_errors"][0]
    assert Course.objects.filter(pk=evaluated_course.pk).exists()


def test_the_delete_page_shows_the_refusal_and_keeps_the_course(
    evaluation_registered, evaluated_course, designer_client
):
    response = designer_client.post(
        f"/courses/{evaluated_course.uuid}/delete/", {"revision": evaluated_course.revision}
    )

    assert response.status_code == 409
    assert "3 focus groups and 12 participants in the evaluation" in response.content.decode()
    assert Course.objects.filter(pk=evaluated_course.pk).exists()
