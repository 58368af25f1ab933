from django.conf import settings
from django.core import checks
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    """Without DJANGO_SECRET_KEY each process makes up a key: fine for commands, not to serve."""
    if settings.SECRET_KEY_FROM_ENVIRONMENT:
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is not set.",
            hint="Set DJANGO_SECRET_KEY to a long random string (see .env.example).",
            id="eisen.E001",
        )
    ]


@register()
def visibility_timeout_above_export_limit(app_configs, **kwargs):
    """Redis hands an unacknowledged task to another worker after the visibility timeout; a
    timeout shorter than an export may run would have two workers build the same export."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    if timeout > settings.EXPORT_TIME_LIMIT:
        return []
    return [
        checks.Warning(
            f"CELERY_VISIBILITY_TIMEOUT ({timeout} s) is not above the longest an export may run "
            f"({settings.EXPORT_TIME_LIMIT} s): a running export would be handed to a second "
            "worker.",
            hint="Set CELERY_VISIBILITY_TIMEOUT well above EISEN_EXPORT_SOFT_TIME_LIMIT + 60.",
            id="eisen.W001",
        )
    ]
