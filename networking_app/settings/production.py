"""Production: every secret comes from the environment, HTTPS everywhere, SMTP for mail."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import OUTBOX_DELIVERY_BACKEND, env

DEBUG = env.bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off with production settings.")

SECRET_KEY = env.str("SECRET_KEY")
if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters, e.g. "
        'python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) Rapport is served on.")
env.str("DATABASE_URL")  # required: no SQLite file by accident in production
env.str("EMAIL_URL")  # required: mail goes out over SMTP
env.url("SITE_URL", ("https",))  # required: links in emails
if OUTBOX_DELIVERY_BACKEND == "networking_app.devmail.backends.MailboxBackend":
    raise ImproperlyConfigured("EMAIL_URL must point at an SMTP server in production.")
SENT_MAIL_PAGE = False
# The neutral defaults are for trying Rapport: in production they would reach real people (an
# alumna asked for advice "by a student of Your School").
if SCHOOL_NAME.strip() in ("", "Your School"):  # noqa: F405
    raise ImproperlyConfigured(
        "SCHOOL_NAME is the neutral default: set it to the school's name (it is shown on every "
        "page and in every email)."
    )

ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload directive only matters if the registrable domain itself is submitted to the
# browsers' list, which serving it from a subdomain such as rapport.example.edu cannot do.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
