"""Report pages: per mechanism, per capability and per course, with charts drawn as inline SVG."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from courses.models import Course
from evaluation.charts import COVERAGE_COLOUR, EVIDENCE_COLOUR, mechanism_charts
from evaluation.charts import bar as bar_chart
from evaluation.forms.reports import (
    CapabilityReportForm,
    LogicModelChoiceForm,
    MechanismReportForm,
)
from evaluation.selectors.reports_capabilities import CapabilityReport, capability_report
from evaluation.selectors.reports_courses import course_report, courses_with_focus_groups
from evaluation.selectors.reports_mechanisms import mechanism_report
from evaluation.views.common import evaluator_required


@require_GET
@evaluator_required
def mechanism_report_page(request):
    form = MechanismReportForm(request.GET)
    logic_model, sections = None, []
    if form.is_valid():
        logic_model = form.chosen_logic_model()
        if logic_model is not None:
            sections = mechanism_charts(
                mechanism_report(
                    logic_model,
                    courses=list(form.cleaned_data["course"]),
                    audience=form.cleaned_data["audience"] or None,
                )
            )
    return render(
        request,
        "evaluation/reports/mechanisms.html",
        {"form": form, "logic_model": logic_model, "sections": sections},
    )


def capability_bars(report: CapabilityReport) -> list:
    """(domain, [(row, feedback bar, coverage bar)]): each bar scaled to the report's largest."""
    most_evidence, most_courses = report.most_evidence, report.most_courses

    def bars(row):
        feedback = ngettext(
            "%(count)s excerpt of feedback", "%(count)s excerpts of feedback", row.evidence.total
        ) % {"count": row.evidence.total}
        mapped = ngettext(
            "Mapped by %(count)s course", "Mapped by %(count)s courses", row.courses
        ) % {"count": row.courses}
        return (
            row,
            bar_chart(row.evidence.total, most_evidence, label=feedback, colour=EVIDENCE_COLOUR),
            bar_chart(row.courses, most_courses, label=mapped, colour=COVERAGE_COLOUR),
        )

    return [(domain, [bars(row) for row in domain.rows]) for domain in report.domains]


@require_GET
@evaluator_required
def capability_report_page(request):
    form = CapabilityReportForm(request.GET)
    report = capability_report(form.cleaned_data["framework"]) if form.is_valid() else None
    return render(
        request,
        "evaluation/reports/capabilities.html",
        {"form": form, "report": report, "domains": capability_bars(report) if report else []},
    )


@require_GET
@evaluator_required
def course_report_list(request):
    return render(
        request, "evaluation/reports/course_list.html", {"courses": courses_with_focus_groups()}
    )


@require_GET
@evaluator_required
def course_report_page(request, uuid):
    course = get_object_or_404(Course.objects.select_related("institution", "framework"), uuid=uuid)
    form = LogicModelChoiceForm(request.GET)
    report, sections = None, []
    if form.is_valid():
        report = course_report(course, logic_model=form.chosen_logic_model())
        sections = mechanism_charts(report.mechanisms)
    return render(
        request,
        "evaluation/reports/course.html",
        {"form": form, "course": course, "report": report, "sections": sections},
    )
