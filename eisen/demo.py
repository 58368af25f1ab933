"""What the demo accounts of `make run` are set up to do, filled by the apps.

Each app registers a function in its AppConfig.ready() that is given the demo users by role and
returns a line saying what it set up, so the command stays in the project package without
importing any app.
"""

from collections.abc import Callable

_setups: list[Callable[[dict], str]] = []


def register_demo_setup(setup: Callable[[dict], str]) -> None:
    if setup not in _setups:
        _setups.append(setup)


def demo_setups() -> list[Callable[[dict], str]]:
    return list(_setups)
