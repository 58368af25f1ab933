from competencies.management.commands import import_framework
from competencies.models import FrameworkImport


class Command(import_framework.Command):
    help = "Import a CASE package (CFPackage JSON, CASE 1.0 or 1.1) as a new draft framework."
    file_format = FrameworkImport.Format.CASE
