"""The curriculum PDF as an export kind, registered by CoursesConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from courses.curriculum_pdf.document import build
from courses.curriculum_pdf.form import CurriculumExportForm
from courses.permissions import can_download_curriculum_export, can_start_curriculum_export
from eisen.export_kinds import ExportKind

CURRICULUM_EXPORT = ExportKind(
    name="curriculum",
    label=_("Curriculum"),
    form_class=CurriculumExportForm,
    build=build,
    may_start=can_start_curriculum_export,
    may_download=can_download_curriculum_export,
    description=_(
        "A framework version with its domains, capabilities and level descriptors, the chosen "
        "courses' specifications, the coverage matrix and the gaps, as a tagged PDF."
    ),
)
