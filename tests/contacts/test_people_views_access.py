"""Who may do what on the people pages: nobody but the owner reaches or changes a student's
contacts, interactions and targets, and anonymous posts go to the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import ActionItem, Contact, Conversation, Interaction, TargetOrganization
from tests.contacts.helpers import CONTACT_CREATE_URL as CREATE
from tests.contacts.helpers import TARGETS_URL as TARGETS
from tests.contacts.helpers import contacts_url as url
from tests.contacts.helpers import make_contact as make
from tests.contacts.helpers import owned_objects

pytestmark = pytest.mark.django_db


def _snapshot(student):
    return (
        list(Contact.objects.filter(owner=student).order_by("pk").values()),
        list(Interaction.objects.filter(owner=student).order_by("pk").values()),
        list(TargetOrganization.objects.filter(owner=student).order_by("pk").values()),
        list(Conversation.objects.filter(owner=student).order_by("pk").values_list("contact_id")),
        list(ActionItem.objects.filter(owner=student).order_by("pk").values_list("contact_id")),
    )


@pytest.mark.parametrize(
    ("name", "params", "data"),
    [
        ("detail", ["contact_id"], {}),
        ("edit", ["contact_id"], {"name": "Hacked", "relationship": "other", "cadence_days": "0"}),
        ("delete", ["contact_id"], {}),
        ("merge", ["contact_id"], {"other": "other_contact_id"}),
        (
            "interaction_add",
            ["contact_id"],
            {"kind": "call", "occurred_on": "2026-01-01"},
        ),
        ("interaction_delete", ["interaction_id"], {}),
        ("target_edit", ["target_id"], {"priority": "1", "notes": "Hacked"}),
        ("target_delete", ["target_id"], {}),
    ],
)
@pytest.mark.parametrize("who", ["other_student_client", "volunteer_client", "staff_client"])
def test_nobody_else_can_post_to_a_students_objects(request, student, name, params, data, who):
    owned = owned_objects(student)
    data = {k: owned.get(v, v) for k, v in data.items()}
    before = _snapshot(student)
    client = request.getfixturevalue(who)
    target = url(name, **{p: owned[p] for p in params})
    assert client.post(target, data).status_code == 404
    if name in ("detail",):
        assert client.get(target).status_code == 404
    assert _snapshot(student) == before


def test_other_students_contact_cannot_be_merged_into_mine(
    other_student_client, student, other_student
):
    mine = make(student, "Mine")
    theirs = make(other_student, "Theirs")
    response = other_student_client.post(url("merge", contact_id=theirs.pk), {"other": mine.pk})
    assert response.status_code == 200
    assert Contact.objects.filter(pk=mine.pk).exists()


def test_anonymous_posts_go_to_login(client, student):
    owned = owned_objects(student)
    before = _snapshot(student)
    for target in [
        CREATE,
        TARGETS,
        url("interaction_add", contact_id=owned["contact_id"]),
        url("delete", contact_id=owned["contact_id"]),
        url("target_delete", target_id=owned["target_id"]),
    ]:
        response = client.post(target, {"name": "X", "priority": "1"})
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert _snapshot(student) == before
