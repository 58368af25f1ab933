"""The example MSc and PhD courses that `load_eisen` adds."""

import pytest
from django.apps import apps
from django.core.management import call_command

from competencies.services.loading import eisen_framework_load
from courses.bloom import bloom_suggestion
from courses.models import (
    EMPHASIS_RANK,
    Course,
    Institution,
    LearningOutcome,
    OutcomeMapping,
    Programme,
)
from courses.services.catalogue import course_delete, course_update
from courses.services.outcomes import outcome_update
from courses.services.samples import eisen_sample_courses_load, eisen_sample_courses_load_summary

pytestmark = pytest.mark.django_db


def _snapshot():
    """Every row of every courses table, history included."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("courses").get_models(include_auto_created=True)
    }


@pytest.fixture
def samples():
    return eisen_sample_courses_load()


@pytest.fixture
def msc(samples):
    return Course.objects.get(code="EISEN-MSC-EX")


@pytest.fixture
def phd(samples):
    return Course.objects.get(code="EISEN-PHD-EX")


def test_loading_twice_leaves_the_database_as_after_once(samples):
    after_once = _snapshot()
    again = eisen_sample_courses_load()
    assert _snapshot() == after_once
    assert (again.institutions, again.programmes, again.courses, again.outcomes) == ([], [], [], [])
    assert (Institution.objects.count(), Programme.objects.count(), Course.objects.count()) == (
        3,
        2,
        2,
    )


def test_the_first_load_returns_what_it_made(samples):
    assert len(samples.institutions) == 3
    assert len(samples.programmes) == 2
    assert [course.code for course in samples.courses] == ["EISEN-MSC-EX", "EISEN-PHD-EX"]
    assert len(samples.outcomes) == LearningOutcome.objects.count() == 15
    assert len(samples.mappings) == OutcomeMapping.objects.count()


def test_the_three_partner_institutions_the_report_names(samples):
    assert set(Institution.objects.values_list("name", "country")) == {
        ("Western Norway University of Applied Sciences", "Norway"),
        ("Karolinska Institutet", "Sweden"),
        ("Canterbury Christ Church University", "United Kingdom"),
    }


def test_an_msc_course_at_eqf_7_and_a_phd_course_at_eqf_8_delivered_online(msc, phd):
    assert (msc.eqf_level, msc.programme.award, msc.programme.eqf_level) == (7, "MSc", 7)
    assert (phd.eqf_level, phd.programme.award, phd.programme.eqf_level) == (8, "PhD", 8)
    for course in (msc, phd):
        assert course.delivery_mode == Course.DeliveryMode.ONLINE
        assert course.programme.institution == course.institution
        assert course.academic_year_label == "2020/21"


def test_everything_is_marked_and_described_as_an_example(samples):
    for model in (Institution, Programme, Course):
        assert not model.objects.filter(is_example=False).exists()
    for course in Course.objects.all():
        assert "example" in course.title.lower()
        assert course.description.startswith("Example course, not a real curriculum.")
        assert "gives no learning outcomes" in course.description
    for programme in Programme.objects.all():
        assert "(example)" in programme.name


def test_each_course_has_six_to_eight_outcomes_starting_with_an_observable_verb(samples):
    for course in Course.objects.all():
        outcomes = list(course.outcomes.order_by("position"))
        assert 6 <= len(outcomes) <= 8
        assert [outcome.code for outcome in outcomes] == [
            f"LO{number}" for number in range(1, len(outcomes) + 1)
        ]
        for outcome in outcomes:
            suggestion = bloom_suggestion(outcome.text)
            assert suggestion.warning == "", outcome.text
            assert outcome.bloom_level == suggestion.level
            assert not outcome.bloom_level_chosen


def test_every_outcome_maps_to_a_capability_of_the_published_eisen_framework(samples):
    eisen = eisen_framework_load()
    assert eisen.status == eisen.Status.PUBLISHED
    assert set(Course.objects.values_list("framework", flat=True)) == {eisen.pk}
    assert not LearningOutcome.objects.filter(mappings=None).exists()
    assert set(OutcomeMapping.objects.values_list("capability__framework", flat=True)) == {eisen.pk}


def test_the_phd_course_takes_each_capability_of_the_msc_course_further(msc, phd):
    def highest(course):
        ranks = {}
        for code, emphasis in OutcomeMapping.objects.filter(outcome__course=course).values_list(
            "capability__code", "emphasis"
        ):
            ranks[code] = max(ranks.get(code, 0), EMPHASIS_RANK[emphasis])
        return ranks

    msc_ranks, phd_ranks = highest(msc), highest(phd)
    assert set(msc_ranks) <= set(phd_ranks)
    assert all(phd_ranks[code] > rank for code, rank in msc_ranks.items())
    assert set(msc_ranks.values()) <= {1, 2}
    assert 3 in phd_ranks.values()


def test_a_leads_edits_of_an_example_course_survive_a_reload(msc):
    outcome = msc.outcomes.get(code="LO1")
    outcome_update(outcome=outcome, expected_revision=outcome.revision, text="Explain CFIR.")
    OutcomeMapping.objects.filter(outcome__course=msc, capability__code="K1").delete()
    after_edit = _snapshot()
    eisen_sample_courses_load()
    assert _snapshot() == after_edit
    assert msc.outcomes.get(code="LO1").text == "Explain CFIR."


def test_an_example_course_someone_deleted_stays_deleted(msc, phd):
    course_delete(course=msc, expected_revision=msc.revision)
    made = eisen_sample_courses_load()
    assert made.courses == []
    assert list(Course.objects.values_list("code", flat=True)) == ["EISEN-PHD-EX"]


def test_renamed_examples_are_not_added_again(msc):
    course_update(course=msc, expected_revision=msc.revision, code="IMP-MSC")
    institution = msc.institution
    institution.name = "HVL"
    institution.save()
    made = eisen_sample_courses_load()
    assert (made.institutions, made.programmes, made.courses) == ([], [], [])
    assert set(Course.objects.values_list("code", flat=True)) == {"IMP-MSC", "EISEN-PHD-EX"}
    assert Institution.objects.count() == 3


def test_the_summary_says_what_was_added_and_then_that_nothing_was():
    first = eisen_sample_courses_load_summary()
    assert first.startswith("example courses EISEN-MSC-EX (EQF 7), EISEN-PHD-EX (EQF 8); added 3")
    assert "15 outcomes" in first
    assert eisen_sample_courses_load_summary() == (
        "example courses already there: EISEN-MSC-EX (EQF 7), EISEN-PHD-EX (EQF 8); nothing added"
    )


def test_load_eisen_adds_the_example_courses_once(capsys):
    call_command("load_eisen")
    call_command("load_eisen")
    assert Course.objects.filter(is_example=True).count() == 2
    assert "nothing added" in capsys.readouterr().out


def test_the_demo_course_lead_leads_the_example_courses(settings, capsys, client, msc, phd):
    settings.DEBUG = True
    call_command("create_demo_accounts")

    output = capsys.readouterr().out
    assert f"lead leads the example courses {msc.code}, {phd.code}" in output
    assert {lead.username for lead in msc.leads.all()} == {"lead"}
    assert {lead.username for lead in phd.leads.all()} == {"lead"}
