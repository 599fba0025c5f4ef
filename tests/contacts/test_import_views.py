"""The import pages: upload, mapping, preview, choices, commit, progress, undo, batch filter."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.imports import import_commit, import_preview
from contacts.imports import services as import_services
from contacts.imports.models import BatchStatus, Decision, ImportBatch, ImportRow
from contacts.models import Contact
from contacts.tasks import import_process
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
START = reverse("contacts:import")


def url(name: str, batch: ImportBatch) -> str:
    return reverse(f"contacts:{name}", kwargs={"batch_id": batch.pk})


def upload(client, name: str, data: bytes | None = None):
    content = (DATA / name).read_bytes() if data is None else data
    return client.post(START, {"file": SimpleUploadedFile(name, content)})


def linkedin_rows(start: int, count: int) -> list[list[str]]:
    return [
        [
            f"Person{i}",
            f"Family{i}",
            f"https://www.linkedin.com/in/person-{i}",
            "",
            f"Company {i}",
            "Analyst",
            "12 Mar 2024",
        ]
        for i in range(start, start + count)
    ]


def linkedin_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    )
    writer.writerows(rows)
    return out.getvalue().encode()


def test_upload_page_lists_past_imports(student, student_client):
    batch = import_preview(
        owner=student, filename="old.csv", data=(DATA / "rapport_export.csv").read_bytes()
    )
    page = student_client.get(START).content.decode()
    assert "Import contacts" in page
    assert url("import_batch", batch) in page
    assert 'enctype="multipart/form-data"' in page


def test_upload_then_preview_then_commit_then_undo(student, student_client):
    response = upload(student_client, "linkedin_connections.csv")
    batch = ImportBatch.objects.get(owner=student)
    assert response.status_code == 302
    assert response["Location"] == url("import_batch", batch)
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "Review linkedin_connections.csv" in page
    assert "Priya Raman" in page
    assert "Same person as line 6 of this file" in page
    assert "would add <strong>8</strong> contacts" in page
    assert not Contact.objects.exists()

    response = student_client.post(url("import_commit", batch))
    assert response.status_code == 302
    assert Contact.objects.filter(owner=student).count() == 8
    done = student_client.get(url("import_batch", batch)).content.decode()
    assert "8 contacts added, 1 row merged" in done

    listing = student_client.get(reverse("contacts:list"), {"batch": batch.pk})
    assert len(listing.context["contacts"]) == 8
    assert "Only contacts from the import of" in listing.content.decode()

    confirm = student_client.get(url("import_undo", batch)).content.decode()
    assert "deletes the <strong>8</strong> contacts" in confirm
    student_client.post(url("import_undo", batch))
    assert not Contact.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDONE


def test_bad_files_are_form_errors_and_keep_nothing(student_client):
    for name, message in [
        ("spreadsheet.csv", "Excel workbook"),
        ("web_page.csv", "web page"),
        ("only_commas.csv", "no contacts"),
    ]:
        response = upload(student_client, name)
        assert response.status_code == 200
        assert message in response.content.decode()
    response = student_client.post(START, {})
    assert "Choose the file to import." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_unknown_csv_goes_through_the_mapping_page(student, student_client):
    upload(student_client, "generic_semicolon.csv")
    batch = ImportBatch.objects.get(owner=student)
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "Match the columns" in page
    assert "jan.novak@example.cz" in page  # an example under each column
    refused = student_client.post(url("import_mapping", batch), {"col_1": "emails"})
    assert "full name" in refused.content.decode()
    student_client.post(
        url("import_mapping", batch),
        {"col_0": "name", "col_1": "emails", "col_2": "organization", "col_3": "title"},
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW
    assert batch.rows.get(index=1).data["organization"] == "Skoda Auto"


def test_choices_per_row_with_htmx_and_for_all(student, student_client):
    batch = import_preview(
        owner=student,
        filename="Connections.csv",
        data=(DATA / "linkedin_connections.csv").read_bytes(),
    )
    response = student_client.post(
        url("import_decisions", batch), {"decision-5": "create"}, HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<p id="import-summary"')
    assert "would add <strong>9</strong> contacts" in fragment
    assert ImportRow.objects.get(batch=batch, index=5).decision == Decision.CREATE
    student_client.post(url("import_decisions", batch), {"status": "new", "all": "skip"})
    counts = student_client.get(url("import_batch", batch)).context["counts"]
    assert counts == {"total": 9, "skip": 8, "merge": 0, "create": 1, "possible": 0}
    # Nonsense is ignored, never a 500.
    response = student_client.post(url("import_decisions", batch), {"decision-x": "boom"})
    assert response.status_code == 302


def test_preview_filters_and_pages(student, student_client, monkeypatch):
    monkeypatch.setattr("contacts.views.imports.ROWS_PER_PAGE", 3)
    batch = import_preview(
        owner=student,
        filename="Connections.csv",
        data=(DATA / "linkedin_connections.csv").read_bytes(),
    )
    first = student_client.get(url("import_batch", batch))
    assert [r.index for r in first.context["rows"]] == [1, 2, 3]
    third = student_client.get(url("import_batch", batch), {"page": 3})
    assert [r.index for r in third.context["rows"]] == [7, 8, 9]
    dupes = student_client.get(url("import_batch", batch), {"show": "duplicate"})
    assert [r.index for r in dupes.context["rows"]] == [5]
    junk = student_client.get(url("import_batch", batch), {"show": "junk", "page": "zz"})
    assert junk.status_code == 200


def test_preview_page_query_count_is_constant(student, student_client):
    state = {"rows": []}

    def add_rows(count: int):
        start = len(state["rows"])
        state["rows"] += linkedin_rows(start, count)
        ImportBatch.objects.filter(owner=student).delete()
        # Half of them duplicate an existing contact, so the match's organization shows too.
        for i in range(start, start + count, 2):
            Contact.objects.create(
                owner=student,
                name=f"Person{i} Family{i}",
                relationship="other",
                linkedin_url=f"https://www.linkedin.com/in/person-{i}",
            )
        state["batch"] = import_preview(
            owner=student, filename="Connections.csv", data=linkedin_file(state["rows"])
        )

    assert_queries_stable(lambda: student_client.get(url("import_batch", state["batch"])), add_rows)


def test_progress_fragment_and_summary_fragment_query_counts_are_constant(student, student_client):
    state = {"rows": []}

    def add_rows(count: int):
        state["rows"] += linkedin_rows(len(state["rows"]), count)
        ImportBatch.objects.filter(owner=student).delete()
        state["batch"] = import_preview(
            owner=student, filename="Connections.csv", data=linkedin_file(state["rows"])
        )
        ImportBatch.objects.filter(pk=state["batch"].pk).update(status=BatchStatus.COMMITTING)

    assert_queries_stable(
        lambda: student_client.get(url("import_progress", state["batch"])), add_rows
    )

    def add_preview_rows(count: int):
        add_rows(count)
        ImportBatch.objects.filter(pk=state["batch"].pk).update(status=BatchStatus.PREVIEW)

    state["rows"] = []
    assert_queries_stable(
        lambda: student_client.post(
            url("import_decisions", state["batch"]),
            {"decision-1": "skip"},
            HTTP_HX_REQUEST="true",
        ),
        add_preview_rows,
    )


def test_contact_list_filtered_by_batch_query_count(student, student_client):
    state = {"count": 0}

    def add_rows(count: int):
        rows = linkedin_rows(state["count"], count)
        state["count"] += count
        batch = import_preview(owner=student, filename="c.csv", data=linkedin_file(rows))
        import_commit(batch=batch)
        state["batch"] = state.get("batch") or batch
        # Later imports add to the first batch's contacts list only through merges.
        Contact.objects.filter(import_batch=batch).update(import_batch=state["batch"])

    assert_queries_stable(
        lambda: student_client.get(reverse("contacts:list"), {"batch": state["batch"].pk}),
        add_rows,
    )


def test_large_upload_shows_a_progress_bar_then_the_preview(
    student, student_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("contacts.imports.preview.LARGE_IMPORT_ROWS", 3)
    sent = []
    monkeypatch.setattr(
        import_process, "delay", lambda batch_id, language=None: sent.append(batch_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(student_client, "linkedin_connections.csv")
    batch = ImportBatch.objects.get(owner=student)
    assert sent == [batch.pk]
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page
    import_process.apply(args=[batch.pk])
    fragment = student_client.get(url("import_progress", batch), HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == url("import_batch", batch)
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(url("import_commit", batch))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMIT_QUEUED
    import_process.apply(args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED


def test_discard_a_preview(student, student_client):
    batch = import_preview(
        owner=student, filename="c.csv", data=(DATA / "rapport_export.csv").read_bytes()
    )
    response = student_client.post(url("import_discard", batch))
    assert response.status_code == 302
    assert not ImportBatch.objects.exists()


def test_another_student_gets_404_for_every_action(student, other_student_client):
    batch = import_preview(
        owner=student, filename="c.csv", data=(DATA / "rapport_export.csv").read_bytes()
    )
    for name in [
        "import_mapping",
        "import_encoding",
        "import_decisions",
        "import_commit",
        "import_undo",
        "import_discard",
    ]:
        assert other_student_client.post(url(name, batch), {"all": "skip"}).status_code == 404
    assert (
        other_student_client.get(reverse("contacts:list"), {"batch": batch.pk}).status_code == 200
    )
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.PREVIEW
    assert not Contact.objects.exists()


def test_contact_list_has_an_import_link_and_ignores_a_foreign_batch(
    student, other_student, student_client
):
    foreign = import_preview(
        owner=other_student, filename="c.csv", data=(DATA / "rapport_export.csv").read_bytes()
    )
    response = student_client.get(reverse("contacts:list"), {"batch": foreign.pk})
    assert "Only contacts from the import of" not in response.content.decode()
    assert 'name="batch"' not in response.content.decode()
    assert START in response.content.decode()


def test_a_mapped_csv_can_be_matched_again_from_the_preview(student, student_client):
    from contacts.imports import import_preview as preview_file

    batch = preview_file(
        owner=student,
        filename="generic_semicolon.csv",
        data=(DATA / "generic_semicolon.csv").read_bytes(),
        mapping={"0": "name"},
    )
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "Change how the columns are matched" in page
    again = student_client.get(url("import_batch", batch), {"columns": "1"})
    assert "Match the columns" in again.content.decode()
    student_client.post(url("import_mapping", batch), {"col_0": "name", "col_2": "organization"})
    batch.refresh_from_db()
    assert batch.rows.get(index=1).data["organization"] == "Skoda Auto"


def test_progress_fragment_shows_the_count_and_the_bar(student, student_client):
    batch = ImportBatch.objects.create(
        owner=student, filename="big.csv", status=BatchStatus.COMMITTING
    )
    import_services.progress_set(batch.pk, 5000, 20000, "Adding contacts")
    fragment = student_client.get(url("import_progress", batch), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="import-progress"')
    assert "Adding contacts…</strong> 5000 of 20000 rows." in text
    assert 'value="25"' in text
    assert "HX-Redirect" not in fragment
    assert "Cancel this import" not in text  # a worker holds it


# --- Encoding, possible duplicates, what a merge changes, line numbers (issue 15) -------------


def test_preview_shows_the_guessed_encoding_and_reads_the_file_again_in_another(
    student, student_client
):
    text = "Name,Email\r\nRenée Müller,rm@example.fr\r\n"
    batch = import_preview(
        owner=student,
        filename="c.csv",
        data=text.encode("mac_roman"),
        mapping={"0": "name", "1": "emails"},
    )
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "Rapport read this file as <strong>Western European (Mac OS Roman)</strong>" in page
    assert "this is a guess" in page
    assert url("import_encoding", batch) in page
    assert '<option value="mac-roman" selected>' in page
    response = student_client.post(url("import_encoding", batch), {"encoding": "cp1252"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.encoding == "cp1252"
    assert batch.rows.get().data["name"] == "Ren\u017de M\u0178ller"  # the student's choice
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "read again as Western European (Windows-1252)" in page
    # Nonsense and an encoding that cannot read the file are messages, never a 500.
    response = student_client.post(
        url("import_encoding", batch), {"encoding": "klingon"}, follow=True
    )
    assert "Choose one of the encodings in the list." in response.content.decode()
    response = student_client.post(
        url("import_encoding", batch), {"encoding": "utf-8"}, follow=True
    )
    assert "cannot be read as Unicode (UTF-8)" in response.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.encoding) == (BatchStatus.PREVIEW, "cp1252")


def test_the_mapping_page_shows_the_encoding_too(student, student_client):
    upload(
        student_client, "c.csv", "Contact;Mail\r\nJürgen Weiß;jw@example.de\r\n".encode("mac_roman")
    )
    batch = ImportBatch.objects.get(owner=student)
    assert batch.status == BatchStatus.NEEDS_MAPPING
    page = student_client.get(url("import_batch", batch)).content.decode()
    assert "Western European (Mac OS Roman)" in page
    assert "Jürgen Weiß" in page  # the examples under each column, read in that encoding


def test_preview_shows_possible_duplicates_line_numbers_and_what_a_merge_changes(
    student, student_client
):
    sam = services_contact(student, "Sam Lee", email="sam@acme.example", title="Analyst")
    data = linkedin_file(
        [
            ["Sam", "Lee", "", "sam@other.example", "Acme", "<b>Designer</b>", ""],
            ["Ann", "Ray", "https://www.linkedin.com/in/ann", "", "Beta", "Lead", ""],
            ["Ann", "Ray", "https://www.linkedin.com/in/ann/", "ann@beta.example", "Beta", "", ""],
        ]
    )
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    response = student_client.get(url("import_batch", batch))
    page = response.content.decode()
    sam_row = page[page.index('id="row-1"') : page.index('id="row-2"')]
    assert "<td>2</td>" in sam_row  # the file's line, the header being line 1
    assert "Possible duplicate" in sam_row
    assert f'href="{reverse("contacts:detail", kwargs={"contact_id": sam.pk})}"' in sam_row
    assert "What merging changes" in sam_row
    assert "Email: yours is kept; “sam@other.example” goes into the notes" in sam_row
    assert "Job title: yours is kept; “&lt;b&gt;Designer&lt;/b&gt;” goes into the notes" in sam_row
    assert '<option value="create" selected>Add as new</option>' in sam_row
    repeat = page[page.index('id="row-3"') :]
    assert "Same person as line 3 of this file" in repeat
    assert "Email: filled in with “ann@beta.example”" in repeat
    assert "What to do with line 4" in repeat
    assert response.context["counts"]["possible"] == 1
    assert "(of which 1 possible duplicate)" in page
    possible = student_client.get(url("import_batch", batch), {"show": "possible"})
    assert [r.index for r in possible.context["rows"]] == [1]
    # "All possible duplicates: merge" is the student's choice, so it merges.
    student_client.post(url("import_decisions", batch), {"status": "possible", "all": "merge"})
    assert student_client.get(url("import_batch", batch)).context["counts"]["merge"] == 2


def services_contact(owner, name: str, **fields) -> Contact:
    from contacts import services

    return services.contact_create(
        owner=owner, name=name, organization_name="Acme", relationship="alumni", **fields
    )


def test_preview_query_count_is_constant_with_possible_duplicates_and_repeats(
    student, student_client
):
    state = {"rows": []}

    def add_rows(count: int):
        start = len(state["rows"])
        for i in range(start, start + count):
            # Every other row repeats the one before under another profile (a possible
            # duplicate in the file); the others look like a tagged contact with another email.
            if i % 2:
                state["rows"].append(
                    [
                        f"P{i - 1}",
                        "Q",
                        f"https://www.linkedin.com/in/q{i}",
                        "",
                        f"Org{i - 1}",
                        "",
                        "",
                    ]
                )
            else:
                state["rows"].append([f"P{i}", "Q", "", f"p{i}@file.example", f"Org{i}", "", ""])
                services_contact(student, f"P{i} Q", email=f"p{i}@mine.example", tags=["t"])
        ImportBatch.objects.filter(owner=student).delete()
        state["batch"] = import_preview(
            owner=student, filename="Connections.csv", data=linkedin_file(state["rows"])
        )

    assert_queries_stable(lambda: student_client.get(url("import_batch", state["batch"])), add_rows)
