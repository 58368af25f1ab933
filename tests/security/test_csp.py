"""The Content-Security-Policy on every HTML page, and served templates that need no exception
to it: no inline script, no event-handler attributes, no style attributes or elements."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import FrameworkFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Only WeasyPrint renders these, never a browser.
PRINT_ONLY = re.compile(r"(^|/)print/")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)
HTMX_EVAL = re.compile(r"hx-on|hx-vars|hx-vals\s*=\s*['\"]\s*js:", re.IGNORECASE)


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if not PRINT_ONLY.search(relative):
            yield relative


@pytest.mark.parametrize("template", list(served_templates()))
def test_served_template_has_no_inline_script_or_style(template):
    text = (TEMPLATES / template).read_text()
    for pattern, what in (
        (INLINE_SCRIPT, "an inline <script>"),
        (HANDLER, "an on… event-handler attribute"),
        (STYLE, "a style attribute or <style> element"),
        (HTMX_EVAL, "htmx script in attributes"),
    ):
        found = pattern.search(text)
        assert not found, f"{template} has {what}: {found.group(0)!r}"


@pytest.mark.parametrize(
    "url",
    ["/frameworks/", "/courses/", "/coverage/", "/accounts/login/", "/capabilities/?q=x"],
)
def test_public_pages_carry_the_strict_policy(client, url):
    FrameworkFactory()
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_every_html_page_of_the_areas_carries_the_policy(administrator_client, designer_client):
    framework = FrameworkFactory()
    for client, url in [
        (administrator_client, "/evaluation/"),
        (administrator_client, "/exports/"),
        (administrator_client, "/admin/"),
        (administrator_client, "/api/docs/"),
        (designer_client, f"/frameworks/{framework.uuid}/"),
        (designer_client, "/frameworks/import/"),
        (designer_client, "/no-such-page/"),
    ]:
        response = client.get(url, follow=True)
        assert response["Content-Type"].startswith("text/html"), url
        assert directives(response["Content-Security-Policy"]) == POLICY, url


def test_the_redoc_page_admits_only_its_own_nonce_for_styles(client):
    response = client.get("/api/redoc/")
    policy = directives(response["Content-Security-Policy"])
    nonce = re.search(r"'nonce-([^']+)'", policy["style-src"]).group(1)
    assert policy["style-src"].startswith(f"'self' 'nonce-{nonce}' 'sha256-")
    assert "unsafe" not in response["Content-Security-Policy"]
    assert policy["script-src"] == "'self'"
    assert f'nonce="{nonce}"' in response.content.decode()


def test_htmx_adds_no_inline_style_and_evaluates_no_attribute_script(client):
    page = client.get("/frameworks/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config
