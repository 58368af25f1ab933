"""The server side of the load scenario in tests/bench/test_load_bench.py: what the database holds.

`prepare` runs in a subprocess against the bench's own PostgreSQL database, after django.setup():
it migrates, loads the EISEN content, builds a generated curriculum, a draft new version of it for
the designers to edit, and the people, then writes the scenario file that the locustfile reads.

Every simulated person has an account and work of their own: designers edit disjoint capabilities
of the draft and course leads map outcomes of the courses they alone lead, so that a refused edit
(412) or a clash of two mappings under load is a bug and not two people doing the same thing.
Designers and leads use the API with a token; readers a session, as they would in the browser.
"""

import json
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token

from competencies.models import Capability, Framework
from competencies.services.loading import eisen_framework_load
from competencies.services.versions import framework_new_version
from courses.models import Course, LearningOutcome, OutcomeMapping
from eisen.roles import Role
from tests.bench.test_coverage_bench import Size, build_curriculum

SIZE = Size(capabilities=300, courses=40, outcomes=400, mappings=2400)
# As many accounts per role as the mixed run has simulated people in that role.
DESIGNERS = 4
LEADS = 6
READERS = 10
CAPABILITIES_PER_DESIGNER = 20
FREE_PAIRS_PER_LEAD = 300


def prepare(scenario_path: str) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_eisen", verbosity=0)
    with transaction.atomic():
        scenario = _scenario()
    # Statistics, as a database that has been running for a while has them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    Path(scenario_path).write_text(json.dumps(scenario), encoding="utf-8")


def _scenario() -> dict:
    generator = random.Random(8)
    eisen = eisen_framework_load()
    published = build_curriculum(SIZE)
    draft = framework_new_version(framework=published, version_label="2.0")
    draft_capabilities = list(
        Capability.objects.filter(framework=draft).order_by("pk").values_list("uuid", flat=True)
    )
    designers = [
        {
            "token": _token(_person(f"load-designer-{number}", Role.CURRICULUM_DESIGNER)),
            "capabilities": [
                str(uuid)
                for uuid in draft_capabilities[
                    number * CAPABILITIES_PER_DESIGNER : (number + 1) * CAPABILITIES_PER_DESIGNER
                ]
            ],
        }
        for number in range(DESIGNERS)
    ]
    courses = list(Course.objects.filter(framework=published).order_by("code"))
    capabilities = [
        str(uuid)
        for uuid in Capability.objects.filter(framework=published).values_list("uuid", flat=True)
    ]
    mapped = {
        (str(outcome), str(capability))
        for outcome, capability in OutcomeMapping.objects.filter(
            outcome__course__framework=published
        ).values_list("outcome__uuid", "capability__uuid")
    }
    leads = []
    for number in range(LEADS):
        lead = _person(f"load-lead-{number}", Role.COURSE_LEAD)
        led = courses[number::LEADS]
        for course in led:
            course.leads.add(lead)
        outcomes = [
            str(uuid)
            for uuid in LearningOutcome.objects.filter(course__in=led).values_list(
                "uuid", flat=True
            )
        ]
        free = {
            pair
            for pair in (
                (generator.choice(outcomes), generator.choice(capabilities))
                for _ in range(2 * FREE_PAIRS_PER_LEAD)
            )
            if pair not in mapped
        }
        leads.append(
            {
                "token": _token(lead),
                "courses": [str(course.uuid) for course in led],
                "free_pairs": sorted(free)[:FREE_PAIRS_PER_LEAD],
            }
        )
    readers = [{"session": _session(_person(f"load-reader-{n}"))} for n in range(READERS)]
    return {
        "size": {
            "capabilities": SIZE.capabilities,
            "courses": SIZE.courses,
            "outcomes": SIZE.outcomes,
            "mappings": SIZE.mappings,
            "eisen_capabilities": Capability.objects.filter(framework=eisen).count(),
        },
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "pages": {
            "coverage": f"{reverse('coverage:coverage')}?framework={published.uuid}",
            "eisen_framework": _framework_page(eisen),
            "generated_framework": _framework_page(published),
            "draft_capabilities": f"{reverse('api:capability-list')}?framework={draft.uuid}",
            "trivial": reverse("healthz"),
        },
        "designers": designers,
        "leads": leads,
        "readers": readers,
    }


def _person(username: str, role: Role | None = None):
    # No usable password: people sign in by token or session, and hashing one costs a second.
    user = get_user_model().objects.create_user(username, email=f"{username}@example.org")
    if role:
        user.groups.add(Group.objects.get(name=role.value))
    return user


def _token(user) -> str:
    return Token.objects.create(user=user).key


def _session(user) -> str:
    """A signed-in session, as `login()` leaves it, without going through the login form."""
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _framework_page(framework: Framework) -> str:
    return reverse("competencies:framework_detail", args=[framework.uuid])
