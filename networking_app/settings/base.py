"""Settings shared by every environment. Values come from the environment (see README)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .capture import capture_settings
from .env import Env
from .sso import sso_settings

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", "django-insecure-development-only-key-change-me")
DEBUG = env.bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

# --- The school: every name the product shows comes from here -----------------------------
SCHOOL_NAME = env.str("SCHOOL_NAME", "Your School")
CAREER_OFFICE_NAME = env.str("CAREER_OFFICE_NAME", "Career Office")
MENTORING_PROGRAMME_NAME = env.str("MENTORING_PROGRAMME_NAME", "Flash Mentoring")
DIRECTORY_NAME = env.str("DIRECTORY_NAME", "Networking Directory")
# The school's logo: a file among the static files (e.g. school/logo.svg, put in static/school/
# or STATIC_ROOT), shown in every page's header and every email. Empty: none.
SCHOOL_LOGO = env.str("SCHOOL_LOGO", "").strip().lstrip("/")
# Students must sign up with an address at one of these domains (or a subdomain of one).
# Empty: anyone may sign up as a student.
STUDENT_EMAIL_DOMAINS = [d.lower().lstrip("@") for d in env.list("STUDENT_EMAIL_DOMAINS", [])]
DEFAULT_USER_TIME_ZONE = env.time_zone("DEFAULT_USER_TIME_ZONE", "UTC")

INSTALLED_APPS = [
    "networking_app.apps.RapportAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "csp",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    # Single sign-on (settings/sso.py): the SAML provider is ours (it keeps the assertion's
    # authentication context, for the second-factor rule), the OpenID Connect one allauth's.
    "networking_app.accounts.saml",
    "allauth.socialaccount.providers.openid_connect",
    "networking_app.core",
    "networking_app.accounts",
    "networking_app.devmail",
    "networking_app.notifications",
    "networking_app.console",
    "contacts",
    "mentoring",
    "events",
    "networking_app.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "networking_app.core.csp.AdminScriptsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language, or the visitor's choice in the footer's cookie);
    # a signed-in person's own choice replaces it below (UserLanguageMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "networking_app.accounts.middleware.UserTimeZoneMiddleware",
    "networking_app.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "networking_app.urls"
WSGI_APPLICATION = "networking_app.wsgi.application"
ASGI_APPLICATION = "networking_app.asgi.application"

FORM_RENDERER = "networking_app.core.forms_renderer.FormRenderer"

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
                "networking_app.core.context_processors.school",
                "networking_app.core.csp.nonce",
            ],
            # `{% url_of "name" %}` and the site's other tags in every template.
            "builtins": ["networking_app.core.templatetags.site"],
            # Tag libraries of the project package itself (not an app of its own).
            "libraries": {
                "fields": "networking_app.core.templatetags.fields",
                "fragments": "networking_app.core.templatetags.fragments",
                "rows": "networking_app.core.templatetags.rows",
                "site": "networking_app.core.templatetags.site",
            },
        },
    },
    # Only for the fragments rendered by name through networking_app.core.jinja (dashboard
    # charts): Django's engine was measured too slow for their loops.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "networking_app.core.jinja.environment"},
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rapport.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Services own their transactions (services.py); requests are not wrapped in one.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


def postgresql_session_options(database: dict) -> None:
    """Costs the planner gives reading a page at random against in order. PostgreSQL's
    default (4) prices a disk that seeks, and made it hash whole tables (organizations, users)
    for the twenty or fifty rows of a list page, or scan every volunteer to count a common
    word's matches, at two to three times the time of index lookups (bench/RESULTS.md). 1.1
    is the usual value for SSDs and data that fits in memory, as Rapport's does."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        cost = env.number("POSTGRES_RANDOM_PAGE_COST", 1.1)
        database.setdefault("OPTIONS", {}).setdefault("options", f"-c random_page_cost={cost:g}")


postgresql_session_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits need a real, shared one) ---------------------------------
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    env.url("REDIS_URL", ("redis", "rediss", "unix"))
    CACHES = {
        "default": {
            # Redis down: the cache misses instead of failing requests (networking_app.core.cache).
            "BACKEND": "networking_app.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rapport",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# How often the staff dashboard's figures are recomputed in the background, in seconds (0:
# computed for every page, for development). Staff see their age and can recompute them.
DASHBOARD_REFRESH_SECONDS = env.int("DASHBOARD_REFRESH_SECONDS", 300, minimum=0)
# How long the dashboard's figures stay rendered in the cache, in seconds; each refresh makes
# the next page render them afresh (networking_app/core/cache.py). 0: rendered for every page.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", 3600, minimum=0)
# How long a page of the directory's results is kept in the cache, in seconds (0: computed for
# every page). Students may see next open times that old; asking for a time checks it afresh.
DIRECTORY_CACHE_SECONDS = env.int("DIRECTORY_CACHE_SECONDS", 60, minimum=0)
# How long a student's own lists (contacts, Today) stay cached, in seconds; any change to
# their data makes the next page recompute at once (networking_app/core/cache.py). 0: off.
PRIVATE_PAGE_CACHE_SECONDS = env.int("PRIVATE_PAGE_CACHE_SECONDS", 300, minimum=0)

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "networking_app.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "networking_app.accounts.forms.SignupForm",
    "add_email": "networking_app.accounts.forms.AddEmailForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Reauthentication (before sensitive actions) by password or second factor only: a code sent
# by email would let whoever reads the mailbox confirm a staff action without the second factor.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{env.str('EMAIL_SUBJECT_NAME', 'Rapport')}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # production: https
# Failed logins (docs/operations.md, "Failed logins"): per address, 10 a minute and 60 an
# hour whatever the account; 5 per 5 minutes per (address, account), the "key" being both
# (accounts.adapters); and 100 an hour per account from browsers that never signed in to it,
# above what one address may try, so a stranger alone never reaches it.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,60/h/ip,5/5m/key",
    "login_failed_account": "100/h/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Number of reverse proxies in front of the app whose X-Forwarded-For can be trusted.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff actions that grant power or reach many people ask for the second factor again when
# the last one is older than this (accounts.decorators.staff_reauthentication_required); long
# enough for one review-then-publish sitting, short enough for a screen left unlocked.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", f"Rapport ({SCHOOL_NAME})")

# --- Single sign-on (settings/sso.py, networking_app/accounts/sso.py) ----------------------
SOCIALACCOUNT_ADAPTER = "networking_app.accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # the IdP's verified address finds the account...
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True  # ...and links it, not a duplicate
SOCIALACCOUNT_LOGIN_ON_GET = False  # a POST (the login page's button) starts the redirect
SOCIALACCOUNT_STORE_TOKENS = False
_sso = sso_settings(env, school_name=SCHOOL_NAME, email_domains=STUDENT_EMAIL_DOMAINS)
globals().update(_sso)

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts only with this response's nonce, no inline
# event handlers or styles, no plugins, no <base>, no framing. See networking_app/core/csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *_sso["SSO_FORM_ACTION"]],
    }
}

# --- Email ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Rapport <rapport@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
MAILBOX_DIR = VAR_DIR / "mail"
# Every email goes through the outbox (networking_app.notifications): a row first, then a
# worker delivers it with OUTBOX_DELIVERY_BACKEND.
EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
if env.is_set("EMAIL_URL"):
    _email = env.email_url("EMAIL_URL")
    OUTBOX_DELIVERY_BACKEND = _email.pop("EMAIL_BACKEND")
    if OUTBOX_DELIVERY_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        # Ours records the recipients a server refuses while it accepts others.
        OUTBOX_DELIVERY_BACKEND = "networking_app.notifications.smtp.EmailBackend"
    globals().update(_email)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 20, minimum=1)
else:
    # Development default: every message is written to var/mail/ as an .eml file and shown
    # on the development-only "sent mail" page.
    OUTBOX_DELIVERY_BACKEND = "networking_app.devmail.backends.MailboxBackend"
# The "sent mail" page (no login; it shows every message, password-reset links included)
# exists only on a development machine: DEBUG on and messages going to the file mailbox.
# dev.py, which turns DEBUG on by default, works this out again.
SENT_MAIL_PAGE = DEBUG and (
    OUTBOX_DELIVERY_BACKEND == "networking_app.devmail.backends.MailboxBackend"
)
# A worker that has not finished sending within this time is presumed dead. It must outlast
# EMAIL_TIMEOUT times the network steps of a send (a system check says so: 500 s by default).
OUTBOX_SEND_LEASE_SECONDS = env.int("OUTBOX_SEND_LEASE_SECONDS", 600, minimum=5)
# A row handed to the broker is not handed again before this time.
OUTBOX_DISPATCH_LEASE_SECONDS = env.int("OUTBOX_DISPATCH_LEASE_SECONDS", 300, minimum=5)
# Absolute links in emails (snooze, done, unsubscribe) start with this.
SITE_URL = env.url("SITE_URL", ("http", "https"), "http://127.0.0.1:8000")

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
# The message catalogues (locale/<lang>/LC_MESSAGES/django.po, compiled .mo committed beside
# them). LOCALE_DIR lets `makemessages` write a part of them elsewhere (docs/i18n.md).
LOCALE_PATHS = [Path(env.str("LOCALE_DIR", str(BASE_DIR / "locale")))]
FORMAT_MODULE_PATH = ["networking_app.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Uploaded files ------------------------------------------------------------------------
# Volunteers' photos (mentoring/photos.py), under random names. Nothing serves MEDIA_URL: a
# photo is served by mentoring:volunteer_photo, which checks who may see it.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# The largest photo a volunteer may upload, in bytes; it is re-encoded to a small JPEG.
PHOTO_MAX_UPLOAD_BYTES = env.int("PHOTO_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1)

# --- Email capture (settings/capture.py, contacts/capture) -------------------------------
globals().update(capture_settings(env))

# --- Retention (docs/privacy.md; applied daily by accounts.retention) ------------------------
# A class year ends on this day (MM-DD) in DEFAULT_USER_TIME_ZONE: from the next day on, a
# student of that class year or an earlier one is a graduate.
GRADUATION_DATE = env.str("GRADUATION_DATE", "06-30")
try:
    GRADUATION_MONTH, GRADUATION_DAY = (int(part) for part in GRADUATION_DATE.split("-"))
    dt.date(2001, GRADUATION_MONTH, GRADUATION_DAY)  # not a leap year: 02-29 is refused
except ValueError:
    raise ImproperlyConfigured(
        f"GRADUATION_DATE={GRADUATION_DATE!r} is not a day of the year: use MM-DD, e.g. 06-30."
    ) from None
# A graduate who has not signed in for this many days is deleted (0: never), always after a
# notice email sent RETENTION_NOTICE_DAYS before; signing in in between keeps the account.
RETENTION_GRADUATE_INACTIVE_DAYS = env.int("RETENTION_GRADUATE_INACTIVE_DAYS", 365, minimum=0)
RETENTION_NOTICE_DAYS = env.int("RETENTION_NOTICE_DAYS", 30, minimum=1)
if 0 < RETENTION_GRADUATE_INACTIVE_DAYS <= RETENTION_NOTICE_DAYS:
    raise ImproperlyConfigured(
        "RETENTION_NOTICE_DAYS must be shorter than RETENTION_GRADUATE_INACTIVE_DAYS."
    )
# Sent emails lose their text, HTML and attachments after this many days; the row (recipients,
# subject, dates, delivery result) stays as the delivery record. 0: bodies are kept.
RETENTION_OUTBOX_BODY_DAYS = env.int("RETENTION_OUTBOX_BODY_DAYS", 90, minimum=0)
# Staff actions (the audit log and the Django admin's history) older than this are deleted.
RETENTION_AUDIT_DAYS = env.int("RETENTION_AUDIT_DAYS", 730, minimum=0)
# Imports read but never committed are deleted with their file and rows after this many days.
RETENTION_IMPORT_DAYS = env.int("RETENTION_IMPORT_DAYS", 7, minimum=0)

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL", ("redis", "rediss", "filesystem", "memory"), "filesystem://"
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    # The embedded broker is a pair of folders: make sure they exist before anyone polls them.
    _queue_dir.mkdir(parents=True, exist_ok=True)
    for _sub in ("processed", "control"):
        (VAR_DIR / "celery" / _sub).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "networking_app.tasks.heartbeat", "schedule": 60.0},
    "notifications": {"task": "notifications.tick", "schedule": 60.0},
    "mentoring-expire-requests": {"task": "mentoring.expire_requests", "schedule": 300.0},
    "mentoring-ended-leaves": {"task": "mentoring.refresh_ended_leaves", "schedule": 3600.0},
    "console-refresh-figures": {
        "task": "console.refresh_figures",
        "schedule": float(DASHBOARD_REFRESH_SECONDS or 300),
    },
    # Every retention rule, abandoned imports included (docs/privacy.md). At a time of day, not
    # every 24 hours: beat's schedule file is disposable, and a beat restarted more often than
    # daily would otherwise never reach the end of its interval.
    "retention": {"task": "accounts.retention", "schedule": crontab(hour=10, minute=0)},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
}
