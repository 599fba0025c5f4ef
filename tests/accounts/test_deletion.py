"""Closing an account: nothing personal survives, the anonymous tallies are right, the people
they were due to meet are told, and staff cannot close their own account here."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session as LoginSession
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contacts.models import Contact, Relationship
from contacts.services import people as contact_people
from events.models import RSVP, RSVPStatus
from mentoring.models import FlashRequest, Session, SessionStatus
from networking_app.accounts.deletion import account_delete
from networking_app.accounts.models import ErasedAccount, User
from networking_app.console.models import VolunteerInvitation
from networking_app.core.audit import audit_record
from networking_app.notifications.models import OutgoingEmail, Reminder
from tests.contacts.helpers import fill_student_data
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

DELETE = reverse("account_delete")
DELETED = reverse("account_deleted")


@pytest.fixture
def outbox(settings):
    """Emails are outbox rows, as in production, so the tests can see what stays there."""
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def _text_columns(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def rows_mentioning(*needles: str) -> dict[str, list]:
    """Every row of every table whose text (JSON included) holds one of `needles`: the
    leftovers a deletion must not leave. Outbox attachments are decoded and searched too."""
    found: dict[str, list] = {}
    for model in apps.get_models(include_auto_created=True):
        columns = _text_columns(model)
        if not columns:
            continue
        annotations = {f"_t_{c}": Cast(c, TextField()) for c in columns}
        query = Q()
        for column in columns:
            for needle in needles:
                query |= Q(**{f"_t_{column}__icontains": needle})
        hits = list(model._base_manager.annotate(**annotations).filter(query).values("pk"))
        if hits:
            found[model._meta.label] = hits
    for email in OutgoingEmail.objects.all():
        for attachment in email.attachments:
            content = base64.b64decode(attachment["content"]).decode("utf-8", "replace")
            if any(n.lower() in content.lower() for n in needles):
                found.setdefault("outbox attachment", []).append(email.pk)
    return found


# --- Every link to a user is handled --------------------------------------------------------

# Links that survive an account's deletion with their value set to NULL: each was reviewed
# (the row is someone else's, or shared, and holds nothing personal once the link is gone).
# A new SET_NULL link fails test_every_link_to_a_user_is_handled until it is reviewed here.
REVIEWED_SET_NULL = {
    "accounts.VolunteerProfile.reviewed_by",  # the staff member who reviewed
    "notifications.OutgoingEmail.user",  # rows addressed to them are deleted by the service
    "core.AuditLog.actor",  # staff actions; staff accounts are not deleted here
    "console.EligibilityLabel.created_by",
    "console.StudentLabel.added_by",
    "console.VolunteerInvitation.created_by",
    "console.VolunteerInvitation.used_by",  # the invitation itself is deleted by the service
    "events.Event.created_by",
    "events.RSVP.checked_in_by",
    "mentoring.Session.cancelled_by",
    "mentoring.Session.no_show_reported_by",
    "mentoring.SessionChange.by",
    "mentoring.MatchRound.created_by",
}


def test_every_link_to_a_user_is_handled():
    cascade, set_null, other = [], [], []
    for relation in User._meta.related_objects:
        field = relation.field
        name = f"{field.model._meta.label}.{field.name}"
        if relation.many_to_many:
            continue  # through tables are the foreign keys below
        on_delete = relation.on_delete
        if on_delete is models.CASCADE:
            cascade.append(name)
        elif on_delete is models.SET_NULL:
            set_null.append(name)
        else:
            other.append(name)
    assert other == [], f"PROTECT/RESTRICT/DO_NOTHING would block or orphan a deletion: {other}"
    unreviewed = sorted(set(set_null) - REVIEWED_SET_NULL)
    assert unreviewed == [], f"Review what these keep of a deleted person: {unreviewed}"
    assert "contacts.Contact.owner" in cascade
    assert "mentoring.Session.volunteer" in cascade


# --- A student ------------------------------------------------------------------------------


def test_deleting_a_student_leaves_nothing_personal(
    outbox, student, other_student, volunteer, staff
):
    made = fill_student_data(student, volunteer)
    services_contact = contact_people.contact_create(
        owner=other_student, name="Bob's Contact", relationship=Relationship.OTHER
    )
    audit_record(actor=None, action="test", summary="Nudged alice@example.edu (Alice Student)")
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[student], action_flag=CHANGE, change_message="Edited"
    )
    other_device = Client()
    other_device.force_login(student)
    assert rows_mentioning("alice@example.edu")  # the search does find them before

    erased = account_delete(user=student)

    assert not User.objects.filter(pk=student.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact="alice@example.edu").exists()
    personal = ["alice@example.edu", "Alice Student", "Ada Lovelace", "Loves poetry"]
    personal += ["Call Ada about the internship", "Generous with her time"]
    assert rows_mentioning(*personal) == {}
    assert not Reminder.objects.filter(text__icontains="Ada").exists()
    assert not Session.objects.filter(pk=made["session"].pk).exists()
    assert not FlashRequest.objects.filter(student_id=student.pk).exists()
    # Signed out on every device.
    assert other_device.get(reverse("contacts:list")).status_code == 302
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(made["ada"].owner_id)
        for s in LoginSession.objects.all()
    )
    # Everybody else's data is untouched.
    assert Contact.objects.filter(pk=services_contact.pk).exists()
    assert User.objects.filter(pk__in=[other_student.pk, volunteer.pk]).count() == 2
    assert LogEntry.objects.get().object_repr == "former-member@invalid"  # the action stays

    assert erased.role == "student"
    assert erased.class_year == 2027
    assert erased.joined_on == timezone.localdate(student.date_joined, dt.UTC).replace(day=1)
    assert (
        erased.contacts,
        erased.conversations,
        erased.conversations_held,
        erased.conversations_thanked,
        erased.flash_sessions_held,
        erased.event_rsvps,
        erased.outcomes,
    ) == (2, 2, 1, 1, 1, 2, 1)
    assert ErasedAccount.objects.count() == 1


def test_the_volunteer_is_told_without_naming_the_student(outbox, student, volunteer):
    made = fill_student_data(student, volunteer)
    account_delete(user=student)
    notices = OutgoingEmail.objects.filter(kind="account_closed_notice")
    assert [n.to for n in notices] == [["carol@example.org"], ["carol@example.org"]]
    session_notice = next(n for n in notices if n.attachments)
    assert "Cancelled" in session_notice.subject
    assert "closed their" in session_notice.text
    calendar = Calendar.from_ical(base64.b64decode(session_notice.attachments[0]["content"]))
    assert str(calendar["method"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == made["session"].ics_uid
    assert int(event["sequence"]) == made["session"].ics_sequence + 1
    # The volunteer's earlier emails (the request, the confirmation) now name nobody.
    earlier = OutgoingEmail.objects.filter(to=["carol@example.org"]).exclude(
        kind="account_closed_notice"
    )
    assert earlier.exists()
    for email in earlier:
        assert "Alice" not in email.subject + email.text + email.html


def test_their_event_seat_goes_to_the_waitlist(outbox, student):
    event = EventFactory(capacity=1)
    RSVP.objects.create(event=event, user=student, status=RSVPStatus.GOING)
    waiting = StudentFactory(email="wendy@example.edu")
    rsvp = RSVP.objects.create(event=event, user=waiting, status=RSVPStatus.WAITLISTED)
    account_delete(user=student)
    rsvp.refresh_from_db()
    assert rsvp.status == RSVPStatus.GOING


# --- A volunteer ----------------------------------------------------------------------------


def test_deleting_a_volunteer_cancels_their_sessions_with_notice(outbox, student, volunteer):
    made = fill_student_data(student, volunteer)
    VolunteerInvitation.objects.create(
        email="carol@example.org", expires_at=timezone.now() + dt.timedelta(days=3)
    )
    volunteer.mentor.major = "Statistics"
    volunteer.mentor.save()

    erased = account_delete(user=volunteer)

    assert rows_mentioning("carol@example.org", "Carol Volunteer") == {}
    assert not Session.objects.filter(volunteer_id=made["session"].volunteer_id).exists()
    notices = OutgoingEmail.objects.filter(kind="account_closed_notice")
    assert sorted(len(n.attachments) for n in notices) == [0, 1]  # the session and the request
    assert {tuple(n.to) for n in notices} == {("alice@example.edu",)}
    for notice in notices:
        assert "the volunteer has closed their" in notice.text
        assert "directory" in notice.text
    # The student keeps their own records: contacts, conversations, profile.
    assert Contact.objects.filter(owner=student).count() == 2
    assert User.objects.filter(pk=student.pk).exists()
    # Their reminders about the cancelled session are gone too.
    assert not Reminder.objects.filter(
        user=student, subject_key=f"session:{made['session'].pk}", state="pending"
    ).exists()

    assert erased.role == "volunteer"
    assert erased.class_year == 2010
    assert erased.major == "Statistics"
    assert erased.flash_sessions_held == 1
    assert erased.contacts == 0


def test_past_sessions_are_not_announced_again(outbox, student, volunteer):
    from tests.contacts.helpers import past_session

    past_session(student, volunteer)
    account_delete(user=volunteer)
    assert not OutgoingEmail.objects.filter(kind="account_closed_notice").exists()


# --- Staff ----------------------------------------------------------------------------------


def test_staff_cannot_delete_their_own_account(staff, staff_client):
    with pytest.raises(PermissionDenied):
        account_delete(user=staff)
    assert staff_client.get(DELETE).status_code == 403
    assert staff_client.post(DELETE, {"password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()
    assert not ErasedAccount.objects.exists()


# --- The pages ------------------------------------------------------------------------------


def test_the_page_explains_what_is_deleted_and_kept(student_client):
    page = student_client.get(DELETE).content.decode()
    assert "What is deleted" in page
    assert "What is kept" in page
    assert 'name="password"' in page


def test_a_wrong_password_deletes_nothing(student, student_client):
    response = student_client.post(DELETE, {"password": "not my password"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=student.pk).exists()
    assert not ErasedAccount.objects.exists()


def test_an_empty_form_is_a_form_error(student_client, student):
    response = student_client.post(DELETE, {})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.filter(pk=student.pk).exists()


def test_deleting_signs_out_and_says_goodbye(outbox, student, student_client):
    response = student_client.post(DELETE, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(DELETED, 302)]
    assert "Your account is deleted" in response.content.decode()
    assert not User.objects.filter(pk=student.pk).exists()
    after = student_client.get(reverse("contacts:list"))
    assert after.status_code == 302
    assert reverse("account_login") in after["Location"]
    assert not Client().login(email="alice@example.edu", password=PASSWORD)


def test_without_a_password_they_type_their_email(volunteer, volunteer_client):
    volunteer.set_unusable_password()
    volunteer.save()
    volunteer_client.force_login(volunteer)
    page = volunteer_client.get(DELETE).content.decode()
    assert 'name="email"' in page
    assert 'name="password"' not in page
    wrong = volunteer_client.post(DELETE, {"email": "someone@example.org"})
    assert "That is not the address of this account." in wrong.content.decode()
    assert User.objects.filter(pk=volunteer.pk).exists()
    right = volunteer_client.post(DELETE, {"email": " Carol@Example.org "})
    assert right.status_code == 302
    assert not User.objects.filter(pk=volunteer.pk).exists()


def test_a_second_deletion_of_the_same_account_is_refused(outbox, student):
    from django.core.exceptions import ValidationError

    copy = User.objects.get(pk=student.pk)
    account_delete(user=student)
    with pytest.raises(ValidationError):
        account_delete(user=copy)
    assert ErasedAccount.objects.count() == 1


def test_sessions_scheduled_in_the_past_stay_out_of_the_notice(outbox, student, volunteer):
    """A scheduled session whose time has passed (not marked held) is not called off."""
    from tests.contacts.helpers import past_session

    session = past_session(student, volunteer)
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.SCHEDULED)
    account_delete(user=student)
    assert not OutgoingEmail.objects.filter(kind="account_closed_notice").exists()
