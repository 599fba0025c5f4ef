"""Whatever a student uploads, every importer answers with a preview or a clear message:
never an exception, never a 500, and nothing saved before the commit step."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.imports import ImportFileError, import_commit, import_preview
from contacts.imports.csvfiles import RAPPORT_HEADER
from contacts.imports.models import BatchStatus, ImportBatch
from contacts.models import Contact, Interaction, Organization, Tag

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=60,
    database=None,  # no .hypothesis folder in the working tree
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADERS = [
    ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
    RAPPORT_HEADER,
    [
        "First Name",
        "Last Name",
        "E-mail 1 - Value",
        "Phone 1 - Value",
        "Organization Name",
        "Labels",
        "Notes",
    ],
    [
        "Name",
        "Given Name",
        "Family Name",
        "E-mail 1 - Value",
        "Group Membership",
        "Organization 1 - Name",
    ],
    ["First Name", "Last Name", "E-mail Address", "Job Title", "Company", "Categories"],
    ["Whatever", "Columns", "You", "Like"],
]
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40
) | st.sampled_from(
    [
        "12 Mar 2024",
        "31 Feb 2024",
        "a@b.co",
        "not-an-email",
        "=1+2",
        "'=cmd",
        "https://x",
        "linkedin.com/in/x",
        "* myContacts ::: Friends",
        "",
        ",,,",
        '"',
        "\r\n",
        "BEGIN:VCARD",
    ]
)
PROPERTY_LINES = [
    "FN",
    "N",
    "EMAIL",
    "TEL",
    "ORG",
    "TITLE",
    "URL",
    "NOTE",
    "CATEGORIES",
    "VERSION",
    "PHOTO;ENCODING=b",
    "item1.URL",
    "X-SOCIALPROFILE;TYPE=linkedin",
    "BEGIN",
    "END",
]


def check(owner, filename: str, data: bytes, mapping: dict | None = None) -> None:
    message = None
    try:
        batch = import_preview(owner=owner, filename=filename, data=data, mapping=mapping)
    except ImportFileError as error:
        message = error.messages[0]
    if message is not None:
        assert message.strip()
    else:
        assert batch.status in (BatchStatus.PREVIEW, BatchStatus.NEEDS_MAPPING)
        if batch.status == BatchStatus.PREVIEW:
            assert batch.rows.count() == batch.total_rows > 0
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()
    assert not Tag.objects.exists()
    assert not Interaction.objects.exists()
    ImportBatch.objects.all().delete()


@PROPERTY
@given(data=st.binary(max_size=2000), name=st.sampled_from(["c.csv", "c.vcf", "c.vcard"]))
def test_arbitrary_bytes(student, data, name):
    check(student, name, data)


@PROPERTY
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(cell_text, max_size=9), max_size=12),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    preamble=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_arbitrary_csv(student, header, rows, encoding, preamble, delimiter):
    out = io.StringIO()
    if preamble:
        out.write('Notes:\n"When exporting your connection data, some emails are missing."\n\n')
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    check(student, "Connections.csv", data)
    if header == HEADERS[-1]:
        # The mapping step: any CSV, read with the columns the student matched.
        mapping = {"0": "name", "1": "emails", "2": "connected_on", "3": "tags"}
        check(student, "Connections.csv", data, mapping=mapping)


@PROPERTY
@given(text=st.text(max_size=1500))
def test_arbitrary_text_as_csv_and_vcard(student, text):
    check(student, "c.csv", text.encode("utf-8", errors="replace"))
    check(student, "c.vcf", text.encode("utf-8", errors="replace"))


@PROPERTY
@given(
    cards=st.lists(
        st.lists(
            st.tuples(st.sampled_from(PROPERTY_LINES), cell_text),
            max_size=8,
        ),
        min_size=1,
        max_size=6,
    ),
    version=st.sampled_from(["2.1", "3.0", "4.0", "9"]),
    close=st.booleans(),
)
def test_arbitrary_vcards(student, cards, version, close):
    lines = []
    for properties in cards:
        lines += ["BEGIN:VCARD", f"VERSION:{version}"]
        lines += [f"{name}:{value}" for name, value in properties]
        if close:
            lines.append("END:VCARD")
    check(student, "contacts.vcf", "\r\n".join(lines).encode("utf-8", errors="replace"))


@PROPERTY
@given(
    rows=st.lists(st.lists(cell_text, min_size=11, max_size=11), min_size=1, max_size=8),
    default=st.sampled_from(["create", "merge", "skip"]),
)
def test_whatever_previews_also_commits_and_undoes(student, rows, default):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RAPPORT_HEADER)
    writer.writerows(rows)
    try:
        batch = import_preview(owner=student, filename="r.csv", data=out.getvalue().encode())
    except ImportFileError:
        return
    from contacts.imports import import_undo

    import_commit(batch=batch, default=default)
    import_undo(batch=batch)
    assert not Contact.objects.filter(owner=student).exists()
    ImportBatch.objects.all().delete()


@settings(
    max_examples=25,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.binary(max_size=600), name=st.sampled_from(["c.csv", "c.vcf", "c.txt", ""]))
def test_the_upload_page_never_fails(student_client, data, name):
    response = student_client.post(
        reverse("contacts:import"), {"file": SimpleUploadedFile(name or "x", data)}
    )
    assert response.status_code in (200, 302)
    assert not Contact.objects.exists()
    ImportBatch.objects.all().delete()
