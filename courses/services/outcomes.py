"""Learning outcomes of a course: writing, rewording, ordering and removing them.

Each change takes the revision the lead started from; a save on a stale copy is refused with the
outcome as it is now, so the lead's typed text can be kept beside the other person's.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from courses.bloom import bloom_suggestion
from courses.models import Course, LearningOutcome
from eisen.errors import Conflict
from eisen.rows import locked_for_edit, place_in_order


def _next_code(course: Course) -> str:
    taken = set(course.outcomes.values_list("code", flat=True))
    number = len(taken) + 1
    while f"LO{number}" in taken:
        number += 1
    return f"LO{number}"


def _set_bloom_level(outcome: LearningOutcome, bloom_level: str | None) -> None:
    """A level the lead chose stays; otherwise the level follows the outcome's leading verb.

    `bloom_level` None keeps the lead's earlier choice, "" hands the choice back to the verb.
    """
    if bloom_level:
        outcome.bloom_level = bloom_level
        outcome.bloom_level_chosen = True
    elif bloom_level == "" or not outcome.bloom_level_chosen:
        suggested = bloom_suggestion(outcome.text).level
        outcome.bloom_level = suggested or ""
        outcome.bloom_level_chosen = False


@transaction.atomic
def outcome_create(
    *, course: Course, text: str, code: str = "", bloom_level: str = ""
) -> LearningOutcome:
    # The course row is locked so that two outcomes added at once get different positions.
    Course.objects.select_for_update().get(pk=course.pk)
    last = course.outcomes.aggregate(last=Max("position"))["last"]
    outcome = LearningOutcome(
        course=course,
        code=code.strip() or _next_code(course),
        text=text.strip(),
        position=0 if last is None else last + 1,
    )
    _set_bloom_level(outcome, bloom_level)
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def outcome_update(
    *,
    outcome: LearningOutcome,
    expected_revision: int | None,
    text: str | None = None,
    code: str | None = None,
    bloom_level: str | None = None,
) -> LearningOutcome:
    outcome = locked_for_edit(LearningOutcome, outcome, expected_revision)
    if text is not None:
        outcome.text = text.strip()
    if code is not None:
        outcome.code = code.strip()
    _set_bloom_level(outcome, bloom_level)
    outcome.full_clean()
    outcome.revision += 1
    outcome.save()
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: LearningOutcome, expected_revision: int | None) -> None:
    """Remove the outcome and its mappings; the outcomes after it move up."""
    outcome = locked_for_edit(LearningOutcome, outcome, expected_revision)
    course = outcome.course
    outcome.delete()
    rest = list(course.outcomes.order_by("position"))
    _renumber(rest)


def _renumber(ordered: list[LearningOutcome]) -> None:
    if all(item.position == position for position, item in enumerate(ordered)):
        return
    for position, item in enumerate(ordered):
        item.position = position
    place_in_order(LearningOutcome, ordered, ["position"])


@transaction.atomic
def outcomes_reorder(*, course: Course, order: list) -> list[LearningOutcome]:
    """Put the course's outcomes in the order of `order`, a list of every outcome's uuid."""
    Course.objects.select_for_update().get(pk=course.pk)
    outcomes = {str(item.uuid): item for item in course.outcomes.all()}
    wanted = [str(item) for item in order]
    if sorted(wanted) != sorted(outcomes):
        raise ValidationError(
            {
                "order": _(
                    "The order must list each of the course's %(count)s outcomes once; "
                    "reload the page if someone added or removed one."
                )
                % {"count": len(outcomes)}
            }
        )
    ordered = [outcomes[key] for key in wanted]
    _renumber(ordered)
    return ordered


@transaction.atomic
def outcome_move(*, outcome: LearningOutcome, offset: int) -> list[LearningOutcome]:
    """Move the outcome `offset` places up (negative) or down (positive) in its course.

    A move past the first or last place stops there.
    """
    # Locked before reading the order, so an outcome added meanwhile cannot make it stale.
    Course.objects.select_for_update().get(pk=outcome.course_id)
    ordered = list(outcome.course.outcomes.order_by("position"))
    keys = [item.uuid for item in ordered]
    if outcome.uuid not in keys:
        raise Conflict(
            _("%(code)s was deleted by someone else; reload the page.") % {"code": outcome.code}
        )
    place = keys.index(outcome.uuid)
    keys.insert(max(0, min(len(keys) - 1, place + offset)), keys.pop(place))
    return outcomes_reorder(course=outcome.course, order=keys)
