"""Bloom levels suggested from the leading verb of outcomes written the way leads write them."""

import pytest

from courses.bloom import bloom_suggestion
from courses.models import BloomLevel

REMEMBER, UNDERSTAND, APPLY = BloomLevel.REMEMBER, BloomLevel.UNDERSTAND, BloomLevel.APPLY
ANALYSE, EVALUATE, CREATE = BloomLevel.ANALYSE, BloomLevel.EVALUATE, BloomLevel.CREATE
NO_VERB, UNOBSERVABLE, UNKNOWN = "no verb", "cannot be observed", "not a verb we know"

# (outcome text, verb read, level suggested, what the warning says or "" for none)
TABLE = [
    # Plain imperative verbs, one per level.
    ("Describe the stages of the knowledge-to-action cycle.", "describe", REMEMBER, ""),
    ("Explain the main implementation frameworks.", "explain", UNDERSTAND, ""),
    ("Apply a determinant framework to a service change.", "apply", APPLY, ""),
    ("Compare two implementation strategies.", "compare", ANALYSE, ""),
    ("Justify the choice of an implementation strategy.", "justify", EVALUATE, ""),
    ("Design an implementation plan with stakeholders.", "design", CREATE, ""),
    ("Co-produce a research question with service users.", "co-produce", CREATE, ""),
    ("apply", "apply", APPLY, ""),
    # Lead-ins before the verb.
    ("Students will be able to critically assess evidence.", "assess", EVALUATE, ""),
    ("The student can summarise findings for managers.", "summarise", UNDERSTAND, ""),
    ("Learners should be able to compare frameworks.", "compare", ANALYSE, ""),
    ("Students are able to justify their choices.", "justify", EVALUATE, ""),
    ("You will develop a proposal.", "develop", CREATE, ""),
    ("Doctoral candidates will be able to lead a team.", "lead", CREATE, ""),
    ("Students will be able to: explain the model.", "explain", UNDERSTAND, ""),
    (
        "On completion of the course, the student will be able to design a study.",
        "design",
        CREATE,
        "",
    ),
    (
        "On successful completion of this module, students will evaluate strategies.",
        "evaluate",
        EVALUATE,
        "",
    ),
    (
        "At the end of the course students will be able to interpret audit data.",
        "interpret",
        UNDERSTAND,
        "",
    ),
    (
        "By the end of this module you should be able to formulate a research question.",
        "formulate",
        CREATE,
        "",
    ),
    ("1. Describe the model.", "describe", REMEMBER, ""),
    ("LO3: Synthesise the evidence.", "synthesise", CREATE, ""),
    ("- Identify stakeholders.", "identify", REMEMBER, ""),
    # Adverbs before the verb.
    ("Critically appraise the literature.", "appraise", ANALYSE, ""),
    ("Critically and systematically evaluate interventions.", "evaluate", EVALUATE, ""),
    ("Effectively communicate findings to lay audiences.", "communicate", APPLY, ""),
    # Third person.
    ("Assesses barriers to implementation.", "assess", EVALUATE, ""),
    ("Analyses routine data.", "analyse", ANALYSE, ""),
    ("Identifies stakeholders.", "identify", REMEMBER, ""),
    ("Carries out an audit.", "carry", APPLY, ""),
    ("Synthesises evidence from several sources.", "synthesise", CREATE, ""),
    # A verb ending in -ly is still a verb.
    ("Supply the audit data to the team.", "supply", None, UNKNOWN),
    # Verbs that name a state of mind, not something anyone can observe.
    ("Understand implementation science.", "understand", UNDERSTAND, UNOBSERVABLE),
    ("Students will understand the theory.", "understand", UNDERSTAND, UNOBSERVABLE),
    ("Understands the theory.", "understand", UNDERSTAND, UNOBSERVABLE),
    ("Know the key theories.", "know", None, UNOBSERVABLE),
    ("Appreciate the role of stakeholders.", "appreciate", None, UNOBSERVABLE),
    ("Be aware of the ethics of co-production.", "be", None, UNOBSERVABLE),
    (
        "Demonstrate an understanding of implementation theories.",
        "demonstrate",
        UNDERSTAND,
        UNOBSERVABLE,
    ),
    ("Develop a sound understanding of health systems.", "develop", UNDERSTAND, UNOBSERVABLE),
    ("Have knowledge of health systems.", "have", None, UNOBSERVABLE),
    # A verb that carries no state of mind stays an ordinary verb.
    ("Develop a research proposal.", "develop", CREATE, ""),
    ("Demonstrate a change technique in a role play.", "demonstrate", APPLY, ""),
    # Unknown words and no words.
    ("Flibbertigibbet the data.", "flibbertigibbet", None, UNKNOWN),
    ("Implementation science in practice.", "implementation", None, UNKNOWN),
    ("", "", None, NO_VERB),
    ("   ", "", None, NO_VERB),
    ("Students will be able to", "", None, NO_VERB),
]


@pytest.mark.parametrize(("text", "verb", "level", "warning"), TABLE)
def test_bloom_suggestion_reads_the_leading_verb(text, verb, level, warning):
    suggestion = bloom_suggestion(text)
    assert (suggestion.verb, suggestion.level) == (verb, level)
    if warning:
        assert warning in suggestion.warning
    else:
        assert suggestion.warning == ""


def test_the_warning_quotes_the_words_the_lead_wrote():
    assert (
        "“demonstrate an understanding”"
        in bloom_suggestion("Demonstrate an understanding of implementation.").warning
    )
    assert "“flibbertigibbet”" in bloom_suggestion("Flibbertigibbet the data.").warning


def test_the_warning_suggests_observable_verbs():
    warning = bloom_suggestion("Know the key theories.").warning
    assert "explain, apply or evaluate" in warning
