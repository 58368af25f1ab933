from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """The parts of the evaluation report one may ask for, in the order the report has them."""

    LOGIC_MODEL = "logic_model", _("Logic model")
    MECHANISMS = "mechanisms", _("Mechanisms")
    CHARTS = "charts", _("Charts")
    ACTION_LOG = "action_log", _("Formative action log")


def in_report_order(sections) -> list[str]:
    """The known sections among `sections`, each once, in the report's order."""
    chosen = set(sections)
    return [value for value in Section.values if value in chosen]
