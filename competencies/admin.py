from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
    LevelDescriptor,
    Reference,
    Theme,
)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["position", "code", "name"]


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["position", "code", "name"]


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["title", "version_label", "status", "language", "published_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "slug", "description"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    raw_id_fields = ["previous_version"]
    inlines = [DomainInline, ThemeInline]


@admin.register(Domain)
class DomainAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "framework", "position"]
    list_filter = ["framework"]
    readonly_fields = ["uuid"]


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "framework", "position"]
    list_filter = ["framework"]


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
    list_display = ["key", "year", "framework"]
    list_filter = ["framework"]
    search_fields = ["citation", "key", "doi"]


class LevelDescriptorInline(admin.StackedInline):
    model = LevelDescriptor
    extra = 0
    max_num = 2


class OutgoingAssociationInline(admin.TabularInline):
    model = CapabilityAssociation
    fk_name = "origin"
    extra = 0
    raw_id_fields = ["destination"]
    fields = ["association_type", "destination", "note"]


@admin.register(Capability)
class CapabilityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "domain", "framework", "position"]
    list_filter = ["framework", "domain__code", "themes"]
    search_fields = ["code", "title", "description", "relevance"]
    list_select_related = ["domain", "framework"]
    readonly_fields = ["uuid"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["themes", "references"]
    inlines = [LevelDescriptorInline, OutgoingAssociationInline]


@admin.register(LevelDescriptor)
class LevelDescriptorAdmin(SimpleHistoryAdmin):
    list_display = ["capability", "eqf_level"]
    list_filter = ["eqf_level", "capability__framework"]
    search_fields = ["capability__code", "capability__title", "text"]
    raw_id_fields = ["capability"]
    list_select_related = ["capability"]


@admin.register(CapabilityAssociation)
class CapabilityAssociationAdmin(SimpleHistoryAdmin):
    list_display = ["origin", "association_type", "destination"]
    list_filter = ["association_type"]
    raw_id_fields = ["origin", "destination"]
    list_select_related = ["origin", "destination"]
