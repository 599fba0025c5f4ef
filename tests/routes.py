"""The route table: what every visitor gets from every route, with GET and with POST.

One row per named route of the URLconf: `Row(get, post)`, each a tuple of what the six
visitors of WHO get, in that order. tests/test_access.py enumerates the URLconf (a route
missing from ROUTES fails the suite) and requests every route as every visitor, each request
in a savepoint of one shared world, the POST without a body. The Django admin's routes follow
ADMIN rules instead of rows. Renaming a URL is a change of one key here.

Codes: 200 ok, 302 a redirect elsewhere, LOGIN a redirect to the login page, 400 bad request,
403 forbidden, 404 not found (what another person's object looks like), 405 wrong method.
What a POST with a real body does is tested beside each app.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import NamedTuple

from tests.urlconf import all_routes

LOGIN = "login"  # a 302 to the login page
WHO = ("anonymous", "student", "other student", "volunteer", "other volunteer", "staff")
ANON, STUDENT, OTHER, VOLUNTEER, OTHER_VOLUNTEER, STAFF = range(len(WHO))


class Row(NamedTuple):
    get: tuple
    post: tuple


# What each visitor gets, in WHO order. "_DONE": the action goes through (a redirect).
EVERYONE = (200, 200, 200, 200, 200, 200)
NOT_FOUND = (404, 404, 404, 404, 404, 404)
BAD_TOKEN = (400, 400, 400, 400, 400, 400)
POST_ONLY = (405, 405, 405, 405, 405, 405)  # a GET of an action
GET_ONLY = POST_ONLY  # a POST to a page that only shows something
ENTRANCE = (200, 302, 302, 302, 302, 302)  # signed-in people are sent home
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
SIGNED_IN_DONE = (LOGIN, 302, 302, 302, 302, 302)
NOT_STAFF = (LOGIN, 200, 200, 200, 200, 403)
OWN_LIST = (LOGIN, 200, 200, 200, 200, 404)  # students' and volunteers' own lists
REFUSED = (LOGIN, 403, 403, 403, 403, 403)
NOT_FOUND_SIGNED_IN = (LOGIN, 404, 404, 404, 404, 404)
STUDENTS = (LOGIN, 200, 200, 404, 404, 404)  # every student's own page
STUDENTS_DONE = (LOGIN, 302, 302, 404, 404, 404)
PRIVATE = (LOGIN, 200, 404, 404, 404, 404)  # the student's object: a 404 for anyone else
PRIVATE_DONE = (LOGIN, 302, 404, 404, 404, 404)
PARTICIPANTS = (LOGIN, 200, 404, 200, 404, 404)  # a request's student and volunteer only
PARTICIPANTS_DONE = (LOGIN, 302, 404, 302, 404, 404)
VOLUNTEERS = (LOGIN, 403, 403, 200, 200, 403)
STAFF_ONLY = (LOGIN, 403, 403, 403, 403, 200)
STAFF_DONE = (LOGIN, 403, 403, 403, 403, 302)

ROUTES: dict[str, Row] = {
    # The site and allauth: entrance pages send signed-in people home; account pages need a
    # login. Reauthentication by an emailed code is off (ACCOUNT_REAUTHENTICATION_METHODS).
    # Single sign-on (allauth's socialaccount). The test settings configure no identity
    # provider, so its SAML and OpenID Connect routes find no app: a 404 (tests/accounts/
    # test_sso_*.py sign in through real ones). Signing up from a provider needs one under
    # way; the connections page lists a signed-in person's linked accounts.
    "saml_login": Row(NOT_FOUND, NOT_FOUND),
    "saml_acs": Row((302,) * 6, (302,) * 6),  # stores the response, hands over to finish
    "saml_finish_acs": Row(NOT_FOUND, NOT_FOUND),
    "saml_sls": Row(NOT_FOUND, NOT_FOUND),
    "saml_metadata": Row(NOT_FOUND, NOT_FOUND),
    "openid_connect_login": Row(NOT_FOUND, NOT_FOUND),
    "openid_connect_callback": Row(NOT_FOUND, NOT_FOUND),
    "socialaccount_login_cancelled": Row(EVERYONE, GET_ONLY),
    "socialaccount_login_error": Row((401,) * 6, GET_ONLY),
    "socialaccount_signup": Row((LOGIN,) * 6, (LOGIN,) * 6),  # none under way
    "socialaccount_connections": Row(SIGNED_IN, SIGNED_IN),
    "<unnamed accounts/social/login/cancelled/>": Row(EVERYONE, EVERYONE),
    "<unnamed accounts/social/login/error/>": Row(EVERYONE, EVERYONE),
    "<unnamed accounts/social/signup/>": Row(EVERYONE, EVERYONE),
    "<unnamed accounts/social/connections/>": Row(SIGNED_IN, SIGNED_IN),
    "account_change_password": Row(SIGNED_IN, SIGNED_IN),
    # A student turns their account into an alumni volunteer's (an empty POST: not confirmed).
    "account_become_volunteer": Row(STUDENTS, STUDENTS),
    "account_confirm_email": Row(EVERYONE, NOT_FOUND),
    "account_confirm_login_code": Row(SIGNED_IN_DONE, SIGNED_IN_DONE),
    "account_confirm_reauthentication_code": Row(REFUSED, REFUSED),
    "account_email": Row(SIGNED_IN, SIGNED_IN_DONE),
    "account_email_verification_sent": Row(EVERYONE, GET_ONLY),
    "account_inactive": Row(EVERYONE, GET_ONLY),
    "account_login": Row(ENTRANCE, ENTRANCE),
    "account_logout": Row((302, 200, 200, 200, 200, 200), (302, 302, 302, 302, 302, 302)),
    "account_reauthenticate": Row(SIGNED_IN, SIGNED_IN),
    "account_request_reauthentication_code": Row(REFUSED, REFUSED),
    "account_reset_password": Row(EVERYONE, EVERYONE),
    "account_reset_password_done": Row(EVERYONE, GET_ONLY),
    "account_reset_password_from_key": Row(EVERYONE, EVERYONE),
    "account_reset_password_from_key_done": Row(EVERYONE, GET_ONLY),
    "account_set_password": Row(SIGNED_IN_DONE, SIGNED_IN_DONE),
    "account_signup": Row(ENTRANCE, ENTRANCE),
    "healthz": Row(EVERYONE, EVERYONE),
    # Email capture's webhook for inbound-mail services: a POST without its signature is a 401.
    "capture_inbound": Row(POST_ONLY, (401, 401, 401, 401, 401, 401)),
    # The installable app: its manifest and service worker, for anyone (browsers fetch them
    # without the session).
    "service_worker": Row(EVERYONE, GET_ONLY),
    "web_manifest": Row(EVERYONE, GET_ONLY),
    # Django's set_language: back to the page (or "/"), choosing the posted language if any.
    "set_language": Row((302, 302, 302, 302, 302, 302), (302, 302, 302, 302, 302, 302)),
    "home": Row((200, 200, 200, 200, 200, 302), GET_ONLY),  # visitors: the front page
    "profile": Row(SIGNED_IN, SIGNED_IN),
    # Second factor (allauth.mfa): activating asks for a reauthentication first.
    "mfa_activate_totp": Row(SIGNED_IN_DONE, SIGNED_IN_DONE),
    "mfa_authenticate": Row(SIGNED_IN_DONE, SIGNED_IN_DONE),
    "mfa_deactivate_totp": Row((LOGIN, 404, 404, 404, 404, 302), (LOGIN, 404, 404, 404, 404, 302)),
    "mfa_download_recovery_codes": Row(NOT_FOUND_SIGNED_IN, NOT_FOUND_SIGNED_IN),
    "mfa_generate_recovery_codes": Row(SIGNED_IN_DONE, SIGNED_IN_DONE),
    "mfa_index": Row(SIGNED_IN, (LOGIN, 405, 405, 405, 405, 405)),
    "mfa_reauthenticate": Row((LOGIN, 302, 302, 302, 302, 200), (LOGIN, 302, 302, 302, 302, 200)),
    "mfa_view_recovery_codes": Row(NOT_FOUND_SIGNED_IN, (LOGIN, 405, 405, 405, 405, 405)),
    # "Your data" and closing an account: staff may not delete theirs.
    "account_data": Row(SIGNED_IN, SIGNED_IN),
    "account_data_download": Row(SIGNED_IN, SIGNED_IN),
    "account_delete": Row(NOT_STAFF, NOT_STAFF),
    "account_deleted": Row(EVERYONE, GET_ONLY),
    # An inactive graduate's notice links here; keeping only changes a pending deletion.
    "account_keep": Row(SIGNED_IN, SIGNED_IN_DONE),
    # Career-office staff only (403 for other roles; staff without MFA are sent to set it up).
    "staff:email_retry": Row(POST_ONLY, (LOGIN, 403, 403, 403, 403, 404)),
    "staff:emails": Row(STAFF_ONLY, STAFF_ONLY),
    "staff:home": Row(STAFF_ONLY, STAFF_ONLY),
    "staff:team": Row(STAFF_ONLY, STAFF_ONLY),
    # Reminders are every signed-in person's own; signed links from emails need no login (a bad
    # token is a clear 400 page for anyone).
    "notifications:reminder_action": Row(BAD_TOKEN, BAD_TOKEN),
    # A request's answer links from its email work without signing in, like the reminders'.
    "mentoring:request_answer": Row(BAD_TOKEN, BAD_TOKEN),
    "notifications:reminder_done": Row(POST_ONLY, NOT_FOUND_SIGNED_IN),
    "notifications:reminder_snooze": Row(POST_ONLY, NOT_FOUND_SIGNED_IN),
    "notifications:reminders": Row(SIGNED_IN, SIGNED_IN),
    "notifications:unsubscribe": Row(BAD_TOKEN, BAD_TOKEN),
    # The development mailbox: on in tests, 404 in production (tested separately).
    "devmail:detail": Row(NOT_FOUND, GET_ONLY),
    "devmail:html": Row(NOT_FOUND, GET_ONLY),
    "devmail:list": Row(EVERYONE, GET_ONLY),
    # A student's private pages: another student, volunteers and staff get a plain 404. Pages
    # without an id are every student's own. The sample reminder_id names no reminder.
    "contacts:action_item_add": Row(POST_ONLY, PRIVATE),
    "contacts:action_item_toggle": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:board": Row(STUDENTS, STUDENTS),
    # Email capture (contacts/capture): the student's address, a new one, proposed contacts.
    "contacts:capture": Row(STUDENTS, GET_ONLY),
    "contacts:capture_accept": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:capture_dismiss": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:capture_rotate": Row(POST_ONLY, STUDENTS_DONE),
    "contacts:conversation_brief": Row(PRIVATE, GET_ONLY),
    "contacts:conversation": Row(PRIVATE, PRIVATE),
    "contacts:conversation_cancel": Row(POST_ONLY, PRIVATE),
    "contacts:conversation_held": Row(POST_ONLY, PRIVATE),
    "contacts:conversation_notes": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:conversation_plan": Row(PRIVATE, PRIVATE),
    "contacts:conversation_requested": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:conversation_reschedule": Row(POST_ONLY, PRIVATE),
    "contacts:conversation_schedule": Row(POST_ONLY, PRIVATE),
    "contacts:conversation_status": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:conversation_thanked": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:create": Row(STUDENTS, STUDENTS),
    "contacts:delete": Row(PRIVATE, PRIVATE_DONE),
    "contacts:detail": Row(PRIVATE, PRIVATE),
    "contacts:draft": Row(PRIVATE, PRIVATE),
    "contacts:draft_sent": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:edit": Row(PRIVATE, PRIVATE),
    "contacts:export": Row(STUDENTS, STUDENTS),
    "contacts:export_csv": Row(STUDENTS, STUDENTS),
    "contacts:export_vcard": Row(STUDENTS, STUDENTS),
    "contacts:import": Row(STUDENTS, STUDENTS),
    "contacts:import_batch": Row(PRIVATE, PRIVATE),
    "contacts:import_commit": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:import_decisions": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:import_discard": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:import_encoding": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:import_mapping": Row(POST_ONLY, PRIVATE),
    "contacts:import_progress": Row(PRIVATE, PRIVATE),
    "contacts:import_undo": Row(PRIVATE, PRIVATE_DONE),
    "contacts:interaction_add": Row(POST_ONLY, PRIVATE),
    "contacts:interaction_delete": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:list": Row(STUDENTS, STUDENTS),
    # People I met: an empty POST shows the form again; the sync endpoint's GET is who is signed
    # in, its empty POST a 400 (not JSON).
    "contacts:met": Row(STUDENTS, STUDENTS),
    "contacts:met_recent": Row(STUDENTS, GET_ONLY),
    "contacts:met_sync": Row(STUDENTS, (LOGIN, 400, 400, 404, 404, 404)),
    "contacts:merge": Row(PRIVATE, PRIVATE),
    "contacts:outcome_delete": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:outcomes": Row(STUDENTS, STUDENTS),
    "contacts:question_add": Row(POST_ONLY, PRIVATE),
    "contacts:question_delete": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:referral_add": Row(POST_ONLY, PRIVATE),
    "contacts:reminder_add": Row(POST_ONLY, PRIVATE),
    "contacts:reminder_cancel": Row(POST_ONLY, NOT_FOUND_SIGNED_IN),
    "contacts:target_delete": Row(POST_ONLY, PRIVATE_DONE),
    "contacts:target_edit": Row(PRIVATE, PRIVATE),
    "contacts:targets": Row(STUDENTS, STUDENTS),
    "contacts:template_edit": Row(STUDENTS, STUDENTS),
    "contacts:template_reset": Row(POST_ONLY, STUDENTS_DONE),
    "contacts:templates": Row(STUDENTS, STUDENTS),
    "contacts:today": Row(STUDENTS, STUDENTS),
    # Mentoring: a volunteer's own pages (403 for other roles; another volunteer's window is a
    # 404), the directory (students only), requests and sessions (their student's and their
    # volunteer's only), match rounds (administered by staff).
    "mentoring:add_contact": Row(POST_ONLY, STUDENTS_DONE),
    "mentoring:availability": Row(VOLUNTEERS, VOLUNTEERS),
    "mentoring:directory": Row(STUDENTS, STUDENTS),
    "mentoring:mentor": Row(STUDENTS, STUDENTS),
    "mentoring:session_attendance": Row(BAD_TOKEN, BAD_TOKEN),
    "mentoring:policy": Row(STAFF_ONLY, STAFF_ONLY),  # an empty POST: the form again
    "mentoring:volunteer_resume": Row(POST_ONLY, (LOGIN, 403, 403, 302, 302, 403)),
    # Onboarding: /welcome/ sends the student on to their step; a step's empty POST saves it.
    "mentoring:onboarding": Row(STUDENTS_DONE, GET_ONLY),
    "mentoring:onboarding_step": Row(STUDENTS, STUDENTS_DONE),
    "mentoring:onboarding_organization_suggestions": Row(STUDENTS, GET_ONLY),
    "mentoring:suggestions": Row(STUDENTS, GET_ONLY),
    "mentoring:override_add": Row(POST_ONLY, VOLUNTEERS),
    "mentoring:override_delete": Row(POST_ONLY, (LOGIN, 403, 403, 302, 404, 403)),
    "mentoring:request": Row(PARTICIPANTS, PARTICIPANTS),
    "mentoring:request_accept": Row(POST_ONLY, PARTICIPANTS),
    "mentoring:request_accept_proposal": Row(POST_ONLY, PARTICIPANTS_DONE),
    "mentoring:request_decline": Row(POST_ONLY, PARTICIPANTS_DONE),
    "mentoring:request_new": Row(STUDENTS, STUDENTS),
    "mentoring:request_propose": Row(POST_ONLY, PARTICIPANTS),
    "mentoring:request_withdraw": Row(POST_ONLY, PARTICIPANTS_DONE),
    "mentoring:requests": Row(OWN_LIST, OWN_LIST),
    "mentoring:round": Row(STAFF_ONLY, STAFF_ONLY),
    "mentoring:round_edit": Row(STAFF_ONLY, STAFF_ONLY),
    "mentoring:round_join": Row(STUDENTS, STUDENTS),
    "mentoring:round_leave": Row(POST_ONLY, STUDENTS_DONE),
    "mentoring:round_match": Row(PARTICIPANTS, PARTICIPANTS),
    "mentoring:round_match_book": Row(POST_ONLY, PRIVATE_DONE),
    "mentoring:round_match_lock": Row(POST_ONLY, STAFF_DONE),
    "mentoring:round_match_remove": Row(POST_ONLY, STAFF_DONE),
    "mentoring:round_new": Row(STAFF_ONLY, STAFF_ONLY),
    "mentoring:round_publish": Row(STAFF_ONLY, STAFF_DONE),
    "mentoring:round_review": Row(STAFF_ONLY, STAFF_ONLY),
    "mentoring:round_review_csv": Row(STAFF_ONLY, STAFF_ONLY),
    "mentoring:round_run": Row(POST_ONLY, STAFF_DONE),
    "mentoring:round_status": Row(POST_ONLY, STAFF_DONE),
    "mentoring:round_swap": Row(POST_ONLY, STAFF_DONE),
    "mentoring:round_volunteer_join": Row(VOLUNTEERS, VOLUNTEERS),
    "mentoring:round_volunteer_leave": Row(POST_ONLY, (LOGIN, 403, 403, 302, 302, 403)),
    "mentoring:rounds": Row(STAFF_ONLY, STAFF_ONLY),
    "mentoring:rounds_open": Row(NOT_STAFF, NOT_STAFF),
    "mentoring:session": Row(PARTICIPANTS, PARTICIPANTS),
    "mentoring:session_cancel": Row(POST_ONLY, PARTICIPANTS),
    "mentoring:session_complete": Row(POST_ONLY, PARTICIPANTS_DONE),
    "mentoring:session_feedback": Row(POST_ONLY, PARTICIPANTS),
    "mentoring:session_ics": Row(PARTICIPANTS, PARTICIPANTS),
    "mentoring:session_no_show": Row(POST_ONLY, PARTICIPANTS_DONE),
    "mentoring:session_place": Row(POST_ONLY, PARTICIPANTS),
    "mentoring:session_reschedule": Row(POST_ONLY, PARTICIPANTS),
    "mentoring:sessions": Row(OWN_LIST, OWN_LIST),
    # A volunteer's photo: for whoever may see their card (any signed-in person while they are
    # listed, as the world's volunteer is), a plain 404 for visitors; removed by its volunteer.
    "mentoring:volunteer_photo": Row((404, 200, 200, 200, 200, 200), POST_ONLY),
    "mentoring:volunteer_photo_remove": Row(POST_ONLY, (LOGIN, 403, 403, 302, 302, 403)),
    "mentoring:volunteer_profile": Row(VOLUNTEERS, VOLUNTEERS),
    "mentoring:warm_paths": Row(STUDENTS, STUDENTS),
    "mentoring:window_add": Row(POST_ONLY, VOLUNTEERS),
    "mentoring:window_delete": Row(POST_ONLY, (LOGIN, 403, 403, 302, 404, 403)),
    # Events: the calendar and public events are open to all; running them is for staff; one
    # event's .ics follows who may see the event; the personal feed's secret token is the
    # permission (calendar apps cannot sign in).
    "events:agenda": Row(EVERYONE, GET_ONLY),
    "events:attendees": Row(STAFF_ONLY, STAFF_ONLY),
    "events:attendees_csv": Row(STAFF_ONLY, STAFF_ONLY),
    "events:calendar": Row(EVERYONE, GET_ONLY),
    "events:cancel": Row(STAFF_ONLY, STAFF_ONLY),
    "events:check_in": Row(STAFF_ONLY, STAFF_ONLY),
    "events:check_in_counts": Row(STAFF_ONLY, GET_ONLY),
    "events:check_in_rsvp": Row(POST_ONLY, STAFF_DONE),
    "events:check_in_scan": Row(POST_ONLY, STAFF_DONE),
    "events:check_in_undo": Row(POST_ONLY, STAFF_DONE),
    "events:create": Row(STAFF_ONLY, STAFF_ONLY),
    "events:detail": Row(EVERYONE, GET_ONLY),
    "events:edit": Row(STAFF_ONLY, STAFF_ONLY),
    "events:event_ics": Row((LOGIN, 200, 200, 404, 404, 200), GET_ONLY),
    "events:feed_create": Row(POST_ONLY, SIGNED_IN_DONE),
    "events:feed_personal": Row(EVERYONE, GET_ONLY),
    "events:feed_public": Row(EVERYONE, GET_ONLY),
    "events:feed_revoke": Row(POST_ONLY, SIGNED_IN_DONE),
    "events:feed_rotate": Row(POST_ONLY, SIGNED_IN_DONE),
    "events:feed_settings": Row(SIGNED_IN, SIGNED_IN),
    "events:met": Row(PRIVATE, PRIVATE),
    "events:rsvp": Row(POST_ONLY, SIGNED_IN_DONE),
    "events:rsvp_cancel": Row(POST_ONLY, PRIVATE_DONE),
    "events:week": Row(EVERYONE, GET_ONLY),
    # The staff console. An invitation link sends anonymous visitors on to sign-up and asks
    # signed-in people to sign out first.
    "console:attendance": Row(STAFF_ONLY, GET_ONLY),
    "console:attendance_resolve": Row(POST_ONLY, STAFF_DONE),
    "console:attendance_resume": Row(POST_ONLY, STAFF_DONE),
    "console:audit": Row(STAFF_ONLY, STAFF_ONLY),
    "console:chart_export": Row(STAFF_ONLY, STAFF_ONLY),
    "console:dashboard": Row(STAFF_ONLY, STAFF_ONLY),
    "console:dashboard_recompute": Row(POST_ONLY, STAFF_DONE),
    "console:invitation_accept": Row(
        (302, 200, 200, 200, 200, 200), (302, 200, 200, 200, 200, 200)
    ),
    "console:invitation_revoke": Row(POST_ONLY, STAFF_DONE),
    "console:invitations": Row(STAFF_ONLY, STAFF_ONLY),
    "console:label_detail": Row(STAFF_ONLY, STAFF_ONLY),
    "console:label_remove": Row(POST_ONLY, STAFF_DONE),
    "console:labels": Row(STAFF_ONLY, STAFF_ONLY),
    "console:nudge_send": Row(POST_ONLY, (LOGIN, 403, 403, 403, 403, 400)),
    "console:nudges": Row(STAFF_ONLY, STAFF_ONLY),
    "console:volunteer_decide": Row(POST_ONLY, STAFF_DONE),
    "console:volunteers": Row(STAFF_ONLY, STAFF_ONLY),
    "console:volunteers_approve": Row(POST_ONLY, STAFF_DONE),
}

# The Django admin: everyone but staff is sent to its own login page; staff reach the index,
# model pages need the model permission (403 until granted), an object history page of an id
# that does not exist sends staff back to the index.
_ADMIN_OTHERS = (302, 302, 302, 302, 302)
ADMIN_DEFAULT = Row((*_ADMIN_OTHERS, 403), (*_ADMIN_OTHERS, 403))
ADMIN_MISSING_OBJECT = Row((*_ADMIN_OTHERS, 302), (*_ADMIN_OTHERS, 302))
ADMIN: dict[str, Row] = {
    "admin:index": Row((*_ADMIN_OTHERS, 200), (*_ADMIN_OTHERS, 200)),
    "admin:app_list": Row((*_ADMIN_OTHERS, 404), (*_ADMIN_OTHERS, 404)),
    "admin:autocomplete": Row((*_ADMIN_OTHERS, 403), (*_ADMIN_OTHERS, 405)),
    "admin:jsi18n": Row((*_ADMIN_OTHERS, 200), (*_ADMIN_OTHERS, 405)),
    # allauth's login page refuses other roles (test_admin_login_refuses_other_roles).
    "admin:login": Row((LOGIN, 403, 403, 403, 403, 302), (LOGIN, 403, 403, 403, 403, 302)),
    "admin:logout": Row((*_ADMIN_OTHERS, 405), (*_ADMIN_OTHERS, 200)),
    "admin:password_change": Row((*_ADMIN_OTHERS, 200), (*_ADMIN_OTHERS, 200)),
    "admin:password_change_done": Row((*_ADMIN_OTHERS, 200), (*_ADMIN_OTHERS, 405)),
    "admin:view_on_site": Row((*_ADMIN_OTHERS, 404), (*_ADMIN_OTHERS, 404)),
}

# URL parameters that name no object of the world: a route given one of these answers for
# something that does not exist (or a bad token).
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
    "organization_slug": "school",
    "provider_id": "school-oidc",
    "step": "about",
}


def route_kwargs(name: str, owned: dict) -> dict:
    values = {**SAMPLE_KWARGS, **owned}
    return {p: values[p] for p in all_routes()[name].params}


def expected_for(name: str) -> Row:
    if name in ROUTES:
        return ROUTES[name]
    if name.startswith("admin:"):
        if name.endswith("_history"):
            return ADMIN_MISSING_OBJECT
        return ADMIN.get(name, ADMIN_DEFAULT)
    raise KeyError(name)


def named_routes() -> list[str]:
    return sorted(n for n in all_routes() if not n.startswith("<"))


def build_owned(student, volunteer, staff) -> dict:
    """The URL parameters of the world's objects: the student's own contacts, conversations
    and import batch, the volunteer's mentor profile and photo, a request and a session between
    the two, a round and a published match, events, the student's feed, the console's labels
    and invitations. Another student (and another volunteer) must get a 404 for each of them."""
    from tests.console.helpers import console_objects
    from tests.contacts.helpers import import_batch_objects, owned_objects
    from tests.events.helpers import event_objects
    from tests.mentoring.helpers import directory_objects, request_objects, round_objects
    from tests.mentoring.photo_files import photo_objects

    params = owned_objects(student)
    params.update(request_objects(student, volunteer))
    params.update(directory_objects(volunteer))
    params.update(photo_objects(volunteer))
    params.update(round_objects(staff, student, volunteer))
    params.update(import_batch_objects(student))
    params.update(event_objects(student))
    params.update(console_objects(volunteer, staff))
    return params


@dataclass
class World:
    """What the whole-site sweeps crawl (tests/conftest.py route_world): the named people, a
    client for each visitor in WHO order, the URL parameters of their objects."""

    people: dict
    clients: list
    owned: dict

    def __post_init__(self) -> None:
        self._cookies = [_copy(client.cookies) for client in self.clients]

    def visitors(self) -> list:
        """The clients in WHO order, each with only its sign-in cookie: a cookie an earlier
        request set (a message, a new session, a sign-out) does not follow into the next."""
        for client, cookies in zip(self.clients, self._cookies, strict=True):
            client.cookies = _copy(cookies)
        return self.clients


def _copy(cookies: SimpleCookie) -> SimpleCookie:
    copied = SimpleCookie()
    copied.update(cookies)
    return copied
