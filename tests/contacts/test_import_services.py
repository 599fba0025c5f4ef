"""Committing and undoing imports: duplicates, merges, atomicity, round trips, the task."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import vobject
from django.core.exceptions import ValidationError
from django.utils import translation

from contacts import services
from contacts.imports import ImportFileError, import_commit, import_preview, import_undo
from contacts.imports import services as import_services
from contacts.imports.models import BatchStatus, ImportBatch, RowOutcome, RowStatus
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
from contacts.tasks import import_process
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
RAPPORT_HEADER = (
    "Name,Email,Phone,Organization,Title,Industry,LinkedIn URL,Relationship,How we met,Tags,Notes"
)


def preview(owner, name: str) -> ImportBatch:
    return import_preview(owner=owner, filename=name, data=(DATA / name).read_bytes())


def linkedin_csv(rows: list[tuple]) -> bytes:
    out = io.StringIO()
    out.write('Notes:\n"Some emails are missing."\n\n')
    writer = csv.writer(out)
    writer.writerow(
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    )
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


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


def test_large_files_go_through_the_task(student, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("contacts.imports.preview.LARGE_IMPORT_ROWS", 3)
    sent = []
    monkeypatch.setattr(import_process, "delay", lambda batch_id, language: sent.append(batch_id))
    batch = import_services.import_start(
        owner=student,
        filename="Connections.csv",
        data=(DATA / "linkedin_connections.csv").read_bytes(),
    )
    assert import_services.is_large(batch)
    with django_capture_on_commit_callbacks(execute=True):
        import_services.import_queue_parse(batch=batch)
    assert sent == [batch.pk]
    assert import_process.apply(args=[batch.pk]).get() == "parsed"
    assert import_process.apply(args=[batch.pk]).get() == "nothing to do"  # claimed once
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW
    with django_capture_on_commit_callbacks(execute=True):
        import_services.import_queue_commit(batch=batch, default="skip")
    assert import_process.apply(args=[batch.pk]).get() == "committed"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert batch.skipped_count == 9
    assert not Contact.objects.exists()


def test_a_bad_file_in_the_task_is_recorded_as_failed(student):
    batch = ImportBatch.objects.create(
        owner=student,
        filename="bad.csv",
        data=b"Name,Email\r\n\x81\x00\x00\x8d,x\r\n",
        status=BatchStatus.QUEUED,
    )
    assert import_process.apply(args=[batch.pk]).get() == "failed"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "not a text file Rapport can read" in batch.error


def test_the_task_writes_in_the_language_of_the_page_that_queued_it(
    student, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(import_process, "delay", lambda *args: sent.append(args))
    batch = ImportBatch.objects.create(
        owner=student,
        filename="bad.csv",
        data=b"Name,Email\r\n\x81\x00\x00\x8d,x\r\n",
        status=BatchStatus.QUEUED,
    )
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        import_services.import_queue_parse(batch=batch)
    assert sent == [(batch.pk, "es")]
    assert import_process.apply(args=sent[0]).get() == "failed"
    batch.refresh_from_db()
    assert "no es un archivo de texto que Rapport pueda leer" in batch.error


def test_a_task_queued_without_a_language_writes_in_the_sites(student, settings):
    batch = ImportBatch.objects.create(
        owner=student, filename="bad.csv", data=b"\x81\x00\x00\x8d", status=BatchStatus.QUEUED
    )
    with translation.override("es"):  # whatever the worker had active
        assert import_process.apply(args=[batch.pk, "xx"]).get() == "failed"
    batch.refresh_from_db()
    assert "not a text file Rapport can read" in batch.error


def test_a_batch_left_behind_by_a_dead_worker_is_claimed_again_after_the_lease(student):
    from django.utils import timezone

    batch = import_services.import_start(
        owner=student, filename="c.csv", data=(DATA / "rapport_export.csv").read_bytes()
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.PARSING, started_at=timezone.now()
    )
    assert import_process.apply(args=[batch.pk]).get() == "nothing to do"  # still leased
    batch.refresh_from_db()
    assert not import_services.can_discard(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - import_services.LEASE - dt.timedelta(minutes=1)
    )
    batch.refresh_from_db()
    assert import_services.can_discard(batch)
    assert import_process.apply(args=[batch.pk]).get() == "parsed"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW


def test_discard_is_refused_once_committed(student):
    batch = preview(student, "rapport_export.csv")
    import_commit(batch=batch)
    with pytest.raises(ImportFileError):
        import_services.import_discard(batch=batch)
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_abandoned_previews_are_purged_after_a_week(student):
    from django.utils import timezone

    from contacts.tasks import purge_abandoned_imports

    old = preview(student, "rapport_export.csv")
    kept = preview(student, "contacts_v4.vcf")
    done = preview(student, "contacts_v3.vcf")
    import_commit(batch=done)
    long_ago = timezone.now() - dt.timedelta(days=8)
    ImportBatch.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=long_ago)
    purge_abandoned_imports.apply()
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {kept.pk, done.pk}


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
