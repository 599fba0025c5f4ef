"""Writes of the "People I met" page: each entry becomes a contact once, whatever number of
times the phone sends it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction

from contacts.met import places
from contacts.met.models import MetReceipt
from contacts.models import Contact, Relationship, Source
from contacts.services.people import contact_create
from networking_app.accounts.models import User


@dataclass(frozen=True)
class MetPerson:
    """One person as typed on the page (contacts.forms.met.MetPersonForm)."""

    name: str
    organization_name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    linkedin_url: str = ""
    event: str = ""  # a value of the registered MetPlaces' choices, or ""
    notes: str = ""


def met_person_add(
    *, owner: User, key: uuid.UUID, person: MetPerson
) -> tuple[Contact | None, bool]:
    """Add someone the student met as a contact (source: event), once per key. Returns the
    contact (None if it was added before and deleted since) and whether it was added now."""
    with transaction.atomic():
        # Two requests with one key (a retry racing the original, two tabs): the second
        # insert waits on the unique index until the first commits, then finds its receipt;
        # if the first rolled back (an invalid entry), the second goes on and adds it.
        receipt, created = MetReceipt.objects.get_or_create(owner=owner, key=key)
        if not created:
            return receipt.contact, False
        where = places.registered() if person.event else None
        how_met = where.how_met(owner, person.event) if where else ""
        contact = contact_create(
            owner=owner,
            organization_name=person.organization_name,
            source=Source.EVENT,
            name=person.name,
            title=person.title,
            email=person.email,
            phone=person.phone,
            linkedin_url=person.linkedin_url,
            relationship=Relationship.MET_AT_EVENT,
            how_met=how_met,
            notes=person.notes,
        )
        if where:
            where.record(owner, person.event, contact)
        receipt.contact = contact
        receipt.save(update_fields=["contact"])
    return contact, True
