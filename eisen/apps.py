from django.apps import AppConfig


class EisenConfig(AppConfig):
    name = "eisen"
    verbose_name = "EISEN Curriculum"

    def ready(self):
        from eisen import checks  # noqa: F401 - registers the system checks
