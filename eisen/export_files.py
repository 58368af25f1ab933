"""Writing an export's PDF so that a half-built file is never where a finished one is looked for.

The PDF is rendered into `<target>.part` in the same folder, flushed to disk, and renamed over the
target only when complete (a rename within one file system is atomic). Export jobs and the
command-line exports both write this way.
"""

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eisen.export_kinds import ExportDocument
from eisen.pdf import render_pdf_to

PART_SUFFIX = ".part"


@dataclass(frozen=True)
class WrittenPdf:
    pages: int
    size: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def part_path(target: Path) -> Path:
    return target.with_name(target.name + PART_SUFFIX)


def write_pdf_atomically(
    document: ExportDocument,
    target: str | os.PathLike,
    *,
    part_name: str | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> WrittenPdf:
    """Render `document` to `target`, through a `.part` file renamed into place at the end.

    `part_name` names that file (in the target's folder); by default it is the target's name
    with `.part` added.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(part_name) if part_name else part_path(target)
    try:
        with partial.open("wb") as file:
            pages = render_pdf_to(
                document.html,
                file,
                title=document.title,
                language=document.language,
                on_stage=on_stage,
            )
            file.flush()
            os.fsync(file.fileno())
        written = WrittenPdf(pages=pages, size=partial.stat().st_size, sha256=sha256_of(partial))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
