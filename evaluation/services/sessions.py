"""Focus groups, their pseudonymous participants, consent records and the identity key."""

import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course
from eisen.errors import Conflict
from eisen.rows import locked_for_edit
from evaluation import identity
from evaluation.models import (
    Consent,
    ConsentScope,
    FocusGroup,
    Participant,
    ParticipantIdentity,
)
from evaluation.models.sessions import pseudonym_validator

FOCUS_GROUP_FIELDS = (
    "course",
    "title",
    "phase",
    "held_on",
    "mode",
    "facilitator",
    "audience",
    "language",
    "retention_until",
    "notes",
)
PARTICIPANT_FIELDS = ("pseudonym", "role", "country", "cohort")


def _refuse_unknown(fields, allowed) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _check_focus_group(focus_group: FocusGroup) -> None:
    """The rules whose constraint messages would not tell the evaluator what to do."""
    if (
        focus_group.held_on
        and focus_group.retention_until
        and focus_group.retention_until < focus_group.held_on
    ):
        raise ValidationError(
            {
                "retention_until": _(
                    "Keep the transcripts at least until the session was held (%(held_on)s)."
                )
                % {"held_on": focus_group.held_on}
            }
        )
    taken = (
        focus_group.course_id
        and FocusGroup.objects.filter(course=focus_group.course, title=focus_group.title)
        .exclude(pk=focus_group.pk)
        .exists()
    )
    if taken:
        raise ValidationError(
            {
                "title": _("%(course)s already has a focus group called “%(title)s”.")
                % {"course": focus_group.course.code, "title": focus_group.title}
            }
        )


@transaction.atomic
def focus_group_create(*, created_by, **fields) -> FocusGroup:
    _refuse_unknown(fields, FOCUS_GROUP_FIELDS)
    focus_group = FocusGroup(created_by=created_by, **fields)
    _check_focus_group(focus_group)
    focus_group.full_clean()
    focus_group.save()
    return focus_group


@transaction.atomic
def focus_group_update(
    *, focus_group: FocusGroup, expected_revision: int | None, **changes
) -> FocusGroup:
    """Change a focus group; its course only while nobody and nothing is attached to it."""
    _refuse_unknown(changes, FOCUS_GROUP_FIELDS)
    focus_group = locked_for_edit(FocusGroup, focus_group, expected_revision)
    course = changes.get("course")
    moves = course is not None and course.pk != focus_group.course_id
    if moves and (focus_group.participants.exists() or focus_group.transcripts.exists()):
        raise ValidationError(
            {
                "course": _(
                    "The session has participants or a transcript of %(course)s; it cannot "
                    "move to another course. Create a focus group in the other course instead."
                )
                % {"course": focus_group.course.code}
            }
        )
    for field, value in changes.items():
        setattr(focus_group, field, value)
    _check_focus_group(focus_group)
    # Its creator may have left since (SET_NULL); that does not stop the edit.
    focus_group.full_clean(exclude=["created_by"])
    focus_group.revision += 1
    focus_group.save()
    return focus_group


@transaction.atomic
def focus_group_delete(*, focus_group: FocusGroup, expected_revision: int | None) -> None:
    """Delete a focus group that has no transcript; its participants stay in the course."""
    focus_group = locked_for_edit(FocusGroup, focus_group, expected_revision)
    if focus_group.transcripts.exists():
        raise Conflict(
            _(
                "“%(title)s” has a transcript, so it is not deleted: it is kept until its "
                "retention date (%(retention_until)s), when purge_expired removes the transcript."
            )
            % {"title": focus_group.title, "retention_until": focus_group.retention_until}
        )
    focus_group.delete()


def _check_focus_groups(course: Course, focus_groups: Iterable[FocusGroup]) -> list[FocusGroup]:
    focus_groups = list(focus_groups)
    foreign = [group.title for group in focus_groups if group.course_id != course.pk]
    if foreign:
        raise ValidationError(
            {
                "focus_groups": _("Not a focus group of %(course)s: %(titles)s.")
                % {"course": course.code, "titles": ", ".join(foreign)}
            }
        )
    return focus_groups


def _pseudonym_taken(participant: Participant) -> None:
    taken = (
        Participant.objects.filter(course=participant.course, pseudonym=participant.pseudonym)
        .exclude(pk=participant.pk)
        .exists()
    )
    if taken:
        raise ValidationError(
            {
                "pseudonym": _("%(course)s already has a participant %(pseudonym)s.")
                % {"course": participant.course.code, "pseudonym": participant.pseudonym}
            }
        )


@transaction.atomic
def participant_create(
    *, course: Course, focus_groups: Iterable[FocusGroup] = (), **fields
) -> Participant:
    _refuse_unknown(fields, PARTICIPANT_FIELDS)
    focus_groups = _check_focus_groups(course, focus_groups)
    participant = Participant(course=course, **fields)
    participant.pseudonym = participant.pseudonym.strip().upper()
    _pseudonym_taken(participant)
    participant.full_clean()
    participant.save()
    participant.focus_groups.set(focus_groups)
    return participant


def split_pseudonyms(listing: str) -> list[str]:
    """ "S01, S02 S03" or one a line → ["S01", "S02", "S03"]."""
    return [item.upper() for item in re.split(r"[\s,;]+", listing) if item]


@transaction.atomic
def participants_create_many(
    *,
    course: Course,
    pseudonyms: str,
    role: str,
    country: str = "",
    cohort: str = "",
    focus_groups: Iterable[FocusGroup] = (),
) -> list[Participant]:
    """Several participants with the same role, country and cohort; all of them or none."""
    focus_groups = _check_focus_groups(course, focus_groups)
    wanted = split_pseudonyms(pseudonyms)
    if not wanted:
        raise ValidationError({"pseudonyms": _("List at least one pseudonym, such as S01.")})
    problems = []
    malformed = [item for item in wanted if not pseudonym_validator.regex.match(item)]
    if malformed:
        problems.append(
            _("Not pseudonyms (one to three capital letters and a number, such as S03): %(items)s.")
            % {"items": ", ".join(malformed)}
        )
    repeated = sorted({item for item in wanted if wanted.count(item) > 1})
    if repeated:
        problems.append(_("Listed twice: %(items)s.") % {"items": ", ".join(repeated)})
    existing = sorted(
        Participant.objects.filter(course=course, pseudonym__in=wanted).values_list(
            "pseudonym", flat=True
        )
    )
    if existing:
        problems.append(
            _("%(course)s already has %(items)s.")
            % {"course": course.code, "items": ", ".join(existing)}
        )
    if problems:
        raise ValidationError({"pseudonyms": problems})
    participants = []
    for pseudonym in wanted:
        participant = Participant(
            course=course, pseudonym=pseudonym, role=role, country=country, cohort=cohort
        )
        # Uniqueness was checked for all of them at once above.
        participant.full_clean(validate_unique=False, validate_constraints=False)
        participants.append(participant)
    Participant.objects.bulk_create(participants)
    saved = list(Participant.objects.filter(course=course, pseudonym__in=wanted))
    Participant.focus_groups.through.objects.bulk_create(
        Participant.focus_groups.through(participant_id=participant.pk, focusgroup_id=group.pk)
        for participant in saved
        for group in focus_groups
    )
    return sorted(saved, key=lambda participant: participant.pseudonym)


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    expected_revision: int | None,
    focus_groups: Iterable[FocusGroup] | None = None,
    **changes,
) -> Participant:
    """Change a participant; the pseudonym only while no transcript or excerpt names it."""
    _refuse_unknown(changes, PARTICIPANT_FIELDS)
    participant = locked_for_edit(Participant, participant, expected_revision)
    if "pseudonym" in changes:
        changes["pseudonym"] = changes["pseudonym"].strip().upper()
        if changes["pseudonym"] != participant.pseudonym and (
            participant.utterances.exists() or participant.excerpts.exists()
        ):
            raise ValidationError(
                {
                    "pseudonym": _(
                        "%(pseudonym)s speaks in a transcript, which names them by this "
                        "pseudonym; it cannot change."
                    )
                    % {"pseudonym": participant.pseudonym}
                }
            )
    for field, value in changes.items():
        setattr(participant, field, value)
    _pseudonym_taken(participant)
    participant.full_clean()
    participant.revision += 1
    participant.save()
    if focus_groups is not None:
        participant.focus_groups.set(_check_focus_groups(participant.course, focus_groups))
    return participant


def _check_scopes(scopes: Iterable[str], field: str) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in ConsentScope.values]
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown consent scopes: %(scopes)s. Known: %(known)s.")
                % {"scopes": ", ".join(map(str, unknown)), "known": ", ".join(ConsentScope.values)}
            }
        )
    return [scope for scope in ConsentScope.values if scope in scopes]


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date %(day)s is in the future.") % {"day": day}})


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    text_version: str,
    scopes: Iterable[str],
    given_on: datetime.date,
    recorded_by,
) -> Consent:
    """A consent given; as the participant's latest, it replaces the one in force."""
    scopes = _check_scopes(scopes, "scopes")
    if ConsentScope.TAKE_PART not in scopes:
        raise ValidationError(
            {
                "scopes": _(
                    "Tick “%(take_part)s”: the other scopes mean nothing without it. A person "
                    "who declined to take part needs no consent record."
                )
                % {"take_part": ConsentScope.TAKE_PART.label}
            }
        )
    _not_in_future(given_on, "given_on")
    consent = Consent(
        participant=participant,
        text_version=text_version.strip(),
        scopes=scopes,
        given_on=given_on,
        recorded_by=recorded_by,
    )
    consent.full_clean()
    consent.save()
    return consent


def consent_in_force(participant: Participant) -> Consent | None:
    return participant.consents.order_by("-given_on", "-pk").first()


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, withdrawn_on: datetime.date, scopes: Iterable[str]
) -> Consent:
    """Withdraw scopes of the consent in force; withdrawing "take part" withdraws everything.

    A later withdrawal adds to an earlier one and its date becomes the withdrawal date.
    """
    # The participant row is locked so that a consent recorded meanwhile cannot be overtaken.
    Participant.objects.select_for_update().get(pk=consent.participant_id)
    consent = Consent.objects.select_related("participant").get(pk=consent.pk)
    if consent_in_force(consent.participant).pk != consent.pk:
        raise Conflict(
            _(
                "This consent (%(version)s, given %(given_on)s) is no longer the one in force "
                "for %(pseudonym)s; withdraw from the latest one."
            )
            % {
                "version": consent.text_version,
                "given_on": consent.given_on,
                "pseudonym": consent.participant.pseudonym,
            }
        )
    scopes = _check_scopes(scopes, "withdrawn_scopes")
    if not scopes:
        raise ValidationError({"withdrawn_scopes": _("Tick the scopes that are withdrawn.")})
    not_given = [scope for scope in scopes if scope not in consent.scopes]
    if not_given:
        raise ValidationError(
            {
                "withdrawn_scopes": _("The consent in force does not include: %(scopes)s.")
                % {"scopes": ", ".join(str(ConsentScope(scope).label) for scope in not_given)}
            }
        )
    if ConsentScope.TAKE_PART in scopes:
        scopes = list(consent.scopes)
    _not_in_future(withdrawn_on, "withdrawn_on")
    if withdrawn_on < consent.given_on:
        raise ValidationError(
            {
                "withdrawn_on": _("The consent was given on %(given_on)s, after this date.")
                % {"given_on": consent.given_on}
            }
        )
    consent.withdrawn_scopes = [
        scope for scope in consent.scopes if scope in {*consent.withdrawn_scopes, *scopes}
    ]
    consent.withdrawn_on = withdrawn_on
    consent.full_clean(exclude=["recorded_by"])
    consent.save(update_fields=["withdrawn_scopes", "withdrawn_on"])
    return consent


@transaction.atomic
def identity_set(*, participant: Participant, name: str, email: str = "") -> ParticipantIdentity:
    """Store who a pseudonym is, encrypted; refused when no identity key is configured."""
    name, email = name.strip(), email.strip()
    if not name:
        raise ValidationError({"name": _("Give the participant's name.")})
    try:
        encrypted_name = identity.encrypt(name)
        encrypted_email = identity.encrypt(email) if email else b""
    except identity.IdentityKeyError as error:
        raise ValidationError(str(error)) from None
    record, _created = ParticipantIdentity.objects.update_or_create(
        participant=participant,
        defaults={"encrypted_name": encrypted_name, "encrypted_email": encrypted_email},
    )
    return record


@transaction.atomic
def identity_remove(*, participant: Participant) -> None:
    ParticipantIdentity.objects.filter(participant=participant).delete()
