# Rapport production image: gunicorn serves the web app; the same image runs the Celery
# worker and beat (see docker-compose.yml and docs/operations.md).
#
# The slim image pinned to Debian bookworm (plain `python:3.11-slim` now follows the newest
# Debian release).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=networking_app.settings.production

RUN groupadd --gid 1000 rapport \
    && useradd --uid 1000 --gid rapport --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin rapport

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lock file changes: every package
# at the exact version and hash in requirements/base.txt (`make upgrade` writes it). The code
# itself runs from /app (settings find templates/ and static/ relative to the source tree),
# which PYTHONPATH puts on sys.path for celery.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt \
    && python -c "import lxml.etree, xmlsec; assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION, 'xmlsec and lxml must bundle the same libxml2'"
# (SAML signatures: the xmlsec and lxml wheels bring their own libxml2 and libxmlsec1, so the
# image needs no system package for them; the check above fails the build if they differ.)

# The source belongs to root and is read-only for the app user; only $VAR_DIR is writable.
# Its media/ (volunteers' photos) exists and is the app user's before docker-compose.yml
# mounts the `media` volume there, so that a new volume starts out writable by that user.
COPY . .
RUN mkdir -p "$VAR_DIR/media" && chown rapport:rapport "$VAR_DIR" "$VAR_DIR/media"

USER rapport

# Static files are collected into $VAR_DIR/staticfiles at build time and served by
# WhiteNoise. Production settings insist on these variables; the values below are
# throwaway, exist only for this one command and never reach the running container.
RUN DJANGO_SETTINGS_MODULE=networking_app.settings.production \
    SECRET_KEY=r8Ca7y3QZMl6OL8hS5PzWWvBj2Xq8hIY1JRMG1RNIZblB6deMAq7qLV9WBrp4u7u \
    ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    EMAIL_URL=smtp://localhost:25 \
    SITE_URL=https://build.invalid \
    SCHOOL_NAME=build \
    python manage.py collectstatic --noinput

EXPOSE 8000

# /healthz answers 200 when the database is reachable and is exempt from the HTTPS
# redirect. The Host header is the first ALLOWED_HOSTS entry, so the request passes
# Django's host check. Worker and beat containers override or disable this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; f = os.environ.get('ALLOWED_HOSTS_FILE'); v = open(f).read() if f else os.environ.get('ALLOWED_HOSTS', ''); h = next((x.strip().lstrip('.') for x in v.split(',') if x.strip() not in ('', '*')), 'localhost'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

CMD ["sh", "-c", "exec gunicorn networking_app.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
