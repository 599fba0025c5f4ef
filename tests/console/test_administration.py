"""Administration in the staff console: volunteer decisions (pause hides from the directory),
invitations (single use, expiring, sign-up through the link), eligibility labels, nudge
emails (preview count = sent count), the audit log, and the list pages' query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Mentor
from networking_app.accounts.models import ApprovalStatus, Role, User, VolunteerProfile
from networking_app.console import services
from networking_app.console.models import (
    EligibilityLabel,
    StudentLabel,
    VolunteerInvitation,
)
from networking_app.core.models import AuditLog
from networking_app.notifications.models import OutgoingEmail
from tests.contacts.factories import ContactFactory
from tests.factories import StaffFactory, StudentFactory, VolunteerFactory
from tests.mentoring.factories import MentorFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def _decide(client, user, decision, note=""):
    return client.post(
        reverse("console:volunteer_decide", kwargs={"volunteer_id": user.pk}),
        {"decision": decision, "note": note},
    )


# --- Volunteers ------------------------------------------------------------------------------


def test_approve_and_reject_pending_volunteers(
    staff_client, staff, pending_volunteer, django_capture_on_commit_callbacks
):
    other = VolunteerFactory(volunteer_profile__status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(staff_client, pending_volunteer, "approve")
    assert response.status_code == 302
    assert VolunteerProfile.objects.get(user=pending_volunteer).status == ApprovalStatus.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        _decide(staff_client, other, "reject", note="Not an alumna")
    assert VolunteerProfile.objects.get(user=other).status == ApprovalStatus.REJECTED
    assert len(mail.outbox) == 2
    actions = list(AuditLog.objects.order_by("pk").values_list("action", "actor_id"))
    assert actions == [("volunteer.approve", staff.pk), ("volunteer.reject", staff.pk)]


def test_pause_hides_a_volunteer_from_the_directory_until_resumed(
    staff_client, student_client, volunteer
):
    mentor = MentorFactory(user=volunteer)
    assert mentor.is_bookable
    directory = reverse("mentoring:directory")
    assert "Carol Volunteer" in student_client.get(directory).content.decode()

    _decide(staff_client, volunteer, "pause")
    assert VolunteerProfile.objects.get(user=volunteer).status == ApprovalStatus.PAUSED
    assert not Mentor.objects.get(pk=mentor.pk).is_bookable
    assert "Carol Volunteer" not in student_client.get(directory).content.decode()
    detail = reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk})
    assert student_client.get(detail).status_code == 404

    _decide(staff_client, volunteer, "resume")
    assert Mentor.objects.get(pk=mentor.pk).is_bookable
    assert "Carol Volunteer" in student_client.get(directory).content.decode()
    assert list(AuditLog.objects.values_list("action", flat=True).order_by("pk")) == [
        "volunteer.pause",
        "volunteer.resume",
    ]


def test_decisions_that_do_not_apply_are_refused(staff_client, staff, volunteer, pending_volunteer):
    with pytest.raises(ValidationError):
        services.volunteer_decide(
            profile=pending_volunteer.volunteer_profile, staff=staff, decision="pause"
        )
    response = _decide(staff_client, volunteer, "resume")
    assert response.status_code == 302
    assert VolunteerProfile.objects.get(user=volunteer).status == ApprovalStatus.APPROVED
    assert _decide(staff_client, volunteer, "explode").status_code == 302
    assert not AuditLog.objects.exists()


def test_the_staff_home_queue_approves_through_the_same_decision(
    staff_client, staff, pending_volunteer
):
    response = staff_client.post(
        reverse("console:volunteer_decide", kwargs={"volunteer_id": pending_volunteer.pk}),
        {"decision": "approve", "back": "home"},
    )
    assert response["Location"] == reverse("staff:home")
    entry = AuditLog.objects.get()
    assert (entry.action, entry.actor, entry.detail) == (
        "volunteer.approve",
        staff,
        {"volunteer_id": pending_volunteer.pk},
    )


@pytest.mark.parametrize(
    ("status", "decision"),
    [("approved", "approve"), ("rejected", "reject"), ("approved", "reject")],
)
def test_a_decision_already_taken_is_refused_cleanly(
    staff_client, status, decision, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(volunteer_profile__status=status)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("console:volunteer_decide", kwargs={"volunteer_id": volunteer.pk}),
            {"decision": decision, "back": "home"},
            follow=True,
        )
    assert response.status_code == 200
    assert "they cannot be" in response.content.decode()
    assert VolunteerProfile.objects.get(user=volunteer).status == status
    assert not AuditLog.objects.exists()
    assert mail.outbox == []


def test_volunteer_list_filters_by_status(staff_client, volunteer, pending_volunteer):
    page = staff_client.get(reverse("console:volunteers"), {"status": "pending"})
    body = page.content.decode()
    assert "Dana Pending" in body
    assert "Carol Volunteer" not in body


# --- Invitations -----------------------------------------------------------------------------


def _invite(client, email="new.alum@example.org", days=14):
    return client.post(reverse("console:invitations"), {"email": email, "days": days})


def _sign_up(client, email, **extra):
    data = {
        "role": "volunteer",
        "display_name": "Nia Alum",
        "email": email,
        "password1": "a-long-enough-passphrase-1",
        "password2": "a-long-enough-passphrase-1",
        "affiliation": "alumni",
        "time_zone": "UTC",
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def test_invitation_email_and_sign_up_skip_the_queue(client, staff_client, staff):
    assert _invite(staff_client).status_code == 302
    invitation = VolunteerInvitation.objects.get()
    assert invitation.created_by == staff
    link = reverse("console:invitation_accept", kwargs={"invite_token": invitation.token})
    assert link in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["new.alum@example.org"]

    response = client.get(link)
    assert response.status_code == 302
    assert reverse("account_signup") in response["Location"]
    form_page = client.get(response["Location"])
    assert 'value="new.alum@example.org"' in form_page.content.decode()
    _sign_up(client, "new.alum@example.org")
    user = User.objects.get(email="new.alum@example.org")
    assert user.role == Role.VOLUNTEER
    assert user.volunteer_profile.status == ApprovalStatus.APPROVED
    assert user.emailaddress_set.get().verified  # the link proved the address
    invitation.refresh_from_db()
    assert invitation.used_by == user
    assert invitation.used_at is not None
    assert set(AuditLog.objects.values_list("action", flat=True)) == {
        "invitation.create",
        "invitation.redeem",
    }
    # Single use: the link no longer works.
    from django.test import Client

    again = Client().get(link)
    assert again.status_code == 404
    assert "already been used" in again.content.decode()


def test_invitation_only_approves_its_own_address(client, staff):
    invitation = services.invitation_create(email="invited@example.org", staff=staff)
    stranger = VolunteerFactory(email="stranger@example.org", volunteer_profile__status="pending")
    assert not services.invitation_redeem(token=invitation.token, user=stranger)
    assert stranger.volunteer_profile.status == ApprovalStatus.PENDING
    invitation.refresh_from_db()
    assert invitation.used_at is None
    # Without the link, a volunteer who signs up waits for approval as usual.
    _sign_up(client, "walk.in@example.org")
    walk_in = User.objects.get(email="walk.in@example.org")
    assert walk_in.volunteer_profile.status == ApprovalStatus.PENDING


def test_expired_and_revoked_invitations(client, staff, staff_client):
    past = timezone.now() - dt.timedelta(days=20)
    expired = services.invitation_create(email="late@example.org", staff=staff, days=14, now=past)
    response = client.get(
        reverse("console:invitation_accept", kwargs={"invite_token": expired.token})
    )
    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert not services.invitation_redeem(
        token=expired.token, user=VolunteerFactory(email="late@example.org")
    )

    open_one = services.invitation_create(email="maybe@example.org", staff=staff)
    staff_client.post(reverse("console:invitation_revoke", kwargs={"invitation_id": open_one.pk}))
    open_one.refresh_from_db()
    assert open_one.state == "revoked"
    unknown = client.get(reverse("console:invitation_accept", kwargs={"invite_token": "nope"}))
    assert unknown.status_code == 404


def test_invitation_redeem_is_single_use(staff):
    invitation = services.invitation_create(email="twice@example.org", staff=staff)
    first = VolunteerFactory(email="twice@example.org", volunteer_profile__status="pending")
    assert services.invitation_redeem(token=invitation.token, user=first)
    assert not services.invitation_redeem(token=invitation.token, user=first)


def test_cannot_invite_an_existing_account(staff_client, volunteer):
    response = _invite(staff_client, email=volunteer.email)
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not VolunteerInvitation.objects.exists()


# --- Labels ----------------------------------------------------------------------------------


def test_labels_create_add_remove(staff_client, student, other_student):
    response = staff_client.post(reverse("console:labels"), {"name": "First-gen"})
    label = EligibilityLabel.objects.get()
    assert response.status_code == 302
    duplicate = staff_client.post(reverse("console:labels"), {"name": "first-GEN"})
    assert "already a label" in duplicate.content.decode()
    detail = reverse("console:label_detail", kwargs={"eligibility_id": label.pk})
    staff_client.post(detail, {"emails": f"{student.email}\n{other_student.email}, nobody@x.edu"})
    assert set(label.students.all()) == {student, other_student}
    staff_client.post(detail, {"emails": student.email})  # twice: no error, no duplicate
    assert StudentLabel.objects.count() == 2
    assert staff_client.post(detail, {"emails": "not an address"}).status_code == 200
    staff_client.post(
        reverse("console:label_remove", kwargs={"eligibility_id": label.pk}),
        {"student": student.pk},
    )
    assert list(label.students.all()) == [other_student]
    assert (
        staff_client.post(
            reverse("console:label_remove", kwargs={"eligibility_id": label.pk}), {"student": "x"}
        ).status_code
        == 302
    )


# --- Nudges ----------------------------------------------------------------------------------


@pytest.fixture
def outbox_backend(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    return settings


def _started_and_not(n_not_started=3):
    waiting = [StudentFactory(student_profile__class_year=2027) for _ in range(n_not_started)]
    started = StudentFactory(student_profile__class_year=2027)
    ContactFactory(owner=started)
    return waiting, started


def test_nudge_preview_count_equals_sent_count(
    staff_client, staff, outbox_backend, django_capture_on_commit_callbacks
):
    waiting, _started = _started_and_not(3)
    data = {"audience": services.Audience.STUDENTS_NOT_STARTED, "note": "Drop in on Tuesday!"}
    preview = staff_client.post(reverse("console:nudges"), data)
    assert preview.status_code == 200
    shown = preview.context["preview"]["count"]
    assert shown == 3
    body = preview.content.decode()
    assert "3</strong> recipients" in body
    assert "Drop in on Tuesday!" in body
    assert not OutgoingEmail.objects.exists()  # a preview sends nothing

    confirm = preview.context["confirm"].initial
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(reverse("console:nudge_send"), {**data, **confirm})
    assert response.status_code == 302
    emails = OutgoingEmail.objects.filter(kind="console_nudge_students")
    assert emails.count() == shown
    assert {e.to[0] for e in emails} == {s.email for s in waiting}
    assert len(callbacks) == 1  # enqueued together, once the transaction committed
    entry = AuditLog.objects.get(action="nudge.send")
    assert entry.detail["recipients"] == shown
    assert entry.actor == staff

    # A double submit sends nothing more (same idempotency keys).
    staff_client.post(reverse("console:nudge_send"), {**data, **confirm})
    assert emails.count() == shown


def test_nudge_refuses_when_the_audience_changed(staff_client, outbox_backend):
    _started_and_not(2)
    data = {"audience": services.Audience.STUDENTS_NOT_STARTED}
    preview = staff_client.post(reverse("console:nudges"), data)
    StudentFactory()  # one more student who has not started
    response = staff_client.post(
        reverse("console:nudge_send"), {**data, **preview.context["confirm"].initial}
    )
    assert response.status_code == 409
    assert "changed since the preview" in response.content.decode()
    assert response.context["preview"]["count"] == 3
    assert not OutgoingEmail.objects.exists()


def test_nudge_to_a_label_and_to_volunteers_with_unused_capacity(staff, outbox_backend, volunteer):
    waiting, _ = _started_and_not(3)
    label = EligibilityLabel.objects.create(name="Pilot")
    StudentLabel.objects.create(label=label, student=waiting[0])
    spec = services.NudgeSpec(audience=services.Audience.STUDENTS_NOT_STARTED, label_id=label.pk)
    assert list(services.nudge_recipients(spec)) == [waiting[0]]

    MentorFactory(user=volunteer, monthly_capacity=2)
    MentorFactory(listed=False)  # not listed: not nudged
    spec = services.NudgeSpec(audience=services.Audience.VOLUNTEERS_UNUSED_CAPACITY)
    assert list(services.nudge_recipients(spec)) == [volunteer]
    assert services.nudge_send(spec=spec, staff=staff, expected=1, nonce="abc") == 1
    email = OutgoingEmail.objects.get(kind="console_nudge_volunteers")
    assert email.to == [volunteer.email]
    assert "availability" in email.text


def test_bad_nudge_input_is_a_form_error(staff_client):
    response = staff_client.post(reverse("console:nudges"), {"audience": "everyone"})
    assert response.status_code == 200
    assert response.context["form"].errors
    response = staff_client.post(reverse("console:nudge_send"), {"audience": "everyone"})
    assert response.status_code == 400


# --- Audit log -------------------------------------------------------------------------------


def test_audit_page_filters(staff_client, staff):
    other = StaffFactory()
    AuditLog.objects.create(actor=staff, action="export.csv", summary="Exported funnel")
    AuditLog.objects.create(actor=other, action="nudge.send", summary="Nudged 4 students")
    page = staff_client.get(reverse("console:audit"), {"action": "nudge.send"})
    body = page.content.decode()
    assert "Nudged 4 students" in body
    assert "Exported funnel" not in body
    page = staff_client.get(reverse("console:audit"), {"actor": staff.pk})
    assert "Exported funnel" in page.content.decode()
    assert "Nudged" not in page.content.decode()
    page = staff_client.get(reverse("console:audit"), {"start": "bad"})
    assert page.status_code == 200


def test_round_publication_is_audited(staff, student, volunteer):
    from mentoring.models import Match, RoundStatus
    from mentoring.services.round_matches import round_publish
    from tests.mentoring.helpers import mentor_for, open_round

    mentor_for(volunteer, industry="Fintech", topics=("Industry insight",))
    match_round = open_round(created_by=staff, status=RoundStatus.CLOSED)
    Match.objects.create(round=match_round, student=student, volunteer=volunteer)
    sent = round_publish(match_round=match_round, actor=staff)
    entry = AuditLog.objects.get(action="round.publish")
    assert sent == 1
    assert entry.actor == staff
    assert entry.detail["matches"] == 1


# --- Query counts of the list pages ----------------------------------------------------------


def test_volunteer_list_query_count(staff_client):
    def add(n):
        for _ in range(n):
            MentorFactory(user=VolunteerFactory(volunteer_profile__status="pending"))

    assert_queries_stable(lambda: staff_client.get(reverse("console:volunteers")), add)


def test_invitation_list_query_count(staff_client, staff):
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            services.invitation_create(email=f"inv{next(counter)}@example.org", staff=staff)

    assert_queries_stable(lambda: staff_client.get(reverse("console:invitations")), add)


def test_label_pages_query_count(staff_client, staff):
    label = EligibilityLabel.objects.create(name="Pilot")

    def add(n):
        for _ in range(n):
            StudentLabel.objects.create(label=label, student=StudentFactory())
            EligibilityLabel.objects.create(name=f"Label {EligibilityLabel.objects.count()}")

    detail = reverse("console:label_detail", kwargs={"eligibility_id": label.pk})
    assert_queries_stable(lambda: staff_client.get(detail), add)
    assert_queries_stable(lambda: staff_client.get(reverse("console:labels")), add)


def test_audit_list_query_count(staff_client, staff):
    def add(n):
        for i in range(n):
            AuditLog.objects.create(actor=StaffFactory(), action="export.csv", summary=f"#{i}")

    assert_queries_stable(lambda: staff_client.get(reverse("console:audit")), add)


@pytest.mark.parametrize(
    "name",
    [
        "console:volunteer_decide",
        "console:invitation_revoke",
        "console:label_remove",
        "console:nudge_send",
        "console:nudges",
        "console:invitations",
        "console:labels",
    ],
)
def test_students_and_volunteers_cannot_post_to_staff_routes(
    name, student_client, volunteer_client, client, staff, pending_volunteer
):
    from tests.console.helpers import console_objects

    objects = console_objects(pending_volunteer, staff)
    from tests.urlconf import all_routes

    kwargs = {p: objects[p] for p in all_routes()[name].params}
    url = reverse(name, kwargs=kwargs)
    data = {"decision": "approve", "audience": "students_not_started", "expected": 0}
    assert student_client.post(url, data).status_code == 403
    assert volunteer_client.post(url, data).status_code == 403
    assert client.post(url, data).status_code == 302  # anonymous: to the login page
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.PENDING
    assert not AuditLog.objects.exists()


def test_email_retry_and_staff_creation_are_audited(staff_client, staff):
    from tests.helpers import make_email

    failed = make_email("failed")
    staff_client.post(reverse("staff:email_retry", kwargs={"email_id": failed.pk}))
    staff_client.post(
        reverse("staff:team"), {"email": "new.colleague@example.edu", "display_name": "Nia"}
    )
    actions = dict(AuditLog.objects.values_list("action", "actor_id"))
    assert actions == {"email.retry": staff.pk, "staff.create": staff.pk}
