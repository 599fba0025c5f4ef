"""Duplicates in an import: found by email, LinkedIn profile or name and organization, told
apart when something differs, and merged keeping every value (undo takes the merge back)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from contacts import services
from contacts.imports import import_commit, import_preview, import_undo
from contacts.imports.models import BatchStatus, RowStatus
from contacts.models import Contact, InteractionKind, Relationship
from tests.contacts.import_helpers import RAPPORT_HEADER, linkedin_csv, preview

pytestmark = pytest.mark.django_db


def test_duplicates_of_existing_contacts_by_email_then_profile_then_name_and_organization(student):
    by_email = services.contact_create(
        owner=student, name="M. O'Neill", email="MARCUS.ONEILL@example.org", relationship="alumni"
    )
    by_profile = services.contact_create(
        owner=student,
        name="Priya R.",
        linkedin_url="http://linkedin.com/in/priya-raman-4b2a1b90/",
        relationship="alumni",
    )
    by_name = services.contact_create(
        owner=student,
        name="li  WEI",
        organization_name="tencent holdings, ltd.",
        relationship="alumni",
    )
    batch = preview(student, "linkedin_connections.csv")
    found = {r.index: r for r in batch.rows.all()}
    assert found[2].match_contact == by_email
    assert "email" in found[2].reason
    assert found[1].match_contact == by_profile
    assert "LinkedIn" in found[1].reason
    assert found[8].match_contact == by_name
    assert "name and organization" in found[8].reason
    assert found[5].match_row == 2  # the second Marcus, without email: same profile as row 2
    assert batch.duplicate_count == 4  # three existing, one within the file


def test_merge_fills_empty_fields_adds_tags_notes_and_date_and_undo_takes_it_back(student):
    keep = services.contact_create(
        owner=student,
        name="Ada Lovelace",
        email="ada@analytical.example",
        title="",
        relationship=Relationship.ALUMNI,
        notes="My own note.",
        tags=["mine"],
        cadence_days=30,
    )
    batch = preview(student, "rapport_export.csv")
    row = batch.rows.get(index=1)
    assert row.status == RowStatus.DUPLICATE
    import_commit(batch=batch, decisions={1: "merge"}, default="create")
    keep.refresh_from_db()
    assert keep.title == "Mathematician"
    assert keep.organization.name == "Analytical Engines"
    assert keep.relationship == Relationship.ALUMNI  # never overwritten, kept in the notes
    assert keep.notes == (
        "My own note.\n\nSaid to write again in May.\nLikes poetry.\n\n"
        "Other relationship: Professor or teacher"
    )
    assert sorted(t.name for t in keep.tags.all()) == ["alumni", "computing", "mine"]
    assert "computing" in keep.search_text
    assert Contact.objects.filter(owner=student).count() == 3
    # The student edits the title after the import: undo keeps the edit.
    Contact.objects.filter(pk=keep.pk).update(title="Countess")
    import_undo(batch=batch)
    keep.refresh_from_db()
    assert keep.title == "Countess"
    assert keep.organization is None
    assert keep.notes == "My own note."
    assert [t.name for t in keep.tags.all()] == ["mine"]
    assert "computing" not in keep.search_text
    assert list(Contact.objects.filter(owner=student)) == [keep]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDONE


def test_merge_adds_the_connection_date_once_and_moves_last_interaction(student):
    keep = services.contact_create(
        owner=student,
        name="Priya Raman",
        linkedin_url="https://www.linkedin.com/in/priya-raman-4b2a1b90",
        relationship="alumni",
    )
    services.interaction_log(
        contact=keep, kind=InteractionKind.EMAIL, occurred_on=dt.date(2023, 1, 5)
    )
    import_commit(batch=preview(student, "linkedin_connections.csv"), default="merge")
    keep.refresh_from_db()
    assert keep.last_interaction_on == dt.date(2024, 3, 12)
    assert keep.interactions.filter(kind=InteractionKind.CONNECTED).count() == 1
    second = preview(student, "linkedin_connections.csv")
    assert second.new_count == 0  # everyone is now a duplicate
    import_commit(batch=second, default="merge")
    assert keep.interactions.filter(kind=InteractionKind.CONNECTED).count() == 1
    import_undo(batch=second)
    keep.refresh_from_db()
    assert keep.last_interaction_on == dt.date(2024, 3, 12)


def test_repeats_of_a_skipped_row_become_one_contact(student):
    data = linkedin_csv(
        [
            ("Ann", "Lee", "https://www.linkedin.com/in/annlee", "", "Acme", "", "1 Mar 2024"),
            ("Ann", "Lee", "https://www.linkedin.com/in/annlee/", "", "Acme", "", "2 Mar 2024"),
            ("Ann", "Lee", "http://linkedin.com/in/annlee", "a@x.org", "Acme", "", "3 Mar 2024"),
        ]
    )
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    assert [r.match_row for r in batch.rows.order_by("index")] == [None, 1, 1]
    import_commit(batch=batch, decisions={1: "skip"}, default="merge")
    [ann] = Contact.objects.filter(owner=student)
    assert ann.email == "a@x.org"
    assert ann.interactions.count() == 2  # the dates of rows 2 and 3


# --- Telling people apart, and merges that keep every value (issue 15) -------------------------


def test_same_name_and_organization_with_another_email_is_a_different_person(student):
    sam = services.contact_create(
        owner=student,
        name="Sam Lee",
        email="sam.lee@acme.example",
        organization_name="Acme",
        relationship="alumni",
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RAPPORT_HEADER.split(","))
    writer.writerow(["Sam Lee", "s.lee@other.example", "", "Acme", "Designer"] + [""] * 6)
    writer.writerow(["Sam Lee", "", "", "Acme", "", "Retail"] + [""] * 5)  # nothing tells apart
    batch = import_preview(owner=student, filename="r.csv", data=out.getvalue().encode())
    possible, same = batch.rows.order_by("index")
    assert possible.status == RowStatus.NEW
    assert possible.match_contact == sam
    assert possible.reason.startswith("Possible duplicate")
    assert "different email address" in possible.reason
    assert same.status == RowStatus.DUPLICATE
    assert same.match_contact == sam
    assert (batch.new_count, batch.duplicate_count) == (1, 1)

    import_commit(batch=batch, default="merge")  # the default merges duplicates only
    other = Contact.objects.get(owner=student, email="s.lee@other.example")
    assert other.pk != sam.pk
    assert other.title == "Designer"
    sam.refresh_from_db()
    assert (sam.email, sam.title, sam.industry) == ("sam.lee@acme.example", "", "Retail")


def test_rows_of_one_file_with_different_linkedin_profiles_are_different_people(student):
    data = linkedin_csv(
        [
            ("Ann", "Lee", "https://www.linkedin.com/in/ann-lee-1", "", "Acme", "Analyst", ""),
            ("Ann", "Lee", "https://www.linkedin.com/in/ann-lee-2", "", "Acme", "Engineer", ""),
        ]
    )
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    first, second = batch.rows.order_by("index")
    assert second.status == RowStatus.NEW
    assert second.match_row == 1
    assert "different LinkedIn profile" in second.reason
    assert f"line {first.line} of this file" in second.reason
    import_commit(batch=batch, default="merge")
    people = Contact.objects.filter(owner=student).order_by("title")
    assert [(c.title, c.linkedin_url) for c in people] == [
        ("Analyst", "https://www.linkedin.com/in/ann-lee-1"),
        ("Engineer", "https://www.linkedin.com/in/ann-lee-2"),
    ]


def test_a_merge_the_student_asks_for_keeps_every_value_and_undo_takes_it_back(student):
    sam = services.contact_create(
        owner=student,
        name="Sam Lee",
        email="sam.lee@acme.example",
        phone="+1 555 0100",
        linkedin_url="https://www.linkedin.com/in/samlee",
        organization_name="Acme",
        title="Analyst",
        relationship="alumni",
        notes="Met at the fair.",
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RAPPORT_HEADER.split(","))
    writer.writerow(
        [
            "Sam Lee",
            "s.lee@other.example",
            "+1 555 0199",
            "Acme",
            "Designer",
            "Retail",
            "https://www.linkedin.com/in/sam-lee-design",
            "",
            "",
            "",
            "",
        ]
    )
    batch = import_preview(owner=student, filename="r.csv", data=out.getvalue().encode())
    import_commit(batch=batch, decisions={1: "merge"}, default="merge")
    sam.refresh_from_db()
    assert Contact.objects.filter(owner=student).count() == 1
    assert (sam.email, sam.phone, sam.title) == ("sam.lee@acme.example", "+1 555 0100", "Analyst")
    assert sam.linkedin_url == "https://www.linkedin.com/in/samlee"
    assert sam.industry == "Retail"  # was empty: filled
    assert sam.notes == (
        "Met at the fair.\n\n"
        "Other email addresses: s.lee@other.example\n"
        "Other phone numbers: +1 555 0199\n"
        "Other LinkedIn profiles: https://www.linkedin.com/in/sam-lee-design\n"
        "Other job title: Designer"
    )
    assert "s.lee@other.example" in sam.search_text
    import_undo(batch=batch)
    sam.refresh_from_db()
    assert (sam.notes, sam.industry) == ("Met at the fair.", "")


def test_a_duplicate_by_email_merged_by_default_keeps_what_differs_in_the_notes(student):
    marcus = services.contact_create(
        owner=student,
        name="Marcus O'Neill",
        email="marcus.oneill@example.org",
        organization_name="PwC",
        title="Associate",
        relationship="alumni",
    )
    batch = preview(student, "linkedin_connections.csv")
    row = batch.rows.get(index=2)
    assert (row.status, row.match_contact) == (RowStatus.DUPLICATE, marcus)
    import_commit(batch=batch, default="merge")
    marcus.refresh_from_db()
    assert marcus.title == "Associate"
    assert marcus.organization.name == "PwC"
    assert "Other organization: Deloitte" in marcus.notes
    assert "Other job title: " in marcus.notes
    assert marcus.linkedin_url == "https://www.linkedin.com/in/marcusoneill"  # was empty


def test_repeats_within_the_file_merged_together_keep_both_values(student):
    data = linkedin_csv(
        [
            ("Ann", "Lee", "https://www.linkedin.com/in/annlee", "a@x.org", "Acme", "Analyst", ""),
            ("Ann", "Lee", "https://linkedin.com/in/annlee/", "b@x.org", "Acme", "Lead", ""),
        ]
    )
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    assert batch.rows.get(index=2).status == RowStatus.DUPLICATE  # same profile
    import_commit(batch=batch, default="merge")
    [ann] = Contact.objects.filter(owner=student)
    assert (ann.email, ann.title) == ("a@x.org", "Analyst")
    assert "Other email addresses: b@x.org" in ann.notes
    assert "Other job title: Lead" in ann.notes
