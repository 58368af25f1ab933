"""Settings for EISEN Curriculum, read from the environment.

With nothing set the app runs on SQLite with Celery tasks executed in-process. DATABASE_URL and
CELERY_BROKER_URL switch to PostgreSQL and Redis. See .env.example for every variable.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from eisen.environment import broker_from_env, database_from_env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    # A per-process key lets manage.py commands run with nothing set. Sessions then end with the
    # process, and `check --deploy` fails (eisen.E001), so production is never run this way.
    SECRET_KEY = "ephemeral-" + secrets.token_urlsafe(48)

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[], allow_empty=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "eisen",
    "competencies",
    "courses",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "eisen.uploads.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "eisen.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eisen.urls"
WSGI_APPLICATION = "eisen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "eisen.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_env("DATABASE_URL", default_sqlite_path=BASE_DIR / "db.sqlite3")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A PostgreSQL that is down or unreachable fails the request within seconds (a 503 page)
    # rather than holding a gunicorn worker. Connections are checked before reuse
    # (CONN_HEALTH_CHECKS), so a restarted server is used again without restarting the app.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses any sign-in, right password or not, while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "competencies:framework_list"
LOGOUT_REDIRECT_URL = "competencies:framework_list"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["eisen.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# A pasted 5 MB transcript plus the form around it (uploaded files are limited per form).
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# Fernet keys (comma-separated, newest first) that encrypt participants' real identities at rest.
# Unset, the identity key is switched off: pseudonyms work, real names cannot be stored.
EISEN_IDENTITY_KEYS = env_list("EISEN_IDENTITY_KEY", default=[], allow_empty=True)
# The largest framework file (CASE JSON, Moodle CSV, workbook) an import accepts.
IMPORT_MAX_BYTES = env_int("EISEN_IMPORT_MAX_MB", default=10) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES
# The largest transcript file (.txt, .vtt) an evaluator may upload.
TRANSCRIPT_MAX_BYTES = 5 * 1024 * 1024
MEDIA_URL = "media/"

# Served over HTTPS (the default when DEBUG is off): TLS ends at a proxy in front of gunicorn,
# which must set X-Forwarded-Proto. DJANGO_HTTPS=0 is for plain-http trials such as local compose.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "eisen.rest.ErrorAnswersAutoSchema",
    "EXCEPTION_HANDLER": "eisen.rest.exception_handler",
    # DRF's browsable API is a developer's tool (its pages do not meet the accessibility the app's
    # pages do); in production the API answers JSON and is browsed through /api/docs/.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EISEN Curriculum API",
    "DESCRIPTION": "Competency frameworks, courses and evaluation for implementation science "
    "and research co-production education.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "FrameworkStatusEnum": "competencies.models.Framework.Status",
        "FrameworkImportStatusEnum": "competencies.models.FrameworkImport.Status",
        "FormativeActionStatusEnum": "evaluation.models.FormativeAction.Status",
        "ConsentScopeEnum": "evaluation.models.ConsentScope",
    },
}

CELERY_BROKER_URL = broker_from_env("CELERY_BROKER_URL")
# Without a broker, tasks run in the calling process and their errors propagate to the caller.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for Redis however long it is away, rather than exiting after 100 tries.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

# PDF exports are long tasks whose worker may be killed (the OOM killer sends SIGKILL). A message
# is acknowledged only once its task has finished, and handed out again when the worker process
# running it dies, so the export re-runs (the job row caps the attempts). One message per worker
# process at a time, so none waits behind a long render while another process is idle.
EXPORT_SOFT_TIME_LIMIT = env_int("EISEN_EXPORT_SOFT_TIME_LIMIT", default=600)
EXPORT_TIME_LIMIT = EXPORT_SOFT_TIME_LIMIT + 60
EXPORT_MAX_ATTEMPTS = 3
# A job still queued after this many seconds lost its message (a Redis that keeps nothing on
# disk was restarted) and is failed, so nobody waits for it for ever.
EXPORT_QUEUE_PATIENCE = 6 * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# In KiB: a worker process that has grown past this is replaced after its task (a 100-page export
# peaks near 400 MB).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1_000_000
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged message goes back to the queue after this many seconds. Far above the hard
    # time limit, so a render still running is never handed to a second worker.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=6 * EXPORT_TIME_LIMIT),
    # Look for such messages every 10 s rather than kombu's default of every 100 s
    # (interval 10 × throttle 10), so recovery after a whole worker died is not delayed further.
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}

HEALTHZ_TIMEOUT_SECONDS = 2
# How long starting an export waits for the task queue to answer before refusing.
EXPORT_QUEUE_TIMEOUT_SECONDS = 2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint logs every layout step of every page at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# Content-Security-Policy: scripts and styles come only from our own files (no inline code, no
# style attributes), so injected markup can neither run script nor restyle the page. Pages that
# embed a third-party UI widen it per view (the API reference, eisen/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Sign-in throttling (django-axes) for the sign-in page, the admin's and the API token endpoint:
# after EISEN_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused for EISEN_LOGIN_LOCKOUT_MINUTES, even with the right password.
AXES_FAILURE_LIMIT = env_int("EISEN_LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env_int("EISEN_LOGIN_LOCKOUT_MINUTES", default=15)
if AXES_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured(
        "EISEN_LOGIN_FAILURE_LIMIT and EISEN_LOGIN_LOCKOUT_MINUTES must be at least 1."
    )
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not push its end further away, so the time shown stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "eisen.login_throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "eisen.login_throttle.client_ip"
# No banner on every start of a command or worker.
AXES_VERBOSE = False
# How many proxies in front of gunicorn append to X-Forwarded-For; 0 uses the peer's address.
TRUSTED_PROXY_COUNT = env_int("EISEN_TRUSTED_PROXY_COUNT", default=1 if HTTPS else 0)
