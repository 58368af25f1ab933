import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from eisen.roles import Role


@pytest.mark.django_db
def test_role_groups_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.django_db
def test_demo_accounts_are_refused_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_demo_accounts_one_per_role_with_printed_passwords_that_work(settings, capsys, client):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    output = capsys.readouterr().out
    passwords = dict(re.findall(r"username (\w+)\s+password (\S+)", output))
    assert set(passwords) == {"designer", "lead", "evaluator", "admin"}
    users = get_user_model().objects.prefetch_related("groups")
    assert {user.username: [g.name for g in user.groups.all()] for user in users} == {
        "designer": [Role.CURRICULUM_DESIGNER.value],
        "lead": [Role.COURSE_LEAD.value],
        "evaluator": [Role.EVALUATOR.value],
        "admin": [Role.ADMINISTRATOR.value],
    }
    # Through the sign-in page: the throttling backend refuses authenticate() without a request.
    signed_in = client.post("/accounts/login/", {"username": "lead", "password": passwords["lead"]})
    assert signed_in.status_code == 302


@pytest.mark.django_db
def test_sign_in_and_out_pages(client, plain_user):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content

    wrong = client.post("/accounts/login/", {"username": "plain", "password": "nope"})
    assert b"did not match" in wrong.content

    signed_in = client.post(
        "/accounts/login/", {"username": "plain", "password": "correct horse battery staple"}
    )
    assert signed_in.status_code == 302
    assert b"Signed in as plain" in client.get("/frameworks/").content

    client.post("/accounts/logout/")
    assert b"Sign in" in client.get("/frameworks/").content
