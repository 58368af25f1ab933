"""Moodle competency framework CSV files (tool_lpimportcsv): reading, writing, round trips.

moodle_lpimportcsv_example_OECD.csv is Moodle's own test file for the tool
(admin/tool/lpimportcsv/tests/fixtures/example.csv, GNU GPL v3 or later): the OECD Core
Competency Framework, every line break CRLF. moodle_tangled.csv was written for these tests.
"""

import csv
import io
from pathlib import Path

import pytest

from competencies.interchange.content import framework_content
from competencies.interchange.imported import ImportRefused
from competencies.interchange.moodle import moodle_framework_csv, moodle_framework_read
from competencies.models import Capability, CapabilityAssociation, Domain, Framework
from competencies.services.importing import framework_import
from tests.factories import (
    CapabilityAssociationFactory,
    CapabilityFactory,
    DomainFactory,
    FrameworkFactory,
    LevelDescriptorFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
OECD = DATA / "moodle_lpimportcsv_example_OECD.csv"
TANGLED = DATA / "moodle_tangled.csv"
HEADER = OECD.read_bytes().split(b"\r\n", 1)[0]
FRAMEWORK_ROW = b',fw,Framework,"<p>A framework.</p>",1,,,,,,,,1,'


def _read(data: bytes, name="framework.csv"):
    return moodle_framework_read(data, source_name=name)


def _import(data: bytes, name="framework.csv") -> Framework:
    return framework_import(imported=_read(data, name))


def _lines(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


def _counts() -> tuple:
    return tuple(
        model.objects.count() for model in (Framework, Domain, Capability, CapabilityAssociation)
    )


def _refused(data: bytes) -> list:
    """The problems of a refused file, checking that the refusal wrote nothing."""
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        _import(data)
    assert _counts() == before
    return refused.value.problems


def _read_shape(imported) -> dict:
    return {
        "framework": (imported.title, imported.description, imported.source),
        "nodes": [
            (node.key, node.code, node.parent, node.title, node.description)
            for node in imported.nodes
        ],
        "links": [
            (link.origin, link.association_type, link.destination) for link in imported.links
        ],
        "report": [str(problem) for problem in imported.report],
    }


def _stored(framework: Framework) -> dict:
    """What a framework holds that a Moodle file carries, in the framework's order."""
    content = framework_content(framework)
    return {
        "domains": [(domain.code, domain.name, domain.description) for domain in content.domains],
        "capabilities": [
            (
                capability.code,
                capability.title,
                capability.description,
                capability.domain.code,
                capability.parent.code if capability.parent else None,
                capability.depth,
            )
            for capability in content.capabilities
        ],
        "links": [
            (link.origin.code, link.association_type, link.destination.code)
            for link in content.associations
        ],
    }


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _letters(column_name: str) -> str:
    """A column's name as Moodle 3.3 and today's Moodle both spell it."""
    return "".join(character for character in column_name.lower() if character.isalpha())


def _children(framework: Framework, code: str) -> list[str]:
    parent = framework.capabilities.get(code=code)
    return list(parent.children.order_by("position").values_list("code", flat=True))


# Reading Moodle's own file


def test_oecd_file_becomes_two_domains_with_62_capabilities_four_levels_deep():
    imported = _read(OECD.read_bytes(), "example.csv")
    assert len(imported.nodes) == 64
    assert imported.depth() == 4
    assert [node.key for node in imported.top_level] == ["levels", "competencies"]

    framework = _import(OECD.read_bytes(), "example.csv")

    assert framework.title == "OECD"
    assert framework.status == Framework.Status.DRAFT
    assert framework.source == (
        "Moodle competency framework CSV “example.csv”, framework ID number OECD-CORE"
    )
    assert list(framework.domains.order_by("position").values_list("code", flat=True)) == [
        "levels",
        "competencies",
    ]
    assert framework.capabilities.count() == 62
    indicator = framework.capabilities.get(code="DR-AT1")
    assert indicator.title == "Distinguishes between critical and irrelevant pieces of information"
    assert (indicator.parent.code, indicator.parent.parent.code) == (
        "analytical-thinking",
        "delivery",
    )
    assert indicator.parent.parent.parent is None
    assert indicator.domain.code == "competencies"
    assert _children(framework, "delivery") == [
        "analytical-thinking",
        "acheivement-focus",
        "drafting-skills",
        "flexible-thinking",
        "managing-resources",
        "teamwork",
    ]


def test_oecd_cross_references_listed_on_both_sides_give_one_related_link_each():
    framework = _import(OECD.read_bytes())

    links = CapabilityAssociation.objects.filter(origin__framework=framework)
    assert links.count() == 39
    assert set(links.values_list("association_type", flat=True)) == {"isRelatedTo"}
    assert set(links.values_list("origin__code", flat=True)) == {"level-1"}
    destinations = set(links.values_list("destination__code", flat=True))
    assert {"DR-AT1", "I-N-3", "S-ST-1"} <= destinations
    assert "level-1" not in destinations


def test_oecd_html_descriptions_become_plain_text_with_their_bullets_and_line_breaks():
    framework = _import(OECD.read_bytes())

    assert framework.description == (
        "The Core Competencies summarise the capabilities that are important across all jobs "
        "and that we believe collectively contribute to the OECD\u2019s overall success. At the "
        "same time, the importance of Core Competencies may vary according to the specific job "
        "duties and requirements. The OECD Competency Framework displays fifteen Core Competencies "
        "grouped into three clusters.\n"
        "\n"
        "• The delivery-related competencies\n"
        "• The interpersonal competencies\n"
        "• The strategic competencies"
    )
    assert framework.capabilities.get(code="analytical-thinking").description == (
        "Analytical Thinking is the ability to identify patterns across situations that are not "
        "obviously related, and to identify key or underlying issues in complex situations."
    )
    texts = [*Capability.objects.values_list("description", flat=True)]
    texts += Domain.objects.values_list("description", flat=True)
    assert not any("<" in text or "&" in text for text in texts)


def test_oecd_report_says_once_each_what_moodle_has_and_is_not_kept():
    imported = _read(OECD.read_bytes())

    assert [str(problem) for problem in imported.report] == [
        "line 2: the scale “Not yet competent, Competent” and its configuration are not kept",
        (
            "line 2: the taxonomy “competency, competency, competency, competency” (Moodle's name "
            "for each level) is not kept"
        ),
        (
            "lines 2 to 207: 64 descriptions were HTML, reduced to plain text: paragraphs, line "
            "breaks and list items are kept as lines, other formatting is not"
        ),
        (
            "lines 7 to 207: the exported ids of 64 rows are not kept (Moodle uses them only to "
            "carry completion rules over)"
        ),
    ]


def _lf_only(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def _delimited(delimiter: str):
    def rewritten(data: bytes) -> bytes:
        output = io.StringIO()
        writer = csv.writer(output, delimiter=delimiter, lineterminator="\r\n")
        writer.writerows(_csv_rows(data.decode()))
        text = output.getvalue()
        assert text.startswith(delimiter.join(["Parent id number", "Id number", "Shortname"]))
        return text.encode()

    return rewritten


def _with_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


@pytest.mark.parametrize(
    "variant",
    [
        _lf_only,
        _delimited(";"),
        _delimited("\t"),
        _with_bom,
        lambda data: _with_bom(_lf_only(_delimited(";")(data))),
    ],
    ids=["lf-only", "semicolons", "tabs", "bom", "bom-lf-semicolons"],
)
def test_line_endings_delimiter_and_byte_order_mark_make_no_difference(variant):
    expected = _read_shape(_read(OECD.read_bytes()))

    shape = _read_shape(_read(variant(OECD.read_bytes())))

    assert shape == expected
    assert "\ufeff" not in repr(shape)


# Reading what is odd


def test_rows_in_any_order_build_the_tree_and_what_is_odd_is_reported():
    imported = _read(TANGLED.read_bytes(), "tangled.csv")
    framework = framework_import(imported=imported)

    assert list(framework.domains.order_by("position").values_list("code", flat=True)) == [
        "communication",
        "orphan",
    ]
    top = framework.capabilities.filter(parent=None).order_by("position")
    assert list(top.values_list("code", "title")) == [
        ("listening", "Listening"),
        ("empathy", "Empathy"),
        ("communication.3", "Unnamed skill"),
        ("rated", "Rated skill"),
    ]
    assert {capability.domain.code for capability in top} == {"communication"}
    assert list(
        CapabilityAssociation.objects.values_list(
            "origin__code", "association_type", "destination__code"
        )
    ) == [("listening", "isRelatedTo", "empathy")]
    assert [str(problem) for problem in imported.report] == [
        "line 2: the scale “Novice, Competent, Expert” and its configuration are not kept",
        "line 2: the taxonomy “domain, skill” (Moodle's name for each level) is not kept",
        (
            "line 8: it has no ID number, so no other row can name it as parent or "
            "cross-reference; it was taken all the same, with a code made up for it"
        ),
        (
            "lines 2 to 6: 2 descriptions were HTML, reduced to plain text: paragraphs, line "
            "breaks and list items are kept as lines, other formatting is not"
        ),
        "line 9: the scale “Poor, Good” of 1 competency and its configuration are not kept",
        (
            "line 9: the completion rule core_competency\\competency_rule_all of 1 competency is "
            "not kept"
        ),
        (
            "lines 3 to 9: the exported ids of 6 rows are not kept (Moodle uses them only to carry "
            "completion rules over)"
        ),
        "line 7: its parent gone is not in the file; it was placed at the top level",
        "line 8: it has no code; it was given communication.3",
        "line 3: isRelatedTo link not taken: nowhere is not in the file",
    ]


def test_each_description_format_is_read_as_moodle_shows_it():
    framework = _import(TANGLED.read_bytes())

    assert framework.description == "Working with people & their families."
    descriptions = dict(framework.capabilities.values_list("code", "description"))
    assert descriptions["listening"] == "Hears what is said\nand what is not."  # auto-format
    assert descriptions["empathy"] == "Feels **with** others."  # Markdown
    assert descriptions["rated"] == ""
    assert framework.domains.get(code="communication").description == "• Speaking\n• Listening"
    assert framework.domains.get(code="orphan").description == "Its parent is not in this file."


def test_html_lists_links_and_entities_are_read_as_text():
    description = (
        "<h3>Steps</h3><ol><li>Ask&nbsp;first</li><li>Then <strong>listen</strong></li></ol>"
        '<p>See <a href="https://example.org/guide">the guide</a> or '
        '<a href="mailto:team@example.org">team@example.org</a> &amp; 5 &lt; 6.</p>'
    )
    data = _lines(
        HEADER,
        FRAMEWORK_ROW,
        b",top,Top,,1,,,,0,null,,1,,",
        b'top,steps,Steps,"' + description.replace('"', '""').encode() + b'",1,,,,0,null,,2,,',
        b"top,odd,Odd,Some text,3,,,,0,null,,3,,",
    )

    imported = _read(data)
    framework = framework_import(imported=imported)

    assert framework.capabilities.get(code="steps").description == (
        "Steps\n"
        "\n"
        "1. Ask first\n"
        "2. Then listen\n"
        "\n"
        "See the guide (https://example.org/guide) or team@example.org & 5 < 6."
    )
    assert framework.capabilities.get(code="odd").description == "Some text"
    assert (
        "line 5: the description format 3 is not one of Moodle's (0, 1, 2 or 4); "
        "1 description was read as Moodle auto-format"
    ) in map(str, imported.report)


def test_no_tag_from_the_file_is_kept_and_what_was_dropped_is_reported():
    script = '<script>alert("x")</script><img src="x" onerror="alert(1)">'
    rows = [
        ["", "fw", f"<b>Safe</b> {script}", f"<p>Framework</p>{script}", "1"],
        ["", "top", f"<i>Top</i>{script}", f"Auto <em>format</em>\nsecond line{script}", "0"],
        ["top", "child", "Child", f"**Markdown** <u>text</u>{script}", "4"],
        ["top", "link", "Link", '<a href="javascript:alert(3)">click</a>', "1"],
    ]
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(_csv_rows(HEADER.decode())[0])
    for index, (parent, id_number, name, description, description_format) in enumerate(rows):
        is_framework = "1" if index == 0 else ""
        writer.writerow(
            [parent, id_number, name, description, description_format]
            + [""] * 7
            + [is_framework, ""]
        )

    imported = _read(output.getvalue().encode())
    framework = framework_import(imported=imported)

    texts = [framework.title, framework.description]
    texts += [
        text for domain in framework.domains.all() for text in (domain.name, domain.description)
    ]
    for capability in framework.capabilities.all():
        texts += [capability.title, capability.description]
    assert texts == [
        "Safe",
        "Framework",
        "Top",
        "Auto format\nsecond line",
        "Child",
        "**Markdown** text",
        "Link",
        "click",
    ]
    assert [str(problem) for problem in imported.report if "not kept from" in str(problem)] == [
        "line 2: not kept from its short name: images, scripts",
        "line 2: not kept from its description: images, scripts",
        "line 3: not kept from its short name: images, scripts",
        "line 3: not kept from its description: images, scripts",
        "line 5: not kept from its description: images, scripts",
    ]


# Refusals


@pytest.mark.parametrize("width", [12, 15])
def test_a_row_of_another_width_is_refused_naming_the_line_it_starts_on(width):
    row = b'top,child,Child,"a description over\ntwo lines",1' + b"," * (width - 5)
    data = _lines(HEADER, FRAMEWORK_ROW, b",top,Top,,1,,,,0,null,,1,,", row)

    problems = _refused(data)

    assert [problem.where for problem in problems] == ["line 4"]
    assert f"has {width} columns" in problems[0].message
    assert "has 14" in problems[0].message
    assert "12-column files of the old stand-alone tool_lpimportcsv plugin" in problems[0].message


def test_rows_of_another_width_are_listed_ten_at_most():
    rows = [b"top;child%d;Child;;1;;;;0;null;;%d;;" % (number, number) for number in range(12)]

    problems = _refused(_lines(HEADER, FRAMEWORK_ROW, *rows))

    assert [problem.where for problem in problems[:-1]] == [f"line {n}" for n in range(3, 13)]
    assert problems[0].message.startswith("this row has 1 column;")
    assert str(problems[-1]) == "and 2 more rows as well"


def test_a_file_that_is_not_utf8_is_refused_naming_the_line():
    row = ',top,"Top","<p>It\x92s here</p>",1,,,,0,null,,1,,'.encode("latin-1")
    data = _lines(HEADER, FRAMEWORK_ROW, b",first,First,,1,,,,0,null,,1,,", row)

    problems = _refused(data)

    assert [problem.where for problem in problems] == ["line 4"]
    assert "not UTF-8" in problems[0].message
    assert "0x92" in problems[0].message


def test_a_utf16_file_is_refused():
    problems = _refused(OECD.read_bytes().decode().encode("utf-16-le"))

    assert [problem.where for problem in problems] == ["line 1"]
    assert "not a CSV text file" in problems[0].message


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"], ids=["nothing", "bom", "blank"]
)
def test_an_empty_file_is_refused(data):
    problems = _refused(data)

    assert [str(problem) for problem in problems] == ["line 1: the file is empty"]


def test_a_file_with_only_the_column_names_is_refused():
    problems = _refused(_lines(HEADER))

    assert [problem.where for problem in problems] == ["line 1"]
    assert "nothing after the column names" in problems[0].message


def test_a_file_without_the_framework_row_is_refused():
    data = _lines(HEADER, b",top,Top,,1,,,,0,null,,1,,", b"top,child,Child,,1,,,,0,null,,2,,")

    problems = _refused(data)

    assert [problem.where for problem in problems] == ["lines 2 to 3"]
    assert "no row is the framework's own row" in problems[0].message


def test_a_file_without_its_column_names_is_refused():
    problems = _refused(_lines(FRAMEWORK_ROW, b",top,Top,,1,,,,0,null,,1,,"))

    assert [problem.where for problem in problems] == ["line 1"]
    assert "the first line must hold the column names" in problems[0].message


def test_a_quote_never_closed_is_refused_naming_the_line_it_opens_on():
    data = _lines(HEADER, FRAMEWORK_ROW, b',top,Top,"never closed,1,,,,0,null,,1,,', b",x,X")

    problems = _refused(data)

    assert [problem.where for problem in problems] == ["line 3"]
    assert "never closed" in problems[0].message


def test_an_id_number_used_twice_is_refused_naming_both_lines():
    data = _lines(
        HEADER, FRAMEWORK_ROW, b",top,Top,,1,,,,0,null,,1,,", b"top,top,Again,,1,,,,0,null,,2,,"
    )

    problems = _refused(data)

    assert [str(problem) for problem in problems] == [
        "line 4: the identifier top is used again (first at line 3)"
    ]


# Writing


def test_export_has_moodles_columns_a_framework_row_and_one_row_per_item(eisen_framework):
    rows = _csv_rows(moodle_framework_csv(eisen_framework))
    oecd = _csv_rows(OECD.read_text(encoding="utf-8"))

    assert rows[0][:3] == ["Parent ID number", "ID number", "Short name"]
    assert [_letters(name) for name in rows[0]] == [_letters(name) for name in oecd[0]]
    assert {len(row) for row in rows} == {14}
    assert len(rows) == 1 + 1 + 3 + 15
    assert rows[1] == [
        "",
        "eisen-competency-framework-1.0",
        "EISEN Competency Framework",
        eisen_framework.description,
        "2",
        "Not yet competent,Competent",
        oecd[1][6],
        "",
        "",
        "",
        "",
        "",
        "1",
        "domain,competency",
    ]
    by_id_number = {row[1]: row for row in rows[2:]}
    knowledge = eisen_framework.domains.get(code="K")
    assert by_id_number["K"] == [
        *("", "K", "Knowledge", knowledge.description, "2"),
        *("", "", "", "0", "null", "", "", "", ""),
    ]
    assert [row[1] for row in rows[2:9]] == ["K", "K1", "K2", "K3", "K4", "K5", "K6"]
    assert by_id_number["K5"][0] == "K"
    assert by_id_number["S2"][10] == "A3"
    assert by_id_number["A3"][10] == ""


def test_oecd_moodle_to_moodle_round_trip_keeps_everything_a_moodle_file_carries():
    first = _import(OECD.read_bytes())

    imported = _read(moodle_framework_csv(first).encode())
    second = framework_import(imported=imported)

    assert _stored(second) == _stored(first)
    assert len(_stored(second)["links"]) == 39
    assert [problem.message for problem in imported.report] == [
        "the scale “Not yet competent, Competent” and its configuration are not kept",
        (
            "the taxonomy “domain, competency, competency, competency” (Moodle's name for each "
            "level) is not kept"
        ),
    ]


def test_eisen_to_moodle_and_back_keeps_codes_titles_descriptions_tree_order_and_links(
    eisen_framework,
):
    copy = _import(moodle_framework_csv(eisen_framework).encode())

    assert _stored(copy) == _stored(eisen_framework)
    assert _stored(copy)["links"] == [("S2", "isRelatedTo", "A3")]
    assert copy.title == eisen_framework.title
    assert copy.description == eisen_framework.description


def test_deeper_tree_round_trip_and_what_moodle_cannot_carry():
    framework = FrameworkFactory(draft=True)
    knowledge = DomainFactory(framework=framework, code="K", name="Knowledge", position=0)
    skills = DomainFactory(framework=framework, code="S", name="Skills", position=1)
    same_code = CapabilityFactory(domain=knowledge, code="K", title="Knowing", position=0)
    child = CapabilityFactory(domain=knowledge, parent=same_code, code="K.1", position=0)
    grandchild = CapabilityFactory(
        domain=knowledge,
        parent=child,
        code="K.1.a",
        description='Two lines, "quoted";\nthe second keeps <b>this</b> as text.',
        position=0,
    )
    comma = CapabilityFactory(domain=skills, code="S,1", title="Comma, in code", position=0)
    later = CapabilityFactory(domain=skills, code="S2", position=1)
    CapabilityAssociationFactory(origin=grandchild, destination=comma)
    CapabilityAssociationFactory(
        origin=same_code, destination=later, association_type=CapabilityAssociation.Type.PRECEDES
    )
    LevelDescriptorFactory(capability=child)

    text = moodle_framework_csv(framework)
    copy = _import(text.encode())

    rows = _csv_rows(text)
    assert rows[1][13] == "domain,competency,competency,competency"
    assert [row[:2] for row in rows[2:5]] == [["", "K-domain"], ["K-domain", "K"], ["K", "K.1"]]
    assert rows[5][10] == "S%2C1"
    expected = _stored(framework)
    expected["domains"][0] = ("K-domain", *expected["domains"][0][1:])
    expected["capabilities"] = [
        (*capability[:3], "K-domain" if capability[3] == "K" else capability[3], *capability[4:])
        for capability in expected["capabilities"]
    ]
    expected["links"] = [("K.1.a", "isRelatedTo", "S,1")]
    assert _stored(copy) == expected
    copied = copy.capabilities.get(code="K.1")
    assert (copied.relevance, copied.level_descriptors.count()) == ("", 0)
