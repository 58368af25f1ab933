"""The exports page and its downloads: the quote bank, the REFI-QDA codebook and project.

A download whose selection cannot be read shows the page again with the errors next to the
fields (the other forms as they were), so nothing is downloaded by mistake.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from eisen.errors import Conflict
from evaluation.exports.downloads import (
    QUOTE_BANK_FORMATS,
    codebook_file,
    file_response,
    project_file,
    quote_bank_file,
)
from evaluation.exports.forms import CodebookForm, ProjectForm, QuoteBankForm
from evaluation.views.common import evaluator_required


def _page(request, *, status=200, **bound_forms):
    forms = {
        "quote_bank_form": QuoteBankForm(),
        "codebook_form": CodebookForm(),
        "project_form": ProjectForm(),
        **bound_forms,
    }
    return render(request, "evaluation/exports/page.html", forms, status=status)


@require_GET
@evaluator_required
def exports_page(request):
    return _page(request)


@require_GET
@evaluator_required
def quote_bank_download(request, file_format: str):
    if file_format not in QUOTE_BANK_FORMATS:
        raise Http404(
            _("The quote bank is downloaded as .csv or .xlsx, not .%(format)s.")
            % {"format": file_format}
        )
    form = QuoteBankForm(request.GET)
    if not form.is_valid():
        return _page(request, status=400, quote_bank_form=form)
    return file_response(quote_bank_file(form, user=request.user, file_format=file_format))


@require_GET
@evaluator_required
def codebook_download(request):
    form = CodebookForm(request.GET)
    form.is_valid()  # One tick box, always valid: this reads it.
    try:
        return file_response(codebook_file(form))
    except Conflict as refusal:
        form.add_error(None, str(refusal))
        return _page(request, status=409, codebook_form=form)


@require_GET
@evaluator_required
def project_download(request):
    form = ProjectForm(request.GET)
    if not form.is_valid():
        return _page(request, status=400, project_form=form)
    return file_response(project_file(form, user=request.user))
