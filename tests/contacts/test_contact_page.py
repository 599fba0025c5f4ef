"""The contacts list's first page in one query (contacts/selectors/contact_page.py) gives what
the general path gives (contacts_matching, the paginator's count, attach_tag_names) for every
filter and sort, and only the student's own contacts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.imports.models import ImportBatch
from contacts.models import ConversationStatus, Relationship, Tag, TargetOrganization
from contacts.selectors import (
    ContactFilters,
    attach_tag_names,
    contacts_first_page,
    contacts_matching,
)
from contacts.selectors.people import SORTS
from tests.contacts.factories import ContactFactory, ConversationFactory, OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _world(student, other_student):
    acme, globex = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
    TargetOrganization.objects.create(owner=student, organization=acme)
    finance = Tag.objects.create(owner=student, name="finance")
    mentor = Tag.objects.create(owner=student, name="mentor")
    batch = ImportBatch.objects.create(owner=student, filename="Connections.csv")
    long_ago = timezone.localdate() - dt.timedelta(days=200)
    people = [
        ContactFactory(owner=student, name="Ada", organization=acme, cadence_days=30),
        ContactFactory(
            owner=student,
            name="Ben",
            organization=globex,
            relationship=Relationship.PROFESSOR,
            last_interaction_on=long_ago,
            cadence_days=90,
        ),
        ContactFactory(owner=student, name="Cy", organization=None, import_batch=batch),
        ContactFactory(owner=student, name="Dee", organization=acme, last_interaction_on=long_ago),
        ContactFactory(owner=student, name="ada two", organization=globex),
    ]
    people[0].tags.add(finance, mentor)
    people[2].tags.add(mentor)
    ConversationFactory(
        owner=student,
        contact=people[1],
        status=ConversationStatus.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=2),
    )
    # Another student's contacts, tags and conversations at the same organizations.
    theirs = ContactFactory(owner=other_student, name="Aaron", organization=acme)
    theirs.tags.add(Tag.objects.create(owner=other_student, name="finance"))
    return {"acme": acme, "batch": batch}


def _general(student, filters, per_page):
    contacts = contacts_matching(user=student, filters=filters)
    page = list(contacts[:per_page])
    attach_tag_names(page)
    return page, contacts.count()


def _described(contacts):
    return [
        (c.pk, c.name, c.organization.name if c.organization_id else None, c.has_upcoming,
         c.tag_names, c.stay_in_touch_due_on)
        for c in contacts
    ]  # fmt: skip


def test_the_first_page_matches_the_general_path_for_every_filter_and_sort(student, other_student):
    world = _world(student, other_student)
    # Each filter alone, then all of them, and none: every shape of the SQL but their products.
    each = {
        "relationship": Relationship.PROFESSOR,
        "tag": "Finance",  # tags are matched lower-cased
        "organization": world["acme"].pk,
        "targets_only": True,
        "losing_touch": True,
        "upcoming": True,
    }
    sets = [{}, *({name: value} for name, value in each.items()), {"tag": "mentor"}, each]
    checked = 0
    for chosen in sets:
        for sort in SORTS:
            filters = ContactFilters(**chosen, sort=sort)
            for per_page in (2, 50):
                fast, matching = contacts_first_page(
                    user=student, filters=filters, per_page=per_page
                )
                page, count = _general(student, filters, per_page)
                assert (_described(fast), matching) == (_described(page), count), filters
                checked += 1
    assert checked == 90
    batch = ContactFilters(extra={"batch": world["batch"].pk})
    fast, matching = contacts_first_page(user=student, filters=batch, per_page=50)
    assert [c.name for c in fast] == ["Cy"]
    assert matching == 1


def test_a_search_takes_the_general_path(student):
    ContactFactory(owner=student, name="Ada")
    assert contacts_first_page(user=student, filters=ContactFilters(q="ada"), per_page=50) is None


def test_no_match_is_an_empty_page(student):
    assert contacts_first_page(user=student, filters=ContactFilters(), per_page=50) == ([], 0)
