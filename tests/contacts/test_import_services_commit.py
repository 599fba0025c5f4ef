"""Committing and undoing imports: contacts written through the bulk path like the services,
shared organizations, decisions per row, atomicity, refusals, query counts, round trips."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import vobject
from django.core.exceptions import ValidationError

from contacts import services
from contacts.imports import ImportFileError, import_commit, import_preview, import_undo
from contacts.imports import services as import_services
from contacts.imports.models import BatchStatus, RowOutcome, RowStatus
from contacts.models import (
    Contact,
    Conversation,
    Interaction,
    InteractionKind,
    Organization,
    Relationship,
    Source,
    Tag,
)
from tests.contacts.import_helpers import RAPPORT_HEADER, linkedin_csv, preview
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db


def test_commit_creates_contacts_through_the_bulk_path_like_the_services(student):
    batch = preview(student, "linkedin_connections.csv")
    import_commit(batch=batch, default="merge")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert (batch.created_count, batch.merged_count, batch.skipped_count) == (8, 1, 0)
    assert batch.data is None
    contacts = Contact.objects.filter(owner=student)
    assert contacts.count() == 8
    assert set(contacts.values_list("source", flat=True)) == {Source.IMPORT}
    priya = contacts.get(name="Priya Raman")
    assert priya.organization.name == "Goldman Sachs & Co., LLC"
    assert priya.relationship == Relationship.OTHER
    assert priya.last_interaction_on == dt.date(2024, 3, 12)
    [connected] = priya.interactions.all()
    assert connected.kind == InteractionKind.CONNECTED
    assert connected.occurred_on == dt.date(2024, 3, 12)
    # The search text is exactly what contacts.services would write.
    expected = priya.search_text
    services.contact_refresh_search_text(contact=priya)
    assert priya.search_text == expected
    # The in-file duplicate was merged into the first Marcus: one contact, one interaction.
    marcus = contacts.get(name="Marcus O'Neill")
    assert marcus.interactions.count() == 1
    assert marcus.email == "marcus.oneill@example.org"


def test_organizations_are_shared_and_matched_ignoring_case_and_spaces(student, other_student):
    services.organization_get_or_create(name="  DELOITTE ")
    batch = preview(student, "linkedin_connections.csv")
    import_commit(batch=batch, default="merge")
    assert Organization.objects.filter(normalized_name="deloitte").count() == 1
    assert Contact.objects.get(name="Marcus O'Neill").organization.name == "DELOITTE"
    # A second student's import of the same file reuses the same organizations.
    before = Organization.objects.count()
    import_commit(batch=preview(other_student, "linkedin_connections.csv"), default="merge")
    assert Organization.objects.count() == before


def test_skip_create_and_decisions_per_row_and_for_all(student):
    services.contact_create(
        owner=student, name="Ada Lovelace", email="ada@analytical.example", relationship="alumni"
    )
    batch = preview(student, "rapport_export.csv")
    import_services.import_set_decisions(batch=batch, status="new", all="skip")
    import_services.import_set_decisions(batch=batch, decisions={3: "create"})
    import_commit(batch=batch, decisions={1: "create"}, default="merge")
    names = sorted(Contact.objects.filter(owner=student).values_list("name", flat=True))
    # Ada created a second time (asked for), Grace skipped (all new: skip), Alan chosen.
    assert names == ["Ada Lovelace", "Ada Lovelace", "Alan Turing"]
    outcomes = dict(batch.rows.values_list("index", "outcome"))
    assert outcomes == {1: RowOutcome.CREATED, 2: RowOutcome.SKIPPED, 3: RowOutcome.CREATED}


def test_bad_decisions_are_refused(student):
    batch = preview(student, "rapport_export.csv")
    with pytest.raises(ValidationError):
        import_commit(batch=batch, default="explode")
    with pytest.raises(ValidationError):
        import_commit(batch=batch, decisions={1: "explode"})
    assert not Contact.objects.exists()


def test_invalid_rows_are_always_skipped(student):
    batch = preview(student, "contacts_v3.vcf")
    import_commit(batch=batch, default="create")
    assert Contact.objects.filter(owner=student).count() == 3
    batch.refresh_from_db()
    assert batch.skipped_count == 3


def test_commit_is_atomic(student, monkeypatch):
    batch = preview(student, "linkedin_connections.csv")

    from contacts.imports import bulk

    real_insert = bulk.insert

    def explode(model, rows, **kwargs):
        if model is Interaction:  # after the contacts and organizations were written
            raise RuntimeError("database went away")
        return real_insert(model, rows, **kwargs)

    monkeypatch.setattr(bulk, "insert", explode)
    with pytest.raises(RuntimeError):
        import_commit(batch=batch, default="merge")
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW


def test_commit_twice_and_undo_twice_are_refused(student):
    batch = preview(student, "rapport_export.csv")
    import_commit(batch=batch)
    with pytest.raises(ImportFileError):
        import_commit(batch=batch)
    import_undo(batch=batch)
    with pytest.raises(ImportFileError):
        import_undo(batch=batch)
    assert not Contact.objects.exists()


def test_undo_removes_what_was_added_to_imported_contacts_since(student):
    batch = preview(student, "rapport_export.csv")
    import_commit(batch=batch)
    ada = Contact.objects.get(name="Ada Lovelace")
    Conversation.objects.create(owner=student, contact=ada, goal="Learn about engines")
    import_undo(batch=batch)
    assert not Contact.objects.exists()
    assert not Conversation.objects.exists()


# PostgreSQL writes each table with one COPY; SQLite's bulk_create batches by its parameter limit.
@pytest.mark.postgres
def test_commit_query_count_does_not_grow_with_rows(student):
    def run(count: int) -> int:
        data = linkedin_csv(
            [
                (
                    f"First{i}",
                    f"Last{i}",
                    f"https://www.linkedin.com/in/p{count}-{i}",
                    "",
                    f"Org {count} {i % 7}",
                    "Analyst",
                    "12 Mar 2024",
                )
                for i in range(count)
            ]
        )
        batch = import_preview(owner=student, filename="Connections.csv", data=data)
        with capture_queries() as queries:
            import_commit(batch=batch)
        return [sql[:70] for sql in queries if "SAVEPOINT" not in sql]

    assert run(5) == run(60)


def test_round_trip_of_rapport_csv_and_vobject_vcards(student):
    """What Rapport's export writes comes back as the same contacts, and a second import
    merges instead of duplicating."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RAPPORT_HEADER.split(","))
    writer.writerow(
        [
            "Kim Park",
            "kim@example.com",
            "'+1 555 0100",
            "Acme, Inc.",
            "Engineer",
            "Tech",
            "https://www.linkedin.com/in/kimpark",
            "Alumna / alumnus",
            "Career fair",
            "alumni; robotics",
            "'=1+2",
        ]
    )
    batch = import_preview(
        owner=student, filename="rapport-contacts.csv", data=out.getvalue().encode()
    )
    import_commit(batch=batch)
    kim = Contact.objects.get(owner=student)
    assert (kim.name, kim.email, kim.phone, kim.organization.name, kim.title, kim.industry) == (
        "Kim Park",
        "kim@example.com",
        "+1 555 0100",
        "Acme, Inc.",
        "Engineer",
        "Tech",
    )
    assert kim.relationship == Relationship.ALUMNI
    assert kim.how_met == "Career fair"
    assert kim.notes == "=1+2"
    assert sorted(t.name for t in kim.tags.all()) == ["alumni", "robotics"]

    for version in ("4.0", "3.0"):
        card = vobject.vCard()
        card.add("version").value = version
        card.add("fn").value = "Kim Park"
        card.add("n").value = vobject.vcard.Name(family="Park", given="Kim")
        card.add("email").value = "kim@example.com"
        card.add("tel").value = "+1 555 0100"
        card.add("org").value = ["Acme, Inc."]
        card.add("title").value = "Engineer"
        card.add("url").value = "https://www.linkedin.com/in/kimpark"
        card.add("note").value = "=1+2"
        card.add("categories").value = ["alumni", "robotics"]
        again = import_preview(
            owner=student, filename="contacts.vcf", data=card.serialize().encode()
        )
        [row] = again.rows.all()
        assert row.status == RowStatus.DUPLICATE
        assert row.match_contact == kim
        assert {
            k: row.data[k]
            for k in (
                "name",
                "email",
                "phone",
                "organization",
                "title",
                "linkedin_url",
                "notes",
                "tags",
            )
        } == {
            "name": "Kim Park",
            "email": "kim@example.com",
            "phone": "+1 555 0100",
            "organization": "Acme, Inc.",
            "title": "Engineer",
            "linkedin_url": "https://www.linkedin.com/in/kimpark",
            "notes": "=1+2",
            "tags": ["alumni", "robotics"],
        }
        import_commit(batch=again, default="merge")
    assert Contact.objects.filter(owner=student).count() == 1
    assert Tag.objects.filter(owner=student).count() == 2


def test_tags_and_organizations_that_grow_when_lowered_still_fit(student):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RAPPORT_HEADER.split(","))
    long_tag = "a" * 39 + " b"  # cut at 40 characters right after the space
    writer.writerow(["Ida", "", "", "ß" * 150, "", "", "", "", "", f"{'İ' * 40}; {long_tag}", ""])
    writer.writerow(["Ida", "", "", "SS" * 100, "", "", "", "", "", long_tag, ""])
    batch = import_preview(owner=student, filename="r.csv", data=out.getvalue().encode())
    _first, second = batch.rows.order_by("index")
    assert second.status == RowStatus.DUPLICATE  # same name, same organization once folded
    import_commit(batch=batch, default="merge")
    ida = Contact.objects.get(owner=student)
    assert len(ida.organization.normalized_name) == 200
    assert all(len(t.name) <= 40 for t in ida.tags.all())
    assert ida.tags.count() == 2
