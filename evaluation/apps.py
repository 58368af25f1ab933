from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from courses.services.catalogue import register_course_usage
        from evaluation.services.protection import course_evaluation_usages

        register_course_usage(course_evaluation_usages)
