"""The kinds of PDF export, registered by the apps that know how to build them.

`eisen` runs the jobs (queue, render, store, download) but knows nothing of curricula or focus
groups: `courses` registers the curriculum, `evaluation` the evaluation report, each in its
AppConfig.ready(). A kind brings

- `form_class`: a Django form that validates what a user asks for, the same on the export page and
  in the API (`form_class(data)`, where data is a QueryDict or a plain dict). After `is_valid()`
  it answers `export_parameters()` (JSON-ready, with identifiers rather than objects, so that the
  job can be built later by a worker) and `export_summary()` (one line for the history);
- `build(parameters)`: the HTML of the document, read from the database in a fixed number of
  queries, as an `ExportDocument`; raises `ExportFailed` with a message for the user when the
  parameters no longer make sense (a course deleted since the export was asked for);
- `may_start(user)` and `may_download(user)`: who may ask for such an export, and who may
  download one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms


class ExportFailed(Exception):
    """An export cannot be built; the message is for the person who asked for it.

    Not retried: the same parameters would fail again.
    """


@dataclass(frozen=True)
class ExportDocument:
    """What a kind hands to the renderer."""

    html: str
    #: PDF metadata title, and the first line of the history entry.
    title: str
    #: BCP 47 language of the document, e.g. "en" or "nb".
    language: str
    #: The name the file is downloaded as, e.g. "eisen-curriculum-1-0.pdf".
    filename: str


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str
    form_class: type[forms.Form]
    build: Callable[[dict], ExportDocument]
    may_start: Callable
    may_download: Callable
    #: Shown above the form on the export page.
    description: str = ""


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    _kinds[kind.name] = kind


def get(name: str) -> ExportKind:
    """The kind called `name`; `KeyError` when no app registered it."""
    return _kinds[name]


def all_kinds() -> list[ExportKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.name)
