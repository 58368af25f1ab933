"""A small export kind of the tests' own, so the job machinery is tested without the real kinds.

A "handout": a title, a language (one of settings.LANGUAGES) and a number of pages. Only
administrators may start one; administrators and curriculum designers may download it.
"""

import uuid
from datetime import timedelta

import factory
from django import forms
from django.conf import settings
from django.template import engines
from django.utils import timezone, translation
from django.utils.text import slugify

from eisen.export_kinds import ExportDocument, ExportKind
from eisen.models import ExportJob
from eisen.roles import Role, has_role
from tests import pdf_reading
from tests.factories import UserFactory

HANDOUT = "handout"
MINUTES = "board-minutes"

# test_export_files, test_export_jobs and the browser tests read the handouts back with this.
pdf_text = pdf_reading.pdf_text

HANDOUT_HTML = """<!doctype html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/css/print/base.css"></head>
<body>{% for page in pages %}<section style="break-after: page">
<h1>{{ title }}</h1><p>Page {{ page }} of the handout for the board.</p></section>{% endfor %}
</body></html>"""


def _languages():
    return settings.LANGUAGES


class HandoutForm(forms.Form):
    title = forms.CharField(max_length=120)
    language = forms.ChoiceField(choices=_languages)
    pages = forms.IntegerField(min_value=1, max_value=20, initial=1)

    def export_parameters(self) -> dict:
        return {
            "title": self.cleaned_data["title"],
            "language": self.cleaned_data["language"],
            "pages": self.cleaned_data["pages"],
        }

    def export_summary(self) -> str:
        return "Handout “{title}”, {pages} pages, in {language}".format(**self.cleaned_data)


def build_handout(parameters: dict) -> ExportDocument:
    language = parameters["language"]
    with translation.override(language):
        html = (
            engines["django"]
            .from_string(HANDOUT_HTML)
            .render(
                {
                    "title": parameters["title"],
                    "language": language,
                    "pages": range(1, parameters["pages"] + 1),
                }
            )
        )
    return ExportDocument(
        html=html,
        title=parameters["title"],
        language=language,
        filename=f"handout-{slugify(parameters['title'])}.pdf",
    )


def _is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def _is_administrator_or_designer(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR, Role.CURRICULUM_DESIGNER)


HANDOUT_KIND = ExportKind(
    name=HANDOUT,
    label="handout",
    form_class=HandoutForm,
    build=build_handout,
    may_start=_is_administrator,
    may_download=_is_administrator_or_designer,
    description="A few pages for the programme board.",
)

#: A second kind that only administrators may start and download, for "only the kinds you may
#: download" in the history.
MINUTES_KIND = ExportKind(
    name=MINUTES,
    label="board minutes",
    form_class=HandoutForm,
    build=build_handout,
    may_start=_is_administrator,
    may_download=_is_administrator,
)


class ExportJobFactory(factory.django.DjangoModelFactory):
    """An export row in any state, without building anything (its file, if any, is not written)."""

    class Meta:
        model = ExportJob

    uuid = factory.LazyFunction(uuid.uuid4)
    kind = HANDOUT
    parameters = factory.LazyFunction(lambda: {"title": "Board", "language": "en", "pages": 1})
    summary = "Handout “Board”, 1 pages, in en"
    language = "en"

    class Params:
        running = factory.Trait(
            status=ExportJob.Status.RUNNING,
            stage=ExportJob.Stage.COLLECTING,
            progress=10,
            attempts=1,
            started_at=factory.LazyFunction(timezone.now),
        )
        ready = factory.Trait(
            status=ExportJob.Status.READY,
            stage=ExportJob.Stage.DONE,
            progress=100,
            attempts=1,
            title="Board",
            file=factory.LazyAttribute(lambda job: f"exports/{job.uuid}.pdf"),
            filename="handout-board.pdf",
            size=1536,
            pages=2,
            sha256=factory.Sequence(lambda n: f"{n:064x}"),
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=3)),
            finished_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(
            status=ExportJob.Status.FAILED,
            attempts=1,
            error="The course was deleted since the export was asked for.",
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
        )


def history_of_finished_exports(count: int) -> None:
    """Only `count` exports in the history, alternately failed and ready, each asked for by a
    user of its own."""
    ExportJob.objects.all().delete()
    for number in range(count):
        ExportJobFactory(
            requested_by=UserFactory(), **({"ready": True} if number % 2 else {"failed": True})
        )
