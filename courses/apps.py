from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from competencies.services.editing import register_capability_usage
        from courses.services.mapping import capability_outcome_usages

        register_capability_usage(capability_outcome_usages)
