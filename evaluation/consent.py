"""What each participant's consent in force allows, asked for many participants at once.

Coding a transcript needs every participant who speaks in it to allow taking part and
transcription; a quote appears in a report or an export only when its speaker allows verbatim
quotes (counts never depend on consent).
"""

from django.utils.translation import gettext as _

from evaluation.models import Consent, ConsentScope

SCOPES_NEEDED_FOR_CODING = (ConsentScope.TAKE_PART, ConsentScope.TRANSCRIPTION)


def scopes_in_force(participant_ids) -> dict[int, set[str]]:
    """Participant pk → the scopes of their latest consent less the withdrawn ones (one query).

    A participant without any consent record allows nothing.
    """
    ids = set(participant_ids)
    in_force = {pk: set() for pk in ids}
    seen = set()
    consents = Consent.objects.filter(participant_id__in=ids).order_by(
        "participant_id", "-given_on", "-pk"
    )
    for consent in consents.only("participant_id", "scopes", "withdrawn_scopes"):
        if consent.participant_id in seen:
            continue
        seen.add(consent.participant_id)
        in_force[consent.participant_id] = consent.scopes_in_force
    return in_force


def quotable_participant_ids(participant_ids) -> set[int]:
    """The participants among these whose words may be quoted verbatim."""
    return {
        pk
        for pk, scopes in scopes_in_force(participant_ids).items()
        if ConsentScope.VERBATIM_QUOTES in scopes
    }


def missing_consents_for_coding(participants) -> list[str]:
    """One line per participant who lacks a scope that coding needs, naming the scopes."""
    participants = list(participants)
    in_force = scopes_in_force(p.pk for p in participants)
    problems = []
    for participant in sorted(participants, key=lambda p: p.pseudonym):
        allowed = in_force[participant.pk]
        missing = [scope for scope in SCOPES_NEEDED_FOR_CODING if scope not in allowed]
        if missing:
            problems.append(
                _("%(pseudonym)s has not consented to: %(scopes)s.")
                % {
                    "pseudonym": participant.pseudonym,
                    "scopes": ", ".join(str(ConsentScope(scope).label) for scope in missing),
                }
            )
    return problems
