"""A course's life across years and framework versions: rollover to a new year, remap to a newer
framework version with each mapping following its capability's lineage."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from competencies.models import Capability, Framework
from courses.models import Course, LearningOutcome, OutcomeMapping, RemapReport
from eisen.errors import Conflict
from eisen.rows import locked_for_edit

COPIED_FIELDS = (
    "institution_id",
    "programme_id",
    "code",
    "title",
    "eqf_level",
    "ects",
    "semester",
    "delivery_mode",
    "description",
    "framework_id",
    "is_example",
)


@transaction.atomic
def course_rollover(*, course: Course, academic_year: int) -> Course:
    """A copy of the course for another academic year, with its leads, outcomes and mappings."""
    copy = Course(
        **{field: getattr(course, field) for field in COPIED_FIELDS},
        academic_year=academic_year,
        rolled_over_from=course,
    )
    copy.full_clean()
    copy.save()
    copy.leads.set(course.leads.all())

    outcomes = list(course.outcomes.order_by("position"))
    copies = bulk_create_with_history(
        [
            LearningOutcome(
                course=copy,
                code=outcome.code,
                text=outcome.text,
                position=outcome.position,
                bloom_level=outcome.bloom_level,
                bloom_level_chosen=outcome.bloom_level_chosen,
            )
            for outcome in outcomes
        ],
        LearningOutcome,
    )
    # bulk_create_with_history gives back primary keys on PostgreSQL and SQLite alike.
    new_outcome_ids = {old.pk: new.pk for old, new in zip(outcomes, copies, strict=True)}
    bulk_create_with_history(
        [
            OutcomeMapping(
                outcome_id=new_outcome_ids[mapping.outcome_id],
                capability_id=mapping.capability_id,
                emphasis=mapping.emphasis,
                note=mapping.note,
            )
            for mapping in OutcomeMapping.objects.filter(outcome__course=course)
        ],
        OutcomeMapping,
    )
    return copy


def remap_targets(course: Course):
    """The versions a course can be remapped to: later published versions of its framework."""
    current = course.framework
    return Framework.objects.filter(
        slug=current.slug,
        status=Framework.Status.PUBLISHED,
        published_at__gt=current.published_at,
    ).order_by("-published_at")


@transaction.atomic
def course_remap(
    *, course: Course, framework: Framework, expected_revision: int | None, user=None
) -> RemapReport:
    """Move the course to `framework`, a newer version of the framework it maps to.

    Each mapping moves to the capability of the new version with the same lineage. Mappings whose
    capability the new version no longer has are removed and listed in the report, with their
    outcome, emphasis and note, for the lead to map again by hand.
    """
    course = locked_for_edit(Course, course, expected_revision)
    current = course.framework
    if framework.pk == current.pk:
        raise Conflict(
            _("%(course)s already maps to “%(framework)s”.")
            % {
                "course": course.code,
                "framework": framework,
            }
        )
    if not remap_targets(course).filter(pk=framework.pk).exists():
        raise ValidationError(
            {
                "framework": _(
                    "“%(target)s” is not a later published version of “%(framework)s”, "
                    "which %(course)s maps to."
                )
                % {"target": framework, "framework": current, "course": course.code}
            }
        )

    mappings = list(
        OutcomeMapping.objects.filter(outcome__course=course)
        .select_related("outcome", "capability__domain")
        .order_by("outcome__position", "capability__domain__position", "capability__position")
    )
    successors = {
        capability.lineage: capability
        for capability in Capability.objects.filter(
            framework=framework, lineage__in={mapping.capability.lineage for mapping in mappings}
        )
    }
    carried, lost = [], []
    for mapping in mappings:
        successor = successors.get(mapping.capability.lineage)
        if successor is None:
            lost.append(mapping)
        else:
            mapping.capability = successor
            carried.append(mapping)
    bulk_update_with_history(carried, OutcomeMapping, ["capability"])
    OutcomeMapping.objects.filter(pk__in=[mapping.pk for mapping in lost]).delete()

    course.framework = framework
    course.revision += 1
    course.save(update_fields=["framework", "revision"])
    return RemapReport.objects.create(
        course=course,
        from_framework=current,
        to_framework=framework,
        carried_over=len(carried),
        not_carried_over=[
            {
                "outcome": mapping.outcome.code,
                "outcome_text": mapping.outcome.text,
                "capability": mapping.capability.code,
                "capability_title": mapping.capability.title,
                "domain": mapping.capability.domain.name,
                "emphasis": mapping.emphasis,
                "note": mapping.note,
            }
            for mapping in lost
        ],
        created_by=user,
    )


def remap_report_resolve(*, report: RemapReport) -> RemapReport:
    report.resolved_at = timezone.now()
    report.save(update_fields=["resolved_at"])
    return report
