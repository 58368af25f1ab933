"""Limits on what may be uploaded: size, name and content of every file, and the request body.

Every file field of a form or an API serializer takes an UploadValidator, which refuses a file
over its limit, with a name outside the accepted extensions, or whose first bytes are not what
that extension promises (an .xlsx is a ZIP archive, a .json is UTF-8 JSON, a text file is text).
Reading the content in full (rows, cues, CASE items) is left to the importers, which say where a
file goes wrong. RequestBodyLimitMiddleware refuses a body too large for any form before Django
reads it.
"""

import codecs
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"


def megabytes(size: int) -> str:
    """A size in MB to one decimal, rounded up so a file just over a limit is not shown at it."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    places = 0 if tenths % 10 == 0 else 1
    return _("%(size)s MB") % {"size": number_format(tenths / 10, decimal_pos=places)}


def _zip_archive(data: bytes) -> str | None:
    if data.startswith(ZIP_MAGIC):
        return None
    return _("it is not a ZIP archive, as an Excel workbook (.xlsx) is")


def _utf8_text(data: bytes, *, utf16_with_bom: bool = False) -> tuple[str | None, str | None]:
    """(text, None) when the bytes are UTF-8 (or UTF-16 with its byte order mark, if allowed);
    (None, why not) otherwise."""
    if utf16_with_bom and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body, skipped = "utf-16", data, 0
    elif data.startswith(codecs.BOM_UTF8):
        encoding, body, skipped = "utf-8", data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    else:
        encoding, body, skipped = "utf-8", data, 0
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        offset = error.start + skipped
        return None, _(
            "it is not %(encoding)s text: the byte at offset %(offset)d (0x%(byte)02X) cannot be "
            "read; save it as UTF-8 and upload it again"
        ) % {
            "encoding": "UTF-16" if encoding == "utf-16" else "UTF-8",
            "offset": offset,
            "byte": data[offset],
        }
    if "\x00" in text:
        return None, _("it is not text: character %(offset)d is a NUL byte") % {
            "offset": text.index("\x00")
        }
    return text, None


def _text(data: bytes) -> str | None:
    return _utf8_text(data)[1]


def _transcript_text(data: bytes) -> str | None:
    return _utf8_text(data, utf16_with_bom=True)[1]


def _json(data: bytes) -> str | None:
    text, problem = _utf8_text(data)
    if problem:
        return problem
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return _(
            "it is not valid JSON (%(message)s at line %(line)d, column %(column)d); is the "
            "file complete?"
        ) % {"message": error.msg, "line": error.lineno, "column": error.colno}
    return None


@dataclass(frozen=True)
class FileKind:
    """What one kind of upload accepts: extensions, each with its content check, and a limit."""

    accepted: dict[str, Callable[[bytes], str | None]]
    max_bytes: Callable[[], int]

    def accepted_text(self) -> str:
        names = sorted(self.accepted)
        if len(names) == 1:
            return names[0]
        return _("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


FRAMEWORK_FILE = FileKind(
    accepted={".json": _json, ".csv": _text, ".xlsx": _zip_archive},
    max_bytes=lambda: settings.IMPORT_MAX_BYTES,
)
TRANSCRIPT_FILE = FileKind(
    accepted={".txt": _transcript_text, ".vtt": _transcript_text},
    max_bytes=lambda: settings.TRANSCRIPT_MAX_BYTES,
)


class UploadValidator:
    """Refuses an uploaded file of the wrong size, name or content, naming the field, the limit
    and what is accepted. Works as a validator of Django form fields and DRF serializer fields."""

    def __init__(self, kind: FileKind, *, label):
        self.kind = kind
        self.label = label

    def __call__(self, upload) -> None:
        limit = self.kind.max_bytes()
        name = PurePath(upload.name or "").name
        extension = PurePath(name).suffix.lower()
        if extension not in self.kind.accepted:
            self._refuse(
                _("%(name)s is not a %(accepted)s file.")
                % {"name": name, "accepted": self.kind.accepted_text()},
                "extension",
            )
        if upload.size > limit:
            self._refuse(
                _("%(name)s is %(size)s; the limit is %(limit)s.")
                % {"name": name, "size": megabytes(upload.size), "limit": megabytes(limit)},
                "size",
            )
        problem = self.kind.accepted[extension](_read(upload))
        if problem:
            self._refuse(
                _("%(name)s cannot be a %(extension)s file: %(problem)s.")
                % {"name": name, "extension": extension, "problem": problem},
                "content",
            )

    def _refuse(self, message: str, code: str):
        raise ValidationError(
            format_lazy("{label}: {message}", label=self.label, message=message), code=code
        )


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


class RequestBodyLimitMiddleware:
    """Answers 413 to a request whose body is larger than any form takes, before it is read.

    A multipart body may carry the largest file an upload accepts, plus its form; any other body
    is held to DATA_UPLOAD_MAX_MEMORY_SIZE (which Django would otherwise answer with a bare 400,
    and which DRF's JSON parser does not apply).
    """

    FORM_ALLOWANCE = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            limit = max(kind.max_bytes() for kind in (FRAMEWORK_FILE, TRANSCRIPT_FILE))
            limit += self.FORM_ALLOWANCE
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return self._too_large(request, length, limit)
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
        message = _("The request is %(size)s; this site accepts at most %(limit)s.") % {
            "size": megabytes(length),
            "limit": megabytes(limit),
        }
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
