"""Who may read and change evaluation data: students' words are personal data.

Only evaluators and administrators read or change any of it; course leads, designers and other
users get 403 everywhere in the app, even for their own courses. Real identities behind the
pseudonyms need the dedicated permission `evaluation.view_identity_key` on top.
"""

from eisen.roles import Role, has_role


def can_use_evaluation(user) -> bool:
    """Read and change logic models, focus groups, transcripts, coding, reports and exports."""
    return has_role(user, Role.EVALUATOR, Role.ADMINISTRATOR)


def can_see_identities(user) -> bool:
    return can_use_evaluation(user) and user.has_perm("evaluation.view_identity_key")
