"""The coverage page: a heatmap of capabilities by courses, the gap lists and progression problems.

The heatmap's rows are built as HTML strings here rather than by a template loop: the template
engine takes seconds over the tens of thousands of cells of a large curriculum. Every piece of
text is escaped on the way in. Course columns come in pages of COURSES_PER_PAGE; totals, gap lists
and progression always cover the whole selection.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from courses.coverage import (
    Cell,
    Coverage,
    DomainBlock,
    MappedOutcome,
    cyclic_gc_paused,
    progression_message,
)
from courses.coverage_selection import CoverageSelectionForm
from courses.models import Emphasis, LearningOutcome
from courses.permissions import can_view_courses

COURSES_PER_PAGE = 25
# Deeper capabilities share the deepest indentation the stylesheet has.
MAX_DEPTH_CLASS = 6
DOWNLOADS = (
    ("mapping", "csv", gettext_lazy("Mapping table (CSV)")),
    ("mapping", "xlsx", gettext_lazy("Mapping table (Excel)")),
    ("matrix", "csv", gettext_lazy("Matrix (CSV)")),
    ("matrix", "xlsx", gettext_lazy("Matrix (Excel)")),
)
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def reader_required(view):
    """Signed-in readers of courses only; anonymous users are sent to sign in."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_view_courses(request.user):
            raise PermissionDenied(_("Coverage is shown to signed-in, active users."))
        return view(request, *args, **kwargs)

    return wrapped


def uuid_url(url_name: str):
    """A function of a uuid giving the URL of `url_name`, reversed once for all rows."""
    prefix, suffix = reverse(url_name, args=[_PLACEHOLDER]).split(_PLACEHOLDER)
    return lambda uuid: f"{prefix}{uuid}{suffix}"


def selection_query(query_dict) -> str:
    """The selection's query string, without the page of courses."""
    query = query_dict.copy()
    query.pop("page", None)
    return query.urlencode()


@dataclass
class HeatmapDomain:
    block: DomainBlock
    body: SafeString


class HeatmapBuilder:
    """The rows of the heatmap for one page of course columns, as escaped HTML."""

    def __init__(self, result: Coverage, page: Page, outcome_texts: dict[int, str]):
        self.result = result
        self.outcome_texts = outcome_texts
        self.tip_lines: dict[MappedOutcome, str] = {}
        self.start = page.start_index() - 1 if result.courses else 0
        self.stop = page.end_index() if result.courses else 0
        self.columns = range(self.start, self.stop)
        course_url = uuid_url("courses:course_detail")
        self.course_urls = {index: course_url(result.courses[index].uuid) for index in self.columns}
        self.course_codes = {index: result.courses[index].code for index in self.columns}
        self.capability_url = uuid_url("competencies:capability_detail")
        self.emphasis_labels = {value: str(label) for value, label in Emphasis.choices}
        self.cell_label = _("%(capability)s in %(course)s: %(emphasis)s, by %(outcomes)s")
        self.empty_row = "<td></td>" * len(self.columns)

    def domains(self) -> list[HeatmapDomain]:
        domains, number = [], 0
        for block in self.result.domains:
            rows = []
            for row in block.rows:
                number += 1
                rows.append(self._row(row, number))
            rows.append(self._totals(block))
            # Safe: every text in the rows went through escape().
            domains.append(HeatmapDomain(block, mark_safe("".join(rows))))
        return domains

    def _row(self, row, number: int) -> str:
        capability = row.capability
        header = (
            f'<tr><th scope="row" class="heatmap__capability '
            f'depth-{min(row.depth, MAX_DEPTH_CLASS)}"><a href="'
            f'{self.capability_url(capability.uuid)}">{escape(capability.code)}</a> '
            f"{escape(capability.title)}</th>"
        )
        if not any(self.start <= index < self.stop for index in row.cells):
            return f"{header}{self.empty_row}</tr>"
        cells = []
        for index in self.columns:
            cell = row.cells.get(index)
            cells.append(
                "<td></td>" if cell is None else self._cell(capability.code, index, cell, number)
            )
        return f"{header}{''.join(cells)}</tr>"

    def _cell(self, code: str, index: int, cell: Cell, number: int) -> str:
        labels = self.emphasis_labels
        label = escape(
            self.cell_label
            % {
                "capability": code,
                "course": self.course_codes[index],
                "emphasis": labels[cell.emphasis],
                "outcomes": ", ".join(outcome.code for outcome in cell.outcomes),
            }
        )
        tip_id = f"tip-{number}-{index}"
        outcomes = "".join(self._tip_line(outcome) for outcome in cell.outcomes)
        return (
            f'<td class="heatmap__cell heatmap__cell--{cell.emphasis}">'
            f'<a class="heatmap__mark" href="{self.course_urls[index]}" aria-label="{label}" '
            f'aria-describedby="{tip_id}">{cell.emphasis}</a>'
            f'<div class="heatmap__tip" role="tooltip" id="{tip_id}">{outcomes}</div></td>'
        )

    def _tip_line(self, outcome: MappedOutcome) -> str:
        # An outcome maps to several capabilities: its line is escaped once, then reused.
        line = self.tip_lines.get(outcome)
        if line is None:
            line = self.tip_lines[outcome] = (
                f"<p><b>{escape(outcome.code)}</b> <i>{self.emphasis_labels[outcome.emphasis]}</i> "
                f"{escape(self.outcome_texts[outcome.pk])}</p>"
            )
        return line

    def _totals(self, block: DomainBlock) -> str:
        heading = escape(_("%(domain)s: capabilities covered per course") % {"domain": block.name})
        counts = "".join(f"<td>{block.course_totals[index]}</td>" for index in self.columns)
        return f'<tr class="heatmap__totals"><th scope="row">{heading}</th>{counts}</tr>'


def _course_page(result: Coverage, number) -> Page:
    return Paginator(result.courses, COURSES_PER_PAGE, allow_empty_first_page=True).get_page(number)


def _page_link(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


def _outcome_texts(courses) -> dict[int, str]:
    """The texts of the outcomes of the courses on the page, for the cells' tooltips."""
    return dict(
        LearningOutcome.objects.filter(course__in=[course.pk for course in courses]).values_list(
            "pk", "text"
        )
    )


def _result_context(request, result: Coverage) -> dict:
    page = _course_page(result, request.GET.get("page"))
    course_url = uuid_url("courses:course_detail")
    capability_url = uuid_url("competencies:capability_detail")
    return {
        "result": result,
        "page": page,
        "page_courses": [(course, course_url(course.uuid)) for course in page.object_list],
        "previous_link": _page_link(request, page.previous_page_number())
        if page.has_previous()
        else "",
        "next_link": _page_link(request, page.next_page_number()) if page.has_next() else "",
        "heatmap": HeatmapBuilder(result, page, _outcome_texts(page.object_list)).domains(),
        "unmapped_capabilities": [
            (capability, capability_url(capability.uuid))
            for capability in result.unmapped_capabilities
        ],
        "introduced_only": [
            (capability, capability_url(capability.uuid)) for capability in result.introduced_only
        ],
        "unmapped_outcomes": [
            (outcome, course_url(outcome["course__uuid"])) for outcome in result.unmapped_outcomes
        ],
        "shows_progression": any(course.programme_id for course in result.courses),
        "progression": [
            (progression_message(problem), problem, course_url(problem.course.uuid))
            for problem in result.progression
        ],
    }


def _downloads(query: str) -> list[tuple[str, str]]:
    suffix = f"?{query}" if query else ""
    return [
        (reverse("coverage:download", args=[table, file_format]) + suffix, label)
        for table, file_format, label in DOWNLOADS
    ]


@require_GET
@reader_required
def coverage_page(request):
    # The coverage is built, rendered and dropped before the cycle collector runs again.
    with cyclic_gc_paused():
        return _coverage_page(request)


def _coverage_page(request):
    form = CoverageSelectionForm(request.GET)
    context = {"form": form, "emphases": Emphasis.choices}
    status = 200
    if form.is_valid():
        query = selection_query(request.GET)
        context.update(_result_context(request, form.coverage()))
        context["downloads"] = _downloads(query)
    else:
        status = 400
    return render(request, "courses/coverage/coverage.html", context, status=status)
