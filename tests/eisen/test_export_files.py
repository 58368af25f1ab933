"""Writing a PDF through a `.part` file: complete at the final path, or not there at all."""

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from eisen import export_files
from eisen.export_files import part_path, sha256_of, write_pdf_atomically
from tests.eisen.export_kind_fixtures import build_handout, pdf_text


@pytest.fixture
def handout():
    return build_handout({"title": "Partner handout", "language": "en", "pages": 2})


class WorkerKilled(Exception):
    pass


def _render_that_dies_after(written: bytes):
    def render(html, target, *, title, language, on_stage=None):
        target.write(written)
        target.flush()
        raise WorkerKilled

    return render


def test_the_written_pdf_is_complete_and_described_truly(handout, tmp_path):
    target = tmp_path / "exports" / "handout.pdf"
    stages = []
    written = write_pdf_atomically(handout, target, on_stage=stages.append)
    pdf = target.read_bytes()
    assert stages == ["layout", "write"]
    assert written.size == len(pdf)
    assert written.sha256 == hashlib.sha256(pdf).hexdigest() == sha256_of(target)
    reader = PdfReader(io.BytesIO(pdf))
    assert written.pages == len(reader.pages) == 2
    assert reader.metadata.title == "Partner handout"
    assert "Page 2 of the handout" in pdf_text(pdf)
    assert sorted(path.name for path in target.parent.iterdir()) == ["handout.pdf"]


def test_the_part_file_sits_beside_the_target():
    assert part_path(Path("/m/exports/a.pdf")) == Path("/m/exports/a.pdf.part")


def test_a_crash_mid_write_leaves_neither_a_final_nor_a_part_file(handout, tmp_path, monkeypatch):
    monkeypatch.setattr(
        export_files, "render_pdf_to", _render_that_dies_after(b"%PDF-1.7\n" + b"x" * 100_000)
    )
    target = tmp_path / "exports" / "handout.pdf"
    with pytest.raises(WorkerKilled):
        write_pdf_atomically(handout, target)
    assert list(target.parent.iterdir()) == []


def test_a_crash_while_rebuilding_keeps_the_earlier_complete_file(handout, tmp_path, monkeypatch):
    target = tmp_path / "handout.pdf"
    first = write_pdf_atomically(handout, target)
    monkeypatch.setattr(export_files, "render_pdf_to", _render_that_dies_after(b"%PDF-1.7\n"))
    with pytest.raises(WorkerKilled):
        write_pdf_atomically(handout, target)
    assert sha256_of(target) == first.sha256
    assert [path.name for path in tmp_path.iterdir()] == ["handout.pdf"]


def test_the_final_path_appears_only_after_the_render_finished(handout, tmp_path, monkeypatch):
    target = tmp_path / "handout.pdf"
    real_render = export_files.render_pdf_to
    present_during_render = []

    def render_and_look(html, file, **options):
        pages = real_render(html, file, **options)
        present_during_render.append(sorted(path.name for path in tmp_path.iterdir()))
        return pages

    monkeypatch.setattr(export_files, "render_pdf_to", render_and_look)
    write_pdf_atomically(handout, target)
    assert present_during_render == [["handout.pdf.part"]]
    assert target.read_bytes().startswith(b"%PDF-")
