"""Reading a rendered PDF back in tests: its text by pdftotext; its bookmarks, fonts, tags and
images by pypdf."""

import subprocess

from pypdf import PdfReader

#: Letters of European languages beyond ASCII that every PDF's embedded fonts must cover.
LETTERS = "å ø æ ä ö ł ő"


def pdf_text(
    pdf: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False
) -> str:
    """The text of the PDF (of pages `first` to `last`), in reading order or as laid out."""
    options = ["-layout"] if layout else []
    if first:
        options += ["-f", str(first)]
    if last:
        options += ["-l", str(last)]
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-enc", "UTF-8", *options, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def squeezed(text: str) -> str:
    """`text` without white space: table cells wrap their lines anywhere."""
    return "".join(text.split())


def shows(text: str, *phrases: str) -> bool:
    """Whether every phrase is in `text`, however either is broken into lines."""
    return all(squeezed(phrase) in squeezed(text) for phrase in phrases)


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark, in order."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


def bookmark_page(reader: PdfReader, title: str) -> int:
    """The 1-based page the first bookmark called `title` points at."""
    return next(page for _depth, found, page in outline(reader) if found == title)


def embedded_fonts(reader: PdfReader) -> dict[str, set[str]]:
    """Font name → the kinds of font file embedded for it (empty if none), over every page."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = owner["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = {
                key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor
            }
    return fonts


def is_tagged(reader: PdfReader) -> bool:
    """Whether the PDF is tagged: it has a structure tree and is marked as such."""
    catalog = reader.trailer["/Root"]
    if "/StructTreeRoot" not in catalog or "/MarkInfo" not in catalog:
        return False
    mark_info = catalog["/MarkInfo"]
    return "/Marked" in mark_info and bool(mark_info["/Marked"])


def has_raster_images(reader: PdfReader) -> bool:
    """Whether any page draws a bitmap image (charts are meant to be vector drawings)."""
    return any(
        image.get_object().get("/Subtype") == "/Image"
        for page in reader.pages
        for image in page["/Resources"].get("/XObject", {}).values()
    )
