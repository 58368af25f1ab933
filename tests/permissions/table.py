"""Who may use each route of the app: the expected answers of the permission matrix, written once.

An entry is keyed by the route's name and gives a policy for reading (GET) and one for writing
(POST, PUT, PATCH, DELETE); None means the route serves no such method to anyone. Routes asked
about a published framework and a draft, or about each kind of export, have an entry per case.

A policy is the set of the seven roles let in; every other role is refused (403, or 401 on the
API; anonymous visitors of a page are sent to sign in). "The course" is the course a route names,
or the course of the object it names: the lead of this course leads it, the lead of another course
leads a different one. Where the app does not do what the policy says, the entry names the bug and
the test of each role it wrongs is expected to fail (strict) until the bug is fixed: then the
test passes unexpectedly, fails the run, and the bug comes out of the table.
"""

from dataclasses import dataclass

ANONYMOUS = "anonymous"
PLAIN_USER = "plain-user"
LEAD_OF_THIS_COURSE = "lead-of-this-course"
LEAD_OF_ANOTHER_COURSE = "lead-of-another-course"
DESIGNER = "designer"
EVALUATOR = "evaluator"
ADMINISTRATOR = "administrator"
ROLES = (
    ANONYMOUS,
    PLAIN_USER,
    LEAD_OF_THIS_COURSE,
    LEAD_OF_ANOTHER_COURSE,
    DESIGNER,
    EVALUATOR,
    ADMINISTRATOR,
)
BOTH_LEADS = (LEAD_OF_THIS_COURSE, LEAD_OF_ANOTHER_COURSE)


@dataclass(frozen=True)
class Policy:
    name: str
    allowed: frozenset[str]


def _policy(name: str, *roles: str) -> Policy:
    return Policy(name, frozenset(roles))


PUBLIC = _policy("everyone, signed in or not", *ROLES)
SIGNED_IN = _policy("everyone signed in", *ROLES[1:])
DESIGNERS = _policy("curriculum designers and administrators", DESIGNER, ADMINISTRATOR)
COURSE_EDITORS = _policy(
    "the course's leads, curriculum designers and administrators",
    LEAD_OF_THIS_COURSE,
    DESIGNER,
    ADMINISTRATOR,
)
COURSE_CREATORS = _policy(
    "course leads, curriculum designers and administrators", *BOTH_LEADS, DESIGNER, ADMINISTRATOR
)
EVALUATORS = _policy("evaluators and administrators", EVALUATOR, ADMINISTRATOR)
ADMINISTRATORS = _policy("administrators", ADMINISTRATOR)
#: Real names behind pseudonyms need the permission evaluation.view_identity_key on top of the
#: evaluator's role; no role gives it (tests/evaluation/test_sessions_pages.py grants it).
IDENTITY_KEEPERS = _policy("holders of evaluation.view_identity_key (no role by itself)")
NOBODY = _policy("nobody")
#: Exports are per kind: the curriculum is asked for by administrators and read by course leads,
#: designers and administrators; the evaluation report is for evaluators and administrators.
#: Seeing the list is for whoever may ask for or read some kind.
CURRICULUM_READERS = COURSE_CREATORS
EXPORT_USERS = _policy(
    "whoever may ask for or read some kind of export",
    *BOTH_LEADS,
    DESIGNER,
    EVALUATOR,
    ADMINISTRATOR,
)
#: Removing an export: administrators, and whoever asked for it while they may still start one.
#: An administrator asked for the world's curriculum; the evaluator for its evaluation report.
REQUESTER_OR_ADMINISTRATORS = _policy(
    "administrators and the evaluator who asked for it", EVALUATOR, ADMINISTRATOR
)


@dataclass(frozen=True)
class Rule:
    read: Policy | None
    write: Policy | None
    #: Refused roles may be answered 404: the object is hidden from them, not only closed.
    hidden: bool = False


def reads(policy: Policy, **extra) -> Rule:
    return Rule(read=policy, write=None, **extra)


def writes(policy: Policy, **extra) -> Rule:
    return Rule(read=None, write=policy, **extra)


def form(policy: Policy, **extra) -> Rule:
    """A page whose GET shows the form its POST sends (or an API route read and written alike)."""
    return Rule(read=policy, write=policy, **extra)


def by_framework(published: Rule, draft: Rule) -> dict[str, Rule]:
    return {"published": published, "draft": draft}


def by_export_kind(curriculum: Rule, evaluation_report: Rule) -> dict[str, Rule]:
    return {"curriculum": curriculum, "evaluation-report": evaluation_report}


def _each(rule, names: str) -> dict:
    """The same rule for each of the route names in `names` (separated by white space)."""
    listed = names.split()
    assert len(set(listed)) == len(listed), f"a route named twice in {names}"
    return dict.fromkeys(listed, rule)


def _framework_page(signed_in_only: bool = False) -> dict[str, Rule]:
    """A page of a framework: read by everyone (or everyone signed in) when it is published; a
    draft only by designers and administrators."""
    if signed_in_only:
        return by_framework(reads(SIGNED_IN), reads(DESIGNERS))
    return by_framework(reads(PUBLIC), reads(DESIGNERS))


def _api_framework_object(write: Policy | None) -> dict[str, Rule]:
    """An API object of a framework: public when published, the designers' in a draft; changed
    by designers (a published framework answers 409: it is read-only)."""
    return by_framework(Rule(read=PUBLIC, write=write), Rule(read=DESIGNERS, write=write))


EXPORT_PAGE = by_export_kind(reads(CURRICULUM_READERS), reads(EVALUATORS))
EDITOR_PAGE = reads(DESIGNERS)
IMPORT_REPORT = reads(DESIGNERS)

COMPETENCIES = {
    "home": form(PUBLIC),  # a RedirectView: the same redirect, whatever the method
    **_each(
        reads(PUBLIC),
        "competencies:framework_list competencies:capability_search competencies:workbook_template",
    ),
    **_each(
        _framework_page(),
        """competencies:framework_detail competencies:framework_compare
        competencies:framework_download competencies:capability_detail""",
    ),
    **_each(
        _framework_page(signed_in_only=True),
        """competencies:framework_history competencies:capability_history
        competencies:framework_comments_csv""",
    ),
    "competencies:framework_editor": by_framework(EDITOR_PAGE, EDITOR_PAGE),
    **_each(form(DESIGNERS), "competencies:framework_create competencies:framework_import"),
    **_each(
        by_framework(form(DESIGNERS), form(DESIGNERS)),
        """competencies:framework_metadata competencies:framework_vocabulary
        competencies:framework_update_upload competencies:domain_edit
        competencies:capability_edit competencies:capability_links""",
    ),
    **_each(
        by_framework(writes(DESIGNERS), writes(DESIGNERS)),
        """competencies:framework_publish competencies:framework_archive
        competencies:framework_new_version competencies:framework_renumber
        competencies:domain_add competencies:domain_change competencies:capability_add
        competencies:capability_change competencies:capability_restore
        competencies:association_delete competencies:comment_resolve""",
    ),
    "competencies:comment_add": by_framework(writes(SIGNED_IN), writes(DESIGNERS)),
    "competencies:framework_import_report": IMPORT_REPORT,
    "competencies:framework_update_apply": writes(DESIGNERS),
}

COURSES = {
    **_each(
        reads(SIGNED_IN),
        """courses:institution_list courses:course_list courses:course_detail courses:grid
        courses:remap_report coverage:coverage coverage:download""",
    ),
    **_each(
        form(DESIGNERS),
        """courses:institution_create courses:institution_edit
        courses:programme_create courses:programme_edit""",
    ),
    "courses:course_create": form(COURSE_CREATORS),
    **_each(
        form(COURSE_EDITORS),
        """courses:course_edit courses:course_delete courses:outcome_edit
        courses:mapping_picker courses:course_rollover courses:course_remap""",
    ),
    # An outcome's row in edit mode, as the course's editors see it.
    "courses:outcome_row": reads(COURSE_EDITORS),
    **_each(
        writes(COURSE_EDITORS),
        """courses:outcome_add courses:outcome_delete courses:outcome_move
        courses:mapping_change courses:mapping_remove courses:grid_cell courses:grid_mark
        courses:grid_save courses:remap_report_resolve""",
    ),
}

# Evaluation data is personal data of students: evaluators and administrators only, even for
# the leads of the course the focus groups were held in.
EVALUATION = {
    **_each(
        reads(EVALUATORS),
        """evaluation:focus_group_list evaluation:focus_group_detail evaluation:participant_list
        evaluation:participant_detail evaluation:transcript_detail evaluation:logic_model_detail
        evaluation:logic_model_header evaluation:logic_item_row evaluation:mechanism_detail
        evaluation:mechanism_card evaluation:assessment_card evaluation:action_log
        evaluation:codebook evaluation:coding evaluation:excerpt_capability_row
        evaluation:excerpt_card evaluation:agreement evaluation:mechanism_report
        evaluation:capability_report evaluation:course_report_list evaluation:course_report
        evaluation:exports evaluation:export_quote_bank evaluation:export_codebook
        evaluation:export_project evaluation:participant_export evaluation:erasure_log""",
    ),
    **_each(
        form(EVALUATORS),
        """evaluation:focus_group_create evaluation:focus_group_edit evaluation:focus_group_delete
        evaluation:transcript_create evaluation:participant_create
        evaluation:participant_create_many evaluation:participant_edit evaluation:consent_create
        evaluation:consent_withdraw evaluation:transcript_revise evaluation:logic_model_list
        evaluation:logic_model_edit evaluation:logic_item_edit evaluation:mechanism_edit
        evaluation:mechanism_assess evaluation:action_create evaluation:action_edit
        evaluation:code_new evaluation:code_edit evaluation:excerpt_edit
        evaluation:participant_erase""",
    ),
    **_each(
        writes(EVALUATORS),
        """evaluation:transcript_independent_coding evaluation:logic_item_add
        evaluation:logic_item_delete evaluation:logic_item_move evaluation:mechanism_add
        evaluation:mechanism_delete evaluation:mechanism_move evaluation:action_delete
        evaluation:code_move evaluation:code_delete evaluation:excerpt_create
        evaluation:excerpt_delete evaluation:agreement_compare evaluation:agreement_accept_all
        evaluation:agreement_accept evaluation:agreement_remove""",
    ),
    "evaluation:participant_identity": form(IDENTITY_KEEPERS),
    "evaluation:participant_identity_remove": writes(IDENTITY_KEEPERS),
}

EXPORTS_AND_ACCOUNTS = {
    "exports:export_list": reads(EXPORT_USERS),
    "exports:export_new": by_export_kind(form(ADMINISTRATORS), form(EVALUATORS)),
    "exports:export_detail": EXPORT_PAGE,
    "exports:export_download": EXPORT_PAGE,
    "exports:export_delete": by_export_kind(
        form(ADMINISTRATORS), form(REQUESTER_OR_ADMINISTRATORS)
    ),
    "login": form(PUBLIC),
    "logout": writes(PUBLIC),
    "healthz": reads(PUBLIC),
    "set_language": form(PUBLIC),
}

API_COMPETENCIES = {
    **_each(
        Rule(read=PUBLIC, write=DESIGNERS),
        "api:framework-list api:domain-list api:capability-list api:association-list",
    ),
    **_each(
        _api_framework_object(DESIGNERS),
        "api:framework-detail api:domain-detail api:capability-detail api:association-detail",
    ),
    **_each(_api_framework_object(None), "api:framework-compare api:framework-export"),
    **_each(
        by_framework(writes(DESIGNERS), writes(DESIGNERS)),
        """api:framework-archive api:framework-new-version api:framework-publish
        api:framework-renumber api:framework-update-preview api:domain-move
        api:capability-indent api:capability-move api:capability-move-down
        api:capability-move-up api:capability-outdent api:comment-resolve""",
    ),
    # Written with a body naming a capability of the case's framework.
    "api:comment-list": by_framework(form(SIGNED_IN), Rule(read=SIGNED_IN, write=DESIGNERS)),
    "api:comment-detail": by_framework(reads(SIGNED_IN), reads(DESIGNERS, hidden=True)),
    **_each(reads(DESIGNERS), "api:framework-import-list api:framework-import-detail"),
    **_each(writes(DESIGNERS), "api:framework-import-file api:framework-import-apply"),
    "case:documents": reads(PUBLIC),
    # CASE serves published frameworks only: a draft's objects are unknown (404) to everyone.
    **_each(
        by_framework(reads(PUBLIC), reads(NOBODY, hidden=True)),
        "case:document case:package case:item case:association case:item_associations",
    ),
}

API_COURSES = {
    **_each(
        Rule(read=SIGNED_IN, write=DESIGNERS),
        "api:institution-list api:institution-detail api:programme-list api:programme-detail",
    ),
    "api:course-list": Rule(read=SIGNED_IN, write=COURSE_CREATORS),
    # The lists of outcomes and mappings are written with a body naming this course's outcome.
    **_each(
        Rule(read=SIGNED_IN, write=COURSE_EDITORS),
        """api:course-detail api:outcome-list api:outcome-detail
        api:mapping-list api:mapping-detail""",
    ),
    **_each(
        writes(COURSE_EDITORS),
        """api:course-bulk-mappings api:course-remap api:course-reorder-outcomes
        api:course-resolve-remap-report api:course-rollover""",
    ),
    **_each(
        reads(SIGNED_IN),
        "api:course-remap-reports api:course-remap-targets api:coverage-list api:coverage-gaps",
    ),
}

API_EVALUATION = {
    **_each(
        form(EVALUATORS),
        """api:evaluation-logic-model-list api:evaluation-logic-model-detail
        api:evaluation-logic-model-item-list api:evaluation-logic-model-item-detail
        api:evaluation-mechanism-list api:evaluation-mechanism-detail
        api:evaluation-mechanism-assessment-list api:evaluation-mechanism-assessment-detail
        api:evaluation-formative-action-list api:evaluation-formative-action-detail
        api:evaluation-focus-group-list api:evaluation-focus-group-detail
        api:evaluation-participant-list api:evaluation-participant-detail
        api:evaluation-consent-list api:evaluation-transcript-list
        api:evaluation-transcript-detail api:evaluation-code-list api:evaluation-code-detail
        api:evaluation-excerpt-list api:evaluation-excerpt-detail api:evaluation-erasure-list""",
    ),
    **_each(
        writes(EVALUATORS),
        """api:evaluation-logic-model-item-move api:evaluation-mechanism-move
        api:evaluation-participant-create-many api:evaluation-consent-withdraw
        api:evaluation-transcript-revise api:evaluation-code-move api:evaluation-agreement-accept
        api:evaluation-agreement-accept-all api:evaluation-agreement-compare
        api:evaluation-agreement-remove""",
    ),
    **_each(
        reads(EVALUATORS),
        """api:evaluation-consent-detail api:evaluation-agreement-detail
        api:evaluation-agreement-disagreements api:evaluation-mechanism-report-list
        api:evaluation-capability-report-list api:evaluation-course-report-list
        api:evaluation-course-report-detail api:evaluation-export-codebook
        api:evaluation-export-project api:evaluation-export-quote-bank-csv
        api:evaluation-export-quote-bank-xlsx api:evaluation-participant-export-detail""",
    ),
    "api:evaluation-identity-detail": form(IDENTITY_KEEPERS),
}

API_EXPORTS_AND_DOCUMENTATION = {
    # Asked for with a body naming the case's kind.
    "api:export-list": by_export_kind(
        Rule(read=EXPORT_USERS, write=ADMINISTRATORS), Rule(read=EXPORT_USERS, write=EVALUATORS)
    ),
    "api:export-detail": by_export_kind(
        Rule(read=CURRICULUM_READERS, write=ADMINISTRATORS),
        Rule(read=EVALUATORS, write=REQUESTER_OR_ADMINISTRATORS),
    ),
    "api:export-download": by_export_kind(reads(CURRICULUM_READERS), reads(EVALUATORS)),
    "api:api-root": reads(SIGNED_IN),
    "api-token": writes(PUBLIC),
    **_each(reads(PUBLIC), "schema api-docs api-redoc"),
}

PARTS = (
    COMPETENCIES,
    COURSES,
    EVALUATION,
    EXPORTS_AND_ACCOUNTS,
    API_COMPETENCIES,
    API_COURSES,
    API_EVALUATION,
    API_EXPORTS_AND_DOCUMENTATION,
)
TABLE = {name: rule for part in PARTS for name, rule in part.items()}
