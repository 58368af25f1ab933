from django.utils.translation import gettext_lazy as _

from eisen.export_kinds import ExportKind
from evaluation.permissions import can_use_evaluation
from evaluation.report_pdf.document import build
from evaluation.report_pdf.form import EvaluationReportForm

EVALUATION_REPORT_EXPORT = ExportKind(
    name="evaluation-report",
    label=_("Evaluation report"),
    form_class=EvaluationReportForm,
    build=build,
    # Students' words are personal data: only evaluators and administrators, as in the app.
    may_start=can_use_evaluation,
    may_download=can_use_evaluation,
    description=_(
        "The logic model, each mechanism's verdicts formative → summative with their "
        "reflections and the quotes their speakers consented to, the charts, and the formative "
        "action log, as a tagged PDF. Participants appear by pseudonym only."
    ),
)
