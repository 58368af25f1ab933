from django.contrib import admin, messages
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Comment,
    Domain,
    Framework,
    LevelDescriptor,
    Reference,
    Theme,
)


class DraftOnlyAdmin(SimpleHistoryAdmin):
    """Rows of published or archived frameworks are shown read-only, as everywhere else."""

    framework_path: tuple[str, ...] = ("framework",)

    def framework_of(self, obj):
        for attribute in self.framework_path:
            obj = getattr(obj, attribute)
        return obj

    def _editable(self, obj) -> bool:
        return obj is None or self.framework_of(obj).is_editable

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and not self._editable(obj):
            messages.info(
                request,
                _(
                    "“%(framework)s” is %(status)s and read-only. "
                    "Start a new version of it to make changes."
                )
                % {
                    "framework": self.framework_of(obj),
                    "status": self.framework_of(obj).get_status_display().lower(),
                },
            )
        return super().change_view(request, object_id, form_url, extra_context)


class DraftOnlyInline:
    """Inline rows follow their parent: editable only while its framework is a draft."""

    def _editable(self, parent) -> bool:
        if parent is None:
            return True
        framework = parent if isinstance(parent, Framework) else parent.framework
        return framework.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class DomainInline(DraftOnlyInline, admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["position", "code", "name"]


class ThemeInline(DraftOnlyInline, admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["position", "code", "name"]


@admin.register(Framework)
class FrameworkAdmin(DraftOnlyAdmin):
    framework_path = ()

    list_display = ["title", "version_label", "status", "language", "published_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "slug", "description"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    raw_id_fields = ["previous_version"]
    inlines = [DomainInline, ThemeInline]


@admin.register(Domain)
class DomainAdmin(DraftOnlyAdmin):
    list_display = ["code", "name", "framework", "position"]
    list_filter = ["framework"]
    readonly_fields = ["uuid"]


@admin.register(Theme)
class ThemeAdmin(DraftOnlyAdmin):
    list_display = ["name", "code", "framework", "position"]
    list_filter = ["framework"]


@admin.register(Reference)
class ReferenceAdmin(DraftOnlyAdmin):
    list_display = ["key", "year", "framework"]
    list_filter = ["framework"]
    search_fields = ["citation", "key", "doi"]


class LevelDescriptorInline(DraftOnlyInline, admin.StackedInline):
    model = LevelDescriptor
    extra = 0
    max_num = 2


class OutgoingAssociationInline(DraftOnlyInline, admin.TabularInline):
    model = CapabilityAssociation
    fk_name = "origin"
    extra = 0
    raw_id_fields = ["destination"]
    fields = ["association_type", "destination", "note"]


@admin.register(Capability)
class CapabilityAdmin(DraftOnlyAdmin):
    list_display = ["code", "title", "domain", "framework", "position"]
    list_filter = ["framework", "domain__code", "themes"]
    search_fields = ["code", "title", "description", "relevance"]
    list_select_related = ["domain", "framework"]
    readonly_fields = ["uuid"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["themes", "references"]
    inlines = [LevelDescriptorInline, OutgoingAssociationInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["capability", "author", "created_at", "resolved_at"]
    list_filter = ["resolved_at", "capability__framework"]
    search_fields = ["text", "capability__code"]
    raw_id_fields = ["capability", "author", "resolved_by"]
    list_select_related = ["capability", "author"]


@admin.register(LevelDescriptor)
class LevelDescriptorAdmin(DraftOnlyAdmin):
    framework_path = ("capability", "framework")

    list_display = ["capability", "eqf_level"]
    list_filter = ["eqf_level", "capability__framework"]
    search_fields = ["capability__code", "capability__title", "text"]
    raw_id_fields = ["capability"]
    list_select_related = ["capability"]


@admin.register(CapabilityAssociation)
class CapabilityAssociationAdmin(DraftOnlyAdmin):
    framework_path = ("origin", "framework")

    list_display = ["origin", "association_type", "destination"]
    list_filter = ["association_type"]
    raw_id_fields = ["origin", "destination"]
    list_select_related = ["origin", "destination"]
