"""No English left in the Swedish and Norwegian UI: every page an administrator can reach by
following links is read in each language, and any visible text (or label, title, placeholder)
that reads as English and is not text users wrote is reported with the page it is on."""

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from courses.models import Emphasis
from evaluation.models import Phase
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    LogicModelItemFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    LevelDescriptorFactory,
    OutcomeMappingFactory,
    ThemeFactory,
)

START = ["/frameworks/", "/capabilities/", "/courses/", "/coverage/", "/evaluation/", "/exports/"]
#: Not pages of this UI: Django's admin (translated by Django), the API and files.
LEFT_OUT = re.compile(r"^/(admin|api|media|static|ims)/|/download/|/export/|\.(csv|json|xlsx)$")
MAX_PAGES = 400
#: Two or more of these words in one piece of text is English.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|is|with|this|that|not|are|has|have|from|its|yet|none|here|there|you|your"
    r"|which|when|will|can|should|must|been|was|were)\b",
    re.IGNORECASE,
)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.texts, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attributes.get(name):
                self.texts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def _users_text() -> str:
    """Every text value stored by the apps: what users wrote may be in any language."""
    values = []
    for model in apps.get_models():
        if model._meta.app_label not in ("competencies", "courses", "evaluation", "eisen", "auth"):
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*fields):
            values.extend(value for value in row if isinstance(value, str))
    return "\n".join(values)


@pytest.fixture
def curriculum_and_evaluation(db):
    """A little of everything, so that the pages have rows, forms and links to follow."""
    framework = FrameworkFactory(title="Kappa")
    domain = DomainFactory(framework=framework, name="Lambda")
    theme = ThemeFactory(framework=framework, name="Mu")
    capability = CapabilityFactory(domain=domain, title="Nu", description="Xi", relevance="Omicron")
    capability.themes.add(theme)
    LevelDescriptorFactory(capability=capability, text="Pi")
    FrameworkFactory(title="Rho", draft=True)
    course = CourseFactory(title="Sigma")
    outcome = LearningOutcomeFactory(course=course, text="Tau")
    OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis=Emphasis.MASTERED)
    mechanism = MechanismFactory(name="Upsilon", assumption="Phi")
    LogicModelItemFactory(logic_model=mechanism.logic_model, text="Chi")
    group = FocusGroupFactory(course=course, title="Psi", phase=Phase.FORMATIVE)
    participant = ParticipantFactory(course=course)
    transcript = TranscriptFactory(focus_group=group, turns=[(participant, "Omega alpha beta")])
    code = CodeFactory(name="Gamma", definition="Delta")
    CodingFactory(excerpt=ExcerptFactory(transcript=transcript), code=code)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "sv"])
def test_no_page_shows_english_outside_what_users_wrote(
    administrator_client, curriculum_and_evaluation, language
):
    administrator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    users_text = _users_text()
    english = defaultdict(set)
    seen, queue = set(), list(START)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = administrator_client.get(path)
        if answer.status_code != 200 or "text/html" not in answer["Content-Type"]:
            continue
        reader = _Reader()
        reader.feed(answer.content.decode())
        for text in reader.texts:
            if len(ENGLISH_WORDS.findall(text)) >= 2 and text not in users_text:
                english[text].add(path)
        for link in reader.links:
            target = urlsplit(urljoin(path, link))
            if target.netloc or LEFT_OUT.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))

    assert len(seen) > 60, "the crawl should reach most of the app"
    assert dict(english) == {}
