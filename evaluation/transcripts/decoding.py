"""From uploaded bytes to text: UTF-8 (with or without a byte order mark) or UTF-16 with one."""

import codecs

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_TRANSCRIPT_BYTES = settings.TRANSCRIPT_MAX_BYTES

SAVE_AS_UTF8 = gettext_lazy(
    "Save the file as UTF-8 (in most editors: Save as… → Encoding: UTF-8) and upload it again."
)


def check_size(size: int) -> None:
    if size > MAX_TRANSCRIPT_BYTES:
        raise ValidationError(
            {
                "content": _(
                    "The transcript is %(size).1f MB; the limit is %(limit)d MB. Split the "
                    "session into parts, or remove what is not the conversation."
                )
                % {"size": size / (1024 * 1024), "limit": MAX_TRANSCRIPT_BYTES // (1024 * 1024)}
            }
        )


def decoded(content: bytes | str) -> str:
    """The content as text, refused with the byte offset where it stops being readable."""
    if isinstance(content, str):
        check_size(len(content.encode("utf-8", errors="surrogatepass")))
        text = content
    else:
        check_size(len(content))
        text = _decode_bytes(content)
    if "\x00" in text:
        raise ValidationError(
            {
                "content": _(
                    "Character %(offset)d is a NUL: the file is probably UTF-16 without a byte "
                    "order mark. %(advice)s"
                )
                % {"offset": text.index("\x00"), "advice": SAVE_AS_UTF8}
            }
        )
    return text


def _decode_bytes(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        encoding, body, skipped = "utf-8", content[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The "utf-16" codec reads the byte order from the mark and drops it.
        encoding, body, skipped = "utf-16", content, 0
    else:
        encoding, body, skipped = "utf-8", content, 0
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        offset = error.start + skipped
        raise ValidationError(
            {
                "content": _(
                    "The file is not %(encoding)s: the byte at offset %(offset)d (0x%(byte)02X) "
                    "cannot be read. Transcripts are read as UTF-8, or UTF-16 with a byte order "
                    "mark. %(advice)s"
                )
                % {
                    "encoding": "UTF-16" if encoding == "utf-16" else "UTF-8",
                    "offset": offset,
                    "byte": content[offset],
                    "advice": SAVE_AS_UTF8,
                }
            }
        ) from None
