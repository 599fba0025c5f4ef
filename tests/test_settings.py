import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from networking_app.settings.env import Env, redact_url

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "0123456789abcdefghijABCDEFGHIJ-_" + "z" * 10


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("TRUE", True), ("off", False)])
def test_bool_accepts_the_usual_spellings(raw, value):
    assert Env({"DEBUG": raw}).bool("DEBUG") is value


@pytest.mark.parametrize("raw", ["ture", "2", "enabled"])
def test_malformed_bool_stops_start_up_with_the_variable_named(raw):
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG=.* is not a boolean"):
        Env({"DEBUG": raw}).bool("DEBUG", False)


def test_malformed_int_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='sixty' is not a whole number"):
        Env({"CONN_MAX_AGE": "sixty"}).int("CONN_MAX_AGE", 60)
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        Env({"CONN_MAX_AGE": "-1"}).int("CONN_MAX_AGE", 60, minimum=0)


def test_numbers_are_read_and_checked():
    name = "POSTGRES_RANDOM_PAGE_COST"
    assert Env({name: "1.5"}).number(name, 1.1) == 1.5
    assert Env({}).number(name, 1.1) == 1.1
    with pytest.raises(ImproperlyConfigured, match="='cheap' is not a number"):
        Env({name: "cheap"}).number(name, 1.1)
    for raw in ("-1", "nan"):
        with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
            Env({name: raw}).number(name, 1.1)


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_sessions_price_random_reads_as_on_ssds():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)


def test_missing_required_value_is_named():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        Env({}).str("SECRET_KEY")


def test_value_read_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    env = Env({"SECRET_KEY_FILE": str(secret), "SECRET_KEY": "ignored"})
    assert env.str("SECRET_KEY") == "from-a-file"


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE points at"):
        Env({"SECRET_KEY_FILE": str(tmp_path / "missing")}).str("SECRET_KEY")


def test_database_url_is_parsed_and_bad_ones_refused():
    config = Env({"DATABASE_URL": "postgres://u:p@db:5433/rapport"}).db_url("DATABASE_URL")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db", 5433, "rapport")
    with pytest.raises(ImproperlyConfigured, match="unsupported database scheme"):
        Env({"DATABASE_URL": "oracle-ish://u:secret@db/x"}).db_url("DATABASE_URL")


def test_error_messages_never_show_passwords():
    assert redact_url("redis://user:hunter2@host:6379/0") == "redis://user:***@host:6379/0"
    with pytest.raises(ImproperlyConfigured) as excinfo:
        Env({"CELERY_BROKER_URL": "amqp://guest:hunter2@host//"}).url(
            "CELERY_BROKER_URL", ("redis", "filesystem")
        )
    assert "hunter2" not in str(excinfo.value)


def test_list_and_time_zone():
    env = Env({"DOMAINS": " a.edu, ,b.edu ", "TZ_NAME": "Europe/Berlin", "BAD_TZ": "Nowhere"})
    assert env.list("DOMAINS") == ["a.edu", "b.edu"]
    assert env.time_zone("TZ_NAME") == "Europe/Berlin"
    with pytest.raises(ImproperlyConfigured, match="not an IANA time zone"):
        env.time_zone("BAD_TZ")


def _manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "SECRET_"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "networking_app.settings.production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "rapport.example.edu",
    "DATABASE_URL": "postgres://rapport@localhost:5432/rapport",
    "EMAIL_URL": "smtp://localhost:25",
    "SITE_URL": "https://rapport.example.edu",
    "REDIS_URL": "redis://localhost:6379/0",
    "SCHOOL_NAME": "Example University",
}


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"DEBUG": "yes"}, "DEBUG must be off"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"EMAIL_URL": ""}, "EMAIL_URL is required"),
        ({"SITE_URL": "http://rapport.example.edu"}, "SITE_URL='http://rapport.example.edu'"),
        ({"CONN_MAX_AGE": "soon"}, "CONN_MAX_AGE='soon' is not a whole number"),
        ({"SCHOOL_NAME": "Your School"}, "SCHOOL_NAME is the neutral default"),
        ({"SCHOOL_NAME": ""}, "SCHOOL_NAME is the neutral default"),
        ({"SCHOOL_LOGO": "school/missing.svg"}, "SCHOOL_LOGO='school/missing.svg' is not among"),
    ],
)
def test_production_refuses_to_start_with_bad_settings(override, message):
    result = _manage("check", **{**PRODUCTION, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_has_no_sent_mail_page():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SENT_MAIL_PAGE)",
        **PRODUCTION,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_production_security_settings():
    """HSTS for a year with subdomains, secure cookies, no framing, a referrer policy and the
    Content Security Policy, as production runs them."""
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, "
        "'httponly': s.SESSION_COOKIE_HTTPONLY, 'frame': s.X_FRAME_OPTIONS, "
        "'referrer': s.SECURE_REFERRER_POLICY, 'ssl': s.SECURE_SSL_REDIRECT, "
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['object-src'], "
        "'middleware': 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE}))"
    )
    result = _manage("shell", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["hsts"] >= 31_536_000
    assert values["sub"] is True
    assert values["session"] is True
    assert values["csrf"] is True
    assert values["httponly"] is True
    assert values["frame"] == "DENY"
    assert values["referrer"] == "same-origin"
    assert values["ssl"] is True
    assert values["csp"] == ["'none'"]
    assert values["middleware"] is True


@pytest.mark.parametrize(
    ("settings_module", "debug", "shown"),
    [
        ("networking_app.settings.dev", "0", "False"),
        ("networking_app.settings.base", "0", "False"),
        ("networking_app.settings.dev", "1", "True"),
    ],
)
def test_sent_mail_page_only_with_debug_on(settings_module, debug, shown):
    """Without EMAIL_URL mail goes to the file mailbox; its page (which shows password-reset
    links to anyone) exists only while DEBUG is on."""
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SENT_MAIL_PAGE)",
        DJANGO_SETTINGS_MODULE=settings_module,
        DEBUG=debug,
    )
    assert result.stdout.strip() == shown, result.stderr
