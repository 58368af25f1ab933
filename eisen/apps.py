from django.apps import AppConfig


class EisenConfig(AppConfig):
    name = "eisen"
    verbose_name = "EISEN Curriculum"
