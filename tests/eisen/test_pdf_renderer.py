"""The shared PDF renderer: PDFs read back with pypdf and pdftotext, and the static-only fetcher."""

import io
import logging

import pytest
from django.conf import settings
from django.template import engines
from pypdf import PdfReader

from eisen.pdf import ResourceRefused, StaticFilesFetcher, render_pdf, render_pdf_to
from tests import loopback_server
from tests.pdf_reading import LETTERS, embedded_fonts, is_tagged, pdf_text

# A fixture is found by pytest under a name of the test module.
local_server = loopback_server.local_server


def page(body: str, *, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>'
        f'<link rel="stylesheet" href="/static/css/print/base.css"></head>'
        f"<body>{body}</body></html>"
    )


# --- the PDF itself ---------------------------------------------------------------------------


def test_pdf_has_title_and_language_in_metadata_and_catalog():
    pdf = render_pdf(page("<p>Framework</p>"), title="EISEN curriculum", language="nb")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "EISEN curriculum"
    assert reader.trailer["/Root"]["/Lang"] == "nb"


def test_pdf_is_tagged():
    pdf = render_pdf(page("<h1>Domains</h1><p>Knowledge</p>"), title="t", language="en")
    assert is_tagged(PdfReader(io.BytesIO(pdf)))


def test_european_letters_come_back_out_of_the_pdf_text():
    pdf = render_pdf(
        page(f"<p>Kapasitet {LETTERS}</p><p><b>{LETTERS}</b> <i>{LETTERS}</i></p>"),
        title="t",
        language="en",
    )
    text = pdf_text(pdf)
    assert "Kapasitet" in text
    for letter in LETTERS.split():
        assert letter in text


def test_vendored_fonts_are_loaded_from_static_and_embedded(caplog):
    caplog.set_level(logging.DEBUG, logger="eisen.pdf")
    pdf = render_pdf(page(f"<p>{LETTERS}</p><p><b>bold</b></p>"), title="t", language="en")
    fonts = embedded_fonts(PdfReader(io.BytesIO(pdf)))
    # "EISEN Sans" is only the name of the @font-face rules in the print CSS: a fallback to a
    # system font would carry the system font's own name.
    assert any(name.endswith("+EISEN-Sans") for name in fonts), fonts
    assert any(name.endswith("+EISEN-Sans-Bold") for name in fonts), fonts
    assert all(fonts.values()), fonts
    served = " ".join(record.getMessage() for record in caplog.records)
    assert "static/fonts/DejaVuSans.ttf" in served
    assert "static/css/print/base.css" in served


def test_the_print_css_applied_to_every_pdf_brings_its_fonts_without_a_link():
    bare = f'<!doctype html><html lang="en"><body><p>{LETTERS}</p></body></html>'
    fonts = embedded_fonts(PdfReader(io.BytesIO(render_pdf(bare, title="t", language="en"))))
    assert fonts
    assert all(name.endswith("+EISEN-Sans") for name in fonts), fonts


def test_every_page_has_a_page_x_of_y_footer():
    body = "<p>one</p><p style='break-before: page'>two</p><p style='break-before: page'>3</p>"
    pdf = render_pdf(page(body), title="t", language="en")
    text = pdf_text(pdf)
    assert "page 1 of 3" in text
    assert "page 3 of 3" in text


def test_render_into_a_file_returns_the_page_count(tmp_path):
    target = tmp_path / "export.pdf"
    pages = render_pdf_to(
        page("<p>a</p><p style='break-before: page'>b</p>"),
        target,
        title="t",
        language="en",
    )
    assert pages == 2
    assert len(PdfReader(target).pages) == 2


# --- the fetcher ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///static/../etc/passwd",
        "file:///static/../../../../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "static:../../etc/passwd",
        "static:/etc/passwd",
        "file://otherhost/static/css/print/base.css",
        f"file://{settings.BASE_DIR}/eisen/settings.py",
        f"file://{settings.BASE_DIR}/static/../eisen/settings.py",
        "https://example.org/",
        "http://example.org/x.css",
        "ftp://example.org/x.css",
        "data:text/css,body{color:red}",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "javascript:alert(1)",
        "file:///static/css/print/no-such-file.css",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url, caplog):
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(url)
    assert any(record.name == "eisen.pdf" for record in caplog.records)


def test_fetcher_refuses_loopback_http_without_sending_a_request(local_server):
    base, requests = local_server
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(f"{base}/x.css")
    assert requests == []


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("file:///static/css/print/base.css", "text/css"),
        ("static:css/print/base.css", "text/css"),
        ("static:fonts/DejaVuSans.ttf", "font/ttf"),
        (f"file://{settings.BASE_DIR}/static/fonts/DejaVuSans-Bold.ttf", "font/ttf"),
    ],
)
def test_fetcher_serves_static_files_with_their_type(url, content_type):
    response = StaticFilesFetcher().fetch(url)
    try:
        assert response.content_type == content_type
        assert response.read(4)
    finally:
        response.close()


def test_refused_resources_do_not_stop_the_render(local_server, caplog):
    base, requests = local_server
    body = (
        f'<link rel="stylesheet" href="{base}/evil.css">'
        f"<style>@import url('{base}/import.css'); p {{ background: url('{base}/bg.png') }}</style>"
        '<p>still rendered</p><img src="file:///etc/passwd" alt="">'
        f'<img src="{base}/x.png" alt=""><img src="data:image/svg+xml,%3Csvg/%3E" alt="">'
    )
    pdf = render_pdf(page(body), title="t", language="en")
    assert "still rendered" in pdf_text(pdf)
    assert requests == []
    refused = [r.getMessage() for r in caplog.records if r.name == "eisen.pdf"]
    assert any("/etc/passwd" in message for message in refused)
    assert any("evil.css" in message for message in refused)


def test_user_text_with_markup_appears_as_text_and_fetches_nothing(local_server):
    base, requests = local_server
    description = (
        f'Watch <img src="file:///etc/passwd"> and <link rel="stylesheet" href="{base}/x.css">'
        " and <script>alert(1)</script> here"
    )
    template = engines["django"].from_string(
        '<!doctype html><html lang="en"><head><title>{{ title }}</title>'
        '<link rel="stylesheet" href="/static/css/print/base.css"></head>'
        "<body><p>{{ description }}</p></body></html>"
    )
    html = template.render({"title": "K1", "description": description})
    pdf = render_pdf(html, title="K1", language="en")
    text = " ".join(pdf_text(pdf).split())
    assert "file:///etc/passwd" in text
    assert "<script>alert(1)</script>" in text
    assert "127.0.0.1" in text
    assert "root:" not in text
    assert requests == []
