"""Transcript pages: upload or paste, read a version, revise it, choose independent coding."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.views.common import add_service_errors
from eisen.errors import Conflict
from evaluation.forms.sessions import IndependentCodingForm, TranscriptForm, TranscriptReviseForm
from evaluation.models import FocusGroup, Transcript
from evaluation.selectors.sessions import revision_seen_by, transcript_page
from evaluation.services import transcripts
from evaluation.views.common import evaluator_required
from evaluation.views.sessions import posted


def transcript_url(transcript: Transcript) -> str:
    return reverse("evaluation:transcript_detail", args=[transcript.uuid])


def _on_field(error: ValidationError, field: str) -> ValidationError:
    """The service's refusal of the transcript's content, put on the form field it came from."""
    if not hasattr(error, "error_dict") or "content" not in error.error_dict:
        return error
    moved = dict(error.error_dict)
    moved[field] = moved.pop("content")
    return ValidationError(moved)


@evaluator_required
@require_http_methods(["GET", "POST"])
def transcript_create(request, focus_group_uuid):
    focus_group = get_object_or_404(
        FocusGroup.objects.select_related("course"), uuid=focus_group_uuid
    )
    current = focus_group.transcripts.filter(is_current=True).first()
    form = TranscriptForm(posted(request), request.FILES if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        content, source_format, source_name = form.source()
        try:
            transcript = transcripts.transcript_import(
                focus_group=focus_group,
                content=content,
                source_format=source_format,
                source_name=source_name,
                replacements=form.cleaned_data["replacements"],
                independent_coding=form.cleaned_data["independent_coding"],
                created_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, _on_field(error, "file" if source_name else "text"))
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        else:
            turns = transcript.utterances.count()
            messages.success(
                request,
                ngettext(
                    "Version %(version)d saved: %(count)d speaker turn.",
                    "Version %(version)d saved: %(count)d speaker turns.",
                    turns,
                )
                % {"version": transcript.version, "count": turns},
            )
            return redirect(transcript_url(transcript))
    return render(
        request,
        "evaluation/sessions/transcript_form.html",
        {"form": form, "focus_group": focus_group, "current": current},
        status=status,
    )


@evaluator_required
@require_GET
def transcript_detail(request, transcript_uuid):
    page = transcript_page(transcript_uuid, request.user)
    return render(
        request,
        "evaluation/sessions/transcript_detail.html",
        {
            "page": page,
            "transcript": page.transcript,
            "coding_form": IndependentCodingForm(
                initial={"independent_coding": page.transcript.independent_coding}
            ),
        },
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def transcript_revise(request, transcript_uuid):
    transcript = get_object_or_404(
        Transcript.objects.select_related("focus_group__course"), uuid=transcript_uuid
    )
    form = TranscriptReviseForm(posted(request), initial={"text": transcript.text})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            revision = transcripts.transcript_revise(
                transcript=transcript, text=form.cleaned_data["text"], revised_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        else:
            summary = revision_seen_by(revision, request.user).summary()
            messages.success(
                request,
                _("Version %(version)d saved: %(summary)s")
                % {"version": revision.transcript.version, "summary": summary},
            )
            return redirect(transcript_url(revision.transcript))
    return render(
        request,
        "evaluation/sessions/transcript_revise.html",
        {"form": form, "transcript": transcript},
        status=status,
    )


@evaluator_required
@require_POST
def transcript_independent_coding(request, transcript_uuid):
    transcript = get_object_or_404(Transcript, uuid=transcript_uuid)
    form = IndependentCodingForm(request.POST)
    form.is_valid()
    try:
        transcripts.transcript_set_independent_coding(
            transcript=transcript, independent_coding=form.cleaned_data["independent_coding"]
        )
    except Conflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("Saved how the transcript is coded."))
    return redirect(transcript_url(transcript))
