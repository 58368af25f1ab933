import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import ngettext

from eisen.backup import BackupError, backup, database_entry, media_entries


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) holding the database (pg_dump on PostgreSQL, SQLite's "
        "backup API on SQLite), every file under MEDIA_ROOT, and a manifest with their "
        "checksums. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, help="The archive to write, e.g. eisen-2026-06-01.tar.gz."
        )

    def handle(self, *args, out, **options):
        started = time.monotonic()
        try:
            manifest = backup(Path(out))
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = media_entries(manifest)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Wrote %(out)s (%(size)s) in %(seconds).1f s: the database (%(database)s) "
                    "and %(files)d media file (%(media)s).",
                    "Wrote %(out)s (%(size)s) in %(seconds).1f s: the database (%(database)s) "
                    "and %(files)d media files (%(media)s).",
                    len(media),
                )
                % {
                    "out": out,
                    "size": filesizeformat(Path(out).stat().st_size),
                    "seconds": time.monotonic() - started,
                    "database": filesizeformat(database_entry(manifest)["size"]),
                    "files": len(media),
                    "media": filesizeformat(sum(entry["size"] for entry in media)),
                }
            )
        )
