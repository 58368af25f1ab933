from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.services.retention import transcripts_purge_expired


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date written YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Delete the transcripts (every version, with their turns and excerpts) of focus groups "
        "whose retention date has passed. Participants and consent records are kept. Run it "
        "daily; running it again deletes nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only list what would be deleted; change nothing.",
        )
        parser.add_argument(
            "--today",
            type=str,
            help="Purge as if today were this date (YYYY-MM-DD); the server's date if left out.",
        )

    def handle(self, *args, dry_run, today, **options):
        today = iso_date(today) if today else timezone.localdate()
        expired = transcripts_purge_expired(today=today, dry_run=dry_run)
        if not expired:
            self.stdout.write(
                f"Nothing to purge: no focus group kept until before {today:%Y-%m-%d} "
                "has transcripts left."
            )
            return
        verb = "Would delete" if dry_run else "Deleted"
        for group in expired:
            self.stdout.write(
                f"{group.course_code} · {group.session} (kept until {group.kept_until:%Y-%m-%d}): "
                f"{verb.lower()} {group.transcripts} transcript version(s), "
                f"{group.utterances} turn(s), {group.excerpts} excerpt(s) "
                f"({group.cited_excerpts} cited as evidence or behind a formative action)."
            )
        summary = f"{verb} the transcripts of {len(expired)} focus group(s)."
        if dry_run:
            self.stdout.write(f"{summary} Dry run: nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(summary))
