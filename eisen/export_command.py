"""What the command-line exports share: `--out`, the options checked by the kind's own form, the
PDF written whole or not at all, and its pages, size and SHA-256 printed.

A command names its export kind and turns its options into that kind's form data, so that it
accepts and refuses exactly what the export page and the API do.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eisen.export_files import write_pdf_atomically
from eisen.export_kinds import ExportFailed, ExportKind


def add_sections_argument(parser, names: Sequence[str]) -> None:
    """`--sections`: some of `names`, checked by the kind's form."""
    parser.add_argument(
        "--sections",
        nargs="+",
        metavar="SECTION",
        help=_("Some of %(sections)s; every section if left out.") % {"sections": ", ".join(names)},
    )


class ExportCommand(BaseCommand):
    """Writes one export of `kind` to `--out`.

    A subclass adds its own options and then calls `super().add_arguments(parser)`, and turns
    the options into the form's data in `form_data`.
    """

    kind: ExportKind
    #: The option that gives each field of the form, named in front of the field's refusals.
    field_options: Mapping[str, str] = {}

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", type=Path, required=True, metavar="FILE.pdf", help=_("The PDF to write.")
        )

    def form_data(self, options: dict) -> dict:
        """The data of the kind's form, from the command's options."""
        raise NotImplementedError("An export command turns its options into the form's data.")

    def refusal_options(self, options: dict) -> Mapping[str, str]:
        """The option named in front of each field's refusals, for the options given."""
        return self.field_options

    def handle(self, *args, **options):
        out = options["out"]
        if out.is_dir():
            raise CommandError(
                _("--out: %(out)s is a folder; name the PDF file to write.") % {"out": out}
            )
        form = self.kind.form_class(self.form_data(options))
        if not form.is_valid():
            raise CommandError(self._refusal(form.errors, self.refusal_options(options)))
        try:
            document = self.kind.build(form.export_parameters())
        except ExportFailed as failure:
            raise CommandError(str(failure)) from None
        written = write_pdf_atomically(document, out)
        self.stdout.write(
            "\n".join(
                [
                    _("Wrote %(file)s: %(summary)s")
                    % {"file": out, "summary": form.export_summary()},
                    _("pages: %(pages)s") % {"pages": written.pages},
                    _("size: %(size)s bytes") % {"size": written.size},
                    f"sha256: {written.sha256}",
                ]
            )
        )

    @staticmethod
    def _refusal(errors: Mapping[str, list[str]], field_options: Mapping[str, str]) -> str:
        """The form's errors, one line each, prefixed with the option they are about."""
        lines = []
        for field, messages in errors.items():
            option = field_options.get(field)
            prefix = f"{option}: " if option else ""
            lines.extend(prefix + message for message in messages)
        return "\n".join(lines)
