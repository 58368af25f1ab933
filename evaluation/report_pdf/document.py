"""The evaluation report's HTML, built from an export's parameters by the job or the command."""

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from courses.models import Course
from eisen.export_kinds import ExportDocument, ExportFailed
from evaluation.charts import mechanism_charts, stacked_bar_chart, valence_series
from evaluation.models import LogicModel
from evaluation.report_pdf.contents import ReportContents, report_contents
from evaluation.report_pdf.sections import Section, in_report_order
from evaluation.selectors.reports import VALENCES
from evaluation.selectors.reports_mechanisms import MechanismSummary

TEMPLATE = "evaluation/print/report.html"
#: Mechanism names longer than this are shortened in the overview chart (the label column would
#: leave no room for the bars); the mechanisms section gives them in full.
CHART_LABEL_LENGTH = 40
FILENAME_SLUG_LENGTH = 60


@dataclass(frozen=True)
class ReportRequest:
    logic_model: UUID
    courses: list[UUID]
    sections: list[str]
    language: str


def report_request(parameters: dict) -> ReportRequest:
    """The parameters an `EvaluationReportForm` made, read back; `ExportFailed` when they no
    longer describe a report this site can make."""
    try:
        logic_model = UUID(str(parameters["logic_model"]))
        courses = [UUID(str(value)) for value in parameters.get("courses") or []]
    except (KeyError, TypeError, ValueError):
        raise ExportFailed(
            _("The parameters of this export do not describe an evaluation report.")
        ) from None
    sections = in_report_order(parameters.get("sections") or Section.values)
    if not sections:
        raise ExportFailed(_("This export names no section of the evaluation report."))
    language = parameters.get("language") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ExportFailed(
            _("The language “%(language)s” is no longer offered: ask for the report again.")
            % {"language": Truncator(str(language)).chars(20)}
        )
    return ReportRequest(logic_model, courses, sections, language)


def _load(request: ReportRequest) -> tuple[LogicModel, list[Course]]:
    logic_model = LogicModel.objects.filter(uuid=request.logic_model).first()
    if logic_model is None:
        raise ExportFailed(
            _("The logic model of this export has been deleted since the export was asked for.")
        )
    if not request.courses:
        return logic_model, []
    found = {course.uuid: course for course in Course.objects.filter(uuid__in=request.courses)}
    missing = len(set(request.courses) - set(found))
    if missing:
        raise ExportFailed(
            ngettext(
                "A course of this export has been deleted since the export was asked for.",
                "%(count)s courses of this export have been deleted since the export was asked "
                "for.",
                missing,
            )
            % {"count": missing}
        )
    return logic_model, [found[uuid] for uuid in request.courses]


def _valence_totals(mechanism: MechanismSummary) -> dict[str, int]:
    return {
        valence: sum(phase.valence.get(valence, 0) for phase in mechanism.phases)
        for valence in VALENCES
    }


def overview_chart(mechanisms: list[MechanismSummary]):
    """One bar per mechanism, both phases together, split by valence (None without mechanisms)."""
    if not mechanisms:
        return None
    return stacked_bar_chart(
        [
            (Truncator(mechanism.name).chars(CHART_LABEL_LENGTH), _valence_totals(mechanism))
            for mechanism in mechanisms
        ],
        valence_series(),
        title=_("Excerpts about each mechanism by valence"),
    )


def report_title(logic_model: LogicModel) -> str:
    return _("Evaluation report: %(logic_model)s") % {"logic_model": logic_model.title}


def report_filename(logic_model: LogicModel) -> str:
    slug = slugify(logic_model.title)[:FILENAME_SLUG_LENGTH].strip("-") or str(logic_model.uuid)
    return f"evaluation-report-{slug}.pdf"


def report_html(contents: ReportContents, *, title: str, language: str) -> str:
    """The print HTML of the report; call inside `override(language)` (charts are labelled in
    the active language)."""
    shows = {section: section in contents.sections for section in Section.values}
    charts = shows[Section.CHARTS]
    return render_to_string(
        TEMPLATE,
        {
            "title": title,
            "language": language,
            "logic_model": contents.logic_model,
            "contents": contents,
            "shows": shows,
            "overview_chart": overview_chart(contents.mechanisms) if charts else None,
            "mechanism_charts": mechanism_charts(contents.mechanisms) if charts else [],
            "made_on": timezone.localdate(),
        },
    )


def build(parameters: dict) -> ExportDocument:
    """The evaluation report the parameters ask for, read in a fixed number of queries."""
    request = report_request(parameters)
    logic_model, courses = _load(request)
    contents = report_contents(logic_model, courses=courses, sections=request.sections)
    with override(request.language):
        title = report_title(logic_model)
        html = report_html(contents, title=title, language=request.language)
    return ExportDocument(
        html=html,
        title=title,
        language=request.language,
        filename=report_filename(logic_model),
    )
