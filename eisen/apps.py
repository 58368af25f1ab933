from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EisenConfig(AppConfig):
    name = "eisen"
    verbose_name = "EISEN Curriculum"

    def ready(self):
        from eisen import checks, navigation  # noqa: F401 - checks registers the system checks
        from eisen.exports import may_see_exports

        navigation.register(
            _("Exports"), "exports:export_list", position=50, visible_to=may_see_exports
        )
