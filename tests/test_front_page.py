"""The front page ("/" for a visitor who is not signed in): what Rapport is, the case for
networking and how a career conversation works, the public events, sign-up and log-in; in the
school's own words; a signed-in person still gets their home page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Audience
from tests.events.factories import EventFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_front_page_with_sign_up_and_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "front.html"
    text = response.text
    assert '<h1 id="front-title">Build the network that starts your career</h1>' in text
    assert f'<a class="button" href="{reverse("account_signup")}">Sign up</a>' in text
    assert f'href="{reverse("account_login")}">Log in</a>' in text
    # The career office's advice: the myths, the three steps, the benefits.
    for words in ("You must be an extrovert.", "<h3>Before</h3>", "<h3>During</h3>",
                  "<h3>After</h3>", "give back by advising others"):  # fmt: skip
        assert words in text


def test_the_front_page_speaks_of_the_configured_school(client, settings):
    settings.SCHOOL_NAME = "Northfield College"
    settings.CAREER_OFFICE_NAME = "Career Hub"
    settings.DIRECTORY_NAME = "Northfield Network"
    text = client.get("/").text
    assert "students of Northfield College" in text
    assert "with the Career Hub beside them" in text
    assert "The Northfield Network:" in text
    assert "Your School" not in text


def test_the_front_page_lists_public_events_only_and_escapes_them(client):
    EventFactory(title="Alumni <b>panel</b>")
    EventFactory(title="Students-only night", is_public=False)
    EventFactory(title="Volunteers' breakfast", audience=Audience.VOLUNTEERS, is_public=False)
    text = client.get("/").text
    assert "Alumni &lt;b&gt;panel&lt;/b&gt;" in text
    assert "Students-only night" not in text
    assert "breakfast" not in text


def test_signed_in_people_still_get_their_home_page(student_client, volunteer_client, staff_client):
    assert "contacts/today.html" in [t.name for t in student_client.get("/").templates]
    assert "front.html" not in [t.name for t in volunteer_client.get("/").templates]
    assert staff_client.get("/").url == reverse("staff:home")


def test_the_front_page_answers_only_get_and_head(client):
    assert client.post("/").status_code == 405
    assert client.head("/").status_code == 200


def test_the_front_page_queries_do_not_grow_with_the_events(client):
    assert_queries_stable(
        lambda: client.get("/"),
        lambda n: EventFactory.create_batch(n),
        small=2,
        large=12,
    )
