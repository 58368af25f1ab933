"""`manage.py export_evaluation_report`: the evaluation report PDF for scripts and cron.

The options are turned into the export form's data (titles and codes into identifiers), so the
command accepts and refuses exactly what the export page and the API do.
"""

import uuid

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from courses.models import Course
from eisen.export_command import ExportCommand, add_sections_argument
from evaluation.models import LogicModel
from evaluation.report_pdf.kind import EVALUATION_REPORT_EXPORT
from evaluation.report_pdf.sections import Section

#: The option that gives each field of the form.
OPTIONS = {
    "logic_model": "--logic-model",
    "courses": "--courses",
    "sections": "--sections",
    "language": "--language",
}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def logic_model_identifier(value: str) -> str:
    """The UUID of the logic model with this UUID or this title."""
    identifier = None
    if _is_uuid(value):
        identifier = LogicModel.objects.filter(uuid=value).values_list("uuid", flat=True).first()
    if identifier is None:
        identifier = LogicModel.objects.filter(title=value).values_list("uuid", flat=True).first()
    if identifier is None:
        raise CommandError(
            _("--logic-model: no logic model has the identifier or title “%(value)s”.")
            % {"value": value}
        )
    return str(identifier)


def course_identifiers(values: list[str]) -> list[str]:
    """The UUIDs of the courses named by UUID or by code (a code names every academic year)."""
    codes = [value for value in values if not _is_uuid(value)]
    by_code: dict[str, list[str]] = {}
    for code, identifier in Course.objects.filter(code__in=codes).values_list("code", "uuid"):
        by_code.setdefault(code, []).append(str(identifier))
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise CommandError(
            _("--courses: no course has the code %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    identifiers = []
    for value in values:
        identifiers.extend(by_code.get(value, [value]))
    return list(dict.fromkeys(identifiers))


class Command(ExportCommand):
    kind = EVALUATION_REPORT_EXPORT
    field_options = OPTIONS

    @property
    def help(self):
        return _(
            "Write the evaluation report as a tagged PDF: the logic model, each mechanism's "
            "verdicts with their reflections and consented quotes, the charts and the formative "
            "action log. The file appears only once it is complete."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logic-model",
            dest="logic_model",
            metavar="UUID|TITLE",
            help=_("The logic model, by UUID or title; the newest one if left out."),
        )
        parser.add_argument(
            "--courses",
            nargs="+",
            metavar="CODE",
            help=_(
                "The courses whose focus groups count, by code (every academic year of it) or "
                "UUID; every course if left out."
            ),
        )
        add_sections_argument(parser, Section.values)
        parser.add_argument(
            "--language", help=_("The report's language code; the site's default if left out.")
        )
        super().add_arguments(parser)

    def form_data(self, options: dict) -> dict:
        data = {}
        if options["logic_model"] is not None:
            data["logic_model"] = logic_model_identifier(options["logic_model"])
        if options["courses"]:
            data["courses"] = course_identifiers(options["courses"])
        if options["sections"] is not None:
            data["sections"] = options["sections"]
        if options["language"] is not None:
            data["language"] = options["language"]
        return data
