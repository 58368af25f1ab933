import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eisen.backup import BackupError, database_label, media_entries
from eisen.restore import restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an EMPTY database (the one "
        "DATABASE_URL names; the archive brings the schema, so do not migrate first) and into "
        "MEDIA_ROOT, overwriting nothing. The whole archive is checked first: a corrupt or "
        "foreign archive, one from newer code, a database with tables or a file already in "
        "MEDIA_ROOT is refused before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by `manage.py backup`.")

    def handle(self, *args, archive, **options):
        started = time.monotonic()
        try:
            manifest, pending = restore(Path(archive))
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = media_entries(manifest)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Restored %(archive)s (made %(created)s by version %(version)s) into "
                    "%(database)s and MEDIA_ROOT in %(seconds).1f s, with %(files)d media file "
                    "(%(media)s).",
                    "Restored %(archive)s (made %(created)s by version %(version)s) into "
                    "%(database)s and MEDIA_ROOT in %(seconds).1f s, with %(files)d media files "
                    "(%(media)s).",
                    len(media),
                )
                % {
                    "archive": archive,
                    "created": manifest["created_at"],
                    "version": manifest["app_version"],
                    "database": database_label(),
                    "seconds": time.monotonic() - started,
                    "files": len(media),
                    "media": filesizeformat(sum(entry["size"] for entry in media)),
                }
            )
        )
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "This code has migrations the archive's database had not applied "
                        "(%(names)s): run `python manage.py migrate` now."
                    )
                    % {"names": ", ".join(pending)}
                )
            )
