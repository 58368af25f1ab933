import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from courses.models import Course
from eisen.export_files import write_pdf_atomically
from eisen.export_kinds import ExportFailed
from evaluation.models import LogicModel
from evaluation.report_pdf.form import EvaluationReportForm
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


def refusal(form: EvaluationReportForm) -> str:
    """The form's errors, one line each, prefixed with the option they are about."""
    lines = []
    for field, messages in form.errors.items():
        prefix = f"{OPTIONS[field]}: " if field in OPTIONS else ""
        lines.extend(prefix + message for message in messages)
    return "\n".join(lines)


class Command(BaseCommand):
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
        parser.add_argument(
            "--sections",
            nargs="+",
            metavar="SECTION",
            help=_("Some of %(sections)s; every section if left out.")
            % {"sections": ", ".join(Section.values)},
        )
        parser.add_argument(
            "--language", help=_("The report's language code; the site's default if left out.")
        )
        parser.add_argument(
            "--out", type=Path, required=True, metavar="FILE.pdf", help=_("The PDF to write.")
        )

    def handle(self, *args, logic_model, courses, sections, language, out, **options):
        data = {}
        if logic_model is not None:
            data["logic_model"] = logic_model_identifier(logic_model)
        if courses:
            data["courses"] = course_identifiers(courses)
        if sections is not None:
            data["sections"] = sections
        if language is not None:
            data["language"] = language
        form = EvaluationReportForm(data)
        if not form.is_valid():
            raise CommandError(refusal(form))
        try:
            document = EVALUATION_REPORT_EXPORT.build(form.export_parameters())
        except ExportFailed as failure:
            raise CommandError(str(failure)) from None
        written = write_pdf_atomically(document, out)
        self.stdout.write(
            "\n".join(
                [
                    _("Wrote %(file)s: %(summary)s")
                    % {"file": out, "summary": form.export_summary()},
                    _("pages: %(pages)s") % {"pages": written.pages},
                    _("size: %(size)s bytes") % {"size": written.size},
                    f"sha256: {written.sha256}",
                ]
            )
        )
