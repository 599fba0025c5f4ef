"""A contact's page (profile, referrals, timeline), logging and deleting interactions,
deleting the contact, and merging a duplicate into it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts import services
from contacts.models import Cadence, Contact, ConversationChange, Interaction, InteractionKind
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    InteractionFactory,
)
from tests.contacts.helpers import CONTACTS_LIST_URL as LIST
from tests.contacts.helpers import contacts_url as url
from tests.contacts.helpers import make_contact as make
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(student):
    referrer = make(student, "Rita Referrer")
    contact = make(
        student,
        "Maya Chen",
        organization_name="Globex",
        title="Product Manager",
        email="maya@example.com",
        tags=["fintech"],
        notes="Loves climbing.",
        cadence_days=Cadence.ONE_MONTH,
        referred_by=referrer,
        may_use_referrer_name=True,
    )
    make(student, "Rafael Referral", referred_by=contact)
    return contact


def test_detail_shows_profile_referrals_timeline_and_actions(student_client, student, maya):
    services.interaction_log(
        contact=maya,
        kind=InteractionKind.IN_PERSON,
        occurred_on=dt.date(2026, 1, 15),
        note="Coffee near campus",
    )
    conversation = services.conversation_plan(contact=maya, goal="Learn about product roles")
    ActionItemFactory(owner=student, contact=maya, text="Send my resume")
    ActionItemFactory(owner=student, contact=maya, text="Already done", done_at=timezone.now())

    response = student_client.get(url("detail", contact_id=maya.pk))

    html = response.text
    assert "<h1>Maya Chen</h1>" in html
    assert "Product Manager at Globex" in html
    assert "fintech" in html
    assert "Loves climbing." in html
    assert "Every month" in html
    assert response.context["due_on"] == dt.date(2026, 1, 15) + dt.timedelta(days=30)
    assert '<time datetime="2026-02-14">' in html
    assert "Rita Referrer" in html
    assert "May use their name" in html
    assert "Rafael Referral" in html
    assert "Coffee near campus" in html
    assert url("conversation", conversation_id=conversation.pk) in html
    assert "Planned" in html
    assert url("conversation_plan", contact_id=maya.pk) in html
    assert "Send my resume" in html
    assert "Already done" not in html
    assert f'action="{url("interaction_add", contact_id=maya.pk)}"' in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html  # date defaults to today


def test_detail_of_a_contact_never_contacted(student_client, student):
    contact = make(student, "New Person")
    html = student_client.get(url("detail", contact_id=contact.pk)).text
    assert "No reminder is set" in html
    assert "Nobody referred you" in html
    assert "Nothing yet. Log your first interaction" in html


def test_detail_query_count_does_not_grow(student_client, student, maya):
    def add_rows(n):
        for i in range(n):
            conversation = ConversationFactory(owner=student, contact=maya)
            ConversationChange.objects.create(
                conversation=conversation, kind="cancelled", asked_by="them"
            )
            InteractionFactory(owner=student, contact=maya, note=f"note {i}")
            ContactFactory(owner=student, referred_by=maya)
            ActionItemFactory(owner=student, contact=maya, conversation=conversation)

    assert_queries_stable(
        lambda: student_client.get(url("detail", contact_id=maya.pk)), add_rows, small=5, large=500
    )


def test_log_an_interaction(student_client, student, maya):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data = {
        "kind": "call",
        "occurred_on": yesterday,
        "note": "Chat",
    }
    response = student_client.post(url("interaction_add", contact_id=maya.pk), data, follow=True)
    assert response.redirect_chain[-1][0].endswith("#timeline")
    assert "Logged: Phone call on" in response.text
    interaction = Interaction.objects.get(contact=maya)
    assert (interaction.kind, interaction.occurred_on, interaction.note) == (
        "call",
        yesterday,
        "Chat",
    )
    maya.refresh_from_db()
    assert maya.last_interaction_on == yesterday


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "call", "occurred_on": "2999-01-01"},
            "cannot be in the future",
        ),
        ({"kind": "call", "occurred_on": "soon"}, "Enter a date"),
        ({"kind": "", "occurred_on": "2026-01-01"}, "Choose what kind"),
        ({"kind": "pigeon", "occurred_on": "2026-01-01"}, "Select a valid"),
    ],
)
def test_log_an_interaction_with_bad_input(student_client, maya, data, message):
    data = {**data, "note": "Typed note survives"}
    response = student_client.post(url("interaction_add", contact_id=maya.pk), data)
    assert response.status_code == 200
    assert message in response.text
    assert "Typed note survives" in response.text
    assert "<h1>Maya Chen</h1>" in response.text
    assert not Interaction.objects.filter(contact=maya).exists()


def test_log_an_interaction_shows_service_errors(student_client, maya, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"occurred_on": "An interaction cannot be in the future."})

    monkeypatch.setattr(services, "interaction_log", refuse)
    data = {"kind": "call", "occurred_on": timezone.localdate()}
    response = student_client.post(url("interaction_add", contact_id=maya.pk), data)
    assert response.status_code == 200
    assert "An interaction cannot be in the future." in response.text


def test_delete_an_interaction_recomputes_last_contact(student_client, student, maya):
    older = services.interaction_log(contact=maya, kind="email", occurred_on=dt.date(2026, 1, 1))
    newer = services.interaction_log(contact=maya, kind="call", occurred_on=dt.date(2026, 2, 1))
    response = student_client.post(url("interaction_delete", interaction_id=newer.pk))
    assert response.status_code == 302
    assert response["Location"] == url("detail", contact_id=maya.pk) + "#timeline"
    assert list(Interaction.objects.filter(contact=maya)) == [older]
    maya.refresh_from_db()
    assert maya.last_interaction_on == dt.date(2026, 1, 1)


def test_delete_a_contact_after_confirming(student_client, student, maya):
    InteractionFactory(owner=student, contact=maya)
    page = student_client.get(url("delete", contact_id=maya.pk))
    assert "Delete Maya Chen?" in page.text
    assert "1 logged interaction" in page.text
    assert "The 1 contact Maya Chen referred you to will stay" in page.text
    assert Contact.objects.filter(pk=maya.pk).exists()
    response = student_client.post(url("delete", contact_id=maya.pk), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "Maya Chen is deleted" in response.text
    assert not Contact.objects.filter(pk=maya.pk).exists()
    assert Contact.objects.get(name="Rafael Referral").referred_by is None


# --- Merge -----------------------------------------------------------------------------------


def test_merge_page_offers_a_picker_and_previews_both(student_client, student, maya):
    duplicate = make(student, "Maya C.", phone="+1 555 0199", tags=["boston"])
    picker = student_client.get(url("merge", contact_id=maya.pk))
    assert picker.status_code == 200
    assert f'<option value="{duplicate.pk}">Maya C.</option>' in picker.text
    assert f'<option value="{maya.pk}"' not in picker.text  # not itself
    assert picker.context["other"] is None
    assert 'id="preview-heading"' not in picker.text

    preview = student_client.get(url("merge", contact_id=maya.pk), {"other": duplicate.pk})
    html = preview.text
    assert "Maya C. (merged in, then deleted)" in html
    rows = {row["label"]: row for row in preview.context["preview"]}
    assert rows["Phone"]["result"] == "+1 555 0199"
    assert rows["Name"]["result"] == "Maya Chen"
    assert rows["Tags"]["result"] == "boston, fintech"
    assert f'href="{url("merge", contact_id=duplicate.pk)}?other={maya.pk}"' in html
    assert Contact.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize("other", ["abc", "999999", "self", "theirs"])
def test_merge_preview_with_a_bad_choice(student_client, student, other_student, maya, other):
    values = {"self": maya.pk, "theirs": make(other_student, "Their Maya").pk}
    response = student_client.get(
        url("merge", contact_id=maya.pk), {"other": values.get(other, other)}
    )
    assert response.status_code == 200
    assert response.context["other"] is None
    assert "Choose another of your own contacts." in response.text
    assert "Their Maya" not in response.text


def test_merge_moves_interactions_conversations_and_referrals(student_client, student, maya):
    duplicate = make(student, "Maya C.", phone="+1 555 0199")
    InteractionFactory.create_batch(2, owner=student, contact=duplicate)
    conversation = ConversationFactory(owner=student, contact=duplicate)
    referral = make(student, "Ravi Referral", referred_by=duplicate)
    item = ActionItemFactory(owner=student, contact=duplicate)

    response = student_client.post(
        url("merge", contact_id=maya.pk), {"other": duplicate.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("detail", contact_id=maya.pk)
    assert (
        "Maya C. is merged into Maya Chen. Moved: 2 interactions, 1 conversation, 1 referral, "
        "1 action item." in response.text
    )
    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    assert Interaction.objects.filter(contact=maya).count() == 2
    conversation.refresh_from_db()
    referral.refresh_from_db()
    item.refresh_from_db()
    assert conversation.contact == maya
    assert referral.referred_by == maya
    assert item.contact == maya
    maya.refresh_from_db()
    assert maya.phone == "+1 555 0199"


def test_merge_post_with_a_bad_choice_changes_nothing(student_client, student, other_student, maya):
    theirs = make(other_student, "Their Maya")
    for other in [theirs.pk, maya.pk, "", "abc"]:
        response = student_client.post(url("merge", contact_id=maya.pk), {"other": other})
        assert response.status_code == 200
        assert "errorlist" in response.text
    assert Contact.objects.filter(pk__in=[theirs.pk, maya.pk]).count() == 2


def test_merge_service_errors_are_shown(student_client, student, maya, monkeypatch):
    duplicate = make(student, "Maya C.")

    def refuse(**kwargs):
        raise ValidationError("Choose two different contacts of your own to merge.")

    monkeypatch.setattr(services, "contact_merge", refuse)
    response = student_client.post(url("merge", contact_id=maya.pk), {"other": duplicate.pk})
    assert response.status_code == 200
    assert "Choose two different contacts of your own to merge." in response.text


def test_merge_preview_of_a_contact_and_its_own_referrer(student_client, student, maya):
    referrer = maya.referred_by
    response = student_client.get(url("merge", contact_id=maya.pk), {"other": referrer.pk})
    rows = {row["label"]: row for row in response.context["preview"]}
    assert rows["Referred by"]["keep"] == referrer
    assert rows["Referred by"]["result"] == ""
    student_client.post(url("merge", contact_id=maya.pk), {"other": referrer.pk})
    maya.refresh_from_db()
    assert maya.referred_by is None
