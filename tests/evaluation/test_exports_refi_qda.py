"""REFI-QDA exports: valid against the QDA-XML 1.0 schemas, stable GUIDs, positions that match."""

import datetime
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import ConsentScope, ExcerptCapability, ExcerptMechanism, Stance, Transcript
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CapabilityFactory, CourseFactory, UserFactory

SCHEMAS = Path(__file__).parent / "refi_qda"
CODEBOOK_SCHEMA = xmlschema.XMLSchema(SCHEMAS / "Codebook.xsd")
PROJECT_SCHEMA = xmlschema.XMLSchema(SCHEMAS / "Project.xsd")
CODEBOOK = {"q": "urn:QDA-XML:codebook:1.0"}
PROJECT = {"q": "urn:QDA-XML:project:1.0"}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Astral characters (one code point, two UTF-16 units) before the excerpts check the offsets.
S01_WORDS = "Åse from Tromsø 😀 said the breakout rooms worked well."
S02_WORDS = "I would rather not be quoted 🙈 but the forum was quiet."


@pytest.fixture
def codebook(db):
    learning = CodeFactory(
        name="Learning",
        position=1,
        colour="#AA3377",
        definition="What participants say they learnt.",
        include="They name something new they can do.",
        exclude="They only describe the course content.",
    )
    peers = CodeFactory(name="Peers", parent=learning, position=1)
    trust = CodeFactory(name="Trust", parent=peers)
    technology = CodeFactory(name="Technology", position=2, definition="")
    mix = MechanismFactory(name="International mix", assumption="Mixing countries helps.")
    platform = MechanismFactory(logic_model=mix.logic_model, name="E-learning platform")
    linked_capability = CapabilityFactory(code="B2.1", title="Engage stakeholders")
    unlinked_capability = CapabilityFactory(code="C3")
    peers.mechanisms.add(mix)
    trust.mechanisms.add(mix)
    technology.capabilities.add(linked_capability)
    return {
        "learning": learning,
        "peers": peers,
        "trust": trust,
        "technology": technology,
        "mix": mix,
        "platform": platform,
        "linked_capability": linked_capability,
        "unlinked_capability": unlinked_capability,
    }


@pytest.fixture
def coded(codebook, evaluator):
    course = CourseFactory(code="MSC101")
    s01 = ParticipantFactory(course=course, pseudonym="S01")
    s02 = ParticipantFactory(course=course, pseudonym="S02", consented=False)
    ConsentFactory(participant=s02, scopes=[ConsentScope.TAKE_PART, ConsentScope.TRANSCRIPTION])
    group = FocusGroupFactory(course=course, title="Cohort 1")
    transcript = TranscriptFactory(
        focus_group=group,
        turns=[("Facilitator", "Welcome — velkommen!"), (s01, S01_WORDS), (s02, S02_WORDS)],
        created_by=evaluator,
    )
    first = _excerpt(transcript, "breakout rooms worked well", evaluator, memo="Strong.")
    CodingFactory(excerpt=first, code=codebook["trust"])
    CodingFactory(excerpt=first, code=codebook["technology"])
    ExcerptMechanism.objects.create(
        excerpt=first, mechanism=codebook["platform"], stance=Stance.SUPPORTS
    )
    ExcerptCapability.objects.create(
        excerpt=first, capability=codebook["unlinked_capability"], stance=Stance.MIXED
    )
    # An evaluator's memo may repeat the words it is about.
    second = _excerpt(
        transcript, "the forum was quiet", evaluator, memo="They said “I would rather not”."
    )
    CodingFactory(excerpt=second, code=codebook["technology"])
    return {
        "course": course,
        "group": group,
        "transcript": transcript,
        "first": first,
        "second": second,
        "s01": s01,
        "s02": s02,
    }


def _excerpt(transcript, words, coder, **fields):
    start = transcript.text.index(words)
    return ExcerptFactory(
        transcript=transcript, start=start, end=start + len(words), coder=coder, **fields
    )


def _codebook(client, **params):
    response = client.get(reverse("evaluation:export_codebook"), params)
    assert response.status_code == 200, response.content[:500]
    return response.content


def _project(client, **params):
    response = client.get(reverse("evaluation:export_project"), params)
    assert response.status_code == 200, response.content[:500]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def _guid(value) -> str:
    return str(value).upper()


def test_codebook_is_valid_utf8_without_bom_with_a_declaration(evaluator_client, codebook):
    content = _codebook(evaluator_client)

    CODEBOOK_SCHEMA.validate(io.BytesIO(content))
    assert content.startswith(DECLARATION)
    assert not content.startswith(b"\xef\xbb\xbf")
    root = ET.fromstring(content)
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert root.get("origin") == "EISEN Curriculum"


def test_codebook_keeps_the_code_tree_with_guids_colours_and_descriptions(
    evaluator_client, codebook
):
    root = ET.fromstring(_codebook(evaluator_client))

    top = root.findall("q:Codes/q:Code", CODEBOOK)
    assert [code.get("name") for code in top] == ["Learning", "Technology"]
    learning = top[0]
    assert learning.get("guid") == _guid(codebook["learning"].uuid)
    assert learning.get("color") == "#AA3377"
    assert learning.get("isCodable") == "true"
    assert learning.find("q:Description", CODEBOOK).text == (
        "What participants say they learnt.\n\n"
        "Use when: They name something new they can do.\n\n"
        "Do not use when: They only describe the course content."
    )
    trust = learning.find("q:Code[@name='Peers']/q:Code[@name='Trust']", CODEBOOK)
    assert trust.get("guid") == _guid(codebook["trust"].uuid)
    assert top[1].find("q:Description", CODEBOOK) is None


def test_codebook_has_a_set_per_mechanism_and_per_capability_linked_to_codes(
    evaluator_client, codebook
):
    root = ET.fromstring(_codebook(evaluator_client))

    sets = {element.get("name"): element for element in root.findall("q:Sets/q:Set", CODEBOOK)}
    assert set(sets) == {"Mechanism: International mix", "Capability: B2.1 Engage stakeholders"}
    mix = sets["Mechanism: International mix"]
    assert mix.get("guid") == _guid(codebook["mix"].uuid)
    assert mix.find("q:Description", CODEBOOK).text == "Mixing countries helps."
    assert [member.get("guid") for member in mix.findall("q:MemberCode", CODEBOOK)] == [
        _guid(codebook["peers"].uuid),
        _guid(codebook["trust"].uuid),
    ]
    capability = sets["Capability: B2.1 Engage stakeholders"]
    assert capability.get("guid") == _guid(codebook["linked_capability"].uuid)
    assert [m.get("guid") for m in capability.findall("q:MemberCode", CODEBOOK)] == [
        _guid(codebook["technology"].uuid)
    ]


@pytest.mark.parametrize("as_code_branch", ["", "on"])
def test_codebook_and_project_have_no_set_without_member_codes(
    evaluator_client, codebook, coded, as_code_branch
):
    codebook_content = _codebook(evaluator_client, as_code_branch=as_code_branch)
    project_content = _project(evaluator_client, as_code_branch=as_code_branch)["project.qde"]

    for content, namespaces in ((codebook_content, CODEBOOK), (project_content, PROJECT)):
        sets = ET.fromstring(content).findall("q:Sets/q:Set", namespaces)
        assert [s.get("name") for s in sets] == [
            "Mechanism: International mix",
            "Capability: B2.1 Engage stakeholders",
        ]
        assert all(s.findall("q:MemberCode", namespaces) for s in sets)


def test_codebook_and_project_without_codes_linked_to_mechanisms_have_no_sets_element(
    evaluator_client, evaluator
):
    MechanismFactory(name="Linked to no code")
    code = CodeFactory(name="Only code")
    participant = ParticipantFactory(pseudonym="S01")
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=participant.course),
        turns=[(participant, "The forum helped.")],
    )
    CodingFactory(excerpt=ExcerptFactory(transcript=transcript, coder=evaluator), code=code)

    codebook = _codebook(evaluator_client, as_code_branch="on")
    project = _project(evaluator_client, as_code_branch="on")["project.qde"]

    CODEBOOK_SCHEMA.validate(io.BytesIO(codebook))
    PROJECT_SCHEMA.validate(io.BytesIO(project))
    for content in (codebook, project):
        assert b"<Sets" not in content
        # The mechanism is still there as a code of the branch.
        assert b'name="Linked to no code"' in content

    content = _codebook(evaluator_client)

    CODEBOOK_SCHEMA.validate(io.BytesIO(content))
    assert b"<Sets" not in content


def test_codebook_as_code_branch_adds_mechanisms_and_capabilities_as_codes(
    evaluator_client, codebook
):
    content = _codebook(evaluator_client, as_code_branch="on")

    CODEBOOK_SCHEMA.validate(io.BytesIO(content))
    root = ET.fromstring(content)
    top = {code.get("name"): code for code in root.findall("q:Codes/q:Code", CODEBOOK)}
    assert list(top) == ["Learning", "Technology", "Mechanisms", "Capabilities"]
    assert top["Mechanisms"].get("isCodable") == "false"
    assert [code.get("name") for code in top["Mechanisms"].findall("q:Code", CODEBOOK)] == [
        "International mix",
        "E-learning platform",
    ]
    assert [code.get("name") for code in top["Capabilities"].findall("q:Code", CODEBOOK)] == [
        "B2.1 Engage stakeholders"
    ]
    assert root.find("q:Sets", CODEBOOK) is not None
    guids = [
        element.get("guid")
        for element in root.iter()
        if element.tag.rsplit("}", 1)[1] in ("Code", "Set")
    ]
    # 4 codes; 2 branches holding 2 mechanisms and 1 capability; 2 sets.
    assert len(guids) == len(set(guids)) == 11


def test_codebook_guids_are_the_same_in_every_export(
    evaluator_client, administrator_client, codebook
):
    first = _codebook(evaluator_client, as_code_branch="on")

    assert _codebook(administrator_client, as_code_branch="on") == first


def test_empty_codebook_is_refused_with_what_to_do(evaluator_client, db):
    response = evaluator_client.get(reverse("evaluation:export_codebook"))

    assert response.status_code == 409
    assert "The codebook has no codes yet" in response.content.decode()


def test_project_is_a_valid_qdpx_with_the_transcripts_as_utf8_sources(evaluator_client, coded):
    files = _project(evaluator_client)

    source_name = f"sources/{_guid(coded['transcript'].uuid)}.txt"
    assert set(files) == {"project.qde", source_name}
    project = files["project.qde"]
    PROJECT_SCHEMA.validate(io.BytesIO(project))
    assert project.startswith(DECLARATION)
    assert not files[source_name].startswith(b"\xef\xbb\xbf")
    withheld = "[withheld]".ljust(len(S02_WORDS))
    assert files[source_name].decode("utf-8") == coded["transcript"].text.replace(
        S02_WORDS, withheld
    )
    root = ET.fromstring(project)
    source = root.find("q:Sources/q:TextSource", PROJECT)
    assert source.get("plainTextPath") == f"internal://{_guid(coded['transcript'].uuid)}.txt"
    assert root.get("name") == "EISEN evaluation: MSC101"


def test_project_selections_are_at_the_code_point_offsets_of_the_quotes(evaluator_client, coded):
    files = _project(evaluator_client)
    text = next(content for name, content in files.items() if name.startswith("sources/"))
    text = text.decode("utf-8")
    root = ET.fromstring(files["project.qde"])

    selections = root.findall("q:Sources/q:TextSource/q:PlainTextSelection", PROJECT)
    quotes = {
        selection.get("guid"): text[
            int(selection.get("startPosition")) : int(selection.get("endPosition"))
        ]
        for selection in selections
    }
    assert quotes[_guid(coded["first"].uuid)] == "breakout rooms worked well"
    # S02 may not be quoted: their selection keeps its place, over the mask of their words.
    second = coded["second"]
    s02_start = coded["transcript"].text.index(S02_WORDS)
    mask = "[withheld]".ljust(len(S02_WORDS))
    assert quotes[_guid(second.uuid)] == mask[second.start - s02_start : second.end - s02_start]
    assert set(quotes) == {_guid(coded["first"].uuid), _guid(second.uuid)}


NOT_QUOTABLE_FRAGMENTS = ["I would rather not", "🙈", "forum", "quiet"]


@pytest.mark.parametrize(
    "params", [{}, {"as_code_branch": "on", "include_all_coders": "on"}], ids=["plain", "all"]
)
def test_project_words_of_participants_without_quote_consent_are_in_no_file(
    evaluator_client, coded, params
):
    files = _project(evaluator_client, **params)

    PROJECT_SCHEMA.validate(io.BytesIO(files["project.qde"]))
    for name, content in files.items():
        text = content.decode("utf-8")
        for fragment in NOT_QUOTABLE_FRAGMENTS:
            assert fragment not in text, (name, fragment)
    source = files[f"sources/{_guid(coded['transcript'].uuid)}.txt"].decode("utf-8")
    assert S01_WORDS in source
    assert "Welcome — velkommen!" in source


def test_project_withholds_uncoded_turns_and_turns_after_a_withdrawal(evaluator_client, coded):
    withdrawn = ParticipantFactory(course=coded["course"], pseudonym="S03")
    ConsentFactory(
        participant=withdrawn,
        given_on=datetime.date(2026, 6, 1),
        withdrawn_on=datetime.date(2026, 6, 10),
        withdrawn_scopes=[ConsentScope.VERBATIM_QUOTES],
    )
    silent = ParticipantFactory(course=coded["course"], pseudonym="S04", consented=False)
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=coded["course"], title="Cohort 2"),
        turns=[
            (coded["s01"], "Quotable words."),
            (withdrawn, "Words taken back later."),
            (silent, "Words never consented."),
        ],
    )

    files = _project(evaluator_client, focus_groups=[str(transcript.focus_group.uuid)])

    source = files[f"sources/{_guid(transcript.uuid)}.txt"].decode("utf-8")
    assert len(source) == len(transcript.text)
    assert "Quotable words." in source
    assert "taken back" not in source
    assert "never consented" not in source
    assert source.count("[withheld]") == 2


def test_project_says_in_the_cases_sources_and_description_whose_words_are_withheld(
    evaluator_client, coded
):
    root = ET.fromstring(_project(evaluator_client)["project.qde"])

    cases = {case.get("name"): case for case in root.findall("q:Cases/q:Case", PROJECT)}
    assert "withheld" not in cases["S01"].find("q:Description", PROJECT).text
    assert "their words are withheld" in cases["S02"].find("q:Description", PROJECT).text
    source = root.find("q:Sources/q:TextSource/q:Description", PROJECT).text
    assert "Withheld (no consent for verbatim quotes): S02." in source
    assert "[withheld]" in root.find("q:Description", PROJECT).text


def test_project_codings_refer_to_codes_and_users_of_the_project(evaluator_client, codebook, coded):
    root = ET.fromstring(_project(evaluator_client)["project.qde"])

    code_guids = {code.get("guid") for code in root.iter("{urn:QDA-XML:project:1.0}Code")}
    users = {user.get("guid"): user.get("name") for user in root.findall("q:Users/q:User", PROJECT)}
    first = root.find(
        f"q:Sources/q:TextSource/q:PlainTextSelection[@guid='{_guid(coded['first'].uuid)}']",
        PROJECT,
    )
    targets = [ref.get("targetGUID") for ref in first.findall("q:Coding/q:CodeRef", PROJECT)]
    assert targets == [_guid(codebook["trust"].uuid), _guid(codebook["technology"].uuid)]
    assert set(targets) <= code_guids
    assert users[first.get("creatingUser")] == "evaluator"
    assert users[root.get("creatingUserGUID")] == "evaluator"
    description = first.find("q:Description", PROJECT).text
    assert "Mechanism: E-learning platform (Supports)" in description
    assert "Memo: Strong." in description
    sets = root.findall("q:Sets/q:Set", PROJECT)
    assert {
        member.get("targetGUID") for s in sets for member in s.findall("q:MemberCode", PROJECT)
    } <= code_guids


def test_project_cases_say_who_may_be_quoted(evaluator_client, coded):
    root = ET.fromstring(_project(evaluator_client)["project.qde"])

    cases = {case.get("name"): case for case in root.findall("q:Cases/q:Case", PROJECT)}
    assert set(cases) == {"S01", "S02"}
    assert cases["S01"].get("guid") == _guid(coded["s01"].uuid)
    assert "May be quoted verbatim" in cases["S01"].find("q:Description", PROJECT).text
    assert "Must NOT be quoted" in cases["S02"].find("q:Description", PROJECT).text
    assert [ref.get("targetGUID") for ref in cases["S02"].findall("q:SelectionRef", PROJECT)] == [
        _guid(coded["second"].uuid)
    ]


def test_project_guids_are_stable_across_exports(evaluator_client, coded):
    def guids():
        content = _project(evaluator_client)["project.qde"]
        return re.findall(rb'(?:guid|GUID|User)="([0-9A-F-]{36})"', content), content

    first, first_content = guids()
    second, second_content = guids()

    assert first == second
    assert len(first) > 10
    without_time = re.compile(rb' creationDateTime="[^"]+"| on \d{4}-\d\d-\d\d')
    assert without_time.sub(b"", first_content) == without_time.sub(b"", second_content)


def test_project_as_code_branch_codes_the_linked_excerpts_with_branch_codes(
    evaluator_client, codebook, coded
):
    content = _project(evaluator_client, as_code_branch="on")["project.qde"]

    PROJECT_SCHEMA.validate(io.BytesIO(content))
    root = ET.fromstring(content)
    branches = {
        code.get("name"): {
            child.get("name"): child.get("guid") for child in code.findall("q:Code", PROJECT)
        }
        for code in root.findall("q:CodeBook/q:Codes/q:Code", PROJECT)
        if code.get("isCodable") == "false"
    }
    linked_to_excerpt_only = f"C3 {codebook['unlinked_capability'].title}"
    assert set(branches["Capabilities"]) == {"B2.1 Engage stakeholders", linked_to_excerpt_only}
    assert "Capability: " + linked_to_excerpt_only not in content.decode()
    first = root.find(
        f"q:Sources/q:TextSource/q:PlainTextSelection[@guid='{_guid(coded['first'].uuid)}']",
        PROJECT,
    )
    targets = {ref.get("targetGUID") for ref in first.findall("q:Coding/q:CodeRef", PROJECT)}
    assert branches["Mechanisms"]["E-learning platform"] in targets
    assert branches["Capabilities"][linked_to_excerpt_only] in targets
    assert branches["Mechanisms"]["International mix"] not in targets


def test_project_takes_only_the_chosen_focus_groups_current_transcripts(
    evaluator_client, evaluator, coded
):
    other = TranscriptFactory(focus_group=FocusGroupFactory(course=coded["course"]))
    old = coded["transcript"]
    Transcript.objects.filter(pk=old.pk).update(is_current=False)
    current = TranscriptFactory(focus_group=coded["group"], version=2, previous=old, text=old.text)

    files = _project(evaluator_client, focus_groups=[str(coded["group"].uuid)])

    assert set(files) == {"project.qde", f"sources/{_guid(current.uuid)}.txt"}
    assert f"{_guid(other.uuid)}.txt" not in str(files)
    PROJECT_SCHEMA.validate(io.BytesIO(files["project.qde"]))
    assert b"PlainTextSelection" not in files["project.qde"]


def test_project_leaves_out_excerpts_not_counted_unless_all_coders_are_asked_for(
    evaluator_client, coded
):
    draft = _excerpt(
        coded["transcript"], "Åse from Tromsø", UserFactory(username="second"), in_analysis=False
    )

    default = _project(evaluator_client)["project.qde"]
    everyone = _project(evaluator_client, include_all_coders="on")["project.qde"]

    assert _guid(draft.uuid).encode() not in default
    assert _guid(draft.uuid).encode() in everyone
    PROJECT_SCHEMA.validate(io.BytesIO(everyone))
    users = {u.get("name") for u in ET.fromstring(everyone).findall("q:Users/q:User", PROJECT)}
    assert users == {"evaluator", "second"}


def test_project_of_focus_groups_without_a_transcript_is_refused(evaluator_client, db):
    group = FocusGroupFactory(title="Not transcribed")

    response = evaluator_client.get(
        reverse("evaluation:export_project"), {"focus_groups": [str(group.uuid)]}
    )

    assert response.status_code == 400
    assert "No focus group of this choice has a transcript yet" in response.content.decode()


def test_project_refuses_focus_groups_of_another_course_by_title(evaluator_client, coded):
    stray = FocusGroupFactory(title="Elsewhere")

    response = evaluator_client.get(
        reverse("evaluation:export_project"),
        {"course": str(coded["course"].uuid), "focus_groups": [str(stray.uuid)]},
    )

    assert response.status_code == 400
    assert "Not focus groups of MSC101: Elsewhere." in response.content.decode()


def _coded_transcript(size, evaluator, codes, mechanism):
    course = CourseFactory()
    participants = [
        ParticipantFactory(course=course, pseudonym=f"S{n:02d}", consented=n % 3 != 0)
        for n in range(1, size + 1)
    ]
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course),
        turns=[(participant, f"Words of {participant}.") for participant in participants],
        created_by=UserFactory(),
    )
    for number, utterance in enumerate(transcript.utterances.all()):
        excerpt = ExcerptFactory(
            transcript=transcript, start=utterance.start, end=utterance.end, coder=UserFactory()
        )
        CodingFactory(excerpt=excerpt, code=codes[number % len(codes)])
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance=Stance.MIXED)
        ExcerptCapability.objects.create(
            excerpt=excerpt, capability=CapabilityFactory(), stance=Stance.MIXED
        )


def _project_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evaluation:export_project"), {"as_code_branch": "on"})
    assert response.status_code == 200
    return len(queries)


def test_project_costs_the_same_queries_for_5_and_50_excerpts(evaluator_client, codebook):
    codes = [codebook["trust"], codebook["technology"]]
    _coded_transcript(5, UserFactory(), codes, codebook["mix"])
    small = _project_queries(evaluator_client)
    for _group in range(3):
        _coded_transcript(15, UserFactory(), codes, codebook["platform"])

    assert _project_queries(evaluator_client) == small
