"""The curriculum the curriculum-export tests share, and what they need to read its PDF back.

The curriculum: the EISEN framework (A1's title holds å ø æ ä ö ł ő, K1 has EQF 7 and 8
descriptors) and three courses of "MSc Implementation Science", one per semester:
  IMP101 (sem. 1, led by Ingrid Løvås): LO1 → K1 I, S1 I; LO2 → K2 R, S2 I; LO3 maps to nothing
  IMP102 (sem. 2): LO1 → K1 R, S1 M
  IMP103 (sem. 3): LO1 → K1 M, A1 M  (A1 Mastered with nothing earlier: a progression problem)
OTH100 of the same programme maps to another framework and is left out.

The fixtures are made available to a test module by assigning them to a name there:
`courses = curriculum_pdf_support.courses`.
"""

import io
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.db import transaction
from pypdf import PdfReader

from competencies.models import Capability, LevelDescriptor
from competencies.services.loading import eisen_framework_load
from courses.curriculum_pdf.document import build
from courses.curriculum_pdf.form import CurriculumExportForm
from courses.models import Emphasis
from eisen.pdf import render_pdf
from tests import loopback_server
from tests.factories import (
    CourseFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.pdf_reading import LETTERS, pdf_text

# test_curriculum_pdf takes the loopback server fixture from here.
local_server = loopback_server.local_server


def add_outcome(course, code, position, maps=(), text=None):
    """A learning outcome of `course` mapped to each (capability, emphasis) of `maps`."""
    outcome = LearningOutcomeFactory(
        course=course, code=code, position=position, text=text or f"{course.code} outcome {code}"
    )
    for capability, emphasis in maps:
        OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis=emphasis)
    return outcome


def make_curriculum(framework) -> dict:
    """The curriculum of the module docstring; returns the courses by code."""
    capabilities = {c.code: c for c in Capability.objects.filter(framework=framework)}
    Capability.objects.filter(pk=capabilities["A1"].pk).update(title=f"Values-driven {LETTERS}")
    LevelDescriptor.objects.create(
        capability=capabilities["K1"], eqf_level=7, text="Compares paradigms for a given problem."
    )
    LevelDescriptor.objects.create(
        capability=capabilities["K1"], eqf_level=8, text="Builds a new interdisciplinary frame."
    )
    programme = ProgrammeFactory(name="MSc Implementation Science")
    lead = UserFactory(username="ingrid", first_name="Ingrid", last_name="Løvås")

    def course(code, semester, **extra):
        return CourseFactory(
            code=code,
            title=f"Course {code}",
            institution=programme.institution,
            programme=programme,
            semester=semester,
            **{"framework": framework, **extra},
        )

    courses = {
        "IMP101": course("IMP101", 1, leads=[lead]),
        "IMP102": course("IMP102", 2),
        "IMP103": course("IMP103", 3),
        "OTH100": course("OTH100", 1, framework=FrameworkFactory(title="Other framework")),
    }
    k1, k2, s1, s2, a1 = (capabilities[code] for code in ("K1", "K2", "S1", "S2", "A1"))
    i, r, m = Emphasis.INTRODUCED, Emphasis.REINFORCED, Emphasis.MASTERED
    add_outcome(courses["IMP101"], "LO1", 1, [(k1, i), (s1, i)])
    add_outcome(courses["IMP101"], "LO2", 2, [(k2, r), (s2, i)])
    add_outcome(courses["IMP101"], "LO3", 3, text="Write a reflective log no capability covers.")
    add_outcome(courses["IMP102"], "LO1", 1, [(k1, r), (s1, m)])
    add_outcome(courses["IMP103"], "LO1", 1, [(k1, m), (a1, m)])
    return courses


@pytest.fixture
def courses(eisen_framework) -> dict:
    """The curriculum of the module docstring on the EISEN framework, its courses by code."""
    return make_curriculum(eisen_framework)


def export_parameters(data: dict) -> dict:
    """The parameters the export form stores for `data`, which must be valid."""
    form = CurriculumExportForm(data)
    assert form.is_valid(), form.errors
    return form.export_parameters()


class _MatrixReader(HTMLParser):
    """Each matrix row's cells by capability code, colspans expanded into empty cells."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.in_matrix = False
        self.row: list | None = None
        self.cell: list | None = None
        self.span = 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.in_matrix = attrs.get("class") == "matrix__table"
        elif self.in_matrix and tag == "tr":
            self.row = []
        elif self.in_matrix and tag in ("th", "td") and self.row is not None:
            self.cell, self.span = [], int(attrs.get("colspan", 1))

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.row.extend(["".join(self.cell).strip()] * self.span)
            self.cell = None
        elif tag == "tr" and self.row:
            self.rows.setdefault(self.row[0].split(" ")[0], []).append(self.row[1:])
            self.row = None


def matrix_rows(html: str) -> dict[str, list[list[str]]]:
    """The matrix tables' rows by capability code ("Capability" for the header rows), one list
    of cells per table the row appears in."""
    reader = _MatrixReader()
    reader.feed(html)
    return reader.rows


@dataclass(frozen=True)
class Rendered:
    title: str
    filename: str
    html: str
    pdf: bytes
    reader: PdfReader
    text: str


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> Rendered:
    """The whole curriculum rendered once for the module; its data rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_curriculum(eisen_framework_load())
        document = build(export_parameters({}))
        transaction.set_rollback(True)
    pdf = render_pdf(document.html, title=document.title, language=document.language)
    return Rendered(
        document.title,
        document.filename,
        document.html,
        pdf,
        PdfReader(io.BytesIO(pdf)),
        pdf_text(pdf),
    )
