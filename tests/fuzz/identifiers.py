"""The world the API is fuzzed in, and the real identifiers given to its path parameters.

Without real identifiers nearly every generated request of an operation on one object would end
in a 404 and the code behind it would never run. Each resource gets an object that requests
address (`kept`) and, where the API can remove it, a second one for DELETE (`spare`), so that
a removal early in the run does not turn the later operations on that resource into 404s.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

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

ROLES = {
    "administrator": [Role.ADMINISTRATOR],
    "designer": [Role.CURRICULUM_DESIGNER],
    "lead": [Role.COURSE_LEAD],
    "evaluator": [Role.EVALUATOR],
    "plain": [],
}
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """API tokens per persona, and per resource (the URL prefix after /api/v1/) the object that
    requests address and the one DELETE removes."""

    tokens: dict[str, str]
    kept: dict[str, object] = field(default_factory=dict)
    spare: dict[str, object] = field(default_factory=dict)

    def path_parameters(self, path: str, method: str) -> dict[str, object]:
        """Real values for the path parameters of the operation `method path`."""
        names = _names_in(path)
        if not names:
            return {}
        resource = resource_of(path)
        spare = self.spare.get(resource) if method.upper() == "DELETE" else None
        target = spare or self.kept[resource]
        values = {"uuid": getattr(target, "uuid", None), "id": target.pk}
        if resource == "evaluation/identities":
            values["participant"] = target.uuid
        if resource == "courses":
            values["report_id"] = self.kept["remap-reports"].pk
        return {
            name: str(values[name]) for name in names if name in values and values[name] is not None
        }


def resource_of(path: str) -> str:
    """`/api/v1/evaluation/codes/{uuid}/move/` → "evaluation/codes"."""
    parts = path.removeprefix("/api/v1/").split("/")
    if parts[0] == "evaluation":
        return "/".join(parts[:2])
    return parts[0]


def _names_in(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _framework(users, *, draft: bool):
    framework = FrameworkFactory(slug="fuzz", version_label="2.0" if draft else "1.0", draft=draft)
    capability = CapabilityFactory(domain__framework=framework, code="K1")
    linked = CapabilityFactory(domain=capability.domain, code="K2")
    association = CapabilityAssociationFactory(origin=capability, destination=linked)
    comment = Comment.objects.create(capability=capability, author=users["plain"], text="Unclear.")
    return framework, capability, association, comment


def build(media_root) -> World:
    users = {
        name: UserFactory(username=f"fuzz-{name}", roles=roles) for name, roles in ROLES.items()
    }
    # Requests are sent as the administrator, who may then also see who a pseudonym is.
    users["administrator"].user_permissions.add(
        Permission.objects.get(codename="view_identity_key")
    )
    world = World(
        tokens={name: Token.objects.create(user=user).key for name, user in users.items()}
    )

    # Courses map the published version; edits need a draft, so those address the draft's rows.
    published, capability, _, _ = _framework(users, draft=False)
    draft, draft_capability, association, comment = _framework(users, draft=True)
    spare_capability = CapabilityFactory(domain=draft_capability.domain, code="K8")
    spare_association = CapabilityAssociationFactory(
        origin=spare_capability, destination=draft_capability
    )
    spare_domain = CapabilityFactory(domain__framework=draft, code="K9").domain

    institution = InstitutionFactory()
    programme = ProgrammeFactory(institution=institution)
    course = CourseFactory(
        institution=institution, programme=programme, framework=published, leads=[users["lead"]]
    )
    outcome = LearningOutcomeFactory(course=course, code="LO1")
    spare_outcome = LearningOutcomeFactory(course=course, code="LO2")
    mapping = OutcomeMappingFactory(outcome=outcome, capability=capability)
    spare_mapping = OutcomeMappingFactory(outcome=spare_outcome, capability=capability)
    report = RemapReport.objects.create(
        course=course, from_framework=published, to_framework=draft, carried_over=0
    )
    framework_import = FrameworkImport.objects.create(
        framework=published,
        file_format=FrameworkImport.Format.CASE,
        action=FrameworkImport.Action.CREATE,
        status=FrameworkImport.Status.APPLIED,
        source_name="fuzz.json",
        size=2,
        imported_by=users["designer"],
    )

    participant = ParticipantFactory(course=course)
    focus_group = FocusGroupFactory(course=course)
    transcript = TranscriptFactory(
        focus_group=focus_group, turns=[(participant, "We learnt a lot from the partners.")]
    )
    excerpt = ExcerptFactory(transcript=transcript, coder=users["evaluator"])
    spare_excerpt = ExcerptFactory(transcript=transcript, coder=users["evaluator"])
    code = CodeFactory()
    CodingFactory(excerpt=excerpt, code=code)
    item = LogicModelItemFactory()
    mechanism = MechanismFactory(logic_model=item.logic_model)
    spare_item = LogicModelItemFactory()
    spare_mechanism = MechanismFactory(logic_model=spare_item.logic_model)
    assessment = MechanismAssessment.objects.create(
        mechanism=mechanism, phase="formative", verdict="held", assessed_by=users["evaluator"]
    )
    action, spare_action = (
        FormativeAction.objects.create(course=course, mechanism=mechanism, finding=finding)
        for finding in ("The workshop was long.", "The slides were dense.")
    )

    (media_root / "exports").mkdir(parents=True, exist_ok=True)
    export, spare_export = (
        ExportJobFactory(kind="curriculum", ready=True, requested_by=users["administrator"])
        for _ in range(2)
    )
    for job in (export, spare_export):
        (media_root / job.file.name).write_bytes(MINIMAL_PDF)

    world.kept.update(
        {
            "frameworks": draft,
            "domains": draft_capability.domain,
            "capabilities": draft_capability,
            "associations": association,
            "comments": comment,
            "framework-imports": framework_import,
            "institutions": institution,
            "programmes": programme,
            "courses": course,
            "remap-reports": report,
            "outcomes": outcome,
            "mappings": mapping,
            "evaluation/agreement": transcript,
            "evaluation/codes": code,
            "evaluation/consents": participant.consents.get(),
            "evaluation/excerpts": excerpt,
            "evaluation/focus-groups": focus_group,
            "evaluation/formative-actions": action,
            "evaluation/identities": participant,
            "evaluation/logic-model-items": item,
            "evaluation/logic-models": item.logic_model,
            "evaluation/mechanism-assessments": assessment,
            "evaluation/mechanisms": mechanism,
            "evaluation/participant-exports": participant,
            "evaluation/participants": participant,
            "evaluation/reports": course,
            "evaluation/transcripts": transcript,
            "exports": export,
        }
    )
    world.spare.update(
        {
            "domains": spare_domain,
            "capabilities": spare_capability,
            "associations": spare_association,
            "institutions": InstitutionFactory(),
            "programmes": ProgrammeFactory(institution=institution),
            "courses": CourseFactory(framework=published),
            "outcomes": spare_outcome,
            "mappings": spare_mapping,
            "evaluation/codes": CodeFactory(),
            "evaluation/excerpts": spare_excerpt,
            "evaluation/focus-groups": FocusGroupFactory(course=course),
            "evaluation/formative-actions": spare_action,
            "evaluation/logic-model-items": spare_item,
            "evaluation/logic-models": LogicModelItemFactory().logic_model,
            "evaluation/mechanisms": spare_mechanism,
            "exports": spare_export,
        }
    )
    return world
