"""Bloom's revised taxonomy level suggested from a learning outcome's leading verb.

The verb table follows the lists universities publish for writing outcomes (after Anderson and
Krathwohl, 2001). A verb that sits at several levels is listed at the level it most often
signals in postgraduate outcomes; the lead can always choose another level.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from courses.models import BloomLevel

VERBS = {
    BloomLevel.REMEMBER: (
        "define describe duplicate identify label list locate match memorise memorize name "
        "outline quote recall recite recognise recognize record relate repeat reproduce retrieve "
        "state tabulate"
    ),
    BloomLevel.UNDERSTAND: (
        "articulate clarify classify comprehend discuss distinguish estimate explain express "
        "extend generalise generalize give illustrate indicate infer interpret paraphrase predict "
        "report restate review summarise summarize translate understand"
    ),
    BloomLevel.APPLY: (
        "adapt administer apply calculate carry choose conduct demonstrate deploy employ execute "
        "facilitate implement manage modify operate perform practise practice prepare produce "
        "schedule sketch solve transfer use utilise utilize"
    ),
    BloomLevel.ANALYSE: (
        "analyse analyze appraise break categorise categorize compare contrast deconstruct "
        "diagnose differentiate discriminate dissect examine experiment explore investigate map "
        "organise organize question scrutinise scrutinize test"
    ),
    BloomLevel.EVALUATE: (
        "argue assess audit conclude criticise criticize critique debate decide defend evaluate "
        "judge justify prioritise prioritize rank rate recommend reflect select support validate "
        "verify weigh"
    ),
    BloomLevel.CREATE: (
        "assemble build co-design co-produce compose construct create design develop devise "
        "formulate generate hypothesise hypothesize integrate invent lead negotiate originate plan "
        "propose synthesise synthesize write"
    ),
}
VERB_LEVELS = {verb: level for level, verbs in VERBS.items() for verb in verbs.split()}

# Verbs that say what happens in a learner's head, not what anyone could observe.
UNOBSERVABLE = (
    "appreciate aware awareness believe comprehend familiarise familiarize grasp internalise "
    "internalize know knowledge learn realise realize see think understand understanding value"
)
UNOBSERVABLE_VERBS = frozenset(UNOBSERVABLE.split())
# Words an outcome often opens with before its verb: "Students will be able to critically assess".
LEAD_IN = re.compile(
    r"^\s*(?:(?:on\s+(?:successful\s+)?completion[^,]*,\s*)?"
    r"(?:the\s+)?(?:students?|learners?|participants?|graduates?|you)\s+)?"
    r"(?:(?:will|should|can|must|shall)\s+)?(?:be\s+able\s+to\s+)?(?:to\s+)?",
    re.IGNORECASE,
)
ADVERB = re.compile(r"^\w+ly$", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


@dataclass(frozen=True)
class BloomSuggestion:
    verb: str
    level: BloomLevel | None
    warning: str


def leading_verb(text: str) -> str:
    """The outcome's first word after any lead-in ("Students will be able to") and adverbs."""
    rest = LEAD_IN.sub("", text, count=1)
    for word in WORD.findall(rest):
        if not ADVERB.match(word) or word.lower() in VERB_LEVELS:
            return word.lower()
    return ""


def _base_forms(verb: str) -> list[str]:
    """The verb as written and the stems of its third-person form ("assesses" → "assess")."""
    forms = [verb]
    if verb.endswith("ies"):
        forms.append(verb[:-3] + "y")
    if verb.endswith("es"):
        forms.append(verb[:-2])
    if verb.endswith("s"):
        forms.append(verb[:-1])
    return forms


def bloom_suggestion(text: str) -> BloomSuggestion:
    verb = leading_verb(text)
    if not verb:
        return BloomSuggestion("", None, _("The outcome has no words to read a verb from."))
    for form in _base_forms(verb):
        if form in UNOBSERVABLE_VERBS:
            return BloomSuggestion(
                form,
                VERB_LEVELS.get(form),
                _(
                    "“%(verb)s” cannot be observed or assessed; start with a verb that names "
                    "what the student will do, such as explain, apply or evaluate."
                )
                % {"verb": form},
            )
        if form in VERB_LEVELS:
            return BloomSuggestion(form, VERB_LEVELS[form], "")
    return BloomSuggestion(
        verb,
        None,
        _(
            "“%(verb)s” is not a verb we know from Bloom's taxonomy; an outcome reads best when "
            "it starts with an observable verb, such as explain, apply or evaluate."
        )
        % {"verb": verb},
    )
