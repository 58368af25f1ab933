"""Rolling a course over to another year, and remapping it to a newer framework version."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, OutcomeMapping, RemapReport
from courses.services import catalogue
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(course_lead):
    return CourseFactory(code="IMP101", leads=[course_lead])


def test_rollover_copies_the_course_and_opens_the_copy(lead_client, course):
    OutcomeMappingFactory(outcome__course=course)
    response = lead_client.post(
        reverse("courses:course_rollover", args=[course.uuid]), {"academic_year": 2027}
    )
    copy = Course.objects.get(code="IMP101", academic_year=2027)
    assert response.url == copy.get_absolute_url()
    assert OutcomeMapping.objects.filter(outcome__course=copy).count() == 1
    page = lead_client.get(copy.get_absolute_url()).content.decode()
    assert "is a copy of" in page
    assert "Rolled over from" in page


def test_rollover_to_a_year_the_course_already_has_is_refused(lead_client, course):
    response = lead_client.post(
        reverse("courses:course_rollover", args=[course.uuid]), {"academic_year": 2026}
    )
    assert "already has a course IMP101 in 2026/27" in response.content.decode()
    assert Course.objects.count() == 1


@pytest.fixture
def newer_version(course):
    """Version 2 of the course's framework: K1 carried on, K2 removed."""
    old = course.framework
    old.published_at = timezone.now() - timedelta(days=30)
    old.save()
    kept = CapabilityFactory(domain__framework=old, code="K1")
    removed = CapabilityFactory(domain=kept.domain, code="K2", title="Removed capability")
    outcome = LearningOutcomeFactory(course=course, code="LO1")
    OutcomeMappingFactory(outcome=outcome, capability=kept, emphasis="R")
    OutcomeMappingFactory(outcome=outcome, capability=removed, emphasis="M", note="Seminar 3")
    new = FrameworkFactory(slug=old.slug, version_label="2.0", previous_version=old)
    CapabilityFactory(
        domain=DomainFactory(framework=new), code="K1", lineage=kept.lineage, derived_from=kept
    )
    return new


def test_remap_shows_what_could_not_be_carried_over_until_resolved(
    lead_client, course, newer_version
):
    remap = lead_client.get(reverse("courses:course_remap", args=[course.uuid])).content.decode()
    assert f'value="{newer_version.uuid}"' in remap

    response = lead_client.post(
        reverse("courses:course_remap", args=[course.uuid]),
        {"framework": newer_version.uuid, "revision": 1},
    )
    report = RemapReport.objects.get(course=course)
    assert response.url == reverse("courses:remap_report", args=[course.uuid, report.pk])
    html = lead_client.get(response.url).content.decode()
    assert "1 mapping" in html
    assert "Removed capability" in html
    assert "Seminar 3" in html
    assert "Mark resolved" in html
    page = lead_client.get(course.get_absolute_url()).content.decode()
    assert 'data-testid="open-remap-report"' in page

    lead_client.post(reverse("courses:remap_report_resolve", args=[course.uuid, report.pk]))
    report.refresh_from_db()
    assert report.resolved_at is not None
    page = lead_client.get(course.get_absolute_url()).content.decode()
    assert 'data-testid="open-remap-report"' not in page


def test_remap_on_a_stale_page_is_refused(lead_client, course, newer_version):
    catalogue.course_update(course=course, expected_revision=1, title="Changed")
    response = lead_client.post(
        reverse("courses:course_remap", args=[course.uuid]),
        {"framework": newer_version.uuid, "revision": 1},
    )
    assert response.status_code == 409
    assert "Someone else changed IMP101" in response.content.decode()
    course.refresh_from_db()
    assert course.framework != newer_version


def test_remap_without_a_newer_version_says_so(lead_client, course):
    html = lead_client.get(reverse("courses:course_remap", args=[course.uuid])).content.decode()
    assert "There is no later published version" in html
