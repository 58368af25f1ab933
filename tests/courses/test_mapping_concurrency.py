"""The same mapping asked for twice at the same moment (two leads, a double click): one is saved,
the other refused as a duplicate, never a database error. Needs PostgreSQL's row locks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from courses.models import OutcomeMapping
from courses.services.mapping import outcome_map
from tests.factories import CapabilityFactory, CourseFactory, LearningOutcomeFactory

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 4


def test_the_same_mapping_asked_for_at_once_is_saved_once_and_refused_otherwise():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: it refuses a second writer at once")
    course = CourseFactory()
    outcome = LearningOutcomeFactory(course=course)
    capability = CapabilityFactory(domain__framework=course.framework)
    start = threading.Barrier(ATTEMPTS)
    answers = []

    def ask():
        try:
            start.wait()
            outcome_map(outcome=outcome, capability=capability, emphasis="I")
            answers.append("saved")
        except ValidationError as refusal:
            answers.append(refusal.message_dict["capability"][0])
        except Exception as error:
            answers.append(f"error: {error!r}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duplicate = (
        f"{outcome.code} already maps to {capability.code}; change that mapping's emphasis instead."
    )
    assert sorted(answers) == sorted(["saved"] + [duplicate] * (ATTEMPTS - 1))
    assert OutcomeMapping.objects.filter(outcome=outcome, capability=capability).count() == 1
