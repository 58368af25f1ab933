"""The UI in English, Norwegian Bokmål and Swedish: whole catalogues, a switcher, local dates
and numbers, and PDFs written in the language asked for."""

import datetime
import shutil

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from courses.curriculum_pdf.document import build
from eisen.pdf import render_pdf
from tests.courses.curriculum_pdf_support import export_parameters, make_curriculum
from tests.evaluation.factories import FocusGroupFactory
from tests.factories import CourseFactory
from tests.pdf_reading import pdf_text

TRANSLATED = ("nb", "sv")
LOCALE = settings.BASE_DIR / "locale"


def catalogue(language: str, root=LOCALE) -> polib.POFile:
    return polib.pofile(str(root / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation(language):
    messages = catalogue(language)
    assert [entry.msgid for entry in messages.untranslated_entries()] == []
    assert [entry.msgid for entry in messages.fuzzy_entries()] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_translated_one(language):
    written = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in catalogue(language).translated_entries()
    }
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    assert {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in compiled
        if entry.msgid
    } == written, "run `make messages` to compile the catalogues"


def test_the_catalogues_hold_every_marked_string_and_nothing_else(tmp_path, settings, monkeypatch):
    """`make messages` run now would add no message and make none obsolete."""
    shutil.copytree(LOCALE, tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(settings.BASE_DIR)
    call_command(
        "makemessages",
        locale=list(TRANSLATED),
        ignore_patterns=["tests/*", "staticfiles/*", "media/*"],
        add_location="file",
        verbosity=0,
    )
    for language in TRANSLATED:
        refreshed = catalogue(language, tmp_path / "locale")
        assert [entry.msgid for entry in refreshed.untranslated_entries()] == [], language
        assert [entry.msgid for entry in refreshed.obsolete_entries()] == [], language


@pytest.mark.django_db
def test_the_switcher_changes_the_language_of_every_page(client):
    frameworks = reverse("competencies:framework_list")
    english = client.get(frameworks).content.decode()
    assert '<html lang="en">' in english
    assert 'name="language"' in english
    assert 'value="sv"' in english

    answer = client.post(reverse("set_language"), {"language": "sv", "next": frameworks})
    assert answer.status_code == 302
    assert answer["Location"] == frameworks

    swedish = client.get(frameworks).content.decode()
    assert '<html lang="sv">' in swedish
    with translation.override("sv"):
        sign_in = gettext("Sign in")
        skip = gettext("Skip to content")
    assert sign_in != "Sign in"
    assert sign_in in swedish
    assert skip in swedish
    assert ">Sign in<" not in swedish


@pytest.mark.django_db
def test_a_browser_asking_for_norwegian_gets_it(client):
    page = client.get(reverse("competencies:framework_list"), HTTP_ACCEPT_LANGUAGE="nb,en;q=0.5")
    assert '<html lang="nb">' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "date", "credits"),
    [
        ("en", "2026-06-01", "7.5 ECTS"),
        ("nb", "01.06.2026", "7,5 studiepoeng"),
        ("sv", "2026-06-01", "7,5 ECTS"),
    ],
)
def test_dates_and_numbers_are_written_the_local_way(evaluator_client, language, date, credits):
    course = CourseFactory(ects="7.5")
    group = FocusGroupFactory(course=course, held_on=datetime.date(2026, 6, 1))
    evaluator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = evaluator_client.get(reverse("evaluation:focus_group_detail", args=[group.uuid]))
    assert f"<dd>{date}</dd>" in page.content.decode()
    course_page = evaluator_client.get(reverse("courses:course_detail", args=[course.uuid]))
    assert credits in course_page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "contents", "footer"),
    [
        ("en", "Contents", "page 2 of"),
        ("nb", "Innhold", "side 2 av"),
        ("sv", "Innehåll", "sida 2 av"),
    ],
)
def test_the_curriculum_pdf_is_written_in_the_language_asked_for(
    eisen_framework, language, contents, footer
):
    make_curriculum(eisen_framework)
    document = build(export_parameters({"language": language, "sections": ["gaps"]}))
    text = pdf_text(render_pdf(document.html, title=document.title, language=language))
    assert contents in text
    assert footer in text
