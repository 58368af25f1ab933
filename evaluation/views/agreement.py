"""The agreement page of an independently coded transcript, and its actions (htmx).

Before an evaluator chooses to compare, the page explains blind coding and offers the choice;
nothing of the other evaluators' coding is read for it. After, it shows kappa and alpha per
code, the turns where the coders differ with buttons that copy an excerpt into the agreed
coding, and the agreed coding so far.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from eisen.errors import Conflict
from evaluation.agreement import agreement_for_transcript, agreement_review
from evaluation.models import Excerpt, Transcript
from evaluation.services.agreement import (
    agreed_excerpt_accept,
    agreed_excerpt_remove,
    agreed_units_accept_all,
    comparison_start,
    has_coded,
    has_compared,
)
from evaluation.views.common import evaluator_required

TEMPLATE = "evaluation/agreement/agreement.html"


def _transcript(transcript_uuid) -> Transcript:
    return get_object_or_404(
        Transcript.objects.select_related("focus_group__course"), uuid=transcript_uuid
    )


def _excerpt(transcript: Transcript, excerpt_uuid) -> Excerpt:
    excerpt = get_object_or_404(Excerpt, uuid=excerpt_uuid, transcript=transcript)
    excerpt.transcript = transcript
    return excerpt


def agreement_context(request, transcript: Transcript, **extra) -> dict:
    context = {"transcript": transcript, **extra}
    context["compared"] = transcript.independent_coding and has_compared(transcript, request.user)
    if not context["compared"]:
        context["has_coded"] = transcript.independent_coding and has_coded(transcript, request.user)
        return context
    agreement = agreement_for_transcript(transcript)
    context.update(agreement=agreement, review=agreement_review(agreement))
    return context


@evaluator_required
@require_GET
def agreement(request, transcript_uuid):
    transcript = _transcript(transcript_uuid)
    return render(request, TEMPLATE, agreement_context(request, transcript))


@evaluator_required
@require_POST
def agreement_compare(request, transcript_uuid):
    transcript = _transcript(transcript_uuid)
    try:
        comparison_start(transcript=transcript, coder=request.user)
    except Conflict as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("You now see every evaluator's coding of this transcript."))
    return redirect("evaluation:agreement", transcript_uuid=transcript.uuid)


def _work_response(request, transcript: Transcript, action):
    """Run the action on the agreed coding; answer with the updated section (htmx) or the page."""
    problem, done = "", ""
    try:
        done = action()
    except Conflict as refusal:
        problem = str(refusal)
    except ValidationError as error:
        problem = " ".join(error.messages)
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, done)
        url = reverse("evaluation:agreement", kwargs={"transcript_uuid": transcript.uuid})
        return redirect(f"{url}#agreed-coding")
    # Every refusal answers 409: htmx swaps those in (see base.html) but not 400, and a refusal
    # here is about the state of the agreed coding as often as about the request.
    context = agreement_context(request, transcript, problem=problem, done=done, announce=True)
    return render(request, f"{TEMPLATE}#work", context, status=409 if problem else 200)


@evaluator_required
@require_POST
def agreement_accept(request, transcript_uuid, excerpt_uuid):
    transcript = _transcript(transcript_uuid)
    excerpt = _excerpt(transcript, excerpt_uuid)

    def accept():
        agreed = agreed_excerpt_accept(excerpt=excerpt, by=request.user)
        return _("Characters %(start)s to %(end)s added to the agreed coding.") % {
            "start": agreed.start,
            "end": agreed.end,
        }

    return _work_response(request, transcript, accept)


@evaluator_required
@require_POST
def agreement_accept_all(request, transcript_uuid):
    transcript = _transcript(transcript_uuid)

    def accept_all():
        added = agreed_units_accept_all(transcript=transcript, by=request.user)
        if not added:
            return _("Nothing new to accept: every code all evaluators agree on is agreed already.")
        return ngettext(
            "%(count)d excerpt added to the agreed coding.",
            "%(count)d excerpts added to the agreed coding.",
            len(added),
        ) % {"count": len(added)}

    return _work_response(request, transcript, accept_all)


@evaluator_required
@require_POST
def agreement_remove(request, transcript_uuid, excerpt_uuid):
    transcript = _transcript(transcript_uuid)
    excerpt = _excerpt(transcript, excerpt_uuid)

    def remove():
        agreed_excerpt_remove(excerpt=excerpt, by=request.user)
        return _("Characters %(start)s to %(end)s removed from the agreed coding.") % {
            "start": excerpt.start,
            "end": excerpt.end,
        }

    return _work_response(request, transcript, remove)
