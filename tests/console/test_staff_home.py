"""The staff home page: counts, the queue of volunteers awaiting approval (decided through
the console's one decision, console:volunteer_decide), email delivery and the worker's
heartbeat."""

import pytest
from django.core import mail
from django.urls import reverse

from networking_app.accounts.models import ApprovalStatus

HOME = {"back": "home"}  # the staff home's queue sends people back to it


def _decide_url(user) -> str:
    return reverse("console:volunteer_decide", kwargs={"volunteer_id": user.pk})


def test_staff_home_lists_pending_volunteers(staff_client, pending_volunteer, volunteer):
    response = staff_client.get(reverse("staff:home"))
    assert response.status_code == 200
    assert "Dana Pending" in response.text
    assert "Carol Volunteer" not in response.text  # already approved
    assert "No background worker has checked in yet" in response.text


def test_staff_home_shows_the_worker_heartbeat(staff_client):
    from networking_app.core.tasks import heartbeat

    heartbeat.apply()
    response = staff_client.get(reverse("staff:home"))
    assert "The scheduler and a worker last checked in" in response.text


def test_staff_approves_a_volunteer_who_is_told_by_email(
    staff_client, staff, pending_volunteer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            _decide_url(pending_volunteer), {"decision": "approve", "note": "", **HOME}, follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("staff:home")
    assert "Dana Pending is approved" in response.text
    profile = pending_volunteer.volunteer_profile
    profile.refresh_from_db()
    assert profile.status == ApprovalStatus.APPROVED
    assert profile.reviewed_by == staff
    assert profile.reviewed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pending_volunteer.email]
    assert "approved" in message.subject
    assert message.alternatives
    assert message.alternatives[0][1] == "text/html"


def test_staff_turns_down_a_volunteer_with_a_note(
    staff_client, pending_volunteer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            _decide_url(pending_volunteer),
            {"decision": "reject", "note": "We could not verify you.", **HOME},
        )
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.REJECTED
    assert "We could not verify you." in mail.outbox[0].body


def test_review_with_a_bad_decision_changes_nothing(staff_client, pending_volunteer):
    response = staff_client.post(
        _decide_url(pending_volunteer), {"decision": "maybe", **HOME}, follow=True
    )
    assert "Choose approve, turn down, pause or resume" in response.text
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.PENDING


def test_review_of_someone_who_is_not_a_volunteer_is_404(staff_client, student):
    assert staff_client.post(_decide_url(student), {"decision": "approve"}).status_code == 404


@pytest.mark.parametrize("who", ["student_client", "volunteer_client"])
def test_other_roles_cannot_review_volunteers(request, who, pending_volunteer):
    client = request.getfixturevalue(who)
    assert client.post(_decide_url(pending_volunteer), {"decision": "approve"}).status_code == 403
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.PENDING
