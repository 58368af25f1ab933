"""Editor pages for a framework as a whole: create, metadata, versions, themes, references."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from competencies import selectors
from competencies.editor.common import (
    add_service_errors,
    designer_required,
    editor_context,
    editor_or_domains,
)
from competencies.forms import (
    FrameworkForm,
    NewFrameworkForm,
    NewVersionForm,
    ReferenceForm,
    RevisionForm,
    ThemeForm,
)
from competencies.models import (
    Framework,
    Reference,
    Theme,
)
from competencies.services import editing, structure, versions
from eisen.errors import StaleEdit

# Frameworks


@designer_required
@require_http_methods(["GET", "POST"])
def framework_create(request):
    form = NewFrameworkForm(
        request.POST or None, frameworks=selectors.frameworks_visible_to(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source = data.pop("copy_of")
        try:
            if source:
                framework = versions.framework_copy(
                    source=source,
                    slug=data["slug"],
                    title=data["title"],
                    version_label=data["version_label"],
                )
                editing.framework_update(
                    framework=framework,
                    expected_revision=framework.revision,
                    language=data["language"],
                    licence=data["licence"],
                    description=data["description"],
                )
            else:
                framework = editing.framework_create(**data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Framework created. Add domains and capabilities."))
            return redirect("competencies:framework_editor", framework.uuid)
    return render(request, "competencies/editor/framework_new.html", {"form": form})


@designer_required
@require_safe
def framework_editor(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    return render(request, "competencies/editor/editor.html", editor_context(framework))


@designer_required
@require_http_methods(["GET", "POST"])
def framework_metadata(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    template = "competencies/editor/editor.html#metadata"
    if request.method == "GET":
        if request.GET.get("view"):
            return render(request, template, {"framework": framework})
        form = FrameworkForm(instance=framework)
        revision = RevisionForm(initial={"revision": framework.revision})
        return render(
            request, template, {"framework": framework, "form": form, "revision": revision}
        )
    form = FrameworkForm(request.POST, instance=Framework.objects.get(pk=framework.pk))
    revision = RevisionForm(request.POST)
    conflict = None
    if form.is_valid() and revision.is_valid():
        try:
            framework = editing.framework_update(
                framework=framework,
                expected_revision=revision.cleaned_data["revision"],
                **form.cleaned_data,
            )
        except StaleEdit as stale:
            conflict = stale.current
            revision = RevisionForm(initial={"revision": stale.current.revision})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, template, {"framework": framework})
    return render(
        request,
        template,
        {"framework": framework, "form": form, "revision": revision, "conflict": conflict},
    )


@designer_required
@require_POST
def framework_publish(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    try:
        versions.framework_publish(framework=framework)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("competencies:framework_editor", framework.uuid)
    messages.success(request, _("%(framework)s is published.") % {"framework": framework})
    return redirect(framework.get_absolute_url())


@designer_required
@require_POST
def framework_archive(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    try:
        versions.framework_archive(framework=framework)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(framework.get_absolute_url())


@designer_required
@require_POST
def framework_new_version(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            draft = versions.framework_new_version(
                framework=framework, version_label=form.cleaned_data["version_label"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Version %(version)s started as a draft.") % {"version": draft.version_label},
            )
            return redirect("competencies:framework_editor", draft.uuid)
    else:
        messages.error(request, _("Give the new version a label, such as 2.0."))
    return redirect(framework.get_absolute_url())


@designer_required
@require_POST
def framework_renumber(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    changed = structure.capabilities_renumber(framework=framework)
    messages.success(
        request,
        ngettext("%(count)d code renumbered.", "%(count)d codes renumbered.", changed)
        % {"count": changed},
    )
    return editor_or_domains(request, framework)


# Themes and references


@designer_required
@require_http_methods(["GET", "POST"])
def framework_vocabulary(request, framework_uuid):
    """The framework's themes and references: list, add, delete unused ones."""
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    theme_form = ThemeForm(prefix="theme")
    reference_form = ReferenceForm(prefix="reference")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "theme":
                theme_form = ThemeForm(request.POST, prefix="theme")
                if theme_form.is_valid():
                    editing.theme_create(framework=framework, **theme_form.cleaned_data)
                    return redirect("competencies:framework_vocabulary", framework.uuid)
            elif kind == "reference":
                reference_form = ReferenceForm(request.POST, prefix="reference")
                if reference_form.is_valid():
                    editing.reference_create(framework=framework, **reference_form.cleaned_data)
                    return redirect("competencies:framework_vocabulary", framework.uuid)
            elif kind in ("delete-theme", "delete-reference"):
                model = Theme if kind == "delete-theme" else Reference
                item = get_object_or_404(model, pk=request.POST.get("id"), framework=framework)
                editing.theme_or_reference_delete(item=item)
                return redirect("competencies:framework_vocabulary", framework.uuid)
        except ValidationError as error:
            form = theme_form if kind == "theme" else reference_form
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    return render(
        request,
        "competencies/editor/vocabulary.html",
        {
            "framework": framework,
            "themes": framework.themes.all(),
            "references": framework.references.all(),
            "theme_form": theme_form,
            "reference_form": reference_form,
        },
    )
