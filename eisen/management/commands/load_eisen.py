from django.core.management.base import BaseCommand
from django.db import transaction

from eisen.content import loaders


class Command(BaseCommand):
    help = (
        "Load the EISEN content (the competency framework from the EIS report, and what other "
        "apps register). Running it again changes nothing."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            summaries = [(loader.name, loader.load()) for loader in loaders()]
        for name, summary in summaries:
            self.stdout.write(self.style.SUCCESS(f"{name}: {summary}"))
