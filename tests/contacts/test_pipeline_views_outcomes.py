"""Outcomes: recording one with the people who helped, who may be named, and deleting one."""

from __future__ import annotations

import pytest

from contacts.models import Outcome
from tests.contacts.factories import ContactFactory, OutcomeFactory
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import messages_of as _messages

pytestmark = pytest.mark.django_db


def test_record_an_outcome_and_write_to_the_helpers(student_client, student):
    helper = ContactFactory(owner=student, name="Maya Chen")
    ContactFactory(owner=student, name="Not Involved")
    response = student_client.post(
        _url("outcomes"),
        {
            "kind": "internship",
            "organization_name": "Initech",
            "title": "Data analyst",
            "decided_on": "2025-04-01",
            "helped_by": [helper.pk],
            "notes": "",
        },
        follow=True,
    )
    outcome = Outcome.objects.get()
    assert (outcome.owner, outcome.kind, outcome.organization.name, outcome.title) == (
        student,
        "internship",
        "Initech",
        "Data analyst",
    )
    assert list(outcome.helped_by.all()) == [helper]
    draft_link = _url("draft", contact_id=helper.pk, kind="outcome") + f"?outcome={outcome.pk}"
    assert draft_link in response.text
    assert any("Let the people who helped you know" in m for m in _messages(response))
    draft = student_client.get(draft_link)
    assert "I have accepted the Data analyst internship at Initech." in draft.context["draft"].body


def test_outcome_helpers_are_only_the_students_own(student_client, student, other_student):
    theirs = ContactFactory(owner=other_student, name="Bobs Contact")
    page = student_client.get(_url("outcomes"))
    assert "Bobs Contact" not in page.text
    response = student_client.post(
        _url("outcomes"),
        {
            "kind": "job",
            "organization_name": "Initech",
            "decided_on": "2025-04-01",
            "helped_by": [theirs.pk],
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert 'value="Initech"' in response.text
    assert not Outcome.objects.exists()


def test_outcome_delete(student_client, student):
    outcome = OutcomeFactory(owner=student)
    response = student_client.post(_url("outcome_delete", outcome_id=outcome.pk))
    assert response["Location"] == _url("outcomes")
    assert not Outcome.objects.exists()
