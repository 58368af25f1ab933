from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenciesConfig(AppConfig):
    name = "competencies"
    verbose_name = _("Competency frameworks")

    def ready(self):
        from competencies.services.loading import eisen_framework_load_summary
        from eisen import content, navigation

        navigation.register(_("Frameworks"), "competencies:framework_list", position=10)
        content.register_loader(
            "EISEN Competency Framework", eisen_framework_load_summary, position=10
        )
