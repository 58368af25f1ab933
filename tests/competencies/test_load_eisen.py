"""The EISEN framework as the report's Tables 1-3 give it."""

import pytest
from django.apps import apps
from django.core.management import call_command

from competencies.models import Capability, CapabilityAssociation, Domain, Framework, Theme

pytestmark = pytest.mark.django_db

# Compared word for word with the report (EISEN Intellectual Output 5, Tables 1-3).
REPORT_TEXT = {
    "K1": (
        "Interdisciplinary knowledge",
        (
            "An appreciation of the research paradigms, theories and frameworks from disciplines that "
            "can be used within research co-production."
        ),
        (
            "Research co-production requires that threshold indicators of the quality of the research "
            "itself are maintained."
        ),
    ),
    "K3": (
        "Systems knowledge",
        (
            "The configurations of services and activities with a purpose to promote, restore or "
            "maintain health, operating within a broader political, social and geographical context."
        ),
        (
            "Research co-production requires insight into the systems which provide a content for the "
            "understanding of a research challenge, and the engagement of stakeholders"
        ),
    ),
    "S2": (
        "Leadership and Political skills",
        (
            "Understanding the system, managing vested interests, navigating and exploiting power "
            "bases, shrewd timing of interventions, listening to and taking into account other "
            "people's views"
        ),
        (
            "Embedded within stakeholder perspectives, research co-production is a political act "
            "requiring negotiation and establishing common ground."
        ),
    ),
    "S4": (
        "Communication skills",
        (
            "Conveying information to another person or groups effectively to help facilitate the "
            "sharing of information and knowledge between people."
        ),
        (
            "Requires the ability the communicate different types of information effectively with "
            "multiple audiences."
        ),
    ),
    "A3": (
        "Committed to impact",
        (
            "A spirit of inquiry closely linked with the motivation and desire to change and improve "
            "issues for individuals and society, possessing an approach and disposition that "
            "motivates and support others to change and achieve."
        ),
        (
            "Research co-production is concerned primarily with change and the resolution of "
            "health-related challenges."
        ),
    ),
    "A4": (
        "Commitment to personal development",
        (
            "Commitment to developing the skills and mechanisms for learning and self-care in "
            "stressful or demanding situations."
        ),
        (
            "Research co-production can be messy, requiring a willingness to tolerate uncertainty, "
            "learn and persevere."
        ),
    ),
}


def test_eisen_framework_is_published_with_three_domains_of_6_5_and_4(eisen_framework):
    assert eisen_framework.title == "EISEN Competency Framework"
    assert eisen_framework.version_label == "1.0"
    assert eisen_framework.status == Framework.Status.PUBLISHED
    domains = {
        domain.name: (domain.code, domain.capabilities.count())
        for domain in eisen_framework.domains.all()
    }
    assert domains == {"Knowledge": ("K", 6), "Skills": ("S", 5), "Attitudes": ("A", 4)}
    assert list(eisen_framework.capabilities.values_list("code", flat=True)) == [
        "K1", "K2", "K3", "K4", "K5", "K6", "S1", "S2", "S3", "S4", "S5", "A1", "A2", "A3", "A4",
    ]  # fmt: skip


@pytest.mark.parametrize("code", sorted(REPORT_TEXT))
def test_capability_text_is_the_reports_verbatim(eisen_framework, code):
    capability = eisen_framework.capabilities.get(code=code)
    assert (capability.title, capability.description, capability.relevance) == REPORT_TEXT[code]


def test_no_text_keeps_words_split_by_the_pdf(eisen_framework):
    for capability in eisen_framework.capabilities.all():
        for text in (capability.description, capability.relevance):
            assert "co- production" not in text
            assert "health- related" not in text
            assert "research- based" not in text


def test_figure_1_themes_and_every_capability_has_one(eisen_framework):
    assert list(Theme.objects.filter(framework=eisen_framework).values_list("name", flat=True)) == [
        "Research competence",
        "Transferable skills",
        "Working with stakeholders",
        "Creating impact",
    ]
    assert not eisen_framework.capabilities.filter(themes=None).exists()
    working_with_stakeholders = set(
        eisen_framework.capabilities.filter(themes__code="working-with-stakeholders").values_list(
            "code", flat=True
        )
    )
    assert {"S1", "K4", "K5", "A2"} <= working_with_stakeholders


def test_leadership_links_the_skills_and_attitudes_domains(eisen_framework):
    association = CapabilityAssociation.objects.get(origin__framework=eisen_framework)
    assert association.origin.code == "S2"
    assert association.origin.domain.name == "Skills"
    assert association.destination.domain.name == "Attitudes"
    assert association.association_type == CapabilityAssociation.Type.IS_RELATED_TO
    assert "leadership occupies both the skills domain" in association.note.lower()


def test_references_cited_around_the_tables_are_linked(eisen_framework):
    linked = {
        capability.code: sorted(reference.key for reference in capability.references.all())
        for capability in eisen_framework.capabilities.prefetch_related("references")
        if capability.references.all()
    }
    assert linked["S2"] == ["gabbay-2014"]
    assert linked["A4"] == ["lucas-2015", "pereira-2018"]
    assert linked["K1"] == ["burton-2021", "kislov-2018"]
    assert eisen_framework.references.get(key="burton-2021").doi == "10.3310/hsdr09020"


def _snapshot():
    """Every row of every competencies table, history included."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("competencies").get_models(include_auto_created=True)
    }


def test_load_eisen_twice_leaves_the_database_as_after_once(capsys):
    call_command("load_eisen")
    after_once = _snapshot()
    call_command("load_eisen")
    assert _snapshot() == after_once
    assert Framework.objects.count() == 1
    assert Capability.objects.count() == 15
    assert Domain.objects.count() == 3
    assert "Knowledge: 6, Skills: 5, Attitudes: 4" in capsys.readouterr().out


def test_load_eisen_restores_text_changed_in_the_database(eisen_framework):
    Capability.objects.filter(code="K1").update(title="Edited by hand")
    call_command("load_eisen")
    assert Capability.objects.get(code="K1").title == "Interdisciplinary knowledge"
