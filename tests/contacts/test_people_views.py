"""The people pages: contacts list, contact form, detail, interactions, merge and targets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import (
    ActionItem,
    Cadence,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    Interaction,
    InteractionKind,
    Organization,
    Priority,
    Relationship,
    Tag,
    TargetOrganization,
)
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    InteractionFactory,
    TargetOrganizationFactory,
)
from tests.contacts.helpers import owned_objects
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")
CREATE = reverse("contacts:create")
TARGETS = reverse("contacts:targets")


def url(name: str, **kwargs) -> str:
    return reverse(f"contacts:{name}", kwargs=kwargs)


def make(owner, name, **fields) -> Contact:
    """A contact as the app makes it (organization matched, tags, search text)."""
    fields.setdefault("relationship", Relationship.ALUMNI)
    return services.contact_create(owner=owner, name=name, **fields)


def names_in(response) -> list[str]:
    """Names of the contacts in the results table, in order."""
    return [c.name for c in response.context["contacts"]]


def contact_form_data(**overrides) -> dict:
    data = {
        "name": "Maya Chen",
        "organization_name": "Globex",
        "title": "Product Manager",
        "industry": "Software",
        "email": "maya@example.com",
        "phone": "+1 555 0100",
        "linkedin_url": "https://www.linkedin.com/in/maya-chen",
        "relationship": Relationship.ALUMNI,
        "how_met": "Alumni panel, October",
        "referred_by": "",
        "tags": "Fintech, product design",
        "cadence_days": str(Cadence.ONE_MONTH.value),
        "notes": "Moved from design to product.",
    }
    data.update(overrides)
    return data


# --- Contacts list ---------------------------------------------------------------------------


def test_empty_list_explains_how_to_add_a_first_contact(student_client):
    response = student_client.get(LIST)
    assert response.status_code == 200
    assert "Start your list with people you already know" in response.text
    assert f'href="{CREATE}"' in response.text
    assert "Add your first contact" in response.text


def test_list_shows_each_contact_with_its_badges(student_client, student):
    today = timezone.localdate()
    overdue = make(
        student,
        "Olga Overdue",
        organization_name="Initech",
        title="Engineer",
        tags=["boston"],
        cadence_days=Cadence.TWO_WEEKS,
    )
    services.interaction_log(
        contact=overdue, kind=InteractionKind.EMAIL, occurred_on=today - dt.timedelta(days=20)
    )
    upcoming = make(student, "Uma Upcoming", organization_name="Globex")
    ConversationFactory(
        owner=student,
        contact=upcoming,
        status=ConversationStatus.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=2),
    )
    fresh = make(student, "Fred Fresh", cadence_days=Cadence.ONE_MONTH)
    services.interaction_log(contact=fresh, kind=InteractionKind.CALL, occurred_on=today)

    response = student_client.get(LIST)

    assert names_in(response) == ["Fred Fresh", "Olga Overdue", "Uma Upcoming"]
    rows = {c.name: c for c in response.context["contacts"]}
    assert rows["Olga Overdue"].losing_touch
    assert not rows["Fred Fresh"].losing_touch
    assert rows["Uma Upcoming"].has_upcoming
    assert not rows["Olga Overdue"].has_upcoming
    html = response.text
    assert html.count("Losing touch</span>") == 1
    assert html.count("Upcoming conversation</span>") == 1
    assert f'href="{url("detail", contact_id=overdue.pk)}"' in html
    assert "Initech" in html
    assert "Engineer" in html
    assert "boston" in html
    assert "(3 contacts)" in html
    assert f'href="{CREATE}"' in html


def test_list_never_shows_other_students_contacts(student_client, student, other_student):
    make(student, "Mine Person")
    make(other_student, "Their Person")
    response = student_client.get(LIST, {"q": "Person"})
    assert names_in(response) == ["Mine Person"]
    assert "Their Person" not in student_client.get(LIST).text


@pytest.mark.parametrize(
    "q",
    ["Zelda", "Hyrule", "cartographer", "explorers", "lighthouse", "zel", "hyrule cartographer"],
)
def test_search_finds_by_name_organization_title_tag_and_notes(student_client, student, q):
    make(
        student,
        "Zelda Harkinian",
        organization_name="Hyrule Maps",
        title="Cartographer",
        tags=["explorers"],
        notes="Met her at the lighthouse talk.",
    )
    make(student, "Link Other", organization_name="Kokiri", title="Ranger", tags=["forest"])
    response = student_client.get(LIST, {"q": q})
    assert names_in(response) == ["Zelda Harkinian"]
    assert "Matching contacts" in response.text


def test_search_without_a_match_offers_to_clear_the_filters(student_client, student):
    make(student, "Ada Lovelace")
    response = student_client.get(LIST, {"q": "nobody-here"})
    assert names_in(response) == []
    assert "No contact matches these filters" in response.text
    assert "Start your list" not in response.text


def test_filters_narrow_the_list(student_client, student):
    today = timezone.localdate()
    acme = make(
        student,
        "Ann Acme",
        organization_name="Acme",
        relationship=Relationship.PROFESSOR,
        tags=["finance"],
        cadence_days=Cadence.TWO_WEEKS,
    )
    services.interaction_log(
        contact=acme, kind=InteractionKind.EMAIL, occurred_on=today - dt.timedelta(days=40)
    )
    globex = make(student, "Gus Globex", organization_name="Globex", tags=["design"])
    ConversationFactory(
        owner=student,
        contact=globex,
        status=ConversationStatus.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=1),
    )
    make(student, "Nora Nowhere", relationship=Relationship.FAMILY_FRIEND)
    services.target_organization_add(owner=student, name="Globex", priority=Priority.HIGH)

    def shown(**params):
        return names_in(student_client.get(LIST, params))

    assert shown(relationship=Relationship.PROFESSOR) == ["Ann Acme"]
    assert shown(tag="finance") == ["Ann Acme"]
    assert shown(tag="FINANCE") == ["Ann Acme"]
    assert shown(organization=acme.organization_id) == ["Ann Acme"]
    assert shown(targets="1") == ["Gus Globex"]
    assert shown(losing="1") == ["Ann Acme"]
    assert shown(upcoming="1") == ["Gus Globex"]
    assert shown(sort="-name") == ["Nora Nowhere", "Gus Globex", "Ann Acme"]
    assert shown(sort="organization") == ["Ann Acme", "Gus Globex", "Nora Nowhere"]
    assert shown(sort="last_contact")[0] != "Ann Acme"  # never contacted comes first
    assert shown(tag="design", relationship=Relationship.PROFESSOR) == []


def test_the_filter_form_keeps_the_chosen_values(student_client, student):
    contact = make(student, "Ann Acme", organization_name="Acme", tags=["finance"])
    response = student_client.get(
        LIST,
        {"q": "Ann", "tag": "finance", "organization": contact.organization_id, "losing": "1"},
    )
    html = response.text
    assert 'value="Ann"' in html
    assert re.search(r'<option value="finance" selected>', html)
    assert f'name="organization" value="{contact.organization_id}"' in html
    assert f"Only people at <strong>{contact.organization.name}</strong>" in html
    assert re.search(r'name="losing" value="1"[^>]*checked', html)


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "drop table"},
        {"organization": "abc"},
        {"organization": "999999"},
        {"page": "xyz"},
        {"page": "999"},
        {"relationship": "enemy"},
        {"tag": "no-such-tag"},
        {"targets": "maybe", "q": "x" * 500},
    ],
)
def test_invalid_filter_values_are_ignored(student_client, student, params):
    make(student, "Ann Acme")
    make(student, "Bob Bolt")
    response = student_client.get(LIST, params)
    assert response.status_code == 200
    assert names_in(response) == ["Ann Acme", "Bob Bolt"]
    assert "errorlist" not in response.text


def test_invalid_values_of_another_student_are_ignored(student_client, student, other_student):
    theirs = make(other_student, "Their Person", organization_name="Secret Org")
    make(student, "Ann Acme")
    response = student_client.get(LIST, {"organization": theirs.organization_id})
    assert names_in(response) == ["Ann Acme"]
    assert "Secret Org" not in response.text


def _bulk_contacts(owner, count: int, *, prefix: str = "Bulk") -> list[Contact]:
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


def test_pagination_shows_fifty_contacts_a_page(student_client, student):
    _bulk_contacts(student, 51)
    first = student_client.get(LIST)
    assert len(first.context["contacts"]) == 50
    assert "(51 contacts)" in first.text
    assert "Page 1 of 2" in first.text
    assert 'href="?page=2"' in first.text
    second = student_client.get(LIST, {"page": "2"})
    assert names_in(second) == ["Bulk Person 0050"]
    assert 'rel="prev"' in second.text


def test_pagination_links_keep_the_filters(student_client, student):
    _bulk_contacts(student, 55)
    response = student_client.get(LIST, {"q": "Bulk", "sort": "-name"})
    assert 'href="?q=Bulk&amp;sort=-name&amp;page=2"' in response.text


def test_htmx_request_gets_only_the_results_fragment(student_client, student):
    make(student, "Ann Acme", organization_name="Acme")
    make(student, "Bob Bolt")
    response = student_client.get(LIST, {"q": "Acme"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.text.strip()
    assert html.startswith('<section id="contact-results"')
    assert "<html" not in html
    assert "<form" not in html
    assert "Ann Acme" in html
    assert "Bob Bolt" not in html
    assert "HX-Request" in response["Vary"]
    assert next(t.name for t in response.templates) == "contacts/_contact_results.html"


def test_htmx_history_restore_gets_the_whole_page(student_client):
    response = student_client.get(
        LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.text


def test_full_page_has_the_live_filter_form(student_client):
    html = student_client.get(LIST).text
    assert 'hx-get="/my/contacts/"' in html
    assert 'hx-target="#contact-results"' in html
    assert 'hx-push-url="true"' in html
    assert "input changed delay:300ms from:[name=q]" in html
    assert 'id="contact-results"' in html
    assert 'method="get" action="/my/contacts/"' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_contacts_list_query_count_does_not_grow(student_client, student, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    assert_queries_stable(
        lambda: student_client.get(LIST, **headers),
        lambda n: _bulk_contacts(student, n),
        small=5,
        large=500,
    )


def test_filtered_list_query_count_does_not_grow(student_client, student):
    params = {"q": "Bulk", "tag": "bulk", "targets": "1", "sort": "organization"}

    def add_rows(n):
        for contact in _bulk_contacts(student, n):
            TargetOrganizationFactory(owner=student, organization=contact.organization)

    count = assert_queries_stable(
        lambda: student_client.get(LIST, params), add_rows, small=5, large=500
    )
    assert count > 0
    assert len(student_client.get(LIST, params).context["contacts"]) == 50


# --- Create and edit -------------------------------------------------------------------------


def test_create_contact(student_client, student):
    referrer = make(student, "Rita Referrer")
    data = contact_form_data(referred_by=str(referrer.pk), may_use_referrer_name="on")
    response = student_client.post(CREATE, data, follow=True)
    contact = Contact.objects.get(owner=student, name="Maya Chen")
    assert response.redirect_chain[-1][0] == url("detail", contact_id=contact.pk)
    assert "Maya Chen is added." in response.text
    assert contact.organization.name == "Globex"
    assert sorted(t.name for t in contact.tags.all()) == ["fintech", "product design"]
    assert contact.cadence_days == Cadence.ONE_MONTH
    assert contact.referred_by == referrer
    assert contact.may_use_referrer_name
    assert "Globex" in contact.search_text


def test_create_form_renders_labelled_fields(student_client):
    html = student_client.get(CREATE).text
    for name in ["name", "organization_name", "email", "linkedin_url", "tags", "referred_by"]:
        assert f'<label for="id_{name}"' in html
    assert "<legend>Who they are</legend>" in html
    assert "save_anyway" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "maya-at-example", "Enter a valid email address"),
        ("linkedin_url", "not a url", "Enter the full address of their LinkedIn profile"),
        ("linkedin_url", "https://example.com/in/maya", "This is not a LinkedIn address"),
        ("name", "   ", "This field is required"),
        ("relationship", "", "Choose how you know each other."),
        ("relationship", "enemy", "Select a valid choice"),
        ("cadence_days", "3", "Select a valid choice"),
        ("tags", "x" * 41, "Keep each tag to 40 characters or fewer"),
    ],
)
def test_create_with_bad_input_keeps_what_was_typed(student_client, student, field, value, message):
    data = contact_form_data(**{field: value})
    response = student_client.post(CREATE, data)
    assert response.status_code == 200
    assert message in response.text
    assert "Nothing was saved yet" in response.text
    assert not Contact.objects.filter(owner=student).exists()
    assert 'value="Product Manager"' in response.text
    assert "Moved from design to product." in response.text
    assert 'value="Fintech, product design"' in response.text or field == "tags"


def test_create_refuses_another_students_contact_as_referrer(student_client, other_student):
    theirs = make(other_student, "Their Referrer")
    response = student_client.post(CREATE, contact_form_data(referred_by=str(theirs.pk)))
    assert response.status_code == 200
    assert "Choose one of your own contacts." in response.text
    assert "Their Referrer" not in response.text
    assert Contact.objects.count() == 1


def test_referrer_choices_are_only_your_own_other_contacts(student_client, student, other_student):
    own = make(student, "Own Referrer")
    make(other_student, "Their Referrer")
    html = student_client.get(url("edit", contact_id=own.pk)).text
    select = re.search(r'<select name="referred_by".*?</select>', html, re.S).group(0)
    assert "Own Referrer" not in select  # not itself
    assert "Their Referrer" not in select
    other = make(student, "Second Own")
    html = student_client.get(url("edit", contact_id=own.pk)).text
    select = re.search(r'<select name="referred_by".*?</select>', html, re.S).group(0)
    assert f'value="{other.pk}"' in select


def test_service_errors_are_shown_on_the_form(student_client, student, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"organization": "That organization is archived.", "x": "Oops."})

    monkeypatch.setattr(services, "contact_create", refuse)
    response = student_client.post(CREATE, contact_form_data())
    assert response.status_code == 200
    assert "That organization is archived." in response.text
    assert "Oops." in response.text
    assert 'value="Maya Chen"' in response.text


def test_edit_shows_current_values_and_saves(student_client, student):
    contact = make(
        student,
        "Maya Chen",
        organization_name="Globex",
        tags=["fintech", "boston"],
        email="m@x.org",
    )
    page = student_client.get(url("edit", contact_id=contact.pk)).text
    assert 'value="Globex"' in page
    assert 'value="boston, fintech"' in page
    assert "Edit Maya Chen" in page
    data = contact_form_data(name="Maya Chen-Ito", organization_name="Initech", tags="robotics")
    response = student_client.post(url("edit", contact_id=contact.pk), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Maya Chen-Ito"
    assert contact.organization.name == "Initech"
    assert [t.name for t in contact.tags.all()] == ["robotics"]


def test_edit_with_bad_input_keeps_the_contact_and_the_typing(student_client, student):
    contact = make(student, "Maya Chen", email="maya@example.com")
    data = contact_form_data(name="Maya Renamed", email="broken@")
    response = student_client.post(url("edit", contact_id=contact.pk), data)
    assert response.status_code == 200
    assert 'value="Maya Renamed"' in response.text
    assert "Edit Maya Chen" in response.text
    contact.refresh_from_db()
    assert contact.name == "Maya Chen"
    assert contact.email == "maya@example.com"


def test_edit_service_error_keeps_the_page_heading(student_client, student, monkeypatch):
    contact = make(student, "Maya Chen")

    def refuse(*, contact, **kwargs):
        contact.name = kwargs["name"]
        raise ValidationError({"referred_by": "Choose another of your own contacts."})

    monkeypatch.setattr(services, "contact_update", refuse)
    response = student_client.post(url("edit", contact_id=contact.pk), contact_form_data())
    assert "Choose another of your own contacts." in response.text
    assert "Edit Maya Chen</h1>" in response.text


# --- Duplicates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ({"email": "Maya@Example.COM"}, {"email": "maya@example.com"}),
        (
            {"linkedin_url": "https://www.linkedin.com/in/maya-chen/"},
            {"linkedin_url": "http://linkedin.com/in/maya-chen"},
        ),
        (
            {"name": "Maya  Chen", "organization_name": "GLOBEX "},
            {"name": " maya chen", "organization_name": "globex"},
        ),
    ],
)
def test_possible_duplicate_is_shown_before_saving(student_client, student, existing, typed):
    existing = {"name": "Someone Else", "organization_name": "Elsewhere", **existing}
    earlier = make(student, **existing)
    data = contact_form_data(**{"email": "new@example.com", "linkedin_url": "", **typed})
    response = student_client.post(CREATE, data)
    assert response.status_code == 200
    assert "This may be someone you already have" in response.text
    assert f'href="{url("detail", contact_id=earlier.pk)}"' in response.text
    assert 'name="save_anyway"' in response.text
    assert f'name="merge_with" value="{earlier.pk}"' in response.text
    assert Contact.objects.filter(owner=student).count() == 1

    response = student_client.post(CREATE, {**data, "save_anyway": "on"})
    assert response.status_code == 302
    assert Contact.objects.filter(owner=student).count() == 2


def test_same_name_elsewhere_or_another_students_contact_is_not_a_duplicate(
    student_client, student, other_student
):
    make(student, "Maya Chen", organization_name="Initech", email="old@example.com")
    make(other_student, "Maya Chen", organization_name="Globex", email="maya@example.com")
    response = student_client.post(CREATE, contact_form_data())
    assert response.status_code == 302
    assert Contact.objects.filter(owner=student).count() == 2


def test_edit_warns_about_duplicates_but_not_about_itself(student_client, student):
    maya = make(student, "Maya Chen", organization_name="Globex", email="maya@example.com")
    other = make(student, "Other Person", email="other@example.com")
    same = contact_form_data(linkedin_url="")
    assert student_client.post(url("edit", contact_id=maya.pk), same).status_code == 302

    data = contact_form_data(name="Other Person", email="MAYA@example.com", linkedin_url="")
    response = student_client.post(url("edit", contact_id=other.pk), data)
    assert response.status_code == 200
    assert "This may be someone you already have" in response.text
    other.refresh_from_db()
    assert other.email == "other@example.com"
    response = student_client.post(url("edit", contact_id=other.pk), {**data, "save_anyway": "1"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.email == "MAYA@example.com"


def test_merge_instead_saves_then_opens_the_merge_preview(student_client, student):
    earlier = make(student, "Maya Chen", email="maya@example.com")
    response = student_client.post(
        CREATE, contact_form_data(merge_with=str(earlier.pk)), follow=True
    )
    new = Contact.objects.get(owner=student, title="Product Manager")
    assert response.redirect_chain[-1][0] == (
        url("merge", contact_id=new.pk) + f"?other={earlier.pk}"
    )
    assert "Check what merging Maya Chen into this contact will do" in response.text
    assert response.context["other"] == earlier


def test_merge_with_a_contact_that_is_not_a_duplicate_is_ignored(student_client, student):
    earlier = make(student, "Maya Chen", email="maya@example.com")
    unrelated = make(student, "Unrelated")
    response = student_client.post(CREATE, contact_form_data(merge_with=str(unrelated.pk)))
    assert response.status_code == 200
    assert "This may be someone you already have" in response.text
    assert Contact.objects.filter(owner=student).count() == 2
    assert earlier.pk in [d.pk for d in response.context["duplicates"]]


# --- Detail, interactions, delete ------------------------------------------------------------


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


# --- Target organizations --------------------------------------------------------------------


def test_targets_page_lists_targets_and_preparation(student_client, student):
    profile = student.student_profile
    profile.interests = "Climate tech and maps"
    profile.career_goals = "Product management"
    profile.save()
    acme = services.target_organization_add(
        owner=student, name="Acme", priority=Priority.HIGH, notes="Great mentors"
    )
    services.target_organization_add(owner=student, name="Globex", priority=Priority.LOW)
    make(student, "Ann Acme", organization_name="acme")

    response = student_client.get(TARGETS)

    html = response.text
    assert [t.organization.name for t in response.context["targets"]] == ["Acme", "Globex"]
    assert "Great mentors" in html
    assert "High" in html
    assert f'href="{LIST}?organization={acme.organization_id}"' in html
    assert html.count("See your contacts") == 1
    assert "Your preparation" in html
    assert "Climate tech and maps" in html
    assert "Product management" in html
    assert "Not written yet" in html  # strengths
    assert f'href="{reverse("profile")}"' in html
    assert url("target_edit", target_id=acme.pk) in html


def test_targets_page_without_targets_explains_what_to_do(student_client):
    assert "No target organization yet" in student_client.get(TARGETS).text


def test_add_a_target(student_client, student):
    data = {"name": "  Initech  ", "priority": str(Priority.HIGH.value), "notes": "Robotics"}
    response = student_client.post(TARGETS, data, follow=True)
    assert "Initech is one of your targets." in response.text
    target = TargetOrganization.objects.get(owner=student)
    assert (target.organization.name, target.priority, target.notes) == ("Initech", 1, "Robotics")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "ACME ", "priority": "2"}, "Acme is already one of your targets."),
        ({"name": "  ", "priority": "2"}, "Enter the organization"),
        ({"name": "Initech", "priority": "9"}, "Select a valid choice"),
    ],
)
def test_add_a_target_with_bad_input(student_client, student, data, message):
    services.target_organization_add(owner=student, name="Acme", priority=Priority.HIGH)
    response = student_client.post(TARGETS, {**data, "notes": "Kept notes"})
    assert response.status_code == 200
    assert message in response.text
    assert "Kept notes" in response.text
    assert TargetOrganization.objects.filter(owner=student).count() == 1


def test_edit_a_target(student_client, student):
    target = services.target_organization_add(owner=student, name="Acme", priority=Priority.LOW)
    page = student_client.get(url("target_edit", target_id=target.pk))
    assert "Edit target: Acme" in page.text
    response = student_client.post(
        url("target_edit", target_id=target.pk), {"priority": "1", "notes": "Apply in May"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.priority, target.notes) == (Priority.HIGH, "Apply in May")


def test_edit_a_target_with_bad_input(student_client, student):
    target = services.target_organization_add(owner=student, name="Acme", priority=Priority.LOW)
    response = student_client.post(
        url("target_edit", target_id=target.pk), {"priority": "urgent", "notes": "Typed"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert "Typed" in response.text
    target.refresh_from_db()
    assert target.priority == Priority.LOW


def test_delete_a_target(student_client, student):
    target = services.target_organization_add(owner=student, name="Acme", priority=Priority.LOW)
    response = student_client.post(url("target_delete", target_id=target.pk), follow=True)
    assert "Acme is no longer one of your targets." in response.text
    assert not TargetOrganization.objects.filter(pk=target.pk).exists()
    assert Organization.objects.filter(name="Acme").exists()


def test_targets_query_count_does_not_grow(student_client, student):
    def add_rows(n):
        for contact in _bulk_contacts(student, n, prefix="Target"):
            TargetOrganizationFactory(owner=student, organization=contact.organization)

    assert_queries_stable(lambda: student_client.get(TARGETS), add_rows, small=5, large=500)


def test_profile_edits_the_preparation_fields(student_client, student):
    html = student_client.get(reverse("profile")).text
    for name in ["interests", "strengths", "career_goals", "target_industries"]:
        assert f'name="role-{name}"' in html
    data = {
        "display_name": "Alice Student",
        "time_zone": "UTC",
        "role-class_year": "2027",
        "role-major": "History",
        "role-interests": "Museums",
        "role-strengths": "Writing",
        "role-career_goals": "Curator",
        "role-target_industries": "Culture, education",
    }
    assert student_client.post(reverse("profile"), data).status_code == 302
    student.student_profile.refresh_from_db()
    assert student.student_profile.target_industries == "Culture, education"
    assert "Museums" in student_client.get(TARGETS).text


# --- Who may do what -------------------------------------------------------------------------


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


def test_merge_preview_of_a_contact_and_its_own_referrer(student_client, student, maya):
    referrer = maya.referred_by
    response = student_client.get(url("merge", contact_id=maya.pk), {"other": referrer.pk})
    rows = {row["label"]: row for row in response.context["preview"]}
    assert rows["Referred by"]["keep"] == referrer
    assert rows["Referred by"]["result"] == ""
    student_client.post(url("merge", contact_id=maya.pk), {"other": referrer.pk})
    maya.refresh_from_db()
    assert maya.referred_by is None


def test_edit_of_a_twin_saved_anyway_warns_only_when_identity_changes(student_client, student):
    make(student, "Maya Chen", organization_name="Globex", email="maya@example.com")
    twin = make(student, "Maya Chen", organization_name="Globex", email="maya2@example.com")
    data = contact_form_data(email="maya2@example.com", linkedin_url="", notes="New notes")
    response = student_client.post(url("edit", contact_id=twin.pk), data)
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.notes == "New notes"
    response = student_client.post(url("edit", contact_id=twin.pk), {**data, "name": "maya chen"})
    assert "This may be someone you already have" in response.text


def test_list_rows_show_each_column_escaped(student_client, student):
    """Each row (templates/contacts/_contact_results.html): every column, tags in name order,
    dates in the house format, badges, and nothing unescaped."""
    contact = services.contact_create(
        owner=student,
        name="Ada <i>Lovelace</i>",
        organization_name='Babbage & "Sons"',
        title="Analyst",
        relationship=Relationship.PROFESSOR,
        tags=["zeta", "<b>alpha</b>"],
        cadence_days=Cadence.ONE_MONTH,
    )
    Contact.objects.filter(pk=contact.pk).update(last_interaction_on=dt.date(2026, 1, 3))
    ConversationFactory(
        owner=student,
        contact=contact,
        status=ConversationStatus.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=2),
    )

    text = student_client.get(reverse("contacts:list")).text

    # Whitespace between the cells is the template's layout, not content.
    row = re.search(r"<tr>\s*<td[ >].*?</tr>", text, re.S).group(0)
    row = re.sub(r"\s*(</?t[dr]( [^>]*)?>)\s*", r"\1", row)
    row = row.replace("&#34;", "&quot;")  # the rows are Jinja2's (markupsafe's entity)
    detail = reverse("contacts:detail", kwargs={"contact_id": contact.pk})
    assert f'<a href="{detail}">Ada &lt;i&gt;Lovelace&lt;/i&gt;</a>' in row
    assert "<td>Babbage &amp; &quot;Sons&quot;</td>" in row
    assert "<td>Analyst</td><td>Professor or teacher</td>" in row
    assert '<span class="tag">&lt;b&gt;alpha&lt;/b&gt;</span> <span class="tag">zeta</span>' in row
    assert '<time datetime="2026-01-03">Sat 3 Jan 2026</time>' in row
    assert "Losing touch" in row
    assert "Upcoming conversation" in row
