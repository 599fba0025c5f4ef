"""Test settings: PostgreSQL and Redis when they are reachable, SQLite and memory otherwise.

``REQUIRE_SERVICES=1`` turns an unreachable service into an error (CI): see tests/conftest.py.
"""

import os
import socket
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env, postgresql_session_options
from .env import parse_db_url


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
VAR_DIR = Path(tempfile.mkdtemp(prefix="rapport-test-"))

if env.is_set("DATABASE_URL"):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
elif _reachable("127.0.0.1", 5432):
    DATABASES = {"default": parse_db_url("default", "postgres://postgres@127.0.0.1:5432/rapport")}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
postgresql_session_options(DATABASES["default"])
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

if env.is_set("REDIS_URL"):
    TEST_REDIS_URL = env.str("REDIS_URL")
elif _reachable("127.0.0.1", 6379):
    TEST_REDIS_URL = "redis://127.0.0.1:6379/15"
else:
    TEST_REDIS_URL = ""
# Unit tests get an isolated in-memory cache; Redis-bound tests switch to TEST_REDIS_URL.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests see messages in mail.outbox directly; tests of the outbox itself switch
# EMAIL_BACKEND to it (fixture `outbox` in tests/notifications).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
# Email capture on (tests/contacts/test_capture*.py): a domain, and a webhook secret.
CAPTURE_DOMAIN = "capture.example.edu"
CAPTURE_WEBHOOK_SECRET = "test-only-capture-webhook-secret-0123456789"  # noqa: S105
MAILBOX_DIR = VAR_DIR / "mail"
MEDIA_ROOT = VAR_DIR / "media"
SENT_MAIL_PAGE = True
STUDENT_EMAIL_DOMAINS: list[str] = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
CELERY_TASK_ALWAYS_EAGER = False
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in tests
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
