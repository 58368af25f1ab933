from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from courses.models import (
    Course,
    Institution,
    LearningOutcome,
    OutcomeMapping,
    Programme,
    RemapReport,
)


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "is_example"]
    search_fields = ["name", "country"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "institution", "award", "eqf_level", "ects", "is_example"]
    list_filter = ["award", "institution"]
    search_fields = ["name"]


class LearningOutcomeInline(admin.TabularInline):
    model = LearningOutcome
    fields = ["position", "code", "text", "bloom_level", "bloom_level_chosen"]
    extra = 0


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "institution", "academic_year", "eqf_level", "framework"]
    list_filter = ["eqf_level", "academic_year", "delivery_mode", "institution"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["leads"]
    list_select_related = ["institution", "framework"]
    inlines = [LearningOutcomeInline]


@admin.register(OutcomeMapping)
class OutcomeMappingAdmin(SimpleHistoryAdmin):
    list_display = ["outcome", "capability", "emphasis"]
    list_filter = ["emphasis"]
    list_select_related = ["outcome", "capability"]
    raw_id_fields = ["outcome", "capability"]


@admin.register(RemapReport)
class RemapReportAdmin(admin.ModelAdmin):
    list_display = ["course", "from_framework", "to_framework", "carried_over", "created_at"]
    readonly_fields = ["not_carried_over"]
