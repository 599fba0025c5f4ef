"""The route table: who may open what, one row per route, for every kind of visitor.

tests/test_access.py enumerates the URLconf: a route that is missing from ACCESS fails the
suite, so every new view states its access rules here. Codes: 200 ok, 302 redirect (LOGIN = to
the login page), 403 forbidden, 404 not found, 405 wrong method (POST-only views; their POST is
tested in the app's own tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie

from tests.urlconf import all_routes

LOGIN = "login"  # a 302 to the login page
ANON, STUDENT, OTHER, VOLUNTEER, STAFF = range(5)

# name: (anonymous, student, other student, volunteer, staff)
ACCESS: dict[str, tuple] = {
    "home": (LOGIN, 200, 200, 200, 302),
    "profile": (LOGIN, 200, 200, 200, 200),
    "healthz": (200, 200, 200, 200, 200),
    # allauth: entrance pages send signed-in users home; account pages need a login.
    "account_login": (200, 302, 302, 302, 302),
    "account_logout": (302, 200, 200, 200, 200),
    "account_inactive": (200, 200, 200, 200, 200),
    "account_signup": (200, 302, 302, 302, 302),
    "account_reauthenticate": (LOGIN, 200, 200, 200, 200),
    # Reauthentication by an emailed code is off (ACCOUNT_REAUTHENTICATION_METHODS): 403.
    "account_request_reauthentication_code": (LOGIN, 403, 403, 403, 403),
    "account_confirm_reauthentication_code": (LOGIN, 403, 403, 403, 403),
    "account_email": (LOGIN, 200, 200, 200, 200),
    "account_email_verification_sent": (200, 200, 200, 200, 200),
    "account_change_password": (LOGIN, 200, 200, 200, 200),
    "account_set_password": (LOGIN, 302, 302, 302, 302),
    "account_reset_password": (200, 200, 200, 200, 200),
    "account_confirm_login_code": (302, 302, 302, 302, 302),
    "account_confirm_email": (200, 200, 200, 200, 200),
    "account_reset_password_from_key_done": (200, 200, 200, 200, 200),
    "account_reset_password_from_key": (200, 200, 200, 200, 200),
    "account_reset_password_done": (200, 200, 200, 200, 200),
    "mfa_index": (LOGIN, 200, 200, 200, 200),
    "mfa_authenticate": (302, 302, 302, 302, 302),
    "mfa_reauthenticate": (LOGIN, 302, 302, 302, 200),
    "mfa_activate_totp": (LOGIN, 302, 302, 302, 302),  # reauthenticate first
    "mfa_deactivate_totp": (LOGIN, 404, 404, 404, 302),
    "mfa_view_recovery_codes": (LOGIN, 404, 404, 404, 404),
    "mfa_generate_recovery_codes": (LOGIN, 302, 302, 302, 302),
    "mfa_download_recovery_codes": (LOGIN, 404, 404, 404, 404),
    # Career-office staff only (403 for other roles; staff without MFA are sent to set it up).
    "staff:home": (LOGIN, 403, 403, 403, 200),
    "staff:team": (LOGIN, 403, 403, 403, 200),
    "staff:volunteer_review": (405, 405, 405, 405, 405),
    "staff:emails": (LOGIN, 403, 403, 403, 200),
    "staff:email_retry": (405, 405, 405, 405, 405),
    # Reminders: any signed-in user's own; actions are POST only (tests/notifications).
    "notifications:reminders": (LOGIN, 200, 200, 200, 200),
    "notifications:reminder_snooze": (405, 405, 405, 405, 405),
    "notifications:reminder_done": (405, 405, 405, 405, 405),
    # Signed links from emails: no login needed; a bad token is a clear 400 page for anyone.
    "notifications:reminder_action": (400, 400, 400, 400, 400),
    "notifications:unsubscribe": (400, 400, 400, 400, 400),
    # The development mailbox: on in tests, 404 in production (tested separately).
    "devmail:list": (200, 200, 200, 200, 200),
    "devmail:detail": (404, 404, 404, 404, 404),
    "devmail:html": (404, 404, 404, 404, 404),
    # A student's reminders about one contact (tests/contacts/test_contact_reminders.py). Not in
    # tests/contacts/access_people.py: its own check takes every id from owned_objects(), which
    # has no reminder; here the sample reminder_id serves, as a GET is a 405 before any lookup.
    "contacts:reminder_add": (405, 405, 405, 405, 405),
    "contacts:reminder_cancel": (405, 405, 405, 405, 405),
}

# The Django admin: everyone but staff is sent to its login, which is allauth's (and refuses
# other roles: test_admin_login_refuses_other_roles). Staff reach the index; model pages
# need the model permission (403 until granted).
ADMIN_DEFAULT = (302, 302, 302, 302, 403)
# An object page for an id that does not exist sends staff back to the admin index.
ADMIN_MISSING_OBJECT = (302, 302, 302, 302, 302)
# A student's own pages (contacts app): rows live beside the app's tests.
from tests.contacts.access_people import ACCESS as PEOPLE_ACCESS  # noqa: E402
from tests.contacts.access_pipeline import ACCESS as PIPELINE_ACCESS  # noqa: E402
from tests.mentoring.access_directory import ACCESS as DIRECTORY_ACCESS  # noqa: E402
from tests.mentoring.access_requests import ACCESS as REQUESTS_ACCESS  # noqa: E402
from tests.mentoring.access_rounds import ACCESS as ROUNDS_ACCESS  # noqa: E402


def _discovered_access_modules():
    """Newer apps keep their rows in ``tests/<app>/access_*.py`` modules that define ACCESS and,
    for routes with ids, ``access_objects(student, volunteer, staff) -> dict`` of URL params."""
    import importlib
    import pkgutil
    from pathlib import Path

    explicit = {
        "tests.contacts.access_people",
        "tests.contacts.access_pipeline",
        "tests.mentoring.access_directory",
        "tests.mentoring.access_requests",
        "tests.mentoring.access_rounds",
    }
    root = Path(__file__).parent
    modules = []
    for package in sorted(p for p in root.iterdir() if (p / "__init__.py").exists()):
        for info in pkgutil.iter_modules([str(package)]):
            name = f"tests.{package.name}.{info.name}"
            if info.name.startswith("access_") and name not in explicit:
                module = importlib.import_module(name)
                if hasattr(module, "ACCESS"):
                    modules.append(module)
    return modules


DISCOVERED = _discovered_access_modules()

for _rows in (
    PEOPLE_ACCESS,
    PIPELINE_ACCESS,
    DIRECTORY_ACCESS,
    REQUESTS_ACCESS,
    ROUNDS_ACCESS,
    *(m.ACCESS for m in DISCOVERED),
):
    assert not set(ACCESS) & set(_rows), f"listed twice: {set(ACCESS) & set(_rows)}"
    ACCESS.update(_rows)

ADMIN_ACCESS = {
    "admin:index": (302, 302, 302, 302, 200),
    "admin:app_list": (302, 302, 302, 302, 404),
    "admin:jsi18n": (302, 302, 302, 302, 200),
    "admin:login": (302, 403, 403, 403, 302),
    "admin:logout": (302, 302, 302, 302, 405),
    "admin:password_change": (302, 302, 302, 302, 200),
    "admin:password_change_done": (302, 302, 302, 302, 200),
    "admin:view_on_site": (302, 302, 302, 302, 404),
}

SAMPLE_KWARGS = {
    "key": "not-a-real-key",
    "uidb36": "1",
    "user_id": 1,
    "name": "20260101-000000-000000-deadbeef.eml",
    "app_label": "accounts",
    "object_id": "999999",
    "content_type_id": 1,
    "url": "nothing-here/",
    "id": "999999",
    "reminder_id": 999999,
    "email_id": 999999,
    "days": 1,
    "token": "not-a-signed-token",
}


def route_kwargs(name: str, owned: dict) -> dict:
    values = {**SAMPLE_KWARGS, **owned}
    return {p: values[p] for p in all_routes()[name].params}


def expected_for(name: str) -> tuple:
    if name in ACCESS:
        return ACCESS[name]
    if name.startswith("admin:"):
        if name.endswith("_history"):
            return ADMIN_MISSING_OBJECT
        return ADMIN_ACCESS.get(name, ADMIN_DEFAULT)
    raise KeyError(name)


def named_routes() -> list[str]:
    return sorted(n for n in all_routes() if not n.startswith("<"))


WHO = ["anonymous", "student", "other student", "volunteer", "staff"]


def build_owned(student, volunteer, staff) -> dict:
    """Objects for routes that take an id: the student's own contacts and conversations, the
    volunteer's mentor profile, a request and a session between the two, a round and a
    published match. "Another student" must get a 404 for each of them."""
    from tests.contacts.helpers import owned_objects
    from tests.mentoring.helpers import directory_objects, request_objects, round_objects

    params = owned_objects(student)
    params.update(request_objects(student, volunteer))
    params.update(directory_objects(volunteer))
    params.update(round_objects(staff, student, volunteer))
    for module in DISCOVERED:
        if hasattr(module, "access_objects"):
            params.update(module.access_objects(student, volunteer, staff))
    return params


@dataclass
class World:
    """What the whole-site sweeps crawl (tests/conftest.py route_world)."""

    people: dict
    clients: list
    owned: dict

    def __post_init__(self) -> None:
        self._cookies = [_copy(client.cookies) for client in self.clients]

    def visitors(self) -> list:
        """The clients in WHO order, each with only its sign-in cookie: a cookie an earlier
        test's response set (a message, a new session) does not follow into the next test."""
        for client, cookies in zip(self.clients, self._cookies, strict=True):
            client.cookies = _copy(cookies)
        return self.clients


def _copy(cookies: SimpleCookie) -> SimpleCookie:
    copied = SimpleCookie()
    copied.update(cookies)
    return copied
