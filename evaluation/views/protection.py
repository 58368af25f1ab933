"""Data protection pages: erase a participant, download all that is held about one, the log."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from eisen.errors import Conflict
from evaluation.models import ErasureRecord, Participant
from evaluation.permissions import can_see_identities
from evaluation.services import erasure, subject_access
from evaluation.views.common import evaluator_required

ERASURES_PER_PAGE = 50


class ErasureConfirmForm(forms.Form):
    confirm = forms.CharField(label=gettext_lazy("Pseudonym"), max_length=8, strip=True)

    def __init__(self, *args, pseudonym: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pseudonym = pseudonym
        self.fields["confirm"].help_text = _(
            "Type %(pseudonym)s to confirm. This cannot be undone."
        ) % {"pseudonym": pseudonym}

    def clean_confirm(self):
        problem = erasure.erasure_confirmation_error(
            typed=self.cleaned_data["confirm"], pseudonym=self.pseudonym
        )
        if problem:
            raise ValidationError(problem)
        return self.cleaned_data["confirm"]


def _participant(participant_uuid) -> Participant:
    return get_object_or_404(Participant.objects.select_related("course"), uuid=participant_uuid)


@evaluator_required
@require_http_methods(["GET", "POST"])
def participant_erase(request, participant_uuid):
    participant = _participant(participant_uuid)
    form = ErasureConfirmForm(request.POST or None, pseudonym=participant.pseudonym)
    if request.method == "POST" and form.is_valid():
        try:
            record = erasure.participant_erase(participant=participant, erased_by=request.user)
        except Conflict as gone:
            messages.info(request, str(gone))
            return redirect("evaluation:erasure_log")
        else:
            # Counts only: messages are kept in the session until shown, and the session table
            # must not keep the pseudonym the erasure just removed.
            messages.success(
                request,
                _(
                    "Participant erased. Turns redacted: %(utterances)d; excerpts removed: "
                    "%(removed)d; excerpts anonymised: %(anonymised)d; consent records deleted: "
                    "%(consents)d."
                )
                % {
                    "utterances": record.utterances_redacted,
                    "removed": record.excerpts_removed,
                    "anonymised": record.excerpts_anonymised,
                    "consents": record.consents_deleted,
                },
            )
            return redirect("evaluation:erasure_log")
    plan = erasure.participant_erasure_preview(participant=participant)
    return render(
        request,
        "evaluation/protection/participant_erase.html",
        {
            "participant": participant,
            "form": form,
            "utterances": len(plan.utterance_ids),
            "transcripts": len(plan.masked_transcripts),
            "excerpts_removed": len(plan.removed_excerpt_ids),
            "excerpts_anonymised": len(plan.anonymised_excerpts),
            "consents": plan.consents,
            "has_identity": plan.has_identity,
        },
    )


@evaluator_required
@require_GET
def participant_export(request, participant_uuid):
    participant = _participant(participant_uuid)
    data = subject_access.participant_data_export(
        participant=participant, include_identity=can_see_identities(request.user)
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = slugify(f"{participant.course.code}-{participant.pseudonym}")
    response["Content-Disposition"] = f'attachment; filename="{name}-data.json"'
    # Their words and perhaps their name: no copy kept by a browser or a proxy on the way.
    response["Cache-Control"] = "private, no-store"
    return response


@evaluator_required
@require_GET
def erasure_log(request):
    records = ErasureRecord.objects.select_related("erased_by", "course").order_by(
        "-erased_at", "-pk"
    )
    page = Paginator(records, ERASURES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "evaluation/protection/erasure_log.html", {"page": page})
