"""PostgreSQL down or restarting: pages answer a 503 page, the API a JSON 503, never a 500; and
the same app serves again once the database is back (.ci/faults restarts a real server)."""

import io
import sys
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import InterfaceError, OperationalError, connection, connections
from django.db.backends.utils import CursorWrapper

UNAVAILABLE = "The database is unavailable just now; please try again in a minute."


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does while PostgreSQL restarts; call the fixture's value with
    another exception class to fail with that one."""

    def fail_with(error_class):
        def refuse(*args, **kwargs):
            raise error_class("terminating connection due to administrator command")

        monkeypatch.setattr(CursorWrapper, "execute", refuse)
        monkeypatch.setattr(CursorWrapper, "executemany", refuse)
        # The connection's own check finds the server gone too.
        monkeypatch.setattr(type(connections["default"]), "is_usable", lambda self: False)

    fail_with(OperationalError)
    return fail_with


@pytest.mark.django_db
@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_a_page_answers_503_with_a_message_while_the_database_is_down(
    anonymous_client, database_down, error_class
):
    database_down(error_class)
    response = anonymous_client.get("/frameworks/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert UNAVAILABLE in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_a_signed_in_page_answers_503_while_the_database_is_down(
    administrator_client, database_down
):
    response = administrator_client.get("/exports/")
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_a_json_503_while_the_database_is_down(administrator_client, database_down):
    response = administrator_client.get("/api/v1/exports/")
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE}
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_a_form_sent_while_the_database_is_down_answers_503(administrator_client, database_down):
    response = administrator_client.post("/exports/new/curriculum/", {"language": "en"})
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()


@pytest.mark.django_db
def test_healthz_says_the_database_is_down(client, settings, database_down):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "down: OperationalError",
        "broker": "not configured",
    }


@pytest.mark.django_db
def test_a_failed_query_on_a_database_that_answers_is_a_500_not_an_outage(
    anonymous_client, monkeypatch
):
    def deadlock(*args, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(CursorWrapper, "execute", deadlock)
    anonymous_client.raise_request_exception = False
    response = anonymous_client.get("/frameworks/")
    assert response.status_code == 500
    assert UNAVAILABLE not in response.content.decode()


@pytest.mark.django_db
def test_other_errors_still_answer_500(anonymous_client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    anonymous_client.raise_request_exception = False
    response = anonymous_client.get("/frameworks/")
    assert response.status_code == 500
    assert UNAVAILABLE not in response.content.decode()


# --- recovery through Django's real request cycle (its connection checks run per request) ------


def _wsgi_get(path: str) -> int:
    """GET `path` through the WSGI handler gunicorn calls; return the status code."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(body)
    body.close()
    return int(statuses[0].split()[0])


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server (DATABASE_URL)"
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_by_a_server_restart_is_replaced_without_an_error(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    assert _wsgi_get("/frameworks/") == 200
    kept = connection.connection
    assert kept is not None, "the connection should be kept between requests (CONN_MAX_AGE)"
    # What a restart does to every open session, done to this one alone.
    _terminate_backend(kept.info.backend_pid)
    assert _wsgi_get("/frameworks/") == 200
    assert connection.connection is not kept


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_while_the_server_refuses_connections_pages_answer_503_then_200_when_it_is_back(
    settings, monkeypatch
):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CELERY_BROKER_URL = ""
    connection.close()
    # A server that is down: nothing listens on its port.
    monkeypatch.setitem(connection.settings_dict, "PORT", 1)
    started = time.monotonic()
    assert _wsgi_get("/frameworks/") == 503
    assert _wsgi_get("/healthz") == 503
    assert time.monotonic() - started < 10
    monkeypatch.undo()
    assert _wsgi_get("/frameworks/") == 200
    assert _wsgi_get("/healthz") == 200


def _terminate_backend(backend_pid: int) -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    finally:
        other.close()
