"""Institutions and their programmes: a list for everyone, changes for designers and admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from courses.forms import InstitutionForm, ProgrammeForm
from courses.models import Institution, Programme
from courses.permissions import can_manage_catalogue
from courses.services import catalogue
from courses.views.common import add_service_errors

FORM_TEMPLATE = "courses/catalogue_form.html"


def _check_can_manage(request) -> None:
    if not can_manage_catalogue(request.user):
        raise PermissionDenied(
            _("Only curriculum designers and administrators change institutions and programmes.")
        )


@login_required
@require_GET
def institution_list(request):
    programmes = Programme.objects.annotate(course_count=Count("courses")).order_by("name")
    institutions = Institution.objects.annotate(course_count=Count("courses")).prefetch_related(
        Prefetch("programmes", queryset=programmes)
    )
    return render(
        request,
        "courses/institution_list.html",
        {"institutions": institutions, "can_manage": can_manage_catalogue(request.user)},
    )


def _saved(request, thing):
    messages.success(request, _("%(name)s saved.") % {"name": thing})
    return redirect("courses:institution_list")


@login_required
@require_http_methods(["GET", "POST"])
def institution_create(request):
    _check_can_manage(request)
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = catalogue.institution_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, institution)
    return render(request, FORM_TEMPLATE, {"form": form, "title": _("New institution")})


def _edit(request, entry, form_class):
    form = form_class(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            saved = catalogue.catalogue_entry_update(entry=entry, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, saved)
    title = _("Edit %(name)s") % {"name": entry}
    return render(request, FORM_TEMPLATE, {"form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request, institution_id):
    _check_can_manage(request)
    return _edit(request, get_object_or_404(Institution, pk=institution_id), InstitutionForm)


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request, institution_id):
    _check_can_manage(request)
    institution = get_object_or_404(Institution, pk=institution_id)
    form = ProgrammeForm(request.POST or None, instance=Programme(institution=institution))
    if request.method == "POST" and form.is_valid():
        try:
            programme = catalogue.programme_create(institution=institution, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, programme)
    title = _("New programme at %(institution)s") % {"institution": institution}
    return render(request, FORM_TEMPLATE, {"form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, programme_id):
    _check_can_manage(request)
    programme = get_object_or_404(Programme.objects.select_related("institution"), pk=programme_id)
    return _edit(request, programme, ProgrammeForm)
