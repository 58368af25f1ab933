from django.conf import settings
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
