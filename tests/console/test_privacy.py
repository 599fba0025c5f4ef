"""No staff page and no export shows what a student wrote for themselves.

Unique marker strings go into every free-text field of a student's contacts, conversations,
notes, prepared questions and answers, interactions, outcomes (and the rest of their private
data). Then every route whose access row gives staff a 200 is crawled as staff (the URLconf is
enumerated by tests/urlconf.py, the rows are tests/test_access.py's), every chart is exported as
CSV, and the Django admin is crawled as a superuser: no marker may appear anywhere.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    ConversationChange,
    EmailTemplate,
    Interaction,
    Outcome,
    PreparedQuestion,
    Question,
    Tag,
    TargetOrganization,
)
from mentoring.models import Feedback, FlashRequest, Mentor, Session
from networking_app.accounts.models import StudentProfile
from networking_app.console.reports import CHART_KEYS
from tests.console.conftest import flash_request, noon
from tests.contacts.factories import OrganizationFactory
from tests.factories import StaffFactory
from tests.mentoring.factories import MentorFactory
from tests.routes import ANON, STAFF, expected_for, route_kwargs
from tests.urlconf import all_routes

pytestmark = pytest.mark.django_db

_counter = itertools.count()
MARKERS: list[str] = []


def marker(field: str) -> str:
    value = f"ZQX{next(_counter):03d}{field.replace('_', '').upper()[:8]}QXZ"
    MARKERS.append(value)
    return value


def _seed_private_text(student, volunteer) -> None:
    """A marker in every free-text field a student fills in for themselves."""
    profile = StudentProfile.objects.get(user=student)
    profile.interests = marker("interests")
    profile.strengths = marker("strengths")
    profile.career_goals = marker("career_goals")
    profile.target_industries = marker("target_industries")
    profile.save()
    # Organizations are shared by everyone (not private): no marker there.
    organization = OrganizationFactory()
    contact = Contact.objects.create(
        owner=student,
        name=marker("contact_name"),
        email=f"{marker('email').lower()}@example.com",
        phone=marker("phone")[:40],
        linkedin_url=f"https://www.linkedin.com/in/{marker('linkedin').lower()}",
        organization=organization,
        title=marker("title"),
        industry=marker("industry"),
        relationship="alumni",
        how_met=marker("how_met"),
        notes=marker("contact_notes"),
        search_text=marker("search_text"),
    )
    tag = Tag.objects.create(owner=student, name=marker("tag")[:40])
    contact.tags.add(tag)
    today = timezone.localdate()
    conversation = Conversation.objects.create(
        owner=student,
        contact=contact,
        goal=marker("goal"),
        status="thanked",
        requested_on=today - dt.timedelta(days=6),
        scheduled_at=noon(4),
        held_at=noon(4),
        thanked_at=noon(3),
        location=marker("location"),
        notes=marker("conversation_notes"),
        takeaways=marker("takeaways"),
    )
    ConversationChange.objects.create(
        conversation=conversation, kind="rescheduled", asked_by="me", reason=marker("reason")
    )
    PreparedQuestion.objects.create(
        conversation=conversation, text=marker("question"), answer=marker("answer")
    )
    Question.objects.create(owner=student, text=marker("bank_question"))
    Interaction.objects.create(
        owner=student,
        contact=contact,
        conversation=conversation,
        kind="email",
        note=marker("interaction_note"),
    )
    ActionItem.objects.create(owner=student, contact=contact, text=marker("action_item"))
    TargetOrganization.objects.create(
        owner=student,
        organization=OrganizationFactory(),
        notes=marker("target_notes"),
    )
    EmailTemplate.objects.create(
        owner=student, kind="intro", subject=marker("template_subject"), body=marker("body")
    )
    outcome = Outcome.objects.create(
        owner=student,
        kind="internship",
        organization=OrganizationFactory(),
        title=marker("outcome_title"),
        notes=marker("outcome_notes"),
        decided_on=today - dt.timedelta(days=2),
    )
    outcome.helped_by.add(contact)
    # What a student writes to a volunteer is private to the two of them.
    if not Mentor.objects.filter(user=volunteer).exists():
        MentorFactory(user=volunteer)
    request = flash_request(student, volunteer, status="accepted", start=noon(2))
    FlashRequest.objects.filter(pk=request.pk).update(
        message=marker("request_message"), decline_note=marker("decline_note")
    )
    session = Session.objects.create(
        request=request,
        student=student,
        volunteer=volunteer,
        start_at=request.start_at,
        end_at=request.end_at,
        status="completed",
        location=marker("session_location"),
        cancel_reason=marker("cancel_reason"),
    )
    Feedback.objects.create(session=session, author=student, rating=5, comments=marker("feedback"))


def _assert_clean(where: str, content: bytes) -> None:
    text = content.decode("utf-8", errors="replace")
    leaked = [m for m in MARKERS if m in text or m.lower() in text.lower()]
    assert not leaked, f"{where} shows a student's private text: {leaked}"


def test_no_staff_page_or_export_shows_private_text(
    owned,
    student,
    volunteer,
    staff,
    staff_client,
):
    MARKERS.clear()
    _seed_private_text(student, volunteer)
    routes = all_routes()
    staff_routes = [
        name
        for name in sorted(routes)
        if not name.startswith("<")
        and not name.startswith("admin:")
        and expected_for(name).get[STAFF] == 200
        # A capability URL (a personal calendar feed's secret token) serves its owner's data
        # to whoever holds the token, signed in or not: it is the student's, not a staff page.
        and not (
            any("token" in p for p in routes[name].params) and expected_for(name).get[ANON] == 200
        )
    ]
    assert "console:dashboard" in staff_routes
    assert "staff:home" in staff_routes
    crawled = 0
    for name in staff_routes:
        url = reverse(name, kwargs=route_kwargs(name, owned))
        response = staff_client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        _assert_clean(name, response.getvalue())  # a streamed one too (a volunteer's photo)
        crawled += 1
    # The dashboard for the student's own cohort and a long period, and every chart's CSV.
    query = {"preset": "365", "class_year": student.student_profile.class_year}
    _assert_clean("dashboard", staff_client.get(reverse("console:dashboard"), query).content)
    for key in CHART_KEYS:
        url = reverse("console:chart_export", kwargs={"chart_key": key})
        response = staff_client.get(url, query)
        assert response.status_code == 200
        _assert_clean(f"export {key}", response.content)
    assert crawled >= 10


def test_the_admin_shows_no_private_text_even_to_a_superuser(student, volunteer):
    MARKERS.clear()
    _seed_private_text(student, volunteer)
    superuser = StaffFactory(is_superuser=True)
    client = Client()
    client.force_login(superuser)
    pages = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        _assert_clean(changelist, response.content)
        pages += 1
        for obj in model_admin.get_queryset(_request(superuser))[:3]:
            try:
                url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            except NoReverseMatch:
                continue
            response = client.get(url, follow=True)
            # Private models refuse their change page: the admin sends staff back to its index
            # with a message, and the page shows nothing of the object.
            assert response.status_code in (200, 403), url
            _assert_clean(url, response.content)
            pages += 1
        # Searching for private text finds nothing (else a search would reveal it).
        probes = (MARKERS[0], _marker_of("contactnotes"), _marker_of("answer"))
        for probe in probes if model_admin.search_fields else ():
            search = client.get(changelist, {"q": probe})
            assert search.status_code == 200
            assert search.context["cl"].result_count == 0, f"{changelist} finds {probe}"
    assert pages > 30


def test_every_model_is_in_the_admin_with_search_and_filters():
    from django.apps import apps

    ours = ("accounts", "contacts", "mentoring", "events", "notifications", "console")
    missing, bare = [], []
    for model in apps.get_models():
        if model._meta.app_label not in ours or model._meta.auto_created:
            continue
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            missing.append(model._meta.label)
            continue
        if not (
            model_admin.list_display != ("__str__",)
            and model_admin.search_fields
            and model_admin.list_filter
        ):
            bare.append(model._meta.label)
    assert missing == [], f"not in the admin: {missing}"
    assert bare == [], f"in the admin without list_display, search or filters: {bare}"


def _marker_of(field: str) -> str:
    return next(m for m in MARKERS if field.upper()[:8] in m)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
