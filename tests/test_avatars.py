"""Initials avatars beside people's names: the letters, a colour that is the same everywhere,
never more than two letters, and no markup from the name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from networking_app.core.templatetags.rows import AVATAR_COLOURS, avatar_hue, initials
from tests.contacts.factories import ContactFactory


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Maya Chen", "MC"),
        ("maya van der Berg", "MB"),
        ("Prince", "P"),
        ("  Ada   Lovelace  ", "AL"),
        ("Émile Zola", "ÉZ"),
        ("李 小龍", "李小"),
        ("(Dr.) Jo Smith", "JS"),
        ("", "?"),
        (None, "?"),
        ("123 456", "?"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_a_name_has_one_colour_everywhere():
    assert avatar_hue("Maya Chen") == avatar_hue("Maya Chen")
    assert {avatar_hue(f"Person {i}") for i in range(200)} == set(range(AVATAR_COLOURS))
    assert avatar_hue(None) == avatar_hue("")


@pytest.mark.django_db
def test_contacts_list_and_detail_show_the_avatar_and_escape_the_name(student_client, student):
    contact = ContactFactory(owner=student, name="<b>Maya</b> Chen")
    hue = avatar_hue(contact.name)
    listing = student_client.get(reverse("contacts:list")).text
    assert f'<span class="avatar avatar-{hue}" aria-hidden="true">C</span>' in listing
    assert "&lt;b&gt;Maya&lt;/b&gt; Chen</a>" in listing
    detail = student_client.get(reverse("contacts:detail", kwargs={"contact_id": contact.pk}))
    assert f'<span class="avatar avatar-lg avatar-{hue}" aria-hidden="true">C</span>' in (
        detail.text
    )
