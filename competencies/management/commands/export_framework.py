import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from competencies.interchange.case_export import CaseUris
from competencies.interchange.formats import EXPORT_KINDS, export_framework_file
from competencies.models import Framework


def find_framework(identifier: str, version: str | None) -> Framework:
    """A framework by its UUID, or by its slug (the newest version unless one is named)."""
    try:
        framework = Framework.objects.filter(uuid=uuid.UUID(identifier)).first()
    except ValueError:
        framework = None
    if framework is None:
        frameworks = Framework.objects.filter(slug=identifier)
        if version:
            frameworks = frameworks.filter(version_label=version)
        framework = frameworks.order_by("-created_at").first()
    if framework is None:
        raise CommandError(
            f"No framework has the identifier or slug {identifier}"
            + (f" with version {version}." if version else ".")
        )
    return framework


class Command(BaseCommand):
    help = "Write a framework as CASE 1.0/1.1 JSON, a Moodle competency CSV or a workbook."
    kinds = tuple(EXPORT_KINDS)

    def add_arguments(self, parser):
        parser.add_argument("framework", help="The framework's UUID or slug.")
        parser.add_argument(
            "--framework-version", dest="version_label", help="The version, given a slug."
        )
        parser.add_argument("--kind", choices=self.kinds, default=self.kinds[0])
        parser.add_argument("--out", type=Path, help="File to write; standard output if left out.")
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000/ims/case/v1p0",
            help="Base of the CASE URIs written in the package.",
        )

    def handle(self, *args, framework, version_label, kind, out, base_url, **options):
        found = find_framework(framework, version_label)
        if out is None and kind == "workbook":
            raise CommandError("A workbook is not text: name the file to write with --out.")
        content = export_framework_file(found, kind, uris=CaseUris(base_url))
        if out is None:
            self.stdout.write(content.decode(), ending="")
            return
        out.write_bytes(content)
        self.stderr.write(self.style.SUCCESS(f"Wrote {found} to {out} ({len(content)} bytes)."))
