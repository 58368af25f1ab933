"""Main navigation, filled by the apps themselves.

Each app registers its sections in its AppConfig.ready(), so the project package never imports an
app and a section appears only once the app that serves it exists.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url_name: str
    position: int
    visible_to: Callable | None = None


_items: list[NavigationItem] = []


def register(label, url_name: str, *, position: int, visible_to: Callable | None = None) -> None:
    """Add a section; `visible_to(user)`, when given, hides it from users it would refuse."""
    if any(item.url_name == url_name for item in _items):
        return
    _items.append(
        NavigationItem(label=label, url_name=url_name, position=position, visible_to=visible_to)
    )
    _items.sort(key=lambda item: item.position)


def navigation(request):
    """Template context processor: the navigation entries with their URLs and the current one."""
    entries = []
    for item in _items:
        if item.visible_to is not None and not item.visible_to(request.user):
            continue
        url = reverse(item.url_name)
        entries.append(
            {"label": item.label, "url": url, "current": request.path.startswith(url)},
        )
    return {"navigation": entries}
