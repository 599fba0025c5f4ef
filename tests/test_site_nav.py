"""The main navigation (networking_app.core.templatetags.site): each role's links, the current page
marked, and a working log-out form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


def _links(nav: str) -> list[str]:
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def _current(nav: str) -> list[str]:
    return re.findall(r'<a [^>]*aria-current="page">([^<]+)</a>', nav)


STUDENT_PAGES = [
    ("home", {}, "Today"),
    ("contacts:today", {}, "Today"),
    ("contacts:list", {}, "Contacts"),
    ("contacts:create", {}, "Contacts"),
    ("contacts:board", {}, "Conversations"),
    ("contacts:targets", {}, "Targets"),
    ("contacts:outcomes", {}, "Outcomes"),
    ("notifications:reminders", {}, "Reminders"),
    ("mentoring:directory", {}, "Directory"),
    ("mentoring:warm_paths", {}, "Directory"),
    ("mentoring:suggestions", {}, "Directory"),
    ("mentoring:rounds_open", {}, "Match rounds"),
    ("events:calendar", {}, "Events"),
    ("profile", {}, "Profile"),
    ("account_change_password", {}, "Profile"),
]


@pytest.mark.parametrize(("viewname", "kwargs", "current"), STUDENT_PAGES)
def test_student_nav_marks_the_current_page(student_client, viewname, kwargs, current):
    nav = _nav(student_client.get(reverse(viewname, kwargs=kwargs)).text)
    assert _links(nav) == [
        "Today",
        "Contacts",
        "Conversations",
        "Targets",
        "Outcomes",
        "Reminders",
        "Directory",
        "Match rounds",
        "Events",
        "Profile",
    ]
    assert _current(nav) == [current]
    assert f'href="{reverse("contacts:list")}"' in nav


@pytest.mark.parametrize(
    ("viewname", "current"),
    [
        ("staff:home", "Staff home"),
        ("console:dashboard", "Dashboard"),
        ("console:volunteers", "Volunteers"),
        ("console:audit", "Dashboard"),
        ("staff:team", "Staff team"),
        ("staff:emails", "Email delivery"),
        ("mentoring:rounds", "Match rounds"),
        ("events:calendar", "Events"),
    ],
)
def test_staff_nav_marks_the_current_page(staff_client, viewname, current):
    nav = _nav(staff_client.get(reverse(viewname)).text)
    assert _links(nav) == [
        "Staff home",
        "Dashboard",
        "Volunteers",
        "Staff team",
        "Email delivery",
        "Match rounds",
        "Events",
        "Admin",
        "Profile",
    ]
    assert _current(nav) == [current]


@pytest.mark.parametrize(
    ("viewname", "current"),
    [
        ("home", ["Home"]),
        ("mentoring:volunteer_profile", ["My profile"]),
        ("mentoring:availability", ["Availability"]),
        ("mentoring:requests", ["Requests"]),
        ("mentoring:sessions", ["Sessions"]),
        ("mentoring:rounds_open", ["Match rounds"]),
        ("events:calendar", ["Events"]),
        ("profile", ["Profile"]),
    ],
)
def test_volunteer_nav_marks_the_current_page(volunteer_client, viewname, current):
    nav = _nav(volunteer_client.get(reverse(viewname)).text)
    assert _links(nav) == [
        *("Home", "My profile", "Availability", "Requests", "Sessions"),
        *("Reminders", "Match rounds", "Events", "Profile"),
    ]
    assert _current(nav) == current


def test_anonymous_nav(client):
    nav = _nav(client.get(reverse("events:calendar")).text)
    assert _links(nav) == ["Events", "Log in", "Sign up"]
    assert _current(nav) == ["Events"]
    assert "Log out" not in nav


def test_log_out_form_carries_a_valid_token(student, student_client):
    student_client.handler.enforce_csrf_checks = True
    html = student_client.get(reverse("contacts:list")).text
    token = re.search(
        r'action="([^"]+)" class="inline-form"><input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)">',
        _nav(html),
    )
    assert token.group(1) == reverse("account_logout")
    response = student_client.post(token.group(1), {"csrfmiddlewaretoken": token.group(2)})
    assert response.status_code == 302
    assert "_auth_user_id" not in student_client.session
