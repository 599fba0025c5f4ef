"""Builders the contacts tests share (and the route table's world): one object of each kind
a student owns, one of everything a student can have, a held mentoring session; and what the
pipeline's and the people pages' view tests share: their URLs, a conversation at any stage, a
filled Today page, contacts as the app makes them, many contacts at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.capture.models import CapturedMessage, CaptureKind, CaptureStatus, Direction
from contacts.models import (
    AskedBy,
    Cadence,
    ChangeKind,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    DraftKind,
    EmailTemplate,
    MeetingMode,
    Organization,
    PreparedQuestion,
    Question,
    Relationship,
    Tag,
)
from events.models import RSVP, MetAtEvent, RSVPStatus
from mentoring.models import (
    Feedback,
    FlashRequest,
    MatchRound,
    RequestStatus,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionStatus,
)
from networking_app.notifications.models import NotificationSettings
from networking_app.notifications.services import reminder_schedule
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    InteractionFactory,
    OrganizationFactory,
    OutcomeFactory,
    PreparedQuestionFactory,
    TargetOrganizationFactory,
)
from tests.events.factories import EventFactory
from tests.mentoring.helpers import request_objects

DATA = Path(__file__).resolve().parent.parent / "data"


def owned_objects(student) -> dict:
    """URL parameters naming one object of each kind that belongs to `student`."""
    contact = ContactFactory(owner=student)
    conversation = ConversationFactory(owner=student, contact=contact)
    return {
        "contact_id": contact.pk,
        "other_contact_id": ContactFactory(owner=student).pk,
        "conversation_id": conversation.pk,
        "question_id": PreparedQuestionFactory(conversation=conversation).pk,
        "item_id": ActionItemFactory(owner=student, contact=contact).pk,
        "interaction_id": InteractionFactory(owner=student, contact=contact).pk,
        "target_id": TargetOrganizationFactory(owner=student).pk,
        "outcome_id": OutcomeFactory(owner=student).pk,
        "kind": DraftKind.INTRO.value,
        "captured_id": _captured_proposal(student).pk,
    }


def _captured_proposal(student):
    """A message sent to the student's capture address, its recipient proposed as a contact."""
    return CapturedMessage.objects.create(
        owner=student,
        message_id="route-table-intro@example.edu",
        subject="Would you have 20 minutes?",
        sent_at=timezone.now() - dt.timedelta(days=1),
        direction=Direction.SENT,
        kind=CaptureKind.INTRO,
        status=CaptureStatus.PROPOSED,
        counterpart_email="new.person@example.com",
        counterpart_name="New Person",
    )


def past_session(student, volunteer, *, days_ago: int = 10) -> Session:
    """A held flash-mentoring session, written directly (the services refuse past times)."""
    start = (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0)
    flash_request = FlashRequest.objects.create(
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        message="How did you get into analytics?",
        status=RequestStatus.ACCEPTED,
        expires_at=start,
    )
    return Session.objects.create(
        request=flash_request,
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        status=SessionStatus.COMPLETED,
        location="https://meet.example.com/held",
    )


def fill_student_data(student, volunteer) -> dict:
    """One of everything a student can have, through the services where they exist. Returns
    the objects the tests look at."""
    now = timezone.now()
    ada = services.contact_create(
        owner=student,
        name="Ada Lovelace",
        email="ada@example.com",
        phone="+44 20 7946 0000",
        organization_name="Analytical Engines",
        title="Countess",
        relationship=Relationship.PROFESSOR,
        notes="Loves poetry",
        tags=["math", "mentor"],
    )
    grace = services.contact_create(
        owner=student,
        name="Grace Hopper",
        organization_name="US Navy",
        relationship=Relationship.MET_AT_EVENT,
        tags=["math"],
    )
    held = ConversationFactory(
        owner=student,
        contact=ada,
        status=ConversationStatus.THANKED,
        scheduled_at=now - dt.timedelta(days=3),
        held_at=now - dt.timedelta(days=3),
        thanked_at=now - dt.timedelta(days=2),
        notes="She started by translating a paper",
        takeaways="Write things down",
    )
    PreparedQuestion.objects.create(
        conversation=held, text="How did you start?", answer="By accident"
    )
    ConversationChange.objects.create(
        conversation=held, kind=ChangeKind.RESCHEDULED, asked_by=AskedBy.THEM, reason="Travel"
    )
    upcoming = ConversationFactory(
        owner=student,
        contact=grace,
        status=ConversationStatus.SCHEDULED,
        scheduled_at=now + dt.timedelta(days=3),
        location="Navy Yard",
    )
    InteractionFactory(owner=student, contact=ada, note="Coffee near campus")
    ActionItemFactory(owner=student, contact=ada, text="Send my resume to Ada")
    TargetOrganizationFactory(owner=student, organization=ada.organization, notes="Dream job")
    outcome = OutcomeFactory(owner=student, organization=ada.organization, title="Intern")
    outcome.helped_by.set([ada])
    EmailTemplate.objects.create(
        owner=student, kind=DraftKind.INTRO, subject="Hello {first_name}", body="Dear {name}"
    )
    Question.objects.create(owner=student, text="What surprised you most?")
    NotificationSettings.objects.create(user=student, digest_hour=7)
    reminder_schedule(
        user=student,
        kind="custom",
        subject_key=f"contact:{ada.pk}",
        due_at=now + dt.timedelta(days=1),
        text="Call Ada about the internship",
    )
    mentoring = request_objects(student, volunteer)  # an upcoming session, a pending request
    held_session = past_session(student, volunteer)
    Feedback.objects.create(
        session=held_session, author=student, rating=5, comments="Generous with her time"
    )
    Feedback.objects.create(
        session=held_session, author=volunteer, rating=4, comments="VOLUNTEER-PRIVATE-NOTE"
    )
    match_round = MatchRound.objects.create(
        name="Spring round",
        signup_deadline=now + dt.timedelta(days=5),
        window_start=timezone.localdate() + dt.timedelta(days=10),
        window_end=timezone.localdate() + dt.timedelta(days=30),
    )
    RoundStudent.objects.create(round=match_round, student=student, industries="Analytics")
    RoundVolunteer.objects.create(round=match_round, volunteer=volunteer, capacity=2)
    event = EventFactory(title="Alumni networking night")
    past_event = EventFactory(
        title="Career fair",
        starts_at=now - dt.timedelta(days=20),
        ends_at=now - dt.timedelta(days=20) + dt.timedelta(hours=2),
    )
    RSVP.objects.create(event=event, user=student, status=RSVPStatus.GOING)
    RSVP.objects.create(
        event=past_event, user=student, status=RSVPStatus.GOING, checked_in_at=past_event.starts_at
    )
    MetAtEvent.objects.create(event=past_event, contact=grace)
    return {
        "ada": ada,
        "grace": grace,
        "held": held,
        "upcoming": upcoming,
        "session": Session.objects.get(pk=mentoring["session_id"]),
        "held_session": held_session,
        "request_id": mentoring["request_id"],
        "event": event,
    }


def import_batch_objects(student) -> dict:
    """URL parameters naming an import batch of `student`'s, previewed and not committed."""
    from contacts.imports import import_preview

    data = (DATA / "linkedin_connections.csv").read_bytes()
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    return {"batch_id": batch.pk}


# --- The pipeline's and the people pages' views ----------------------------------------------

CONTACTS_LIST_URL = reverse("contacts:list")
CONTACT_CREATE_URL = reverse("contacts:create")
TARGETS_URL = reverse("contacts:targets")

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board"}


def contacts_url(name: str, **kwargs) -> str:
    return reverse(f"contacts:{name}", kwargs=kwargs)


def make_conversation(owner, status=ConversationStatus.PLANNED, **fields) -> Conversation:
    """A conversation of `owner`'s at `status`, with the dates that stage has (by default with
    Maya Chen, of Globex)."""
    S = ConversationStatus
    if status == S.SCHEDULED:
        fields.setdefault("scheduled_at", timezone.now() + dt.timedelta(days=3))
        fields.setdefault("mode", MeetingMode.VIDEO)
    if status in (S.REQUESTED, S.NO_RESPONSE):
        fields.setdefault("requested_on", timezone.localdate() - dt.timedelta(days=2))
    if status == S.HELD:
        fields.setdefault("held_at", timezone.now() - dt.timedelta(hours=30))
    contact = fields.pop("contact", None) or ContactFactory(
        owner=owner, name="Maya Chen", organization=OrganizationFactory(name="Globex")
    )
    return ConversationFactory(owner=owner, contact=contact, status=status, **fields)


def set_time_zone(user, name: str) -> None:
    user.profile.time_zone = name
    user.profile.save()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def fill_today(student):
    """Something in each list of the Today page: a thank-you overdue, a follow-up, a meeting in
    two days with a prepared question, a contact losing touch and an overdue action item."""
    S = ConversationStatus
    now = timezone.now()
    today = timezone.localdate()
    thank = make_conversation(
        student,
        S.HELD,
        held_at=now - dt.timedelta(hours=30),
        contact=ContactFactory(owner=student, name="Thank Me"),
    )
    follow = make_conversation(
        student,
        S.REQUESTED,
        requested_on=today - dt.timedelta(days=8),
        contact=ContactFactory(owner=student, name="Follow Me"),
    )
    upcoming = make_conversation(
        student,
        S.SCHEDULED,
        scheduled_at=now + dt.timedelta(days=2),
        contact=ContactFactory(owner=student, name="Meet Me"),
    )
    PreparedQuestionFactory(conversation=upcoming, text="What does a typical week look like?")
    quiet = ContactFactory(
        owner=student,
        name="Quiet Friend",
        cadence_days=30,
        last_interaction_on=today - dt.timedelta(days=45),
    )
    item = ActionItemFactory(
        owner=student, contact=quiet, text="Send the article", due_on=today - dt.timedelta(days=1)
    )
    return thank, follow, upcoming, quiet, item


def make_contact(owner, name, **fields) -> Contact:
    """A contact as the app makes it (organization matched, tags, search text)."""
    fields.setdefault("relationship", Relationship.ALUMNI)
    return services.contact_create(owner=owner, name=name, **fields)


def many_contacts(owner, count: int, *, prefix: str = "Bulk") -> list[Contact]:
    """Many contacts at once, each with an organization, a tag, a due date and a meeting."""
    start = Contact.objects.filter(owner=owner).count()
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                name=f"{prefix} Org {start + i}",
                normalized_name=f"{prefix} org {start + i}".lower(),
            )
            for i in range(count)
        ]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                owner=owner,
                name=f"{prefix} Person {start + i:04d}",
                organization=organization,
                relationship=Relationship.ALUMNI,
                cadence_days=Cadence.TWO_WEEKS,
                last_interaction_on=timezone.localdate() - dt.timedelta(days=i % 30),
                search_text=f"{prefix} Person {start + i:04d}",
            )
            for i, organization in enumerate(organizations)
        ]
    )
    tag, _ = Tag.objects.get_or_create(owner=owner, name="bulk")
    Contact.tags.through.objects.bulk_create(
        [Contact.tags.through(contact=c, tag=tag) for c in contacts]
    )
    Conversation.objects.bulk_create(
        [
            Conversation(
                owner=owner,
                contact=c,
                goal="learn",
                status=ConversationStatus.SCHEDULED,
                scheduled_at=timezone.now() + dt.timedelta(days=3),
            )
            for c in contacts[::2]
        ]
    )
    return contacts
