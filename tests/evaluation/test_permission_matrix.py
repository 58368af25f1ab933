"""Every evaluation page and endpoint, from the URL configuration and the API router: only
evaluators and administrators get in. A new route is covered the moment it exists.

Nobody else learns anything, not even whether an object exists: the role is checked before any
lookup, so made-up identifiers answer 403 (or 405 for a method the route does not take), never
404 or 200.
"""

import re
import uuid

import pytest
from django.urls import URLResolver, reverse

import evaluation.urls
from eisen.api import router

pytestmark = pytest.mark.django_db

OUTSIDERS = ["course_lead", "designer", "plain_user"]
PATH_VALUES = {"uuid": str(uuid.uuid4()), "int": "1", "str": "formative", "slug": "csv"}


def _page_routes(patterns=evaluation.urls.urlpatterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _page_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _page_path(route: str) -> str:
    filled = re.sub(r"<(\w+):\w+>", lambda match: PATH_VALUES[match.group(1)], route)
    return reverse("evaluation:focus_group_list") + filled


def _api_paths():
    for url in router.urls:
        route = str(url.pattern)
        if not route.startswith("^evaluation/") or "format" in route:
            continue
        path = re.sub(r"\(\?P<\w+>[^)]*\)", PATH_VALUES["uuid"], route)
        yield "/api/v1/" + path.lstrip("^").rstrip("$")


PAGES = sorted(set(map(_page_path, _page_routes())))
ENDPOINTS = sorted(set(_api_paths()))


def test_the_matrix_sees_every_part_of_the_evaluation():
    assert len(PAGES) > 60
    assert len(ENDPOINTS) > 30
    for part in ("focus-groups", "transcripts", "codebook", "agreement", "reports", "erasures"):
        assert any(part in path for path in PAGES), part
    for part in ("transcripts", "excerpts", "agreement", "reports", "exports", "erasures"):
        assert any(f"/evaluation/{part}" in path for path in ENDPOINTS), part


@pytest.mark.parametrize("role_client", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("path", PAGES)
def test_other_roles_get_403_on_every_evaluation_page(role_client, path):
    answers = {role_client.get(path).status_code, role_client.post(path).status_code}
    assert answers <= {403, 405}, (path, answers)
    assert 403 in answers, (path, answers)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_from_every_evaluation_page(anonymous_client, path):
    response = anonymous_client.get(path)
    assert response.status_code in (302, 405), path
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def _refused_everything(client, path) -> None:
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code in (403, 405), (path, method, response.status_code)


@pytest.mark.parametrize("role_client", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_other_roles_get_403_on_every_evaluation_endpoint(role_client, path):
    _refused_everything(role_client, path)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_callers_get_403_on_every_evaluation_endpoint(anonymous_client, path):
    _refused_everything(anonymous_client, path)
