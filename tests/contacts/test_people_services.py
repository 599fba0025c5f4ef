import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from contacts.models import Contact, InteractionKind, Organization, Relationship
from contacts.selectors.people import ContactFilters, contacts_list
from contacts.selectors.today import today_page
from contacts.services.people import (
    contact_create,
    contact_merge,
    contact_update,
    interaction_delete,
    interaction_log,
    organization_get_or_create,
    target_organization_add,
)
from contacts.services.pipeline import conversation_plan
from contacts.services.preparation import referral_create
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_organizations_match_ignoring_case_and_spacing():
    first = organization_get_or_create(name="  Acme   Corp ")
    assert first.name == "Acme Corp"
    assert organization_get_or_create(name="ACME corp") == first
    assert organization_get_or_create(name="   ") is None
    assert Organization.objects.count() == 1


def test_contact_create_sets_organization_tags_and_search_text(student):
    contact = contact_create(
        owner=student,
        name="Maya Chen",
        email="maya@example.com",
        organization_name="Globex",
        title="Product Manager",
        relationship=Relationship.ALUMNI,
        notes="Loves climbing",
        tags=["Fintech", " product  design", ""],
    )
    assert contact.organization.name == "Globex"
    assert sorted(t.name for t in contact.tags.all()) == ["fintech", "product design"]
    for word in ["Maya", "Globex", "Product Manager", "fintech", "climbing"]:
        assert word in contact.search_text


def test_contact_create_refuses_bad_email_and_other_students_referrer(student, other_student):
    with pytest.raises(ValidationError) as excinfo:
        contact_create(owner=student, name="X", email="not-an-email", relationship="other")
    assert "email" in excinfo.value.message_dict
    theirs = ContactFactory(owner=other_student)
    with pytest.raises(ValidationError):
        contact_create(owner=student, name="Y", relationship="other", referred_by=theirs)
    assert not Contact.objects.filter(owner=student).exists()


def test_contact_cannot_refer_itself(student):
    contact = ContactFactory(owner=student)
    with pytest.raises(ValidationError):
        contact_update(contact=contact, name=contact.name, referred_by=contact)


def test_interactions_drive_last_interaction_and_reset_the_clock(student):
    contact = ContactFactory(owner=student, cadence_days=14)
    today = timezone.localdate()
    old = interaction_log(
        contact=contact, kind=InteractionKind.EMAIL, occurred_on=today - dt.timedelta(days=40)
    )
    contact.refresh_from_db()
    assert contact.last_interaction_on == today - dt.timedelta(days=40)
    assert contact in today_page(user=student).losing_touch
    recent = interaction_log(contact=contact, kind=InteractionKind.CALL, occurred_on=today)
    contact.refresh_from_db()
    assert contact.last_interaction_on == today
    assert contact not in today_page(user=student).losing_touch
    interaction_delete(interaction=recent)
    contact.refresh_from_db()
    assert contact.last_interaction_on == old.occurred_on


def test_interaction_in_the_future_is_refused(student):
    contact = ContactFactory(owner=student)
    with pytest.raises(ValidationError):
        interaction_log(
            contact=contact,
            kind=InteractionKind.EMAIL,
            occurred_on=timezone.localdate() + dt.timedelta(days=3),
        )


def test_target_organizations_are_unique_per_student(student, other_student):
    target_organization_add(owner=student, name="Initech", priority=1)
    with pytest.raises(ValidationError):
        target_organization_add(owner=student, name="  initech ", priority=2)
    target_organization_add(owner=other_student, name="Initech", priority=2)  # fine


def test_merge_moves_everything_and_fills_gaps(student):
    keep = ContactFactory(owner=student, name="Sam Lee", email="", phone="")
    remove = ContactFactory(owner=student, name="Samuel Lee", phone="555-0100", notes="Met at fair")
    interaction_log(contact=remove, kind=InteractionKind.EMAIL)
    conversation = conversation_plan(contact=remove, goal="product roles")
    referred = referral_create(referrer=remove, name="Pat Kim", may_use_name=True)
    merged = contact_merge(keep=keep, remove=remove)
    assert not Contact.objects.filter(pk=remove.pk).exists()
    assert merged.phone == "555-0100"
    assert "Met at fair" in merged.notes
    assert merged.interactions.count() == 1
    conversation.refresh_from_db()
    referred.refresh_from_db()
    assert conversation.contact == merged
    assert referred.referred_by == merged
    assert merged.last_interaction_on == timezone.localdate()


def test_merge_keeps_a_detail_that_differs_in_the_notes(student):
    keep = ContactFactory(owner=student, name="Sam Lee", email="sam@a.example", notes="Met at fair")
    remove = ContactFactory(owner=student, name="Sam Lee", email="sam@b.example", notes="Chess")
    merged = contact_merge(keep=keep, remove=remove)
    merged.refresh_from_db()
    assert merged.email == "sam@a.example"
    assert merged.notes.startswith("Met at fair\n\nChess\n\n")
    assert "Other email addresses: sam@b.example" in merged.notes.splitlines()


def test_merge_refuses_other_students_contacts(student, other_student):
    with pytest.raises(ValidationError):
        contact_merge(
            keep=ContactFactory(owner=student), remove=ContactFactory(owner=other_student)
        )


def test_contacts_list_is_private_and_searches(student, other_student):
    contact_create(
        owner=student,
        name="Ada Lovelace",
        organization_name="Analytical Engines",
        relationship="professor",
        notes="poetical science",
    )
    contact_create(owner=other_student, name="Ada Other", relationship="other")
    found = list(contacts_list(user=student, filters=ContactFilters(q="Ada")))
    assert [c.name for c in found] == ["Ada Lovelace"]
    assert list(contacts_list(user=student, filters=ContactFilters(q="poetical")))
    assert list(contacts_list(user=student, filters=ContactFilters(q="analytical engines")))
    assert not list(contacts_list(user=student, filters=ContactFilters(q="Other")))


@pytest.mark.postgres
def test_search_uses_the_gin_index(student, other_student):
    people = [
        Contact(owner=owner, name=f"Person {i}", relationship="other", search_text=f"note n{i}x")
        for owner in (student, other_student)
        for i in range(400)
    ]
    Contact.objects.bulk_create(people)
    queryset = contacts_list(user=student, filters=ContactFilters(q="n123x"))
    assert queryset.count() == 1
    with connection.cursor() as cursor:
        # Rows other tests inserted (and rolled back) wait in the GIN index's pending list until
        # autovacuum happens to flush it, and the planner prices that list: flushed here, the
        # plan no longer depends on when autovacuum last ran.
        cursor.execute("SELECT gin_clean_pending_list('contacts_contact_search_gin'::regclass)")
        cursor.execute("ANALYZE contacts_contact")
        # The question is whether the search can use the index, not how 800 rows are best read.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    assert "contacts_contact_search_gin" in plan, plan


def test_record_held_makes_a_held_conversation_with_its_thank_you_reminder(student):
    from contacts.services.pipeline import conversation_record_held
    from networking_app.notifications.models import Reminder

    contact = ContactFactory(owner=student)
    held_at = timezone.now() - dt.timedelta(hours=2)
    conversation = conversation_record_held(
        contact=contact, goal="flash mentoring", held_at=held_at, mode="video"
    )
    assert conversation.status == "held"
    assert conversation.scheduled_at == held_at == conversation.held_at
    contact.refresh_from_db()
    assert contact.last_interaction_on == timezone.localdate(held_at)
    reminder = Reminder.objects.get(kind="thank_you", subject_key=f"conversation:{conversation.pk}")
    assert reminder.due_at == held_at + dt.timedelta(hours=24)
