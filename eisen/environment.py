"""Reading configuration from environment variables.

Every reader names the variable in its error, so that a bad value stops start-up with a message an
operator can act on instead of a traceback from deep inside a driver.
"""

import os
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
BROKER_SCHEMES = {"redis", "rediss"}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use 1/0, true/false or yes/no."
    )


def env_list(name: str, *, default: list[str], allow_empty: bool = False) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items and not allow_empty:
        raise ImproperlyConfigured(f"{name} is set but names nothing; give a comma-separated list.")
    return items


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def database_from_env(name: str, *, default_sqlite_path: str) -> dict:
    """DATABASES["default"] from a URL; SQLite at the given path when the variable is unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    scheme = urlsplit(raw).scheme
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a database URL; expected "
            "postgres://user:password@host:port/name or sqlite:///path "
            f"(scheme {scheme or 'missing'!r} is not one of {', '.join(sorted(DATABASE_SCHEMES))})."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} cannot be read: {error}") from None
    if scheme != "sqlite" and not (config.get("HOST") and config.get("NAME")):
        raise ImproperlyConfigured(
            f"{name}={raw!r} needs a host and a database name, e.g. "
            "postgres://postgres@127.0.0.1:5432/eisen."
        )
    return config


def broker_from_env(name: str) -> str:
    """The Celery broker URL, or "" when unset (tasks then run in-process)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in BROKER_SCHEMES or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a Redis URL; expected redis://host:port/db, "
            "e.g. redis://127.0.0.1:6379/0."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} has a port that is not a number.") from None
    return raw
