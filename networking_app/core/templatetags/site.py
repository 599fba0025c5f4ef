"""`{% site_nav %}`: the main navigation of every page (templates/jinja2/site_nav.html).

Which links a visitor gets and which one is the current page (from the resolved URL's namespace
and name) is decided here; the links are reversed once per process
(networking_app.core.rendering.url_of), since twenty {% url %} tags on every page cost as much as a
small page's own query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import template
from django.templatetags.static import static
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from networking_app.core.jinja import render_fragment
from networking_app.core.rendering import url_of

register = template.Library()

Current = Callable[[str, str], bool]

_PROFILE_PAGES = {
    "profile",
    "account_email",
    "account_change_password",
    "mfa_index",
    "account_data",
    "account_delete",
}
_CONTACT_PAGES = {"list", "create", "detail", "edit", "delete", "merge"}

STAFF: list[tuple[str, str, Current | None]] = [
    ("staff:home", _("Staff home"), lambda ns, name: ns == "staff" and name == "home"),
    (
        "console:dashboard",
        _("Dashboard"),
        lambda ns, name: ns == "console" and name != "volunteers",
    ),
    (
        "console:volunteers",
        _("Volunteers"),
        lambda ns, name: ns == "console" and name == "volunteers",
    ),
    ("staff:team", _("Staff team"), lambda ns, name: name == "team"),
    ("staff:emails", _("Email delivery"), lambda ns, name: ns == "staff" and name == "emails"),
    (
        "mentoring:rounds",
        _("Match rounds"),
        lambda ns, name: ns == "mentoring" and name.startswith("round"),
    ),
    ("events:calendar", _("Events"), lambda ns, name: ns == "events"),
    ("admin:index", _("Admin"), None),
]
# A student's or volunteer's pages of match rounds: the rounds open to them, joining, a match.
_ROUND_PAGES = ("rounds_open", "round_join", "round_volunteer_join", "round_match")
STUDENT: list[tuple[str, str, Current | None]] = [
    ("home", _("Today"), lambda ns, name: (name == "home" and not ns) or name == "today"),
    ("contacts:list", _("Contacts"), lambda ns, name: ns == "contacts" and name in _CONTACT_PAGES),
    (
        "contacts:board",
        _("Conversations"),
        lambda ns, name: (
            (ns == "contacts" and name == "board") or name in ("conversation", "conversation_plan")
        ),
    ),
    (
        "contacts:targets",
        _("Targets"),
        lambda ns, name: (ns == "contacts" and name == "targets") or name == "target_edit",
    ),
    ("contacts:outcomes", _("Outcomes"), lambda ns, name: ns == "contacts" and name == "outcomes"),
    ("notifications:reminders", _("Reminders"), lambda ns, name: ns == "notifications"),
    (
        "mentoring:directory",
        _("Directory"),
        lambda ns, name: (
            (ns == "mentoring" and name == "directory")
            or name in ("warm_paths", "mentor", "suggestions")
        ),
    ),
    (
        "mentoring:rounds_open",
        _("Match rounds"),
        lambda ns, name: ns == "mentoring" and name in _ROUND_PAGES,
    ),
    ("events:calendar", _("Events"), lambda ns, name: ns == "events"),
]
VOLUNTEER: list[tuple[str, str, Current | None]] = [
    ("home", _("Home"), lambda ns, name: name == "home" and not ns),
    ("mentoring:volunteer_profile", _("My profile"), lambda ns, name: name == "volunteer_profile"),
    ("mentoring:availability", _("Availability"), lambda ns, name: name == "availability"),
    (
        "mentoring:requests",
        _("Requests"),
        lambda ns, name: ns == "mentoring" and name in ("requests", "request"),
    ),
    (
        "mentoring:sessions",
        _("Sessions"),
        lambda ns, name: ns == "mentoring" and name in ("sessions", "session"),
    ),
    ("notifications:reminders", _("Reminders"), lambda ns, name: ns == "notifications"),
    (
        "mentoring:rounds_open",
        _("Match rounds"),
        lambda ns, name: ns == "mentoring" and name in _ROUND_PAGES,
    ),
    ("events:calendar", _("Events"), lambda ns, name: ns == "events"),
]
# A former student's private network, beside the volunteer's pages (User.keeps_network).
NETWORK: list[tuple[str, str, Current | None]] = [
    ("contacts:today", _("My network"), lambda ns, name: ns in ("contacts", "imports")),
]
EVERYONE: list[tuple[str, str, Current | None]] = [
    ("profile", _("Profile"), lambda ns, name: name in _PROFILE_PAGES),
]
ANONYMOUS: list[tuple[str, str, Current | None]] = [
    ("events:calendar", _("Events"), lambda ns, name: ns == "events"),
    ("account_login", _("Log in"), None),
    ("account_signup", _("Sign up"), None),
]


def _links(entries, ns: str, name: str) -> list[tuple[str, str, bool]]:
    return [
        (url_of(viewname), label, current is not None and current(ns, name))
        for viewname, label, current in entries
    ]


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    """The links (URL, label, whether it is the current page) for the visitor, and for a signed-in
    one the log-out form (its token Django's `csrf_input`, from the request)."""
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    ns = (match.namespace or "") if match else ""
    name = (match.url_name or "") if match else ""
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        entries = ANONYMOUS
    elif user.is_staff_member:
        entries = STAFF + EVERYONE
    elif user.is_student:
        entries = STUDENT + EVERYONE
    else:
        entries = VOLUNTEER + (NETWORK if user.former_student else []) + EVERYONE
    nav = {
        "name": pgettext_lazy("navigation", "Main"),
        "links": _links(entries, ns, name),
        "logout_url": url_of("account_logout") if signed_in else None,
    }
    # With the request: the log-out form's CSRF token.
    return render_fragment("site_nav.html", nav, request=request)


@register.simple_tag(name="url_of")
def url_of_tag(viewname: str) -> str:
    """`{% url "name" %}` for a URL without arguments, reversed once per process
    (networking_app.core.rendering.url_of): a page names ten to fifteen, and reverse() costs
    about as much as rendering a small template. Every template has it (a builtin, see
    settings.TEMPLATES); `{% url %}` stays for URLs with arguments."""
    return url_of(viewname)


@functools.cache
def _asset(path: str) -> str:
    return static(path)


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}`, remembered per process: the files' URLs do not change while it
    runs (collectstatic's manifest is read once), and base.html asks for thirteen."""
    return _asset(path)
