from competencies.management.commands import export_framework


class Command(export_framework.Command):
    help = "Write a framework as a CASE package (CFPackage JSON, CASE 1.0 or 1.1)."
    kinds = ("case-1.0", "case-1.1")
