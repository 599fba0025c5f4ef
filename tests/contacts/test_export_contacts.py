"""Contacts as CSV and vCard: formula neutralising, RFC 4180 quoting, vCard 4.0 that parses
back, streaming downloads that only ever hold the signed-in student's contacts."""

from __future__ import annotations

import csv
import io

import pytest
import vobject
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts import services
from contacts.exports.contacts import CSV_HEADER, contact_csv_row, csv_lines, neutralise
from contacts.models import Contact, Relationship
from contacts.services.people import _tag_objects
from tests.contacts.factories import ContactFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

PAGE = reverse("contacts:export")
CSV_URL = reverse("contacts:export_csv")
VCARD_URL = reverse("contacts:export_vcard")


def make(owner, name, **fields) -> Contact:
    fields.setdefault("relationship", Relationship.ALUMNI)
    return services.contact_create(owner=owner, name=name, **fields)


def body(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "a BOM first, so Excel reads the file as UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# --- Neutralising -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 617 555 0100", "'+1 617 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_every_cell_of_a_row_is_neutralised(student):
    contact = make(
        student,
        "=cmd|' /C calc'!A0",
        email="ada@example.com",
        phone="+44 20 7946 0000",
        organization_name="@Acme",
        title="-Director",
        industry="+Finance",
        how_met="=1+1",
        notes="@note",
        tags=["=tag"],
    )
    row = contact_csv_row(Contact.objects.prefetch_related("tags").get(pk=contact.pk))
    dangerous = [cell for cell in row if cell and cell[0] in "=+-@\t\r"]
    assert dangerous == []
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert row[2] == "'+44 20 7946 0000"
    assert row[3] == "'@Acme"
    assert row[9] == "'=tag"


# --- RFC 4180 ---------------------------------------------------------------------------------


def test_csv_header_and_rfc4180_quoting(student):
    make(
        student,
        'Zoë "Zed" O\'Brien, PhD',
        email="zoe@example.com",
        organization_name="Acme, Inc.",
        title="VP",
        notes="First line\nSecond line, with a comma",
        tags=["mentor", "alumni network"],
        relationship=Relationship.FAMILY_FRIEND,
        how_met="Dinner",
    )
    text = "".join(csv_lines(Contact.objects.filter(owner=student).prefetch_related("tags")))
    raw = text[1:]
    # CRLF between records; a line break inside a field is kept inside its quotes.
    assert raw.startswith(",".join(CSV_HEADER) + "\r\n")
    assert raw.endswith("\r\n")
    assert '"Zoë ""Zed"" O\'Brien, PhD"' in raw  # quotes doubled, field quoted
    assert '"Acme, Inc."' in raw
    assert '"First line\nSecond line, with a comma"' in raw
    rows = csv_rows(text)
    assert rows[0] == CSV_HEADER
    assert rows[1] == [
        'Zoë "Zed" O\'Brien, PhD',
        "zoe@example.com",
        "",
        "Acme, Inc.",
        "VP",
        "",
        "",
        "Family friend",
        "Dinner",
        "alumni network; mentor",
        "First line\nSecond line, with a comma",
        "",  # no stay-in-touch rhythm
        "",  # never connected
    ]


def test_csv_download_streams_the_students_contacts(student_client, student):
    make(student, "Ada Lovelace", email="ada@example.com", tags=["math"])
    make(student, "Grace Hopper", organization_name="US Navy")
    response = student_client.get(CSV_URL)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(body(response))
    assert [row[0] for row in rows[1:]] == ["Ada Lovelace", "Grace Hopper"]
    assert rows[1][9] == "math"
    assert rows[2][3] == "US Navy"


def test_csv_with_no_contacts_is_just_the_header(student_client):
    assert csv_rows(body(student_client.get(CSV_URL))) == [CSV_HEADER]


# --- vCard ------------------------------------------------------------------------------------


def test_vcards_are_valid_version_4_and_parse_back(student_client, student):
    make(
        student,
        "Zoë O'Brien",
        email="zoe@example.com",
        phone="+1 617 555 0100",
        organization_name="Acme; Widgets, Inc.",
        title="Head of Data",
        linkedin_url="https://www.linkedin.com/in/zoe-obrien",
        notes="Met at the fair.\nLikes sailing; ask about Boston, and about her team.",
        tags=["alumni", "data science"],
    )
    make(student, "Plato")  # one name only, no email, no organization
    response = student_client.get(VCARD_URL)
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].endswith('.vcf"')
    text = body(response)
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    for block in text.split("BEGIN:VCARD\r\n")[1:]:
        assert block.startswith("VERSION:4.0\r\n"), "VERSION comes right after BEGIN (RFC 6350)"
    cards = list(vobject.readComponents(text))
    assert len(cards) == 2
    plato, zoe = sorted(cards, key=lambda c: c.fn.value)
    assert zoe.version.value == "4.0"
    assert zoe.fn.value == "Zoë O'Brien"
    assert zoe.n.value.family == "O'Brien"
    assert zoe.n.value.given == "Zoë"
    assert zoe.email.value == "zoe@example.com"
    assert zoe.tel.value == "+1 617 555 0100"
    assert zoe.org.value == ["Acme; Widgets, Inc."]
    assert zoe.title.value == "Head of Data"
    assert zoe.url.value == "https://www.linkedin.com/in/zoe-obrien"
    assert zoe.note.value == (
        "Met at the fair.\nLikes sailing; ask about Boston, and about her team."
    )
    assert zoe.categories.value == ["alumni", "data science"]
    assert plato.fn.value == "Plato"
    assert not hasattr(plato, "email")
    assert not hasattr(plato, "org")


def test_long_lines_are_folded_at_75_octets(student_client, student):
    make(student, "Long Notes", notes="x" * 400)
    text = body(student_client.get(VCARD_URL))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    card = vobject.readOne(text)
    assert card.note.value == "x" * 400


@pytest.mark.parametrize(
    "text",
    [
        "back\\slash, comma; semicolon",
        "CR\rLF\nCRLF\r\nend",
        "é" * 100 + "ü€𝄞" * 30,  # multi-byte characters across every fold
        "trailing backslash \\",
        ":colon:first",
    ],
)
def test_tricky_text_parses_back_unchanged(student, text):
    from contacts.exports.contacts import contact_vcard

    contact = make(
        student,
        text.replace("\r", " ").replace("\n", " ")[:200],
        organization_name="Org; with, separators",
        notes=text,
        tags=["a,b", "c;d"],
    )
    contact = (
        Contact.objects.select_related("organization").prefetch_related("tags").get(pk=contact.pk)
    )
    serialized = contact_vcard(contact)
    assert all(len(line.encode()) <= 75 for line in serialized.split("\r\n"))
    card = vobject.readOne(serialized)
    assert card.fn.value == contact.name
    assert card.note.value == text.replace("\r\n", "\n").replace("\r", "\n")
    assert card.org.value == ["Org; with, separators"]
    assert card.categories.value == ["a,b", "c;d"]


# --- Who gets what ----------------------------------------------------------------------------


def test_export_page_counts_the_students_contacts(student_client, student, other_student):
    make(student, "Ada Lovelace")
    make(other_student, "Bob's Contact")
    response = student_client.get(PAGE)
    assert response.status_code == 200
    assert response.context["contact_count"] == 1
    assert CSV_URL.encode() in response.content
    assert VCARD_URL.encode() in response.content


@pytest.mark.parametrize("url", [CSV_URL, VCARD_URL])
def test_each_student_gets_their_own_contacts_only(
    url, student, other_student, student_client, other_student_client
):
    make(student, "Alice's Contact", email="alices-contact@example.com")
    make(other_student, "Bob's Contact", email="bobs-contact@example.com")
    alice = body(student_client.get(url))
    bob = body(other_student_client.get(url))
    assert "Alice's Contact" in alice
    assert "alices-contact@example.com" in alice
    assert "Bob's Contact" not in alice
    assert "bobs-contact@example.com" not in alice
    assert "Bob's Contact" in bob
    assert "bobs-contact@example.com" in bob
    assert "Alice's Contact" not in bob
    assert "alices-contact@example.com" not in bob


@pytest.mark.parametrize("url", [PAGE, CSV_URL, VCARD_URL])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("url", [PAGE, CSV_URL, VCARD_URL])
def test_volunteers_and_staff_get_a_404(volunteer_client, staff_client, url):
    assert volunteer_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def _adder(student):
    def add_rows(n):
        for _ in range(n):
            contact = ContactFactory(owner=student)
            contact.tags.set(_tag_objects(owner=student, names=["a", "b"]))

    return add_rows


@pytest.mark.parametrize("url", [CSV_URL, VCARD_URL])
def test_export_queries_do_not_grow(url, student_client, student):
    def get_page():
        response = student_client.get(url)
        b"".join(response.streaming_content)  # the queries run while streaming
        return response

    assert_queries_stable(get_page, _adder(student), small=2, large=30)


def test_export_page_queries_do_not_grow(student_client, student):
    assert_queries_stable(lambda: student_client.get(PAGE), _adder(student))


# --- Any text at all --------------------------------------------------------------------------


def _stub(**values):
    """A contact-shaped object for the pure writers (no database)."""
    from types import SimpleNamespace

    tags = [SimpleNamespace(name=name) for name in values.pop("tags", [])]
    organization = values.pop("organization", "")
    fields = {
        "name": "",
        "email": "",
        "phone": "",
        "title": "",
        "industry": "",
        "linkedin_url": "",
        "relationship": Relationship.OTHER,
        "how_met": "",
        "notes": "",
        "cadence_days": 0,
        **values,
    }
    return SimpleNamespace(
        **fields,
        pk=1,
        organization_id=1 if organization else None,
        organization=SimpleNamespace(name=organization),
        tags=SimpleNamespace(all=lambda: tags),
    )


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(min_size=1),
    notes=st.text(),
    organization=st.text(),
    tags=st.lists(st.text(min_size=1).filter(lambda t: "; " not in t), max_size=3, unique=True),
)
def test_any_text_survives_the_csv_and_never_starts_a_formula(name, notes, organization, tags):
    contact = _stub(name=name, notes=notes, organization=organization, tags=tags)
    text = "".join(csv_lines([contact]))
    header, row = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert header == CSV_HEADER
    assert all(not cell or cell[0] not in "=+-@\t\r" for cell in row)

    def restored(cell: str) -> str:
        return (
            cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell
        )

    assert restored(row[0]) == name
    assert restored(row[3]) == organization
    assert restored(row[10]) == notes


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(min_size=1).filter(lambda t: t.strip()),
    notes=st.text(),
    organization=st.text(min_size=1),
    tags=st.lists(st.text(min_size=1), max_size=3, unique=True),
)
def test_any_text_makes_a_vcard_that_parses_back(name, notes, organization, tags):
    from contacts.exports.contacts import _CONTROL, contact_vcard

    def expected(value: str) -> str:
        """Line breaks come back as LF; other control characters are left out."""
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(_CONTROL.sub("", line) for line in lines)

    contact = _stub(name=name, notes=notes, organization=organization, tags=sorted(tags))
    serialized = contact_vcard(contact)
    assert all(len(line.encode()) <= 75 for line in serialized.split("\r\n"))
    card = vobject.readOne(serialized)
    assert card.version.value == "4.0"
    assert card.fn.value == expected(name)
    if notes:
        assert card.note.value == expected(notes)
