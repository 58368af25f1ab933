"""The grid of a course's outcomes (rows) by its framework's capabilities (columns).

Two ways to work in it. By default a click on a cell moves it to the next emphasis (blank, I, R,
M) and saves that one cell at once. In "many changes" mode clicks only mark cells as pending;
"Save N changes" then saves them all in one transaction, or none when any is refused.

Every cell is a submit button of one form, so the grid also works without JavaScript (each click
then reloads the page). A cell's button carries `outcome:capability:shown:saved`: the emphasis it
shows and the one saved when the page was drawn, which the save checks so that a change someone
else made in between is not overwritten.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from competencies.models import Capability
from competencies.selectors import framework_tree
from courses.models import Course, Emphasis, OutcomeMapping
from courses.permissions import can_edit_course
from courses.services.mapping import EMPHASIS_CYCLE, GridChange, mappings_bulk_save, next_emphasis
from courses.views.common import course_for_editing, course_for_reading
from eisen.errors import Conflict

BATCH = "batch"


@dataclass(frozen=True)
class CellValue:
    """What a cell's button or a pending change carries."""

    outcome: str
    capability: str
    shown: str
    saved: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.outcome, self.capability)

    def encoded(self) -> str:
        return f"{self.outcome}:{self.capability}:{self.shown}:{self.saved}"


class UnreadableCell(ValueError):
    pass


def _decoded(value: str) -> CellValue:
    parts = value.split(":")
    if len(parts) != 4 or parts[2] not in EMPHASIS_CYCLE or parts[3] not in EMPHASIS_CYCLE:
        raise UnreadableCell(_("“%(value)s” is not a cell of the grid.") % {"value": value})
    return CellValue(*parts)


def _pending(values: list[str]) -> dict[tuple[str, str], CellValue]:
    """Changes marked but not saved, by cell; a cell marked back to its saved value is none."""
    pending = {}
    for value in values:
        cell = _decoded(value)
        pending[cell.key] = cell
    return {key: cell for key, cell in pending.items() if cell.shown != cell.saved}


def _labels() -> dict[str, str]:
    return {"": _("not mapped"), **dict(Emphasis.choices)}


def _cell(outcome_code, capability_code, value: CellValue, labels) -> dict:
    label = _("%(outcome)s × %(capability)s: %(emphasis)s") % {
        "outcome": outcome_code,
        "capability": capability_code,
        "emphasis": labels[value.shown],
    }
    pending = value.shown != value.saved
    if pending:
        label = _("%(label)s (not saved yet; saved: %(saved)s)") % {
            "label": label,
            "saved": labels[value.saved],
        }
    return {
        "id": f"cell-{value.outcome}-{value.capability}",
        "value": value,
        "label": label,
        "pending": pending,
    }


def _urls(course: Course) -> dict:
    """Reversed once for the page, not once per cell."""
    return {
        "cell_url": reverse("courses:grid_cell", args=[course.uuid]),
        "mark_url": reverse("courses:grid_mark", args=[course.uuid]),
        "save_url": reverse("courses:grid_save", args=[course.uuid]),
    }


def grid_context(request, course: Course, *, batch: bool, pending=None, **extra) -> dict:
    """The whole grid in a fixed number of queries, with pending changes shown where marked."""
    pending = pending or {}
    tree = framework_tree(course.framework)
    outcomes = list(course.outcomes.order_by("position"))
    saved = {
        (str(outcome), str(capability)): emphasis
        for outcome, capability, emphasis in OutcomeMapping.objects.filter(
            outcome__course=course
        ).values_list("outcome__uuid", "capability__uuid", "emphasis")
    }
    columns = [capability for domain in tree["domains"] for capability in domain["capabilities"]]
    labels = _labels()
    rows = []
    for outcome in outcomes:
        cells = []
        for capability in columns:
            key = (str(outcome.uuid), str(capability["id"]))
            current = saved.get(key, "")
            shown = pending[key].shown if key in pending else current
            cells.append(
                _cell(outcome.code, capability["code"], CellValue(*key, shown, current), labels)
            )
        rows.append({"outcome": outcome, "cells": cells})
    pending_count = sum(1 for row in rows for cell in row["cells"] if cell["pending"])
    return {
        "course": course,
        "domains": [domain for domain in tree["domains"] if domain["capabilities"]],
        "rows": rows,
        "can_edit": can_edit_course(request.user, course),
        "batch": batch,
        "pending_count": pending_count,
        "emphases": Emphasis.choices,
        **_urls(course),
        **extra,
    }


def _grid_url(course: Course, batch: bool) -> str:
    url = reverse("courses:grid", args=[course.uuid])
    return f"{url}?{urlencode({'mode': BATCH})}" if batch else url


@login_required
@require_GET
def grid(request, course_uuid):
    course = course_for_reading(
        course_uuid, Course.objects.select_related("framework").prefetch_related("leads")
    )
    batch = request.GET.get("mode") == BATCH
    return render(request, "courses/grid.html", grid_context(request, course, batch=batch))


def _posted_cell(request, course: Course):
    """The clicked cell, its outcome and its capability; 404 when either is not there."""
    cell = _decoded(request.POST.get("cell", ""))
    outcome = course.outcomes.filter(uuid=cell.outcome).first()
    capability = Capability.objects.filter(uuid=cell.capability).only("code").first()
    if outcome is None or capability is None:
        raise Http404(_("This cell is no longer in the grid; reload the page."))
    return cell, outcome, capability


def _saved_emphasis(cell: CellValue) -> str:
    mapping = OutcomeMapping.objects.filter(
        outcome__uuid=cell.outcome, capability__uuid=cell.capability
    ).first()
    return mapping.emphasis if mapping else ""


@login_required
@require_POST
def grid_cell(request, course_uuid):
    """Click mode: the clicked cell moves to the next emphasis and is saved at once."""
    course = course_for_editing(request, course_uuid)
    try:
        cell, outcome, capability = _posted_cell(request, course)
    except UnreadableCell as error:
        return HttpResponseBadRequest(str(error))
    change = GridChange(
        outcome=cell.outcome,
        capability=cell.capability,
        emphasis=next_emphasis(cell.shown),
        expected=cell.shown,
    )
    status, problem = 200, ""
    try:
        mappings_bulk_save(course=course, changes=[change])
    except Conflict as refusal:
        status, problem = 409, str(refusal)
    except ValidationError as error:
        problem = " ".join(error.messages)
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        return redirect(_grid_url(course, batch=False))
    saved = _saved_emphasis(cell)
    shown = _cell(outcome.code, capability.code, CellValue(*cell.key, saved, saved), _labels())
    return render(
        request,
        "courses/grid.html#cell-response",
        {
            "cell": shown,
            "course": course,
            "can_edit": True,
            "batch": False,
            "problem": problem,
            "done": "" if problem else _("Saved: %(label)s.") % {"label": shown["label"]},
            **_urls(course),
        },
        status=status,
    )


@login_required
@require_POST
def grid_mark(request, course_uuid):
    """Many-changes mode: the clicked cell moves to the next emphasis, pending until saved."""
    course = course_for_editing(
        request, course_uuid, Course.objects.select_related("framework").prefetch_related("leads")
    )
    try:
        cell, outcome, capability = _posted_cell(request, course)
        pending = _pending(request.POST.getlist("change"))
    except UnreadableCell as error:
        return HttpResponseBadRequest(str(error))
    marked = CellValue(cell.outcome, cell.capability, next_emphasis(cell.shown), cell.saved)
    pending.pop(marked.key, None)
    if marked.shown != marked.saved:
        pending[marked.key] = marked
    if not request.htmx:
        return render(
            request,
            "courses/grid.html",
            grid_context(request, course, batch=True, pending=pending),
        )
    return render(
        request,
        "courses/grid.html#cell-response",
        {
            "cell": _cell(outcome.code, capability.code, marked, _labels()),
            "course": course,
            "can_edit": True,
            "batch": True,
            "pending_count": len(pending),
            **_urls(course),
        },
    )


@login_required
@require_POST
def grid_save(request, course_uuid):
    """Many-changes mode: every pending change saved in one transaction, or none of them."""
    course = course_for_editing(
        request, course_uuid, Course.objects.select_related("framework").prefetch_related("leads")
    )
    try:
        pending = _pending(request.POST.getlist("change"))
    except UnreadableCell as error:
        return HttpResponseBadRequest(str(error))
    changes = [
        GridChange(
            outcome=cell.outcome,
            capability=cell.capability,
            emphasis=cell.shown,
            expected=cell.saved,
        )
        for cell in pending.values()
    ]
    status, problems, done = 200, [], ""
    if not changes:
        problems = [_("Nothing to save: click cells to mark changes first.")]
    else:
        try:
            mappings_bulk_save(course=course, changes=changes)
        except Conflict as refusal:
            status, problems = 409, [str(refusal)]
        except ValidationError as error:
            problems = error.messages
        else:
            done = ngettext("%(count)d change saved.", "%(count)d changes saved.", len(changes)) % {
                "count": len(changes)
            }
            pending = {}
    if not request.htmx and not problems:
        messages.success(request, done)
        return redirect(_grid_url(course, batch=True))
    template = "courses/grid.html" + ("#grid" if request.htmx else "")
    # After a refusal the marked changes stay; each cell is compared with what is saved now.
    context = grid_context(
        request, course, batch=True, pending=pending, problems=problems, done=done
    )
    # The status line sits outside the grid; an htmx answer updates it out of band.
    return render(request, template, {**context, "announce": request.htmx}, status=status)
