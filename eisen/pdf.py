"""The one PDF renderer every export uses: WeasyPrint fed only from the app's own static files.

WeasyPrint's default fetcher reads any `file://` path and requests any `http(s)://` URL, loopback
included. An export renders text that users wrote, so the renderer here uses `StaticFilesFetcher`,
which serves the files Django's staticfiles finders know (print CSS, fonts, images) straight from
disk and refuses everything else: other `file://` paths, `..` segments, http(s), ftp, `data:`.
A refused resource is logged on the "eisen.pdf" logger and simply left out of the PDF; the render
goes on.

Templates link their print CSS as `/static/...` (the document's base URL is `file:///`, so such a
link becomes `file:///static/...`, which the fetcher maps through the finders); `static:css/...`
works too. `css/print/base.css` (A4 page, the footer's style, the vendored DejaVu Sans) is always
applied first, then the footer's "page X of Y" in the document's language.

    pdf = render_pdf(html, title="EISEN curriculum", language="en")
    pages = render_pdf_to(html, temporary_file, title=..., language=...)  # for export jobs
"""

import logging
import mimetypes
import os
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse, path2url

logger = logging.getLogger("eisen.pdf")

#: Base URL of every rendered document: `/static/x.css` resolves to `file:///static/x.css`.
BASE_URL = "file:///"

#: The print stylesheet applied to every PDF, as a path the staticfiles finders know.
PRINT_CSS = "css/print/base.css"

#: Tagged PDF for assistive technology (WeasyPrint's name for PDF/UA-1).
PDF_VARIANT = "pdf/ua-1"


def print_css_url() -> str:
    """The URL of the print stylesheet every PDF gets, as the fetcher serves it."""
    return BASE_URL + _static_prefix().lstrip("/") + PRINT_CSS


def page_numbers_css(language: str) -> str:
    """The footer rule, "page X of Y" written in `language`, with the numbers as CSS counters."""
    with translation.override(language):
        label = _("page %(page)s of %(pages)s") % {"page": "\0page\0", "pages": "\0pages\0"}
    # Split on the markers, the pieces alternate: text, counter name, text, counter name, text.
    pieces = label.split("\0")
    content = " ".join(
        f"counter({piece})" if index % 2 else _css_string(piece)
        for index, piece in enumerate(pieces)
        if piece
    )
    return f"@page {{ @bottom-center {{ content: {content}; }} }}"


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


class ResourceRefused(ValueError):
    """The fetcher will not load this URL. WeasyPrint logs it and renders without the resource."""


def _static_prefix() -> str:
    """The path part of STATIC_URL, as `/static/`."""
    return "/" + urlsplit(settings.STATIC_URL).path.strip("/") + "/"


def _static_roots() -> list[Path]:
    """The folders the staticfiles finders serve from (STATICFILES_DIRS and apps' `static/`)."""
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


def _for_log(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


class StaticFilesFetcher(weasyprint.URLFetcher):
    """A WeasyPrint URL fetcher that serves only the app's static files, from disk.

    Accepted: `file:///static/<path>` (what `/static/<path>` becomes against `BASE_URL`),
    `static:<path>`, and `file://` URLs of files that lie inside a static folder. Anything else
    raises `ResourceRefused`, which WeasyPrint turns into a logged "failed to load" and goes on.
    """

    def __init__(self):
        # Never fatal: a refused or missing resource must not stop the render.
        super().__init__(allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except ResourceRefused as refusal:
            logger.warning("PDF renderer refused %s: %s", _for_log(url), refusal)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        logger.debug("PDF renderer serving %s from %s", _for_log(url), path)
        return URLFetcherResponse(
            path2url(path), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def resolve(self, url: str) -> Path:
        """The file on disk that `url` names, or `ResourceRefused`."""
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == "static":
            relative = unquote(urlsplit(rest).path).lstrip("/")
            candidate = self._find(relative)
        elif scheme == "file":
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise ResourceRefused("file URL on another host")
            path = unquote(parts.path)
            prefix = _static_prefix()
            if path.startswith(prefix):
                candidate = self._find(path[len(prefix) :])
            else:
                self._refuse_traversal(path)
                candidate = Path(path)
        else:
            raise ResourceRefused(f"scheme {scheme!r} is not served")
        return self._inside_static(candidate)

    @staticmethod
    def _refuse_traversal(path: str) -> None:
        if ".." in path.replace("\\", "/").split("/"):
            raise ResourceRefused("'..' in path")

    def _find(self, relative: str) -> Path:
        self._refuse_traversal(relative)
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation as error:
            raise ResourceRefused("path outside the static folders") from error
        if not found:
            raise ResourceRefused("no such static file")
        return Path(found)

    @staticmethod
    def _inside_static(candidate: Path) -> Path:
        """`candidate` with symlinks resolved, if it is a file inside a static folder."""
        real = Path(os.path.realpath(candidate))
        if not any(real.is_relative_to(root) for root in _static_roots()):
            raise ResourceRefused("path outside the static folders")
        if not real.is_file():
            raise ResourceRefused("no such static file")
        return real


def render_pdf_to(
    html: str,
    target: str | os.PathLike | BinaryIO,
    *,
    title: str,
    language: str,
    on_stage: Callable[[str], None] | None = None,
) -> int:
    """Render `html` into `target` (a path or a binary file object); return the page count.

    `on_stage`, when given, is called with "layout" before WeasyPrint lays out the pages and with
    "write" before it writes the PDF, so that an export job can show how far it has come.

    The PDF is tagged (PDF/UA-1), has `title` and `language` (a BCP 47 tag such as "en") in its
    metadata, and embeds the subsets of the fonts it uses. An export job renders into a temporary
    file with this and moves the file into place only once it is complete.
    """
    fetcher = StaticFilesFetcher()
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
    # Through its /static/ URL, so that the stylesheet's relative font URLs resolve there too;
    # its @font-face rules load only with a font configuration shared with the render.
    fonts = FontConfiguration()
    stylesheets = [
        weasyprint.CSS(url=print_css_url(), url_fetcher=fetcher, font_config=fonts),
        weasyprint.CSS(string=page_numbers_css(language)),
    ]
    if on_stage is not None:
        on_stage("layout")
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=fonts, **options
    )
    # The caller's values win over whatever <title> and <html lang> the template had.
    document.metadata.title = title
    document.metadata.lang = language
    if on_stage is not None:
        on_stage("write")
    document.write_pdf(target, **options)
    return len(document.pages)


def render_pdf(html: str, *, title: str, language: str) -> bytes:
    """Like `render_pdf_to`, returning the PDF as bytes (for small documents and tests)."""
    buffer = BytesIO()
    render_pdf_to(html, buffer, title=title, language=language)
    return buffer.getvalue()
