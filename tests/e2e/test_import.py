"""Importing a LinkedIn export with duplicates, through the real pages.

Alice already has two of her LinkedIn connections as contacts (Marcus by email, Priya by her
profile address). She uploads Connections.csv, reviews the preview, merges Priya, skips
Marcus, imports, finds the import's contacts through the batch filter, and undoes it all.
The preview numbers rows by the file's lines and says what merging Priya changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from contacts import services
from contacts.imports.models import BatchStatus, ImportBatch
from contacts.models import Contact, Relationship
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

CONNECTIONS = Path(__file__).resolve().parent.parent / "data" / "linkedin_connections.csv"


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def test_student_imports_linkedin_connections_with_duplicates_then_undoes(
    live_server, page: Page, student
):
    marcus = services.contact_create(
        owner=student,
        name="Marcus O'Neill",
        email="marcus.oneill@example.org",
        relationship=Relationship.FELLOW_STUDENT,
    )
    priya = services.contact_create(
        owner=student,
        name="Priya R.",
        linkedin_url="https://linkedin.com/in/priya-raman-4b2a1b90",
        relationship=Relationship.ALUMNI,
        notes="Met at the finance club.",
    )
    base = live_server.url

    page.goto(base + "/accounts/login/")
    page.get_by_label(label("Email")).fill(student.email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # 1. From the contacts list to the import page; upload LinkedIn's file.
    page.goto(base + "/my/contacts/")
    page.get_by_role("link", name="Import contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts")
    page.get_by_label(label("Your contacts file")).set_input_files(str(CONNECTIONS))
    page.get_by_role("button", name="Read the file").click()

    # 2. The preview: nothing saved yet, duplicates flagged with the reason.
    expect(page.get_by_role("heading", level=1)).to_have_text("Review linkedin_connections.csv")
    expect(page.locator(".lede")).to_contain_text("9 rows")
    priya_row = page.locator("#row-1")
    marcus_row = page.locator("#row-2")
    expect(priya_row).to_contain_text("Duplicate")
    expect(priya_row).to_contain_text("Priya R.")
    expect(priya_row).to_contain_text("same LinkedIn profile")
    expect(marcus_row).to_contain_text("same email address")
    expect(page.locator("#row-5")).to_contain_text("Same person as line 6 of this file")
    # The first column is the file's line (LinkedIn's notes come before the header).
    expect(priya_row.locator("td").first).to_have_text("5")
    # What merging Priya changes, field by field: her name in the file is kept in the notes.
    priya_row.get_by_text("What merging changes").click()
    expect(priya_row).to_contain_text("Name: yours is kept; “Priya Raman” goes into the notes")
    expect(priya_row).to_contain_text("Organization: filled in with “Goldman Sachs & Co., LLC”")
    # The encoding Rapport read the file in is shown (a UTF-8 file: no guess to check).
    expect(page.locator("#import-encoding")).to_contain_text("Unicode (UTF-8 with a byte-order")
    # JavaScript on: each choice is saved as it changes, so the page-wide button is hidden.
    expect(page.get_by_role("button", name="Save the choices on this page")).to_be_hidden()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("add 6 contacts, merge 3 rows into contacts and skip 0")
    assert Contact.objects.filter(owner=student).count() == 2

    # 3. Merge Priya, skip Marcus and his repeat further down (same profile as row 2).
    page.get_by_label("What to do with line 5").select_option("merge")
    page.get_by_label("What to do with line 6").select_option("skip")
    expect(summary).to_contain_text("merge 2 rows into contacts and skip 1")
    page.get_by_label("What to do with line 10").select_option("skip")
    expect(summary).to_contain_text("add 6 contacts, merge 1 row into contacts and skip 2")
    screenshot(page, "import-preview")
    # In the dark colour scheme the preview's row colours and badges follow the theme: axe
    # finds no contrast problem (they were hard-coded light colours).
    page.emulate_media(color_scheme="dark")
    contrast = [
        v["id"] for v in Axe().run(page).response["violations"] if v["id"] == "color-contrast"
    ]
    assert contrast == []
    screenshot(page, "import-preview-dark")
    page.emulate_media(color_scheme="light")

    # 4. Import.
    page.get_by_role("button", name="Import these contacts").click()
    expect(page.locator("#messages")).to_contain_text("Imported: 6 added, 1 merged, 2 skipped.")
    assert Contact.objects.filter(owner=student).count() == 8
    priya.refresh_from_db()
    assert priya.organization.name == "Goldman Sachs & Co., LLC"
    assert priya.notes == "Met at the finance club.\n\nAlso known as: Priya Raman"
    marcus.refresh_from_db()
    assert marcus.organization is None  # skipped: untouched

    # 5. The batch filter on the contacts list.
    page.get_by_role("link", name="See the contacts from this import").click()
    expect(page.locator(".selected-filter")).to_contain_text(
        "Only contacts from the import of linkedin_connections.csv"
    )
    expect(page.locator("#contact-results")).to_contain_text("(7 contacts)")
    expect(page.locator("#contact-results")).not_to_contain_text("Marcus O'Neill")
    expect(page.locator("#contact-results")).to_contain_text("Priya R.")
    expect(page.locator("#contact-results")).to_contain_text("Zoë Chen-Whitfield")
    screenshot(page, "import-batch-filter")
    # The filter survives another filter (htmx keeps the hidden batch field). Typed after the
    # load event: before it, htmx may not have set up the search box yet.
    page.wait_for_load_state("load")
    page.get_by_label(label("Search")).fill("Tencent")
    expect(page.locator("#contact-results")).to_contain_text("(1 contact)")
    page.get_by_role("link", name="linkedin_connections.csv").click()

    # 6. Undo the whole import.
    page.get_by_role("link", name="Undo this import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Undo the import")
    expect(page.locator("main")).to_contain_text("deletes the 6 contacts this import added")
    screenshot(page, "import-undo")
    page.get_by_role("button", name="Undo the import").click()
    expect(page.locator("#messages")).to_contain_text("is undone")
    assert ImportBatch.objects.get(owner=student).status == BatchStatus.UNDONE
    assert sorted(Contact.objects.filter(owner=student).values_list("name", flat=True)) == [
        "Marcus O'Neill",
        "Priya R.",
    ]
    priya.refresh_from_db()
    assert priya.organization is None
    assert priya.interactions.count() == 0


def test_student_matches_the_columns_of_an_unknown_csv(live_server, page: Page, student):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label(label("Email")).fill(student.email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/my/imports/")
    screenshot(page, "import-start")
    generic = CONNECTIONS.parent / "generic_semicolon.csv"
    page.get_by_label(label("Your contacts file")).set_input_files(str(generic))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Match the columns of generic_semicolon.csv"
    )
    expect(page.get_by_label(label("Contact"))).to_have_value("")
    expect(page.get_by_label(label("Mail"))).to_have_value("emails")  # guessed from "Mail"
    page.get_by_label(label("Contact")).select_option("name")
    page.get_by_label(label("Firma")).select_option("organization")
    page.get_by_label(label("Funktion")).select_option("title")
    page.get_by_label(label("Telefon")).select_option("phones")
    screenshot(page, "import-mapping")
    page.get_by_role("button", name="Show the preview").click()
    expect(page.locator("#row-1")).to_contain_text("Skoda Auto · Engineer")
    page.get_by_role("button", name="Import these contacts").click()
    expect(page.locator("#messages")).to_contain_text("Imported: 2 added")
    jan = Contact.objects.get(owner=student, name="Jan Novak")
    assert (jan.email, jan.phone, jan.organization.name) == (
        "jan.novak@example.cz",
        "+420 555 010 101",
        "Skoda Auto",
    )
