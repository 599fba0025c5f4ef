"""'People I met': the endpoint the phone's queue syncs through (contacts.views.met.met_sync)
and the service behind it (contacts.met.services.met_person_add). A key is saved once per
student, whatever number of times or tabs send it; an entry that does not validate comes back
with its reason and leaves nothing behind, so the corrected entry can be sent with the same
key; the CSRF token is required; entries queued by another account on the phone are refused."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.met.models import MetReceipt
from contacts.met.services import MetPerson, met_person_add
from contacts.models import Contact, Relationship, Source
from events.models import EventStatus, MetAtEvent, RSVPStatus
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

SYNC = reverse("contacts:met_sync")


def _entry(**fields) -> dict:
    return {"key": str(uuid.uuid4()), "name": "Ada Lovelace", **fields}


def _sync(client, owner, entries, **extra):
    body = {"owner": owner.pk, "entries": entries}
    return client.post(SYNC, json.dumps(body), content_type="application/json", **extra)


def test_an_entry_becomes_a_contact_met_at_an_event(student_client, student):
    entry = _entry(
        organization_name="Analytical Engines",
        title="Analyst",
        email="ada@engines.example",
        phone="+44 20 7946 0000",
        linkedin_url="https://www.linkedin.com/in/ada",
        notes="Wants the slides",
    )
    response = _sync(student_client, student, [entry])
    assert response.status_code == 200
    assert response.json() == {"saved": [entry["key"]], "invalid": []}
    ada = Contact.objects.get(owner=student)
    assert (ada.name, ada.organization.name, ada.title, ada.email, ada.phone) == (
        "Ada Lovelace",
        "Analytical Engines",
        "Analyst",
        "ada@engines.example",
        "+44 20 7946 0000",
    )
    assert (ada.linkedin_url, ada.notes) == ("https://www.linkedin.com/in/ada", "Wants the slides")
    assert ada.source == Source.EVENT
    assert ada.relationship == Relationship.MET_AT_EVENT
    assert ada.how_met == ""
    assert "Analytical Engines" in ada.search_text  # through contacts.services
    receipt = MetReceipt.objects.get(owner=student)
    assert (str(receipt.key), receipt.contact) == (entry["key"], ada)


def test_the_same_key_twice_adds_one_contact(student_client, student):
    first, second = _entry(name="Ada Lovelace"), _entry(name="Grace Hopper")
    assert _sync(student_client, student, [first, second]).json()["saved"] == [
        first["key"],
        second["key"],
    ]
    # The answer was lost: the phone sends both again, then once more in one request twice.
    again = _sync(student_client, student, [first, second, first])
    assert again.json() == {"saved": [first["key"], second["key"], first["key"]], "invalid": []}
    names = sorted(Contact.objects.filter(owner=student).values_list("name", flat=True))
    assert names == ["Ada Lovelace", "Grace Hopper"]
    assert MetReceipt.objects.filter(owner=student).count() == 2


def test_a_key_sent_again_after_its_contact_was_deleted_adds_nobody(student_client, student):
    entry = _entry()
    _sync(student_client, student, [entry])
    Contact.objects.get(owner=student).delete()
    assert _sync(student_client, student, [entry]).json()["saved"] == [entry["key"]]
    assert not Contact.objects.filter(owner=student).exists()
    assert MetReceipt.objects.get(owner=student).contact is None


def test_each_student_has_their_own_keys(
    student_client, other_student_client, student, other_student
):
    entry = _entry()
    assert _sync(student_client, student, [entry]).json()["saved"] == [entry["key"]]
    # The same key from another student (a copied page, a coincidence) is theirs alone.
    theirs = {**entry, "name": "Grace Hopper"}
    assert _sync(other_student_client, other_student, [theirs]).json()["saved"] == [entry["key"]]
    assert Contact.objects.get(owner=student).name == "Ada Lovelace"
    assert Contact.objects.get(owner=other_student).name == "Grace Hopper"
    assert MetReceipt.objects.count() == 2


def test_invalid_entries_come_back_with_their_reason_and_the_others_are_saved(
    student_client, student
):
    good = _entry(name="Ada Lovelace")
    no_name = _entry(name="   ")
    bad_email = _entry(name="Grace Hopper", email="grace@")
    not_linkedin = _entry(name="Alan Turing", linkedin_url="https://example.com/alan")
    bad_key = {"key": "not-a-uuid", "name": "Katherine Johnson"}
    answer = _sync(
        student_client, student, [good, no_name, bad_email, not_linkedin, bad_key, "text"]
    ).json()
    assert answer["saved"] == [good["key"]]
    reasons = {item["key"]: item["reason"] for item in answer["invalid"]}
    assert reasons == {
        no_name["key"]: "Name: Enter their name.",
        bad_email["key"]: "Email address: Enter a valid email address, like name@example.com.",
        not_linkedin["key"]: (
            "LinkedIn profile: This is not a LinkedIn address. Paste the address of their "
            "profile on linkedin.com, or leave the field empty."
        ),
        "not-a-uuid": "This entry's key is not valid: reload the page and add it again.",
        None: "This entry is not a person.",
    }
    errors = {item["key"]: item["errors"] for item in answer["invalid"]}
    assert list(errors[bad_email["key"]]) == ["email"]
    assert list(Contact.objects.filter(owner=student).values_list("name", flat=True)) == [
        "Ada Lovelace"
    ]
    # Nothing of the refused ones was kept: corrected, the same key is saved.
    assert MetReceipt.objects.filter(owner=student).count() == 1
    fixed = {**bad_email, "email": "grace@navy.example"}
    assert _sync(student_client, student, [fixed]).json()["saved"] == [bad_email["key"]]
    assert Contact.objects.get(owner=student, name="Grace Hopper").email == "grace@navy.example"


def test_values_that_are_not_text_are_read_as_text(student_client, student):
    entry = _entry(phone=5550100, title=None, email=True, notes=["x"])
    assert _sync(student_client, student, [entry]).json()["saved"] == [entry["key"]]
    contact = Contact.objects.get(owner=student)
    assert (contact.phone, contact.title, contact.email, contact.notes) == ("5550100", "", "", "")


# --- Events ------------------------------------------------------------------------------------


def _event_now(student, **rsvp):
    starts = timezone.now() - dt.timedelta(hours=1)
    event = EventFactory(
        title="Data careers mixer", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    RSVPFactory(event=event, user=student, **rsvp)
    return event


def test_an_entry_names_the_event_where_they_met(student_client, student):
    event = _event_now(student)
    entry = _entry(event=str(event.pk))
    assert _sync(student_client, student, [entry]).json()["saved"] == [entry["key"]]
    ada = Contact.objects.get(owner=student)
    assert ada.how_met.startswith("Data careers mixer, ")
    assert MetAtEvent.objects.get(contact=ada).event == event


@pytest.mark.parametrize(
    "case", ["not going", "waitlisted", "cancelled event", "someone else's", "not an id"]
)
def test_an_event_the_student_was_not_going_to_is_refused(
    case, student_client, student, other_student
):
    if case == "not going":
        event = EventFactory()
    elif case == "waitlisted":
        event = _event_now(student, status=RSVPStatus.WAITLISTED)
    elif case == "cancelled event":
        event = _event_now(student)
        event.status = EventStatus.CANCELLED
        event.save()
    else:
        event = _event_now(other_student)
    value = "mixer" if case == "not an id" else str(event.pk)
    entry = _entry(event=value)
    answer = _sync(student_client, student, [entry]).json()
    assert answer["saved"] == []
    assert answer["invalid"][0]["reason"] == (
        "Where you met: That event is not one you are going to (or it was cancelled): choose "
        "another, or none."
    )
    assert not Contact.objects.filter(owner=student).exists()
    assert not MetReceipt.objects.exists()
    assert not MetAtEvent.objects.exists()


# --- The request itself ------------------------------------------------------------------------


def test_the_get_says_who_is_signed_in_with_a_fresh_token(student_client, student):
    response = student_client.get(SYNC)
    assert response.status_code == 200
    body = response.json()
    assert body["owner"] == student.pk
    assert len(body["csrf_token"]) == 64
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_the_csrf_token_is_required(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    entry = _entry()
    assert _sync(client, student, [entry]).status_code == 403
    token = client.get(SYNC).json()["csrf_token"]
    assert _sync(client, student, [entry], HTTP_X_CSRFTOKEN="wrong" * 8).status_code == 403
    assert not Contact.objects.exists()
    response = _sync(client, student, [entry], HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["saved"] == [entry["key"]]


def test_entries_queued_by_another_account_are_refused(student_client, student, other_student):
    response = _sync(student_client, other_student, [_entry()])
    assert response.status_code == 409
    assert response.json() == {
        "error": "These entries were added by another account on this phone."
    }
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("not json", "The entries could not be read (not JSON)."),
        ('["a list"]', "No entries were sent."),
        ('{"entries": []}', "No entries were sent."),
        ('{"entries": "Ada"}', "No entries were sent."),
    ],
)
def test_a_body_that_is_not_a_list_of_entries_is_a_400(student_client, body, error):
    response = student_client.post(SYNC, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_at_most_fifty_entries_at_a_time(student_client, student):
    response = _sync(student_client, student, [_entry() for _ in range(51)])
    assert response.status_code == 400
    assert response.json() == {"error": "Send at most 50 entries at a time."}
    assert _sync(student_client, student, [_entry() for _ in range(50)]).status_code == 200
    assert Contact.objects.filter(owner=student).count() == 50


def test_who_may_sync(client, volunteer_client, staff_client):
    assert client.get(SYNC)["Location"].startswith(reverse("account_login"))
    assert client.post(SYNC, "{}", content_type="application/json").status_code == 302
    assert volunteer_client.get(SYNC).status_code == 404
    assert staff_client.get(SYNC).status_code == 404


def test_a_former_student_keeps_syncing_into_their_network():
    alumna = VolunteerFactory(former_student=True)
    client = Client()
    client.force_login(alumna)
    entry = _entry()
    assert _sync(client, alumna, [entry]).json()["saved"] == [entry["key"]]
    assert Contact.objects.get(owner=alumna).source == Source.EVENT


# --- Two requests with one key at the same moment ----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_key_sent_by_two_tabs_at_once_is_one_contact(student):
    """Each thread has its own connection: the second insert of the key waits on the unique
    index until the first transaction commits, then finds its receipt."""
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    outcomes: list = []
    lock = threading.Lock()

    def send():
        try:
            barrier.wait(timeout=30)
            contact, added = met_person_add(
                owner=student, key=key, person=MetPerson(name="Ada Lovelace")
            )
            with lock:
                outcomes.append((contact.pk, added))
        except Exception as error:
            with lock:
                outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    contact = Contact.objects.get(owner=student)
    assert (
        sorted(outcomes, key=lambda o: not o[1]) == [(contact.pk, True)] + [(contact.pk, False)] * 3
    )
    assert MetReceipt.objects.filter(owner=student).count() == 1
