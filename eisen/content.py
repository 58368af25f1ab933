"""The EISEN content that `manage.py load_eisen` puts in the database.

Each app registers a loader in its AppConfig.ready() (framework first, then courses, then
evaluation), so the command lives in the project package without importing any app.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentLoader:
    name: str
    load: Callable[[], str]
    position: int


_loaders: dict[str, ContentLoader] = {}


def register_loader(name: str, load: Callable[[], str], *, position: int) -> None:
    """Register `load`, which writes its content idempotently and returns a one-line summary."""
    _loaders[name] = ContentLoader(name=name, load=load, position=position)


def loaders() -> list[ContentLoader]:
    return sorted(_loaders.values(), key=lambda loader: loader.position)
