"""How long the evaluation keeps data: transcripts purged once their focus group's retention
date has passed, and a course kept in the catalogue while the evaluation holds data of it."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation.models import (
    Excerpt,
    FocusGroup,
    FormativeAction,
    MechanismAssessment,
    Participant,
    Transcript,
    Utterance,
)


@dataclass(frozen=True)
class ExpiredTranscripts:
    """What purging one focus group's transcripts deletes: counts only, no personal data."""

    course_code: str
    session: str
    kept_until: date
    transcripts: int
    utterances: int
    excerpts: int
    cited_excerpts: int


def _count_per_focus_group(queryset, path: str) -> Coalesce:
    counted = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@transaction.atomic
def transcripts_purge_expired(*, today: date, dry_run: bool = False) -> list[ExpiredTranscripts]:
    """Delete every version of the transcripts of focus groups kept until before `today`.

    Their utterances and excerpts go with them, excerpts cited as evidence for a mechanism or
    behind a formative action included: the retention date is what participants were promised.
    Participants and their consent records stay: consent is the legal record of what was
    agreed, and outlives the data it covered. Running it again deletes nothing more.
    """
    cited = Exists(
        MechanismAssessment.evidence.through.objects.filter(excerpt_id=OuterRef("pk"))
    ) | Exists(FormativeAction.source_excerpts.through.objects.filter(excerpt_id=OuterRef("pk")))
    groups = (
        FocusGroup.objects.filter(
            Exists(Transcript.objects.filter(focus_group=OuterRef("pk"))),
            retention_until__lt=today,
        )
        .select_related("course")
        .annotate(
            transcript_count=_count_per_focus_group(Transcript.objects.all(), "focus_group"),
            utterance_count=_count_per_focus_group(
                Utterance.objects.all(), "transcript__focus_group"
            ),
            excerpt_count=_count_per_focus_group(Excerpt.objects.all(), "transcript__focus_group"),
            cited_count=_count_per_focus_group(
                Excerpt.objects.filter(cited), "transcript__focus_group"
            ),
        )
        .order_by("retention_until", "course__code", "title")
    )
    if not dry_run:
        # Two purges started together take the focus groups in turn, not both at once.
        groups = groups.select_for_update(of=("self",))
    groups = list(groups)
    expired = [
        ExpiredTranscripts(
            course_code=group.course.code,
            session=group.title,
            kept_until=group.retention_until,
            transcripts=group.transcript_count,
            utterances=group.utterance_count,
            excerpts=group.excerpt_count,
            cited_excerpts=group.cited_count,
        )
        for group in groups
    ]
    if not dry_run and expired:
        Transcript.objects.filter(focus_group__in=[g.pk for g in groups]).delete()
    return expired


# Course deletion


def _listed(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def course_evaluation_usages(course) -> list[str]:
    """What the evaluation holds of a course, for the catalogue's refusal to delete it."""
    focus_groups = FocusGroup.objects.filter(course=course).count()
    participants = Participant.objects.filter(course=course).count()
    actions = FormativeAction.objects.filter(course=course).count()
    parts = []
    if focus_groups:
        parts.append(
            ngettext("%(count)d focus group", "%(count)d focus groups", focus_groups)
            % {"count": focus_groups}
        )
    if participants:
        parts.append(
            ngettext("%(count)d participant", "%(count)d participants", participants)
            % {"count": participants}
        )
    if actions:
        parts.append(
            ngettext("%(count)d formative action", "%(count)d formative actions", actions)
            % {"count": actions}
        )
    if not parts:
        return []
    return [_("%(things)s in the evaluation") % {"things": _listed(parts)}]
