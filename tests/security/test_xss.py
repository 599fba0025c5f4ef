"""Stored XSS. The crawl (tests/test_crawl.py) writes a script payload and an htmx attribute
payload into every free-text field of the route table's world (tests/security/helpers.py) and
checks every page, for each visitor who may open it, shows them escaped (Markdown fields:
sanitised). Here: pages only a POST or a prepared state renders (email previews, import
previews, round review and publish, nudge previews, check-in results), and email templates
rendered with payloads everywhere.

The htmx payload needs no script, so the CSP does not stop it: a live `hx-post` with
`hx-trigger="load"` makes the reader's browser send a request with their CSRF header (the
<body> carries it), as the staff member who opens the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from tests.security.helpers import HTMX, LONG, SHORT, contaminate, raw_payloads


class _Anything(str):
    """A template value that is a payload whatever is asked of it: attributes, items, calls
    and loops all give another payload."""

    def __new__(cls):
        return super().__new__(cls, LONG)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __iter__(self):
        return iter([_Anything()])


class _PayloadContext(dict):
    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return _Anything()


EMAIL_TEMPLATES = sorted(
    p.name for p in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.html")
)


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_email_html_escapes_every_value(template):
    try:
        html = render_to_string(f"emails/{template}", _PayloadContext())
    except Exception as error:  # a filter that cannot take a string: render what it can
        pytest.fail(f"emails/{template} could not be rendered with payloads: {error!r}")
    assert raw_payloads(html) == [], f"emails/{template}"


# --- Pages a POST or a prepared state renders ----------------------------------------------
# The crawl (tests/test_crawl.py) fetches every route once with the route table's objects: a
# preview that needs a POST, a closed round with matches, an uploaded file or a search is
# checked here.

ESCAPED_HTMX = "&lt;b hx-post=&quot;/staff/team/&quot;"


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _round_with_a_match(staff, student, volunteer):
    """A closed round whose matcher paired `student` with `volunteer`."""
    from mentoring.models import Match, RoundStatus
    from mentoring.services.round_matches import round_run_matcher
    from tests.mentoring.helpers import (
        mentor_for,
        open_round,
        sign_up_student,
        sign_up_volunteer,
    )

    match_round = open_round(created_by=staff, name="Winter round")
    mentor_for(volunteer)
    sign_up_volunteer(match_round, volunteer)
    sign_up_student(match_round, student)
    match_round.status = RoundStatus.CLOSED
    match_round.save(update_fields=["status"])
    round_run_matcher(match_round=match_round)
    assert Match.objects.filter(round=match_round).count() == 1
    return match_round


def _name(user, text: str) -> None:
    user.profile.display_name = text
    user.profile.save(update_fields=["display_name"])


def test_round_publish_preview_escapes_the_names_in_the_email(
    staff, staff_client, student, volunteer
):
    """The issue's attack: a student's name with a live hx-post, shown to staff in the
    introduction email's preview (a <pre>), would add a staff member from staff's browser."""
    match_round = _round_with_a_match(staff, student, volunteer)
    _name(student, HTMX)
    _name(volunteer, LONG)
    url = reverse("mentoring:round_publish", kwargs={"round_id": match_round.pk})
    html = _page(staff_client.get(url))
    assert raw_payloads(html) == []
    preview = html.split("<pre", 1)[1].split("</pre>", 1)[0]
    assert ESCAPED_HTMX in preview
    assert "&lt;script&gt;alert(1)" in preview
    # Defence in depth: htmx does not process anything inside the preview.
    region = html.split('id="intro-preview"', 1)[1].split("</section>", 1)[0]
    assert region.startswith(" hx-disable>")
    assert "<pre>" in region


def test_nudge_preview_escapes_the_first_recipients_name_and_the_note(staff_client, student):
    _name(student, HTMX)
    data = {"audience": "students_not_started", "note": LONG}
    html = _page(staff_client.post(reverse("console:nudges"), data))
    assert raw_payloads(html) == []
    preview = html.split("<pre", 1)[1].split("</pre>", 1)[0]
    assert ESCAPED_HTMX in preview
    assert "&lt;script&gt;alert(1)" in preview
    region = html.split('<dl class="email-preview"', 1)[1].split("</dl>", 1)[0]
    assert region.startswith(" hx-disable>")
    assert "<pre>" in region


def test_round_review_and_publish_escape_every_stored_payload(
    staff, staff_client, student, volunteer
):
    match_round = _round_with_a_match(staff, student, volunteer)
    assert contaminate() > 5
    # The round's own template is contaminated too: put back the default one, which has the
    # names in it, so the preview shows both.
    type(match_round).objects.filter(pk=match_round.pk).update(intro_subject="", intro_body="")
    for name in ("mentoring:round_review", "mentoring:round_publish", "mentoring:round"):
        html = _page(staff_client.get(reverse(name, kwargs={"round_id": match_round.pk})))
        assert raw_payloads(html) == [], name
        assert ESCAPED_HTMX in html, name


def test_nudge_previews_of_both_audiences_escape_every_stored_payload(
    staff_client, student, volunteer
):
    from tests.mentoring.helpers import mentor_for

    mentor_for(volunteer, bookable=True)
    assert contaminate() > 3
    for audience in ("students_not_started", "volunteers_unused_capacity"):
        data = {"audience": audience, "note": HTMX}
        html = _page(staff_client.post(reverse("console:nudges"), data))
        assert raw_payloads(html) == [], audience
        assert ESCAPED_HTMX in html, audience


def test_import_preview_escapes_the_uploaded_rows(student_client, student):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position"])
    writer.writerow([HTMX, LONG, "", "", HTMX, SHORT])
    writer.writerow(["Ann", "Lee", "", "", LONG, HTMX])
    upload = SimpleUploadedFile("people.csv", out.getvalue().encode())
    response = student_client.post(reverse("contacts:import"), {"file": upload}, follow=True)
    html = _page(response)
    assert "Review people.csv" in html
    assert raw_payloads(html) == []
    assert ESCAPED_HTMX in html


def test_check_in_results_escape_the_attendees_names(staff_client):
    from tests.events.factories import EventFactory, RSVPFactory
    from tests.factories import StudentFactory

    event = EventFactory()
    RSVPFactory(event=event, user=StudentFactory(profile__display_name=HTMX))
    RSVPFactory(event=event, user=StudentFactory(profile__display_name=f"Ann {LONG}"))
    url = reverse("events:check_in", kwargs={"event_id": event.pk})
    for q in ("staff", "Ann"):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            html = _page(staff_client.get(url, {"q": q}, **headers))
            assert raw_payloads(html) == [], (q, headers)
    assert ESCAPED_HTMX in _page(staff_client.get(url, {"q": "staff"}))
