from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from competencies.services.editing import register_capability_usage
        from courses.services.catalogue import register_course_usage
        from eisen import content, export_kinds, navigation
        from evaluation.permissions import can_use_evaluation
        from evaluation.report_pdf.kind import EVALUATION_REPORT_EXPORT
        from evaluation.services.coding import capability_excerpt_usages
        from evaluation.services.logic import eisen_logic_model_load_summary
        from evaluation.services.retention import course_evaluation_usages

        register_capability_usage(capability_excerpt_usages)
        register_course_usage(course_evaluation_usages)
        content.register_loader("Evaluation", eisen_logic_model_load_summary, position=30)
        navigation.register(
            _("Evaluation"),
            "evaluation:focus_group_list",
            position=40,
            visible_to=can_use_evaluation,
        )
        export_kinds.register(EVALUATION_REPORT_EXPORT)
