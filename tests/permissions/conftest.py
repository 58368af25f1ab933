"""The world every row of the permission matrix is asked in, built once per module.

One course (the course of every course-bound route) led by the "lead of this course", another
course led by the "lead of another course", a published framework and a draft, each with a
domain, capabilities, a link and a comment, an evaluation of the course (logic model, focus group,
participant, transcript, coding, action) and a ready export of each kind with its file on disk,
asked for by an administrator (the curriculum) and by the evaluator (the evaluation report).

The rows are written in one transaction that is rolled back after the module; each test runs in a
savepoint of it (pytest-django's `db`, which leaves the connection open between tests for such
wider transactions), so what one request changes is gone for the next test.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from competencies.models import Comment, FrameworkImport
from courses.models import RemapReport
from eisen.roles import Role
from evaluation.models import FormativeAction, MechanismAssessment
from tests.eisen.export_kind_fixtures import ExportJobFactory
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    LogicModelItemFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import (
    CapabilityAssociationFactory,
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    InstitutionFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.permissions.table import (
    ADMINISTRATOR,
    ANONYMOUS,
    DESIGNER,
    EVALUATOR,
    LEAD_OF_ANOTHER_COURSE,
    LEAD_OF_THIS_COURSE,
    PLAIN_USER,
)

#: The roles behind each signed-in persona of the matrix.
PERSONA_ROLES = {
    PLAIN_USER: [],
    LEAD_OF_THIS_COURSE: [Role.COURSE_LEAD],
    LEAD_OF_ANOTHER_COURSE: [Role.COURSE_LEAD],
    DESIGNER: [Role.CURRICULUM_DESIGNER],
    EVALUATOR: [Role.EVALUATOR],
    ADMINISTRATOR: [Role.ADMINISTRATOR],
}
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class FrameworkObjects:
    """A framework and what hangs from it, for the routes that name one of them."""

    framework: object
    domain: object
    capability: object
    association: object
    comment: object


@dataclass
class World:
    media_root: Path
    users: dict[str, object]
    sessions: dict[str, str]
    objects: dict[str, object] = field(default_factory=dict)
    frameworks: dict[str, FrameworkObjects] = field(default_factory=dict)
    exports: dict[str, object] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        """A client signed in as `persona` (none for the anonymous visitor), with no state of
        an earlier test: a logout in one test cannot sign the next one out."""
        client = Client(raise_request_exception=False)
        if persona != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _framework_objects(framework, author) -> FrameworkObjects:
    capability = CapabilityFactory(domain__framework=framework, code="K1")
    linked = CapabilityFactory(domain=capability.domain, code="K2")
    return FrameworkObjects(
        framework=framework,
        domain=capability.domain,
        capability=capability,
        association=CapabilityAssociationFactory(origin=capability, destination=linked),
        comment=Comment.objects.create(capability=capability, author=author, text="Unclear."),
    )


def _build(media_root: Path) -> World:
    users = {
        persona: UserFactory(username=f"matrix-{persona}", roles=roles)
        for persona, roles in PERSONA_ROLES.items()
    }
    sessions = {}
    for persona, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    world = World(media_root=media_root, users=users, sessions=sessions)

    published = FrameworkFactory(slug="matrix", version_label="1.0")
    newer = FrameworkFactory(slug="matrix", version_label="2.0")
    world.frameworks["published"] = _framework_objects(published, users[PLAIN_USER])
    world.frameworks["draft"] = _framework_objects(
        FrameworkFactory(slug="matrix", version_label="3.0", draft=True), users[DESIGNER]
    )

    institution = InstitutionFactory()
    programme = ProgrammeFactory(institution=institution)
    course = CourseFactory(
        institution=institution,
        programme=programme,
        framework=published,
        leads=[users[LEAD_OF_THIS_COURSE]],
    )
    CourseFactory(framework=published, leads=[users[LEAD_OF_ANOTHER_COURSE]])
    outcome = LearningOutcomeFactory(course=course, code="LO1")
    capability = world.frameworks["published"].capability
    mapping = OutcomeMappingFactory(outcome=outcome, capability=capability)
    report = RemapReport.objects.create(
        course=course, from_framework=published, to_framework=newer, carried_over=0
    )
    framework_import = FrameworkImport.objects.create(
        framework=published,
        file_format=FrameworkImport.Format.CASE,
        action=FrameworkImport.Action.CREATE,
        status=FrameworkImport.Status.APPLIED,
        source_name="matrix.json",
        size=2,
        imported_by=users[DESIGNER],
    )

    participant = ParticipantFactory(course=course)
    focus_group = FocusGroupFactory(course=course)
    transcript = TranscriptFactory(
        focus_group=focus_group, turns=[(participant, "We learnt a lot from the partners.")]
    )
    excerpt = ExcerptFactory(transcript=transcript, coder=users[EVALUATOR])
    code = CodeFactory()
    CodingFactory(excerpt=excerpt, code=code)
    item = LogicModelItemFactory()
    mechanism = MechanismFactory(logic_model=item.logic_model)
    assessment = MechanismAssessment.objects.create(
        mechanism=mechanism, phase="formative", verdict="held", assessed_by=users[EVALUATOR]
    )
    action = FormativeAction.objects.create(
        course=course, mechanism=mechanism, finding="The workshop was long."
    )

    world.objects.update(
        institution=institution,
        programme=programme,
        course=course,
        outcome=outcome,
        mapping=mapping,
        remap_report=report,
        framework_import=framework_import,
        participant=participant,
        consent=participant.consents.get(),
        focus_group=focus_group,
        transcript=transcript,
        excerpt=excerpt,
        code=code,
        logic_model=item.logic_model,
        logic_model_item=item,
        mechanism=mechanism,
        mechanism_assessment=assessment,
        formative_action=action,
    )

    (media_root / "exports").mkdir(parents=True)
    # Each asked for by someone who may start it: an administrator the curriculum, the evaluator
    # the evaluation report (who may then remove it, as may administrators).
    for kind, requester in (("curriculum", ADMINISTRATOR), ("evaluation-report", EVALUATOR)):
        job = ExportJobFactory(kind=kind, ready=True, requested_by=users[requester])
        (media_root / job.file.name).write_bytes(MINIMAL_PDF)
        world.exports[kind] = job
    return world


def pytest_terminal_summary(terminalreporter):
    matrix = sys.modules.get("tests.permissions.test_matrix")
    if matrix is not None:
        terminalreporter.write_line(matrix.matrix_size())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build(tmp_path_factory.mktemp("matrix-media"))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, world):
    """The module's media folder, where the ready exports' files are (in place of the suite's
    folder per test)."""
    settings.MEDIA_ROOT = world.media_root
