import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from eisen.demo import demo_setups
from eisen.roles import Role

DEMO_ACCOUNTS = [
    ("designer", Role.CURRICULUM_DESIGNER),
    ("lead", Role.COURSE_LEAD),
    ("evaluator", Role.EVALUATOR),
    ("admin", Role.ADMINISTRATOR),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) one demo account per role with a fresh random password, printed once. "
        "Only for local demos: refuses to run unless DJANGO_DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local demos only; "
                "run with DJANGO_DEBUG=1 (as `make run` does)."
            )
        User = get_user_model()
        lines, accounts = [], {}
        with transaction.atomic():
            for username, role in DEMO_ACCOUNTS:
                password = secrets.token_urlsafe(9)
                user, _ = User.objects.get_or_create(username=username)
                user.set_password(password)
                user.is_staff = role == Role.ADMINISTRATOR
                user.is_superuser = role == Role.ADMINISTRATOR
                user.save()
                user.groups.set([Group.objects.get(name=role.value)])
                lines.append(f"  {role.label:<22} username {username:<10} password {password}")
                accounts[role] = user
            set_up = [setup(accounts) for setup in demo_setups()]
        self.stdout.write("Demo accounts (passwords are new on every run):")
        self.stdout.write("\n".join(lines))
        for line in filter(None, set_up):
            self.stdout.write(line)
