"""`{% site_nav %}`: the main navigation of every page, built in Python.

The navigation was a template of twenty {% url %} tags and conditions, rendered on every page;
it cost about a quarter of a millisecond, as much as a small page's own query. The links are
reversed once per process (networking_app.rendering.url_of); which one is the current page
depends on the resolved URL's namespace and name, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import template
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from networking_app.rendering import esc, url_of

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
    ("staff:home", "Staff home", lambda ns, name: ns == "staff" and name == "home"),
    ("console:dashboard", "Dashboard", lambda ns, name: ns == "console" and name != "volunteers"),
    ("console:volunteers", "Volunteers", lambda ns, name: ns == "console" and name == "volunteers"),
    ("staff:team", "Staff team", lambda ns, name: name == "team"),
    ("staff:emails", "Email delivery", lambda ns, name: ns == "staff" and name == "emails"),
    (
        "mentoring:rounds",
        "Match rounds",
        lambda ns, name: ns == "mentoring" and name.startswith("round"),
    ),
    ("events:calendar", "Events", lambda ns, name: ns == "events"),
    ("admin:index", "Admin", None),
]
STUDENT: list[tuple[str, str, Current | None]] = [
    ("home", "Today", lambda ns, name: (name == "home" and not ns) or name == "today"),
    ("contacts:list", "Contacts", lambda ns, name: ns == "contacts" and name in _CONTACT_PAGES),
    (
        "contacts:board",
        "Conversations",
        lambda ns, name: (
            (ns == "contacts" and name == "board") or name in ("conversation", "conversation_plan")
        ),
    ),
    (
        "contacts:targets",
        "Targets",
        lambda ns, name: (ns == "contacts" and name == "targets") or name == "target_edit",
    ),
    ("contacts:outcomes", "Outcomes", lambda ns, name: ns == "contacts" and name == "outcomes"),
    ("notifications:reminders", "Reminders", lambda ns, name: ns == "notifications"),
    (
        "mentoring:directory",
        "Directory",
        lambda ns, name: (
            (ns == "mentoring" and name == "directory") or name in ("warm_paths", "mentor")
        ),
    ),
    ("events:calendar", "Events", lambda ns, name: ns == "events"),
]
VOLUNTEER: list[tuple[str, str, Current | None]] = [
    ("home", "Home", lambda ns, name: name == "home" and not ns),
    ("mentoring:volunteer_profile", "My profile", lambda ns, name: name == "volunteer_profile"),
    ("mentoring:availability", "Availability", lambda ns, name: name == "availability"),
    ("notifications:reminders", "Reminders", lambda ns, name: ns == "notifications"),
    ("events:calendar", "Events", lambda ns, name: ns == "events"),
]
EVERYONE: list[tuple[str, str, Current | None]] = [
    ("profile", "Profile", lambda ns, name: name in _PROFILE_PAGES),
]
ANONYMOUS: list[tuple[str, str, Current | None]] = [
    ("events:calendar", "Events", lambda ns, name: ns == "events"),
    ("account_login", "Log in", None),
    ("account_signup", "Sign up", None),
]


def _links(entries, ns: str, name: str) -> list[str]:
    items = []
    for viewname, label, current in entries:
        mark = ' aria-current="page"' if current is not None and current(ns, name) else ""
        items.append(f'<li><a href="{url_of(viewname)}"{mark}>{label}</a></li>')
    return items


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    ns = (match.namespace or "") if match else ""
    name = (match.url_name or "") if match else ""
    if user is not None and user.is_authenticated:
        if user.is_staff_member:
            entries = STAFF
        elif user.is_student:
            entries = STUDENT
        else:
            entries = VOLUNTEER
        items = _links(entries + EVERYONE, ns, name)
        token = esc(get_token(request)) if request is not None else ""
        items.append(
            f'<li><form method="post" action="{url_of("account_logout")}" class="inline-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            '<button type="submit" class="link-button">Log out</button></form></li>'
        )
    else:
        items = _links(ANONYMOUS, ns, name)
    body = "\n".join(items)
    return mark_safe(f'<nav class="site-nav" aria-label="Main">\n<ul>\n{body}\n</ul>\n</nav>')  # noqa: S308


@functools.cache
def _asset(path: str) -> str:
    return static(path)


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}`, remembered per process: the files' URLs do not change while it
    runs (collectstatic's manifest is read once), and base.html asks for thirteen."""
    return _asset(path)
