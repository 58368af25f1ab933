from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from competencies.services.editing import register_capability_usage
        from courses.curriculum_pdf.kind import CURRICULUM_EXPORT
        from courses.services.mapping import capability_outcome_usages
        from courses.services.samples import (
            eisen_sample_courses_load_summary,
            example_courses_for_demo,
        )
        from eisen import content, demo, export_kinds, navigation

        register_capability_usage(capability_outcome_usages)
        navigation.register(_("Courses"), "courses:course_list", position=20)
        navigation.register(_("Coverage"), "coverage:coverage", position=30)
        content.register_loader(
            "EISEN example courses", eisen_sample_courses_load_summary, position=20
        )
        demo.register_demo_setup(example_courses_for_demo)
        export_kinds.register(CURRICULUM_EXPORT)
