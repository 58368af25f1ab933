from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from competencies.interchange.imported import ImportRefused
from competencies.models import FrameworkImport
from competencies.services.importing import framework_import_file


class Command(BaseCommand):
    help = (
        "Import a framework file (CASE JSON, Moodle competency CSV or workbook) as a new draft, "
        "and print the import report. Nothing is written if the file cannot be imported."
    )
    file_format = ""

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        if not self.file_format:
            parser.add_argument(
                "--format",
                dest="file_format",
                choices=FrameworkImport.Format.values,
                default="",
                help="Left out: recognised from the content.",
            )
        parser.add_argument("--user", help="Username recorded as the importer.")

    def handle(self, *args, file, user=None, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user is called {user}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            record = framework_import_file(
                data=data,
                source_name=file.name,
                file_format=self.file_format or options.get("file_format", ""),
                user=importer,
            )
        except ImportRefused as refused:
            raise CommandError(
                f"{file} was not imported; nothing was written:\n"
                + "\n".join(f"  {problem}" for problem in refused.problems)
            ) from None
        framework = record.framework
        summary = ", ".join(f"{name} {count}" for name, count in record.summary.items())
        self.stdout.write(
            self.style.SUCCESS(f"Imported {framework} (draft {framework.uuid}): {summary}")
        )
        for line in record.report_lines:
            self.stdout.write(f"  not taken: {line}")
