"""The EISEN logic model as the report's "Mechanism / Reflection" table gives it."""

import json

import pytest

from evaluation.models import LogicModel, LogicModelItem, Mechanism, MechanismAssessment
from evaluation.services.logic import (
    EISEN_LOGIC_MODEL_FILE,
    eisen_logic_model_load,
    eisen_logic_model_load_summary,
    logic_item_update,
    mechanism_update,
)

pytestmark = pytest.mark.django_db

# Copied word for word from the report (EISEN Intellectual Output 5, October 2021, "EISEN Logic
# model"), its own typing errors included; paragraphs of the Reflection column in their order.
REPORT_REFLECTIONS = {
    "Implementation as a unifying concept": (
        "Implementation was the major concept in this project, and was intended to service as a "
        "boundary object, bringing different stakeholders into the project, and facilitating "
        "shared dialogue and understandings."
        "\n\n"
        "Our reflection is that for the most part this assumption was correct, certainly from the "
        "perspective of external stakeholder engagement across country contexts. Internally "
        "however, the overlap between implementation and implementation research was less easy to "
        "manage within the project. This was particularly relevant in the development of Level 7 "
        "and 8 courses, and the emphasis of completing research into implementation within "
        "doctoral degrees. A working position was that research into implementation should still "
        "create impact, requiring the development of implementation skills alongside the co-"
        "production of doctoral research to increase impact."
        "\n\n"
        "It may be that in future and related projects, the concept of impact may have broader "
        "appeal, melding the practical and knowledge-based aspects of implementation."
    ),
    "Stakeholder engagement": (
        "Reflecting the principles of co-production, and our desire to ensure the project products"
        " had maximum impact, we engaged widely with stakeholders in the following areas: The "
        "development of our overarching curriculum framework The identification of learning "
        "outcomes and content for our pilot courses The perspectives of those engaged in the pilot"
        " courses (staff and students)"
        "\n\n"
        "Our assumption that wide stakeholder engagement would ensure project success was correct,"
        " as demonstrated by the evaluations of both courses. The Karolinska Institute, Canterbury"
        " Christ Church University and the Western Norway University of Applied Sciences are all "
        "committed to delivering these courses over the next two academic years."
    ),
    "E-learning platform": (
        "Our decision to use an e-learning platform to support the delivery of our courses for "
        "international groups of students was of course helpful within the context of the COVID-19"
        " pandemic. It provided us with on-going flexibility to address the challenges of social "
        "distancing and the disruption to international travel."
        "\n\n"
        "One particular aspect of the e-learning platform that evaluated positively in both "
        "formative and summative discussions were the potential of breakout rooms. These quickly "
        "and easily facilitated very different types of networking and therefore learning, which "
        "were greatly appreciated."
    ),
    "International": (
        "Our assumption, which held to be correct, was that internal students would benefit from "
        "the international nature of the EISEN project. Feedback from students, and their hunger "
        "for activities in which they explored implementation issues together across different "
        "country, service and policy contexts, indicated this was one of the most appreciated "
        "aspects of the courses."
    ),
}

ASSUMPTIONS = {
    "Implementation as a unifying concept": (
        "Implementation was the major concept in this project, and was intended to service as a "
        "boundary object, bringing different stakeholders into the project, and facilitating "
        "shared dialogue and understandings."
    ),
    "Stakeholder engagement": "Wide stakeholder engagement would ensure project success.",
    "E-learning platform": (
        "Using an e-learning platform would support the delivery of the courses for international "
        "groups of students."
    ),
    "International": (
        "Internal students would benefit from the international nature of the EISEN project."
    ),
}


def _snapshot():
    return (
        list(LogicModel.objects.values_list("uuid", "title", "description", "revision")),
        list(LogicModelItem.objects.values_list("pk", "component", "position", "text")),
        list(Mechanism.objects.values_list("pk", "name", "position", "revision", "reflection")),
    )


def test_the_four_mechanisms_have_the_reports_names_in_the_reports_order():
    logic_model = eisen_logic_model_load()
    names = list(logic_model.mechanisms.order_by("position").values_list("name", flat=True))
    assert names == list(REPORT_REFLECTIONS)
    assert logic_model.is_example


def test_each_reflection_is_the_reports_reflection_column_word_for_word():
    eisen_logic_model_load()
    reflections = dict(Mechanism.objects.values_list("name", "reflection"))
    for name, reflection in REPORT_REFLECTIONS.items():
        assert reflections[name] == reflection, name


def test_each_assumption_is_one_sentence_drawn_from_the_report():
    eisen_logic_model_load()
    assumptions = dict(Mechanism.objects.values_list("name", "assumption"))
    assert assumptions == ASSUMPTIONS


def test_the_data_file_says_what_is_verbatim_and_what_is_drawn_from_the_report():
    data = json.loads(EISEN_LOGIC_MODEL_FILE.read_text(encoding="utf-8"))
    assert "word for word" in data["source"]["verbatim"]
    assert "restated" in data["source"]["drawn_from"]
    sources = {row["name"]: row["assumption_source"] for row in data["mechanisms"]}
    assert sources["Implementation as a unifying concept"].startswith("verbatim")
    assert all(
        source.startswith("restated from line")
        for name, source in sources.items()
        if name != "Implementation as a unifying concept"
    )
    assert all(item["source"] for items in data["items"].values() for item in items)


def test_the_items_fill_all_five_columns_with_the_reports_outputs():
    logic_model = eisen_logic_model_load()
    columns = {}
    for component, text in logic_model.items.order_by("component", "position").values_list(
        "component", "text"
    ):
        columns.setdefault(component, []).append(text)
    assert set(columns) == set(LogicModelItem.Component.values)
    assert columns["outputs"] == [
        "Implementation Science curriculum framework (Intellectual Output 1)",
        "MSc and PhD pilot courses (Intellectual Outputs 3 & 4)",
        "Project website",
        "Presentations at international conferences",
        "Book chapter on competencies for implementation and research coproduction",
    ]
    assert "Students who piloted the courses" in columns["inputs"]


def test_no_verdict_is_loaded_because_the_report_gives_none_per_phase():
    eisen_logic_model_load()
    assert not MechanismAssessment.objects.exists()


def test_loading_twice_changes_nothing():
    eisen_logic_model_load()
    before = _snapshot()
    eisen_logic_model_load()
    assert _snapshot() == before
    assert LogicModel.objects.count() == 1


def test_a_reload_keeps_the_evaluators_edits_and_brings_back_nothing_they_removed():
    logic_model = eisen_logic_model_load()
    international = logic_model.mechanisms.get(name="International")
    mechanism_update(
        mechanism=international,
        expected_revision=international.revision,
        name="International mix",
        reflection="Our own reading after the 2026 cohort.",
    )
    website = logic_model.items.get(text="Project website")
    logic_item_update(item=website, text="Project website (eisen-project.eu)")
    logic_model.items.get(
        text="Book chapter on competencies for implementation and research coproduction"
    ).delete()
    before = _snapshot()

    eisen_logic_model_load()

    assert _snapshot() == before
    assert not Mechanism.objects.filter(name="International").exists()
    assert Mechanism.objects.get(name="International mix").reflection == (
        "Our own reading after the 2026 cohort."
    )
    assert not LogicModelItem.objects.filter(text="Project website").exists()


def test_a_renamed_eisen_model_is_still_found_by_its_identifier():
    logic_model = eisen_logic_model_load()
    LogicModel.objects.filter(pk=logic_model.pk).update(title="EISEN logic model (our copy)")
    assert eisen_logic_model_load().pk == logic_model.pk
    assert LogicModel.objects.count() == 1


def test_the_summary_says_what_is_there_and_whether_it_was_already_loaded():
    assert eisen_logic_model_load_summary() == "EISEN logic model: 4 mechanisms, 19 items (loaded)"
    assert eisen_logic_model_load_summary() == (
        "EISEN logic model: 4 mechanisms, 19 items (already loaded)"
    )
