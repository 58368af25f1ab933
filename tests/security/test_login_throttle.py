"""Sign-in throttling: five wrong passwords lock a username out from one address for 15 minutes,
on the sign-in page, the admin's and the API token endpoint alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from eisen.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def lead():
    return UserFactory(username="lead", roles=[Role.COURSE_LEAD])


def sign_in(client, password, *, username="lead", url=LOGIN_URL, address="192.0.2.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, **where):
    for _ in range(5):
        response = sign_in(client, "wrong", **where)
    return response


def later(minutes):
    """Moves every counted failure `minutes` into the past, as if that time had gone by."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


def test_four_wrong_passwords_still_let_the_right_one_in(lead):
    client = Client()
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302


def test_the_fifth_wrong_password_locks_out_with_the_time_to_try_again(lead):
    response = fail_five_times(Client())
    assert response.status_code == 429
    page = response.content.decode()
    assert "Signing in is paused" in page
    assert "Try again at" in page
    assert "in 15 minutes" in page
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_the_right_password_is_refused_while_locked_out(lead):
    client = Client()
    fail_five_times(client)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_fifteen_minutes(lead):
    client = Client()
    fail_five_times(client)
    later(14)
    assert sign_in(client, PASSWORD).status_code == 429
    later(16)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lead.pk)


def test_attempts_during_the_lockout_do_not_move_its_end(lead):
    client = Client()
    fail_five_times(client)
    later(10)
    fail_five_times(client)
    later(16)
    assert sign_in(client, PASSWORD).status_code == 302


def test_other_users_and_other_addresses_are_not_locked_out(lead):
    UserFactory(username="other", roles=[Role.COURSE_LEAD])
    client = Client()
    fail_five_times(client)
    assert sign_in(client, PASSWORD, username="other").status_code == 302
    assert sign_in(Client(), PASSWORD, address="198.51.100.7").status_code == 302


def test_a_successful_sign_in_clears_the_count(lead):
    client = Client()
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client = Client()
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302


def test_the_limits_come_from_the_settings(lead, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    client = Client()
    sign_in(client, "wrong")
    response = sign_in(client, "wrong")
    assert response.status_code == 429
    assert "in 3 minutes" in response.content.decode()


def test_the_admin_sign_in_is_locked_out_too():
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    response = fail_five_times(client, username="root", url=ADMIN_LOGIN_URL)
    assert response.status_code == 429
    assert sign_in(client, PASSWORD, username="root", url=ADMIN_LOGIN_URL).status_code == 429


def test_the_api_token_endpoint_answers_429_with_retry_after(lead):
    api = APIClient()
    for _ in range(4):
        assert sign_in(api, "wrong", url=TOKEN_URL).status_code == 400
    response = sign_in(api, "wrong", url=TOKEN_URL)
    assert response.status_code == 429
    assert "Try again at" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert sign_in(api, PASSWORD, url=TOKEN_URL).status_code == 429
    later(16)
    response = sign_in(api, PASSWORD, url=TOKEN_URL)
    assert response.status_code == 200
    assert response.json()["token"]


def test_failures_count_per_address_seen_by_the_trusted_proxy(lead, settings):
    """Behind one proxy, the address it appended counts, not what the client put before it."""
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for forged in range(5):
        client.post(
            LOGIN_URL,
            {"username": "lead", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{forged}, 192.0.2.1",
        )
    response = client.post(
        LOGIN_URL,
        {"username": "lead", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("forwarded", ["not-an-address", "", "192.0.2.7"])
def test_an_unusable_forwarded_address_counts_the_peer_instead(lead, settings, forwarded):
    """Behind two proxies, one entry is the client's own claim and garbage is no address: both
    fall back to the peer, so neither dodges the count nor breaks it."""
    settings.TRUSTED_PROXY_COUNT = 2 if forwarded == "192.0.2.7" else 1
    client = Client()
    for _ in range(5):
        client.post(
            LOGIN_URL,
            {"username": "lead", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    response = client.post(
        LOGIN_URL, {"username": "lead", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429
