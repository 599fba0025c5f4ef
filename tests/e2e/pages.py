"""Every main page of each role with the demo data, for the whole-site browser crawl
(tests/e2e/test_accessibility.py: axe in both colour schemes, focus, 390 and 320 px,
screenshots with `make screenshots`)."""

from __future__ import annotations

from django.urls import reverse

from networking_app.accounts.models import User
from tests.e2e.conftest import log_in_as

# role -> (demo account, [(page label, url name, kwargs builder or None)])
PAGES: dict[str, tuple[str | None, list[tuple[str, str]]]] = {
    "anonymous": (
        None,
        [
            ("front", "home"),
            ("login", "account_login"),
            ("signup", "account_signup"),
            ("events", "events:calendar"),
        ],
    ),
    "student": (
        "student@example.edu",
        [
            ("today", "home"),
            ("contacts", "contacts:list"),
            ("new-contact", "contacts:create"),
            ("import", "contacts:import"),
            ("export", "contacts:export"),
            ("your-data", "account_data"),
            ("board", "contacts:board"),
            ("targets", "contacts:targets"),
            ("outcomes", "contacts:outcomes"),
            ("templates", "contacts:templates"),
            ("reminders", "notifications:reminders"),
            ("directory", "mentoring:directory"),
            ("warm-paths", "mentoring:warm_paths"),
            ("requests", "mentoring:requests"),
            ("sessions", "mentoring:sessions"),
            ("rounds", "mentoring:rounds_open"),
            ("suggested", "mentoring:suggestions"),
            ("onboarding-about", "mentoring:onboarding_step", lambda: {"step": "about"}),
            ("onboarding-interests", "mentoring:onboarding_step", lambda: {"step": "interests"}),
            ("onboarding-orgs", "mentoring:onboarding_step", lambda: {"step": "organizations"}),
            ("onboarding-last", "mentoring:onboarding_step", lambda: {"step": "volunteers"}),
            ("contact", "contacts:detail", lambda: {"contact_id": _student_contact()}),
            (
                "conversation",
                "contacts:conversation",
                lambda: {"conversation_id": _student_conversation()},
            ),
            ("volunteer-page", "mentoring:mentor", lambda: {"mentor_id": _listed_mentor()}),
            ("request-new", "mentoring:request_new", lambda: {"mentor_id": _listed_mentor()}),
            ("events", "events:calendar"),
            ("events-week", "events:week"),
            ("events-agenda", "events:agenda"),
            ("calendar-feed", "events:feed_settings"),
            ("profile", "profile"),
        ],
    ),
    "volunteer": (
        "volunteer@example.org",
        [
            ("home", "home"),
            ("mentor-profile", "mentoring:volunteer_profile"),
            ("availability", "mentoring:availability"),
            ("requests", "mentoring:requests"),
            ("sessions", "mentoring:sessions"),
            ("reminders", "notifications:reminders"),
            ("events", "events:calendar"),
            ("profile", "profile"),
        ],
    ),
    "staff": (
        "staff@example.edu",
        [
            ("staff-home", "staff:home"),
            ("team", "staff:team"),
            ("emails", "staff:emails"),
            ("rounds", "mentoring:rounds"),
            ("new-round", "mentoring:round_new"),
            ("events", "events:calendar"),
            ("new-event", "events:create"),
            ("dashboard", "console:dashboard"),
            ("volunteers", "console:volunteers"),
            ("invitations", "console:invitations"),
            ("labels", "console:labels"),
            ("nudges", "console:nudges"),
            ("audit", "console:audit"),
            ("check-in", "events:check_in", lambda: {"event_id": _next_event()}),
            ("admin", "admin:index"),
            ("admin-users", "admin:accounts_user_changelist"),
            ("admin-mentors", "admin:mentoring_mentor_changelist"),
        ],
    ),
}


def _student_contact() -> int:
    from contacts.models import Contact

    return Contact.objects.filter(owner__email="student@example.edu").order_by("pk")[0].pk


def _student_conversation() -> int:
    from contacts.models import Conversation

    return Conversation.objects.filter(owner__email="student@example.edu").order_by("pk")[0].pk


def _listed_mentor() -> int:
    from mentoring.models import Mentor

    return Mentor.objects.filter(is_bookable=True).order_by("pk")[0].pk


def _next_event() -> int:
    from events.models import Event

    return Event.objects.order_by("-starts_at")[0].pk


def page_urls(role: str):
    """(label, path) of each of `role`'s main pages, in the table's order."""
    for label, name, *kwargs in PAGES[role][1]:
        yield label, reverse(name, kwargs=kwargs[0]() if kwargs else None)


def sign_in_as(page, base_url: str, role: str) -> None:
    """Sign the browser in as `role`'s demo account (nobody for "anonymous")."""
    email = PAGES[role][0]
    if email:
        log_in_as(page, base_url, User.objects.get(email=email))
