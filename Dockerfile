# EISEN Curriculum: one image for the web (gunicorn), worker (celery) and migrate services.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    MEDIA_ROOT=/data/media \
    GUNICORN_WORKERS=3

# WeasyPrint dlopen()s these at run time: Pango and PangoFT2 (they bring GLib, HarfBuzz and
# Fontconfig), HarfBuzz-subset to embed only the glyphs used, and at least one font.
# pg_dump and pg_restore, of the server's major version, for `manage.py backup` and `restore`.
# Versions are left to the Debian release (pinning them breaks the build at each security update).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-dejavu-core \
        libfontconfig1 \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# A home directory so gunicorn can put its control socket there; /data/media belongs to the app
# user so that a named volume mounted there starts out writable.
RUN groupadd --system --gid 10001 eisen \
    && useradd --system --uid 10001 --gid eisen --create-home --home-dir /home/eisen eisen \
    && mkdir -p /data/media \
    && chown eisen:eisen /data/media

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code and collected static files stay owned by root: the app user can read but not change them.
COPY . .
# Settings refuse to start without a secret key when DEBUG is off; this dummy one exists only for
# this RUN. DEBUG off selects the manifest storage, so the hashed files and staticfiles.json are built here.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-not-secret \
    python manage.py collectstatic --noinput

# Numeric, so that a runtime can check it is not root (e.g. Kubernetes runAsNonRoot).
USER 10001:10001

EXPOSE 8000

# Django checks the Host header before /healthz answers, so send the first allowed host
# (a leading "." or "*" wildcard stripped) rather than 127.0.0.1, which may not be allowed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('DJANGO_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

# sh only expands GUNICORN_WORKERS; exec leaves gunicorn as PID 1 so it receives SIGTERM.
# The heartbeat files go to /dev/shm: on the overlay filesystem they can stall workers.
CMD ["sh", "-c", "exec gunicorn eisen.wsgi:application --bind 0.0.0.0:8000 --workers \"$GUNICORN_WORKERS\" --worker-tmp-dir /dev/shm --access-logfile -"]
