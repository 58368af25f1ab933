"""`manage.py export_evaluation_report`: the same form as the export page, the file written whole
or not at all, its pages, size and checksum printed, and refusals that name the option."""

import hashlib
import io
import uuid

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.evaluation.factories import LogicModelFactory
from tests.evaluation.test_report_pdf import SUMMATIVE_QUOTE, TITLE, report_world
from tests.evaluation.test_reports_pages import NEVER_CONSENTED, QUOTABLE
from tests.factories import CourseFactory
from tests.pdf_reading import outline, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    return report_world()


def export(*arguments) -> str:
    out = io.StringIO()
    call_command("export_evaluation_report", *arguments, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_report_and_prints_pages_size_and_checksum(world, tmp_path):
    target = tmp_path / "reports" / "evaluation.pdf"

    printed = export("--out", str(target)).splitlines()

    content = target.read_bytes()
    reader = PdfReader(target)
    assert reader.metadata.title == TITLE
    assert printed == [
        f"Wrote {target}: EISEN logic model · every course · every section · English",
        f"pages: {len(reader.pages)}",
        f"size: {len(content)} bytes",
        f"sha256: {hashlib.sha256(content).hexdigest()}",
    ]
    assert list(target.parent.iterdir()) == [target]
    text = pdf_text(content)
    assert QUOTABLE in text
    assert NEVER_CONSENTED not in text


def test_logic_model_by_title_courses_by_code_and_chosen_sections(world, tmp_path):
    LogicModelFactory(title="A newer model")
    target = tmp_path / "report.pdf"

    printed = export(
        "--logic-model",
        "EISEN logic model",
        "--courses",
        "IMP101",
        "--sections",
        "mechanisms",
        "--language",
        "en",
        "--out",
        str(target),
    )

    assert "EISEN logic model · IMP101 (2026/27) · Mechanisms · English" in printed
    assert [title for depth, title, _page in outline(PdfReader(target)) if depth == 0] == [
        "Contents",
        "Mechanisms",
    ]
    text = " ".join(pdf_text(target.read_bytes()).split())
    assert SUMMATIVE_QUOTE in text
    assert "Formative action log" not in text


def test_a_logic_model_by_uuid_and_a_course_code_of_several_years(world, tmp_path):
    CourseFactory(code="IMP101", academic_year=2025)
    target = tmp_path / "report.pdf"

    printed = export(
        "--logic-model", str(world["logic_model"].uuid), "--courses", "IMP101", "--out", str(target)
    )

    assert "IMP101 (2026/27), IMP101 (2025/26)" in printed
    assert target.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--logic-model", "No such model"],
            "--logic-model: no logic model has the identifier or title “No such model”.",
        ),
        (
            ["--logic-model", "6f1c1f8e-0000-4000-8000-000000000000"],
            (
                "--logic-model: no logic model has the identifier or title "
                "“6f1c1f8e-0000-4000-8000-000000000000”."
            ),
        ),
        (
            ["--courses", "IMP101", "NOPE1", "NOPE2"],
            "--courses: no course has the code NOPE1, NOPE2.",
        ),
        (["--courses", "QUIET"], "--courses: None of the chosen courses (QUIET) has held a focus"),
        (["--sections", "appendix"], "--sections: “appendix” is not a section of the report;"),
        (["--language", "xx"], "--language: “xx” is not a language of this site; choose one of en"),
    ],
)
def test_refusals_name_the_option_and_leave_an_existing_file_alone(
    world, tmp_path, arguments, message
):
    CourseFactory(code="QUIET")
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the previous report")

    with pytest.raises(CommandError) as refused:
        export(*arguments, "--out", str(target))

    assert str(refused.value).startswith(message)
    assert target.read_bytes() == b"the previous report"
    assert list(tmp_path.iterdir()) == [target]


def test_the_output_file_must_be_named(world):
    with pytest.raises(CommandError, match="--out"):
        export("--sections", "charts")


def test_a_folder_is_refused_as_the_output_file(world, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()

    with pytest.raises(CommandError, match=r"--out: .* is a folder; name the PDF file to write\."):
        export("--out", str(folder))

    assert list(folder.iterdir()) == []
    assert list(tmp_path.glob("*.part")) == []


def test_a_course_uuid_that_names_nothing_is_refused(world, tmp_path):
    missing = str(uuid.uuid4())

    with pytest.raises(CommandError, match=f"--courses: No course has the identifier {missing}."):
        export("--courses", missing, "--out", str(tmp_path / "report.pdf"))
