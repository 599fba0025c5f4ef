"""Whatever a student uploads, every importer answers with a preview or a clear message:
never an exception, never a 500, and nothing saved before the commit step. And the plans an
import is made of keep their promises: a merge never loses a value, the same file twice adds
nobody, the order of distinct people does not matter, and the preview shows what the commit
writes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contacts.imports import ImportFileError, import_commit, import_preview
from contacts.imports import selectors as import_selectors
from contacts.imports.csvfiles import RAPPORT_HEADER
from contacts.imports.models import BatchStatus, ImportBatch
from contacts.imports.planning import (
    Known,
    StoredRow,
    organization_key,
    plan_commit,
    plan_import,
)
from contacts.imports.records import CleanRow
from contacts.merging import (
    CADENCE_LABELS,
    FIELDS,
    FILLABLE,
    RELATIONSHIP_LABELS,
    _same,
    fields_of,
    plan_merge,
)
from contacts.models import Contact, Interaction, Organization, Tag, normalize_organization_name
from contacts.services import people as contact_people

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


# --- Plan, then apply ---------------------------------------------------------------------------

PLAN = settings(
    max_examples=80,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Few letters, so that values often collide (same, differing, contained in the notes).
word = st.text(alphabet="abAB ", max_size=4)
person_fields = st.fixed_dictionaries(
    {
        "name": st.text(alphabet="abAB", min_size=1, max_size=3),
        "email": st.sampled_from(["", "a@x.co", "A@x.co", "b@x.co"]),
        "phone": word,
        "linkedin_url": st.sampled_from(
            ["", "https://www.linkedin.com/in/a", "linkedin.com/in/a/", "linkedin.com/in/b"]
        ),
        "organization": word,
        "title": word,
        "industry": word,
        "how_met": word,
        "relationship": st.sampled_from(["other", "alumni", "family_friend"]),
        "cadence_days": st.sampled_from([0, 30, 91]),
        "notes": word,
        "tags": st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3),
    }
)


@PLAN
@given(current=person_fields, incoming=person_fields)
def test_a_merge_plan_never_loses_a_value(current, incoming):
    after = plan_merge(current, incoming).applied_to(current)
    for name, _, _ in FIELDS:
        value = " ".join(incoming[name].split())
        if value:
            assert _same(name, after[name], value) or value in after["notes"], name
    for name in ("relationship", "cadence_days"):
        if incoming[name] and incoming[name] not in ("other", after[name]):
            shown = str({**RELATIONSHIP_LABELS, **CADENCE_LABELS}[incoming[name]])
            assert shown in after["notes"], name
    assert incoming["notes"].strip() in after["notes"]
    assert set(incoming["tags"]) <= set(after["tags"])
    assert after["notes"].startswith(current["notes"].strip())  # the contact's notes stay first
    # Merging the same details again changes nothing more.
    again = plan_merge(after, incoming)
    assert again.changes == ()
    assert again.applied_to(after) == after


def _row(position: int, fields: dict) -> CleanRow:
    return CleanRow(line=position + 1, data={**fields, "connected_on": ""})


def _created(plan) -> list[dict]:
    return [c.data for c in plan_commit(rows=_stored(plan), contacts={}, default="merge").new]


def _stored(plan) -> list[StoredRow]:
    return [
        StoredRow(r.index, r.index, r.data, r.status, r.match_contact_id, r.match_row)
        for r in plan.rows
    ]


@PLAN
@given(rows=st.lists(person_fields, max_size=8))
def test_planning_the_same_file_again_adds_nobody(rows):
    first = plan_import([_row(i, r) for i, r in enumerate(rows)], known=[])
    created = _created(first)
    known = [
        Known(pk, c["email"], c["linkedin_url"], c["name"], organization_key(c["organization"]))
        for pk, c in enumerate(created, start=1)
    ]
    again = plan_import([_row(i, r) for i, r in enumerate(rows)], known=known)
    contacts = {pk: {**c, "tags": list(c["tags"])} for pk, c in enumerate(created, start=1)}
    plan = plan_commit(rows=_stored(again), contacts=contacts, default="merge")
    assert plan.new == ()


@PLAN
@given(rows=st.lists(person_fields, max_size=8), data=st.data())
def test_the_order_of_distinct_people_does_not_change_who_is_added(rows, data):
    people = {}
    for fields in rows:  # distinct emails, profiles and names: no two rows are one person
        people.setdefault(fields["name"].casefold(), fields)
    distinct = [
        {**fields, "email": f"p{i}@x.co", "linkedin_url": ""}
        for i, fields in enumerate(people.values())
    ]
    shuffled = data.draw(st.permutations(distinct))
    one = _created(plan_import([_row(i, r) for i, r in enumerate(distinct)], known=[]))
    other = _created(plan_import([_row(i, r) for i, r in enumerate(shuffled)], known=[]))
    assert sorted(c["email"] for c in one) == sorted(c["email"] for c in other)
    assert len(one) == len(distinct)


# Through the database: fewer examples, each cleaning up what the one before it left.
STORED = settings(
    max_examples=15,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _clean_slate(owner) -> None:
    Contact.objects.filter(owner=owner).delete()
    ImportBatch.objects.all().delete()


def _bare(**fields) -> dict:
    return {
        **dict.fromkeys(("email", "phone", "linkedin_url", "organization", "title"), ""),
        **dict.fromkeys(("industry", "how_met", "notes"), ""),
        "name": "A",
        "relationship": "other",
        "cadence_days": 0,
        "tags": [],
        **fields,
    }


@STORED
@given(rows=st.lists(person_fields, min_size=1, max_size=5))
# Found by hypothesis: lines with the name alone, then the same name with an email and an
# organization. The first import makes them one contact at that organization; the second must
# find the name-only lines in it.
@example(rows=[_bare(), _bare(), _bare(email="a@x.co"), _bare(email="a@x.co", organization="A")])
def test_importing_a_file_twice_adds_nobody_the_second_time(student, rows):
    _clean_slate(student)
    data = _rapport_csv(rows)
    default = "merge"
    import_commit(batch=import_preview(owner=student, filename="r.csv", data=data), default=default)
    count = Contact.objects.filter(owner=student).count()
    import_commit(batch=import_preview(owner=student, filename="r.csv", data=data), default=default)
    assert Contact.objects.filter(owner=student).count() == count


SET_APART = {"organization", "tags", "email", "linkedin_url"}


@STORED
@given(pairs=st.lists(st.tuples(person_fields, person_fields), min_size=1, max_size=4))
def test_the_preview_shows_what_the_commit_writes(student, pairs):
    _clean_slate(student)
    contacts = []
    for i, (mine, _) in enumerate(pairs):
        contacts.append(
            contact_people.contact_create(
                owner=student,
                **{k: v for k, v in mine.items() if k not in SET_APART},
                email=f"p{i}@x.co",
                linkedin_url="https://www.linkedin.com/in/a" if mine["linkedin_url"] else "",
                organization_name=mine["organization"],
                tags=mine["tags"],
            )
        )
    rows = [{**theirs, "email": f"P{i}@x.co"} for i, (_, theirs) in enumerate(pairs)]
    batch = import_preview(owner=student, filename="r.csv", data=_rapport_csv(rows))
    shown = {}
    for row in import_selectors.preview_rows(batch=batch):
        plan = import_selectors.row_merge_plan(row=row, earlier={})
        shown[row.match_contact_id] = (fields_of(row.match_contact), plan)
    assert len(shown) == len(pairs)
    import_commit(batch=batch, default="merge")
    for contact in Contact.objects.filter(owner=student).prefetch_related("tags"):
        before, plan = shown[contact.pk]
        expected, written = plan.applied_to(before), fields_of(contact)
        for name in ("name", *FILLABLE, "cadence_days", "notes"):
            assert written[name] == expected[name], name
        assert normalize_organization_name(written["organization"]) == (
            normalize_organization_name(expected["organization"])
        )
        assert sorted(written["tags"]) == sorted(expected["tags"])


def _rapport_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RAPPORT_HEADER)
    for r in rows:
        writer.writerow(
            [
                r["name"],
                r["email"],
                r["phone"],
                r["organization"],
                r["title"],
                r["industry"],
                r["linkedin_url"],
                r["relationship"],
                r["how_met"],
                "; ".join(r["tags"]),
                r["notes"],
                r["cadence_days"] or "",
                "",
            ]
        )
    return out.getvalue().encode()
