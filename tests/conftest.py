"""Shared fixtures: the named people of every test, logged-in clients, service gates.

PostgreSQL and Redis are used when reachable (networking_app/settings/test.py). A test that
needs one of them is marked ``postgres`` or ``redis`` and is skipped with a reason when the
service is missing, unless REQUIRE_SERVICES=1, which turns that skip into a failure (CI).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests.factories import StaffFactory, StudentFactory, VolunteerFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")
# TEST_CLOCK=2026-03-08T09:30:00Z runs the whole suite with the process clock moved to that
# instant (and ticking from there): `make test-clocks` proves that no outcome depends on when
# the suite runs. Tests that care about the date or hour freeze their own clock on top of it.
TEST_CLOCK = os.environ.get("TEST_CLOCK", "")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# Property tests draw the same examples on every run (seeded by each test's name), so that no
# run's outcome depends on chance: `HYPOTHESIS_PROFILE=explore make test` draws new ones to
# look further, and a failure found that way becomes an explicit @example of its test.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def _service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    if TEST_CLOCK:
        # Started in every process (xdist workers run this hook too) and never stopped; the
        # worker processes tests start follow it (tests/moved_clock.py).
        time_machine.travel(dt.datetime.fromisoformat(TEST_CLOCK), tick=True).start()
    if REQUIRE_SERVICES:
        missing = []
        if not settings.DATABASE_IS_POSTGRES:
            missing.append("PostgreSQL is not reachable (DATABASE_URL or 127.0.0.1:5432)")
        if not settings.TEST_REDIS_URL:
            missing.append("Redis is not reachable (REDIS_URL or 127.0.0.1:6379)")
        if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
            missing.append(f"Chromium is not installed at {CHROMIUM}")
        if missing:
            raise pytest.UsageError("REQUIRE_SERVICES=1 but " + "; ".join(missing))


def pytest_report_header(config):
    if TEST_CLOCK:
        return f"clock moved to {TEST_CLOCK} (TEST_CLOCK)"
    return None


@pytest.fixture(autouse=True)
def _service_gates(request):
    if request.node.get_closest_marker("postgres") and not settings.DATABASE_IS_POSTGRES:
        _service_missing("needs PostgreSQL: this run uses SQLite (DATABASE_URL or 127.0.0.1:5432)")
    if request.node.get_closest_marker("redis") and not settings.TEST_REDIS_URL:
        _service_missing("needs Redis: none reachable on 127.0.0.1:6379 or REDIS_URL")
    if request.node.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        _service_missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")


def _seed_data_from_migrations() -> None:
    """Put back the rows the data migrations add (starter questions, topics)."""
    import importlib

    from contacts.models import Question
    from mentoring.models import Topic

    questions = importlib.import_module(
        "contacts.migrations.0002_search_index_and_starter_questions"
    )
    for text in questions.STARTER_QUESTIONS:
        Question.objects.get_or_create(owner=None, text=text)
    topics = importlib.import_module("mentoring.migrations.0003_directory_search_and_topics")
    for slug, name in topics.TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


def _sql_delete_non_empty(style, connection, reset_sequences=True, allow_cascade=False):
    """What `flush` runs on PostgreSQL in tests: DELETE of the tables that hold rows, instead
    of one TRUNCATE of all ninety (about 0.5 s each time on PostgreSQL, the bulk of every
    transactional test's teardown). Django's foreign keys are deferred, so the order does not
    matter; the post_migrate signal then runs as after any flush."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name  # the table names are our models' own
    exists = [f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(t)})" for i, t in enumerate(tables)]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(exists))
        holding = [tables[i] for (i,) in cursor.fetchall()]
    return [f"DELETE FROM {quote(table)}" for table in holding]  # noqa: S608


@pytest.fixture(scope="session", autouse=True)
def _flush_fast_and_reseed():
    """A transactional test (live server, threads, worker processes) flushes every table when
    it ends, data migrations' rows included. Right after each flush (its post_migrate signal)
    those rows are put back, so whichever test runs next, in whatever order, finds them; on
    PostgreSQL the flush deletes only the tables that hold rows."""
    from django.core.management.commands import flush
    from django.db.models.signals import post_migrate

    def reseed(app_config, **kwargs):
        if app_config.label == "mentoring":  # once per flush, after every table was emptied
            _seed_data_from_migrations()

    post_migrate.connect(reseed, dispatch_uid="tests-reseed-after-flush", weak=False)
    with pytest.MonkeyPatch.context() as patch:
        if settings.DATABASE_IS_POSTGRES:
            patch.setattr(flush, "sql_flush", _sql_delete_non_empty)
        yield
    post_migrate.disconnect(dispatch_uid="tests-reseed-after-flush")


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits and used-TOTP markers live in the cache: no test inherits them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request in Spanish leaves Spanish active in the thread (LocaleMiddleware activates a
    # language per request and never resets it): the next test starts in the default again.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def mailbox(settings, tmp_path):
    """Send mail to the development mailbox (files) instead of locmem."""
    settings.EMAIL_BACKEND = "networking_app.devmail.backends.MailboxBackend"
    settings.MAILBOX_DIR = tmp_path / "mail"
    settings.SENT_MAIL_PAGE = True
    return settings.MAILBOX_DIR


def _alice():
    return StudentFactory(email="alice@example.edu", profile__display_name="Alice Student")


def _bob():
    return StudentFactory(email="bob@example.edu", profile__display_name="Bob Student")


def _carol():
    return VolunteerFactory(email="carol@example.org", profile__display_name="Carol Volunteer")


def _frank():
    return VolunteerFactory(email="frank@example.org", profile__display_name="Frank Volunteer")


def _erin():
    return StaffFactory(email="erin@example.edu", profile__display_name="Erin Staff")


@pytest.fixture
def student(db):
    return _alice()


@pytest.fixture
def other_student(db):
    return _bob()


@pytest.fixture
def volunteer(db):
    return _carol()


@pytest.fixture
def other_volunteer(db):
    return _frank()


@pytest.fixture
def pending_volunteer(db):
    return VolunteerFactory(
        email="dana@example.org",
        profile__display_name="Dana Pending",
        volunteer_profile__status="pending",
    )


@pytest.fixture
def staff(db):
    return _erin()


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def student_client(student):
    return _client_for(student)


@pytest.fixture
def other_student_client(other_student):
    return _client_for(other_student)


@pytest.fixture
def volunteer_client(volunteer):
    return _client_for(volunteer)


@pytest.fixture
def other_volunteer_client(other_volunteer):
    return _client_for(other_volunteer)


def confirm_second_factor(client, user) -> None:
    """Record in the client's session, as allauth does when someone signs in with their TOTP
    code, that `user` just entered their second factor: staff actions behind
    staff_reauthentication_required then go through without asking for it (for the next
    ACCOUNT_REAUTHENTICATION_TIMEOUT seconds). allauth's own pages that want a
    reauthentication (deactivating TOTP...) still ask for it. Tests of that requirement do not
    use this."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"}
    ]
    # allauth ties the records to the signed-in user (allauth.account.internal.flows.login).
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def _staff_client_for(staff):
    client = _client_for(staff)
    confirm_second_factor(client, staff)
    return client


@pytest.fixture
def staff_client(staff):
    """Staff logged in with their second factor (allauth marks the session)."""
    return _staff_client_for(staff)


@pytest.fixture
def clients(
    client,
    student_client,
    other_student_client,
    volunteer_client,
    other_volunteer_client,
    staff_client,
):
    """A client for each visitor of the route table (tests/routes.py WHO), in its order."""
    return [
        client,
        student_client,
        other_student_client,
        volunteer_client,
        other_volunteer_client,
        staff_client,
    ]


@pytest.fixture
def owned(student, volunteer, staff):
    """The URL parameters of the route table's world (tests/routes.py build_owned)."""
    from tests.routes import build_owned

    return build_owned(student, volunteer, staff)


@pytest.fixture(scope="class")
def route_world(django_db_setup, django_db_blocker):
    """The route table's world built once for a class of tests (the whole-site sweeps), not
    once per route: the named people, a client for each visitor (tests/routes.py WHO order)
    and the URL parameters of their objects. It lives in a transaction rolled back after the
    class; each test runs in a savepoint inside it, so what a test changes is undone. Tests
    that use it must not ask for the function-scoped people (the same email addresses)."""
    from django.db import transaction
    from django.test import Client

    from tests.routes import World, build_owned

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            people = {
                "student": _alice(),
                "other_student": _bob(),
                "volunteer": _carol(),
                "other_volunteer": _frank(),
                "staff": _erin(),
            }
            clients = [
                Client(),
                _client_for(people["student"]),
                _client_for(people["other_student"]),
                _client_for(people["volunteer"]),
                _client_for(people["other_volunteer"]),
                _staff_client_for(people["staff"]),
            ]
            owned = build_owned(people["student"], people["volunteer"], people["staff"])
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield World(people=people, clients=clients, owned=owned)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
