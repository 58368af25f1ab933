"""`manage.py export_curriculum`: the PDF written whole with its pages, size and checksum printed,
and every bad option refused with a message naming it, before anything is written.

The curriculum is the one of tests.courses.curriculum_pdf_support (IMP101, IMP102 and IMP103 of
"MSc Implementation Science" on the EISEN framework; OTH100 on another framework).
"""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from tests.courses import curriculum_pdf_support
from tests.factories import CourseFactory, FrameworkFactory, InstitutionFactory, ProgrammeFactory
from tests.pdf_reading import outline, pdf_text, shows

pytestmark = pytest.mark.django_db

# A fixture is found by pytest under a name of the test module.
courses = curriculum_pdf_support.courses

SLUG = "eisen-competency-framework"


def export(*args: str) -> str:
    stdout = io.StringIO()
    call_command("export_curriculum", *args, stdout=stdout)
    return stdout.getvalue()


def refused(out, *args: str) -> str:
    with pytest.raises(CommandError) as refusal:
        export("--out", str(out), *args)
    assert not out.exists()
    assert not out.with_name(out.name + ".part").exists()
    return str(refusal.value)


def test_writes_the_pdf_and_prints_its_pages_size_and_checksum(courses, tmp_path):
    out = tmp_path / "exports" / "curriculum.pdf"
    printed = export("--framework", SLUG, "--out", str(out))
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert printed.splitlines() == [
        f"Wrote {out}: EISEN Competency Framework 1.0 · all 3 courses · all sections · English",
        f"pages: {len(reader.pages)}",
        f"size: {len(data)} bytes",
        f"sha256: {hashlib.sha256(data).hexdigest()}",
    ]
    assert reader.metadata.title == "Curriculum: EISEN Competency Framework 1.0"
    assert [path.name for path in out.parent.iterdir()] == ["curriculum.pdf"]


def test_a_programme_and_some_sections(courses, tmp_path):
    other = ProgrammeFactory(name="MSc Elsewhere", institution=courses["IMP101"].institution)
    CourseFactory(
        code="ELS100",
        programme=other,
        institution=other.institution,
        framework=courses["IMP101"].framework,
    )
    out = tmp_path / "programme.pdf"
    printed = export(
        "--framework",
        SLUG,
        "--programme",
        "msc implementation science",
        "--sections",
        "matrix",
        "courses",
        "--out",
        str(out),
    )
    assert "3 courses of MSc Implementation Science · Course specifications, Coverage matrix" in (
        printed
    )
    data = out.read_bytes()
    top = [title for depth, title, _page in outline(PdfReader(io.BytesIO(data))) if depth == 0]
    assert top == [
        "EISEN Competency Framework",
        "Contents",
        "Course specifications",
        "Coverage matrix",
    ]
    text = pdf_text(data)
    assert "IMP103" in text
    assert "ELS100" not in text


def test_hand_picked_course_codes(courses, tmp_path):
    out = tmp_path / "picked.pdf"
    printed = export(
        "--framework",
        SLUG,
        "--courses",
        "IMP103",
        "IMP101",
        "--sections",
        "gaps",
        "--out",
        str(out),
    )
    assert "· 2 hand-picked courses · Gaps ·" in printed
    assert shows(pdf_text(out.read_bytes()), "A1 is Mastered in IMP103")


def test_the_newest_published_version_unless_one_is_named(courses, eisen_framework, tmp_path):
    FrameworkFactory(
        slug=SLUG,
        title=eisen_framework.title,
        version_label="2.0",
        published_at=timezone.now() + timedelta(days=1),
    )
    FrameworkFactory(slug=SLUG, title="A draft", version_label="3.0", draft=True)
    out = tmp_path / "newest.pdf"
    assert "EISEN Competency Framework 2.0 ·" in export(
        "--framework", SLUG, "--sections", "gaps", "--out", str(out)
    )
    assert "EISEN Competency Framework 1.0 ·" in export(
        "--framework", SLUG, "--version", "1.0", "--sections", "gaps", "--out", str(out)
    )


def test_a_course_code_of_several_years_needs_the_year(courses, tmp_path):
    CourseFactory(
        code="IMP101",
        academic_year=2027,
        institution=courses["IMP101"].institution,
        framework=courses["IMP101"].framework,
    )
    out = tmp_path / "year.pdf"
    message = refused(out, "--framework", SLUG, "--courses", "IMP101")
    assert message.startswith("--courses: IMP101 names 2 courses (")
    assert message.endswith("); add --academic-year or --institution.")
    printed = export(
        "--framework", SLUG, "--courses", "IMP101", "--academic-year", "2027", "--out", str(out)
    )
    assert "· 1 hand-picked course of 2027/28 ·" in printed


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--framework", "no-such-framework"],
            "--framework: no published or archived framework has the slug “no-such-framework”.",
        ),
        (
            ["--framework", SLUG, "--version", "9.9"],
            f"--version: “{SLUG}” has no published or archived version 9.9; it has 1.0.",
        ),
        (
            ["--framework", SLUG, "--programme", "MSc Nowhere"],
            "--programme: no programme is called “MSc Nowhere”.",
        ),
        (
            ["--framework", SLUG, "--institution", "University of Nowhere"],
            "--institution: no institution is called “University of Nowhere”.",
        ),
        (
            ["--framework", SLUG, "--eqf-level", "9"],
            "--eqf-level: The EQF level must be 7 (MSc) or 8 (PhD), not 9.",
        ),
        (
            ["--framework", SLUG, "--courses", "IMP101", "NOPE1", "NOPE2"],
            "--courses: no course has the code NOPE1, NOPE2.",
        ),
        (
            ["--framework", SLUG, "--sections", "matrix", "appendix"],
            (
                "--sections: “appendix” is not a section; the sections are framework, courses, "
                "matrix and gaps."
            ),
        ),
        (
            ["--framework", SLUG, "--language", "xx"],
            (
                "--language: “xx” is not a language the PDF can be written in; choose one of "
                "en (English), nb (Norwegian Bokmål), sv (Swedish)."
            ),
        ),
        (
            ["--framework", SLUG, "--eqf-level", "8", "--academic-year", "2026"],
            (
                "--eqf-level/--academic-year: No course matches this selection (EQF level 8, "
                "2026/27): choose another programme, institution, EQF level or year, or pick the "
                "courses."
            ),
        ),
    ],
)
def test_bad_options_are_refused_naming_the_option(courses, tmp_path, options, message):
    assert refused(tmp_path / "refused.pdf", *options) == message


def test_a_framework_the_courses_do_not_use_is_refused(courses, tmp_path):
    FrameworkFactory(slug="unused", title="Unused framework")
    message = refused(tmp_path / "unused.pdf", "--framework", "unused", "--courses", "IMP101")
    assert message == (
        "--framework: None of the chosen courses maps to Unused framework 1.0; they map to "
        "EISEN Competency Framework 1.0 (1 course)."
    )


def test_a_programme_name_of_two_institutions_needs_the_institution(courses, tmp_path):
    twin = ProgrammeFactory(name="MSc Implementation Science", institution=InstitutionFactory())
    message = refused(
        tmp_path / "twin.pdf", "--framework", SLUG, "--programme", "MSc Implementation Science"
    )
    assert re.fullmatch(
        "--programme: “MSc Implementation Science” is a programme of .+, .+; add --institution.",
        message,
    )
    out = tmp_path / "twin.pdf"
    printed = export(
        "--framework",
        SLUG,
        "--programme",
        "MSc Implementation Science",
        "--institution",
        courses["IMP101"].institution.name,
        "--out",
        str(out),
    )
    assert "3 courses of MSc Implementation Science, " in printed
    assert twin.institution.name not in printed


def test_out_must_be_a_file_and_is_required(courses, tmp_path):
    with pytest.raises(CommandError, match=r"--out: .* is a folder; name the PDF file to write\."):
        export("--framework", SLUG, "--out", str(tmp_path))
    with pytest.raises(CommandError, match="the following arguments are required: --out"):
        export("--framework", SLUG)
