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
        "adapt administer apply calculate carry choose collaborate communicate conduct coordinate "
        "co-ordinate demonstrate deploy disseminate employ engage execute facilitate implement "
        "manage mobilise mobilize modify navigate operate perform practise practice prepare "
        "present produce schedule sketch solve tailor transfer use utilise utilize"
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
        "establish formulate generate hypothesise hypothesize initiate integrate invent lead "
        "negotiate originate plan propose synthesise synthesize write"
    ),
}
VERB_LEVELS = {verb: level for level, verbs in VERBS.items() for verb in verbs.split()}

# Verbs that say what happens in a learner's head, not what anyone could observe.
UNOBSERVABLE = (
    "appreciate aware awareness believe comprehend familiar familiarise familiarize familiarity "
    "grasp internalise internalize know knowledge learn realise realize see think understand "
    "understanding value"
)
UNOBSERVABLE_WORDS = frozenset(UNOBSERVABLE.split())
# "Demonstrate an understanding of", "Be aware of", "Gain knowledge of": a verb that carries
# a state of mind named just after it. The state of mind decides the warning and the level.
CARRIER = "acquire be become demonstrate develop gain have obtain possess show"
CARRIER_VERBS = frozenset(CARRIER.split())
CARRIED_WITHIN = 3  # words after the carrier verb: "demonstrate a sound understanding"

SUBJECT = r"(?:students?|learners?|participants?|graduates?|candidates?|you)"
MODAL = r"(?:will|should|shall|can|must|are|is)"
# What an outcome often opens with before its verb:
# "1.", "LO3:", "On successful completion of the course," "doctoral candidates will be able to".
LEAD_IN = re.compile(
    rf"""^\s*
    (?:(?:(?:LO|ILO|CLO)\s*)?\d+(?:\.\d+)*\s*[.:)]?\s+|[-\u2013\u2022*]\s*)?
    (?:(?:on|upon|at|by|after|following)\s+(?:the\s+)?(?:successful\s+)?
       (?:completion|end|conclusion)\b[^,]*?(?:,\s*|\s+(?=(?:the\s+)?(?:[\w-]+\s+)?{SUBJECT}\b)))?
    (?:(?:the\s+)?(?:[\w-]+\s+)?{SUBJECT}\s+(?={MODAL}\b)|(?:the\s+)?{SUBJECT}\s+)?
    (?:{MODAL}\b[:\s]*)?
    (?:(?:be\s+)?able\s+to\b[:\s]*)?
    (?:to\s+)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
# Words ending in -ly that are verbs, not adverbs ("Supply the data").
LY = "ally apply comply fly imply multiply rally rely reply supply tally"
LY_VERBS = frozenset(LY.split())


@dataclass(frozen=True)
class BloomSuggestion:
    verb: str
    level: BloomLevel | None
    warning: str


def _is_adverb(word: str) -> bool:
    return word.endswith("ly") and word not in LY_VERBS and word not in VERB_LEVELS


def _words_after_lead_in(text: str) -> list[str]:
    """The outcome's words from its verb on: lead-in and adverbs ("critically and
    systematically") before the verb are left out."""
    words = [word.lower() for word in WORD.findall(LEAD_IN.sub("", text, count=1))]
    start = 0
    while start < len(words) and (
        _is_adverb(words[start]) or (words[start] in ("and", "or") and start > 0)
    ):
        start += 1
    return words[start:]


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


def _unobservable(verb: str, level, *, phrase: str = "") -> BloomSuggestion:
    return BloomSuggestion(
        verb,
        level,
        _(
            "“%(verb)s” cannot be observed or assessed; start with a verb that names "
            "what the student will do, such as explain, apply or evaluate."
        )
        % {"verb": phrase or verb},
    )


def bloom_suggestion(text: str) -> BloomSuggestion:
    words = _words_after_lead_in(text)
    if not words:
        return BloomSuggestion(
            "",
            None,
            _(
                "The outcome has no verb yet: say what the student will do, starting with a "
                "verb such as explain, apply or evaluate."
            ),
        )
    verb = words[0]
    for form in _base_forms(verb):
        if form in UNOBSERVABLE_WORDS:
            return _unobservable(form, VERB_LEVELS.get(form))
        if form in CARRIER_VERBS:
            for end, carried in enumerate(words[1 : 1 + CARRIED_WITHIN], start=2):
                if carried in UNOBSERVABLE_WORDS:
                    # "an understanding of" is read as the verb "understand"; other states of
                    # mind (awareness, knowledge) suggest no level, like "know" itself.
                    level = BloomLevel.UNDERSTAND if carried == "understanding" else None
                    return _unobservable(form, level, phrase=" ".join(words[:end]))
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
