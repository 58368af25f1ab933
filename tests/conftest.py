"""Personas shared by every permission test: one signed-in client per role, and anonymous."""

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client, override_settings

from competencies.services.loading import eisen_framework_load
from eisen import celery_app
from eisen.roles import Role
from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _plain_http_and_uncollected_static():
    """Tests run with DEBUG off like production, but over plain http and without collectstatic.

    Session-wide, so that the live server started for browser tests sees it too.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        # Hundreds of personas are made per run; the production hasher is slow on purpose.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _live_server_sends_at_once():
    """The live server's handler writes a response's headers and body in two sends; with Nagle's
    algorithm on, a client that keeps the connection open waits for its delayed ACK, 40 ms a
    request (schemathesis and the browser tests keep theirs open)."""
    before = WSGIRequestHandler.disable_nagle_algorithm
    WSGIRequestHandler.disable_nagle_algorithm = True
    yield
    WSGIRequestHandler.disable_nagle_algorithm = before


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Celery tasks run in the test's own process, even when CELERY_BROKER_URL names a broker.

    A message sent to the real Redis from a test would wait there for a worker and name a row of
    a test database that is gone by then. Tests marked `real_worker` use the broker.
    """
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def designer(db):
    return UserFactory(username="designer", roles=[Role.CURRICULUM_DESIGNER])


@pytest.fixture
def course_lead(db):
    return UserFactory(username="lead", roles=[Role.COURSE_LEAD])


@pytest.fixture
def evaluator(db):
    return UserFactory(username="evaluator", roles=[Role.EVALUATOR])


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def plain_user(db):
    return UserFactory(username="plain")


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def designer_client(designer):
    return _client_for(designer)


@pytest.fixture
def lead_client(course_lead):
    return _client_for(course_lead)


@pytest.fixture
def plain_client(plain_user):
    return _client_for(plain_user)


@pytest.fixture
def role_client(request):
    """A client signed in as the persona named by indirect parametrisation."""
    return _client_for(request.getfixturevalue(request.param))


@pytest.fixture
def eisen_framework(db):
    return eisen_framework_load()


@pytest.fixture
def evaluator_client(evaluator):
    return _client_for(evaluator)


@pytest.fixture
def administrator_client(administrator):
    return _client_for(administrator)
