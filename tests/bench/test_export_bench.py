"""PDF exports: the EISEN demo curriculum and a generated one of 1,000 capabilities and 30 courses.

The generated one is the coverage bench's curriculum (capability titles, no descriptions) with 300
outcomes and 1,500 mappings; all its sections come to about 230 pages: the framework's tables
~94, the course specifications ~100, the matrix 21 landscape pages and the gap lists ~18.

`make bench` runs this. For each curriculum, timed in turns (median of RUNS):
- app: the export kind's `build` (data read in a fixed number of queries, then templating);
- weasyprint: `render_pdf_to` on that HTML (layout, then the tagged PDF written);
- weasyprint alone: WeasyPrint's own `HTML(...).write_pdf()` on the same saved HTML with the same
  stylesheet and fetcher, without anything of ours around it.
and, in a separate untimed export each, the peak of Python's heap (tracemalloc) above what it held
before, and at the end the bench process's peak resident memory. It prints the figures
and the app's share (app / weasyprint alone; the target is at most 10 %), and asserts only what
is deterministic: the page counts, that every capability code is in the PDF, and that the query
count does not grow with the curriculum. Times never fail it.
"""

import resource
import tracemalloc
from io import BytesIO

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.text.fonts import FontConfiguration

from competencies.models import Capability, Framework
from competencies.services.loading import eisen_framework_load
from courses.curriculum_pdf.form import CurriculumExportForm
from courses.models import Course
from courses.services.samples import eisen_sample_courses_load
from eisen import export_kinds
from eisen.pdf import BASE_URL, PDF_VARIANT, StaticFilesFetcher, print_css_url, render_pdf_to
from tests.bench.test_coverage_bench import Size, build_curriculum
from tests.bench.timing import median_ms_in_turns, query_count
from tests.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db

GENERATED = Size(capabilities=1000, courses=30, outcomes=300, mappings=1500)
RUNS = 3


def _parameters(framework: Framework, courses) -> dict:
    form = CurriculumExportForm(
        {"framework": str(framework.uuid), "course": [str(course.uuid) for course in courses]}
    )
    assert form.is_valid(), form.errors
    return form.export_parameters()


def _eisen_curriculum() -> dict:
    eisen_framework_load()
    eisen_sample_courses_load()
    framework = Framework.objects.get(slug="eisen-competency-framework")
    return _parameters(framework, Course.objects.filter(framework=framework))


def _generated_curriculum() -> dict:
    """The coverage bench's curriculum generator at 1,000 capabilities and 30 courses."""
    framework = build_curriculum(GENERATED, seed=7)
    return _parameters(framework, Course.objects.filter(framework=framework))


def _weasyprint_alone(html: str) -> bytes:
    fetcher = StaticFilesFetcher()
    fonts = FontConfiguration()
    stylesheet = weasyprint.CSS(url=print_css_url(), url_fetcher=fetcher, font_config=fonts)
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant=PDF_VARIANT, pdf_tags=True
    )


def _peak_heap_mib_during(action) -> float:
    """The peak of Python's heap during `action`, above what it held before (tracemalloc).

    Resident memory cannot be read per export in one process: the memory earlier renders freed
    stays mapped and is reused. WeasyPrint's boxes, styles and PDF objects are Python objects,
    so their peak is the export's; Pango's and HarfBuzz's own buffers are not counted.
    """
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        action()
        return (tracemalloc.get_traced_memory()[1] - before) / 2**20
    finally:
        tracemalloc.stop()


def _peak_resident_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(name: str, parameters: dict, *, warm_ups: int) -> dict:
    kind = export_kinds.get("curriculum")
    document = kind.build(parameters)

    def export():
        built = kind.build(parameters)
        buffer = BytesIO()
        render_pdf_to(built.html, buffer, title=built.title, language=built.language)
        return buffer.getvalue()

    medians = median_ms_in_turns(
        {
            "app": lambda: kind.build(parameters),
            "weasyprint": lambda: render_pdf_to(
                document.html, BytesIO(), title=document.title, language=document.language
            ),
            "weasyprint_alone": lambda: _weasyprint_alone(document.html),
        },
        runs=RUNS,
        warm_ups=warm_ups,
    )
    pdf = export()
    peak = _peak_heap_mib_during(export)
    reader = PdfReader(BytesIO(pdf))
    return {
        "name": name,
        "pages": len(reader.pages),
        "landscape": sum(1 for page in reader.pages if page.mediabox.width > page.mediabox.height),
        "bytes": len(pdf),
        "html_bytes": len(document.html.encode()),
        "queries": query_count(lambda: kind.build(parameters)),
        "peak_mib": peak,
        "pdf": pdf,
        **medians,
    }


def test_export_bench():
    eisen = _measure("EISEN demo", _eisen_curriculum(), warm_ups=2)
    # Half a minute a render: WeasyPrint's own warm-up (fonts, stylesheets) is lost in it.
    generated = _measure(f"generated {GENERATED.label}", _generated_curriculum(), warm_ups=0)

    print()
    print(
        f"{'curriculum':<24}{'pages':>6}{'landscape':>10}{'PDF KiB':>9}{'HTML KiB':>9}"
        f"{'queries':>8}{'app ms':>8}{'WeasyPrint ms':>14}{'alone ms':>9}{'app/alone':>10}"
        f"{'export s':>9}{'heap MiB':>9}"
    )
    for row in (eisen, generated):
        total = row["app"] + row["weasyprint"]
        print(
            f"{row['name']:<24}{row['pages']:>6}{row['landscape']:>10}{row['bytes'] / 1024:>9.0f}"
            f"{row['html_bytes'] / 1024:>9.0f}{row['queries']:>8}{row['app']:>8.0f}"
            f"{row['weasyprint']:>14.0f}{row['weasyprint_alone']:>9.0f}"
            f"{row['app'] / row['weasyprint_alone']:>10.1%}{total / 1000:>9.2f}"
            f"{row['peak_mib']:>9.0f}"
        )
    print(
        f"targets: app ≤ 10 % of WeasyPrint alone; EISEN curriculum under 2 s "
        f"(here {(eisen['app'] + eisen['weasyprint']) / 1000:.2f} s); "
        f"WeasyPrint lays out {generated['pages'] / generated['weasyprint'] * 1000:.1f} pages/s; "
        f"the bench process peaked at {_peak_resident_mib():.0f} MiB resident"
    )

    assert eisen["queries"] == generated["queries"]
    assert 150 <= generated["pages"] <= 350
    assert generated["landscape"] > 0
    text = pdf_text(generated["pdf"], layout=True)
    codes = Capability.objects.filter(framework__slug=f"bench-coverage-{GENERATED.label}")
    missing = [code for code in codes.values_list("code", flat=True) if code not in text]
    assert not missing, missing[:10]
