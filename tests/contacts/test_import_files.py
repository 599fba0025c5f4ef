"""Reading the sample exports under tests/data: every layout, encoding and nasty case."""

from __future__ import annotations

from pathlib import Path

import pytest

from contacts.imports import ImportFileError, import_preview
from contacts.imports.files import MAX_BYTES, MAX_ROWS
from contacts.imports.models import BatchStatus, ImportBatch, ImportFormat, RowStatus
from contacts.models import Contact, Interaction, Organization, Tag

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"


def preview(owner, name: str, data: bytes | None = None, **kwargs) -> ImportBatch:
    content = (DATA / name).read_bytes() if data is None else data
    return import_preview(owner=owner, filename=name, data=content, **kwargs)


def rows(batch: ImportBatch) -> dict[int, object]:
    return {row.index: row for row in batch.rows.order_by("index")}


def test_linkedin_connections_with_preamble_bom_quoted_commas_and_empty_rows(student):
    batch = preview(student, "linkedin_connections.csv")
    assert batch.status == BatchStatus.PREVIEW
    assert batch.format == ImportFormat.LINKEDIN
    assert batch.encoding == "utf-8-sig"
    assert (batch.total_rows, batch.new_count, batch.duplicate_count) == (9, 8, 1)
    assert batch.empty_count == 2  # the rows of nothing but commas
    found = rows(batch)
    priya = found[1].data
    assert priya["name"] == "Priya Raman"
    assert priya["organization"] == "Goldman Sachs & Co., LLC"
    assert priya["title"] == "Analyst, Investment Banking"
    assert priya["email"] == ""
    assert priya["linkedin_url"] == "https://www.linkedin.com/in/priya-raman-4b2a1b90"
    assert priya["connected_on"] == "2024-03-12"
    assert found[3].data["name"] == "José Álvarez Núñez"
    assert found[4].data["organization"] == '"Data" Collective'
    assert found[7].data["connected_on"] == "2022-10-07"  # "7 Oct 2022", one digit
    # The second Marcus O'Neill is the same profile (trailing slash ignored).
    assert found[5].status == RowStatus.DUPLICATE
    assert found[5].match_row == 2
    assert (found[2].line, found[5].line) == (6, 10)  # the file's lines (header on line 4)
    assert "Same person as line 6 of this file" in found[5].reason


def test_the_same_file_in_utf16_reads_the_same(student):
    utf8 = preview(student, "linkedin_connections.csv")
    utf16 = preview(student, "linkedin_utf16.csv")
    assert utf16.encoding == "utf-16"
    assert [r.data for r in utf16.rows.order_by("index")] == [
        r.data for r in utf8.rows.order_by("index")
    ]


def test_windows_1252_file(student):
    batch = preview(student, "outlook_cp1252.csv")
    assert batch.encoding == "cp1252"
    first = rows(batch)[1].data
    assert first["name"] == "René Müller"
    assert first["organization"] == "Société Générale"
    assert first["notes"] == "“Smart quotes” and \u2013 dashes \u2013 from Word"


def test_google_current_layout(student):
    batch = preview(student, "google_contacts.csv")
    assert batch.format == ImportFormat.GOOGLE
    found = rows(batch)
    elena = found[1].data
    assert elena["name"] == "Elena Petrova"
    assert elena["email"] == "elena.petrova@acme.example"
    assert elena["phone"] == "+1 617 555 0101"
    assert elena["organization"] == "Acme Analytics"
    assert elena["title"] == "Data Scientist"
    assert elena["linkedin_url"] == "https://www.linkedin.com/in/elenapetrova"
    assert elena["tags"] == ["alumni", "data"]  # "* myContacts" is Google's, not a tag
    assert "Interested in climate data." in elena["notes"]
    assert "elena.p@gmail.example" in elena["notes"]  # the second address is kept
    assert "+1 617 555 0199" in elena["notes"]
    sam = found[2].data
    assert sam["name"] == "Sam J. Okafor PhD"
    assert sam["email"] == "sam.okafor@hospital.example"  # " ::: " separated values
    assert "s.okafor@uni.example" in sam["notes"]
    assert found[3].data["tags"] == ["family friends"]
    assert "https://gracewrites.example.com" in found[3].data["notes"]
    assert found[4].status == RowStatus.INVALID
    assert found[4].reason.startswith("No name")


def test_google_columns_are_matched_by_name_not_position(student):
    batch = preview(student, "google_contacts_reordered.csv")
    elena = rows(batch)[1].data
    # "E-mail 4" comes first in the file; "E-mail 1" is still the main address.
    assert elena["email"] == "elena.petrova@acme.example"
    assert "elena.other@example.net" in elena["notes"]
    assert elena["organization"] == "Acme Analytics"
    assert elena["title"] == "Data Scientist"
    assert rows(batch)[2].data["notes"] == "Sister's colleague"


def test_google_legacy_layout(student):
    batch = preview(student, "google_contacts_legacy.csv")
    assert batch.format == ImportFormat.GOOGLE
    rafael, amelie = rows(batch)[1].data, rows(batch)[2].data
    assert rafael["name"] == "Rafael Souza"
    assert rafael["organization"] == "State University"
    assert rafael["title"] == "Lecturer"
    assert rafael["linkedin_url"] == "https://linkedin.com/in/rafaelsouza"
    assert rafael["tags"] == ["professors"]
    assert amelie["email"] == "amelie@dubois.example"
    assert amelie["organization"] == "L'Oréal"


def test_outlook_layout(student):
    batch = preview(student, "outlook_contacts.csv")
    assert batch.format == ImportFormat.OUTLOOK
    daniel, fatima = rows(batch)[1].data, rows(batch)[2].data
    assert daniel["name"] == "Daniel Kowalski"  # "Mr." (Outlook's Title) is not the job
    assert daniel["title"] == "Program Manager"
    assert daniel["organization"] == "Contoso Ltd"
    assert daniel["phone"] == "+1 425 555 0134"
    assert daniel["tags"] == ["alumni", "tech"]
    assert daniel["linkedin_url"] == "https://www.linkedin.com/in/dkowalski"
    assert fatima["name"] == "Fatima Z. Haddad"
    assert rows(batch)[3].status == RowStatus.INVALID


def test_rapport_export_is_a_known_layout(student):
    batch = preview(student, "rapport_export.csv")
    assert batch.format == ImportFormat.RAPPORT
    ada, grace, alan = (rows(batch)[i].data for i in (1, 2, 3))
    assert ada["phone"] == "+44 20 5555 0100"  # the export's formula guard is taken off
    assert ada["relationship"] == "professor"  # by label
    assert ada["how_met"] == "Guest lecture"
    assert ada["tags"] == ["alumni", "computing"]
    assert ada["notes"] == "Said to write again in May.\nLikes poetry."
    assert grace["relationship"] == "alumni"  # by value
    assert alan["organization"] == "Bletchley Park, Hut 8"
    assert alan["relationship"] == "supervisor"


def test_vcard_30_with_broken_cards(student):
    batch = preview(student, "contacts_v3.vcf")
    assert batch.format == ImportFormat.VCARD
    found = rows(batch)
    linh = found[1].data
    assert linh["name"] == "Linh Nguyen"
    assert linh["organization"] == "Northwind Traders"
    assert linh["email"] == "linh.nguyen@northwind.example"
    assert linh["phone"] == "+1 206 555 0177"
    assert linh["linkedin_url"] == "https://www.linkedin.com/in/linh-nguyen"
    assert linh["tags"] == ["networking night", "sales"]
    assert linh["notes"].startswith("Met at the Seattle networking night, talked")
    assert "linh@home.example" in linh["notes"]
    assert found[2].data["name"] == "Chidi Okonkwo"  # the photo does not get in the way
    assert found[3].status == RowStatus.INVALID
    assert "not a valid email" in found[3].reason
    assert found[4].status == RowStatus.INVALID
    assert "no name" in found[4].reason
    assert found[5].status == RowStatus.INVALID
    assert "END:VCARD" in found[5].reason
    assert found[6].data["linkedin_url"] == "http://linkedin.com/in/mayapatel"
    assert batch.new_count == 3


def test_vcard_40(student):
    batch = preview(student, "contacts_v4.vcf")
    found = rows(batch)
    oskar = found[1].data
    assert oskar["phone"] == "+46-70-555-0123"  # tel: URI
    assert oskar["linkedin_url"] == "https://se.linkedin.com/in/oskarlindqvist"
    assert oskar["notes"] == "Intro through Professor Berg; coffee in Stockholm."
    assert oskar["tags"] == ["nordics", "data"]
    assert found[3].data["name"] == "山田 太郎"
    assert found[4].data["name"] == "Line Folded Name"
    assert found[5].data["name"] == "Card With Garbage"  # the unreadable line is skipped


def test_unknown_csv_asks_for_the_columns_then_reads_with_them(student):
    batch = preview(student, "generic_semicolon.csv")
    assert batch.status == BatchStatus.NEEDS_MAPPING
    assert batch.headers == ["Contact", "Mail", "Firma", "Funktion", "Telefon"]
    assert batch.rows.count() == 0
    mapped = preview(
        student,
        "generic_semicolon.csv",
        mapping={"Contact": "name", "Mail": "emails", "Firma": "organization", "4": "phones"},
    )
    assert mapped.status == BatchStatus.PREVIEW
    jan = rows(mapped)[1].data
    assert (jan["name"], jan["email"], jan["organization"], jan["phone"]) == (
        "Jan Novak",
        "jan.novak@example.cz",
        "Skoda Auto",
        "+420 555 010 101",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("spreadsheet.csv", "Excel workbook"),
        ("vcard_named_csv.csv", "contains vCards, not CSV"),
        ("csv_named_vcf.vcf", "contains no card"),
        ("web_page.csv", "web page"),
        ("only_commas.csv", "no contacts"),
        ("header_only.csv", "no contacts"),
    ],
)
def test_nasty_files_get_a_clear_message_and_leave_nothing(student, name, message):
    with pytest.raises(ImportFileError) as caught:
        preview(student, name)
    assert message in caught.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_wrong_type_too_big_too_many_rows_and_empty(student):
    with pytest.raises(ImportFileError, match="choose a CSV file"):
        import_preview(owner=student, filename="photo.jpg", data=b"\xff\xd8\xff\xe0")
    with pytest.raises(ImportFileError, match="spreadsheet"):
        import_preview(owner=student, filename="contacts.xlsx", data=b"PK\x03\x04")
    with pytest.raises(ImportFileError, match="up to 5 MB"):
        import_preview(owner=student, filename="big.csv", data=b"a" * (MAX_BYTES + 1))
    with pytest.raises(ImportFileError, match="empty"):
        import_preview(owner=student, filename="empty.csv", data=b"   \r\n")
    many = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + "".join(
        f"P{i},Q,,,,,\n" for i in range(MAX_ROWS + 1)
    )
    with pytest.raises(ImportFileError, match="more than 20,000"):
        import_preview(owner=student, filename="many.csv", data=many.encode())
    cards = "".join(f"BEGIN:VCARD\nFN:P{i}\nEND:VCARD\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError, match="more than 20,000"):
        import_preview(owner=student, filename="many.vcf", data=cards.encode())


def test_a_cell_longer_than_the_csv_limit_is_a_message(student):
    data = b'Name,Email\n"' + b"x" * 200_000 + b'",a@example.com\n'
    with pytest.raises(ImportFileError, match="could not be read as CSV"):
        import_preview(owner=student, filename="long.csv", data=data)


def test_unbalanced_quotes_do_not_crash(student):
    batch = preview(student, "unbalanced_quotes.csv", mapping={"Name": "name", "Email": "emails"})
    assert batch.status == BatchStatus.PREVIEW
    assert batch.total_rows >= 1


def test_preview_saves_no_contact(student):
    for name in ["linkedin_connections.csv", "google_contacts.csv", "contacts_v3.vcf"]:
        preview(student, name)
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()
    assert not Tag.objects.exists()
    assert not Interaction.objects.exists()


def test_utf16_without_a_byte_order_mark(student):
    text = (DATA / "linkedin_connections.csv").read_bytes().decode("utf-8-sig")
    for encoding in ("utf-16-le", "utf-16-be"):
        batch = preview(student, "Connections.csv", data=text.encode(encoding))
        assert batch.encoding == encoding
        assert rows(batch)[3].data["name"] == "José Álvarez Núñez"


# --- Encodings (issue 15) -----------------------------------------------------------------------

CENTRAL = (
    "Name,Email,Company\r\n"
    "Antonín Dvořák,ad@example.cz,Česká filharmonie\r\n"
    "Łukasz Żółć,lz@example.pl,Kraków Sp. z o.o.\r\n"
)
WESTERN = (
    "Name,Email,Company\r\n"
    "Renée Müller,rm@example.fr,Société Générale\r\n"
    "Jürgen Weiß,jw@example.de,Bäckerei\r\n"
)


COLUMNS = {"0": "name", "1": "emails", "2": "organization"}


def names(batch: ImportBatch) -> list[str]:
    return [row.data["name"] for row in batch.rows.order_by("index")]


def test_an_iso_8859_2_file_is_detected_and_its_names_read_right(student):
    batch = preview(student, "contacts.csv", data=CENTRAL.encode("iso8859_2"), mapping=COLUMNS)
    # Windows-1250 reads these letters exactly as ISO-8859-2 does; either is right.
    assert batch.encoding in {"iso8859-2", "cp1250"}
    assert names(batch) == ["Antonín Dvořák", "Łukasz Żółć"]
    assert rows(batch)[1].data["organization"] == "Česká filharmonie"


def test_a_mac_roman_file_is_detected_and_its_names_read_right(student):
    batch = preview(student, "contacts.csv", data=WESTERN.encode("mac_roman"), mapping=COLUMNS)
    assert batch.encoding == "mac-roman"
    assert names(batch) == ["Renée Müller", "Jürgen Weiß"]
    assert rows(batch)[1].data["organization"] == "Société Générale"


def test_the_student_can_read_the_kept_file_again_in_another_encoding(student):
    from contacts.imports.services import import_set_encoding

    batch = preview(
        student,
        "contacts.csv",
        data="Name,Email\r\nJosé Núñez,jn@example.es\r\n".encode("cp1252"),
        mapping={"0": "name"},
    )
    assert batch.encoding == "cp1252"
    assert names(batch) == ["José Núñez"]
    batch = import_set_encoding(batch=batch, encoding="iso8859-2")
    assert batch.status == BatchStatus.PREVIEW
    assert batch.encoding == "iso8859-2"
    assert names(batch) == ["José Núńez"]  # what that encoding makes of the bytes
    assert ImportBatch.objects.get(pk=batch.pk).encoding == "iso8859-2"
    batch.refresh_from_db()
    assert bytes(batch.data) == "Name,Email\r\nJosé Núñez,jn@example.es\r\n".encode(
        "cp1252"
    )  # nothing uploaded


def test_an_encoding_that_cannot_read_the_file_leaves_the_preview_as_it_was(student):
    from contacts.imports.services import import_set_encoding

    batch = preview(student, "contacts.csv", data=WESTERN.encode("mac_roman"), mapping=COLUMNS)
    with pytest.raises(ImportFileError, match="cannot be read as Unicode \\(UTF-8\\)"):
        import_set_encoding(batch=batch, encoding="utf-8")
    with pytest.raises(ImportFileError, match="Unknown encoding"):
        import_set_encoding(batch=batch, encoding="klingon")
    batch.refresh_from_db()
    assert (batch.status, batch.encoding) == (BatchStatus.PREVIEW, "mac-roman")
    assert batch.data is not None
    assert names(batch) == ["Renée Müller", "Jürgen Weiß"]


def test_a_file_with_nul_bytes_that_is_not_utf16_is_refused(student):
    with pytest.raises(ImportFileError, match="not a text file Rapport can read"):
        preview(student, "contacts.csv", data=b"Name,Email\r\nA\x00\x00\x81,a@b.co\r\n")
    assert not ImportBatch.objects.exists()


# --- vCards: photos and unreadable lines (issue 15) ----------------------------------------------


def test_a_card_with_a_large_photo_is_imported_without_it(student):
    photo = "\r\n ".join(["QUJDREVGR0g" * 6] * 4000)  # about 270,000 characters of base64
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Renée Photo\r\n"
        f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}\r\n"
        "EMAIL:renee@example.org\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Old Phone\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n"
        "QUJDREVGR0g=\r\nQUJDREVGR0g=\r\n\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n"
    )
    batch = preview(student, "contacts.vcf", data=card.encode())
    first, second = rows(batch)[1], rows(batch)[2]
    assert first.status == RowStatus.NEW
    assert (first.data["name"], first.data["email"]) == ("Renée Photo", "renee@example.org")
    assert first.warnings == ["The card's photo was left out (Rapport does not keep photos)."]
    assert second.status == RowStatus.NEW
    assert (second.data["name"], second.data["phone"]) == ("Old Phone", "+1 555 0100")
    assert second.warnings == ["The card's photo was left out (Rapport does not keep photos)."]


def test_an_unreadable_line_in_a_card_is_reported_with_its_line_number(student):
    cards = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:First Card\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card With Garbage\r\n"
        "this line has no colon at all\r\nEMAIL:g@example.org\r\nEND:VCARD\r\n"
    )
    batch = preview(student, "contacts.vcf", data=cards.encode())
    garbage = rows(batch)[2]
    assert garbage.line == 5  # where its BEGIN:VCARD is
    assert garbage.data["email"] == "g@example.org"
    assert garbage.warnings == [
        "Line 8 could not be read and was left out: “this line has no colon at all”."
    ]


def test_row_numbers_are_the_files_line_numbers(student):
    text = (
        'Name,Email,Notes\r\nAda,ada@example.org,"two\r\nlines"\r\n\r\n'
        "Grace,grace@example.org,one\r\nAlan,alan@example.org,\u2028odd\u2029break\r\n"
        "Kim,kim@example.org,\x0cform feed\r\n"
    )
    batch = preview(student, "contacts.csv", data=text.encode(), mapping=COLUMNS)
    assert [r.line for r in batch.rows.order_by("index")] == [2, 5, 6, 7]
    cards = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nNOTE:a\u2028b\x0cc\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace\r\nEND:VCARD\r\n"
    )
    batch = preview(student, "contacts.vcf", data=cards.encode())
    assert [r.line for r in batch.rows.order_by("index")] == [1, 6]
