"""Round trip: export as CSV or vCard, import the file again (contacts.imports), and get the
same contacts, with no duplicates created when they are already there. Both formats carry
every field, the stay-in-touch rhythm and the date of connecting."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from contacts import reminders, services
from contacts.imports import import_commit, import_preview
from contacts.models import Cadence, Contact, InteractionKind, Relationship
from networking_app.notifications.models import Reminder

pytestmark = pytest.mark.django_db

CSV_URL = reverse("contacts:export_csv")
VCARD_URL = reverse("contacts:export_vcard")

# Every field the CSV and the vCard carry.
CSV_FIELDS = [
    "name",
    "email",
    "phone",
    "organization",
    "title",
    "industry",
    "linkedin_url",
    "relationship",
    "how_met",
    "tags",
    "notes",
    "cadence_days",
    "connected",
]
VCARD_FIELDS = CSV_FIELDS

PEOPLE = [
    {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0000",  # neutralised in the CSV, restored on import
        "organization_name": "Analytical Engines, Ltd.",
        "title": "Countess; mathematician",
        "industry": "Computing",
        "linkedin_url": "https://www.linkedin.com/in/ada-lovelace",
        "relationship": Relationship.PROFESSOR,
        "how_met": 'Lecture on "engines"',
        "tags": ["math", "first contacts"],
        "notes": 'Two lines:\nshe said "write it down", then left.',
        "cadence_days": Cadence.THREE_MONTHS,
    },
    {
        "name": "Zoë O'Brien-Müller",
        "email": "zoe@example.org",
        "organization_name": "Café Ünicode",
        "title": "=Head of Data",  # looks like a formula
        "relationship": Relationship.ALUMNI,
        "tags": ["@data"],
        "notes": "-not a formula either",
    },
    {
        "name": "Grace Hopper",
        "organization_name": "US Navy",  # no email: matched by name and organization
        "relationship": Relationship.FAMILY_FRIEND,
        "linkedin_url": "https://www.linkedin.com/in/grace-hopper",
    },
    {
        "name": "Plato",
        "relationship": Relationship.OTHER,
    },
    {
        "name": "=Eve Formula",  # neutralised in the CSV, restored on import
        "email": "eve@example.net",
        "industry": "Security",
        "relationship": Relationship.REFERRAL,
        "how_met": "Capture the flag",
        "cadence_days": Cadence.ONE_MONTH,
    },
]
# Connected on LinkedIn (an interaction of kind "connected").
CONNECTED = {"Ada Lovelace": dt.date(2024, 3, 12), "=Eve Formula": dt.date(2025, 11, 2)}
# The connection dates are in the past and reminders are due from them, whatever today is.
FROZEN = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def snapshot(owner, fields: list[str]) -> list[dict]:
    contacts = (
        Contact.objects.filter(owner=owner)
        .select_related("organization")
        .prefetch_related("tags", "interactions")
        .order_by("name")
    )
    rows = []
    for contact in contacts:
        values = {
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "organization": contact.organization.name if contact.organization_id else "",
            "title": contact.title,
            "industry": contact.industry,
            "linkedin_url": contact.linkedin_url,
            "relationship": contact.relationship,
            "how_met": contact.how_met,
            "tags": sorted(t.name for t in contact.tags.all()),
            "notes": contact.notes,
            "cadence_days": contact.cadence_days,
            "connected": sorted(
                i.occurred_on
                for i in contact.interactions.all()
                if i.kind == InteractionKind.CONNECTED
            ),
        }
        rows.append({f: values[f] for f in fields})
    return rows


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def alices_contacts(student):
    for person in PEOPLE:
        contact = services.contact_create(owner=student, **person)
        if person["name"] in CONNECTED:
            services.interaction_log(
                contact=contact,
                kind=InteractionKind.CONNECTED,
                occurred_on=CONNECTED[person["name"]],
            )
    return student


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


FORMATS = [
    pytest.param(CSV_URL, "contacts.csv", CSV_FIELDS, id="csv"),
    pytest.param(VCARD_URL, "contacts.vcf", VCARD_FIELDS, id="vcard"),
]


@pytest.mark.parametrize(("url", "filename", "fields"), FORMATS)
def test_reimporting_an_export_creates_no_duplicates(
    url, filename, fields, alices_contacts, student, student_client
):
    before = snapshot(student, CSV_FIELDS)
    data = download(student_client, url)

    batch = import_preview(owner=student, filename=filename, data=data)
    assert batch.total_rows == len(PEOPLE)
    assert batch.duplicate_count == len(PEOPLE), "every row is recognised as already there"
    assert batch.new_count == 0
    assert batch.invalid_count == 0

    batch = import_commit(batch=batch, default="skip")
    assert batch.created_count == 0
    assert Contact.objects.filter(owner=student).count() == len(PEOPLE)
    assert snapshot(student, CSV_FIELDS) == before


@pytest.mark.parametrize(("url", "filename", "fields"), FORMATS)
def test_merging_an_export_into_itself_changes_nothing(
    url, filename, fields, alices_contacts, student, student_client
):
    before = snapshot(student, CSV_FIELDS)
    batch = import_preview(owner=student, filename=filename, data=download(student_client, url))
    batch = import_commit(batch=batch, default="merge")
    assert batch.created_count == 0
    assert snapshot(student, CSV_FIELDS) == before


@pytest.mark.parametrize(("url", "filename", "fields"), FORMATS)
def test_a_fresh_account_gets_the_same_contacts(
    url, filename, fields, alices_contacts, student, student_client, other_student
):
    data = download(student_client, url)
    batch = import_preview(owner=other_student, filename=filename, data=data)
    assert batch.new_count == len(PEOPLE)
    batch = import_commit(batch=batch)
    assert batch.created_count == len(PEOPLE)
    assert snapshot(other_student, fields) == snapshot(student, fields)
    # The original owner's contacts are untouched.
    assert Contact.objects.filter(owner=student).count() == len(PEOPLE)

    # And importing the same file again into the fresh account creates nothing more.
    again = import_commit(
        batch=import_preview(owner=other_student, filename=filename, data=data), default="skip"
    )
    assert again.created_count == 0
    assert Contact.objects.filter(owner=other_student).count() == len(PEOPLE)


def stay_in_touch_due(owner) -> dict[str, dt.date]:
    names = dict(Contact.objects.filter(owner=owner).values_list("pk", "name"))
    return {
        names[int(r.subject_key.split(":")[1])]: r.due_at.date()
        for r in Reminder.objects.filter(user=owner, kind=reminders.STAY_IN_TOUCH)
    }


@pytest.mark.parametrize(("url", "filename", "fields"), FORMATS)
def test_a_fresh_account_gets_the_stay_in_touch_reminders(
    url, filename, fields, alices_contacts, student, student_client, other_student
):
    data = download(student_client, url)
    import_commit(batch=import_preview(owner=other_student, filename=filename, data=data))
    due = stay_in_touch_due(other_student)
    assert set(due) == {"Ada Lovelace", "=Eve Formula"}
    assert due == stay_in_touch_due(student)
