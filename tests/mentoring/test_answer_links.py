"""A volunteer answers a flash request from its email without signing in (issue 17): each
link names one request, its volunteer and one answer; opening it only shows a confirmation
page, its button answers through the same services as the request's page; a link for a
request already answered, tampered with, expired or gone changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from mentoring.answer_links import LINK_MAX_AGE, answer_link
from mentoring.models import FlashRequest, RequestStatus, Session
from mentoring.services import requests as services
from mentoring.services.availability import open_slots
from tests.factories import VolunteerFactory
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.django_db

APOSTROPHE = "\u2019"


@pytest.fixture
def mentor(volunteer):
    return bookable_mentor(volunteer)


@pytest.fixture
def flash_request(student, mentor):
    slot = open_slots(mentor, limit=1)[0]
    return services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message="How do <b>you</b> work?"
    )


def _links(email) -> dict[str, str]:
    return dict(re.findall(r"^(Accept|Propose another time|Decline): (\S+)$", email.body, re.M))


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_email_carries_three_links_that_ask_before_they_act(flash_request, volunteer):
    [email] = mail.outbox
    links = _links(email)
    assert set(links) == {"Accept", "Propose another time", "Decline"}
    assert links["Accept"] in email.alternatives[0][0]
    anonymous = Client()
    page = anonymous.get(_path(links["Accept"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Accept Alice Student{APOSTROPHE}s request" in text
    assert "How do &lt;b&gt;you&lt;/b&gt; work?" in text
    assert ">Accept the request</button>" in text
    # Opening the link (a mail scanner does) changed nothing.
    assert FlashRequest.objects.get(pk=flash_request.pk).status == RequestStatus.PENDING


def test_accept_from_the_link_books_the_session(flash_request, volunteer):
    mail.outbox.clear()
    url = _path(answer_link(flash_request, "accept"))
    response = Client().post(url, {"mode": "video", "location": "https://meet.example.com/x"})
    assert response.status_code == 200
    assert "Accepted. Alice Student and you have a calendar invitation by email." in (
        response.content.decode()
    )
    session = Session.objects.get(request=flash_request)
    assert session.volunteer == volunteer
    assert FlashRequest.objects.get(pk=flash_request.pk).status == RequestStatus.ACCEPTED
    assert len(mail.outbox) == 2  # both receive the invitation


def test_decline_and_propose_from_their_links(student, mentor, flash_request):
    response = Client().post(
        _path(answer_link(flash_request, "decline")), {"note": "Travelling that week"}
    )
    assert "Declined. Alice Student is told by email." in response.content.decode()
    declined = FlashRequest.objects.get(pk=flash_request.pk)
    assert (declined.status, declined.decline_note) == (
        RequestStatus.DECLINED,
        "Travelling that week",
    )

    slots = open_slots(mentor, limit=3)
    other = services.flash_request_create(
        student=student, mentor=mentor, start_at=slots[1].start_at, message="Hello"
    )
    url = _path(answer_link(other, "propose"))
    page = Client().get(url).content.decode()
    assert f"Propose another time for Alice Student{APOSTROPHE}s request" in page
    later = slots[2].start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = Client().post(url, {"start": later})
    assert "Proposed. Alice Student can accept the new time or decline it." in (
        response.content.decode()
    )
    proposed = FlashRequest.objects.get(pk=other.pk)
    assert proposed.status == RequestStatus.PROPOSED
    assert proposed.proposed_start_at == slots[2].start_at


def test_a_bad_answer_is_shown_again_with_its_error(flash_request):
    response = Client().post(
        _path(answer_link(flash_request, "accept")), {"mode": "carrier pigeon"}
    )
    assert response.status_code == 200
    assert "field-invalid" in response.content.decode()
    assert FlashRequest.objects.get(pk=flash_request.pk).status == RequestStatus.PENDING


def test_a_request_already_answered_changes_nothing(flash_request, volunteer):
    services.flash_request_decline(flash_request=flash_request, by=volunteer, note="")
    url = _path(answer_link(flash_request, "accept"))
    for response in (Client().get(url), Client().post(url, {"mode": "video"})):
        text = response.content.decode()
        assert "This request no longer waits for an answer: it is declined." in text
    assert not Session.objects.exists()


def test_tampered_expired_and_foreign_links_are_refused(flash_request):
    url = _path(answer_link(flash_request, "accept"))
    tampered = url[:-8] + ("A" if url[-8] != "A" else "B") + url[-7:]
    response = Client().post(tampered, {"mode": "video"})
    assert response.status_code == 400
    assert "The link is not valid" in response.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=LINK_MAX_AGE + 60)):
        response = Client().get(url)
    assert response.status_code == 400
    assert "The link has expired" in response.content.decode()
    # The request is now another volunteer's (or gone): the link no longer reaches it.
    FlashRequest.objects.filter(pk=flash_request.pk).update(volunteer=VolunteerFactory())
    response = Client().get(url)
    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()
    assert FlashRequest.objects.get(pk=flash_request.pk).status == RequestStatus.PENDING
