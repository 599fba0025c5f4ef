"""The contacts list: each contact with its badges and escaped columns, search, filters,
invalid filter values ignored, pagination, the htmx results fragment, and query counts
that do not grow with the number of contacts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import (
    Cadence,
    Contact,
    ConversationStatus,
    InteractionKind,
    Priority,
    Relationship,
)
from tests.contacts.factories import ConversationFactory, TargetOrganizationFactory
from tests.contacts.helpers import CONTACT_CREATE_URL as CREATE
from tests.contacts.helpers import CONTACTS_LIST_URL as LIST
from tests.contacts.helpers import contacts_url as url
from tests.contacts.helpers import make_contact as make
from tests.contacts.helpers import many_contacts as _bulk_contacts
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def names_in(response) -> list[str]:
    """Names of the contacts in the results table, in order."""
    return [c.name for c in response.context["contacts"]]


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
